"""The store protocol, shared checks, and the in-memory reference store.

A batch is checked as :class:`~itinerary.log.EventLog` checks one (every item an event,
all or nothing), by the log's own check.

Every store mirrors :class:`~itinerary.log.EventLog`: ``append``/``extend`` with an optional
``expected_version`` (a stale one raises :class:`~itinerary.errors.ConcurrencyError` and
stores nothing), ``load(upto=None, *, progress=False)`` gives the log back, and ``version``
is the number of events stored. ``extend(events, *, progress=True)`` and ``load(*,
progress=True)`` show a bar of the events written or loaded, on a terminal or in a notebook.

>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> store = MemoryStore()
>>> store.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")), expected_version=0)
1
>>> store.load().version
1
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from itinerary import _files, _progress
from itinerary._closing import Closing
from itinerary.errors import ConcurrencyError, StoreError, VersionError
from itinerary.events import Event
from itinerary.log import EventLog, checked_batch
from itinerary.store.subscription import CHUNK, Followable, Subscription

__all__ = [
    "EventStore",
    "MemoryStore",
    "StoreBase",
    "check_upto",
    "file_identity",
    "load_bar",
    "regular_or_missing",
    "stale",
    "write_bar",
]


@runtime_checkable
class EventStore(Followable, Protocol):
    """What every event store offers: the log's API, kept somewhere, that can be followed.

    Besides the log's API, a store gives the events after a version (:meth:`read_after`)
    and waits for new ones (:meth:`wait_for_news`): what a
    :class:`~itinerary.store.subscription.Subscription` reads it with.
    """

    @property
    def version(self) -> int:
        """How many events are stored."""
        ...

    def append(self, event: Event, expected_version: int | None = None) -> int:
        """Store *event* after the others; return the new version."""
        ...

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events* in order, all or none; return the new version (*progress*: a bar)."""
        ...

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log, or its first *upto* events (*progress*: a bar of those loaded)."""
        ...

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order."""
        ...

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Block until the store may hold other than *seen* events, or *timeout* seconds pass."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...

    def subscribe(
        self, after: int = 0, *, timeout: float | None = None, chunk: int = CHUNK
    ) -> Subscription:
        """The events recorded after version *after*: those stored, then new ones."""
        ...


def check_upto(upto: object, version: int, where: str) -> int:
    """*upto* as a version of a store at *version*, or :class:`VersionError`."""
    if upto is None:
        return version
    if isinstance(upto, bool) or not isinstance(upto, int) or not 0 <= upto <= version:
        raise VersionError(f"{where}: upto must be between 0 and {version}, got {upto!r}")
    return upto


def load_bar(total: int, name: str, progress: bool) -> _progress.Bar:
    """The bar of a load of *total* events from the store *name*: drawn if *progress*.

    Drawn only where someone watches (:func:`itinerary._progress.bar`); a store counts on
    it a chunk of rows at a time, never an event at a time.
    """
    return _progress.bar(total, desc=f"loading {name}", unit="event", enabled=progress)


def write_bar(total: int, name: str, progress: bool) -> _progress.Bar:
    """The bar of an extend of *total* events into the store *name*: drawn if *progress*.

    Drawn only where someone watches, as :func:`load_bar`'s; a store counts on it a chunk
    of rows at a time, as they are written, never an event at a time.
    """
    return _progress.bar(total, desc=f"writing {name}", unit="event", enabled=progress)


def regular_or_missing(path: str) -> None:
    """Raise :class:`StoreError` if *path* is a symbolic link, FIFO, device or directory.

    A store is a regular file: a link (even a dangling one) could send writes elsewhere,
    and reading a FIFO or a device would hang or never end.
    """
    try:
        _files.check_regular(path, missing_ok=True)
    except _files.NotRegularFileError as exc:
        raise StoreError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot open the store: {exc.strerror or exc}") from None


def file_identity(path: str) -> tuple[int, int, int] | None:
    """A store file's (inode, size, modification time), or None if there is none.

    What a file store polls for news: any write changes it, and it reads no contents.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store: {exc}") from exc
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def stale(where: str, expected: int, actual: int) -> ConcurrencyError:
    """The error for an append that expected *expected* but found the store at *actual*."""
    return ConcurrencyError(
        f"{where}: expected the store at version {expected}, but it is at version {actual}; "
        "nothing was stored (load the newer log and decide again)"
    )


class StoreBase(Closing):
    """The base of every store: ``append`` in terms of ``extend``, ``with``, and subscriptions.

    A store of your own subclasses it and provides ``version``, ``extend`` and ``load`` (and
    ``close`` if it holds something). :meth:`subscribe` then works, built on two methods to
    override for speed: :meth:`read_after`, the events at versions ``after + 1`` to
    ``after + limit`` (here sliced from ``load()``), and :meth:`wait_for_news`, which blocks
    until the store may hold other than *seen* events (here a look at ``version`` every
    :attr:`poll` seconds).
    """

    poll: float = 0.05
    """Seconds between two looks at the store while a subscriber waits (where it polls)."""

    @property
    def version(self) -> int:
        """How many events are stored."""
        raise NotImplementedError

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log, or its first *upto* events.

        With *progress*, a bar counts the events loaded, on a terminal or in a notebook
        (never in a pipe or captured output).
        """
        raise NotImplementedError

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events* in order, all or none; return the new version.

        With *progress*, a bar counts the events written, on a terminal or in a notebook
        (never in a pipe or captured output).
        """
        raise NotImplementedError

    def append(self, event: Event, expected_version: int | None = None) -> int:
        """Store *event* after the others; return the new version."""
        return self.extend((event,), expected_version=expected_version)

    def close(self) -> None:
        """Release files and connections (nothing to release here)."""

    def subscribe(
        self, after: int = 0, *, timeout: float | None = None, chunk: int = CHUNK
    ) -> Subscription:
        """The events recorded after version *after*: first those stored, then new ones.

        A :class:`~itinerary.store.subscription.Subscription`: an iterator of
        :class:`~itinerary.store.subscription.Recorded` (version, event) in recording
        order, read *chunk* events at a time, that waits up to *timeout* seconds (``None``:
        until closed) for each new event once it has caught up.
        """
        return Subscription(self, after, timeout=timeout, chunk=chunk)

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last), in order.

        Raises :class:`StoreError` if the store holds fewer than *after* events. Stores
        override it with a read of just those events; this one loads the whole log. What a
        :class:`~itinerary.store.subscription.Subscription` reads with.
        """
        log = self.load()
        if len(log) < after:
            raise StoreError(f"{self!r}: holds {len(log)} events, fewer than version {after}")
        return list(log[after : None if limit is None else after + limit])

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Block until the store may hold other than *seen* events, or *timeout* seconds pass.

        True if there may be news (a subscriber then reads; a false alarm costs a read);
        False if *timeout* passed without any. It must not miss a write that came before
        the call: it compares the store with *seen* first. This one polls ``version``.
        What a :class:`~itinerary.store.subscription.Subscription` waits with.
        """
        deadline = time.monotonic() + timeout
        while self.version == seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(self.poll, left))
        return True


class MemoryStore(StoreBase):
    """The reference store: an :class:`EventLog` behind a lock, gone when the process ends."""

    def __init__(self, log: EventLog | None = None) -> None:
        self._log = log if log is not None else EventLog()
        self._lock = threading.Condition()  # notified by each extend: subscribers wake at once

    @property
    def version(self) -> int:
        """How many events are stored."""
        return self._log.version

    def extend(
        self,
        events: Iterable[Event],
        expected_version: int | None = None,
        *,
        progress: bool = False,
    ) -> int:
        """Store *events* in order, all or none; return the new version (*progress*: a bar)."""
        batch = checked_batch(events, self._log.version)
        with write_bar(len(batch), "memory store", progress) as bar, self._lock:
            if expected_version is not None and expected_version != self._log.version:
                raise stale("memory store", expected_version, self._log.version)
            self._log = self._log.extend(batch)  # the log checks the batch, all or nothing
            self._lock.notify_all()
            bar.update(len(batch))
            return self._log.version

    def load(self, upto: int | None = None, *, progress: bool = False) -> EventLog:
        """The stored log, or its first *upto* events (*progress*: a bar, full at once)."""
        log = self._log
        limit = check_upto(upto, log.version, "memory store")
        with load_bar(limit, "memory store", progress) as bar:
            loaded = log.upto(limit)
            bar.update(limit)
        return loaded

    def read_after(self, after: int, limit: int | None = None) -> list[Event]:
        """The events at versions ``after + 1`` to ``after + limit`` (or the last): a slice."""
        log = self._log
        if len(log) < after:
            raise StoreError(f"memory store: holds {len(log)} events, fewer than version {after}")
        return log.events_after(after, limit)  # only those: log[after:end] copies the head

    def wait_for_news(self, seen: int, timeout: float) -> bool:
        """Block until an extend makes the version other than *seen*, or *timeout* passes."""
        with self._lock:
            return self._lock.wait_for(lambda: self._log.version != seen, timeout)

    def __repr__(self) -> str:
        return f"<MemoryStore version={self._log.version}>"
