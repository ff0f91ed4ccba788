"""EventLog: an immutable, versioned, append-only record of events.

Appending returns a new log and leaves the old one as it was:

>>> from itinerary.places import TOKYO
>>> from itinerary.events import Arrived
>>> empty = EventLog()
>>> one = empty.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")))
>>> empty.version, one.version
(0, 1)

Logs share storage: a log is a view of the first ``version`` entries of a list that only ever
grows. Appending to the newest view pushes onto the list (amortised O(1)); appending to an
older view, which would fork history, copies its entries first, so no view ever changes.
"""

from __future__ import annotations

import functools
import itertools
import operator
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast, overload

from itinerary import _records, _time
from itinerary._compat import bulk
from itinerary._records import (
    EPOCH,
    INSTANT,
    INT,
    LOCAL,
    OBJECT,
    OFFSETS,
    PERSON,
    PLACE,
    STR,
    ZONE,
    Columns,
    category,
    delta_micros,
    local_parts,
    offset_text,
    utc,
)
from itinerary._table import HEAD, TAIL, Table, head_tail
from itinerary.columns import Encoder, LogColumns, checked
from itinerary.errors import ConcurrencyError, InvalidEventError, VersionError
from itinerary.events import (
    EVENT_HEADERS,
    EVENT_TYPES,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
    event_row,
)
from itinerary.places import Place

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["EventLog", "Index", "Recorded", "checked_batch"]


class Index(Protocol):
    """What a log needs of an index over its recorded events to share it (see :meth:`EventLog.index`).

    The replay index (``itinerary.projections._core.Timeline``) is one.
    """

    @property
    def base(self) -> int:
        """How many recorded events it was built from; fewer cannot use it."""
        ...

    @property
    def size(self) -> int:
        """How many recorded events it covers (``base`` or more, after :meth:`extend`)."""
        ...

    def extend(self, recorded: Sequence[Event], upto: int, /) -> bool:
        """Cover recorded events ``size..upto`` too; False, changing nothing, if it cannot."""
        ...


class Recorded(Sequence[Event]):
    """The recorded events an index is built from, with their columns if the log keeps them.

    A sequence of events: ``recorded[i]``, slices (lists), iteration, and :meth:`take`.
    ``lock`` is the re-entrant lock the log builds events and grows its indexes under.
    ``columns`` is set (a :class:`~itinerary.columns.LogColumns` of the same events) when the
    log holds its events as columns (one made by :meth:`EventLog.from_columns`, or asked for
    :attr:`~EventLog.columns`), so an index can order them with numpy instead of reading
    every event; its events are then built only when read (and kept by the log). Else
    ``None``, and the events are a list.
    """

    __slots__ = ("_get", "_size", "_take", "columns", "lock")

    def __init__(self, events: Iterable[Event], columns: LogColumns | None = None) -> None:
        found = list(events)
        self._size = len(found)
        self._get: Callable[[int], Event] = found.__getitem__
        self._take: Callable[[Sequence[int]], list[Event]] = lambda ps: list(
            map(found.__getitem__, ps)
        )
        self.columns = columns
        # The re-entrant lock the log builds events under (see _lazy); a fresh one here.
        self.lock: Any = threading.RLock()

    @classmethod
    def _lazy(cls, tape: _Tape, size: int, columns: LogColumns | None) -> Recorded:
        found = cls.__new__(cls)
        # The tape held weakly: an index keeps this sequence's take() (time travel on
        # columns reads events through it) and the tape keeps the index, so a strong
        # reference would make a cycle, and a dropped log would wait for the collector.
        # Whoever holds the index holds the tape too (the log, or a view of it).
        alive = weakref.ref(tape)
        found._size, found.columns = size, columns
        found._get = lambda i: _held(alive).get(i)
        found._take = lambda positions: _held(alive).take(positions)
        # An index that reads events (building them) while holding a lock of its own, and
        # that the log grows while holding this one, uses this lock as its own: two locks
        # taken in opposite orders by two threads would deadlock.
        found.lock = tape.lock
        return found

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return self._take(range(self._size)[index])
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(f"index {index} out of range for {self._size} recorded events")
        return self._get(index)

    def __iter__(self) -> Iterator[Event]:
        return iter(self[:])

    def take(self, positions: Sequence[int]) -> list[Event]:
        """The events at *positions* (each in range), in that order; built together if need be."""
        return self._take(positions)


IndexT = TypeVar("IndexT", bound=Index)
Build = Callable[[Sequence[Event]], IndexT]


class _Tape:
    """The shared, grow-only list behind one or more log views, and the indexes they share.

    A tape made of columns (:meth:`EventLog.from_columns`) starts with ``None`` for each
    event and builds an event the first time it is read, then keeps it (so ``log[i]`` is the
    same object each time); ``built`` is how many leading entries are certainly built. A
    tape made of events keeps, once asked for, their columns for a prefix (``columns``).
    """

    __slots__ = ("__weakref__", "built", "columns", "events", "indexes", "lock")

    def __init__(self, events: list[Event | None], columns: Encoder | None = None) -> None:
        self.events = events
        self.columns = columns
        self.built = len(events) if columns is None else 0
        self.lock = threading.RLock()  # an index built under it reads events through it
        self.indexes: dict[Build[Index], Index] = {}  # by the function that builds each

    def fill(self, upto: int) -> list[Event]:
        """The events, the first *upto* of them built (this takes the lock)."""
        if self.built < upto:
            with self.lock:
                self._fill(upto)
        return cast("list[Event]", self.events)

    def _fill(self, upto: int) -> None:
        """Build the events ``built..upto`` that are not built yet; the caller holds the lock."""
        if self.built >= upto:
            return
        assert self.columns is not None
        events = self.events
        # Entries past the columns' rows were appended as events: nothing to build there.
        with bulk():  # many new objects, no cycles: see _compat.bulk
            built = self.columns.events(self.built, min(upto, self.columns.size))
        for i, event in enumerate(built, self.built):
            if events[i] is None:  # else read before (log[i]): keep that object
                events[i] = event
        self.built = upto

    def get(self, i: int) -> Event:
        """Entry *i*, built first if need be (once: every later read gets the same object)."""
        found = self.events[i]
        if found is None:
            with self.lock:
                found = self.events[i]
                if found is None:
                    assert self.columns is not None
                    found = self.events[i] = self.columns.event(i)
        return found

    def recorded(self, size: int) -> Recorded:
        """The first *size* entries, with their columns if this tape keeps them.

        Not a copy: the events are read through :meth:`get` and :meth:`take`. A tape of
        events: the caller has filled the entries. A tape kept as columns: with its columns
        (entries appended as events encoded first), and only the events read are built.
        """
        return Recorded._lazy(self, size, None if self.columns is None else self.view(size))

    def take(self, positions: Sequence[int]) -> list[Event]:
        """The entries at *positions*, those not built yet built together (then kept)."""
        events = self.events
        found = list(map(events.__getitem__, positions))
        if self.built < len(events) and any(map(_IS_NONE, found)):
            with self.lock:
                missing = [p for p in dict.fromkeys(positions) if events[p] is None]
                if missing:
                    assert self.columns is not None
                    with bulk():
                        built = self.columns.events_at(missing)
                    for position, event in zip(missing, built, strict=True):
                        events[position] = event
            found = list(map(events.__getitem__, positions))
        return cast("list[Event]", found)

    def view(self, size: int) -> LogColumns:
        """The columns of the first *size* entries, encoding any not encoded yet."""
        with self.lock:
            columns = self.columns
            if columns is None:
                columns = self.columns = Encoder()
            if columns.size < size:  # a tape made of events: its columns are a cache
                columns.add_events(cast("list[Event]", self.events[columns.size : size]))
            return columns.view(size)


_IS_NONE = functools.partial(operator.is_, None)


def _held(tape: weakref.ref[_Tape]) -> _Tape:
    """The tape *tape* refers to (alive while its index is used: see Recorded._lazy)."""
    found = tape()
    assert found is not None, "an index outlived the log it indexes"
    return found


def checked_batch(events: Iterable[Event], start: int) -> list[Event]:
    """*events* as a list, or :class:`InvalidEventError` naming the first non-event.

    *start* is the number of events already recorded, so the message gives the entry's
    position and version in the log (or store) it was meant for.
    """
    batch = list(events)
    for offset, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidEventError(
                f"log entry {start + offset} (version {start + offset + 1}) is a "
                f"{type(event).__name__}, not an event: {event!r}"
            )
    return batch


class EventLog:
    """An immutable sequence of events in the order they were recorded.

    ``version`` is the number of events recorded; ``upto(v)`` is the log as it was at
    version ``v``. Appending with ``expected_version`` guards against lost updates: if the
    log is not at that version, :class:`~itinerary.errors.ConcurrencyError` is raised and
    nothing is appended.
    """

    __slots__ = ("__weakref__", "_own", "_size", "_tape")

    _tape: _Tape
    _size: int
    _own: dict[Build[Index], Index]  # indexes of this view alone (see index())

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._tape = _Tape(cast("list[Event | None]", checked_batch(events, 0)))
        self._size = len(self._tape.events)
        self._own = {}

    @classmethod
    def from_columns(cls, columns: LogColumns) -> EventLog:
        """A log of the events *columns* holds, kept as columns (see :mod:`itinerary.columns`).

        The bulk door of columnar stores: the log costs its columns, and builds an event
        the first time it is read (then keeps it). *columns* is checked as the event
        constructors would check each event (:class:`~itinerary.errors.InvalidEventError`
        otherwise), once per column and dictionary entry.

        >>> from itinerary.columns import columns_of
        >>> from itinerary.places import TOKYO
        >>> from itinerary.events import Arrived
        >>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
        >>> EventLog.from_columns(log.columns) == log
        True
        """
        encoder = Encoder()
        encoder.add_columns(checked(columns))
        tape = _Tape([None] * encoder.size, encoder)
        return cls._view(tape, encoder.size)

    @property
    def columns(self) -> LogColumns:
        """The log's events as columns (see :mod:`itinerary.columns`).

        A log made from columns has them already; a log made of events encodes them the
        first time they are asked for, and keeps them for the versions that share its
        storage (appending then encodes only the new events).
        """
        return self._tape.view(self._size)

    @property
    def columnar(self) -> bool:
        """Whether the log keeps its events as columns (made from them, or asked for them).

        Then :attr:`columns` costs at most the events appended since, and a replay to the
        end reads the columns, building only the events its state holds.
        """
        return self._tape.columns is not None

    def __reduce__(self) -> tuple[Any, ...]:
        # The lock and the indexes stay behind: a log pickles as its columns.
        return (EventLog.from_columns, (self.columns,))

    @classmethod
    def _view(cls, tape: _Tape, size: int) -> EventLog:
        log = cls.__new__(cls)
        log._tape = tape
        log._size = size
        log._own = {}
        return log

    def index(self, build: Callable[[Sequence[Event]], IndexT]) -> IndexT:
        """The index *build* makes of the recorded events, covering at least this log's.

        Built on first use and shared by the versions of this log that share storage: an
        append the index can :meth:`~Index.extend` over grows it in place; an append it
        cannot (an event that sorts before earlier ones) rebuilds it once, from this
        version. A version the shared index cannot serve (an older one, after a rebuild)
        gets an index of its own, kept while it lives. Its first ``len(self)`` entries are
        this log's; *build* is called with a sequence of the recorded events (a
        :class:`Recorded`, not always a list: on a log kept as columns, built as read).
        """
        key = cast("Build[Index]", build)
        tape, size = self._tape, self._size
        with tape.lock:
            if tape.columns is None:  # else events are built as the index reads them
                tape._fill(size)
            shared = tape.indexes.get(key)
            if shared is None:
                shared = tape.indexes[key] = build(tape.recorded(size))
            if shared.base <= size and (
                shared.size >= size or shared.extend(Recorded._lazy(tape, size, None), size)
            ):
                return cast("IndexT", shared)  # stored under its own builder
            if size >= shared.size:  # an out-of-order append: sort once, and grow from here
                fresh = tape.indexes[key] = build(tape.recorded(size))
                return fresh
        own = self._own.get(key)
        if own is None:
            own = self._own[key] = build(list(self))
        return cast("IndexT", own)

    @property
    def version(self) -> int:
        """How many events have been recorded (0 for an empty log)."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Event]:
        return itertools.islice(self._tape.fill(self._size), self._size)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...
    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        if isinstance(index, slice):
            return tuple(map(self._tape.get, range(self._size)[index]))
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(f"log index {index} out of range for a log of {self._size} events")
        return self._tape.get(index)

    def take(self, positions: Iterable[int]) -> list[Event]:
        """The events at *positions* (indexes into this log), in that order.

        ``[log[i] for i in positions]``, faster for a log kept as columns: the events not
        built yet are built together (and kept, as ``log[i]`` keeps them).

        >>> from itinerary.places import TOKYO
        >>> from itinerary.events import Arrived
        >>> log = EventLog(Arrived(w, TOKYO, TOKYO.at("2025-10-27 17:00")) for w in "ABC")
        >>> [event.who for event in log.take([2, 0])]
        ['C', 'A']
        """
        found = []
        for position in positions:
            if not isinstance(position, int) or not -self._size <= position < self._size:
                raise IndexError(
                    f"log index {position!r} out of range for a log of {self._size} events"
                )
            found.append(position % self._size if self._size else position)
        return self._tape.take(found)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventLog):
            return NotImplemented
        if self._size != other._size:
            return False
        if self._tape is other._tape:
            return True
        return all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"<EventLog version={self._size}>"

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per event, in recording order (see :func:`itinerary.frames.to_records`)."""
        return event_columns(self).records()

    def to_pandas(self) -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
        return _records.dataframe("to_pandas()", event_columns, self)

    def __str__(self) -> str:
        """Its first and last events as a table, in recording order (see :func:`~itinerary.display.log_table`)."""
        return log_table(self).text()

    def _repr_html_(self) -> str:
        return log_table(self).html()

    def _check_version(self, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != self._size:
            raise ConcurrencyError(
                f"expected the log at version {expected_version}, but it is at version "
                f"{self._size}; nothing was appended (replay the newer log and decide again)"
            )

    def append(self, event: Event, expected_version: int | None = None) -> EventLog:
        """A new log with *event* recorded after this log's events."""
        return self.extend((event,), expected_version=expected_version)

    def extend(self, events: Iterable[Event], expected_version: int | None = None) -> EventLog:
        """A new log with *events* recorded, in order, after this log's events.

        All or nothing: if any item is not an event, or *expected_version* is stale, an error
        is raised and no log changes.
        """
        self._check_version(expected_version)
        batch = checked_batch(events, self._size)
        tape = self._tape
        with tape.lock:
            if len(tape.events) == self._size:  # the newest view: grow in place
                if tape.built == self._size:
                    tape.built += len(batch)
                tape.events.extend(batch)  # encoded as columns when they are asked for
                return EventLog._view(tape, self._size + len(batch))
        # An older view: appending here forks history, so it gets a list of its own.
        forked = _Tape([*tape.fill(self._size)[: self._size], *batch])
        return EventLog._view(forked, len(forked.events))

    def upto(self, version: int) -> EventLog:
        """The log as it was at *version*: its first *version* events."""
        if not isinstance(version, int) or not 0 <= version <= self._size:
            raise VersionError(
                f"version must be between 0 and {self._size} for this log, got {version!r}"
            )
        if version == self._size:
            return self
        return EventLog._view(self._tape, version)

    def events_after(self, version: int, limit: int | None = None) -> list[Event]:
        """The events recorded after *version*, the next *limit* of them (or all), as a list.

        Copies only those events (``log[version:]`` copies the log's head first), so reading
        a long log a chunk at a time costs each chunk, not the whole log each time.

        >>> from itinerary.places import TOKYO
        >>> from itinerary.events import Arrived
        >>> log = EventLog(Arrived(w, TOKYO, TOKYO.at("2025-10-27 17:00")) for w in "ABC")
        >>> [event.who for event in log.events_after(1)], log.events_after(1, limit=1)[0].who
        (['B', 'C'], 'B')
        """
        if not isinstance(version, int) or not 0 <= version <= self._size:
            raise VersionError(
                f"version must be between 0 and {self._size} for this log, got {version!r}"
            )
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise VersionError(f"limit must be a number of events, 0 or more, got {limit!r}")
        end = self._size if limit is None else min(self._size, version + limit)
        tape = self._tape
        if tape.built < end:
            return [tape.get(i) for i in range(version, end)]
        return cast("list[Event]", tape.events[version:end])

    def to_arrow(self) -> pa.Table:
        """The rows of :meth:`to_records` as a ``pyarrow.Table`` (``pip install "itinerary[arrow]"``)."""
        from itinerary import _arrow  # noqa: PLC0415 - a leaf; kept here, one hunk to merge

        return _arrow.table("to_arrow()", event_columns, self)


def log_table(log: EventLog | Sequence[Event], *, head: int = HEAD, tail: int = TAIL) -> Table:
    """The log in recording order, its first *head* and last *tail* events only.

    Only those events are read, so a log of a million events shows as fast as one of ten.
    """
    shown, omitted = head_tail(len(log), head, tail)
    version = len(log)
    return Table(
        f"EventLog: {version:,} event{'s' if version != 1 else ''}, in recording order",
        EVENT_HEADERS,
        [event_row(i, log[i]) for i in shown],
        empty="(no events)",
        right=(0,),
        omitted=omitted,
        head=min(head, len(shown)) if omitted else 0,
    )


# -- records and DataFrames (see itinerary.frames) ------------------------------------------

EVENT_KINDS = tuple(cls.__name__ for cls in EVENT_TYPES)
"""The categories of a ``kind`` column of events, in this order."""

EVENT_COLUMNS = {
    "position": INT, "kind": category("kind"), "who": PERSON, "people": OBJECT,
    "place": PLACE, "occurred_at": INSTANT, "local": LOCAL, "offset": STR, "zone": ZONE,
    "end": INSTANT, "end_local": LOCAL, "to": PLACE, "title": STR, "venue": STR,
    "agreement": STR, "what": STR, "obligations": OBJECT, "text": STR,
}  # fmt: skip
"""The columns of a table of events (see :func:`itinerary.frames.to_records`)."""

_UNTITLED = frozenset((Arrived, Departed, ObligationMet))  # events without title or venue


def _name(place: Place | None) -> str | None:
    return None if place is None else place.name


def _tz(place: Place | None) -> str | None:
    return None if place is None else place.tz


def event_columns(events: Iterable[Event]) -> Columns:
    """*events* as a table of :data:`EVENT_COLUMNS`, one row per event, in their order."""
    table = Columns.empty(EVENT_COLUMNS, {"kind": EVENT_KINDS})
    add = {name: column.append for name, column in table.columns.items()}
    exact_at, exact_local = table.exact["occurred_at"].append, table.exact["local"].append
    micros, zone_name = _time.micros, _time.zone_name
    for position, event in enumerate(events):  # the hot loop of a big log: few calls
        place = getattr(event, "place", None)
        place = place if isinstance(place, Place) else None
        at = event.occurred_at
        us = micros(at)
        zone = zone_name(at)
        if place is not None and zone != place.tz:  # else given in its place's zone already
            at, zone = place.local(at), place.tz
        delta = at.utcoffset()
        offset = OFFSETS.get(delta) or offset_text(at)
        people = tuple(event.people)
        end = event.end if isinstance(event, MeetingHeld) else None
        add["position"](position)
        add["kind"](type(event).__name__)
        add["who"](", ".join(people) if people else None)
        add["people"](people)
        add["place"](None if place is None else place.name)
        add["occurred_at"](EPOCH + timedelta(microseconds=us))
        exact_at(us)
        add["local"](at)
        exact_local(us + delta_micros(delta))
        add["offset"](offset)
        add["zone"](zone)
        add["end"](utc(end))
        add["end_local"](None if end is None else local_parts(end, _tz(place))[0])
        add["to"](_name(event.to) if isinstance(event, Departed) else None)
        untitled = type(event) in _UNTITLED  # not probed: a miss raises an AttributeError
        add["title"](None if untitled else getattr(event, "title", None))
        add["venue"](None if untitled else getattr(event, "venue", None))
        met = event if isinstance(event, ObligationMet) else None
        add["agreement"](None if met is None else met.agreement)
        add["what"](None if met is None else met.what)
        signed = event if isinstance(event, AgreementSigned) else None
        add["obligations"](None if signed is None else tuple(o.what for o in signed.obligations))
        add["text"](event.describe())
    return table
