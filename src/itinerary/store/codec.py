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
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeAlias

import attrs
import cattrs
import numpy as np
import numpy.typing as npt
from pendulum import DateTime, Duration

from itinerary import _time, _trusted
from itinerary.columns import COLUMNS, KINDS, Rows
from itinerary.columns import FIELDS as COLUMN_FIELDS
from itinerary.errors import ItineraryError, StoreError
from itinerary.events import (
    DUTIES,
    END,
    EVENT_TYPES,
    FIELDS,
    INSTANT,
    NAMES,
    OPTIONAL_PLACE,
    OPTIONAL_TEXT,
    PLACE,
    TEXT,
    AgreementSigned,
    Event,
    Obligation,
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

_INSTANTS = frozenset((INSTANT, END))
_PLACE_KINDS = frozenset((PLACE, OPTIONAL_PLACE))


def _text(value: Any) -> str:
    """A string the events' validators accept (not blank); TypeError for anything else."""
    if type(value) is not str or not value.strip():
        raise TypeError(value)
    return value


def _instant_us(us: Any) -> int:
    """Microseconds since 1970 of an instant in the years 1-9999; TypeError otherwise."""
    if type(us) is not int or not _time.FIRST_INSTANT_US <= us <= _time.LAST_INSTANT_US:
        raise TypeError(us)
    return us


def _stored_at(value: Any) -> DateTime:
    """A record's instant, ``[us, zone name]``, checking types only (see decode_instant)."""
    us, name = value
    if type(name) is not str:
        raise TypeError(value)
    _instant_us(us)
    if name[:1] in ("+", "-"):
        return decode_instant(value)
    return _time.local_instant(us, _time.zone(name))


_SET_WHAT, _SET_WITHIN, _SET_DUE = (
    Obligation.__dict__[name].__set__ for name in ("what", "within", "due")
)


def _due_only(what: Any, due: Any) -> Obligation:
    """``Obligation(what, due=due)`` from a stored row, its values checked by type.

    What the constructor would check of an obligation with a deadline and no duration:
    *what* not blank, *due* an instant in range (:func:`_stored_at`). Built without the
    constructor: a stored log's deadlines are mostly all different, and the checked way
    (cattrs, then the validators) costs several times more.
    """
    found: Obligation = object.__new__(Obligation)
    _SET_WHAT(found, _text(what))
    _SET_WITHIN(found, None)
    _SET_DUE(found, _stored_at(due))
    return found


def _duty_row_key(item: Any) -> tuple[Any, ...]:
    """A stored obligation, ``[what, within, due]``, as a key: each value with its type.

    6 and 6.0 and True are equal keys, but only 6 is a duration part. Raises TypeError for
    anything that is not a row of three (or whose values cannot be a key).
    """
    if type(item) is not list or len(item) != 3:
        raise TypeError(item)
    what, within, due = item
    key = (
        what,
        type(what),
        None if type(within) is not dict else (*within.items(), *map(type, within.values())),
        None if type(due) is not list else (*due, *map(type, due)),
        type(within),
        type(due),
    )
    hash(key)
    return key


def _duties_decoder(
    obligation: Callable[[Any], Obligation],
) -> Callable[[Any], tuple[Obligation, ...]]:
    """A decoder of a row's obligations (``[[what, within, due], ...]``), each built once.

    One with a deadline (*due*) is built at once (:func:`_due_only`); any other by
    *obligation* (checked), once per distinct value.
    """
    obligations: dict[tuple[Any, ...], Obligation] = {}

    def duties(value: Any) -> tuple[Obligation, ...]:
        if type(value) is not list:
            raise TypeError(value)
        out = []
        for item in value:
            if type(item) is not list:
                raise TypeError(item)
            what, within, due = item
            if within is None and type(due) is list:
                out.append(_due_only(what, due))
                continue
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


def _record_builders(
    obligation: Callable[[Any], Obligation],
) -> dict[str, Callable[[Any], Event]]:
    """Builders of the built-in events from today's records (dicts), from the field table.

    Each value is checked by its kind (:data:`itinerary.events.FIELDS`): exact JSON types,
    text not blank, names distinct, instants in range; then what spans fields: an
    :data:`~itinerary.events.END` not before the event's instant, and obligations whose
    deadlines can be computed. No validator runs again otherwise.
    """

    def names(value: Any) -> tuple[str, ...]:
        return _people(value)

    rows = _duties_decoder(obligation)

    def duties(value: Any) -> tuple[Obligation, ...]:
        if type(value) is not list or any(type(o) is not dict for o in value):
            raise TypeError(value)
        return rows([[o["what"], o.get("within"), o.get("due")] for o in value])

    decoders: dict[str, Callable[[Any], Any]] = {
        TEXT: _text,
        OPTIONAL_TEXT: lambda v: None if v is None else _text(v),
        NAMES: names,
        PLACE: _decode_place,
        OPTIONAL_PLACE: lambda v: None if v is None else _decode_place(v),
        INSTANT: _stored_at,
        END: _stored_at,
        DUTIES: duties,
    }
    return {cls.__name__: _record_builder(cls, decoders) for cls in EVENT_TYPES}


def _record_builder(
    cls: type[Event], decoders: Mapping[str, Callable[[Any], Any]]
) -> Callable[[Any], Event]:
    """The builder of one type (see :func:`_record_builders`)."""
    fields = FIELDS[cls]
    steps = [(name, decoders[kind]) for name, kind in fields]
    kinds = [kind for _, kind in fields]
    at, end = kinds.index(INSTANT), kinds.index(END) if END in kinds else None
    signed = kinds.index(DUTIES) if DUTIES in kinds else None
    construct, micros = _trusted.constructor_at(cls), _time.micros

    def build(d: Any) -> Event:
        values = [decode(d[name]) for name, decode in steps]
        us = micros(values[at])
        if end is not None and micros(values[end]) < us:
            raise ValueError("ends before it starts")
        event = construct(us, *values)
        if signed is not None:
            _check_duties(event, values[signed], us)  # type: ignore[arg-type]
        return event

    return build


Intern: TypeAlias = Callable[[Any], int]
"""Gives the id, in a store's dictionary, of a place row or a zone name (JSON-ready)."""

Entry: TypeAlias = "Place | tzinfo"
"""A decoded dictionary entry: a place, or the zone a zone name (IANA, or ``+HH:MM``) names."""

RowEncoder: TypeAlias = Callable[[Any, Intern], list[Any]]


def _obligation_row(value: Obligation) -> list[Any]:
    within = value.within
    return [
        value.what,
        None if within is None else _encode_duration(within),
        None if value.due is None else encode_instant(value.due),
    ]


def _put_instant(row: list[Any], value: datetime, intern: Intern) -> None:
    us, name = encode_instant(value)
    row.append(us)
    row.append(intern(name))


_PUT: dict[str, Callable[[list[Any], Any, Intern], None]] = {
    TEXT: lambda row, value, _: row.append(value),
    OPTIONAL_TEXT: lambda row, value, _: row.append(value),
    NAMES: lambda row, value, _: row.append(list(value)),
    PLACE: lambda row, value, intern: row.append(intern(_encode_place(value))),
    OPTIONAL_PLACE: lambda row, value, intern: row.append(
        None if value is None else intern(_encode_place(value))
    ),
    INSTANT: _put_instant,
    END: _put_instant,
    DUTIES: lambda row, value, _: row.append([_obligation_row(o) for o in value]),
}
"""How a field of each value kind is written in a positional row (an instant takes two)."""


def _row_encoder(cls: type[Event]) -> RowEncoder:
    """*cls*'s events as *positional rows* (see :meth:`Codec.dumps_row`), from the field table.

    A row is a JSON array of the event's fields in order, each instant flattened to its two
    parts (microseconds since 1970, the id of its zone name), each place as its id, and each
    obligation as ``[what, within parts or null, due or null]``.
    """
    steps = [(operator.attrgetter(name), _PUT[kind]) for name, kind in FIELDS[cls]]

    def encode(event: Any, intern: Intern) -> list[Any]:
        row: list[Any] = []
        for get, put in steps:
            put(row, get(event), intern)
        return row

    return encode


_NONE = -1
_COLUMN_AT = {name: i for i, name in enumerate(COLUMNS)}


class _ColumnLoader:
    """Positional rows into :class:`~itinerary.columns.Rows`, for one store's dictionary.

    Driven by the field table: each value is checked by its kind (exact JSON types, text
    not blank, names distinct, ids in the store's dictionary, instants in range, an END not
    before its event's instant) and given its id in the columns' dictionaries, each distinct
    value once. :meth:`appender` adds a row at a time; :meth:`add_batch` adds many rows of
    any built-in types column by column. Anything wrong raises (TypeError, ValueError,
    IndexError, KeyError, OverflowError, an ItineraryError), and the caller decodes the rows
    another way, which names what is wrong.
    """

    def __init__(
        self,
        obligation: Callable[[Any], Obligation],
        table: list[Entry],
        raw: Sequence[Any],
        rows: Rows,
    ) -> None:
        self._table, self._raw, self._rows = table, raw, rows
        self._zones: dict[int, int] = {}
        self._places: dict[int | None, int] = {None: _NONE}
        self._texts: dict[str | None, int] = {None: _NONE}  # None only where optional
        self._groups: dict[tuple[Any, ...], int] = {}
        self._duties = _duties_decoder(obligation)
        self._known: dict[tuple[Any, ...], int] = {}  # by the obligations' rows
        self._plans = {cls.__name__: self._plan(code, cls) for code, cls in enumerate(EVENT_TYPES)}
        self._codes = {name: code for name, (code, _, _) in self._plans.items()}

    @staticmethod
    def _plan(code: int, cls: type[Event]) -> tuple[int, int, list[tuple[str, str, int]]]:
        """``(kind code, row width, [(value kind, column, position in the row)])``."""
        plan, position = [], 0
        for (_, kind), (_, column) in zip(FIELDS[cls], COLUMN_FIELDS[cls], strict=True):
            plan.append((kind, column, position))
            position += 2 if kind in _INSTANTS else 1
        return code, position, plan

    # -- one value's id, checked when first met -----------------------------------------

    def zone(self, i: Any) -> int:
        """The columns' id of the zone name with id *i* in the store's dictionary."""
        found = self._zones.get(i)
        if found is None or type(i) is not int:
            table, raw = self._table, self._raw
            if type(i) is not int or not 0 < i < len(table) or type(raw[i]) is not str:
                raise TypeError(i)
            if not isinstance(table[i], tzinfo):
                raise TypeError(i)
            found = self._zones[i] = self._rows.zone(raw[i])
        return found

    def place(self, i: Any) -> int:
        """The columns' id of the place with id *i* in the store's dictionary."""
        found = self._places.get(i)
        if found is None or (type(i) is not int and i is not None):
            table = self._table
            if type(i) is not int or not 0 < i < len(table) or type(table[i]) is not Place:
                raise TypeError(i)
            found = self._places[i] = self._rows.place(table[i])
        return found

    def text(self, value: Any) -> int:
        """The columns' id of a text (a string only ever equals a string)."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = self._rows.text(_text(value))
        return found

    def group(self, value: Any) -> int:
        """The columns' id of a group of names (a JSON array)."""
        if type(value) is not list:
            raise TypeError(value)
        return self._group(tuple(value))

    def _group(self, key: tuple[Any, ...]) -> int:
        found = self._groups.get(key)
        if found is None:
            found = self._groups[key] = self._rows.group(_people(list(key)))
        return found

    def duties(self, value: Any) -> int:
        """The columns' id of a row's obligations (``[[what, within, due], ...]``).

        Keyed by the row's values (with their types), not by the obligations built: an
        object's id is reused once it is freed, so it cannot name a value.
        """
        if type(value) is not list:
            raise TypeError(value)
        key = tuple(map(_duty_row_key, value))
        got = self._known.get(key)
        if got is None:
            got = self._known[key] = self._rows.duties(self._duties(value))
        return got

    # -- a row at a time -----------------------------------------------------------------

    def appender(self, type_name: str) -> Callable[[list[Any]], None]:
        """Adds one parsed positional row of the built-in type *type_name* to the rows."""
        code, width, plan = self._plans[type_name]
        ids = {
            TEXT: self.text, OPTIONAL_TEXT: self.text, NAMES: self.group, PLACE: self.place,
            OPTIONAL_PLACE: self.place, DUTIES: self.duties,
        }  # fmt: skip
        steps = [
            (_COLUMN_AT[column], p, ids.get(kind), kind in (OPTIONAL_TEXT, OPTIONAL_PLACE))
            for kind, column, p in plan
        ]
        us_at, end_at = _COLUMN_AT["us"], _COLUMN_AT["end"]
        add, zone = self._rows.add, self.zone

        def append(r: list[Any]) -> None:
            if type(r) is not list or len(r) != width:
                raise ValueError("not a row of its type")
            out = [code, 0, -1, -1, -1, -1, 0, -1, -1, -1, -1, -1]
            for at, p, get_id, optional in steps:
                value = r[p]
                if get_id is None:  # an instant, and its zone
                    out[at] = _instant_us(value)
                    out[at + 1] = zone(r[p + 1])
                elif value is not None:
                    out[at] = get_id(value)
                elif not optional:
                    raise TypeError("a value is missing")
            if out[end_at] < out[us_at] and code in _ENDED:
                raise ValueError("ends before it starts")
            add(*out)

        return append

    # -- many rows, column by column -------------------------------------------------------

    def add_batch(self, kinds: Sequence[str], parsed: Sequence[Any]) -> None:
        """Add the parsed rows *parsed*, of the built-in types *kinds*, column by column.

        Nothing is added unless every row is added (dictionary entries aside).
        """
        n = len(parsed)
        if len(kinds) != n:
            raise ValueError("as many types as rows")
        out = {
            name: np.full(n, 0 if name in ("us", "end") else _NONE, dtype=np.int64)
            for name in COLUMNS
        }
        codes = np.fromiter(map(self._codes.__getitem__, kinds), dtype=np.int64, count=n)
        for code in np.unique(codes).tolist():
            _, width, plan = self._plans[KINDS[code]]
            if len(codes) and codes[0] == code and (codes == code).all():
                at: Any = slice(None)
                rows = parsed
            else:
                where = np.flatnonzero(codes == code)
                at, rows = where, operator.itemgetter(*where.tolist())(parsed)
                rows = (rows,) if len(where) == 1 else rows
            if set(map(type, rows)) != {list} or set(map(len, rows)) != {width}:
                raise ValueError("not rows of their type")
            values = list(zip(*rows, strict=True))
            out["kind"][at] = code
            for kind, column, p in plan:
                out[column][at] = self._column(kind, values[p])
                if kind in _INSTANTS:
                    zones = values[p + 1]
                    if set(map(type, zones)) != {int}:
                        raise TypeError("zones must be ids")
                    out[_ZONE_OF[column]][at] = self._ids(self._zones, zones, self.zone)
            if code in _ENDED and (out["end"][at] < out["us"][at]).any():
                raise ValueError("ends before it starts")
        self._rows.add_columns(out)

    def _column(self, kind: str, values: tuple[Any, ...]) -> Any:
        """The column of ids (or microseconds) of one field of many rows."""
        if kind in _INSTANTS:
            if set(map(type, values)) != {int}:
                raise TypeError("instants must be integers")
            us = np.array(values, dtype=np.int64)
            if (us < _time.FIRST_INSTANT_US).any() or (us > _time.LAST_INSTANT_US).any():
                raise ValueError("an instant outside the years 1-9999")
            return us
        if kind in (TEXT, OPTIONAL_TEXT):
            if kind == TEXT and None in values:
                raise TypeError("a text is missing")
            return self._ids(self._texts, values, self.text)
        if kind in (PLACE, OPTIONAL_PLACE):
            types = set(map(type, values))
            if not types <= ({int} if kind == PLACE else {int, type(None)}):
                raise TypeError("places must be ids")
            return self._ids(self._places, values, self.place)
        if kind == NAMES:
            if set(map(type, values)) != {list}:
                raise TypeError("names must be arrays")
            return self._ids(self._groups, list(map(tuple, values)), self._group)
        return np.fromiter(map(self.duties, values), dtype=np.int64, count=len(values))

    @staticmethod
    def _ids(
        known: Mapping[Any, int], values: Sequence[Any], new: Callable[[Any], int]
    ) -> npt.NDArray[np.int64]:
        """The id of each of *values*: from *known*, or by *new* (which checks it) if unseen."""
        for value in set(values).difference(known):
            new(value)
        return np.fromiter(map(known.__getitem__, values), dtype=np.int64, count=len(values))


_ENDED = frozenset(
    code for code, cls in enumerate(EVENT_TYPES) if any(kind == END for _, kind in FIELDS[cls])
)
_ZONE_OF = {"us": "zone", "end": "end_zone"}


def _row_to_data(type_name: str, row: list[Any], raw: Sequence[Any]) -> dict[str, Any]:
    """The record data (a dict, as :meth:`Codec.encode` makes) a positional row holds.

    *raw* is the store's dictionary as parsed JSON, by id. Raises ValueError (or TypeError,
    IndexError, StopIteration) if *row* does not have the row's shape for *type_name*.
    """
    cls = _BUILT_IN[type_name]

    def entry(i: Any) -> Any:
        if type(i) is not int or not 0 < i < len(raw):
            raise ValueError(f"{i!r} is not an id in the store's dictionary")
        return raw[i]

    data: dict[str, Any] = {}
    rest = iter(row)
    for name, kind in FIELDS[cls]:
        value = next(rest)
        if kind in _INSTANTS:
            data[name] = [value, entry(next(rest))]
        else:
            data[name] = entry(value) if kind in _PLACE_KINDS and value is not None else value
    if next(rest, rest) is not rest:
        raise ValueError("too many fields")
    for name, kind in FIELDS[cls]:
        if kind == DUTIES:
            items = data[name]
            if type(items) is not list or any(type(o) is not list or len(o) != 3 for o in items):
                raise ValueError("obligations are not rows")
            data[name] = [{"what": w, "within": i, "due": d} for w, i, d in items]
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
            for name, build in _record_builders(lambda d: obligation(d, Obligation)).items()
            if self._types.get(name) is _BUILT_IN.get(name)
            and self._versions[name] == SCHEMA_VERSIONS[name]
        }
        self._row_encoders = {
            cls: _row_encoder(cls) for cls in EVENT_TYPES if cls.__name__ in self._fast
        }

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

    def column_rows(
        self, table: list[Entry], raw: Sequence[Any], rows: Rows
    ) -> dict[str, tuple[int, Callable[[list[Any]], None]]]:
        """``{type name: (schema, appender)}``: positional rows added to *rows* as columns.

        For a loader that keeps the log as columns: an appender takes a parsed row (as
        :meth:`dumps_row` writes it) and adds it to *rows* (ids in the store's dictionary,
        *table* decoded and *raw* as parsed, turned into the columns' own), raising
        ValueError, TypeError, IndexError, KeyError, OverflowError or an ItineraryError for
        a row it cannot add (the loader then decodes it with :meth:`decode_row`, which says
        what is wrong with it).
        """
        loader = self._column_loader(table, raw, rows)
        return {name: (self._versions[name], loader.appender(name)) for name in self._fast}

    def column_batches(
        self, table: list[Entry], raw: Sequence[Any], rows: Rows
    ) -> tuple[dict[str, int], Callable[[Sequence[str], Sequence[Any]], None]]:
        """``({type name: schema}, add)``: many positional rows added to *rows* at once.

        Like :meth:`column_rows`, column by column: ``add(types, parsed)`` adds parsed rows
        of the types named (each at its schema here) or raises, having added no row, as an
        appender does (the loader then adds the rows one at a time, which names the row).
        """
        loader = self._column_loader(table, raw, rows)
        return {name: self._versions[name] for name in self._fast}, loader.add_batch

    def _column_loader(self, table: list[Entry], raw: Sequence[Any], rows: Rows) -> _ColumnLoader:
        obligation = self._converter.get_structure_hook(Obligation)
        return _ColumnLoader(lambda d: obligation(d, Obligation), table, raw, rows)

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
        schema is read as the record it holds (its ids looked up in *raw*, the store's
        dictionary as parsed) and built as :meth:`decode_trusted` builds a record; anything
        else goes through :meth:`decode`, which says what is wrong with it. *table* (the
        dictionary decoded) is not needed any more: loaders keep rows as columns (see
        :meth:`column_rows`) and come here only for a row they could not add.
        """
        del table
        if type(data) is not list:
            return self.decode_trusted(type_name, schema, data, where=where)
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
            return self.decode_trusted(type_name, schema, record, where=where)
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
