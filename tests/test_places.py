"""Tests for itinerary.places: places, the gazetteer, local wall time at a place."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import example, find, given, settings
from hypothesis import strategies as st

from itinerary import (
    AmbiguousLocalTimeError,
    InvalidPlaceError,
    LocalTimeError,
    NonexistentLocalTimeError,
    Place,
    UnknownPlaceError,
    UnknownZoneError,
)
from itinerary._time import micros
from itinerary.places import (
    GAZETTEER,
    KUALA_LUMPUR,
    MAX_GROUND_SPEED_KMH,
    SEOUL,
    TOKYO,
    WASHINGTON,
    faster_than_airliner,
    great_circle_km,
    lookup,
    zone_of,
)
from tests.strategies import walls_near_clock_changes

NEW_YORK = Place("New York", "United States", "America/New_York")


def test_the_gazetteer_covers_the_tour() -> None:
    """The tour's places are built in, each in its country's IANA zone."""
    zones = {name: place.tz for name, place in GAZETTEER.items()}
    assert zones == {
        "Washington": "America/New_York",
        "Kuala Lumpur": "Asia/Kuala_Lumpur",
        "Tokyo": "Asia/Tokyo",
        "Yokosuka": "Asia/Tokyo",
        "Busan": "Asia/Seoul",
        "Gyeongju": "Asia/Seoul",
        "Seoul": "Asia/Seoul",
    }
    assert all(p.lat is not None and p.lon is not None for p in GAZETTEER.values())


def test_a_place_needs_only_a_name_a_country_and_a_zone() -> None:
    """Coordinates are optional; such a place works for local time."""
    nagoya = Place("Nagoya", "Japan", "Asia/Tokyo")
    assert (nagoya.lat, nagoya.lon) == (None, None)
    assert nagoya.at("2025-10-30 09:00").isoformat() == "2025-10-30T09:00:00+09:00"


def test_places_are_frozen_values() -> None:
    """Two places with the same fields are equal and hash alike; fields cannot change."""
    assert Place("Tokyo", "Japan", "Asia/Tokyo", lat=35.6762, lon=139.6503) == TOKYO
    assert hash(Place("Tokyo", "Japan", "Asia/Tokyo", lat=35.6762, lon=139.6503)) == hash(TOKYO)
    with pytest.raises(AttributeError):
        TOKYO.tz = "Asia/Seoul"  # type: ignore[misc]


def test_an_unknown_zone_is_refused_naming_the_place() -> None:
    """A zone that is not in the IANA database raises UnknownZoneError naming the place."""
    with pytest.raises(
        UnknownZoneError, match=r"Place 'Atlantis': 'Ocean/Atlantis' is not an IANA"
    ):
        Place("Atlantis", "Nowhere", "Ocean/Atlantis")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, "name must be a non-empty string"),
        ({"country": "  "}, "country must be a non-empty string"),
        ({"lat": 91.0}, r"lat must be a number in \[-90, 90\]"),
        ({"lon": float("nan")}, "lon must be a number"),
        ({"lat": True}, "lat must be a number"),
    ],
)
def test_bad_place_values_are_refused(kwargs: dict[str, object], match: str) -> None:
    """Empty names and impossible coordinates raise InvalidPlaceError."""
    fields: dict[str, object] = {"name": "X", "country": "Y", "tz": "Asia/Tokyo", **kwargs}
    with pytest.raises(InvalidPlaceError, match=match):
        Place(**fields)  # type: ignore[arg-type]


def test_lookup_finds_a_place_or_lists_the_known_ones() -> None:
    """lookup() returns the gazetteer's place or an error listing what it knows."""
    assert lookup("Seoul") is SEOUL
    with pytest.raises(UnknownPlaceError, match=r"no place called 'Osaka'.*known: Busan, Gyeongju"):
        lookup("Osaka")


def test_at_refuses_the_time_kuala_lumpur_skipped_in_1981() -> None:
    """Kuala Lumpur skipped 23:30-24:00 on 1981-12-31 (+07:30 to +08:00)."""
    with pytest.raises(
        NonexistentLocalTimeError,
        match=r"Kuala Lumpur \(Asia/Kuala_Lumpur\): local time 1981-12-31 23:45 does not exist",
    ):
        KUALA_LUMPUR.at("1981-12-31 23:45")
    assert KUALA_LUMPUR.at("1981-12-31 23:29").isoformat() == "1981-12-31T23:29:00+07:30"
    assert KUALA_LUMPUR.at("1982-01-01 00:00").isoformat() == "1982-01-01T00:00:00+08:00"


def test_at_refuses_the_hour_new_york_repeated_in_november_2025() -> None:
    """New York showed 01:30 twice on 2025-11-02; without a choice that is an error."""
    with pytest.raises(
        AmbiguousLocalTimeError,
        match=r"New York \(America/New_York\): local time 2025-11-02 01:30 happened twice",
    ):
        NEW_YORK.at("2025-11-02 01:30")
    earlier = NEW_YORK.at("2025-11-02 01:30", disambiguate="earlier")
    later = NEW_YORK.at("2025-11-02 01:30", disambiguate="later")
    assert (later - earlier).in_hours() == 1


@pytest.mark.parametrize("local", ["2025-10-28 12:00+09:00", "noon", 1730000000])
def test_at_refuses_what_is_not_a_local_wall_time(local: object) -> None:
    """An offset, text that is not a time, or a number is refused, naming the place."""
    with pytest.raises(LocalTimeError, match="Tokyo"):
        TOKYO.at(local)  # type: ignore[arg-type]


def test_at_refuses_an_aware_datetime() -> None:
    """An aware datetime is already an instant; Place.at() says to use local() instead."""
    with pytest.raises(LocalTimeError, match="already an instant"):
        TOKYO.at(TOKYO.at("2025-10-28 12:00"))


ZONED = [*GAZETTEER.values(), NEW_YORK]


@st.composite
def _walls_and_places(draw: st.DrawFn) -> tuple[datetime, Place]:
    """Any wall time of 1900-2099 at a place, or (as often) one in or next to a gap or a fold."""
    place = draw(st.sampled_from(ZONED))
    anywhere = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2099, 12, 30))
    return draw(anywhere | walls_near_clock_changes(place.tz)), place


@given(_walls_and_places())
@example((datetime(1981, 12, 31, 23, 29), KUALA_LUMPUR))
@example((datetime(2025, 11, 2, 0, 59), WASHINGTON))
@example((datetime(1988, 5, 8, 3, 0), SEOUL))
@example((datetime(2025, 11, 2, 1, 30), WASHINGTON))  # a fold: 01:30 EDT, then 01:30 EST
@example((datetime(1988, 10, 9, 2, 30), SEOUL))  # a fold: 02:30 KDT, then 02:30 KST
@example((datetime(1988, 5, 8, 2, 30), SEOUL))  # a gap
def test_at_round_trips_every_local_wall_time_that_exists(drawn: tuple[datetime, Place]) -> None:
    """A wall time that exists once maps to an instant showing it; one in a fold or gap has two."""
    wall, place = drawn
    try:
        instant = place.at(wall)
    except AmbiguousLocalTimeError:
        earlier, later = (place.at(wall, disambiguate=p) for p in ("earlier", "later"))
        assert micros(earlier) < micros(later)  # fold-aware: == on the two would be True
        assert (earlier.fold, later.fold) == (0, 1)
        for reading in (earlier, later):  # both are real readings of that wall time
            assert _wall(place.local(reading)) == wall
        assert micros(place.at(wall, disambiguate="compatible")) == micros(earlier)
        return
    except NonexistentLocalTimeError:
        earlier, later = (place.at(wall, disambiguate=p) for p in ("earlier", "later"))
        assert micros(earlier) < micros(later)
        assert _wall(earlier) < wall < _wall(later)  # the clocks jumped from before to after it
        assert micros(place.at(wall, disambiguate="compatible")) == micros(later)
        return
    assert _wall(place.local(instant)) == wall
    assert micros(place.at(wall.isoformat(sep=" "))) == micros(instant)
    for policy in ("earlier", "later", "compatible"):
        assert micros(place.at(wall, disambiguate=policy)) == micros(instant)


def _wall(value: datetime) -> datetime:
    """The naive wall time an aware datetime shows."""
    return datetime(
        value.year, value.month, value.day, value.hour, value.minute, value.second,
        value.microsecond,
    )  # fmt: skip


@pytest.mark.parametrize("kind", [AmbiguousLocalTimeError, NonexistentLocalTimeError])
def test_the_round_trip_strategy_reaches_folds_and_gaps(kind: type[LocalTimeError]) -> None:
    """The wall times the round-trip law draws include real folds and gaps at every zone."""
    for place in (WASHINGTON, SEOUL):

        def refused(drawn: tuple[datetime, Place]) -> bool:
            try:
                drawn[1].at(drawn[0])
            except LocalTimeError as exc:
                return type(exc) is kind
            return False

        found = find(
            _walls_and_places().filter(lambda drawn: drawn[1].tz == place.tz),  # noqa: B023
            refused,
            settings=settings(database=None, max_examples=2_000),
        )
        assert found[1].tz == place.tz


def test_local_shows_one_instant_on_each_place_clock() -> None:
    """local() re-expresses an instant in the place's zone without moving it."""
    noon_tokyo = TOKYO.at("2025-10-29 12:00")
    assert KUALA_LUMPUR.local(noon_tokyo).isoformat() == "2025-10-29T11:00:00+08:00"
    assert WASHINGTON.local(noon_tokyo).isoformat() == "2025-10-28T23:00:00-04:00"
    assert KUALA_LUMPUR.local(noon_tokyo) == noon_tokyo


def test_lookup_prefers_the_given_places_and_zone_of_falls_back_to_zones() -> None:
    """lookup() reads the caller's places before the gazetteer; zone_of() also takes a zone."""
    own = {"Tokyo": NEW_YORK}
    assert lookup("Tokyo", own) is NEW_YORK
    assert lookup("Seoul", own) is SEOUL
    assert zone_of("Tokyo", own) == "America/New_York"
    assert zone_of("Europe/Paris", own) == "Europe/Paris"
    with pytest.raises(UnknownZoneError, match="'Osaka' is not an IANA"):
        zone_of("Osaka", own)


HOUR_US = 3_600_000_000


@pytest.mark.parametrize("km", [0.5, 1_149.0, 5_318.0, 15_000.0])
def test_the_speed_rule_is_the_airliners_bound(km: float) -> None:
    """A journey is too fast just above 1,200 km/h on average, not at or below it."""
    at_the_bound = round(km / MAX_GROUND_SPEED_KMH * HOUR_US)
    assert not faster_than_airliner(km, at_the_bound + 1)
    assert faster_than_airliner(km, at_the_bound - 2)


@pytest.mark.parametrize("micros", [0, -1, -HOUR_US])
def test_no_time_at_all_is_too_fast(micros: int) -> None:
    """Any distance covered in no time (or less) is too fast."""
    assert faster_than_airliner(0.001, micros)


@pytest.mark.parametrize("minutes", [265, 266])
def test_check_and_plans_share_the_speed_rule(minutes: int) -> None:
    """A journey ``check()`` reports as too fast is a leg a ``Plan`` refuses, and only then."""
    from itinerary import Arrived, Departed, EventLog, InvalidPlanError, check  # noqa: PLC0415
    from itinerary.sim import Plan, Travel  # noqa: PLC0415

    km = great_circle_km(TOKYO, KUALA_LUMPUR)
    assert km is not None
    too_fast = faster_than_airliner(km, minutes * 60_000_000)
    leave = TOKYO.at("2025-10-27 09:00")
    land = leave.add(minutes=minutes)
    log = EventLog([Departed("A", TOKYO, leave), Arrived("A", KUALA_LUMPUR, land)])
    assert [v.rule for v in check(log)] == (["too-fast"] if too_fast else [])
    leg = Travel("A", TOKYO, KUALA_LUMPUR, leave, land - leave)
    if too_fast:
        with pytest.raises(InvalidPlanError, match="faster than any airliner"):
            Plan([leg])
    else:
        assert len(Plan([leg])) == 1
