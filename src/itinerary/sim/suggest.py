"""Suggesting a plan: the start times that keep every rule and carry the least risk.

:func:`suggest` takes a plan and, for some of its steps, a :class:`Between` range of
candidate starts. A constraint solver (OR-Tools CP-SAT, the ``solve`` extra; see
:mod:`itinerary.sim._solver`) finds the assignments that keep every rule of the plan:
windows, curfews and rest (each read in its place's local time, day by day), everyone in
one step at a time and where their last step left them, and the drops' order. Only those
plans are simulated: each by :func:`~itinerary.sim.monte_carlo` with the same seed, so every
candidate meets the same delays (common random numbers), and they are ranked by the
objective.

When there are more feasible plans than *limit*, the solver hands over the *limit* best by a
cheap proxy (the buffer before each step, then the least change), and only those are
simulated: :attr:`Suggestions.exhaustive` says which happened.

The standard error of each suggestion's difference from the best one is paired: both are
measured on the same runs, so most of the noise cancels and a difference a few standard
errors wide is a real one.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any, Literal, NamedTuple, TypeAlias

import attrs
import pendulum
from pendulum import DateTime

from itinerary import _time
from itinerary._checks import Checks
from itinerary._table import Table, render_html
from itinerary.errors import InvalidPlanError
from itinerary.events import format_local
from itinerary.places import Place
from itinerary.sim import _solver
from itinerary.sim._random import seed_of
from itinerary.sim.delays import Disruptions, elapsed_micros, format_micros
from itinerary.sim.engine import simulate
from itinerary.sim.monte_carlo import Outcomes, monte_carlo
from itinerary.sim.plan import Plan, end_micros, start_micros
from itinerary.sim.report import quantile, run_ends
from itinerary.sim.steps import Fulfilment, Step, Travel, start_place, with_start
from itinerary.sim.whatif import parse_start, step_named

__all__ = [
    "MAX_CANDIDATES", "Between", "Change", "Objective", "Suggestion", "Suggestions",
    "flexible_from_text", "suggest", "suggestions_tables",
]  # fmt: skip

MAX_CANDIDATES = 10_000
"""The most candidate starts one :class:`Between` may give."""

_BATCHES = 10  # sub-studies per plan for the standard error of a callable objective
_RESAMPLES = 200  # paired bootstrap resamples for the standard error of "end"
_END_QUANTILE = 0.8
_NEVER = -(1 << 62)  # the end of a run in which nothing happened

Objective: TypeAlias = Literal["p_late", "end"] | Callable[[Outcomes], float]
"""What :func:`suggest` minimises: ``"p_late"``, ``"end"`` or a function of the outcomes."""


_QUARTER_HOUR = pendulum.duration(minutes=15)
"""The default step between candidate starts."""


def _label(instance: object) -> str:
    return type(instance).__name__


_INSTANT = Checks(InvalidPlanError, _label).instant


def _every(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if elapsed_micros(value, what="Between.every") <= 0:
        raise InvalidPlanError(f"Between.every must be longer than zero, got {value!r}")


@attrs.frozen(repr=False)
class Between:
    """Candidate starts for a step: *earliest*, then every *every*, up to *latest*.

    The candidates are exact instants, *every* apart in elapsed time, so on a clock-change
    day each wall time of a repeated hour is a candidate twice (once per offset) and no
    candidate falls in a gap: give local wall times through a place.

    >>> from itinerary.places import TOKYO
    >>> len(Between(TOKYO.at("2025-10-29 08:00"), TOKYO.at("2025-10-29 10:00")))
    9
    """

    earliest: DateTime = attrs.field(converter=_INSTANT)  # type: ignore[misc]
    latest: DateTime = attrs.field(converter=_INSTANT)  # type: ignore[misc]
    every: timedelta = attrs.field(
        default=_QUARTER_HOUR, kw_only=True, validator=_every,
        eq=_time.duration_key,
    )  # fmt: skip

    def __attrs_post_init__(self) -> None:
        if self.latest < self.earliest:
            raise InvalidPlanError(
                f"Between: latest ({self.latest.isoformat()}) is before earliest "
                f"({self.earliest.isoformat()})"
            )
        if len(self) > MAX_CANDIDATES:
            raise InvalidPlanError(
                f"Between gives {len(self):,} candidate starts, more than {MAX_CANDIDATES:,}: "
                "give a narrower range or a longer every="
            )

    def __len__(self) -> int:
        span = _time.micros(self.latest) - _time.micros(self.earliest)
        return span // elapsed_micros(self.every, what="Between.every") + 1

    def micros(self) -> tuple[int, ...]:
        """The candidate starts, in microseconds since the epoch."""
        first = _time.micros(self.earliest)
        step = elapsed_micros(self.every, what="Between.every")
        return tuple(first + k * step for k in range(len(self)))

    @property
    def starts(self) -> tuple[DateTime, ...]:
        """The candidate starts, in *earliest*'s zone."""
        tz = self.earliest.tzinfo
        assert tz is not None
        return tuple(_time.local_instant(us, tz) for us in self.micros())

    def __repr__(self) -> str:
        every = format_micros(elapsed_micros(self.every, what="Between.every"))
        return f"Between({self.earliest.isoformat()!r}, {self.latest.isoformat()!r}, every={every})"


class Change(NamedTuple):
    """A step moved: its name, and its old and new starts in its place's local time."""

    step: str
    old: DateTime
    new: DateTime


@attrs.frozen(repr=False, eq=False)
class Suggestion:
    """One suggested plan, its outcomes and how it differs from the plan and the best one.

    *score* is the objective (lower is better): a share for ``"p_late"``, POSIX seconds
    for ``"end"``, what the function returned otherwise. *difference* is ``score`` minus
    the best suggestion's, and *se* its paired standard error (zero for the best).
    """

    plan: Plan
    outcomes: Outcomes
    changes: tuple[Change, ...]
    score: float
    difference: float
    se: float

    def __repr__(self) -> str:
        moved = ", ".join(f"{c.step!r} -> {c.new.isoformat()}" for c in self.changes)
        return f"<Suggestion score={self.score:.4g} ({moved or 'as planned'})>"


@attrs.frozen(repr=False, eq=False)
class Suggestions:
    """The suggested plans, best first; iterate, index or ``len()`` them.

    *scored* is how many feasible plans were simulated; *exhaustive* whether they were all
    the feasible plans there are (else the best *scored* by the solver's buffer proxy);
    *rejected* how many the solver offered that the plan or the engine refused (zero
    unless the model and the engine disagree).
    """

    suggestions: tuple[Suggestion, ...]
    objective: str
    runs: int
    seed: int
    scored: int
    exhaustive: bool
    rejected: int = 0

    def __iter__(self) -> Iterator[Suggestion]:
        return iter(self.suggestions)

    def __len__(self) -> int:
        return len(self.suggestions)

    def __getitem__(self, i: int) -> Suggestion:
        return self.suggestions[i]

    def __repr__(self) -> str:
        return (
            f"<Suggestions: {len(self)} of {self.scored} feasible plans scored "
            f"({'all' if self.exhaustive else 'the best by buffer'}), objective "
            f"{self.objective}>"
        )

    def __str__(self) -> str:
        return "\n\n".join(t.text() for t in suggestions_tables(self))

    def _repr_html_(self) -> str:
        return render_html(suggestions_tables(self))


def _place(step: Step) -> Place:
    place = start_place(step)
    assert place is not None  # no obligation met is flexible
    return place


def _moved(step: Step, us: int) -> Step:
    return with_start(step, _time.from_micros(us, _place(step).tz))


def _check(  # noqa: PLR0917 - suggest()'s arguments, checked in one place
    plan: object, flexible: object, disruptions: object, runs: object, seed: object,
    top: object, limit: object, objective: object,
) -> None:  # fmt: skip
    if not isinstance(plan, Plan):
        raise InvalidPlanError(f"suggest() needs a Plan, got {type(plan).__name__} {plan!r}")
    if not isinstance(flexible, Mapping) or not flexible:
        raise InvalidPlanError(
            "flexible must map step names to Between ranges, e.g. {'Summit': Between(...)}, "
            f"got {flexible!r}"
        )
    for name, between in flexible.items():
        step = plan[name]
        if isinstance(step, Fulfilment):
            raise InvalidPlanError(
                f"{name!r} is met a fixed time after its signing: move the signing instead"
            )
        if not isinstance(between, Between):
            raise InvalidPlanError(f"flexible[{name!r}] must be a Between, got {between!r}")
    if disruptions is not None and not isinstance(disruptions, Disruptions):
        raise InvalidPlanError(f"disruptions must be a Disruptions, got {disruptions!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidPlanError(f"seed must be an integer, got {seed!r}")
    for what, value in (("runs", runs), ("top", top), ("limit", limit)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidPlanError(f"{what} must be a positive integer, got {value!r}")
    if objective not in ("p_late", "end") and not callable(objective):
        raise InvalidPlanError(
            f"objective must be 'p_late', 'end' or a function of Outcomes, got {objective!r}"
        )


def suggest(
    plan: Plan,
    flexible: Mapping[str, Between],
    disruptions: Disruptions | None = None,
    *,
    runs: int = 2000,
    seed: int = 0,
    top: int = 3,
    objective: Objective = "p_late",
    limit: int = 64,
) -> Suggestions:
    """The *top* plans that keep every rule, with *flexible* steps moved, least risky first.

    Args:
        plan: The plan; every step not in *flexible* stays where it is.
        flexible: Step name -> the :class:`Between` range it may start in.
        disruptions: What can go wrong (none by default).
        runs: Monte Carlo runs per scored plan.
        seed: The studies' seed, the same for every plan (common random numbers).
        top: How many plans to return.
        objective: ``"p_late"``, the mean over the plan's steps of the share of runs in
            which each starts late; ``"end"``, the 80th percentile of when the tour's last
            step ends, as the risk report's P80 counts it (overruns included); or a function of :class:`~itinerary.sim.Outcomes` to minimise.
        limit: The most feasible plans simulated; past that, the solver's best by buffer.

    Raises:
        InvalidPlanError: for arguments of the wrong kind, or when no plan keeps every rule
            (naming a set of rules that conflict).
        MissingExtraError: without OR-Tools (``pip install "itinerary[solve]"``).

    """
    _check(plan, flexible, disruptions, runs, seed, top, limit, objective)
    disruptions = Disruptions() if disruptions is None else disruptions
    domains = {name: between.micros() for name, between in flexible.items()}
    drawn, exhaustive = _solver.plans(plan, domains, limit)
    candidates: list[tuple[Plan, tuple[Change, ...]]] = []
    rejected = 0
    for starts in drawn:
        found = _build(plan, starts)
        if found is None:
            rejected += 1
        else:
            candidates.append(found)
    if not drawn:
        raise InvalidPlanError(
            "the solver found no plan in its time limit; give the flexible steps fewer "
            "candidates (a longer every= or a narrower Between)"
        )
    if not candidates:
        raise InvalidPlanError(
            f"the solver's {len(drawn)} plans were all refused by the plan's checks or the "
            "engine (a bug in itinerary: please report it)"
        )
    scored = [
        (p, changes, monte_carlo(p, disruptions, runs=runs, seed=seed)) for p, changes in candidates
    ]
    scores = [_score(outcomes, objective) for _, _, outcomes in scored]
    order = sorted(range(len(scored)), key=lambda i: (math.isnan(scores[i]), scores[i], i))
    best = order[0]
    chosen = order[:top]
    out = []
    for i in chosen:
        p, changes, outcomes = scored[i]
        se = 0.0 if i == best else _se(scored[i][2], scored[best][2], objective, seed)
        out.append(Suggestion(p, outcomes, changes, scores[i], scores[i] - scores[best], se))
    name = objective if isinstance(objective, str) else getattr(objective, "__name__", "custom")
    return Suggestions(tuple(out), name, runs, seed, len(scored), exhaustive, rejected)


def _build(plan: Plan, starts: Mapping[str, int]) -> tuple[Plan, tuple[Change, ...]] | None:
    """The plan with *starts*, and its changes; None if the plan or the engine refuse it."""
    steps = tuple(_moved(s, starts[s.name]) if s.name in starts else s for s in plan.steps)
    try:
        moved = attrs.evolve(plan, steps=steps)
        bare = attrs.evolve(moved, steps=tuple(attrs.evolve(s, delay=None) for s in steps))
        run = simulate(bare)  # no delay at all: a rule that held a step would show
    except InvalidPlanError:
        return None
    if run.dropped or any(run.slip(n).total_seconds() for n in bare.names):
        return None
    changes = []
    for name, us in starts.items():
        old = plan[name]
        if us != start_micros(old):  # type: ignore[arg-type]  # no fulfilment is flexible
            place = _place(old)
            changes.append(
                Change(name, place.local(old.start), _time.from_micros(us, place.tz))  # type: ignore[union-attr]
            )
    return moved, tuple(changes)


def _late_per_run(outcomes: Outcomes) -> list[float]:
    """Each run's share of the plan's steps late, weighted so its mean is the p_late objective."""
    runs = outcomes.runs
    total = [0.0] * runs
    counted = 0
    for name in outcomes.plan.names:
        dropped = outcomes.dropped(name)
        happened = runs - sum(dropped)
        if not happened:
            continue  # NaN: left out of the mean
        counted += 1
        weight = runs / happened
        for r, (slip, gone) in enumerate(zip(outcomes.slips(name), dropped, strict=True)):
            if slip > 0 and not gone:
                total[r] += weight
    return [t / counted for t in total] if counted else [math.nan] * runs


def _ends_per_run(outcomes: Outcomes) -> list[int]:
    """Each run's end of the tour (µs), as the risk report counts it (overruns included)."""
    found = run_ends(outcomes)
    ends = found.ends if found is not None else (None,) * outcomes.runs
    return [_NEVER if end is None else end for end in ends]


def _quantile(values: Iterable[int], q: float) -> int:
    return quantile(sorted(values), q)


def _score(outcomes: Outcomes, objective: Objective) -> float:
    if objective == "p_late":
        names = outcomes.plan.names
        shares = [p for p in (outcomes.p_late(n) for n in names) if not math.isnan(p)]
        return statistics.fmean(shares) if shares else math.nan
    if objective == "end":
        return _quantile(_ends_per_run(outcomes), _END_QUANTILE) / 1e6
    assert callable(objective)
    value = objective(outcomes)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidPlanError(f"suggest(objective=...) must return a number, got {value!r}")
    return float(value)


def _se(outcomes: Outcomes, best: Outcomes, objective: Objective, seed: int) -> float:
    """The paired standard error of ``score(outcomes) - score(best)``.

    ``"p_late"``: over the runs' differences (both plans meet the same delays in run *r*).
    ``"end"``: a paired bootstrap of the runs (seeded by *seed*). A function: the spread
    of its differences over ten paired sub-studies (each with the same seed for both).
    """
    runs = outcomes.runs
    if runs < 2:
        return math.nan
    if objective == "p_late":
        diffs = [a - b for a, b in zip(_late_per_run(outcomes), _late_per_run(best), strict=True)]
        return statistics.stdev(diffs) / math.sqrt(runs)
    if objective == "end":
        mine, theirs = _ends_per_run(outcomes), _ends_per_run(best)
        draw = random.Random(seed)
        found = []
        for _ in range(_RESAMPLES):
            picks = [draw.randrange(runs) for _ in range(runs)]
            a = _quantile((mine[r] for r in picks), _END_QUANTILE)
            b = _quantile((theirs[r] for r in picks), _END_QUANTILE)
            found.append((a - b) / 1e6)
        return statistics.stdev(found)
    assert callable(objective)
    size = max(runs // _BATCHES, 1)
    diffs = []
    for k in range(_BATCHES):
        batch = seed_of(seed, k)
        mine_k = monte_carlo(outcomes.plan, outcomes.disruptions, runs=size, seed=batch)
        best_k = monte_carlo(best.plan, best.disruptions, runs=size, seed=batch)
        diffs.append(float(objective(mine_k)) - float(objective(best_k)))
    return statistics.stdev(diffs) / math.sqrt(_BATCHES)


def flexible_from_text(
    plan: Plan, text: str, *, every: timedelta = _QUARTER_HOUR
) -> tuple[str, Between]:
    """``"NAME=2025-10-29 08:00..2025-10-30 20:00"`` as (name, :class:`Between`).

    Each end is read as :func:`~itinerary.sim.whatif.parse_start` reads a new start: a wall
    time in the step's place (a leg's: its origin); an offset after it chooses in a repeated
    hour (``2025-11-02 01:30-05:00``), a zone or place after it is used instead of the
    step's, and one the clocks skipped or repeated without an offset is refused.
    """
    where = f"--flexible {text!r}"
    name, sep, span = text.rpartition("=")
    earliest, dots, latest = span.partition("..")
    if not sep or not dots or not name.strip():
        raise InvalidPlanError(f"{where}: expected 'NAME=YYYY-MM-DD HH:MM..YYYY-MM-DD HH:MM'")
    name = name.strip()
    if isinstance(step_named(plan, name, where=where), Fulfilment):
        raise InvalidPlanError(
            f"{where}: {name!r} is met a fixed time after its signing; it cannot move"
        )
    ends = [parse_start(plan, name, part.strip(), where=where) for part in (earliest, latest)]
    return name, Between(ends[0], ends[1], every=every)


def _share(p: float) -> str:
    return "-" if math.isnan(p) else f"{p:.1%}"


def _shown_score(found: Suggestions, value: float, *, difference: bool = False) -> str:
    if found.objective == "p_late":  # a difference in percentage points: often small
        return f"{value * 100:+.3f} pp" if difference else f"{value:.3%}"
    if found.objective == "end":
        if difference:
            return ("-" if value < 0 else "+") + format_micros(round(abs(value) * 1e6))
        last = max(
            (s for s in found[0].plan.steps if not isinstance(s, Fulfilment)),
            key=end_micros,
        )
        place = last.destination if isinstance(last, Travel) else last.place
        return format_local(_time.from_micros(round(value * 1e6), place.tz), place)
    return f"{value:+.4g}" if difference else f"{value:.4g}"


def suggestions_tables(found: Suggestions) -> list[Table]:
    """The suggestions ranked (score, difference from the best, changes) and their risks side by side."""
    how = "all of them" if found.exhaustive else "the solver's best by buffer"
    rows = []
    for rank, s in enumerate(found, 1):
        moved = "; ".join(
            f"{c.step}: {format_local(c.old, None)} -> {format_local(c.new, None)}"
            for c in s.changes
        )
        versus = (
            "best" if rank == 1
            else f"{_shown_score(found, s.difference, difference=True)} "
                 f"± {_shown_score(found, s.se, difference=True).lstrip('+')}"
        )  # fmt: skip
        rows.append((rank, _shown_score(found, s.score), versus, moved or "(as planned)"))
    ranked = Table(
        f"Suggested plans: {found.scored} feasible plan{'s' if found.scored != 1 else ''} "
        f"scored ({how}); objective {found.objective}, {found.runs:,} runs each, seed "
        f"{found.seed}",
        ("rank", found.objective, "vs best (± paired SE)", "changes (local time)"),
        rows,
        right=(0, 1),
    )
    names = found[0].plan.names if len(found) else ()
    side = Table(
        "Risk side by side: the share of runs in which each step starts late",
        ("step", *(f"#{rank}" for rank in range(1, len(found) + 1))),
        [(n, *(_share(s.outcomes.p_late(n)) for s in found)) for n in names],
        right=tuple(range(1, len(found) + 1)),
    )
    return [ranked, side]
