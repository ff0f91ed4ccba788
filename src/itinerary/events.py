"""The facts of a tour, as frozen values.

Each event records one thing that happened, at an exact instant (an aware datetime; give
local wall times through a place, ``TOKYO.at("2025-10-28 12:00")``). Values are checked at
construction, so an event that exists describes a possible fact:

>>> from itinerary.places import TOKYO
>>> Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")).describe()
'Donald Trump arrives in Tokyo'
>>> MeetingHeld("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 11:00"),
...             TOKYO.at("2025-10-28 10:00"))
Traceback (most recent call last):
...
itinerary.errors.InvalidEventError: MeetingHeld 'Summit' in Tokyo ends (2025-10-28 10:00 +09:00) before it starts (2025-10-28 11:00 +09:00)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary._checks import Checks, names_tuple
from itinerary._table import Table
from itinerary._text import format_instant, format_span, people_ref, place_ref, text_ref
from itinerary.errors import InvalidEventError, LocalTimeError
from itinerary.places import Place

__all__ = [
    "EVENT_TYPES",
    "FIELDS",
    "AgreementSigned",
    "Arrived",
    "Departed",
    "Event",
    "MeetingHeld",
    "Obligation",
    "ObligationMet",
    "format_local",
]


def format_local(instant: datetime, place: Place | None) -> str:
    """*instant* as the wall time at *place*, with its offset: ``2025-10-28 12:00 +09:00``.

    Seconds are shown only if there are any. Without a place, the instant is shown in its
    own zone.
    """
    local = place.local(instant) if place is not None else instant
    shown = (
        f"{local:%Y-%m-%d %H:%M:%S}"
        if local.second or local.microsecond
        else f"{local:%Y-%m-%d %H:%M}"
    )
    return f"{shown} {_time.format_offset(local)}"


def _label(instance: object) -> str:
    name = type(instance).__name__
    title = getattr(instance, "title", None) or getattr(instance, "who", None)
    return f"{name} {title!r}" if isinstance(title, str) else name


_CHECKS = Checks(InvalidEventError, _label)
_INSTANT = _CHECKS.instant
_OPTIONAL_INSTANT = _CHECKS.optional_instant
_text = _CHECKS.text
_optional_text = _CHECKS.optional_text
_place = _CHECKS.place
_optional_place = _CHECKS.optional_place
_check_people = _CHECKS.people


_C = TypeVar("_C", bound=type)


def _short_repr(cls: _C) -> _C:
    """Make the class's ``_short_repr`` its ``__repr__`` (attrs generated a long one)."""
    cls.__repr__ = cls._short_repr  # type: ignore[attr-defined,method-assign]
    return cls


class Event:
    """Base class of every event: a fact that happened at one instant.

    Subclasses say when they happened through :attr:`occurred_at`, and describe themselves
    in a short sentence through :meth:`describe`. Events are immutable: the instant in
    microseconds since the epoch, replay's sort key, is computed once, when an event is
    made (or the first time a log is replayed, for events made some other way), and kept.
    """

    __slots__ = ("_us",)

    @property
    def occurred_at(self) -> DateTime:
        """The instant this fact happened, the one replay orders events by."""
        raise NotImplementedError

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone this fact is about."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short sentence saying what happened, without the time."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        """A one-row HTML table: when (local), kind, place and what happened (for notebooks)."""
        return event_table(self).html()

    def __attrs_post_init__(self) -> None:
        _SET_US(self, _time.micros(self.occurred_at))

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        # attrs pickles only the fields; the kept instant is computed again on loading.
        if attrs.has(type(self)):
            return (_restore, (type(self), self.__getstate__()))
        return super().__reduce_ex__(protocol)


_SET_US = Event._us.__set__  # type: ignore[attr-defined]


def _restore(cls: type[Event], state: Any) -> Event:
    """An event unpickled: its fields set as attrs sets them, then its instant kept."""
    event = object.__new__(cls)
    event.__setstate__(state)  # type: ignore[attr-defined]
    _SET_US(event, _time.micros(event.occurred_at))
    return event


class _AtAnInstant(Event):
    """An event that happened at the instant in its ``at`` field."""

    __slots__ = ()
    if TYPE_CHECKING:
        at: DateTime

    @property
    def occurred_at(self) -> DateTime:
        """The instant in ``at``."""
        return self.at


class _OnePersonMoves(_AtAnInstant):
    """An arrival or a departure: one person, one place, one instant."""

    __slots__ = ()
    if TYPE_CHECKING:
        who: str

    @property
    def people(self) -> tuple[str, ...]:
        """The one who moved."""
        return (self.who,)


@_short_repr
@attrs.frozen
class Arrived(_OnePersonMoves):
    """*who* arrived at *place* at the instant *at*."""

    who: str = attrs.field(validator=_text)
    place: Place = attrs.field(validator=_place)
    at: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]

    def describe(self) -> str:
        """``"Donald Trump arrives in Tokyo"``."""
        return f"{self.who} arrives in {self.place.name}"

    def _short_repr(self) -> str:
        return (
            f"Arrived({text_ref(self.who)}, {place_ref(self.place)}, "
            f"at={format_instant(self.at, self.place)})"
        )


@_short_repr
@attrs.frozen
class Departed(_OnePersonMoves):
    """*who* left *place* at the instant *at*, bound for *to* if it is known."""

    who: str = attrs.field(validator=_text)
    place: Place = attrs.field(validator=_place)
    at: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    to: Place | None = attrs.field(default=None, validator=_optional_place)

    def describe(self) -> str:
        """``"Donald Trump leaves Kuala Lumpur for Tokyo"``."""
        bound = f" for {self.to.name}" if self.to is not None else ""
        return f"{self.who} leaves {self.place.name}{bound}"

    def _short_repr(self) -> str:
        to = f", to={place_ref(self.to)}" if self.to is not None else ""
        return (
            f"Departed({text_ref(self.who)}, {place_ref(self.place)}, "
            f"at={format_instant(self.at, self.place)}{to})"
        )


def _ends_after_start(instance: MeetingHeld, _: attrs.Attribute[Any], end: DateTime) -> None:
    if _time.micros(end) < _time.micros(instance.start):
        raise InvalidEventError(
            f"{_label(instance)} in {instance.place.name} ends "
            f"({format_local(end, instance.place)}) before it starts "
            f"({format_local(instance.start, instance.place)})"
        )


@_short_repr
@attrs.frozen
class MeetingHeld(Event):
    """A meeting called *title* of *participants* at *place*, from *start* to *end*."""

    title: str = attrs.field(validator=_text)
    participants: tuple[str, ...] = attrs.field(converter=names_tuple, validator=_check_people)
    place: Place = attrs.field(validator=_place)
    start: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    end: DateTime = attrs.field(
        converter=_INSTANT,  # type: ignore[misc]
        validator=_ends_after_start,
        eq=_time.instant_key,
    )
    venue: str | None = attrs.field(default=None, validator=_optional_text)

    @property
    def occurred_at(self) -> DateTime:
        """The meeting's start; from then on it is part of the record."""
        return self.start

    @property
    def people(self) -> tuple[str, ...]:
        """The participants."""
        return self.participants

    def describe(self) -> str:
        """``"U.S.-Japan summit (Donald Trump, Sanae Takaichi) at Akasaka State Guest House"``."""
        venue = f" at {self.venue}" if self.venue else ""
        return f"{self.title} ({', '.join(self.participants)}){venue}"

    def _short_repr(self) -> str:
        return (
            f"MeetingHeld({text_ref(self.title)}, {people_ref(self.participants)}, "
            f"{place_ref(self.place)}, "
            f"{format_span(self.start, self.end, self.place)})"
        )


def _within_or_due(instance: Obligation, _: attrs.Attribute[Any], value: object) -> None:
    if (instance.within is None) == (value is None):
        raise InvalidEventError(
            f"Obligation {instance.what!r} needs exactly one of within= (a duration after "
            "the signing) or due= (an instant)"
        )


def _positive_duration(instance: Obligation, _: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, timedelta):
        raise InvalidEventError(
            f"Obligation {instance.what!r}: within= must be a duration such as "
            f"pendulum.duration(months=6), got {type(value).__name__} {value!r}"
        )
    if value <= timedelta(0):
        raise InvalidEventError(
            f"Obligation {instance.what!r}: within= must be a positive duration, got {value!r}"
        )


@_short_repr
@attrs.frozen
class Obligation:
    """Something an agreement binds its signatories to do, by a deadline.

    Give either *within*, a duration counted from the signing in the **signing place's local
    calendar** (six months from 31 March 00:30 in Tokyo is 30 September 00:30 Tokyo time), or
    *due*, an exact instant.
    """

    what: str = attrs.field(validator=_text)
    within: timedelta | None = attrs.field(
        default=None, kw_only=True, validator=_positive_duration, eq=_time.duration_key
    )
    due: DateTime | None = attrs.field(
        default=None,
        kw_only=True,
        converter=_OPTIONAL_INSTANT,  # type: ignore[misc]
        validator=_within_or_due,
        eq=_time.instant_key,
    )

    def due_after(self, signed_at: datetime, place: Place) -> DateTime:
        """The deadline for an agreement signed at *signed_at* in *place*."""
        if self.due is not None:
            return self.due
        assert self.within is not None
        return _time.add_local(signed_at, place.tz, self.within)

    def _short_repr(self) -> str:
        when = (
            f"within={self.within}"
            if self.within is not None
            else f"due={format_instant(self.due) if self.due is not None else None}"
        )
        return f"Obligation({self.what!r}, {when})"


def _obligations(value: object) -> tuple[Obligation, ...]:
    return tuple(value) if isinstance(value, Iterable) else value  # type: ignore[return-value]


def _check_obligations(instance: AgreementSigned, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple):
        raise InvalidEventError(f"{_label(instance)}: obligations must be a list of Obligation")
    seen: set[str] = set()
    dues = []
    for item in value:
        if not isinstance(item, Obligation):
            raise InvalidEventError(
                f"{_label(instance)}: obligations must hold Obligation values, "
                f"got {type(item).__name__} {item!r}"
            )
        if item.what in seen:
            raise InvalidEventError(f"{_label(instance)}: obligation {item.what!r} is listed twice")
        seen.add(item.what)
        try:  # a deadline that is not a real instant would break every replay later
            dues.append(item.due_after(instance.at, instance.place))
        except LocalTimeError as exc:
            raise InvalidEventError(
                f"{_label(instance)}: the deadline of obligation {item.what!r} cannot be "
                f"computed: {exc}"
            ) from None
    _SET_DUES(instance, tuple(dues))  # computed anyway: kept for replay (see dues())


class _Signing(_AtAnInstant):
    """An event that keeps the deadlines of its obligations once computed."""

    __slots__ = ("_dues",)


_SET_DUES = _Signing._dues.__set__  # type: ignore[attr-defined]


@_short_repr
@attrs.frozen
class AgreementSigned(_Signing):
    """An agreement called *title*, signed by *signatories* at *place* at the instant *at*."""

    title: str = attrs.field(validator=_text)
    signatories: tuple[str, ...] = attrs.field(converter=names_tuple, validator=_check_people)
    place: Place = attrs.field(validator=_place)
    at: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    venue: str | None = attrs.field(default=None, validator=_optional_text)
    obligations: tuple[Obligation, ...] = attrs.field(
        default=(), converter=_obligations, validator=_check_obligations
    )

    @property
    def people(self) -> tuple[str, ...]:
        """The signatories."""
        return self.signatories

    def dues(self) -> tuple[DateTime, ...]:
        """The deadline of each obligation, in order (see :meth:`Obligation.due_after`).

        Computed once, when the signing is checked, and kept: replaying a log does no
        calendar arithmetic for signings it has seen.
        """
        try:
            return self._dues  # type: ignore[attr-defined,no-any-return]
        except AttributeError:  # made without its validators (unpickled, unchecked)
            found = tuple(o.due_after(self.at, self.place) for o in self.obligations)
            _SET_DUES(self, found)
            return found

    def describe(self) -> str:
        """``"Trade agreement signed by Donald Trump, Sanae Takaichi"``."""
        return f"{self.title} signed by {', '.join(self.signatories)}"

    def _short_repr(self) -> str:
        duties = f", obligations={len(self.obligations)}" if self.obligations else ""
        return (
            f"AgreementSigned({text_ref(self.title)}, "
            f"{people_ref(self.signatories)}, {place_ref(self.place)}, "
            f"at={format_instant(self.at, self.place)}{duties})"
        )


@_short_repr
@attrs.frozen
class ObligationMet(_AtAnInstant):
    """The obligation *what* of the agreement titled *agreement* was met at the instant *at*."""

    agreement: str = attrs.field(validator=_text)
    what: str = attrs.field(validator=_text)
    at: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]

    @property
    def people(self) -> tuple[str, ...]:
        """Nobody in particular (an obligation binds the agreement's signatories)."""
        return ()

    def describe(self) -> str:
        """``"'identify projects' of Critical minerals framework met"``."""
        return f"{self.what!r} of {self.agreement} met"

    def _short_repr(self) -> str:
        return (
            f"ObligationMet({text_ref(self.agreement)}, {text_ref(self.what)}, "
            f"at={format_instant(self.at)})"
        )


EVENT_TYPES: tuple[type[Event], ...] = (
    Arrived,
    Departed,
    MeetingHeld,
    AgreementSigned,
    ObligationMet,
)
"""The built-in event classes, for code that dispatches on them."""


TEXT = "text"
"""A field's value kind: a non-empty string."""
OPTIONAL_TEXT = "optional text"
"""A non-empty string, or None."""
NAMES = "names"
"""A tuple of distinct non-empty names, at least one."""
PLACE = "place"
"""A :class:`~itinerary.places.Place`."""
OPTIONAL_PLACE = "optional place"
"""A place, or None."""
INSTANT = "instant"
"""The instant the event occurred (its :attr:`~Event.occurred_at`), an aware datetime."""
END = "end"
"""A second instant, never before the event's :data:`INSTANT`."""
DUTIES = "duties"
"""A tuple of :class:`Obligation`, their deadlines counted from the event's instant and place."""

VALUE_KINDS: tuple[str, ...] = (
    TEXT,
    OPTIONAL_TEXT,
    NAMES,
    PLACE,
    OPTIONAL_PLACE,
    INSTANT,
    END,
    DUTIES,
)
"""Every value kind a field of a built-in event type has (see :data:`FIELDS`)."""

FIELDS: Mapping[type[Event], tuple[tuple[str, str], ...]] = {
    Arrived: (("who", TEXT), ("place", PLACE), ("at", INSTANT)),
    Departed: (("who", TEXT), ("place", PLACE), ("at", INSTANT), ("to", OPTIONAL_PLACE)),
    MeetingHeld: (
        ("title", TEXT), ("participants", NAMES), ("place", PLACE), ("start", INSTANT),
        ("end", END), ("venue", OPTIONAL_TEXT),
    ),
    AgreementSigned: (
        ("title", TEXT), ("signatories", NAMES), ("place", PLACE), ("at", INSTANT),
        ("venue", OPTIONAL_TEXT), ("obligations", DUTIES),
    ),
    ObligationMet: (("agreement", TEXT), ("what", TEXT), ("at", INSTANT)),
}  # fmt: skip
"""The one table of fields, giving each built-in event type's fields in constructor order,
each with its value kind.

Everything that takes an event apart or puts one together without its constructor reads
it: the log's columns (which column holds each field), the stores' positional rows and
the trusted builders of records and rows (which check each value by its kind), the
simulator's unchecked constructors. Each type has exactly one ``INSTANT``, the one
:attr:`Event.occurred_at` returns; a ``DUTIES`` field is counted from it and the type's
``PLACE``.
"""


EVENT_HEADERS = ("#", "at (local)", "event", "place", "what")
"""The columns of a table of events: position, local time, kind, place, what happened."""


def event_row(position: int | str, event: Event) -> tuple[str, ...]:
    """*event* as a row under :data:`EVENT_HEADERS`, at *position* (its index in a log)."""
    place = getattr(event, "place", None)
    return (
        str(position),
        format_local(event.occurred_at, place),
        type(event).__name__,
        place.name if place is not None else "",
        event.describe(),
    )


def event_table(event: Event) -> Table:
    """One event as a one-row table: when (local), kind, place, what happened."""
    return Table(None, EVENT_HEADERS[1:], [event_row("", event)[1:]])
