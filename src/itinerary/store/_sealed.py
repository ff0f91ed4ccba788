"""The sealed-row seam: what the checksummed stores (SQLite format 2, PostgreSQL) share.

A *sealed row* is an event as ``(version, type, schema, data, crc)``: its data UTF-8 JSON
bytes (a positional row for today's built-in types, a JSON object otherwise) and its CRC-32
covering its version, type, schema and data. The places and zone names the rows refer to by
id are kept once each in a *dictionary* of ``(id, data, crc)`` entries, each sealed too. A
store holds its own connection, SQL and transactions; what is written and read, and the
checks on it, live here once, so that neither store imports the other:

- writing: :class:`SealedBatch` interns a batch's places and zone names (ids assigned under
  the writer's lock) and seals its rows, encoding each event as the database takes its row;
- reading: :func:`read_dictionary` checks and decodes the entries, :func:`decode_sealed`
  checks and builds the events, and :func:`row_damage` says what is wrong with a bad row;
- both: :func:`check_count` compares the number of events a store recorded with its last
  version, so a lost tail is refused, not read or written over.

>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> from itinerary.store.codec import DEFAULT_CODEC
>>> known: dict[bytes, int] = {}
>>> sealed = SealedBatch(DEFAULT_CODEC, known, lambda last: [], current=0)
>>> [(version, kind) for version, kind, _, _, _ in sealed.rows(
...     [Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])]
[(1, 'Arrived')]
>>> [entry for entry, _, _ in sealed.entries()]  # Tokyo, and its zone name
[1, 2]
"""

from __future__ import annotations

import json
import re
import secrets
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from itinerary._compat import bulk, json_scanner
from itinerary._progress import Bar, chunked
from itinerary.columns import LogColumns, Rows
from itinerary.errors import InvalidEventError, ItineraryError, StoreError
from itinerary.events import Event
from itinerary.log import EventLog
from itinerary.store.codec import Codec, Entry, decode_entry, dumps, parse_json

__all__ = [
    "SealedBatch",
    "SealedRow",
    "check_count",
    "checksum",
    "decode_sealed",
    "decode_sealed_columns",
    "entry_checksum",
    "read_dictionary",
    "row_damage",
    "sealed_log",
]

SealedRow = tuple[int, str, int, bytes, int]
"""An event row as written: ``(version, type, schema, data, crc)``."""

_NOT_BUILT = (ItineraryError, KeyError, TypeError, ValueError, IndexError, OverflowError)
"""What a row builder raises for a row it cannot build (decode_row then says why)."""


def checksum(version: int, type_name: str, schema: int, data: bytes) -> int:
    """The CRC-32 a sealed row keeps of its version, type, schema and data.

    The CRC of the type and schema, its bits flipped by the version's (low 32), is the
    starting value of the data's: one CRC per row to compute, and no text to format.
    """
    seed = zlib.crc32(f"{type_name}\x00{schema}\x00".encode())
    return zlib.crc32(data, (seed ^ version) & 0xFFFFFFFF)


def entry_checksum(entry: int, data: bytes) -> int:
    """The CRC-32 a dictionary entry keeps of its id and data."""
    return zlib.crc32(data, zlib.crc32(f"entry {entry}\x00".encode()))


def check_count(where: str, last: int, recorded: Sequence[Any] | None) -> None:
    """Refuse a store whose recorded number of events (the row *recorded*) is not *last*.

    *recorded* is the meta table's ``events`` row, ``(value,)``, or None if it has none;
    *last* is the store's last version. *where* starts the message.
    """
    if recorded is None or recorded[0] != str(last):
        said = "nothing" if recorded is None else repr(recorded[0])
        raise StoreError(
            f"{where}: damaged: its last event is version {last}, but the store "
            f"recorded {said} as its number of events (events lost or added after writing)"
        )


class SealedBatch:
    """A batch as sealed rows, from version ``current + 1``, and the dictionary entries they add.

    Made under the writer's lock. *known* is the store's dictionary as far as this process
    has read it, ``{data: id}``; *read_since(last)* gives the ``(id, data)`` entries stored
    after id *last* (by other writers), which are added to *known* first, so the ids given
    are the store's. Insert :meth:`rows` (each event is encoded as its row is taken), then
    :meth:`entries`; once the transaction commits, ``known.update(batch.added)``.
    """

    def __init__(
        self,
        codec: Codec,
        known: dict[bytes, int],
        read_since: Callable[[int], Iterable[tuple[int, Any]]],
        *,
        current: int,
    ) -> None:
        last = max(known.values(), default=0)
        for entry, data in read_since(last):
            known[bytes(data)] = entry
            last = entry
        self._codec = codec
        self._known = known
        self._last = last
        self._current = current
        self.added: dict[bytes, int] = {}
        """The entries the rows taken so far add: ``{data: id}``."""

    def rows(self, batch: Iterable[Event]) -> Iterator[SealedRow]:
        """The sealed rows of *batch*, versions from ``current + 1``, encoded as taken."""
        known, added, last = self._known, self.added, self._last

        def intern(value: object) -> int:
            data = dumps(value).encode()
            found = known.get(data) or added.get(data)
            if found is None:
                found = added[data] = last + len(added) + 1
            return found

        dumps_row = self._codec.dumps_row
        crc32 = zlib.crc32
        seeds: dict[tuple[str, int], int] = {}  # the CRC of each type and schema, as checksum()
        for version, event in enumerate(batch, self._current + 1):
            kind, schema, text = dumps_row(event, intern)
            data = text.encode()
            seed = seeds.get((kind, schema))
            if seed is None:
                seed = seeds[kind, schema] = crc32(f"{kind}\x00{schema}\x00".encode())
            yield version, kind, schema, data, crc32(data, (seed ^ version) & 0xFFFFFFFF)

    def entries(self) -> list[tuple[int, bytes, int]]:
        """The dictionary entries the rows taken add, sealed: ``(id, data, crc)``."""
        return [(entry, data, entry_checksum(entry, data)) for data, entry in self.added.items()]


def read_dictionary(
    rows: Iterable[tuple[Any, Any, Any]], table: list[Entry], raw: list[object], where: str
) -> None:
    """Extend *table* (decoded) and *raw* (as parsed) with the dictionary entries *rows*.

    *rows* are ``(id, data, crc)`` in id order, from ``len(table)`` on (entry 0 is a
    placeholder: ids start at 1). Each entry's checksum is verified; a missing id, or one
    changed after it was written, is damage, named by its id after *where*.
    """
    for entry, data, crc in rows:
        here = f"{where}: dictionary entry {entry}"
        if entry != len(table):
            raise StoreError(f"{here}: damaged: expected entry {len(table)}")
        if type(data) is not bytes or type(crc) is not int:
            raise StoreError(f"{here}: damaged: its data or checksum is not what was written")
        if entry_checksum(entry, data) != crc:
            raise StoreError(
                f"{here}: damaged: its checksum does not match its content "
                "(changed after it was written)"
            )
        value = parse_json(data, here)
        try:
            table.append(decode_entry(value))
        except StoreError as exc:
            raise StoreError(f"{here}: {exc}") from None
        raw.append(value)


def decode_sealed(
    rows: Iterable[tuple[Any, Sequence[Any]]],
    first: int,
    *,
    codec: Codec,
    table: list[Entry],
    raw: list[object],
    where: str,
) -> list[Event]:
    """The events of sealed rows, ``(version, (type, schema, data, crc))``, from *first* on.

    Each row's version must follow the last and its CRC-32 (seeded with its version, type
    and schema) must match its data; a row that does not is damage (:func:`row_damage`).
    The rows are read as :func:`decode_sealed_columns` reads them, then built as events.
    *where* starts every message.
    """
    columns = decode_sealed_columns(rows, first, codec=codec, table=table, raw=raw, where=where)
    return sealed_log(columns, where, first=first).events_after(0)


def decode_sealed_columns(
    rows: Iterable[tuple[Any, Sequence[Any]]],
    first: int,
    *,
    codec: Codec,
    table: list[Entry],
    raw: list[object],
    where: str,
    bar: Bar | None = None,
) -> LogColumns:
    """The sealed rows, ``(version, (type, schema, data, crc))`` from *first* on, as columns.

    The one decoding loop of the checksummed stores (SQLite format 2 and PostgreSQL). Rows
    are taken :data:`BATCH` at a time: if every row of a batch follows the last, has its
    checksum and is a positional row of today's built-in types, the batch's JSON is parsed
    in one call and its values go into the columns column by column (see
    :meth:`Codec.column_batches`); otherwise its rows are taken one at a time, a row of
    another type is decoded as an event (:meth:`Codec.decode_row`) and added as such, and
    a damaged row is named by its version. No event is built for the rows of built-in types.
    The rows are counted on *bar*, if any, :data:`COUNTED` at a time, once they are in the
    columns.
    """
    found = Rows()
    schemas, add_batch = codec.column_batches(table, raw, found)
    fast = codec.column_rows(table, raw, found)
    seeds = {
        kind: zlib.crc32(f"{kind}\x00{schema}\x00".encode()) for kind, schema in schemas.items()
    }
    expected = first
    with bulk():
        for counted in chunked(rows, bar, COUNTED):
            for start in range(0, len(counted), BATCH):
                chunk = counted[start : start + BATCH]
                if not _batch(chunk, expected, schemas, seeds, add_batch):
                    _decode(
                        chunk, expected, codec=codec, table=table, raw=raw, where=where,
                        fast=fast, add=found.event,
                    )  # fmt: skip
                expected += len(chunk)
    return found.finish()


BATCH = 2_000
"""Sealed rows checked, parsed and added to the columns at a time: few enough that their
objects stay in the processor's cache through the batch's passes over them. Loading 1M
rows took 7.1 s of CPU 10,000 at a time, 5.7 s 1,000 at a time, 5.5 s 2,500 at a time."""
COUNTED = 10_000
"""Sealed rows fetched, then counted on a progress bar, at a time."""


_MARK_VALUE = secrets.randbits(62)
_MARK = f"],{_MARK_VALUE},[".encode()
"""Put between the rows of a batch parsed in one call: a number drawn for this process, which
no row can know, so no row's text can close its array, skip a mark and pass for two rows."""


def _batch(  # noqa: PLR0911 - one return a check
    chunk: list[tuple[Any, Sequence[Any]]],
    first: int,
    schemas: Mapping[str, int],
    seeds: Mapping[str, int],
    add: Callable[[Sequence[str], Sequence[Any]], None],
) -> bool:
    """Whether *chunk* (sealed rows from version *first*) was added whole, as columns.

    False, having added no row, if any row is not a sound positional row of today's
    built-in types: the caller then takes the rows one at a time, and names what is wrong.
    """
    try:
        versions, cells = zip(*chunk, strict=True)
        kinds, found, datas, crcs = zip(*cells, strict=True)
    except (TypeError, ValueError):
        return False
    if versions != tuple(range(first, first + len(chunk))):
        return False
    if set(map(type, datas)) != {bytes} or set(map(type, found)) != {int}:
        return False
    try:
        if any(schemas[kind] != schema for kind, schema in set(zip(kinds, found, strict=True))):
            return False
        # Each row's seed, as checksum() makes it: its type's CRC, flipped by its version.
        starts = np.fromiter(map(seeds.__getitem__, kinds), dtype=np.int64, count=len(kinds))
        starts ^= np.arange(first, first + len(kinds), dtype=np.int64)
        starts &= 0xFFFFFFFF
        if list(map(zlib.crc32, datas, starts.tolist())) != list(crcs):
            return False
        # Each row wrapped in an array of its own, the arrays apart by _MARK: a row that is
        # not one JSON value (which a checksum cannot vouch for) cannot pass for one, and
        # the batch is refused. Only where every row's text sits alone between two marks
        # does the parse find the marks where they were put: a row cannot write the mark
        # (it does not know it), nor hide one in a string or an array it opens.
        # Decoded strictly, as a row alone is: json.loads(bytes) lets surrogates through.
        parsed = json.loads("[[" + _MARK.join(datas).decode() + "]]")
        if parsed[1::2] != [_MARK_VALUE] * (len(chunk) - 1):
            return False
        parsed = parsed[::2]
        if len(parsed) != len(chunk) or set(map(len, parsed)) != {1}:
            return False
        (values,) = zip(*parsed, strict=True)
        add(kinds, values)
    except (*_NOT_BUILT, RecursionError, StopIteration):
        return False
    return True


def sealed_log(columns: LogColumns, where: str, *, first: int = 1) -> EventLog:
    """The log kept as the *columns* sealed rows were read into (see :func:`decode_sealed_columns`).

    Columns the log refuses (which only a row sealed with values no event has can make)
    raise :class:`~itinerary.errors.StoreError` naming the version (the first row's is
    *first*).
    """
    try:
        return EventLog.from_columns(columns)
    except InvalidEventError as exc:
        message = str(exc).removeprefix("columns: ")
        found = re.match(r"row (\d+)", message)
        here = f"version {int(found[1]) + first}: " if found else ""
        raise StoreError(f"{where}: {here}damaged: {message}") from None


def _decode(
    rows: Iterable[tuple[Any, Sequence[Any]]],
    first: int,
    *,
    codec: Codec,
    table: list[Entry],
    raw: list[object],
    where: str,
    fast: Mapping[str, tuple[int, Callable[[list[Any]], None]]],
    add: Callable[[Event], None],
) -> None:
    """Check each sealed row, and give it to its *fast* path or, failing that, *add* its event."""
    trusted = codec.decode_row
    scan = json_scanner()  # compact JSON, as written
    crc32 = zlib.crc32
    # {type: (schema, the CRC of type and schema, the fast path or None)}: one lookup
    # a row, its key checked to be a string when added (only a string equals one).
    kinds: dict[str, tuple[int, int, Callable[[list[Any]], None] | None]] = {}
    expected = first
    for version, (kind, schema, data, crc) in rows:
        known = kinds.get(kind)
        if (
            version != expected
            or type(data) is not bytes
            or type(schema) is not int
            or known is None
            or known[0] != schema
        ):
            if version != expected or type(data) is not bytes or type(kind) is not str:
                raise row_damage(where, codec, expected, version, kind, schema, data)
            if type(schema) is not int:
                raise row_damage(where, codec, expected, version, kind, schema, data)
            found = fast.get(kind)
            known = kinds[kind] = (
                schema,
                crc32(f"{kind}\x00{schema}\x00".encode()),
                found[1] if found is not None and found[0] == schema else None,
            )
        if crc32(data, (known[1] ^ version) & 0xFFFFFFFF) != crc:
            raise row_damage(where, codec, expected, version, kind, schema, data)
        try:
            text = data.decode()
            try:
                parsed, end = scan(text, 0)
            except StopIteration:  # no value starts at once: whitespace first, or not JSON
                parsed, end = json.loads(text), len(text)  # as a batch reads it, or raises
            if end != len(text):
                json.loads(text)  # raises, saying where the JSON ends
            build = known[2]
            if build is not None and type(parsed) is list:
                try:
                    build(parsed)
                    expected += 1
                    continue
                except _NOT_BUILT:
                    pass  # decode_row() says what is wrong
            add(trusted(kind, schema, parsed, table, raw, where=f"version {version}"))
        except (ValueError, RecursionError, StopIteration) as exc:  # not JSON, yet sealed
            raise StoreError(
                f"{where}: version {version}: stored data is not JSON ({exc})"
            ) from None
        except StoreError as exc:
            raise StoreError(f"{where}: {exc}") from None
        expected += 1


def row_damage(  # noqa: PLR0917 - the row, as decode_sealed reports it
    where: str,
    codec: Codec,
    expected: int,
    version: object,
    kind: object,
    schema: object,
    data: object,
) -> StoreError:
    """The error for a row that is not what was written, its store named by *where*.

    *expected* is the version the row should have; the rest is the row as read.
    """
    if version != expected:
        return StoreError(
            f"{where}: damaged: expected version {expected}, found version {version!r}"
        )
    if type(kind) is not str or type(schema) is not int:
        try:  # the codec names what is wrong with a type name or a schema version
            codec.decode(kind, schema, None)  # type: ignore[arg-type]
        except StoreError as exc:
            return StoreError(f"{where}: version {version}: {exc}")
    if type(data) is not bytes:
        return StoreError(
            f"{where}: version {version}: damaged: stored data must be JSON bytes, "
            f"found {type(data).__name__}"
        )
    return StoreError(
        f"{where}: version {version}: damaged: its checksum does not match its "
        "content (changed after it was written)"
    )
