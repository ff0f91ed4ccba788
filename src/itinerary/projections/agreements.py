"""Which agreements have been signed, in the order they were signed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from itinerary import _records
from itinerary._records import INSTANT, LOCAL, OBJECT, PERSON, PLACE, STR, ZONE, Columns
from itinerary._table import Table
from itinerary.events import AgreementSigned, Event, format_local
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


def agreements_table(signings: Iterable[AgreementSigned]) -> Table:
    """The agreements signed, oldest first: when (local), where, title and signatories."""
    return Table(
        "Agreements signed",
        ("at (local)", "place", "title", "signatories"),
        [
            (format_local(s.at, s.place), s.place.name, s.title, ", ".join(s.signatories))
            for s in signings
        ],
    )


AGREEMENT_COLUMNS = {
    "title": STR, "who": PERSON, "people": OBJECT, "place": PLACE, "signed_at": INSTANT,
    "local": LOCAL, "offset": STR, "zone": ZONE, "venue": STR, "obligations": OBJECT,
}  # fmt: skip
"""The columns of a table of agreements signed (see :func:`itinerary.frames.to_records`)."""


def agreement_columns(signings: Iterable[AgreementSigned]) -> Columns:
    """*signings* as a table of :data:`AGREEMENT_COLUMNS`, one row each, in their order."""
    table = Columns.empty(AGREEMENT_COLUMNS)
    for signing in signings:
        local, offset, zone = _records.local_parts(signing.at, signing.place.tz)
        table.add(
            {
                "title": signing.title,
                "who": _records.who(signing.signatories),
                "people": signing.signatories,
                "place": signing.place.name,
                "signed_at": _records.utc(signing.at),
                "local": local,
                "offset": offset,
                "zone": zone,
                "venue": signing.venue,
                "obligations": tuple(o.what for o in signing.obligations),
            }
        )
    return table
