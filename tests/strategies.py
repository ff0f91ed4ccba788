"""Small strategies for the core's own property tests: arbitrary (not consistent) events.

The public, richer strategies live in ``itinerary.strategies``; these stay deliberately
simple so the core's laws are tested independently of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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

# Instants over a few days, on a coarse grid so that ties (same instant) are common.
_START = datetime(2025, 10, 25, tzinfo=UTC)
instants = st.integers(min_value=0, max_value=6 * 24 * 4).map(
    lambda quarter: _START + timedelta(minutes=15 * quarter)
)


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
