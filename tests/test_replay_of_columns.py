"""A replay read from columns against the replay of the same events (review of issue 26).

Each test here once found the column path (``projections/_columns.py``, the deferred parts
of ``State``, time travel on columns) saying something the events do not.
"""

from __future__ import annotations

import enum
import gc
import sys
import threading
import types
import weakref

import numpy as np
import pendulum
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import EventLog
from itinerary.events import AgreementSigned, Arrived, Event, Obligation, ObligationMet
from itinerary.places import SEOUL, TOKYO
from itinerary.projections import replay
from itinerary.projections._core import Timeline, TimelineView
from tests.strategies import delegations, event_lists


class Title(enum.StrEnum):
    """Titles of the user's own: a ``str`` subclass, equal to the plain string."""

    DEAL = "Deal"


START = TOKYO.at("2025-10-28 10:00")
REPORT = Obligation("report", within=pendulum.duration(days=3))
titles = st.sampled_from(("Deal", Title.DEAL))


@st.composite
def ledger_events(draw: st.DrawFn) -> list[Event]:
    """Signings and obligations met whose titles are equal strings of two types."""
    found: list[Event] = []
    for hours in draw(st.lists(st.integers(0, 200), max_size=6)):
        at = START.add(hours=hours)
        if draw(st.booleans()):
            place = draw(st.sampled_from((TOKYO, SEOUL)))
            found.append(AgreementSigned(draw(titles), ("A",), place, at, obligations=[REPORT]))
        else:
            found.append(ObligationMet(draw(titles), "report", at))
    return found


@example(
    recorded=[
        AgreementSigned(Title.DEAL, ("A",), TOKYO, START, obligations=[REPORT]),
        AgreementSigned("Deal", ("A",), TOKYO, START.add(days=1), obligations=[REPORT]),
        AgreementSigned(Title.DEAL, ("A",), SEOUL, START.add(days=2), obligations=[REPORT]),
        ObligationMet("Deal", "report", START.add(days=2, hours=1)),
    ]
)
@example(
    recorded=[
        AgreementSigned("Deal", ("A",), TOKYO, START, obligations=[REPORT]),
        AgreementSigned(Title.DEAL, ("A",), SEOUL, START, obligations=[REPORT]),
    ]
)
@given(ledger_events())
def test_equal_titles_of_two_string_types_are_one_agreement_on_columns(
    recorded: list[Event],
) -> None:
    """Equal titles of two string types replay on columns as the events replay them.

    The columns keep ``Title.DEAL`` and ``"Deal"`` as two texts (``columns._KEYS``: the
    value exactly as shown). The ledger read from them once keyed obligations by text id,
    not by the string as the deadlines' map does, so a re-signing or an obligation met
    under the other spelling was lost (first example); and ``column_order`` ranked the two
    texts apart, so two signings at one instant were not ordered by ``tie_key`` as the
    events are (second example: whereabouts and deadlines of the wrong signing).
    """
    events = EventLog(recorded)
    log = EventLog(recorded)
    assert log.columns is not None  # asked for: the log is now kept as columns
    assert log.columnar
    state, expected = replay(log), replay(events)
    assert state.deadlines == expected.deadlines
    assert state == expected
    for event in recorded:  # time travel on the columns' index
        at = event.occurred_at
        assert replay(log, as_of=at) == replay(events, as_of=at)
        assert replay(log, as_of=at).deadlines == replay(events, as_of=at).deadlines


@given(
    event_lists | delegations(),
    st.lists(st.integers(0, 40), max_size=4),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12),
)
def test_time_travel_on_versions_of_columns_is_a_fresh_replay_of_their_events(
    recorded: list[Event], cuts: list[int], questions: list[tuple[int, int]]
) -> None:
    """Versions of one log kept as columns (appends in order or not) share an index.

    Questions asked in any order, about any version and any instant, answer as a fresh
    replay of that version's events as of that instant: snapshots and furthest states
    kept for one version never leak into another's answers.
    """
    bounds = sorted({min(c, len(recorded)) for c in cuts} | {len(recorded)})
    log = EventLog.from_columns(EventLog(recorded[: bounds[0]]).columns)
    versions = [log]
    for bound in bounds[1:]:
        log = log.extend(recorded[len(log) : bound])
        versions.append(log)
    instants = sorted({e.occurred_at for e in recorded}, key=lambda t: t.timestamp())
    for which, when in questions:
        version = versions[which % len(versions)]
        fresh = EventLog(recorded[: len(version)])
        if instants and when % 3:
            at = instants[when % len(instants)]
            state, expected = replay(version, as_of=at), replay(fresh, as_of=at)
        else:
            state, expected = replay(version), replay(fresh)
        assert state == expected
        assert state.deadlines == expected.deadlines


def _tour(n: int) -> list[Event]:
    """*n* arrivals of a few people, a minute apart, in Tokyo and Seoul."""
    return [Arrived(f"P{k % 7}", (TOKYO, SEOUL)[k % 2], START.add(minutes=k)) for k in range(n)]


def test_time_travel_and_appends_from_two_threads_do_not_deadlock() -> None:
    """One thread time-travels on a log kept as columns while another appends and replays.

    Time travel folds under the timeline's lock and builds the events it reads through
    the log, which takes the log's lock; an append's replay grows the timeline holding
    the log's lock, then takes the timeline's. With two locks taken in opposite orders,
    the two threads once waited on each other for ever (the first round, with a short
    switch interval). Each round here joins its threads with a timeout.
    """
    recorded = _tour(3000)
    columns = EventLog(recorded).columns
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(5):
            log = EventLog.from_columns(columns)
            replay(log)  # the index exists: positions and instants, no event built
            start = threading.Barrier(2)

            def travel(log: EventLog = log, start: threading.Barrier = start) -> None:
                start.wait()
                replay(log, as_of=recorded[-5].occurred_at)

            def append(log: EventLog = log, start: threading.Barrier = start) -> None:
                start.wait()
                for k in range(30):
                    log = log.append(Arrived("Zed", TOKYO, START.add(days=10, minutes=k)))
                    replay(log)

            threads = [threading.Thread(target=f, daemon=True) for f in (travel, append)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=10)
            assert not any(thread.is_alive() for thread in threads), "deadlocked"
    finally:
        sys.setswitchinterval(interval)


def test_a_replay_read_from_columns_keeps_no_copy_of_the_order_until_read() -> None:
    """The deferred agreements and deadlines hold the log and its index, not an order copy.

    They once kept the occurrence order they were computed from (a numpy copy, 8 bytes an
    event) from the replay until first read, for as long as the state or the index (which
    keeps the parts for the next replay) lived: 31 bytes an event kept by a replay of
    200,000 events read from columns, 23 without it.
    """
    log = EventLog.from_columns(EventLog(_tour(500)).columns)
    state = replay(log)
    kept, seen, todo = [], set(), [state]
    while todo:  # what the state holds, short of the log, its index and its events
        item = todo.pop()
        if id(item) in seen or isinstance(item, EventLog | TimelineView | Timeline | Event):
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray) and item.size >= len(log):
            kept.append(item)
        if isinstance(item, types.FunctionType):  # what it closes over, not its module
            todo.extend(cell.cell_contents for cell in item.__closure__ or ())
        elif not isinstance(item, type | types.ModuleType):
            todo.extend(gc.get_referents(item))
    assert kept == []
    assert state == replay(EventLog(_tour(500)))


def test_a_log_kept_as_columns_is_freed_when_dropped_after_replays() -> None:
    """Its index and the parts a replay keeps hold no reference back to the log's storage.

    Time travel's index on columns once read events through the log's storage, and the
    deferred parts kept with it held the log: a cycle (storage, index, storage), so a
    dropped log (its columns and every event built) stayed until the cyclic collector ran,
    which a program building few objects may not run for long: 8 loads and replays of
    200,000 events kept 136 MB. A log of events never held one.
    """
    columns = EventLog(_tour(300)).columns
    enabled = gc.isenabled()
    gc.disable()
    try:
        for ask in ("replay", "read", "time travel", "append"):
            log = EventLog.from_columns(columns)
            state = replay(log)
            if ask == "read":
                assert state.deadlines == ()
            elif ask == "time travel":
                replay(log, as_of=log[100].occurred_at)
            elif ask == "append":
                log = log.append(Arrived("Zed", TOKYO, START.add(days=5)))
                state = replay(log)
            kept = weakref.ref(log[0])  # an event the storage keeps once built
            del log, state
            assert kept() is None, ask
    finally:
        if enabled:
            gc.enable()
