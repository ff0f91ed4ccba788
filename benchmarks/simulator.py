"""The simulator's figures: runs per second of ``simulate`` and ``monte_carlo``, against SimPy.

For each workload (the Asia tour, the synthetic summit circuit, the tour's plan file with its
rules) and in the same process:

- the SimPy 4 model of the plan (:mod:`benchmarks.simpy_model`), recording tuples: the baseline;
- a plain numpy version of the same study (:mod:`benchmarks.numpy_study`), for the plans
  without rules: the second baseline, what numpy alone does with the plan;
- ``simulate()`` with its full log (an ``EventLog`` of validated events), per call;
- ``monte_carlo()`` in this process (for a plan with rules, also of the same plan without
  them: what its rules cost);
- ``monte_carlo()`` on two worker processes, with a ``ProcessPoolExecutor`` and (if
  ``distributed`` is installed) a Dask ``LocalCluster``, against in-process runs of the
  same study. Pools are started and warmed up before the clock starts: a study reuses them.

Every rate is compared with a baseline measured in the same run, the single-process ones
interleaved (SimPy, simulate, monte_carlo, again) so that a change of load hits them alike. Quick mode uses few runs
and skips the pools.
"""

from __future__ import annotations

import gc
import math
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from benchmarks.numpy_study import NumpyStudy
from benchmarks.sim_workload import (
    DISRUPTIONS,
    asia_tour,
    long_tour,
    synthetic,
    tour_register,
    tour_with_rules,
    without_rules,
)
from benchmarks.simpy_model import SimpyModel
from benchmarks.simpy_register import SimpyRegister
from benchmarks.suite import Config, Result, optional
from itinerary.sim import Outcomes, Plan, monte_carlo, simulate

SIMPY = "SimPy 4"
VS_SIMPY, VS_IN_PROCESS, VS_NUMPY = "vs SimPy", "vs in-process", "vs numpy"
MODEL = "model, tuple log"
NUMPY = "plain study, float seconds"
SIMULATE = "simulate(), full log"
IN_PROCESS = "monte_carlo, in-process"
WITHOUT_RULES = "monte_carlo, in-process, the plan without its rules"
POOL = "monte_carlo, ProcessPoolExecutor(2)"
DASK = "monte_carlo, Dask LocalCluster(2 workers)"
SEED = 2025


@dataclass(frozen=True)
class Sizes:
    """Runs per figure for the Asia tour; the circuit (13x the steps) runs a tenth as many."""

    simpy: int = 2_000
    simulate: int = 2_000
    monte_carlo: int = 20_000  # for every plan (the SimPy and simulate() runs are divided)
    pools: int = 20_000  # runs of the multi-process figures, for every plan; 0 skips them
    repeat: int = 3  # best of, for every figure but the pools' (one run each)


QUICK = Sizes(simpy=30, simulate=30, monte_carlo=300, pools=0, repeat=1)

WORKLOADS: tuple[tuple[str, Callable[[], Plan], int], ...] = (
    ("Asia tour", asia_tour, 1),
    ("36-step tour", long_tour, 4),
    ("summit circuit", synthetic, 10),
    ("tour plan, with rules", tour_with_rules, 1),
)


def _best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def _study(plan: Plan, runs: int, executor: Executor | None = None) -> Outcomes:
    return monte_carlo(plan, DISRUPTIONS, runs=runs, seed=SEED, executor=executor)


def measure(sizes: Sizes, config: Config) -> list[Result]:
    """Every figure for every workload, each plan's rows under section ``simulator (<plan>)``."""
    results: list[Result] = []
    for label, build, divisor in WORKLOADS:
        t0 = time.perf_counter()
        plan = build()
        section = f"simulator ({label})"
        results += _single(section, plan, sizes, divisor)
        if sizes.pools:
            results += _pools(section, plan, sizes.pools, config)
        config.log(f"  {section:<28} {time.perf_counter() - t0:6.1f} s")
    t0 = time.perf_counter()
    results += register(sizes)
    config.log(f"  {'simulator (tour register)':<28} {time.perf_counter() - t0:6.1f} s")
    return results


def register(sizes: Sizes) -> list[Result]:
    """The tour's risk register and Marine One: SimPy 4 (PriorityResource) vs monte_carlo.

    The same plan, draws and rules in both (:mod:`benchmarks.simpy_register` agrees with
    ``simulate`` run by run); runs/s of each, best of ``sizes.repeat``, interleaved.
    """
    plan, disruptions = tour_register()
    model = SimpyRegister(plan, disruptions)
    section, steps = "simulator (tour register)", _steps(plan)

    def simpy_runs() -> None:
        for seed in range(sizes.simpy):
            model.run(seed)

    def study() -> None:
        monte_carlo(plan, disruptions, runs=sizes.monte_carlo, seed=SEED)

    best = {MODEL: math.inf, IN_PROCESS: math.inf}
    for _ in range(sizes.repeat):
        best[MODEL] = min(best[MODEL], _best(1, simpy_runs))
        best[IN_PROCESS] = min(best[IN_PROCESS], _best(1, study))
    return [
        Result(section, SIMPY, MODEL, sizes.simpy, best[MODEL], None, steps),
        Result(section, "itinerary", IN_PROCESS, sizes.monte_carlo, best[IN_PROCESS], VS_SIMPY,
               steps),
    ]  # fmt: skip


def _steps(plan: Plan) -> dict[str, float]:
    return {"steps": float(len(plan))}


def _single(section: str, plan: Plan, sizes: Sizes, divisor: int) -> list[Result]:
    disruptions, steps = DISRUPTIONS, _steps(plan)
    model = SimpyModel(plan, disruptions)
    n_simpy = max(1, sizes.simpy // divisor)
    n_simulate = max(1, sizes.simulate // divisor)
    n_study = sizes.monte_carlo

    def simpy_runs() -> None:
        for seed in range(n_simpy):
            model.run(seed)

    def simulate_runs() -> None:
        for seed in range(n_simulate):
            simulate(plan, disruptions, seed=seed)

    # Interleaved, best of each: a change of load on a shared machine hits all of them alike.
    figures = [(MODEL, simpy_runs), (SIMULATE, simulate_runs),
               (IN_PROCESS, lambda: _study(plan, n_study))]  # fmt: skip
    ruled = bool(plan.rules) or any(s.window is not None for s in plan.steps)
    if ruled:  # what its rules cost: the same study of the plan without them
        bare = without_rules(plan)
        figures.append((WITHOUT_RULES, lambda: _study(bare, n_study)))
    else:  # numpy alone, on the same plan and delays
        plain = NumpyStudy(plan, disruptions)
        figures.append((NUMPY, lambda: plain.run(n_study, SEED)))
    best = dict.fromkeys((what for what, _ in figures), math.inf)
    for _ in range(sizes.repeat):
        for what, run in figures:
            best[what] = min(best[what], _best(1, run))
    results = [
        Result(section, SIMPY, MODEL, n_simpy, best[MODEL], None, steps),
        Result(section, "itinerary", SIMULATE, n_simulate, best[SIMULATE], VS_SIMPY, steps),
        Result(section, "itinerary", IN_PROCESS, n_study, best[IN_PROCESS], VS_SIMPY, steps),
    ]
    if ruled:
        results.append(Result(section, "itinerary", WITHOUT_RULES, n_study, best[WITHOUT_RULES],
                              None, steps))  # fmt: skip
    else:
        results.append(Result(section, "numpy", NUMPY, n_study, best[NUMPY], VS_SIMPY, steps))
    return results


def _pools(section: str, plan: Plan, runs: int, config: Config) -> list[Result]:
    alone: list[Outcomes] = []
    steps = _steps(plan)
    results = [
        Result(section, "itinerary", IN_PROCESS, runs,
               _best(1, lambda: alone.append(_study(plan, runs))), None, steps),
    ]  # fmt: skip
    with ProcessPoolExecutor(2) as pool:
        results.append(_on(section, POOL, plan, pool, alone[0]))
    distributed = optional("distributed", config, f"{section}: Dask")
    if distributed is not None:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            results.append(_on(section, DASK, plan, client.get_executor(), alone[0]))
    return results


def _on(section: str, what: str, plan: Plan, executor: Executor, alone: Outcomes) -> Result:
    """*alone*'s study again on *executor*, warmed up first; flags outcomes that differ."""
    runs = alone.runs
    _study(plan, 200, executor)  # workers started, modules imported
    load = os.getloadavg()[0]  # other work on the machine skews a 2-process ratio: say so
    found: list[Outcomes] = []
    seconds = _best(1, lambda: found.append(_study(plan, runs, executor)))
    same = all(list(found[0].slips(n)) == list(alone.slips(n)) for n in plan.names)
    extra = {**_steps(plan), "load before": load, "same outcomes": float(same)}
    return Result(section, "itinerary", what, runs, seconds, VS_IN_PROCESS, extra)
