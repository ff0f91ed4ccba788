"""A log as an Apache Arrow IPC stream (``.arrows``): typed columns that data tools read.

The file is an ordinary Arrow IPC *stream*: its schema, then one record batch per
``extend`` (after the dictionaries of its dictionary columns). pyarrow and polars read it
as it is (``pyarrow.ipc.open_stream(path).read_all()``, ``polars.read_ipc_stream(path)``),
and DuckDB queries the table pyarrow reads; it has a column per plain field: ``version``, ``kind``,
``at`` (a UTC timestamp, microseconds), ``zone``, ``who``, ``people``, ``place`` and its
``place_country``, ``place_zone``, ``place_lat``, ``place_lon``, ``end``, ``to``, ``title``,
``venue``, ``agreement``, ``what`` and ``obligations`` (a list of structs whose ``within``
keeps a duration's calendar parts). An event the columns cannot hold (a type of your own
codec, an older schema) is kept whole in ``data``, as the codec's JSON record.

Why a stream and not Parquet: a stream grows by appending messages, so an ``extend``
writes only its batch; a Parquet file ends in a footer that lists every row group, so each
append rewrites it. The same columns also wrote and read about twice as fast as Arrow as
Parquet (docs/store.md has the figures); export a log to Parquet with ``itinerary export
FILE --to tour.parquet``.

Each batch's metadata holds its first version, its number of events, its size and the
CRC-32 of its bytes as written: a batch changed after it was written is refused, named by
its versions, and one whose checksum matches is still validated as Arrow data. The file is
walked by Arrow's framing (marker, metadata length, the flatbuffer header), and seals are
read in batch metadata only, never in the events' text. A tail is torn (a killed writer's
batch: not read, and removed by the next writer) only if it is a strict prefix of the next
batch: every byte of it parses, what fails is that the bytes run out, and no batch in it is
whole (see :func:`_check_torn`); anything else is damage, refused. One ``extend`` is one
batch; Arrow's 32-bit offsets bound each column's text to 2 GiB, and a larger batch is
refused, storing nothing. Writers hold an exclusive ``flock`` and ``fsync``, as the JSON
Lines store does, and cut a failed write back off. Needs pyarrow:
``pip install "itinerary[arrow]"``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from itinerary import _extras, _files, _progress
from itinerary._compat import bulk
from itinerary.errors import ConcurrencyError, ItineraryError, StoreError
from itinerary.events import EVENT_TYPES, Event
from itinerary.log import EventLog, checked_batch
from itinerary.store._arrow_load import log_columns
from itinerary.store.base import (
    StoreBase,
    check_upto,
    file_identity,
    load_bar,
    regular_or_missing,
    stale,
    write_bar,
)
from itinerary.store.codec import DEFAULT_CODEC, SCHEMA_VERSIONS, Codec, dumps

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): reading works, appending does not
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHUNK",
    "FORMAT",
    "ArrowStore",
    "events_from_columns",
    "export_arrow",
    "file_schema",
    "log_from_table",
]

FORMAT = "1"
"""The format this module writes, in the schema's metadata (``itinerary.format``)."""

CHUNK = 10_000
"""Events encoded or built at a time (and counted on a progress bar)."""

_SEAL = re.compile(
    rb"itinerary:first=(\d{1,19});count=(\d{1,19});bytes=(\d{16});crc32=([0-9a-f]{8})"
)
"""A batch's seal, in its metadata: first version, events, its bytes, and their CRC-32."""
_PLACEHOLDER = b"00000000"


def _pyarrow(feature: str) -> Any:
    """pyarrow, or :class:`~itinerary.errors.MissingExtraError` naming the ``arrow`` extra."""
    return _extras.require("pyarrow", extra="arrow", feature=feature)


def file_schema() -> pa.Schema:
    """The Arrow schema of the store's file: what data tools see."""
    pa = _pyarrow("an Arrow store (.arrows)")
    text = pa.dictionary(pa.int32(), pa.string())
    instant = pa.timestamp("us", tz="UTC")
    duration = pa.struct(
        [
            ("years", pa.int64()),
            ("months", pa.int64()),
            ("days", pa.int64()),
            ("seconds", pa.int64()),
            ("microseconds", pa.int64()),
            ("calendar", pa.bool_()),
        ]
    )
    obligation = pa.struct(
        [("what", pa.string()), ("within", duration), ("due", instant), ("due_zone", text)]
    )
    fields = [
        pa.field("version", pa.int64(), nullable=False),
        pa.field("kind", text, nullable=False),
        pa.field("schema", pa.int32(), nullable=False),
        ("at", instant),
        ("zone", text),
        ("who", text),
        ("people", pa.list_(pa.string())),
        ("place", text),
        ("place_country", text),
        ("place_zone", text),
        ("place_lat", pa.float64()),
        ("place_lon", pa.float64()),
        ("end", instant),
        ("end_zone", text),
        ("to", text),
        ("to_country", text),
        ("to_zone", text),
        ("to_lat", pa.float64()),
        ("to_lon", pa.float64()),
        ("title", pa.string()),
        ("venue", pa.string()),
        ("agreement", pa.string()),
        ("what", pa.string()),
        ("obligations", pa.list_(obligation)),
        ("data", pa.string()),
    ]
    return pa.schema(fields, metadata={"itinerary": "event-log", "itinerary.format": FORMAT})


# -- events to columns ---------------------------------------------------------------------


_NAMES = (
    "version", "kind", "schema", "at", "zone", "who", "people", "place", "place_country",
    "place_zone", "place_lat", "place_lon", "end", "end_zone", "to", "to_country", "to_zone",
    "to_lat", "to_lon", "title", "venue", "agreement", "what", "obligations", "data",
)  # fmt: skip
"""The file's columns, in order."""

_NO_PLACE = (None, None, None, None, None)
_NO_INSTANT = (None, None)
Row = tuple[Any, ...]
"""An event as the file's columns, in :data:`_NAMES` order."""


def _obligation_row(value: Mapping[str, Any]) -> dict[str, Any]:
    within = value.get("within")
    due = value.get("due")
    return {
        "what": value["what"],
        "within": None if within is None else {**within, "calendar": bool(within.get("calendar"))},
        "due": None if due is None else due[0],
        "due_zone": None if due is None else due[1],
    }


def _moves(head: Row, d: dict[str, Any]) -> Row:
    to = d.get("to") or _NO_PLACE
    return (*head, *d["at"], d["who"], None, *d["place"], None, None, *to,
            None, None, None, None, None, None)  # fmt: skip


def _meeting(head: Row, d: dict[str, Any]) -> Row:
    return (*head, *d["start"], None, d["participants"], *d["place"], *d["end"], *_NO_PLACE,
            d["title"], d["venue"], None, None, None, None)  # fmt: skip


def _agreement(head: Row, d: dict[str, Any]) -> Row:
    duties = [_obligation_row(o) for o in d["obligations"]]
    return (*head, *d["at"], None, d["signatories"], *d["place"], *_NO_INSTANT, *_NO_PLACE,
            d["title"], d["venue"], None, None, duties, None)  # fmt: skip


def _met(head: Row, d: dict[str, Any]) -> Row:
    return (*head, *d["at"], None, None, *_NO_PLACE, *_NO_INSTANT, *_NO_PLACE,
            None, None, d["agreement"], d["what"], None, None)  # fmt: skip


_FLATTEN: dict[str, Callable[[Row, dict[str, Any]], Row]] = {
    "Arrived": _moves,
    "Departed": _moves,
    "MeetingHeld": _meeting,
    "AgreementSigned": _agreement,
    "ObligationMet": _met,
}
"""How the codec's data of each built-in type (at today's schema) becomes a row."""

_AS_JSON = (None,) * (len(_NAMES) - 4)  # every column but the head's and data


def _columns(codec: Codec, events: Sequence[Event], first: int) -> dict[str, list[Any]]:
    """*events* (from version *first*) as the file's columns of plain values.

    Each event is encoded by *codec*; a built-in type at today's schema is spread over the
    columns, anything else kept whole in ``data`` as its JSON record.
    """
    rows: list[Row] = []
    append = rows.append
    for version, event in enumerate(events, first):
        kind, schema, data = codec.encode(event)
        flatten = _FLATTEN.get(kind)
        if flatten is not None and type(event) in EVENT_TYPES and SCHEMA_VERSIONS[kind] == schema:
            append(flatten((version, kind, schema), data))
        else:
            append((version, kind, schema, *_AS_JSON, dumps(data)))
    if not rows:
        return {name: [] for name in _NAMES}
    return dict(zip(_NAMES, map(list, zip(*rows, strict=True)), strict=True))


def _record_batch(pa: Any, schema: pa.Schema, columns: dict[str, list[Any]]) -> Any:
    arrays = []
    for field in schema:
        values = columns[field.name]
        if pa.types.is_dictionary(field.type):
            array = pa.array(values, pa.string()).dictionary_encode()
        else:
            array = pa.array(values, field.type)
        if isinstance(array, pa.ChunkedArray):  # pyarrow splits text past 2 GiB
            raise ValueError(f"the {field.name!r} column's text passes Arrow's 2 GiB")
        arrays.append(array)
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


_TEXT_LIMIT = (1 << 31) - 1
"""The most bytes a column of one batch may take: Arrow's strings have 32-bit offsets."""


def _column_bytes(pa: Any, column: Any) -> int:
    """The bytes of *column* (a chunked array) as one array: a dictionary counted once."""
    if pa.types.is_dictionary(column.type):
        if not column.num_chunks:
            return 0
        indices = sum(int(c.indices.nbytes) for c in column.chunks)
        return int(column.chunk(0).dictionary.nbytes) + indices
    return int(column.nbytes)


# -- columns to events ---------------------------------------------------------------------


def _obligation(value: Mapping[str, Any]) -> dict[str, Any]:
    within = value["within"]
    if within is not None:
        calendar = within["calendar"]
        within = {k: v for k, v in within.items() if v and k != "calendar"}
        if calendar:
            within["calendar"] = 1
    due = value["due"]
    return {
        "what": value["what"],
        "within": within,
        "due": None if due is None else [due, value["due_zone"]],
    }


def _records(columns: Mapping[str, Sequence[Any]]) -> dict[str, Callable[[int], dict[str, Any]]]:
    """For each kind kept as columns, the function giving the codec's data of row *i*."""
    c = columns
    who, people, title, venue = c["who"], c["people"], c["title"], c["venue"]
    at, zone, end, end_zone = c["at"], c["zone"], c["end"], c["end_zone"]
    agreement, what, obligations = c["agreement"], c["what"], c["obligations"]

    def places(prefix: str) -> Callable[[int], list[Any] | None]:
        name, country, tz = c[prefix], c[f"{prefix}_country"], c[f"{prefix}_zone"]
        lat, lon = c[f"{prefix}_lat"], c[f"{prefix}_lon"]

        def place(i: int) -> list[Any] | None:
            found = name[i]
            return None if found is None else [found, country[i], tz[i], lat[i], lon[i]]

        return place

    place, to = places("place"), places("to")

    def arrived(i: int) -> dict[str, Any]:
        return {"who": who[i], "place": place(i), "at": [at[i], zone[i]]}

    def departed(i: int) -> dict[str, Any]:
        return {"who": who[i], "place": place(i), "at": [at[i], zone[i]], "to": to(i)}

    def meeting(i: int) -> dict[str, Any]:
        return {
            "title": title[i], "participants": people[i], "place": place(i),
            "start": [at[i], zone[i]], "end": [end[i], end_zone[i]], "venue": venue[i],
        }  # fmt: skip

    def signed(i: int) -> dict[str, Any]:
        duties = obligations[i]
        return {
            "title": title[i], "signatories": people[i], "place": place(i),
            "at": [at[i], zone[i]], "venue": venue[i],
            "obligations": None if duties is None else [_obligation(o) for o in duties],
        }  # fmt: skip

    def met(i: int) -> dict[str, Any]:
        return {"agreement": agreement[i], "what": what[i], "at": [at[i], zone[i]]}

    return {
        "Arrived": arrived,
        "Departed": departed,
        "MeetingHeld": meeting,
        "AgreementSigned": signed,
        "ObligationMet": met,
    }


def events_from_columns(
    columns: Mapping[str, Sequence[Any]],
    *,
    codec: Codec = DEFAULT_CODEC,
    where: str = "",
    bar: _progress.Bar | None = None,
) -> list[Event]:
    """The events of the file's columns (plain values, one sequence per column name).

    The row-by-row builder, and the reference the column path (``log_from_table``) must
    agree with: each row's record is rebuilt from its columns (or read from ``data``) and
    built by *codec* (its checksum matched: the codec's trusted path). A table the column
    path cannot take is built here, whose messages name the version at fault. *where*
    starts every message. Counted on *bar*, if any, :data:`CHUNK` rows at a time.
    """
    kinds, schemas, versions, data = (
        columns["kind"], columns["schema"], columns["version"], columns["data"],
    )  # fmt: skip
    records = _records(columns)
    events: list[Event] = []
    decode_trusted, loads = codec.decode_trusted, codec.loads
    append = events.append
    with bulk():  # no collection while a million objects are built (none holds a cycle)
        for start in range(0, len(kinds), CHUNK):
            for i in range(start, min(start + CHUNK, len(kinds))):
                kind = kinds[i]
                try:
                    text = data[i]
                    if text is None:
                        append(decode_trusted(kind, schemas[i], records[kind](i)))
                    else:
                        append(loads(kind, schemas[i], text))
                except StoreError as exc:
                    raise StoreError(f"{where}: version {versions[i]}: {exc}") from None
                except (KeyError, TypeError, ValueError) as exc:
                    raise StoreError(
                        f"{where}: version {versions[i]}: damaged: its columns do not make "
                        f"a {kind} ({exc!r})"
                    ) from None
            if bar is not None:
                bar.update(min(CHUNK, len(kinds) - start))
    return events


def log_from_table(
    table: pa.Table,
    *,
    codec: Codec = DEFAULT_CODEC,
    where: str = "",
    bar: _progress.Bar | None = None,
) -> EventLog:
    """The log of the file's columns (a ``pyarrow.Table``, as ``ArrowStore.read_table()`` gives).

    The one door from the columns to a log, which every load and read goes through. The
    file's columns become the log's columns column by column (``_arrow_load.log_columns``:
    numpy and Arrow's hash kernels, Python once per distinct value), and the log builds
    an event when it is read. A table that path cannot take (damage, a value the log's
    columns cannot hold) is built event by event (:func:`events_from_columns`), whose
    messages name the version at fault. *where* starts every message; *bar* counts the
    events.

    A table of other columns (``EventLog.to_arrow()``'s rows, say) raises StoreError.
    """
    pa = _pyarrow("an Arrow store (.arrows)")
    if not isinstance(table, pa.Table) or not table.schema.equals(
        file_schema(), check_metadata=False
    ):
        found = table.schema if isinstance(table, pa.Table) else type(table).__name__
        raise StoreError(
            f"{where or 'log_from_table'}: not the columns of an Arrow store "
            f"(ArrowStore.read_table()): found {_short(found)}"
        )
    with bulk():  # the events of a few rows, and the dictionaries' entries: no cycle
        try:
            log = EventLog.from_columns(log_columns(pa, table, _one_by_one(pa, codec)))
        except (ItineraryError, KeyError, TypeError, ValueError, IndexError, OverflowError):
            # Damage, or a value the log's columns cannot hold: built one by one, the events
            # name the row (and count only those before it).
            columns = _plain_columns(pa, table)
            return EventLog(events_from_columns(columns, codec=codec, where=where, bar=bar))
        if bar is not None:
            bar.update(len(log))
        return log


def _one_by_one(pa: Any, codec: Codec) -> Callable[[Any], list[Event]]:
    """A builder of the events of a table of the file's rows, one by one, by *codec*.

    For the rows the columns do not take (``_arrow_load.log_columns``): an event kept whole
    in ``data``, a row of an older schema. It raises what the codec raises; the caller then
    builds the whole table by :func:`events_from_columns`, which names the version.
    """

    def build(table: Any) -> list[Event]:
        columns = _plain_columns(pa, table)
        kinds, schemas, data = columns["kind"], columns["schema"], columns["data"]
        records = _records(columns)
        return [
            codec.decode_trusted(kind, schemas[i], records[kind](i))
            if data[i] is None
            else codec.loads(kind, schemas[i], data[i])
            for i, kind in enumerate(kinds)
        ]

    return build


def _short(found: object) -> str:
    """*found* on one line, cut to a readable length."""
    text = " ".join(str(found).split())
    return text if len(text) <= 120 else text[:117] + "..."


def _plain(pa: Any, chunk: Any) -> list[Any]:
    """One chunk of a column as a list of plain values (None where missing).

    Through numpy rather than ``to_pylist()``, which is several times slower: dictionary
    strings by their indices, integers and timestamps (microseconds) and floats as numbers,
    lists of strings by their offsets.
    """
    import numpy as np  # noqa: PLC0415 - pyarrow depends on it

    kind = chunk.type
    if pa.types.is_dictionary(kind):
        words = np.array([*chunk.dictionary.to_pylist(), None], dtype=object)
        indices = chunk.indices.fill_null(len(words) - 1).to_numpy()
        return list(words[indices].tolist())
    if pa.types.is_timestamp(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind):
        if pa.types.is_timestamp(kind):
            chunk = chunk.cast(pa.int64())
        values = chunk.fill_null(0).to_numpy().tolist()
        if chunk.null_count:
            for i in np.flatnonzero(chunk.is_null().to_numpy(zero_copy_only=False)).tolist():
                values[i] = None
        return list(values)
    if pa.types.is_string(kind):
        return list(chunk.to_numpy(zero_copy_only=False).tolist())
    if pa.types.is_list(kind) and pa.types.is_string(kind.value_type):
        words = chunk.values.to_numpy(zero_copy_only=False).tolist()
        offsets = chunk.offsets.to_numpy().tolist()
        lists: list[Any] = [words[a:b] for a, b in itertools.pairwise(offsets)]
        if chunk.null_count:
            for i in np.flatnonzero(chunk.is_null().to_numpy(zero_copy_only=False)).tolist():
                lists[i] = None
        return lists
    return list(chunk.to_pylist())


def _plain_columns(pa: Any, table: Any) -> dict[str, list[Any]]:
    """*table*'s columns as lists of plain values: instants as integer microseconds."""
    out: dict[str, list[Any]] = {}
    for field in table.schema:
        column = table.column(field.name)
        if field.name == "obligations":
            item = field.type.value_type
            due = item.get_field_index("due")
            fields = [item.field(k) for k in range(item.num_fields)]
            fields[due] = pa.field("due", pa.int64())
            column = column.cast(pa.list_(pa.struct(fields)))
        values: list[Any] = []
        for chunk in column.chunks:
            values += _plain(pa, chunk)
        out[field.name] = values
    return out


# -- the file ------------------------------------------------------------------------------


@attrs.frozen
class _Segment:
    """One committed batch: its versions and its bytes' place in the file."""

    first: int
    count: int
    start: int
    end: int


@attrs.frozen
class _Scan:
    """A file's committed batches, where they end, and the schema's bytes."""

    segments: tuple[_Segment, ...]
    committed: int
    head: bytes

    @property
    def version(self) -> int:
        return self.segments[-1].first + self.segments[-1].count - 1 if self.segments else 0


def writer_options(pa: Any) -> Any:
    """How batches are written: their buffers zstd-compressed (Arrow's own body compression).

    About a sixth of the uncompressed size (24 bytes an event instead of 159, on the
    benchmark's tour), for a few percent of a load; pyarrow and polars read it as it is.
    """
    return pa.ipc.IpcWriteOptions(compression="zstd")


@attrs.frozen(eq=False)
class _Kept:
    """What a catch-up read: the file's (inode, size, mtime), bytes, batches, and tables."""

    key: tuple[int, int, int]
    content: bytes
    scan: _Scan
    decoded: dict[int, Any]


def _schema_bytes(pa: Any, schema: Any) -> bytes:
    sink = pa.BufferOutputStream()
    writer = pa.ipc.new_stream(sink, schema, options=writer_options(pa))
    writer.close()
    data: bytes = sink.getvalue().to_pybytes()
    return data[: len(data) - 8]  # without the end-of-stream marker


def _seal(segment: bytes, at: int) -> int:
    """The CRC-32 of a batch's bytes with its own checksum's digits (at *at*) as zeros."""
    return zlib.crc32(segment[:at] + _PLACEHOLDER + segment[at + 8 :])


def _sealed(sink: Any, writer: Any, batch: Any, first: int, head: int) -> bytes:
    """The bytes of *batch* written by *writer* into *sink* (after *head* bytes), sealed.

    The seal (see :data:`_SEAL`) is written with zeros for its size and checksum, which are
    then filled in place: the same number of digits, so the Arrow metadata stays valid. It is
    looked for in the batch message's metadata only, never in its body (the events' text).
    """
    seal = f"itinerary:first={first};count={batch.num_rows};bytes={0:016d};crc32=00000000"
    writer.write_batch(batch, custom_metadata={"itinerary": seal})
    data: bytes = sink.getvalue().to_pybytes()[head:]
    at = 0
    while True:  # to the last message: the batch (its dictionaries come first)
        frame = _frame(data, at)
        if frame.end >= len(data):
            break
        at = frame.end
    at = data.index(seal.encode(), frame.at + 8, frame.meta_end) + len(seal) - 8
    data = data[: at - 23] + b"%016d" % len(data) + data[at - 7 :]
    return data[:at] + b"%08x" % _seal(data, at) + data[at + 8 :]


_MARKER = b"\xff\xff\xff\xff"
"""What starts every Arrow IPC message (then its metadata's length, the metadata, the body)."""
_DICTIONARY, _RECORD_BATCH = 2, 3
"""The flatbuffer ``MessageHeader`` codes of the two messages a batch is written as."""
_MAX_METADATA = 1 << 20
"""More metadata than any message this store writes has (a few kB): a damaged length."""


class _DamagedError(ValueError):
    """Bytes that are not the Arrow messages this store writes (the reason in the message)."""


@attrs.frozen
class _Frame:
    """One Arrow IPC message's place: start, end of metadata, end, header code (0: unknown).

    *meta_end* or *end* may pass the end of the bytes: a message cut short.
    """

    at: int
    meta_end: int
    end: int
    kind: int


def _message_header(meta: bytes) -> tuple[int, int]:
    """A flatbuffer ``Message``'s header code and body length (Arrow's Message.fbs).

    Read by hand so that a message whose body is cut short is still known by its metadata.
    """

    def number(form: str, at: int) -> int:
        if at < 0 or at + struct.calcsize(form) > len(meta):
            raise _DamagedError("its metadata points outside itself")
        value: int = struct.unpack_from(form, meta, at)[0]
        return value

    table = number("<I", 0)
    vtable = table - number("<i", table)
    size = number("<H", vtable)

    def slot(field: int) -> int:  # the field's offset in the table, 0 if absent
        return number("<H", vtable + 4 + 2 * field) if 4 + 2 * field + 2 <= size else 0

    kind_at, body_at = slot(1), slot(3)  # header_type, bodyLength
    kind = number("<B", table + kind_at) if kind_at else 0
    body = number("<q", table + body_at) if body_at else 0
    return kind, body


def _frame(content: bytes, at: int) -> _Frame:
    """The message at *at*, complete or cut short; :class:`_DamagedError` if its bytes cannot be one.

    A cut message is one whose bytes so far are right: the marker (or its start), a length,
    and, once the metadata is all there, a dictionary or batch header whose body is cut.
    """
    left = content[at : at + 8]
    if len(left) < 8:
        if not _MARKER.startswith(left[:4]):
            raise _DamagedError("not an Arrow message")
        return _Frame(at, at + 8, at + 8, 0)
    size = struct.unpack_from("<i", content, at + 4)[0]
    if left[:4] != _MARKER or not 0 < size <= _MAX_METADATA or size % 8:
        raise _DamagedError("not an Arrow message of this store")
    meta_end = at + 8 + size
    if meta_end > len(content):
        return _Frame(at, meta_end, meta_end, 0)
    kind, body = _message_header(content[at + 8 : meta_end])
    if kind not in {_DICTIONARY, _RECORD_BATCH} or body < 0 or body % 8:
        raise _DamagedError("a message that is not a batch of events nor its dictionary")
    return _Frame(at, meta_end, meta_end + body, kind)


def _not_ours(pa: Any, content: bytes, path: str) -> StoreError:
    """The error for a file that does not start with the store's schema (another format, say)."""
    try:
        schema = pa.ipc.read_schema(pa.py_buffer(content))
        meta = schema.metadata or {}
    except (OSError, ValueError, pa.ArrowException):
        meta = {}
    found = meta.get(b"itinerary.format")
    if meta.get(b"itinerary") == b"event-log" and found is not None and found != FORMAT.encode():
        return StoreError(
            f"{path}: an Arrow event log of format {found.decode(errors='replace')!r}; this "
            f"version of itinerary reads format {FORMAT} (upgrade itinerary to read it)"
        )
    return StoreError(f"{path}: not an itinerary Arrow event log (its schema is not the store's)")


def _scan(pa: Any, content: bytes, head: bytes, path: str) -> _Scan:
    """The committed batches of a file's *content*, each checked against its checksum.

    The file is walked message by message by its framing (:func:`_frame`). Its tail is
    taken as torn (a killed writer's, not read) only if it is a strict prefix of one batch:
    every byte of it parses, and what fails is that the bytes run out; once its metadata
    is there, its seal must be the next version's and say the batch ends after the file
    does. Anything else is damage: StoreError.
    """
    if len(content) <= len(head) and head.startswith(content):
        return _Scan((), 0, head)  # empty, or a first write cut short
    if not content.startswith(head):
        raise _not_ours(pa, content, path)
    whole = pa.py_buffer(content)
    segments: list[_Segment] = []
    start = at = len(head)
    expected = 1
    while at < len(content):
        try:
            frame = _frame(content, at)
            if frame.end > len(content):
                _check_torn(content, frame, start, expected)
                break
            try:
                message = pa.ipc.read_message(whole.slice(at, frame.end - at))
            except (EOFError, OSError, ValueError, pa.ArrowException) as exc:
                raise _DamagedError(f"not Arrow data ({exc})") from None
        except _DamagedError as exc:
            raise StoreError(f"{path}: damaged after version {expected - 1}: {exc}") from None
        at = frame.end
        if frame.kind == _DICTIONARY:
            continue
        found = _SEAL.search(content, frame.at + 8, frame.meta_end)
        where = f"{path}: the batch after version {expected - 1}"
        if message.type != "record batch" or found is None:
            raise StoreError(f"{where}: damaged: it has no checksum")
        first, count, size, crc = (int(found[1]), int(found[2]), int(found[3]),
                                   int(found[4], 16))  # fmt: skip
        if first != expected:
            raise StoreError(f"{where}: damaged: expected version {expected}, found {first}")
        where = f"{path}: versions {first}-{first + count - 1}"
        if size != at - start or _seal(content[start:at], found.start(4) - start) != crc:
            raise StoreError(
                f"{where}: damaged: its checksum does not match its content "
                "(changed after it was written)"
            )
        segments.append(_Segment(first, count, start, at))
        expected += count
        start = at
    return _Scan(tuple(segments), start, head)


def _check_torn(content: bytes, frame: _Frame, start: int, expected: int) -> None:
    """Return if *frame* (cut short by the file's end) can end a batch begun at *start*.

    A batch message whose metadata is all there must carry the seal of version *expected*
    that says the batch ends where the message does. And no batch may be whole in the tail:
    neither the next one (its seal counts exactly the tail's bytes, or fewer where another
    message starts: a length that seems to run past the end is damaged) nor a later one (a
    seal whose checksum matches the bytes it seals: damage before it, not a cut). Seals are
    looked for in all the tail's bytes here, where the framing cannot be trusted; text can
    mislead that only by spelling such a seal with the exact size of the cut or of a message
    boundary, or a whole batch with its checksum, and then it errs to refusing. Else
    :class:`_DamagedError`.
    """
    left = len(content) - start
    for found in _SEAL.finditer(content, start):
        size = int(found[3])
        if int(found[1]) == expected and (
            size == left or (0 < size < left and _message_at(content, start + size))
        ):
            raise _DamagedError("the whole next batch is there, but its framing is damaged")
        if int(found[1]) > expected and _whole(content, found, start):
            raise _DamagedError(f"not a batch cut short: version {int(found[1])}'s batch follows")
    if frame.kind != _RECORD_BATCH:
        return  # a dictionary, or metadata cut short: a batch's first bytes
    seal = _SEAL.search(content, frame.at + 8, frame.meta_end)
    if seal is None or int(seal[1]) != expected or int(seal[3]) != frame.end - start:
        raise _DamagedError("a batch cut short that is not the next one")


def _message_at(content: bytes, at: int) -> bool:
    """Whether a message whose metadata is all there starts at *at*."""
    try:
        return _frame(content, at).kind != 0
    except _DamagedError:
        return False


def _whole(content: bytes, found: re.Match[bytes], start: int) -> bool:
    """Whether the seal *found* (after *start*) ends a whole batch whose checksum matches."""
    at = found.start()
    for _ in range(8):  # the batch message holding it starts at one of the markers before it
        at = content.rfind(_MARKER, start, at)
        if at < 0:
            return False
        try:
            frame = _frame(content, at)
        except _DamagedError:
            continue
        if frame.kind == _RECORD_BATCH and frame.meta_end > found.start():
            begin = frame.end - int(found[3])
            return (
                start <= begin
                and frame.end <= len(content)
                and _seal(content[begin : frame.end], found.start(4) - begin) == int(found[4], 16)
            )
    return False


class ArrowStore(StoreBase):
    """An event store in the Arrow IPC stream file at *path* (``.arrows``).

    With *create* (the default), a missing file is created empty (an empty log); with
    ``create=False`` the file must exist. Needs pyarrow: ``pip install "itinerary[arrow]"``,
    else :class:`~itinerary.errors.MissingExtraError` says so.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC, create: bool = True
    ) -> None:
        self.path = os.fspath(path)
        self._pa = _pyarrow(f"{self.path}: an Arrow store (.arrows)")
        self._codec = codec
        self._schema = file_schema()
        self._head = _schema_bytes(self._pa, self._schema)
        regular_or_missing(self.path)
        if not create and not os.path.isfile(self.path):
            raise StoreError(f"{self.path}: no such store (the file does not exist)")
        if create and not os.path.lexists(self.path):
            try:
                os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                pass  # another process made it first
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the store: {exc}") from exc
            else:  # the new file's name survives a power cut
                _files.sync_folder(os.path.dirname(os.path.abspath(self.path)))
        self._seen: tuple[tuple[int, int, int], _Scan] | None = None  # what this process wrote
        self._inode: int | None = None  # the file the last read_after read
        self._watched: tuple[tuple[int, int, int] | None, int] | None = None
        self._kept: _Kept | None = None  # what a catch-up read, while it has more to read

    # -- reading --

    def _read(self, kept: _Kept | None = None) -> tuple[bytes, _Scan, tuple[int, int, int] | None]:
        """The file's bytes, its committed batches, and its (inode, size, mtime).

        If the file is still what *kept* read (the same identity, size and time), its bytes
        and batches serve again, unread.
        """
        try:
            with _files.open_regular(self.path) as file:
                if fcntl is not None:  # without locks no writer runs
                    fcntl.flock(file, fcntl.LOCK_SH)
                stat = os.fstat(file.fileno())
                key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
                if kept is not None and kept.key == key:
                    return kept.content, kept.scan, key
                content = file.read()
        except FileNotFoundError:
            return b"", _Scan((), 0, self._head), None
        except _files.NotRegularFileError as exc:
            raise StoreError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        return content, _scan(self._pa, content, self._head, self.path), key

    def _table(
        self,
        content: bytes,
        scan: _Scan,
        upto: int,
        after: int = 0,
        decoded: dict[int, Any] | None = None,
    ) -> Any:
        """The rows of versions ``after + 1`` to *upto* as a table (the batches that hold them).

        The batches are read as one stream; with *decoded*, each is read on its own (its
        dictionaries come with it) and kept there by its place in the file, for the next
        call to reuse.
        """
        import numpy as np  # noqa: PLC0415 - pyarrow depends on it

        pa = self._pa
        chosen = [s for s in scan.segments if s.first <= upto and s.first + s.count - 1 > after]
        if not chosen:
            return self._schema.empty_table()
        if decoded is None:
            table = self._segments(content, scan, chosen)
        else:
            tables = []
            for segment in chosen:
                found = decoded.get(segment.start)
                if found is None:
                    found = decoded[segment.start] = self._segments(content, scan, [segment])
                tables.append(found)
            table = pa.concat_tables(tables)
        table = table.slice(after - (chosen[0].first - 1), upto - after)
        versions = table.column("version").to_numpy()
        if not np.array_equal(versions, np.arange(after + 1, upto + 1)):
            raise StoreError(
                f"{self.path}: versions {after + 1}-{upto}: damaged: the version column does "
                "not count them"
            )
        return table

    def _segments(self, content: bytes, scan: _Scan, chosen: Sequence[_Segment]) -> Any:
        """The table of consecutive committed batches (their checksums matched in the scan)."""
        pa = self._pa
        data = scan.head + b"".join(content[s.start : s.end] for s in chosen)
        first, last = chosen[0].first, chosen[-1].first + chosen[-1].count - 1
        try:
            table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
            table.validate(full=True)  # its checksum matched, but a faulty writer may seal
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise StoreError(
                f"{self.path}: versions {first}-{last}: damaged: not Arrow data ({exc})"
            ) from None
        if table.num_rows != last - first + 1:  # the schema is the head's: read with it
            raise StoreError(
                f"{self.path}: versions {first}-{last}: damaged: the number of rows is not "
                "what the seals say"
            )
        return table

    @property
    def version(self) -> int:
        """How many events are stored (in complete batches)."""
        return self._read()[1].version

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log (complete batches only), or its first *upto* events.

        With *progress*, a bar counts the events built, 10,000 at a time.
        """
        content, scan, _ = self._read()
        limit = check_upto(upto, scan.version, self.path)
        with load_bar(limit, os.path.basename(self.path), progress) as bar:
            table = self._table(content, scan, limit)
            return log_from_table(
                table, codec=self._codec, where=self.path, bar=bar if progress else None
            )

    def read_table(self, upto: int | None = None) -> pa.Table:
        """The stored columns as a ``pyarrow.Table`` (complete batches only), no events built.

        The file's own columns (``file_schema()``), which ``log_from_table`` turns into
        a log; not the rows of ``EventLog.to_arrow()``, a view for data tools.
        """
        content, scan, _ = self._read()
        return self._table(content, scan, check_upto(upto, scan.version, self.path))

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order.

        Builds only the batches that hold them. While a catch-up has more to read and the
        file is unchanged (its identity, size and time), the bytes read and the batches
        decoded serve the next call again, so catching up chunk by chunk reads the file once.
        A file replaced (another inode) or deleted since the last call found one raises
        StoreError.
        """
        kept, self._kept = self._kept, None
        content, scan, key = self._read(kept)
        inode, self._inode = self._inode, None if key is None else key[0]
        if inode is not None and self._inode != inode:
            self._inode = None  # so that following it again (a new subscription) can start
            raise StoreError(
                f"{self.path}: the store was replaced (or deleted) while followed; follow it again"
            )
        if scan.version < after:
            raise StoreError(
                f"{self.path}: holds {scan.version} events, fewer than version {after}"
            )
        end = scan.version if limit is None else min(scan.version, after + limit)
        self._watched = (key, end) if end == scan.version else None
        if end == after:
            return []
        decoded = kept.decoded if kept is not None and kept.key == key else {}
        table = self._table(content, scan, end, after, decoded)
        events = list(log_from_table(table, codec=self._codec, where=self.path))
        if key is not None and end < scan.version:  # more to read: keep what was read
            self._kept = _Kept(key, content, scan, decoded)
        return events

    def _stat(self) -> tuple[int, int, int] | None:
        return file_identity(self.path)

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Poll the file's identity, size and time until they change, or *timeout* passes."""
        return _files.wait_for_change(
            self._stat, self._watched, lambda: self.version, seen, timeout=timeout, poll=self.poll
        )

    # -- writing --

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Append *events* as one batch, all or none; return the new version.

        With *progress*, a bar counts the events encoded (10,000 at a time), before the
        batch is written and synced.
        """
        batch = list(events)
        with write_bar(len(batch), os.path.basename(self.path), progress) as bar:
            return self._write(batch, expected_version, bar if progress else None)

    def _encode(self, batch: list[Event], first: int, bar: _progress.Bar | None) -> bytes:
        """The sealed bytes of *batch* from version *first*: dictionaries, then its batch."""
        pa = self._pa
        chunks = []
        for start in range(0, len(batch), CHUNK):
            part = batch[start : start + CHUNK]
            with bulk():  # a chunk's rows and values hold no cycle: no collection meanwhile
                columns = _columns(self._codec, part, first + start)
            try:
                chunks.append(_record_batch(pa, self._schema, columns))
            except (pa.ArrowException, UnicodeError, OverflowError, ValueError) as exc:
                last = first + start + len(part) - 1
                raise StoreError(
                    f"{self.path}: cannot store versions {first + start}-{last} as Arrow "
                    f"columns ({exc}); nothing was stored"
                ) from None
            if bar is not None:
                bar.update(len(part))
        table = pa.Table.from_batches(chunks, schema=self._schema).unify_dictionaries()
        where = f"{self.path}: cannot store versions {first}-{first + len(batch) - 1} as one batch"
        for field in self._schema:
            if _column_bytes(pa, table.column(field.name)) > _TEXT_LIMIT:
                raise StoreError(
                    f"{where}: its {field.name!r} column passes Arrow's 2 GiB (32-bit "
                    "offsets); nothing was stored: extend in smaller batches"
                )
        record = table.combine_chunks().to_batches()
        if len(record) != 1 or record[0].num_rows != len(batch):
            raise StoreError(f"{where}: Arrow split it; nothing was stored")
        whole = record[0]
        sink = pa.BufferOutputStream()
        writer = pa.ipc.new_stream(sink, self._schema, options=writer_options(pa))
        return _sealed(sink, writer, whole, first, len(self._head))

    def _write(
        self, batch: list[Event], expected_version: int | None, bar: _progress.Bar | None
    ) -> int:
        if fcntl is None:  # pragma: no cover - not POSIX
            raise StoreError(f"{self.path}: cannot append: Arrow stores need POSIX file locks")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            stat = os.fstat(fd)
            key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if self._seen is not None and self._seen[0] == key:
                scan = self._seen[1]
            else:
                with os.fdopen(os.dup(fd), "rb") as file:
                    scan = _scan(self._pa, file.read(), self._head, self.path)
            current = scan.version
            if expected_version is not None and expected_version != current:
                raise stale(self.path, expected_version, current)
            checked = checked_batch(batch, current)
            if not checked:
                return current
            data = self._encode(checked, current + 1, bar)
            committed = scan.committed
            if committed == 0:
                data = self._head + data
                committed_at = len(self._head)
            else:
                committed_at = committed
            if stat.st_size != committed:
                os.ftruncate(fd, committed)  # drop a torn tail before writing after it
            os.lseek(fd, committed, os.SEEK_SET)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            except OSError:  # a full disk, an I/O error: leave no torn tail behind
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, committed)
                raise
            end = committed + len(data)
            segment = _Segment(current + 1, len(checked), committed_at, end)
            stat = os.fstat(fd)
            self._seen = (
                (stat.st_ino, stat.st_size, stat.st_mtime_ns),
                _Scan((*scan.segments, segment), end, self._head),
            )
            return current + len(checked)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"<ArrowStore {self.path!r}>"


def _write_all(fd: int, data: bytes) -> None:
    """Write all of *data* to *fd*, a chunk at a time."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[: 1 << 20])
        view = view[written:]


def export_arrow(
    events: Iterable[Event], path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC
) -> int:
    """Write *events* to a new Arrow store at *path*; return how many (never overwrites events)."""
    store = ArrowStore(path, codec=codec)
    try:
        return store.extend(list(events), expected_version=0)
    except ConcurrencyError as exc:
        raise StoreError(f"{store.path}: already holds events; not overwriting it") from exc
