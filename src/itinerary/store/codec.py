"""Events to plain data and back, with a schema version per event type and upcasters.

A :class:`Codec` turns an event into a *record*: the event type's name, the schema version
of its shape, and a dict of JSON-ready values (built by cattrs, not by per-field code).
Instants are stored as ``[microseconds since the epoch, zone name]``, so loading never parses
a date string: it adds an integer to the epoch and converts to a cached zone. Durations keep
their calendar parts (six months stays six months, not 180 days).

>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> codec = Codec()
>>> kind, schema, data = codec.encode(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")))
>>> kind, schema, data["at"]
('Arrived', 1, [1761552000000000, 'Asia/Tokyo'])
>>> codec.decode(kind, schema, data).at.isoformat()
'2025-10-27T17:00:00+09:00'

An older stored shape is brought up to date by an *upcaster* registered for its type and
version: a function from the old dict to the dict of the next version.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeAlias

import attrs
import cattrs
from pendulum import DateTime, Duration, Timezone

from itinerary import _time, _trusted
from itinerary.columns import Rows
from itinerary.errors import ItineraryError, StoreError
from itinerary.events import (
    _SET_US,
    EVENT_TYPES,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.places import Place

__all__ = [
    "SCHEMA_VERSIONS",
    "Codec",
    "Record",
    "Upcaster",
    "decode_instant",
    "encode_instant",
]

Record: TypeAlias = tuple[str, int, dict[str, Any]]
"""An encoded event: ``(type name, schema version, JSON-ready data)``."""

Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns the data of one schema version of an event type into the data of the next."""

SCHEMA_VERSIONS: Mapping[str, int] = {cls.__name__: 1 for cls in EVENT_TYPES}
"""The schema version the built-in event types are written with today (a :class:`Codec`'s
default): raise one when its type's shape changes, and register an upcaster from the old.
"""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_instant(value: datetime) -> list[Any]:
    """``[microseconds since the epoch, zone name]`` for an aware datetime.

    >>> from itinerary.places import SEOUL
    >>> encode_instant(SEOUL.at("2025-10-29 12:00"))
    [1761706800000000, 'Asia/Seoul']
    """
    # An IANA zone by name; any other tzinfo by its fixed offset, "+HH:MM[:SS]".
    return [_time.micros(value), _time.zone_name(value) or _time.format_offset(value)]


_OFFSET = re.compile(r"([+-])([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")


@functools.cache
def _fixed(name: str) -> tzinfo:
    """The fixed offset ``"+HH:MM[:SS]"`` (as :func:`encode_instant` writes it) as a tzinfo.

    Nothing else is read as an offset (``%z`` would take ``"+1:2:3:4"`` or ``"+0900"``):
    raises ValueError.
    """
    found = _OFFSET.fullmatch(name)
    if found is None or (found[4] == "00"):  # whole minutes are written without ":00"
        raise ValueError(f"{name!r} is not an offset written as +HH:MM or +HH:MM:SS")
    sign, hours, minutes, seconds = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return timezone(-delta if sign == "-" else delta)


def decode_instant(value: Any) -> DateTime:
    """The instant that :func:`encode_instant` wrote, in the same zone.

    >>> decode_instant([1761706800000000, "Asia/Seoul"]).isoformat()
    '2025-10-29T12:00:00+09:00'

    Anything else (a float or a boolean for the microseconds, a missing zone) raises
    :class:`~itinerary.errors.StoreError`.
    """
    try:
        us, name = value
    except (TypeError, ValueError):
        us = name = None
    if type(us) is not int or type(name) is not str or not name or type(value) is dict:
        raise StoreError(
            f"a stored instant must be [integer microseconds since 1970, zone name], found {value!r}"
        )
    if name[0] in "+-":
        try:
            local = (_EPOCH + timedelta(microseconds=us)).astimezone(_fixed(name))
        except (OverflowError, ValueError) as exc:
            raise StoreError(
                f"a stored instant [{us}, {name!r}] is not an instant ({exc})"
            ) from None
        return _time.instant(local, what="stored instant")
    try:
        return _time.from_micros(us, name)  # a cached zone: no parsing, no lookup after the first
    except ItineraryError as exc:  # an unknown zone, or outside the years 1-9999
        raise StoreError(f"a stored instant [{us}, {name!r}] is not an instant: {exc}") from None


def _encode_duration(value: timedelta) -> dict[str, int]:
    if isinstance(value, Duration):
        # Calendar parts, then elapsed time, as they add to a date (36 hours stay 36 hours).
        names = ("years", "months", "days", "seconds", "microseconds")
        parts = dict(zip(names, _time.duration_parts(value), strict=True))
        return {k: v for k, v in parts.items() if v} | {"calendar": 1}
    parts = {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
    return {k: v for k, v in parts.items() if v}


_DURATION_KEYS = frozenset({"years", "months", "days", "seconds", "microseconds", "calendar"})
_ELAPSED_KEYS = frozenset({"days", "seconds", "microseconds"})


def _decode_duration(value: Any, _: object = None) -> timedelta:
    """A duration as :func:`_encode_duration` wrote it: integer parts, nothing else."""
    if type(value) is not dict:
        raise TypeError(f"expected a duration as an object of integer parts, found {value!r}")
    calendar = value.get("calendar")
    keys = _DURATION_KEYS if calendar == 1 else _ELAPSED_KEYS | {"calendar"}
    wrong = [k for k, v in value.items() if k not in keys or type(v) is not int]
    if wrong or ("calendar" in value and calendar != 1):
        raise TypeError(
            f"expected a duration as integer parts ({', '.join(sorted(_DURATION_KEYS))}), "
            f"found {value!r}"
        )
    if calendar:
        return _time.duration(
            years=value.get("years", 0),
            months=value.get("months", 0),
            days=value.get("days", 0),
            seconds=value.get("seconds", 0),
            microseconds=value.get("microseconds", 0),
        )
    return timedelta(
        days=value.get("days", 0),
        seconds=value.get("seconds", 0),
        microseconds=value.get("microseconds", 0),
    )


def _encode_place(place: Place) -> list[Any]:
    return [place.name, place.country, place.tz, place.lat, place.lon]


@functools.lru_cache(maxsize=4096)
def _place(name: str, country: str, tz: str, lat: float | None, lon: float | None) -> Place:
    return Place(name, country, tz, lat=lat, lon=lon)


_PLACES: dict[tuple[Any, ...], Place] = {}


def _decode_place(value: Any, _: object = None) -> Place:
    """``[name, country, zone, lat, lon]``: strings, and numbers or nulls, nothing else."""
    if type(value) is list:
        key = (*value, *map(type, value))  # 1 and 1.0 and True are equal keys: add types
        found = _PLACES.get(key)
        if found is not None:
            return found
    if (
        type(value) is not list
        or len(value) != 5
        or any(type(item) is not str for item in value[:3])
        or any(item is not None and type(item) not in (int, float) for item in value[3:])
    ):
        raise TypeError(f"expected a place as [name, country, zone, lat, lon], found {value!r}")
    place = _place(*value)
    if len(_PLACES) < 4096:
        _PLACES[key] = place
    return place


def _decode_text(value: Any, _: object = None) -> str:
    """A JSON string as itself; anything else is refused (cattrs would ``str()`` it)."""
    if type(value) is not str:
        raise TypeError(f"expected a string, found {type(value).__name__} {value!r}")
    return value


def _decode_names(value: Any, _: object = None) -> tuple[str, ...]:
    """A JSON array of strings as a tuple; a lone string is not split into letters."""
    if type(value) is not list or any(type(item) is not str for item in value):
        raise TypeError(f"expected an array of names, found {value!r}")
    return tuple(value)


def _people(value: Any) -> tuple[str, ...]:
    """Names as the events' validators take them: at least one, each non-empty, none twice.

    The row builders' check, run once per distinct group of names (they cache the groups).
    """
    found = _decode_names(value)
    if not found or len(set(found)) != len(found) or not all(name.strip() for name in found):
        raise ValueError(f"not names of distinct people: {value!r}")
    return found


_OBLIGATIONS = attrs.fields(AgreementSigned).obligations
"""The field whose validator checks a signing's obligations (none twice; dues computable)."""


_REACH: dict[int, tuple[Obligation, int]] = {}
"""``{id(obligation): (obligation, the most microseconds its 'within' can add)}``."""
_DAY_US = 86_400_000_000


def _reach(obligation: Obligation) -> int:
    """At most how many microseconds after a signing *obligation*'s deadline can fall."""
    found = _REACH.get(id(obligation))
    if found is None or found[0] is not obligation:
        if obligation.within is None:
            reach = 0
        else:
            years, months, days, seconds, micros = _time.duration_parts(obligation.within)
            # A year is at most 366 days, a month 31; two days more for any change of offset.
            reach = (abs(years) * 366 + abs(months) * 31 + abs(days) + 2) * _DAY_US + (
                abs(seconds) * 1_000_000 + abs(micros)
            )
        if len(_REACH) >= 4096:
            _REACH.clear()
        found = _REACH[id(obligation)] = (obligation, reach)
    return found[1]


def _check_duties(event: AgreementSigned, obligations: tuple[Obligation, ...], us: int) -> None:
    """Refuse (as the constructor would) obligations listed twice or due past the calendar.

    *us* is the signing's instant. Cheap for what a store holds: the obligations' own
    validator (which computes every deadline) runs only if two share a name or a deadline
    may fall past the calendar's end; otherwise nothing can fail, and replay computes the
    deadlines when it needs them.
    """
    if not obligations:
        return
    suspect = len(obligations) > 1 and len({o.what for o in obligations}) != len(obligations)
    if not suspect:
        limit = _time.LAST_INSTANT_US - us
        suspect = any(_reach(o) >= limit for o in obligations)
    if suspect:
        _OBLIGATIONS.validator(event, _OBLIGATIONS, obligations)  # type: ignore[misc]


def _converter() -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=False)
    converter.register_unstructure_hook(DateTime, encode_instant)
    converter.register_structure_hook(DateTime, lambda v, _: decode_instant(v))
    converter.register_unstructure_hook(timedelta, _encode_duration)
    converter.register_structure_hook(timedelta, _decode_duration)
    converter.register_structure_hook(str, _decode_text)
    converter.register_structure_hook_func(lambda kind: kind == tuple[str, ...], _decode_names)
    converter.register_unstructure_hook(Place, _encode_place)
    converter.register_structure_hook(Place, _decode_place)
    return converter


_BUILT_IN = {cls.__name__: cls for cls in EVENT_TYPES}


def _fast_builders(
    obligation: Callable[[Any], Obligation],
) -> dict[str, Callable[[Any], Event]]:
    """Builders of the built-in events from today's records, checking JSON types only."""
    place = _decode_place
    zone = _time.zone
    first, last = _time.FIRST_INSTANT_US, _time.LAST_INSTANT_US
    local_instant = _time.local_instant

    def at(value: Any) -> DateTime:
        us, name = value
        if type(us) is not int or type(name) is not str or not first <= us <= last:
            raise TypeError(value)
        if name[:1] in ("+", "-"):
            return decode_instant(value)
        return local_instant(us, zone(name))

    def text(value: Any) -> str:
        if type(value) is not str or not value.strip():  # as the events' validators require
            raise TypeError(value)
        return value

    def optional_text(value: Any) -> str | None:
        return None if value is None else text(value)

    names = _people

    def arrived(d: Any) -> Event:
        return _trusted.arrived(text(d["who"]), place(d["place"]), at(d["at"]))

    def departed(d: Any) -> Event:
        to = d["to"]
        return _trusted.departed(
            text(d["who"]), place(d["place"]), at(d["at"]), None if to is None else place(to)
        )

    def meeting(d: Any) -> Event:
        start, end = at(d["start"]), at(d["end"])
        if _time.micros(end) < _time.micros(start):
            raise ValueError("a meeting ends before it starts")
        return _trusted.meeting_held(
            text(d["title"]), names(d["participants"]), place(d["place"]), start, end,
            optional_text(d["venue"]),
        )  # fmt: skip

    def agreement(d: Any) -> Event:
        obligations = d["obligations"]
        if type(obligations) is not list:
            raise TypeError(obligations)
        duties = tuple(obligation(o) for o in obligations)
        signed = at(d["at"])
        event = _trusted.agreement_signed(
            text(d["title"]), names(d["signatories"]), place(d["place"]), signed,
            optional_text(d["venue"]), duties,
        )  # fmt: skip
        _check_duties(event, duties, _time.micros(signed))
        return event

    def met(d: Any) -> Event:
        return _trusted.obligation_met(text(d["agreement"]), text(d["what"]), at(d["at"]))

    return {
        "Arrived": arrived,
        "Departed": departed,
        "MeetingHeld": meeting,
        "AgreementSigned": agreement,
        "ObligationMet": met,
    }


def _duties_decoder(
    obligation: Callable[[Any], Obligation],
) -> Callable[[Any], tuple[Obligation, ...]]:
    """A decoder of a row's obligations (``[[what, within, due], ...]``), each built once."""
    obligations: dict[tuple[Any, ...], Obligation] = {}

    def duties(value: Any) -> tuple[Obligation, ...]:
        if type(value) is not list:
            raise TypeError(value)
        out = []
        for item in value:
            if type(item) is not list:
                raise TypeError(item)
            what, within, due = item
            # Numbers with their types: 6 and 6.0 are equal keys, but only 6 is a duration.
            key = (
                what,
                None if type(within) is not dict else (*within.items(), *map(type, within.values())),
                None if type(due) is not list else (*due, *map(type, due)),
                type(within),
                type(due),
            )  # fmt: skip
            found = obligations.get(key)
            if found is None:  # built checked, once
                found = obligation({"what": what, "within": within, "due": due})
                if len(obligations) < 4096:
                    obligations[key] = found
            out.append(found)
        return tuple(out)

    return duties


def _column_rows(  # noqa: PLR0915 - one closure per type, sharing the caches
    obligation: Callable[[Any], Obligation], table: list[Entry], raw: Sequence[Any], rows: Rows
) -> dict[str, Callable[[list[Any]], None]]:
    """Appenders of today's built-in rows to *rows*, by type name, for one store's dictionary.

    Each takes a parsed positional row (as :meth:`Codec.dumps_row` writes it) and adds its
    values as ids, checking exact types and what the row builders check (text not empty,
    people distinct, meetings ending after they start, instants in range); anything else
    raises (TypeError, ValueError, IndexError, KeyError), and the caller decodes the row
    another way. *table* and *raw* are the store's dictionary, decoded and as parsed.
    """
    first, last = _time.FIRST_INSTANT_US, _time.LAST_INSTANT_US
    zones: dict[int, int] = {}
    places: dict[int, int] = {}
    texts: dict[str, int] = {}
    groups: dict[tuple[str, ...], int] = {}
    duties = _duties_decoder(obligation)

    def zone(i: int) -> int:
        found = zones.get(i)
        if found is None:
            if type(i) is not int or not 0 < i < len(table) or type(raw[i]) is not str:
                raise TypeError(i)
            if not isinstance(table[i], tzinfo):
                raise TypeError(i)
            found = zones[i] = rows.zone(raw[i])
        return found

    def place(i: int) -> int:
        found = places.get(i)
        if found is None:
            if type(i) is not int or not 0 < i < len(table) or type(table[i]) is not Place:
                raise TypeError(i)
            found = places[i] = rows.place(table[i])
        return found

    def text(value: Any) -> int:
        found = texts.get(value)
        if found is None:
            if type(value) is not str or not value.strip():
                raise TypeError(value)
            found = texts[value] = rows.text(value)
        return found

    def optional_text(value: Any) -> int:
        return -1 if value is None else text(value)

    def group(value: Any) -> int:
        if type(value) is not list:
            raise TypeError(value)
        key = tuple(value)
        found = groups.get(key)
        if found is None:
            found = groups[key] = rows.group(_people(value))
        return found

    def instant(us: Any) -> int:
        if type(us) is not int or not first <= us <= last:
            raise TypeError(us)
        return us

    known: dict[tuple[int, ...], int] = {}  # by the ids of the obligations (kept alive)

    def duty_ids(value: Any) -> int:
        found = duties(value)
        key = tuple(map(id, found))  # each decoded once: the same objects, row after row
        got = known.get(key)
        if got is None:
            got = known[key] = rows.duties(found)
        return got

    add = rows.add
    arrived, departed, meeting, signed, met = range(5)  # kind codes: EVENT_TYPES' order

    def add_arrived(r: list[Any]) -> None:
        who, where, us, tz = r
        add(arrived, instant(us), zone(tz), text(who), place(where))

    def add_departed(r: list[Any]) -> None:
        who, where, us, tz, to = r
        add(departed, instant(us), zone(tz), text(who), place(where),
            -1 if to is None else place(to))  # fmt: skip

    def add_meeting(r: list[Any]) -> None:
        title, people, where, us, tz, end_us, end_tz, venue = r
        if instant(end_us) < instant(us):
            raise ValueError("a meeting ends before it starts")
        add(meeting, us, zone(tz), text(title), place(where), end=end_us,
            end_zone=zone(end_tz), venue=optional_text(venue), people=group(people))  # fmt: skip

    def add_signed(r: list[Any]) -> None:
        title, people, where, us, tz, venue, obligations = r
        add(signed, instant(us), zone(tz), text(title), place(where),
            venue=optional_text(venue), people=group(people), duties=duty_ids(obligations))  # fmt: skip

    def add_met(r: list[Any]) -> None:
        agreement, what, us, tz = r
        add(met, instant(us), zone(tz), text(agreement), what=text(what))

    return {
        "Arrived": add_arrived,
        "Departed": add_departed,
        "MeetingHeld": add_meeting,
        "AgreementSigned": add_signed,
        "ObligationMet": add_met,
    }


Intern: TypeAlias = Callable[[Any], int]
"""Gives the id, in a store's dictionary, of a place row or a zone name (JSON-ready)."""

Entry: TypeAlias = "Place | tzinfo"
"""A decoded dictionary entry: a place, or the zone a zone name (IANA, or ``+HH:MM``) names."""

RowBuilder: TypeAlias = Callable[[list[Any], "list[Entry]"], Event]
RowEncoder: TypeAlias = Callable[[Any, Intern], list[Any]]


def _positional(  # noqa: PLR0915 - one closure per event type, sharing the caches
    obligation: Callable[[Any], Obligation],
) -> tuple[dict[type[Event], RowEncoder], dict[str, RowBuilder]]:
    """Encoders of today's built-in events as *positional rows*, and their trusted builders.

    A row is a JSON array of the event's fields in order, each instant flattened to its two
    parts (microseconds since 1970, the id of its zone name), each place as its id, and each
    obligation as ``[what, within parts or null, due or null]``. The ids index the store's
    dictionary of places and zone names, each decoded (checked) once per load. Loading a row
    whose checksum matched builds the event at once: exact types are checked (cheap), the
    validators are not run again, and obligations are cached (immutable, and few).
    """
    first, last = _time.FIRST_INSTANT_US, _time.LAST_INSTANT_US
    local_instant = _time.local_instant
    zone = _time.zone
    epoch, micro = _EPOCH, timedelta(microseconds=1)
    as_zone = datetime.astimezone
    set_us = _SET_US
    new = object.__new__

    def place_row(value: Place, intern: Intern) -> int:
        return intern([value.name, value.country, value.tz, value.lat, value.lon])

    def instant(value: datetime, intern: Intern) -> tuple[int, int]:
        us, name = encode_instant(value)
        return us, intern(name)

    def obligation_row(value: Obligation) -> list[Any]:
        within = value.within
        return [
            value.what,
            None if within is None else _encode_duration(within),
            None if value.due is None else encode_instant(value.due),
        ]

    def at(us: Any, tz: Any) -> DateTime:
        if type(us) is not int or not first <= us <= last:
            raise TypeError(us)
        if type(tz) is not Timezone:  # a fixed offset, as decode_instant() builds it
            if type(tz) is not timezone:
                raise TypeError(tz)
            return _time.instant(as_zone(epoch + us * micro, tz), what="stored instant")
        return local_instant(us, tz)

    def place(value: Any) -> Place:
        if type(value) is not Place:
            raise TypeError(value)
        return value

    def text(value: Any) -> str:
        if type(value) is not str or not value.strip():  # as the events' validators require
            raise TypeError(value)
        return value

    def optional_text(value: Any) -> str | None:
        return None if value is None else text(value)

    people: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def names(value: Any) -> tuple[str, ...]:
        # Cached: a log names the same groups again and again. A string equals only a
        # string, so a key found was checked when it was added.
        key = tuple(value) if type(value) is list else None
        found = people.get(key)  # type: ignore[arg-type]
        if found is None:
            found = _people(value)
            if len(people) < 4096:
                people[found] = found
        return found

    duties = _duties_decoder(obligation)

    # Each event's slots set in turn, as _trusted's constructors set them, without a loop.
    a_who, a_place, a_at = _trusted.setters(Arrived)
    d_who, d_place, d_at, d_to = _trusted.setters(Departed)
    m_title, m_people, m_place, m_start, m_end, m_venue = _trusted.setters(MeetingHeld)
    s_title, s_people, s_place, s_at, s_venue, s_duties = _trusted.setters(AgreementSigned)
    o_agreement, o_what, o_at = _trusted.setters(ObligationMet)

    def build_arrived(r: list[Any], t: list[Entry]) -> Event:
        who, where, us, tz = r
        where, tz = t[where], t[tz]
        if type(who) is not str or type(where) is not Place or not who.strip():
            raise TypeError(r)
        event = new(Arrived)
        a_who(event, who)
        a_place(event, where)
        if type(us) is not int or not first <= us <= last or tz is not zone(where.tz):
            a_at(event, at(us, tz))  # else built on first read (see events._LAZY)
        set_us(event, us)
        return event

    def build_departed(r: list[Any], t: list[Entry]) -> Event:
        who, where, us, tz, to = r
        where = t[where]
        if type(who) is not str or type(where) is not Place or not who.strip():
            raise TypeError(r)
        event = new(Departed)
        d_who(event, who)
        d_place(event, where)
        tz = t[tz]
        if type(us) is not int or not first <= us <= last or tz is not zone(where.tz):
            d_at(event, at(us, tz))  # else built on first read (see events._LAZY)
        d_to(event, None if to is None else place(t[to]))
        set_us(event, us)
        return event

    def build_meeting(r: list[Any], t: list[Entry]) -> Event:
        title, people, where, us, tz, end_us, end_tz, venue = r
        where = t[where]
        if type(title) is not str or type(where) is not Place or not title.strip():
            raise TypeError(r)
        if end_us < us:
            raise ValueError("a meeting ends before it starts")
        event = new(MeetingHeld)
        m_title(event, title)
        m_people(event, names(people))
        m_place(event, where)
        tz = t[tz]
        if type(us) is not int or not first <= us <= last or tz is not zone(where.tz):
            m_start(event, at(us, tz))  # else built on first read (see events._LAZY)
        end_tz = t[end_tz]
        if type(end_tz) is Timezone and type(end_us) is int and first <= end_us <= last:
            m_end(event, local_instant(end_us, end_tz))  # at(), inlined
        else:
            m_end(event, at(end_us, end_tz))
        m_venue(event, optional_text(venue))
        set_us(event, us)
        return event

    def build_agreement(r: list[Any], t: list[Entry]) -> Event:
        title, people, where, us, tz, venue, obligations = r
        event = new(AgreementSigned)
        s_title(event, text(title))
        s_people(event, names(people))
        where, tz = place(t[where]), t[tz]
        s_place(event, where)
        if type(us) is not int or not first <= us <= last or tz is not zone(where.tz):
            s_at(event, at(us, tz))  # else built on first read (see events._LAZY)
        s_venue(event, optional_text(venue))
        signed = duties(obligations)
        s_duties(event, signed)
        set_us(event, us)
        _check_duties(event, signed, us)
        return event

    def build_met(r: list[Any], t: list[Entry]) -> Event:
        agreement, what, us, tz = r
        if type(agreement) is not str or type(what) is not str:
            raise TypeError(r)
        if not agreement.strip() or not what.strip():
            raise TypeError(r)
        event = new(ObligationMet)
        o_agreement(event, agreement)
        o_what(event, what)
        o_at(event, at(us, t[tz]))
        set_us(event, us)
        return event

    def encode_arrived(e: Arrived, i: Intern) -> list[Any]:
        return [e.who, place_row(e.place, i), *instant(e.at, i)]

    def encode_departed(e: Departed, i: Intern) -> list[Any]:
        to = None if e.to is None else place_row(e.to, i)
        return [e.who, place_row(e.place, i), *instant(e.at, i), to]

    def encode_meeting(e: MeetingHeld, i: Intern) -> list[Any]:
        return [
            e.title, list(e.participants), place_row(e.place, i), *instant(e.start, i),
            *instant(e.end, i), e.venue,
        ]  # fmt: skip

    def encode_agreement(e: AgreementSigned, i: Intern) -> list[Any]:
        return [
            e.title, list(e.signatories), place_row(e.place, i), *instant(e.at, i), e.venue,
            [obligation_row(o) for o in e.obligations],
        ]  # fmt: skip

    def encode_met(e: ObligationMet, i: Intern) -> list[Any]:
        return [e.agreement, e.what, *instant(e.at, i)]

    encoders: dict[type[Event], RowEncoder] = {
        Arrived: encode_arrived,
        Departed: encode_departed,
        MeetingHeld: encode_meeting,
        AgreementSigned: encode_agreement,
        ObligationMet: encode_met,
    }
    builders: dict[str, RowBuilder] = {
        "Arrived": build_arrived,
        "Departed": build_departed,
        "MeetingHeld": build_meeting,
        "AgreementSigned": build_agreement,
        "ObligationMet": build_met,
    }
    return encoders, builders


_INSTANTS = {
    "Arrived": ("at",),
    "Departed": ("at",),
    "MeetingHeld": ("start", "end"),
    "AgreementSigned": ("at",),
    "ObligationMet": ("at",),
}


def _row_to_data(type_name: str, row: list[Any], raw: Sequence[Any]) -> dict[str, Any]:
    """The record data (a dict, as :meth:`Codec.encode` makes) a positional row holds.

    *raw* is the store's dictionary as parsed JSON, by id. Raises ValueError (or TypeError,
    IndexError, StopIteration) if *row* does not have the row's shape for *type_name*.
    """
    cls = _BUILT_IN[type_name]
    instants = _INSTANTS[type_name]
    places = ("place", "to")

    def entry(i: Any) -> Any:
        if type(i) is not int or not 0 < i < len(raw):
            raise ValueError(f"{i!r} is not an id in the store's dictionary")
        return raw[i]

    data: dict[str, Any] = {}
    rest = iter(row)
    for name in _trusted.FIELDS[cls]:
        if name in instants:
            us = next(rest)
            data[name] = [us, entry(next(rest))]
        else:
            value = next(rest)
            data[name] = entry(value) if name in places and value is not None else value
    if next(rest, rest) is not rest:
        raise ValueError("too many fields")
    if type_name == "AgreementSigned":
        items = data["obligations"]
        if type(items) is not list or any(type(o) is not list or len(o) != 3 for o in items):
            raise ValueError("obligations are not rows")
        data["obligations"] = [{"what": w, "within": i, "due": d} for w, i, d in items]
    return data


def decode_entry(value: Any) -> Entry:
    """A dictionary entry parsed from JSON, checked: a place, or a zone name.

    Raises :class:`~itinerary.errors.StoreError` for anything else.
    """
    if type(value) is str:
        try:
            return _fixed(value) if value[:1] in ("+", "-") else _time.zone(value)
        except (ItineraryError, ValueError) as exc:
            raise StoreError(f"{value!r} is not a zone name ({exc})") from None
    try:
        return _decode_place(value)
    except (ItineraryError, TypeError, ValueError) as exc:
        raise StoreError(f"not a place or a zone name: {exc}") from None


class Codec:
    """Encodes events as records and decodes records (of any known schema) as events.

    Args:
        types: The event classes it knows, by class name (default: the built-in ones).
        versions: The current schema version of each type name (default: the built-in
            types' from :data:`SCHEMA_VERSIONS`, 1 for any other type).
        upcasters: ``{(type name, version): function}``; each turns the data of that version
            into the data of the next. Decoding an older record applies them in turn.

    """

    def __init__(
        self,
        types: Iterable[type[Event]] = EVENT_TYPES,
        *,
        versions: Mapping[str, int] | None = None,
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
    ) -> None:
        self._types = {cls.__name__: cls for cls in types}
        known = {name: v for name, v in SCHEMA_VERSIONS.items() if name in self._types}
        self._versions = dict.fromkeys(self._types, 1) | known | dict(versions or {})
        self._upcasters = dict(upcasters or {})
        self._converter = _converter()
        self._encoders = {
            cls: self._converter.get_unstructure_hook(cls) for cls in self._types.values()
        }
        self._decoders = {
            name: (cls, self._converter.get_structure_hook(cls))
            for name, cls in self._types.items()
        }
        obligation = self._converter.get_structure_hook(Obligation)
        self._fast = {
            name: build
            for name, build in _fast_builders(lambda d: obligation(d, Obligation)).items()
            if self._types.get(name) is _BUILT_IN.get(name)
            and self._versions[name] == SCHEMA_VERSIONS[name]
        }
        encoders, builders = _positional(lambda d: obligation(d, Obligation))
        self._row_encoders = {
            cls: encoders[cls] for cls in EVENT_TYPES if cls.__name__ in self._fast
        }
        self._row_builders = {name: builders[name] for name in self._fast}

    def encode(self, event: Event) -> Record:
        """``(type name, schema version, data)`` for *event*."""
        cls = type(event)
        encoder = self._encoders.get(cls)
        if encoder is None:
            raise StoreError(
                f"cannot store a {cls.__name__}: the codec knows only "
                f"{', '.join(sorted(self._types))}"
            )
        name = cls.__name__
        return name, self._versions[name], encoder(event)

    def decode(
        self, type_name: str, schema: int, data: dict[str, Any], *, where: str = ""
    ) -> Event:
        """The event a record describes, upcast from an older schema if need be.

        *where* (such as ``"version 12"``) names the record in error messages.
        """
        found = self._decoders.get(type_name) if type(type_name) is str else None
        prefix = f"{where}: " if where else ""
        if found is None:
            raise StoreError(
                f"{prefix}unknown event type {type_name!r}; known: {', '.join(sorted(self._types))}"
            )
        cls, decoder = found
        if type(schema) is not int:
            raise StoreError(
                f"{prefix}{type_name}: the schema version must be an integer, found {schema!r}"
            )
        current = self._versions[type_name]
        if schema != current:
            data = self._upcast(type_name, schema, current, data, prefix)
        if type(data) is not dict:
            raise StoreError(f"{prefix}{type_name}: the data must be a JSON object, found {data!r}")
        try:
            return decoder(data, cls)  # type: ignore[no-any-return]
        except (ItineraryError, KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
            raise StoreError(
                f"{prefix}cannot rebuild {type_name} (schema {current}) from {data!r}: {exc}"
            ) from exc

    def _upcast(
        self, type_name: str, schema: int, current: int, data: dict[str, Any], prefix: str
    ) -> dict[str, Any]:
        if schema > current:
            raise StoreError(
                f"{prefix}{type_name} was stored with schema {schema}, newer than this "
                f"version of itinerary knows ({current}); upgrade itinerary to read it"
            )
        while schema < current:
            upcaster = self._upcasters.get((type_name, schema))
            if upcaster is None:
                raise StoreError(
                    f"{prefix}{type_name} was stored with schema {schema} and no upcaster "
                    f"turns schema {schema} into {schema + 1}"
                )
            data = upcaster(dict(data))
            schema += 1
        return data

    def decode_trusted(self, type_name: str, schema: int, data: Any, *, where: str = "") -> Event:
        """Like :meth:`decode`, for a record whose checksum matched: what this library wrote.

        A built-in event type at today's schema is built through a fast path (types checked,
        no validators run again: they ran when the event was made, before it was written);
        anything the fast path cannot build goes through :meth:`decode`, which says what is
        wrong with it.
        """
        fast = self._fast.get(type_name) if type(type_name) is str else None
        if fast is not None and schema == self._versions[type_name] and type(schema) is int:
            try:
                return fast(data)
            except (ItineraryError, KeyError, TypeError, ValueError, IndexError, OverflowError):
                pass  # decode() names what is wrong
        return self.decode(type_name, schema, data, where=where)

    def dumps(self, event: Event) -> tuple[str, int, str]:
        """Like :meth:`encode`, with the data as compact JSON text."""
        name, schema, data = self.encode(event)
        return name, schema, _dumps(data)

    def dumps_row(self, event: Event, intern: Intern) -> tuple[str, int, str]:
        """Like :meth:`dumps`, as a positional row (a JSON array) where the type has one.

        Today's built-in event types are written as rows, which load several times faster
        (see :meth:`decode_row`), their places and zone names as ids that *intern* gives;
        any other type or schema version as a :meth:`dumps` record.
        """
        encoder = self._row_encoders.get(type(event))
        if encoder is None:
            return self.dumps(event)
        name = type(event).__name__
        return name, self._versions[name], _dumps(encoder(event, intern))

    def row_builders(self) -> dict[str, tuple[int, RowBuilder]]:
        """``{type name: (schema, builder)}``: what :meth:`decode_row` builds rows with.

        A builder takes a row (parsed) and the decoded dictionary, and raises ValueError,
        TypeError, IndexError, KeyError, OverflowError or an ItineraryError for a row it
        cannot build (:meth:`decode_row` then says what is wrong with it).
        """
        return {name: (self._versions[name], build) for name, build in self._row_builders.items()}

    def column_rows(
        self, table: list[Entry], raw: Sequence[Any], rows: Rows
    ) -> dict[str, tuple[int, Callable[[list[Any]], None]]]:
        """``{type name: (schema, appender)}``: positional rows added to *rows* as columns.

        Like :meth:`row_builders`, for a loader that keeps the log as columns: an appender
        takes a parsed row and adds it to *rows* (ids in the store's dictionary, *table*
        decoded and *raw* as parsed, turned into the columns' own), raising as a builder
        does for a row it cannot add (the loader then decodes it with :meth:`decode_row`).
        """
        obligation = self._converter.get_structure_hook(Obligation)
        found = _column_rows(lambda d: obligation(d, Obligation), table, raw, rows)
        return {name: (self._versions[name], found[name]) for name in self._row_builders}

    def decode_row(
        self,
        type_name: str,
        schema: int,
        data: Any,
        table: list[Entry],
        raw: Sequence[Any],
        *,
        where: str = "",
    ) -> Event:
        """The event of a record whose checksum matched: a positional row or a JSON object.

        A row (a JSON array, as :meth:`dumps_row` writes) of a built-in type at today's
        schema is built at once from it and the store's dictionary (*table* decoded, *raw*
        as parsed, by id), checking exact types but running no validators again (they ran
        before it was written); anything else, or a row the fast path cannot build, goes
        through :meth:`decode`, which says what is wrong with it.
        """
        if type(data) is not list:
            return self.decode_trusted(type_name, schema, data, where=where)
        build = self._row_builders.get(type_name) if type(type_name) is str else None
        if build is not None and schema == self._versions[type_name] and type(schema) is int:
            try:
                return build(data, table)
            except (ItineraryError, KeyError, TypeError, ValueError, IndexError, OverflowError):
                pass  # decode() names what is wrong
        if (
            type(type_name) is str
            and type(schema) is int
            and SCHEMA_VERSIONS.get(type_name) == schema
        ):
            # The shape rows of today's schema have; an older schema is never written as rows.
            try:
                record = _row_to_data(type_name, data, raw)
            except (ValueError, TypeError, IndexError, StopIteration) as exc:
                prefix = f"{where}: " if where else ""
                raise StoreError(
                    f"{prefix}damaged: {type_name} row {_short(data)}: {exc or 'wrong length'}"
                ) from None
            return self.decode(type_name, schema, record, where=where)
        return self.decode(type_name, schema, data, where=where)  # type: ignore[arg-type]  # it says what is wrong

    def loads(self, type_name: str, schema: int, text: str, *, where: str = "") -> Event:
        """Like :meth:`decode`, from JSON text."""
        prefix = f"{where}: " if where else ""
        if type(text) is not str:
            raise StoreError(f"{prefix}stored data must be JSON text, found {_short(text)}")
        data = parse_json(text, prefix + "stored data")
        return self.decode(type_name, schema, data, where=where)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_json(text: str | bytes, what: str) -> Any:
    """*text* parsed as JSON, or :class:`StoreError` naming *what* it is.

    JSON nested too deeply for the parser (a RecursionError) or holding a number too long
    to read (ValueError past ``sys.get_int_max_str_digits()``) is damage like any other.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise StoreError(f"{what} is nested too deeply to be a record") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an int too long
        raise StoreError(f"{what} is not JSON ({exc}): {_short(text)}") from None


_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def dumps(data: Any) -> str:
    """Compact JSON, as the stores write it."""
    return _dumps(data)


DEFAULT_CODEC = Codec()
"""The codec for the built-in event types at today's schema versions."""
