"""Deterministic synthetic tours: the events the benchmarks measure, and the same facts as tuples.

A workload is several participants moving between the tour's places (departures name their
destination, arrivals follow hours later), meeting whoever is at the same place, signing
agreements with obligations (some ``within=`` a calendar duration, some ``due=`` an instant)
and meeting those obligations later. It is consistent: nobody meets where they are not, and
every obligation met was signed first. A few arrivals are recorded after later events, so
recording order is not occurrence order (replay has to sort, as it does on real logs).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from itinerary import _time
from itinerary.consistency import great_circle_km
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.places import GAZETTEER, Place

PEOPLE = (
    "Donald Trump",
    "Sanae Takaichi",
    "Emperor Naruhito",
    "Anwar Ibrahim",
    "Lee Jae-myung",
    "Xi Jinping",
    "Marco Rubio",
    "Scott Bessent",
)
PLACES: tuple[Place, ...] = tuple(GAZETTEER.values())
START = datetime(2025, 10, 26, tzinfo=UTC)
_MINUTE = 60_000_000

# What happens at each step, by weight: a departure (its arrival follows), a meeting, a
# signing, an obligation met.
_ACTIONS = ("travel", "meeting", "signing", "met")
_WEIGHTS = (35, 45, 10, 10)


def _instant(micros: int, place: Place) -> datetime:
    return place.local(START + timedelta(microseconds=micros))


def _km(a: Place, b: Place) -> float:
    km = great_circle_km(a, b)
    assert km is not None  # the gazetteer's places all have coordinates
    return km


def generate(n: int, *, seed: int = 2025) -> list[Event]:
    """*n* events of a consistent synthetic tour, the same for the same *seed*."""
    return list(_take(_events(random.Random(seed)), n))


def _take(events: Iterator[Event], n: int) -> Iterator[Event]:
    for count, event in enumerate(events):
        if count == n:
            return
        yield event


def _events(rng: random.Random) -> Iterator[Event]:  # noqa: PLR0912, PLR0915 - one simulation loop
    clock = 0
    where: dict[str, Place | None] = {}
    travelling: list[tuple[int, str, Place]] = []  # (arrival micros, who, destination)
    open_obligations: list[tuple[str, str]] = []
    signed = 0
    for who in PEOPLE:
        place = rng.choice(PLACES)
        where[who] = place
        yield Arrived(who, place, _instant(clock, place))
        clock += rng.randint(1, 30) * _MINUTE
    while True:
        clock += rng.randint(5, 90) * _MINUTE
        # Arrivals due by now are recorded now, at the instant they happened.
        landed = [trip for trip in travelling if trip[0] <= clock]
        if landed:
            travelling = [trip for trip in travelling if trip[0] > clock]
            for at, who, place in landed:
                where[who] = place
                yield Arrived(who, place, _instant(at, place))
        present: dict[Place, list[str]] = {}
        for who, place in where.items():
            if place is not None:
                present.setdefault(place, []).append(who)
        if not present:
            continue
        action = rng.choices(_ACTIONS, _WEIGHTS)[0]
        place = rng.choice(list(present))
        here = present[place]
        if action == "travel":
            who = rng.choice(here)
            to = rng.choice([p for p in PLACES if p is not place])
            where[who] = None
            hours = _km(place, to) / 750 + 1 + rng.random()  # airliner speed, plus transfers
            travelling.append((clock + int(hours * 60) * _MINUTE, who, to))
            yield Departed(who, place, _instant(clock, place), to=to)
        elif action == "meeting":
            people = rng.sample(here, rng.randint(1, min(4, len(here))))
            end = clock + rng.randint(30, 180) * _MINUTE
            yield MeetingHeld(
                f"Talks in {place.name}",
                people,
                place,
                _instant(clock, place),
                _instant(end, place),
                venue=rng.choice((None, "State Guest House", "Embassy")),
            )
            clock = end
        elif action == "signing" or not open_obligations:
            signed += 1
            title = f"Agreement {signed}"
            obligations = []
            for k in range(rng.randint(1, 2)):
                what = f"obligation {k + 1}"
                if rng.random() < 0.5:
                    obligation = Obligation(what, within=_time.duration(months=rng.randint(1, 12)))
                else:
                    due = clock + rng.randint(1, 400) * 24 * 60 * _MINUTE
                    obligation = Obligation(what, due=_instant(due, place))
                obligations.append(obligation)
                open_obligations.append((title, what))
            yield AgreementSigned(
                title,
                rng.sample(here, rng.randint(1, min(3, len(here)))),
                place,
                _instant(clock, place),
                obligations=obligations,
            )
        else:
            agreement, what = open_obligations.pop(rng.randrange(len(open_obligations)))
            yield ObligationMet(agreement, what, _instant(clock, rng.choice(PLACES)))


Fact = tuple[Any, ...]


def as_facts(events: Sequence[Event]) -> list[Fact]:
    """The same facts as plain tuples: names, place names and integer microseconds.

    Deadlines are computed here, once (the bare loop is the limit of a fold, not of
    calendar arithmetic): a signing carries ``((what, due_micros), ...)``.
    """
    facts: list[Fact] = []
    for e in events:
        if isinstance(e, Arrived):
            facts.append(("arrived", e.who, e.place.name, _micros(e.at)))
        elif isinstance(e, Departed):
            to = e.to.name if e.to is not None else None
            facts.append(("departed", e.who, e.place.name, _micros(e.at), to))
        elif isinstance(e, MeetingHeld):
            facts.append(
                ("meeting", e.title, e.participants, e.place.name, _micros(e.start), _micros(e.end))
            )
        elif isinstance(e, AgreementSigned):
            dues = tuple((o.what, _micros(o.due_after(e.at, e.place))) for o in e.obligations)
            facts.append(("signed", e.title, e.signatories, e.place.name, _micros(e.at), dues))
        elif isinstance(e, ObligationMet):
            facts.append(("met", e.agreement, e.what, _micros(e.at)))
    return facts


def _micros(value: datetime) -> int:
    delta = value - START
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def delegations(n: int, *, seed: int = 2025) -> list[Event]:
    """*n* arrivals and departures of delegations: groups of 10-100 people sharing each instant.

    Each delegation travels together between the tour's places, so all its members depart at
    one instant and arrive at another, as a delegation stepping off one plane does; a few
    delegations criss-cross the gazetteer at once. Within a group the members are recorded in
    a shuffled order (and a few groups are recorded late), so replay has to break every tie.
    """
    rng = random.Random(seed)
    groups: list[tuple[int, list[str], Place]] = []  # (free from micros, members, where)
    for g in range(rng.randint(3, 6)):
        size = rng.randint(10, 100)
        members = [f"Delegate {g + 1}.{k + 1:03d}" for k in range(size)]
        groups.append((rng.randint(0, 600) * _MINUTE, members, rng.choice(PLACES)))
    events: list[Event] = []
    held: list[Event] = []
    for free, members, place in groups:  # each delegation arrives first, at one instant
        at = _instant(free, place)
        events.extend(Arrived(who, place, at) for who in rng.sample(members, len(members)))
    while len(events) + len(held) < n:
        i = min(range(len(groups)), key=lambda j: groups[j][0])
        free, members, place = groups[i]
        leave = free + rng.randint(60, 48 * 60) * _MINUTE
        to = rng.choice([p for p in PLACES if p is not place])
        land = leave + int((_km(place, to) / 750 + 1) * 60) * _MINUTE
        left, landed = _instant(leave, place), _instant(land, to)
        batch: list[Event] = [Departed(who, place, left, to=to) for who in members]
        rng.shuffle(batch)
        batch += [Arrived(who, to, landed) for who in rng.sample(members, len(members))]
        (held if rng.random() < 0.05 else events).extend(batch)
        if held and rng.random() < 0.5:
            events.extend(held)
            held.clear()
        groups[i] = (land, members, to)
    events.extend(held)
    return events[:n]
