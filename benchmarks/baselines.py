"""The two baselines every figure is compared with, measured in the same run.

* :func:`bare_fold`, the limit: a plain loop folding the facts, held as tuples, into dicts.
  No validation, no sorting, no snapshots, no calendar arithmetic (deadlines are computed
  once when the tuples are made): the cost of Python dispatch and dict updates alone.
* :mod:`benchmarks.es`, the peer: the ``eventsourcing`` library (9.x) with equivalent
  aggregates, saved to its in-memory (POPO) and SQLite persistence and rebuilt through its
  repository.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from benchmarks.workload import Fact


def bare_fold(facts: Iterable[Fact]) -> tuple[dict[str, Any], list[Any], dict[Any, list[Any]]]:
    """Whereabouts, agreements and deadlines from *facts*: the limit of a fold in Python."""
    where: dict[str, Any] = {}
    agreements: list[Any] = []
    deadlines: dict[Any, list[Any]] = {}
    for fact in facts:
        kind = fact[0]
        if kind == "arrived":
            where[fact[1]] = (fact[2], fact[3])
        elif kind == "departed":
            where[fact[1]] = (None, fact[3], fact[2], fact[4])
        elif kind == "meeting":
            for who in fact[2]:
                if who not in where:
                    where[who] = (fact[3], fact[4])
        elif kind == "signed":
            for who in fact[2]:
                if who not in where:
                    where[who] = (fact[3], fact[4])
            agreements.append(fact)
            for what, due in fact[5]:
                deadlines[fact[1], what] = [due, None]
        else:
            entry = deadlines.get((fact[1], fact[2]))
            if entry is not None and entry[1] is None:
                entry[1] = fact[3]
    return where, agreements, deadlines


def bare_append(facts: Iterable[Fact]) -> list[Fact]:
    """The limit of appending: facts pushed one by one onto a list."""
    held: list[Fact] = []
    push = held.append
    for fact in facts:
        push(fact)
    return held


def columnar_fold(columns: Any) -> tuple[dict[int, int], Any, dict[tuple[int, int], bool]]:
    """The limit on columns: one ``np.lexsort`` for the order, then a fold in numpy.

    *columns* is a log's :class:`itinerary.columns.LogColumns`. The order is by instant, kind
    and name id (the prototype of issue 26); whereabouts are each person's last movement
    (name id -> row), agreements the signing rows in order, deadlines met as a dict keyed by
    (agreement id, what id). No events, no objects per row: what replay on columns is
    measured against.
    """
    import numpy as np  # noqa: PLC0415 - the bench extra has it

    order = np.lexsort((columns.name, columns.kind, columns.us))
    kinds, names = columns.kind[order], columns.name[order]
    moves = np.flatnonzero(kinds <= 1)[::-1]  # Arrived, Departed: last one first
    movers, last = np.unique(names[moves], return_index=True)
    where = dict(zip(movers.tolist(), order[moves[last]].tolist(), strict=True))
    agreements = order[kinds == 3]
    met = np.flatnonzero(kinds == 4)
    deadlines = dict.fromkeys(
        zip(names[met].tolist(), columns.what[order][met].tolist(), strict=True), True
    )
    return where, agreements, deadlines
