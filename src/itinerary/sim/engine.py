"""The engine: a plan's steps folded in planned order, on integers, into what happened.

The rules, all in exact instants (microseconds since the epoch inside):

- a leg departs at its planned time or, if later, when its travellers are free (their
  previous step ended), plus its departure delay (and, if it is cancelled, the rebooking
  time); it arrives its duration later;
- a meeting starts at its planned start or, if later, when its last participant is free
  (has arrived, or left the previous meeting); it lasts its duration plus its overrun;
- a signing happens at its planned time or, if later, when every signatory is free, plus
  its own delay if it has one;
- an obligation is met ``after`` its signing (in the signing place's calendar) plus its
  fulfilment delay.

Nothing in a step's past depends on its future, so one pass in planned order decides every
step. Each step's delays are drawn from a stream keyed by (run seed, step name), so the
draws of one step do not depend on which other steps the plan has. The engine also keeps,
for every late step, the step to blame for it: its *cause* (see :meth:`Run.cause`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Any, NamedTuple, TypeAlias

import attrs
from pendulum import Duration

from itinerary import _time, _trusted
from itinerary._table import Table
from itinerary._text import clip, format_duration
from itinerary.errors import InvalidPlanError, LocalTimeError
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
    format_local,
)
from itinerary.log import EventLog
from itinerary.sim._random import _MASK, _mix, key_of, unit
from itinerary.sim.delays import (
    Correlated,
    Delay,
    Disruptions,
    _inv_cdf,
    elapsed_micros,
    format_micros,
    normal_rho,
)
from itinerary.sim.plan import Plan, start_micros
from itinerary.sim.rules import Curfew, Drop, Rest, next_clear, next_fit
from itinerary.sim.steps import Fulfilment, Meeting, Signing, Step, Travel

__all__ = ["Op", "Program", "Run", "Trace", "compiled", "simulate"]

TRAVEL, MEETING, SIGNING, FULFILMENT = 0, 1, 2, 3
_CANCEL_SLOT = 2  # slots 0 and 1 are the step's delay (chance, then size)
_NORMAL_SLOT = 1  # a correlated step's normal draw: its own size draw, read through inv_cdf
_RISK_SLOT = 1  # a risk's stream: slot 0 whether it happens, slots 1 and 2 its delay
_MEMO_LIMIT = 1 << 16  # fulfilment times remembered at most, per compiled plan
_HOLD_LIMIT = 64  # rounds of rules that keep moving one step before the plan is called impossible
_NEVER = -(1 << 62)

WindowOp: TypeAlias = tuple[time, time, int, bool, int]
"""A step's window: (opens, closes, µs it must fit, drop rather than wait, rule index)."""
CurfewOp: TypeAlias = tuple[str, time, time, int, bool]
"""A curfew on a leg: (zone, starts, ends, rule index, at its origin rather than landing)."""


class Op(NamedTuple):
    """One step as the engine folds over it: plain values, named."""

    kind: int  # TRAVEL, MEETING, SIGNING or FULFILMENT
    i: int  # its index in the program's order
    planned: int  # planned start, µs
    who: tuple[int, ...]  # its people's indices
    duration: int  # µs (0 for a signing or a fulfilment)
    delay: Delay | None
    key: int  # its stream's key (from its name)
    cancel: float = 0.0  # a leg: the chance it is cancelled
    rebook: int = 0  # a leg: how much later a cancelled leg flies, µs
    signing: int = -1  # a fulfilment: its signing's index
    tz: str = ""  # the zone it starts in (a leg's origin's; a fulfilment's signing place's)
    after: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # a fulfilment: after its signing
    due: int | tuple[int, int, int, int, int] = 0  # a fulfilment: its deadline
    window: WindowOp | None = None
    curfews: tuple[CurfewOp, ...] = ()
    rests: tuple[tuple[int, int, int], ...] = ()  # a leg: (person, rest µs, rule index)
    drops: tuple[tuple[int, tuple[int, ...], int], ...] = ()  # (late_by µs, steps, rule index)
    risks: tuple[int, ...] = ()  # the indices of the risks that add to its delay
    copula: tuple[tuple[int, float], ...] = ()  # correlated: (key, weight) of the normals it sums
    uses: tuple[int, ...] = ()  # the indices of the resources it holds
    priority: int = 0  # higher first, among steps ready for a resource


class Trace(NamedTuple):
    """One run on integers, a list per step in the program's order."""

    starts: list[int]
    ends: list[int]
    causes: list[int]
    late: list[bool]
    held: list[int]  # µs a rule held the step after it was ready
    rules: list[int]  # the index (in ``Program.rule_names``) of the rule that held or dropped it
    dropped: list[bool]
    waits: list[int]  # µs it waited for a resource after it was ready
    happened: list[bool]  # per risk of the disruptions, whether it happened in this run


class _Rules:
    """A plan's rules, compiled step by step into the fields of its ops."""

    def __init__(self, plan: Plan, order: list[Step], people: dict[str, int]) -> None:
        index = {s.name: i for i, s in enumerate(order)}
        self.names = [str(rule) for rule in plan.rules]
        self.people = people
        self._curfews = [(k, r) for k, r in enumerate(plan.rules) if isinstance(r, Curfew)]
        self._rests = [
            (k, elapsed_micros(r.after, what="Rest.after"), elapsed_micros(r.rest, what="Rest.rest"), r.who)
            for k, r in enumerate(plan.rules)
            if isinstance(r, Rest)
        ]  # fmt: skip
        drops: dict[str, list[tuple[int, tuple[int, ...], int]]] = {}
        for k, r in enumerate(plan.rules):
            if isinstance(r, Drop):
                late_by = elapsed_micros(r.late_by, what="Drop.late_by")
                drops.setdefault(r.when, []).append((late_by, tuple(index[n] for n in r.steps), k))
        self.drops = {name: tuple(found) for name, found in drops.items()}
        self.any = bool(plan.rules) or any(s.window is not None for s in order)

    def window(self, step: Step) -> WindowOp | None:
        found = step.window
        if found is None:
            return None
        self.names.append(str(found))
        need = elapsed_micros(step.duration, what=step.name) if isinstance(step, Meeting) else 0
        return (found.opens, found.closes, need, found.then == "drop", len(self.names) - 1)

    def curfews(self, step: Travel) -> tuple[CurfewOp, ...]:
        out = []
        for k, curfew in self._curfews:
            if curfew.place == step.origin:
                out.append((step.origin.tz, curfew.starts, curfew.ends, k, True))
            if curfew.place == step.destination:
                out.append((step.destination.tz, curfew.starts, curfew.ends, k, False))
        return tuple(out)

    def rests(self, step: Travel, duration: int) -> tuple[tuple[int, int, int], ...]:
        return tuple(
            (self.people[person], rest, k)
            for k, after, rest, who in self._rests
            if duration >= after
            for person in step.who
            if who is None or person in who
        )


def normal(seed: int, copula: tuple[tuple[int, float], ...]) -> float:
    """A correlated step's standard normal draw: its weighted sum of its group's own normals.

    Each member's normal is read from its own stream (its size draw through ``inv_cdf``),
    so the group's draws are keyed by its steps' names, as every draw is.
    """
    z = 0.0
    for key, weight in copula:
        z += weight * _inv_cdf(unit(_mix(seed ^ key), _NORMAL_SLOT))
    return z


def _risks_of(plan: Plan, disruptions: Disruptions) -> dict[str, tuple[int, ...]]:
    """Each step's risks (their indices), checking every risk names steps of the plan."""
    found: dict[str, list[int]] = {}
    for k, risk in enumerate(disruptions.risks):
        for name in risk.steps:
            if name not in plan:
                raise InvalidPlanError(f"{risk!r} names {name!r}, which is no step of the plan")
            found.setdefault(name, []).append(k)
    return {name: tuple(ks) for name, ks in found.items()}


def _cholesky(size: int, r: float) -> list[list[float]]:
    """The lower triangular root of the *size* x *size* matrix of ones, *r* off its diagonal.

    Semi-definite allowed (``r = 1``: every row is the first); a pivot of zero gives a
    column of zeros.
    """
    low = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1):
            value = (1.0 if i == j else r) - sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                low[i][i] = math.sqrt(max(value, 0.0))
            else:
                low[i][j] = value / low[j][j] if low[j][j] > 1e-12 else 0.0
    return low


def _copulas(plan: Plan, disruptions: Disruptions) -> dict[str, tuple[tuple[int, float], ...]]:
    """Each correlated step's normal as (key, weight) pairs of its group's own normals."""
    found: dict[str, tuple[tuple[int, float], ...]] = {}
    for group in disruptions.correlated:
        for name in group.steps:
            if name not in plan:
                raise InvalidPlanError(f"{group!r} names {name!r}, which is no step of the plan")
        found.update(_group(group))
    return found


def _group(group: Correlated) -> dict[str, tuple[tuple[int, float], ...]]:
    low = _cholesky(len(group.steps), normal_rho(group.rho))
    keys = [key_of(name) for name in group.steps]
    return {
        name: tuple((keys[j], low[i][j]) for j in range(i + 1) if low[i][j] != 0.0)
        for i, name in enumerate(group.steps)
    }


def _after(ops: tuple[Op, ...], n: int) -> tuple[tuple[int, ...], ...]:
    """What each step waits for, by index: its people's previous steps, its signing, its drops.

    The order the queued engine may take steps in: a step is taken once all of these are.
    """
    last: dict[int, int] = {}
    before: list[set[int]] = [set() for _ in range(n)]
    for op in ops:
        for p in op.who:
            if p in last:
                before[op.i].add(last[p])
            last[p] = op.i
        if op.kind == FULFILMENT:
            before[op.i].add(op.signing)
        for _, targets, _ in op.drops:
            for j in targets:
                before[j].add(op.i)
    return tuple(tuple(sorted(b)) for b in before)


def _least(uses: tuple[int, ...], capacities: tuple[int, ...]) -> int:
    """The resource blamed for a wait: of *uses* (those last found busy), the least capacity."""
    return min(uses, key=lambda r: (capacities[r], r))


def _effective(delay: Delay | None, default: Delay) -> Delay | None:
    chosen = default if delay is None else delay
    return None if chosen.is_none else chosen


def _deadline(obligation: Obligation) -> int | tuple[int, int, int, int, int]:
    """How an obligation's deadline follows from its signing: an instant, or a duration's parts."""
    if obligation.due is not None:
        return _time.micros(obligation.due)
    assert obligation.within is not None
    return _time.duration_parts(obligation.within)


class Program:
    """A plan compiled against its disruptions: plain tuples the engine folds over.

    Built once per (plan, disruptions); picklable, so a Monte Carlo study ships it to
    other processes once per chunk of runs.
    """

    def __init__(self, plan: Plan, disruptions: Disruptions) -> None:  # noqa: PLR0915 - one pass
        self.plan = plan
        self.disruptions = disruptions
        steps = list(plan.steps)
        people = {p: i for i, p in enumerate(plan.people)}
        timed = [s for s in steps if not isinstance(s, Fulfilment)]
        position = {id(s): i for i, s in enumerate(steps)}
        timed.sort(key=lambda s: (start_micros(s), position[id(s)]))
        order: list[Step] = [*timed, *(s for s in steps if isinstance(s, Fulfilment))]
        self.steps: tuple[Step, ...] = tuple(order)
        self.index = {s.name: i for i, s in enumerate(order)}
        # A fulfilment names its agreement by title, which is not its signing's name= if given.
        self.signings = {s.title: i for i, s in enumerate(order) if isinstance(s, Signing)}
        self.planned: list[int] = []
        self.planned_end: list[int] = []
        ops: list[Op] = []
        cancel = disruptions.cancel
        rebook = elapsed_micros(disruptions.rebook, what="Disruptions.rebook")
        rules = _Rules(plan, order, people)
        risks_of = _risks_of(plan, disruptions)
        copulas = _copulas(plan, disruptions)
        resource_index = {r.name: k for k, r in enumerate(plan.resources)}
        self.risks: tuple[tuple[int, float, Delay], ...] = tuple(
            (key_of(f"Risk: {r.name}"), r.p, r.delay) for r in disruptions.risks
        )
        self.resources: tuple[int, ...] = tuple(r.capacity for r in plan.resources)
        n = len(order)
        self.cause_names: tuple[str, ...] = (
            *(s.name for s in order),
            *(r.label for r in disruptions.risks),
            *(r.label for r in plan.resources),
        )
        for i, step in enumerate(order):
            key = key_of(step.name)
            window = rules.window(step)
            drops = rules.drops.get(step.name, ())
            if isinstance(step, Fulfilment):
                signing = self.signings[step.agreement]
                sign = order[signing]
                assert isinstance(sign, Signing)
                obligation = next(o for o in sign.obligations if o.what == step.what)
                after = _time.duration_parts(step.after)
                planned = _time.add_local_micros(start_micros(sign), sign.place.tz, after)
                delay = _effective(step.delay, disruptions.fulfilment)
                ops.append(Op(FULFILMENT, i, planned, (), 0, delay, key, signing=signing,
                              tz=sign.place.tz, after=after, due=_deadline(obligation),
                              window=window, drops=drops))  # fmt: skip
                self.planned.append(planned)
                self.planned_end.append(planned)
                continue
            planned = start_micros(step)
            who = tuple(people[p] for p in step.people)
            if isinstance(step, Travel):
                duration = elapsed_micros(step.duration, what=step.name)
                delay = _effective(step.delay, disruptions.departure)
                own_cancel = cancel if step.cancel is None else step.cancel
                own_rebook = (
                    rebook if step.rebook is None else elapsed_micros(step.rebook, what=step.name)
                )
                ops.append(Op(TRAVEL, i, planned, who, duration, delay, key, cancel=own_cancel,
                              rebook=own_rebook, tz=step.origin.tz, window=window,
                              curfews=rules.curfews(step), rests=rules.rests(step, duration),
                              drops=drops))  # fmt: skip
            elif isinstance(step, Meeting):
                duration = elapsed_micros(step.duration, what=step.name)
                delay = _effective(step.delay, disruptions.overrun)
                ops.append(Op(MEETING, i, planned, who, duration, delay, key, tz=step.place.tz,
                              window=window, drops=drops))  # fmt: skip
            else:
                duration = 0
                delay = _effective(step.delay, Delay.none())
                ops.append(Op(SIGNING, i, planned, who, 0, delay, key, tz=step.place.tz,
                              window=window, drops=drops))  # fmt: skip
            self.planned.append(planned)
            self.planned_end.append(planned + duration)
        self.has_rules = rules.any
        self.rule_names: tuple[str, ...] = tuple(rules.names)
        self.ops = tuple(
            op._replace(
                risks=risks_of.get(step.name, ()),
                copula=copulas.get(step.name, ()),
                uses=tuple(resource_index[u] for u in step.uses),
                priority=step.priority,
            )
            for op, step in zip(ops, order, strict=True)
        )
        self.people = len(people)
        self.queued = any(op.uses for op in self.ops)  # steps wait for resources: run as events
        self.after = _after(self.ops, n)
        self.columnar = all(len(op.uses) <= 1 and (op.duration or not op.uses) for op in self.ops)
        self.asks_late = tuple(
            (op.i, j) for op in self.ops for _, targets, _ in op.drops for j in targets
            if self.ops[j].uses
        )  # fmt: skip
        """False for a plan with a step holding two resources at once, or one of no planned
        length (it may free its resource the instant it takes it): the events decide.

        ``asks_late`` lists the (decider, step) pairs of a Drop whose step holds a
        resource: the step asks for it only once the drop is decided (its decider has
        started), which may be after it was ready. The array engine checks, run by run,
        that it was not (else the events decide).
        """
        fulfilled = {(s.agreement, s.what) for s in steps if isinstance(s, Fulfilment)}
        self.obligations: tuple[tuple[str, str], ...] = tuple(
            (s.title, o.what)
            for s in order
            if isinstance(s, Signing)
            for o in s.obligations
            if (s.title, o.what) not in fulfilled
        )
        self._met: dict[tuple[int, int], tuple[int, int]] = {}
        self._held: dict[tuple[int, int], tuple[int | None, int]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_met"] = {}
        state["_held"] = {}
        return state

    def zones(self, i: int) -> tuple[str, str]:
        """The zones step *i* (in the program's order) starts and ends in.

        A leg's origin's and destination's; a meeting's or a signing's place's; a
        fulfilment's signing place's.
        """
        step = self.steps[i]
        if isinstance(step, Travel):
            return step.origin.tz, step.destination.tz
        if isinstance(step, Fulfilment):
            signing = self.steps[self.signings[step.agreement]]
            assert isinstance(signing, Signing)
            return signing.place.tz, signing.place.tz
        return step.place.tz, step.place.tz

    def forget(self) -> None:
        """Empty the memos of fulfilment times and holds: each study starts cold, memory stays bounded."""
        self._met.clear()
        self._held.clear()

    def met_and_due(self, op: Op, signed: int) -> tuple[int, int]:
        """(when met before delays, when due) for a fulfilment whose signing was at *signed*."""
        memo_key = (op.i, signed)
        found = self._met.get(memo_key)
        if found is None:
            if len(self._met) >= _MEMO_LIMIT:
                self._met.clear()
            tz, after, due = op.tz, op.after, op.due
            try:
                met = _time.add_local_micros(signed, tz, after)
                if not isinstance(due, int):
                    due = _time.add_local_micros(signed, tz, due)
            except LocalTimeError:  # a signing delayed near the year 9999
                raise InvalidPlanError(
                    f"step {clip(self.steps[op.i].name)!r} would be met or fall due after "
                    f"9999-12-30 UTC, the calendar's end, its signing being delayed by "
                    f"{_long(signed - self.planned[op.signing])}"
                ) from None
            found = self._met[memo_key] = (met, due)
        return found

    def execute(  # noqa: PLR0912, PLR0915 - the hot loop, kept in one frame for speed
        self,
        seed: int,
        pinned: Mapping[int, tuple[int, int]] | None = None,
        floor: int | None = None,
    ) -> Trace:
        """Run the plan once: a :class:`Trace` of lists per step, in the program's order.

        ``causes[i]`` is the index of the step to blame for step *i* starting late, or -1
        if it started on time: going back along the chain of knock-on delays, each late step
        passes the blame to the step that held it up, unless its own delay (a late
        departure, a cancellation, an overrun longer than its late start, a rule's hold) is
        larger than the lateness it inherited; the step that keeps the blame is the cause.
        ``late[i]`` is true for a fulfilment met after its deadline (or not at all).
        ``held[i]`` is how long a rule held step *i* after it was ready, ``rules[i]`` which
        rule (an index into :attr:`rule_names`, -1 for none), ``dropped[i]`` whether it did
        not happen (its start and end are then its planned ones, and nobody waits for it).
        *pinned* gives the (start, end) of steps that already happened (what-if branches);
        no other step starts before *floor*.
        """
        if self.queued:
            return self._execute_queued(seed, pinned, floor)
        n = len(self.ops)
        starts = [0] * n
        ends = [0] * n
        causes = [-1] * n
        late = [False] * n
        held = [0] * n
        by = [-1] * n
        gone = [False] * n
        free = [_NEVER] * self.people
        free_cause = [-1] * self.people
        rested = [_NEVER] * self.people
        rest_rule = [-1] * self.people
        has_rules = self.has_rules
        planned_end = self.planned_end
        seed &= _MASK
        happened, risk_delays = self.draw_risks(seed)
        for op in self.ops:
            kind, i, planned, who, duration, delay = op[0], op[1], op[2], op[3], op[4], op[5]
            if gone[i] or (kind == FULFILMENT and gone[op.signing]):
                starts[i], ends[i], late[i] = planned, planned_end[i], kind == FULFILMENT
                gone[i] = True
                if by[i] < 0:
                    by[i] = by[op.signing]
                continue
            # When could it start? Planned, or when its last person is free.
            ready, cause, due = planned, -1, 0
            for p in who:
                if free[p] > ready:
                    ready, cause = free[p], free_cause[p]
            pushed = ready - planned  # the lateness it inherits
            risky = biggest = 0  # what risks add to its delay; the largest one's share
            risk_by = -1
            if pinned is not None and i in pinned:  # it happened: take it as recorded
                start, end = pinned[i]
                own, extra = max(start - ready, 0), max(end - start - duration, 0)
                if kind == FULFILMENT:
                    met, due = self.met_and_due(op, starts[op.signing])
                    cause, pushed = causes[op.signing], met - planned
                    own = max(start - met, 0)
                    late[i] = end > due
                elif kind == MEETING:
                    own = 0  # a meeting's own delay is its overrun
            else:
                h = _mix(seed ^ op[6])
                if delay is None:
                    own = 0
                elif op.copula:
                    own = delay.from_normal(normal(seed, op.copula))
                else:
                    own = delay.sample(h, 0)
                for r in op.risks:
                    risky += risk_delays[r]
                    if risk_delays[r] > biggest:
                        biggest, risk_by = risk_delays[r], r
                extra = 0
                if kind == MEETING:  # its delay is an overrun: it ends later
                    start, extra, own = ready + risky, own, 0
                elif kind == FULFILMENT:  # signing + after, in the signing place's calendar
                    met, due = self.met_and_due(op, starts[op.signing])
                    start = met + own + risky
                    cause, pushed = causes[op.signing], met - planned
                else:
                    if kind == TRAVEL and op.cancel and unit(h, _CANCEL_SLOT) < op.cancel:
                        own += op.rebook  # cancelled: flown again `rebook` later
                    start = ready + own + risky
                if floor is not None and start < floor:
                    own += floor - start  # a branch cannot change the past
                    start = floor
                if has_rules and (who or op.window is not None):
                    kept, rule = self._hold(op, start, rested, rest_rule)
                    by[i] = rule
                    if kept is None:  # its window closed on it: it does not happen
                        starts[i], ends[i], late[i] = planned, planned_end[i], kind == FULFILMENT
                        gone[i] = True
                        continue
                    held[i] = kept - start
                    own += kept - start
                    start = kept
                end = start + duration + extra
                if kind == FULFILMENT:
                    late[i] = end > due
            # Blame passes back along the chain unless this step's own delay is larger.
            if start <= planned:
                cause = -1
            elif cause < 0 or own > pushed:
                cause = n + risk_by if biggest > own else i
            elif biggest > pushed:
                cause = n + risk_by
            starts[i], ends[i], causes[i] = start, end, cause
            if extra > max(start - planned, 0) and end > planned_end[i]:
                end_cause = i  # an overrun longer than the late start it inherited
            else:
                end_cause = cause if cause >= 0 else (i if end > planned_end[i] else -1)
            for p in who:
                free[p] = end
                free_cause[p] = end_cause
            if has_rules:
                for p, rest, rule in op.rests:
                    if end + rest > rested[p]:
                        rested[p], rest_rule[p] = end + rest, rule
                for late_by, targets, rule in op.drops:
                    if start - planned > late_by:
                        for j in targets:
                            if pinned is None or j not in pinned:  # what happened, happened
                                gone[j], by[j] = True, rule
        return Trace(starts, ends, causes, late, held, by, gone, [0] * n, happened)

    def _execute_queued(  # noqa: PLR0912, PLR0915 - execute's fold, step by step, as events
        self,
        seed: int,
        pinned: Mapping[int, tuple[int, int]] | None,
        floor: int | None,
    ) -> Trace:
        """:meth:`execute` for a plan whose steps hold resources: steps taken in time order.

        Each step is made ready as in the fold once the steps it follows are done (its
        people's previous steps, its signing, the steps whose drops decide it); then it
        asks for its resources at that instant. At each instant, resources freed then go
        first to the steps that were waiting before it, then to those ready at that very
        instant; among each, the highest ``priority`` first, then the earliest ready, then
        the plan's order, each taking every resource it needs at once (a step that cannot
        is passed over for now). So a step ready just as a resource is freed (the next hop
        of the traveller whose hop freed it) queues behind those already waiting, as in a
        SimPy model that releases the resource before asking for it again.
        """
        n = len(self.ops)
        starts, ends, causes = [0] * n, [0] * n, [-1] * n
        late, held, by, gone = [False] * n, [0] * n, [-1] * n, [False] * n
        waits = [0] * n
        free = [_NEVER] * self.people
        free_cause = [-1] * self.people
        rested = [_NEVER] * self.people
        rest_rule = [-1] * self.people
        planned_end = self.planned_end
        seed &= _MASK
        happened, risk_delays = self.draw_risks(seed)
        ops, after = self.ops, self.after
        waiting_for = [len(b) for b in after]
        then: list[list[int]] = [[] for _ in range(n)]
        for i, before in enumerate(after):
            for j in before:
                then[j].append(i)
        units = list(self.resources)
        events: list[tuple[int, int, int]] = []  # (instant, 0 a release or 1 a request, step)
        parts: list[tuple[int, int, int, int, int]] = [(0, 0, 0, 0, 0)] * n
        ready_at = [0] * n  # when each step is ready (asks for its resources)
        extras = [0] * n
        lengths = [0] * n  # from start to end, as the fold finds them
        dues = [0] * n  # a fulfilment's deadline
        waiting: list[int] = []
        reheld = [0] * n  # how long a rule held a step again after it waited for a resource
        # The resources a waiting step last found with no unit free: the one it waited for.
        blocked: list[tuple[int, ...]] = [()] * n

        def prepare(op: Op) -> None:  # noqa: PLR0912, PLR0915 - the fold's body
            """The fold's step up to its start: queue it, or finish it if it does not happen."""
            kind, i, planned, who, duration, delay = op[0], op[1], op[2], op[3], op[4], op[5]
            if gone[i] or (kind == FULFILMENT and gone[op.signing]):
                starts[i], ends[i], late[i] = planned, planned_end[i], kind == FULFILMENT
                gone[i] = True
                if by[i] < 0:
                    by[i] = by[op.signing]
                done(i)
                return
            ready, cause, due = planned, -1, 0
            for p in who:
                if free[p] > ready:
                    ready, cause = free[p], free_cause[p]
            pushed = ready - planned
            risky = biggest = 0
            risk_by = -1
            if pinned is not None and i in pinned:
                start, end = pinned[i]
                own, extra = max(start - ready, 0), max(end - start - duration, 0)
                if kind == FULFILMENT:
                    met, due = self.met_and_due(op, starts[op.signing])
                    cause, pushed = causes[op.signing], met - planned
                    own = max(start - met, 0)
                    late[i] = end > due
                elif kind == MEETING:
                    own = 0
            else:
                h = _mix(seed ^ op[6])
                if delay is None:
                    own = 0
                elif op.copula:
                    own = delay.from_normal(normal(seed, op.copula))
                else:
                    own = delay.sample(h, 0)
                for r in op.risks:
                    risky += risk_delays[r]
                    if risk_delays[r] > biggest:
                        biggest, risk_by = risk_delays[r], r
                extra = 0
                if kind == MEETING:
                    start, extra, own = ready + risky, own, 0
                elif kind == FULFILMENT:
                    met, due = self.met_and_due(op, starts[op.signing])
                    start = met + own + risky
                    cause, pushed = causes[op.signing], met - planned
                else:
                    if kind == TRAVEL and op.cancel and unit(h, _CANCEL_SLOT) < op.cancel:
                        own += op.rebook
                    start = ready + own + risky
                if floor is not None and start < floor:
                    own += floor - start
                    start = floor
                if self.has_rules and (who or op.window is not None):
                    kept, rule = self._hold(op, start, rested, rest_rule)
                    by[i] = rule
                    if kept is None:
                        starts[i], ends[i], late[i] = planned, planned_end[i], kind == FULFILMENT
                        gone[i] = True
                        done(i)
                        return
                    held[i] = kept - start
                    own += kept - start
                    start = kept
                end = start + duration + extra
                if kind == FULFILMENT:
                    late[i] = end > due
            parts[i] = (cause, pushed, own, risk_by, biggest)
            ready_at[i], extras[i], lengths[i] = start, extra, end - start
            dues[i] = due if isinstance(due, int) else 0
            queue = op.uses and (pinned is None or i not in pinned)
            heapq.heappush(events, (start, 1 if queue else 2, i))

        def begin(i: int, start: int) -> None:  # noqa: PLR0912 - the fold's body
            """The fold's step from its start on: blame, its end, who is free when."""
            op = ops[i]
            planned, extra = op.planned, extras[i]
            cause, pushed, own, risk_by, biggest = parts[i]
            if start > ready_at[i] + reheld[i] and (op.window is not None or op.curfews):
                # It waited for a resource: its window and curfews again, from now.
                kept, rule = self.hold(op, start)
                if kept is None:  # its window closed while it waited: it does not happen
                    starts[i], ends[i], late[i] = op.planned, planned_end[i], op.kind == FULFILMENT
                    gone[i], by[i] = True, rule
                    done(i)
                    return
                if kept > start:  # held again: it asks for its resources once more then
                    reheld[i] += kept - start
                    held[i] += kept - start
                    by[i] = rule
                    heapq.heappush(events, (kept, 1, i))
                    return
            own += reheld[i]
            wait = waits[i] = start - ready_at[i] - reheld[i]
            if start <= planned:
                cause = -1
            else:
                best, value = (cause, pushed) if cause >= 0 else (-1, -1)
                if own > value:
                    best, value = i, own
                if biggest > value:
                    best, value = n + risk_by, biggest
                if wait > value:
                    best = n + len(risk_delays) + _least(blocked[i] or op.uses, self.resources)
                cause = best
            end = start + lengths[i]
            if op.kind == FULFILMENT and (wait or reheld[i]):
                late[i] = end > dues[i]
            starts[i], ends[i], causes[i] = start, end, cause
            if extra > max(start - planned, 0) and end > planned_end[i]:
                end_cause = i
            else:
                end_cause = cause if cause >= 0 else (i if end > planned_end[i] else -1)
            for p in op.who:
                free[p] = end
                free_cause[p] = end_cause
            if self.has_rules:
                for p, rest, rule in op.rests:
                    if end + rest > rested[p]:
                        rested[p], rest_rule[p] = end + rest, rule
                for late_by, targets, rule in op.drops:
                    if start - planned > late_by:
                        for j in targets:
                            if pinned is None or j not in pinned:
                                gone[j], by[j] = True, rule
            if op.uses:
                for r in op.uses:
                    units[r] -= 1
                heapq.heappush(events, (end, 0, i))
            done(i)

        def done(i: int) -> None:
            for j in then[i]:
                waiting_for[j] -= 1
                if not waiting_for[j]:
                    prepare(ops[j])

        for op in [op for op in ops if not after[op.i]]:  # those that follow no step
            prepare(op)
        while events:
            now = events[0][0]
            while events and events[0][0] == now:
                _, what, i = heapq.heappop(events)
                if what == 0:  # a step ends: its resources are free again
                    for r in ops[i].uses:
                        units[r] += 1
                elif what == 1:  # a step is ready and asks for its resources
                    waiting.append(i)
                else:  # it holds none (or it already happened): it starts when ready
                    begin(i, now)
            if waiting:
                # Those waiting from before go first (a resource freed now goes to them,
                # as SimPy gives it), then those ready now.
                waiting.sort(key=lambda i: (ready_at[i] == now, -ops[i].priority, ready_at[i], i))
                for i in list(waiting):
                    busy = tuple(r for r in ops[i].uses if units[r] <= 0)
                    if busy:
                        blocked[i] = busy
                    else:
                        waiting.remove(i)
                        begin(i, now)
        return Trace(starts, ends, causes, late, held, by, gone, waits, happened)

    def draw_risks(self, seed: int) -> tuple[list[bool], list[int]]:
        """Whether each risk happened in the run of *seed*, and the delay it adds (µs)."""
        happened, delays = [], []
        for key, p, delay in self.risks:
            h = _mix((seed & _MASK) ^ key)
            on = unit(h, 0) < p
            happened.append(on)
            delays.append(delay.sample(h, _RISK_SLOT) if on else 0)
        return happened, delays

    def _hold(
        self, op: Op, start: int, rested: list[int], rest_rule: list[int]
    ) -> tuple[int | None, int]:
        """When the rules let a step ready at *start* start (None: never), and the last to hold it."""
        t, rule = start, -1
        for p in op.who:  # rest first: nothing after it moves a step earlier
            if rested[p] > t:
                t, rule = rested[p], rest_rule[p]
        kept, moved_by = self.hold(op, t)
        return kept, rule if moved_by < 0 else moved_by

    def hold(self, op: Op, start: int) -> tuple[int | None, int]:
        """When the window and curfews of *op* let it start, from *start* (None: never).

        The instant, and the rule that held it last (-1 for none). It depends on *start*
        alone (rest is a per-person instant, applied before), so it is remembered.
        """
        memo_key = (op.i, start)
        found = self._held.get(memo_key)
        if found is None:
            if len(self._held) >= _MEMO_LIMIT:
                self._held.clear()
            found = self._held[memo_key] = self._walk(op, start)
        return found

    def _walk(self, op: Op, start: int) -> tuple[int | None, int]:
        t, rule = start, -1
        window, curfews, duration, tz = op.window, op.curfews, op.duration, op.tz
        for _ in range(_HOLD_LIMIT):
            moved = False
            if window is not None:
                opens, closes, need, drop, index = window
                fit = next_fit(t, tz, opens, closes, need)
                if fit is None or (drop and fit != t):
                    return None, index
                if fit != t:
                    t, rule, moved = fit, index, True
            for zone, begins, ends, index, at_origin in curfews:
                at = t if at_origin else t + duration
                clear = next_clear(at, zone, begins, ends)
                if clear != at:
                    t, rule, moved = t + clear - at, index, True
            if not moved:
                return t, rule
        raise InvalidPlanError(
            f"{self.steps[op.i].name!r}: its rules keep holding it "
            f"({', '.join(self.rule_names[k] for k in sorted({rule}) if k >= 0)} and others); "
            "no time fits them all"
        )


def _events(program: Program, i: int, start: int, end: int) -> list[tuple[int, Event]]:
    step = program.steps[i]
    if isinstance(step, Travel):
        leave = _time.from_micros(start, step.origin.tz)
        land = _time.from_micros(end, step.destination.tz)
        origin, destination = step.origin, step.destination
        return [
            *((start, _trusted.departed(p, origin, leave, destination)) for p in step.who),
            *((end, _trusted.arrived(p, destination, land)) for p in step.who),
        ]
    if isinstance(step, Meeting):
        tz = step.place.tz
        held = _trusted.meeting_held(
            step.title, step.participants, step.place, _time.from_micros(start, tz),
            _time.from_micros(end, tz), step.venue,
        )  # fmt: skip
        return [(start, held)]
    if isinstance(step, Signing):
        signed = _trusted.agreement_signed(
            step.title, step.signatories, step.place, _time.from_micros(start, step.place.tz),
            step.venue, step.obligations,
        )  # fmt: skip
        return [(start, signed)]
    tz = program.ops[i].tz
    return [
        (start, _trusted.obligation_met(step.agreement, step.what, _time.from_micros(start, tz)))
    ]


def _match(  # noqa: PLR0912 - one branch per kind of fact
    program: Program, facts: Sequence[Event]
) -> dict[int, tuple[int, int]]:
    """The steps that *facts* show already under way: index -> (start, end)."""
    unmatched: dict[tuple[Any, ...], list[int]] = {}
    for i, step in enumerate(program.steps):
        if isinstance(step, Travel):
            for p in step.who:
                unmatched.setdefault(("leg", p, step.origin), []).append(i)
        elif isinstance(step, Meeting):  # two meetings may share a title, not their people too
            unmatched.setdefault(("meeting", step.title, frozenset(step.people)), []).append(i)
        elif isinstance(step, Signing):
            unmatched.setdefault(("signing", step.title), []).append(i)
        else:
            unmatched.setdefault(("met", step.agreement, step.what), []).append(i)
    pinned: dict[int, tuple[int, int]] = {}
    landed: dict[int, dict[str, int]] = {}
    travelling: dict[str, int] = {}
    for event in sorted(facts, key=lambda e: _time.micros(e.occurred_at)):
        at = _time.micros(event.occurred_at)
        if isinstance(event, Departed):
            queue = unmatched.get(("leg", event.who, event.place))
            if queue:
                i = queue.pop(0)
                step = program.steps[i]
                assert isinstance(step, Travel)
                leave = max(at, pinned[i][0]) if i in pinned else at
                pinned[i] = (leave, leave + program.planned_end[i] - program.planned[i])
                travelling[event.who] = i
        elif isinstance(event, Arrived):
            i = travelling.pop(event.who, -1)
            if i >= 0:
                landed.setdefault(i, {})[event.who] = at
        elif isinstance(event, MeetingHeld):
            queue = unmatched.get(("meeting", event.title, frozenset(event.participants)))
            if queue:
                pinned[queue.pop(0)] = (at, _time.micros(event.end))
        elif isinstance(event, AgreementSigned):
            queue = unmatched.get(("signing", event.title))
            if queue:
                pinned[queue.pop(0)] = (at, at)
        elif isinstance(event, ObligationMet):
            queue = unmatched.get(("met", event.agreement, event.what))
            if queue:
                pinned[queue.pop(0)] = (at, at)
    for i, arrivals in landed.items():  # arrivals on record fix the leg's end, once all landed
        step = program.steps[i]
        assert isinstance(step, Travel)
        if len(arrivals) == len(step.who):
            pinned[i] = (pinned[i][0], max(arrivals.values()))
    return pinned


def _duration(us: int) -> Duration:
    return Duration(microseconds=us)


@attrs.frozen(repr=False, eq=False)
class Run:
    """One simulated course of a plan: its log, and when each step happened.

    ``log`` is an ordinary :class:`~itinerary.EventLog`: replay it, check it, store it.
    """

    plan: Plan
    disruptions: Disruptions
    seed: int
    log: EventLog
    _program: Program
    _starts: tuple[int, ...]
    _ends: tuple[int, ...]
    _causes: tuple[int, ...]
    _late: tuple[bool, ...]
    _held: tuple[int, ...] = ()
    _rules: tuple[int, ...] = ()
    _dropped: tuple[bool, ...] = ()
    _waits: tuple[int, ...] = ()
    _risen: tuple[bool, ...] = ()

    def __repr__(self) -> str:
        late = sum(
            1
            for i, s in enumerate(self._starts)
            if s > self._program.planned[i] and not self._gone(i)
        )
        dropped = f", {len(self.dropped)} dropped" if self.dropped else ""
        return (
            f"<Run seed={self.seed} of {len(self.plan)} steps: {late} started late{dropped}, "
            f"{len(self.log)} events>"
        )

    def _gone(self, i: int) -> bool:
        return bool(self._dropped) and self._dropped[i]

    @property
    def dropped(self) -> tuple[str, ...]:
        """The names of the steps that did not happen in this run, in the plan's order."""
        if not any(self._dropped):
            return ()
        index = self._program.index
        return tuple(name for name in self.plan.names if self._dropped[index[name]])

    def held(self, name: str) -> Duration:
        """How long a rule held the step called *name* after it was ready (zero if none).

        A step's *ready time* is its planned start, or later when its people are free,
        plus its own sampled delay; windows, curfews and rest act from there.
        """
        i = self._at(name)
        return _duration(self._held[i] if self._held else 0)

    def rule(self, name: str) -> str | None:
        """The rule that held (or dropped) the step called *name*, e.g. ``"Curfew at Busan 23:00-06:00"``.

        ``None`` if no rule held it. When several held it in turn, the last one.
        """
        i = self._at(name)
        found = self._rules[i] if self._rules else -1
        return None if found < 0 else self._program.rule_names[found]

    def _happened(self, name: str) -> int:
        i = self._at(name)
        if self._gone(i):
            raise InvalidPlanError(
                f"{name!r} did not happen in this run (dropped: {self.rule(name)}); see run.dropped"
            )
        return i

    def __str__(self) -> str:
        return run_table(self).text()

    def _repr_html_(self) -> str:
        return run_table(self).html()

    def _at(self, name: str) -> int:
        self.plan[name]
        return self._program.index[name]

    def slip(self, name: str) -> Duration:
        """How late the step called *name* started against the plan (zero if on time).

        Negative for a fact of a what-if branch that happened early, and for an obligation
        that its signing's calendar has met earlier than planned (a signing late across a
        clock change or a month's end, see :class:`~itinerary.sim.Fulfilment`).
        """
        i = self._happened(name)
        return _duration(self._starts[i] - self._program.planned[i])

    def slips(self) -> dict[str, Duration]:
        """Every step's slip, by name, in the plan's order (the steps that happened)."""
        dropped = set(self.dropped)
        return {name: self.slip(name) for name in self.plan.names if name not in dropped}

    def start(self, name: str) -> datetime:
        """When the step called *name* started (a fulfilment: was met), in its place's zone.

        A leg's start is in its origin's zone; a fulfilment's in its signing place's.
        """
        i = self._happened(name)
        return _time.from_micros(self._starts[i], self._zones(i)[0])

    def end(self, name: str) -> datetime:
        """When the step called *name* ended, in its place's zone (a leg's: its destination's)."""
        i = self._happened(name)
        return _time.from_micros(self._ends[i], self._zones(i)[1])

    def _zones(self, i: int) -> tuple[str, str]:
        return self._program.zones(i)

    def cause(self, name: str) -> str | None:
        """The step to blame for *name* starting late, or None if it started on time.

        Going back along the chain of knock-on delays, each late step passes the blame to
        the step that held it up, unless its own delay is larger than what it inherited.
        """
        found = self._causes[self._at(name)]
        return None if found < 0 else self._program.cause_names[found]

    def waited(self, name: str) -> Duration:
        """How long the step called *name* waited for a resource after it was ready."""
        i = self._at(name)
        return _duration(self._waits[i] if self._waits else 0)

    @property
    def risks(self) -> tuple[str, ...]:
        """The names of the disruptions' risks that happened in this run, in their order."""
        return tuple(
            r.name for r, on in zip(self.disruptions.risks, self._risen, strict=True) if on
        )

    def late(self, agreement: str, what: str) -> bool:
        """True if the obligation was met after its deadline, or is not planned to be met."""
        for i, step in enumerate(self._program.steps):
            if isinstance(step, Fulfilment) and (step.agreement, step.what) == (agreement, what):
                return self._late[i]
        if (agreement, what) in self._program.obligations:
            return True
        raise InvalidPlanError(f"no obligation {what!r} of {agreement!r} in the plan")


def _slip(run: Run, name: str) -> str:
    if name in run.dropped:
        return ""
    return format_duration(run.slip(name))


def run_table(run: Run) -> Table:
    """One simulated run, planned against actual: each step's starts, slip and cause.

    The planned and actual starts are local, in the zone of the step's place; a step a rule
    dropped shows ``dropped`` and the rule in place of its cause.
    """
    dropped = set(run.dropped)
    program = run._program
    planned = {
        name: _time.from_micros(program.planned[i], program.zones(i)[0])
        for name, i in program.index.items()
    }
    rows = [
        (
            name,
            format_local(planned[name], None),
            "dropped" if name in dropped else _same_day(run.start(name), planned[name]),
            _slip(run, name),
            run.rule(name) or "" if name in dropped else run.cause(name) or "",
        )
        for name in run.plan.names
    ]
    late = sum(
        1 for name in run.plan.names if name not in dropped and run.slip(name).total_seconds() > 0
    )
    return Table(
        f"Run, seed {run.seed}: {late} of {len(run.plan)} steps started late; "
        f"{len(run.log):,} events",
        ("step", "planned (local)", "started", "slip", "cause"),
        rows,
        right=(3,),
    )


def _same_day(instant: datetime, planned: datetime) -> str:
    """*instant* as local wall time, without the date and offset when they are *planned*'s."""
    shown, plan = format_local(instant, None).split(" "), format_local(planned, None).split(" ")
    if (shown[0], shown[-1]) == (plan[0], plan[-1]):
        return shown[1]
    return " ".join(shown)


def check_calendar(program: Program, run: str, starts: Sequence[int], ends: Sequence[int]) -> None:
    """Refuse a run that takes a step past the calendar's end (9999-12-30 UTC).

    Delays are cut at a century each, but a chain of them, or a plan near the year 9999,
    can still go past it: :class:`InvalidPlanError` names the step and *run* (its seed).
    """
    last = _time.LAST_INSTANT_US
    if max(ends, default=0) <= last:  # an end is never before its start
        return
    i = next(i for i, end in enumerate(ends) if end > last)
    slip = starts[i] - program.planned[i]
    raise InvalidPlanError(
        f"{run}: step {clip(program.steps[i].name)!r} would end after 9999-12-30 UTC, the "
        f"calendar's end: its delays (each at most a century) start it {_long(slip)} after "
        "its planned time"
    )


def _long(us: int) -> str:
    """A long duration in words: ``about 143 years``, or as :func:`format_micros` below a year."""
    year = 365_2425 * 86_400_000_000 // 10_000
    return f"about {us / year:,.0f} years" if us >= year else format_micros(us)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidPlanError(f"seed must be an integer, got {seed!r}")
    return seed


def simulate(
    plan: Plan,
    disruptions: Disruptions | None = None,
    *,
    seed: int = 0,
    given: EventLog | None = None,
    after: datetime | None = None,
) -> Run:
    """Run *plan* once under *disruptions*: the :class:`Run` whose ``log`` says what happened.

    With no disruptions the log holds exactly the planned times. With *given* (a log) and
    *after* (an instant), the events of *given* at or before *after* are kept as facts and
    only what the plan has left from there is simulated: a what-if branch. Draws are keyed
    by (seed, step name), so a branch that changes one step draws the same delays for every
    other step.

    Raises:
        InvalidPlanError: for a plan, disruptions or seed of the wrong kind, or *given*
            without *after* (or the reverse).
        NaiveDatetimeError: for an *after* without a zone.

    """
    if not isinstance(plan, Plan):
        raise InvalidPlanError(f"simulate() needs a Plan, got {type(plan).__name__} {plan!r}")
    if disruptions is None:
        disruptions = Disruptions()
    elif not isinstance(disruptions, Disruptions):
        raise InvalidPlanError(f"disruptions must be a Disruptions, got {disruptions!r}")
    seed = _check_seed(seed)
    return _run(compiled(plan, disruptions), seed, given=given, after=after)


def compiled(plan: Plan, disruptions: Disruptions) -> Program:
    """*plan*'s :class:`Program` under *disruptions*, compiled once and kept by the plan.

    Plans and disruptions are immutable, so the program of a pair never changes; equal
    disruptions share one. The plan keeps it in its :meth:`~itinerary.sim.Plan.memo`, with
    the programs of its last few disruptions only.
    """
    return plan.memo((Program, disruptions), lambda: Program(plan, disruptions))


def _run(
    program: Program, seed: int, *, given: EventLog | None = None, after: datetime | None = None
) -> Run:
    if (given is None) != (after is None):
        raise InvalidPlanError("a what-if branch needs both given= (a log) and after= (an instant)")
    facts: list[Event] = []
    pinned: dict[int, tuple[int, int]] | None = None
    floor: int | None = None
    if given is not None and after is not None:
        if not isinstance(given, EventLog):
            raise InvalidPlanError(f"given must be an EventLog, got {type(given).__name__}")
        floor = _time.micros(_time.instant(after, what="simulate(after=...)"))
        facts = [e for e in given if _time.micros(e.occurred_at) <= floor]
        pinned = _match(program, facts)
    known = set(facts)
    try:
        trace = program.execute(seed, pinned, floor)
    except InvalidPlanError as exc:  # a run past the calendar's end: say which run
        raise InvalidPlanError(f"the run of seed {seed}: {exc}") from None
    starts, ends = trace.starts, trace.ends
    check_calendar(program, f"the run of seed {seed}", starts, ends)
    timed: list[tuple[int, int, Event]] = []
    for i in range(len(program.steps)):
        if trace.dropped[i]:
            continue  # it did not happen: no event
        done = pinned is not None and i in pinned
        for at, event in _events(program, i, starts[i], ends[i]):
            if not done or (floor is not None and at > floor and event not in known):
                timed.append((at, len(timed), event))  # facts are kept as given
    timed.sort()  # by instant, then as built: the counters are unique, events never compared
    log = EventLog([*facts, *(event for _, _, event in timed)])
    return Run(
        program.plan, program.disruptions, seed, log, program,
        tuple(starts), tuple(ends), tuple(trace.causes), tuple(trace.late), tuple(trace.held),
        tuple(trace.rules), tuple(trace.dropped), tuple(trace.waits), tuple(trace.happened),
    )  # fmt: skip
