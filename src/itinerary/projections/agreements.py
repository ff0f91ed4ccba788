"""Which agreements have been signed, in the order they were signed."""

from __future__ import annotations

from typing import TypeAlias

from itinerary.events import AgreementSigned, Event
from itinerary.projections._core import Projection

__all__ = ["AGREEMENTS", "Signed", "signed"]

# A persistent stack: (newest signing, the stack before it), or None when empty. Pushing
# is O(1) and shares the past, so every snapshot of it is free.
Signed: TypeAlias = "tuple[AgreementSigned, Signed] | None"


def _evolve(state: Signed, event: Event) -> Signed:
    assert isinstance(event, AgreementSigned)
    return (event, state)


def signed(state: Signed) -> tuple[AgreementSigned, ...]:
    """The signings in *state*, oldest first."""
    newest_first: list[AgreementSigned] = []
    while state is not None:
        event, state = state
        newest_first.append(event)
    return tuple(reversed(newest_first))


def _evolve_many(state: Signed, events: list[Event]) -> Signed:
    for event in events:
        assert isinstance(event, AgreementSigned)
        state = (event, state)
    return state


AGREEMENTS: Projection[Signed] = Projection(
    None, _evolve, handles=(AgreementSigned,), name="agreements", evolve_many=_evolve_many
)
"""The projection from a log to the agreements signed."""
