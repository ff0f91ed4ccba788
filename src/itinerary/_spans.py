"""Stays and journeys: each person's whereabouts over time, as spans between two instants.

The whereabouts projection says where someone is *as of* an instant; a picture or a calendar
needs the same answer *over time*. :func:`spans` folds the projection over a log once, event
by event in occurrence order, and cuts a span each time a person's :class:`Whereabouts`
changes: a stay at a place from an arrival (or the first event that places someone) to the
next change, and a journey from a departure to the next change (an arrival, usually). The
log's facts are read by the projection only, never re-derived here.

>>> from itinerary import EventLog, Arrived, Departed
>>> from itinerary.places import KUALA_LUMPUR, TOKYO
>>> log = EventLog([
...     Arrived("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-26 10:00")),
...     Departed("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
...     Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30")),
... ])
>>> [str(span) for span in spans(log)]
['Donald Trump in Kuala Lumpur from 2025-10-26 10:00 +08:00 to 2025-10-27 09:00 +08:00',
 'Donald Trump travels Kuala Lumpur -> Tokyo from 2025-10-27 09:00 +08:00 to 2025-10-27 16:30 +09:00',
 'Donald Trump in Tokyo from 2025-10-27 16:30 +09:00']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary.events import Arrived, Event, MeetingHeld, format_local
from itinerary.log import EventLog
from itinerary.places import Place
from itinerary.projections import WHEREABOUTS, Whereabouts, timeline

__all__ = ["Span", "horizon", "spans"]

SpanKind = Literal["stay", "travel"]


@attrs.frozen
class Span:
    """*who* stayed at *place*, or travelled from *origin* to *destination*, from *start*.

    ``end`` is ``None`` if the log records no change after *start* (still there, or still
    on the way). A journey's ``destination`` is where it ended (the arrival's place), else
    where the departure said it was bound, else ``None``.
    """

    who: str
    kind: SpanKind
    start: DateTime = attrs.field(eq=_time.instant_key)
    end: DateTime | None = attrs.field(eq=_time.instant_key)
    place: Place | None = None
    origin: Place | None = None
    destination: Place | None = None

    @property
    def start_place(self) -> Place:
        """Where the span starts: the stay's place, or the journey's origin."""
        found = self.place if self.kind == "stay" else self.origin
        assert found is not None
        return found

    @property
    def end_place(self) -> Place | None:
        """Where the span ends: the stay's place, or the journey's destination if known."""
        return self.place if self.kind == "stay" else self.destination

    def __str__(self) -> str:
        if self.kind == "stay":
            assert self.place is not None
            what = f"{self.who} in {self.place.name}"
        else:
            to = self.destination.name if self.destination is not None else "?"
            what = f"{self.who} travels {self.start_place.name} -> {to}"
        text = f"{what} from {format_local(self.start, self.start_place)}"
        if self.end is not None:
            text += f" to {format_local(self.end, self.end_place or self.start_place)}"
        return text


def _span(whereabouts: Whereabouts, end: DateTime | None, arrival: Place | None) -> Span | None:
    """The span *whereabouts* describes, ended at *end* (by an arrival at *arrival*)."""
    if whereabouts.since is None:  # pragma: no cover - the projection always sets it
        return None
    if whereabouts.place is not None:
        return Span(whereabouts.who, "stay", whereabouts.since, end, place=whereabouts.place)
    if whereabouts.origin is None:  # pragma: no cover - "unknown" is never stored
        return None
    return Span(
        whereabouts.who,
        "travel",
        whereabouts.since,
        end,
        origin=whereabouts.origin,
        destination=arrival or whereabouts.destination,
    )


def spans(log: EventLog | Iterable[Event]) -> tuple[Span, ...]:
    """Every person's stays and journeys in *log*, ordered by start, then by person.

    One pass of the whereabouts projection over the log in occurrence order; a span ends
    where the projection's answer for that person changes, and the last span of each person
    is open (``end is None``).
    """
    handles = WHEREABOUTS.handles or ()
    evolve = WHEREABOUTS.evolve
    state = WHEREABOUTS.initial
    found: list[Span] = []
    for event in timeline(log).events:
        if not isinstance(event, handles):
            continue
        after = evolve(state, event)
        if after is state:
            continue
        for who in event.people:
            old, new = state.get(who), after.get(who)
            if old is None or new is old:
                continue
            arrival = event.place if isinstance(event, Arrived) and event.who == who else None
            closed = _span(old, event.occurred_at, arrival)
            if closed is not None:
                found.append(closed)
        state = after
    for who in sorted(state.keys()):
        last = _span(state[who], None, None)
        if last is not None:
            found.append(last)
    found.sort(key=lambda span: (_time.micros(span.start), span.who))
    return tuple(found)


def horizon(log: EventLog | Iterable[Event]) -> DateTime | None:
    """The latest instant the log's events record (a meeting's end included), or ``None``."""
    latest: DateTime | None = None
    for event in timeline(log).events:
        instant = event.end if isinstance(event, MeetingHeld) else event.occurred_at
        if latest is None or _time.micros(instant) > _time.micros(latest):
            latest = instant
    return latest
