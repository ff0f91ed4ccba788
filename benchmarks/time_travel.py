"""Time travel and memory near the limit: a log kept as columns, and a log of events.

    python -m benchmarks.time_travel [N] [--queries Q] [--appends A] [--no-memory]

For a tour workload of N events (default 1,000,000), per kind of log (``EventLog(events)``
and ``EventLog.from_columns(columns)``, as a columnar file loads one), prints:

* the first replay to the end, then the first ``as_of`` question (about a random instant;
  it folds and keeps the snapshots up to it), then the median and p99 of Q more questions
  at random instants (default 1,000; the suite's time-travel figure);
* a replay after each of A appends of one later event (default 20): the index grows in place;
* bytes per event, traced with tracemalloc in a second pass (``--no-memory`` skips it): the
  log as held, after a first replay, and after a question just before the end (snapshots
  all the way), each counted from before the log was made.

The load average is printed first: figures taken on a busy machine say so.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import timedelta

from benchmarks.workload import START, generate
from itinerary import Arrived, EventLog, replay
from itinerary.columns import LogColumns
from itinerary.events import Event
from itinerary.places import TOKYO

__all__ = ["main", "memory", "timings"]


def _logs(events: Sequence[Event], columns: LogColumns) -> dict[str, Callable[[], EventLog]]:
    return {
        "events": lambda: EventLog(events),
        "columns": lambda: EventLog.from_columns(columns),
    }


def timings(
    make: Callable[[], EventLog], queries: int, appends: int, seed: int = 7
) -> dict[str, float]:
    """First replay, first and later ``as_of`` questions, replays after appends (seconds)."""
    log = make()
    gc.collect()
    t0 = time.perf_counter()
    last = replay(log).as_of
    t1 = time.perf_counter()
    assert last is not None
    span = int((last - START).total_seconds() * 1e6)
    rng = random.Random(seed)
    instants = [
        TOKYO.local(START + timedelta(microseconds=rng.randrange(span + 1)))
        for _ in range(queries + 1)
    ]
    t2 = time.perf_counter()
    replay(log, as_of=instants[0])
    t3 = time.perf_counter()
    latencies = []
    for at in instants[1:]:
        t = time.perf_counter()
        replay(log, as_of=at)
        latencies.append(time.perf_counter() - t)
    latencies.sort()
    grown = []
    for hour in range(1, appends + 1):
        log = log.append(Arrived("Donald Trump", TOKYO, last + timedelta(hours=hour)))
        t = time.perf_counter()
        replay(log)
        grown.append(time.perf_counter() - t)
    return {
        "first replay": t1 - t0,
        "first as_of": t3 - t2,
        "median as_of": statistics.median(latencies) if latencies else float("nan"),
        "p99 as_of": latencies[min(len(latencies) - 1, round(0.99 * len(latencies)) - 1)]
        if latencies
        else float("nan"),
        "replay after append (median)": statistics.median(grown) if grown else float("nan"),
    }


def memory(make: Callable[[], EventLog]) -> dict[str, float]:
    """Bytes per event: the log held, after a first replay, after a question near the end."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        log = make()
        n = len(log)
        held = tracemalloc.get_traced_memory()[0]
        last = replay(log).as_of
        replayed = tracemalloc.get_traced_memory()[0]
        assert last is not None
        replay(log, as_of=last - timedelta(microseconds=1))
        travelled = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return {
        "held": (held - before) / n,
        "after replay": (replayed - before) / n,
        "with snapshots": (travelled - before) / n,
    }


def main(argv: Sequence[str] | None = None) -> None:
    """The command line: see the module's docstring."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.time_travel")
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--appends", type=int, default=20)
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.n:,} events")
    events = generate(args.n)
    columns = EventLog(events).columns
    for name, make in _logs(events, columns).items():
        found = timings(make, args.queries, args.appends)
        print(
            f"{name}: first replay {found['first replay']:.3f} s, first as_of "
            f"{found['first as_of']:.3f} s, as_of x{args.queries} median "
            f"{found['median as_of'] * 1e3:.3f} ms (p99 {found['p99 as_of'] * 1e3:.3f} ms), "
            f"replay after an append {found['replay after append (median)'] * 1e3:.2f} ms"
        )
    if not args.no_memory:
        for name, make in _logs(events, columns).items():
            found = memory(make)
            print(
                f"{name}: bytes/event held {found['held']:.0f}, after replay "
                f"{found['after replay']:.0f}, with snapshots {found['with snapshots']:.0f}"
            )


if __name__ == "__main__":
    main()
