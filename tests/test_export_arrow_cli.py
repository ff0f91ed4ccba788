"""The command line and the Arrow formats: export to .arrows (a store) and .parquet (a table)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from itinerary.cli import main
from itinerary.scenarios import load_scenario

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml")
SUMMIT = "2025-10-28 12:30 Asia/Tokyo"


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_export_to_an_arrow_store_then_replay_it(tmp_path: Path) -> None:
    """An .arrows copy replays and lists exactly as the scenario does."""
    target = str(tmp_path / "tour.arrows")
    assert run("export", EXAMPLE, "--to", target) == (0, f"Wrote 14 events to {target}\n", "")
    assert (
        run("replay", target, "--as-of", SUMMIT)[1] == run("replay", EXAMPLE, "--as-of", SUMMIT)[1]
    )
    assert run("agenda", target)[1] == run("agenda", EXAMPLE)[1]


def test_export_to_parquet_writes_the_log_table(tmp_path: Path) -> None:
    """--to tour.parquet writes log.to_arrow()'s rows: what pandas, polars and DuckDB read."""
    target = tmp_path / "tour.parquet"
    assert run("export", EXAMPLE, "--to", str(target))[0] == 0
    log = load_scenario(EXAMPLE).log
    assert pq.read_table(target).equals(log.to_arrow())
    assert [p.name for p in tmp_path.iterdir()] == ["tour.parquet"]  # no temporary left


def test_parquet_is_written_not_read_nor_overwritten(tmp_path: Path) -> None:
    """A Parquet file is refused as input, and never overwritten (exit status 2, one line)."""
    target = tmp_path / "tour.parquet"
    run("export", EXAMPLE, "--to", str(target))
    before = target.read_bytes()
    code, _, err = run("export", EXAMPLE, "--to", str(target))
    assert (code, err) == (2, f"itinerary: {target}: already exists; not overwriting it\n")
    assert target.read_bytes() == before
    code, _, err = run("replay", str(target))
    assert code == 2
    assert "Parquet tables are written (export --to) for data tools, not read" in err


@pytest.mark.parametrize("suffix", [".arrows", ".parquet"])
def test_the_arrow_suffixes_are_known_kinds(tmp_path: Path, suffix: str) -> None:
    """An unknown suffix's message lists .arrows and .parquet among the kinds of file."""
    code, _, err = run("export", EXAMPLE, "--to", str(tmp_path / "x.nope"))
    assert code == 2
    assert suffix in err
