"""Events built from values already checked: no converters, no validators.

Two callers trust their values: the simulator's engine, and the store's codec for a row whose
checksum matches what was written. A simulated run builds thousands of events, and every field of each comes from a plan whose
steps were validated when they were made (names, places, people, obligations) or from the
engine (instants from :func:`itinerary._time.from_micros`, a meeting's end after its
start). Checking them again per event is a third of ``simulate()``. These constructors set
the slots of the frozen event classes directly, with the values the validated constructors
would store; ``tests/test_sim_engine.py`` checks that every event of simulated runs equals
the one its validated constructor builds, and that the classes have exactly these fields.
They are for those two only: anything from outside goes through the event classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from itinerary import _time, events
from itinerary.events import (
    _SET_US,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
)

__all__ = [
    "FIELDS",
    "agreement_signed",
    "arrived",
    "constructor",
    "constructor_at",
    "departed",
    "meeting_held",
    "obligation_met",
]

FIELDS: dict[type[Event], tuple[str, ...]] = {
    cls: tuple(name for name, _ in fields) for cls, fields in events.FIELDS.items()
}
"""The fields each constructor sets, in order (the names of :data:`itinerary.events.FIELDS`):
the test checks them against attrs'."""

_E = TypeVar("_E", bound=Event)


def setters(cls: type[Event]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of *cls*'s fields, in :data:`FIELDS` order."""
    return tuple(cls.__dict__[name].__set__ for name in FIELDS[cls])


def constructor(cls: type[_E]) -> Callable[..., _E]:
    """A constructor of *cls* taking its :data:`FIELDS` in order, setting each slot as is.

    The event keeps its instant in microseconds (replay's sort key), computed from the
    field :data:`itinerary.events.FIELDS` marks as its instant, as the checked constructor
    keeps it.
    """
    build_at = constructor_at(cls)
    at = [kind for _, kind in events.FIELDS[cls]].index(events.INSTANT)
    micros = _time.micros

    def build(*values: Any) -> _E:
        return build_at(micros(values[at]), *values)

    build.__doc__ = f"``{cls.__name__}({', '.join(FIELDS[cls])})``, unchecked."
    return build


def constructor_at(cls: type[_E]) -> Callable[..., _E]:
    """Like :func:`constructor`, given the instant in microseconds first (it is not computed)."""
    slots = (_SET_US, *setters(cls))
    new = object.__new__

    def build(us: int, *values: object) -> _E:
        event: _E = new(cls)
        for set_slot, value in zip(slots, (us, *values), strict=True):
            set_slot(event, value)
        return event

    build.__doc__ = f"``{cls.__name__}(us, {', '.join(FIELDS[cls])})``, unchecked."
    return build


arrived = constructor(Arrived)
departed = constructor(Departed)
meeting_held = constructor(MeetingHeld)
agreement_signed = constructor(AgreementSigned)
obligation_met = constructor(ObligationMet)
