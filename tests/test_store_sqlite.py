"""The SQLite store: the contract, killed writers, racing processes, old rows, bad files."""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from itinerary import Arrived, EventLog, _progress
from itinerary.errors import StoreError
from itinerary.places import TOKYO
from itinerary.store import Codec, EventStore, SQLiteStore
from itinerary.store.codec import encode_instant
from itinerary.store.sqlite import checksum
from tests.fakes import BarFactory
from tests.store_contract import DurableStoreContract, batch, exact

PAUSE = """
import time


class Paused:
    # The store's connection, but its INSERTs pause once DONE of the rows are in.
    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        return getattr(self._db, name)

    def executemany(self, sql, rows):
        rows = list(rows)
        stop = round(len(rows) * DONE)

        def feed():
            for number, row in enumerate(rows):
                if number == stop:
                    pause(number, len(rows))
                yield row
            pause(len(rows), len(rows))  # DONE = 1.0: all inserted, the COMMIT not yet run

        return self._db.executemany(sql, feed())


def pause(inserted, total):
    if store._db.in_transaction:
        print(f"mid {inserted} of {total} rows inserted", flush=True)
    else:
        print("outside the transaction", flush=True)
    time.sleep(60)


store._db = Paused(store._db)
"""


class TestSQLiteStore(DurableStoreContract):
    """The contract, for SQLiteStore."""

    def make_store(self, directory: Path) -> SQLiteStore:
        """A new store in directory/events.sqlite."""
        return SQLiteStore(directory / "events.sqlite")

    def reopen(self, store: SQLiteStore) -> SQLiteStore:
        """A new connection to the same file."""
        return SQLiteStore(store.path, create=False)

    def pause_mid_write(self, done: float) -> str:
        """Pause inside the transaction once *done* of the batch's rows are inserted."""
        return f"DONE = {done!r}\n{PAUSE}"

    def damage(self, store: SQLiteStore, version: int) -> None:
        """Change the checksum of the row at *version*."""
        with contextlib.closing(sqlite3.connect(store.path)) as db, db:
            db.execute("UPDATE itinerary_events SET crc = crc + 1 WHERE version = ?", (version,))


def _old_row(path: Path, kind: str, schema: int, data: str) -> None:
    SQLiteStore(path).close()
    with sqlite3.connect(path) as db:
        raw = data.encode()  # a row as this version writes it: with its checksum
        db.execute(
            "INSERT INTO itinerary_events VALUES (1, ?, ?, ?, ?)",
            (kind, schema, raw, checksum(1, kind, schema, raw)),
        )
        db.execute("UPDATE itinerary_meta SET value = '1' WHERE key = 'events'")


def test_upcaster_turns_an_old_row_into_todays_event(tmp_path: Path) -> None:
    """A hand-written schema-0 row (who was 'person', the place only a name) loads upcast."""
    path = tmp_path / "old.sqlite"
    at = encode_instant(TOKYO.at("2025-10-27 16:30"))
    _old_row(
        path,
        "Arrived",
        0,
        f'{{"person": "Donald Trump", "city": "Tokyo", "at": {at}}}'.replace("'", '"'),
    )

    def upcast(data: dict) -> dict:  # type: ignore[type-arg]
        city = {"Tokyo": ["Tokyo", "Japan", "Asia/Tokyo", 35.6762, 139.6503]}[data.pop("city")]
        return {"who": data.pop("person"), "place": city, **data}

    codec = Codec(upcasters={("Arrived", 0): upcast})
    log = SQLiteStore(path, codec=codec).load()
    assert exact(log) == exact([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30"))])  # type: ignore[arg-type]


def test_old_row_without_upcaster_names_version_and_schema(tmp_path: Path) -> None:
    """Without an upcaster, an old row is refused with its version and schema."""
    path = tmp_path / "old.sqlite"
    _old_row(path, "Arrived", 0, "{}")
    with pytest.raises(
        StoreError, match="version 1: Arrived was stored with schema 0 and no upcaster"
    ):
        SQLiteStore(path).load()


def test_unknown_event_type_names_the_version(tmp_path: Path) -> None:
    """A row of an unknown event type is refused, naming its version."""
    path = tmp_path / "odd.sqlite"
    _old_row(path, "Teleported", 1, "{}")
    with pytest.raises(StoreError, match=r"version 1: unknown event type 'Teleported'"):
        SQLiteStore(path).load()


def test_not_a_database(tmp_path: Path) -> None:
    """A file that is not SQLite raises StoreError naming the file."""
    path = tmp_path / "notes.sqlite"
    path.write_text("just some notes\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.sqlite: not an itinerary store"):
        SQLiteStore(path)


def test_missing_file_when_not_creating(tmp_path: Path) -> None:
    """create=False refuses a missing file instead of making an empty store."""
    with pytest.raises(StoreError, match="no such store"):
        SQLiteStore(tmp_path / "nope.sqlite", create=False)
    assert not (tmp_path / "nope.sqlite").exists()


def test_is_an_event_store(tmp_path: Path) -> None:
    """SQLiteStore satisfies the EventStore protocol and closes as a context manager."""
    with SQLiteStore(tmp_path / "a.db") as store:
        assert isinstance(store, EventStore)
        store.extend(batch("A", 2))
    assert exact(SQLiteStore(tmp_path / "a.db").load()) == exact(batch("A", 2))  # type: ignore[arg-type]


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_foreign_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    """create=False on a SQLite file without the itinerary tables raises and writes nothing."""
    path = tmp_path / "foreign.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    db.close()
    before = _snapshot(path)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path, create=False)
    message = str(info.value)
    assert message.startswith(f"{path}: not an itinerary store")
    assert "itinerary_events" in message
    assert "(its tables: notes)" in message
    assert _snapshot(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_a_read_only_store_loads_without_writing(tmp_path: Path) -> None:
    """A store whose file is read-only loads with create=False, and its bytes do not change."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", 3))
    path.chmod(0o444)  # as root this does not stop writes, so the bytes are compared too
    before = _snapshot(path)
    with SQLiteStore(path, create=False) as store:
        assert store.version == 3
        assert exact(store.load()) == exact(batch("A", 3))  # type: ignore[arg-type]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):  # even as root
            store._db.execute("CREATE TABLE probe (x)")
    assert _snapshot(path) == before


def test_opened_without_create_then_extended(tmp_path: Path) -> None:
    """A store opened with create=False becomes writable at its first extend."""
    path = tmp_path / "tour.sqlite"
    SQLiteStore(path).close()
    with SQLiteStore(path, create=False) as store:
        assert store.extend(batch("A", 2), expected_version=0) == 2
    assert exact(SQLiteStore(path, create=False).load()) == exact(batch("A", 2))  # type: ignore[arg-type]


def _on_read_only_mount(folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python *code* where *folder* is bind-mounted read-only (a user and mount namespace).

    ``unshare -r -m`` needs unprivileged user namespaces (Linux); the code first checks that
    the folder really cannot be written.
    """
    probe = f"""
import os, sys
try:
    open(os.path.join({str(folder)!r}, "probe"), "w")
except OSError as exc:
    assert exc.errno == 30, exc  # EROFS: the mount is read-only
else:
    sys.exit("the folder is writable: not a read-only mount")
"""
    script = (
        f'mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec "$0" -c "$1"'
    )
    return subprocess.run(
        ["unshare", "-r", "-m", "sh", "-c", script, sys.executable, probe + code],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_a_store_on_a_read_only_mount_loads(tmp_path: Path) -> None:
    """A WAL store on a read-only file system (no -shm can be made) loads, byte for byte unchanged."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", 3))
    before = _snapshot(path)
    done = _on_read_only_mount(
        tmp_path,
        f"""
import json
from itinerary.store import SQLiteStore
from itinerary.store.codec import DEFAULT_CODEC
with SQLiteStore({str(path)!r}, create=False) as store:
    print(store.version)
    print(json.dumps([DEFAULT_CODEC.encode(e) for e in store.load()]))
""",
    )
    assert done.returncode == 0, done.stderr
    version, records = done.stdout.splitlines()
    assert version == "3"
    assert json.loads(records) == [list(r) for r in exact(batch("A", 3))]  # type: ignore[arg-type]
    assert _snapshot(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tour.sqlite"]


def test_a_read_only_mount_with_a_pending_write_ahead_log_is_refused(tmp_path: Path) -> None:
    """On a read-only mount, a store whose -wal still holds events says so instead of losing them."""
    writer_folder, folder = tmp_path / "w", tmp_path / "ro"
    writer_folder.mkdir()
    folder.mkdir()
    writer = SQLiteStore(writer_folder / "tour.sqlite")
    writer._db.execute("PRAGMA wal_autocheckpoint=0")  # keep the events in the -wal file
    writer.extend(batch("A", 3))
    for name in ("tour.sqlite", "tour.sqlite-wal"):
        shutil.copy(writer_folder / name, folder / name)
    writer.close()
    path = folder / "tour.sqlite"
    done = _on_read_only_mount(
        folder,
        f"""
from itinerary.errors import StoreError
from itinerary.store import SQLiteStore
try:
    SQLiteStore({str(path)!r}, create=False)
except StoreError as exc:
    print(exc)
""",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"{path}: cannot open the store read-only (unable to open database file), and its "
        f"write-ahead log {path}-wal holds events that only a connection able to create its "
        "-shm file can read; copy the store and its -wal file to writable storage\n"
    )


def _first_read_only_open_fails(monkeypatch: pytest.MonkeyPatch, times: int) -> list[str]:
    """Make the first *times* read-only opens fail as on read-only media; return the targets."""
    real = sqlite3.connect
    targets: list[str] = []

    def connect(target: str, **kwargs: Any) -> sqlite3.Connection:
        targets.append(target)
        if "mode=ro" in target and len(targets) <= times:
            # A real SQLITE_CANTOPEN at the first statement, as when no -shm can be created.
            target = "file:/nonexistent-folder/store.sqlite?mode=ro"
        return real(target, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    return targets


def test_a_failed_read_only_open_is_retried_as_immutable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the read-only open cannot open the file, the store is reopened immutable and loads."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", 2))
    targets = _first_read_only_open_fails(monkeypatch, times=1)
    with SQLiteStore(path, create=False) as store:
        assert exact(store.load()) == exact(batch("A", 2))  # type: ignore[arg-type]
    assert [t.rsplit("?", 1)[1] for t in targets] == ["mode=ro", "mode=ro&immutable=1"]


def test_a_file_that_cannot_be_opened_is_not_called_a_foreign_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If both opens fail, the message says the store cannot be opened, not that it is foreign."""
    path = tmp_path / "tour.sqlite"
    SQLiteStore(path).close()
    _first_read_only_open_fails(monkeypatch, times=2)
    with pytest.raises(StoreError) as info:
        SQLiteStore(path, create=False)
    assert str(info.value) == f"{path}: cannot open the store: unable to open database file"


def test_a_store_in_a_missing_folder_says_so(tmp_path: Path) -> None:
    """Creating a store where there is no folder names the missing folder."""
    path = tmp_path / "nowhere" / "tour.sqlite"
    with pytest.raises(StoreError) as info:
        SQLiteStore(path)
    assert str(info.value) == (
        f"{path}: cannot open the store: unable to open database file "
        f"(there is no folder {tmp_path / 'nowhere'})"
    )


def test_a_row_whose_schema_is_text_names_its_version(tmp_path: Path) -> None:
    """A row with schema 'abc' raises StoreError naming the version, not a TypeError."""
    path = tmp_path / "odd.sqlite"
    _old_row(path, "Arrived", "abc", "{}")  # type: ignore[arg-type]
    with pytest.raises(StoreError) as info:
        SQLiteStore(path).load()
    assert str(info.value) == (
        f"{path}: version 1: Arrived: the schema version must be an integer, found 'abc'"
    )


@pytest.mark.parametrize("make", ["symlink", "fifo", "device"])
def test_a_link_fifo_or_device_is_not_a_store(tmp_path: Path, make: str) -> None:
    """A symbolic link, a FIFO or a device as the store's path is refused with StoreError."""
    path = tmp_path / "s.sqlite"
    if make == "symlink":
        SQLiteStore(tmp_path / "real.sqlite").close()
        path.symlink_to(tmp_path / "real.sqlite")
    elif make == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    for create in (True, False):
        with pytest.raises(StoreError, match="not a regular file"):
            SQLiteStore(path, create=create)


def test_an_empty_file_is_an_empty_store_until_its_first_extend(tmp_path: Path) -> None:
    """A 0-byte file opened with create=False loads empty, and its first extend makes its tables."""
    path = tmp_path / "empty.sqlite"
    path.touch()
    with SQLiteStore(path, create=False) as store:
        assert store.version == 0
        assert store.load().version == 0
        assert path.stat().st_size == 0
        assert store.extend(batch("A", 2), expected_version=0) == 2
    with SQLiteStore(path, create=False) as store:
        assert exact(store.load()) == exact(EventLog(batch("A", 2)))


def test_load_progress_counts_a_chunk_of_rows_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load of 25,000 events moves its bar three times: 10,000, 10,000, then 5,000."""
    factory = BarFactory()
    monkeypatch.setattr(_progress, "bar", factory)
    store = SQLiteStore(tmp_path / "big.sqlite")
    first = Arrived("A", TOKYO, TOKYO.at("2025-10-27 00:00"))
    store.extend([first] * 25_000)
    assert len(store.load(progress=True)) == 25_000
    [bar] = factory.shown()
    assert (bar.total, bar.counts, bar.closed) == (25_000, [10_000, 10_000, 5_000], True)
    assert bar.desc == "loading big.sqlite"


_NOT_UTF8 = {
    "another table's name": "UPDATE sqlite_master SET name = CAST(X'697469ff' AS TEXT), "
    "tbl_name = CAST(X'697469ff' AS TEXT), sql = 'CREATE TABLE \"iti' || CAST(X'ff' AS TEXT) "
    "|| '\" (x)' WHERE name = 'other'",
    "the events table's name": "UPDATE sqlite_master SET name = CAST(X'69ff' AS TEXT) "
    "WHERE name = 'itinerary_events'",
    "a column's name": "UPDATE sqlite_master SET sql = replace(sql, 'crc', "
    "CAST(X'63ff' AS TEXT)) WHERE name = 'itinerary_events'",
    "the format": "UPDATE itinerary_meta SET value = CAST(X'32ff' AS TEXT) WHERE key = 'format'",
    "a type name": "UPDATE itinerary_events SET type = CAST(X'41ff' AS TEXT)",
}


@pytest.mark.parametrize("damage", sorted(_NOT_UTF8))
def test_a_schema_with_text_that_is_not_utf8_is_a_store_error(tmp_path: Path, damage: str) -> None:
    """Invalid UTF-8 in sqlite_master or the tables: StoreError (or a load), the file untouched."""
    path = tmp_path / "tour.sqlite"
    store = SQLiteStore(path)
    store.extend(batch("A", 1))
    store.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.execute("PRAGMA writable_schema=ON")
    db.execute(_NOT_UTF8[damage])
    db.commit()
    db.close()
    before = path.read_bytes()
    try:
        loaded = SQLiteStore(path, create=False).load()
    except StoreError:
        pass
    else:
        assert damage == "another table's name"
        assert exact(loaded) == exact(EventLog(batch("A", 1)))
    assert path.read_bytes() == before
