"""The shared durable store: one PostgreSQL database, through psycopg 3.

Needs the ``postgres`` extra (``pip install "itinerary[postgres]"``); psycopg is imported
when a store is first opened, and without it :class:`PostgresStore` raises
:class:`~itinerary.errors.MissingExtraError` naming the extra.

A store is a URL, ``postgresql://user:password@host:port/database?log=tour`` (``postgres://``
too, and any libpq parameter in the query). ``log`` names the PostgreSQL schema that holds the
log's three tables, so one database can hold several logs; it defaults to ``itinerary``, and
is 1 to 40 lowercase letters, digits and underscores, starting with a letter or underscore.
The password never appears in messages or reprs: the URL is shown with it masked (``***``),
as written (see :func:`masked_url`). Query parameters go to libpq as written; unless the URL
sets them, ``connect_timeout`` is 10 s and TCP keepalives are on, and a request the server
does not answer within the store's ``timeout`` (30 s) fails with
:class:`~itinerary.errors.StoreError`.

Each ``extend`` is one transaction: it locks the log's head row (``SELECT ... FOR UPDATE``
on the number of events kept in ``itinerary_meta``), so writers take turns; it reads the
current version, refuses a stale ``expected_version``, copies the whole batch in, updates
the head row and sends a notification (``NOTIFY``, delivered only if the transaction
commits), then commits. A client killed part-way, or a server gone mid-write, leaves all of
the batch or none of it; of two writers that expect the same version, one stores its batch
and the other gets :class:`~itinerary.errors.ConcurrencyError` and stores nothing. The
version is the events table's primary key, so no two events can share a position.

Rows are those of the SQLite store's format 2: positional rows of JSON with a CRC-32 of each
row's version, type, schema and data, and a dictionary of places and zone names, each entry
with its own checksum; a row changed after it was written is refused as damage, naming its
version. :data:`FORMAT` is recorded in the log's meta table; a log of an unknown (newer)
format is refused.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import unquote

from itinerary import _progress
from itinerary._compat import psycopg_wait_timeout
from itinerary._extras import require
from itinerary.errors import ConcurrencyError, ItineraryError, StoreError, VersionError
from itinerary.events import Event
from itinerary.log import EventLog, checked_batch
from itinerary.store._sealed import (
    SealedBatch,
    check_count,
    decode_sealed,
    decode_sealed_columns,
    read_dictionary,
    sealed_log,
)
from itinerary.store.base import StoreBase, check_upto, load_bar, stale, write_bar
from itinerary.store.codec import DEFAULT_CODEC, Codec, Entry

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "ANSWER_TIMEOUT",
    "DEFAULT_LOG",
    "FORMAT",
    "FORMATS",
    "SCHEMES",
    "PostgresStore",
    "is_url",
    "masked_url",
]

FORMAT = "1"
"""The layout of a PostgreSQL log, recorded in its meta table under ``format``.

Format 1 (this version): in the log's schema, ``itinerary_meta (key, value)`` holds
``format`` and ``events`` (the number of events, the row writers lock);
``itinerary_events (version bigint primary key, type, schema, data bytea, crc bigint)``
holds one row per event, as a SQLite format 2 row (same data, same checksum); and
``itinerary_dictionary (id, data bytea, crc bigint)`` the places and zone names they refer to.
"""

FORMATS = ("1",)
"""The formats this version reads."""

SCHEMES = ("postgresql://", "postgres://")
"""The URL schemes :func:`~itinerary.store.open_store` opens as a :class:`PostgresStore`."""

DEFAULT_LOG = "itinerary"
"""The PostgreSQL schema that holds the log when the URL names none (``?log=``)."""

T = TypeVar("T")
_LOG_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}")
_MASK = "***"
_SECRET_KEYS = frozenset({"password", "passfile", "sslpassword", "oauth_client_secret"})
_CHUNK = 10_000
"""Rows fetched per round trip when loading (a server-side cursor's ``itersize``), and
encoded at a time when writing (each chunk counted on a progress bar, if any)."""
ANSWER_TIMEOUT = 30.0
"""Seconds a :class:`PostgresStore` waits for the server's answer to one request, by default."""

_DEFAULTS = {
    "connect_timeout": "10",
    "application_name": "itinerary",
    "keepalives": "1",
    "keepalives_idle": "10",
    "keepalives_interval": "5",
    "keepalives_count": "3",
    "tcp_user_timeout": "30000",
}
"""The libpq parameters a URL gets unless it sets them: give up connecting after 10 s, and
on a connection whose server went silent (host down, network gone) after about 25 to 30 s,
instead of waiting for the operating system's hours."""


def is_url(text: str) -> bool:
    """Whether *text* is a PostgreSQL URL (``postgresql://`` or ``postgres://``)."""
    return text.lower().startswith(SCHEMES)


def masked_url(url: str) -> str:
    """*url* with its password (in the authority or the query) shown as ``***``.

    The URL is masked as written, not parsed: everything from after ``://`` to the last
    ``@`` is taken for the user and password (as libpq would take no more), the user is
    kept and the rest masked; where that is unclear, all after the scheme is masked. Query
    parameters naming a secret (``password``, ``passfile``, ``sslpassword``, in any case)
    have their value masked, as does a database name (``dbname`` or the path) holding a
    connection string or URL, which libpq would expand. Characters that are not text (a non-UTF-8 argument) are shown
    escaped.

    >>> masked_url("postgresql://ann:s3cret@db.example:5432/tours?log=asia")
    'postgresql://ann:***@db.example:5432/tours?log=asia'
    >>> masked_url("postgresql://ann:pa/ss@db.example/tours")
    'postgresql://ann:***@db.example/tours'
    """
    return _printable(_masked(url))


def _printable(text: str) -> str:
    """*text* with lone surrogates (bytes that were not UTF-8) escaped, so it can be printed."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _masked(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:  # not even a URL: show nothing of it but what looks like its scheme
        head, colon, tail = url.partition(":")
        return f"{head}:{_MASK}" if colon and tail else url
    credentials, at, after = rest.rpartition("@")
    if at:
        user, colon, _ = credentials.partition(":")
        if any(c in user for c in "/?#@") or (not colon and any(c in credentials for c in "/?#")):
            return f"{scheme}://{_MASK}"  # an @ further on: where the password ends is unclear
        credentials = f"{user}:{_MASK}" if colon else user
    base, question, query = after.partition("?")
    host, slash, dbname = base.partition("/")
    if _expands(dbname):
        base = f"{host}{slash}{_MASK}"
    if question:
        query = "&".join(
            f"{item.partition('=')[0]}={_MASK}" if _is_secret(item) else item
            for item in query.split("&")
        )
    return f"{scheme}://{credentials}{at}{base}{question}{query}"


def _key(item: str) -> str:
    """The key of a query item ``key=value``, decoded, in lowercase."""
    return unquote(item.partition("=")[0]).strip().lower()


def _is_secret(item: str) -> bool:
    return _key(item) in _SECRET_KEYS or (
        _key(item) == "dbname" and _expands(item.partition("=")[2])
    )


def _expands(dbname: str) -> bool:
    """Whether libpq would read *dbname* (as written in a URL) as a connection string or URL.

    libpq expands a ``dbname`` holding an ``=`` or starting with a URL's scheme into
    settings of its own, a password among them: such a value is masked, and refused.
    """
    value = unquote(dbname)
    return "=" in value or is_url(value.lstrip())


def _psycopg() -> Any:
    return require("psycopg", extra="postgres", feature="PostgresStore")


_connection_classes: dict[int, Any] = {}


def _connection_class(psycopg: Any) -> Any:
    """A psycopg connection class giving up on a server that does not answer (see ``timeout``).

    Each request's answer is awaited ``answer_timeout`` seconds at most; then the
    connection is closed (its state is unknown) and ``OperationalError`` raised. Keepalives
    cannot tell a server that stopped (a frozen process, whose kernel still answers them)
    from one that is busy: only a deadline can.
    """
    found = _connection_classes.get(id(psycopg))
    if found is not None:
        return found

    class TimedConnection(psycopg.Connection):  # type: ignore[misc]
        answer_timeout: float | None = None

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            if timeout is not None or self.answer_timeout is None:
                return super().wait(gen, interval, timeout)
            try:
                return super().wait(gen, interval, self.answer_timeout)
            except psycopg_wait_timeout(psycopg):  # psycopg 3.3: its wait() deadline
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the server did not answer in {self.answer_timeout:g} s: it is lost or "
                    "stopped, or another writer held the log's lock that long "
                    "(the connection was closed)"
                ) from None

    _connection_classes[id(psycopg)] = TimedConnection
    return TimedConnection


class PostgresStore(StoreBase):
    """An event store in a PostgreSQL database, shared by every process that opens its URL.

    Args:
        url: ``postgresql://user:password@host:port/database?log=name``; ``log`` chooses
            the PostgreSQL schema that holds the log (default ``itinerary``), other query
            parameters go to libpq (``connect_timeout`` defaults to 10 seconds).
        codec: How events become rows (default: the built-in types, today's schemas).
        create: If false, the log must already exist: opening never writes, and a database
            without the log's tables raises :class:`~itinerary.errors.StoreError`. If true
            (the default), a missing log is created (its schema and tables).
        timeout: Seconds to wait for the server's answer to one request (a query, a batch
            of rows) before giving up with :class:`~itinerary.errors.StoreError` and closing
            the connection (the next request connects again); ``None`` waits for ever. A
            server that stopped answering (frozen, or cut off by the network) is found out
            so, where TCP keepalives alone may never tell.

    Errors of the server or the connection (refused, lost, timed out) raise
    :class:`~itinerary.errors.StoreError` naming the URL, its password masked.

    """

    poll: float = 0.002
    """Seconds a subscriber pauses before reading again when a commit landed between its
    read and its look at the version. Otherwise it waits for notifications, not polls."""

    def __init__(
        self,
        url: str,
        *,
        codec: Codec = DEFAULT_CODEC,
        create: bool = True,
        timeout: float | None = ANSWER_TIMEOUT,
    ) -> None:
        if timeout is not None and not timeout > 0:
            raise StoreError(
                f"timeout must be a number of seconds above 0, or None; got {timeout!r}"
            )
        self.timeout = timeout
        """Seconds to wait for the server's answer to one request, or None to wait for ever."""
        self.where = masked_url(url)
        """The URL as shown to people, with its password masked."""
        self._url = _Secret(url)
        self._codec = codec
        conninfo, self.log, secrets = _parse(url, self.where)
        self._conninfo = _Secret(conninfo)
        self._secrets = _Secret(secrets)
        self._psycopg = _psycopg()
        self._meta = f'"{self.log}".itinerary_meta'
        self._events = f'"{self.log}".itinerary_events'
        self._dict = f'"{self.log}".itinerary_dictionary'
        self.channel = f"itinerary_{self.log}"
        self._ids: dict[bytes, int] = {}  # the dictionary's entries, as far as read: {data: id}
        self._table: list[Entry] = [UTC]  # the decoded dictionary by id, for read_after
        self._raw: list[object] = [None]
        self._db: psycopg.Connection[Any] | None = None
        self._listener: psycopg.Connection[Any] | None = None
        self._closed = False
        self._open(create)

    @property
    def path(self) -> str:
        """The URL as given, password included (show :attr:`where` instead).

        What :func:`~itinerary.store.open_store` opens again.

        Kept out of the store's attributes (``vars(store)``, a traceback's locals show
        ``***``), as are the connection string and the secrets it masks.
        """
        return self._url.value

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn: psycopg.Connection[Any] = _connection_class(self._psycopg).connect(
                self._conninfo.value, autocommit=True
            )
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot connect: {self._reason(exc)}") from None
        conn.answer_timeout = self.timeout  # type: ignore[attr-defined]
        return conn

    def _conn(self) -> psycopg.Connection[Any]:
        """The connection, opened again if the server dropped it."""
        if self._closed:
            raise StoreError(f"{self.where}: the store is closed")
        if self._db is None or self._db.closed:
            self._db = self._connect()
        return self._db

    def _reason(self, exc: BaseException) -> str:
        """What *exc* says, on one line, with any secret of the URL masked."""
        text = " ".join(str(exc).split()) or type(exc).__name__
        for secret in self._secrets.value:
            text = text.replace(secret, _MASK)
        return text[:500]

    def _lost(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.OperationalError) or bool(
            self._db is not None and self._db.broken
        )

    # -- opening -----------------------------------------------------------------------

    def _open(self, create: bool) -> None:
        conn = self._conn()
        try:
            found = self._tables(conn)
            if not found and create:
                self._create(conn)
                found = self._tables(conn)
            self._verify(conn, found, create)
        except BaseException:
            self.close()
            raise

    def _tables(self, conn: psycopg.Connection[Any]) -> set[str]:
        try:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (self.log,),
            ).fetchall()
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot read the store: {self._reason(exc)}") from None
        return {name for (name,) in rows}

    def _create(self, conn: psycopg.Connection[Any]) -> None:
        """Make the log's schema and tables, serialized with any other process doing so."""
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.channel,))
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.log}"')
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._meta} "
                    "(key text PRIMARY KEY, value text NOT NULL)"
                )
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._events} ("
                    " version bigint PRIMARY KEY CHECK (version > 0), type text NOT NULL,"
                    " schema integer NOT NULL, data bytea NOT NULL, crc bigint NOT NULL)"
                )
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._dict} ("
                    " id integer PRIMARY KEY CHECK (id > 0), data bytea NOT NULL,"
                    " crc bigint NOT NULL)"
                )
                conn.execute(
                    f"INSERT INTO {self._meta} VALUES ('format', %s), ('events', '0') "
                    "ON CONFLICT DO NOTHING",
                    (FORMAT,),
                )
        except self._psycopg.Error as exc:
            raise StoreError(
                f"{self.where}: cannot create the store: {self._reason(exc)}"
            ) from None

    def _verify(self, conn: psycopg.Connection[Any], found: set[str], create: bool) -> None:
        """Check, reading only, that the log's tables are there, in a known format."""
        wanted = {"itinerary_meta", "itinerary_events", "itinerary_dictionary"}
        if not found and not create:
            raise StoreError(
                f"{self.where}: no such store: the database has no log {self.log!r} "
                "(no such schema, or no tables in it)"
            )
        missing = sorted(wanted - found)
        if missing:
            others = ", ".join(sorted(found)) or "none"
            raise StoreError(
                f"{self.where}: not an itinerary store: schema {self.log!r} lacks the "
                f"{' and '.join(missing)} table{'s' if len(missing) > 1 else ''} "
                f"(its tables: {others}); nothing was written to it"
            )
        try:
            row = conn.execute(f"SELECT value FROM {self._meta} WHERE key = 'format'").fetchone()
            columns = self._columns(conn)
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot read the store: {self._reason(exc)}") from None
        if row is None or row[0] not in FORMATS:
            said = "none" if row is None else repr(row[0])
            raise StoreError(
                f"{self.where}: store format {said}, but this version of itinerary reads "
                f"PostgreSQL formats {', '.join(FORMATS)}"
            )
        expected = {
            "itinerary_events": ["version", "type", "schema", "data", "crc"],
            "itinerary_dictionary": ["id", "data", "crc"],
        }
        for table, names in expected.items():
            if columns.get(table) != names:
                raise StoreError(
                    f"{self.where}: damaged: {table} has columns "
                    f"{', '.join(columns.get(table, [])) or 'none'}; format {FORMAT} has "
                    f"{', '.join(names)}"
                )

    def _columns(self, conn: psycopg.Connection[Any]) -> dict[str, list[str]]:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            (self.log,),
        ):
            columns.setdefault(table, []).append(column)
        return columns

    # -- writing -----------------------------------------------------------------------

    @property
    def version(self) -> int:
        """How many events are stored."""
        conn = self._conn()
        try:
            row = conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {self._events}").fetchone()
        except self._psycopg.Error as exc:
            raise StoreError(
                f"{self.where}: cannot read the version: {self._reason(exc)}"
            ) from None
        return int(row[0]) if row is not None else 0

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events* in order in one transaction, all or none; return the new version.

        Raises :class:`~itinerary.errors.ConcurrencyError` (storing nothing) if
        *expected_version* is given and is not the store's version when the log's head row
        is locked, and :class:`~itinerary.errors.StoreError` if the server cannot be reached
        or goes away: nothing of the batch is stored then, unless the connection is lost
        while committing, when all of it may have been (the message says so: load to see).
        With *progress*, a bar counts the events written (10,000 rows at a time, as they
        are encoded and copied in), on a terminal or in a notebook.
        """
        batch = checked_batch(events, self.version)
        with write_bar(len(batch), self.where, progress) as bar:
            return self._write(batch, expected_version, bar if progress else None)

    def _write(
        self, batch: list[Event], expected_version: int | None, bar: _progress.Bar | None
    ) -> int:
        """Store the checked *batch* in one transaction (counting its rows on *bar*, if any)."""
        conn = self._conn()
        committing = False
        try:
            with conn.transaction():
                cursor = conn.cursor(binary=True)
                current = self._count(cursor, lock=True)
                if expected_version is not None and expected_version != current:
                    raise stale(self.where, expected_version, current)
                # Encoded under the lock: the ids of places and zones are the store's.
                sealed = SealedBatch(
                    self._codec,
                    self._ids,
                    lambda last: cursor.execute(
                        f"SELECT id, data FROM {self._dict} WHERE id > %s ORDER BY id", (last,)
                    ).fetchall(),
                    current=current,
                )
                new = current + len(batch)
                if batch:
                    # Encoded 10,000 rows at a time (counted on the bar, if any), then sent.
                    chunks = _progress.chunked(sealed.rows(batch), bar, _CHUNK)
                    self._write_events(cursor, itertools.chain.from_iterable(chunks))
                    entries = sealed.entries()
                    if entries:
                        cursor.executemany(
                            f"INSERT INTO {self._dict} (id, data, crc) VALUES (%s, %s, %s)",
                            entries,
                        )
                    cursor.execute(
                        f"UPDATE {self._meta} SET value = %s WHERE key = 'events'", (str(new),)
                    )
                    cursor.execute("SELECT pg_notify(%s, %s)", (self.channel, str(new)))
                committing = True
        except self._psycopg.Error as exc:
            raise self._not_stored(exc, committing) from None
        self._ids.update(sealed.added)
        return new

    def _write_events(self, cursor: psycopg.Cursor[Any], rows: Iterator[tuple[Any, ...]]) -> None:
        """Copy *rows* (version, type, schema, data, crc) into the events table."""
        with cursor.copy(
            f"COPY {self._events} (version, type, schema, data, crc) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "text", "int4", "bytea", "int8"])
            for row in rows:
                copy.write_row(row)

    def _not_stored(self, exc: BaseException, committing: bool) -> ItineraryError:
        """The error for a write the server refused, or lost."""
        reason = self._reason(exc)
        if isinstance(exc, self._psycopg.errors.UniqueViolation):
            return ConcurrencyError(
                f"{self.where}: another writer stored events at the same versions; nothing "
                f"was stored (load the newer log and decide again): {reason}"
            )
        if committing:
            return StoreError(
                f"{self.where}: the connection was lost while committing: the batch was "
                f"stored whole or not at all; load the store to see which ({reason})"
            )
        if self._lost(exc):
            return StoreError(
                f"{self.where}: nothing was stored: the connection to the server was lost "
                f"({reason})"
            )
        return StoreError(f"{self.where}: nothing was stored: {reason}")

    # -- reading -----------------------------------------------------------------------

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log, or its first *upto* events, read in one snapshot of the database.

        With *progress*, a bar counts the events loaded (a fetch of 10,000 rows at a time),
        on a terminal or in a notebook.
        """
        conn = self._conn()
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                count = self._count(conn)
                limit = check_upto(upto, count, self.where)
                table: list[Entry] = [UTC]
                raw: list[object] = [None]
                self._dictionary(conn, table, raw)
                with conn.cursor(name="itinerary_load", binary=True) as cursor:
                    cursor.itersize = _CHUNK
                    cursor.execute(
                        f"SELECT version, type, schema, data, crc FROM {self._events} "
                        "WHERE version <= %s ORDER BY version",
                        (limit,),
                    )
                    with load_bar(limit, self.where, progress) as bar:
                        columns = decode_sealed_columns(
                            ((row[0], row[1:]) for row in cursor),
                            1,
                            codec=self._codec,
                            table=table,
                            raw=raw,
                            where=self.where,
                            bar=bar if progress else None,
                        )
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot read the store: {self._reason(exc)}") from None
        if len(columns) != limit:
            raise StoreError(f"{self.where}: expected {limit} events but found {len(columns)}")
        self._table, self._raw = table, raw
        return sealed_log(columns, self.where)  # kept as columns: events built on reading

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions *after* + 1 .. *after* + *limit* (or to the end), in order.

        Read with one query in a snapshot (the dictionary entries new since the last read
        first), each row's checksum verified as :meth:`load` verifies them. Raises
        :class:`~itinerary.errors.StoreError` if the store holds fewer than *after* events.
        """
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise VersionError(f"{self.where}: after must be a version (0 or more), got {after!r}")
        conn = self._conn()
        try:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                self._dictionary(conn, self._table, self._raw)
                with conn.cursor(binary=True) as cursor:
                    cursor.execute(
                        f"SELECT version, type, schema, data, crc FROM {self._events} "
                        "WHERE version > %s ORDER BY version LIMIT %s",
                        (after, limit),
                    )
                    events = self._decode(cursor, after + 1, self._table, self._raw)
                if not events:  # nothing after it: is there even an event at *after*?
                    held = self._count(conn)
                    if held < after:
                        raise StoreError(
                            f"{self.where}: holds {held} events, fewer than version {after}"
                        )
                return events
        except self._psycopg.Error as exc:
            raise StoreError(f"{self.where}: cannot read the store: {self._reason(exc)}") from None

    def _count(
        self, conn: psycopg.Connection[Any] | psycopg.Cursor[Any], *, lock: bool = False
    ) -> int:
        """The number of events the log recorded, checked against its last version.

        With *lock*, the log's head row (that number) is locked until the transaction ends:
        writers take turns.
        """
        row = conn.execute(
            f"SELECT value FROM {self._meta} WHERE key = 'events'{' FOR UPDATE' if lock else ''}"
        ).fetchone()
        last_row = conn.execute(f"SELECT COALESCE(MAX(version), 0) FROM {self._events}").fetchone()
        last = int(last_row[0]) if last_row is not None else 0
        check_count(self.where, last, row)
        return last

    def _dictionary(
        self, conn: psycopg.Connection[Any], table: list[Entry], raw: list[object]
    ) -> None:
        """Extend *table* (decoded) and *raw* (as parsed) with the entries past their end.

        Each entry's checksum is verified; a missing id is damage.
        """
        with conn.cursor(binary=True) as cursor:
            rows = cursor.execute(
                f"SELECT id, data, crc FROM {self._dict} WHERE id >= %s ORDER BY id", (len(table),)
            ).fetchall()
        read_dictionary(rows, table, raw, self.where)

    def _decode(
        self, rows: Iterable[Sequence[Any]], first: int, table: list[Entry], raw: list[object]
    ) -> list[Event]:
        """The events of *rows*, which must run from version *first* on without a gap.

        Decoded as SQLite's format 2 rows are (the sealed-row seam's ``decode_sealed``): a
        row whose checksum does not match is damage, named by its version.
        """
        return decode_sealed(
            ((row[0], row[1:]) for row in rows),
            first,
            codec=self._codec,
            table=table,
            raw=raw,
            where=self.where,
        )

    # -- waiting for news --------------------------------------------------------------

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Block until the store may hold other than *seen* events, or *timeout* seconds pass.

        Returns True if woken by news (a notification of a version past *seen*). Listens (``LISTEN``) on a connection of its own,
        opened at the first call; the version is checked after listening starts, so a
        commit just before the wait is never missed.
        """
        deadline = time.monotonic() + timeout
        try:
            listener = self._listen()
            if self.version != seen:  # a commit before the LISTEN (or a store that shrank)
                return True
            while (left := deadline - time.monotonic()) > 0:
                notes = list(listener.notifies(timeout=left, stop_after=1))
                if not notes:
                    return False
                if any(_newer(note.payload, seen) for note in notes):
                    return True
        except self._psycopg.Error as exc:
            self._drop_listener()
            raise StoreError(
                f"{self.where}: cannot wait for new events: {self._reason(exc)}"
            ) from None
        return False

    def _listen(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"{self.where}: the store is closed")
        if self._listener is None or self._listener.closed:
            listener = self._connect()
            try:
                listener.execute(f'LISTEN "{self.channel}"')
            except BaseException:
                listener.close()
                raise
            self._listener = listener
        return self._listener

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # -- the rest ----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections (the store cannot be used after)."""
        self._closed = True
        self._drop_listener()
        if self._db is not None:
            self._db.close()
            self._db = None

    def __del__(self) -> None:
        # A store dropped without close() (as a SQLite store may be) closes its connections
        # quietly, instead of psycopg's ResourceWarning for each.
        if getattr(self, "_psycopg", None) is not None:
            with contextlib.suppress(Exception):  # at interpreter exit psycopg may be gone
                self.close()

    def __repr__(self) -> str:
        return f"<PostgresStore {self.where}>"


class _Secret(Generic[T]):
    """A value (a password, or a URL holding one) whose repr does not show it."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return _MASK


def _newer(payload: str, seen: int) -> bool:
    """Whether a notification's *payload* (a version) says there is more than *seen*."""
    try:
        return int(payload) > seen
    except ValueError:
        return True  # not ours to read: the store may have changed


def _parse(url: str, where: str) -> tuple[str, str, tuple[str, ...]]:
    """The libpq URL (without ``log``), the log's name, and the URL's secrets (to mask).

    The URL goes to libpq as written, but for the ``log`` parameter taken out and defaults
    added (:data:`_DEFAULTS`): nothing is decoded and encoded again, so ``%20`` stays a
    space and ``+`` stays a plus sign, as libpq reads them.
    """
    if not is_url(url):
        raise StoreError(f"{where}: not a PostgreSQL URL (postgresql://...)")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(f"{where}: not a valid URL: not UTF-8") from None
    scheme, _, rest = url.partition("://")
    credentials, at, after = rest.rpartition("@")
    if at and ("/" in credentials or "@" in credentials):
        raise StoreError(
            f"{where}: not a valid URL: an '@' or '/' in the user name, the password or "
            "the query is ambiguous; write them percent-encoded (%40, %2F)"
        )
    base, _, query = after.partition("?")
    items = [item for item in query.split("&") if item]
    if _expands(base.partition("/")[2]) or any(
        _key(item) == "dbname" and _expands(item.partition("=")[2]) for item in items
    ):
        raise StoreError(
            f"{where}: not a valid URL: its database name is a connection string or URL "
            "(libpq would take its settings, a password among them, over the URL's); give "
            "the database's name, and other settings as query parameters"
        )
    logs = [unquote(item.partition("=")[2]) for item in items if _key(item) == "log"]
    log = logs[-1] if logs else DEFAULT_LOG
    if not _LOG_NAME.fullmatch(log):
        raise StoreError(
            f"{where}: log must be 1 to 40 lowercase letters, digits and underscores, "
            f"starting with a letter or underscore; found {_printable(log)!r}"
        )
    kept = [item for item in items if _key(item) != "log"]
    given = {_key(item) for item in kept}
    kept += [f"{key}={value}" for key, value in _DEFAULTS.items() if key not in given]
    secrets = []
    for item in kept:
        if _is_secret(item):
            value = item.partition("=")[2]
            secrets += [value, unquote(value)]
    if at and ":" in credentials:
        password = credentials.partition(":")[2]
        secrets += [password, unquote(password)]  # as written, and as the server gets it
    conninfo = f"{scheme}://{credentials}{at}{base}?{'&'.join(kept)}"
    return conninfo, log, tuple(s for s in secrets if s)
