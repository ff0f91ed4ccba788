"""Stores written in older formats, checked into tests/data/, still load as what was written."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given

from itinerary import EventLog
from itinerary.errors import StoreError
from itinerary.scenarios import load_scenario
from itinerary.store import DEFAULT_CODEC, SQLiteStore, export_jsonl, import_jsonl, open_store
from itinerary.strategies import event_logs
from tests.store_contract import batch, exact

DATA = Path(__file__).resolve().parent / "data"
TOUR = load_scenario(
    Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"
).log


@pytest.mark.parametrize("name", ["tour-format-1.sqlite", "tour-format-1.jsonl"])
def test_a_format_1_store_loads_the_tour_exactly(tmp_path: Path, name: str) -> None:
    """The tour as format 1 stored it (batches of 5) loads event for event, instant for instant."""
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    with open_store(path, create=False) as store:
        assert exact(store.load()) == exact(TOUR)
        assert store.load(upto=5).version == 5


@pytest.mark.parametrize("name", ["tour-format-1.sqlite", "tour-format-1.jsonl"])
def test_a_format_1_store_is_extended_in_format_1(tmp_path: Path, name: str) -> None:
    """Appending to a format 1 store keeps its format: old and new events load alike."""
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    with open_store(path, create=False) as store:
        store.extend(batch("B", 2), expected_version=TOUR.version)
    with open_store(path, create=False) as store:
        assert exact(store.load()) == exact(TOUR) + exact(EventLog(batch("B", 2)))
    if name.endswith(".jsonl"):
        assert '"crc"' not in path.read_text()
    else:
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT value FROM itinerary_meta").fetchone() == ("1",)
        db.close()


def test_a_well_typed_change_to_a_sqlite_row_is_refused_naming_its_version(tmp_path: Path) -> None:
    """A name changed in place (valid JSON, right types) fails the row's checksum: StoreError."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE itinerary_events SET data = CAST(replace(CAST(data AS TEXT), 'Trump', 'Tramp') AS BLOB) WHERE version = 4"
        )
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="version 4: damaged: its checksum does not match"),
    ):
        store.load()


def test_a_well_typed_change_to_a_jsonl_line_is_refused_naming_its_line(tmp_path: Path) -> None:
    """A name changed in place in a JSON Lines file fails the line's checksum: StoreError."""
    path = tmp_path / "tour.jsonl"
    export_jsonl(TOUR, path)
    lines = path.read_text().split("\n")
    lines[4] = lines[4].replace("Trump", "Tramp")
    path.write_text("\n".join(lines))
    with pytest.raises(StoreError, match="line 5: damaged: its checksum does not match"):
        import_jsonl(path)


def test_rows_moved_to_another_version_are_refused(tmp_path: Path) -> None:
    """Two rows whose versions are swapped fail their checksums (the version is in it)."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE itinerary_events SET version = 100 WHERE version = 2")
        db.execute("UPDATE itinerary_events SET version = 2 WHERE version = 3")
        db.execute("UPDATE itinerary_events SET version = 3 WHERE version = 100")
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="version 2: damaged"),
    ):
        store.load()


@given(event_logs())
def test_the_fast_path_builds_what_the_checked_path_builds(log: EventLog) -> None:
    """decode_trusted (checksum matched) gives the same events, exactly, as decode."""
    for event in log:
        kind, schema, data = DEFAULT_CODEC.encode(event)
        fast = DEFAULT_CODEC.decode_trusted(kind, schema, data)
        assert fast == DEFAULT_CODEC.decode(kind, schema, data)
        assert DEFAULT_CODEC.encode(fast) == (kind, schema, data)


def test_a_lost_last_row_is_refused(tmp_path: Path) -> None:
    """Deleting the last rows (a lost tail) is damage: the store recorded how many it holds."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR[:7])
        store.extend(TOUR[7:])
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version > 7")
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="last event is version 7, but"),
    ):
        store.load()
