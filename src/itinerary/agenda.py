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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from pendulum import DateTime

from itinerary import _records, _time
from itinerary._records import INSTANT, LOCAL, PERSON, PLACE, STR, ZONE, Columns, category
from itinerary._table import HEAD, TAIL, Table, head_tail
from itinerary._text import escape_controls, format_instant, format_span, place_ref, text_ref
from itinerary._time import format_offset
from itinerary.events import Event, MeetingHeld
from itinerary.log import EVENT_KINDS, EventLog
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
        return agenda_table((self,)).html()


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
        return agenda_table(self, head=HEAD, tail=TAIL).html()

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per entry, times as the agenda shows them (see :func:`itinerary.frames.agenda_records`)."""
        return agenda_columns(self).records()

    def to_pandas(self) -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
        return _records.dataframe("agenda_frame()", agenda_columns, self)


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


def agenda_table(
    entries: Sequence[AgendaEntry], *, head: int | None = None, tail: int | None = None
) -> Table:
    """The agenda as a table: day, local hours, offset, place, what happens.

    With *head* and *tail*, only the first and last entries are shown.
    """
    if head is None or tail is None:
        shown, omitted = list(range(len(entries))), 0
    else:
        shown, omitted = head_tail(len(entries), head, tail)
    rows = []
    for i in shown:
        entry = entries[i]
        hours = entry.start.strftime("%H:%M")
        if entry.end is not None:
            hours += "-" + entry.end.strftime("%H:%M")
        rows.append(
            (
                f"{entry.start:%a} {entry.start:%Y-%m-%d}",
                hours,
                format_instant(entry.start).split(" ", 2)[2],
                entry.place.name if entry.place is not None else "",
                entry.text,
            )
        )
    return Table(
        "Agenda",
        ("day", "hours", "offset, zone", "place", "what"),
        rows,
        empty="(no events)",
        omitted=omitted,
        head=min(head or 0, len(shown)) if omitted else 0,
    )


def format_agenda(entries: Iterable[AgendaEntry]) -> str:
    r"""Plain-text agenda: a heading per local day, then one aligned line per entry.

    Control characters in names are written out visibly (``\x1b``), as in every display.
    """
    lines: list[str] = []
    day = None
    for entry in entries:
        if entry.start.date() != day:
            day = entry.start.date()
            lines.append(f"{entry.start:%A} {entry.start.day} {entry.start:%B %Y}")
        hours = entry.start.strftime("%H:%M")
        if entry.end is not None:
            hours += "-" + entry.end.strftime("%H:%M")
        where = escape_controls(entry.place.name) if entry.place is not None else ""
        text = escape_controls(entry.text)
        lines.append(f"  {hours:<11} {format_offset(entry.start)}  {where:<12}  {text}".rstrip())
    return "\n".join(lines)


# -- records and DataFrames (see itinerary.frames) ------------------------------------------

AGENDA_COLUMNS = {
    "start": INSTANT, "local": LOCAL, "offset": STR, "zone": ZONE, "end": INSTANT,
    "end_local": LOCAL, "place": PLACE, "kind": category("kind"), "who": PERSON, "text": STR,
}  # fmt: skip
"""The columns of an agenda's table (see :func:`itinerary.frames.agenda_records`)."""


def agenda_columns(entries: Iterable[AgendaEntry]) -> Columns:
    """*entries* (checked to be :class:`AgendaEntry` values) as a table of :data:`AGENDA_COLUMNS`."""
    table = Columns.empty(AGENDA_COLUMNS, {"kind": EVENT_KINDS})
    for entry in _records.checked(entries, AgendaEntry, "agenda entries"):
        start = entry.start
        table.add(
            {
                "start": _records.utc(start),
                "local": start,  # already shown in its place's zone, or in agenda(tz=...)'s
                "offset": _records.offset_text(start),
                "zone": _time.zone_name(start),
                "end": _records.utc(entry.end),
                "end_local": entry.end,
                "place": None if entry.place is None else entry.place.name,
                "kind": type(entry.event).__name__,
                "who": _records.who(entry.event.people),
                "text": entry.text,
            }
        )
    return table
