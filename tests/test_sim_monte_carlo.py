"""Tests for itinerary.sim.monte_carlo: monte_carlo(), Outcomes, reproducibility on executors."""

from __future__ import annotations

import math
import multiprocessing
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import Obligation
from itinerary.errors import InvalidPlanError
from itinerary.places import BUSAN, SEOUL, TOKYO
from itinerary.sim import (
    Delay,
    Disruptions,
    Fulfilment,
    Meeting,
    Outcomes,
    Plan,
    Signing,
    Travel,
    monte_carlo,
    simulate,
)
from itinerary.sim._random import seed_of
from itinerary.sim.delays import LONGEST_DRAW
from itinerary.sim.engine import compiled
from itinerary.sim.monte_carlo import _chunk, _scalar_chunk
from itinerary.strategies import DST_PLACES, delays, disruptions, plans
from tests.fakes import Terminal

H = pendulum.duration
RUNS = 20_000
SUMMIT = "Summit"


def _fly_in(buffer: timedelta) -> Plan:
    """Two leaders land in Tokyo at 12:00 Tokyo time; their summit is *buffer* later."""
    land = TOKYO.at("2025-10-28 12:00")
    return Plan([
        Travel("Lee Jae-myung", SEOUL, TOKYO, land - H(hours=2, minutes=30), H(hours=2, minutes=30)),
        Travel("Xi Jinping", BUSAN, TOKYO, land - H(hours=2), H(hours=2)),
        Meeting(SUMMIT, ("Lee Jae-myung", "Xi Jinping"), TOKYO, land + buffer, H(hours=1)),
    ])  # fmt: skip


def _within_4_se(estimate: float, p: float, runs: int = RUNS) -> None:
    se = math.sqrt(p * (1 - p) / runs)
    assert abs(estimate - p) <= 4 * se, (estimate, p, se)


@pytest.mark.parametrize(("mean", "buffer"), [(1, 1), (2, 1), (1, 3)])
def test_two_leaders_flying_in_exponential(mean: int, buffer: int) -> None:
    """P(meeting late) = 1 - (1 - e^(-b/m))^2 for exponential departure delays, within 4 SE."""
    d = Disruptions(departure=Delay.exponential(H(hours=mean)))
    outcomes = monte_carlo(_fly_in(H(hours=buffer)), d, runs=RUNS, seed=1)
    _within_4_se(outcomes.p_late(SUMMIT), 1 - (1 - math.exp(-buffer / mean)) ** 2)


def test_two_leaders_flying_in_with_a_chance_of_delay() -> None:
    """With p=, each leg is late by more than b with chance p e^(-b/m)."""
    d = Disruptions(departure=Delay.exponential(H(hours=1), p=0.3))
    outcomes = monte_carlo(_fly_in(H(minutes=30)), d, runs=RUNS, seed=2)
    q = 0.3 * math.exp(-0.5)
    _within_4_se(outcomes.p_late(SUMMIT), 1 - (1 - q) ** 2)


def test_two_leaders_flying_in_with_cancellations() -> None:
    """A cancelled leg re-flown after more than the buffer always makes the meeting late."""
    d = Disruptions(departure=Delay.exponential(H(hours=1)), cancel=0.1, rebook=H(hours=6))
    outcomes = monte_carlo(_fly_in(H(hours=2)), d, runs=RUNS, seed=3)
    q = 0.1 + 0.9 * math.exp(-2)
    _within_4_se(outcomes.p_late(SUMMIT), 1 - (1 - q) ** 2)
    slip = outcomes.quantiles("Lee Jae-myung: Seoul -> Tokyo", [0.95])[0]
    assert slip >= H(hours=6)  # the top 10% are cancellations: rebooked 6 hours later


def test_cancellations_alone() -> None:
    """With no delays and cancel=c, P(meeting late) = 1 - (1 - c)^2."""
    d = Disruptions(cancel=0.25, rebook=H(hours=24))
    outcomes = monte_carlo(_fly_in(H(hours=1)), d, runs=RUNS, seed=4)
    _within_4_se(outcomes.p_late(SUMMIT), 1 - 0.75**2)
    assert outcomes.quantiles(SUMMIT, [1.0]) == [H(hours=23)]


ANY_PLAN = plans(max_steps=8, delays=st.none() | delays())


def _signed_micros(slip: timedelta) -> int:
    """A slip in microseconds, negative ones too.

    A fulfilment follows its signing's calendar, so a signing late across a clock change can
    have it met earlier than planned (see the test below, found on a random seed).
    """
    return timedelta.__floordiv__(slip, timedelta(microseconds=1))


@settings(max_examples=25)
@given(ANY_PLAN, disruptions(), st.integers(0, 2**32), st.integers(1, 40), st.data())
def test_run_i_is_run_i(
    plan: Plan, d: Disruptions, seed: int, runs: int, data: st.DataObject
) -> None:
    """outcomes.run(i) has run i's slips, and simulate(seed=outcomes.seed_of(i)) repeats it."""
    outcomes = monte_carlo(plan, d, runs=runs, seed=seed)
    i = data.draw(st.integers(0, runs - 1), label="i")
    run = outcomes.run(i)
    for name in plan.names:
        assert _signed_micros(run.slip(name)) == outcomes.slips(name)[i]
    again = simulate(plan, d, seed=outcomes.seed_of(i))
    assert list(again.log) == list(run.log)
    assert again.slips() == run.slips()


NEW_YORK = DST_PLACES[0]


def test_an_obligation_met_early_by_the_calendar_is_a_negative_slip() -> None:
    """Found on a random seed: one minute late into the fall-back hour, met 59 minutes early.

    A meeting at 01:59 -04:00 overruns a minute, so the signing it holds up happens at
    02:00 -04:00, which is 01:00 -05:00; a day later in New York's calendar is 01:00 -05:00,
    59 minutes before the planned 01:59 -05:00. Run 0 of the study and simulate agree.
    """
    at = NEW_YORK.at("2000-10-29 01:59", disambiguate="earlier")
    plan = Plan([
        Meeting("Talks", ["Ann"], NEW_YORK, at, H()),
        Signing("Pact", ["Ann"], NEW_YORK, at, obligations=[Obligation("pay", within=H(days=2))]),
        Fulfilment("Pact", "pay", after=H(days=1)),
    ])  # fmt: skip
    d = Disruptions(overrun=Delay.fixed(H(minutes=1)))
    outcomes = monte_carlo(plan, d, runs=1, seed=0)
    assert outcomes.slips("Pact: pay") == (-59 * 60_000_000,)
    assert outcomes.run(0).slip("Pact: pay") == H(minutes=-59)
    assert simulate(plan, d, seed=outcomes.seed_of(0)).slips() == outcomes.run(0).slips()


@settings(max_examples=25)
@given(ANY_PLAN, disruptions(), st.integers(0, 2**32), st.integers(1, 60), st.integers(1, 70))
def test_chunking_changes_nothing(
    plan: Plan, d: Disruptions, seed: int, runs: int, chunk: int
) -> None:
    """The outcomes are the same whatever the chunk size."""
    whole = monte_carlo(plan, d, runs=runs, seed=seed)
    assert monte_carlo(plan, d, runs=runs, seed=seed, chunk_size=chunk) == whole


@settings(max_examples=25)
@given(ANY_PLAN, disruptions(), st.integers(0, 2**32))
def test_criticality_shares_sum_to_p_late(plan: Plan, d: Disruptions, seed: int) -> None:
    """For every step, its criticality shares sum to its p_late, largest first."""
    outcomes = monte_carlo(plan, d, runs=50, seed=seed)
    for name in plan.names:
        shares = outcomes.criticality(name)
        assert math.isclose(sum(shares.values()), outcomes.p_late(name), abs_tol=1e-9), name
        assert list(shares.values()) == sorted(shares.values(), reverse=True)
        assert set(shares) <= set(plan.names)


@settings(max_examples=25)
@given(ANY_PLAN, disruptions(), st.integers(0, 2**32))
def test_worst_is_the_largest_slip(plan: Plan, d: Disruptions, seed: int) -> None:
    """worst(name) is the seed of a run whose slip is the largest, and simulate repeats it."""
    outcomes = monte_carlo(plan, d, runs=30, seed=seed)
    for name in plan.names:
        worst = simulate(plan, d, seed=outcomes.worst(name)).slip(name)
        assert _signed_micros(worst) == max(outcomes.slips(name))


def _tour() -> tuple[Plan, Disruptions]:
    plan = _fly_in(H(hours=1))
    return plan, Disruptions(
        departure=Delay.exponential(H(hours=1), p=0.5),
        overrun=Delay.lognormal(H(minutes=10), 0.5),
        cancel=0.05,
    )


def test_a_process_pool_gives_the_same_outcomes() -> None:
    """monte_carlo on a ProcessPoolExecutor(2) equals the in-process outcomes."""
    plan, d = _tour()
    here = monte_carlo(plan, d, runs=3_000, seed=5)
    spawn = multiprocessing.get_context("spawn")  # fork is unsafe with threads about
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        assert monte_carlo(plan, d, runs=3_000, seed=5, executor=pool) == here
        assert monte_carlo(plan, d, runs=3_000, seed=5, executor=pool, chunk_size=7) == here


def test_a_dask_cluster_gives_the_same_outcomes() -> None:
    """monte_carlo on a real two-worker Dask LocalCluster equals the in-process outcomes."""
    import distributed  # noqa: PLC0415 - the test extra installs it: no skipping

    plan, d = _tour()
    here = monte_carlo(plan, d, runs=2_000, seed=6)
    # The scheduler's web server always listens; ":0" asks the system for a free port, where
    # None falls back to 8787, which a dashboard the user has open may hold.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        there = monte_carlo(plan, d, runs=2_000, seed=6, executor=client.get_executor())
    assert there == here


def test_outcomes_summarise_runs() -> None:
    """p_late, quantiles, deadline risks and the text table agree with the runs."""
    plan, d = _tour()
    outcomes = monte_carlo(plan, d, runs=500, seed=8)
    assert isinstance(outcomes, Outcomes)
    slips = sorted(outcomes.slips(SUMMIT))
    assert outcomes.quantiles(SUMMIT, [0, 1]) == [
        H(microseconds=slips[0]),
        H(microseconds=slips[-1]),
    ]
    assert outcomes.p_late(SUMMIT, by=H(days=10)) == 0.0
    assert SUMMIT in outcomes.format()
    assert "500 runs" in str(outcomes)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda o: o.p_late("Sumit"), r"'Sumit'.*'Summit'"),
        (lambda o: o.quantiles("Sumit", [0.5]), r"'Sumit'"),
        (lambda o: o.criticality("Sumit"), r"'Sumit'"),
        (lambda o: o.worst("Sumit"), r"'Sumit'"),
        (lambda o: o.slips("Sumit"), r"'Sumit'"),
        (lambda o: o.quantiles(SUMMIT, [1.5]), "quantile"),
        (lambda o: o.p_late(SUMMIT, by=H(months=1)), "p_late"),
        (lambda o: o.seed_of(10), "run index"),
        (lambda o: o.run(-1), "run index"),
        (lambda o: o.deadline_risk("Pact", "pay"), r"'pay'.*'Pact'"),
    ],
)
def test_outcomes_name_what_they_do_not_know(call: object, words: str) -> None:
    """Asking about an unknown step, run or obligation raises InvalidPlanError naming it."""
    outcomes = monte_carlo(_fly_in(H(hours=1)), Disruptions(), runs=10)
    with pytest.raises(InvalidPlanError, match=words):
        call(outcomes)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"runs": 0}, "runs"),
        ({"runs": 2.0}, "runs"),
        ({"runs": True}, "runs"),
        ({"runs": 5, "seed": "7"}, "seed"),
        ({"runs": 5, "chunk_size": 0}, "chunk_size"),
        ({"runs": 5, "disruptions": None}, "Disruptions"),
        ({"runs": 5, "plan": []}, "Plan"),
    ],
)
def test_monte_carlo_refuses_bad_arguments(kwargs: dict[str, object], words: str) -> None:
    """monte_carlo() raises InvalidPlanError naming each wrong argument."""
    arguments: dict[str, object] = {"plan": _fly_in(H(hours=1)), "disruptions": Disruptions()}
    arguments.update(kwargs)
    with pytest.raises(InvalidPlanError, match=words):
        monte_carlo(**arguments)  # type: ignore[arg-type]


def test_a_progress_bar_counts_every_run_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """progress=True on a terminal draws a bar that reaches the number of runs; same outcomes."""
    plan, d = _tour()
    quiet = monte_carlo(plan, d, runs=1_500, seed=4)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    shown = monte_carlo(plan, d, runs=1_500, seed=4, progress=True, chunk_size=500)
    assert shown == quiet
    assert "1500/1500" in terminal.getvalue()
    assert "monte_carlo" in terminal.getvalue()


def test_no_progress_bar_in_captured_output(capsys: pytest.CaptureFixture[str]) -> None:
    """progress=True writes nothing where standard error is not a terminal (a test's capture)."""
    plan, d = _tour()
    monte_carlo(plan, d, runs=1_500, seed=4, progress=True, chunk_size=500)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda o: o.quantiles("Summit", 0.5), "list of numbers"),
        (lambda o: o.format(kinds=None), "list of kinds"),
        (lambda o: o.format(kinds=["bogus"]), "'meeting', 'signing' and 'travel'"),
        (lambda o: o.p_late(["Summit"]), "a string"),
    ],
)
def test_outcomes_refuse_arguments_of_the_wrong_kind(call: object, words: str) -> None:
    """Wrong kinds of argument to Outcomes' methods raise InvalidPlanError saying what is wanted."""
    outcomes = monte_carlo(_fly_in(H(hours=1)), Disruptions(), runs=10)
    with pytest.raises(InvalidPlanError, match=words):
        call(outcomes)  # type: ignore[operator]


@settings(max_examples=25)
@given(ANY_PLAN, disruptions(), st.integers(0, 2**32))
def test_causes_and_overdue_are_each_runs(plan: Plan, d: Disruptions, seed: int) -> None:
    """causes(name) and overdue(name) give, run by run, what run(i) says, in run order."""
    outcomes = monte_carlo(plan, d, runs=12, seed=seed)
    for i in (0, 11):
        run = outcomes.run(i)
        for step in plan.steps:
            assert outcomes.causes(step.name)[i] == run.cause(step.name)
            overdue = isinstance(step, Fulfilment) and run.late(step.agreement, step.what)
            assert outcomes.overdue(step.name)[i] == overdue


def test_steps_and_planned_starts_in_the_study_order() -> None:
    """Outcomes.steps is the plan in the study's order (fulfilments last); planned() in each zone."""
    signing = Signing("Pact", "Lee Jae-myung", TOKYO, TOKYO.at("2025-10-28 15:00"),
                      obligations=[Obligation("pay", within=H(days=30))])  # fmt: skip
    plan = Plan([Fulfilment("Pact", "pay", H(days=10)), *_fly_in(H(hours=1)).steps, signing])
    outcomes = monte_carlo(plan, Disruptions(), runs=3)
    assert [step.kind for step in outcomes.steps] == [
        "travel", "travel", "meeting", "signing", "fulfilment"
    ]  # fmt: skip
    assert set(outcomes.steps) == set(plan.steps)
    leg = outcomes.steps[0]
    assert isinstance(leg, Travel)
    assert outcomes.planned(leg.name) == leg.depart
    assert outcomes.planned(leg.name).timezone_name == leg.origin.tz
    assert outcomes.planned("Pact: pay") == TOKYO.at("2025-11-07 15:00")
    assert outcomes.planned("Pact: pay").timezone_name == "Asia/Tokyo"
    assert outcomes.causes(SUMMIT) == (None, None, None)
    assert outcomes.overdue("Pact: pay") == (False, False, False)
    with pytest.raises(InvalidPlanError, match="'Sumit'"):
        outcomes.planned("Sumit")


def test_slips_are_a_copy() -> None:
    """Changing what slips() returned cannot change the outcomes."""
    outcomes = monte_carlo(_fly_in(H(hours=1)), Disruptions(), runs=10)
    assert isinstance(outcomes.slips(SUMMIT), tuple)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"runs": 10**30}, "from 1 to 1,000,000,000"),
    ({"runs": 5, "executor": 5}, "concurrent.futures.Executor"),
])  # fmt: skip
def test_monte_carlo_refuses_huge_studies_and_non_executors(
    kwargs: dict[str, object], words: str
) -> None:
    """A study of 10**30 runs, or an executor without submit(): refused before any work."""
    with pytest.raises(InvalidPlanError, match=words):
        monte_carlo(_fly_in(H(hours=1)), Disruptions(), **kwargs)  # type: ignore[arg-type]


# -- heavy tails and the calendar's end (issue 23, item 2) --------------------------------

HEAVY = Delay.lognormal(H(minutes=15), 19.99)


def test_a_heavy_tailed_delay_is_cut_at_a_century() -> None:
    """sigma=19.99 (the format allows up to 20): every draw is at most a century; no crash."""
    plan = Plan(Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-27 09:00"), H(hours=3), delay=HEAVY))
    outcomes = monte_carlo(plan, Disruptions(), runs=300, seed=0)
    assert max(outcomes.slips(plan.names[0])) == LONGEST_DRAW
    for i in range(300):
        run = simulate(plan, seed=outcomes.seed_of(i))
        assert run.slip(plan.names[0]) == timedelta(microseconds=outcomes.slips(plan.names[0])[i])


def test_a_run_past_the_calendar_s_end_is_refused_naming_the_step_and_seed() -> None:
    """A century of delay on a leg planned in 9950: InvalidPlanError in both engines, same run."""
    plan = Plan(Travel("A", SEOUL, TOKYO, SEOUL.at("9950-10-27 09:00"), H(hours=3), delay=HEAVY))
    with pytest.raises(InvalidPlanError, match=r"run 0 \(seed \d+\): step 'A: Seoul -> Tokyo' "
                       r"would end after 9999-12-30 UTC") as raised:  # fmt: skip
        monte_carlo(plan, Disruptions(), runs=300, seed=0)
    seed = int(str(raised.value).split("seed ")[1].split(")")[0])
    with pytest.raises(InvalidPlanError, match=f"the run of seed {seed}: step 'A: Seoul -> Tokyo'"):
        simulate(plan, seed=seed)


@st.composite
def _extreme_delays(draw: st.DrawFn) -> Delay:
    """Delays at the edges of what a plan may hold: centuries, sigma up to 20, any p."""
    size = H(microseconds=draw(st.integers(1_000_000, LONGEST_DRAW)))
    p = draw(st.sampled_from([1.0, 0.5]))
    return draw(
        st.sampled_from([
            Delay.fixed(size),
            Delay.exponential(size, p),
            Delay.lognormal(size, draw(st.floats(0, 20, exclude_max=True)), p),
            Delay.lognormal(H(minutes=15), 19.99, p),
            Delay.empirical([H(), size]),
        ])
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(_extreme_delays(), min_size=1, max_size=4),
    st.sampled_from(["2025", "9700", "9890", "9990"]),
    st.integers(0, 2**64 - 1),
)
def test_both_engines_and_simulate_agree_on_extreme_delays(
    delays_: list[Delay], year: str, seed: int
) -> None:
    """Any extreme delays, near the calendar's end or not: the same columns or the same refusal."""
    start = SEOUL.at(f"{year}-10-27 09:00")
    legs = [
        Travel("A", *((SEOUL, TOKYO) if i % 2 == 0 else (TOKYO, SEOUL)),
               start + H(hours=4 * i), H(hours=3), delay=delay, name=f"leg {i}")
        for i, delay in enumerate(delays_)
    ]  # fmt: skip
    place = legs[-1].destination
    plan = Plan([
        *legs,
        Meeting("M", ("A",), place, start + H(days=1), H(hours=1), delay=delays_[0]),
        Signing("Pact", ("A",), place, start + H(days=2), delay=delays_[-1],
                obligations=[Obligation("pay", within=pendulum.duration(months=2))]),
        Fulfilment("Pact", "pay", after=pendulum.duration(months=1), delay=delays_[-1]),
    ])  # fmt: skip
    program = compiled(plan, Disruptions())
    for r in range(8):
        try:
            one = _scalar_chunk(program, seed, r, r + 1)
        except InvalidPlanError as exc:
            with pytest.raises(InvalidPlanError, match="after 9999-12-30 UTC"):
                simulate(plan, seed=seed_of(seed, r))
            with pytest.raises(InvalidPlanError, match=re.escape(str(exc))):
                _chunk(program, seed, r, r + 1)
            continue
        assert _chunk(program, seed, r, r + 1) == one
        run = simulate(plan, seed=seed_of(seed, r))
        for i, step in enumerate(program.steps):
            assert run.slip(step.name) == timedelta(microseconds=one[0][i][0])
