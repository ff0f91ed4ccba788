"""The benchmark suite runs, in quick mode, and its workload and baselines are sound.

Structure only: no figure measured here is compared with a target or a time.
"""

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from benchmarks import sim_memory, sim_pools
from benchmarks.__main__ import main
from benchmarks.baselines import bare_append, bare_fold
from benchmarks.numpy_study import NumpyStudy
from benchmarks.report import sim_table, sim_targets, table, targets
from benchmarks.sim_workload import DISRUPTIONS, asia_tour, long_tour, tour_with_rules
from benchmarks.simulator import IN_PROCESS, POOL, SEED, Sizes, _on, measure
from benchmarks.suite import COLUMNS_EVERY_PART, COLUMNS_REPLAY, Config, Result, optional, run
from benchmarks.workload import as_facts, delegations, generate
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import EventLog, _time, replay
from itinerary.consistency import check
from itinerary.sim import Delay, Disruptions, monte_carlo

SECTIONS = {
    "construct",
    "append",
    "replay",
    "replay (delegations)",
    "time travel",
    "memory",
    "check",
    "store",
}


def _quick(**overrides: object) -> tuple[list[Result], list[str]]:
    lines: list[str] = []
    config = Config(sizes=(120,), repeat=lambda n: 1, queries=5, log=lines.append)
    for key, value in overrides.items():
        setattr(config, key, value)
    return run(config), lines


def test_quick_run_measures_every_section():
    """A quick run yields figures for every section, with a positive rate where one applies."""
    results, _ = _quick()
    assert {r.section for r in results} >= SECTIONS
    assert all(r.size == 120 for r in results)
    rates = [r for r in results if r.seconds is not None]
    assert rates
    assert all(r.rate is not None and r.rate > 0 for r in rates)
    travel = next(r for r in results if r.section == "time travel")
    assert 0 < travel.extra["median ms"] <= travel.extra["p99 ms"]
    held = next(r for r in results if r.what == "bytes per event in a log")
    assert held.extra["bytes/event"] > 0
    snapshots = next(r for r in results if r.what == "bytes per event, index with snapshots")
    assert snapshots.extra["bytes/event"] > 0


def test_eventsourcing_section_measures_the_peer():
    """With eventsourcing installed (the test extra has it) the peer is measured, in memory and SQLite."""
    results, lines = _quick()
    subjects = {r.subject for r in results}
    assert {"eventsourcing (memory)", "eventsourcing (sqlite)"} <= subjects, lines
    peer = [r for r in results if r.section == "eventsourcing"]
    assert {r.what for r in peer} == {"build aggregates", "save", "rebuild via repository"}
    assert all(r.rate is not None and r.rate > 0 for r in peer)


def test_eventsourcing_section_says_not_available_without_the_library():
    """Without eventsourcing the run says "not available" and measures no peer."""
    with mock.patch.dict(sys.modules, {"eventsourcing": None, "benchmarks.es": None}):
        results, lines = _quick()
    assert any(line.startswith("eventsourcing: not available") for line in lines)
    assert not any(r.subject.startswith("eventsourcing") for r in results)


def test_es_limit_skips_the_peer_above_it():
    """--es-limit leaves eventsourcing out above that size, and says so."""
    results, lines = _quick(es_limit=100)
    assert not any(r.subject.startswith("eventsourcing") for r in results)
    assert any("eventsourcing" in line for line in lines)


def test_missing_module_is_reported_not_raised():
    """A section whose module is missing prints "not available" and is skipped."""
    lines: list[str] = []
    config = Config(sizes=(), repeat=lambda n: 1, log=lines.append)
    assert optional("itinerary.no_such_module", config, "check") is None
    assert lines[0].startswith("check: not available")
    assert config.skipped == lines


def test_table_has_a_row_per_figure_and_ratio_columns():
    """The table has a header, a rule and one row per figure, with ratios for compared rows."""
    results, _ = _quick()
    rows = table(results).splitlines()
    assert len(rows) == len(results) + 2
    assert "vs bare loop" in rows[0]
    replay_row = next(row for row in rows if row.startswith("| full replay"))
    assert replay_row.count("x") >= 1
    assert "replay within 5x of the bare loop" in targets(results)
    group_row = next(row for row in rows if row.startswith("| full replay, delegations"))
    assert group_row.count("x") >= 1
    assert "replay of delegations within 5x of the bare loop" in targets(results)
    assert "events + index" in targets(results)
    judged = targets(results)
    for label in ("a log of events", "kept as columns", "kept as columns, every part read"):
        assert f"replay within 2x of the bare loop, {label}" in judged
        assert f"replay (delegations) within 2x of the bare loop, {label}" in judged
    assert "replay >= 50x eventsourcing in memory, kept as columns, every part read" in judged


def test_issue_26_targets_judge_the_figures_given():
    """The columnar targets compare the right figures: 1.5x the bare loop is met, 3x missed."""
    n = 1000
    bare = Result("replay", "bare loop", "fold tuples into dicts", n, 1.0)
    es = Result("eventsourcing", "eventsourcing (memory)", "rebuild via repository", n, 100.0)
    fast = Result("replay", "itinerary", COLUMNS_REPLAY, n, 1.5)
    slow = Result("replay", "itinerary", COLUMNS_EVERY_PART, n, 3.0)
    arrow = Result("columnar", "itinerary", "Arrow store load", n, 0.0004)
    judged = targets([bare, es, fast, slow, arrow]).splitlines()
    assert "- replay within 2x of the bare loop, kept as columns (1,000): 1.5x -> met" in judged
    assert (
        "- replay within 2x of the bare loop, kept as columns, every part read (1,000): 3.0x "
        "-> MISSED"
    ) in judged
    assert (
        "- replay >= 50x eventsourcing in memory, kept as columns, every part read (1,000): "
        "33.3x -> MISSED"
    ) in judged
    assert "- Arrow store load of 1M < 0.5 s (from 1,000): 0.40 s -> met" in judged


def test_command_line_quick_mode_writes_json(tmp_path, capsys):
    """`python -m benchmarks --quick --json PATH` prints the table and writes every figure."""
    path = tmp_path / "figures.json"
    results = main(["--quick", "--sizes", "80", "--queries", "3", "--json", str(path)])
    out = capsys.readouterr().out
    assert "| measurement" in out
    assert "Targets:" in out
    written = json.loads(path.read_text())
    assert len(written["results"]) == len(results)


def test_workload_is_deterministic():
    """The same seed gives the same events; another seed gives others."""
    assert generate(200, seed=7) == generate(200, seed=7)
    assert generate(200, seed=7) != generate(200, seed=8)


@given(n=st.integers(0, 400), seed=st.integers(0, 2**16))
@example(n=0, seed=0)
def test_workload_is_consistent(n, seed):
    """The synthetic tour has exactly n events and breaks none of check()'s rules."""
    events = generate(n, seed=seed)
    assert len(events) == n
    assert check(EventLog(events)) == []


@given(n=st.integers(1, 400), seed=st.integers(0, 2**16))
@example(n=9, seed=0)
def test_bare_loop_folds_the_same_facts_as_replay(n, seed):
    """The bare-loop baseline ends with the whereabouts, agreements and deadlines replay finds."""
    events = generate(n, seed=seed)
    facts = as_facts(events)
    assert bare_append(facts) == facts
    where, agreements, deadlines = bare_fold(facts)
    state = replay(EventLog(events))
    assert set(where) == set(state.people)
    for who, found in where.items():
        place = state.where(who).place
        assert found[0] == (place.name if place is not None else None)
    assert [a[1] for a in agreements] == [a.title for a in state.agreements]
    met = {(d.agreement, d.what) for d in state.met()}
    assert {key for key, (_, at) in deadlines.items() if at is not None} == met


def test_simulator_quick_run_compares_with_simpy():
    """A quick simulator run measures SimPy, simulate(), monte_carlo and numpy for each plan.

    The plans without rules have the plain numpy study as a second baseline; rules' cost.
    """
    lines: list[str] = []
    config = Config(sizes=(), repeat=lambda n: 1, log=lines.append)
    results = measure(Sizes(simpy=10, simulate=10, monte_carlo=20, pools=0, repeat=1), config)
    assert {r.section for r in results} == {
        "simulator (Asia tour)", "simulator (36-step tour)", "simulator (summit circuit)",
        "simulator (tour plan, with rules)", "simulator (tour register)",
    }  # fmt: skip
    assert all(r.rate is not None and r.rate > 0 for r in results)
    rows = sim_table(results).splitlines()
    assert len(rows) == len(results) + 2
    compared = [row for row in rows[2:] if "SimPy 4" not in row and "without its rules" not in row]
    plain = ("Asia tour", "36-step tour", "summit circuit")
    for row in compared:  # vs SimPy, and vs numpy for the in-process study of a plain plan
        both = "in-process" in row and row.lstrip("| ").startswith(plain)
        assert row.count("x ") == (2 if both else 1), row
    targets = sim_targets(results)
    assert "simulate() with its full log >= 1x SimPy (Asia tour" in targets
    assert "monte_carlo with rules <= 2x the time without (tour plan, with rules" in targets
    assert "monte_carlo in-process >= 50x SimPy (tour register" in targets
    assert "monte_carlo in-process >= 150x SimPy (summit circuit" in targets
    assert "within 2x of a plain numpy study (36-step tour" in targets


def test_a_study_on_an_executor_is_compared_with_the_one_in_process():
    """An executor's figure is a ratio to the in-process study, and says the outcomes agree."""
    plan = asia_tour()
    alone = monte_carlo(plan, DISRUPTIONS, runs=300, seed=SEED)
    with ThreadPoolExecutor(2) as pool:
        found = _on("simulator (Asia tour)", POOL, plan, pool, alone)
    assert found.extra["same outcomes"] == 1.0
    baseline = Result("simulator (Asia tour)", "itinerary", IN_PROCESS, 300, found.seconds)
    assert f"{POOL}" in sim_table([baseline, found])
    assert "1.00x -> MISSED" in sim_targets([baseline, found])


def test_sim_targets_flag_outcomes_that_differ():
    """A figure whose outcomes differ from the in-process study is flagged, met or not."""
    section = "simulator (x)"
    baseline = Result(section, "itinerary", IN_PROCESS, 1000, 2.0)
    faster = Result(section, "itinerary", POOL, 1000, 1.0, "vs in-process", {"same outcomes": 0.0})
    assert "2.00x -> met, but the outcomes DIFFER" in sim_targets([baseline, faster])


def test_command_line_sim_only(capsys):
    """`python -m benchmarks --quick --sim-only` prints the simulator's table and no other."""
    results = main(["--quick", "--sim-only"])
    out = capsys.readouterr().out
    assert "Simulator:" in out
    assert "| measurement" in out
    assert "events/s" not in out
    assert all(r.section.startswith("simulator") for r in results)


@pytest.mark.parametrize("seed", [0, 7, 2025])
def test_delegation_workload_moves_groups_sharing_each_instant(seed):
    """The delegation workload: n consistent events, a group of 10-100 sharing each instant."""
    events = delegations(1500, seed=seed)
    assert len(events) == 1500
    assert events == delegations(1500, seed=seed)
    sizes: dict[tuple[type, int], int] = {}
    for e in events:
        key = (type(e), _time.micros(e.occurred_at))
        sizes[key] = sizes.get(key, 0) + 1
    odd = [size for size in sizes.values() if not 10 <= size <= 100]
    assert len(odd) <= 1, odd  # the last group, cut at n
    assert check(EventLog(events)) == []


def test_subscribe_latency_measures_every_event(tmp_path, capsys):
    """The latency benchmark follows a writer process's events and reports ordered figures."""
    from benchmarks.subscribe_latency import main as latency  # noqa: PLC0415

    out = tmp_path / "latency.json"
    latency([str(tmp_path / "s.sqlite"), "--events", "40", "--interval", "0", "--poll", "0.01",
             "--json", str(out)])  # fmt: skip
    figures = json.loads(out.read_text())
    assert figures["events"] == 40
    assert figures["store"] == "SQLiteStore"
    assert figures["median_ms"] <= figures["p90_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert "commit to callback median" in capsys.readouterr().out


def test_follower_cost_and_idle_modes_report(tmp_path, capsys):
    """--follower and --idle print a cost per event and a share of a core."""
    from benchmarks.subscribe_latency import main as latency  # noqa: PLC0415

    latency(["--events", "300", "--follower", "10"])
    latency([str(tmp_path / "idle.sqlite"), "--idle", "0.1"])
    said = capsys.readouterr().out
    assert said.count("µs per event to keep replay() current") == 2
    assert "of a core" in said


def test_the_numpy_baseline_studies_the_same_plan():
    """The plain numpy study: no delay slips nothing; a fixed one is the engine's slips.

    Under a fixed departure delay alone (no overrun, no cancellation) its slips are
    monte_carlo's, to the microsecond; it refuses a plan with rules.
    """
    plan = long_tour()
    slips, late = NumpyStudy(plan, Disruptions()).run(50, 1)
    assert slips.shape == (len(plan), 50)
    assert not slips.any()
    assert not late.any()
    fixed = Disruptions(departure=Delay.fixed(_time.duration(seconds=45 * 60)))
    slips, _ = NumpyStudy(plan, fixed).run(5, 2)
    outcomes = monte_carlo(plan, fixed, runs=5, seed=2)
    timed = sorted((s for s in plan.steps if s.kind != "fulfilment"), key=lambda s: s.start)
    names = [s.name for s in timed] + [s.name for s in plan.steps if s.kind == "fulfilment"]
    for row, name in zip(slips, names, strict=True):
        assert [round(x * 1e6) for x in row] == list(outcomes.slips(name))
    with pytest.raises(ValueError, match="no rules"):
        NumpyStudy(tour_with_rules(), DISRUPTIONS)


def test_the_simulator_s_memory_benchmark_measures_what_a_study_keeps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """benchmarks.sim_memory: a study keeps some bytes per run and step, and peaks above that."""
    peak, kept = sim_memory.memory(sim_memory.PLANS["Asia tour"](), 3000)
    assert 0 < kept <= peak
    sim_memory.main(["--runs", "1000"])
    out = capsys.readouterr().out
    assert "36-step tour" in out
    assert "a 10-run study" in out


def test_the_pools_benchmark_gets_the_same_outcomes_on_two_processes() -> None:
    """benchmarks.sim_pools: a study on a pool of two equals the study in this process."""
    one, two, same = sim_pools.compare(sim_memory.PLANS["Asia tour"](), 3000)
    assert same
    assert one > 0
    assert two > 0
