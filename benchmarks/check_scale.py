"""How long check() takes on large consistent logs: ``python -m benchmarks.check_scale``.

The logs are the benchmark suite's deterministic synthetic tours (``benchmarks.workload``):
several people travelling, meeting, signing and meeting obligations, with some events
recorded out of order. Each size is built once (not timed), then ``check(log)`` is timed
``--repeat`` times and the best and median are reported, with the violations found (a
consistent workload must have none, so a violation here is a bug in one or the other).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.workload import generate
from itinerary.consistency import check
from itinerary.log import EventLog


def measure(n: int, repeat: int) -> tuple[float, float, int]:
    """(best seconds, median seconds, violations) of check() on a log of *n* events."""
    events = generate(n)
    times = []
    found = 0
    for _ in range(repeat):
        log = EventLog(events)  # a fresh log: check() would reuse a log's replay index
        start = time.perf_counter()
        found = len(check(log))
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), found


def main() -> None:
    """Time check() at each size given and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'events':>10}  {'best s':>8}  {'median s':>8}  {'events/s':>10}  violations")
    for n in args.sizes:
        best, median, found = measure(n, args.repeat)
        print(f"{n:>10,}  {best:>8.2f}  {median:>8.2f}  {n / best:>10,.0f}  {found}")


if __name__ == "__main__":
    main()
