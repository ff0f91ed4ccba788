"""The Arrow store's file columns as a log's columns, column by column: no Python step a row.

:func:`log_columns` reads each column of the file's table (``ArrowStore.read_table()``)
into numpy and maps the file's values to the ids of :class:`~itinerary.columns.LogColumns`
with Arrow's hash kernels (``dictionary_encode``) and numpy's fancy indexing. Python work
is done once per distinct value (a text, a zone, a place, a group of names, an
obligation), never once per row; only rows it cannot take as columns (an event of a type
of your own codec kept whole in ``data``, an older schema) are built one by one, by the
codec, as before.

It checks nothing the log's own check (``columns.checked``, run by
``EventLog.from_columns``) checks, and raises :class:`Unsupported` (or the error a value
raised) for anything it cannot take: the caller then builds the events one by one, which
name the version at fault. Needs pyarrow (imported by the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
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

__all__ = ["Unsupported", "log_columns"]


class Unsupported(ValueError):
    """The table holds something the column path does not take: build it row by row."""


_CODE = {name: code for code, name in enumerate(KINDS)}
_A, _D, _M, _S, _O = (
    _CODE[cls.__name__] for cls in (Arrived, Departed, MeetingHeld, AgreementSigned, ObligationMet)
)
_SPECIAL = -1
"""The code of a row this module does not take as columns (built by the codec)."""
_SCHEMAS = np.array([SCHEMA_VERSIONS[name] for name in KINDS], dtype=np.int64)
_I32 = np.int32


class _Dictionary:
    """A dictionary of the log's columns being filled: each distinct key's id, once."""

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.entries: list[Any] = []

    def id(self, key: Any, value: Callable[[], Any] | None = None) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.entries)
            self.entries.append(key if value is None else value())
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


def _mapped(pa: Any, array: Any, to_id: Callable[[Any], int]) -> npt.NDArray[np.int64]:
    """The ids *to_id* gives each row's value of *array* (-1 for null), once per value."""
    indices, values = _encoded(pa, array)
    ids = np.array([*(to_id(v) for v in values), -1], dtype=np.int64)
    return ids[indices]  # -1 (null) takes the last entry: -1


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
    """Each row's id among the distinct tuples of *parts* (ids, each at least -1), and a row
    holding each distinct tuple (any: the rows of one tuple hold the same values).
    """
    n = len(parts[0])
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for part in parts:
        size = int(part.max()) + 2 if n else 1
        if span * size >= 1 << 62:  # compact the key so far first: it cannot overflow
            key, span = _compact(pa, key)
        key = key * size + (part + 1)
        span *= size
    inverse, count = _compact(pa, key)
    rows = np.empty(count, dtype=np.int64)
    rows[inverse] = np.arange(n, dtype=np.int64)
    return inverse, rows


def _compact(pa: Any, key: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], int]:
    encoded = pa.array(key).dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)


def _sequences(
    pa: Any, offsets: npt.NDArray[np.int64], items: npt.NDArray[np.int64], rows: Any
) -> tuple[npt.NDArray[np.int64], list[tuple[int, ...]]]:
    """The id of each of *rows*' sequences of *items* (``items[offsets[r]:offsets[r+1]]``)
    among the distinct sequences, and those sequences (-1 where a row is not selected).
    """
    n = len(offsets) - 1
    lengths = np.diff(offsets)
    chosen = np.flatnonzero(rows)
    if not chosen.size:
        return np.full(n, -1, dtype=np.int64), []
    longest = int(lengths[chosen].max())
    if longest > _LONGEST:  # a grid that wide would be mostly padding: a tuple a row
        return _sequences_of_tuples(offsets, items, chosen)
    width = longest + 1  # the length first: [1, 2] and [1, 2, -1] never meet
    grid = np.full((chosen.size, width), -1, dtype=np.int32)
    grid[:, 0] = lengths[chosen]
    starts, counts = offsets[chosen], lengths[chosen]
    total = int(counts.sum())
    which = np.repeat(np.arange(chosen.size), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    grid[which, within + 1] = items[np.repeat(starts, counts) + within]
    keys = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(4 * width), chosen.size, [None, pa.py_buffer(np.ascontiguousarray(grid))]
    ).dictionary_encode()
    found = np.full(n, -1, dtype=np.int64)
    found[chosen] = keys.indices.to_numpy()
    sequences = []
    for key in keys.dictionary.to_pylist():
        row = np.frombuffer(key, dtype=np.int32)
        sequences.append(tuple(row[1 : 1 + int(row[0])].tolist()))
    return found, sequences


_LONGEST = 64
"""The longest list :func:`_sequences` lays out as a grid of fixed-width keys."""


def _sequences_of_tuples(
    offsets: npt.NDArray[np.int64], items: npt.NDArray[np.int64], chosen: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], list[tuple[int, ...]]]:
    """:func:`_sequences` a row at a time (for lists too long for its grid)."""
    found = np.full(len(offsets) - 1, -1, dtype=np.int64)
    ids: dict[tuple[int, ...], int] = {}
    values, bounds = items.tolist(), offsets.tolist()
    for row in chosen.tolist():
        found[row] = ids.setdefault(tuple(values[bounds[row] : bounds[row + 1]]), len(ids))
    return found, list(ids)


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
        raise Unsupported(f"an elapsed duration of years or months: {parts!r}")
    return timedelta(**values)


def _obligations(
    pa: Any, array: Any, signings: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], list[tuple[Obligation, ...]]]:
    """Each signing's id among the distinct lists of obligations, and those lists, built once
    per distinct obligation (-1 for the other rows).
    """
    if array.null_count and bool(np.any(array.is_null().to_numpy(zero_copy_only=False)[signings])):
        raise Unsupported("a signing without its list of obligations")
    offsets = array.offsets.to_numpy().astype(np.int64)
    items = array.values  # the offsets index the child array as it is
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


def _built_obligations(  # noqa: PLR0913, PLR0917 - one argument per field
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
    tzs: dict[Any, Any] = {}
    new = object.__new__
    set_what, set_within, set_due = _OBLIGATION_SLOTS
    local_instant = _time.local_instant
    built: list[Obligation] = []
    append = built.append
    for k, row in enumerate(rows):
        what, due, zone = whats[k], dues[k], zones[k]
        if within_null[k] and not due_null[k] and zone is not None:
            if type(what) is not str or not what.strip() or not first <= due <= last:
                raise Unsupported(f"an obligation {what!r} due at {due!r}")
            tz = tzs.get(zone)
            if tz is None:
                tz = tzs[zone] = _time.zone(zone) if zone[:1] not in ("+", "-") else False
            at = local_instant(due, tz) if tz is not False else decode_instant([due, zone])
            found: Obligation = new(Obligation)
            set_what(found, what)
            set_within(found, None)
            set_due(found, at)
            append(found)
        elif not within_null[k] and due_null[k]:
            append(Obligation(what, within=_within(within[row].as_py())))
        else:
            raise Unsupported("an obligation with neither or both of within and due")
    return built


def log_columns(pa: Any, table: Any, special: Callable[[Any], list[Event]]) -> LogColumns:
    """The log's columns of *table* (the file's columns), built column by column.

    *special* builds the events of a table of the rows the columns cannot take (the
    table's rows in order); they are added as the log's encoder adds events.
    """
    table = table.combine_chunks()  # one chunk a column, dictionaries unified
    n = table.num_rows
    col = {name: _array(table.column(name)) for name in table.column_names}
    texts, zones, places, groups = _Dictionary(), _Dictionary(), _Dictionary(), _Dictionary()
    text_id, zone_id = texts.id, zones.id

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
        raise Unsupported("a row without its instant")

    moves = (kind == _A) | (kind == _D)
    gatherings = meetings | (kind == _S)
    met = kind == _O
    located = moves | gatherings
    none = np.int64(-1)

    who = _mapped(pa, col["who"], text_id)
    title = _mapped(pa, col["title"], text_id)
    agreement = _mapped(pa, col["agreement"], text_id)
    name = np.where(moves, who, np.where(gatherings, title, np.where(met, agreement, none)))
    venue = np.where(gatherings, _mapped(pa, col["venue"], text_id), none)
    what = np.where(met, _mapped(pa, col["what"], text_id), none)
    zone = np.where(fast, _mapped(pa, col["zone"], zone_id), none)
    end_zone = np.where(meetings, _mapped(pa, col["end_zone"], zone_id), none)
    end = np.where(meetings, end, 0)

    def place_ids(prefix: str, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        names = [col[prefix], col[f"{prefix}_country"], col[f"{prefix}_zone"]]
        coordinates = [col[f"{prefix}_lat"], col[f"{prefix}_lon"]]
        parts = [_encoded(pa, a) for a in (*names, *coordinates)]
        inverse, rows_of = _distinct(pa, [p[0] for p in parts])
        ids = []
        for r in rows_of.tolist():
            values = [v[i[r]] if i[r] >= 0 else None for i, v in parts]
            if values[0] is None:
                ids.append(-1)
                continue
            key = (*values, *map(type, values[3:]))
            ids.append(places.id(key, lambda v=values: Place(*v[:3], lat=v[3], lon=v[4])))
        return np.where(rows, np.array(ids, dtype=np.int64)[inverse], none) if n else inverse

    place = place_ids("place", located)
    to = place_ids("to", kind == _D)

    people = col["people"]
    if bool(np.any(gatherings & people.is_null().to_numpy(zero_copy_only=False))):
        raise Unsupported("a meeting or signing without its people")
    names = people.values
    name_ids, name_values = _encoded(pa, names)
    offsets = people.offsets.to_numpy().astype(np.int64)
    group_of, sequences = _sequences(pa, offsets, name_ids, gatherings)
    group_ids = np.array(
        [*(groups.id(tuple(name_values[i] for i in s)) for s in sequences), -1], dtype=np.int64
    )
    people_ids = group_ids[group_of]

    duties, lists = _obligations(pa, col["obligations"], kind == _S)
    obligations = _Dictionary()
    duty_ids = np.array(
        [*(obligations.id(tuple(map(id, d)), lambda d=d: d) for d in lists), -1], dtype=np.int64
    )[duties]

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
        "people": people_ids,
        "duties": duty_ids,
        "other": np.full(n, -1, dtype=np.int64),
    }
    arrays = {k: v.astype(COLUMNS[k][0]) for k, v in arrays.items()}
    found = LogColumns(
        **arrays,
        zones=tuple(zones.entries),
        texts=tuple(texts.entries),
        places=tuple(places.entries),
        groups=tuple(groups.entries),
        obligations=tuple(obligations.entries),
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
