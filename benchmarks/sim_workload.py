"""The simulator's workloads: the Asia tour's plan, a larger synthetic plan, and their delays.

The tour follows examples/asia_tour_2025.toml (facts in examples/asia_tour_2025_facts.md):
their source gives dates but few clock times, so every time and duration marked "assumed" is
ours. The synthetic plan is a summit circuit:
delegations that fly together from city to city, meet in plenaries, bilaterals, their own
delegation meetings and working groups, and sign agreements whose obligations are met months
later. Both are deterministic (no random choice), and both are valid plans.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pendulum

from itinerary.consistency import great_circle_km
from itinerary.events import Obligation
from itinerary.places import BUSAN, GYEONGJU, KUALA_LUMPUR, SEOUL, TOKYO, YOKOSUKA, Place
from itinerary.scenarios import load_scenario
from itinerary.sim import Delay, Disruptions, Fulfilment, Meeting, Plan, Signing, Step, Travel

__all__ = [
    "DISRUPTIONS", "asia_tour", "long_tour", "synthetic", "tour_register", "tour_with_rules",
    "without_rules",
]  # fmt: skip

TRUMP, TAKAICHI, NARUHITO = "Donald Trump", "Sanae Takaichi", "Emperor Naruhito"

# Realistic, assumed: 40% of departures are late, by 30 minutes on average; half of all
# meetings overrun, typically by 15 minutes; one leg in fifty is cancelled and flown a day
# later (the default rebooking).
DISRUPTIONS = Disruptions(
    departure=Delay.exponential(pendulum.duration(minutes=30), p=0.4),
    overrun=Delay.lognormal(pendulum.duration(minutes=15), 0.8, p=0.5),
    cancel=0.02,
)


def tour_with_rules() -> Plan:
    """examples/asia_tour_2025_plan.toml: the tour with a window, two curfews, rest and a drop.

    Without its risk register (no resource, no leg's own cancellation chance): what
    :mod:`benchmarks.simpy_model` models; :func:`tour_register` has the register.
    """
    plan = load_scenario(
        Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025_plan.toml"
    ).plan
    assert plan is not None
    bare = [attrs.evolve(s, uses=(), priority=0) for s in plan.steps]
    bare = [attrs.evolve(s, cancel=None, rebook=None) if isinstance(s, Travel) else s
            for s in bare]  # fmt: skip
    return Plan(bare, plan.title, plan.rules)


def tour_register() -> tuple[Plan, Disruptions]:
    """The tour's plan file's legs and meetings, its risk register and Marine One (no rules).

    What :mod:`benchmarks.simpy_register` models: the plan's legs and meetings with their
    own cancellation chances and the helicopter they share, under the file's disruptions
    (its typhoon over the Korea Strait and its correlated Tokyo motorcades).
    """
    scenario = load_scenario(
        Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025_plan.toml"
    )
    assert scenario.plan is not None
    assert scenario.disruptions is not None
    steps = [attrs.evolve(s, window=None) for s in scenario.plan.steps
             if isinstance(s, Travel | Meeting)]  # fmt: skip
    return Plan(steps, scenario.plan.title, resources=scenario.plan.resources), scenario.disruptions


def without_rules(plan: Plan) -> Plan:
    """*plan* with no window on any step and no ``rules=``: what its rules cost is measured against it."""
    return Plan([attrs.evolve(s, window=None) for s in plan.steps], plan.title)


def _h(**parts: int) -> pendulum.Duration:
    return pendulum.duration(**parts)


def asia_tour() -> Plan:
    """The tour from Kuala Lumpur to Tokyo and on to APEC in Gyeongju: 8 steps, 3 people."""
    return Plan(
        [
            Travel(TRUMP, KUALA_LUMPUR, TOKYO,
                   KUALA_LUMPUR.at("2025-10-27 09:00"),  # assumed
                   _h(hours=6, minutes=30)),  # assumed: lands 16:30 Tokyo time
            Meeting("Meeting with the Emperor", (TRUMP, NARUHITO), TOKYO,
                    TOKYO.at("2025-10-27 18:00"),  # assumed ("evening")
                    _h(minutes=45)),  # assumed
            Meeting("U.S.-Japan summit", (TRUMP, TAKAICHI), TOKYO,
                    TOKYO.at("2025-10-28 10:00"),  # assumed
                    _h(hours=1, minutes=30)),  # assumed
            Signing("Critical minerals", (TRUMP, TAKAICHI), TOKYO,
                    TOKYO.at("2025-10-28 12:00"),  # assumed
                    obligations=[Obligation("fund projects", within=_h(months=6))]),
            Fulfilment("Critical minerals", "fund projects", _h(months=5)),  # assumed
            Travel(TRUMP, TOKYO, BUSAN,
                   TOKYO.at("2025-10-29 10:00"),  # assumed
                   _h(hours=2, minutes=20)),  # assumed
            Travel(TRUMP, BUSAN, GYEONGJU,
                   BUSAN.at("2025-10-29 13:00"),  # assumed
                   _h(minutes=40)),  # assumed
            Meeting("APEC Summit", TRUMP, GYEONGJU,
                    GYEONGJU.at("2025-10-29 15:00"),  # assumed
                    _h(hours=2)),  # assumed
        ],
        title="Asia tour",
    )  # fmt: skip


# The synthetic circuit: every delegation flies to each round's city, then meets there.
_ROUTE = (TOKYO, SEOUL, BUSAN, GYEONGJU, SEOUL, TOKYO, YOKOSUKA, KUALA_LUMPUR)
_HOMES = (KUALA_LUMPUR, SEOUL, BUSAN, GYEONGJU, YOKOSUKA)
_CIRCUIT_START = datetime(2025, 11, 3, tzinfo=UTC)  # 08:00-09:00 across the region
_MINUTE = timedelta(minutes=1)


def _flight(origin: Place, destination: Place) -> timedelta:
    """Block time at 700 km/h plus 40 minutes on the ground, rounded up to 5 minutes."""
    km = great_circle_km(origin, destination)
    assert km is not None  # every place on the circuit has coordinates
    return timedelta(minutes=5 * math.ceil((km / 700 * 60 + 40) / 5))


_AIDES = ("Marco Rubio", "Scott Bessent")  # assumed: who travels with the president
_TOUR_START = datetime(2025, 10, 26, tzinfo=UTC)


def long_tour() -> Plan:
    """A three-person tour of the circuit's eight cities: 36 steps (every time assumed).

    Each day the president and two aides fly together at 08:00 local time to the next city;
    an hour and a half after landing the president and one aide meet their hosts while the
    other aide has a meeting of their own; all three dine at a fixed hour. On the second and
    fifth days the president and the first aide sign an agreement after their meeting, due
    within six months and met after four or five: 8 legs, 24 meetings, 2 signings and 2
    fulfilments.
    """
    president, first, second = TRUMP, *_AIDES
    everyone = (president, first, second)
    steps: list[Step] = []
    where = KUALA_LUMPUR
    for d, city in enumerate(_ROUTE):
        depart = where.local(_TOUR_START + timedelta(days=d)).replace(hour=8, minute=0)
        flight = _flight(where, city)
        steps.append(Travel(everyone, where, city, depart, flight, name=f"Day {d + 1} flight"))
        landed = depart.in_timezone("UTC") + flight
        start = landed + timedelta(minutes=90)
        start -= timedelta(minutes=start.minute % 30, seconds=start.second)
        hour = timedelta(hours=1)
        steps.append(Meeting(f"Day {d + 1} talks", (president, first), city, city.local(start),
                             hour + timedelta(minutes=30)))  # fmt: skip
        steps.append(Meeting(f"Day {d + 1} working meeting", second, city, city.local(start),
                             hour))  # fmt: skip
        dinner = start + timedelta(hours=3)
        steps.append(Meeting(f"Day {d + 1} dinner", everyone, city, city.local(dinner), hour))
        if d in (1, 4):
            title = f"Day {d + 1} agreement"
            signed = start + timedelta(hours=1, minutes=45)
            steps.append(Signing(title, (president, first), city, city.local(signed),
                                 obligations=[Obligation("first projects",
                                                         within=_h(months=6))]))  # fmt: skip
            steps.append(Fulfilment(title, "first projects", _h(months=4 + d % 2)))
        where = city
    return Plan(steps, title="Three-person tour (36 steps)")


def _member(d: int, m: int) -> str:
    return f"Delegation {d + 1} head" if m == 0 else f"Delegation {d + 1} member {m + 1}"


def synthetic(delegations: int = 5, size: int = 10, rounds: int = 8) -> Plan:
    """A summit circuit: with the defaults, 50 people, 40 legs, 60 meetings, 4 signings.

    Each round, every delegation flies (together, 10 minutes apart) from where it is to the
    round's city; an hour after the last arrival, the heads and deputies meet in plenary,
    then bilaterals of neighbouring delegations run beside each delegation's own meeting,
    then (on even rounds) a working group of the other members meets, or (on odd rounds)
    two heads sign an agreement due within six months and met after four or five.
    """
    if not 2 <= delegations <= len(_HOMES) or size < 6 or not 1 <= rounds <= len(_ROUTE):
        raise ValueError("synthetic(): 2-5 delegations of 6 or more, 1-8 rounds")
    steps: list[Step] = []
    members = [tuple(_member(d, m) for m in range(size)) for d in range(delegations)]
    where = list(_HOMES[:delegations])
    for r, city in enumerate(_ROUTE[:rounds]):
        day = _CIRCUIT_START + timedelta(days=r)
        landed = day
        for d in range(delegations):
            depart = day + 10 * d * _MINUTE
            flight = _flight(where[d], city)
            steps.append(Travel(members[d], where[d], city, where[d].local(depart), flight,
                                name=f"Delegation {d + 1} leg {r + 1}"))  # fmt: skip
            landed = max(landed, depart + flight)
            where[d] = city
        start = landed + timedelta(hours=1)
        start -= timedelta(minutes=start.minute % 30, seconds=start.second)  # on the half hour
        start += timedelta(minutes=30)
        slot = [start + timedelta(hours=k) for k in range(4)]
        hour = timedelta(minutes=45)

        def meeting(title: str, people: list[str], k: int, city: Place = city) -> None:
            steps.append(Meeting(title, tuple(people), city, city.local(slot[k]), hour))  # noqa: B023

        meeting(f"Round {r + 1} plenary", [p for d in members for p in d[:2]], 0)
        for k, first in ((1, 0), (2, 1)):
            pairs = [(a, a + 1) for a in range(first, delegations - 1, 2)]
            paired = {x for pair in pairs for x in pair}
            for a, b in pairs:
                meeting(f"Round {r + 1} bilateral {a + 1}-{b + 1}",
                        [*members[a][:3], *members[b][:3]], k)  # fmt: skip
            for d in range(delegations):
                if d not in paired:
                    meeting(f"Round {r + 1} delegation {d + 1}", list(members[d][:5]), k)
        if r % 2 == 0:
            meeting(f"Round {r + 1} working group", [p for d in members for p in d[5:]], 3)
        else:
            a, b = (r // 2) % delegations, (r // 2 + 1) % delegations
            title = f"Round {r + 1} accord"
            due = Obligation("first projects", within=_h(months=6))
            steps.append(Signing(title, (members[a][0], members[b][0]), city,
                                 city.local(slot[3]), obligations=[due]))  # fmt: skip
            steps.append(Fulfilment(title, "first projects", _h(months=4 + r % 3)))
    return Plan(steps, title=f"Synthetic circuit ({delegations}x{size}, {rounds} rounds)")
