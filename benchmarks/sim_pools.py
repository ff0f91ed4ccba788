"""Large studies alone and on two processes: ``python -m benchmarks.sim_pools``.

``monte_carlo(plan, DISRUPTIONS, runs=N, seed=1)`` in this process and on a
``ProcessPoolExecutor(2)`` (warmed up first), for the Asia tour and the 36-step tour at
200,000 and 1,000,000 runs: the seconds of each, their ratio, and whether the outcomes are
the same (they must be).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from benchmarks.sim_workload import DISRUPTIONS, asia_tour, long_tour
from itinerary.sim import Plan, monte_carlo

__all__ = ["compare", "main"]


def compare(plan: Plan, runs: int) -> tuple[float, float, bool]:
    """(seconds alone, seconds on two processes, same outcomes) for one study of *runs*."""
    t0 = time.perf_counter()
    alone = monte_carlo(plan, DISRUPTIONS, runs=runs, seed=1)
    one = time.perf_counter() - t0
    with ProcessPoolExecutor(2) as pool:
        monte_carlo(plan, DISRUPTIONS, runs=200, seed=1, executor=pool)  # workers started
        t0 = time.perf_counter()
        pooled = monte_carlo(plan, DISRUPTIONS, runs=runs, seed=1, executor=pool)
        two = time.perf_counter() - t0
    return one, two, alone == pooled


def main(argv: Sequence[str] | None = None) -> None:
    """Print one line per plan and size."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sim_pools", description=__doc__)
    parser.add_argument("--runs", default="200000,1000000", help="comma-separated")
    args = parser.parse_args(argv)
    for build in (asia_tour, long_tour):
        plan = build()
        for runs in (int(n) for n in args.runs.split(",")):
            one, two, same = compare(plan, runs)
            print(f"{build.__name__:<10} {runs:>10,} runs: alone {one:.2f} s, two processes "
                  f"{two:.2f} s ({one / two:.2f}x), same outcomes: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
