"""Contract tests every event store passes: subclass StoreContract (or DurableStoreContract).

A subclass provides ``make_store(directory)`` returning a new, empty store kept under
*directory* (and, for durable stores, ``reopen(store)`` and ``pause_mid_write(done)``).
Run as a module, this file is also the child process of the kill and two-process tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itinerary import Arrived, ConcurrencyError, EventLog, InvalidEventError, VersionError
from itinerary.places import TOKYO
from itinerary.store import open_store
from itinerary.store.codec import DEFAULT_CODEC
from itinerary.strategies import event_logs

ROOT = Path(__file__).resolve().parent.parent


def sealed(record: dict[str, Any]) -> str:
    """*record* as a format 2 JSON Lines line with a checksum that matches it.

    For tests of what the type checks behind the checksum refuse: a line a faulty writer
    could have sealed.
    """
    fields = {k: v for k, v in record.items() if k != "crc"}
    body = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)[:-1]
    return body + f',"crc":"{zlib.crc32(body.encode()):08x}"}}'


def exact(log: EventLog) -> list[Any]:
    """The log as records: instants as (µs, zone name), durations by their parts."""
    return [DEFAULT_CODEC.encode(event) for event in log]


def batch(prefix: str, size: int, start: int = 0) -> list[Arrived]:
    """*size* arrivals in Tokyo of people named ``prefix N``, a minute apart."""
    base = TOKYO.at("2025-10-27 00:00")
    return [
        Arrived(f"{prefix} {start + i}", TOKYO, base.add(minutes=start + i)) for i in range(size)
    ]


class StoreContract:
    """What every store does: the EventLog's API, kept."""

    def make_store(self, directory: Path) -> Any:
        """A new, empty store under *directory*."""
        raise NotImplementedError

    def reopen(self, store: Any) -> Any:
        """The same store, opened anew (the same object for a store that is not durable)."""
        return store

    def test_new_store_is_empty(self, tmp_path: Path) -> None:
        """A new store is at version 0 and loads an empty log."""
        store = self.make_store(tmp_path)
        assert store.version == 0
        assert store.load() == EventLog()

    # One inherited test runs on each store class: that is the point of a contract.
    @settings(
        suppress_health_check=[HealthCheck.differing_executors]
    )  # the profile decides how many
    @given(log=event_logs(max_events=20), cut=st.integers(min_value=0, max_value=20))
    def test_round_trip_is_exact(self, log: EventLog, cut: int) -> None:
        """Two batches stored come back as the same events, instants, zones and order."""
        with tempfile.TemporaryDirectory() as directory:
            store = self.make_store(Path(directory))
            cut = min(cut, len(log))
            assert store.extend(log[:cut], expected_version=0) == cut
            assert store.extend(log[cut:], expected_version=cut) == len(log)
            loaded = self.reopen(store).load()
            assert loaded == log
            assert exact(loaded) == exact(log)
            assert loaded.version == store.version == len(log)
            store.close()

    def test_append_returns_the_new_version(self, tmp_path: Path) -> None:
        """Each append returns the version it made, counting from 1."""
        store = self.make_store(tmp_path)
        versions = [store.append(event) for event in batch("P", 3)]
        assert versions == [1, 2, 3]

    def test_stale_expected_version_stores_nothing(self, tmp_path: Path) -> None:
        """An extend that expects an older version raises ConcurrencyError and stores nothing."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2), expected_version=0)
        with pytest.raises(
            ConcurrencyError, match="expected the store at version 1, but it is at version 2"
        ):
            store.extend(batch("B", 5), expected_version=1)
        assert exact(store.load()) == exact(EventLog(batch("A", 2)))

    def test_a_batch_with_a_non_event_stores_nothing(self, tmp_path: Path) -> None:
        """A batch holding a non-event is refused whole, naming its position in the store."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2))
        with pytest.raises(InvalidEventError, match=r"log entry 3 \(version 4\) is a str"):
            store.extend([*batch("B", 1), "not an event"])  # type: ignore[list-item]
        assert store.version == 2
        assert exact(self.reopen(store).load()) == exact(EventLog(batch("A", 2)))

    def test_load_upto_is_a_prefix(self, tmp_path: Path) -> None:
        """load(upto=v) is the log as it was at version v."""
        store = self.make_store(tmp_path)
        events = batch("A", 5)
        store.extend(events)
        for version in range(6):
            assert exact(store.load(upto=version)) == exact(EventLog(events[:version]))

    @pytest.mark.parametrize("upto", [-1, 6, 2.5, "3"])
    def test_load_upto_out_of_range(self, tmp_path: Path, upto: object) -> None:
        """load(upto=) outside 0..version raises VersionError."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 5))
        with pytest.raises(VersionError, match="upto must be between 0 and 5"):
            store.load(upto=upto)


class DurableStoreContract(StoreContract):
    """Stores kept in a file: killed writers and racing processes."""

    def pause_mid_write(self, done: float) -> str:
        """Python code (run in the child, with ``store`` bound) that pauses the next write.

        The pause comes inside the write's transaction, once *done* of the batch is written:
        ``0.0`` at its start, ``1.0`` with all of it written but not yet committed. There the
        code prints ``mid`` (then what it has written) and sleeps, or prints ``outside`` if
        it finds itself outside the transaction. The store's own code is not changed: the
        code wraps what the store calls, in the child process only.
        """
        raise NotImplementedError

    @pytest.mark.parametrize("done", [0.0, 0.5, 1.0])
    def test_kill_inside_extend_leaves_none_of_the_batch(self, tmp_path: Path, done: float) -> None:
        """A child killed (SIGKILL) anywhere inside a large extend's write leaves none of it."""
        store = self.make_store(tmp_path)
        store.extend(batch("before", 10))
        path = store.path
        store.close()
        child = _spawn("kill", path, self.pause_mid_write(done))
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        said = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=30)
        assert said.startswith("mid "), (said, err)  # the child was inside the transaction
        store = self.reopen(store)
        assert exact(store.load()) == exact(EventLog(batch("before", 10)))
        assert store.extend(batch("after", 3), expected_version=10) == 13
        assert exact(store.load()) == exact(EventLog(batch("before", 10) + batch("after", 3)))

    def test_kill_after_extend_returns_keeps_the_whole_batch(self, tmp_path: Path) -> None:
        """A child killed (SIGKILL) once its extend has returned leaves the whole batch."""
        store = self.make_store(tmp_path)
        store.extend(batch("before", 10))
        path = store.path
        store.close()
        child = _spawn("kill", path, "")
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        said = child.stdout.readline().strip()
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=30)
        assert said == "done", err
        loaded = exact(self.reopen(store).load())
        assert loaded == exact(EventLog(batch("before", 10) + batch("big", 20_000, start=10)))

    def test_two_processes_one_wins(self, tmp_path: Path) -> None:
        """Two processes extend at the same expected version: one wins, one conflicts, none lost."""
        store = self.make_store(tmp_path)
        store.extend(batch("before", 10))
        path = store.path
        store.close()
        go = tmp_path / "go"
        children = {name: _spawn("race", path, name, str(go)) for name in ("left", "right")}
        for child in children.values():
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        go.touch()
        results = {}
        for name, child in children.items():
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
            results[name] = out.strip()
        assert sorted(results.values()) == ["conflict", "stored"]
        winner = next(name for name, result in results.items() if result == "stored")
        expected = batch("before", 10) + batch(winner, 500, start=10)
        assert exact(self.reopen(store).load()) == exact(EventLog(expected))


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_contract", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _child(argv: list[str]) -> None:  # pragma: no cover - runs in a child process
    mode, path = argv[0], argv[1]
    store = open_store(path)
    if mode == "kill":
        pause = argv[2]
        events = batch("big", 20_000, start=10)
        if pause:
            exec(pause, {"store": store})
        print("writing", flush=True)
        store.extend(events, expected_version=10)
        print("done", flush=True)
        time.sleep(60)
    else:
        name, go = argv[2], Path(argv[3])
        events = batch(name, 500, start=10)
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.001)
        try:
            store.extend(events, expected_version=10)
        except ConcurrencyError:
            print("conflict", flush=True)
        else:
            print("stored", flush=True)


if __name__ == "__main__":  # pragma: no cover
    _child(sys.argv[1:])
