"""A log's events as columns: numpy arrays of integers and a few small dictionaries.

:class:`LogColumns` is the bulk door of :class:`~itinerary.log.EventLog`: ``log.columns``
gives the events of a log as columns, and ``EventLog.from_columns(columns)`` makes a log of
them that keeps the columns and builds an event only when it is read (``log[i]``, iteration,
a replay). A columnar file (Parquet, Arrow) reads into these arrays without making one Python
object per event.

One row per event, in recording order. Every string, place, group of names and list of
obligations is stored once, in a dictionary (a tuple), and the rows hold its id there (``-1``
for none); ids are given in the order values are first met, so appending never renumbers.

>>> from itinerary.places import TOKYO
>>> from itinerary.events import Arrived
>>> cols = columns_of([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
>>> cols.kind.tolist(), cols.us.tolist(), cols.zones, cols.texts
([0], [1761552000000000], ('Asia/Tokyo',), ('Donald Trump',))
>>> cols.event(0) == Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))
True

:data:`FIELDS` is the one table of how each built-in event type's fields sit in the columns:
encoding, building and checking all read it.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, cast

import attrs
import numpy as np
import numpy.typing as npt
from pendulum import DateTime

from itinerary import _time, _trusted, events
from itinerary.errors import InvalidEventError, ItineraryError
from itinerary.events import (
    EVENT_TYPES,
    Event,
    Obligation,
)
from itinerary.places import Place

__all__ = [
    "COLUMNS",
    "FIELDS",
    "KINDS",
    "OTHER",
    "SLOTS",
    "LogColumns",
    "Rows",
    "columns_of",
]

KINDS: tuple[str, ...] = tuple(cls.__name__ for cls in EVENT_TYPES)
"""The built-in event types by ``kind`` code: ``KINDS[code]`` is the class name."""

OTHER = len(KINDS)
"""The ``kind`` code of an event of a class of your own (kept whole, in ``others``)."""

COLUMNS: dict[str, tuple[str, str | None]] = {
    "kind": ("int8", None),
    "us": ("int64", None),
    "zone": ("int32", "zones"),
    "name": ("int32", "texts"),
    "place": ("int32", "places"),
    "to": ("int32", "places"),
    "end": ("int64", None),
    "end_zone": ("int32", "zones"),
    "venue": ("int32", "texts"),
    "what": ("int32", "texts"),
    "people": ("int32", "groups"),
    "duties": ("int32", "obligations"),
    "other": ("int32", "others"),
}
"""Every column of :class:`LogColumns`: its numpy dtype and the dictionary its ids index."""

SLOTS: dict[str, tuple[str, ...]] = {
    events.TEXT: ("name", "what"),
    events.OPTIONAL_TEXT: ("venue",),
    events.NAMES: ("people",),
    events.PLACE: ("place",),
    events.OPTIONAL_PLACE: ("to",),
    events.INSTANT: ("us",),
    events.END: ("end",),
    events.DUTIES: ("duties",),
}
"""The columns that hold the fields of each value kind (:data:`itinerary.events.FIELDS`), in
turn: a type's first text field is kept in ``name``, its second in ``what``."""


def _place_fields(cls: type[Event]) -> tuple[tuple[str, str], ...]:
    """*cls*'s fields (:data:`itinerary.events.FIELDS`) and the column each is kept in."""
    used: dict[str, int] = {}
    placed = []
    for field, kind in events.FIELDS[cls]:
        n = used[kind] = used.get(kind, -1) + 1
        if n >= len(SLOTS[kind]):
            raise TypeError(f"{cls.__name__}: no column left for its field {field!r} ({kind})")
        placed.append((field, SLOTS[kind][n]))
    return tuple(placed)


FIELDS: dict[type[Event], tuple[tuple[str, str], ...]] = {
    cls: _place_fields(cls) for cls in EVENT_TYPES
}
"""Each built-in event type's fields, in constructor order, and the column each is kept in
(from :data:`itinerary.events.FIELDS` and :data:`SLOTS`).

An instant field kept in ``us`` (the instant the event occurred) has its zone in ``zone``;
one kept in ``end`` has its zone in ``end_zone``. Text fields are ids in ``texts``, places
in ``places``, groups of names in ``groups``, obligations in ``obligations``.
"""

_ID_COLUMN = {"us": "zone", "end": "end_zone"}
"""The id column of an instant's column (its zone); any other column is its own id column."""
_MAY_BE_NONE = frozenset((events.OPTIONAL_TEXT, events.OPTIONAL_PLACE))

_REQUIRED: dict[type[Event], frozenset[str]] = {
    cls: frozenset(
        _ID_COLUMN.get(column, column)
        for (_, kind), (_, column) in zip(events.FIELDS[cls], FIELDS[cls], strict=True)
        if kind not in _MAY_BE_NONE
    )
    for cls in EVENT_TYPES
}
"""The id columns each built-in type must fill (the others it may leave at -1)."""

_OPTIONAL: dict[type[Event], frozenset[str]] = {
    cls: frozenset(
        column
        for (_, kind), (_, column) in zip(events.FIELDS[cls], FIELDS[cls], strict=True)
        if kind in _MAY_BE_NONE
    )
    for cls in EVENT_TYPES
}
"""The id columns each built-in type may fill or leave at -1 (its optional fields)."""


@attrs.frozen(eq=False)
class LogColumns:
    """The events of a log as columns (see :data:`COLUMNS`), one row per event.

    Arrays are read-only numpy arrays of one length; dictionaries are tuples. Rows of a
    built-in type fill the columns :data:`FIELDS` names for it and leave the rest at ``-1``
    (``end`` at 0); a row of kind :data:`OTHER` holds only ``us``, ``zone`` and ``other``,
    the id of the event itself in ``others``.
    """

    kind: npt.NDArray[np.int8]
    us: npt.NDArray[np.int64]
    zone: npt.NDArray[np.int32]
    name: npt.NDArray[np.int32]
    place: npt.NDArray[np.int32]
    to: npt.NDArray[np.int32]
    end: npt.NDArray[np.int64]
    end_zone: npt.NDArray[np.int32]
    venue: npt.NDArray[np.int32]
    what: npt.NDArray[np.int32]
    people: npt.NDArray[np.int32]
    duties: npt.NDArray[np.int32]
    other: npt.NDArray[np.int32]
    zones: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    obligations: tuple[tuple[Obligation, ...], ...] = ()
    others: tuple[Event, ...] = ()

    def __len__(self) -> int:
        return len(self.kind)

    def event(self, i: int) -> Event:
        """The event in row *i*, built from the columns (a new object each call)."""
        return _build(self._arrays(), self._dictionaries(), i)

    def events(self) -> list[Event]:
        """Every row's event, in order (new objects each call)."""
        return _build_range(self._arrays(), self._dictionaries(), 0, len(self))

    def _arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {name: getattr(self, name) for name in COLUMNS}

    def _dictionaries(self) -> dict[str, Sequence[Any]]:
        return {name: getattr(self, name) for name in _DICTIONARIES}

    def head(self, size: int) -> LogColumns:
        """The first *size* rows (views of the same arrays, the same dictionaries)."""
        return attrs.evolve(self, **{name: getattr(self, name)[:size] for name in COLUMNS})


def _zone_of(value: datetime) -> str:
    return _time.zone_name(value) or _time.format_offset(value)


class Encoder:
    """Grow-only columns: events (or other columns) appended in batches, in O(batch).

    The arrays grow by doubling and :meth:`view` gives read-only views of their first rows,
    so a view taken earlier never changes. Not thread-safe: the log calls it under its lock.
    """

    def __init__(self) -> None:
        self.size = 0
        self.arrays = {name: np.zeros(0, dtype=dtype) for name, (dtype, _) in COLUMNS.items()}
        self.lists: dict[str, list[Any]] = {
            "zones": [], "texts": [], "places": [], "groups": [], "obligations": [], "others": [],
        }  # fmt: skip
        # Each dictionary's ids by entry (see _KEYS); one adopted whole is indexed when needed.
        self.ids: dict[str, dict[Any, int]] = {name: {} for name in self.lists}

    def _id(self, dictionary: str, value: Any) -> int:
        ids = self.ids.get(dictionary)
        if ids is None:  # adopted with the columns (add_columns): indexed when first needed
            ids = self.ids[dictionary] = {}
            key = _KEYS[dictionary]
            for i, entry in enumerate(self.lists[dictionary]):
                ids.setdefault(key(entry), i)
        key = _KEYS[dictionary](value)
        found = ids.get(key)
        if found is None:
            found = ids[key] = len(self.lists[dictionary])
            self.lists[dictionary].append(value)
        return found

    def _room(self, more: int) -> None:
        need = self.size + more
        capacity = len(self.arrays["kind"])
        if need <= capacity:
            return
        capacity = max(need, 2 * capacity, 16)
        for name, array in self.arrays.items():
            grown = np.full(capacity, 0 if name in ("us", "end") else -1, dtype=array.dtype)
            grown[: self.size] = array[: self.size]
            self.arrays[name] = grown

    def add_events(self, events: Sequence[Event]) -> None:
        """Append *events*' rows."""
        n = len(events)
        self._room(n)
        start = self.size
        rows: dict[str, list[Any]] = {name: [] for name in COLUMNS}
        for event in events:
            for name, value in self.row(event).items():
                rows[name].append(value)
        for name, values in rows.items():
            self.arrays[name][start : start + n] = values
        self.size += n

    def row(self, event: Event) -> dict[str, Any]:
        """*event*'s row, its values given ids in these dictionaries (the row is not added)."""
        cls = type(event)
        fields = FIELDS.get(cls)
        row = dict(_DEFAULTS)
        occurred = event.occurred_at
        row["us"], row["zone"] = _time.micros(occurred), self._id("zones", _zone_of(occurred))
        if fields is None:
            row["kind"], row["other"] = OTHER, self._id("others", event)
            return row
        row["kind"] = _CODES[cls]
        for field, column in fields:
            value = getattr(event, field)
            if column == "us" or value is None:
                continue
            if column == "end":
                row["end"] = _time.micros(value)
                row["end_zone"] = self._id("zones", _zone_of(value))
            else:
                row[column] = self._id(_DICTIONARY[column], value)
        return row

    def add_columns(self, cols: LogColumns) -> None:
        """Append the rows of *cols*, their ids renumbered into these dictionaries."""
        n = len(cols)
        if self.size == 0:  # nothing to renumber into: adopt its arrays and dictionaries
            for name in COLUMNS:
                self.arrays[name] = np.array(getattr(cols, name))  # a copy: ours to grow
            for entries in self.lists:
                self.lists[entries] = list(getattr(cols, entries))
            self.ids = {}
            self.size = n
            return
        self._room(n)
        start = self.size
        maps: dict[str, npt.NDArray[np.int32]] = {}
        for entries in self.lists:
            ids = [self._id(entries, v) for v in getattr(cols, entries)]
            # -1 (none) indexes the map's last entry: it stays -1
            maps[entries] = np.array([*ids, -1], dtype=np.int32)
        for name, (_, dictionary) in COLUMNS.items():
            source = getattr(cols, name)
            self.arrays[name][start : start + n] = (
                source if dictionary is None else maps[dictionary][source]
            )
        self.size += n

    def event(self, i: int) -> Event:
        """The event of row *i* (below :attr:`size`), built from the columns."""
        return _build(self.arrays, self.lists, i)

    def events(self, lo: int, hi: int) -> list[Event]:
        """The events of rows ``lo..hi`` (below :attr:`size`), built from the columns."""
        return _build_range(self.arrays, self.lists, lo, hi)

    def events_at(self, rows: Sequence[int]) -> list[Event]:
        """The events of *rows* (each below :attr:`size`), built from the columns."""
        return _build_rows(self.arrays, self.lists, np.array(rows, dtype=np.int64))

    def view(self, size: int) -> LogColumns:
        """The first *size* rows (at most :attr:`size`), read-only."""
        arrays = {}
        for name, array in self.arrays.items():
            part = array[:size]
            part.flags.writeable = False  # a view: the buffer stays writable for appends
            arrays[name] = part
        dictionaries = {name: tuple(values) for name, values in self.lists.items()}
        return LogColumns(**cast("dict[str, Any]", arrays), **cast("dict[str, Any]", dictionaries))


_CODES: dict[type[Event], int] = {cls: code for code, cls in enumerate(EVENT_TYPES)}
_FIELD_IN: dict[tuple[type[Event], str], str] = {
    (cls, column): field for cls in EVENT_TYPES for field, column in FIELDS[cls]
}
"""The field of each built-in type kept in each column it fills."""
_KINDS_WITH: dict[str, list[int]] = {
    column: [code for code, cls in enumerate(EVENT_TYPES) if column in dict(FIELDS[cls]).values()]
    for column in COLUMNS
}
"""The kind codes of the built-in types that fill each column."""
_DEFAULTS = {name: 0 if name in ("us", "end") else -1 for name in COLUMNS}


class Rows:
    """Columns filled as a store's loader reads its rows; then :meth:`finish`.

    A loader gives each row's values already as ids (``text``, ``zone``,
    ``place``, ``group``, ``duties``) to :meth:`add`, many rows at once as columns to
    :meth:`add_columns`, or an event it had to build another way to :meth:`event`. Nothing
    is checked here: :meth:`EventLog.from_columns <itinerary.log.EventLog.from_columns>`
    checks the columns once they are finished.
    """

    def __init__(self) -> None:
        self._encoder = Encoder()
        self._rows: list[tuple[int, ...]] = []  # one a row, its values in COLUMNS order
        self._blocks: list[npt.NDArray[np.int64]] = []  # rows before _rows, (n, width)
        self._size = 0  # rows in _blocks
        ids = self._encoder._id
        self.text = functools.partial(ids, "texts")
        self.zone = functools.partial(ids, "zones")
        self.place = functools.partial(ids, "places")
        self.group = functools.partial(ids, "groups")
        self.duties = functools.partial(ids, "obligations")

    def add(  # noqa: PLR0917 - one argument per column
        self,
        kind: int,
        us: int,
        zone: int,
        name: int,
        place: int = -1,
        to: int = -1,
        end: int = 0,
        end_zone: int = -1,
        venue: int = -1,
        what: int = -1,
        people: int = -1,
        duties: int = -1,
    ) -> None:
        """Append a row of a built-in type (its ``kind`` code), each value given as an id."""
        self._rows.append(
            (kind, us, zone, name, place, to, end, end_zone, venue, what, people, duties, -1)
        )

    def add_columns(self, columns: Mapping[str, npt.ArrayLike]) -> None:
        """Append rows of built-in types given as columns, each value as :meth:`add` takes it.

        *columns* holds every column of :data:`COLUMNS` but ``other``, all of one length.
        """
        self._flush()
        block = np.stack(
            [
                np.asarray(columns[name], dtype=np.int64)
                if name != "other"
                else np.full(len(np.asarray(columns["kind"])), -1, dtype=np.int64)
                for name in COLUMNS
            ],
            axis=1,
        )
        self._blocks.append(block)
        self._size += len(block)

    def event(self, event: Event) -> None:
        """Append *event*'s row."""
        self._rows.append(tuple(self._encoder.row(event).values()))

    def __len__(self) -> int:
        return self._size + len(self._rows)

    def _flush(self) -> None:
        """Move the rows added one at a time into a block."""
        n, width = len(self._rows), len(COLUMNS)
        if n:
            self._blocks.append(
                np.fromiter(
                    itertools.chain.from_iterable(self._rows), dtype=np.int64, count=n * width
                ).reshape(n, width)
            )
            self._size += n
            self._rows = []

    def finish(self) -> LogColumns:
        """The rows added, as columns."""
        self._flush()
        table = (
            np.concatenate(self._blocks)
            if self._blocks
            else np.zeros((0, len(COLUMNS)), dtype=np.int64)
        )
        arrays = {
            name: table[:, i].astype(dtype) for i, (name, (dtype, _)) in enumerate(COLUMNS.items())
        }
        dictionaries = {name: tuple(values) for name, values in self._encoder.lists.items()}
        return LogColumns(**cast("dict[str, Any]", arrays), **cast("dict[str, Any]", dictionaries))


def _place_key(place: Place) -> tuple[Any, ...]:
    lat, lon = place.lat, place.lon  # 1 == 1.0 and 0.0 == -0.0: types and signs tell them apart
    return (place.name, place.country, place.tz, type(lat), lat, _sign(lat), type(lon), lon,
            _sign(lon))  # fmt: skip


def _sign(value: float | None) -> float:
    return 0.0 if value is None else math.copysign(1.0, value)


def _duty_key(duty: Obligation) -> tuple[Any, ...]:
    due, within = duty.due, duty.within  # equal deadlines in two zones are two entries
    return (
        duty.what,
        None if within is None else (type(within), _time.duration_parts(within)),
        None if due is None else (_time.micros(due), _zone_of(due)),
    )


_KEYS: dict[str, Callable[[Any], Any]] = {
    "zones": lambda zone: zone,
    "texts": lambda text: (type(text), text),
    "places": _place_key,
    "groups": lambda group: tuple((type(name), name) for name in group),
    "obligations": lambda duties: tuple(map(_duty_key, duties)),
    "others": id,  # kept in the dictionary, so its id is never reused
}
"""What makes two dictionary entries one: the value exactly as it is shown, not only equal."""
_DICTIONARIES = ("zones", "texts", "places", "groups", "obligations", "others")
_DICTIONARY = {name: dictionary for name, (_, dictionary) in COLUMNS.items() if dictionary}


def columns_of(events: Iterable[Event]) -> LogColumns:
    """*events* as columns, one row each, in their order."""
    encoder = Encoder()
    encoder.add_events(list(events))
    return encoder.view(encoder.size)


# -- building events from rows ----------------------------------------------------------------

_OFFSET = re.compile(r"([+-])([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@functools.cache
def _tz(name: str) -> tzinfo:
    """The zone *name* names: an IANA zone, or a fixed offset ``+HH:MM[:SS]``."""
    if name[:1] in ("+", "-"):
        found = _OFFSET.fullmatch(name)
        if found is None or found[4] == "00":
            raise InvalidEventError(f"{name!r} is not a zone name or an offset +HH:MM[:SS]")
        sign, hours, minutes, seconds = found.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return _time.zone(name)
    except ItineraryError as exc:
        raise InvalidEventError(f"{name!r} is not a zone name: {exc}") from None


def _instant(us: int, name: str) -> DateTime:
    tz = _tz(name)
    if isinstance(tz, timezone):
        return _time.instant((_EPOCH + timedelta(microseconds=us)).astimezone(tz), what="instant")
    return _time.local_instant(us, tz)


_BUILDERS: dict[int, Callable[..., Event]] = {
    code: _trusted.constructor_at(cls) for code, cls in enumerate(EVENT_TYPES)
}
"""Each kind's unchecked constructor, given the instant in microseconds first."""


def _build(
    arrays: Mapping[str, npt.NDArray[Any]], dictionaries: Mapping[str, Sequence[Any]], i: int
) -> Event:
    """The event of row *i* (the columns were checked when they came in)."""
    code = int(arrays["kind"][i])
    if code == OTHER:
        return dictionaries["others"][int(arrays["other"][i])]  # type: ignore[no-any-return]
    cls = EVENT_TYPES[code]
    us = int(arrays["us"][i])
    zones = dictionaries["zones"]
    values: list[Any] = []
    for _, column in FIELDS[cls]:
        if column == "us":
            values.append(_instant(us, zones[int(arrays["zone"][i])]))
        elif column == "end":
            values.append(_instant(int(arrays["end"][i]), zones[int(arrays["end_zone"][i])]))
        else:
            j = int(arrays[column][i])
            values.append(None if j < 0 else dictionaries[_DICTIONARY[column]][j])
    return _BUILDERS[code](us, *values)


def _build_range(
    arrays: Mapping[str, npt.NDArray[Any]],
    dictionaries: Mapping[str, Sequence[Any]],
    lo: int,
    hi: int,
) -> list[Event]:
    """The events of rows ``lo..hi``: :func:`_build` for many rows, reading each column once."""
    return _build_rows(arrays, dictionaries, slice(lo, hi))


def _build_rows(
    arrays: Mapping[str, npt.NDArray[Any]],
    dictionaries: Mapping[str, Sequence[Any]],
    which: slice | npt.NDArray[np.int64],
) -> list[Event]:
    """The events of the rows *which* selects (a slice, or an array of row numbers)."""
    rows = {name: arrays[name][which].tolist() for name in COLUMNS}
    zones = [_tz(name) for name in dictionaries["zones"]]
    fixed = [isinstance(tz, timezone) for tz in zones]
    local, names = _time.local_instant, dictionaries["zones"]

    def at(us: int, zone: int) -> DateTime:
        return _instant(us, names[zone]) if fixed[zone] else local(us, zones[zone])

    plans = {
        code: [
            (
                column,
                rows[column],
                dictionaries[_DICTIONARY[column]] if column in _DICTIONARY else (),
            )
            for _, column in FIELDS[cls]
        ]
        for code, cls in enumerate(EVENT_TYPES)
    }
    kinds, instants, zone_ids, ends, end_zones = (
        rows["kind"],
        rows["us"],
        rows["zone"],
        rows["end"],
        rows["end_zone"],
    )
    others, other_ids = dictionaries["others"], rows["other"]
    builders = _BUILDERS
    found: list[Event] = []
    append = found.append
    for k, code in enumerate(kinds):
        if code == OTHER:
            append(others[other_ids[k]])
            continue
        us = instants[k]
        values: list[Any] = []
        for column, ids, entries in plans[code]:
            if column == "us":
                values.append(at(us, zone_ids[k]))
            elif column == "end":
                values.append(at(ends[k], end_zones[k]))
            else:
                j = ids[k]
                values.append(None if j < 0 else entries[j])
        append(builders[code](us, *values))
    return found


# -- checking columns that come from outside ----------------------------------------------


def _fail(message: str) -> InvalidEventError:
    return InvalidEventError(f"columns: {message}")


def _zone_ok(zone: object) -> bool:
    if type(zone) is not str:
        return False
    try:
        _tz(zone)
    except InvalidEventError:
        return False
    return True


def _text_ok(text: object) -> bool:
    return type(text) is str and bool(text.strip())


def _group_ok(group: object) -> bool:
    return (
        type(group) is tuple
        and bool(group)
        and all(map(_text_ok, group))
        and len(set(group)) == len(group)
    )


_ENTRY_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "zones": (_zone_ok, "IANA zone names or offsets +HH:MM[:SS]"),
    "texts": (_text_ok, "non-empty strings"),
    "places": (lambda place: type(place) is Place, "Place values"),
    "groups": (_group_ok, "tuples of distinct non-empty names"),
    "obligations": (
        lambda duties: type(duties) is tuple and all(type(o) is Obligation for o in duties),
        "tuples of Obligation values",
    ),
    "others": (lambda event: isinstance(event, Event), "events"),
}
"""Each dictionary's check of one entry, and what its entries must be (for the message)."""


def _check_shapes(cols: LogColumns) -> None:
    """Each column a 1-d numpy array of its dtype and of one length; each dictionary checked."""
    n = len(cols.kind) if isinstance(cols.kind, np.ndarray) else -1
    for name, (dtype, _) in COLUMNS.items():
        array = getattr(cols, name)
        if not isinstance(array, np.ndarray) or array.dtype != np.dtype(dtype):
            raise _fail(f"{name} must be a numpy array of {dtype}, got {array!r:.80}")
        if array.shape != (n,):
            raise _fail(f"{name} has shape {array.shape}, the kind column ({n},)")
    for name, (ok, what) in _ENTRY_CHECKS.items():
        entries = getattr(cols, name)
        if not isinstance(entries, tuple):
            raise _fail(f"{name} must be a tuple, got {type(entries).__name__}")
        for entry in entries:
            if not ok(entry):
                raise _fail(f"{name} must hold {what}, got {entry!r}")


def _check_values(cols: LogColumns) -> None:
    """Kind codes known, instants in the years 1-9999, meetings ending after they start."""
    kinds, meetings = cols.kind, np.isin(cols.kind, _KINDS_WITH["end"])
    bad = np.flatnonzero((kinds < 0) | (kinds > OTHER))
    if bad.size:
        raise _fail(f"row {bad[0]}: kind {kinds[bad[0]]} is not a kind code (0 to {OTHER})")
    first, last = _time.FIRST_INSTANT_US, _time.LAST_INSTANT_US
    for name, rows in (("us", np.ones(len(kinds), dtype=bool)), ("end", meetings)):
        values = getattr(cols, name)
        bad = np.flatnonzero(rows & ((values < first) | (values > last)))
        if bad.size:
            raise _fail(f"row {bad[0]}: {name} {values[bad[0]]} is outside the years 1-9999")
    bad = np.flatnonzero(meetings & (cols.end < cols.us))
    if bad.size:
        raise _fail(f"row {bad[0]} ({KINDS[kinds[bad[0]]]}) ends before it starts")


def _id_bounds() -> tuple[dict[str, npt.NDArray[np.int64]], dict[str, npt.NDArray[np.bool_]]]:
    """By id column: each kind code's lowest id (-1: none), and whether it may hold one.

    A kind code that may not hold an id in a column holds only -1 there. Kind :data:`OTHER`
    fills ``zone`` and ``other``.
    """
    required = [*(_REQUIRED[cls] for cls in EVENT_TYPES), frozenset({"zone", "other"})]
    optional = [*(_OPTIONAL[cls] for cls in EVENT_TYPES), frozenset()]
    lowest = {
        name: np.array([0 if name in r else -1 for r in required], dtype=np.int64)
        for name in _DICTIONARY
    }
    filled = {
        name: np.array([name in r | o for r, o in zip(required, optional, strict=True)])
        for name in _DICTIONARY
    }
    return lowest, filled


_LOWEST, _FILLED = _id_bounds()


def _check_ids(cols: LogColumns) -> None:
    """Every id a row of each kind must have in its dictionary, and none it must not have.

    Each row's lowest and highest allowed id are looked up by its kind code (two gathers a
    column); only a fault found is then named, as the first row at fault of the lowest kind
    code. The kind codes were checked first (:func:`_check_values`).
    """
    kind = cols.kind.astype(np.intp)
    wrong: dict[str, npt.NDArray[np.bool_]] = {}
    for name, dictionary in _DICTIONARY.items():
        ids = getattr(cols, name)
        highest = np.where(_FILLED[name], len(getattr(cols, dictionary)) - 1, -1)
        found = (ids < _LOWEST[name][kind]) | (ids > highest[kind])
        if found.any():
            wrong[name] = found
    for code in range(OTHER + 1):
        rows = cols.kind == code
        for name, found in wrong.items():
            at = np.flatnonzero(rows & found)
            if at.size:
                row, dictionary = int(at[0]), _DICTIONARY[name]
                raise _fail(
                    f"row {row} ({KINDS[code] if code < OTHER else 'other'}): {name} "
                    f"{getattr(cols, name)[row]} is not an id in {dictionary} "
                    f"(size {len(getattr(cols, dictionary))}; -1 for none where the field is "
                    "optional)"
                )


def _check_rows(cols: LogColumns) -> None:
    """What only a whole event can tell: an event of your own's instant, signings' deadlines."""
    for row in np.flatnonzero(cols.kind == OTHER).tolist():
        event = cols.others[int(cols.other[row])]
        if _time.micros(event.occurred_at) != int(cols.us[row]):
            raise _fail(f"row {row}: us is not the instant of the event in others")
    # A signing's obligations must have distinct names and computable deadlines. Only one
    # whose list repeats a name, or whose latest possible deadline may fall past the
    # calendar's end, is checked as the constructor checks it (the rest cannot fail).
    reach = np.array([*map(_reach, cols.obligations), 0], dtype=np.int64)
    repeats = np.array(
        [len({o.what for o in duties}) != len(duties) for duties in cols.obligations] + [False]
    )
    ids = cols.duties
    suspect = np.isin(cols.kind, _KINDS_WITH["duties"]) & (
        repeats[ids] | (cols.us >= _time.LAST_INSTANT_US - reach[ids])
    )
    for row in np.flatnonzero(suspect).tolist():
        duties = cols.obligations[int(cols.duties[row])]
        if duties:
            event = cols.event(row)
            field = _FIELD_IN[type(event), "duties"]
            try:
                attrs.evolve(event, **{field: duties})  # type: ignore[misc]
            except InvalidEventError as exc:
                raise _fail(f"row {row}: {exc}") from None


_DAY_US = 86_400_000_000


def _reach(duties: tuple[Obligation, ...]) -> int:
    """At most how many microseconds after a signing the deadlines of *duties* can fall."""
    most = 0
    for duty in duties:
        if duty.within is not None:
            years, months, days, seconds, micros = _time.duration_parts(duty.within)
            # A year is at most 366 days, a month 31; two days more for any change of offset.
            most = max(
                most,
                (abs(years) * 366 + abs(months) * 31 + abs(days) + 2) * _DAY_US
                + abs(seconds) * 1_000_000
                + abs(micros),
            )
    return most


def checked(cols: object) -> LogColumns:
    """*cols* if it is columns a log can hold, else :class:`InvalidEventError` saying why.

    Checks what the event constructors would (every id in its dictionary, text non-empty,
    instants in the years 1-9999, meetings ending after they start, obligations' deadlines
    computable) once per column or dictionary entry, not once per event.
    """
    if not isinstance(cols, LogColumns):
        raise _fail(f"expected LogColumns, got {type(cols).__name__}")
    _check_shapes(cols)
    _check_values(cols)
    _check_ids(cols)
    _check_rows(cols)
    return cols
