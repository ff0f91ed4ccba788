"""Small strategies for the core's own property tests: arbitrary (not consistent) events.

The public, richer strategies live in ``itinerary.strategies``; these stay deliberately
simple so the core's laws are tested independently of them.

Instants are drawn in week-long windows that each hold a clock change of a gazetteer zone
(New York's fall-back and spring-forward nights of 2025, Seoul's summer time of 1988,
Kuala Lumpur's half-hour jump at the end of 1981), so the order and time-travel laws see
folds, gaps and offsets that change under them. :func:`clock_changes` finds any zone's
changes with the standard library alone, for strategies that aim at them.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pendulum
from hypothesis import strategies as st

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
    _time,
)
from itinerary.places import GAZETTEER

PEOPLE = ("Donald Trump", "Sanae Takaichi", "Anwar Ibrahim", "Lee Jae-myung")
TITLES = ("Trade agreement", "Minerals framework")
TASKS = ("report", "fund projects")
places = st.sampled_from(sorted(GAZETTEER.values(), key=lambda p: p.name))

# Six-day windows (UTC), each holding a clock change of a gazetteer zone: the tour's own
# window first (New York falls back on 2025-11-02), so instants shrink towards it.
WINDOWS = (
    datetime(2025, 10, 28, tzinfo=UTC),  # New York, 2025-11-02: 01:00-02:00 happens twice
    datetime(2025, 3, 5, tzinfo=UTC),  # New York, 2025-03-09: 02:00-03:00 never happens
    datetime(1988, 5, 4, tzinfo=UTC),  # Seoul, 1988-05-08: 02:00-03:00 never happens
    datetime(1988, 10, 5, tzinfo=UTC),  # Seoul, 1988-10-09: 02:00-03:00 happens twice
    datetime(1981, 12, 28, tzinfo=UTC),  # Kuala Lumpur, 1981-12-31: 23:30-24:00 never happens
)

# Instants in one of the windows, on a coarse grid so that ties (same instant) are common.
instants = st.tuples(st.sampled_from(WINDOWS), st.integers(min_value=0, max_value=6 * 24 * 4)).map(
    lambda drawn: drawn[0] + timedelta(minutes=15 * drawn[1])
)


@functools.cache
def clock_changes(
    tz_name: str, first_year: int = 1900, last_year: int = 2099
) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Every change of *tz_name*'s UTC offset in the years given: (UTC instant, before, after).

    Found with :mod:`zoneinfo` alone (a weekly scan, then bisection to the second), so a
    test that aims at the changes does not rely on the library it tests. Two changes less
    than a week apart that cancel out are missed.
    """
    tz = ZoneInfo(tz_name)
    found = []
    step = timedelta(weeks=1)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year, 12, 31, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = min(moment + step, end)
        after = following.astimezone(tz).utcoffset()
        if after != offset:  # bisect: the offset is *offset* at low, another at high
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            changed = high.astimezone(tz).utcoffset()
            found.append((high.replace(microsecond=0), offset, changed))  # on a whole second
            offset, moment = changed, high
        else:
            moment = following
    return tuple(found)  # type: ignore[arg-type]


@st.composite
def walls_near_clock_changes(draw: st.DrawFn, tz_name: str) -> datetime:
    """A naive wall time within an hour of one of *tz_name*'s gaps or folds, or inside it.

    Shrinks towards the first change of the 20th century and the wall time at which the
    clocks change (the first instant of a gap or a fold).
    """
    changes = clock_changes(tz_name)
    at, before, after = draw(st.sampled_from(changes))
    size = abs(after - before)
    start = (at + min(before, after)).replace(tzinfo=None)  # the first wall time of it
    seconds = draw(st.integers(min_value=-3600, max_value=int(size.total_seconds()) + 3600))
    return start + timedelta(seconds=seconds)


@st.composite
def _local(draw: st.DrawFn, place_strategy: st.SearchStrategy = places) -> tuple:  # type: ignore[type-arg]
    place = draw(place_strategy)
    return place, _time.to_zone(draw(instants), place.tz)


@st.composite
def events(draw: st.DrawFn) -> Event:
    """One arbitrary event over the gazetteer, the tour's people and a few titles."""
    place, at = draw(_local())
    kind = draw(st.sampled_from(("arrive", "depart", "meet", "sign", "meet-obligation")))
    who = draw(st.sampled_from(PEOPLE))
    if kind == "arrive":
        return Arrived(who, place, at)
    if kind == "depart":
        return Departed(who, place, at, to=draw(st.none() | places))
    people = tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=3, unique=True)))
    if kind == "meet":
        length = timedelta(minutes=draw(st.integers(min_value=0, max_value=240)))
        return MeetingHeld(
            draw(st.sampled_from(("Summit", "Dinner"))), people, place, at, at + length
        )
    title = draw(st.sampled_from(TITLES))
    if kind == "sign":
        tasks = draw(st.lists(st.sampled_from(TASKS), max_size=2, unique=True))
        months = draw(st.integers(min_value=1, max_value=12))
        return AgreementSigned(
            title,
            people,
            place,
            at,
            obligations=[Obligation(t, within=pendulum.duration(months=months)) for t in tasks],
        )
    return ObligationMet(title, draw(st.sampled_from(TASKS)), at)


event_lists = st.lists(events(), max_size=40)


@st.composite
def delegations(draw: st.DrawFn) -> list[Event]:
    """Delegations stepping off (or boarding) planes: groups of 10-100 people at one instant.

    A few groups, each arriving at or departing from one place at one instant, and some at
    the same instant as another group, in a shuffled recording order. Names are drawn from
    one pool, so a person can be in two groups at one instant (an inconsistent log, whose
    order must still not depend on recording order). Shrinks towards one group of ten
    arrivals.
    """
    pool = [f"Delegate {k:03d}" for k in range(120)]
    groups = draw(st.integers(min_value=1, max_value=4))
    events: list[Event] = []
    moments = draw(st.lists(instants, min_size=1, max_size=2))
    for _ in range(groups):
        size = draw(st.integers(min_value=10, max_value=100))
        start = draw(st.integers(min_value=0, max_value=len(pool) - 1))
        members = [pool[(start + k) % len(pool)] for k in range(size)]
        place = draw(places)
        at = _time.to_zone(draw(st.sampled_from(moments)), place.tz)
        if draw(st.booleans()):
            events += [Arrived(who, place, at) for who in members]
        else:
            to = draw(st.none() | places)
            events += [Departed(who, place, at, to=to) for who in members]
    return draw(st.permutations(events))
