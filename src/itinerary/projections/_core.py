"""The replay machinery: projections as folds, occurrence order, and time travel.

A projection is an ``initial`` state and a pure ``evolve(state, event) -> state``. Replaying a
log folds ``evolve`` over its events in the order they *occurred* (not the order they were
recorded). Asking for the state as of an instant folds only the events at or before it.

States must be immutable values: the time-travel index keeps a reference to every 128th
state of a replay, so answering ``as_of`` questions folds at most 127 events per question
after the first replay of a log.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from array import array
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary._gc import bulk
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
    content_key,
)
from itinerary.log import EventLog

__all__ = [
    "Projection",
    "ProjectionLike",
    "Timeline",
    "TimelineView",
    "check_as_of",
    "compose",
    "fold",
    "occurrence_index",
    "occurrence_order",
    "project",
    "timeline",
]

S = TypeVar("S")
S_co = TypeVar("S_co", covariant=True)

SNAPSHOT_EVERY = 128
"""The time-travel index keeps the state after every this many events."""


class ProjectionLike(Protocol[S]):
    """Anything with an ``initial`` state and a pure ``evolve(state, event) -> state``."""

    @property
    def initial(self) -> S:
        """The state before any event."""
        ...

    def evolve(self, state: S, event: Event, /) -> S:
        """The state after *event*; must not change *state*."""
        ...


@attrs.frozen(eq=False)
class Projection(Generic[S]):
    """A view of a log: an initial state and a pure function from (state, event) to state.

    *handles*, if given, is the event classes *evolve* reacts to; other events leave the
    state unchanged without calling it, which lets :func:`compose` skip it.

    >>> from itinerary.events import Arrived
    >>> arrivals = Projection(initial=0, evolve=lambda n, e: n + 1, handles=(Arrived,))
    """

    initial: S
    evolve: Callable[[S, Event], S]
    handles: tuple[type[Event], ...] | None = attrs.field(default=None, kw_only=True)
    name: str = attrs.field(default="projection", kw_only=True)


def fold(projection: ProjectionLike[S], events: Iterable[Event], state: Any = attrs.NOTHING) -> S:
    """Fold *projection* over *events* in the order given, from *state* (default: initial).

    Events of a class the projection does not handle (see the ``handles`` of a :class:`Projection`) leave
    the state as it is. ``fold(p, a + b) == fold(p, b, fold(p, a))``: that is what makes
    snapshots sound.
    """
    evolve = projection.evolve
    handles = getattr(projection, "handles", None)
    current: S = projection.initial if state is attrs.NOTHING else state
    if handles is None:
        for event in events:
            current = evolve(current, event)
    else:
        for event in events:
            if isinstance(event, handles):
                current = evolve(current, event)
    return current


def compose(*projections: ProjectionLike[Any]) -> Projection[tuple[Any, ...]]:
    """One projection whose state is the tuple of the given projections' states.

    Each event is handed only to the projections that handle its class, so composing views
    costs one pass over the log, not one pass per view.
    """
    parts = tuple(projections)
    handles = tuple(getattr(p, "handles", None) for p in parts)

    routes: dict[type[Event], tuple[tuple[int, Callable[[Any, Event], Any]], ...]] = {}

    def route(kind: type[Event]) -> tuple[tuple[int, Callable[[Any, Event], Any]], ...]:
        found = routes.get(kind)
        if found is None:
            found = routes[kind] = tuple(
                (i, p.evolve)
                for i, (p, h) in enumerate(zip(parts, handles, strict=True))
                if h is None or issubclass(kind, h)
            )
        return found

    def evolve(state: tuple[Any, ...], event: Event) -> tuple[Any, ...]:
        kind = type(event)
        targets = routes[kind] if kind in routes else route(kind)
        if not targets:
            return state
        if len(targets) == 1:
            i, step = targets[0]
            return (*state[:i], step(state[i], event), *state[i + 1 :])
        new = list(state)
        for i, step in targets:
            new[i] = step(new[i], event)
        return tuple(new)

    names = ", ".join(getattr(p, "name", type(p).__name__) for p in parts)
    return Projection(tuple(p.initial for p in parts), evolve, name=f"compose({names})")


# Among events at the same instant: arrive, then meet, sign, fulfil, and leave last.
_RANK: dict[type[Event], int] = {
    Arrived: 0,
    MeetingHeld: 1,
    AgreementSigned: 2,
    ObligationMet: 3,
    Departed: 4,
}
_OTHER_RANK = 5


def _rank(event: Event) -> int:
    return _RANK.get(type(event), _OTHER_RANK)


def occurrence_index(events: Sequence[Event]) -> tuple[list[int], list[int]]:
    """The positions of *events* in occurrence order, and each one's sort key.

    A sort key is ``micros(occurred_at) * 8 + rank``: the instant first, then the kind
    (arrivals first, departures last). Events with equal keys are ordered by their contents
    (:func:`~itinerary.events.content_key`), so the order never depends on the order the events were recorded in.
    """
    micros, rank = _time.micros, _RANK.get
    keys = [micros(e.occurred_at) * 8 + rank(type(e), _OTHER_RANK) for e in events]
    index = sorted(range(len(events)), key=keys.__getitem__)
    # Runs of equal (instant, kind): order them by content, so recording order is irrelevant.
    start = 0
    for stop in range(1, len(index) + 1):
        if stop == len(index) or keys[index[stop]] != keys[index[start]]:
            if stop - start > 1:
                index[start:stop] = sorted(index[start:stop], key=lambda i: content_key(events[i]))
            start = stop
    return index, [keys[i] for i in index]


def occurrence_order(events: Sequence[Event]) -> tuple[list[Event], array[int]]:
    """*events* sorted by the instant they occurred, and those instants in microseconds.

    The order does not depend on the order the events were recorded in: ties at one instant
    are broken by kind (arrivals first, departures last), then by the events' contents.
    """
    index, keys = occurrence_index(events)
    return [events[i] for i in index], array("q", (k >> 3 for k in keys))


class Timeline:
    """Events in occurrence order, their instants and recording positions, and snapshots.

    One timeline serves every version of a log that shares its storage: appending events that
    occur after all the others (in recording order) extends it in place, so replaying after
    each append costs the new events, not the whole log. A view of the first *n* recorded
    events uses the first *n* entries; views it cannot serve get a timeline of their own.
    """

    __slots__ = ("base", "events", "keys", "lock", "positions", "snapshots")

    def __init__(self, recorded: Sequence[Event]) -> None:
        with bulk():
            index, full_keys = occurrence_index(recorded)
        self.base = len(recorded)  # views of fewer events cannot use this timeline
        self.events = [recorded[i] for i in index]
        self.positions = array("q", index)  # recording position of each entry
        # Sort keys, micros(instant) * 8 + rank: ascending, so bisect finds an instant in them.
        self.keys = array("q", full_keys)
        self.lock = threading.Lock()
        self.snapshots: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()

    @property
    def size(self) -> int:
        """How many recorded events this timeline orders."""
        return len(self.events)

    def extend(self, recorded: Sequence[Event], upto: int) -> bool:
        """Order recorded events ``size..upto`` too, if each sorts after all before it.

        An event sorts after another if its key is greater, or equal with a content key at least
        as great (the order :func:`occurrence_index` gives a tie). Returns False, changing
        nothing, if one does not: the caller then sorts afresh.
        """
        start = self.size
        micros, rank = _time.micros, _RANK.get
        last = self.keys[-1] if self.keys else -(1 << 63)
        previous = self.events[-1] if self.events else None
        new = []
        for event in recorded[start:upto]:
            key = micros(event.occurred_at) * 8 + rank(type(event), _OTHER_RANK)
            if key < last or (key == last and content_key(event) < content_key(previous)):
                return False
            new.append(key)
            last, previous = key, event
        self.events.extend(recorded[start:upto])
        self.positions.extend(range(start, upto))
        self.keys.extend(new)
        return True

    def states(self, projection: ProjectionLike[S], blocks: int) -> list[S]:
        """The states after 0, K, 2K, ... events, at least *blocks* + 1 of them, kept."""
        with self.lock:
            try:
                saved = self.snapshots.get(projection)
            except TypeError:  # not weakly referable: keep nothing, fold from the start
                saved = None
                keep = False
            else:
                keep = True
            if saved is None:
                saved = [projection.initial]
                if keep:
                    self.snapshots[projection] = saved
            with bulk():
                while len(saved) <= blocks:
                    start = (len(saved) - 1) * SNAPSHOT_EVERY
                    block = self.events[start : start + SNAPSHOT_EVERY]
                    saved.append(fold(projection, block, saved[-1]))
            return saved


@attrs.frozen
class TimelineView:
    """The first *size* entries of a ``Timeline``: one log version's occurrence order."""

    line: Timeline
    size: int

    @property
    def events(self) -> list[Event]:
        """The events in occurrence order."""
        return self.line.events[: self.size]

    @property
    def positions(self) -> array[int]:
        """Each event's position in recording order (``log[position]``)."""
        return self.line.positions[: self.size]

    @property
    def instants(self) -> array[int]:
        """Each event's instant in microseconds since the epoch."""
        return array("q", (k >> 3 for k in self.line.keys[: self.size]))

    def latest(self) -> DateTime | None:
        """The instant of the event that occurred last, or None for no events."""
        return self.line.events[self.size - 1].occurred_at if self.size else None

    def position(self, as_of: datetime | None) -> int:
        """How many events (in occurrence order) occurred at or before *as_of*."""
        if as_of is None:
            return self.size
        # The last key an event at *as_of* can have is micros * 8 + 7 (ranks are 0-7).
        return bisect.bisect_right(self.line.keys, _time.micros(as_of) * 8 + 7, 0, self.size)

    def state(self, projection: ProjectionLike[S], position: int) -> S:
        """The state after the first *position* events in occurrence order."""
        block, extra = divmod(position, SNAPSHOT_EVERY)
        start = block * SNAPSHOT_EVERY
        saved = self.line.states(projection, block)
        return fold(projection, self.line.events[start : start + extra], saved[block])


def timeline(log: EventLog | Iterable[Event]) -> TimelineView:
    """The occurrence order of *log*'s events, indexed for time travel (built on first use).

    The index is the log's (see :meth:`EventLog.index`): shared by the versions of a log
    that share storage and grown in place when events are appended in order; any iterable
    of events is accepted too (indexed afresh).
    """
    if not isinstance(log, EventLog):
        log = EventLog(log)
    return TimelineView(log.index(Timeline), len(log))


def check_as_of(as_of: object) -> DateTime | None:
    """*as_of* as an aware datetime, or :class:`NaiveDatetimeError` saying how to fix it."""
    return None if as_of is None else _time.instant(as_of, what="as_of")


def project(
    log: EventLog | Iterable[Event], projection: ProjectionLike[S], as_of: datetime | None = None
) -> S:
    """The state of *projection* after the events of *log* that occurred at or before *as_of*.

    Without *as_of*, after all the events. The first call folds the log as far as *as_of*
    and keeps every 128th state; later calls with any *as_of* fold at most 127 events more,
    as long as the same projection object is used (snapshots are kept while it lives, and
    are shared by the versions of a log that grew from one another by in-order appends).

    >>> from itinerary import EventLog, Arrived, Projection
    >>> from itinerary.places import TOKYO
    >>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    >>> project(log, Projection(initial=0, evolve=lambda n, e: n + 1))
    1
    """
    line = timeline(log)
    return line.state(projection, line.position(check_as_of(as_of)))
