"""``itinerary forecast``: a live study of the plan as events are recorded, and a real Ctrl-C."""

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from click.testing import CliRunner

from itinerary import EventLog
from itinerary.cli import main
from itinerary.scenarios import load_scenario
from itinerary.sim import simulate
from itinerary.sim.forecast import changes, forecast
from itinerary.store import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "asia_tour_2025_plan.toml"
TOUR = load_scenario(PLAN)
RUNS = 150


def _lines(stream: object) -> queue.Queue[str]:
    """The lines of *stream* as they come, read by a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        with stream:  # type: ignore[attr-defined]
            for line in stream:  # type: ignore[attr-defined]
                lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _expected(before: EventLog | None, after: EventLog) -> list[str]:
    """What the command should print for *after* (the library's own forecast and changes)."""
    assert TOUR.plan is not None
    assert TOUR.disruptions is not None
    old = None if before is None else forecast(TOUR.plan, TOUR.disruptions, before, runs=RUNS)
    new = forecast(TOUR.plan, TOUR.disruptions, after, runs=RUNS)
    return "\n".join(changes(old, new)).splitlines()


def test_forecast_prints_what_changed_after_each_batch_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    """A store written by this process: after each batch, the changes; SIGINT: status 0."""
    events = list(simulate(TOUR.plan, TOUR.disruptions, seed=3).log)
    batches = [events[:1], events[1:3], events[3:6], events[6:10]]
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batches[0])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.Popen(
        [sys.executable, "-m", "itinerary", "forecast", str(path), str(PLAN), "--runs", str(RUNS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = _lines(child.stdout)
        log = EventLog().extend(batches[0])
        first = _expected(None, log)
        assert [lines.get(timeout=60) for _ in first] == first
        for batch in batches[1:]:
            with SQLiteStore(path, create=False) as writer:
                writer.extend(batch, expected_version=len(log))
            grown = log.extend(batch)
            expected = _expected(log, grown)
            assert expected[0].startswith(f"version {len(grown)}, as of ")
            assert [lines.get(timeout=60) for _ in expected] == expected
            log = grown
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)
        err = child.stderr.read()  # type: ignore[union-attr]
    finally:
        child.kill()
        child.wait()
        if child.stderr is not None:
            child.stderr.close()
    assert child.returncode == 0, err
    assert "Traceback" not in err
    assert f"Stopped forecasting from {path} (read to version {len(log)})." in err


def test_forecast_shows_the_departure_that_happened_late() -> None:
    """The changes name the late departure, and the meeting it no longer threatens."""
    events = list(simulate(TOUR.plan, TOUR.disruptions, seed=3).log)
    lines = _expected(EventLog().extend(events[:1]), EventLog().extend(events[:3]))
    leg = "  Donald Trump: Kuala Lumpur -> Tokyo: late in 100.0% of runs (was "
    assert any(line.startswith(leg) for line in lines)
    assert any(
        line.startswith("  Meeting with the Emperor: late in 0.0% of runs") for line in lines
    )


def test_forecast_mistakes_are_one_line(tmp_path: Path) -> None:
    """A missing store, a scenario for a store, a plan file without a plan: status 2."""
    runner = CliRunner()
    cases = [
        ([str(tmp_path / "none.sqlite"), str(PLAN)], "no such file"),
        ([str(PLAN), str(PLAN)], "forecast follows a store"),
        ([str(tmp_path / "t.sqlite"), str(ROOT / "examples" / "asia_tour_2025.toml")],
         "has no [[plan]] section"),
    ]  # fmt: skip
    SQLiteStore(tmp_path / "t.sqlite").close()
    for args, words in cases:
        result = runner.invoke(main, ["forecast", *args])
        assert result.exit_code == 2, result.output
        assert words in result.stderr
        assert result.stderr.count("\n") == 1
