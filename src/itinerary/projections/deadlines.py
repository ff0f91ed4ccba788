"""Obligations that agreements create, their deadlines, and whether they have been met."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, get_args

import attrs
import immutables
from pendulum import DateTime

from itinerary import _records, _time
from itinerary._records import INSTANT, LOCAL, PLACE, STR, ZONE, Columns, category
from itinerary._table import Table
from itinerary._text import escape_controls, format_instant, text_ref
from itinerary.events import AgreementSigned, Event, Obligation, ObligationMet, format_local
from itinerary.places import Place
from itinerary.projections._core import Projection

__all__ = ["DEADLINES", "Deadline", "Ledger", "LedgerEntry", "deadlines"]

DeadlineStatus = Literal["pending", "overdue", "met"]


@attrs.frozen
class LedgerEntry:
    """An obligation as the deadlines projection keeps it, met or not.

    Its signing, its deadline, and when it was met (``None`` while it is not).
    """

    signing: AgreementSigned
    obligation: Obligation
    due: DateTime = attrs.field(eq=_time.instant_key)
    met_at: DateTime | None = attrs.field(default=None, eq=_time.instant_key)


@attrs.frozen
class Deadline:
    """An obligation of a signed agreement, its deadline and its status as of some instant.

    ``status`` is ``"met"`` once an :class:`~itinerary.events.ObligationMet` for it has
    occurred, ``"overdue"`` once ``due`` has passed without that, and ``"pending"`` before.
    """

    agreement: str
    what: str
    due: DateTime = attrs.field(eq=_time.instant_key)
    status: DeadlineStatus
    place: Place
    signed_at: DateTime = attrs.field(eq=_time.instant_key)
    met_at: DateTime | None = attrs.field(default=None, eq=_time.instant_key)

    def __str__(self) -> str:
        due = format_local(self.due, self.place)
        text = f"{self.agreement}: {self.what} (due {due} in {self.place.name}, {self.status})"
        return escape_controls(text)

    def __repr__(self) -> str:
        return (
            f"Deadline({text_ref(self.agreement)}, {text_ref(self.what)}, "
            f"due={format_instant(self.due, self.place)}, {self.status})"
        )

    def _repr_html_(self) -> str:
        return deadlines_table((self,)).html()


Ledger = immutables.Map[tuple[str, str], LedgerEntry]
"""The deadlines projection's state: each obligation, by (agreement title, what)."""


def _evolve(state: Ledger, event: Event) -> Ledger:
    if isinstance(event, AgreementSigned):
        if not event.obligations:
            return state
        draft = state.mutate()
        for obligation, due in zip(event.obligations, event.dues(), strict=True):
            draft[event.title, obligation.what] = LedgerEntry(event, obligation, due)
        return draft.finish()
    assert isinstance(event, ObligationMet)
    key = (event.agreement, event.what)
    entry = state.get(key)
    if entry is None or entry.met_at is not None:  # unknown, or met already: checks report it
        return state
    # LedgerEntry(...) directly: attrs.evolve() introspects the class on every call.
    return state.set(key, LedgerEntry(entry.signing, entry.obligation, entry.due, event.at))


def _evolve_many(state: Ledger, events: list[Event]) -> Ledger:
    """``_evolve`` folded over *events*, with one transient mutation of the map."""
    draft = state.mutate()
    for event in events:
        if isinstance(event, AgreementSigned):
            title = event.title
            for obligation, due in zip(event.obligations, event.dues(), strict=True):
                draft[title, obligation.what] = LedgerEntry(event, obligation, due)
            continue
        assert isinstance(event, ObligationMet)
        key = (event.agreement, event.what)
        entry = draft.get(key)
        if entry is None or entry.met_at is not None:  # unknown, or met already
            continue
        draft[key] = LedgerEntry(entry.signing, entry.obligation, entry.due, event.at)
    return draft.finish()


def deadlines(state: Ledger, as_of: datetime | None) -> tuple[Deadline, ...]:
    """The obligations in *state* with their status as of *as_of*, soonest due first."""
    now = None if as_of is None else _time.micros(as_of)
    keyed = []
    micros, from_micros = _time.micros, _time.from_micros
    for entry in state.values():
        due = micros(entry.due)  # once: the status, the local time and the order read it
        status: DeadlineStatus
        if entry.met_at is not None:
            status = "met"
        elif now is not None and due < now:
            status = "overdue"
        else:
            status = "pending"
        signing = entry.signing
        place = signing.place
        deadline = Deadline(
            signing.title,
            entry.obligation.what,
            from_micros(due, place.tz),  # place.local(entry.due), without checking it again
            status,
            place,
            signing.at,
            entry.met_at,
        )
        keyed.append((due, signing.title, entry.obligation.what, deadline))
    keyed.sort(key=_first_three)
    return tuple(k[3] for k in keyed)


def _first_three(item: tuple[int, str, str, Deadline]) -> tuple[int, str, str]:
    return item[0], item[1], item[2]


DEADLINES: Projection[Ledger] = Projection(
    immutables.Map(),
    _evolve,
    handles=(AgreementSigned, ObligationMet),
    name="deadlines",
    evolve_many=_evolve_many,
)
"""The projection from a log to the obligations signed and met."""


def deadlines_table(found: Iterable[Deadline]) -> Table:
    """The obligations signed, soonest due first, with their status."""
    return Table(
        "Deadlines",
        ("due (local)", "place", "status", "agreement", "obligation"),
        [
            (format_local(d.due, d.place), d.place.name, d.status, d.agreement, d.what)
            for d in found
        ],
        status=2,
    )


DEADLINE_COLUMNS = {
    "agreement": category("agreement"), "what": STR, "status": category("deadline"),
    "place": PLACE, "due": INSTANT, "local": LOCAL, "offset": STR, "zone": ZONE,
    "signed_at": INSTANT, "met_at": INSTANT,
}  # fmt: skip
"""The columns of a table of deadlines (see :func:`itinerary.frames.to_records`)."""


def deadline_columns(found: Iterable[Deadline]) -> Columns:
    """*found* as a table of :data:`DEADLINE_COLUMNS`, one row each, in their order."""
    table = Columns.empty(DEADLINE_COLUMNS, {"deadline": get_args(DeadlineStatus)})
    for deadline in found:
        local, offset, zone = _records.local_parts(deadline.due, deadline.place.tz)
        table.add(
            {
                "agreement": deadline.agreement,
                "what": deadline.what,
                "status": deadline.status,
                "place": deadline.place.name,
                "due": _records.utc(deadline.due),
                "local": local,
                "offset": offset,
                "zone": zone,
                "signed_at": _records.utc(deadline.signed_at),
                "met_at": _records.utc(deadline.met_at),
            }
        )
    return table
