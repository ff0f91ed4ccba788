"""Tests for itinerary.sim.rules: windows, curfews, rest and drops, in each place's local time."""

from __future__ import annotations

import math
from datetime import time

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import MeetingHeld, check
from itinerary.places import BUSAN, KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON, YOKOSUKA
from itinerary.sim import (
    Curfew,
    Delay,
    Disruptions,
    Drop,
    InvalidPlanError,
    Meeting,
    Plan,
    Rest,
    Travel,
    Window,
    monte_carlo,
    simulate,
)
from itinerary.sim.rules import boundary
from itinerary.strategies import DST_PLACES, delays, disruptions, plans

H = pendulum.duration
TRUMP = "Donald Trump"
LEG = Travel(
    TRUMP, KUALA_LUMPUR, TOKYO, KUALA_LUMPUR.at("2025-10-27 09:00"), H(hours=6, minutes=30)
)
NINE_HOURS = Disruptions(departure=Delay.fixed(H(hours=9)))


def _audience(then: str = "wait") -> Meeting:
    return Meeting(
        "Audience with the Emperor", (TRUMP, "Emperor Naruhito"), TOKYO,
        TOKYO.at("2025-10-27 17:30"), H(hours=1), window=Window("09:00", "21:00", then=then),
    )  # fmt: skip


def test_nine_hours_late_audience_moves_to_the_next_morning() -> None:
    """Air Force One lands at 01:30 in Tokyo: the audience is at 09:00 next morning, not 02:00."""
    run = simulate(Plan([LEG, _audience()]), NINE_HOURS)
    start = run.start("Audience with the Emperor")
    assert start == TOKYO.at("2025-10-28 09:00")
    assert run.held("Audience with the Emperor") == H(hours=7, minutes=30)
    assert run.rule("Audience with the Emperor") == "Window 09:00-21:00"
    assert not check(run.log)


def test_nine_hours_late_audience_is_dropped_when_the_window_says_so() -> None:
    """With then="drop" the audience does not happen: no event, and run.dropped names it."""
    run = simulate(Plan([LEG, _audience("drop")]), NINE_HOURS)
    assert run.dropped == ("Audience with the Emperor",)
    assert not any(isinstance(e, MeetingHeld) for e in run.log)
    assert run.rule("Audience with the Emperor") == "Window 09:00-21:00"
    with pytest.raises(InvalidPlanError, match="did not happen"):
        run.start("Audience with the Emperor")
    on_time = simulate(Plan([LEG, _audience("drop")]))
    assert on_time.dropped == ()


def test_a_busan_leg_ready_at_2330_leaves_at_0600_under_the_curfew() -> None:
    """Ready at 23:30 in Busan under a 23:00-06:00 curfew: it leaves at 06:00 local."""
    leg = Travel(TRUMP, BUSAN, TOKYO, BUSAN.at("2025-10-29 23:30"), H(hours=2))
    run = simulate(Plan([leg], rules=[Curfew(BUSAN, "23:00", "06:00")]))
    assert run.start(leg.name) == BUSAN.at("2025-10-30 06:00")
    assert run.held(leg.name) == H(hours=6, minutes=30)
    assert run.rule(leg.name) == "Curfew at Busan 23:00-06:00"


def test_a_landing_curfew_holds_the_departure() -> None:
    """A leg that would land in Tokyo's curfew leaves so as to land when it ends."""
    leg = Travel(TRUMP, SEOUL, TOKYO, SEOUL.at("2025-10-29 22:30"), H(hours=2))
    run = simulate(Plan([leg], rules=[Curfew(TOKYO, "00:00", "06:00")]))
    assert run.end(leg.name) == TOKYO.at("2025-10-30 06:00")


def test_a_washington_curfew_across_the_fall_back_holds_real_hours() -> None:
    """23:30 EDT to 06:00 EST on 2 November 2025 is 7 h 30 min of real time, not 6 h 30 min."""
    leg = Travel(TRUMP, WASHINGTON, TOKYO, WASHINGTON.at("2025-11-01 23:30"), H(hours=14))
    run = simulate(Plan([leg], rules=[Curfew(WASHINGTON, "23:00", "06:00")]))
    assert run.start(leg.name) == WASHINGTON.at("2025-11-02 06:00")
    assert run.held(leg.name) == H(hours=7, minutes=30)


def test_a_boundary_in_a_gap_is_taken_just_after_it() -> None:
    """02:30 on 9 March 2025 never happened in Washington: the boundary is 03:00 EDT."""
    at = boundary("America/New_York", pendulum.date(2025, 3, 9), time(2, 30))
    assert at == pendulum.datetime(2025, 3, 9, 7, tz="UTC").int_timestamp * 1_000_000
    leg = Travel(TRUMP, WASHINGTON, TOKYO, WASHINGTON.at("2025-03-09 01:30"), H(hours=14))
    run = simulate(Plan([leg], rules=[Curfew(WASHINGTON, "01:00", "02:30")]))
    assert run.start(leg.name) == WASHINGTON.at("2025-03-09 03:00")


def test_a_boundary_in_a_repeated_hour_is_its_first_reading() -> None:
    """01:30 on 2 November 2025 in Washington happened twice: a window opens at the first."""
    at = boundary("America/New_York", pendulum.date(2025, 11, 2), time(1, 30))
    first = WASHINGTON.at("2025-11-02 01:30", disambiguate="earlier")
    assert at == first.int_timestamp * 1_000_000


def test_rest_after_a_long_leg_holds_the_next_step() -> None:
    """After a 14-hour leg and Rest(10 h, 8 h), the meeting 40 minutes after landing waits."""
    leg = Travel(TRUMP, WASHINGTON, TOKYO, WASHINGTON.at("2025-10-26 08:00"), H(hours=14))
    land = leg.depart + H(hours=14)
    talk = Meeting("Talk", TRUMP, TOKYO, land + H(minutes=40), H(hours=1))
    run = simulate(Plan([leg, talk], rules=[Rest(H(hours=10), H(hours=8))]))
    assert run.start("Talk") == land + H(hours=8)
    assert run.rule("Talk") == "Rest 8 hours after legs of 10 hours"
    others = simulate(Plan([leg, talk], rules=[Rest(H(hours=10), H(hours=8), who=["Nobody"])]))
    assert others.held("Talk") == H()


def _tokyo_day() -> list[Travel | Meeting]:
    yokosuka = Travel(TRUMP, TOKYO, YOKOSUKA, TOKYO.at("2025-10-28 15:00"), H(hours=1))
    back = Travel(TRUMP, YOKOSUKA, TOKYO, TOKYO.at("2025-10-28 18:00"), H(hours=1))
    visit = Meeting("Yokosuka", TRUMP, YOKOSUKA, TOKYO.at("2025-10-28 16:00"), H(hours=1))
    return [LEG, yokosuka, visit, back]


def test_yokosuka_is_dropped_inside_one_monte_carlo_call() -> None:
    """'Skip Yokosuka if more than an hour late into Tokyo' runs inside monte_carlo."""
    steps = _tokyo_day()
    names = [s.name for s in steps[1:]]
    plan = Plan(steps, rules=[Drop(names, when=LEG.name, late_by=H(hours=1))])
    late = Disruptions(departure=Delay.exponential(H(hours=1), p=0.5))
    outcomes = monte_carlo(plan, late, runs=400, seed=3)
    assert 0 < outcomes.p_dropped("Yokosuka") < 1
    for i in range(0, 400, 37):
        run = outcomes.run(i)
        dropped = run.slip(LEG.name) > H(hours=1)
        assert run.dropped == (tuple(names) if dropped else ())
        assert not check(run.log)


def test_p_dropped_is_p_exp_minus_late_by_over_m() -> None:
    """Exponential delays (mean m, chance p): P(dropped) = p exp(-late_by/m), within 4 SE."""
    m, p, late_by = H(minutes=30), 0.4, H(minutes=45)
    steps = _tokyo_day()
    plan = Plan(steps, rules=[Drop([s.name for s in steps[1:]], when=LEG.name, late_by=late_by)])
    d = Disruptions(departure=Delay.exponential(m, p=p))
    runs = 20_000
    found = monte_carlo(plan, d, runs=runs, seed=11).p_dropped("Yokosuka")
    expected = p * math.exp(-late_by / m)
    assert abs(found - expected) <= 4 * math.sqrt(expected * (1 - expected) / runs)


def test_monte_carlo_from_what_has_happened() -> None:
    """Given a log where the leg left 2 hours late, run i is simulate(given, after) again."""
    plan = Plan([LEG, _audience()])
    happened = simulate(plan, Disruptions(departure=Delay.fixed(H(hours=2)))).log
    after = LEG.depart + H(hours=3)
    d = Disruptions(overrun=Delay.exponential(H(minutes=20), p=0.5))
    outcomes = monte_carlo(plan, d, runs=50, seed=5, given=happened, after=after)
    assert outcomes.p_late("Audience with the Emperor") == 1
    for i in (0, 17, 49):
        again = simulate(plan, d, seed=outcomes.seed_of(i), given=happened, after=after)
        assert outcomes.run(i).log == again.log
        assert outcomes.slips(LEG.name)[i] == again.slip(LEG.name) / H(microseconds=1)
    with pytest.raises(InvalidPlanError, match="both"):
        monte_carlo(plan, d, runs=5, given=happened)


def test_a_drop_that_leaves_the_plan_impossible_is_refused() -> None:
    """Dropping the leg to Yokosuka but not the way back: InvalidPlanError naming the steps."""
    steps = _tokyo_day()
    with pytest.raises(InvalidPlanError, match="Yokosuka"):
        Plan(steps, rules=[Drop([steps[1].name], when=LEG.name, late_by=H(hours=1))])
    with pytest.raises(InvalidPlanError, match="no step"):
        Plan(steps, rules=[Drop(["Nowhere"], when=LEG.name, late_by=H(hours=1))])
    with pytest.raises(InvalidPlanError, match="before"):
        Plan(steps, rules=[Drop([LEG.name], when="Yokosuka", late_by=H(hours=1))])


def test_bad_rules_and_windows_are_refused() -> None:
    """A window that cannot fit its meeting, empty spans and bad times: InvalidPlanError."""
    with pytest.raises(InvalidPlanError, match="cannot fit"):
        Meeting("Long", TRUMP, TOKYO, TOKYO.at("2025-10-28 10:00"), H(hours=3),
                window=Window("09:00", "11:00"))  # fmt: skip
    for bad in (lambda: Window("9am", "21:00"), lambda: Window("09:00", "09:00"),
                lambda: Window("09:00", "21:00", then="skip"),
                lambda: Curfew(BUSAN, "23:00", "23:00"), lambda: Plan([LEG], rules=[LEG])):  # fmt: skip
        with pytest.raises(InvalidPlanError):
            bad()


def test_rules_are_tuples_and_plans_stay_hashable() -> None:
    """Plan.rules, Drop.steps and Rest.who take any iterable and keep a tuple."""
    plan = Plan(
        [LEG],
        rules=iter([Curfew(BUSAN, "23:00", "06:00"), Rest(H(hours=9), H(hours=8), who={"A"})]),
    )
    assert isinstance(plan.rules, tuple)
    assert plan.rules[1].who == ("A",)
    hash(plan)
    assert plan.without(LEG.name).rules == plan.rules


# -- properties ------------------------------------------------------------------------------

WALL = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def _ruled(draw: st.DrawFn) -> Plan:
    plan = draw(plans(places=st.sampled_from(DST_PLACES), max_steps=8))
    places = sorted({p for s in plan.steps for p in _places(s)}, key=lambda p: p.name)
    rules = []
    for place in draw(st.lists(st.sampled_from(places), max_size=2, unique=True)) if places else []:
        starts, ends = draw(WALL), draw(WALL)
        if starts != ends:
            span = (ends.hour * 60 + ends.minute - starts.hour * 60 - starts.minute) % 1440
            if span <= 8 * 60:  # two long curfews can leave a leg no time at all (an error)
                rules.append(Curfew(place, starts, ends))
    if draw(st.booleans()):
        rules.append(Rest(H(hours=draw(st.integers(0, 6))), H(hours=draw(st.integers(0, 12)))))
    steps = []
    for step in plan.steps:
        if isinstance(step, Meeting | Travel) and draw(st.booleans()):
            opens, closes = draw(WALL), draw(WALL)
            span = (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) % 1440
            need = step.duration.total_seconds() / 60 if isinstance(step, Meeting) else 0
            if opens != closes and span >= need + 120:
                step = attrs.evolve(step, window=Window(opens, closes))  # noqa: PLW2901
        steps.append(step)
    return Plan(steps, plan.title, rules)


def _places(step: object) -> tuple[object, ...]:
    if isinstance(step, Travel):
        return (step.origin, step.destination)
    place = getattr(step, "place", None)
    return () if place is None else (place,)


def _inside(t: time, a: time, b: time) -> bool:
    return a <= t < b if a < b else (t >= a or t < b)


@settings(max_examples=60, deadline=None)
@given(_ruled(), disruptions(), st.integers(0, 2**32))
def test_runs_with_rules_keep_them_in_local_wall_time(
    plan: Plan, d: Disruptions, seed: int
) -> None:
    """Any plan with rules: check() accepts its log, and its curfews and windows hold.

    No leg leaves or lands in a curfew, and no windowed step starts outside its window, read
    on the local clock of the log's own instants.
    """
    run = simulate(plan, d, seed=seed)
    assert not check(run.log)
    curfews = [r for r in plan.rules if isinstance(r, Curfew)]
    for step in plan.steps:
        if step.name in run.dropped:
            continue
        start = run.start(step.name)
        if step.window is not None and step.window.then == "wait":
            wall = start.time().replace(tzinfo=None)
            # a boundary moved by a clock change may sit up to an hour off the wall time
            assert _inside(wall, step.window.opens, step.window.closes) or _near_change(start)
        if isinstance(step, Travel):
            for curfew in curfews:
                for place, at in ((step.origin, start), (step.destination, run.end(step.name))):
                    if curfew.place == place:
                        wall = at.time().replace(tzinfo=None)
                        assert not _inside(wall, curfew.starts, curfew.ends) or _near_change(at)


def _near_change(at: pendulum.DateTime) -> bool:
    before, after = at - H(hours=2), at + H(hours=2)
    return before.utcoffset() != after.utcoffset()


@settings(max_examples=40, deadline=None)
@given(plans(places=st.sampled_from(DST_PLACES), max_steps=8), st.integers(0, 2**32))
def test_rules_the_plan_keeps_change_nothing(plan: Plan, seed: int) -> None:
    """With no disruptions and rules the plan already keeps, the run is the plan exactly."""
    kept = Plan(
        [attrs.evolve(s, window=Window("00:00", "23:59")) if isinstance(s, Travel) else s
         for s in plan.steps],
        plan.title,
        [Curfew(BUSAN, "23:00", "06:00"), Rest(H(days=3), H(hours=1), who=["Nobody"])],
    )  # fmt: skip
    plain, ruled = simulate(plan, seed=seed), simulate(kept, seed=seed)
    steps = [s for s in plan.steps if not isinstance(s, Travel) or s.depart.time().hour * 60
             + s.depart.time().minute < 23 * 60 + 59]  # fmt: skip
    for step in steps:
        assert ruled.slip(step.name) == plain.slip(step.name) == H()


@settings(max_examples=40, deadline=None)
@given(plans(delays=st.none() | delays()), disruptions(), st.integers(0, 2**32))
def test_adding_a_rule_changes_no_draws(plan: Plan, d: Disruptions, seed: int) -> None:
    """Common random numbers: a rule that holds nothing leaves every start where it was."""
    ruled = Plan(plan.steps, plan.title, [Curfew(BUSAN, "23:00", "06:00")])
    if any(BUSAN in _places(s) for s in plan.steps):
        return
    assert simulate(plan, d, seed=seed).log == simulate(ruled, d, seed=seed).log
