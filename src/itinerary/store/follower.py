"""A :class:`Follower` keeps a view of a store's log (its replayed state) up to date.

It holds the log as far as it has read, extends it with each batch its subscription
delivers, and computes the view from the log: by default :func:`~itinerary.replay`, so
``follower.state`` is always ``replay(store.load(upto=follower.version))``. Replay orders
events by when they *occurred*, not when they were recorded, so the state is not a fold of
the batches in arrival order; it is the log's index that makes it cheap: events appended in
order extend the index in place and the replay folds only them (an event that occurred
before others already read makes the next replay sort afresh).

>>> from itinerary.events import Arrived
>>> from itinerary.places import SEOUL, TOKYO
>>> from itinerary.store import MemoryStore
>>> store = MemoryStore()
>>> store.append(Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")))
1
>>> follower = Follower(store)
>>> follower.state.where("Donald Trump").place.name
'Tokyo'
>>> store.append(Arrived("Donald Trump", SEOUL, SEOUL.at("2025-10-29 11:00")))
2
>>> [r.version for r in follower.step(timeout=1)]
[2]
>>> follower.state.where("Donald Trump").place.name
'Seoul'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar, overload

from itinerary._closing import Closing
from itinerary.errors import StoreError
from itinerary.log import EventLog
from itinerary.projections import State, replay
from itinerary.store.subscription import CHUNK, Recorded

if TYPE_CHECKING:
    from itinerary.store.base import StoreBase

__all__ = ["Follower"]

S = TypeVar("S")  # the view's value: a State by default


class Follower(Closing, Generic[S]):
    """A view of a store's log kept up to date from a subscription.

    Args:
        store: The store to follow.
        view: What to keep: a function of the log read so far (default
            :func:`~itinerary.replay`, the :class:`~itinerary.State` as of the latest
            event). ``lambda log: project(log, MY_VIEW)`` keeps a projection; ``lambda log:
            replay(log, as_of=clock())`` a state as of the wall clock.
        log: A log saved earlier, to resume from: the store's first ``log.version`` events
            (its last event is checked against the store). Default: the store's log, loaded
            at once.
        timeout: Seconds each wait for new events lasts when iterating (``None``: until
            :meth:`close`).
        chunk: The most events read in one batch.

    """

    @overload
    def __init__(
        self: Follower[State],
        store: StoreBase,
        *,
        log: EventLog | None = None,
        timeout: float | None = None,
        chunk: int = CHUNK,
    ) -> None: ...
    @overload
    def __init__(
        self,
        store: StoreBase,
        view: Callable[[EventLog], S],
        *,
        log: EventLog | None = None,
        timeout: float | None = None,
        chunk: int = CHUNK,
    ) -> None: ...
    def __init__(
        self,
        store: StoreBase,
        view: Callable[[EventLog], S] | None = None,
        *,
        log: EventLog | None = None,
        timeout: float | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self._view: Callable[[EventLog], S] = view if view is not None else replay  # type: ignore[assignment]
        if log is None:
            log = store.load()
        elif not isinstance(log, EventLog):
            raise StoreError(f"log must be an EventLog to resume from, got {type(log).__name__}")
        elif log.version:
            found = store.read_after(log.version - 1, 1)
            if found != [log[-1]]:
                raise StoreError(
                    f"{store!r}: cannot resume: its event at version {log.version} is not the "
                    "saved log's last event (another store, or a log saved from another)"
                )
        self._store = store
        self._log = log
        self._subscription = store.subscribe(after=log.version, timeout=timeout, chunk=chunk)
        if log.version:  # its first read checks the store's event there against this one
            self._subscription.expect(log[-1])
        self._state: tuple[int, S] | None = None

    @property
    def log(self) -> EventLog:
        """The log as far as the follower has read it (save it to resume from it later)."""
        return self._log

    @property
    def version(self) -> int:
        """How many events the follower has read."""
        return self._log.version

    @property
    def state(self) -> S:
        """The view of the log read so far (computed once per version)."""
        kept = self._state
        if kept is None or kept[0] != self._log.version:
            kept = self._state = (self._log.version, self._view(self._log))
        return kept[1]

    def refresh(self) -> S:
        """The view computed afresh (for a view that depends on the clock, say)."""
        self._state = None
        return self.state

    def step(self, timeout: float | None = 0.0) -> list[Recorded]:
        """Read the next batch of new events, waiting up to *timeout* seconds for one.

        Returns the batch (``[]`` if none came); :attr:`state` then includes it.
        """
        batch = self._subscription.poll(timeout)
        if batch:
            self._log = self._log.extend(recorded.event for recorded in batch)
        return batch

    def step_each(self, timeout: float | None = 0.0) -> list[tuple[Recorded, S]]:
        """Read the next batch like :meth:`step`, and give the view at each of its versions.

        Returns ``(recorded, view)`` pairs, the view as of ``recorded.version`` (the log
        read up to and with that event), for a caller that says what each event changed
        (``itinerary follow`` prints each change with the version that made it) while
        reading in chunks. The log is extended one event at a time, so with the default
        view each state costs only the fold of its event (while events arrive in order).
        """
        batch = self._subscription.poll(timeout)
        views: list[tuple[Recorded, S]] = []
        for i, recorded in enumerate(batch):
            self._log = self._log.extend((recorded.event,))
            try:
                views.append((recorded, self.state))
            except BaseException:
                # The subscription has moved past the whole batch: keep the rest of it in
                # the log, so a view that fails loses no event to the next step.
                self._log = self._log.extend(r.event for r in batch[i + 1 :])
                raise
        return views

    def __iter__(self) -> Iterator[S]:
        """The view after each new batch, as they come, until a wait times out or it closes."""
        while self.step(self._subscription.timeout):
            yield self.state

    def close(self) -> None:
        """Stop following (the store stays open)."""
        self._subscription.close()

    def __repr__(self) -> str:
        return f"<Follower of {self._store!r} at version {self.version}>"
