"""The built-in projections read from a log's columns: which events their final state holds.

A replay to the end of a log kept as columns (:attr:`~itinerary.EventLog.columnar`) need not
build every event: the whereabouts keep each person's last arrival or departure (or, for
someone who never moved, the first meeting or signing that named them), and the agreements
and deadlines keep every signing and every obligation met. :func:`tour_rows` finds those rows
with numpy; folding the built-in projections over just those events, in occurrence order,
gives the state folding them over every event gives (``tests/test_columns.py`` checks it).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from itinerary.columns import KINDS, LogColumns

__all__ = ["tour_rows"]

_ARRIVED, _DEPARTED, _MEETING, _SIGNED, _MET = (
    KINDS.index(name)
    for name in ("Arrived", "Departed", "MeetingHeld", "AgreementSigned", "ObligationMet")
)


def tour_rows(cols: LogColumns, order: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The indices into *order* (rows in occurrence order) of the events the tour state holds.

    Ascending, so the events they name are in occurrence order: each person's last
    movement; for each person who never moved, the first meeting or signing naming them;
    every signing and every obligation met.
    """
    kinds = cols.kind[order]
    moves = np.flatnonzero((kinds == _ARRIVED) | (kinds == _DEPARTED))
    backwards = moves[::-1]
    movers, last = np.unique(cols.name[order][backwards], return_index=True)
    texts = cols.texts
    moved = {texts[i] for i in movers.tolist()}
    gatherings = np.flatnonzero((kinds == _MEETING) | (kinds == _SIGNED))
    groups, first = np.unique(cols.people[order][gatherings], return_index=True)
    placed: dict[str, int] = {}  # someone who never moved: where they were first named
    for group, at in zip(groups.tolist(), gatherings[first].tolist(), strict=True):
        for who in cols.groups[group]:
            if who not in moved and placed.get(who, at) >= at:
                placed[who] = at
    chosen = [
        backwards[last],
        np.fromiter(placed.values(), dtype=np.int64, count=len(placed)),
        np.flatnonzero((kinds == _SIGNED) | (kinds == _MET)),
    ]
    return np.unique(np.concatenate(chosen).astype(np.int64))
