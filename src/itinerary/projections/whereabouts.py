"""Where each participant is: at a place, in transit between two, or unknown.

Arrivals and departures move people. A meeting or a signing also places a participant whose
whereabouts were unknown until then (a log may begin mid-tour), but never moves someone
already known to be elsewhere or in transit: that is an inconsistency for
:func:`itinerary.check` to report, not a fact to paper over.
"""

from __future__ import annotations

import operator
from typing import Literal

import attrs
import immutables
from pendulum import DateTime

from itinerary import _time, display
from itinerary._text import format_instant, text_ref
from itinerary.events import AgreementSigned, Arrived, Departed, Event, MeetingHeld
from itinerary.places import Place
from itinerary.projections._core import Projection

__all__ = ["WHEREABOUTS", "Whereabouts", "WhereaboutsByName"]

Status = Literal["at", "in_transit", "unknown"]


@attrs.frozen
class Whereabouts:
    """Where *who* is: at *place* since *since*, or travelling from *origin* to *destination*.

    ``place`` is ``None`` while in transit or unknown. For a journey, ``since`` is the
    departure and ``destination`` is ``None`` if the departure did not name one.
    """

    who: str
    place: Place | None = None
    since: DateTime | None = attrs.field(default=None, eq=_time.instant_key)
    origin: Place | None = None
    destination: Place | None = None

    @property
    def status(self) -> Status:
        """``"at"`` a place, ``"in_transit"``, or ``"unknown"``."""
        if self.place is not None:
            return "at"
        return "in_transit" if self.origin is not None else "unknown"

    @property
    def in_transit(self) -> bool:
        """True between a departure and the next arrival."""
        return self.status == "in_transit"

    def __repr__(self) -> str:
        since = (
            f" since {format_instant(self.since, self.place or self.origin)}" if self.since else ""
        )
        return f"Whereabouts({text_ref(self.who)}, {display.whereabouts_phrase(self)}{since})"

    def _repr_html_(self) -> str:
        return display.whereabouts_table((self,)).html()


WhereaboutsByName = immutables.Map[str, Whereabouts]
"""The whereabouts projection's state: each person's :class:`Whereabouts`, by name."""


def _evolve(state: WhereaboutsByName, event: Event) -> WhereaboutsByName:
    kind = type(event)
    if kind is Arrived:
        assert isinstance(event, Arrived)
        return state.set(event.who, Whereabouts(event.who, event.place, event.at))
    if kind is Departed:
        assert isinstance(event, Departed)
        return state.set(
            event.who,
            Whereabouts(event.who, None, event.at, origin=event.place, destination=event.to),
        )
    assert isinstance(event, MeetingHeld | AgreementSigned)
    unknown = [who for who in event.people if who not in state]
    if not unknown:
        return state
    draft = state.mutate()
    for who in unknown:
        draft[who] = Whereabouts(who, event.place, event.occurred_at)
    return draft.finish()


def _evolve_many(state: WhereaboutsByName, events: list[Event]) -> WhereaboutsByName:
    """``_evolve`` folded over *events*: only each person's last change is built and stored."""
    if set(map(type, events)) <= _MOVES:  # arrivals and departures only: the last one wins
        latest: dict[str, Event] = dict(zip(map(_WHO, events), events, strict=True))
    else:
        latest = _latest(state, events)
    if not latest:
        return state
    draft = state.mutate()
    for who, event in latest.items():
        if isinstance(event, Departed):
            draft[who] = Whereabouts(who, None, event.at, event.place, event.to)
        else:
            assert isinstance(event, Arrived | MeetingHeld | AgreementSigned)
            draft[who] = Whereabouts(who, event.place, event.occurred_at)
    return draft.finish()


_MOVES = frozenset((Arrived, Departed))
_WHO = operator.attrgetter("who")


def _latest(state: WhereaboutsByName, events: list[Event]) -> dict[str, Event]:
    """Each person's last event in *events* that changes their whereabouts."""
    latest: dict[str, Event] = {}
    for event in events:
        kind = type(event)
        if kind is Arrived or kind is Departed:
            latest[event.who] = event  # type: ignore[attr-defined]
        elif isinstance(event, Arrived | Departed):
            latest[event.who] = event
        else:
            people = (
                event.participants  # type: ignore[attr-defined]
                if kind is MeetingHeld
                else event.people
            )
            for who in people:
                if who not in latest and who not in state:
                    latest[who] = event
    return latest


WHEREABOUTS: Projection[WhereaboutsByName] = Projection(
    immutables.Map(),
    _evolve,
    handles=(Arrived, Departed, MeetingHeld, AgreementSigned),
    name="whereabouts",
    evolve_many=_evolve_many,
)
"""The projection from a log to a persistent map of who -> :class:`Whereabouts`."""
