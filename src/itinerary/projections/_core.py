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
from array import array
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
)
from itinerary.log import EventLog

__all__ = [
    "Projection",
    "ProjectionLike",
    "compose",
    "fold",
    "occurrence_order",
    "project",
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

    Events of a class the projection does not handle (see :attr:`Projection.handles`) leave
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


def occurrence_order(events: Sequence[Event]) -> tuple[list[Event], array[int]]:
    """*events* sorted by the instant they occurred, and those instants in microseconds.

    The order does not depend on the order the events were recorded in: ties at one instant
    are broken by kind (arrivals first, departures last), then by the events' contents.
    """
    micros, rank = _time.micros, _RANK.get
    keys = [micros(e.occurred_at) * 8 + rank(type(e), _OTHER_RANK) for e in events]
    index = sorted(range(len(events)), key=keys.__getitem__)
    ordered = [events[i] for i in index]
    sorted_keys = [keys[i] for i in index]
    # Runs of equal (instant, kind): order them by content, so recording order is irrelevant.
    start = 0
    for stop in range(1, len(ordered) + 1):
        if stop == len(ordered) or sorted_keys[stop] != sorted_keys[start]:
            if stop - start > 1:
                ordered[start:stop] = sorted(ordered[start:stop], key=repr)
            start = stop
    return ordered, array("q", (k >> 3 for k in sorted_keys))


class _Timeline:
    """A log's events in occurrence order, with snapshots of each projection replayed."""

    __slots__ = ("events", "keys", "snapshots")

    def __init__(self, log: EventLog) -> None:
        self.events, self.keys = occurrence_order(list(log))
        self.snapshots: dict[int, tuple[ProjectionLike[Any], list[Any]]] = {}

    def states(self, projection: ProjectionLike[S]) -> list[S]:
        """The state after 0, K, 2K, ... events, folded once and kept."""
        cached = self.snapshots.get(id(projection))
        if cached is not None and cached[0] is projection:
            return cached[1]
        state = projection.initial
        saved = [state]
        events = self.events
        for start in range(0, len(events) - SNAPSHOT_EVERY + 1, SNAPSHOT_EVERY):
            state = fold(projection, events[start : start + SNAPSHOT_EVERY], state)
            saved.append(state)  # after start + SNAPSHOT_EVERY events
        self.snapshots[id(projection)] = (projection, saved)
        return saved

    def position(self, as_of: datetime | None) -> int:
        """How many events (in occurrence order) occurred at or before *as_of*."""
        if as_of is None:
            return len(self.events)
        return bisect.bisect_right(self.keys, _time.micros(as_of))

    def state(self, projection: ProjectionLike[S], position: int) -> S:
        """The state after the first *position* events in occurrence order."""
        block, extra = divmod(position, SNAPSHOT_EVERY)
        start = block * SNAPSHOT_EVERY
        return fold(projection, self.events[start : start + extra], self.states(projection)[block])


def timeline(log: EventLog | Iterable[Event]) -> _Timeline:
    """The log's cached time-travel index (built on first use).

    Any iterable of events is accepted too (checked and indexed afresh each time).
    """
    if not isinstance(log, EventLog):
        log = EventLog(log)
    cache = log._cache
    found = cache.get("timeline")
    if found is None:
        found = cache["timeline"] = _Timeline(log)
    return found


def check_as_of(as_of: object) -> DateTime | None:
    """*as_of* as an aware datetime, or :class:`NaiveDatetimeError` saying how to fix it."""
    return None if as_of is None else _time.instant(as_of, what="as_of")


def project(
    log: EventLog | Iterable[Event], projection: ProjectionLike[S], as_of: datetime | None = None
) -> S:
    """The state of *projection* after the events of *log* that occurred at or before *as_of*.

    Without *as_of*, after all the events. The first call on a log folds it once and keeps
    snapshots; later calls with any *as_of* fold at most 127 events.

    >>> from itinerary import EventLog, Arrived, Projection
    >>> from itinerary.places import TOKYO
    >>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    >>> project(log, Projection(initial=0, evolve=lambda n, e: n + 1))
    1
    """
    line = timeline(log)
    return line.state(projection, line.position(check_as_of(as_of)))
