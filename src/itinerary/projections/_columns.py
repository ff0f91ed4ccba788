"""The built-in projections read from a log's columns: their final state, building little.

A replay to the end of a log kept as columns (:attr:`~itinerary.EventLog.columnar`) need not
build every event. The whereabouts keep each person's last arrival or departure (or, for
someone who never moved, the first meeting or signing that named them): :func:`whereabouts_rows`
finds those rows with numpy, and folding the whereabouts over just those events gives the
state folding them over every event gives. The agreements keep every signing, in order
(:func:`signing_rows`); the deadlines keep, per (agreement, obligation), the last signing
that set it and the first obligation met after it: :func:`ledger_plan` folds that over
integer ids, and :func:`ledger_of` builds the ledger from it, each deadline computed once
per distinct (signing instant, zone, obligation) with :func:`itinerary._time.add_local_micros`.
``tests/test_columns.py`` checks that every state so read equals the state of the events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import immutables
import numpy as np
import numpy.typing as npt
from pendulum import DateTime

from itinerary import _time
from itinerary.columns import KINDS, LogColumns
from itinerary.events import AgreementSigned, Event
from itinerary.projections.deadlines import Ledger, LedgerEntry

__all__ = ["ledger_of", "ledger_plan", "signing_rows", "whereabouts_rows"]

_ARRIVED, _DEPARTED, _MEETING, _SIGNED, _MET = (
    KINDS.index(name)
    for name in ("Arrived", "Departed", "MeetingHeld", "AgreementSigned", "ObligationMet")
)


def whereabouts_rows(cols: LogColumns, order: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The indices into *order* (rows in occurrence order) of the events whereabouts hold.

    Ascending, so the events they name are in occurrence order: each person's last
    movement and, for each person who never moved, the first meeting or signing naming them.
    """
    kinds = cols.kind[order]
    moves = np.flatnonzero((kinds == _ARRIVED) | (kinds == _DEPARTED))
    backwards = moves[::-1]
    movers, last = np.unique(cols.name[order[backwards]], return_index=True)
    texts = cols.texts
    moved = {texts[i] for i in movers.tolist()}
    gatherings = np.flatnonzero((kinds == _MEETING) | (kinds == _SIGNED))
    groups, first = np.unique(cols.people[order[gatherings]], return_index=True)
    placed: dict[str, int] = {}  # someone who never moved: where they were first named
    for group, at in zip(groups.tolist(), gatherings[first].tolist(), strict=True):
        for who in cols.groups[group]:
            if who not in moved and placed.get(who, at) >= at:
                placed[who] = at
    chosen = [backwards[last], np.fromiter(placed.values(), dtype=np.int64, count=len(placed))]
    return np.unique(np.concatenate(chosen).astype(np.int64))


def signing_rows(cols: LogColumns, order: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The recording positions of the signings, in occurrence order."""
    return np.asarray(order[cols.kind[order] == _SIGNED], dtype=np.int64)


Plan = dict[tuple[str, str], list[int]]
"""Per (agreement title, obligation): [signing position, obligation index, met position].

Keyed by the title's string, not its text id, as the deadlines' map is keyed: two texts
the columns keep apart (a ``str`` subclass, such as a ``StrEnum`` member, and the equal
plain string) name one agreement there.
"""


def ledger_plan(cols: LogColumns, order: npt.NDArray[np.int64]) -> Plan:
    """The deadlines projection's fold, on integers: which rows its final state holds.

    In occurrence order, a signing sets each of its obligations (met position -1, not met)
    and an obligation met marks the entry it names if it is not marked yet; one naming no
    entry changes nothing. That is ``deadlines._evolve``, without building an event.
    """
    kinds = cols.kind[order]
    rows = order[(kinds == _SIGNED) | (kinds == _MET)]
    texts, obligations = cols.texts, cols.obligations
    whats = [tuple(enumerate(o.what for o in duties)) for duties in obligations]
    plan: Plan = {}
    for row, kind, name, what, duties in zip(
        rows.tolist(),
        cols.kind[rows].tolist(),
        cols.name[rows].tolist(),
        cols.what[rows].tolist(),
        cols.duties[rows].tolist(),
        strict=True,
    ):
        if kind == _SIGNED:
            for i, obligation in whats[duties]:
                plan[texts[name], obligation] = [row, i, -1]
        else:
            entry = plan.get((texts[name], texts[what]))
            if entry is not None and entry[2] < 0:
                entry[2] = row
    return plan


def ledger_of(cols: LogColumns, plan: Plan, take: Callable[[Sequence[int]], list[Event]]) -> Ledger:
    """The deadlines projection's state that *plan* describes (see :func:`ledger_plan`).

    *take* gives the events at recording positions (``log.take``): the signings the entries
    keep are read through it, and so is an obligation met whose instant is shown at a fixed
    offset; other instants and every deadline are computed from the columns. A deadline
    ``within`` a duration is computed once per (signing instant, zone, obligation).
    """
    entries = list(plan.values())
    positions = [e[0] for e in entries]
    signings = dict(zip(*_taken(positions, take), strict=True))
    zones = cols.zones
    instants = cols.us[positions].tolist()
    duty_ids = cols.duties[positions].tolist()
    met_positions = [e[2] for e in entries if e[2] >= 0]
    met_at_us = dict(zip(met_positions, cols.us[met_positions].tolist(), strict=True))
    met_zone = dict(zip(met_positions, cols.zone[met_positions].tolist(), strict=True))
    offsets = [p for p in met_positions if zones[met_zone[p]][:1] in "+-"]
    at_offset = dict(zip(*_taken(offsets, take), strict=True))
    tzs = [None if name[:1] in "+-" else _time.zone(name) for name in zones]
    local, zone = _time.local_instant, _time.zone
    dues: dict[tuple[int, str, int, int], DateTime] = {}
    parts: dict[tuple[int, int], tuple[int, int, int, int, int]] = {}
    add = _time.add_local_micros  # read at each replay: tests inject a calendar bug here
    obligations = cols.obligations
    found = immutables.Map[tuple[str, str], LedgerEntry]().mutate()
    for (_, what), (position, i, met), us, duties in zip(
        plan, entries, instants, duty_ids, strict=True
    ):
        signing = signings[position]
        assert isinstance(signing, AgreementSigned)
        obligation = obligations[duties][i]
        due = obligation.due
        if due is None:
            tz = signing.place.tz
            key = (us, tz, duties, i)
            due = dues.get(key)
            if due is None:
                within = parts.get((duties, i))
                if within is None:
                    assert obligation.within is not None
                    within = parts[duties, i] = _time.duration_parts(obligation.within)
                due = dues[key] = local(add(us, tz, within), zone(tz))
        met_at: DateTime | None = None
        if met >= 0:
            tz_met = tzs[met_zone[met]]
            met_at = at_offset[met].occurred_at if tz_met is None else local(met_at_us[met], tz_met)
        found[signing.title, what] = LedgerEntry(signing, obligation, due, met_at)
    return found.finish()


def _taken(
    positions: list[int], take: Callable[[Sequence[int]], list[Event]]
) -> tuple[list[int], list[Event]]:
    unique = list(dict.fromkeys(positions))
    return unique, take(unique)
