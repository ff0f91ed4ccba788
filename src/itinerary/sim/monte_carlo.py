"""Many runs of one plan: risks of lateness, slip quantiles, critical steps, deadline risk.

Run *i* of a study uses the seed ``seed_of(i)``, derived from the study's seed and *i*
alone, so a study gives the same :class:`Outcomes` in one process or many, in chunks of
any size, and ``simulate(plan, disruptions, seed=outcomes.seed_of(i))`` is run *i* again
with its full log. The runs themselves build no events: the engine works on integers (on
arrays of a chunk's runs when numpy is installed), and events are built only for the runs
someone asks to see.
"""

from __future__ import annotations

import math
import os
from array import array
from collections.abc import Iterable
from concurrent.futures import Executor, Future
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, get_args

import attrs
from pendulum import DateTime, Duration

from itinerary import _progress, _records, _time
from itinerary._records import (
    BOOL,
    DURATION,
    EPOCH,
    FLOAT,
    INSTANT,
    INT,
    LOCAL,
    OFFSETS,
    STR,
    UINT,
    ZONE,
    Columns,
    category,
    delta_micros,
    offset_text,
)
from itinerary._table import Table, render_html
from itinerary._text import format_duration
from itinerary.errors import InvalidPlanError
from itinerary.log import EventLog
from itinerary.sim._random import seed_of
from itinerary.sim.delays import Disruptions, elapsed_micros
from itinerary.sim.engine import (
    Program,
    Run,
    _check_seed,
    _match,
    _run,
    check_calendar,
    compiled,
)
from itinerary.sim.plan import Plan
from itinerary.sim.report import quantile, report_table, risk_columns
from itinerary.sim.steps import STEP_KINDS, Fulfilment, Signing, Step

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Outcomes", "OutcomesTable", "StepRisk", "monte_carlo"]

OutcomesTable: TypeAlias = Literal["runs", "risks", "deadlines"]
"""The tables of :class:`Outcomes`: :meth:`Outcomes.to_records` and :meth:`Outcomes.to_pandas`."""

OUTCOMES_TABLES: tuple[OutcomesTable, ...] = get_args(OutcomesTable)
"""The tables of a Monte Carlo study's :class:`~itinerary.sim.Outcomes`; the first is the default."""

_ZERO = Duration()
MAX_RUNS = 1_000_000_000
"""The most runs one study may have (a billion: hours of work even on a cluster)."""

_Columns = tuple[
    tuple["array[int]", ...], tuple["array[int]", ...], tuple["array[int]", ...],
    tuple["array[int]", ...], tuple["array[int]", ...], tuple["array[int]", ...],
    tuple["array[int]", ...],
]  # fmt: skip
_Branch = tuple[dict[int, tuple[int, int]], int]  # the steps already under way, and the floor

BYTES_PER_STEP_RUN = 72
"""About what a study holds at its peak per run and step, in bytes.

21 for the :class:`Outcomes`' columns (a start slip, an end slip, a cause, a late and a
dropped flag), as much again while the chunks are joined, and a sorted copy of the slips for
the quantiles of its risk table. Measured with ``tracemalloc`` on the tour's plan without its
resources, 200,000 runs: a peak of 47 bytes per run and step (23 kept afterwards); its report
then peaks lower. A plan with resources keeps a wait per step too (8 bytes, twice while the
chunks are joined): 16 more.
"""

CHUNK_BUDGET = 1 << 27
"""The memory one chunk of runs may use while the array engine computes it: 128 MiB.

A chunk takes about ``CHUNK_BYTES_PER_STEP_RUN`` bytes per run and step at its peak
(measured with ``tracemalloc``, chunks of 16,000 runs: 60 bytes on the tour and the summit
circuit, 141 on the tour's register with its resources), so the default chunk of a study
in this process is the most runs that fit, at most ``MOST_RUNS_PER_CHUNK``: numpy's cost
per call is then spread over many runs, and memory per run stays flat however many runs.
"""
CHUNK_BYTES_PER_STEP_RUN = 64
MOST_RUNS_PER_CHUNK = 32_768  # larger chunks leave the caches: slower, measured
_FEWEST_RUNS_PER_CHUNK = 1_000


def _task_size(program: Program, runs: int) -> int:
    """Runs per task on an executor: 2 to 8 tasks of equal size, each a chunk or more.

    Each task is computed in chunks of :func:`default_chunk_size`; fewer, larger tasks
    spread the cost of pickling the program and the columns over more runs.
    """
    tasks = max(2, min(8, -(-runs // default_chunk_size(program))))
    return max(1, -(-runs // tasks))


def default_chunk_size(program: Program) -> int:
    """How many runs a chunk of a study in this process holds: see :data:`CHUNK_BUDGET`."""
    per_run = max(len(program.ops), 1) * CHUNK_BYTES_PER_STEP_RUN * (3 if program.queued else 1)
    return max(_FEWEST_RUNS_PER_CHUNK, min(MOST_RUNS_PER_CHUNK, CHUNK_BUDGET // per_run))


_CHECKED = 1 << 26  # studies estimated under 64 MiB are not checked against the machine


def available_memory() -> int | None:
    """The memory this machine has available now, in bytes, or None if it cannot say.

    Linux's ``MemAvailable`` (free memory and the caches it can drop), else what
    ``os.sysconf`` calls available physical pages (POSIX), else None (no check is made).
    """
    try:
        with open("/proc/meminfo", "rb") as info:
            for line in info:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # not POSIX, or it does not say
        return None


def _check_memory(plan: Plan, runs: int) -> None:
    """Refuse a study whose outcomes cannot fit in the memory the machine has available."""
    per_run = max(len(plan), 1) * BYTES_PER_STEP_RUN
    need = runs * per_run
    if need <= _CHECKED:
        return
    available = available_memory()
    if available is not None and need > available:
        raise InvalidPlanError(
            f"runs={runs:,} of a plan of {len(plan)} steps would need about {_bytes(need)} of "
            f"memory for their outcomes ({BYTES_PER_STEP_RUN} bytes per run and step); this "
            f"machine has {_bytes(available)} available: ask for at most "
            f"{available // per_run:,} runs"
        )


def _bytes(count: int) -> str:
    """``1.5 GB``: a number of bytes for people (decimal units)."""
    for unit, size in (("TB", 10**12), ("GB", 10**9), ("MB", 10**6)):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    return f"{count / 1000:,.1f} kB"


def _chunk(
    program: Program, seed: int, first: int, stop: int, branch: _Branch | None = None
) -> _Columns:
    """Runs ``first`` to ``stop - 1``: their columns, one per step (one per risk for the last).

    (slips, causes, late, dropped, end slips, waits, whether each risk happened).

    On arrays when numpy is installed (:mod:`itinerary.sim._columnar`), else one run at a
    time: the same columns either way. What-if branches (*branch*) run one at a time.
    """
    from itinerary.sim import _columnar  # noqa: PLC0415 - it imports numpy when first used

    size = default_chunk_size(program)
    if branch is None and stop - first > size:  # a large task: in chunks that fit the budget
        return _join(program, [_chunk(program, seed, a, min(a + size, stop))
                               for a in range(first, stop, size)])  # fmt: skip
    found = None
    if branch is None:  # a what-if branch runs on the scalar engine
        try:
            found = _columnar.chunk(program, seed, first, stop)
        except InvalidPlanError:  # a run past the calendar's end: the scalar engine names it
            found = None
    if found is None:
        return _scalar_chunk(program, seed, first, stop, branch)
    return found


def _scalar_chunk(
    program: Program, seed: int, first: int, stop: int, branch: _Branch | None = None
) -> _Columns:
    """:func:`_chunk` one run at a time, with :meth:`Program.execute`.

    Raises :class:`InvalidPlanError` for a run that would take a step past the calendar's
    end, as :func:`~itinerary.sim.simulate` does for that run's seed.
    """
    execute = program.execute
    planned = program.planned
    pinned, floor = (None, None) if branch is None else branch
    rows = []
    for r in range(first, stop):
        run = f"run {r} (seed {seed_of(seed, r)})"
        try:
            row = execute(seed_of(seed, r), pinned, floor)
        except InvalidPlanError as exc:  # a run past the calendar's end: say which run
            raise InvalidPlanError(f"{run}: {exc}") from None
        check_calendar(program, run, row.starts, row.ends)
        rows.append(row)
    n = len(planned)
    if not rows:
        empty = tuple(array("q") for _ in range(n))
        none = tuple(array("b") for _ in range(n))
        risks = tuple(array("b") for _ in program.risks)
        waits = empty if program.queued else ()
        return empty, tuple(array("i") for _ in range(n)), none, none, empty, waits, risks
    starts = list(zip(*(row.starts for row in rows), strict=True))
    causes = list(zip(*(row.causes for row in rows), strict=True))
    late = list(zip(*(row.late for row in rows), strict=True))
    dropped = list(zip(*(row.dropped for row in rows), strict=True))
    ends = list(zip(*(row.ends for row in rows), strict=True))
    planned_end = program.planned_end
    waited = list(zip(*(row.waits for row in rows), strict=True))
    happened = [array("b", [row.happened[k] for row in rows]) for k in range(len(program.risks))]
    return (
        tuple(array("q", [s - planned[i] for s in starts[i]]) for i in range(n)),
        tuple(array("i", causes[i]) for i in range(n)),
        tuple(array("b", late[i]) for i in range(n)),
        tuple(array("b", dropped[i]) for i in range(n)),
        tuple(array("q", [e - planned_end[i] for e in ends[i]]) for i in range(n)),
        tuple(array("q", waited[i]) for i in range(n)) if program.queued else (),
        tuple(happened),
    )


def _chunks(runs: int, size: int) -> list[tuple[int, int]]:
    return [(first, min(first + size, runs)) for first in range(0, runs, size)]


@attrs.frozen
class StepRisk:
    """One row of the risk table: how likely a step is to start late, and by how much."""

    name: str
    kind: str
    p_late: float
    median: Duration
    p90: Duration


@attrs.frozen(repr=False)
class Outcomes:
    """What many runs of a plan came to; ask it about any step by name."""

    plan: Plan
    disruptions: Disruptions
    seed: int
    runs: int
    _slips: tuple[array[int], ...] = attrs.field(repr=False)
    _causes: tuple[array[int], ...] = attrs.field(repr=False)
    _late: tuple[array[int], ...] = attrs.field(repr=False)
    _program: Program = attrs.field(eq=False, repr=False)
    _dropped: tuple[array[int], ...] = attrs.field(default=(), repr=False)
    _given: tuple[EventLog, datetime] | None = attrs.field(default=None, eq=False, repr=False)
    _waits: tuple[array[int], ...] = attrs.field(default=(), repr=False)
    _risen: tuple[array[int], ...] = attrs.field(default=(), repr=False)
    _ends: tuple[array[int], ...] = attrs.field(default=(), kw_only=True, repr=False)
    _sorted: dict[int, list[int]] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def __repr__(self) -> str:
        title = f" of {self.plan.title!r}" if self.plan.title else ""
        return f"<Outcomes{title}: {self.runs} runs of {len(self.plan)} steps, seed={self.seed}>"

    def __str__(self) -> str:
        return self.report().text(upper=False, indent="", rule=True)

    def _repr_html_(self) -> str:
        return render_html((self.report(),))

    def report(self, late_by: timedelta | None = None) -> Table:
        """The risk report, a :class:`~itinerary.display.Table`: what ``print(outcomes)`` shows.

        Per step its planned local start, the share of runs late (and late by more than
        *late_by*) with its standard error, and its median, p90 and p99 slip in the late
        runs; a leg's arrival; each obligation; and the P50, P80 and P90 of the tour's end in
        local time. See docs/simulation.md, "Risk: Monte Carlo".
        """
        return report_table(self, late_by)

    def planned_end(self, name: str) -> DateTime:
        """When *name* was planned to end (a leg: land), in the zone of the place it ends at."""
        i = self._index(name)
        return _time.from_micros(self._program.planned_end[i], self._program.zones(i)[1])

    def end_slips(self, name: str) -> tuple[int, ...]:
        """How late *name* ended in every run against its planned end, in µs (0 where dropped)."""
        i = self._index(name)
        return tuple(self._ends[i]) if self._ends else (0,) * self.runs

    def _index(self, name: str) -> int:
        self.plan[name]
        return self._program.index[name]

    def seed_of(self, i: int) -> int:
        """The seed of run *i*: ``simulate(plan, disruptions, seed=...)`` repeats it."""
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.runs:
            raise InvalidPlanError(f"run index must be in [0, {self.runs}), got {i!r}")
        return seed_of(self.seed, i)

    def run(self, i: int) -> Run:
        """Run *i* again, with its full log (from the same ``given``/``after``, if any)."""
        if self._given is None:
            return _run(self._program, self.seed_of(i))
        given, after = self._given
        return _run(self._program, self.seed_of(i), given=given, after=after)

    def _happened(self, i: int) -> list[int]:
        """The indices of the runs in which step *i* happened (was not dropped)."""
        dropped = self._dropped[i] if self._dropped else None
        if dropped is None or not any(dropped):
            return list(range(self.runs))
        return [r for r in range(self.runs) if not dropped[r]]

    def dropped(self, name: str) -> tuple[bool, ...]:
        """Whether a rule dropped *name* in every run, in run order (see :meth:`p_dropped`)."""
        i = self._index(name)
        if not self._dropped:
            return (False,) * self.runs
        return tuple(bool(d) for d in self._dropped[i])

    def p_dropped(self, name: str) -> float:
        """The share of runs in which *name* did not happen (a rule dropped it)."""
        i = self._index(name)
        if not self._dropped:
            return 0.0
        return sum(self._dropped[i]) / self.runs if self.runs else math.nan

    @property
    def steps(self) -> tuple[Step, ...]:
        """The plan's steps in the study's order (by planned start, then the fulfilments)."""
        return self._program.steps

    def planned(self, name: str) -> DateTime:
        """When *name* was planned to start (a fulfilment: to be met), in its place's zone.

        A leg's is in its origin's zone; a fulfilment's in its signing place's.
        """
        i = self._index(name)
        return _time.from_micros(self._program.planned[i], self._program.zones(i)[0])

    def slips(self, name: str) -> tuple[int, ...]:
        """The slip of *name* in every run, in microseconds, in run order (0 where dropped)."""
        return tuple(self._slips[self._index(name)])

    def _kept(self, i: int) -> list[int]:
        """Step *i*'s slips in the runs in which it happened."""
        slips = self._slips[i]
        if self._dropped and any(self._dropped[i]):
            return [slips[r] for r in self._happened(i)]
        return list(slips)

    def causes(self, name: str) -> tuple[str | None, ...]:
        """The step to blame for *name* starting late in every run, in run order.

        ``None`` for a run in which it started on time; see :meth:`Run.cause`, and
        :meth:`criticality` for the shares.
        """
        names = self._program.cause_names
        return tuple(None if i < 0 else names[i] for i in self._causes[self._index(name)])

    @property
    def cause_names(self) -> tuple[str, ...]:
        """The names blame can give, the steps (in the study's order) then each risk and resource."""
        return self._program.cause_names

    def waited(self, name: str) -> tuple[int, ...]:
        """How long *name* waited for a resource in every run, in microseconds, in run order.

        Zero in a run in which it did not wait (or did not happen); see
        :class:`~itinerary.sim.Resource`.
        """
        i = self._index(name)
        return tuple(self._waits[i]) if self._waits else (0,) * self.runs

    def p_risk(self, name: str) -> float:
        """The share of runs in which the :class:`~itinerary.sim.Risk` called *name* happened."""
        for k, risk in enumerate(self.disruptions.risks):
            if risk.name == name:
                return sum(self._risen[k]) / self.runs if self.runs else math.nan
        known = ", ".join(repr(r.name) for r in self.disruptions.risks) or "none"
        raise InvalidPlanError(f"no risk called {name!r} in the disruptions (risks: {known})")

    def overdue(self, name: str) -> tuple[bool, ...]:
        """Whether *name* was met after its deadline in every run, in run order.

        Only a fulfilment can be: another step is never overdue.
        """
        return tuple(bool(late) for late in self._late[self._index(name)])

    def p_late(self, name: str, by: timedelta = _ZERO) -> float:
        """The share of runs in which *name* started more than *by* late.

        Over the runs in which it happened: a step a rule dropped is not late (see
        :meth:`p_dropped`); NaN if it never happened.
        """
        limit = elapsed_micros(by, what="p_late(by=...)")
        slips = self._kept(self._index(name))
        return sum(1 for s in slips if s > limit) / len(slips) if slips else math.nan

    def quantiles(self, name: str, qs: Iterable[float]) -> list[Duration]:
        """The slip of *name* at each quantile in *qs* (0.5 is the median), interpolated.

        Over the runs in which it happened.
        """
        i = self._index(name)
        ordered = self._sorted.get(i)
        if ordered is None:
            ordered = self._sorted[i] = sorted(self._kept(i))
        if isinstance(qs, str) or not isinstance(qs, Iterable):
            raise InvalidPlanError(f"quantiles(qs=...) takes a list of numbers, got {qs!r}")
        out = []
        for q in qs:
            if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 1:
                raise InvalidPlanError(f"a quantile must be a number in [0, 1], got {q!r}")
            if not ordered:
                raise InvalidPlanError(
                    f"no runs in which {name!r} happened: quantiles need at least one"
                )
            out.append(Duration(microseconds=quantile(ordered, q)))
        return out

    def deadline_risk(self, agreement: str, what: str) -> float:
        """The share of runs in which that obligation was met late, or not at all."""
        for i, step in enumerate(self._program.steps):
            if isinstance(step, Fulfilment) and (step.agreement, step.what) == (agreement, what):
                return sum(self._late[i]) / self.runs if self.runs else math.nan
        if (agreement, what) in self._program.obligations:
            return 1.0  # the plan never meets it
        raise InvalidPlanError(f"no obligation {what!r} of {agreement!r} in the plan")

    def criticality(self, name: str) -> dict[str, float]:
        """For each step, the share of runs in which it was the one that delayed *name*.

        "The one" is :meth:`Run.cause`: going back along the chain of knock-on delays, each
        late step passes the blame to the step that held it up unless its own delay (a late
        departure, a cancellation, an overrun, a rule's hold) is larger than what it
        inherited. Over the runs in which *name* happened, so shares sum to
        ``p_late(name)``; steps that never delayed it are left out; the largest share
        comes first.
        """
        index = self._index(name)
        happened = self._happened(index)
        counts: dict[int, int] = {}
        column = self._causes[index]
        for r in happened:
            cause = column[r]
            if cause >= 0:
                counts[cause] = counts.get(cause, 0) + 1
        names = self._program.cause_names
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return {names[i]: count / len(happened) for i, count in ranked}

    def worst(self, name: str) -> int:
        """The seed of the run in which *name* slipped most (the first such run it happened in)."""
        i = self._index(name)
        slips = self._slips[i]
        happened = self._happened(i)
        if not happened:
            raise InvalidPlanError(f"no runs in which {name!r} happened: there is no worst one")
        return self.seed_of(max(happened, key=slips.__getitem__))

    def risks(self) -> list[StepRisk]:
        """The risk table: each meeting, signing and leg, in planned order.

        Each row's chance and slips are over the runs in which the step happened.
        """
        rows = []
        for step in self._program.steps:
            if isinstance(step, Fulfilment):
                continue
            if not self._kept(self._program.index[step.name]):
                median = p90 = _ZERO  # dropped in every run
            else:
                median, p90 = self.quantiles(step.name, (0.5, 0.9))
            rows.append(StepRisk(step.name, step.kind, self.p_late(step.name), median, p90))
        return rows

    def deadline_risks(self) -> dict[tuple[str, str], float]:
        """Every obligation of the plan's signings -> the share of runs it was met late or never."""
        found: dict[tuple[str, str], float] = {}
        for step in self._program.steps:
            if isinstance(step, Signing):
                for obligation in step.obligations:
                    found[(step.title, obligation.what)] = self.deadline_risk(
                        step.title, obligation.what
                    )
        return found

    def to_records(self, table: OutcomesTable = "runs") -> list[dict[str, Any]]:
        """The study as plain dicts: one per run and step (``"runs"``), per step or per obligation.

        ``"runs"``: each run's seed, and each step's planned and actual start, slip, whether
        it started late, whether it was met after its deadline (``overdue``, fulfilments
        only) and its cause (:meth:`Run.cause`). ``"risks"``: the rows of :meth:`risks`.
        ``"deadlines"``: the rows of :meth:`deadline_risks`. See :mod:`itinerary.frames`.
        """
        return outcomes_columns(self, table).records()

    def to_pandas(self, table: OutcomesTable = "runs") -> pd.DataFrame:
        """The rows of :meth:`to_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
        return _records.dataframe("to_pandas()", outcomes_columns, self, table)

    def format(self, *, kinds: Iterable[str] = ("meeting", "signing", "travel")) -> str:
        """The risk table and the deadline risks as text, for a terminal."""
        if isinstance(kinds, str) or not isinstance(kinds, Iterable):
            raise InvalidPlanError(f"format(kinds=...) takes a list of kinds, got {kinds!r}")
        wanted = set(kinds)
        if not wanted <= {"meeting", "signing", "travel"}:
            raise InvalidPlanError(
                f"format(kinds=...) takes 'meeting', 'signing' and 'travel', got {sorted(wanted)!r}"
            )
        return format_outcomes(self, kinds=wanted)


def monte_carlo(
    plan: Plan,
    disruptions: Disruptions,
    *,
    runs: int,
    seed: int = 0,
    given: EventLog | None = None,
    after: datetime | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    chunk_size: int | None = None,
) -> Outcomes:
    """Run *plan* *runs* times under *disruptions* and gather the :class:`Outcomes`.

    Args:
        plan: The plan.
        disruptions: What can go wrong.
        runs: How many runs.
        seed: The study's seed; run *i* uses ``outcomes.seed_of(i)``.
        given: A log of what has happened so far, with *after*: every run keeps its facts
            up to *after*, exactly as ``simulate(..., given=, after=)`` does, and run *i*
            equals ``simulate(plan, disruptions, seed=outcomes.seed_of(i), given=given,
            after=after)``.
        after: The instant up to which *given* is kept (both or neither).
        executor: Any :class:`concurrent.futures.Executor` to spread the runs over (a
            ``ProcessPoolExecutor``, or Dask's ``client.get_executor()``); ``None`` runs
            them in this process. The outcomes are the same either way.
        progress: Show a progress bar on a terminal and in a notebook (never in a pipe,
            a file or a test's captured output).
        chunk_size: Runs per task; by default as many as fit in ``CHUNK_BUDGET`` (128 MiB)
            up to 32,768 (in-process), or 2 to 8 tasks of equal size (with an executor),
            each computed in such chunks. It changes no outcome.

    With numpy installed (``pip install numpy``; the ``test`` and ``bench`` extras have
    it) each chunk of runs is computed as arrays, 10x faster or more, with the very same
    draws and integers, rules (windows, curfews, rest, drops) included: installing numpy
    makes a study faster and changes no outcome. Without it the runs are computed one at a
    time, as are the runs of a what-if branch (*given*).

    Raises:
        InvalidPlanError: for arguments of the wrong kind, or *given* without *after* (or
            the reverse).

    Raises:
        InvalidPlanError: for a plan, disruptions, runs, seed or chunk size of the wrong
            kind; for a run whose delays take a step past 9999-12-30 UTC (naming the step
            and the run's seed); and, before any run, for more runs than the machine's
            available memory can hold (``BYTES_PER_STEP_RUN``, 72 bytes per run and step), saying
            how much they would need.

    """
    _check_study(plan, disruptions, runs, chunk_size)
    _check_memory(plan, runs)
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InvalidPlanError(
            f"executor must be a concurrent.futures.Executor (or have its submit()), got {executor!r}"
        )
    seed = _check_seed(seed)
    program = compiled(plan, disruptions)
    if chunk_size is None:
        # With an executor, few large tasks: a task of the array engine is milliseconds of
        # work, so pickling a program and a result per task would outweigh smaller ones.
        if executor is None:  # chunks of equal size, each within the budget
            most = default_chunk_size(program)
            chunk_size = -(-runs // -(-runs // most))
        else:
            chunk_size = _task_size(program, runs)
    program.forget()  # a study's cost does not depend on the studies before it
    branch = _branch(program, given, after)
    parts = _chunks(runs, chunk_size)
    with _progress.bar(runs, desc="monte_carlo", unit="run", enabled=progress) as bar:
        if executor is None:
            results = []
            for first, stop in parts:
                results.append(_chunk(program, seed, first, stop, branch))
                bar.update(stop - first)
        else:
            futures: list[Future[_Columns]] = [
                executor.submit(_chunk, program, seed, first, stop, branch) for first, stop in parts
            ]
            results = []
            for future, (first, stop) in zip(futures, parts, strict=True):
                results.append(future.result())
                bar.update(stop - first)
    slips, causes, late, dropped, ends, waits, happened = _join(program, results)
    kept = None if given is None or after is None else (given, after)
    return Outcomes(
        plan,
        disruptions,
        seed,
        runs,
        slips,
        causes,
        late,
        program,
        dropped,
        kept,
        waits,
        happened,
        ends=ends,
    )


def _branch(program: Program, given: object, after: object) -> _Branch | None:
    """The steps *given* shows under way by *after*, and the floor: as ``simulate`` finds them."""
    if given is None and after is None:
        return None
    if given is None or after is None:
        raise InvalidPlanError("a what-if branch needs both given= (a log) and after= (an instant)")
    if not isinstance(given, EventLog):
        raise InvalidPlanError(f"given must be an EventLog, got {type(given).__name__}")
    floor = _time.micros(_time.instant(after, what="monte_carlo(after=...)"))
    facts = [e for e in given if _time.micros(e.occurred_at) <= floor]
    return _match(program, facts), floor


def _check_study(plan: object, disruptions: object, runs: object, chunk_size: object) -> None:
    if not isinstance(plan, Plan):
        raise InvalidPlanError(f"monte_carlo() needs a Plan, got {type(plan).__name__}")
    if not isinstance(disruptions, Disruptions):
        raise InvalidPlanError(f"disruptions must be a Disruptions, got {disruptions!r}")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise InvalidPlanError(f"runs must be an integer from 1 to {MAX_RUNS:,}, got {runs!r}")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise InvalidPlanError(f"chunk_size must be a positive integer, got {chunk_size!r}")


def _join(program: Program, results: list[_Columns]) -> _Columns:
    """The columns of consecutive chunks, joined: one per step (one per risk for the last)."""
    n = len(program.steps)
    if len(results) == 1:
        return results[0]
    return (
        tuple(_concat("q", (r[0][i] for r in results)) for i in range(n)),
        tuple(_concat("i", (r[1][i] for r in results)) for i in range(n)),
        tuple(_concat("b", (r[2][i] for r in results)) for i in range(n)),
        tuple(_concat("b", (r[3][i] for r in results)) for i in range(n)),
        tuple(_concat("q", (r[4][i] for r in results)) for i in range(n)),
        # kept only for a plan whose steps wait for resources
        tuple(_concat("q", (r[5][i] for r in results)) for i in range(n)) if program.queued else (),
        tuple(_concat("b", (r[6][k] for r in results)) for k in range(len(program.risks))),
    )


def _concat(code: str, parts: Iterable[array[int]]) -> array[int]:
    out = array(code)
    for part in parts:
        out.extend(part)
    return out


# -- shown as text and tables (see itinerary.display) ---------------------------------------


def format_outcomes(
    outcomes: Outcomes, *, kinds: Iterable[str] = ("meeting", "signing", "travel")
) -> str:
    """The compact risk tables as text, ``outcomes.format()``.

    ``str(outcomes)`` and ``itinerary simulate`` print the fuller ``Outcomes.report()``.
    """
    return "\n\n".join(
        table.text(upper=False, indent="", rule=True)
        for table in outcomes_tables(outcomes, kinds=kinds)
    )


def outcomes_tables(
    outcomes: Outcomes, *, kinds: Iterable[str] = ("meeting", "signing", "travel")
) -> tuple[Table, ...]:
    """The compact risk table and the deadline risks (see ``Outcomes.report()`` for more).

    The risk table gives each step's chance of starting late and its median and 90% slip.
    """
    wanted = set(kinds)
    risks = Table(
        f"{outcomes.runs:,} runs, seed {outcomes.seed}",
        ("step", "kind", "p late", "median slip", "90% slip"),
        [
            (r.name, r.kind, _share(r.p_late), format_duration(r.median), format_duration(r.p90))
            for r in outcomes.risks()
            if r.kind in wanted
        ],
        right=(2, 3, 4),
    )
    deadlines = outcomes.deadline_risks()
    if not deadlines:
        return (risks,)
    return (
        risks,
        Table(
            None,
            ("agreement", "obligation", "risk late or unmet"),
            [(a, w, f"{risk:6.1%}") for (a, w), risk in deadlines.items()],
            right=(2,),
        ),
    )


# -- records and DataFrames (see itinerary.frames) ------------------------------------------

RUN_COLUMNS = {
    "run": INT, "seed": UINT, "step": category("step"), "kind": category("step_kind"),
    "planned": INSTANT, "start": INSTANT, "local": LOCAL, "offset": STR, "zone": ZONE,
    "slip": DURATION, "late": BOOL, "overdue": BOOL, "cause": category("cause"),
}  # fmt: skip
"""The columns of a study's ``"runs"`` table: one row per run and step."""


def _share(p: float) -> str:
    """A share of runs as a percentage, or ``dropped`` for a step that never happened (NaN)."""
    return "dropped" if math.isnan(p) else f"{p:6.1%}"


DEADLINE_RISK_COLUMNS = {"agreement": category("agreement"), "what": STR, "risk": FLOAT}
"""The columns of a study's ``"deadlines"`` table: the rows of :meth:`Outcomes.deadline_risks`."""


def _orders(outcomes: Outcomes) -> dict[str, tuple[str, ...]]:
    """The categories of a study's steps and kinds: the steps in the study's order."""
    return {
        "step": tuple(step.name for step in outcomes.steps),
        "step_kind": STEP_KINDS,
        "cause": outcomes.cause_names,
    }


def _runs(outcomes: Outcomes) -> Columns:
    steps = outcomes.steps
    table = Columns.empty(RUN_COLUMNS, _orders(outcomes))
    add = {name: column.append for name, column in table.columns.items()}
    exact = {name: column.append for name, column in table.exact.items()}
    planned_at = [outcomes.planned(step.name) for step in steps]  # in each step's zone
    planned = [_time.micros(at) for at in planned_at]
    zones, tzs = [_time.zone_name(at) for at in planned_at], [at.tzinfo for at in planned_at]
    planned_utc = [EPOCH + timedelta(microseconds=us) for us in planned]
    slips = [outcomes.slips(step.name) for step in steps]
    causes = [outcomes.causes(step.name) for step in steps]
    overdue = [outcomes.overdue(step.name) for step in steps]
    dropped = outcomes._dropped
    for run in range(outcomes.runs):
        seed = outcomes.seed_of(run)
        for i, step in enumerate(steps):
            if dropped and dropped[i][run]:
                continue  # it did not happen in this run: no row
            slip = slips[i][run]
            us = planned[i] + slip
            start = EPOCH + timedelta(microseconds=us)
            local = start.astimezone(tzs[i])
            delta = local.utcoffset()
            add["run"](run)
            add["seed"](seed)
            add["step"](step.name)
            add["kind"](step.kind)
            add["planned"](planned_utc[i])
            exact["planned"](planned[i])
            add["start"](start)
            exact["start"](us)
            add["local"](local)
            exact["local"](us + delta_micros(delta))
            add["offset"](OFFSETS.get(delta) or offset_text(local))
            add["zone"](zones[i])
            add["slip"](timedelta(microseconds=slip))
            add["late"](slip > 0)
            add["overdue"](overdue[i][run])
            add["cause"](causes[i][run])
    return table


def _risks(outcomes: Outcomes) -> Columns:
    return risk_columns(outcomes)


def _deadline_risks(outcomes: Outcomes) -> Columns:
    table = Columns.empty(DEADLINE_RISK_COLUMNS)
    for (agreement, what), risk in outcomes.deadline_risks().items():
        table.add({"agreement": agreement, "what": what, "risk": risk})
    return table


def outcomes_columns(outcomes: Outcomes, table: str | None) -> Columns:
    """The table of *outcomes* called *table* (one of :data:`OUTCOMES_TABLES`; the first if None)."""
    chosen = _records.choose(table, OUTCOMES_TABLES, "Outcomes")
    if chosen == "runs":
        return _runs(outcomes)
    if chosen == "risks":
        return _risks(outcomes)
    return _deadline_risks(outcomes)
