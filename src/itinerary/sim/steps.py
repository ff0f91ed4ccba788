"""The steps of a plan: what is meant to happen, and when, as frozen values.

Times are exact instants (give local wall times through a place); durations are elapsed
time. Every step has a ``name``, unique in its plan (by default made from its fields), and
an optional ``delay`` that overrides the plan's disruptions for that one step.

>>> import pendulum
>>> from itinerary.places import KUALA_LUMPUR, TOKYO
>>> leg = Travel("Donald Trump", KUALA_LUMPUR, TOKYO, KUALA_LUMPUR.at("2025-10-27 09:00"),
...              pendulum.duration(hours=6, minutes=30))
>>> leg.name
'Donald Trump: Kuala Lumpur -> Tokyo'
>>> leg.who
('Donald Trump',)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Literal, TypeAlias, get_args

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary._checks import Checks, names_tuple
from itinerary.errors import (
    InvalidEventError,
    InvalidPlanError,
    LocalTimeError,
)
from itinerary.events import Obligation, format_local
from itinerary.places import Place
from itinerary.sim.delays import Delay, check_probability, elapsed_micros, format_micros
from itinerary.sim.rules import Window

__all__ = [
    "BLAME_PREFIXES", "PRIORITY_LIMIT", "Fulfilment", "Meeting", "Signing", "Step", "Travel", "default_name",
    "end_place", "start_place", "with_start",
]  # fmt: skip

StepKind: TypeAlias = Literal["travel", "meeting", "signing", "fulfilment"]
"""What a step is (its ``kind``), as the risk table and the DataFrames name it."""

STEP_KINDS: tuple[StepKind, ...] = get_args(StepKind)
"""Every ``StepKind``, in this order: a leg, a meeting, a signing, an obligation met."""


def _label(instance: object) -> str:
    name = getattr(instance, "name", None) or getattr(instance, "title", None)
    if name is None and isinstance(instance, Travel) and hasattr(instance, "destination"):
        name = default_name(instance)  # a converter runs before the name is set
    kind = type(instance).__name__
    return f"{kind} {name!r}" if isinstance(name, str) else kind


_CHECKS = Checks(InvalidPlanError, _label)
_INSTANT = _CHECKS.instant
_text = _CHECKS.text
_optional_text = _CHECKS.optional_text
_place = _CHECKS.place
_people = _CHECKS.people


def _elapsed(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    elapsed_micros(value, what=f"{_label(instance)}: {attribute.name}")


def _optional_delay(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Delay):
        raise InvalidPlanError(
            f"{_label(instance)}: delay must be a Delay (e.g. Delay.fixed(...)) or None, "
            f"got {value!r}"
        )


def default_name(instance: object) -> str:
    """The name a step gets when it is given none: its travellers and route, or its title."""
    if isinstance(instance, Travel):  # before validation: any of these may be of a wrong type
        who = instance.who if isinstance(instance.who, tuple) else (instance.who,)
        origin, destination = (
            getattr(p, "name", p) for p in (instance.origin, instance.destination)
        )
        return f"{', '.join(map(str, who))}: {origin} -> {destination}"
    if isinstance(instance, Fulfilment):
        return f"{instance.agreement}: {instance.what}"
    return str(instance.title)  # type: ignore[attr-defined]


BLAME_PREFIXES = ("Risk: ", "Resource: ")
"""How blame names a risk or a resource: no step's name may start so (it would read as one)."""


def _step_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _text(instance, attribute, value)
    if isinstance(value, str) and value.startswith(BLAME_PREFIXES):
        raise InvalidPlanError(
            f"{_label(instance)}: a step's name may not start with 'Risk: ' or 'Resource: ' "
            f"(blame names risks and resources so), got {value!r}"
        )


_NAME = attrs.field(
    kw_only=True,
    default=attrs.Factory(default_name, takes_self=True),
    validator=_step_name,
)
_DELAY = attrs.field(default=None, kw_only=True, validator=_optional_delay)


def _window(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, Window):
        raise InvalidPlanError(
            f"{_label(instance)}: window must be a Window (e.g. Window('09:00', '21:00')) or "
            f"None, got {value!r}"
        )
    if isinstance(instance, Meeting):
        needs = elapsed_micros(instance.duration, what=f"{_label(instance)}: duration")
        if needs > value.length:
            raise InvalidPlanError(
                f"{_label(instance)}: {value} cannot fit it: it lasts {format_micros(needs)}, "
                f"the window is open {format_micros(value.length)} a day"
            )


_WINDOW = attrs.field(default=None, kw_only=True, validator=_window)


def _uses(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(n, str) and n.strip() for n in value):
        raise InvalidPlanError(
            f"{_label(instance)}: uses must name resources (non-empty strings), got {value!r}"
        )
    if len(set(value)) != len(value):
        raise InvalidPlanError(f"{_label(instance)}: uses names a resource twice: {value!r}")


PRIORITY_LIMIT = 2**31
"""A step's ``priority`` lies in ``-PRIORITY_LIMIT < priority < PRIORITY_LIMIT``."""


def _priority(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= PRIORITY_LIMIT:
        raise InvalidPlanError(
            f"{_label(instance)}: priority must be an integer between -2**31 and 2**31 "
            f"(exclusive), got {value!r}"
        )


_USES = attrs.field(default=(), kw_only=True, converter=names_tuple, validator=_uses)
_PRIORITY = attrs.field(default=0, kw_only=True, validator=_priority)


def _cancel(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_probability(instance, attribute, value)


def _own_rebook(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and elapsed_micros(value, what=f"{_label(instance)}: rebook") <= 0:
        raise InvalidPlanError(
            f"{_label(instance)}: rebook must be a positive duration, got {value!r}"
        )


def _destination(instance: Travel, _: attrs.Attribute[Any], value: Place) -> None:
    _place(instance, _, value)
    if value == instance.origin:
        raise InvalidPlanError(
            f"{_label(instance)}: travels from {value.name} to {value.name}; a leg goes somewhere"
        )


@attrs.frozen
class Travel:
    """*who* (one name, or a delegation travelling together) leave *origin* for *destination*.

    They are planned to depart at *depart* and the journey takes *duration*; a departure
    delay shifts the whole leg. *cancel* and *rebook*, when given, are this leg's own
    chance of being cancelled and how much later it then flies, overriding the
    :class:`~itinerary.sim.Disruptions`' ones.

    Every step also takes ``uses=`` (the names of the plan's
    :class:`~itinerary.sim.Resource` values it holds for its whole length) and
    ``priority=`` (an integer, higher first, among steps ready for a resource).
    """

    who: tuple[str, ...] = attrs.field(converter=names_tuple, validator=_people)
    origin: Place = attrs.field(validator=_place)
    destination: Place = attrs.field(validator=_destination)
    depart: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    duration: timedelta = attrs.field(validator=_elapsed, eq=_time.duration_key)
    delay: Delay | None = _DELAY
    window: Window | None = _WINDOW
    cancel: float | None = attrs.field(default=None, kw_only=True, validator=_cancel)
    rebook: timedelta | None = attrs.field(
        default=None, kw_only=True, validator=_own_rebook, eq=_time.duration_key
    )
    uses: tuple[str, ...] = _USES
    priority: int = _PRIORITY
    name: str = _NAME

    @property
    def kind(self) -> StepKind:
        """Always ``"travel"``, the name tables give a leg."""
        return "travel"

    @property
    def people(self) -> tuple[str, ...]:
        """The travellers."""
        return self.who

    @property
    def start(self) -> DateTime:
        """The planned departure."""
        return self.depart

    def describe(self) -> str:
        """``"Donald Trump travels from Kuala Lumpur to Tokyo"``."""
        return (
            f"{', '.join(self.who)} travel{'s' if len(self.who) == 1 else ''} from "
            f"{self.origin.name} to {self.destination.name}"
        )


@attrs.frozen
class Meeting:
    """A meeting called *title* of *participants* at *place*, planned from *start* for *duration*.

    It starts when planned or, if later, when its last participant is there; an overrun
    makes it last longer.
    """

    title: str = attrs.field(validator=_text)
    participants: tuple[str, ...] = attrs.field(converter=names_tuple, validator=_people)
    place: Place = attrs.field(validator=_place)
    start: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    duration: timedelta = attrs.field(validator=_elapsed, eq=_time.duration_key)
    venue: str | None = attrs.field(default=None, validator=_optional_text)
    delay: Delay | None = _DELAY
    window: Window | None = _WINDOW
    uses: tuple[str, ...] = _USES
    priority: int = _PRIORITY
    name: str = _NAME

    @property
    def kind(self) -> StepKind:
        """Always ``"meeting"``, the name tables give a meeting."""
        return "meeting"

    @property
    def people(self) -> tuple[str, ...]:
        """The participants."""
        return self.participants

    def describe(self) -> str:
        """``"U.S.-Japan summit (Donald Trump, Sanae Takaichi)"``."""
        return f"{self.title} ({', '.join(self.participants)})"


def _obligations(value: object) -> object:
    return tuple(value) if isinstance(value, Iterable) else value


def _check_obligations(instance: Signing, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(o, Obligation) for o in value):
        raise InvalidPlanError(f"{_label(instance)}: obligations must be a list of Obligation")
    whats = [o.what for o in value]
    if len(set(whats)) != len(whats):
        raise InvalidPlanError(f"{_label(instance)}: an obligation is listed twice")
    at = _time.micros(instance.at)
    for obligation in value:
        if obligation.due is not None:  # a late signing could pass it: an impossible log
            raise InvalidPlanError(
                f"{_label(instance)}: obligation {obligation.what!r} has a fixed due=; in a "
                "plan give within= (counted from the signing, which may slip), e.g. "
                "Obligation(what, within=pendulum.duration(months=6))"
            )
        try:
            due = obligation.due_after(instance.at, instance.place)
        except (InvalidEventError, LocalTimeError) as exc:
            raise InvalidPlanError(
                f"{_label(instance)}: obligation {obligation.what!r}: {exc}"
            ) from None
        if _time.micros(due) <= at:
            raise InvalidPlanError(
                f"{_label(instance)}: obligation {obligation.what!r} falls due "
                f"({format_local(due, instance.place)}) at or before the signing "
                f"({format_local(instance.at, instance.place)})"
            )


@attrs.frozen
class Signing:
    """An agreement called *title*, planned to be signed by *signatories* at *place* at *at*.

    It is signed when planned or, if later, when every signatory is there and free.
    *obligations* are as in :class:`~itinerary.AgreementSigned`.
    """

    title: str = attrs.field(validator=_text)
    signatories: tuple[str, ...] = attrs.field(converter=names_tuple, validator=_people)
    place: Place = attrs.field(validator=_place)
    at: DateTime = attrs.field(converter=_INSTANT, eq=_time.instant_key)  # type: ignore[misc]
    venue: str | None = attrs.field(default=None, validator=_optional_text)
    obligations: tuple[Obligation, ...] = attrs.field(
        default=(), converter=_obligations, validator=_check_obligations
    )
    delay: Delay | None = _DELAY
    window: Window | None = _WINDOW
    uses: tuple[str, ...] = _USES
    priority: int = _PRIORITY
    name: str = _NAME

    @property
    def kind(self) -> StepKind:
        """Always ``"signing"``, the name tables give a signing."""
        return "signing"

    @property
    def people(self) -> tuple[str, ...]:
        """The signatories."""
        return self.signatories

    @property
    def start(self) -> DateTime:
        """The planned signing."""
        return self.at

    def describe(self) -> str:
        """``"Trade agreement signed by Donald Trump, Sanae Takaichi"``."""
        return f"{self.title} signed by {', '.join(self.signatories)}"


@attrs.frozen
class Fulfilment:
    """The obligation *what* of the agreement titled *agreement* is met *after* its signing.

    *after* counts in the signing place's local calendar, as an obligation's ``within``
    does, so it may be given in months.
    """

    agreement: str = attrs.field(validator=_text)
    what: str = attrs.field(validator=_text)
    after: timedelta = attrs.field(eq=_time.duration_key)
    delay: Delay | None = _DELAY
    window: Window | None = _WINDOW
    uses: tuple[str, ...] = _USES
    priority: int = _PRIORITY
    name: str = _NAME

    @after.validator
    def _check_after(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, timedelta) or value < timedelta(0):
            raise InvalidPlanError(
                f"{_label(self)}: after must be a non-negative duration such as "
                f"pendulum.duration(months=5), got {value!r}"
            )

    @property
    def kind(self) -> StepKind:
        """Always ``"fulfilment"``, the name tables give an obligation met."""
        return "fulfilment"

    @property
    def people(self) -> tuple[str, ...]:
        """Nobody in particular (an obligation binds its agreement's signatories)."""
        return ()

    def describe(self) -> str:
        """``"'identify projects' of Critical minerals framework met"``."""
        return f"{self.what!r} of {self.agreement} met"


Step: TypeAlias = Travel | Meeting | Signing | Fulfilment
"""Any step of a plan."""

STEP_TYPES = (Travel, Meeting, Signing, Fulfilment)


def start_place(step: Step) -> Place | None:
    """Where *step* starts: a leg's origin, a meeting's or signing's place; None for an obligation."""
    if isinstance(step, Travel):
        return step.origin
    if isinstance(step, Meeting | Signing):
        return step.place
    return None


def end_place(step: Step) -> Place | None:
    """Where *step* leaves its people: a leg's destination, a meeting's or signing's place."""
    if isinstance(step, Travel):
        return step.destination
    return start_place(step)


def with_start(step: Step, at: datetime) -> Step:
    """*step* planned to start at *at* (a leg's departure, a meeting's start, a signing).

    An obligation met has no start of its own (it follows its signing): InvalidPlanError.
    """
    if isinstance(step, Travel):
        return attrs.evolve(step, depart=at)
    if isinstance(step, Meeting):
        return attrs.evolve(step, start=at)
    if isinstance(step, Signing):
        return attrs.evolve(step, at=at)
    raise InvalidPlanError(f"{step.name!r}: an obligation met has no start of its own to move")
