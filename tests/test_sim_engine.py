"""Tests for itinerary.sim.engine: simulate(), its runs, what-if branches, common random numbers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import attrs
import pendulum
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from itinerary import EventLog, Obligation, _time, _trusted, check, replay
from itinerary.errors import InvalidPlanError, ItineraryError
from itinerary.events import EVENT_TYPES, Arrived, Departed, Event
from itinerary.places import BUSAN, KUALA_LUMPUR, SEOUL, TOKYO
from itinerary.sim import (
    Delay,
    Disruptions,
    Fulfilment,
    Meeting,
    Plan,
    Run,
    Signing,
    Step,
    Travel,
    simulate,
)
from itinerary.sim.delays import elapsed_micros
from itinerary.strategies import DST_PLACES, delays, disruptions, plans

NEW_YORK = DST_PLACES[0]
H = pendulum.duration
SEEDS = st.integers(0, 2**64 - 1)
ANY_PLAN = plans(delays=st.none() | delays())


def _us(value: timedelta | pendulum.DateTime) -> int:
    if isinstance(value, timedelta):
        return elapsed_micros(value, what="a duration")
    return _time.micros(value)


def _pact(place: object, at: pendulum.DateTime, after: timedelta, **signing: object) -> Plan:
    """A one-signatory agreement with one obligation, and its fulfilment *after* it."""
    return Plan(
        [
            Signing("Pact", "A", place, at, obligations=[Obligation("pay", within=H(months=6))],
                    **signing),  # type: ignore[arg-type]
            Fulfilment("Pact", "pay", after),
        ]
    )  # fmt: skip


# A signing with a name of its own: the engine looked its fulfilment's agreement up by name.
NAMED_SIGNING = _pact(TOKYO, TOKYO.at("2025-10-28 12:00"), H(days=3), name="Sign the pact")
# A signing 40 minutes late in New York's autumn fold: it is signed at 01:10 EST, after the
# planned 01:30 EDT, and "a day after" it is 01:10 the next day, 20 minutes before the
# planned 01:30: the calendar, like a deadline's, counts from the signing's wall time.
FOLD_SIGNING = _pact(
    NEW_YORK,
    NEW_YORK.at("2025-11-02 01:30", disambiguate="earlier"),
    H(days=1),
    delay=Delay.fixed(H(minutes=40)),
)


def _previous_ends(plan: Plan, run: Run) -> dict[str, int]:
    """For each timed step: when the last of its people left their previous step (µs)."""
    order = sorted(
        (s for s in plan if not isinstance(s, Fulfilment)),
        key=lambda s: (_us(s.start), plan.names.index(s.name)),
    )
    free: dict[str, int] = {}
    ready: dict[str, int] = {}
    for step in order:
        ready[step.name] = max((free[p] for p in step.people if p in free), default=-(2**62))
        for p in step.people:
            free[p] = _us(run.end(step.name))
    return ready


def _own(plan: Plan, run: Run) -> dict[str, int]:
    """Each step's own delay (µs), read back through the engine's rules from the run."""
    ready = _previous_ends(plan, run)
    own: dict[str, int] = {}
    for step in plan:
        start, end = _us(run.start(step.name)), _us(run.end(step.name))
        if isinstance(step, Fulfilment):
            signing = next(s for s in plan if isinstance(s, Signing) and s.title == step.agreement)
            signed = run.start(signing.name)
            met = _us(_time.add_local(signed, signing.place.tz, step.after))
            own[step.name] = start - met
            continue
        begin = max(_us(step.start), ready[step.name])
        if isinstance(step, Meeting):
            assert start == begin, step.name
            own[step.name] = end - start - _us(step.duration)
        else:
            own[step.name] = start - begin
            length = 0 if isinstance(step, Signing) else _us(step.duration)
            assert end - start == length, step.name
    return own


@given(ANY_PLAN, disruptions(), SEEDS)
@example(NAMED_SIGNING, Disruptions(), 0)
@example(FOLD_SIGNING, Disruptions(), 0)
def test_every_run_is_consistent(plan: Plan, disruptions: Disruptions, seed: int) -> None:
    """Any valid plan, under any disruptions with any seed, simulates to a log check() accepts."""
    run = simulate(plan, disruptions, seed=seed)
    assert check(run.log) == []
    assert replay(run.log) is not None


@given(plans(), SEEDS)
@example(NAMED_SIGNING, 0)
def test_no_disruptions_reproduce_the_plan(plan: Plan, seed: int) -> None:
    """With no disruptions every step happens exactly when planned, whatever the seed."""
    run = simulate(plan, seed=seed)
    assert all(slip == timedelta(0) for slip in run.slips().values())
    for step in plan:
        if isinstance(step, Fulfilment):
            continue
        assert _us(run.start(step.name)) == _us(step.start)  # == is False in a fold (PEP 495)
        length = timedelta(0) if isinstance(step, Signing) else step.duration
        assert _us(run.end(step.name)) == _us(step.start) + _us(length)
    kinds = Counter(type(e).__name__ for e in run.log)
    travellers = sum(len(s.people) for s in plan if isinstance(s, Travel))
    assert kinds["Departed"] == kinds["Arrived"] == travellers
    assert kinds["MeetingHeld"] == sum(isinstance(s, Meeting) for s in plan)
    assert kinds["AgreementSigned"] == sum(isinstance(s, Signing) for s in plan)
    assert kinds["ObligationMet"] == sum(isinstance(s, Fulfilment) for s in plan)


@given(ANY_PLAN, disruptions(), SEEDS)
@example(FOLD_SIGNING, Disruptions(), 0)
def test_delays_never_make_a_step_early(plan: Plan, disruptions: Disruptions, seed: int) -> None:
    """Legs, meetings and signings never start early; an obligation is met by the calendar.

    A fulfilment is met ``after`` its actual signing in the signing place's calendar, plus a
    non-negative delay: as a deadline counts, so a late signing in a fold or near a month's
    end can make that date fall earlier than planned.
    """
    run = simulate(plan, disruptions, seed=seed)
    for step in plan:
        if isinstance(step, Fulfilment):
            signing = next(s for s in plan if isinstance(s, Signing) and s.title == step.agreement)
            by_calendar = _time.add_local(run.start(signing.name), signing.place.tz, step.after)
            assert _us(run.start(step.name)) >= _us(by_calendar), step.name
        else:
            assert run.slip(step.name) >= timedelta(0), step.name


@given(ANY_PLAN, disruptions(), SEEDS)
@example(FOLD_SIGNING, Disruptions(), 0)
def test_runs_follow_the_engine_rules(plan: Plan, disruptions: Disruptions, seed: int) -> None:
    """Each step starts when planned or when its people are free, plus a non-negative delay."""
    own = _own(plan, simulate(plan, disruptions, seed=seed))
    assert all(value >= 0 for value in own.values()), own


@given(ANY_PLAN, disruptions(), SEEDS)
def test_the_same_seed_gives_the_same_run(plan: Plan, disruptions: Disruptions, seed: int) -> None:
    """Simulating twice with one seed gives equal logs and slips."""
    first, second = simulate(plan, disruptions, seed=seed), simulate(plan, disruptions, seed=seed)
    assert list(first.log) == list(second.log)
    assert first.slips() == second.slips()


def test_seeds_matter() -> None:
    """Different seeds draw different delays."""
    plan = Plan(Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-27 09:00"), H(hours=3)))
    d = Disruptions(departure=Delay.exponential(H(hours=1)))
    assert len({simulate(plan, d, seed=s).slip(plan.names[0]) for s in range(20)}) > 15


def _branch_times(run: Run) -> st.SearchStrategy[pendulum.DateTime]:
    instants = sorted({_us(e.occurred_at) for e in run.log})
    near = st.sampled_from(instants).flatmap(
        lambda us: st.integers(-1, 1).map(lambda k: us + k * 60_000_000)
    )
    spread = st.integers(instants[0] - 3_600_000_000, instants[-1] + 3_600_000_000)
    return (near | spread).map(lambda us: _time.from_micros(us, "UTC"))


def _twin_talks() -> Plan:
    """Two meetings called "Talks" (A's, B's): A's slips past B's when A's leg is late."""
    return Plan([
        Travel("A", KUALA_LUMPUR, TOKYO, KUALA_LUMPUR.at("2025-10-28 01:00"), H(hours=7),
               delay=Delay.fixed(H(hours=3))),
        Meeting("Talks", "A", TOKYO, TOKYO.at("2025-10-28 10:00"), H(hours=1), name="t1"),
        Meeting("Talks", "B", TOKYO, TOKYO.at("2025-10-28 11:00"), H(hours=1), name="t2"),
        Signing("Deal", "A", TOKYO, TOKYO.at("2025-10-28 11:30")),
    ])  # fmt: skip


@given(ANY_PLAN, disruptions(), SEEDS, st.data())
def test_an_unchanged_branch_reproduces_the_run(
    plan: Plan, disruptions: Disruptions, seed: int, data: st.DataObject
) -> None:
    """A branch of an unchanged plan from any instant has the run's events, slips and causes."""
    run = simulate(plan, disruptions, seed=seed)
    after = data.draw(_branch_times(run), label="after")
    branch = simulate(plan, disruptions, seed=seed, given=run.log, after=after)
    assert Counter(branch.log) == Counter(run.log)
    assert replay(branch.log) == replay(run.log)
    assert branch.slips() == run.slips()
    assert {n: branch.cause(n) for n in plan.names} == {n: run.cause(n) for n in plan.names}
    assert check(branch.log) == []


@pytest.mark.parametrize("at", ["2025-10-28 11:30", "2025-10-28 12:30", "2025-10-28 13:10"])
def test_a_branch_tells_meetings_of_one_title_apart(at: str) -> None:
    """Facts are matched to steps by title and people: A's late "Talks" is not B's."""
    plan = _twin_talks()
    run = simulate(plan)
    branch = simulate(plan, given=run.log, after=TOKYO.at(at))
    assert Counter(branch.log) == Counter(run.log)
    assert branch.slips() == run.slips()
    assert branch.cause("Deal") == run.cause("Deal") == "A: Kuala Lumpur -> Tokyo"


def test_a_recorded_arrival_ends_the_leg_once() -> None:
    """An arrival on record, earlier than planned, is the leg's end: no second arrival is made."""
    plan = Plan([
        Travel("A", KUALA_LUMPUR, TOKYO, KUALA_LUMPUR.at("2025-10-27 09:00"), H(hours=6)),
        Meeting("Talks", "A", TOKYO, TOKYO.at("2025-10-27 17:00"), H(hours=1)),
    ])  # fmt: skip
    facts = EventLog([
        Departed("A", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
        Arrived("A", TOKYO, TOKYO.at("2025-10-27 15:00")),
    ])  # fmt: skip
    branch = simulate(plan, given=facts, after=TOKYO.at("2025-10-27 15:30"))
    assert sum(isinstance(e, Arrived) for e in branch.log) == 1
    assert _us(branch.end("A: Kuala Lumpur -> Tokyo")) == _us(TOKYO.at("2025-10-27 15:00"))
    assert check(branch.log) == []


@given(plans(min_steps=2, delays=st.none() | delays()), disruptions(), SEEDS, st.data())
def test_common_random_numbers(
    plan: Plan, disruptions: Disruptions, seed: int, data: st.DataObject
) -> None:
    """Giving one step another delay leaves every other step's own draws, and its past, alone."""
    changed = data.draw(st.sampled_from(plan.names), label="changed")
    step = plan[changed]
    other = attrs.evolve(step, delay=Delay.fixed(H(hours=3)))
    branch_plan = plan.replace(changed, other)
    run = simulate(plan, disruptions, seed=seed)
    branch = simulate(branch_plan, disruptions, seed=seed)
    before, after = _own(plan, run), _own(branch_plan, branch)
    assert {k: v for k, v in before.items() if k != changed} == {
        k: v for k, v in after.items() if k != changed
    }
    if not isinstance(step, Fulfilment):  # steps planned before it are upstream: unchanged
        position = plan.names.index(changed)
        for s in plan:
            if isinstance(s, Fulfilment) or s.name == changed:
                continue
            if (_us(s.start), plan.names.index(s.name)) < (_us(step.start), position):
                assert branch.slip(s.name) == run.slip(s.name), s.name


@given(st.integers(0, 4 * 60), st.integers(0, 3 * 60), st.sampled_from([H(days=1), H(months=1)]))
@example(30, 40, H(days=1))
def test_a_signing_late_across_a_fold_meets_its_obligation_by_the_calendar(
    before: int, late: int, after: timedelta
) -> None:
    """In a clock change's fold, the obligation is met ``after`` the actual signing's wall time."""
    fall_back = _time.micros(NEW_YORK.at("2025-11-02 01:00", disambiguate="later"))
    at = _time.from_micros(fall_back - before * 60_000_000, NEW_YORK.tz)
    plan = _pact(NEW_YORK, at, after, delay=Delay.fixed(H(minutes=late)))
    run = simulate(plan)
    expected = _time.add_local(run.start("Pact"), NEW_YORK.tz, after)
    assert _us(run.start("Pact: pay")) == _us(expected)
    assert check(run.log) == []
    assert not run.late("Pact", "pay")


def test_a_late_signing_near_a_month_end_meets_its_obligation_on_its_due_date() -> None:
    """Signed 90 minutes late on 31 January instead of 30 January: met and due on 28 February."""
    plan = Plan([
        Signing("S", "A", TOKYO, TOKYO.at("2026-01-30 23:00"),
                obligations=[Obligation("x", within=H(months=1))],
                delay=Delay.fixed(H(minutes=90))),
        Fulfilment("S", "x", H(months=1)),
    ])  # fmt: skip
    run = simulate(plan)
    assert _us(run.start("S: x")) == _us(TOKYO.at("2026-02-28 00:30"))
    assert not run.late("S", "x")
    (deadline,) = replay(run.log).deadlines
    assert deadline.status == "met"


def test_a_signing_named_otherwise_than_its_title() -> None:
    """A fulfilment finds its signing by the agreement's title, not by the step's name."""
    run = simulate(NAMED_SIGNING)
    assert run.start("Pact: pay") == _time.to_zone(TOKYO.at("2025-10-31 12:00"), "UTC")


def test_the_rules_in_one_example() -> None:
    """A late leg makes the meeting wait; an overrun pushes the next leg; knock-ons have causes."""
    plan = Plan([
        Travel("A", SEOUL, TOKYO, SEOUL.at("2025-10-27 09:00"), H(hours=2, minutes=30),
               delay=Delay.fixed(H(hours=2))),
        Meeting("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-27 13:00"), H(hours=1),
                delay=Delay.fixed(H(minutes=15))),
        Travel("A", TOKYO, BUSAN, TOKYO.at("2025-10-27 15:00"), H(hours=2)),
    ])  # fmt: skip
    run = simulate(plan, Disruptions())
    leg, home = "A: Seoul -> Tokyo", "A: Tokyo -> Busan"
    assert run.slip(leg) == H(hours=2)
    assert run.start("Summit") == _time.to_zone(TOKYO.at("2025-10-27 13:30"), "UTC")
    assert run.end("Summit") == _time.to_zone(TOKYO.at("2025-10-27 14:45"), "UTC")
    assert run.slip(home) == timedelta(0)
    assert (run.cause("Summit"), run.cause(home), run.cause(leg)) == (leg, None, leg)


def test_a_what_if_keeps_the_past_and_changes_the_future() -> None:
    """A branch moves a later step, keeps earlier facts, and starts nothing before after=."""
    plan = Plan([
        Travel("A", KUALA_LUMPUR, TOKYO, KUALA_LUMPUR.at("2025-10-27 09:00"), H(hours=7)),
        Meeting("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 10:00"), H(hours=1)),
    ])  # fmt: skip
    d = Disruptions(departure=Delay.fixed(H(hours=1)))
    run = simulate(plan, d)
    moved = attrs.evolve(plan["Summit"], start=TOKYO.at("2025-10-28 08:00"))
    now = TOKYO.at("2025-10-28 09:00")
    branch = simulate(plan.replace("Summit", moved), d, given=run.log, after=now)
    assert branch.slip("A: Kuala Lumpur -> Tokyo") == H(hours=1)
    assert branch.start("Summit") == _time.to_zone(now, "UTC")
    assert check(branch.log) == []


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"disruptions": "none"}, "Disruptions"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"given": EventLog()}, "given"),
        ({"after": TOKYO.at("2025-10-28 09:00")}, "given"),
        ({"given": [], "after": TOKYO.at("2025-10-28 09:00")}, "EventLog"),
        ({"given": EventLog(), "after": pendulum.naive(2025, 10, 28)}, "after"),
    ],
)
def test_simulate_refuses_bad_arguments(kwargs: dict[str, object], words: str) -> None:
    """simulate() raises InvalidPlanError, naming the argument, for each wrong argument."""
    plan = Plan(Meeting("Summit", "A", TOKYO, TOKYO.at("2025-10-28 10:00"), H(hours=1)))
    with pytest.raises(ItineraryError, match=words):
        simulate(plan, **kwargs)  # type: ignore[arg-type]


def test_simulate_needs_a_plan() -> None:
    """simulate() of a list of steps is an InvalidPlanError."""
    with pytest.raises(InvalidPlanError, match="Plan"):
        simulate([])  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["slip", "start", "end", "cause"])
def test_run_questions_name_unknown_steps(method: str) -> None:
    """Asking a run about a step the plan lacks names the step and lists the known ones."""
    run = simulate(Plan(Meeting("Summit", "A", TOKYO, TOKYO.at("2025-10-28 10:00"), H(hours=1))))
    with pytest.raises(InvalidPlanError, match=r"'Sumit'.*'Summit'"):
        getattr(run, method)("Sumit")


def test_run_late_names_unknown_obligations() -> None:
    """run.late() of an obligation no signing lists names it."""
    run = simulate(NAMED_SIGNING)
    assert run.late("Pact", "pay") is False
    with pytest.raises(InvalidPlanError, match=r"'save'.*'Pact'"):
        run.late("Pact", "save")


def _steps_of(plan: Plan) -> list[Step]:
    return list(plan)


@given(plans(delays=st.none() | delays()))
def test_a_plan_in_any_order_simulates_alike(plan: Plan) -> None:
    """The order steps are listed in changes no run (ties aside, which plans() avoids)."""
    assume(_no_ties(plan))
    reordered = Plan(list(reversed(_steps_of(plan))))
    d = Disruptions(departure=Delay.exponential(H(hours=1)), overrun=Delay.fixed(H(minutes=5)))
    assert simulate(reordered, d, seed=3).slips() == simulate(plan, d, seed=3).slips()


def _no_ties(plan: Plan) -> bool:
    starts = Counter(
        (p, _us(s.start)) for s in plan if not isinstance(s, Fulfilment) for p in s.people
    )
    return all(count == 1 for count in starts.values())


def test_a_plan_compiles_once_per_disruptions() -> None:
    """simulate() reuses a plan's compiled program; a pickled plan leaves its cache behind."""
    import pickle  # noqa: PLC0415

    from itinerary.sim.engine import compiled  # noqa: PLC0415

    plan, shaken = NAMED_SIGNING, Disruptions(fulfilment=Delay.fixed(H(hours=1)))
    first = simulate(plan, shaken, seed=1)
    assert compiled(plan, shaken) is compiled(plan, attrs.evolve(shaken))
    assert compiled(plan, shaken) is not compiled(plan, Disruptions())
    restored = pickle.loads(pickle.dumps(plan))
    assert restored == plan
    assert pickle.dumps(plan) == pickle.dumps(attrs.evolve(plan))  # as one never simulated
    assert compiled(restored, shaken) is not compiled(plan, shaken)  # compiled again there
    assert simulate(restored, shaken, seed=1).log == first.log


def _validated(event: Event) -> Event:
    """*event* built again through its class's converters and validators."""
    return type(event)(**{a.name: getattr(event, a.name) for a in attrs.fields(type(event))})


@given(ANY_PLAN, disruptions(), SEEDS, st.data())
def test_the_engine_builds_the_events_their_constructors_would(
    plan: Plan, disruptions: Disruptions, seed: int, data: st.DataObject
) -> None:
    """Every event of a run and of a branch equals, field by field, its validated rebuild."""
    run = simulate(plan, disruptions, seed=seed)
    branch = simulate(
        plan, disruptions, seed=seed, given=run.log, after=data.draw(_branch_times(run))
    )
    for event in [*run.log, *branch.log]:
        again = _validated(event)
        assert again == event
        for field in _trusted.FIELDS[type(event)]:
            mine, theirs = getattr(event, field), getattr(again, field)
            assert type(mine) is type(theirs), field
            if isinstance(mine, datetime):
                assert mine.isoformat() == theirs.isoformat(), field
                assert mine.tzinfo is theirs.tzinfo, field


def test_the_unchecked_constructors_set_every_field() -> None:
    """_trusted knows every field of every event class, in attrs' order."""
    for cls, fields in _trusted.FIELDS.items():
        assert fields == tuple(a.name for a in attrs.fields(cls)), cls
    assert set(_trusted.FIELDS) == set(EVENT_TYPES)


def _chain(overrun: timedelta, leg_delay: timedelta) -> Plan:
    """A meeting in Tokyo until 12:00, a leg to Busan at 12:30, a meeting there at 16:00."""
    return Plan([
        Meeting("Lunch", "A", TOKYO, TOKYO.at("2025-10-28 11:00"), H(hours=1),
                delay=Delay.fixed(overrun)),
        Travel("A", TOKYO, BUSAN, TOKYO.at("2025-10-28 12:30"), H(hours=2),
               delay=Delay.fixed(leg_delay)),
        Meeting("Talks", "A", BUSAN, BUSAN.at("2025-10-28 15:00"), H(hours=1)),
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("overrun", "leg_delay", "blamed"),
    [
        (H(hours=2), H(), "Lunch"),  # the overrun alone pushes the leg and the talks
        (H(hours=2), H(minutes=10), "Lunch"),  # 90 min inherited beat the leg's own 10
        (H(minutes=40), H(hours=3), "A: Tokyo -> Busan"),  # 10 min inherited, 3 h its own
        (H(), H(hours=1), "A: Tokyo -> Busan"),
    ],
)
def test_the_cause_is_the_larger_delay_along_the_chain(
    overrun: timedelta, leg_delay: timedelta, blamed: str
) -> None:
    """A step keeps the blame if its own delay is larger than what it inherits, else passes it."""
    run = simulate(_chain(overrun, leg_delay))
    assert run.slip("Talks") > H()
    assert run.cause("Talks") == blamed
    assert run.cause("Lunch") is None  # it started on time; its overrun delays what follows


def test_a_plan_keeps_few_compiled_programs() -> None:
    """A sweep over many disruptions keeps only the last few compiled programs on the plan."""
    import gc  # noqa: PLC0415
    import weakref  # noqa: PLC0415

    from itinerary.sim.engine import compiled  # noqa: PLC0415

    plan = _chain(H(), H())
    sweep = [Disruptions(departure=Delay.fixed(H(minutes=minutes))) for minutes in range(1, 30)]
    programs = {}
    for d in sweep:
        simulate(plan, d)
        programs[d] = weakref.ref(compiled(plan, d))
    gc.collect()
    assert sum(program() is not None for program in programs.values()) <= 8
    assert all(compiled(plan, d) is programs[d]() for d in sweep[-8:])  # the last eight, kept
