"""The replay machinery: projections as folds, occurrence order, and time travel.

A projection is an ``initial`` state and a pure ``evolve(state, event) -> state``. Replaying a
log folds ``evolve`` over its events in the order they *occurred* (not the order they were
recorded). Asking for the state as of an instant folds only the events at or before it.

States must be immutable values: the index keeps the furthest state folded, and, once a
question is asked about an earlier instant, a reference to every 128th state up to it, so
each later ``as_of`` question folds at most 127 events.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import threading
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt
from pendulum import DateTime

from itinerary import _time
from itinerary._compat import bulk
from itinerary.columns import LogColumns
from itinerary.events import (
    EVENT_TYPES,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.log import EventLog
from itinerary.places import Place

__all__ = [
    "Projection",
    "ProjectionLike",
    "Timeline",
    "TimelineView",
    "check_as_of",
    "column_order",
    "compose",
    "fold",
    "occurrence_index",
    "occurrence_order",
    "project",
    "tie_key",
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

    *evolve_many*, if given, folds a list of events (of the classes it handles) in one call:
    ``evolve_many(state, events)`` must equal folding *evolve* over *events* from *state*,
    and must not change *state*. Replay uses it for each block of events between two kept
    snapshots, so it can build the next state with transient mutation and keep only the
    last of each value (the built-in projections do).

    >>> from itinerary.events import Arrived
    >>> arrivals = Projection(initial=0, evolve=lambda n, e: n + 1, handles=(Arrived,),
    ...                       evolve_many=lambda n, events: n + len(events))
    """

    initial: S
    evolve: Callable[[S, Event], S]
    handles: tuple[type[Event], ...] | None = attrs.field(default=None, kw_only=True)
    name: str = attrs.field(default="projection", kw_only=True)
    evolve_many: Callable[[S, list[Event]], S] | None = attrs.field(default=None, kw_only=True)


def fold(projection: ProjectionLike[S], events: Iterable[Event], state: Any = attrs.NOTHING) -> S:
    """Fold *projection* over *events* in the order given, from *state* (default: initial).

    Events of a class the projection does not handle (see the ``handles`` of a :class:`Projection`) leave
    the state as it is. ``fold(p, a + b) == fold(p, b, fold(p, a))``: that is what makes
    snapshots sound. A projection with an ``evolve_many`` gets the events it handles in one
    call.
    """
    handles = getattr(projection, "handles", None)
    current: S = projection.initial if state is attrs.NOTHING else state
    many = getattr(projection, "evolve_many", None)
    if many is not None:
        chosen = list(events) if handles is None else [e for e in events if isinstance(e, handles)]
        return many(current, chosen) if chosen else current
    evolve = projection.evolve
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

    manys = tuple(getattr(p, "evolve_many", None) for p in parts)
    wants: dict[type[Event], frozenset[int]] = {}  # event class -> the parts handling it

    def evolve_many(state: tuple[Any, ...], events: list[Event]) -> tuple[Any, ...]:
        kinds = set(map(type, events))
        for kind in kinds - wants.keys():
            wants[kind] = frozenset(i for i, _ in route(kind))
        new = list(state)
        for i, part in enumerate(parts):
            mine = {kind for kind in kinds if i in wants[kind]}
            if not mine:
                continue
            chosen = (
                events
                if len(mine) == len(kinds)
                else list(itertools.compress(events, map(mine.__contains__, map(type, events))))
            )
            many = manys[i]
            if many is not None:
                new[i] = many(new[i], chosen)
            else:
                step, current = part.evolve, new[i]
                for event in chosen:
                    current = step(current, event)
                new[i] = current
        return tuple(new)

    names = ", ".join(getattr(p, "name", type(p).__name__) for p in parts)
    return Projection(
        tuple(p.initial for p in parts),
        evolve,
        name=f"compose({names})",
        evolve_many=evolve_many,
    )


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


def _us(event: Event) -> int:
    """The instant of *event* in microseconds: kept on the event, computed once if missing."""
    try:
        return event._us  # type: ignore[attr-defined,no-any-return]
    except AttributeError:  # made without its constructor (unpickled elsewhere, unchecked)
        found = _time.micros(event.occurred_at)
        _SET_US(event, found)
        return found


_SET_US = Event._us.__set__  # type: ignore[attr-defined]
_GET_US = operator.attrgetter("_us")


def _instants(events: Sequence[Event]) -> list[int]:
    """The instant of each event in microseconds (see :func:`_us`)."""
    try:
        return list(map(_GET_US, events))
    except AttributeError:
        return [_us(e) for e in events]


# The tie order: among events of one kind at one instant, by their identifying field first
# (who moved, the meeting's or agreement's title, the agreement an obligation belongs to),
# then by the rest of their contents. Plain strings, numbers and tuples of them: cheap to
# compute, and they never depend on how an event or a place is shown (repr).
_FIRST: dict[type[Event], Callable[[Any], str]] = {
    Arrived: operator.attrgetter("who"),
    Departed: operator.attrgetter("who"),
    MeetingHeld: operator.attrgetter("title"),
    AgreementSigned: operator.attrgetter("title"),
    ObligationMet: operator.attrgetter("agreement"),
}


def _opt(value: float | None) -> tuple[int, float]:
    return (0, 0.0) if value is None else (1, value)


def _place_key(place: Place | None) -> tuple[Any, ...]:
    if place is None:
        return ()
    return (place.name, place.country, place.tz, _opt(place.lat), _opt(place.lon))


def _zone(value: datetime) -> str:
    """The zone an instant is shown in: its IANA name, or its offset (``+09:00``)."""
    return _time.zone_name(value) or _time.format_offset(value)


def _obligation_key(obligation: Obligation) -> tuple[Any, ...]:
    if obligation.due is not None:
        return (obligation.what, 0, (_time.micros(obligation.due), _zone(obligation.due)))
    assert obligation.within is not None
    return (obligation.what, 1, _time.duration_parts(obligation.within))


def _arrived_key(e: Arrived) -> tuple[Any, ...]:
    return (e.who, _place_key(e.place), _zone(e.at))


def _departed_key(e: Departed) -> tuple[Any, ...]:
    return (e.who, _place_key(e.place), _place_key(e.to), _zone(e.at))


def _meeting_key(e: MeetingHeld) -> tuple[Any, ...]:
    return (
        e.title, e.participants, _place_key(e.place), _time.micros(e.end), e.venue or "",
        _zone(e.start), _zone(e.end),
    )  # fmt: skip


def _signing_key(e: AgreementSigned) -> tuple[Any, ...]:
    obligations = tuple(map(_obligation_key, e.obligations))
    return (e.title, e.signatories, _place_key(e.place), e.venue or "", obligations, _zone(e.at))


def _met_key(e: ObligationMet) -> tuple[Any, ...]:
    return (e.agreement, e.what, _zone(e.at))


_KEYS: dict[type[Event], Callable[[Any], tuple[Any, ...]]] = {
    Arrived: _arrived_key,
    Departed: _departed_key,
    MeetingHeld: _meeting_key,
    AgreementSigned: _signing_key,
    ObligationMet: _met_key,
}


def _content(value: object) -> tuple[Any, ...]:  # noqa: PLR0911 - one return per kind of value
    """A comparable key for a field value of an event class of your own (see tie_key)."""
    if value is None:
        return (0,)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, datetime):
        return (3, _time.micros(value))
    if isinstance(value, timedelta):
        return (4, _time.duration_parts(value))
    if isinstance(value, Place):
        return (5, _place_key(value))
    if isinstance(value, tuple | list):
        return (6, tuple(map(_content, value)))
    if isinstance(value, frozenset | set):
        return (7, tuple(sorted(map(_content, value))))
    kind = type(value)
    if attrs.has(kind):
        fields = attrs.fields(kind)
        return (8, _name(kind), tuple(_content(getattr(value, a.name)) for a in fields if a.eq))
    return (9, _name(kind))  # nothing known to compare by: recording order decides


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def tie_key(event: Event) -> tuple[Any, ...]:
    """What orders *event* among events of its kind that occurred at the same instant.

    For the built-in events, their identifying field first, then the rest of their contents
    (places by name, country, zone and coordinates; instants by their microseconds), and
    last the zones their instants are shown in (an IANA name, or an offset such as
    ``+09:00``): ``(who, place, zone)`` for an arrival, ``(who, place, to, zone)`` for a
    departure, ``(title, participants, place, end, venue, start zone, end zone)`` for a
    meeting, ``(title, signatories, place, venue, obligations, zone)`` for a signing and
    ``(agreement, what, zone)`` for an obligation met. An event of a class of your own is
    ordered by its class's qualified name, then by its attrs fields. Equal keys mean events
    that are the same down to the zone of each instant (for the built-in classes), so the
    order never depends on the order they were recorded in, nor on how they are shown.
    """
    found = _KEYS.get(type(event))
    if found is not None:
        return found(event)
    return _content(event)


def _full_key(event: Event) -> tuple[int, tuple[Any, ...]]:
    return _rank(event), tie_key(event)


def _sort_run(run: list[Event]) -> None:
    """Order *run*, events at one instant, by kind then :func:`tie_key`, in place."""
    first = _FIRST.get(run[0].__class__)
    if first is not None and len(set(map(type, run))) == 1:
        # One built-in kind: its identifying field decides, if no two events share it.
        by = dict(zip(map(first, run), run, strict=True))
        if len(by) == len(run):
            run[:] = map(by.__getitem__, sorted(by))
            return
    run.sort(key=_full_key)  # stable: equal keys keep their recording order


def _sorted_events(events: Sequence[Event]) -> tuple[list[Event], list[int]]:
    """*events* in occurrence order (a new list), and their instants in microseconds."""
    try:
        ordered = sorted(events, key=_GET_US)
    except AttributeError:  # some made without their constructor: keep their instants
        _instants(events)
        ordered = sorted(events, key=_GET_US)
    keys = list(map(_GET_US, ordered))
    same = list(map(operator.eq, keys, keys[1:]))  # same[i]: entry i ties with i + 1
    ties = same.count(True)
    if not ties:
        return ordered, keys
    n = len(keys)
    if ties * 4 < n:  # few ties: find the runs from their instants
        lo = 0
        for instant in dict.fromkeys(itertools.compress(keys, same)):
            start = bisect.bisect_left(keys, instant, lo)
            lo = stop = bisect.bisect_right(keys, instant, start)
            run = ordered[start:stop]
            _sort_run(run)
            ordered[start:stop] = run
        return ordered, keys
    # Many (delegations): where each run of equal instants starts, then the runs of 2 or more.
    bounds = [0, *itertools.compress(range(1, n), map(operator.not_, same)), n]
    sizes = map(operator.sub, bounds[1:], bounds)
    for start, stop in itertools.compress(
        itertools.pairwise(bounds), map(operator.gt, sizes, _ONES)
    ):
        run = ordered[start:stop]
        _sort_run(run)
        ordered[start:stop] = run
    return ordered, keys


_ONES = itertools.repeat(1)


def _kind_ranks() -> npt.NDArray[np.int8]:
    """Each kind code's rank (itinerary.columns.KINDS, then OTHER), read from :data:`_RANK`.

    Read at each sort, so that events and columns share one source of the order.
    """
    ranks = [_RANK.get(cls, _OTHER_RANK) for cls in EVENT_TYPES] + [_OTHER_RANK]
    return np.array(ranks, dtype=np.int8)


def column_order(
    cols: LogColumns, get: Callable[[int], Event]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The recording positions of *cols*' rows in occurrence order, and their instants.

    The order ``occurrence_index`` gives the events, from the columns: one
    ``np.lexsort`` on the instant, the kind's rank and the identifying name's place in
    string order; rows still tied on all three (rare: one name twice at one instant) are
    ordered by :func:`tie_key`, stably, reading only those events (``get(position)``).
    """
    names = cols.texts
    by_text = np.zeros(len(names) + 1, dtype=np.int64)  # the last entry: no name (-1)
    ranked = sorted(range(len(names)), key=names.__getitem__)
    # Equal strings share a rank: two texts the columns keep apart (a str subclass and the
    # plain string) tie as the events' names tie, and are then ordered by tie_key.
    ordered = [names[i] for i in ranked]
    firsts = [k == 0 or ordered[k] != ordered[k - 1] for k in range(len(ordered))]
    by_text[np.array(ranked, dtype=np.int64)] = np.cumsum(firsts, dtype=np.int64) - 1
    ranks = _kind_ranks()[cols.kind]
    name_ranks = by_text[cols.name]
    order = np.lexsort((name_ranks, ranks, cols.us))
    us, ranks, name_ranks = cols.us[order], ranks[order], name_ranks[order]
    tied = (us[1:] == us[:-1]) & (ranks[1:] == ranks[:-1]) & (name_ranks[1:] == name_ranks[:-1])
    if tied.any():  # runs of two or more entries that agree on all three keys
        starts = np.flatnonzero(tied & ~np.concatenate(([False], tied[:-1])))
        stops = np.flatnonzero(tied & ~np.concatenate((tied[1:], [False]))) + 2
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            run = order[start:stop].tolist()
            run.sort(key=lambda i: _full_key(get(i)))  # stable: recording order last
            order[start:stop] = run
    return order.astype(np.int64), us


def _sorts_after(event: Event, previous: Event) -> bool:
    """Whether *event*, at the same instant as *previous*, sorts at or after it."""
    rank, before = _rank(event), _rank(previous)
    if rank != before:
        return rank > before
    return bool(tie_key(event) >= tie_key(previous))


def _positions(recorded: Sequence[Event], ordered: Sequence[Event]) -> list[int]:
    """Where each of *ordered* (a permutation of *recorded*) is in *recorded*.

    An event object recorded more than once is given its positions in increasing order,
    as the stable sort that ordered it left them.
    """
    where = dict(zip(map(id, recorded), range(len(recorded)), strict=True))
    if len(where) == len(recorded):  # every entry a distinct object
        return list(map(where.__getitem__, map(id, ordered)))
    queues: dict[int, list[int]] = {}
    for position, event in enumerate(recorded):
        queues.setdefault(id(event), []).append(position)
    for queue in queues.values():
        queue.reverse()
    return [queues[id(event)].pop() for event in ordered]


def occurrence_index(events: Sequence[Event]) -> tuple[list[int], list[int]]:
    """The positions of *events* in occurrence order, and each one's instant in microseconds.

    Events are ordered by the instant they occurred; events at one instant by kind
    (arrivals, meetings, signings, obligations met, departures, then others), then by
    :func:`tie_key`. So the order never depends on the order the events were recorded in.
    """
    ordered, keys = _sorted_events(events)
    return _positions(events, ordered), keys


def occurrence_order(events: Sequence[Event]) -> tuple[list[Event], array[int]]:
    """*events* sorted by the instant they occurred, and those instants in microseconds.

    The order does not depend on the order the events were recorded in: ties at one instant
    are broken by kind (arrivals first, departures last), then by :func:`tie_key`.
    """
    ordered, keys = _sorted_events(events)
    return ordered, array("q", keys)


class _Ordered:
    """A timeline's events in occurrence order, read from the log when a fold needs them.

    The timeline of a log kept as columns holds no event per entry: an entry is its
    recording position, and its event is built the first time it is read (and kept by the
    log, so ``log[i]`` is the same object).
    """

    __slots__ = ("positions", "take")

    def __init__(self, take: Callable[[Sequence[int]], list[Event]], positions: array[int]) -> None:
        self.take = take
        self.positions = positions  # the timeline's own array: it grows with the timeline

    def __len__(self) -> int:
        return len(self.positions)

    def __bool__(self) -> bool:
        return bool(self.positions)

    def __iter__(self) -> Iterator[Event]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return self.take(self.positions[index])
        return self.take((self.positions[index],))[0]


class Timeline:
    """Events in occurrence order, their instants and recording positions, and snapshots.

    The instants and positions are kept once a question needs them (time travel, a check):
    a replay to the end holds only the ordered events and the states folded.

    One timeline serves every version of a log that shares its storage: appending events that
    occur after all the others (in recording order) extends it in place, so replaying after
    each append costs the new events, not the whole log. A view of the first *n* recorded
    events uses the first *n* entries; views it cannot serve get a timeline of their own.
    """

    __slots__ = ("base", "events", "keys", "lock", "positions", "reached", "snapshots")

    def __init__(self, recorded: Sequence[Event]) -> None:
        # Each entry's instant in microseconds (ascending, so bisect finds an instant in
        # them), kept when first asked for (see instants()): a replay to the end needs none.
        self.keys: array[int] | None = None
        # The recording position of each entry, found when first asked for (see recorded()).
        self.positions: array[int] | None = None
        columns = getattr(recorded, "columns", None)  # a log kept as columns (log.Recorded)
        take = getattr(recorded, "take", None)
        self.events: list[Event] | _Ordered
        if isinstance(columns, LogColumns) and len(columns) == len(recorded) and take:
            # Positions and instants only: an event is built when a fold reads it.
            order, instants = column_order(columns, recorded.__getitem__)
            self.keys = array("q", instants.astype(np.int64).tobytes())
            self.positions = array("q", order.astype(np.int64).tobytes())
            self.events = _Ordered(take, self.positions)
        else:
            with bulk():
                self.events, _ = _sorted_events(recorded)
        self.base = len(recorded)  # views of fewer events cannot use this timeline
        # The log's own lock if it has one (log.Recorded.lock, re-entrant): a fold under this
        # lock builds events under the log's, and the log grows this timeline holding its
        # own; one lock for both, or a thread time-travelling and one appending deadlock.
        self.lock = getattr(recorded, "lock", None) or threading.RLock()
        # Per projection (kept while it lives): the state after every K-th entry, as far as
        # time travel has needed them, and the furthest state folded, as (position, state).
        self.snapshots: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()
        self.reached: weakref.WeakKeyDictionary[Any, tuple[int, Any]] = weakref.WeakKeyDictionary()

    def instants(self) -> array[int]:
        """Each entry's instant in microseconds since the epoch: kept once asked for."""
        keys = self.keys
        if keys is None:
            with self.lock:
                if self.keys is None:  # every entry keeps its instant once sorted
                    self.keys = array("q", map(_GET_US, self.events))
                keys = self.keys
        return keys

    def recorded(self, log: Iterable[Event]) -> array[int]:
        """Each entry's position in recording order, given the *log* it was built from.

        *log* is any version of that log covering the timeline's first ``base`` recorded
        events (they never change); found once, then kept and grown by :meth:`extend`.
        """
        with self.lock:
            if self.positions is None:
                head = list(itertools.islice(log, self.base))
                found = array("q", _positions(head, self.events[: self.base]))
                found.extend(range(self.base, self.size))
                self.positions = found
            return self.positions

    @property
    def size(self) -> int:
        """How many recorded events this timeline orders."""
        return len(self.events)

    def extend(self, recorded: Sequence[Event], upto: int) -> bool:
        """Order recorded events ``size..upto`` too, if each sorts after all before it.

        An event sorts after another if its instant is later, or the same with a kind and a
        :func:`tie_key` at least as great (the order ``occurrence_index`` gives a tie).
        Returns False, changing nothing, if one does not: the caller then sorts afresh.
        """
        start = self.size
        last = _us(self.events[-1]) if self.events else -(1 << 63)
        previous = self.events[-1] if self.events else None
        new = []
        for event in recorded[start:upto]:
            key = _us(event)
            if key < last or (
                key == last and previous is not None and not _sorts_after(event, previous)
            ):
                return False
            new.append(key)
            last, previous = key, event
        with self.lock:  # instants() and recorded() may be filling in their arrays
            if isinstance(self.events, list):  # else it reads the positions
                self.events.extend(recorded[start:upto])
            if self.positions is not None:
                self.positions.extend(range(start, upto))
            if self.keys is not None:
                self.keys.extend(new)
        return True

    def state(self, projection: ProjectionLike[S], position: int) -> S:
        """The state of *projection* after the first *position* entries.

        Folds from the nearest state kept at or before *position*: the snapshot after every
        K-th entry, or the furthest state folded so far. A question at or beyond the furthest
        state (a first replay, or one after appends) folds there in one go and keeps the
        result, without snapshots; a question before it keeps the snapshots up to its block
        first, so every later question folds fewer than K events.
        """
        with self.lock:
            try:
                saved = self.snapshots.get(projection)
                reached = self.reached.get(projection)
            except TypeError:  # not weakly referable: keep nothing, fold from the start
                with bulk():
                    return fold(projection, self.events[:position])
            if saved is None:
                saved = self.snapshots[projection] = [projection.initial]
            block = position // SNAPSHOT_EVERY
            nearest = min(block, len(saved) - 1)
            start, state = nearest * SNAPSHOT_EVERY, saved[nearest]
            if reached is not None and start < reached[0] <= position:
                start, state = reached
            if position - start < SNAPSHOT_EVERY:
                state = fold(projection, self.events[start:position], state)
                if start == (0 if reached is None else reached[0]) < position:
                    # Forward from the furthest state (a follower's next event): keep it,
                    # so the next question folds only what came after it.
                    self.reached[projection] = (position, state)
                return state
            with bulk():
                if reached is None or position >= reached[0]:
                    state = fold(projection, self.events[start:position], state)
                    self.reached[projection] = (position, state)
                    return state
                if isinstance(
                    self.events, _Ordered
                ):  # build the events in one go, not 128 at a time
                    self.events[(len(saved) - 1) * SNAPSHOT_EVERY : block * SNAPSHOT_EVERY]
                while len(saved) <= block:
                    start = (len(saved) - 1) * SNAPSHOT_EVERY
                    chunk = self.events[start : start + SNAPSHOT_EVERY]
                    saved.append(fold(projection, chunk, saved[-1]))
            start = block * SNAPSHOT_EVERY
            return fold(projection, self.events[start:position], saved[block])


@attrs.frozen
class TimelineView:
    """The first *size* entries of a ``Timeline``: one log version's occurrence order."""

    line: Timeline
    size: int
    # The log version it views: where its recording positions are found (see positions).
    log: EventLog | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def events(self) -> list[Event]:
        """The events in occurrence order."""
        return self.line.events[: self.size]

    @property
    def positions(self) -> array[int]:
        """Each event's position in recording order (``log[position]``)."""
        found = self.line.positions
        if found is None:
            if self.log is None:
                raise TypeError("positions are found from the log: make views with timeline(log)")
            found = self.line.recorded(self.log)
        return found[: self.size]

    @property
    def instants(self) -> array[int]:
        """Each event's instant in microseconds since the epoch."""
        return self.line.instants()[: self.size]

    def latest(self) -> DateTime | None:
        """The instant of the event that occurred last, or None for no events."""
        return self.line.events[self.size - 1].occurred_at if self.size else None

    def position(self, as_of: datetime | None) -> int:
        """How many events (in occurrence order) occurred at or before *as_of*."""
        if as_of is None:
            return self.size
        return bisect.bisect_right(self.line.instants(), _time.micros(as_of), 0, self.size)

    def state(self, projection: ProjectionLike[S], position: int) -> S:
        """The state after the first *position* events in occurrence order."""
        return self.line.state(projection, position)


def timeline(log: EventLog | Iterable[Event]) -> TimelineView:
    """The occurrence order of *log*'s events, indexed for time travel (built on first use).

    The index is the log's (see :meth:`EventLog.index`): shared by the versions of a log
    that share storage and grown in place when events are appended in order; any iterable
    of events is accepted too (indexed afresh).
    """
    if not isinstance(log, EventLog):
        log = EventLog(log)
    return TimelineView(log.index(Timeline), len(log), log)


def check_as_of(as_of: object) -> DateTime | None:
    """*as_of* as an aware datetime, or :class:`NaiveDatetimeError` saying how to fix it."""
    return None if as_of is None else _time.instant(as_of, what="as_of")


def project(
    log: EventLog | Iterable[Event], projection: ProjectionLike[S], as_of: datetime | None = None
) -> S:
    """The state of *projection* after the events of *log* that occurred at or before *as_of*.

    Without *as_of*, after all the events. The first call folds the log as far as *as_of*
    in one go and keeps that state; a call about an earlier instant keeps every 128th state
    up to it, and from then on each call folds at most 127 events, as long as the same
    projection object is used (states are kept while it lives, and are shared by the
    versions of a log that grew from one another by in-order appends).

    >>> from itinerary import EventLog, Arrived, Projection
    >>> from itinerary.places import TOKYO
    >>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    >>> project(log, Projection(initial=0, evolve=lambda n, e: n + 1))
    1
    """
    line = timeline(log)
    return line.state(projection, line.position(check_as_of(as_of)))
