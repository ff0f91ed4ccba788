"""Tests for itinerary.sim.resources: steps that share a helicopter, a motorcade, a team."""

from __future__ import annotations

import math
import random

import attrs
import numpy as np
import pendulum
import pytest
from benchmarks.simpy_register import SimpyRegister
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import _time, agenda, replay
from itinerary.consistency import check
from itinerary.errors import InvalidPlanError
from itinerary.places import TOKYO, YOKOSUKA
from itinerary.sim import (
    Curfew,
    Delay,
    Disruptions,
    Fulfilment,
    Meeting,
    Plan,
    Resource,
    Risk,
    Signing,
    Step,
    Travel,
    Window,
    _columnar,
    monte_carlo,
    simulate,
)
from itinerary.sim.engine import compiled
from itinerary.sim.monte_carlo import _scalar_chunk
from itinerary.strategies import delays, disruptions, plans

H = pendulum.duration
HELI = Resource("Marine One")
AT = TOKYO.at("2025-10-28 10:00")


def _lift(who: str, name: str, at: pendulum.DateTime = AT, **kw: object) -> Travel:
    kw.setdefault("uses", ["Marine One"])
    return Travel(who, TOKYO, YOKOSUKA, at, H(minutes=30), name=name, **kw)  # type: ignore[arg-type]


TWO_LIFTS = [_lift("Donald Trump", "Lift 1"), _lift("Scott Bessent", "Lift 2")]


def test_two_lifts_at_once_on_one_helicopter() -> None:
    """Capacity 1: the second lift starts 30 minutes late, held by the resource."""
    run = simulate(Plan(TWO_LIFTS, resources=[HELI]))
    assert run.slip("Lift 1") == H(0)
    assert run.slip("Lift 2") == H(minutes=30)
    assert run.waited("Lift 2") == H(minutes=30)
    assert run.cause("Lift 2") == "Resource: Marine One"
    assert run.cause("Lift 1") is None


def test_a_wait_is_blamed_on_the_resource_that_was_busy() -> None:
    """A lift needing the helicopter and an escort waits for the escort: the escort is blamed.

    Two escorted lifts take both escorts (capacity 2) for 30 minutes; the helicopter is free,
    and of least capacity, but it is not what held the third lift up.
    """
    escort = Resource("Escort", capacity=2)
    first = [_lift(who, f"Escorted {k}", uses=["Escort"])
             for k, who in enumerate(("A", "B"), start=1)]  # fmt: skip
    third = _lift("C", "Lift 3", AT.add(minutes=5), uses=["Marine One", "Escort"])
    run = simulate(Plan([*first, third], resources=[HELI, escort]))
    assert run.waited("Lift 3") == H(minutes=25)
    assert run.cause("Lift 3") == "Resource: Escort"


def test_two_lifts_at_once_on_two_helicopters() -> None:
    """Capacity 2: neither waits."""
    run = simulate(Plan(TWO_LIFTS, resources=[Resource("Marine One", capacity=2)]))
    assert run.slip("Lift 1") == run.slip("Lift 2") == H(0)
    assert run.waited("Lift 2") == H(0)


def test_priority_goes_first_among_steps_ready() -> None:
    """Of two lifts waiting while a third flies, the higher priority flies next."""
    early = _lift("A", "First", AT.subtract(minutes=10))
    low = _lift("B", "Low", AT)
    high = _lift("C", "High", AT.add(minutes=5), priority=2)
    run = simulate(Plan([early, low, high], resources=[HELI]))
    assert run.start("High") == AT.add(minutes=20)
    assert run.start("Low") == AT.add(minutes=50)


def test_first_come_first_served_by_ready_time_not_plan() -> None:
    """A lift planned first but delayed past a later one's start lets the later one go first."""
    late = _lift("A", "Planned first", delay=Delay.fixed(H(hours=1)))
    on_time = _lift("B", "Planned second", AT.add(minutes=15))
    run = simulate(Plan([late, on_time], resources=[HELI]))
    assert run.start("Planned second") == AT.add(minutes=15)
    assert run.start("Planned first") == AT.add(hours=1)
    assert run.cause("Planned first") == "Planned first"


def test_a_wait_passes_down_the_chain() -> None:
    """A step after a lift that waited inherits the resource as its cause."""
    after = Travel("Scott Bessent", YOKOSUKA, TOKYO, AT.add(minutes=40), H(minutes=40), name="Back")
    run = simulate(Plan([*TWO_LIFTS, after], resources=[HELI]))
    assert run.slip("Back") == H(minutes=20)
    assert run.cause("Back") == "Resource: Marine One"


def test_outcomes_say_how_long_each_step_waited() -> None:
    """outcomes.waited is the wait per run; criticality names the resource."""
    outcomes = monte_carlo(Plan(TWO_LIFTS, resources=[HELI]), Disruptions(), runs=20)
    assert outcomes.waited("Lift 2") == (30 * 60 * 1_000_000,) * 20
    assert outcomes.waited("Lift 1") == (0,) * 20
    assert outcomes.criticality("Lift 2") == {"Resource: Marine One": 1.0}


def test_a_resource_is_no_person() -> None:
    """The helicopter appears in no event, no whereabouts, and check() finds nothing."""
    run = simulate(Plan(TWO_LIFTS, resources=[HELI]))
    assert check(run.log) == []
    assert all("Marine One" not in repr(event) for event in run.log)
    assert "Marine One" not in replay(run.log).whereabouts
    assert all("Marine One" not in repr(entry) for entry in agenda(run.log, tz="Asia/Tokyo"))


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Resource(""), "name"),
        (lambda: Resource("Heli", capacity=0), "capacity must be a whole number"),
        (lambda: Resource("Heli", capacity=True), "capacity must be a whole number"),
        (lambda: Plan(TWO_LIFTS), "no resource of the plan"),
        (lambda: Plan(TWO_LIFTS, resources=[HELI, HELI]), "two resources"),
        (lambda: Plan(TWO_LIFTS, resources=["Marine One"]), "not a Resource"),
        (lambda: _lift("A", "x", uses=["H", "H"]), "twice"),
        (lambda: _lift("A", "x", priority=1.5), "integer"),
    ],
)
def test_bad_resources_are_refused(make, match) -> None:  # type: ignore[no-untyped-def]
    """Wrong values raise InvalidPlanError saying what is wrong."""
    with pytest.raises(InvalidPlanError, match=match):
        make()


def test_plans_with_resources_stay_hashable_and_edit() -> None:
    """Resources and uses keep tuples; replace/without/with_ keep the resources."""
    plan = Plan(TWO_LIFTS, resources=iter([HELI]))
    assert plan.resources == (HELI,)
    assert hash(plan) == hash(Plan(TWO_LIFTS, resources=[HELI]))
    assert plan.without("Lift 2").resources == (HELI,)
    assert isinstance(TWO_LIFTS[0].uses, tuple)


@st.composite
def shared_plans(draw: st.DrawFn) -> tuple[Plan, Disruptions]:
    """A plan whose steps share one or two resources, and a register over it."""
    plan = draw(plans(delays=st.none() | delays(), rules=draw(st.booleans())))
    resources = [Resource(f"R{k}", draw(st.integers(1, 2))) for k in range(draw(st.integers(1, 2)))]
    names = [r.name for r in resources]
    steps = [
        attrs.evolve(
            s,
            uses=draw(st.lists(st.sampled_from(names), unique=True, max_size=2)),
            priority=draw(st.integers(-1, 2)),
        )
        for s in plan.steps
    ]
    shared = Plan(steps, plan.title, plan.rules, resources)
    risks = [
        Risk(f"Risk {k}", p=draw(st.floats(0, 1)), delay=draw(delays()),
             steps=draw(st.lists(st.sampled_from(shared.names), min_size=1, unique=True)))
        for k in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    return shared, attrs.evolve(draw(disruptions()), risks=risks)


@settings(max_examples=80, deadline=None)
@given(shared_plans(), st.integers(0, 2**64 - 1))
def test_any_plan_with_resources_runs_to_a_valid_log(
    case: tuple[Plan, Disruptions], seed: int
) -> None:
    """Resources and risks: the log passes check(), names no resource, and causes are known."""
    plan, d = case
    try:
        run = simulate(plan, d, seed=seed)
    except InvalidPlanError as exc:
        assert "no time fits them all" in str(exc), exc  # noqa: PT017 - the one refusal allowed
        return
    assert check(run.log) == []
    held = {r.name for r in plan.resources}
    assert not held & {
        p for e in run.log for p in getattr(e, "participants", (getattr(e, "who", ""),))
    }
    known = {*plan.names, *(r.label for r in d.risks), *(r.label for r in plan.resources)}
    for name in plan.names:
        assert run.cause(name) in known | {None}
        if name not in run.dropped:
            assert run.waited(name) >= H(0)


@settings(max_examples=60, deadline=None)
@given(plans(delays=st.none() | delays(), rules=True) | plans(delays=st.none() | delays()),
       disruptions(), st.integers(0, 2**64 - 1))  # fmt: skip
def test_the_event_queue_equals_the_fold_without_resources(
    plan: Plan, d: Disruptions, seed: int
) -> None:
    """The queued engine (used for resources) gives the fold's trace on any plan without them."""
    program = compiled(plan, d)
    try:
        expected = program.execute(seed)
    except InvalidPlanError:
        with pytest.raises(InvalidPlanError):
            program._execute_queued(seed, None, None)
        return
    assert program._execute_queued(seed, None, None) == expected


def helicopter_plan(seed: int, lifts: int = 3) -> Plan:
    """Two principals, *lifts* helicopter hops each, at random times and priorities."""
    rng = random.Random(seed)
    steps = []
    for who in ("Donald Trump", "Scott Bessent"):
        at, here, there = AT.add(minutes=rng.randrange(60)), TOKYO, YOKOSUKA
        for k in range(lifts):
            steps.append(Travel(who, here, there, at, H(minutes=30), name=f"{who} {k + 1}",
                                uses=["Marine One"], priority=rng.randrange(3)))  # fmt: skip
            at, here, there = at.add(minutes=30 + rng.randrange(90)), there, here
    return Plan(steps, resources=[HELI])


HELI_DELAYS = Disruptions(departure=Delay.exponential(H(minutes=20), p=0.5))


def test_the_simpy_model_with_the_library_draws_agrees_run_by_run() -> None:
    """The SimPy PriorityResource model, fed the library's draws, starts every lift alike."""
    plan = helicopter_plan(7)
    model = SimpyRegister(plan, HELI_DELAYS)
    for seed in range(200):
        run = simulate(plan, HELI_DELAYS, seed=seed)
        found = model.run(seed)
        for name in plan.names:
            start, wait, _ = found[name]
            assert round(start * 1_000_000) == int(run.start(name).timestamp() * 1_000_000)
            assert round(wait * 1_000_000) == run.waited(name).in_seconds() * 1_000_000


def test_waits_agree_with_an_independent_simpy_model() -> None:
    """A random helicopter plan: mean wait and p_late agree with SimPy's own draws (2 SE).

    100,000 runs each; SimPy draws with numpy, the library with its own streams.
    """
    runs = 100_000
    plan = helicopter_plan(21)
    last = plan.names[-1]
    outcomes = monte_carlo(plan, HELI_DELAYS, runs=runs, seed=5)
    ours_wait = np.sum([outcomes.waited(n) for n in plan.names], axis=0) / 1e6
    ours_late = np.array(outcomes.slips(last)) > 0
    model = SimpyRegister(plan, HELI_DELAYS)
    rng = np.random.default_rng(5)
    theirs_wait, theirs_late = np.empty(runs), np.empty(runs, dtype=bool)
    for r in range(runs):
        found = model.run(0, rng)
        theirs_wait[r] = sum(w for _, w, _ in found.values())
        start, _, planned = found[last]
        theirs_late[r] = start > planned
    for ours, theirs in ((ours_wait, theirs_wait), (ours_late, theirs_late)):
        se = math.sqrt(ours.var() / runs + theirs.var() / runs)
        assert abs(ours.mean() - theirs.mean()) < 2 * se
    assert ours_wait.mean() > 60  # the helicopter is contended: the test compares something


@settings(max_examples=150, deadline=None)
@given(shared_plans(), st.integers(0, 2**64 - 1), st.integers(1, 200))
def test_resource_columns_equal_the_scalar_engine(
    case: tuple[Plan, Disruptions], seed: int, runs: int
) -> None:
    """The array engine's queues give the scalar engine's events, to the microsecond."""
    plan, d = case
    program = compiled(plan, d)
    found = _columnar.chunk(program, seed, 0, runs)
    try:
        expected = _scalar_chunk(program, seed, 0, runs)
    except InvalidPlanError:
        assert found is None
        return
    if not program.columnar:
        assert found is None  # the scalar engine's events alone (see Program.columnar)
        assert any(len(s.uses) > 1 or (s.uses and _instant(s)) for s in plan.steps)
        return
    if found is None:  # a Drop's step asked late, or a rule held a step again after its wait
        assert program.asks_late or program.has_rules
        return
    assert found == expected


def _instant(step: Step) -> bool:
    """True for a step that can take no time: a signing, a fulfilment, a meeting of 0 s."""
    return isinstance(step, Signing | Fulfilment) or step.duration == H(0)


def test_a_step_after_a_dropped_one_asks_for_its_resource_once() -> None:
    """A step after one its window drops takes the free resource at once.

    Found on a random seed: it asked twice, and waited a minute for itself.
    """
    from itinerary.places import WASHINGTON  # noqa: PLC0415
    from itinerary.sim import Meeting, Window  # noqa: PLC0415

    at = WASHINGTON.at("2000-04-02 03:00")
    first = Meeting("One", "A", WASHINGTON, at, H(0), window=Window("00:00", "02:00", then="drop"))
    second = Meeting("Two", "A", WASHINGTON, at, H(minutes=1), uses=["R0"])
    run = simulate(Plan([first, second], resources=[Resource("R0")]))
    assert run.dropped == ("One",)
    assert run.waited("Two") == H(0)


def test_a_step_a_drop_may_skip_asks_once_the_drop_is_decided() -> None:
    """A step a Drop may skip asks for its resource once the drop is decided.

    Found on a random seed (the engines disagreed): it asks once the step the drop waits on
    has started, and the array engine leaves runs in which that was late to the events.
    """
    from itinerary.sim import Drop, Meeting  # noqa: PLC0415

    talk = Meeting("Talk", "B", YOKOSUKA, AT.add(minutes=1), H(minutes=2), uses=["Marine One"])
    assert compiled(Plan([talk], resources=[HELI]), Disruptions()).columnar
    leg_first = Plan(
        [_lift("A", "Leg", AT), talk],
        resources=[HELI],
        rules=[Drop(["Talk"], when="Leg", late_by=H(minutes=1))],
    )
    program = compiled(leg_first, Disruptions(departure=Delay.fixed(H(minutes=1))))
    assert program.asks_late == ((0, 1),)
    assert _columnar.chunk(program, 0, 0, 10) is None  # asked after it was ready: the events
    run = simulate(leg_first, Disruptions(departure=Delay.fixed(H(minutes=1))))
    assert run.start("Leg") == AT.add(minutes=1)
    assert run.start("Talk") == AT.add(minutes=31)  # asked after the leg took the helicopter


def test_a_step_that_waited_keeps_its_window() -> None:
    """Found by review: a meeting that waited for the interpreters past 21:00 still started.

    Its window is checked again when the resource comes: held to the next morning.
    """
    team = Resource("Interpreters")
    first = Meeting(
        "Talks A", "A", TOKYO, TOKYO.at("2025-10-28 17:00"), H(hours=3), uses=["Interpreters"]
    )
    second = Meeting("Talks B", "B", TOKYO, TOKYO.at("2025-10-28 17:00"), H(hours=3),
                     uses=["Interpreters"], window=Window("09:00", "21:00"))  # fmt: skip
    plan = Plan([first, second], resources=[team])
    run = simulate(plan)
    assert run.start("Talks B") == TOKYO.at("2025-10-29 09:00")
    assert run.waited("Talks B") == H(hours=3)
    assert run.held("Talks B")
    dropping = attrs.evolve(second, window=Window("09:00", "21:00", then="drop"))
    assert "Talks B" in simulate(Plan([first, dropping], resources=[team])).dropped


def test_a_leg_that_waited_keeps_its_curfew_in_both_engines() -> None:
    """Found by review: a hop that waited for the helicopter landed inside a curfew."""
    hops = [Travel(who, TOKYO, YOKOSUKA, TOKYO.at("2025-10-28 20:00"), H(minutes=90),
                   name=f"hop {who}", uses=["Marine One"]) for who in "AB"]  # fmt: skip
    plan = Plan(hops, rules=[Curfew(YOKOSUKA, "22:00", "06:00")], resources=[HELI])
    assert simulate(plan).start("hop B") == TOKYO.at("2025-10-29 04:30")  # lands at 06:00
    outcomes = monte_carlo(plan, Disruptions(), runs=20)
    assert set(outcomes.slips("hop B")) == {int(H(hours=8, minutes=30).total_seconds() * 1e6)}


@settings(max_examples=60, deadline=None)
@given(shared_plans(), st.integers(0, 2**64 - 1))
def test_no_step_that_waited_breaks_its_window_or_curfews(
    case: tuple[Plan, Disruptions], seed: int
) -> None:
    """Whatever it waited for, a step starts where its window and curfews let it start."""
    plan, d = case
    program = compiled(plan, d)
    try:
        run = simulate(plan, d, seed=seed)
    except InvalidPlanError:
        return
    for op in program.ops:
        step = program.steps[op.i]
        if step.name in run.dropped or not run.waited(step.name):
            continue
        start = _time.micros(run.start(step.name))
        assert program.hold(op, start)[0] == start, step.name


@pytest.mark.parametrize("priority", [2**31, -(2**31), 10**40])
def test_a_priority_too_large_for_the_engines_is_the_library_error(priority: int) -> None:
    """Found by review: priority=10**40 overflowed the array engine's int64 priorities."""
    with pytest.raises(InvalidPlanError, match="priority"):
        Travel("A", TOKYO, YOKOSUKA, AT, H(hours=1), uses=["Marine One"], priority=priority)


def test_a_huge_capacity_is_refused_and_a_large_one_costs_no_more_than_its_users() -> None:
    """Found by review: capacity 10**30 crashed numpy; 20,000 allocated 20,000 rows a chunk."""
    with pytest.raises(InvalidPlanError, match="capacity"):
        Resource("Heli", 10**30)
    hops = [Travel(who, TOKYO, YOKOSUKA, AT, H(hours=1), name=f"hop {who}", uses=["Heli"])
            for who in "AB"]  # fmt: skip
    plan = Plan(hops, resources=[Resource("Heli", 2**31)])
    assert set(monte_carlo(plan, Disruptions(), runs=50).slips("hop B")) == {0}
