"""The state of a tour as of an instant: the built-in projections, replayed in one pass."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary.events import AgreementSigned, Event
from itinerary.projections._core import Projection, check_as_of, compose, timeline
from itinerary.projections.agreements import AGREEMENTS, Signed, signed
from itinerary.projections.deadlines import DEADLINES, Deadline, Ledger, deadlines
from itinerary.projections.whereabouts import WHEREABOUTS, Whereabouts, WhereaboutsByName

if TYPE_CHECKING:
    import pandas as pd

    from itinerary.log import EventLog

__all__ = ["TOUR", "State", "StateTable", "replay"]

StateTable: TypeAlias = Literal["whereabouts", "agreements", "deadlines"]
"""The tables of a :class:`State`: :meth:`State.to_records` and :meth:`State.to_pandas`."""

TOUR: Projection[tuple[Any, ...]] = compose(WHEREABOUTS, AGREEMENTS, DEADLINES)
"""The built-in projections (whereabouts, agreements and deadlines) composed, replayed in one pass."""


@attrs.frozen
class State:
    """What was true as of the instant ``as_of``: whereabouts, agreements signed, deadlines.

    Built by :func:`replay`; every answer is computed from the events that occurred at or
    before ``as_of`` and nothing else.
    """

    as_of: DateTime | None = attrs.field(eq=_time.instant_key)
    # The states of TOUR's three projections, in the order compose() was given them.
    _whereabouts: WhereaboutsByName = attrs.field(repr=False, alias="whereabouts")
    _agreements: Signed = attrs.field(repr=False, alias="agreements")
    _ledger: Ledger = attrs.field(repr=False, alias="ledger")

    def where(self, who: str) -> Whereabouts:
        """Where *who* was: ``.place`` is ``None`` while in transit or if unknown."""
        found = self._whereabouts.get(who)
        return found if found is not None else Whereabouts(who)

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone whose whereabouts are known, in alphabetical order."""
        return tuple(sorted(self._whereabouts.keys()))

    @property
    def agreements(self) -> tuple[AgreementSigned, ...]:
        """The agreements signed so far, oldest first (title, signatories, place, at)."""
        return signed(self._agreements)

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        """Every obligation signed so far, soonest due first, with its status as of now."""
        return deadlines(self._ledger, self.as_of)

    def pending(self) -> tuple[Deadline, ...]:
        """Obligations not yet met whose deadline has not passed."""
        return tuple(d for d in self.deadlines if d.status == "pending")

    def overdue(self) -> tuple[Deadline, ...]:
        """Obligations not met whose deadline has passed."""
        return tuple(d for d in self.deadlines if d.status == "overdue")

    def met(self) -> tuple[Deadline, ...]:
        """Obligations met."""
        return tuple(d for d in self.deadlines if d.status == "met")

    def to_records(self, table: StateTable = "whereabouts") -> list[dict[str, Any]]:
        """One plain dict per person (``"whereabouts"``), agreement or deadline.

        People in alphabetical order, agreements oldest first, deadlines soonest due first;
        see :func:`itinerary.frames.to_records` for the columns.
        """
        from itinerary import frames  # noqa: PLC0415 - tables are built on demand

        return frames.to_records(self, table)

    def to_pandas(self, table: StateTable = "whereabouts") -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``).

        ``state.to_pandas()`` is who is where; ``state.to_pandas("deadlines")`` the deadlines.
        """
        from itinerary import frames  # noqa: PLC0415 - tables are built on demand

        return frames.to_pandas(self, table)


def replay(log: EventLog | Iterable[Event], as_of: datetime | None = None) -> State:
    """The :class:`State` of *log* as of the instant *as_of*.

    Only events that occurred at or before *as_of* count, in the order they occurred,
    whatever order they were recorded in. Without *as_of*, the state as of the latest
    event's instant (never the wall clock). *as_of* must be timezone-aware. *log* may also
    be any iterable of events; only an :class:`~itinerary.EventLog` keeps its index between
    calls.
    """
    line = timeline(log)
    instant = check_as_of(as_of)
    if instant is None:
        instant = line.latest()
    return State(instant, *line.state(TOUR, line.position(instant)))
