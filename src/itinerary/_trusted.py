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

from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
)

__all__ = ["FIELDS", "agreement_signed", "arrived", "departed", "meeting_held", "obligation_met"]

FIELDS: dict[type[Event], tuple[str, ...]] = {
    Arrived: ("who", "place", "at"),
    Departed: ("who", "place", "at", "to"),
    MeetingHeld: ("title", "participants", "place", "start", "end", "venue"),
    AgreementSigned: ("title", "signatories", "place", "at", "venue", "obligations"),
    ObligationMet: ("agreement", "what", "at"),
}
"""The fields each constructor sets, in order: the test checks them against attrs'."""

_E = TypeVar("_E", bound=Event)


def setters(cls: type[Event]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of *cls*'s fields, in :data:`FIELDS` order."""
    return tuple(cls.__dict__[name].__set__ for name in FIELDS[cls])


def _unchecked(cls: type[_E]) -> Callable[..., _E]:
    """A constructor of *cls* taking its :data:`FIELDS` in order, setting each slot as is."""
    slots = setters(cls)
    new = object.__new__

    def build(*values: object) -> _E:
        event: _E = new(cls)
        for set_slot, value in zip(slots, values, strict=True):
            set_slot(event, value)
        return event

    build.__doc__ = f"``{cls.__name__}({', '.join(FIELDS[cls])})``, unchecked."
    return build


arrived = _unchecked(Arrived)
departed = _unchecked(Departed)
meeting_held = _unchecked(MeetingHeld)
agreement_signed = _unchecked(AgreementSigned)
obligation_met = _unchecked(ObligationMet)
