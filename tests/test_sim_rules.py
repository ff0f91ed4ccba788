"""Tests for itinerary.sim.rules: windows, curfews, rest and drops, in each place's local time."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary import AgreementSigned, Arrived, Departed, MeetingHeld, _time, check
from itinerary.places import BUSAN, KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON, YOKOSUKA, Place
from itinerary.scenarios import load_scenario
from itinerary.sim import (
    Curfew,
    Delay,
    Disruptions,
    Drop,
    InvalidPlanError,
    Meeting,
    Plan,
    Rest,
    Run,
    Travel,
    Window,
    monte_carlo,
    simulate,
)
from itinerary.sim.delays import elapsed_micros
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
    assert run.rule("Talk") == "Rest 8 h after legs of 10 h"
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


def test_a_step_dropped_in_every_run_reads_dropped_in_the_risk_table() -> None:
    """Never happened: p_late is NaN, and the table says "dropped", not "nan%"."""
    steps = _tokyo_day()
    names = [s.name for s in steps[1:]]
    plan = Plan(steps, rules=[Drop(names, when=LEG.name, late_by=H(minutes=30))])
    outcomes = monte_carlo(plan, Disruptions(departure=Delay.fixed(H(hours=2))), runs=50, seed=1)
    assert outcomes.p_dropped("Yokosuka") == 1
    assert math.isnan(outcomes.p_late("Yokosuka"))
    text = str(outcomes)
    assert "nan" not in text
    (row,) = [line for line in text.splitlines() if line.startswith("Yokosuka ")]
    assert "dropped" in row


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

WALL = st.times().map(lambda t: t.replace(second=0, microsecond=0)) | st.builds(
    time, st.integers(0, 3), st.sampled_from((0, 15, 30, 45))
)  # often in the small hours, where DST_PLACES change their clocks


@st.composite
def _ruled(draw: st.DrawFn, *, rest: bool = False) -> Plan:
    plan = draw(plans(places=st.sampled_from(DST_PLACES), max_steps=8))
    places = sorted({p for s in plan.steps for p in _places(s)}, key=lambda p: p.name)
    rules = []
    for place in draw(st.lists(st.sampled_from(places), max_size=2, unique=True)) if places else []:
        starts, ends = draw(WALL), draw(WALL)
        if starts != ends:
            span = (ends.hour * 60 + ends.minute - starts.hour * 60 - starts.minute) % 1440
            if span <= 8 * 60:  # two long curfews can leave a leg no time at all (an error)
                rules.append(Curfew(place, starts, ends))
    if rest or draw(st.booleans()):
        people = sorted({p for s in plan.steps for p in s.people})
        who = draw(st.none() | st.lists(st.sampled_from(people), min_size=1, unique=True))
        rules.append(
            Rest(H(hours=draw(st.integers(0, 6))), H(hours=draw(st.integers(0, 12))), who=who)
        )
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


def _simulated(plan: Plan, d: Disruptions, seed: int) -> Run | None:
    """The run, or None if the plan's rules leave a step no time at all, refused by name.

    The drawn rules can contradict each other (found on a random seed: a leg's window
    00:00-02:00 under a curfew 00:00-02:00 where it leaves): the engine refuses the run with
    InvalidPlanError naming the step and its rules, rather than holding it forever.
    """
    try:
        return simulate(plan, d, seed=seed)
    except InvalidPlanError as exc:
        assert "no time fits them all" in str(exc), exc  # noqa: PT017 - the one refusal allowed
        return None


def test_a_window_inside_a_curfew_is_refused_by_name() -> None:
    """Found on a random seed: a leg's window 00:00-02:00 under a curfew 00:00-02:00."""
    new_york, london = DST_PLACES[0], DST_PLACES[1]
    leg = Travel(TRUMP, new_york, london, new_york.at("2000-04-02 03:00"),
                 H(hours=6, minutes=58), window=Window("00:00", "02:00"))  # fmt: skip
    with pytest.raises(InvalidPlanError, match="no time fits them all"):
        simulate(Plan([leg], rules=[Curfew(new_york, "00:00", "02:00")]))


def _places(step: object) -> tuple[object, ...]:
    if isinstance(step, Travel):
        return (step.origin, step.destination)
    place = getattr(step, "place", None)
    return () if place is None else (place,)


# The allowed instants, recomputed from the rule with zoneinfo's wall-time arithmetic (not
# the engine's code): a boundary is its wall time's first reading on that day, or, in a gap,
# the first whole second whose wall time is at or after it.

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(at: datetime) -> datetime:
    return _EPOCH + timedelta(microseconds=_time.micros(at))


def _wall_of(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


@functools.cache
def _reading(tz: str, day: date, at: time) -> datetime:
    wall = datetime.combine(day, at)
    readings = [wall.replace(tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC) for fold in (0, 1)]
    real = [u for u in readings if _wall_of(u, tz) == wall]
    if real:
        return min(real)
    u, step = min(readings), timedelta(minutes=1)  # a gap: walk to its end, minutes then seconds
    while _wall_of(u, tz) < wall:
        u += step
    u -= step
    while _wall_of(u, tz) < wall:
        u += timedelta(seconds=1)
    return u


def _spans(tz: str, at: datetime, opens: time, closes: time) -> Iterator[tuple[datetime, datetime]]:
    """Every day's ``[opens, closes)`` near *at*, as UTC instants."""
    today = _wall_of(at, tz).date()
    for k in range(-2, 2):
        day = today + timedelta(days=k)
        yield _reading(tz, day, opens), _reading(tz, day + timedelta(days=closes <= opens), closes)


def _in_curfew(at: datetime, tz: str, curfew: Curfew) -> bool:
    return any(o <= at < c for o, c in _spans(tz, at, curfew.starts, curfew.ends))


def _in_window(at: datetime, tz: str, window: Window, need: timedelta) -> bool:
    return any(
        o <= at < c and at + need <= c for o, c in _spans(tz, at, window.opens, window.closes)
    )


def test_the_independent_boundaries_agree_with_the_examples() -> None:
    """The test's own boundaries: 02:30 in a gap is 03:00 EDT; 01:30 in a fold is EDT's."""
    gap = _reading("America/New_York", date(2025, 3, 9), time(2, 30))
    assert gap == datetime(2025, 3, 9, 7, tzinfo=UTC)
    fold = _reading("America/New_York", date(2025, 11, 2), time(1, 30))
    assert fold == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)
    fall = Curfew(WASHINGTON, "23:00", "06:00")
    assert _in_curfew(datetime(2025, 11, 2, 10, 59, tzinfo=UTC), WASHINGTON.tz, fall)  # 05:59 EST
    assert not _in_curfew(datetime(2025, 11, 2, 11, 0, tzinfo=UTC), WASHINGTON.tz, fall)


@settings(max_examples=60, deadline=None)
@given(_ruled(), disruptions(), st.integers(0, 2**32))
def test_runs_with_rules_keep_them_in_local_wall_time(
    plan: Plan, d: Disruptions, seed: int
) -> None:
    """Any plan with rules: check() accepts its log, and its curfews and windows hold exactly.

    No leg leaves or lands in a curfew, and no windowed step starts outside its window (a
    meeting: or ends after it closes), against the instants recomputed from each rule in
    the place's zone, clock changes included; a step a curfew or window held last starts
    (a leg held by a curfew where it lands: lands) exactly at the boundary it waited for.
    """
    run = _simulated(plan, d, seed)
    if run is None:
        return
    assert not check(run.log)
    curfews = [r for r in plan.rules if isinstance(r, Curfew)]
    for step in plan.steps:
        if step.name in run.dropped:
            continue
        start = _utc(run.start(step.name))
        held_by = run.rule(step.name) if run.held(step.name) else None
        if step.window is not None:
            assert isinstance(step, Meeting | Travel)  # _ruled gives no other step a window
            tz = step.origin.tz if isinstance(step, Travel) else step.place.tz
            need = step.duration if isinstance(step, Meeting) else timedelta()
            assert _in_window(start, tz, step.window, need), (step.name, run.start(step.name))
            if held_by == str(step.window):  # it waited for an opening: exactly one
                opens = step.window.opens
                assert start in {o for o, _ in _spans(tz, start, opens, step.window.closes)}
        if isinstance(step, Travel):
            land = _utc(run.end(step.name))
            for curfew in curfews:
                for place, at in ((step.origin, start), (step.destination, land)):
                    if curfew.place == place:
                        assert not _in_curfew(at, place.tz, curfew), (step.name, curfew, at)
                        if held_by == str(curfew):  # held until a curfew ended: exactly then
                            ends = {c for _, c in _spans(place.tz, at, curfew.starts, curfew.ends)}
                            assert at in ends, (step.name, curfew, at)


def _starts(event: object) -> tuple[str, ...]:
    """The people who start a step with *event* (a departure, a meeting, a signing)."""
    if isinstance(event, Departed):
        return (event.who,)
    if isinstance(event, MeetingHeld):
        return tuple(event.participants)
    if isinstance(event, AgreementSigned):
        return tuple(event.signatories)
    return ()


@settings(max_examples=60, deadline=None)
@given(_ruled(rest=True), disruptions(), st.integers(0, 2**32))
def test_nobody_starts_a_step_during_their_rest(plan: Plan, d: Disruptions, seed: int) -> None:
    """Read from the log: nobody a Rest covers starts a step until its rest after a long leg.

    After landing from a leg of at least Rest.after, each traveller the rule covers starts
    nothing (no departure, meeting or signing) until Rest.rest later.
    """
    run = _simulated(plan, d, seed)
    if run is None:
        return
    rests = [r for r in plan.rules if isinstance(r, Rest)]
    left: dict[str, int] = {}
    until: dict[str, int] = {}
    for event in sorted(run.log, key=lambda e: _time.micros(e.occurred_at)):
        at = _time.micros(event.occurred_at)
        for person in _starts(event):
            assert at >= until.get(person, at), (person, event, run.log)
        if isinstance(event, Departed):
            left[event.who] = at
        elif isinstance(event, Arrived):
            flown = at - left.pop(event.who)
            for rule in rests:
                if flown >= elapsed_micros(rule.after, what="after") and (
                    rule.who is None or event.who in rule.who
                ):
                    until[event.who] = max(
                        until.get(event.who, 0), at + elapsed_micros(rule.rest, what="rest")
                    )


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


def test_monte_carlo_with_rules_is_simulate_run_by_run() -> None:
    """A study of a plan with rules is simulate() run by run; its chunks change nothing.

    The tour's plan with its rules, under heavy delays: every run of a study is simulate()
    with its seed (slips, causes, the steps dropped), for several seeds.
    """
    plan = load_scenario("examples/asia_tour_2025_plan.toml").plan
    assert plan is not None
    assert plan.rules
    d = Disruptions(
        departure=Delay.exponential(H(hours=3), p=0.6),
        overrun=Delay.lognormal(H(minutes=40), sigma=0.8, p=0.5),
        cancel=0.05,
    )
    dropped_somewhere = held_somewhere = False
    for seed in (1, 2, 3):
        outcomes = monte_carlo(plan, d, runs=60, seed=seed, chunk_size=25)
        rows = {(r["run"], r["step"]): r for r in outcomes.to_records()}
        for i in range(outcomes.runs):
            run = simulate(plan, d, seed=outcomes.seed_of(i))
            dropped_somewhere |= bool(run.dropped)
            for name in plan.names:
                held_somewhere |= bool(run.held(name))
                assert ((i, name) in rows) == (name not in run.dropped)
                assert outcomes.causes(name)[i] == run.cause(name)
                if name not in run.dropped:
                    assert rows[i, name]["slip"] == run.slip(name)
        for chunk_size in (1, 7, 1000):
            assert monte_carlo(plan, d, runs=60, seed=seed, chunk_size=chunk_size) == outcomes
    assert dropped_somewhere
    assert held_somewhere


@functools.cache
def _changes(tz: str) -> tuple[datetime, ...]:
    """The instants (UTC, to the minute) at which *tz*'s offset changed in 2024-2026."""
    zone, found = ZoneInfo(tz), []
    at = datetime(2024, 1, 1, tzinfo=UTC)
    while at.year < 2027:
        nxt = at + timedelta(hours=6)
        if at.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            low, high = at, nxt
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) // 2
                same = mid.astimezone(zone).utcoffset() == at.astimezone(zone).utcoffset()
                low, high = (mid, high) if same else (low, mid)
            found.append(high)
        at = nxt
    return tuple(found)


SYDNEY = DST_PLACES[2]

SMALL_HOURS = st.builds(time, st.integers(0, 4), st.sampled_from((0, 15, 30, 45))) | WALL


@settings(max_examples=200, deadline=None)
@example((SYDNEY, 1, -1, time(2, 15), time(2, 0), True, H(minutes=15)))
@given(
    st.tuples(
        st.sampled_from(DST_PLACES), st.integers(0, 5), st.integers(-8 * 60, 8 * 60),
        SMALL_HOURS, SMALL_HOURS, st.booleans(),
        st.integers(1, 8).map(lambda q: H(minutes=15 * q)),
    )
)  # fmt: skip
def test_a_rule_holds_a_step_to_exactly_the_instant_it_allows(
    case: tuple[Place, int, int, time, time, bool, timedelta],
) -> None:
    """Near a clock change, a curfew or window holds a step to the first instant it allows.

    That instant is recomputed here from the rule's wall times with zoneinfo. Found on a
    random seed: a curfew 02:15-02:00 in Sydney on its spring-forward day, where one day's
    end (02:00, in the gap: 03:00) is the next one's start, holds to the next day's end.
    """
    place, change, minutes, a, b, curfew, need = case
    if a == b:
        return
    ready = _changes(place.tz)[change] + timedelta(minutes=minutes)
    spans = sorted(
        {s for k in (0, 1, 2) for s in _spans(place.tz, ready + timedelta(days=k), a, b)}
    )
    if curfew:
        leg = Travel(TRUMP, place, KUALA_LUMPUR, ready, H(hours=30))
        run = simulate(Plan([leg], rules=[Curfew(place, a, b)]))
        expected = ready  # each curfew it is in holds it to that curfew's end, until none does
        while inside := [c for o, c in spans if o <= expected < c]:
            expected = max(inside)
        assert _utc(run.start(leg.name)) == expected
    else:
        length = (b.hour * 60 + b.minute - a.hour * 60 - a.minute) % 1440
        if need > H(minutes=length):
            return
        talk = Meeting("Talk", TRUMP, place, ready, need, window=Window(a, b))
        run = simulate(Plan([talk]))
        fits = [max(o, ready) for o, c in spans if max(o, ready) < c and max(o, ready) + need <= c]
        assert _utc(run.start("Talk")) == min(fits)
