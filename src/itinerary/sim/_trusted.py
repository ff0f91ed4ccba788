"""Events built from values the engine already checked: no converters, no validators.

A simulated run builds thousands of events, and every field of each comes from a plan whose
steps were validated when they were made (names, places, people, obligations) or from the
engine (instants from :func:`itinerary._time.from_micros`, a meeting's end after its
start). Checking them again per event is a third of ``simulate()``. These constructors set
the slots of the frozen event classes directly, with the values the validated constructors
would store; ``tests/test_sim_engine.py`` checks that every event of simulated runs equals
the one its validated constructor builds, and that the classes have exactly these fields.
They are for the engine only: anything from outside goes through the event classes.
"""

from __future__ import annotations

from itinerary.events import AgreementSigned, Arrived, Departed, MeetingHeld, ObligationMet
from itinerary.places import Place

__all__ = ["FIELDS", "agreement_signed", "arrived", "departed", "meeting_held", "obligation_met"]

FIELDS = {
    Arrived: ("who", "place", "at"),
    Departed: ("who", "place", "at", "to"),
    MeetingHeld: ("title", "participants", "place", "start", "end", "venue"),
    AgreementSigned: ("title", "signatories", "place", "at", "venue", "obligations"),
    ObligationMet: ("agreement", "what", "at"),
}
"""The fields each constructor sets, in order: the test checks them against attrs'."""

_new = object.__new__
_A_WHO, _A_PLACE, _A_AT = (Arrived.__dict__[n].__set__ for n in FIELDS[Arrived])
_D_WHO, _D_PLACE, _D_AT, _D_TO = (Departed.__dict__[n].__set__ for n in FIELDS[Departed])
_M_TITLE, _M_WHO, _M_PLACE, _M_START, _M_END, _M_VENUE = (
    MeetingHeld.__dict__[n].__set__ for n in FIELDS[MeetingHeld]
)
_S_TITLE, _S_WHO, _S_PLACE, _S_AT, _S_VENUE, _S_OBLIGATIONS = (
    AgreementSigned.__dict__[n].__set__ for n in FIELDS[AgreementSigned]
)
_O_AGREEMENT, _O_WHAT, _O_AT = (ObligationMet.__dict__[n].__set__ for n in FIELDS[ObligationMet])


def arrived(who: str, place: Place, at: object) -> Arrived:
    """``Arrived(who, place, at)``, unchecked."""
    event: Arrived = _new(Arrived)
    _A_WHO(event, who)
    _A_PLACE(event, place)
    _A_AT(event, at)
    return event


def departed(who: str, place: Place, at: object, to: Place | None) -> Departed:
    """``Departed(who, place, at, to=to)``, unchecked."""
    event: Departed = _new(Departed)
    _D_WHO(event, who)
    _D_PLACE(event, place)
    _D_AT(event, at)
    _D_TO(event, to)
    return event


def meeting_held(
    title: str,
    participants: tuple[str, ...],
    place: Place,
    start: object,
    end: object,
    *,
    venue: str | None,
) -> MeetingHeld:
    """``MeetingHeld(title, participants, place, start, end, venue=venue)``, unchecked."""
    event: MeetingHeld = _new(MeetingHeld)
    _M_TITLE(event, title)
    _M_WHO(event, participants)
    _M_PLACE(event, place)
    _M_START(event, start)
    _M_END(event, end)
    _M_VENUE(event, venue)
    return event


def agreement_signed(
    title: str,
    signatories: tuple[str, ...],
    place: Place,
    at: object,
    *,
    venue: str | None,
    obligations: tuple[object, ...],
) -> AgreementSigned:
    """``AgreementSigned(title, signatories, place, at, venue=..., obligations=...)``, unchecked."""
    event: AgreementSigned = _new(AgreementSigned)
    _S_TITLE(event, title)
    _S_WHO(event, signatories)
    _S_PLACE(event, place)
    _S_AT(event, at)
    _S_VENUE(event, venue)
    _S_OBLIGATIONS(event, obligations)
    return event


def obligation_met(agreement: str, what: str, at: object) -> ObligationMet:
    """``ObligationMet(agreement, what, at)``, unchecked."""
    event: ObligationMet = _new(ObligationMet)
    _O_AGREEMENT(event, agreement)
    _O_WHAT(event, what)
    _O_AT(event, at)
    return event
