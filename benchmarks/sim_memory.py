"""Memory per run of a Monte Carlo study, and the cost of a tiny one: ``python -m benchmarks.sim_memory``.

For each plan (the Asia tour's 8 steps and the 36-step tour) and each number of runs
(default 10k, 100k and 1M) it measures, with ``tracemalloc`` around one study after a
warm-up, the peak memory and what the :class:`~itinerary.sim.Outcomes` keep, both per run
and step: flat from 10k to 1M runs means a study's memory grows with its runs and nothing
else. Then the best of 30 studies of 10 runs each (seeds 2025 + k), in milliseconds: what a
tiny study costs.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable, Sequence

from benchmarks.sim_workload import DISRUPTIONS, asia_tour, long_tour
from itinerary.sim import Plan, monte_carlo

__all__ = ["PLANS", "main", "memory", "tiny"]

PLANS: dict[str, Callable[[], Plan]] = {"Asia tour": asia_tour, "36-step tour": long_tour}
SEED = 2025


def memory(plan: Plan, runs: int) -> tuple[float, float]:
    """(peak, kept) bytes per run and step of ``monte_carlo(plan, DISRUPTIONS, runs=runs)``."""
    monte_carlo(plan, DISRUPTIONS, runs=min(runs, 2000), seed=SEED)  # warm: imports, caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        outcomes = monte_carlo(plan, DISRUPTIONS, runs=runs, seed=SEED)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del outcomes
    cells = runs * len(plan.steps)
    return (peak - before) / cells, (kept - before) / cells


def tiny(plan: Plan, repeat: int = 30, runs: int = 10) -> float:
    """The best of *repeat* studies of *runs* runs (a new seed each), in milliseconds."""
    times = []
    for k in range(repeat):
        t0 = time.perf_counter()
        monte_carlo(plan, DISRUPTIONS, runs=runs, seed=SEED + k)
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main(argv: Sequence[str] | None = None) -> None:
    """Print the memory table and the tiny studies' times."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sim_memory", description=__doc__)
    parser.add_argument("--runs", default="10000,100000,1000000", help="comma-separated")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.runs.split(",")]
    print(f"{'plan':<14} {'runs':>10} {'peak B/run/step':>16} {'kept B/run/step':>16}")
    for label, build in PLANS.items():
        plan = build()
        for runs in sizes:
            peak, kept = memory(plan, runs)
            print(f"{label:<14} {runs:>10,} {peak:>16.1f} {kept:>16.1f}")
    for label, build in PLANS.items():
        print(f"{label}: a 10-run study, best of 30: {tiny(build()):.2f} ms")


if __name__ == "__main__":
    main()
