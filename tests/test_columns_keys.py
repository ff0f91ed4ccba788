"""The columns' dictionaries keep values "exactly as shown" (``columns._KEYS``): review of issue 26."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import EventLog
from itinerary.events import Arrived
from itinerary.places import TOKYO, Place
from itinerary.store import ArrowStore

START = TOKYO.at("2025-10-27 09:00")
zeros = st.sampled_from((0.0, -0.0))


@example(lats=[0.0, -0.0])
@given(st.lists(zeros, min_size=1, max_size=4))
def test_places_whose_coordinates_show_differently_are_kept_apart(lats: list[float]) -> None:
    """A place at latitude -0.0 is read back from the columns as -0.0, not 0.0.

    ``Place`` keeps the sign (its ``repr`` and the codec's JSON show it); the columns'
    dictionary merges it with an equal place seen first, whose zero has the other sign.
    """
    recorded = [
        Arrived(f"P{k}", Place("Spot", "Nowhere", "Asia/Tokyo", lat=lat, lon=1.0), START)
        for k, lat in enumerate(lats)
    ]
    log = EventLog.from_columns(EventLog(recorded).columns)
    assert [repr(e.place.lat) for e in log] == [repr(lat) for lat in lats]
    grown = EventLog.from_columns(EventLog(recorded[:1]).columns).extend(recorded[1:])
    assert [repr(e.place.lat) for e in EventLog.from_columns(grown.columns)] == [
        repr(lat) for lat in lats
    ]


@given(st.lists(zeros, min_size=1, max_size=4))
def test_an_arrow_store_keeps_the_sign_of_a_zero_coordinate(lats: list[float]) -> None:
    """The Arrow store's loader keys places as the columns do: -0.0 is read back as -0.0."""
    recorded = [
        Arrived(f"P{k}", Place("Spot", "Nowhere", "Asia/Tokyo", lat=lat, lon=1.0), START)
        for k, lat in enumerate(lats)
    ]
    with tempfile.TemporaryDirectory() as folder:
        store = ArrowStore(Path(folder) / "log.arrows")
        store.extend(recorded)
        assert [repr(e.place.lat) for e in store.load()] == [repr(lat) for lat in lats]
