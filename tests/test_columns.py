"""Tests for itinerary.columns and EventLog's bulk door: a log kept as columns."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import numpy as np
import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pendulum import DateTime

from itinerary import (
    AgreementSigned,
    Arrived,
    Event,
    EventLog,
    InvalidEventError,
    MeetingHeld,
    Obligation,
)
from itinerary.columns import COLUMNS, FIELDS, KINDS, OTHER, LogColumns, columns_of
from itinerary.events import EVENT_TYPES
from itinerary.places import SEOUL, TOKYO
from itinerary.projections import replay
from itinerary.projections._core import Timeline, occurrence_index, timeline
from tests.strategies import delegations, event_lists, events

ARRIVAL = Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))

MEETING = MeetingHeld(
    "Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 11:00")
)


@attrs.frozen
class Note(Event):
    """An event of a class of the user's own (kept whole in the columns' ``others``)."""

    text: str
    at: DateTime

    @property
    def occurred_at(self) -> DateTime:
        """When it was noted."""
        return self.at

    @property
    def people(self) -> tuple[str, ...]:
        """Nobody."""
        return ()

    def describe(self) -> str:
        """The note."""
        return self.text


notes = st.builds(Note, st.sampled_from(("a", "b")), st.just(TOKYO.at("2025-10-27 17:00")))
mixed_lists = st.lists(events() | notes, max_size=30)


def _same(left: list[Event], right: list[Event]) -> None:
    assert left == right
    assert [type(e) for e in left] == [type(e) for e in right]
    assert [repr(e) for e in left] == [repr(e) for e in right]  # zones and offsets too


@given(mixed_lists)
def test_a_log_round_trips_through_its_columns(recorded: list[Event]) -> None:
    """from_columns(log.columns) holds the same events, in the same zones, and equals the log."""
    log = EventLog(recorded)
    again = EventLog.from_columns(log.columns)
    assert again == log
    assert again.version == log.version
    _same(list(again), recorded)


@given(event_lists)
def test_columns_hold_each_field_where_the_table_says(recorded: list[Event]) -> None:
    """Each row's kind, instant and ids read back each field :data:`FIELDS` names."""
    cols = columns_of(recorded)
    for row, event in enumerate(recorded):
        assert KINDS[cols.kind[row]] == type(event).__name__
        assert cols.us[row] == event._us  # type: ignore[attr-defined]
        for field, column in FIELDS[type(event)]:
            value = getattr(event, field)
            if column in ("us", "end"):
                assert getattr(cols, column)[row] == value.timestamp() * 1_000_000
                continue
            dictionary = COLUMNS[column][1]
            assert dictionary is not None
            ids = getattr(cols, column)
            assert (None if ids[row] < 0 else getattr(cols, dictionary)[ids[row]]) == value


@given(event_lists)
def test_an_event_is_built_once_and_read_as_the_same_object(recorded: list[Event]) -> None:
    """log[i] of a log of columns is built on first read, then the same object every time."""
    log = EventLog.from_columns(EventLog(recorded).columns)
    if recorded:
        assert log[-1] is log[len(log) - 1]
    first = [log[i] for i in range(len(log))]
    assert [a is b for a, b in zip(first, log, strict=True)] == [True] * len(log)
    assert log.events_after(0) == recorded
    assert log[1:3] == tuple(recorded[1:3])


@given(event_lists, st.lists(st.integers(min_value=-45, max_value=45), max_size=20))
def test_take_reads_the_events_at_positions(recorded: list[Event], positions: list[int]) -> None:
    """log.take(ps) is [log[p] for p in ps], the same objects later reads give; else IndexError."""
    log = EventLog.from_columns(columns_of(recorded))
    inside = [p for p in positions if -len(recorded) <= p < len(recorded)]
    taken = log.take(inside)
    assert taken == [recorded[p] for p in inside]
    assert all(a is log[p] for a, p in zip(taken, inside, strict=True))
    if len(inside) < len(positions):
        with pytest.raises(IndexError, match="out of range"):
            log.take(positions)


@given(event_lists, event_lists, event_lists)
def test_a_log_of_columns_appends_and_forks_as_one_of_events(
    first: list[Event], second: list[Event], third: list[Event]
) -> None:
    """Appending to a log of columns (newest or older view) gives the log of events appended."""
    plain = EventLog(first)
    kept = EventLog.from_columns(plain.columns)
    grown = kept.extend(second)
    assert grown == plain.extend(second)
    assert list(kept) == first  # the older view is unchanged
    forked = kept.extend(third)  # an older view: forks
    assert forked == plain.extend(third)
    _same(grown.extend(third).columns.events(), first + second + third)
    _same(list(EventLog.from_columns(grown.columns)), first + second)


@given(event_lists, st.integers(min_value=0, max_value=40))
def test_a_view_has_the_columns_of_its_events(recorded: list[Event], cut: int) -> None:
    """log.upto(v).columns holds the first v events, whichever view asked first."""
    log = EventLog(recorded)
    cut = min(cut, len(recorded))
    _ = log.columns  # the whole log's first: the view's are a prefix of them
    _same(log.upto(cut).columns.events(), recorded[:cut])
    assert log.columns.head(cut).events() == recorded[:cut]


@given(mixed_lists)
def test_logs_pickle(recorded: list[Event]) -> None:
    """A log (of events or of columns) pickles and unpickles as an equal log."""
    log = EventLog(recorded)
    assert pickle.loads(pickle.dumps(log)) == log
    kept = EventLog.from_columns(log.columns)
    assert pickle.loads(pickle.dumps(kept)) == log


@example(recorded=[ARRIVAL, Arrived("Donald Trump", SEOUL, TOKYO.at("2025-10-27 17:00"))])
@given(mixed_lists | delegations())
def test_replay_orders_columns_as_it_orders_events(recorded: list[Event]) -> None:
    """The lexsort on columns gives occurrence_index's order, instants and positions."""
    positions, instants = occurrence_index(recorded)
    log = EventLog.from_columns(EventLog(recorded).columns)
    line = timeline(log)
    assert list(line.positions) == positions
    assert list(line.instants) == instants
    assert line.events == [recorded[i] for i in positions]
    assert replay(log) == replay(EventLog(recorded))


@example(recorded=[ARRIVAL, MEETING, attrs.evolve(ARRIVAL, at=TOKYO.at("2025-10-28 12:00"))])
@given(mixed_lists | delegations())
def test_a_replay_read_from_columns_is_the_replay_of_the_events(recorded: list[Event]) -> None:
    """replay() of a log of columns (building only what its state holds) is the usual state."""
    expected = replay(EventLog(recorded))
    log = EventLog.from_columns(EventLog(recorded).columns)
    state = replay(log)
    assert state == expected
    assert repr(state) == repr(expected)
    assert str(state) == str(expected)  # zones and offsets as shown, too
    assert state.deadlines == expected.deadlines
    if recorded:  # then time travel, on the index built from the same objects
        at = recorded[len(recorded) // 2].occurred_at
        assert replay(log, as_of=at) == replay(EventLog(recorded), as_of=at)
        assert replay(log) == expected


@given(event_lists)
def test_the_timeline_of_columns_is_built_without_the_events_sort(recorded: list[Event]) -> None:
    """A log of columns hands its index its columns; a log of events does not, until asked."""
    seen: list[Any] = []

    def build(found: Any) -> Timeline:
        seen.append(found.columns)
        return Timeline(found)

    EventLog(recorded).index(build)
    EventLog.from_columns(columns_of(recorded)).index(build)
    assert seen[0] is None
    assert isinstance(seen[1], LogColumns)
    assert len(seen[1]) == len(recorded)


def _broken(cols: LogColumns, **changes: Any) -> LogColumns:
    return attrs.evolve(cols, **changes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": np.array([5, 0], dtype=np.int32)}, "name 5 is not an id in texts"),
        ({"name": np.array([0], dtype=np.int32)}, "name has shape (1,)"),
        ({"us": np.array([0, 0], dtype=np.int32)}, "us must be a numpy array of int64"),
        ({"kind": np.array([0, 9], dtype=np.int8)}, "row 1: kind 9 is not a kind code"),
        ({"end": np.array([0, 0], dtype=np.int64)}, "row 1 (MeetingHeld) ends before it starts"),
        ({"texts": ("Donald Trump", " ")}, "texts must hold non-empty strings, got ' '"),
        (
            {"zones": ("Mars/Olympus",)},
            "zones must hold IANA zone names or offsets +HH:MM[:SS], got 'Mars/Olympus'",
        ),
        (
            {"zones": ("+25:00",)},
            "zones must hold IANA zone names or offsets +HH:MM[:SS], got '+25:00'",
        ),
        ({"groups": (("A", "A"),)}, "groups must hold tuples of distinct non-empty names"),
        ({"venue": np.array([-1, 7], dtype=np.int32)}, "row 1 (MeetingHeld): venue 7 is not"),
        ({"to": np.array([0, -1], dtype=np.int32)}, "row 0 (Arrived): to 0 is not an id"),
        (
            {"us": np.array([1 << 62, 0], dtype=np.int64)},
            "row 0: us 4611686018427387904 is outside the years 1-9999",
        ),
    ],
)
def test_columns_that_no_events_could_make_are_refused(
    change: dict[str, Any], message: str
) -> None:
    """Bad columns raise InvalidEventError saying what and where, and make no log."""
    cols = columns_of([ARRIVAL, MEETING])
    with pytest.raises(InvalidEventError, match="^columns: .*" + _escape(message)):
        EventLog.from_columns(_broken(cols, **change))


def test_a_signing_whose_deadline_falls_past_the_calendar_is_refused() -> None:
    """Obligations the constructor would refuse (no deadline computable) are refused."""
    signed = AgreementSigned(
        "Pact", ("A",), TOKYO, TOKYO.at("9999-06-01 12:00"),
        obligations=[Obligation("report", within=pendulum.duration(months=1))],
    )  # fmt: skip
    cols = columns_of([signed])
    late = ((Obligation("report", within=pendulum.duration(months=12)),),)
    with pytest.raises(InvalidEventError, match=r"^columns: row 0: .*'report' cannot be computed"):
        EventLog.from_columns(_broken(cols, obligations=late))
    assert EventLog.from_columns(cols)[0] == signed


def _escape(text: str) -> str:
    import re  # noqa: PLC0415 - only here

    return re.escape(text)


def test_only_columns_are_columns() -> None:
    """Anything but LogColumns is refused with the library's error."""
    with pytest.raises(InvalidEventError, match="expected LogColumns, got list"):
        EventLog.from_columns([ARRIVAL])  # type: ignore[arg-type]


def test_the_columns_are_read_only() -> None:
    """No one can change a log's events through its columns."""
    log = EventLog([ARRIVAL])
    with pytest.raises(ValueError, match="read-only"):
        log.columns.us[0] = 0
    assert log[0] == ARRIVAL


def test_every_event_type_has_a_row_in_the_table() -> None:
    """The field table covers the built-in types, kind codes in EVENT_TYPES order, OTHER last."""
    assert tuple(FIELDS) == EVENT_TYPES
    assert tuple(cls.__name__ for cls in EVENT_TYPES) == KINDS
    assert len(EVENT_TYPES) == OTHER
    for cls, fields in FIELDS.items():
        assert [name for name, _ in fields] == [a.name for a in attrs.fields(cls)]


@example(
    recorded=[
        AgreementSigned(
            "Deal", ("A",), TOKYO, TOKYO.at("2025-10-28 10:00"),
            obligations=[Obligation("report", within=pendulum.duration(months=1))],
        ),
        AgreementSigned(
            "Deal", ("A",), SEOUL, TOKYO.at("2025-10-29 10:00"),
            obligations=[Obligation("report", within=pendulum.duration(days=1))],
        ),
    ]
)  # fmt: skip
@given(mixed_lists | delegations())
def test_columns_and_events_give_equal_states_at_every_instant(recorded: list[Event]) -> None:
    """As of each instant an event occurred (and just before the first), columns = events."""
    events = EventLog(recorded)
    log = EventLog.from_columns(events.columns)
    instants = sorted({e.occurred_at for e in recorded}, key=lambda t: t.timestamp())
    if instants:
        instants.insert(0, instants[0] - pendulum.duration(microseconds=1))
    for at in instants:
        state, expected = replay(log, as_of=at), replay(events, as_of=at)
        assert state == expected
        assert state.deadlines == expected.deadlines
        assert state.agreements == expected.agreements
        assert str(state) == str(expected)


@given(mixed_lists | delegations())
def test_a_state_read_from_columns_pickles_and_compares_as_one_of_events(
    recorded: list[Event],
) -> None:
    """The agreements and deadlines a replay of columns defers compare, hash and pickle."""
    expected = replay(EventLog(recorded))
    state = replay(EventLog.from_columns(EventLog(recorded).columns))
    assert state == expected
    assert hash(state) == hash(expected)
    again = pickle.loads(pickle.dumps(replay(EventLog.from_columns(columns_of(recorded)))))
    assert again == expected
    assert again.deadlines == expected.deadlines


@example(
    recorded=[ARRIVAL, attrs.evolve(ARRIVAL, at=TOKYO.at("2025-10-27 18:00")), MEETING],
    cuts=[1, 2],
    force=[False, True, False],
)
@given(
    mixed_lists | delegations(),
    st.lists(st.integers(0, 30), max_size=4),
    st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_a_replay_of_columns_after_appends_is_the_replay_of_the_events(
    recorded: list[Event], cuts: list[int], force: list[bool]
) -> None:
    """Replays between appends (in order or not, deadlines asked for or not) are the events'.

    The replay read from columns keeps its parts with the index and folds only the new
    events onto them; a version older than the furthest replayed is replayed afresh.
    """
    bounds = sorted({min(c, len(recorded)) for c in cuts} | {len(recorded)})
    log = EventLog.from_columns(columns_of(recorded[: bounds[0]]))
    versions, unread = [], []
    for k, bound in enumerate(bounds):
        log = log.extend(recorded[len(log) : bound])
        state, expected = replay(log), replay(EventLog(recorded[:bound]))
        if force[k % len(force)]:
            assert state.deadlines == expected.deadlines
            assert state == expected
        else:  # read only after the later appends: still this version's
            unread.append((state, expected))
        versions.append(log)
    for state, expected in unread:
        assert state.agreements == expected.agreements
        assert state.deadlines == expected.deadlines
    for old in versions:  # older views of the same storage, after the newest was replayed
        assert replay(old) == replay(EventLog(recorded[: len(old)]))
