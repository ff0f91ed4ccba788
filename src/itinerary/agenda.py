"""A day-by-day agenda of a log, in each place's local time or all in one zone.

>>> from itinerary import EventLog, Arrived
>>> from itinerary.places import TOKYO
>>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
>>> print(format_agenda(agenda(log)))
Monday 27 October 2025
  17:00       +09:00  Tokyo         Donald Trump arrives in Tokyo
>>> print(format_agenda(agenda(log, tz="Asia/Kuala_Lumpur")))
Monday 27 October 2025
  16:00       +08:00  Tokyo         Donald Trump arrives in Tokyo
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
from pendulum import DateTime

from itinerary import _time, display
from itinerary._text import format_instant, format_span, place_ref, text_ref
from itinerary.display import format_agenda
from itinerary.events import Event, MeetingHeld
from itinerary.log import EventLog
from itinerary.places import Place
from itinerary.projections import timeline

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Agenda", "AgendaEntry", "agenda", "format_agenda"]


@attrs.frozen
class AgendaEntry:
    """One line of an agenda: local start (and end, for a meeting), place and what happens."""

    start: DateTime
    end: DateTime | None
    place: Place | None
    text: str
    event: Event = attrs.field(repr=False)

    def __repr__(self) -> str:
        when = format_instant(self.start) if self.end is None else format_span(self.start, self.end)
        return f"AgendaEntry({when}, {place_ref(self.place)}, {text_ref(self.text)})"

    def _repr_html_(self) -> str:
        return display.agenda_table((self,)).html()


class Agenda(tuple[AgendaEntry, ...]):
    """What :func:`agenda` returns: a tuple of :class:`AgendaEntry`, shown as an agenda.

    It is an ordinary tuple (indexing, ``len``, equality with a tuple); ``str()`` is
    :func:`format_agenda`'s text, and a notebook shows the first and last entries as an
    HTML table.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return format_agenda(self)

    def __repr__(self) -> str:
        if not self:
            return "Agenda(no entries)"
        first, last = format_instant(self[0].start), format_instant(self[-1].start)
        noun = "entry" if len(self) == 1 else "entries"
        return f"Agenda({len(self)} {noun}, from {first} to {last})"

    def _repr_html_(self) -> str:
        return display.agenda_table(self, head=display.HEAD, tail=display.TAIL).html()

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per entry, times as the agenda shows them (see :func:`itinerary.frames.agenda_records`)."""
        from itinerary import frames  # noqa: PLC0415 - tables are built on demand

        return frames.agenda_records(self)

    def to_pandas(self) -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
        from itinerary import frames  # noqa: PLC0415 - tables are built on demand

        return frames.agenda_frame(self)


def _local(instant: DateTime, place: Place | None, tz: str | None) -> DateTime:
    if tz is not None:
        return _time.to_zone(instant, tz)
    if place is not None:
        return place.local(instant)
    return instant


def agenda(log: EventLog | Iterable[Event], *, tz: str | None = None) -> Agenda:
    """The events of *log* in occurrence order, with times local to each event's place.

    With *tz* (an IANA zone name), every time is shown in that zone instead. The result is
    an :class:`Agenda`: a tuple that prints as :func:`format_agenda` does.
    """
    if tz is not None:
        _time.check_zone(tz)
    ordered = timeline(log).events
    entries = []
    for event in ordered:
        place = getattr(event, "place", None)
        end = event.end if isinstance(event, MeetingHeld) else None
        entries.append(
            AgendaEntry(
                _local(event.occurred_at, place, tz),
                None if end is None else _local(end, place, tz),
                place,
                event.describe(),
                event,
            )
        )
    return Agenda(entries)
