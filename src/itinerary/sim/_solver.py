"""The feasibility half of :func:`~itinerary.sim.suggest`: a plan's rules as a CP-SAT model.

Each timed step (a leg, a meeting, a signing) is an interval: its start is a variable whose
domain is its candidate starts (one value for a step that stays put). The rules become
constraints that the engine's own arithmetic decides, so a plan the model accepts is one
:func:`~itinerary.sim.simulate` runs without a rule holding any step:

- a :class:`~itinerary.sim.Window`: the step starts inside one of its daily spans, with the
  meeting's duration left before it closes (the allowed intervals are computed day by day in
  the place's zone, with the engine's :func:`~itinerary.sim.rules.occurrence`, so a span on a
  clock-change day is exact);
- a :class:`~itinerary.sim.Curfew`: a forbidden interval for a leg's departure from, and one
  (shifted back by the flight) for its landing at, the curfew's place, day by day;
- each person: a circuit through their steps (an order), each arc ``a -> b`` saying ``b``
  starts no earlier than ``a`` ends and where ``a`` left them, plus a no-overlap of their
  intervals (the same no-overlap serves a shared resource: one ``add_no_overlap`` per
  resource over the intervals of the steps that use it);
- a :class:`~itinerary.sim.Rest`: on an arc leaving a long enough leg, the rest is added;
- a :class:`~itinerary.sim.Drop`: the dropped steps still start after the step it is
  decided on (a plan requires it);
- a window on a fulfilment: the signing's candidate starts whose fulfilment falls in it.

Every rule is enforced through its own literal, assumed true: when no plan fits, CP-SAT's
``sufficient_assumptions_for_infeasibility`` names a set of rules that conflict.

Plans are drawn best first by a cheap proxy of risk, the buffer before each step (each gap
between a person's consecutive steps, counted up to three hours), then the least change
from the plan as written; each new plan differs from those drawn before in at least one
flexible start (a no-good cut), until ``limit`` plans are drawn or none is left.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from itinerary import _time
from itinerary._extras import require
from itinerary.errors import InvalidPlanError
from itinerary.sim.delays import elapsed_micros
from itinerary.sim.plan import Plan, end_micros, order_key, start_micros
from itinerary.sim.rules import Curfew, Drop, Rest, local_day, next_fit, occurrence
from itinerary.sim.steps import Fulfilment, Meeting, Signing, Travel, start_place

__all__ = ["BUFFER_CAP", "curfew_forbidden", "plans", "window_allowed"]

BUFFER_CAP = timedelta(hours=3)
"""The longest gap between two of a person's steps that counts towards a plan's buffer."""

_MINUTE = 60_000_000
_SOLVE_SECONDS = 20.0  # per plan drawn: a model of a tour solves in milliseconds

Timed = Travel | Meeting | Signing


def _cp() -> Any:
    return require("ortools.sat.python.cp_model", extra="solve", feature="suggest()")


def _tz(step: Timed) -> str:
    """The zone of the place *step* starts in."""
    place = start_place(step)
    assert place is not None  # a timed step starts somewhere
    return place.tz


def _duration(step: Timed) -> int:
    return end_micros(step) - start_micros(step)


def _days(values: tuple[int, ...], tz: str, spread: int) -> Iterator[Any]:
    """Every local day whose span could reach a value in *values* (and *spread* µs after)."""
    first = local_day(min(values), tz) - timedelta(days=2)
    last = local_day(max(values) + spread, tz) + timedelta(days=1)
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def window_allowed(
    tz: str, opens: Any, closes: Any, need: int, values: tuple[int, ...]
) -> list[tuple[int, int]]:
    """The closed intervals of starts a daily window lets a step of *need* µs start at."""
    out = []
    for day in _days(values, tz, 0):
        o, c = occurrence(tz, day, opens, closes)
        last = min(c - 1, c - need)
        if last >= o:
            out.append((o, last))
    return out


def curfew_forbidden(
    tz: str, starts: Any, ends: Any, shift: int, values: tuple[int, ...]
) -> list[tuple[int, int]]:
    """The closed intervals of starts a daily curfew forbids, *shift* µs before its spans."""
    out = []
    for day in _days(values, tz, shift):
        o, c = occurrence(tz, day, starts, ends)
        out.append((o - shift, c - 1 - shift))
    return out


class _Model:
    """The CP-SAT model of a plan whose steps may start at the given candidates."""

    def __init__(self, plan: Plan, domains: Mapping[str, tuple[int, ...]]) -> None:
        cp = _cp()
        self.cp = cp
        self.plan = plan
        self.model = model = cp.CpModel()
        self.flexible = tuple(domains)
        timed = [s for s in plan.steps if not isinstance(s, Fulfilment)]
        self.steps: dict[str, Timed] = {s.name: s for s in timed}
        self.index = {s.name: i for i, s in enumerate(plan.steps)}
        self.values = {
            s.name: tuple(sorted(set(domains.get(s.name, (start_micros(s),))))) for s in timed
        }
        every = [v for vs in self.values.values() for v in vs]
        self.base = min(every, default=0) - 7 * 86_400_000_000  # offsets keep the numbers small
        self.start: dict[str, Any] = {}
        for s in timed:
            shifted = [v - self.base for v in self.values[s.name]]
            self.start[s.name] = model.new_int_var_from_domain(
                cp.Domain.from_values(shifted), f"start {s.name}"
            )
        self.labels: dict[int, str] = {}
        self.assumed: list[Any] = []
        self.gaps: list[Any] = []
        self._rest_literals: dict[str, Any] = {}
        self._windows()
        self._curfews()
        self._people()
        self._resources()
        self._drops()
        self._fulfilments()
        model.add_assumptions(self.assumed)

    def _rule(self, label: str) -> Any:
        literal = self.model.new_bool_var(label)
        self.labels[literal.index] = label
        self.assumed.append(literal)
        return literal

    def _within(self, name: str, intervals: list[tuple[int, int]], label: str) -> None:
        """Enforce, under the rule *label*, that step *name* starts inside *intervals*."""
        values = self.values[name]
        if all(any(a <= v <= b for a, b in intervals) for v in values):
            return  # it cannot bind
        shifted = [(a - self.base, b - self.base) for a, b in intervals]
        domain = self.cp.Domain.from_intervals(shifted) if shifted else self.cp.Domain(1, 0)
        self.model.add_linear_expression_in_domain(self.start[name], domain).only_enforce_if(
            self._rule(label)
        )

    def _windows(self) -> None:
        for name, step in self.steps.items():
            window = step.window
            if window is None:
                continue
            need = _duration(step) if isinstance(step, Meeting) else 0
            allowed = window_allowed(
                _tz(step), window.opens, window.closes, need, self.values[name]
            )
            self._within(name, allowed, f"{window} of {name!r}")

    def _curfews(self) -> None:
        for rule in self.plan.rules:
            if not isinstance(rule, Curfew):
                continue
            label = str(rule)
            literal = None
            for name, step in self.steps.items():
                if not isinstance(step, Travel):
                    continue
                forbidden = []
                if step.origin == rule.place:
                    forbidden += curfew_forbidden(
                        rule.place.tz, rule.starts, rule.ends, 0, self.values[name]
                    )
                if step.destination == rule.place:
                    forbidden += curfew_forbidden(
                        rule.place.tz, rule.starts, rule.ends, _duration(step), self.values[name]
                    )
                values = self.values[name]
                if not forbidden or not any(a <= v <= b for v in values for a, b in forbidden):
                    continue
                if literal is None:
                    literal = self._rule(label)
                shifted = [(a - self.base, b - self.base) for a, b in forbidden]
                domain = self.cp.Domain.from_intervals(shifted).complement()
                self.model.add_linear_expression_in_domain(
                    self.start[name], domain
                ).only_enforce_if(literal)

    def _rests(self, step: Timed, person: str) -> list[tuple[Any, int]]:
        """The rests (literal, µs) a person owes after *step*, if it is a long enough leg."""
        if not isinstance(step, Travel):
            return []
        flown = _duration(step)
        out = []
        for k, rule in enumerate(self.plan.rules):
            if not isinstance(rule, Rest) or (rule.who is not None and person not in rule.who):
                continue
            if flown >= elapsed_micros(rule.after, what="Rest.after"):
                key = f"rest {k}"
                literal = self._rest_literals.get(key)
                if literal is None:
                    literal = self._rest_literals[key] = self._rule(str(rule))
                out.append((literal, elapsed_micros(rule.rest, what="Rest.rest")))
        return out

    def _people(self) -> None:
        model = self.model
        order = order_key(self.plan.steps)
        cap = BUFFER_CAP // timedelta(microseconds=1)
        for person in self.plan.people:
            own = [s for s in self.steps.values() if person in s.people]
            own.sort(key=lambda s: order[s.name])
            literal = self._rule(f"{person}'s steps (one at a time, each where the last left them)")
            intervals = [
                model.new_optional_fixed_size_interval_var(
                    self.start[s.name], _duration(s), literal, f"{person} in {s.name}"
                )
                for s in own
            ]
            model.add_no_overlap(intervals)
            fixed = [i for i, s in enumerate(own) if s.name not in self.flexible]
            next_fixed = dict(itertools.pairwise(fixed))
            arcs = []
            for i, a in enumerate(own):
                arcs.append((0, i + 1, model.new_bool_var(f"{person} starts with {a.name}")))
                arcs.append((i + 1, 0, model.new_bool_var(f"{person} ends with {a.name}")))
                for j, b in enumerate(own):
                    if i == j:
                        continue
                    both_fixed = a.name not in self.flexible and b.name not in self.flexible
                    if both_fixed and next_fixed.get(i) != j:
                        continue  # two steps that stay put keep their order
                    arc = model.new_bool_var(f"{person}: {a.name} then {b.name}")
                    arcs.append((i + 1, j + 1, arc))
                    self._arc(person, (a, b), arc, literal, cap)
            model.add_circuit(arcs)

    def _resources(self) -> None:
        """At most *capacity* steps hold each resource at once, each for its whole length."""
        model = self.model
        for resource in self.plan.resources:
            users = [s for s in self.steps.values() if resource.name in s.uses]
            if len(users) <= resource.capacity:
                continue  # it never runs short
            literal = self._rule(f"{resource.name} (at most {resource.capacity} at once)")
            intervals = [
                model.new_optional_fixed_size_interval_var(
                    self.start[s.name], _duration(s), literal, f"{resource.name} in {s.name}"
                )
                for s in users
            ]
            model.add_cumulative(intervals, [1] * len(intervals), resource.capacity)

    def _arc(
        self, person: str, pair: tuple[Timed, Timed], arc: Any, literal: Any, cap: int
    ) -> None:
        """*b* comes right after *a* for *person*: it starts after *a* ends, rested, where *a* left."""
        model = self.model
        a, b = pair
        there = a.destination if isinstance(a, Travel) else a.place
        if there != (b.origin if isinstance(b, Travel) else b.place):
            model.add_bool_or([arc.Not(), literal.Not()])
            return
        gap = self.start[b.name] - self.start[a.name] - _duration(a)
        # The engine takes steps that start at one instant in plan order, so a step of no
        # length (a signing) followed by an earlier step of the plan must end before it.
        strict = 1 if self.index[b.name] < self.index[a.name] else 0
        model.add(gap >= strict).only_enforce_if([arc, literal])
        rest, rules = 0, [arc, literal]
        for rested, micros in self._rests(a, person):
            model.add(gap >= micros).only_enforce_if([arc, rested])
            rest = max(rest, micros)
            rules.append(rested)
        # The buffer is what is left after the rest; it binds only where every rule holds.
        buffer = model.new_int_var(0, cap // _MINUTE, f"buffer {a.name} -> {b.name}")
        model.add(buffer * _MINUTE <= gap - rest).only_enforce_if(rules)
        model.add(buffer == 0).only_enforce_if(arc.Not())
        self.gaps.append(buffer)

    def _drops(self) -> None:
        index = {s.name: i for i, s in enumerate(self.plan.steps)}
        for rule in self.plan.rules:
            if not isinstance(rule, Drop) or rule.when not in self.steps:
                continue
            targets = [n for n in rule.steps if n in self.steps]
            moving = {rule.when, *targets} & set(self.flexible)
            if not moving:
                continue
            literal = self._rule(str(rule))
            when = self.start[rule.when]
            for name in targets:
                strict = 0 if index[name] > index[rule.when] else 1
                self.model.add(self.start[name] >= when + strict).only_enforce_if(literal)

    def _fulfilments(self) -> None:
        signings = {s.title: s for s in self.steps.values() if isinstance(s, Signing)}
        for step in self.plan.steps:
            if not isinstance(step, Fulfilment) or step.window is None:
                continue
            signing = signings[step.agreement]
            tz, after = signing.place.tz, _time.duration_parts(step.after)
            window = step.window
            ok = []
            for v in self.values[signing.name]:
                met = _time.add_local_micros(v, tz, after)
                if next_fit(met, tz, window.opens, window.closes, 0) == met:
                    ok.append((v, v))
            self._within(signing.name, ok, f"{window} of {step.name!r}")

    def explain(self) -> None:
        """Raise :class:`InvalidPlanError` naming the rules that conflict, if any do."""
        cp = self.cp
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1  # its sufficient assumptions need one worker
        solver.parameters.cp_model_presolve = False  # presolve can lose the assumptions
        solver.parameters.max_time_in_seconds = _SOLVE_SECONDS
        status = solver.solve(self.model)
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            return
        if status != cp.INFEASIBLE:
            raise InvalidPlanError(
                f"the solver found no plan within {_SOLVE_SECONDS:g} s ({solver.status_name(status)});"
                " give the flexible steps fewer candidates"
            )
        core = [self.labels[i] for i in solver.sufficient_assumptions_for_infeasibility()]
        moving = ", ".join(map(repr, self.flexible))
        what = "; ".join(dict.fromkeys(core)) or "the candidate starts alone"
        raise InvalidPlanError(
            f"no plan with {moving} at any of its candidate starts keeps every rule: these "
            f"conflict: {what}"
        )

    def draw(self, limit: int) -> tuple[list[dict[str, int]], bool]:
        """Up to *limit* distinct feasible plans, best proxy first; and whether that was all."""
        cp, model = self.cp, self.model
        model.clear_assumptions()
        for literal in self.assumed:
            model.add(literal == 1)
        chosen: dict[tuple[str, int], Any] = {}
        for name in self.flexible:
            picks = []
            for v in self.values[name]:
                pick = model.new_bool_var(f"{name} at {v}")
                model.add(self.start[name] == v - self.base).only_enforce_if(pick)
                model.add(self.start[name] != v - self.base).only_enforce_if(pick.Not())
                chosen[(name, v)] = pick
                picks.append(pick)
            model.add_exactly_one(picks)
        moved = []
        for name in self.flexible:
            old = start_micros(self.steps[name])
            far = max(abs(v - old) for v in self.values[name]) // _MINUTE + 1
            minutes = model.new_int_var(0, far, f"{name} moved")
            model.add(minutes * _MINUTE >= self.start[name] - (old - self.base))
            model.add(minutes * _MINUTE >= (old - self.base) - self.start[name])
            moved.append(minutes)
        model.maximize(1000 * sum(self.gaps) - sum(moved))
        found: list[dict[str, int]] = []
        while True:  # one solve past the limit tells whether that was all
            solver = cp.CpSolver()
            solver.parameters.num_workers = 1  # deterministic: the same plans every time
            solver.parameters.max_time_in_seconds = _SOLVE_SECONDS
            status = solver.solve(model)
            if status == cp.INFEASIBLE:
                return found, True
            if status not in (cp.OPTIMAL, cp.FEASIBLE) or len(found) == limit:
                return found, False
            starts = {n: solver.value(self.start[n]) + self.base for n in self.flexible}
            found.append(starts)
            model.add_bool_or([chosen[(n, v)].Not() for n, v in starts.items()])


def plans(
    plan: Plan, domains: Mapping[str, tuple[int, ...]], limit: int
) -> tuple[list[dict[str, int]], bool]:
    """Up to *limit* assignments of candidate starts (µs) that keep every rule of *plan*.

    Best by the buffer proxy first; the flag says whether they are all there are.
    Raises :class:`InvalidPlanError` naming conflicting rules when there is none.
    """
    model = _Model(plan, domains)
    model.explain()
    return model.draw(limit)
