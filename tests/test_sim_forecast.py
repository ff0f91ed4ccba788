"""Tests for itinerary.sim.forecast: a plan's risks given what has happened, and what moved."""

from __future__ import annotations

import math
from pathlib import Path

import pendulum
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary import EventLog, _time
from itinerary.errors import InvalidPlanError
from itinerary.scenarios import load_scenario
from itinerary.sim import monte_carlo, simulate
from itinerary.sim.forecast import Forecast, StepForecast, changes, forecast, latest_instant
from itinerary.sim.report import to_minute

PLAN = Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025_plan.toml"
TOUR = load_scenario(PLAN)
assert TOUR.plan is not None
assert TOUR.disruptions is not None
RUNS = 200


def test_with_no_events_it_is_the_plans_own_study() -> None:
    """An empty log: each step's risks are monte_carlo's, and there is no 'now'."""
    found = forecast(TOUR.plan, TOUR.disruptions, EventLog(), runs=RUNS, seed=4)
    outcomes = monte_carlo(TOUR.plan, TOUR.disruptions, runs=RUNS, seed=4)
    assert found.now is None
    assert found.version == 0
    for step in found.steps:
        assert step.p_late == outcomes.p_late(step.name)
        assert step.p_dropped == outcomes.p_dropped(step.name)
    assert "before any event" in str(found)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), cut=st.integers(1, 20))
@example(seed=126, cut=2)  # the Yokosuka visit dropped in every run: NaN != NaN
def test_now_is_the_latest_event_and_the_same_log_gives_the_same_forecast(
    seed: int, cut: int
) -> None:
    """No clock: 'now' is the log's latest instant, and forecasting twice gives one answer."""
    log = EventLog().extend(list(simulate(TOUR.plan, TOUR.disruptions, seed=seed).log)[:cut])
    first = forecast(TOUR.plan, TOUR.disruptions, log, runs=50)
    assert first.now == latest_instant(log)
    again = forecast(TOUR.plan, TOUR.disruptions, log, runs=50, now=latest_instant(log))
    assert str(again) == str(first)  # (a step dropped in every run is late in NaN of them)
    assert again.end == first.end
    assert first.version == len(log)
    assert changes(first, first) == [
        first.heading(),
        "  nothing moved by 1.0% or more; the P80 end is unchanged",
    ]


def test_given_a_whole_run_every_run_is_that_run() -> None:
    """With every event of a run as fact, each step is late in 0% or 100% of runs, as it was."""
    run = simulate(TOUR.plan, TOUR.disruptions, seed=3)
    found = forecast(TOUR.plan, TOUR.disruptions, run.log, runs=20)
    for step in found.steps:
        assert step.p_dropped == float(step.name in run.dropped)
        if step.name not in run.dropped:
            assert step.p_late == float(run.slip(step.name) > pendulum.duration())
    timed = [s.name for s in found.steps if s.name not in run.dropped]
    last = max(run.end(name) for name in timed)  # shown to the minute, as the report shows it
    assert found.end == _time.from_micros(to_minute(_time.micros(last)), last.timezone_name)
    assert found.end is not None
    assert found.end.timezone_name == "Asia/Seoul"  # where the last step ends


def test_changes_name_the_steps_that_moved_and_the_new_end() -> None:
    """A step's risk moving by the threshold shows; one moving less does not; so does the end."""
    end = pendulum.datetime(2025, 10, 30, 12, 30, tz="Asia/Seoul")
    before = Forecast(1, end, 100, 0, (StepForecast("A", 0.10, 0.0), StepForecast("B", 0.10, 0.0),
                                       StepForecast("C", 0.0, 0.2)), end)  # fmt: skip
    after = Forecast(2, end, 100, 0, (StepForecast("A", 0.30, 0.0), StepForecast("B", 0.105, 0.0),
                                      StepForecast("C", math.nan, 1.0)), end.add(minutes=20))  # fmt: skip
    lines = changes(before, after)
    assert lines[0] == after.heading()
    assert "  A: late in 30.0% of runs (was 10.0%)" in lines
    assert not any(line.startswith("  B:") for line in lines)
    assert "  C: dropped in every run (was 20.0%)" in lines
    assert lines[-1] == (
        "  the tour ends by 2025-10-30 12:50 +09:00 Asia/Seoul (P80; was "
        "2025-10-30 12:30 +09:00 Asia/Seoul)"
    )
    assert any(line.startswith("  B:") for line in changes(before, after, min_change=0.004))


def test_a_first_forecast_is_its_whole_table() -> None:
    """changes(None, f) shows every step and the P80 end."""
    found = forecast(TOUR.plan, TOUR.disruptions, EventLog(), runs=50)
    (text,) = changes(None, found)
    assert text == str(found)
    assert all(step.name in text for step in found.steps)
    assert "the tour ends by (P80)" in text


def test_bad_arguments_are_refused() -> None:
    """A threshold outside [0, 1] or a log that is not an EventLog."""
    found = forecast(TOUR.plan, TOUR.disruptions, EventLog(), runs=5)
    with pytest.raises(InvalidPlanError, match="min_change"):
        changes(found, found, min_change=2)
    with pytest.raises(InvalidPlanError, match="EventLog"):
        forecast(TOUR.plan, TOUR.disruptions, [], runs=5)  # type: ignore[arg-type]
