"""Tests for itinerary.log: the immutable, versioned, append-only EventLog."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itinerary import Arrived, ConcurrencyError, Event, EventLog, InvalidEventError, VersionError
from itinerary.places import TOKYO, WASHINGTON
from tests.strategies import event_lists, events

ARRIVAL = Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))


def test_an_empty_log_is_at_version_zero() -> None:
    """A new log holds nothing and is at version 0."""
    log = EventLog()
    assert (log.version, len(log), list(log)) == (0, 0, [])


@given(event_lists, event_lists)
def test_extend_returns_a_new_log_and_leaves_the_old_one_as_it_was(
    first: list[Event], second: list[Event]
) -> None:
    """Extending returns a log with both batches; the original still has only the first."""
    old = EventLog(first)
    new = old.extend(second)
    assert list(old) == first
    assert old.version == len(first)
    assert list(new) == first + second
    assert new.version == len(first) + len(second)


@given(event_lists, st.lists(st.tuples(st.integers(min_value=0), events()), max_size=20))
def test_no_append_ever_changes_a_log_already_handed_out(
    start: list[Event], appends: list[tuple[int, Event]]
) -> None:
    """Appending to any log, newest or older (a fork), never changes any existing log."""
    logs = [EventLog(start)]
    contents = [list(start)]
    for pick, event in appends:
        base = pick % len(logs)
        logs.append(logs[base].append(event))
        contents.append([*contents[base], event])
        for log, expected in zip(logs, contents, strict=True):
            assert list(log) == expected
            assert log.version == len(expected)


@given(event_lists, st.data())
def test_upto_is_the_log_as_it_was_at_that_version(
    events_: list[Event], data: st.DataObject
) -> None:
    """upto(v) holds exactly the first v events, and appending to it forks history."""
    log = EventLog(events_)
    version = data.draw(st.integers(min_value=0, max_value=len(events_)))
    past = log.upto(version)
    assert list(past) == events_[:version]
    forked = past.append(ARRIVAL)
    assert list(forked) == [*events_[:version], ARRIVAL]
    assert list(log) == events_


def test_a_stale_expected_version_raises_and_appends_nothing() -> None:
    """Appending with an expected version that is not the log's raises ConcurrencyError."""
    log = EventLog([ARRIVAL])
    with pytest.raises(
        ConcurrencyError, match="expected the log at version 0, but it is at version 1"
    ):
        log.append(ARRIVAL, expected_version=0)
    assert log.version == 1
    assert log.append(ARRIVAL, expected_version=1).version == 2


def test_extend_is_all_or_nothing_when_an_item_is_not_an_event() -> None:
    """A batch with a non-event raises, naming its position, and no log changes."""
    log = EventLog([ARRIVAL])
    with pytest.raises(InvalidEventError, match=r"log entry 2 \(version 3\) is a str"):
        log.extend([ARRIVAL, "Donald Trump arrives"])  # type: ignore[list-item]
    assert log.version == 1
    assert log.append(ARRIVAL).version == 2  # the newest view is still growable in place


def test_appending_to_the_newest_log_shares_storage_instead_of_copying() -> None:
    """Appending to the newest log reuses its storage: no full copy per append."""
    log = EventLog()
    for _ in range(100):
        newer = log.append(ARRIVAL)
        assert newer._tape is log._tape
        log = newer
    assert len(log) == 100


@pytest.mark.parametrize("version", [-1, 2, "1"])
def test_upto_rejects_versions_the_log_does_not_have(version: object) -> None:
    """upto() outside 0..version raises VersionError."""
    with pytest.raises(VersionError, match="between 0 and 1"):
        EventLog([ARRIVAL]).upto(version)  # type: ignore[arg-type]


@given(event_lists)
def test_logs_with_the_same_events_are_equal_and_hash_alike(events_: list[Event]) -> None:
    """Equality is by content and order, so equal logs hash alike."""
    assert EventLog(events_) == EventLog().extend(events_)
    assert hash(EventLog(events_)) == hash(EventLog().extend(events_))
    if events_:
        assert EventLog(events_) != EventLog(events_[:-1])


def test_indexing_and_slicing_stay_within_the_version() -> None:
    """Indexing a view never reaches events recorded after it."""
    log = EventLog([ARRIVAL])
    log.append(ARRIVAL)
    assert log[0] == ARRIVAL
    assert log[-1] == ARRIVAL
    assert log[:] == (ARRIVAL,)
    with pytest.raises(IndexError):
        log[1]


def test_logs_differing_only_by_fold_are_not_equal() -> None:
    """Logs whose instants differ only in the fold of a repeated hour differ."""
    first = WASHINGTON.at("2025-11-02 01:30", disambiguate="earlier")
    second = WASHINGTON.at("2025-11-02 01:30", disambiguate="later")
    assert EventLog([Arrived("x", WASHINGTON, first)]) != EventLog(
        [Arrived("x", WASHINGTON, second)]
    )


class _CountingIndex:
    """An index that counts how often it is built and can refuse to extend."""

    built = 0

    def __init__(self, recorded: Sequence[Event]) -> None:
        type(self).built += 1
        self.base = self.size = len(recorded)
        self.accepts = True

    def extend(self, recorded: Sequence[Event], upto: int) -> bool:
        if not self.accepts:
            return False
        self.size = upto
        return True


def test_an_index_is_shared_by_versions_grown_in_order_and_rebuilt_when_it_cannot_grow() -> None:
    """log.index() builds once, extends for appends, rebuilds once, and serves old views apart."""
    _CountingIndex.built = 0
    log = EventLog([ARRIVAL])
    first = log.index(_CountingIndex)
    longer = log.append(ARRIVAL)
    assert longer.index(_CountingIndex) is first
    assert (first.size, _CountingIndex.built) == (2, 1)
    first.accepts = False
    third = longer.append(ARRIVAL)
    rebuilt = third.index(_CountingIndex)
    assert rebuilt is not first
    assert (rebuilt.base, _CountingIndex.built) == (3, 2)
    own = log.index(_CountingIndex)  # the rebuilt index starts after this version
    assert (own.size, _CountingIndex.built) == (1, 3)
    assert log.index(_CountingIndex) is own
    assert third.index(_CountingIndex) is rebuilt


@given(event_lists, st.integers(min_value=0, max_value=12), st.none() | st.integers(0, 12))
def test_events_after_is_the_slice_after_a_version(
    events_: list[Event], version: int, limit: int | None
) -> None:
    """events_after(v, n) is the list of events at versions v+1 .. v+n (or to the end)."""
    log = EventLog(events_)
    version = min(version, len(log))
    end = None if limit is None else version + limit
    assert log.events_after(version, limit) == list(log)[version:end]


def test_events_after_stays_within_the_version() -> None:
    """events_after() of an older view never reaches events appended after it."""
    log = EventLog([ARRIVAL])
    newer = log.append(ARRIVAL)
    assert log.events_after(0) == [ARRIVAL]
    assert newer.events_after(1) == [ARRIVAL]
    assert log.events_after(1) == []


@pytest.mark.parametrize(("version", "limit"), [(-1, None), (2, None), ("1", None), (0, -1)])
def test_events_after_rejects_versions_the_log_does_not_have(
    version: object, limit: object
) -> None:
    """events_after() outside 0..version, or with a negative limit, raises VersionError."""
    with pytest.raises(VersionError, match=r"between 0 and 1|limit must be a number"):
        EventLog([ARRIVAL]).events_after(version, limit)  # type: ignore[arg-type]
