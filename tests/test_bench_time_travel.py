"""The time-travel benchmark runs, in a small size: structure only, no time is compared."""

import pytest
from benchmarks import replay_ratios, time_travel
from benchmarks.workload import generate

from itinerary import EventLog


def test_the_time_travel_benchmark_prints_both_logs(capsys: pytest.CaptureFixture[str]) -> None:
    """The command line prints time travel and bytes per event for events and for columns."""
    time_travel.main(["300", "--queries", "5", "--appends", "2"])
    out = capsys.readouterr().out
    assert out.startswith("load average ")
    for name in ("events", "columns"):
        assert f"{name}: first replay " in out
        assert f"{name}: bytes/event held " in out
    assert out.count("replay after an append") == 2


def test_time_travel_timings_and_memory_are_positive() -> None:
    """Each timing is a duration and each memory figure a positive number of bytes."""
    events = generate(200)
    found = time_travel.timings(lambda: EventLog.from_columns(EventLog(events).columns), 3, 2)
    assert all(seconds > 0 for seconds in found.values())
    kept = time_travel.memory(lambda: EventLog.from_columns(EventLog(events).columns))
    assert kept["with snapshots"] >= kept["held"] > 0


def test_the_replay_ratios_print_the_reads_too(capsys: pytest.CaptureFixture[str]) -> None:
    """replay_ratios prints, per workload, the replay of columns with its parts read."""
    replay_ratios.ratios(200, 1)
    out = capsys.readouterr().out
    assert out.count("then agreements and deadlines read") == 2
