r"""A tour as an iCalendar file (RFC 5545), for any calendar program.

:func:`to_ical` writes, with the ``icalendar`` library:

- each meeting as a ``VEVENT`` (its title, venue and place, its participants),
- each stay and each journey of each person as a timed ``VEVENT`` (``TRANSP:TRANSPARENT``:
  being somewhere does not make anyone busy), from the whereabouts projection,
- each signing as a ``VEVENT`` at the instant it was signed (with its obligations),
- each obligation's deadline as a ``VTODO`` with ``DUE`` (``STATUS:COMPLETED`` and
  ``COMPLETED`` once met),

every time in the local wall time of its place with that place's ``TZID``, and a
``VTIMEZONE`` for each zone used, covering the dates used. Two readings of one repeated
wall time cannot both be written with a ``TZID`` (RFC 5545 reads a repeated time as its first
occurrence), so an instant in the second occurrence is written in UTC (``...Z``) instead:
exact either way. A place in zone ``UTC`` has its times written ``...Z`` too. iCalendar times have whole seconds: fractions of a second are dropped.

Text (``SUMMARY``, ``LOCATION``, ``DESCRIPTION``, ``NAME``) holds no control character:
RFC 5545 ``TEXT`` has none but tab and newline (written ``\n``). Every other one (ESC, BEL,
NUL, DEL, VT, FF, CR, the C1 controls) is written out as text output writes it, ``\x1b``,
so a name reads back as it is shown everywhere else, never as a different string.

The file depends on the log only: the same log gives the same bytes. Each component's
``UID`` is derived from its content, and ``DTSTAMP`` is the latest instant the log records
(or *stamp*), never the wall clock.

``icalendar`` is an optional extra: ``pip install "itinerary[ical]"`` (or
``"itinerary[notebook]"``).

>>> from itinerary import load_scenario
>>> text = to_ical(load_scenario("examples/asia_tour_2025.toml").log).decode()
>>> print("\n".join([line for line in text.splitlines() if line.startswith("DTSTART;")][:3]))
DTSTART;TZID=Asia/Kuala_Lumpur:20251026T100000
DTSTART;TZID=Asia/Kuala_Lumpur:20251026T140000
DTSTART;TZID=Asia/Kuala_Lumpur:20251027T090000
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from itinerary import _files, _time
from itinerary._extras import require
from itinerary._spans import Span, horizon, spans
from itinerary._text import escape_controls
from itinerary.events import AgreementSigned, Event, MeetingHeld, format_local
from itinerary.log import EventLog
from itinerary.places import Place
from itinerary.projections import Deadline, replay
from itinerary.projections import timeline as occurrences

__all__ = ["PRODID", "to_ical", "write_ical"]

PRODID = "-//itinerary//itinerary tour calendar//EN"
"""The ``PRODID`` of every calendar :func:`to_ical` writes."""

_SECOND = 1_000_000  # µs
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what TEXT cannot hold: not tab, not LF


def _text(value: str) -> str:
    r"""*value* as iCalendar TEXT can hold it: controls but tab and LF written out (``\x1b``)."""
    return _CONTROL.sub(lambda match: escape_controls(match.group()), value)


def _icalendar() -> Any:
    """The icalendar package, or :class:`MissingExtraError` saying how to install it."""
    return require("icalendar", extra="ical", feature="itinerary.ical.to_ical()")


class _Writer:
    """The calendar being written: its components, their UIDs, and the zones they use."""

    def __init__(self, icalendar: Any, stamp: datetime) -> None:
        self.ical = icalendar
        self.stamp = stamp
        self.components: list[tuple[tuple[int, int, str], Any]] = []
        self.uids: set[str] = set()
        self.dates: dict[str, tuple[date, date]] = {}  # zone -> first and last local date

    def time(self, component: Any, name: str, instant: datetime, place: Place) -> None:
        """Add property *name*: *instant* as the wall time at *place*, with its TZID.

        In the second occurrence of a repeated wall time, or at a place in zone ``UTC``,
        the instant is written in UTC instead.
        """
        us = _time.micros(instant) // _SECOND * _SECOND
        local = _time.from_micros(us, place.tz)
        wall = datetime(local.year, local.month, local.day, local.hour, local.minute, local.second)
        first = _time.micros(wall.replace(tzinfo=_time.zone(place.tz)))  # fold=0
        # RFC 5545 reads a repeated wall time as its first occurrence; and a time in zone UTC
        # is written ...Z, as icalendar writes it, with no VTIMEZONE for a TZID nobody uses.
        if first != us or place.tz == "UTC":
            component.add(name, _EPOCH + timedelta(microseconds=us))
            return
        component.add(name, wall, parameters={"TZID": place.tz})
        low, high = self.dates.get(place.tz, (wall.date(), wall.date()))
        self.dates[place.tz] = (min(low, wall.date()), max(high, wall.date()))

    def uid(self, *parts: object) -> str:
        """A UID from the content *parts*: the same parts give the same UID."""
        digest = hashlib.sha256("\x1f".join(map(repr, parts)).encode()).hexdigest()[:32]
        uid, n = f"{digest}@itinerary", 1
        while uid in self.uids:  # the same fact recorded twice: number the copies
            n += 1
            uid = f"{digest}-{n}@itinerary"
        self.uids.add(uid)
        return uid

    def component(self, kind: str, uid: str, start: datetime, rank: int) -> Any:
        """A new VEVENT or VTODO with its UID and DTSTAMP, kept in the calendar's order."""
        component = self.ical.Event() if kind == "VEVENT" else self.ical.Todo()
        component.add("uid", uid)
        component.add("dtstamp", self.stamp)
        self.components.append(((_time.micros(start), rank, uid), component))
        return component


def _location(place: Place, venue: str | None = None) -> str:
    parts = [venue] if venue else []
    return ", ".join([*parts, place.name, place.country])


def _add_span(writer: _Writer, span: Span, end_of_log: datetime) -> None:
    place = span.start_place
    if span.kind == "stay":
        summary = f"{span.who} in {place.name}"
        category = "STAY"
    else:
        to = span.destination.name if span.destination is not None else "unknown destination"
        summary = f"{span.who}: {place.name} to {to}"
        category = "TRAVEL"
    uid = writer.uid(category, span.who, _time.micros(span.start), place, span.destination)
    event = writer.component("VEVENT", uid, span.start, 0)
    event.add("summary", _text(summary))
    writer.time(event, "dtstart", span.start, place)
    end: datetime | None = span.end
    end_place = span.end_place or place
    note = ""
    if end is None:
        end = end_of_log
        what = "departure" if span.kind == "stay" else "arrival"
        note = f"No {what} recorded: shown until the log's last event."
    if _time.micros(end) // _SECOND > _time.micros(span.start) // _SECOND:
        writer.time(event, "dtend", end, end_place)
    event.add("location", _text(_location(place)))
    event.add("transp", "TRANSPARENT")
    event.add("categories", [category])
    if note:
        event.add("description", note)


def _add_meeting(writer: _Writer, meeting: MeetingHeld) -> None:
    uid = writer.uid(
        "MEETING", meeting.title, meeting.participants, meeting.place,
        _time.micros(meeting.start), _time.micros(meeting.end), meeting.venue,
    )  # fmt: skip
    event = writer.component("VEVENT", uid, meeting.start, 1)
    event.add("summary", _text(meeting.title))
    writer.time(event, "dtstart", meeting.start, meeting.place)
    if _time.micros(meeting.end) // _SECOND > _time.micros(meeting.start) // _SECOND:
        writer.time(event, "dtend", meeting.end, meeting.place)
    event.add("location", _text(_location(meeting.place, meeting.venue)))
    event.add("description", _text(f"Participants: {', '.join(meeting.participants)}"))
    event.add("categories", ["MEETING"])


def _add_signing(writer: _Writer, signing: AgreementSigned) -> str:
    uid = writer.uid(
        "SIGNING", signing.title, signing.signatories, signing.place,
        _time.micros(signing.at), signing.venue,
    )  # fmt: skip
    event = writer.component("VEVENT", uid, signing.at, 2)
    event.add("summary", _text(f"Signing: {signing.title}"))
    writer.time(event, "dtstart", signing.at, signing.place)
    event.add("location", _text(_location(signing.place, signing.venue)))
    lines = [f"Signed by {', '.join(signing.signatories)}."]
    for obligation in signing.obligations:
        due = obligation.due_after(signing.at, signing.place)
        lines.append(f"Obligation: {obligation.what} (due {format_local(due, signing.place)})")
    event.add("description", _text("\n".join(lines)))
    event.add("categories", ["SIGNING"])
    return uid


def _add_deadline(writer: _Writer, deadline: Deadline, signing_uid: str | None) -> None:
    uid = writer.uid(
        "DEADLINE", deadline.agreement, deadline.what, _time.micros(deadline.signed_at),
        _time.micros(deadline.due),
    )  # fmt: skip
    todo = writer.component("VTODO", uid, deadline.due, 3)
    todo.add("summary", _text(f"{deadline.what} ({deadline.agreement})"))
    if _time.micros(deadline.signed_at) <= _time.micros(deadline.due):
        writer.time(todo, "dtstart", deadline.signed_at, deadline.place)
    writer.time(todo, "due", deadline.due, deadline.place)
    todo.add("location", _text(_location(deadline.place)))
    signed = format_local(deadline.signed_at, deadline.place)
    todo.add(
        "description",
        _text(f"An obligation of {deadline.agreement}, signed {signed} in {deadline.place.name}."),
    )
    if deadline.met_at is not None:
        todo.add("status", "COMPLETED")
        met = _time.micros(deadline.met_at) // _SECOND * _SECOND
        todo.add("completed", _EPOCH + timedelta(microseconds=met))  # UTC, as RFC 5545 says
    else:
        todo.add("status", "NEEDS-ACTION")
    if signing_uid is not None:
        todo.add("related-to", signing_uid)
    todo.add("categories", ["DEADLINE"])


def to_ical(
    log: EventLog | Iterable[Event], *, stamp: datetime | None = None, name: str | None = None
) -> bytes:
    """*log* as an RFC 5545 calendar: meetings, stays, journeys, signings and deadlines.

    Args:
        log: The events (an :class:`~itinerary.EventLog` or any iterable of events).
        stamp: The ``DTSTAMP`` of every component, an aware datetime; by default the instant
            of the log's latest event (so the same log always gives the same bytes).
        name: The calendar's name (``NAME`` and ``X-WR-CALNAME``), if any.

    Returns:
        The calendar as bytes (UTF-8, CRLF line ends), ready to write to a ``.ics`` file.

    Raises:
        MissingExtraError: icalendar is not installed (``pip install "itinerary[ical]"``).
        NaiveDatetimeError: *stamp* has no zone.

    """
    ical = _icalendar()
    events = occurrences(log).events
    if stamp is None:
        latest = events[-1].occurred_at if events else _EPOCH
    else:
        latest = _time.instant(stamp, what="stamp")
    writer = _Writer(
        ical, _EPOCH + timedelta(microseconds=_time.micros(latest) // _SECOND * _SECOND)
    )
    end_of_log = horizon(events) or latest
    for span in spans(events):
        _add_span(writer, span, end_of_log)
    signing_uids: dict[tuple[str, int], str] = {}
    for event in events:
        if isinstance(event, MeetingHeld):
            _add_meeting(writer, event)
        elif isinstance(event, AgreementSigned):
            uid = _add_signing(writer, event)
            signing_uids.setdefault((event.title, _time.micros(event.at)), uid)
    for deadline in replay(events).deadlines if events else ():
        key = (deadline.agreement, _time.micros(deadline.signed_at))
        _add_deadline(writer, deadline, signing_uids.get(key))

    calendar = ical.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        # As TEXT (commas escaped): icalendar writes these two raw otherwise.
        calendar.add("name", ical.vText(_text(name)))
        calendar.add("x-wr-calname", ical.vText(_text(name)))
    for zone in sorted(writer.dates):
        low, high = writer.dates[zone]
        calendar.add_component(
            ical.Timezone.from_tzid(
                zone,
                first_date=max(date.min, low - timedelta(days=1)),
                last_date=min(date.max, high + timedelta(days=1)),
            )
        )
    for _, component in sorted(writer.components, key=lambda item: item[0]):
        calendar.add_component(component)
    return bytes(calendar.to_ical())


def write_ical(
    log: EventLog | Iterable[Event],
    path: str | os.PathLike[str],
    *,
    stamp: datetime | None = None,
    name: str | None = None,
) -> None:
    """Write :func:`to_ical` of *log* to the file *path* (replacing it if it exists).

    Written whole or not at all (a temporary file beside it, renamed): a full disk leaves
    no empty or partial calendar behind.
    """
    data = to_ical(log, stamp=stamp, name=name)
    _files.write_atomic(os.fspath(path), data)
