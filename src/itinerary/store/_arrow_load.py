"""The Arrow store's file columns as a log's columns, column by column: no Python step a row.

:func:`log_columns` reads each column of the file's table (``ArrowStore.read_table()``)
into numpy and maps the file's values to the ids of :class:`~itinerary.columns.LogColumns`
with Arrow's hash kernels (``dictionary_encode``) and numpy's fancy indexing. Python work
is done once per distinct value (a text, a zone, a place, a group of names, an
obligation), never once per row; only rows it cannot take as columns (an event of a type
of your own codec kept whole in ``data``, an older schema) are built one by one, by the
codec, as before.

It checks nothing the log's own check (``columns.checked``, run by
``EventLog.from_columns``) checks, and raises :class:`NotColumnarError` (or the error a value
raised) for anything it cannot take: the caller then builds the events one by one, which
name the version at fault. Needs pyarrow (imported by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt

from itinerary import _time
from itinerary.columns import COLUMNS, KINDS, OTHER, Encoder, LogColumns
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.places import Place
from itinerary.store.codec import SCHEMA_VERSIONS, decode_instant

__all__ = ["NotColumnarError", "log_columns"]


class NotColumnarError(ValueError):
    """The table holds something the column path does not take: build it row by row."""


_CODE = {name: code for code, name in enumerate(KINDS)}
_A, _D, _M, _S, _O = (
    _CODE[cls.__name__] for cls in (Arrived, Departed, MeetingHeld, AgreementSigned, ObligationMet)
)
_SPECIAL = -1
"""The code of a row this module does not take as columns (built by the codec)."""
_SCHEMAS = np.array([SCHEMA_VERSIONS[name] for name in KINDS], dtype=np.int64)


class _Dictionary:
    """A dictionary of the log's columns being filled: each distinct key's id, once."""

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.entries: list[Any] = []

    def id(self, key: Any, make: Callable[[Any], Any] | None = None) -> int:
        """*key*'s id, its entry added (*make* of it, or itself) if it is new."""
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.entries)
            self.entries.append(key if make is None else make(key))
        return found


def _array(column: Any) -> Any:
    """The one chunk of *column* (the table's chunks were combined)."""
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


def _encoded(pa: Any, array: Any) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """*array*'s values as indices into its distinct values (-1 for null), and those values."""
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    indices = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return indices, array.dictionary.to_pylist()


def _mapped(pa: Any, array: Any, to_id: Callable[[Any], int]) -> npt.NDArray[np.int32]:
    """The ids *to_id* gives each row's value of *array* (-1 for null), once per value."""
    indices, values = _encoded(pa, array)
    ids = np.array([*(to_id(v) for v in values), -1], dtype=np.int32)
    return ids[indices]  # -1 (null) takes the last entry: -1


def _texts(pa: Any, arrays: Sequence[Any]) -> tuple[list[npt.NDArray[np.int32]], list[Any]]:
    """The ids of *arrays*' values (strings; -1 for null) in one dictionary, and its entries.

    One string is one id whatever column it is in (replay ranks names by sorting the
    dictionary: a string twice would tie two ways). The distinct values of each column are
    merged by Arrow's hash kernel, not a Python loop.
    """
    encoded = [a if pa.types.is_dictionary(a.type) else a.dictionary_encode() for a in arrays]
    values = pa.concat_arrays([e.dictionary.cast(pa.string()) for e in encoded])
    merged = values.dictionary_encode()
    ids = merged.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    found, start = [], 0
    for e in encoded:
        size = len(e.dictionary)
        table = np.append(ids[start : start + size], np.int32(-1))  # -1 (null): the last
        start += size
        indices = e.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        found.append(table[indices])
    return found, merged.dictionary.to_pylist()


def _numbers(pa: Any, array: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """*array*'s integers (timestamps as microseconds), 0 where null, and where it is null."""
    if pa.types.is_timestamp(array.type):
        array = array.cast(pa.int64())
    values = array.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    return values, nulls


def _distinct(
    pa: Any, parts: Sequence[npt.NDArray[np.int64]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each row's id among the distinct tuples of *parts*, and a row holding each tuple.

    *parts* are ids, each at least -1; the row given for a tuple is any of its rows (they
    hold the same values).
    """
    n = len(parts[0])
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for part in parts:
        size = int(part.max()) + 2 if n else 1
        if span * size > max(_DENSE, 4 * n):  # compact the key so far first: it stays small
            key, span = _compact(pa, key, span)
        key = key * size + (part + 1)
        span *= size
    inverse, count = _compact(pa, key, span)
    rows = np.empty(count, dtype=np.int64)
    rows[inverse] = np.arange(n, dtype=np.int64)
    return inverse, rows


_DENSE = 1 << 20
"""The most keys :func:`_compact` numbers through a table of every possible key."""


def _compact(pa: Any, key: npt.NDArray[np.int64], span: int) -> tuple[npt.NDArray[np.int64], int]:
    """*key* (each below *span*) renumbered 0, 1, ...: the count of distinct keys too."""
    if span <= max(_DENSE, 4 * len(key)):  # a table of every key: no hashing
        seen = np.zeros(span, dtype=bool)
        seen[key] = True
        numbers = np.cumsum(seen) - 1
        return numbers[key], int(seen.sum())
    encoded = pa.array(key).dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)


def _sequences(
    pa: Any, offsets: npt.NDArray[np.int64], items: npt.NDArray[np.int64], rows: Any
) -> tuple[npt.NDArray[np.int64], list[tuple[int, ...]]]:
    """Each selected row's id among the distinct lists of *items*, and those lists.

    Row *r*'s list is ``items[offsets[r]:offsets[r + 1]]``; a row *rows* does not select
    has the id -1.
    """
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    chosen = np.flatnonzero(rows)
    if not chosen.size:
        return np.full(n, -1, dtype=np.int64), []
    longest = int(lengths[chosen].max())
    if longest > _LONGEST:  # as many columns as that, mostly padding: a tuple a row
        return _sequences_of_tuples(offsets, items, chosen)
    starts, counts = offsets[chosen], lengths[chosen]
    # One column a position (-1 past a list's end), after the length: [1, 2] and [1, 2, -1]
    # never meet. Rows are then told apart as any tuple of columns is.
    columns = [counts]
    for j in range(longest):
        columns.append(np.where(counts > j, items[np.minimum(starts + j, len(items) - 1)], -1))
    ids, rows = _distinct(pa, columns)
    found = np.full(n, -1, dtype=np.int64)
    found[chosen] = ids
    grid = np.stack(columns, axis=1)[rows]
    sequences = [tuple(row[1 : 1 + row[0]]) for row in grid.tolist()]
    return found, sequences


_LONGEST = 64
"""The longest list :func:`_sequences` tells apart a column a position (else a row at a time)."""


def _sequences_of_tuples(
    offsets: npt.NDArray[np.int64], items: npt.NDArray[np.int64], chosen: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], list[tuple[int, ...]]]:
    """:func:`_sequences` a row at a time (for lists longer than :data:`_LONGEST`)."""
    found = np.full(len(offsets) - 1, -1, dtype=np.int64)
    ids: dict[tuple[int, ...], int] = {}
    values, bounds = items.tolist(), offsets.tolist()
    for row in chosen.tolist():
        found[row] = ids.setdefault(tuple(values[bounds[row] : bounds[row + 1]]), len(ids))
    return found, list(ids)


def _lists(array: Any) -> tuple[npt.NDArray[np.int64], Any]:
    """A list array's offsets from 0, and the items they index (those of its rows only)."""
    offsets = array.offsets.to_numpy().astype(np.int64)
    first = int(offsets[0]) if len(offsets) else 0
    last = int(offsets[-1]) if len(offsets) else 0
    return offsets - first, array.values.slice(first, last - first)


def _struct_field(array: Any, name: str) -> Any:
    """The field *name* of a struct array, as many rows as it, null where the struct is."""
    index = array.type.get_field_index(name)
    return array.flatten()[index]


_OBLIGATION_SLOTS = tuple(Obligation.__dict__[name].__set__ for name in ("what", "within", "due"))
"""The slots of an :class:`Obligation` (frozen, slotted), set as its constructor sets them."""


def _within(parts: dict[str, Any]) -> timedelta:
    """The duration of a ``within`` struct's parts, as the codec decodes them."""
    values = {k: v for k, v in parts.items() if k != "calendar" and v}
    if parts.get("calendar"):
        return _time.duration(**values)
    if "years" in values or "months" in values:
        raise NotColumnarError(f"an elapsed duration of years or months: {parts!r}")
    return timedelta(**values)


def _obligations(
    pa: Any, array: Any, signings: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], list[tuple[Obligation, ...]]]:
    """Each signing's id among the distinct lists of obligations, and those lists.

    Each distinct obligation is built once; the other rows have the id -1.
    """
    if array.null_count and bool(np.any(array.is_null().to_numpy(zero_copy_only=False)[signings])):
        raise NotColumnarError("a signing without its list of obligations")
    offsets, items = _lists(array)
    what, what_values = _encoded(pa, _struct_field(items, "what"))
    within = _struct_field(items, "within")
    within_null = within.is_null().to_numpy(zero_copy_only=False)
    parts: list[npt.NDArray[np.int64]] = [what, within_null.astype(np.int64)]
    for name in ("years", "months", "days", "seconds", "microseconds", "calendar"):
        field = _struct_field(within, name)
        if pa.types.is_boolean(field.type):
            field = field.cast(pa.int8())
        parts.append(_encoded(pa, field)[0])
    due, due_null = _numbers(pa, _struct_field(items, "due"))
    zone, zone_values = _encoded(pa, _struct_field(items, "due_zone"))
    parts += [_encoded(pa, pa.array(due))[0], due_null.astype(np.int64), zone]
    if len(items):
        ids, rows = _distinct(pa, parts)
    else:
        ids, rows = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    built = _built_obligations(
        rows.tolist(), [what_values[i] if i >= 0 else None for i in what[rows].tolist()],
        within, within_null[rows].tolist(), due[rows].tolist(), due_null[rows].tolist(),
        [zone_values[i] if i >= 0 else None for i in zone[rows].tolist()],
    )  # fmt: skip
    found, sequences = _sequences(pa, offsets, ids, signings)
    return found, [tuple(built[i] for i in sequence) for sequence in sequences]


def _built_obligations(  # noqa: PLR0917 - one argument per field
    rows: list[int],
    whats: list[Any],
    within: Any,
    within_null: list[bool],
    dues: list[int],
    due_null: list[bool],
    zones: list[Any],
) -> list[Obligation]:
    """The obligations of the elements *rows* of the flattened column, as the codec builds them.

    One due at an instant (most of them: each signing's own deadline) is built as its
    constructor would build it, without running its checks again: they are made here
    (a non-empty name, an instant in the years 1-9999 in a known zone). One within a
    duration goes through the constructor.
    """
    first, last = _time.FIRST_INSTANT_US, _time.LAST_INSTANT_US
    tzs: dict[str, tzinfo] = {}
    new = object.__new__
    set_what, set_within, set_due = _OBLIGATION_SLOTS
    local_instant = _time.local_instant
    built: list[Obligation] = []
    append = built.append
    for k, row in enumerate(rows):
        what, due, zone = whats[k], dues[k], zones[k]
        if within_null[k] and not due_null[k] and zone is not None:
            if type(what) is not str or not what.strip() or not first <= due <= last:
                raise NotColumnarError(f"an obligation {what!r} due at {due!r}")
            tz = tzs.get(zone)
            if tz is None and zone[:1] not in ("+", "-"):  # an offset: decode_instant's
                tz = tzs[zone] = _time.zone(zone)
            at = local_instant(due, tz) if tz is not None else decode_instant([due, zone])
            found: Obligation = new(Obligation)
            set_what(found, what)
            set_within(found, None)
            set_due(found, at)
            append(found)
        elif not within_null[k] and due_null[k]:
            append(Obligation(what, within=_within(within[row].as_py())))
        else:
            raise NotColumnarError("an obligation with neither or both of within and due")
    return built


def _place(key: tuple[Any, ...]) -> Place:
    """The place of a key of :func:`_places`: name, country, zone, lat, lon, then types."""
    return Place(key[0], key[1], key[2], lat=key[3], lon=key[4])


def _places(pa: Any, col: dict[str, Any], prefix: str, places: _Dictionary) -> Any:
    """Each row's id in *places* of the place in the columns named *prefix* (-1 for none).

    Rows are told apart by the place's name, country and zone (dictionary indices: no
    hashing), then each distinct one's coordinates are compared bit for bit with every
    row's; only if one name has two sets of coordinates are they hashed too.
    """
    texts = [_encoded(pa, col[f"{prefix}{suffix}"]) for suffix in ("", "_country", "_zone")]
    numbers = []
    for suffix in ("_lat", "_lon"):
        array = col[f"{prefix}{suffix}"]
        nulls = array.is_null().to_numpy(zero_copy_only=False)
        values = array.fill_null(0.0).to_numpy(zero_copy_only=False)
        numbers.append((values, nulls))
    inverse, rows = _distinct(pa, [t[0] for t in texts])
    for values, nulls in numbers:
        bits, chosen = values.view(np.int64), rows[inverse]
        if not (np.array_equal(bits, bits[chosen]) and np.array_equal(nulls, nulls[chosen])):
            coordinates = [_encoded(pa, col[f"{prefix}{s}"])[0] for s in ("_lat", "_lon")]
            inverse, rows = _distinct(pa, [*(t[0] for t in texts), *coordinates])
            break
    ids = []
    for r in rows.tolist():
        name, country, tz = (v[i[r]] if i[r] >= 0 else None for i, v in texts)
        if name is None:
            ids.append(-1)
            continue
        lat, lon = (None if nulls[r] else float(values[r]) for values, nulls in numbers)
        key = (name, country, tz, lat, lon, type(lat), type(lon), _sign(lat), _sign(lon))
        ids.append(places.id(key, _place))
    return np.array([*ids, -1], dtype=np.int32)[inverse] if len(inverse) else inverse


def log_columns(pa: Any, table: Any, special: Callable[[Any], list[Event]]) -> LogColumns:
    """The log's columns of *table* (the file's columns), built column by column.

    *special* builds the events of a table of the rows the columns cannot take (the
    table's rows in order); they are added as the log's encoder adds events.
    """
    table = table.combine_chunks()  # one chunk a column, dictionaries unified
    n = table.num_rows
    col = {name: _array(table.column(name)) for name in table.column_names}
    zones, places, groups = _Dictionary(), _Dictionary(), _Dictionary()
    zone_id = zones.id

    kind = _mapped(pa, col["kind"], lambda name: _CODE.get(name, _SPECIAL))
    schema, schema_null = _numbers(pa, col["schema"])
    data_null = col["data"].is_null().to_numpy(zero_copy_only=False)
    known = kind >= 0
    fast = known & data_null & ~schema_null & (schema == _SCHEMAS[np.where(known, kind, 0)])
    kind = np.where(fast, kind, _SPECIAL)

    us, us_null = _numbers(pa, col["at"])
    end, end_null = _numbers(pa, col["end"])
    meetings = kind == _M
    if bool(np.any(fast & us_null)) or bool(np.any(meetings & end_null)):
        raise NotColumnarError("a row without its instant")

    moves = (kind == _A) | (kind == _D)
    gatherings = meetings | (kind == _S)
    met = kind == _O
    located = moves | gatherings

    none = np.int32(-1)
    (who, title, agreement, venue, what), text_values = _texts(
        pa, [col[k] for k in ("who", "title", "agreement", "venue", "what")]
    )
    name = np.where(moves, who, np.where(gatherings, title, np.where(met, agreement, none)))
    venue = np.where(gatherings, venue, none)
    what = np.where(met, what, none)
    zone = np.where(fast, _mapped(pa, col["zone"], zone_id), none)
    end_zone = np.where(meetings, _mapped(pa, col["end_zone"], zone_id), none)
    end = np.where(meetings, end, 0)
    place = np.where(located, _places(pa, col, "place", places), none)
    to = np.where(kind == _D, _places(pa, col, "to", places), none)

    people = col["people"]
    if bool(np.any(gatherings & people.is_null().to_numpy(zero_copy_only=False))):
        raise NotColumnarError("a meeting or signing without its people")
    offsets, names = _lists(people)
    name_ids, name_values = _encoded(pa, names)
    group_of, sequences = _sequences(pa, offsets, name_ids, gatherings)
    group_ids = np.array(
        [*(groups.id(tuple(name_values[i] if i >= 0 else None for i in s)) for s in sequences), -1],
        dtype=np.int32,
    )
    duties, lists = _obligations(pa, col["obligations"], kind == _S)  # each list once

    arrays: dict[str, Any] = {
        "kind": np.where(fast, kind, OTHER),
        "us": us,
        "zone": zone,
        "name": name,
        "place": place,
        "to": to,
        "end": end,
        "end_zone": end_zone,
        "venue": venue,
        "what": what,
        "people": group_ids[group_of],
        "duties": duties,
        "other": np.full(n, -1, dtype=np.int32),
    }
    arrays = {k: v.astype(COLUMNS[k][0], copy=False) for k, v in arrays.items()}
    found = LogColumns(
        **arrays,
        zones=tuple(zones.entries),
        texts=tuple(text_values),
        places=tuple(places.entries),
        groups=tuple(groups.entries),
        obligations=tuple(lists),
    )
    rows = np.flatnonzero(~fast)
    if not rows.size:
        return found
    return _with_events(found, rows, special(table.take(pa.array(rows))))


def _with_events(cols: LogColumns, rows: npt.NDArray[np.int64], events: list[Event]) -> LogColumns:
    """*cols* with the rows *rows* holding *events* instead, encoded as the log encodes them."""
    encoder = Encoder()
    encoder.add_columns(cols)
    for row, event in zip(rows.tolist(), events, strict=True):
        for name, value in encoder.row(event).items():
            encoder.arrays[name][row] = value
    return encoder.view(encoder.size)


def _sign(value: float | None) -> float:
    """The sign of a coordinate: 0.0 and -0.0 are equal but show apart (columns' place key)."""
    return 0.0 if value is None else math.copysign(1.0, value)
