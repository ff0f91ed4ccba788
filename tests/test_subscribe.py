"""Subscriptions and followers: the contract for each store, and each store's own edges."""

import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import psycopg
import pytest

from itinerary import (
    Arrived,
    Event,
    EventLog,
    Follower,
    Projection,
    Recorded,
    StoreError,
    project,
    replay,
)
from itinerary.places import SEOUL, TOKYO
from itinerary.scenarios import load_scenario
from itinerary.store import JsonlStore, MemoryStore, PostgresStore, SQLiteStore, Subscription
from itinerary.store.base import StoreBase
from tests.pg_server import OnSessionServer
from tests.store_contract import SubscriptionContract, batch, exact, write_in_batches

DATA = Path(__file__).resolve().parent / "data"
TOUR = load_scenario(DATA.parent.parent / "examples" / "asia_tour_2025.toml").log


class TestMemorySubscription(SubscriptionContract):
    """The subscription contract, for MemoryStore (the writer is a thread)."""

    def make_store(self, directory: Path) -> MemoryStore:
        """A new, empty memory store (the directory is not used)."""
        return MemoryStore()

    def start_writer(self, store: MemoryStore, count: int) -> Callable[[], None]:
        """Append in batches from another thread: a memory store lives in one process."""
        thread = threading.Thread(target=write_in_batches, args=(store, count))
        thread.start()

        def join() -> None:
            thread.join(timeout=120)
            assert not thread.is_alive()

        return join

    def rewrite(self, store: MemoryStore, events: list[Arrived]) -> None:
        """Swap the store's log for another."""
        store._log = EventLog(events)


class TestSQLiteSubscription(SubscriptionContract):
    """The subscription contract, for SQLiteStore."""

    def make_store(self, directory: Path) -> SQLiteStore:
        """A new store in directory/events.sqlite."""
        return SQLiteStore(directory / "events.sqlite")

    def reopen(self, store: SQLiteStore) -> SQLiteStore:
        """A new connection to the same file."""
        return SQLiteStore(store.path, create=False)

    def rewrite(self, store: SQLiteStore, events: list[Arrived]) -> None:
        """Move another store's file over the store's (``mv new.sqlite events.sqlite``)."""
        _replace_with(store.path, SQLiteStore, events)


def _replace_with(path: str, kind: type[SQLiteStore | JsonlStore], events: list[Arrived]) -> None:
    """Write *events* to a new store beside *path*, then move it over *path*."""
    new = f"{path}.new"
    with kind(new) as other:
        other.extend(events)
    os.replace(new, path)


class TestJsonlSubscription(SubscriptionContract):
    """The subscription contract, for JsonlStore."""

    def make_store(self, directory: Path) -> JsonlStore:
        """A new store in directory/events.jsonl."""
        return JsonlStore(directory / "events.jsonl")

    def reopen(self, store: JsonlStore) -> JsonlStore:
        """A new store object on the same file."""
        return JsonlStore(store.path, create=False)

    def rewrite(self, store: JsonlStore, events: list[Arrived]) -> None:
        """Overwrite the file in place (the same inode) with a longer, different log."""
        _replace_with(store.path + ".x", JsonlStore, events)
        Path(store.path).write_bytes(Path(store.path + ".x").read_bytes())


class TestPostgresSubscription(OnSessionServer, SubscriptionContract):
    """The subscription contract, for PostgresStore (woken by LISTEN/NOTIFY)."""

    def address(self, store: PostgresStore) -> str:
        """The log's URL, for the writer process."""
        return store.path

    def rewrite(self, store: PostgresStore, events: list[Arrived]) -> None:
        """Drop the log's schema and build it again with *events*."""
        with psycopg.connect(store.path.split("?", 1)[0], autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{store.log}" CASCADE'.encode())
        with PostgresStore(store.path) as rebuilt:
            rebuilt.extend(events)


class Plain(StoreBase):
    """A store with only the protocol (no hooks of its own): the defaults serve it."""

    def __init__(self) -> None:
        self._inner = MemoryStore()

    @property
    def version(self) -> int:
        """How many events are stored."""
        return self._inner.version

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events*."""
        return self._inner.extend(events, expected_version, progress=progress)

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log."""
        return self._inner.load(upto, progress=progress)


class TestDefaultHooks(SubscriptionContract):
    """The subscription contract, for a store that relies on StoreBase's polling hooks."""

    def make_store(self, directory: Path) -> Plain:
        """A new, empty plain store."""
        store = Plain()
        store.poll = 0.01
        return store

    start_writer = TestMemorySubscription.start_writer

    def rewrite(self, store: Plain, events: list[Arrived]) -> None:
        """Swap the store's log for another."""
        store._inner._log = EventLog(events)


def _sqlite_with(tmp_path: Path, count: int) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "events.sqlite")
    store.extend(batch("A", count))
    return store


def test_a_sqlite_store_that_loses_events_is_refused(tmp_path: Path) -> None:
    """Rows deleted under a subscriber that read them raise StoreError, not a silent gap."""
    store = _sqlite_with(tmp_path, 5)
    subscription = store.subscribe(after=0, timeout=0)
    assert len(list(subscription)) == 5
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version > 3")
        db.execute("UPDATE itinerary_meta SET value = '3' WHERE key = 'events'")
    db.close()
    with pytest.raises(StoreError, match="holds 3 events, fewer than version 5"):
        subscription.poll(timeout=1)


def test_a_changed_sqlite_row_is_refused_naming_its_version(tmp_path: Path) -> None:
    """A row changed after writing fails its checksum when a subscriber reads it."""
    store = _sqlite_with(tmp_path, 5)
    with sqlite3.connect(store.path) as db:
        db.execute(
            "UPDATE itinerary_events SET data = CAST(REPLACE(CAST(data AS TEXT), 'A 3', 'A 9')"
            " AS BLOB) WHERE version = 4"
        )
    db.close()
    subscription = store.subscribe(after=2, timeout=0)
    with pytest.raises(StoreError, match=r"events.sqlite: version 4: damaged: its checksum"):
        subscription.poll()


def test_a_missing_sqlite_row_is_refused(tmp_path: Path) -> None:
    """A gap in the versions (a row gone from the middle) raises StoreError naming it."""
    store = _sqlite_with(tmp_path, 5)
    with sqlite3.connect(store.path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version = 3")
    db.close()
    with pytest.raises(StoreError, match="damaged: expected version 3, found version 4"):
        store.subscribe(after=1, timeout=0).poll()


def test_a_format_1_sqlite_store_is_followed(tmp_path: Path) -> None:
    """A format 1 store (no checksums) is read by subscriptions too, and followed live."""
    path = tmp_path / "old.sqlite"
    shutil.copyfile(DATA / "tour-format-1.sqlite", path)
    store = SQLiteStore(path, create=False)
    found = list(store.subscribe(after=10, timeout=0, chunk=3))
    assert [r.version for r in found] == [11, 12, 13, 14]
    assert exact(EventLog(r.event for r in found)) == exact(EventLog(TOUR[10:]))
    SQLiteStore(path, create=False).extend(batch("B", 2), expected_version=14)
    assert [r.version for r in store.subscribe(after=14).poll(timeout=5)] == [15, 16]


def test_an_empty_sqlite_file_is_followed_once_it_becomes_a_store(tmp_path: Path) -> None:
    """A subscriber to an empty file (an empty store) sees what another handle writes there."""
    path = tmp_path / "empty.sqlite"
    path.touch()
    store = SQLiteStore(path, create=False)
    store.poll = 0.01
    subscription = store.subscribe()
    assert subscription.poll(timeout=0.05) == []
    SQLiteStore(path, create=False).extend(batch("A", 3))
    assert [r.version for r in subscription.poll(timeout=5)] == [1, 2, 3]
    assert exact(store.load()) == exact(EventLog(batch("A", 3)))


def test_an_empty_sqlite_file_is_read_at_once_if_it_became_a_store(tmp_path: Path) -> None:
    """A catch-up read of a store opened empty reads the file once it holds events."""
    path = tmp_path / "empty.sqlite"
    path.touch()
    store = SQLiteStore(path, create=False)
    SQLiteStore(path, create=False).extend(batch("A", 2))
    assert [r.version for r in store.subscribe(timeout=0)] == [1, 2]


def test_a_truncated_jsonl_store_is_refused(tmp_path: Path) -> None:
    """A JSON Lines file cut short under a subscriber raises StoreError."""
    store = JsonlStore(tmp_path / "events.jsonl")
    for event in batch("A", 4):
        store.append(event)
    subscription = store.subscribe(after=0, timeout=0)
    assert len(list(subscription)) == 4
    lines = Path(store.path).read_bytes().split(b"\n")
    Path(store.path).write_bytes(b"\n".join(lines[:3]) + b"\n")  # the header and 2 events
    with pytest.raises(StoreError, match="holds 2 events, fewer than version 4"):
        subscription.poll(timeout=1)


def test_a_changed_jsonl_line_is_refused_naming_it(tmp_path: Path) -> None:
    """A line changed after writing fails its checksum when a subscriber reads the file."""
    store = JsonlStore(tmp_path / "events.jsonl")
    store.extend(batch("A", 4))
    text = Path(store.path).read_text().replace("A 2", "A 7")
    Path(store.path).write_text(text)
    with pytest.raises(StoreError, match="line 4: damaged"):
        store.subscribe(after=3, timeout=0).poll()


def test_a_format_1_jsonl_store_names_the_line_of_a_bad_record(tmp_path: Path) -> None:
    """A format 1 record that does not decode is named by its line, counted from the header."""
    path = tmp_path / "old.jsonl"
    shutil.copyfile(DATA / "tour-format-1.jsonl", path)
    lines = path.read_text().splitlines()
    lines[12] = lines[12].replace('"type":"', '"type":"Un')
    path.write_text("\n".join(lines) + "\n")
    store = JsonlStore(path, create=False)
    assert len(store.subscribe(after=0, chunk=11).poll()) == 11
    with pytest.raises(StoreError, match=r"old\.jsonl: line 13: .*unknown event type"):
        store.subscribe(after=11).poll()


def test_a_torn_jsonl_batch_is_not_delivered(tmp_path: Path) -> None:
    """Lines of a batch whose end never came (a killed writer) are not delivered."""
    store = JsonlStore(tmp_path / "events.jsonl")
    store.extend(batch("A", 2))
    whole = Path(store.path).read_bytes()
    store.extend(batch("B", 3))
    torn = Path(store.path).read_bytes()[: -len(b"\n")]
    Path(store.path).write_bytes(whole + torn[len(whole) : torn.rfind(b"\n") + 1])
    assert [r.version for r in store.subscribe(after=0, timeout=0)] == [1, 2]


def test_a_jsonl_subscriber_sees_the_file_created(tmp_path: Path) -> None:
    """A subscriber to a JSON Lines store with no file yet sees its first events."""
    store = JsonlStore(tmp_path / "events.jsonl")
    subscription = store.subscribe()
    assert subscription.poll(timeout=0.05) == []
    JsonlStore(store.path).extend(batch("A", 2))
    assert [r.version for r in subscription.poll(timeout=5)] == [1, 2]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"timeout": -1}, "timeout must be a number of seconds"),
        ({"timeout": "1"}, "timeout must be a number of seconds"),
        ({"chunk": 0}, "chunk must be a number of events"),
        ({"chunk": 2.5}, "chunk must be a number of events"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str) -> None:
    """A negative or non-numeric timeout, or a chunk below 1, raises StoreError at once."""
    with pytest.raises(StoreError, match=message):
        MemoryStore().subscribe(**arguments)  # type: ignore[arg-type]


def test_poll_refuses_a_bad_timeout() -> None:
    """poll(timeout=) must be a number of seconds, or None."""
    with pytest.raises(StoreError, match="timeout must be a number of seconds"):
        MemoryStore().subscribe().poll(timeout=-0.5)


def test_a_subscription_says_where_it_is() -> None:
    """A subscription's repr names its store, its version and whether it is open."""
    store = MemoryStore(EventLog(batch("A", 2)))
    with store.subscribe(after=1) as subscription:
        assert repr(subscription) == "<Subscription to <MemoryStore version=2> at version 1, open>"
    assert repr(subscription).endswith("at version 1, closed>")
    assert isinstance(subscription, Subscription)


def test_recorded_is_a_frozen_value() -> None:
    """Recorded values compare by version and event, and cannot be changed."""
    event = batch("A", 1)[0]
    assert Recorded(1, event) == Recorded(1, event) != Recorded(2, event)
    with pytest.raises(AttributeError):
        Recorded(1, event).version = 2  # type: ignore[misc]


def test_a_follower_keeps_a_view_of_its_own() -> None:
    """Given a view, a follower keeps it: here the people who ever arrived, counted."""
    store = MemoryStore(EventLog(batch("A", 3)))
    people = Projection(initial=frozenset(), evolve=lambda s, e: s | {e.who})
    with Follower(store, lambda log: len(project(log, people))) as follower:
        assert follower.state == 3
        store.extend(batch("B", 2))
        assert follower.step(timeout=5)
        assert follower.state == 5
        assert follower.version == 5
        assert repr(follower) == "<Follower of <MemoryStore version=5> at version 5>"
    assert follower.step(timeout=0.1) == []


def test_a_follower_yields_the_state_after_each_batch() -> None:
    """Iterating a follower yields the replayed state after each batch until a wait times out."""
    store = MemoryStore()
    follower = Follower(store, timeout=0.2)
    store.extend(batch("A", 2))
    states = list(follower)
    assert [s.where("A 1").place for s in states] == [TOKYO]
    assert states[-1] == replay(store.load())


def test_a_follower_refresh_recomputes_a_clock_view() -> None:
    """refresh() computes the view afresh, for a view of the wall clock."""
    store = MemoryStore(EventLog([Arrived("Donald Trump", SEOUL, SEOUL.at("2025-10-29 11:00"))]))
    clock = [SEOUL.at("2025-10-29 10:00")]
    follower = Follower(store, lambda log: replay(log, as_of=clock[0]))
    assert follower.state.where("Donald Trump").status == "unknown"
    clock[0] = SEOUL.at("2025-10-29 12:00")
    assert follower.state.where("Donald Trump").status == "unknown"  # kept for the version
    assert follower.refresh().where("Donald Trump").place == SEOUL


def test_a_follower_refuses_a_log_that_is_not_one() -> None:
    """A saved log must be an EventLog."""
    with pytest.raises(StoreError, match="log must be an EventLog"):
        Follower(MemoryStore(), log=[])  # type: ignore[arg-type]


class Faulty(Plain):
    """A store whose hooks misbehave as given: what the subscription must not trust."""

    def __init__(self, reads: list[list[Event]], versions: list[int]) -> None:
        super().__init__()
        self.poll = 0.01
        self._reads = reads
        self._versions = versions

    @property
    def version(self) -> int:
        """The next version it claims."""
        return self._versions.pop(0) if len(self._versions) > 1 else self._versions[0]

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The next read it was given."""
        return self._reads.pop(0) if self._reads else []


def test_a_read_of_more_than_the_chunk_is_refused() -> None:
    """A store hook that returns more events than asked for raises StoreError."""
    store = Faulty([batch("A", 3)], [3])
    with pytest.raises(StoreError, match="asked for 2 events after version 0, got 3"):
        store.subscribe(chunk=2).poll()


def test_a_store_that_shrinks_without_saying_so_is_refused() -> None:
    """A store whose reads find nothing while its version fell below the one read raises."""
    store = Faulty([batch("A", 3)], [3, 1])
    subscription = store.subscribe(timeout=1)
    assert len(subscription.poll()) == 3
    with pytest.raises(StoreError, match="holds 1 events, but version 3 was read from it"):
        subscription.poll(timeout=1)


def test_events_counted_but_not_yet_readable_are_read_again_soon() -> None:
    """A version ahead of what a read finds (a write in flight) makes the subscription look again."""
    store = Faulty([[], batch("A", 2)], [2])
    assert [r.version for r in store.subscribe().poll(timeout=5)] == [1, 2]
    store = Faulty([[]], [2])
    assert store.subscribe().poll(timeout=0.05) == []


def test_an_empty_file_that_becomes_another_programs_database_stays_empty(tmp_path: Path) -> None:
    """An empty file another program makes a database without our tables is not followed."""
    path = tmp_path / "empty.sqlite"
    path.touch()
    store = SQLiteStore(path, create=False)
    store.poll = 0.01
    subscription = store.subscribe()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE other (x)")
    db.close()
    assert subscription.poll(timeout=0.1) == []
    assert store.version == 0


def test_a_gap_in_a_format_1_store_is_refused(tmp_path: Path) -> None:
    """A format 1 store (no checksums) with a row missing is refused, naming the version."""
    path = tmp_path / "old.sqlite"
    shutil.copyfile(DATA / "tour-format-1.sqlite", path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version = 12")
    db.close()
    with pytest.raises(StoreError, match="damaged: expected version 12, found version 13"):
        SQLiteStore(path, create=False).subscribe(after=10).poll()


@pytest.mark.parametrize("kind", [SQLiteStore, JsonlStore])
def test_a_store_file_moved_over_while_followed_is_refused(
    tmp_path: Path, kind: type[SQLiteStore | JsonlStore]
) -> None:
    """A file replaced by another (``mv new tour``) raises "replaced", reading or waiting."""
    path = str(tmp_path / f"tour.{'sqlite' if kind is SQLiteStore else 'jsonl'}")
    with kind(path) as writer:
        writer.extend(batch("A", 2))
    store = kind(path, create=False)
    store.poll = 0.01
    follower = Follower(store)
    assert follower.step(timeout=0) == []
    _replace_with(path, kind, batch("A", 2))  # even the same events: another file
    if kind is SQLiteStore:  # its connection still reads the old file: each look checks
        with pytest.raises(StoreError, match="replaced \\(or deleted\\) while followed"):
            store.wait_for_news(2, 1.0)
    else:  # a change of the file is news; reading it finds another inode
        assert store.wait_for_news(2, 1.0)
    with pytest.raises(StoreError, match="replaced \\(or deleted\\) while followed"):
        follower.step(timeout=1.0)
    assert follower.version == 2


def test_a_sqlite_store_deleted_while_followed_is_refused(tmp_path: Path) -> None:
    """Deleting the followed SQLite file raises StoreError instead of freezing silently."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as writer:
        writer.extend(batch("A", 2))
    store = SQLiteStore(path, create=False)
    store.poll = 0.01
    follower = Follower(store)
    assert follower.step(timeout=0) == []
    path.unlink()
    with pytest.raises(StoreError, match=r"tour\.sqlite: the store was replaced \(or deleted\)"):
        follower.step(timeout=1.0)


def test_step_each_gives_the_view_at_each_version_folding_each_event_once(
    tmp_path: Path,
) -> None:
    """step_each reads a chunk and gives each version's view, folding every event just once."""
    folded: list[int] = []

    def count(n: int, events: list[Event]) -> int:
        folded.append(len(events))
        return n + len(events)

    arrivals = Projection(initial=0, evolve=lambda n, e: n + 1, evolve_many=count)
    store = SQLiteStore(tmp_path / "events.sqlite")
    follower = Follower(store, lambda log: project(log, arrivals), chunk=1000)
    store.extend(batch("A", 600))
    views = follower.step_each(timeout=5)
    assert [(r.version, view) for r, view in views] == [(v, v) for v in range(1, 601)]
    assert follower.version == 600
    assert follower.state == 600
    assert sum(folded) == 600  # each new event folded once, not again from a snapshot


def test_step_each_keeps_the_whole_batch_when_the_view_fails(tmp_path: Path) -> None:
    """A view that raises mid-batch loses no event: the follower's log still matches the store."""
    failed: list[int] = []

    def fragile(log: EventLog) -> int:
        if log.version == 3 and not failed:
            failed.append(3)
            raise RuntimeError("view failed once")
        return log.version

    store = MemoryStore()
    store.extend(batch("A", 6))
    follower = Follower(store, fragile, log=EventLog())
    with pytest.raises(RuntimeError, match="view failed once"):
        follower.step_each(timeout=0)
    assert follower.version == 6
    assert exact(follower.log) == exact(store.load())
    assert follower.step_each(timeout=0) == []


def test_expect_makes_the_first_read_check_the_event_at_after() -> None:
    """A subscription told the event at its version reads on if it is there, refuses if not."""
    store = MemoryStore()
    store.extend(batch("A", 4))
    subscription = store.subscribe(after=2, timeout=0)
    subscription.expect(batch("A", 2)[1])
    assert [r.version for r in subscription.poll()] == [3, 4]
    rewritten = store.subscribe(after=2, timeout=0)
    rewritten.expect(batch("B", 2)[1])
    with pytest.raises(StoreError, match="the log was rewritten: version 2 is no longer"):
        rewritten.poll()


def test_expect_comes_once_before_any_event_is_read() -> None:
    """expect() after an event was read, at version 0, or of a non-event raises StoreError."""
    store = MemoryStore()
    store.extend(batch("A", 2))
    subscription = store.subscribe(after=1, timeout=0)
    assert len(subscription.poll()) == 1
    with pytest.raises(StoreError, match="before the subscription reads an event"):
        subscription.expect(batch("A", 2)[1])
    with pytest.raises(StoreError, match="after a version above 0"):
        store.subscribe(after=0).expect(batch("A", 1)[0])
    with pytest.raises(StoreError, match="takes the event at version 1"):
        store.subscribe(after=1).expect("A 0")  # type: ignore[arg-type]


def test_a_subscription_names_its_store() -> None:
    """subscription.store is the store it follows (a Follower's repr names it)."""
    store = MemoryStore()
    assert store.subscribe().store is store
    assert repr(Follower(store)) == "<Follower of <MemoryStore version=0> at version 0>"
