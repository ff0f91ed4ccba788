"""The store protocol, shared checks, and the in-memory reference store.

A batch is checked as :class:`~itinerary.log.EventLog` checks one (every item an event,
all or nothing), by the log's own check.

Every store mirrors :class:`~itinerary.log.EventLog`: ``append``/``extend`` with an optional
``expected_version`` (a stale one raises :class:`~itinerary.errors.ConcurrencyError` and
stores nothing), ``load(upto=None)`` gives the log back, and ``version`` is the number of
events stored.

>>> from itinerary.events import Arrived
>>> from itinerary.places import TOKYO
>>> store = MemoryStore()
>>> store.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")), expected_version=0)
1
>>> store.load().version
1
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from itinerary import _files
from itinerary.errors import ConcurrencyError, StoreError, VersionError
from itinerary.events import Event
from itinerary.log import EventLog

__all__ = [
    "EventStore",
    "MemoryStore",
    "StoreBase",
    "check_upto",
    "regular_or_missing",
    "stale",
]


@runtime_checkable
class EventStore(Protocol):
    """What every event store offers: the log's API, kept somewhere."""

    @property
    def version(self) -> int:
        """How many events are stored."""
        ...

    def append(self, event: Event, expected_version: int | None = None) -> int:
        """Store *event* after the others; return the new version."""
        ...

    def extend(self, events: Iterable[Event], expected_version: int | None = None) -> int:
        """Store *events* in order, all or none; return the new version."""
        ...

    def load(self, upto: int | None = None) -> EventLog:
        """The stored log, or its first *upto* events."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


def check_upto(upto: object, version: int, where: str) -> int:
    """*upto* as a version of a store at *version*, or :class:`VersionError`."""
    if upto is None:
        return version
    if isinstance(upto, bool) or not isinstance(upto, int) or not 0 <= upto <= version:
        raise VersionError(f"{where}: upto must be between 0 and {version}, got {upto!r}")
    return upto


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


def stale(where: str, expected: int, actual: int) -> ConcurrencyError:
    """The error for an append that expected *expected* but found the store at *actual*."""
    return ConcurrencyError(
        f"{where}: expected the store at version {expected}, but it is at version {actual}; "
        "nothing was stored (load the newer log and decide again)"
    )


class StoreBase:
    """``append`` in terms of ``extend``, and use as a context manager."""

    def extend(self, events: Iterable[Event], expected_version: int | None = None) -> int:
        """Store *events* in order, all or none; return the new version."""
        raise NotImplementedError

    def append(self, event: Event, expected_version: int | None = None) -> int:
        """Store *event* after the others; return the new version."""
        return self.extend((event,), expected_version=expected_version)

    def close(self) -> None:
        """Release files and connections (nothing to release here)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class MemoryStore(StoreBase):
    """The reference store: an :class:`EventLog` behind a lock, gone when the process ends."""

    def __init__(self, log: EventLog | None = None) -> None:
        self._log = log if log is not None else EventLog()
        self._lock = threading.Lock()

    @property
    def version(self) -> int:
        """How many events are stored."""
        return self._log.version

    def extend(self, events: Iterable[Event], expected_version: int | None = None) -> int:
        """Store *events* in order, all or none; return the new version."""
        with self._lock:
            if expected_version is not None and expected_version != self._log.version:
                raise stale("memory store", expected_version, self._log.version)
            self._log = self._log.extend(events)  # the log checks the batch, all or nothing
            return self._log.version

    def load(self, upto: int | None = None) -> EventLog:
        """The stored log, or its first *upto* events."""
        log = self._log
        return log.upto(check_upto(upto, log.version, "memory store"))

    def __repr__(self) -> str:
        return f"<MemoryStore version={self._log.version}>"
