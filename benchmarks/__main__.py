"""Run the benchmark suite: ``python -m benchmarks`` (``--quick`` for a seconds-long smoke run).

Prints progress, then a Markdown table of events/s with the ratio to each baseline, then the
simulator's table of runs/s against SimPy, then the issue's targets with the figures measured.
``--json PATH`` also writes every figure. ``--sim-only`` measures only the simulator,
``--no-sim`` everything but.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict

from benchmarks.report import machine, sim_table, sim_targets, table, targets
from benchmarks.simulator import QUICK, Sizes, measure
from benchmarks.suite import Config, Result, run

FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (300,)


def config_from(argv: Sequence[str] | None = None) -> Config:
    """The run the command line asks for."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--sizes", help="comma-separated event counts (default 10k,100k,1M)")
    parser.add_argument("--queries", type=int, help="time-travel queries per size (1000)")
    parser.add_argument("--es-limit", type=int, help="skip eventsourcing above this many events")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--json", dest="json_path", help="also write the figures to this file")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sim-only", action="store_true", help="only the simulator's figures")
    which.add_argument("--no-sim", action="store_true", help="leave the simulator out")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.sizes:
        sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(","))
    config = Config(
        sizes=sizes,
        repeat=(lambda n: 1) if args.quick else (lambda n: 3 if n <= 100_000 else 1),
        queries=args.queries or (20 if args.quick else 1000),
        es_limit=args.es_limit,
        seed=args.seed,
    )
    config.json_path = args.json_path  # type: ignore[attr-defined]
    config.events = not args.sim_only  # type: ignore[attr-defined]
    config.sim = None if args.no_sim else (QUICK if args.quick else Sizes())  # type: ignore[attr-defined]
    return config


def main(argv: Sequence[str] | None = None) -> list[Result]:
    """Run, print the table and the targets, and return every figure."""
    config = config_from(argv)
    config.log(f"machine: {machine()}")
    t0 = time.perf_counter()
    results = run(config) if getattr(config, "events", True) else []
    sim: Sizes | None = getattr(config, "sim", None)
    simulated = measure(sim, config) if sim is not None else []
    config.log(f"\nran in {time.perf_counter() - t0:.0f} s\n")
    if results:
        config.log(table(results))
    if simulated:
        config.log("\nSimulator:\n" if results else "Simulator:\n")
        config.log(sim_table(simulated))
    config.log("\nTargets:")
    if results and max(config.sizes) < 10_000:
        config.log("- not judged: the targets are about logs of 10k events and more (a quick run")
        config.log("  only shows that the suite runs; run without --quick for figures)")
    elif results:
        config.log(targets(results))
    if simulated and sim is QUICK:
        config.log("- simulator: not judged in a quick run (few runs, no pools)")
    elif simulated:
        config.log(sim_targets(simulated))
    results += simulated
    path = getattr(config, "json_path", None)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(
                {"machine": machine(), "results": [asdict(r) for r in results]}, out, indent=1
            )
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
