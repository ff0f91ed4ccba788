"""First replays against the bare loop, repeated: the median ratio and its range, per workload.

    python -m benchmarks.replay_ratios [N] [REPEAT]     # default 100_000 events, 7 repeats

Each repetition times, back to back in this process, a first replay of a fresh log (built
untimed from the same events) and the bare loop over the same facts, so the two see the same
load; the ratio is taken per repetition and the median reported. For the suite's tour
workload and the delegation workload (groups of 10-100 people sharing each instant).
Then, per repetition too, a first replay of a log kept as columns (``EventLog.from_columns``,
as a columnar file loads one) and the columnar limit (:func:`columnar_fold`), each as a
ratio to that repetition's bare loop. A replay of columns defers the agreements and deadlines
until they are read, so it is also timed with both read (``state.agreements`` and
``state.deadlines``, which builds the list of deadlines; the same reads are timed after the
replay of the log of events, for comparison).
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from benchmarks.baselines import bare_fold, columnar_fold
from benchmarks.workload import as_facts, delegations, generate
from itinerary import EventLog, State, replay


def ratios(n: int, repeat: int) -> None:
    """Print, per workload, µs per event of each and the median ratio (with its range)."""
    for name, make in (("tour", generate), ("delegations", delegations)):
        events = make(n)
        facts = as_facts(events)
        columns = EventLog(events).columns
        rows = []
        kept = []  # a log kept as columns (as a columnar file loads), and the columnar limit
        for _ in range(repeat):
            log = EventLog(events)
            gc.collect()
            t0 = time.perf_counter()
            replay(log)
            t1 = time.perf_counter()
            gc.collect()
            t2 = time.perf_counter()
            bare_fold(facts)
            t3 = time.perf_counter()
            log = EventLog.from_columns(columns)
            gc.collect()
            t4 = time.perf_counter()
            state = replay(log)
            t5 = time.perf_counter()
            columnar_fold(columns)
            t6 = time.perf_counter()
            _read(state)
            t7 = time.perf_counter()
            state = replay(EventLog(events))  # untimed; the reads timed below
            t8 = time.perf_counter()
            _read(state)
            t9 = time.perf_counter()
            bare = t3 - t2
            kept.append(((t5 - t4) / bare, (t6 - t5) / bare, (t5 - t4 + t7 - t6) / bare))
            rows.append((t1 - t0, bare, t1 - t0 + t9 - t8))
        ratio = sorted(a / b for a, b, _ in rows)
        replayed = statistics.median(a for a, _, _ in rows) / n * 1e6
        bare = statistics.median(b for _, b, _ in rows) / n * 1e6
        print(
            f"{name} ({n:,} events, {repeat} repeats): replay {replayed:.2f} µs/event, "
            f"bare loop {bare:.3f} µs/event, ratio median {statistics.median(ratio):.1f}x "
            f"(range {ratio[0]:.1f}-{ratio[-1]:.1f}x)"
        )
        print(
            f"  kept as columns: replay {statistics.median(a for a, _, _ in kept):.1f}x the bare "
            f"loop; the columnar limit (lexsort + numpy fold) "
            f"{statistics.median(b for _, b, _ in kept):.2f}x"
        )
        print(
            f"  then agreements and deadlines read: of events "
            f"{statistics.median(c / b for _, b, c in rows):.1f}x, kept as columns "
            f"{statistics.median(c for _, _, c in kept):.1f}x"
        )


def _read(state: State) -> None:
    """What a user reads of every part of a state: the agreements and the deadlines."""
    state.agreements  # noqa: B018 - read for its cost
    state.deadlines  # noqa: B018 - read for its cost


if __name__ == "__main__":
    ratios(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 7,
    )
