"""JSON Lines: a log as one text file, for export, import and simple keeping.

The first line is a header, ``{"itinerary": "event-log", "format": 1}``; then one line per
event, ``{"v": version, "end": last version of its batch, "type": ..., "schema": ...,
"data": {...}}``. ``end`` is what makes a batch atomic: a batch cut short by a killed process
leaves lines whose ``end`` is beyond the last line, and readers ignore that torn tail (the
next writer removes it). Writers hold an exclusive ``flock`` on the file and ``fsync``, so
appending needs POSIX file locks: where ``fcntl`` is missing (Windows) reading works and
appending raises :class:`~itinerary.errors.StoreError`.

Appending rescans the file only if another process changed it; use
:class:`~itinerary.store.sqlite.SQLiteStore` for a log that many processes write often.

>>> import tempfile, pathlib
>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tour.jsonl"
>>> export_jsonl([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))], path)
1
>>> import_jsonl(path)[0].describe()
'Donald Trump arrives in Tokyo'
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from typing import Any

from itinerary import _files, _progress
from itinerary._compat import bulk
from itinerary.errors import ConcurrencyError, StoreError
from itinerary.events import Event
from itinerary.log import EventLog, checked_batch
from itinerary.store.base import (
    StoreBase,
    check_upto,
    file_identity,
    load_bar,
    regular_or_missing,
    stale,
    write_bar,
)
from itinerary.store.codec import DEFAULT_CODEC, Codec, dumps, parse_json

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): reading works, appending does not
    fcntl = None  # type: ignore[assignment]

__all__ = ["HEADER", "HEADERS", "JsonlStore", "export_jsonl", "import_jsonl"]

HEADER: dict[str, Any] = {"itinerary": "event-log", "format": 2}
"""The first line of every new file this module writes.

Format 2 ends each event line with ``,"crc":"<8 hex digits>"}``: the CRC-32 of the line's
bytes before it, so a line changed after it was written is refused as damage. Format 1
files (``"format": 1``, no checksums) still load, and are extended in format 1.
"""

HEADERS: dict[int, dict[str, Any]] = {1: {"itinerary": "event-log", "format": 1}, 2: HEADER}
"""The header of each format this version reads."""

_HEADER_LINE = (dumps(HEADER) + "\n").encode()
_CRC_KEY = b',"crc":"'
_CRC_TAIL = len(_CRC_KEY) + 8 + 2  # ,"crc":"xxxxxxxx"}
_CHUNK = 1 << 20


def _require_locks(path: str) -> None:
    """Raise :class:`StoreError` if this system has no POSIX file locks to append with."""
    if fcntl is None:
        raise StoreError(
            f"{path}: cannot append: JSON Lines appends need POSIX file locks (fcntl), "
            "which this system lacks; use a SQLite store (.sqlite) instead"
        )


def _write_all(fd: int, data: bytes) -> None:
    """Write all of *data* to *fd*, a chunk at a time."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _shown(value: object) -> str:
    """*value* as the JSON it was read from, cut short if long."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _checked(line: bytes, path: str, number: int) -> None:
    """Raise :class:`StoreError` unless the format 2 *line* ends with its own checksum."""
    try:
        ok = (
            line[-_CRC_TAIL:-10] == _CRC_KEY
            and line[-2:] == b'"}'
            and int(line[-10:-2], 16) == zlib.crc32(line[:-_CRC_TAIL])
        )
    except ValueError:
        ok = False
    if not ok:
        raise StoreError(
            f"{path}: line {number}: damaged: its checksum does not match its content "
            "(changed after it was written)"
        )


def _scan(content: bytes, path: str) -> tuple[list[dict[str, Any]], int, int]:
    """The committed event lines of a file's *content*, their length, and its format.

    The lines are parsed; the length is in bytes; an empty file has the format of new files.
    """
    if not content:
        return [], 0, 2
    lines = content.split(b"\n")
    try:
        header = json.loads(lines[0])
    except (ValueError, RecursionError):
        header = None
    form = next((number for number, known in HEADERS.items() if header == known), None)
    if form is None:
        raise StoreError(f"{path}: line 1: not an itinerary event log (expected {dumps(HEADER)})")
    records: list[dict[str, Any]] = []
    offset = committed = len(lines[0]) + 1
    committed_count = 0
    last = len(lines) - 1  # lines[last] is what follows the final newline ("" if complete)
    for number, line in enumerate(lines[1:], start=2):
        index = number - 1
        if index == last:
            if line:  # no newline: a torn write
                break
            continue
        if form == 2:
            _checked(line, path, number)
        try:
            record = parse_json(line, f"{path}: line {number}: not an event record: the line")
            version, end = record["v"], record["end"]
        except (KeyError, TypeError) as exc:
            raise StoreError(f"{path}: line {number}: not an event record ({exc})") from exc
        if type(version) is not int or type(end) is not int:
            raise StoreError(
                f'{path}: line {number}: not an event record ("v" and "end" must be '
                f"integer versions, found v={_shown(version)}, end={_shown(end)})"
            )
        if version != len(records) + 1:
            raise StoreError(
                f"{path}: line {number}: expected version {len(records) + 1}, found {version}"
            )
        if end < version:
            raise StoreError(
                f"{path}: line {number}: version {version} says its batch ends at {end}, "
                "before itself"
            )
        records.append(record)
        offset += len(line) + 1
        if version == end:
            committed, committed_count = offset, len(records)
    return records[:committed_count], committed, form


def _encode_lines(
    codec: Codec, batch: list[Event], start: int, form: int, bar: _progress.Bar | None = None
) -> bytes:
    """The lines of *batch* after version *start* (counted on *bar*, if any, a chunk at a time)."""
    end = start + len(batch)
    out = []
    events: Iterable[Event] = batch if bar is None else _progress.counted(batch, bar)
    for version, event in enumerate(events, start=start + 1):
        kind, schema, data = codec.encode(event)
        body = (
            f'{{"v":{version},"end":{end},"type":{dumps(kind)},"schema":{schema},'
            f'"data":{dumps(data)}'
        ).encode()
        if form == 2:
            out.append(body + b'%s%08x"}\n' % (_CRC_KEY, zlib.crc32(body)))
        else:
            out.append(body + b"}\n")
    return b"".join(out)


def _decode(
    codec: Codec,
    records: list[dict[str, Any]],
    path: str,
    form: int,
    bar: _progress.Bar | None = None,
) -> list[Event]:
    """The events of *records* (counted on *bar*, if any, a chunk at a time)."""
    decode = codec.decode_trusted if form == 2 else codec.decode
    events = []
    rows: Iterable[dict[str, Any]] = records if bar is None else _progress.counted(records, bar)
    try:
        with bulk():
            for record in rows:
                events.append(decode(record["type"], record["schema"], record["data"]))
    except (StoreError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: line {len(events) + 2}: {exc}") from None
    return events


class JsonlStore(StoreBase):
    """An event store in the JSON Lines file at *path*.

    With *create* (the default), a missing file is created empty (an empty log), as a SQLite
    store's is: a reader opening it before the first write finds an empty log, not "no
    such store". With ``create=False`` the file must exist.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC, create: bool = True
    ) -> None:
        self.path = os.fspath(path)
        self._codec = codec
        regular_or_missing(self.path)
        if not create and not os.path.isfile(self.path):
            raise StoreError(f"{self.path}: no such store (the file does not exist)")
        if create and not os.path.lexists(self.path):
            try:  # read-only: an existing file is never written here (nor truncated)
                os.close(os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                pass  # another process made it first
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create the store: {exc}") from exc
        # What this process last saw: (inode, size, mtime) -> (version, committed bytes).
        self._seen: tuple[tuple[int, int, int], int, int, int] | None = None
        # What the last read_after read: ((inode, size, mtime), its number of events).
        self._watched: tuple[tuple[int, int, int] | None, int] | None = None
        # The records it parsed: ((inode, size, mtime), records, format).
        self._parsed: tuple[tuple[int, int, int] | None, list[dict[str, Any]], int] | None = None
        # The inode of the file the last read_after found: another one is a replacement.
        self._inode: int | None = None

    def _read(self) -> tuple[list[dict[str, Any]], int, int]:
        try:
            with _files.open_regular(self.path) as file:
                if fcntl is not None:  # without locks no writer runs; a torn tail is ignored
                    fcntl.flock(file, fcntl.LOCK_SH)
                content = file.read()
            with bulk():
                return _scan(content, self.path)
        except FileNotFoundError:
            return [], 0, 2
        except _files.NotRegularFileError as exc:
            raise StoreError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc

    @property
    def version(self) -> int:
        """How many events are stored (in complete batches)."""
        return len(self._read()[0])

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Append *events* as one batch, all or none; return the new version.

        With *progress*, a bar counts the events written (10,000 at a time, as their lines
        are encoded, before the batch is written and synced), on a terminal or in a notebook.
        """
        batch = list(events)
        with write_bar(len(batch), os.path.basename(self.path), progress) as bar:
            return self._write(batch, expected_version, bar if progress else None)

    def _write(
        self, batch: list[Event], expected_version: int | None, bar: _progress.Bar | None
    ) -> int:
        """Append *batch* under the file's lock (counting its lines on *bar*, if any)."""
        _require_locks(self.path)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the store: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            stat = os.fstat(fd)
            key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if self._seen is not None and self._seen[0] == key:
                current, committed, form = self._seen[1:]
            else:
                with os.fdopen(os.dup(fd), "rb") as file:
                    records, committed, form = _scan(file.read(), self.path)
                current = len(records)
            if expected_version is not None and expected_version != current:
                raise stale(self.path, expected_version, current)
            data = _encode_lines(self._codec, checked_batch(batch, current), current, form, bar)
            if committed == 0:
                data = _HEADER_LINE + data
            if stat.st_size != committed:
                os.ftruncate(fd, committed)  # drop a torn tail before writing after it
            os.lseek(fd, committed, os.SEEK_SET)
            _write_all(fd, data)
            os.fsync(fd)
            stat = os.fstat(fd)
            self._seen = ((stat.st_ino, stat.st_size, stat.st_mtime_ns), current + len(batch),
                          committed + len(data), form)  # fmt: skip
            return current + len(batch)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the store: {exc}") from exc
        finally:
            os.close(fd)

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log (complete batches only), or its first *upto* events.

        With *progress*, a bar counts the events decoded (10,000 at a time; once the file
        is read and its lines parsed), on a terminal or in a notebook.
        """
        records, _, form = self._read()
        limit = check_upto(upto, len(records), self.path)
        with load_bar(limit, os.path.basename(self.path), progress) as bar:
            events = _decode(
                self._codec, records[:limit], self.path, form, bar if progress else None
            )
        return EventLog(events)

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order.

        Reads and checks the whole file (as :meth:`load` does), unless the last call left
        events unread and the file is unchanged since (its identity, size and time): then
        the records parsed then serve again, so catching up chunk by chunk reads the file
        once. Decodes only the events asked for. A file replaced (another inode) or deleted
        since the last call found one raises StoreError: its log is not the one read so far.
        """
        try:
            with _files.open_regular(self.path) as file:
                if fcntl is not None:
                    fcntl.flock(file, fcntl.LOCK_SH)
                stat = os.fstat(file.fileno())
                key: tuple[int, int, int] | None = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
                parsed = self._parsed
                if parsed is not None and parsed[0] == key:
                    records, form = parsed[1], parsed[2]
                else:
                    content = file.read()
                    with bulk():
                        records, _, form = _scan(content, self.path)
        except FileNotFoundError:
            records, form, key = [], 2, None
        except _files.NotRegularFileError as exc:
            raise StoreError(str(exc)) from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read the store: {exc}") from exc
        inode, self._inode = self._inode, None if key is None else key[0]
        if inode is not None and self._inode != inode:
            self._inode = None  # so that following it again (a new subscription) can start
            raise StoreError(
                f"{self.path}: the store was replaced (or deleted) while followed; follow it again"
            )
        if len(records) < after:
            raise StoreError(
                f"{self.path}: holds {len(records)} events, fewer than version {after}"
            )
        end = len(records) if limit is None else min(len(records), after + limit)
        self._watched = (key, end) if end == len(records) else None
        # Kept while a catch-up has more to read; dropped once it has read to the end.
        self._parsed = (key, records, form) if end < len(records) else None
        decode = self._codec.decode_trusted if form == 2 else self._codec.decode
        events = []
        for line, record in enumerate(records[after:end], after + 2):
            try:
                events.append(decode(record["type"], record["schema"], record["data"]))
            except (StoreError, KeyError, TypeError) as exc:
                raise StoreError(f"{self.path}: line {line}: {exc}") from None
        return events

    def _stat(self) -> tuple[int, int, int] | None:
        return file_identity(self.path)

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Poll the file's identity, size and time until they change, or *timeout* passes.

        Looks every ``store.poll`` seconds without reading the file. Waiting from what the
        last :meth:`read_after` read (at *seen* events), a write since then is news;
        otherwise the version is compared with *seen* first.
        """
        return _files.wait_for_change(
            self._stat, self._watched, lambda: self.version, seen, timeout=timeout, poll=self.poll
        )

    def __repr__(self) -> str:
        return f"<JsonlStore {self.path!r}>"


def export_jsonl(
    events: Iterable[Event], path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC
) -> int:
    """Write *events* (a log, say) to a new JSON Lines file at *path*; return how many.

    Refuses (with :class:`~itinerary.errors.StoreError`) to overwrite a file that holds events.
    """
    store = JsonlStore(path, codec=codec)
    batch = list(events)
    try:
        return store.extend(batch, expected_version=0)
    except ConcurrencyError as exc:
        raise StoreError(f"{store.path}: already holds events; not overwriting it") from exc


def import_jsonl(path: str | os.PathLike[str], *, codec: Codec = DEFAULT_CODEC) -> EventLog:
    """The log in the JSON Lines file at *path*."""
    return JsonlStore(path, codec=codec, create=False).load()
