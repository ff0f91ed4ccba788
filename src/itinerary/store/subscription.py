"""Subscriptions: follow a store's events as they are recorded, catch-up first, then live.

``store.subscribe(after=version)`` gives a :class:`Subscription`: an iterator of
:class:`Recorded` values (a version and its event) that yields first the events already
stored after *version* (catch-up, read in chunks), then each new one as another process
records it (live), in recording order. The versions make the promise checkable: each one is
the previous plus one, with no gap and no duplicate across the switch from catch-up to live,
and ``subscription.version`` is the last version delivered, what to resume from.

A subscription reads its store through two of its methods (:class:`Followable`, which
every store offers): ``read_after(after, limit)`` (the events after a version) and
``wait_for_news(seen, timeout)`` (block until the store may hold more than *seen* events).
SQLite and JSON Lines poll (a cheap check every ``store.poll`` seconds); the memory store
wakes subscribers at once.

>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> from itinerary.store import MemoryStore
>>> store = MemoryStore()
>>> store.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")))
1
>>> with store.subscribe(after=0, timeout=0) as subscription:
...     [(r.version, r.event.who) for r in subscription]
[(1, 'Donald Trump')]
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import attrs

from itinerary._closing import Closing
from itinerary.errors import StoreError, VersionError
from itinerary.events import Event

__all__ = ["CHUNK", "WAKE_EVERY", "Followable", "Recorded", "Subscription"]

CHUNK = 1000
"""How many events a subscription reads at a time, by default (catch-up is read in chunks)."""

WAKE_EVERY = 0.5
"""The longest a subscription waits in one call to its store: how soon ``close()`` from
another thread is noticed."""


@runtime_checkable
class Followable(Protocol):
    """What a :class:`Subscription` reads a store with: every store offers it.

    :class:`~itinerary.store.StoreBase` gives a store of its own both methods (a load and
    a slice; a look at ``version`` every :attr:`poll` seconds); the stores here override
    them with a read of just the events asked for and a cheaper wait.
    """

    poll: float
    """Seconds between two looks at the store while a subscriber waits (where it polls)."""

    @property
    def version(self) -> int:
        """How many events are stored."""
        ...

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order.

        Raises :class:`~itinerary.errors.StoreError` if the store holds fewer than *after*
        events.
        """
        ...

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Block until the store may hold other than *seen* events, or *timeout* seconds pass.

        True if there may be news (a false alarm costs a read); False if *timeout* passed
        without any. A write that came before the call is never missed.
        """
        ...


@attrs.frozen
class Recorded:
    """An event as a store recorded it: its *version* (1 for the first) and the *event*."""

    version: int
    event: Event


def _check_after(after: object) -> int:
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise VersionError(f"after must be a version, an integer 0 or more, got {after!r}")
    return after


def _check_timeout(timeout: object, what: str = "timeout") -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise StoreError(f"{what} must be a number of seconds, 0 or more, or None; got {timeout!r}")
    return float(timeout)


class Subscription(Closing):
    """The events a store records after a version: first those stored, then new ones.

    Made by ``store.subscribe(after=0, timeout=None, chunk=1000)``. Iterating yields
    :class:`Recorded` values in recording order, versions ``after + 1``, ``after + 2``, ...;
    once it has caught up it waits for new events, up to *timeout* seconds each (``None``:
    until :meth:`close`), and ends if none comes. Iterating again resumes where it stopped.
    :meth:`poll` gives what is there as a list instead, for a caller that wants batches.

    A store that shrinks below the version delivered (events lost, or another store at
    the same path) raises :class:`~itinerary.errors.StoreError`, as does a store whose
    reads skip a version, and one whose log was rewritten: each read starts one event early
    and checks that this event is still the last one read (so a log replaced by a longer,
    different one is caught, not mixed with the one read so far).

    Use one subscription from one thread; :meth:`close` may come from another (the wait
    notices it within half a second). Closing it does not close the store.
    """

    def __init__(
        self,
        store: Followable,
        after: int = 0,
        *,
        timeout: float | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self._store = store
        self._delivered = self._fetched = _check_after(after)
        self.timeout = _check_timeout(timeout)
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            raise StoreError(f"chunk must be a number of events, 1 or more, got {chunk!r}")
        self._chunk = chunk
        self._buffer: deque[Recorded] = deque()
        self._closed = False
        # The event at version _fetched, once read (or given to expect(), by a Follower
        # resuming from a saved log): each read rereads it to check that the log is still
        # the one read.
        self._last: Event | None = None

    @property
    def store(self) -> Followable:
        """The store it follows."""
        return self._store

    def expect(self, event: Event) -> None:
        """Say that the store's event at version *after* is *event*, before the first read.

        For a caller resuming from a log it saved (a
        :class:`~itinerary.store.follower.Follower` does): the first read then rereads the
        store's event at *after* and raises :class:`~itinerary.errors.StoreError` if it is
        not *event*, as every later read checks the last event read. Raises StoreError once
        the subscription has read an event (or was told one), and for *after* 0 (there is no
        event at version 0).
        """
        if not isinstance(event, Event):
            raise StoreError(f"expect() takes the event at version {self._fetched}, got {event!r}")
        if self._last is not None:
            raise StoreError("expect() comes once, before the subscription reads an event")
        if self._fetched == 0:
            raise StoreError("expect() needs a subscription after a version above 0")
        self._last = event

    @property
    def version(self) -> int:
        """The version of the last event delivered (*after* before any): resume from it."""
        return self._delivered

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def __iter__(self) -> Iterator[Recorded]:
        return self

    def __next__(self) -> Recorded:
        if not self._buffer and not self._closed:
            self._buffer.extend(self._fetch(self.timeout))
        if not self._buffer or self._closed:
            raise StopIteration
        recorded = self._buffer.popleft()
        self._delivered = recorded.version
        return recorded

    def poll(self, timeout: float | None = 0.0) -> list[Recorded]:
        """The next events (up to a chunk) in order, waiting up to *timeout* seconds for one.

        ``[]`` if none came in time, or once closed. ``timeout=None`` waits until one comes.
        """
        wait = _check_timeout(timeout)
        if self._closed:
            return []
        found = list(self._buffer) if self._buffer else self._fetch(wait)
        self._buffer.clear()
        if found:
            self._delivered = found[-1].version
        return found

    def _fetch(self, timeout: float | None) -> list[Recorded]:
        """The events after those fetched (up to a chunk), waiting up to *timeout* for one."""
        store = self._store
        deadline = None if timeout is None else time.monotonic() + timeout
        news = True
        behind = 0  # reads in a row that found nothing though the version said more
        while not self._closed:
            if news:
                start = self._fetched
                events = self._read(start)
                if events:
                    self._fetched = start + len(events)
                    self._last = events[-1]
                    return [Recorded(v, e) for v, e in enumerate(events, start + 1)]
                current = store.version
                if current < start:
                    raise StoreError(
                        f"{store!r}: holds {current} events, but version {start} was read from "
                        "it: events were lost, or it is another store"
                    )
                if current > start:
                    # A commit landed after the read: read again at once; if it is still
                    # not readable (a write in flight), look again after a poll's pause.
                    behind += 1
                    if behind > 1:
                        time.sleep(min(store.poll, _left(deadline)))
                        if _left(deadline) <= 0:
                            return []
                    continue
            wait = WAKE_EVERY if deadline is None else min(WAKE_EVERY, _left(deadline))
            if wait <= 0:
                return []
            news = store.wait_for_news(self._fetched, wait)
        return []

    def _read(self, start: int) -> list[Event]:
        """The events after *start* (up to a chunk), the log checked by one event of overlap.

        The event at *start* is read again and compared with the one read before: a log
        rewritten since (dropped and rebuilt, or replaced by a longer one) raises StoreError.
        """
        store = self._store
        overlap = 0 if self._last is None else 1  # nothing read yet: nothing to compare
        try:
            events = store.read_after(start - overlap, self._chunk + overlap)
        except StoreError:
            current = store.version if overlap else start
            if current < start - 1:  # say what was lost from the version read, not before it
                raise StoreError(
                    f"{store!r}: holds {current} events, fewer than version {start}: events "
                    "were lost, or it is another store"
                ) from None
            raise
        if len(events) > self._chunk + overlap:
            raise StoreError(
                f"{store!r}: asked for {self._chunk + overlap} events after version "
                f"{start - overlap}, got {len(events)}"
            )
        if not overlap or not events:
            return events  # no event at start: the store shrank (caught by the caller)
        if events[0] != self._last:
            raise StoreError(
                f"{store!r}: the log was rewritten: version {start} is no longer the event "
                "delivered (another store at the same place?); subscribe again"
            )
        return events[1:]

    def close(self) -> None:
        """Stop: iteration ends and :meth:`poll` gives ``[]`` (the store stays open)."""
        self._closed = True
        self._buffer.clear()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<Subscription to {self._store!r} at version {self._delivered}, {state}>"


def _left(deadline: float | None) -> float:
    return WAKE_EVERY if deadline is None else max(0.0, deadline - time.monotonic())
