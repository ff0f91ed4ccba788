"""Tests for itinerary.sim.report: the risk report read off a study's outcomes."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pendulum
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from itinerary import _time
from itinerary._text import format_duration
from itinerary.errors import InvalidPlanError
from itinerary.scenarios import load_scenario
from itinerary.sim import Disruptions, Outcomes, Plan, monte_carlo
from itinerary.sim.report import (
    INDENT,
    blame,
    quantile,
    report_rows,
    share,
    standard_error,
    tour_end,
)
from itinerary.strategies import DST_PLACES, delays, disruptions, plans

H = pendulum.duration
TOUR = load_scenario("examples/asia_tour_2025_plan.toml")
assert TOUR.plan is not None
assert TOUR.disruptions is not None
XI = "Meeting with Xi Jinping"


def _study(plan: Plan, d: Disruptions, seed: int, runs: int) -> Outcomes:
    """A study of a drawn plan; drawn rules may contradict each other, the engine's one refusal."""
    try:
        return monte_carlo(plan, d, runs=runs, seed=seed)
    except InvalidPlanError as exc:
        if "no time fits them all" not in str(exc):
            raise
        reject()


STUDIES = st.builds(
    _study,
    st.booleans().flatmap(
        lambda rules: plans(places=st.sampled_from(DST_PLACES), delays=delays(), rules=rules)
    ),
    disruptions(),
    st.integers(0, 2**32),
    st.integers(1, 30),
)


@pytest.fixture(scope="module")
def default_study() -> Outcomes:
    """The study `itinerary simulate` runs on the tour's plan by default: 10,000 runs, seed 0."""
    assert TOUR.plan is not None
    assert TOUR.disruptions is not None
    return monte_carlo(TOUR.plan, TOUR.disruptions, runs=10_000, seed=0)


def test_the_xi_row_shows_the_tail_in_local_time(default_study: Outcomes) -> None:
    """The Xi row: local start with offset and zone, share late ± its error, median slip if late."""
    line = next(x for x in str(default_study).splitlines() if x.startswith(XI))
    cells = re.split(r"\s{2,}", line)
    late = sorted(s for s in default_study.slips(XI) if s > 0)
    p = default_study.p_late(XI)
    assert cells[3] == "11:00 +09:00 Asia/Seoul"
    assert cells[4] == f"{p:.1%} ± {math.sqrt(p * (1 - p) / 10_000):.1%}"
    assert cells[5] == format_duration(quantile(late, 0.5))
    header = str(default_study).splitlines()[1]
    assert "if late: median" in header
    assert p < 0.05 < 2 * 3600 * 1_000_000 < quantile(late, 0.5)  # rare, but hours when late


@settings(max_examples=15, deadline=None)
@given(STUDIES, st.integers(0, 3 * 3600))
def test_rows_agree_with_the_outcomes(outcomes: Outcomes, by_seconds: int) -> None:
    """Each step row's shares are Outcomes.p_late's, and its slips are the late runs' quantiles."""
    by = H(seconds=by_seconds)
    rows = {(r.name, r.kind): r for r in report_rows(outcomes, late_by=by)}
    for step in outcomes.steps:
        if step.kind == "fulfilment":
            continue
        row = rows[(step.name, step.kind)]
        p = outcomes.p_late(step.name)
        assert row.p_late == p or (math.isnan(p) and math.isnan(row.p_late))
        assert row.p_dropped == outcomes.p_dropped(step.name)
        kept = [s for s, d in zip(outcomes.slips(step.name), outcomes.dropped(step.name),
                                  strict=True) if not d]  # fmt: skip
        assert row.p_late_se == standard_error(p, len(kept)) or not kept
        by_p = outcomes.p_late(step.name, by=by)
        assert row.p_late_by == by_p or (math.isnan(by_p) and row.p_late_by is not None)
        late = sorted(s for s in kept if s > 0)
        if not late:
            assert row.median is row.p90 is row.p99 is None
            continue
        assert row.median is not None
        assert row.p90 is not None
        assert row.p99 is not None
        assert abs(row.median.total_seconds() * 1e6 - quantile(late, 0.5)) <= 500_000
        assert timedelta(0) < row.median <= row.p90 <= row.p99  # late means a positive slip


@settings(max_examples=15, deadline=None)
@given(STUDIES)
def test_a_leg_arrives_as_late_as_it_leaves(outcomes: Outcomes) -> None:
    """The engine flies a leg in its planned time: its arrival row repeats its departure's shares."""
    rows = report_rows(outcomes)
    for k, row in enumerate(rows):
        if row.kind == "travel":
            landing = rows[k + 1]
            assert landing.kind == "arrival"
            assert landing.planned == outcomes.planned_end(row.name)
            assert (landing.median, landing.p90, landing.p99) == (row.median, row.p90, row.p99)


@settings(max_examples=15, deadline=None)
@given(STUDIES, st.data())
def test_end_slips_are_each_runs_end(outcomes: Outcomes, data: st.DataObject) -> None:
    """end_slips(name)[i] is run i's end of the step against its planned end."""
    i = data.draw(st.integers(0, outcomes.runs - 1))
    run = outcomes.run(i)
    for step in outcomes.steps:
        if step.name in run.dropped:
            continue
        planned = _time.micros(outcomes.planned_end(step.name))
        assert outcomes.end_slips(step.name)[i] == _time.micros(run.end(step.name)) - planned


@settings(max_examples=15, deadline=None)
@given(STUDIES)
def test_the_tour_end_quantiles_are_ordered_and_honest(outcomes: Outcomes) -> None:
    """P50 <= P80 <= P90, and at least that share of runs ended by each (to the minute)."""
    end = tour_end(outcomes)
    assert end is not None
    instants = [_time.micros(at) for _, at in end.quantiles]
    assert instants == sorted(instants)
    lasts = []
    for i in range(outcomes.runs):
        run = outcomes.run(i)
        ends = [_time.micros(run.end(s.name)) for s in outcomes.steps
                if s.kind != "fulfilment" and s.name not in run.dropped]  # fmt: skip
        if ends:
            lasts.append(max(ends))
    for (q, _), at in zip(end.quantiles, instants, strict=True):
        by_then = sum(1 for last in lasts if last <= at + 30_000_000) / len(lasts)
        assert by_then >= q - 1 / len(lasts) - 1e-9


def test_the_report_shows_late_by_and_drops_only_when_asked_or_seen(
    default_study: Outcomes,
) -> None:
    """A 'late > X' column with late_by; a 'dropped' column when a rule dropped some step."""
    plain, by = default_study.report(), default_study.report(late_by=H(minutes=30))
    assert "late > 30 min" not in plain.headers
    assert "late > 30 min" in by.headers
    assert ("dropped" in plain.headers) == any(
        default_study.p_dropped(s.name) > 0 for s in default_study.steps
    )
    assert [row[0] for row in plain.rows][-4:] == [
        "tour ends",
        *(f"{INDENT}P{q}" for q in (50, 80, 90)),
    ]


def test_the_risks_frame_has_the_report_s_columns(default_study: Outcomes) -> None:
    """to_pandas("risks") holds each step row's shares and slips, rounded to whole seconds."""
    frame = default_study.to_pandas("risks").set_index("step")
    for row in report_rows(default_study):
        if row.kind in {"arrival", "obligation"}:
            continue
        assert frame.loc[row.name, "p_late"] == row.p_late
        assert frame.loc[row.name, "p_late_se"] == row.p_late_se
        if row.median is not None:
            assert frame.loc[row.name, "late_median"] == row.median


@pytest.mark.parametrize("bad", [H(hours=-1), "30 min", 30, H(months=1)])
def test_a_bad_late_by_is_refused(default_study: Outcomes, bad: object) -> None:
    """late_by must be a non-negative duration of elapsed time."""
    with pytest.raises(InvalidPlanError, match="late_by"):
        default_study.report(late_by=bad)  # type: ignore[arg-type]


def test_shares_read_with_their_error() -> None:
    """2.0% ± 0.1%; a step that never happened reads 'dropped'."""
    assert share(0.0204, 0.0014) == "2.0% ± 0.1%"
    assert share(math.nan, math.nan) == "dropped"
    assert standard_error(0.5, 100) == 0.05


@settings(max_examples=15, deadline=None)
@given(STUDIES)
def test_blame_sums_to_the_share_late(outcomes: Outcomes) -> None:
    """The tour's end's blame sums to the share of runs it ended late; a step's to its p_late."""
    end = tour_end(outcomes)
    assert end is not None
    shares = blame(outcomes)
    if math.isnan(end.p_late):
        assert shares == {}
    else:
        assert sum(shares.values()) == pytest.approx(end.p_late, abs=1e-9)
    assert list(shares.values()) == sorted(shares.values(), reverse=True)
    for step in outcomes.steps:
        p = outcomes.p_late(step.name)
        if not math.isnan(p):
            assert sum(blame(outcomes, step.name).values()) == pytest.approx(p, abs=1e-9)
