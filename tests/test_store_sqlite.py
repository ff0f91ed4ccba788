"""The SQLite store: the contract, killed writers, racing processes, old rows, bad files."""

import sqlite3
from pathlib import Path

import pytest

from itinerary import Arrived
from itinerary.errors import StoreError
from itinerary.places import TOKYO
from itinerary.store import Codec, EventStore, SQLiteStore
from itinerary.store.codec import encode_instant
from tests.store_contract import DurableStoreContract, batch, exact

PAUSE = """
import sys, time
calls = [0]
def pause():
    if store._db.in_transaction:
        calls[0] += 1
        if calls[0] == 50:
            print("mid", flush=True)
            time.sleep(60)
    return 0
store._db.set_progress_handler(pause, 1000)
"""


class TestSQLiteStore(DurableStoreContract):
    """The contract, for SQLiteStore."""

    def make_store(self, directory: Path) -> SQLiteStore:
        """A new store in directory/events.sqlite."""
        return SQLiteStore(directory / "events.sqlite")

    def reopen(self, store: SQLiteStore) -> SQLiteStore:
        """A new connection to the same file."""
        return SQLiteStore(store.path, create=False)

    def pause_mid_write(self) -> str:
        """Pause inside the INSERTs of the transaction (SQLite's progress handler)."""
        return PAUSE


def _old_row(path: Path, kind: str, schema: int, data: str) -> None:
    SQLiteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO itinerary_events VALUES (1, ?, ?, ?)", (kind, schema, data))


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
