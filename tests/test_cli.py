"""The command line: replay, check, agenda, export; one-line errors with exit status 2."""

import errno
import importlib
import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary import _progress, cli
from itinerary.cli import main
from itinerary.consistency import check
from itinerary.scenarios import load_scenario
from itinerary.store import SQLiteStore
from tests.store_contract import sealed

EXAMPLE = str(Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml")
SUMMIT = "2025-10-28 12:30 Asia/Tokyo"


def run(*args: str, color: bool = False) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args), color=color)
    return result.exit_code, result.stdout, result.stderr


def test_replay_shows_the_tokyo_summit_state() -> None:
    """Replay --as-of the summit shows everyone in Tokyo, two agreements and a pending deadline."""
    code, out, err = run("replay", EXAMPLE, "--as-of", SUMMIT)
    assert (code, err) == (0, "")
    assert "State as of 2025-10-28 12:30 +09:00 Asia/Tokyo" in out
    assert "Donald Trump      at      Tokyo  2025-10-27 16:30 +09:00" in out
    assert "Critical minerals and rare earths framework" in out
    assert "2026-04-28 12:00 +09:00  Tokyo  pending" in out


def test_replay_before_the_summit() -> None:
    """Replay --as-of an earlier instant shows Trump in transit and nothing signed."""
    code, out, _ = run("replay", EXAMPLE, "--as-of", "2025-10-27 13:00 Tokyo")
    assert code == 0
    assert "in_transit  Kuala Lumpur -> Tokyo" in out
    assert "Agreements signed\n  (none)" in out


def test_tables_are_aligned() -> None:
    """Every row of a table starts its columns where the header's do."""
    _, out, _ = run("replay", EXAMPLE, "--as-of", SUMMIT)
    lines = out.splitlines()
    header = lines.index("Whereabouts") + 1
    starts = [lines[header].index(word) for word in ("STATUS", "WHERE", "SINCE")]
    for row in lines[header + 1 : header + 4]:
        for start in starts:
            assert row[start - 2 : start] == "  "
            assert row[start] != " "


def test_colour_only_on_a_terminal() -> None:
    """Statuses are coloured when colour is on, and plain otherwise."""
    assert "\x1b[" not in run("replay", EXAMPLE, "--as-of", SUMMIT)[1]
    assert "\x1b[33mpending" in run("replay", EXAMPLE, "--as-of", SUMMIT, color=True)[1]


def test_agenda_in_local_time_and_in_one_zone() -> None:
    """Agenda shows each place's local time; --tz shows all in one zone."""
    code, out, _ = run("agenda", EXAMPLE)
    assert code == 0
    assert "Tuesday 28 October 2025\n  10:00-11:30 +09:00  Tokyo" in out
    code, out, _ = run("agenda", EXAMPLE, "--tz", "UTC")
    assert code == 0
    assert "  01:00-02:30 +00:00  Tokyo" in out


def test_check_reports_no_violation_for_the_example() -> None:
    """Check on the example tour finds nothing and exits 0."""
    code, out, _ = run("check", EXAMPLE)
    assert code == 0
    assert "No violations in 14 events." in out


def test_check_exits_1_on_violations(tmp_path: Path) -> None:
    """Check on an inconsistent scenario lists violations and exits 1."""
    path = tmp_path / "twice.toml"
    path.write_text(
        '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = "2025-10-27 16:30"\n'
        '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Seoul"\nat = "2025-10-27 16:40"\n'
    )
    code, out, _ = run("check", str(path))
    assert code == 1
    violations = check(load_scenario(path).log)
    assert out.splitlines()[0] == f"{len(violations)} violation in 2 events"
    for violation, line in zip(violations, out.splitlines()[2:], strict=True):
        cells = line.split()
        assert cells[:3] == [violation.rule, violation.who, "0,"]
        assert line.endswith(violation.message)


@pytest.mark.parametrize("suffix", [".sqlite", ".db", ".jsonl", ".toml"])
def test_export_then_replay_the_copy(tmp_path: Path, suffix: str) -> None:
    """Export to each kind of file, and the copy replays exactly as the original does."""
    target = str(tmp_path / f"copy{suffix}")
    code, out, _ = run("export", EXAMPLE, "--to", target)
    assert (code, out) == (0, f"Wrote 14 events to {target}\n")
    assert (
        run("replay", target, "--as-of", SUMMIT)[1] == run("replay", EXAMPLE, "--as-of", SUMMIT)[1]
    )
    assert run("agenda", target)[1] == run("agenda", EXAMPLE)[1]


def test_export_refuses_to_overwrite(tmp_path: Path) -> None:
    """Export onto a store that holds events exits 2 and leaves it alone."""
    target = str(tmp_path / "copy.sqlite")
    run("export", EXAMPLE, "--to", target)
    code, _, err = run("export", EXAMPLE, "--to", target)
    assert code == 2
    assert err == f"itinerary: {target}: already holds 14 events; not overwriting it\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("replay", "missing.toml"), "missing.toml: no such file"),
        (
            ("replay", EXAMPLE, "--as-of", "2025-10-28 12:30 Mars/Base"),
            "--as-of '2025-10-28 12:30 Mars/Base': 'Mars/Base' is not an IANA",
        ),
        (("replay", EXAMPLE, "--as-of", "2025-10-28 12:30"), "expected a local time and a zone"),
        (("replay", EXAMPLE, "--as-of", "2025-11-02 01:30 America/New_York"), "happened twice"),
        (("replay", EXAMPLE, "--as-of", "tomorrow noon Asia/Tokyo"), "is not a local wall time"),
        (("replay", EXAMPLE, "--as-of", "2025-03-09 02:30 America/New_York"), "does not exist"),
        (("agenda", EXAMPLE, "--tz", "Nowhere"), "--tz 'Nowhere': 'Nowhere' is not an IANA"),
        (("agenda", EXAMPLE, "--tz", ""), "itinerary: --tz '': '' is not an IANA time zone"),
        (("agenda", "notes.txt"), "unknown kind of file '.txt'"),
        (("export", EXAMPLE, "--to", "copy.csv"), "unknown kind of file '.csv'"),
    ],
)
def test_user_mistakes_print_one_line_and_exit_2(args: tuple[str, ...], words: str) -> None:
    """A user's mistake prints one line on stderr, no traceback, and exits with status 2."""
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("itinerary: ")
    assert err.count("\n") == 1
    assert words in err


def test_malformed_scenario_is_one_line(tmp_path: Path) -> None:
    """A malformed scenario's error (file, key path, found, expected) is one line, exit 2."""
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokio"\nat = "2025-10-27 16:30"\n'
    )
    code, _, err = run("replay", str(path))
    assert code == 2
    assert err.startswith(f"itinerary: {path}: events[0].place: found 'Tokio'; expected a place")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["replay"],
        ["check"],
        ["agenda"],
        ["export"],
        ["simulate"],
        ["suggest"],
        ["follow"],
        ["forecast"],
    ],
)
def test_help_on_every_command(command: list[str]) -> None:
    """--help works on the group and on every command."""
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Usage: " in out


def test_python_dash_m_in_a_real_process() -> None:
    """Python -m itinerary runs in a real process, with a clean exit and a clean error."""
    ok = subprocess.run(
        [sys.executable, "-m", "itinerary", "replay", EXAMPLE, "--as-of", SUMMIT],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "\x1b[" not in ok.stdout
    assert "pending" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "itinerary", "agenda", "missing.jsonl"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (bad.returncode, bad.stdout, bad.stderr) == (
        2,
        "",
        "itinerary: missing.jsonl: no such file\n",
    )


def test_replay_as_of_takes_the_iso_form_and_a_disambiguation() -> None:
    """--as-of accepts 'YYYY-MM-DDTHH:MM ZONE'; --disambiguate picks one reading of a repeat."""
    code, out, _ = run("replay", EXAMPLE, "--as-of", "2025-10-28T12:30 Asia/Tokyo")
    assert code == 0
    assert out.startswith(
        "State as of 2025-10-28 12:30 +09:00 Asia/Tokyo (8 of 14 events had happened)"
    )
    for choice, offset in (("earlier", "-04:00"), ("later", "-05:00")):
        code, out, _ = run(
            "replay", EXAMPLE, "--as-of", "2025-11-02 01:30 America/New_York",
            "--disambiguate", choice,
        )  # fmt: skip
        assert code == 0
        assert out.startswith(f"State as of 2025-11-02 01:30 {offset} America/New_York (14 of 14")


def test_replay_as_of_takes_an_exact_instant() -> None:
    """--as-of takes an instant with its offset and no zone, as TOML does: 12:30+09:00."""
    for text in ("2025-10-28T12:30:00+09:00", "2025-10-28 12:30 +09:00"):
        code, out, _ = run("replay", EXAMPLE, "--as-of", text)
        assert code == 0
        assert out.startswith("State as of 2025-10-28 03:30 +00:00 UTC (8 of 14 events")


@pytest.mark.parametrize("command", ["replay", "check", "agenda"])
def test_reading_a_foreign_sqlite_file_leaves_it_untouched(tmp_path: Path, command: str) -> None:
    """Replay, check or agenda on a SQLite file that is not a store: one line, exit 2, no write."""
    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    db.close()
    before = path.read_bytes(), path.stat().st_mtime_ns
    code, out, err = run(command, str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"itinerary: {path}: not an itinerary store")
    assert err.count("\n") == 1
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_replay_of_a_read_only_store(tmp_path: Path) -> None:
    """Replay reads a store whose file is read-only, and does not change its bytes."""
    path = tmp_path / "tour.sqlite"
    assert run("export", EXAMPLE, "--to", str(path))[0] == 0
    path.chmod(0o444)  # as root this does not stop writes, so the bytes are compared too
    before = path.read_bytes(), path.stat().st_mtime_ns
    code, out, err = run("replay", str(path), "--as-of", SUMMIT)
    assert code == 0, err
    assert "pending" in out
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def _foreign_database(path: Path) -> tuple[bytes, int]:
    """Make a SQLite file of another program at *path*; return its bytes and mtime."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    db.close()
    return path.read_bytes(), path.stat().st_mtime_ns


def test_export_onto_a_foreign_database_is_refused_and_leaves_it_alone(tmp_path: Path) -> None:
    """Export onto another program's SQLite file: one line, exit 2, the file byte-identical."""
    target = tmp_path / "other.db"
    before = _foreign_database(target)
    code, out, err = run("export", EXAMPLE, "--to", str(target))
    assert (code, out) == (2, "")
    assert err.startswith(f"itinerary: {target}: not an itinerary store: a SQLite database ")
    assert err.count("\n") == 1
    assert (target.read_bytes(), target.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_export_onto_a_foreign_jsonl_file_is_refused(tmp_path: Path) -> None:
    """Export onto a .jsonl file that is not an event log: one line, exit 2, file unchanged."""
    target = tmp_path / "other.jsonl"
    target.write_text('{"hello": "world"}\n')
    code, _, err = run("export", EXAMPLE, "--to", str(target))
    assert code == 2
    assert err == (
        f"itinerary: {target}: line 1: not an itinerary event log "
        '(expected {"itinerary":"event-log","format":2})\n'
    )
    assert target.read_text() == '{"hello": "world"}\n'


def test_export_into_an_empty_store(tmp_path: Path) -> None:
    """Export into an existing store that holds no events yet fills it."""
    target = tmp_path / "empty.sqlite"
    SQLiteStore(target).close()
    code, out, _ = run("export", EXAMPLE, "--to", str(target))
    assert (code, out) == (0, f"Wrote 14 events to {target}\n")
    assert run("agenda", str(target))[1] == run("agenda", EXAMPLE)[1]


def _damaged_jsonl(path: Path, line: int, **changes: object) -> None:
    """Export the example to *path*, then change fields of its event line number *line*."""
    assert run("export", EXAMPLE, "--to", str(path))[0] == 0
    lines = path.read_text().splitlines()
    lines[line - 1] = sealed(json.loads(lines[line - 1]) | changes)  # as a faulty writer would
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "x"}, 'line 3: not an event record ("v" and "end" must be integer versions, '
                       'found v=2, end="x")'),
        ({"end": None}, 'line 3: not an event record ("v" and "end" must be integer versions, '
                        "found v=2, end=null)"),
        ({"schema": "abc"}, "line 3: MeetingHeld: the schema version must be an integer, "
                            "found 'abc'"),
    ],
)  # fmt: skip
def test_a_damaged_jsonl_export_is_one_line(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    """Replay of a JSON Lines file with a bad version, end or schema: one line, exit 2."""
    path = tmp_path / "tour.jsonl"
    _damaged_jsonl(path, 3, **changes)
    code, out, err = run("replay", str(path))
    assert (code, out, err) == (2, "", f"itinerary: {path}: {message}\n")


def test_an_instant_stored_as_true_is_one_line(tmp_path: Path) -> None:
    """An instant stored as [true, "UTC"] is refused (one line, exit 2), not read as 1970."""
    path = tmp_path / "tour.jsonl"
    _damaged_jsonl(path, 2, data={"who": "A", "place": ["Tokyo", "Japan", "Asia/Tokyo", None, None],
                                  "at": [True, "UTC"]}, type="Arrived")  # fmt: skip
    code, out, err = run("replay", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"itinerary: {path}: line 2: cannot rebuild Arrived (schema 1) from ")
    assert err.endswith(
        "a stored instant must be [integer microseconds since 1970, zone name], "
        "found [True, 'UTC']\n"
    )
    assert err.count("\n") == 1


def test_a_sqlite_row_with_a_text_schema_is_one_line(tmp_path: Path) -> None:
    """Replay of a store whose row has schema 'abc': one line naming the version, exit 2."""
    path = tmp_path / "tour.sqlite"
    assert run("export", EXAMPLE, "--to", str(path))[0] == 0
    with sqlite3.connect(path) as db:
        db.execute("UPDATE itinerary_events SET schema = 'abc' WHERE version = 4")
    db.close()
    code, out, err = run("replay", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"itinerary: {path}: version 4: {load_scenario(EXAMPLE).log[3].__class__.__name__}: "
        "the schema version must be an integer, found 'abc'\n"
    )


def test_replay_of_a_store_on_a_read_only_mount(tmp_path: Path) -> None:
    """The CLI replays a WAL store on a read-only bind mount (unshare -r -m), unchanged."""
    folder = tmp_path / "media"
    folder.mkdir()
    path = folder / "tour.sqlite"
    assert run("export", EXAMPLE, "--to", str(path))[0] == 0
    before = path.read_bytes()
    script = (
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
        f"! touch {folder}/probe 2>/dev/null && "
        f'exec "$0" -m itinerary replay {path} --as-of "{SUMMIT}"'
    )
    done = subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", script, sys.executable],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == run("replay", EXAMPLE, "--as-of", SUMMIT)[1]
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["tour.sqlite"]


PLAN = str(Path(EXAMPLE).with_name("asia_tour_2025_plan.toml"))


def test_simulate_prints_the_risk_table_of_the_tour_plan() -> None:
    """`simulate` prints a row per step and the obligation's risk; the same seed, the same table."""
    code, out, _ = run("simulate", PLAN, "--runs", "300", "--seed", "7")
    assert code == 0
    assert out.startswith("Risk report: 300 runs, seed 7; slips over the late runs\n")
    assert "APEC Summit" in out
    assert "select projects and finance them" in out
    assert run("simulate", PLAN, "--runs", "300", "--seed", "7")[1] == out
    assert run("simulate", PLAN, "--runs", "300", "--seed", "8")[1] != out


def test_simulate_on_two_workers_prints_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """--workers 2 spreads the runs over processes and changes nothing in the table."""
    monkeypatch.setattr(cli, "cpu_count", lambda: 2)  # as if on two CPUs, wherever it runs
    one = run("simulate", PLAN, "--runs", "400", "--seed", "3")
    two = run("simulate", PLAN, "--runs", "400", "--seed", "3", "--workers", "2")
    assert one == two


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("simulate", EXAMPLE), "has no [[plan]] section"),
        (("simulate", PLAN, "--runs", "0"), "--runs"),
        (("simulate", "nowhere.toml"), "no such file"),
    ],
)
def test_simulate_mistakes_are_one_line(args: tuple[str, ...], words: str) -> None:
    """A file without a plan, a bad option or a missing file: one line, exit status 2."""
    code, _, err = run(*args)
    assert code == 2
    assert words in err


def _happened(tmp_path: Path, suffix: str = ".sqlite") -> str:
    """A store of what has happened: the ASEAN summit, then Air Force One leaving 40 min late."""
    import attrs  # noqa: PLC0415 - this helper only
    import pendulum  # noqa: PLC0415 - this helper only

    from itinerary.sim import Delay, simulate  # noqa: PLC0415 - this helper only
    from itinerary.store import open_store  # noqa: PLC0415 - this helper only

    plan = load_scenario(PLAN).plan
    assert plan is not None
    leg = "Donald Trump: Kuala Lumpur -> Tokyo"
    late = plan.replace(
        leg, attrs.evolve(plan[leg], delay=Delay.fixed(pendulum.duration(minutes=40)))
    )
    path = str(tmp_path / f"happened{suffix}")
    store = open_store(path, create=True)
    try:
        store.extend(list(simulate(late).log)[:2])
    finally:
        store.close()
    return path


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl"])
def test_simulate_given_a_store_after_an_instant(tmp_path: Path, suffix: str) -> None:
    """--given STORE --after INSTANT: the risks from what has happened, as monte_carlo gives them."""
    from itinerary.sim import monte_carlo  # noqa: PLC0415 - this test only
    from itinerary.store import open_store  # noqa: PLC0415 - this test only

    store = _happened(tmp_path, suffix)
    now = "2025-10-27 10:00 Asia/Kuala_Lumpur"
    code, out, err = run("simulate", PLAN, "--runs", "200", "--seed", "5", "--given", store,
                         "--after", now)  # fmt: skip
    assert (code, err) == (0, "")
    tour = load_scenario(PLAN)
    assert tour.plan is not None
    assert tour.disruptions is not None
    opened = open_store(store, create=False)
    try:
        log = opened.load()
    finally:
        opened.close()
    after = tour.places["Kuala Lumpur"].at("2025-10-27 10:00")
    expected = monte_carlo(tour.plan, tour.disruptions, runs=200, seed=5, given=log, after=after)
    assert out == str(expected) + "\n"
    leg = next(line for line in out.splitlines() if line.startswith("Donald Trump: Kuala"))
    assert "100.0%" in leg  # it left 40 minutes late in every run
    assert out != run("simulate", PLAN, "--runs", "200", "--seed", "5")[1]
    # without --after: up to the store's latest event (his departure at 09:40)
    latest = run("simulate", PLAN, "--runs", "200", "--seed", "5", "--given", store)
    assert latest == run("simulate", PLAN, "--runs", "200", "--seed", "5", "--given", store,
                         "--after", "2025-10-27 09:40 Kuala Lumpur")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--after", "2025-10-27 10:00 Asia/Kuala_Lumpur"), "--after needs --given"),
        (("--given", "nowhere.sqlite", "--after", "2025-10-27 10:00 Asia/Kuala_Lumpur"),
         "nowhere.sqlite: no such file"),
        (("--given", "{store}", "--after", "2025-10-27 10:00"),
         "--after '2025-10-27 10:00': expected a local time and a zone"),
        (("--given", "{store}", "--after", "2025-11-02 01:30 America/New_York"), "happened twice"),
        (("--given", PLAN, "--after", "2025-10-27 10:00 Asia/Kuala_Lumpur"), "--given takes a store"),
    ],
)  # fmt: skip
def test_simulate_given_mistakes_are_one_line(
    tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    """A missing store, an instant without a zone, --after without --given: one line, status 2."""
    store = _happened(tmp_path)
    code, out, err = run("simulate", PLAN, "--runs", "10", *(a.format(store=store) for a in args))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("itinerary: ")
    assert words in err


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl"])
def test_progress_is_silent_off_a_terminal(tmp_path: Path, suffix: str) -> None:
    """--progress with stderr not a terminal (a pipe, a test) prints what it would without."""
    store = str(tmp_path / f"tour{suffix}")
    assert run("export", EXAMPLE, "--to", store, "--progress") == (
        0,
        f"Wrote 14 events to {store}\n",
        "",
    )
    assert run("check", store, "--progress") == run("check", store)
    assert run("check", store, "--progress")[2] == ""


@pytest.mark.parametrize("suffix", [".sqlite", ".jsonl"])
def test_progress_on_a_terminal_counts_every_event(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, export and check --progress draw bars for loading, writing and checking."""
    monkeypatch.setattr(_progress, "watched", lambda stream=None: True)
    store = str(tmp_path / f"tour{suffix}")
    code, out, err = run("export", EXAMPLE, "--to", store, "--progress")
    assert (code, out) == (0, f"Wrote 14 events to {store}\n")
    assert f"writing tour{suffix}" in err
    assert "14/14" in err
    copy = str(tmp_path / "copy.sqlite")
    code, out, err = run("export", store, "--to", copy, "--progress")
    assert (code, out) == (0, f"Wrote 14 events to {copy}\n")
    assert f"loading tour{suffix}" in err
    assert "writing copy.sqlite" in err
    if suffix == ".sqlite":  # positional rows are counted as they are built
        assert "loading tour.sqlite: 100%" in err
    code, out, err = run("check", store, "--progress")
    assert (code, out) == (0, "No violations in 14 events.\n")
    assert re.search(rf"loading tour{re.escape(suffix)}:[^\r\n]*?(?<!\d)14(?!\d)", err), err
    assert "check: 100%" in err
    assert run("check", store) == (0, out, "")  # without --progress: no bar


def test_progress_into_a_pipe_in_a_real_process(tmp_path: Path) -> None:
    """In a real process whose stderr is a pipe, export and check --progress write no bar."""
    store = str(tmp_path / "tour.sqlite")
    for args in (["export", EXAMPLE, "--to", store, "--progress"], ["check", store, "--progress"]):
        done = subprocess.run(
            [sys.executable, "-m", "itinerary", *args], capture_output=True, text=True, check=False
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout.endswith("14 events.\n") or done.stdout.startswith("Wrote 14 events")


def test_an_unexpected_exception_is_one_line_with_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (any exception not the user's mistake) prints one line naming it a bug: exit 70."""

    def broken(path: str, **options: object) -> None:
        raise TypeError("something\nwent wrong")

    monkeypatch.setattr("itinerary.cli.read", broken)
    status, out, err = run("check", EXAMPLE)
    assert status == 70
    assert (
        err
        == "itinerary: internal error, a bug in itinerary (please report it): TypeError: something went wrong\n"
    )
    assert "Traceback" not in out + err


@pytest.mark.parametrize("command", ["replay", "agenda", "check"])
def test_an_arrival_at_the_end_of_time_is_refused_by_every_command(
    tmp_path: Path, command: str
) -> None:
    """9999-12-31 23:59 UTC (the year 10000 in Tokyo) is refused at load by every command."""
    path = tmp_path / "far.toml"
    path.write_text(
        '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = "9999-12-31 23:59 UTC"\n'
    )
    status, _, err = run(command, str(path))
    assert status == 2
    assert "outside the instants an event may be at" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("suffix", [".toml", ".sqlite", ".jsonl"])
def test_reading_a_fifo_is_refused_without_hanging(tmp_path: Path, suffix: str) -> None:
    """A FIFO given as FILE is refused in one line (exit 2), not read (which would hang)."""
    path = tmp_path / f"pipe{suffix}"
    os.mkfifo(path)
    status, _, err = run("replay", str(path))
    assert status == 2
    assert "FIFO" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("suffix", [".toml", ".sqlite", ".jsonl"])
def test_export_to_a_dangling_link_is_refused_and_creates_nothing(
    tmp_path: Path, suffix: str
) -> None:
    """Export --to a dangling symbolic link exits 2 and writes nothing at the link's target."""
    link = tmp_path / f"out{suffix}"
    link.symlink_to(tmp_path / "elsewhere")
    status, _, err = run("export", EXAMPLE, "--to", str(link))
    assert status == 2
    assert "symbolic link" in err
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("suffix", [".toml", ".jsonl", ".sqlite"])
@pytest.mark.parametrize(
    ("command", "said"),
    [
        ("replay", "No events: nothing to replay."),
        ("agenda", "No events."),
        ("check", "No violations in 0 events."),
    ],
)
def test_an_empty_file_of_any_kind_is_an_empty_log(
    tmp_path: Path, suffix: str, command: str, said: str
) -> None:
    """A 0-byte scenario, JSON Lines or SQLite file reads alike: an empty log, exit 0, unchanged."""
    path = tmp_path / f"empty{suffix}"
    path.touch()
    status, out, err = run(command, str(path))
    assert (status, out, err) == (0, said + "\n", "")
    assert path.stat().st_size == 0


@settings(max_examples=25, deadline=None)
@given(
    # What a command line can hold: no NUL, and of the lone surrogates only those Python
    # decodes bytes that are not UTF-8 into (U+DC80 to U+DCFF); a random run once drew
    # U+D800, which no argv can carry.
    password=st.text(
        st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
        | st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),
        min_size=1,
        max_size=20,
    ).map(lambda text: "Zq9" + text),
    url=st.sampled_from(
        [
            "postgresql+psycopg://ann:{}@127.0.0.1:5/postgres",
            "postgresql:/ann:{}@127.0.0.1:5/postgres",
            "postgres:ann:{}@127.0.0.1:5/postgres",
            "mysql://ann:{}@db.example/tours.sqlite",
            "https://ann:{}@example.com/tour.toml",
        ]
    ),
    command=st.sampled_from([("follow",), ("check",), ("replay",), ("export", EXAMPLE, "--to")]),
)
@example(password="Zq9\udcff", url="mysql://ann:{}@db.example/tours.sqlite", command=("follow",))
def test_an_unsupported_url_is_refused_without_its_password(
    password: str, url: str, command: tuple[str, ...]
) -> None:
    """For any password, a URL of another scheme is refused in one line that never shows it."""
    code, out, err = run(*command, url.format(password))
    assert code == 2
    assert out == ""
    assert err.startswith("itinerary: ")
    assert err.endswith(": unsupported URL scheme; use postgresql://\n")
    assert password not in err


def test_a_url_that_is_not_utf8_is_one_line_without_its_password() -> None:
    """A URL with bytes that are not UTF-8 (from the shell) is a user's mistake, not a bug."""
    code, _, err = run("follow", "postgresql://ann:s3cr3t\udcff@127.0.0.1:5/postgres")
    assert code == 2
    assert (
        err == "itinerary: postgresql://ann:***@127.0.0.1:5/postgres: not a valid URL: not UTF-8\n"
    )


def test_psycopg_log_records_stay_off_the_terminal() -> None:
    """A command keeps psycopg's log records (warnings on Ctrl-C) off stderr and the root."""
    logger = logging.getLogger("psycopg")
    handlers, propagate = list(logger.handlers), logger.propagate
    logger.handlers[:], logger.propagate = [], True
    try:
        assert run("check", EXAMPLE)[0] == 0
        assert logger.propagate is False  # not to the root's handlers
        assert any(isinstance(h, logging.NullHandler) for h in logger.handlers)  # nor stderr
    finally:
        logger.handlers[:], logger.propagate = handlers, propagate


def test_the_console_script_enters_outside_the_package() -> None:
    """The itinerary command starts in _itinerary_entry, which runs before itinerary is imported."""
    (script,) = entry_points(group="console_scripts", name="itinerary")
    assert script.value == "_itinerary_entry:main"


# The console script's body, with one step more: it tells the test (on the pipe whose file
# descriptor it is given) when the entry point has set its first signal handler, that is,
# when it starts holding Ctrl-C back. A SIGINT before that would land in Python's own start
# or the script's first lines, which no code of the command's can catch.
_ENTRY = """
import os, signal, sys
from _itinerary_entry import main
told, install = int(sys.argv[1]), signal.signal
def tell(signum, handler):
    previous = install(signum, handler)
    signal.signal = install
    os.write(told, b"ready")
    return previous
signal.signal = tell
sys.argv[:] = ["itinerary", "--version"]
sys.exit(main())
"""


def test_a_ctrl_c_before_click_catches_it_is_still_aborted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found under load: a Ctrl-C entering click's ``__call__``, before its own handler."""
    import _itinerary_entry  # noqa: PLC0415 - the console script's module

    def interrupted(**_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("itinerary.cli.main", interrupted)
    with pytest.raises(SystemExit) as ended:
        _itinerary_entry.main()
    assert ended.value.code == 1
    assert capsys.readouterr().err == "\nAborted!\n"
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the command is over
    signal.signal(signal.SIGINT, signal.default_int_handler)


def test_a_ctrl_c_inside_an_import_is_asked_for_again_after_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Ctrl-C in an import comes again after it, and is not printed and lost.

    Found looping the Ctrl-C tests under load: one in a lazy import's module lock was printed
    ("Exception ignored in ... _get_module_lock") and dropped.
    """
    import _itinerary_entry  # noqa: PLC0415 - the console script's module

    asked = threading.Event()
    sent: list[tuple[int, int]] = []

    def kill(pid: int, signum: int) -> None:
        sent.append((pid, signum))
        asked.set()

    monkeypatch.setattr(os, "kill", kill)
    (tmp_path / "importing_now.py").write_text(
        "import signal, sys\n"
        "from _itinerary_entry import _interrupt\n"
        "_interrupt(signal.SIGINT, sys._getframe())\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("importing_now")  # no KeyboardInterrupt inside the import
    assert asked.wait(10)
    assert sent == [(os.getpid(), signal.SIGINT)]
    with pytest.raises(KeyboardInterrupt):  # outside an import: at once, as Python's own
        _itinerary_entry._interrupt(signal.SIGINT, sys._getframe())


def test_a_ctrl_c_wrapped_in_another_error_is_still_a_ctrl_c() -> None:
    """Found under load: a Ctrl-C in a class's __set_name__ reaches click as a RuntimeError."""
    from _itinerary_entry import _interrupted  # noqa: PLC0415 - the console script's module

    wrapped = RuntimeError("Error calling __set_name__")
    wrapped.__cause__ = KeyboardInterrupt()
    assert _interrupted(wrapped)
    assert not _interrupted(RuntimeError("a bug"))
    assert not _interrupted(None)


def test_ctrl_c_while_importing_is_quiet() -> None:
    """SIGINT at any moment after the entry point starts: Aborted! or done, never a traceback.

    Found on random runs under load: a Ctrl-C inside the import machinery printed "Exception
    ignored in: <function _get_module_lock.<locals>.cb ...> KeyboardInterrupt", one as
    Python exited, "Exception ignored in atexit callback" (logging's flush), and one in a
    lazy import's class, a RuntimeError caused by it; the entry point now holds Ctrl-C back
    while it imports, reads a wrapped one as Ctrl-C, and ignores it once the command ended.
    """
    aborted = 0
    for step in range(30):  # 0 ms to 145 ms after the entry point starts: it imports
        ready, told = os.pipe()
        child = subprocess.Popen(
            [sys.executable, "-c", _ENTRY, str(told)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=(told,),
        )
        os.close(told)
        try:
            assert os.read(ready, 5) == b"ready", "the entry point did not start"
        finally:
            os.close(ready)
        time.sleep(step * 0.005)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert "Traceback" not in err, err
        assert "Exception ignored" not in err, err
        if child.returncode == 1:
            # Held back while importing (the entry point), or while click runs (its own).
            assert err in ("Aborted!\n", "\nAborted!\n"), err
            aborted += 1
        else:  # done before the signal came (0), or the signal came as Python exited
            assert child.returncode in (0, -signal.SIGINT), (child.returncode, err)
    assert aborted > 0  # some signal came while importing, and was caught


class _FullDisk:
    """A SQLite connection on a full disk: inserts fail, and SQLite has rolled back itself."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)

    def executemany(self, sql: str, rows: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: object) -> object:
        if sql == "ROLLBACK":
            self._db.execute("ROLLBACK")
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")
        return self._db.execute(sql, *args)


def _no_space(*_: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("suffix", [".ics", ".png", ".jsonl", ".sqlite", ".toml"])
def test_an_export_on_a_full_disk_says_so_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """A full disk: one line saying so, and no file (empty, partial or temporary) left."""
    target = tmp_path / f"out{suffix}"
    if suffix == ".sqlite":
        writer = SQLiteStore._writer
        monkeypatch.setattr(SQLiteStore, "_writer", lambda self: _FullDisk(writer(self)))
    else:
        monkeypatch.setattr(os, "fsync", _no_space)
    if suffix == ".png":
        code, _, err = run("agenda", EXAMPLE, "--plot", str(target))
    else:
        code, _, err = run("export", EXAMPLE, "--to", str(target))
    assert code == 2
    assert err.count("\n") == 1
    assert "disk is full" in err or "No space left on device" in err
    assert "cannot rollback" not in err
    assert ".tmp" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_an_existing_empty_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exporting onto an empty store fails on a full disk: the store is still there, unchanged."""
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"")
    monkeypatch.setattr(os, "fsync", _no_space)
    assert run("export", EXAMPLE, "--to", str(target))[0] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    assert target.read_bytes() == b""


# -- unbounded requests (issue 23, item 7) ----------------------------------------------


class _Pool:
    """A stand-in for ProcessPoolExecutor that records its size and runs nothing elsewhere."""

    sizes: ClassVar[list[int]] = []

    def __init__(self, max_workers: int) -> None:
        self.sizes.append(max_workers)

    def __enter__(self) -> None:
        return None  # monte_carlo(executor=None): the runs in this process

    def __exit__(self, *_: object) -> None:
        return None


@pytest.mark.parametrize(
    ("workers", "runs", "cpus", "expected"),
    [("500", "100", 4, (4, True)), ("500", "3", 4, (3, False)), ("3", "100", 4, (3, False)),
     ("8", "100", 8, (8, False))],
)  # fmt: skip
def test_simulate_caps_workers_at_the_runs_and_the_cpus(
    monkeypatch: pytest.MonkeyPatch, workers: str, runs: str, cpus: int, expected: tuple[int, bool]
) -> None:
    """--workers 500 for 100 runs on 4 CPUs starts 4 processes, and says why on stderr."""
    import concurrent.futures  # noqa: PLC0415

    monkeypatch.setattr(cli, "cpu_count", lambda: cpus)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _Pool)
    _Pool.sizes = []
    code, out, err = run("simulate", PLAN, "--runs", runs, "--workers", workers)
    assert code == 0, err
    started, said = expected
    assert _Pool.sizes == [started]
    assert (f"--workers {workers}: this machine has {cpus} CPUs" in err) == said
    assert out.startswith(f"Risk report: {runs} runs, seed 0")


def test_simulate_refuses_runs_that_cannot_fit_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """--runs 1000000000 on a machine with 8 GB available: exit 2 saying what it needs, at once."""
    studies = importlib.import_module("itinerary.sim.monte_carlo")  # the module, not the function
    monkeypatch.setattr(studies, "available_memory", lambda: 8 * 10**9)
    monkeypatch.setattr(studies, "_chunk", lambda *_: pytest.fail("no run may start"))
    code, out, err = run("simulate", PLAN, "--runs", "1000000000")
    assert (code, out) == (2, "")
    steps = len(load_scenario(PLAN).plan or ())
    assert steps * studies.BYTES_PER_STEP_RUN == 1152  # bytes a run: 1,152 GB for 10^9 runs
    assert f"runs=1,000,000,000 of a plan of {steps} steps would need about 1.2 TB of " in err
    assert "8.0 GB available: ask for at most 6,944,444 runs" in err


def test_a_study_that_fits_is_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a figure for available memory, or with enough of it, the study runs."""
    studies = importlib.import_module("itinerary.sim.monte_carlo")  # the module, not the function
    for available in (None, 10**12):
        monkeypatch.setattr(studies, "available_memory", lambda a=available: a)
        monkeypatch.setattr(studies, "_CHECKED", 0)
        assert run("simulate", PLAN, "--runs", "50")[0] == 0


XI = "Meeting with Xi Jinping"


def test_suggest_prints_ranked_plans_their_changes_and_risks() -> None:
    """`suggest` prints the top plans with the Xi meeting moved, and each step's risk side by side."""
    code, out, _ = run(
        "suggest", PLAN, "--flexible", f"{XI}=2025-10-30 08:00..2025-10-30 20:00", "--every", "60",
        "--runs", "100", "--seed", "3", "--top", "2",
    )  # fmt: skip
    assert code == 0
    assert "objective p_late, 100 runs each, seed 3" in out
    assert f"{XI}: 2025-10-30 11:00 +09:00 -> 2025-10-30" in out
    assert "#1" in out
    assert "#2" in out
    assert "#3" not in out
    assert run(
        "suggest", PLAN, "--flexible", f"{XI}=2025-10-30 08:00..2025-10-30 20:00", "--every", "60",
        "--runs", "100", "--seed", "3", "--top", "2",
    )[1] == out  # fmt: skip


def test_suggest_ranks_by_the_tour_end_when_asked() -> None:
    """`--objective end` ranks by the 80th percentile of the tour's end, shown in local time."""
    code, out, _ = run(
        "suggest", PLAN, "--flexible", f"{XI}=2025-10-30 08:00..2025-10-30 12:00", "--every", "60",
        "--runs", "100", "--objective", "end",
    )  # fmt: skip
    assert code == 0
    assert "objective end, 100 runs each" in out
    assert "  1  2025-10-30 " in out  # the best plan's P80 end, in Gyeongju's time


@pytest.mark.parametrize(
    ("flexible", "message"),
    [
        ("Nope=2025-10-30 08:00..2025-10-30 20:00", "no step called 'Nope'"),
        (f"{XI} 2025-10-30 08:00", "expected 'NAME="),
        (f"{XI}=2025-10-29 13:00..2025-10-29 13:30", "conflict: Donald Trump's steps"),
    ],
)
def test_suggest_reports_a_bad_range_on_one_line(flexible: str, message: str) -> None:
    """An unknown step, a malformed range or one that no rule allows: one line, status 2."""
    code, _, err = run("suggest", PLAN, "--flexible", flexible, "--runs", "10")
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


# -- simulate: what-ifs (--delay, --move, --without, --late-by) ------------------------------

BUSAN_LEG = "Donald Trump: Tokyo -> Busan"


def _said(seconds: int) -> str:
    """A duration as the tables write it (one function writes them all)."""
    from itinerary.sim.delays import format_micros  # noqa: PLC0415 - this helper only

    return format_micros(seconds * 1_000_000)


def _cells(out: str, step: str) -> list[str]:
    """The cells of *step*'s row in a printed table (columns are two spaces apart or more)."""
    line = next(line for line in out.splitlines() if line.startswith(step + "  "))
    return re.split(r"\s{2,}", line.strip())


def test_simulate_what_if_sets_the_plan_beside_it_on_the_same_draws() -> None:
    """--delay: the plan column is the plain table's share; the delayed leg is late every run."""
    code, plain, _ = run("simulate", PLAN, "--runs", "300", "--seed", "7")
    assert code == 0
    code, out, err = run("simulate", PLAN, "--runs", "300", "--seed", "7",
                         "--delay", f"{BUSAN_LEG}=2h")  # fmt: skip
    assert (code, err) == (0, "")
    assert "the plan and the what-if on the same draws" in out
    _, change, base, other, difference = _cells(out, BUSAN_LEG)
    assert change == f"delay {_said(2 * 3600)}"
    assert other == "100.0% ± 0.0%"
    assert base == _cells(plain, BUSAN_LEG)[4]  # the report's "late" cell, error and all
    assert difference.startswith("+")
    for unchanged in ("ASEAN Summit", "U.S.-Japan summit"):  # before the leg: the same draws
        assert _cells(out, unchanged)[-1] == "+0.0% ± 0.0%"
    assert "Obligations: share of runs met late or never" in out
    again = run("simulate", PLAN, "--runs", "300", "--seed", "7", "--workers", "2",
                "--delay", f"{BUSAN_LEG}=2h")  # fmt: skip
    assert again[1] == out


def test_simulate_what_if_edits_combine_and_late_by_repeats() -> None:
    """--move, --without and two --late-by: one table per threshold, each edit labelled."""
    code, out, err = run(
        "simulate", PLAN, "--runs", "200", "--seed", "2",
        "--move", "Meeting with Xi Jinping=2025-10-30 09:00",
        "--without", "Meeting with Japan's business community",
        "--late-by", "30m", "--late-by", "2 h",
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert f"late by more than {_said(30 * 60)}" in out
    assert f"late by more than {_said(2 * 3600)}" in out
    assert _cells(out, "Meeting with Xi Jinping")[1] == "moved to 2025-10-30 09:00 +09:00"
    assert _cells(out, "Meeting with Japan's business community")[1] == "removed"


def test_simulate_late_by_alone_shows_the_plan_with_errors() -> None:
    """--late-by without an edit: the plan's shares late by more than it, with their errors."""
    code, out, _ = run("simulate", PLAN, "--runs", "200", "--late-by", "1h")
    assert code == 0
    assert f"late by more than {_said(3600)}" in out
    assert "what-if" not in out
    assert " ± " in _cells(out, BUSAN_LEG)[-1]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--delay", "Xi=2h"), "--delay 'Xi=2h': no step called 'Xi' in the plan; did you mean "
                               "'Meeting with Xi Jinping'?"),
        (("--delay", f"{BUSAN_LEG}=2 fortnights"), f"--delay '{BUSAN_LEG}=2 fortnights': "
                                                   "'2 fortnights' is not a duration"),
        (("--delay", "2h"), "--delay '2h': expected NAME=DURATION"),
        (("--late-by", "soon"), "--late-by 'soon': 'soon' is not a duration"),
        (("--move", "Meeting with Xi Jinping=30 Oct 9am"), "--move 'Meeting with Xi Jinping=30 "
                                                           "Oct 9am': '30 Oct 9am' is not a local "
                                                           "wall time"),
        (("--move", "Meeting with Xi Jinping=2025-10-29 16:00"),
         "--move 'Meeting with Xi Jinping=2025-10-29 16:00': the plan cannot happen with "
         "'Meeting with Xi Jinping' moved: Donald Trump is in two steps at once"),
        (("--move", "U.S.-Japan summit=2025-10-28 10:00 Mars/Base"), "--move 'U.S.-Japan "
                                                                     "summit=2025-10-28 10:00 "
                                                                     "Mars/Base': 'Mars/Base'"),
        (("--without", BUSAN_LEG), f"--without '{BUSAN_LEG}': the plan cannot happen without"),
        (("--without", "Nobody"), "--without 'Nobody': no step called 'Nobody'"),
        (("--delay", "APEC Summit=1h", "--without", "APEC Summit"), "given twice"),
    ],
)  # fmt: skip
def test_simulate_what_if_mistakes_name_their_option(args: tuple[str, ...], words: str) -> None:
    """A bad NAME, duration or time, or an impossible plan: one line naming the option, exit 2."""
    code, out, err = run("simulate", PLAN, "--runs", "10", *args)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert words in err, err


_FOLD_PLAN = """\
title = "A night in New York"
[places."New York"]
country = "United States"
tz = "America/New_York"
lat = 40.71
lon = -74.0

[[plan]]
type = "meeting"
title = "Gala"
participants = ["A"]
place = "New York"
start = "2025-11-01 20:00"
duration = "PT1H"
"""


def test_simulate_move_into_a_fold_needs_disambiguate(tmp_path: Path) -> None:
    """--move to a wall time the clocks showed twice: refused, then chosen by --disambiguate."""
    plan = tmp_path / "gala.toml"
    plan.write_text(_FOLD_PLAN)
    code, _, err = run("simulate", str(plan), "--runs", "5", "--move", "Gala=2025-11-02 01:30")
    assert code == 2
    assert "--move 'Gala=2025-11-02 01:30'" in err
    assert "--disambiguate" in err
    code, out, err = run("simulate", str(plan), "--runs", "5", "--move", "Gala=2025-11-02 01:30",
                         "--disambiguate", "later")  # fmt: skip
    assert (code, err) == (0, "")
    assert "moved to 2025-11-02 01:30 -05:00" in out
    code, out, _ = run(
        "simulate", str(plan), "--runs", "5", "--move", "Gala=2025-11-02 01:30-04:00"
    )
    assert "moved to 2025-11-02 01:30 -04:00" in out


def test_a_what_if_without_a_step_the_register_names_runs() -> None:
    """Found by review: --without a step a correlated group names failed on the group."""
    code, out, err = run(
        "simulate", PLAN, "--runs", "50", "--without", "Scott Bessent: Tokyo -> Yokosuka"
    )
    assert code == 0, err
    assert "removed" in out
