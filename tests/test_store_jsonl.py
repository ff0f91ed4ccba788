"""The JSON Lines store, export and import: the contract, torn batches, damaged files."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given

from itinerary import Arrived, EventLog
from itinerary.errors import StoreError
from itinerary.places import TOKYO
from itinerary.store import JsonlStore, SQLiteStore, export_jsonl, import_jsonl
from itinerary.strategies import event_logs
from tests.store_contract import DurableStoreContract, batch, exact, sealed

PAUSE = """
import time
import itinerary.store.jsonl as jsonl
write = jsonl._write_all
def part_then_pause(fd, data):
    # At least the first byte, at most all but the newline that ends (and commits) the batch.
    size = max(1, min(len(data) - 1, round(len(data) * DONE)))
    write(fd, data[:size])
    print(f"mid {size} of {len(data)} bytes", flush=True)
    time.sleep(60)
jsonl._write_all = part_then_pause
"""


class TestJsonlStore(DurableStoreContract):
    """The contract, for JsonlStore."""

    def make_store(self, directory: Path) -> JsonlStore:
        """A new store in directory/events.jsonl."""
        return JsonlStore(directory / "events.jsonl")

    def reopen(self, store: JsonlStore) -> JsonlStore:
        """A new store object on the same file."""
        return JsonlStore(store.path, create=False)

    def pause_mid_write(self, done: float) -> str:
        """Write *done* of the batch's bytes under the file's lock (never its last), then pause."""
        return f"DONE = {done!r}\n{PAUSE}"

    def damage(self, store: JsonlStore, version: int) -> None:
        """Seal a wrong instant into the line of *version*: refused while decoding, not parsing.

        (A line whose checksum fails is refused while the file is parsed, before any bar.)
        """
        path = Path(store.path)
        lines = path.read_text().splitlines()
        record = json.loads(lines[version])  # line 1 is the header
        record["data"]["at"] = "not an instant"
        lines[version] = sealed(record)
        path.write_text("\n".join(lines) + "\n")


@given(log=event_logs(max_events=20))
def test_export_import_round_trip(log: EventLog) -> None:
    """export_jsonl then import_jsonl gives the same events, instants and zones."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        assert export_jsonl(log, path) == len(log)
        assert exact(import_jsonl(path)) == exact(log)


def test_export_refuses_to_overwrite(tmp_path: Path) -> None:
    """Exporting onto a file that holds events raises StoreError and leaves it alone."""
    path = tmp_path / "log.jsonl"
    export_jsonl(batch("A", 2), path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="already holds events"):
        export_jsonl(batch("B", 2), path)
    assert path.read_bytes() == before


def test_torn_batch_is_ignored_then_removed(tmp_path: Path) -> None:
    """Lines of an unfinished batch (and a torn last line) are not loaded, and the next write drops them."""
    path = tmp_path / "log.jsonl"
    store = JsonlStore(path)
    store.extend(batch("A", 2))
    lines = path.read_bytes().splitlines(keepends=True)
    store2 = JsonlStore(tmp_path / "other.jsonl")
    store2.extend(batch("A", 2) + batch("B", 3, start=2))
    torn = store2.path and Path(store2.path).read_bytes().splitlines(keepends=True)[3:5]
    path.write_bytes(b"".join(lines) + torn[0] + torn[1][:10])
    assert JsonlStore(path).version == 2
    assert JsonlStore(path).extend(batch("C", 1, start=2), expected_version=2) == 3
    assert exact(import_jsonl(path)) == exact(batch("A", 2) + batch("C", 1, start=2))  # type: ignore[arg-type]


def test_not_an_event_log(tmp_path: Path) -> None:
    """A file without the header line is refused, naming line 1."""
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(StoreError, match=r"other\.jsonl: line 1: not an itinerary event log"):
        import_jsonl(path)


def test_damaged_line_is_named(tmp_path: Path) -> None:
    """A complete line cut short is refused with its line number (its checksum fails)."""
    path = tmp_path / "log.jsonl"
    export_jsonl(batch("A", 3), path)
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:20]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StoreError, match=r"log\.jsonl: line 3: damaged: its checksum"):
        import_jsonl(path)


def test_versions_must_follow_each_other(tmp_path: Path) -> None:
    """A line whose version skips is refused with the version expected."""
    path = tmp_path / "log.jsonl"
    export_jsonl(batch("A", 3), path)
    lines = path.read_text().splitlines()
    record = json.loads(lines[2])
    record["v"] = 7
    lines[2] = sealed(record)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StoreError, match="line 3: expected version 2, found 7"):
        import_jsonl(path)


def test_import_of_a_missing_file(tmp_path: Path) -> None:
    """Importing a file that does not exist raises StoreError naming it."""
    with pytest.raises(StoreError, match=r"nope\.jsonl: no such store"):
        import_jsonl(tmp_path / "nope.jsonl")


def test_without_fcntl_reading_works_and_appending_says_why_not(tmp_path: Path) -> None:
    """Where fcntl is missing the CLI imports, a log loads, and an append raises StoreError."""
    path = tmp_path / "tour.jsonl"
    export_jsonl(batch("A", 2), path)
    code = f"""
import sys
sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
import itinerary.cli
from itinerary.errors import StoreError
from itinerary.store import JsonlStore
store = JsonlStore({str(path)!r}, create=False)
print(store.load().version)
try:
    store.extend(store.load())
except StoreError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    version, message = done.stdout.splitlines()
    assert version == "2"
    assert message == (
        f"{path}: cannot append: JSON Lines appends need POSIX file locks (fcntl), which this "
        "system lacks; use a SQLite store (.sqlite) instead"
    )
    assert import_jsonl(path).version == 2


def _with_line_2(path: Path, **changes: object) -> None:
    """Export three arrivals to *path*, then change fields of its first event line."""
    export_jsonl(batch("A", 3), path)
    lines = path.read_text().splitlines()
    lines[1] = sealed(json.loads(lines[1]) | changes)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        ({"end": "x"}, 'v=1, end="x"'),
        ({"end": None}, "v=1, end=null"),
        ({"v": "1"}, 'v="1", end=3'),
        ({"v": 1.0}, "v=1.0, end=3"),
        ({"v": True}, "v=true, end=3"),
        ({"end": [3]}, "v=1, end=[3]"),
    ],
)
def test_versions_must_be_integers(tmp_path: Path, changes: dict[str, object], found: str) -> None:
    """A "v" or "end" that is not an integer is refused naming the line and what was found."""
    path = tmp_path / "log.jsonl"
    _with_line_2(path, **changes)
    with pytest.raises(StoreError) as info:
        import_jsonl(path)
    assert str(info.value) == (
        f'{path}: line 2: not an event record ("v" and "end" must be integer versions, '
        f"found {found})"
    )


def test_a_batch_cannot_end_before_its_line(tmp_path: Path) -> None:
    """An "end" smaller than its line's version is refused, naming both."""
    path = tmp_path / "log.jsonl"
    _with_line_2(path, end=0)
    with pytest.raises(
        StoreError, match="line 2: version 1 says its batch ends at 0, before itself"
    ):
        import_jsonl(path)


def test_a_schema_that_is_not_an_integer_is_named(tmp_path: Path) -> None:
    """A line whose schema is text is refused with its line number and the value found."""
    path = tmp_path / "log.jsonl"
    _with_line_2(path, schema="abc")
    with pytest.raises(StoreError) as info:
        import_jsonl(path)
    assert str(info.value) == (
        f"{path}: line 2: Arrived: the schema version must be an integer, found 'abc'"
    )


@pytest.mark.parametrize("make", ["symlink", "dangling", "fifo"])
def test_a_link_or_fifo_is_not_a_store(tmp_path: Path, make: str) -> None:
    """A symbolic link (even dangling) or a FIFO is refused: nothing read, nothing written."""
    path = tmp_path / "s.jsonl"
    if make == "fifo":
        os.mkfifo(path)
    else:
        if make == "symlink":
            export_jsonl(batch("A", 1), tmp_path / "real.jsonl")
        path.symlink_to(tmp_path / "real.jsonl")
    with pytest.raises(StoreError, match="not a regular file"):
        export_jsonl(batch("A", 1), path)
    with pytest.raises(StoreError, match="not a regular file"):
        import_jsonl(path)
    assert make != "dangling" or not (tmp_path / "real.jsonl").exists()


@pytest.mark.parametrize("kind", [JsonlStore, SQLiteStore])
def test_a_reader_before_the_first_write_finds_an_empty_log(tmp_path: Path, kind: type) -> None:
    """A store opened by its writer but never written reads as an empty log, as SQLite's does."""
    path = tmp_path / ("tour.jsonl" if kind is JsonlStore else "tour.sqlite")
    writer = kind(path)
    reader = kind(path, create=False)
    assert reader.version == 0
    assert len(reader.load()) == 0
    assert reader.read_after(0) == []
    writer.extend([Arrived("A", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    assert reader.version == 1
    writer.close()
    reader.close()
