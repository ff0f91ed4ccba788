"""Consistency checks: what a log records that cannot all have happened.

:func:`check` reads a whole log (never "as of" an instant) and returns one
:class:`Violation` per problem it finds, each naming its rule, the person, the positions of the
events involved in the log's recording order, and a sentence in local times and place names:

>>> from itinerary import EventLog, Arrived, Departed
>>> from itinerary.places import KUALA_LUMPUR, TOKYO
>>> log = EventLog([
...     Departed("Donald Trump", KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
...     Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 11:00")),
... ])
>>> for violation in check(log):
...     print(violation)
[too-fast] positions 0, 1: Donald Trump travels 5,318 km from Kuala Lumpur (leaves 2025-10-27 09:00 +08:00) to Tokyo (arrives 2025-10-27 11:00 +09:00) in 1 h: 5,318 km/h, faster than any airliner (1,200 km/h)

The rules and their stable identifiers are listed in :data:`RULES`. A log may begin
mid-journey: someone's first known event (an arrival, a departure, a meeting) needs nothing
before it. :func:`check` makes one pass over the events in the order they occurred, keeping a
little state per person, so it costs a sort plus linear time: it scales to millions of events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

import attrs

from itinerary import _progress, _time
from itinerary._table import Table
from itinerary._text import clip, escape_controls, format_duration, text_ref
from itinerary.errors import ConsistencyError
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
    format_local,
)
from itinerary.log import EventLog
from itinerary.places import (
    EARTH_RADIUS_KM,
    MAX_GROUND_SPEED_KMH,
    Place,
    faster_than_airliner,
    great_circle_km,
)
from itinerary.projections import timeline

__all__ = [
    "EARTH_RADIUS_KM",
    "MAX_GROUND_SPEED_KMH",
    "RULES",
    "Violation",
    "Violations",
    "assert_consistent",
    "check",
    "great_circle_km",
]

RULES: Mapping[str, str] = MappingProxyType(
    {
        "arrive-while-elsewhere": "someone arrives somewhere while still at another place",
        "depart-from-elsewhere": "someone departs from a place they are not at "
        "(or while already travelling)",
        "wrong-destination": "someone arrives somewhere other than the destination their "
        "departure named",
        "two-places": "someone is in meetings or signings at two places at once",
        "overlapping-meetings": "someone is in two meetings at one place that overlap",
        "absent-participant": "a meeting participant or a signatory is not at its place for "
        "its whole duration",
        "too-fast": "a journey faster than any airliner over the great-circle distance",
        "due-before-signed": "an obligation falls due at or before its agreement is signed",
        "met-before-signed": "an obligation is met before its agreement was signed",
        "unknown-obligation": "an obligation is met that no agreement of that title lists",
        "met-twice": "an obligation is met a second time",
    }
)
"""Every rule :func:`check` applies: stable identifier -> what it catches."""


@attrs.frozen
class Violation:
    """One thing the log records that cannot have happened.

    Args:
        rule: Its rule's stable identifier, a key of :data:`RULES` (e.g. ``"too-fast"``).
        who: The person concerned, or ``None`` for a rule about an agreement's obligations.
        positions: The positions of the events involved, in the log's recording order
            (``log[position]``), ascending.
        message: A sentence saying what is wrong, in local times and place names.

    """

    rule: str
    who: str | None
    positions: tuple[int, ...]
    message: str

    def __str__(self) -> str:
        where = ", ".join(map(str, self.positions))
        label = "position" if len(self.positions) == 1 else "positions"
        return f"[{self.rule}] {label} {where}: {escape_controls(self.message)}"

    def __repr__(self) -> str:
        message = clip(" ".join(self.message.split()), 60)
        return (
            f"Violation({self.rule!r}, {text_ref(self.who)}, positions={self.positions!r}, "
            f"{message!r})"
        )

    def _repr_html_(self) -> str:
        return violations_table((self,)).html()


class Violations(list[Violation]):
    """What :func:`check` returns: a list of :class:`Violation`, shown as a table.

    It compares equal to a plain list (``check(log) == []``); ``str()`` is the table
    ``itinerary check`` prints, and a notebook shows it as an HTML table.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return violations_table(self).text()

    def _repr_html_(self) -> str:
        return violations_table(self).html()


def _due_if_early(obligation: Obligation, signing: AgreementSigned, at: int) -> datetime | None:
    """The deadline of *obligation* if it is at or before its signing (at *at* µs), else None.

    A ``within=`` duration is positive, and one with no negative part (years, months, days,
    exact time) moves the local date forward, so it falls due after the signing. Only a
    duration that mixes signs (``months=1, days=-29``) is computed: a check of a large log
    does not redo the calendar arithmetic of every deadline.
    """
    due = obligation.due
    if due is None:
        within = obligation.within
        assert within is not None
        # With no negative part, a (positive) period ends after the signing.
        if min(_time.duration_parts(within)) >= 0:
            return None
        due = obligation.due_after(signing.at, signing.place)
    return due if _time.micros(due) <= at else None


def _duration(micros: int) -> str:
    return format_duration(max(0, micros))


class _Person:
    """What one pass knows about one person so far (mutable, private to :func:`check`)."""

    __slots__ = ("busy", "here", "origin", "since", "since_pos", "to")

    def __init__(self) -> None:
        self.here: Place | None = None  # where they are; None while travelling or unknown
        self.since: datetime | None = None  # arrival, or departure while travelling
        self.since_pos = -1  # the position of the event that put them here (or on the way)
        self.origin: Place | None = None  # set while travelling
        self.to: Place | None = None  # the destination their departure named, if any
        # The meeting (or signing) they are in that ends last, as
        # (start µs, end µs, event, position): the sweep's one interval per person.
        self.busy: tuple[int, int, MeetingHeld | AgreementSigned, int] | None = None


class _Checker:
    """One pass over events in occurrence order; collects violations as it goes."""

    def __init__(self) -> None:
        self.people: dict[str, _Person] = {}
        # Agreement title -> {obligation -> met already?}, for the signings seen so far.
        self.obligations: dict[str, dict[str, bool]] = {}
        self.signings: dict[str, tuple[AgreementSigned, int]] = {}
        # Obligations met before any agreement of that title was signed: title -> [(...)].
        self.early: dict[str, list[tuple[ObligationMet, int, int]]] = {}
        self.found: list[tuple[int, Violation]] = []  # (occurrence index, violation)
        self.step = 0

    def report(
        self, rule: str, who: str | None, positions: Iterable[int], message: str, *, step: int = -1
    ) -> None:
        violation = Violation(rule, who, tuple(sorted(set(positions))), message)
        self.found.append((self.step if step < 0 else step, violation))

    def person(self, who: str) -> _Person:
        found = self.people.get(who)
        if found is None:
            found = self.people[who] = _Person()
        return found

    @staticmethod
    def where(state: _Person) -> str:
        """Where *state* says its person is, as a phrase: "is in Tokyo (there since ...)"."""
        if state.here is not None:
            assert state.since is not None
            return f"is in {state.here.name} (there since {format_local(state.since, state.here)})"
        assert state.origin is not None
        assert state.since is not None
        bound = f" for {state.to.name}" if state.to is not None else ""
        return f"is travelling: left {state.origin.name}{bound} at {format_local(state.since, state.origin)}"

    def arrived(self, event: Arrived, pos: int, at: int) -> None:
        who, place = event.who, event.place
        state = self.person(who)
        if state.here is not None and state.here != place:
            self.report(
                "arrive-while-elsewhere",
                who,
                (state.since_pos, pos),
                f"{who} arrives in {place.name} at {format_local(event.at, place)} but {self.where(state)} "
                "with no departure in between",
            )
        elif state.origin is not None:
            assert state.since is not None
            if state.to is not None and state.to != place:
                self.report(
                    "wrong-destination",
                    who,
                    (state.since_pos, pos),
                    f"{who} arrives in {place.name} at {format_local(event.at, place)} but left {state.origin.name} at "
                    f"{format_local(state.since, state.origin)} for {state.to.name}",
                )
            self.judge_speed(who, state, event, pos, at)
        busy = state.busy
        if busy is not None and at < busy[1] and state.here == place:
            # Already there for a meeting at this place that began before this arrival (an
            # arrival at its start sorts before it): the arrival says they came in late.
            _, _, engagement, busy_pos = busy
            assert isinstance(engagement, MeetingHeld)  # a signing has no length
            if engagement.place == place:
                self.report(
                    "absent-participant",
                    who,
                    (busy_pos, pos),
                    f"{who} arrives in {place.name} at {format_local(event.at, place)}, after "
                    f"{engagement.title!r} in {place.name} began at "
                    f"{format_local(engagement.start, place)} (it ends at "
                    f"{format_local(engagement.end, place)})",
                )
        state.here, state.since, state.since_pos = place, event.at, pos
        state.origin = state.to = None

    def judge_speed(self, who: str, state: _Person, event: Arrived, pos: int, at: int) -> None:
        """Report a journey from *state*'s departure to *event* faster than an airliner."""
        origin, left, left_pos = state.origin, state.since, state.since_pos
        assert origin is not None
        assert left is not None
        km = great_circle_km(origin, event.place)
        if not km:  # no coordinates, or the same spot: nothing to judge
            return
        elapsed = at - _time.micros(left)
        if not faster_than_airliner(km, elapsed):
            return
        speed = f"{km / (elapsed / 3_600_000_000):,.0f} km/h" if elapsed > 0 else "no time at all"
        self.report(
            "too-fast",
            who,
            (left_pos, pos),
            f"{who} travels {km:,.0f} km from {origin.name} (leaves {format_local(left, origin)}) to "
            f"{event.place.name} (arrives {format_local(event.at, event.place)}) in "
            f"{_duration(elapsed)}: {speed}, faster than any airliner "
            f"({MAX_GROUND_SPEED_KMH:,.0f} km/h)",
        )

    def departed(self, event: Departed, pos: int, at: int) -> None:
        who, place = event.who, event.place
        state = self.person(who)
        if (state.here is not None and state.here != place) or state.origin is not None:
            self.report(
                "depart-from-elsewhere",
                who,
                (state.since_pos, pos),
                f"{who} leaves {place.name} at {format_local(event.at, place)} but {self.where(state)}",
            )
        busy = state.busy
        if busy is not None and at < busy[1]:
            _, _, engagement, busy_pos = busy
            assert isinstance(engagement, MeetingHeld)
            self.report(
                "absent-participant",
                who,
                (busy_pos, pos),
                f"{who} leaves {place.name} at {format_local(event.at, place)}, before {engagement.title!r} in "
                f"{engagement.place.name} ends at {format_local(engagement.end, engagement.place)}",
            )
        state.here, state.origin, state.to = None, place, event.to
        state.since, state.since_pos = event.at, pos

    def engaged(self, event: MeetingHeld | AgreementSigned, pos: int, at: int) -> None:
        place = event.place
        is_meeting = isinstance(event, MeetingHeld)
        end = _time.micros(event.end) if isinstance(event, MeetingHeld) else at
        what = "meeting" if is_meeting else "signing"
        for who in event.people:
            state = self.person(who)
            busy = state.busy
            clash = False
            # Events come in order of their start, so [at, end] overlaps an earlier
            # [start, stop] when at < stop and start < end: touching is not overlapping,
            # and a meeting of no length at another's start does not overlap it.
            if busy is not None and at < busy[1] and busy[0] < end:
                _, _, other, other_pos = busy
                assert isinstance(other, MeetingHeld)
                during = (
                    f"{other.title!r} in {other.place.name} "
                    f"({format_local(other.start, other.place)} to {format_local(other.end, other.place)})"
                )
                if other.place != place:
                    clash = True
                    self.report(
                        "two-places",
                        who,
                        (other_pos, pos),
                        f"{who} is at the {what} {event.title!r} in {place.name} at {format_local(event.occurred_at, place)} "
                        f"while still in {during}",
                    )
                elif is_meeting:
                    self.report(
                        "overlapping-meetings",
                        who,
                        (other_pos, pos),
                        f"{who} is in {event.title!r} in {place.name} from {format_local(event.occurred_at, place)} while still "
                        f"in {during}",
                    )
            if state.here is None and state.origin is None:  # first known: they were there
                state.here, state.since, state.since_pos = place, event.occurred_at, pos
            elif state.here != place and not clash:
                role = "a participant in" if is_meeting else "a signatory of"
                self.report(
                    "absent-participant",
                    who,
                    (state.since_pos, pos),
                    f"{who} is {role} {event.title!r} in {place.name} at {format_local(event.occurred_at, place)} but "
                    f"{self.where(state)}",
                )
            if busy is None or end > busy[1]:
                state.busy = (at, end, event, pos)

    def signed(self, event: AgreementSigned, pos: int, at: int) -> None:
        self.engaged(event, pos, at)
        title = event.title
        listed = self.obligations.setdefault(title, {})
        for obligation in event.obligations:
            listed.setdefault(obligation.what, False)
            due = _due_if_early(obligation, event, at)
            if due is not None:
                when = "at the instant" if _time.micros(due) == at else "before"
                self.report(
                    "due-before-signed",
                    None,
                    (pos,),
                    f"{obligation.what!r} of {title!r} falls due at {format_local(due, event.place)}, "
                    f"{when} the agreement is signed in {event.place.name} at "
                    f"{format_local(event.at, event.place)}",
                )
        self.signings.setdefault(title, (event, pos))
        for met, met_pos, step in self.early.pop(title, ()):
            if met.what in listed:
                self.report(
                    "met-before-signed",
                    None,
                    (met_pos, pos),
                    f"{met.what!r} of {title!r} is met at {format_local(met.at, event.place)}, "
                    f"before the agreement is signed in {event.place.name} at "
                    f"{format_local(event.at, event.place)}",
                    step=step,
                )
            else:
                self.unknown(met, met_pos, step=step)

    def unknown(self, event: ObligationMet, pos: int, *, step: int = -1) -> None:
        signing = self.signings.get(event.agreement)
        if signing is None:
            self.report(
                "unknown-obligation",
                None,
                (pos,),
                f"{event.what!r} of {event.agreement!r} is met at {format_local(event.at, None)}, "
                f"but no agreement titled {event.agreement!r} is ever signed",
                step=step,
            )
            return
        agreement, signed_pos = signing
        listed = ", ".join(repr(o.what) for o in agreement.obligations) or "none"
        self.report(
            "unknown-obligation",
            None,
            (signed_pos, pos),
            f"{event.what!r} of {event.agreement!r} is met at "
            f"{format_local(event.at, agreement.place)}, but that agreement (signed in "
            f"{agreement.place.name} at {format_local(agreement.at, agreement.place)}) lists no such "
            f"obligation (it lists {listed})",
            step=step,
        )

    def fulfilled(self, event: ObligationMet, pos: int) -> None:
        listed = self.obligations.get(event.agreement)
        if listed is None:
            self.early.setdefault(event.agreement, []).append((event, pos, self.step))
            return
        met = listed.get(event.what)
        if met is None:
            self.unknown(event, pos)
        elif met:
            agreement, signed_pos = self.signings[event.agreement]
            self.report(
                "met-twice",
                None,
                (signed_pos, pos),
                f"{event.what!r} of {event.agreement!r} is met again at "
                f"{format_local(event.at, agreement.place)}",
            )
        else:
            listed[event.what] = True

    def finish(self) -> list[Violation]:
        for title in sorted(self.early):
            for met, met_pos, step in self.early[title]:
                self.unknown(met, met_pos, step=step)
        self.early.clear()
        self.found.sort(key=lambda item: item[0])  # stable: detection order within a step
        return [violation for _, violation in self.found]


_PROGRESS_EVERY = 1 << 14
"""Events checked between two moves of :func:`check`'s progress bar."""


def check(log: EventLog | Iterable[Event], *, progress: bool = False) -> Violations:
    """Every violation of :data:`~itinerary.consistency.RULES` in *log*, in the order the events occurred.

    The whole log is read: a violation depends on what happened, never on an ``as_of``
    instant. Positions in each :class:`Violation` are indexes in *log*'s recording order.
    One pass over the events in occurrence order, keeping per-person state (where they are,
    the meeting they are in that ends last), so the cost is a sort plus linear time.
    Journeys are judged against :data:`MAX_GROUND_SPEED_KMH` when both places have
    coordinates; places without coordinates are not judged. Someone's first known event needs
    nothing before it, since a log may begin mid-journey. With *progress*, a bar counts the
    events checked, on a terminal or in a notebook (never in a pipe or captured output).

    >>> from itinerary.places import TOKYO
    >>> from itinerary import EventLog, Arrived
    >>> check(EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30"))]))
    []
    """
    line = timeline(log)  # the log's replay index: sorted once, shared with replay()
    ordered, positions, instants = line.events, line.positions, line.instants
    checker = _Checker()
    total = len(ordered)
    with _progress.bar(total, desc="check", unit="event", enabled=progress) as bar:
        for first in range(0, total, _PROGRESS_EVERY):  # the bar moves once a slice
            stop = min(first + _PROGRESS_EVERY, total)
            span = zip(
                ordered[first:stop], positions[first:stop], instants[first:stop], strict=True
            )
            for step, (event, pos, at) in enumerate(span, first):
                checker.step = step
                kind = type(event)
                if kind is Arrived:
                    checker.arrived(event, pos, at)  # type: ignore[arg-type]
                elif kind is Departed:
                    checker.departed(event, pos, at)  # type: ignore[arg-type]
                elif kind is MeetingHeld:
                    checker.engaged(event, pos, at)  # type: ignore[arg-type]
                elif kind is AgreementSigned:
                    checker.signed(event, pos, at)  # type: ignore[arg-type]
                elif kind is ObligationMet:
                    checker.fulfilled(event, pos)  # type: ignore[arg-type]
                # Events of other kinds say nothing these rules judge.
            bar.update(stop - first)
    return Violations(checker.finish())


def assert_consistent(log: EventLog | Iterable[Event]) -> None:
    """Raise :class:`~itinerary.errors.ConsistencyError` listing every violation, if any.

    >>> from itinerary.places import TOKYO
    >>> from itinerary import EventLog, Departed
    >>> assert_consistent(EventLog([
    ...     Departed("Donald Trump", TOKYO, TOKYO.at("2025-10-29 10:00")),
    ...     Departed("Donald Trump", TOKYO, TOKYO.at("2025-10-29 11:00")),
    ... ]))
    Traceback (most recent call last):
    ...
    itinerary.errors.ConsistencyError: 1 inconsistency in a log of 2 events:
      [depart-from-elsewhere] positions 0, 1: Donald Trump leaves Tokyo at 2025-10-29 11:00 +09:00 but is travelling: left Tokyo at 2025-10-29 10:00 +09:00
    """
    if not isinstance(log, EventLog):
        log = EventLog(log)
    violations = check(log)  # the log's own replay index, shared with replay()
    if not violations:
        return
    count = len(violations)
    noun = "inconsistency" if count == 1 else "inconsistencies"
    lines = [f"{count} {noun} in a log of {len(log)} events:"]
    lines += [f"  {violation}" for violation in violations]
    raise ConsistencyError("\n".join(lines), tuple(violations))


def violations_table(violations: Sequence[Violation], *, events: int | None = None) -> Table:
    """The violations :func:`itinerary.check` found: rule, who, positions, message.

    The title counts them, and the events of the log if *events* is given.
    """
    count = len(violations)
    of = f" in {events} events" if events is not None else ""
    return Table(
        f"{count} violation{'s' if count != 1 else ''}{of}" if count else f"No violations{of}",
        ("rule", "who", "positions", "message"),
        [
            (v.rule, v.who or "", ", ".join(map(str, v.positions)), " ".join(v.message.split()))
            for v in violations
        ],
        empty="",
    )
