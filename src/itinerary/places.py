"""Places, the built-in gazetteer, and local wall time at a place.

A :class:`Place` knows its IANA zone, so a local wall time written at a place names one exact
instant, or raises if the clocks there skipped or repeated that time:

>>> from itinerary.places import TOKYO
>>> TOKYO.at("2025-10-28 12:00").isoformat()
'2025-10-28T12:00:00+09:00'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TypeGuard

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary._table import Table
from itinerary._time import Disambiguate
from itinerary.errors import InvalidPlaceError, LocalTimeError, UnknownPlaceError, UnknownZoneError

__all__ = [
    "BUSAN",
    "EARTH_RADIUS_KM",
    "GAZETTEER",
    "GYEONGJU",
    "KUALA_LUMPUR",
    "MAX_GROUND_SPEED_KMH",
    "SEOUL",
    "TOKYO",
    "WASHINGTON",
    "YOKOSUKA",
    "Place",
    "degrees",
    "faster_than_airliner",
    "great_circle_km",
    "lookup",
    "zone_of",
]


def _check_name(_: Place, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPlaceError(f"Place.{attribute.name} must be a non-empty string, got {value!r}")


def _check_tz(instance: Place, _: attrs.Attribute[str], value: str) -> None:
    try:
        _time.check_zone(value)
    except UnknownZoneError as exc:
        raise UnknownZoneError(f"Place {instance.name!r}: {exc}") from None


def degrees(value: object, limit: float) -> TypeGuard[float]:
    """Whether *value* is a finite number of degrees from -*limit* to *limit* (not a bool).

    The one rule for coordinates: a place's ``lat`` (limit 90) and ``lon`` (limit 180).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    # An int is compared as it is: math.isfinite() of a huge one raises OverflowError.
    return (isinstance(value, int) or math.isfinite(value)) and -limit <= value <= limit


def _check_coordinate(
    limit: float,
) -> Callable[[Place, attrs.Attribute[float | None], float | None], None]:
    def check(instance: Place, attribute: attrs.Attribute[float | None], value: object) -> None:
        if value is not None and not degrees(value, limit):
            raise InvalidPlaceError(
                f"Place {instance.name!r}: {attribute.name} must be a number "
                f"in [-{limit}, {limit}], got {value!r}"
            )

    return check


@attrs.frozen
class Place:
    """A named place in a country, with its IANA time zone and optional coordinates.

    Args:
        name: How people call it, e.g. ``"Tokyo"``.
        country: The country it is in, e.g. ``"Japan"``.
        tz: Its IANA zone name, e.g. ``"Asia/Tokyo"``; anything else raises
            :class:`~itinerary.errors.UnknownZoneError`.
        lat: Latitude in degrees, or ``None`` if not known.
        lon: Longitude in degrees, or ``None`` if not known.

    >>> Place("Nagoya", "Japan", "Asia/Tokyo").at("2025-10-30 09:00").isoformat()
    '2025-10-30T09:00:00+09:00'

    """

    name: str = attrs.field(validator=_check_name)
    country: str = attrs.field(validator=_check_name)
    tz: str = attrs.field(validator=_check_tz)
    lat: float | None = attrs.field(default=None, kw_only=True, validator=_check_coordinate(90))
    lon: float | None = attrs.field(default=None, kw_only=True, validator=_check_coordinate(180))

    def at(self, local: str | datetime, *, disambiguate: Disambiguate = "raise") -> DateTime:
        """The instant at which local clocks here showed the wall time *local*.

        *local* is ``"YYYY-MM-DD HH:MM[:SS]"`` or a naive :class:`~datetime.datetime`, read as
        the wall time here. A wall time the clocks here skipped raises
        :class:`~itinerary.errors.NonexistentLocalTimeError`; one they showed twice raises
        :class:`~itinerary.errors.AmbiguousLocalTimeError`; *disambiguate* chooses instead
        (see :data:`itinerary.Disambiguate`).

        >>> from itinerary.places import KUALA_LUMPUR
        >>> KUALA_LUMPUR.at("1981-12-31 23:45")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        itinerary.errors.NonexistentLocalTimeError: Kuala Lumpur (Asia/Kuala_Lumpur): local time 1981-12-31 23:45 does not exist there: ...
        """
        where = f"{self.name} ({self.tz})"
        if isinstance(local, str):
            wall = _time.parse_wall_time(local, where=where)
        elif isinstance(local, datetime):
            if local.tzinfo is not None:
                raise LocalTimeError(
                    f"{where}: Place.at() takes a local wall time; {local.isoformat()} is "
                    "already an instant (use place.local(instant) to see it here)"
                )
            wall = local
        else:
            raise LocalTimeError(
                f"{where}: Place.at() takes 'YYYY-MM-DD HH:MM' or a naive datetime, "
                f"got {type(local).__name__}"
            )
        return _time.resolve(wall, self.tz, disambiguate=disambiguate, where=where)

    def local(self, instant: datetime) -> DateTime:
        """The same *instant*, as local clocks here showed it.

        >>> from itinerary.places import SEOUL, TOKYO
        >>> SEOUL.local(TOKYO.at("2025-10-29 12:00")).isoformat()
        '2025-10-29T12:00:00+09:00'
        """
        return _time.to_zone(_time.instant(instant, what=f"{self.name}.local()"), self.tz)

    def __str__(self) -> str:
        return self.name

    def _repr_html_(self) -> str:
        """Name, country, zone and coordinates as an HTML table (for notebooks)."""
        return place_table(self).html()


def place_table(place: Place) -> Table:
    """One place: name, country, zone, coordinates."""
    where = "" if place.lat is None or place.lon is None else f"{place.lat}, {place.lon}"
    return Table(
        None,
        ("place", "country", "zone", "lat, lon"),
        [(place.name, place.country, place.tz, where)],
    )


WASHINGTON = Place("Washington", "United States", "America/New_York", lat=38.9072, lon=-77.0369)
"""Washington, D.C., United States (``America/New_York``)."""

KUALA_LUMPUR = Place("Kuala Lumpur", "Malaysia", "Asia/Kuala_Lumpur", lat=3.1390, lon=101.6869)
"""Kuala Lumpur, Malaysia (``Asia/Kuala_Lumpur``)."""

TOKYO = Place("Tokyo", "Japan", "Asia/Tokyo", lat=35.6762, lon=139.6503)
"""Tokyo, Japan (``Asia/Tokyo``)."""

YOKOSUKA = Place("Yokosuka", "Japan", "Asia/Tokyo", lat=35.2813, lon=139.6722)
"""Yokosuka, Japan (``Asia/Tokyo``)."""

BUSAN = Place("Busan", "South Korea", "Asia/Seoul", lat=35.1796, lon=129.0756)
"""Busan, South Korea (``Asia/Seoul``)."""

GYEONGJU = Place("Gyeongju", "South Korea", "Asia/Seoul", lat=35.8562, lon=129.2247)
"""Gyeongju, South Korea (``Asia/Seoul``)."""

SEOUL = Place("Seoul", "South Korea", "Asia/Seoul", lat=37.5665, lon=126.9780)
"""Seoul, South Korea (``Asia/Seoul``)."""

GAZETTEER: Mapping[str, Place] = MappingProxyType(
    {
        place.name: place
        for place in (WASHINGTON, KUALA_LUMPUR, TOKYO, YOKOSUKA, BUSAN, GYEONGJU, SEOUL)
    }
)
"""The built-in places, by name (read-only)."""


def lookup(name: str, places: Mapping[str, Place] | None = None) -> Place:
    """The place called *name*: one of *places* if given, else the gazetteer's.

    Raises :class:`UnknownPlaceError` listing the names it knows.

    >>> lookup("Gyeongju").tz
    'Asia/Seoul'
    """
    found = places.get(name) if places is not None else None
    if found is None:
        found = GAZETTEER.get(name)
    if found is None:
        known = ", ".join((*sorted(places or ()), *sorted(GAZETTEER)))
        raise UnknownPlaceError(f"no place called {name!r}; known: {known}")
    return found


def zone_of(name: str, places: Mapping[str, Place] | None = None) -> str:
    """The zone of the place called *name* (see :func:`lookup`), or *name* if it is a zone.

    Raises :class:`UnknownZoneError` if it is neither.

    >>> zone_of("Seoul"), zone_of("Asia/Tokyo")
    ('Asia/Seoul', 'Asia/Tokyo')
    """
    try:
        return lookup(name, places).tz
    except UnknownPlaceError:
        return _time.check_zone(name)


MAX_GROUND_SPEED_KMH = 1_200.0
"""The fastest average ground speed a journey may have, 1,200 km/h.

A journey is judged from departure to arrival over the great-circle distance, so the bound is
on *average* ground speed, tailwinds included. Airliners cruise at 850-950 km/h airspeed; a
jet stream can add 300 km/h or more. The fastest subsonic airliner crossing on record (BA112,
a Boeing 747, New York JFK to London Heathrow on 8-9 February 2020, 5,540 km in 4 h 56 min
wheels-up to wheels-down, peaking at 1,327 km/h ground speed in a 320 km/h jet stream)
averaged about 1,120 km/h. 1,200 km/h leaves a margin above that record while still catching
any journey that needed a faster aircraft than exists. Supersonic airliners are not
covered: Concorde (1976-2003) averaged about 1,900 km/h on its record crossing, so a
historic tour that used it will be reported; filter out the ``"too-fast"`` violations there.
"""

EARTH_RADIUS_KM = 6_371.0088
"""The Earth's mean radius (IUGG), used for great-circle distances."""

_MICROS_PER_HOUR = 3_600_000_000


def great_circle_km(a: Place, b: Place) -> float | None:
    """The great-circle distance between two places in km, or ``None`` without coordinates.

    >>> from itinerary.places import TOKYO, SEOUL
    >>> round(great_circle_km(TOKYO, SEOUL))
    1149
    """
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def faster_than_airliner(km: float, micros: int) -> bool:
    """Whether covering *km* in *micros* microseconds beats :data:`MAX_GROUND_SPEED_KMH`.

    The one speed rule: a journey of a scenario (:func:`itinerary.consistency.check`) or a
    plan's leg (:class:`itinerary.sim.Plan`) that takes no time at all, or less than the
    fastest airliner would, cannot have happened.

    >>> faster_than_airliner(great_circle_km(TOKYO, SEOUL), 60 * 60 * 1_000_000)
    False
    >>> faster_than_airliner(great_circle_km(TOKYO, SEOUL), 30 * 60 * 1_000_000)
    True
    """
    return not (micros > 0 and km <= MAX_GROUND_SPEED_KMH * micros / _MICROS_PER_HOUR)
