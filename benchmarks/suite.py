"""The measurements: one function per section, each returning :class:`Result` rows.

Every section is measured at every size in the same run as its baselines, so ratios hold on
a noisy machine. The eventsourcing section needs the ``eventsourcing`` library; without it
the section prints "not available" and is skipped.
"""

from __future__ import annotations

import functools
import gc
import importlib
import os
import pickle
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import attrs

from benchmarks.baselines import bare_append, bare_fold, columnar_fold
from benchmarks.workload import START, Fact, as_facts, delegations, generate
from itinerary import EventLog, replay
from itinerary.consistency import check
from itinerary.events import Event
from itinerary.places import TOKYO
from itinerary.store import open_store

# What each itinerary figure is compared with: a fold (replay, check, load) with the bare
# loop and eventsourcing's rebuild; a write (append, extend, store write) with appending
# tuples to a list and eventsourcing's save; construction with eventsourcing's building of
# aggregates (each method call constructs one of its events).
FOLD, WRITE, BUILD = "fold", "write", "build"
# A replay of the delegation workload, compared with the bare loop over its own facts.
DELEGATION_FOLD = "fold (delegations)"
DELEGATION_REPLAY = "full replay, delegations"
DELEGATION_BARE = "fold delegations' tuples into dicts"
COLUMNS_REPLAY = "full replay, log kept as columns"
COLUMNS_EVERY_PART = "full replay, log kept as columns, every part read"


@dataclass(frozen=True)
class Result:
    """One figure: *what* was measured for *subject* at *size* events."""

    section: str
    subject: str
    what: str
    size: int
    seconds: float | None = None  # for the whole size, when the figure is a rate
    kind: str | None = None  # FOLD, WRITE or BUILD: which baselines it is compared with
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Events per second, if this figure is a rate."""
        return None if not self.seconds else self.size / self.seconds


@dataclass
class Config:
    """How much to measure."""

    sizes: Sequence[int]
    repeat: Callable[[int], int]
    queries: int = 1000
    es_limit: int | None = None
    seed: int = 2025
    log: Callable[[str], None] = print
    skipped: list[str] = field(default_factory=list)


def best(
    config: Config, n: int, run: Callable[[], Any], setup: Callable[[], Any] | None = None
) -> float:
    """The fastest of a few timed runs of *run* (after *setup*, untimed)."""
    times = []
    for _ in range(config.repeat(n)):
        if setup is not None:
            setup()
        gc.collect()
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def optional(module: str, config: Config, section: str) -> Any | None:
    """*module* (a library the package does not depend on), or ``None`` after printing that
    *section* is not available."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        message = f"{section}: not available ({exc})"
        config.log(message)
        config.skipped.append(message)
        return None


def construct(events: Sequence[Event], config: Config) -> list[Result]:
    """Constructing events from their fields: validators and instant conversion included."""
    n = len(events)
    fields = [(type(e), _fields(e)) for e in events]
    seconds = best(config, n, lambda: [cls(**kw) for cls, kw in fields])
    return [Result("construct", "itinerary", "construct events", n, seconds, BUILD)]


def _fields(event: Event) -> dict[str, Any]:
    return {a.name: getattr(event, a.name) for a in attrs.fields(type(event))}


def append(events: Sequence[Event], facts: Sequence[Fact], config: Config) -> list[Result]:
    """Appending one by one (with per-tenth costs, for flatness) and in one extend."""
    n = len(events)
    tenth = max(1, n // 10)
    chunks: list[float] = []

    def one_by_one() -> None:
        chunks.clear()
        log = EventLog()
        for start in range(0, n, tenth):
            t0 = time.perf_counter()
            for event in events[start : start + tenth]:
                log = log.append(event)
            chunks.append((time.perf_counter() - t0) / len(events[start : start + tenth]))

    seconds = best(config, n, one_by_one)
    flat = chunks[-1] / chunks[0]
    return [
        Result("append", "itinerary", "append one by one", n, seconds, WRITE,
               {"last/first tenth": flat}),
        Result("append", "itinerary", "extend once", n,
               best(config, n, lambda: EventLog().extend(events)), WRITE),
        Result("append", "bare loop", "list.append tuples", n,
               best(config, n, lambda: bare_append(facts))),
    ]  # fmt: skip


def replays(events: Sequence[Event], facts: Sequence[Fact], config: Config) -> list[Result]:
    """A full replay into all built-in projections, from a log never replayed before."""
    n = len(events)
    logs: list[EventLog] = []
    seconds = best(config, n, lambda: replay(logs[-1]), lambda: logs.append(EventLog(events)))
    return [
        Result("replay", "itinerary", "full replay", n, seconds, FOLD),
        Result("replay", "bare loop", "fold tuples into dicts", n,
               best(config, n, lambda: bare_fold(facts))),
        *columnar_replays("replay", events, config, FOLD),
    ]  # fmt: skip


def columnar_replays(
    section: str, events: Sequence[Event], config: Config, kind: str
) -> list[Result]:
    """A first replay of a log kept as columns (as a columnar file or SQLite loads one), and the
    columnar limit: a lexsort and a numpy fold over the same columns, no event built."""
    n = len(events)
    columns = EventLog(events).columns
    kept: list[EventLog] = []
    seconds = best(
        config, n, lambda: replay(kept[-1]), lambda: kept.append(EventLog.from_columns(columns))
    )
    read: list[EventLog] = []

    def every_part() -> None:  # the agreements and deadlines, which such a replay defers
        state = replay(read[-1])
        state.agreements  # noqa: B018 - read to be built
        state.deadlines  # noqa: B018 - read to be built

    whole = best(config, n, every_part, lambda: read.append(EventLog.from_columns(columns)))
    made = best(config, n, lambda: EventLog.from_columns(columns))
    return [
        Result(section, "itinerary", COLUMNS_REPLAY, n, seconds, kind),
        Result(section, "itinerary", COLUMNS_EVERY_PART, n, whole, kind),
        Result(section, "itinerary", "EventLog.from_columns (checked)", n, made),
        Result(section, "columnar limit", "lexsort + numpy fold", n,
               best(config, n, lambda: columnar_fold(columns))),
    ]  # fmt: skip


def delegation_replays(n: int, config: Config) -> list[Result]:
    """A full replay of delegations (groups of 10-100 sharing each instant), fresh log each run.

    Every event ties with others at its instant, so this measures the tie order's cost.
    """
    events = delegations(n, seed=config.seed)
    facts = as_facts(events)
    logs: list[EventLog] = []
    seconds = best(config, n, lambda: replay(logs[-1]), lambda: logs.append(EventLog(events)))
    return [
        Result("replay (delegations)", "itinerary", DELEGATION_REPLAY, n, seconds,
               DELEGATION_FOLD),
        Result("replay (delegations)", "bare loop", DELEGATION_BARE, n,
               best(config, n, lambda: bare_fold(facts))),
        *columnar_replays("replay (delegations)", events, config, DELEGATION_FOLD),
    ]  # fmt: skip


def time_travel(events: Sequence[Event], config: Config) -> list[Result]:
    """``replay(log, as_of=t)`` at random instants, after a first replay built the index."""
    log = EventLog(events)
    last = replay(log).as_of
    assert last is not None
    span = int((last - START).total_seconds() * 1e6)
    rng = random.Random(config.seed)
    instants = [
        TOKYO.local(START + timedelta(microseconds=rng.randrange(span + 1)))
        for _ in range(config.queries)
    ]
    latencies = []
    for at in instants:
        t0 = time.perf_counter()
        replay(log, as_of=at)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(0.99 * len(latencies)) - 1)]
    stats = {"median ms": statistics.median(latencies) * 1e3, "p99 ms": p99 * 1e3}
    return [Result("time travel", "itinerary", f"as_of query x{config.queries}", len(events),
                   extra=stats)]  # fmt: skip


def memory(events: Sequence[Event], config: Config) -> list[Result]:
    """Bytes per event held by a log (events, their instants, the log's list) and its index.

    The index is measured after a first replay (the events in occurrence order, their instants
    and positions, the final state), then again once a question about an earlier instant has
    made it keep a snapshot every 128 events. The events are a fresh copy (unpickled: objects
    shared between events stay shared, as places and names are in a real log), traced with
    tracemalloc.
    """
    n = len(events)
    blob = pickle.dumps(list(events), protocol=pickle.HIGHEST_PROTOCOL)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        copies = pickle.loads(blob)
        log = EventLog(copies)
        del copies
        held = tracemalloc.get_traced_memory()[0]
        last = replay(log).as_of
        indexed = tracemalloc.get_traced_memory()[0]
        if last is not None:  # a question just before the end: snapshots all the way
            replay(log, as_of=last - timedelta(microseconds=1))
        travelled = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    columns = EventLog(events).columns
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        kept = EventLog.from_columns(columns)
        kept_held = tracemalloc.get_traced_memory()[0]
        replay(kept)
        kept_replayed = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return [
        Result("memory", "itinerary", "bytes per event in a log", n,
               extra={"bytes/event": (held - before) / n}),
        Result("memory", "itinerary", "bytes per event, log kept as columns", n,
               extra={"bytes/event": (kept_held - start) / n}),
        Result("memory", "itinerary", "bytes per event, kept as columns, after replay", n,
               extra={"bytes/event": (kept_replayed - start) / n}),
        Result("memory", "itinerary", "bytes per event, replay index", n,
               extra={"bytes/event": (indexed - held) / n}),
        Result("memory", "itinerary", "bytes per event, index with snapshots", n,
               extra={"bytes/event": (travelled - held) / n}),
    ]  # fmt: skip


def checks(events: Sequence[Event], config: Config) -> list[Result]:
    """``itinerary.consistency.check`` over the whole log."""
    n = len(events)
    logs: list[EventLog] = []
    found: list[Any] = []
    # A fresh log each run: check() shares the log's replay index, which a second run reuses.
    seconds = best(
        config, n, lambda: found.append(check(logs[-1])), lambda: logs.append(EventLog(events))
    )
    return [Result("check", "itinerary", "check", n, seconds, FOLD,
                   {"violations": float(len(found[-1]))})]  # fmt: skip


def stores(events: Sequence[Event], config: Config) -> list[Result]:
    """Writing the log to a store in one extend, and loading it back, for SQLite and JSONL."""
    results = []
    for suffix, label in ((".sqlite", "SQLite"), (".jsonl", "JSON Lines")):
        with tempfile.TemporaryDirectory(prefix="itinerary-bench-") as folder:
            results += _store(
                events, config, os.path.join(folder, "events"), suffix=suffix, label=label
            )
    return results


def _store(
    events: Sequence[Event], config: Config, stem: str, *, suffix: str, label: str
) -> list[Result]:
    n = len(events)
    paths: list[str] = []
    loaded: list[EventLog] = []

    def write() -> None:
        with open_store(paths[-1]) as target:
            target.extend(events)

    def load() -> None:
        with open_store(paths[-1], create=False) as source:
            loaded.append(source.load())

    write_s = best(config, n, write, lambda: paths.append(f"{stem}{len(paths)}{suffix}"))
    load_s = best(config, n, load)
    assert len(loaded[-1]) == n
    return [
        Result("store", "itinerary", f"{label} write", n, write_s, WRITE),
        Result("store", "itinerary", f"{label} load", n, load_s, FOLD),
    ]


def eventsourcing(facts: Sequence[Fact], config: Config) -> list[Result]:
    """The eventsourcing library: build aggregates, save them, rebuild each via the repository."""
    es = optional("benchmarks.es", config, "eventsourcing")
    if es is None:
        return []
    n = len(facts)
    if config.es_limit is not None and n > config.es_limit:
        config.log(f"eventsourcing: skipped at {n:,} events (--es-limit {config.es_limit:,})")
        return []
    results = []
    for persistence in ("memory", "sqlite"):
        subject = f"eventsourcing ({persistence})"
        timings = es.save_and_rebuild(facts, persistence)
        results += [
            Result("eventsourcing", subject, "build aggregates", n, timings["build"]),
            Result("eventsourcing", subject, "save", n, timings["save"]),
            Result("eventsourcing", subject, "rebuild via repository", n, timings["rebuild"]),
        ]
    return results


def _columnar(events: Sequence[Event], config: Config) -> list[Result]:
    """The Arrow store and Parquet (benchmarks/columnar_store.py), next to the store section."""
    from benchmarks import columnar_store  # noqa: PLC0415 - it imports this module

    return columnar_store.section(events, config)


def run(config: Config) -> list[Result]:
    """Every section at every size; prints progress through ``config.log``."""
    results: list[Result] = []
    for n in config.sizes:
        t0 = time.perf_counter()
        events = generate(n, seed=config.seed)
        facts = as_facts(events)
        config.log(f"{n:,} events generated in {time.perf_counter() - t0:.1f} s")
        sections: list[Callable[[], list[Result]]] = [
            functools.partial(construct, events, config),
            functools.partial(append, events, facts, config),
            functools.partial(replays, events, facts, config),
            functools.partial(delegation_replays, n, config),
            functools.partial(time_travel, events, config),
            functools.partial(memory, events, config),
            functools.partial(checks, events, config),
            functools.partial(stores, events, config),
            functools.partial(_columnar, events, config),
            functools.partial(eventsourcing, facts, config),
        ]
        for section in sections:
            t0 = time.perf_counter()
            found = section()
            if found:
                config.log(f"  {found[0].section:<14} {time.perf_counter() - t0:6.1f} s")
            results += found
    return results
