"""Contract tests every event store passes: subclass StoreContract (or DurableStoreContract).

A subclass provides ``make_store(directory)`` returning a new, empty store kept under
*directory* (and, for durable stores, ``reopen(store)`` and ``pause_mid_write(done)``).
SubscriptionContract holds the subscription tests (``make_store`` and ``reopen`` again;
``address(store)`` is what ``open_store`` opens in a writer process).
Run as a module, this file is also the child process of the kill, two-process and
subscription tests.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itinerary import (
    Arrived,
    ConcurrencyError,
    Event,
    EventLog,
    Follower,
    InvalidEventError,
    Recorded,
    StoreError,
    VersionError,
    _progress,
    replay,
)
from itinerary.places import TOKYO
from itinerary.store import open_store
from itinerary.store.codec import DEFAULT_CODEC
from itinerary.strategies import event_logs
from tests.fakes import BarFactory, Terminal

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


@attrs.frozen
class Unstorable(Event):
    """An event of a type no codec knows: storing it raises StoreError."""

    at: Any

    @property
    def occurred_at(self) -> Any:
        """Its instant."""
        return self.at


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

    def test_load_progress_counts_the_events_loaded(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """load(progress=True) counts exactly the events loaded (upto too), by chunk, and closes."""
        factory = BarFactory()
        monkeypatch.setattr(_progress, "bar", factory)
        store = self.make_store(tmp_path)
        store.extend(batch("A", 7))
        for upto in (None, 0, 4, 7):
            factory.bars.clear()
            expected = 7 if upto is None else upto
            assert len(store.load(upto=upto, progress=True)) == expected
            [bar] = factory.shown()
            assert (bar.total, bar.unit, bar.closed) == (expected, "event", True)
            assert bar.desc.startswith("loading ")
            assert sum(bar.counts) == expected
            assert len(bar.counts) <= 1  # a count a chunk of 10,000 rows, never one an event
        factory.bars.clear()
        store.load()
        assert factory.shown() == []  # progress off: no bar

    def test_load_progress_draws_only_where_watched(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Into captured output load(progress=True) writes nothing; on a terminal it draws N/N."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 7))
        assert exact(store.load(progress=True)) == exact(store.load())
        assert capsys.readouterr().err == ""
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert len(store.load(upto=5, progress=True)) == 5
        assert "loading " in terminal.getvalue()
        assert "5/5" in terminal.getvalue()

    def test_extend_progress_counts_the_events_written(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """extend(progress=True) counts exactly the events written, by chunk, and closes."""
        factory = BarFactory()
        monkeypatch.setattr(_progress, "bar", factory)
        store = self.make_store(tmp_path)
        written: list[Arrived] = []
        for events in (batch("A", 7), [], batch("B", 10_001, start=7)):
            factory.bars.clear()
            assert store.extend(events, len(written), progress=True) == len(written) + len(events)
            written += events
            [bar] = factory.shown()
            assert (bar.total, bar.unit, bar.closed) == (len(events), "event", True)
            assert bar.desc.startswith("writing ")
            assert sum(bar.counts) == len(events)
            assert len(bar.counts) <= 2  # a count a chunk of 10,000 rows, never one an event
        factory.bars.clear()
        store.extend(batch("C", 2))
        assert factory.shown() == []  # progress off: no bar
        assert exact(self.reopen(store).load()) == exact(EventLog([*written, *batch("C", 2)]))

    def test_a_stale_extend_closes_its_bar(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A stale extend(progress=True) stores nothing and counts nothing, its bar closed."""
        factory = BarFactory()
        monkeypatch.setattr(_progress, "bar", factory)
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2))
        with pytest.raises(ConcurrencyError):
            store.extend(batch("B", 5), expected_version=1, progress=True)
        [bar] = factory.shown()
        assert bar.closed
        assert sum(bar.counts) == 0
        assert exact(self.reopen(store).load()) == exact(EventLog(batch("A", 2)))

    def test_extend_progress_draws_only_where_watched(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Into captured output extend(progress=True) writes nothing; on a terminal it draws N/N."""
        store = self.make_store(tmp_path)
        assert store.extend(batch("A", 7), progress=True) == 7
        assert capsys.readouterr().err == ""
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert store.extend(batch("B", 5, start=7), progress=True) == 12
        assert "writing " in terminal.getvalue()
        assert "5/5" in terminal.getvalue()
        loaded = exact(self.reopen(store).load())
        assert loaded == exact(EventLog(batch("A", 7) + batch("B", 5, start=7)))


class DurableStoreContract(StoreContract):
    """Stores kept in a file: killed writers and racing processes."""

    def damage(self, store: Any, version: int) -> None:
        """Change the stored event at *version* behind the store's back (a load refuses it)."""
        raise NotImplementedError

    def test_a_load_that_raises_closes_its_bar(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A load of a damaged store raises, its bar closed, no event counted past the damage."""
        factory = BarFactory()
        monkeypatch.setattr(_progress, "bar", factory)
        store = self.make_store(tmp_path)
        store.extend(batch("A", 5))
        self.damage(store, 3)
        with pytest.raises(StoreError, match=r"version 3|line 4"):
            store.load(progress=True)
        [bar] = factory.shown()
        assert bar.closed
        assert sum(bar.counts) <= 2

    def test_an_extend_that_raises_closes_its_bar(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An extend that fails mid-batch stores none of it, its bar closed, no event past it counted."""
        factory = BarFactory()
        monkeypatch.setattr(_progress, "bar", factory)
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2))
        events = [
            *batch("B", 2, start=2),
            Unstorable(TOKYO.at("2025-10-27 12:00")),
            *batch("B", 2, start=5),
        ]
        with pytest.raises(StoreError, match="cannot store a Unstorable"):
            store.extend(events, expected_version=2, progress=True)
        [bar] = factory.shown()
        assert bar.closed
        assert sum(bar.counts) <= 2
        assert store.version == 2
        assert exact(self.reopen(store).load()) == exact(EventLog(batch("A", 2)))

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


WRITTEN = 1500
"""How many events the writer process of the subscription tests appends."""


def batch_sizes() -> itertools.cycle[int]:
    """The sizes of the writer's batches: 1 to 37 events, over and over."""
    return itertools.cycle([1, 5, 2, 37, 1, 1, 13, 3, 8, 21])


def written(count: int = WRITTEN) -> list[Arrived]:
    """What the writer appends: *count* arrivals named ``W 0``, ``W 1``, ..."""
    return batch("W", count)


def write_in_batches(store: Any, count: int, pause: float = 0.001) -> None:
    """Append :func:`written` to *store* in batches of :func:`batch_sizes`, pausing between."""
    events = written(count)
    done = 0
    for size in batch_sizes():
        if done >= count:
            break
        store.extend(events[done : done + size], expected_version=done)
        done = min(count, done + size)
        time.sleep(pause)


def read_until(
    subscription: Any, version: int, within: float = 60.0, batches: list[int] | None = None
) -> list[Recorded]:
    """What *subscription* delivers until it reaches *version* (or *within* seconds pass).

    The size of each non-empty poll is added to *batches*, if given.
    """
    deadline = time.monotonic() + within
    seen: list[Recorded] = []
    while subscription.version < version and time.monotonic() < deadline:
        found = subscription.poll(timeout=0.5)
        if found and batches is not None:
            batches.append(len(found))
        seen += found
    return seen


class SubscriptionContract:
    """What every store's subscriptions do: catch up, go live, resume, never skip or repeat."""

    def make_store(self, directory: Path) -> Any:
        """A new, empty store under *directory*."""
        raise NotImplementedError

    def reopen(self, store: Any) -> Any:
        """The same store, opened anew (the same object for a store that is not durable)."""
        return store

    def address(self, store: Any) -> str:
        """What ``open_store`` opens in the writer process (a path; a URL for a server)."""
        return str(store.path)

    def start_writer(self, store: Any, count: int) -> Callable[[], None]:
        """Append :func:`written` in batches from another process; return a function to join it."""
        child = _spawn("write", self.address(store), str(count))

        def join() -> None:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            assert out.strip() == "written", (out, err)

        return join

    def rewrite(self, store: Any, events: list[Arrived]) -> None:
        """Replace the whole of *store*'s log with *events*, as another writer would."""
        raise NotImplementedError

    def test_a_log_rewritten_while_followed_is_refused_not_mixed(self, tmp_path: Path) -> None:
        """A log replaced by a longer, different one raises StoreError; no history is mixed."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2))
        subscription = store.subscribe(after=0, timeout=0)
        assert [r.event.who for r in subscription] == ["A 0", "A 1"]
        follower = Follower(store)
        assert follower.version == 2
        self.rewrite(store, batch("X", 3))
        with pytest.raises(StoreError, match=r"rewritten|replaced"):
            subscription.poll(timeout=5)
        with pytest.raises(StoreError, match=r"rewritten|replaced"):
            follower.step(timeout=5)
        assert [e.who for e in follower.log] == ["A 0", "A 1"]

    def test_catch_up_then_live(self, tmp_path: Path) -> None:
        """A subscription yields the stored events, then those recorded after it caught up."""
        store = self.make_store(tmp_path)
        events = batch("A", 25)
        store.extend(events[:20])
        subscription = store.subscribe(after=0, timeout=0, chunk=7)
        first = list(subscription)
        assert [r.version for r in first] == list(range(1, 21))
        assert exact(EventLog(r.event for r in first)) == exact(EventLog(events[:20]))
        assert subscription.version == 20
        self.reopen(store).extend(events[20:], expected_version=20)
        live = subscription.poll(timeout=10)
        assert [r.version for r in live] == list(range(21, 26))
        assert exact(EventLog(r.event for r in live)) == exact(EventLog(events[20:]))
        assert subscription.poll() == []

    def test_waits_for_the_next_event_up_to_its_timeout(self, tmp_path: Path) -> None:
        """Once caught up, iteration waits up to the timeout, then ends; poll() says []."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 2))
        subscription = store.subscribe(after=2, timeout=0.2)
        started = time.monotonic()
        assert list(subscription) == []
        assert time.monotonic() - started >= 0.2
        assert subscription.poll(timeout=0.05) == []
        assert subscription.version == 2

    def test_a_writer_in_another_process_is_seen_exactly_once_in_order(
        self, tmp_path: Path
    ) -> None:
        """Events appended in batches by another process arrive once each, versions 1..N."""
        store = self.make_store(tmp_path)
        store.poll = 0.005  # a polling store looks often enough to see the writer at work
        subscription = store.subscribe(after=0)
        join = self.start_writer(store, WRITTEN)
        batches: list[int] = []
        seen = read_until(subscription, WRITTEN, batches=batches)
        join()
        assert len(batches) > 3, batches  # read while the writer wrote, not all at the end
        assert [r.version for r in seen] == list(range(1, WRITTEN + 1))
        assert exact(EventLog(r.event for r in seen)) == exact(EventLog(written()))
        assert subscription.poll(timeout=0.2) == []

    def test_a_restarted_subscriber_resumes_from_its_last_version(self, tmp_path: Path) -> None:
        """Closed mid-stream and resubscribed after its version, a subscriber misses nothing."""
        store = self.make_store(tmp_path)
        join = self.start_writer(store, WRITTEN)
        first = store.subscribe(after=0)
        seen = read_until(first, WRITTEN // 3)
        first.close()
        assert first.poll(timeout=0.1) == []
        assert list(first) == []
        resumed = self.reopen(store).subscribe(after=first.version)
        seen += read_until(resumed, WRITTEN)
        join()
        assert [r.version for r in seen] == list(range(1, WRITTEN + 1))
        assert exact(EventLog(r.event for r in seen)) == exact(EventLog(written()))

    @settings(suppress_health_check=[HealthCheck.differing_executors])
    @given(
        log=event_logs(max_events=20),
        after=st.integers(min_value=0, max_value=20),
        chunk=st.integers(min_value=1, max_value=25),
    )
    def test_catch_up_is_the_log_after_the_version(
        self, log: EventLog, after: int, chunk: int
    ) -> None:
        """For any log and version, catch-up yields exactly log[after:] as versions after+1..."""
        with tempfile.TemporaryDirectory() as directory:
            store = self.make_store(Path(directory))
            store.extend(log)
            after = min(after, len(log))
            found = list(store.subscribe(after=after, timeout=0, chunk=chunk))
            assert [r.version for r in found] == list(range(after + 1, len(log) + 1))
            assert exact(EventLog(r.event for r in found)) == exact(EventLog(log[after:]))
            store.close()

    @settings(suppress_health_check=[HealthCheck.differing_executors])
    @given(log=event_logs(max_events=30), cuts=st.lists(st.integers(0, 30), max_size=4))
    def test_follower_state_is_the_replay_of_the_store(
        self, log: EventLog, cuts: list[int]
    ) -> None:
        """After each batch a follower reads, its state is replay() of the store's log."""
        with tempfile.TemporaryDirectory() as directory:
            store = self.make_store(Path(directory))
            follower = Follower(store)
            assert follower.state == replay(EventLog())
            bounds = sorted({0, len(log), *(min(c, len(log)) for c in cuts)})
            for start, end in itertools.pairwise(bounds):
                store.extend(log[start:end], expected_version=start)
                while follower.version < end:
                    assert follower.step(timeout=5)
                    assert follower.state == replay(store.load(upto=follower.version))
            assert follower.log == store.load() == log
            assert follower.state == replay(log)
            store.close()

    def test_follower_resumes_from_a_saved_log(self, tmp_path: Path) -> None:
        """A follower given a saved log reads only what came after it."""
        store = self.make_store(tmp_path)
        events = batch("A", 10)
        store.extend(events[:6])
        saved = Follower(store).log
        store.extend(events[6:])
        follower = Follower(store, log=saved)
        assert follower.version == 6
        assert [r.version for r in follower.step(timeout=5)] == [7, 8, 9, 10]
        assert follower.state == replay(store.load())

    def test_follower_refuses_a_log_from_another_store(self, tmp_path: Path) -> None:
        """Resuming from a log whose last event is not the store's raises StoreError."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 3))
        with pytest.raises(StoreError, match="cannot resume: its event at version 2"):
            Follower(store, log=EventLog(batch("B", 2)))

    def test_after_beyond_the_store_is_refused(self, tmp_path: Path) -> None:
        """Subscribing after a version the store does not hold raises StoreError on reading."""
        store = self.make_store(tmp_path)
        store.extend(batch("A", 3))
        with pytest.raises(StoreError, match="holds 3 events, fewer than version 5"):
            store.subscribe(after=5).poll()

    @pytest.mark.parametrize("after", [-1, True, 2.0, "1", None])
    def test_after_must_be_a_version(self, tmp_path: Path, after: object) -> None:
        """A negative or non-integer after raises VersionError at once."""
        store = self.make_store(tmp_path)
        with pytest.raises(VersionError, match="after must be a version"):
            store.subscribe(after=after)

    def test_close_from_another_thread_ends_a_waiting_iteration(self, tmp_path: Path) -> None:
        """close() from another thread stops an iteration that waits without a timeout."""
        store = self.make_store(tmp_path)
        subscription = store.subscribe(after=0)
        timer = threading.Timer(0.3, subscription.close)
        timer.start()
        started = time.monotonic()
        assert list(subscription) == []
        assert time.monotonic() - started < 5
        assert subscription.closed
        timer.join()


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
    if mode == "write":
        write_in_batches(store, int(argv[2]))
        print("written", flush=True)
    elif mode == "kill":
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
