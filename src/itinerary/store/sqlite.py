"""The embedded durable store: one SQLite file, through the standard library.

Each ``extend`` is one ``BEGIN IMMEDIATE`` transaction: it takes the database's write lock,
reads the current version, refuses a stale ``expected_version`` and inserts the whole batch,
so a process killed part-way leaves all of the batch or none of it, and two processes that
expect the same version cannot both succeed. The version is the row's primary key, so no
two events can ever share a position.

Opening with ``create=False`` (what the command line does to read a store) never writes:
the file is opened read-only and checked for this library's tables. On read-only media,
where SQLite cannot make the ``-shm`` file a WAL store needs, it is opened ``immutable``.

>>> import tempfile, pathlib
>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tour.sqlite"
>>> with SQLiteStore(path) as store:
...     store.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")), 0)
1
>>> SQLiteStore(path, create=False).load()[0].at.isoformat()
'2025-10-27T17:00:00+09:00'
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC
from typing import Any, Literal

from itinerary import _progress
from itinerary._compat import bulk
from itinerary.columns import LogColumns
from itinerary.errors import StoreError
from itinerary.events import Event
from itinerary.log import EventLog, checked_batch
from itinerary.store._sealed import (
    SealedBatch,
    check_count,
    checksum,
    decode_sealed,
    decode_sealed_columns,
    read_dictionary,
    row_damage,
    sealed_log,
)
from itinerary.store.base import (
    StoreBase,
    check_upto,
    load_bar,
    regular_or_missing,
    stale,
    write_bar,
)
from itinerary.store.codec import DEFAULT_CODEC, Codec, Entry

__all__ = ["FORMAT", "FORMATS", "SQLiteStore", "checksum"]

FORMAT = "2"
"""The layout of the tables new stores get, recorded in the file.

Format 2 (this version) keeps each row's data as UTF-8 JSON bytes with a CRC-32 checksum of
its version, type, schema and data, so a row changed after it was written (even into
well-typed values) is refused as damage, and a row whose checksum matches is rebuilt without
validating each field again. Today's built-in events are *positional rows*: a JSON array of
their fields in order, instants as integer microseconds and a zone id, places as ids; the
places and zone names are kept once each, with their own checksums, in the table
``itinerary_dictionary``. Other event types and schemas are JSON objects, as in format 1.
Format 1 (no checksum, no dictionary) stores still load, and are extended in format 1.
"""

FORMATS = ("1", "2")
"""The formats this version reads."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS itinerary_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS itinerary_events ("
    " version INTEGER PRIMARY KEY CHECK (version > 0),"
    " type TEXT NOT NULL, schema INTEGER NOT NULL, data BLOB NOT NULL, crc INTEGER NOT NULL)",
)


_ROWS = 10_000
"""Rows encoded and inserted at a time by ``extend`` (and counted on its bar, if any)."""

_DICTIONARY = (
    "CREATE TABLE IF NOT EXISTS itinerary_dictionary ("
    " id INTEGER PRIMARY KEY CHECK (id > 0), data BLOB NOT NULL, crc INTEGER NOT NULL)"
)
"""Format 2's dictionary: each place and zone name the rows refer to by id, once."""

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]


class SQLiteStore(StoreBase):
    """An event store in the SQLite file at *path*.

    Args:
        path: The database file; created (with its tables) unless *create* is false.
        codec: How events become rows (default: the built-in types, today's schemas).
        timeout: Seconds to wait for another process's write lock before giving up.
        synchronous: SQLite's ``synchronous`` pragma. ``"NORMAL"`` (the default, in WAL mode)
            survives a killed process; ``"FULL"`` also survives a power cut, more slowly.
        create: If false, the store must already exist: it is opened read-only (so a
            store on read-only media loads, and opening never changes the file), a missing
            file or a SQLite file without this library's tables raises
            :class:`~itinerary.errors.StoreError`, and the first ``extend`` reopens it for
            writing.

    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        codec: Codec = DEFAULT_CODEC,
        timeout: float = 30.0,
        synchronous: Synchronous = "NORMAL",
        create: bool = True,
    ) -> None:
        self.path = os.fspath(path)
        self._codec = codec
        self._ids: dict[bytes, int] = {}  # the dictionary's entries, as far as read: {data: id}
        self._empty = False
        self._timeout = timeout
        self._synchronous = synchronous
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise StoreError(f"{self.path}: synchronous must be OFF, NORMAL, FULL or EXTRA")
        regular_or_missing(self.path)
        self._file: tuple[int, int] | None = None  # the open file's (device, inode)
        if create:
            self._db = self._connect(self.path, writing=True)
            self._writable = True
            self._create()
            self._file = _identity(self.path)
        else:
            if not os.path.isfile(self.path):
                raise StoreError(f"{self.path}: no such store (the file does not exist)")
            # Opening an existing store never writes to it: read-only until the first extend.
            self._writable = False
            if os.path.getsize(self.path) == 0:
                # An empty file is an empty store, as an empty scenario or JSON Lines file is
                # an empty log: read from an empty schema in memory, created on first extend.
                self._db = self._connect(":memory:")
                for statement in (*_SCHEMA, _DICTIONARY):
                    self._db.execute(statement)
                self._db.execute("INSERT INTO itinerary_meta VALUES ('events', '0')")
                self._empty = True
                self._format = FORMAT
                return
            self._open_existing()
            self._file = _identity(self.path)

    def _connect(
        self, target: str, *, uri: bool = False, writing: bool = False
    ) -> sqlite3.Connection:
        try:
            return sqlite3.connect(target, timeout=self._timeout, isolation_level=None, uri=uri)
        except sqlite3.Error as exc:
            raise self._unopenable(exc, writing=writing) from exc

    def _open_existing(self) -> None:
        """Open the existing file read-only and check its tables, never writing to it.

        Reading a store in WAL mode needs a ``-shm`` file beside it; on read-only media SQLite
        cannot create one and the open fails, so it is retried as ``immutable`` (no locks,
        no write-ahead log), which is right where nothing can write the file. If the store
        has a non-empty ``-wal`` file, that retry would miss its events, so it is refused.
        """
        try:
            self._read_only(_uri(self.path, "ro"))
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF not in (
                sqlite3.SQLITE_CANTOPEN,
                sqlite3.SQLITE_READONLY,
            ):
                raise self._unopenable(exc) from exc
            wal = f"{self.path}-wal"
            if os.path.exists(wal) and os.path.getsize(wal) > 0:
                raise StoreError(
                    f"{self.path}: cannot open the store read-only ({exc}), and its "
                    f"write-ahead log {wal} holds events that only a connection able to "
                    "create its -shm file can read; copy the store and its -wal file to "
                    "writable storage"
                ) from exc
            try:
                self._read_only(_uri(self.path, "ro") + "&immutable=1")
            except sqlite3.Error as again:
                raise self._unopenable(again) from again
        except sqlite3.Error as exc:
            raise self._unopenable(exc) from exc

    def _read_only(self, target: str) -> None:
        """Connect to the URI *target* and verify the store; SQLite's errors close and pass."""
        db = sqlite3.connect(target, timeout=self._timeout, isolation_level=None, uri=True)
        self._db = db
        try:
            self._verify()
        except sqlite3.Error:
            db.close()
            raise
        except UnicodeDecodeError as exc:  # a damaged schema's text (some Pythons say so)
            db.close()
            raise StoreError(
                f"{self.path}: damaged: its schema holds text that is not UTF-8 ({exc})"
            ) from None

    def _unopenable(self, exc: sqlite3.Error, *, writing: bool = False) -> StoreError:
        """The error for a file SQLite would not open: not a database, or why it could not."""
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB:
            return StoreError(f"{self.path}: not an itinerary store: {exc}")
        return StoreError(f"{self.path}: cannot open the store: {exc}{_why(self.path, writing)}")

    def _create(self) -> None:
        """Make the tables (if missing) and check the format, in one write transaction."""
        db = self._db
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self._synchronous}")
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute("INSERT OR IGNORE INTO itinerary_meta VALUES ('format', ?)", (FORMAT,))
                (found,) = db.execute(
                    "SELECT value FROM itinerary_meta WHERE key = 'format'"
                ).fetchone()
                if found == FORMAT:  # format 2 keeps its number of events, to see a lost tail
                    db.execute("INSERT OR IGNORE INTO itinerary_meta VALUES ('events', '0')")
                    db.execute(_DICTIONARY)
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):  # as in _write: keep the cause
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            db.close()
            raise self._unopenable(exc, writing=True) from exc
        self._check_format(found)

    def _verify(self) -> None:
        """Check, reading only, that the file holds this library's tables in a known format.

        SQLite's own errors are left to the caller; a missing table or an unknown format
        closes the connection and raises :class:`StoreError`.
        """
        db = self._db
        # Read as bytes: a damaged schema may hold names that are not UTF-8 (shown escaped).
        tables = {
            bytes(name).decode("utf-8", "backslashreplace")
            for (name,) in db.execute(
                "SELECT CAST(name AS BLOB) FROM sqlite_master WHERE type = 'table'"
            )
        }
        missing = sorted({"itinerary_meta", "itinerary_events"} - tables)
        if missing:
            db.close()
            others = ", ".join(sorted(tables)) or "none"
            raise StoreError(
                f"{self.path}: not an itinerary store: a SQLite database without the "
                f"{' and '.join(missing)} table{'s' if len(missing) > 1 else ''} "
                f"(its tables: {others}); nothing was written to it"
            )
        row = db.execute("SELECT value FROM itinerary_meta WHERE key = 'format'").fetchone()
        self._check_format(None if row is None else row[0])

    def _check_format(self, found: object) -> None:
        if found not in FORMATS:
            self._db.close()
            raise StoreError(
                f"{self.path}: store format {found!r}, but this version of itinerary "
                f"reads formats {', '.join(FORMATS)}"
            )
        self._format = found
        columns = [row[1] for row in self._db.execute("PRAGMA table_info(itinerary_events)")]
        wanted = ["version", "type", "schema", "data"] + (["crc"] if found == "2" else [])
        if columns != wanted:
            self._db.close()
            raise StoreError(
                f"{self.path}: damaged: the events table has columns {', '.join(columns)}; "
                f"format {found} has {', '.join(wanted)}"
            )
        if found == "2":
            columns = [
                row[1] for row in self._db.execute("PRAGMA table_info(itinerary_dictionary)")
            ]
            if columns != ["id", "data", "crc"]:
                self._db.close()
                said = ", ".join(columns) if columns else "no dictionary table"
                raise StoreError(
                    f"{self.path}: damaged: format 2 has a dictionary table with columns "
                    f"id, data, crc; found {said}"
                )

    def _writer(self) -> sqlite3.Connection:
        """The connection, reopened for writing if the store was opened with create=False."""
        if not self._writable:
            db = self._connect(_uri(self.path, "rw"), uri=True, writing=True)
            try:
                db.execute(f"PRAGMA synchronous={self._synchronous}")
            except sqlite3.Error as exc:
                db.close()
                raise StoreError(
                    f"{self.path}: cannot open the store for writing: {exc}"
                    f"{_why(self.path, writing=True)}"
                ) from exc
            self._db.close()
            self._db, self._writable = db, True
            self._file = _identity(self.path)
            if self._empty:  # the empty file opened with create=False gets its tables now
                self._create()
                self._empty = False
        return self._db

    @property
    def version(self) -> int:
        """How many events are stored."""
        try:
            (found,) = self._db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM itinerary_events"
            ).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the version: {exc}") from exc
        return int(found)

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events* in order in one transaction, all or none; return the new version.

        Raises :class:`~itinerary.errors.ConcurrencyError` (storing nothing) if
        *expected_version* is given and is not the store's version when the write lock is
        taken. With *progress*, a bar counts the events written (10,000 rows at a time, as
        each is encoded and inserted), on a terminal or in a notebook.
        """
        batch = checked_batch(events, self.version)
        with write_bar(len(batch), os.path.basename(self.path), progress) as bar:
            return self._write(batch, expected_version, bar if progress else None)

    def _write(
        self, batch: list[Event], expected_version: int | None, bar: _progress.Bar | None
    ) -> int:
        """Store the checked *batch* in one transaction (counting its rows on *bar*, if any)."""
        db = self._writer()
        format_2 = self._format == "2"
        if not format_2:
            encoded = [self._codec.dumps(event) for event in batch]  # before locking: fail early
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot take the write lock: {exc}") from exc
        try:
            (current,) = db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM itinerary_events"
            ).fetchone()
            if expected_version is not None and expected_version != current:
                raise stale(self.path, expected_version, current)
            if format_2:
                self._check_count(db, current)  # a lost tail is refused, not written over
                # Encoded under the lock: the ids of places and zones are the store's.
                sealed = SealedBatch(
                    self._codec,
                    self._ids,
                    lambda last: db.execute(
                        "SELECT id, data FROM itinerary_dictionary WHERE id > ? ORDER BY id",
                        (last,),
                    ),
                    current=current,
                )
                for chunk in _progress.chunked(sealed.rows(batch), bar, _ROWS):
                    db.executemany(
                        "INSERT INTO itinerary_events (version, type, schema, data, crc) "
                        "VALUES (?, ?, ?, ?, ?)",
                        chunk,
                    )
                db.executemany(
                    "INSERT INTO itinerary_dictionary (id, data, crc) VALUES (?, ?, ?)",
                    sealed.entries(),
                )
                db.execute(
                    "UPDATE itinerary_meta SET value = ? WHERE key = 'events'",
                    (str(current + len(batch)),),
                )
            else:
                rows = [(current + i, *row) for i, row in enumerate(encoded, start=1)]
                for unsealed in _progress.chunked(rows, bar, _ROWS):
                    db.executemany(
                        "INSERT INTO itinerary_events (version, type, schema, data) "
                        "VALUES (?, ?, ?, ?)",
                        unsealed,
                    )
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                # SQLite may have rolled back itself (a full disk): then ROLLBACK fails with
                # "no transaction is active", which must not hide why the write failed.
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"{self.path}: nothing was stored: {exc}") from exc
            raise
        if format_2:
            self._ids.update(sealed.added)
        return int(current) + len(batch)

    def _check_count(self, db: sqlite3.Connection, last: int) -> None:
        """Refuse a format 2 store whose recorded number of events is not *last*, its last version."""
        check_count(
            self.path,
            last,
            db.execute("SELECT value FROM itinerary_meta WHERE key = 'events'").fetchone(),
        )

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log, or its first *upto* events, decoded in one read transaction.

        With *progress*, a bar counts the events loaded (10,000 rows at a time), on a
        terminal or in a notebook.
        """
        db = self._db
        try:
            db.execute("BEGIN")
            try:
                limit = check_upto(upto, self.version, self.path)
                with load_bar(limit, os.path.basename(self.path), progress) as bar:
                    shown = bar if progress else None
                    events: list[Event] | LogColumns
                    if self._format == "2":
                        events = self._load_checked_rows(db, limit, shown)
                    else:
                        events = self._load_rows(db, limit, shown)
            finally:
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        if len(events) != limit:
            raise StoreError(f"{self.path}: expected {limit} events but found {len(events)}")
        if isinstance(events, LogColumns):  # format 2: kept as columns, events built on reading
            return sealed_log(events, self.path)
        return EventLog(events)

    def _load_rows(
        self, db: sqlite3.Connection, limit: int, bar: _progress.Bar | None
    ) -> list[Event]:
        """The events of the first *limit* format 1 rows (counted on *bar*, if any)."""
        loads = self._codec.loads
        rows: Iterable[tuple[Any, ...]] = db.execute(
            "SELECT type, schema, data FROM itinerary_events WHERE version <= ? ORDER BY version",
            (limit,),
        )
        if bar is not None:
            rows = _progress.counted(rows, bar)
        events: list[Event] = []
        try:
            with bulk():
                for kind, schema, data in rows:
                    events.append(loads(kind, schema, data))
        except StoreError as exc:
            raise StoreError(f"{self.path}: version {len(events) + 1}: {exc}") from None
        return events

    def _numbered_rows(
        self, db: sqlite3.Connection, limit: int
    ) -> Iterable[tuple[Any, tuple[Any, ...]]]:
        """The first *limit* format 2 rows as (version, (type, schema, data, crc)), in order."""
        self._check_count(db, self.version)
        count, low, high = db.execute(
            "SELECT COUNT(*), MIN(version), MAX(version) FROM itinerary_events WHERE version <= ?",
            (limit,),
        ).fetchone()
        if count == limit and (limit == 0 or (low, high) == (1, limit)):
            # The versions are 1..limit (distinct integers, as many as that): numbered in
            # order, without reading each (each row's checksum covers its version too).
            return enumerate(
                db.execute(
                    "SELECT type, schema, data, crc FROM itinerary_events WHERE version <= ? "
                    "ORDER BY version",
                    (limit,),
                ),
                1,
            )
        # A version missing: read them, to name the first that is not there.
        return (
            (row[0], row[1:])
            for row in db.execute(
                "SELECT version, type, schema, data, crc FROM itinerary_events "
                "WHERE version <= ? ORDER BY version",
                (limit,),
            )
        )

    def _load_checked_rows(
        self, db: sqlite3.Connection, limit: int, bar: _progress.Bar | None = None
    ) -> LogColumns:
        """The events of the first *limit* format 2 rows, each row's checksum verified.

        A row whose checksum matches is what this library wrote, so it is rebuilt through
        the codec's fast path; one that does not match is damage, named by its version.
        The rows are counted on *bar*, if any, a chunk at a time.
        """
        rows = self._numbered_rows(db, limit)
        table, raw = self._dictionary(db)
        return decode_sealed_columns(
            rows,
            1,
            codec=self._codec,
            table=table,
            raw=raw,
            where=self.path,
            bar=bar,
        )

    def _dictionary(self, db: sqlite3.Connection) -> tuple[list[Entry], list[object]]:
        """The store's dictionary by id, decoded and as parsed, each entry's checksum verified.

        Entry 0 is a placeholder (ids start at 1); a missing id is damage.
        """
        table: list[Entry] = [UTC]  # a placeholder: no row names id 0
        raw: list[object] = [None]
        read_dictionary(
            db.execute("SELECT id, data, crc FROM itinerary_dictionary ORDER BY id"),
            table,
            raw,
            self.path,
        )
        return table, raw

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order.

        One read transaction; each row is checked as :meth:`load` checks it (its version in
        sequence, its checksum in format 2), and damage raises StoreError naming the version.
        A store whose file was replaced or deleted since it was opened raises StoreError.
        """
        self._leave_empty()
        self._check_same_file()
        db = self._db
        format_2 = self._format == "2"
        try:
            db.execute("BEGIN")
            try:
                (last,) = db.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM itinerary_events"
                ).fetchone()
                if last < after:
                    raise StoreError(
                        f"{self.path}: holds {last} events, fewer than version {after}"
                    )
                rows = db.execute(
                    f"SELECT version, type, schema, data{', crc' if format_2 else ''} "
                    "FROM itinerary_events WHERE version > ? ORDER BY version LIMIT ?",
                    (after, -1 if limit is None else limit),
                ).fetchall()
                if format_2 and rows:
                    self._check_count(db, last)
                    table, raw = self._dictionary(db)
            finally:
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        if format_2:
            if not rows:
                return []
            return decode_sealed(
                ((row[0], row[1:]) for row in rows),
                after + 1,
                codec=self._codec,
                table=table,
                raw=raw,
                where=self.path,
            )
        events: list[Event] = []
        for expected, (version, kind, schema, data) in enumerate(rows, after + 1):
            try:
                if version != expected:
                    raise row_damage(self.path, self._codec, expected, version, kind, schema, data)
                events.append(self._codec.loads(kind, schema, data, where=f"version {version}"))
            except StoreError as exc:
                message = str(exc)
                raise StoreError(
                    message if message.startswith(self.path) else f"{self.path}: {message}"
                ) from None
        return events

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Poll until another connection commits (``PRAGMA data_version``) or *timeout* passes.

        Looks every ``store.poll`` seconds; the version is compared with *seen* first, so a
        commit made before the call is not missed. Each look also checks that the file at
        the path is still the one open: one replaced or deleted raises StoreError.
        """
        deadline = time.monotonic() + timeout
        self._check_same_file()
        try:
            (mark,) = self._db.execute("PRAGMA data_version").fetchone()
            if self.version != seen:
                return True
            while (left := deadline - time.monotonic()) > 0:
                time.sleep(min(self.poll, left))
                if self._empty:  # an empty file: news is another process giving it tables
                    if self._leave_empty():
                        return True
                    continue
                self._check_same_file()
                (now,) = self._db.execute("PRAGMA data_version").fetchone()
                if now != mark:
                    return True
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        return False

    def _leave_empty(self) -> bool:
        """Read the file itself once another process has made the empty file a store.

        A store opened with ``create=False`` on an empty file reads an empty schema in
        memory; a subscriber to it must see what others write there. False while the file
        is still empty or not yet a store (its tables being made): the next look tries again.
        """
        if not self._empty or self._writable:
            return not self._empty
        try:
            if os.path.getsize(self.path) == 0:
                return False
        except OSError:
            return False
        empty = self._db
        try:
            self._open_existing()
        except StoreError:
            self._db = empty
            return False
        empty.close()
        self._empty = False
        self._file = _identity(self.path)
        return True

    def _check_same_file(self) -> None:
        """StoreError if the file at the path is no longer the one open (replaced, deleted).

        The open connection keeps reading the file it opened, so a store replaced by
        another (``mv new.sqlite tour.sqlite``) would look unchanged to a follower forever.
        """
        if self._empty or self._file is None:
            return
        if _identity(self.path) != self._file:
            raise StoreError(
                f"{self.path}: the store was replaced (or deleted) while followed; follow it again"
            )

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.path!r}>"


def _why(path: str, writing: bool) -> str:
    """What the file system says against opening *path*, as `` (reason)``, or ``""``."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(path):
        if not os.path.isdir(folder):
            return f" (there is no folder {folder})"
        if writing and not os.access(folder, os.W_OK):
            return f" (cannot create files in {folder})"
        return ""
    if not os.access(path, os.R_OK):
        return " (no permission to read it)"
    if writing and not os.access(path, os.W_OK):
        return " (no permission to write it, or it is on read-only media)"
    return ""


def _identity(path: str) -> tuple[int, int] | None:
    """The (device, inode) of the file at *path*, or None if there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def _uri(path: str, mode: str) -> str:
    """A ``file:`` URI for *path* that opens it in *mode* (``ro`` or ``rw``, never creating)."""
    return f"{pathlib.Path(os.path.abspath(path)).as_uri()}?mode={mode}"
