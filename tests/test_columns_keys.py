"""The columns' dictionaries keep values "exactly as shown" (``columns._KEYS``): review of issue 26."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import EventLog
from itinerary.events import Arrived
from itinerary.places import TOKYO, Place

START = TOKYO.at("2025-10-27 09:00")
zeros = st.sampled_from((0.0, -0.0))


@pytest.mark.xfail(
    strict=True,
    reason="columns._place_key compares coordinates with ==, so 0.0 and -0.0 are one entry "
    "(fix in columns.py, owned by the fields helper: key a float coordinate by its sign too)",
)
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
