"""The SimPy baseline models what the simulator models: same draws, same starts and ends.

If these fail, the simulator's speed ratios compare different things.
"""

import pendulum
import pytest
from benchmarks.sim_workload import DISRUPTIONS, asia_tour, synthetic, tour_with_rules
from benchmarks.simpy_model import SimpyModel, starts_of

from itinerary import _time
from itinerary.consistency import check
from itinerary.events import Obligation
from itinerary.places import BUSAN, TOKYO
from itinerary.sim import Delay, Disruptions, Fulfilment, Meeting, Plan, Signing, Travel, simulate

# Every kind of delay and step: a signing with its own delay, a fulfilment delay in days, a
# leg cancelled half the time.
HEAVY = Disruptions(
    departure=Delay.exponential(pendulum.duration(hours=2), p=0.7),
    overrun=Delay.lognormal(pendulum.duration(minutes=30), 1.0),
    fulfilment=Delay.exponential(pendulum.duration(days=40)),
    cancel=0.5,
    rebook=pendulum.duration(hours=6),
)


def _signed_late() -> Plan:
    plan = asia_tour()
    signing = plan["Critical minerals"]
    assert isinstance(signing, Signing)
    return plan.replace(
        "Critical minerals",
        Signing(signing.title, signing.signatories, TOKYO, signing.at,
                obligations=signing.obligations, delay=Delay.fixed(pendulum.duration(minutes=20))),
    )  # fmt: skip


PLANS = {
    "asia tour": asia_tour,
    "synthetic": lambda: synthetic(delegations=3, size=6, rounds=4),
    "signed late": _signed_late,
}


def _micros(seconds: float) -> int:
    return round(seconds * 1_000_000)


@pytest.mark.parametrize(
    "disruptions", [DISRUPTIONS, HEAVY, Disruptions()], ids=["realistic", "heavy", "none"]
)
@pytest.mark.parametrize("name", sorted(PLANS))
def test_simpy_starts_equal_the_engines(name, disruptions):
    """For several seeds, every step starts at the same instant in SimPy as in simulate()."""
    plan = PLANS[name]()
    model = SimpyModel(plan, disruptions)
    for seed in (0, 1, 7, 2025, 2**63 + 5):
        starts = starts_of(model.run(seed))
        run = simulate(plan, disruptions, seed=seed)
        assert set(starts) == set(plan.names)
        for step in plan.names:
            assert _micros(starts[step]) == _time.micros(run.start(step)), (seed, step)


@pytest.mark.parametrize("name", sorted(PLANS))
def test_simpy_records_one_tuple_per_event_of_the_log(name):
    """The model's records are the run's events: same count, same kinds, same instants."""
    plan = PLANS[name]()
    model = SimpyModel(plan, HEAVY)
    kinds = {
        "Departed": "departed", "Arrived": "arrived", "MeetingHeld": "meeting",
        "AgreementSigned": "signed", "ObligationMet": "met",
    }  # fmt: skip
    for seed in (3, 11):
        records = model.run(seed)
        log = simulate(plan, HEAVY, seed=seed).log
        assert check(log) == []
        ours = sorted((_micros(r[0]), r[1]) for r in records)
        theirs = sorted((_time.micros(e.occurred_at), kinds[type(e).__name__]) for e in log)
        assert ours == theirs


def test_simpy_meeting_waits_for_the_last_arrival():
    """A meeting after two legs starts when the later leg lands, as the engine says."""
    late = Delay.fixed(pendulum.duration(hours=3))
    plan = Plan([
        Travel("A", BUSAN, TOKYO, BUSAN.at("2025-10-29 08:00"), pendulum.duration(hours=2)),
        Travel("B", BUSAN, TOKYO, BUSAN.at("2025-10-29 08:00"), pendulum.duration(hours=2),
               delay=late),
        Meeting("Talks", ("A", "B"), TOKYO, TOKYO.at("2025-10-29 11:00"),
                pendulum.duration(hours=1)),
        Signing("Deal", ("A", "B"), TOKYO, TOKYO.at("2025-10-29 12:00"),
                obligations=[Obligation("pay", within=pendulum.duration(months=1))]),
        Fulfilment("Deal", "pay", pendulum.duration(weeks=2)),
    ])  # fmt: skip
    starts = starts_of(SimpyModel(plan).run(0))
    talks = TOKYO.at("2025-10-29 13:00").timestamp()
    assert starts["Talks"] == talks
    assert starts["Deal"] == talks + 3600
    assert starts["Deal: pay"] == TOKYO.at("2025-11-12 14:00").timestamp()


def test_simpy_with_rules_starts_and_drops_as_the_engine():
    """The tour's plan with its rules (window, curfews, rest, a drop): same starts, same drops.

    Without its risk register (benchmarks/simpy_register.py models that): no resource, no
    leg's own cancellation chance.
    """
    plan = tour_with_rules()
    assert plan.rules
    heavy = Disruptions(
        departure=Delay.exponential(pendulum.duration(hours=3), p=0.6),
        overrun=Delay.lognormal(pendulum.duration(minutes=40), 0.8, p=0.5),
        cancel=0.05,
    )
    model = SimpyModel(plan, heavy)
    dropped = held = 0
    for seed in range(40):
        starts = starts_of(model.run(seed))
        run = simulate(plan, heavy, seed=seed)
        assert set(starts) == set(plan.names) - set(run.dropped), seed
        for step in starts:
            assert _micros(starts[step]) == _time.micros(run.start(step)), (seed, step)
        dropped += bool(run.dropped)
        held += any(run.held(name) for name in starts)
    assert dropped
    assert held
