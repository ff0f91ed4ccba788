"""The columnar benchmark runs, in a small size: structure only, no time is compared."""

import pytest
from benchmarks import columnar_store
from benchmarks.suite import Config
from benchmarks.workload import generate


def test_the_columnar_section_measures_the_arrow_store_and_parquet() -> None:
    """The suite's columnar section: Arrow store write, load and columns, Parquet, bytes each."""
    config = Config(sizes=(120,), repeat=lambda n: 1, queries=5, log=lambda line: None)
    found = {r.what: r for r in columnar_store.section(generate(120), config)}
    assert set(found) == {
        "Arrow store write",
        "Arrow store load",
        "Arrow store columns, no events",
        "Parquet write (store columns)",
        "Parquet read (store columns)",
    }
    assert all(r.size == 120 and r.rate is not None and r.rate > 0 for r in found.values())
    assert found["Arrow store write"].extra["bytes/event"] > 0
    assert found["Parquet write (store columns)"].extra["bytes/event"] > 0


def test_the_columnar_comparison_measures_both_stores(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line (benchmarks.columnar_store) prints Arrow's and SQLite's figures."""
    columnar_store.main(["--sizes", "50"])
    out = capsys.readouterr().out
    for name in ("arrow write", "arrow load", "sqlite write, 10k a batch", "sqlite load",
                 "arrow bytes/event", "parquet bytes/event", "parquet read (columns)"):  # fmt: skip
        assert name in out, name
