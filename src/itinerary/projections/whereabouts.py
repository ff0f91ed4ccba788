"""Where each participant is: at a place, in transit between two, or unknown.

Arrivals and departures move people. A meeting or a signing also places a participant whose
whereabouts were unknown until then (a log may begin mid-tour), but never moves someone
already known to be elsewhere or in transit: that is an inconsistency for
:func:`itinerary.check` to report, not a fact to paper over.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import datetime
from typing import Literal, get_args

import attrs
import immutables
from pendulum import DateTime

from itinerary import _records, _time
from itinerary._records import INSTANT, LOCAL, PERSON, PLACE, STR, ZONE, Columns, category
from itinerary._table import Table
from itinerary._text import clip, escape_controls, format_instant, text_ref
from itinerary.events import AgreementSigned, Arrived, Departed, Event, MeetingHeld, format_local
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
        return f"Whereabouts({text_ref(self.who)}, {whereabouts_phrase(self)}{since})"

    def _repr_html_(self) -> str:
        return whereabouts_table((self,)).html()


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


# -- shown as text and tables (see itinerary.display) ---------------------------------------


def _local(instant: datetime | None, place: Place | None) -> str:
    return "" if instant is None else format_local(instant, place)


def _whereabouts_row(where: Whereabouts) -> tuple[str, str, str, str]:
    if where.place is not None:
        place = where.place.name
        since = _local(where.since, where.place)
    elif where.origin is not None:
        bound = where.destination.name if where.destination is not None else "?"
        place = f"{where.origin.name} -> {bound}"
        since = _local(where.since, where.origin)
    else:
        place, since = "", ""
    return (where.who, where.status, place, since)


def whereabouts_table(found: Iterable[Whereabouts]) -> Table:
    """Who is where, and since when in local time (a journey: since leaving its origin)."""
    return Table(
        "Whereabouts",
        ("who", "status", "where", "since (local)"),
        [_whereabouts_row(w) for w in found],
        empty="(nobody yet)",
        status=1,
    )


def whereabouts_phrase(where: Whereabouts) -> str:
    """``at Tokyo``, ``in transit Tokyo -> Seoul`` or ``unknown``: for reprs."""
    if where.place is not None:
        return f"at {clip(where.place.name)}"
    if where.origin is not None:
        bound = clip(where.destination.name) if where.destination is not None else "?"
        return f"in transit {clip(where.origin.name)} -> {bound}"
    return "unknown"


def whereabouts_line(where: Whereabouts, version: int | None = None) -> str:
    """One person's whereabouts as one line of text, as ``itinerary follow`` prints it.

    ``version 3: Donald Trump: at Tokyo since 2025-10-27 16:30 +09:00 Asia/Tokyo``: the
    time in the place's zone (a journey's in its origin's), names whole, control characters
    written out; *version*, if given, is the log's version it is true at.

    >>> from itinerary import Whereabouts
    >>> from itinerary.places import SEOUL, TOKYO
    >>> whereabouts_line(Whereabouts("Donald Trump", None, TOKYO.at("2025-10-29 09:00"),
    ...                              origin=TOKYO, destination=SEOUL), 7)
    'version 7: Donald Trump: in transit Tokyo -> Seoul since 2025-10-29 09:00 +09:00 Asia/Tokyo'
    """
    prefix = "" if version is None else f"version {version}: "
    who = escape_controls(where.who)
    if where.place is not None:
        phrase, place = f"at {escape_controls(where.place.name)}", where.place
    elif where.origin is not None:
        bound = escape_controls(where.destination.name) if where.destination is not None else "?"
        phrase, place = f"in transit {escape_controls(where.origin.name)} -> {bound}", where.origin
    else:
        return f"{prefix}{who}: unknown"
    since = "" if where.since is None else f" since {format_instant(where.since, place)}"
    return f"{prefix}{who}: {phrase}{since}"


# -- records and DataFrames (see itinerary.frames) ------------------------------------------

WHEREABOUTS_COLUMNS = {
    "who": PERSON, "status": category("status"), "place": PLACE, "origin": PLACE,
    "destination": PLACE, "since": INSTANT, "local": LOCAL, "offset": STR, "zone": ZONE,
}  # fmt: skip
"""The columns of a table of whereabouts (see :func:`itinerary.frames.to_records`)."""


def _name(place: Place | None) -> str | None:
    return None if place is None else place.name


def whereabouts_columns(found: Iterable[Whereabouts]) -> Columns:
    """*found* as a table of :data:`WHEREABOUTS_COLUMNS`, one row each, in their order."""
    table = Columns.empty(WHEREABOUTS_COLUMNS, {"status": get_args(Status)})
    for where in found:
        seen_at = where.place if where.place is not None else where.origin
        local, offset, zone = (None, None, None)
        if where.since is not None:
            local, offset, zone = _records.local_parts(
                where.since, None if seen_at is None else seen_at.tz
            )
        table.add(
            {
                "who": where.who,
                "status": where.status,
                "place": _name(where.place),
                "origin": _name(where.origin),
                "destination": _name(where.destination),
                "since": _records.utc(where.since),
                "local": local,
                "offset": offset,
                "zone": zone,
            }
        )
    return table
