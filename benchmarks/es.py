"""The peer baseline: the same facts as ``eventsourcing`` (9.x) aggregates.

One aggregate per participant (``Arrived``, ``Departed``), one per meeting (``Held``) and one
per agreement (``Signed``, then ``ObligationMet``): one stored domain event per itinerary event,
plus one ``Registered`` event per participant. Values are plain names and integer
microseconds, which is easier work for its JSON transcoder than pendulum instants.

Imported only when the ``bench`` extra is installed.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.workload import Fact


class Traveller(Aggregate):
    """Where one participant is."""

    @event("Registered")
    def __init__(self, name: str) -> None:
        self.name = name
        self.place: str | None = None
        self.since: int | None = None
        self.origin: str | None = None
        self.destination: str | None = None

    @event("Arrived")
    def arrive(self, place: str, at: int) -> None:
        self.place, self.since, self.origin, self.destination = place, at, None, None

    @event("Departed")
    def depart(self, place: str, at: int, to: str | None) -> None:
        self.place, self.since, self.origin, self.destination = None, at, place, to


class Meeting(Aggregate):
    """One meeting held."""

    @event("Held")
    def __init__(
        self, title: str, participants: list[str], place: str, start: int, end: int
    ) -> None:
        self.title, self.participants, self.place = title, participants, place
        self.start, self.end = start, end


class Agreement(Aggregate):
    """One agreement signed, its obligations' deadlines and when each was met."""

    @event("Signed")
    def __init__(
        self, title: str, signatories: list[str], place: str, at: int, dues: list[list[Any]]
    ) -> None:
        self.title, self.signatories, self.place, self.at = title, signatories, place, at
        self.deadlines: dict[str, list[Any]] = {what: [due, None] for what, due in dues}

    @event("ObligationMet")
    def meet(self, what: str, at: int) -> None:
        entry = self.deadlines.get(what)
        if entry is not None and entry[1] is None:
            entry[1] = at


def aggregates(facts: Sequence[Fact]) -> list[Aggregate]:
    """The aggregates recording *facts*, with their events pending (not yet saved)."""
    travellers: dict[str, Traveller] = {}
    agreements: dict[str, Agreement] = {}
    meetings: list[Meeting] = []

    def traveller(name: str) -> Traveller:
        found = travellers.get(name)
        if found is None:
            found = travellers[name] = Traveller(name)
        return found

    for fact in facts:
        kind = fact[0]
        if kind == "arrived":
            traveller(fact[1]).arrive(fact[2], fact[3])
        elif kind == "departed":
            traveller(fact[1]).depart(fact[2], fact[3], fact[4])
        elif kind == "meeting":
            meetings.append(Meeting(fact[1], list(fact[2]), fact[3], fact[4], fact[5]))
        elif kind == "signed":
            dues = [[what, due] for what, due in fact[5]]
            agreements[fact[1]] = Agreement(fact[1], list(fact[2]), fact[3], fact[4], dues)
        else:
            found = agreements.get(fact[1])
            if found is not None:
                found.meet(fact[2], fact[3])
    return [*travellers.values(), *meetings, *agreements.values()]


@contextmanager
def application(persistence: str) -> Iterator[Application]:
    """An eventsourcing application on ``"memory"`` (POPO) or ``"sqlite"`` (a temporary file)."""
    if persistence == "memory":
        yield Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        return
    with tempfile.TemporaryDirectory(prefix="itinerary-bench-") as folder:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": os.path.join(folder, "events.sqlite"),
        }
        app = Application(env=env)
        try:
            yield app
        finally:
            app.close()


def save_and_rebuild(facts: Sequence[Fact], persistence: str) -> dict[str, float]:
    """Seconds to build the aggregates, save them, and rebuild every one via the repository."""
    with application(persistence) as app:
        t0 = time.perf_counter()
        built = aggregates(facts)
        t1 = time.perf_counter()
        for start in range(0, len(built), 1000):
            app.save(*built[start : start + 1000])
        t2 = time.perf_counter()
        ids: list[UUID] = [a.id for a in built]
        del built
        t3 = time.perf_counter()
        get = app.repository.get
        rebuilt = [get(i) for i in ids]
        t4 = time.perf_counter()
        assert len(rebuilt) == len(ids)
    return {"build": t1 - t0, "save": t2 - t1, "rebuild": t4 - t3}
