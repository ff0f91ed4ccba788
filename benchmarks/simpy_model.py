"""A SimPy 4 model of a plan under disruptions: the baseline the simulator is measured against.

One SimPy process per step, on SimPy's float clock (seconds since the epoch), with the
engine's rules (see :mod:`itinerary.sim.engine`):

- a leg waits until its travellers are free (their previous steps ended) and its planned
  departure, then its departure delay (plus the rebooking time if it is cancelled), then
  flies its duration;
- a meeting starts at its planned start or, if later, when its participants are free, and
  lasts its duration plus its overrun;
- a signing happens at its planned time or, if later, when its signatories are free, plus
  its own delay if it has one;
- an obligation is met its ``after`` past the signing (in the signing place's calendar, with
  pendulum) plus its fulfilment delay.

With rules (the plan's ``rules=`` and each step's ``window=``), a step ready to start (its
delay drawn) first waits out its travellers' rest (a timeout to the latest landing plus
rest), then the waits its window and its curfews ask for, computed in each place's zone
with zoneinfo (this module's own daily spans, not the engine's), until none moves it; a
window with ``then="drop"`` that closed on it drops it, and so does a :class:`Drop` whose
step started more than ``late_by`` late: a dropped step records nothing, and the steps after
it wait only for what its people did before it. The model takes a drop's steps to come after
the step it is decided on for one of their people (as on the tour), so the decision is
known when they are ready.

Every delay is the library's own draw, ``Delay.sample(h, 0)`` on the stream
``h = _mix(seed ^ key_of(step name))``, and a cancellation is draw 2 of that stream, so the
model and :func:`itinerary.sim.simulate` see the same delays and must agree on every start
(``tests/test_simpy_model.py`` checks it). The model records what happened as plain tuples,
``(at, kind, step name, *details)``, one per event the library's log would hold: the fair
counterpart of a run's full log, without building itinerary's events.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import simpy

from itinerary import _time
from itinerary.sim import (
    Curfew,
    Delay,
    Disruptions,
    Drop,
    Fulfilment,
    Meeting,
    Plan,
    Rest,
    Signing,
    Travel,
    Window,
)  # fmt: skip
from itinerary.sim._random import _MASK, _mix, key_of, uniform
from itinerary.sim.delays import elapsed_micros

__all__ = ["SimpyModel", "starts_of"]

Record = tuple[Any, ...]
_CANCEL_SLOT = 2  # the engine's slot for the cancellation draw
_SECOND = 1_000_000

# What each kind of record says about its step: where its start is.
STARTS = {"departed", "meeting", "signed", "met"}


def _seconds(us: int) -> float:
    return us / _SECOND


def _effective(delay: Delay | None, default: Delay) -> Delay | None:
    chosen = default if delay is None else delay
    return None if chosen.is_none else chosen


@dataclass
class _Run:
    """One run's clock, records, and the event each step succeeds when it ends."""

    env: simpy.Environment
    log: list[Record]
    done: list[simpy.Event]
    rested: dict[str, float] = field(default_factory=dict)  # person -> rested until
    dropped: set[str] = field(default_factory=set)  # the steps that do not happen


class SimpyModel:
    """*plan* under *disruptions* as SimPy processes; :meth:`run` simulates it once."""

    def __init__(self, plan: Plan, disruptions: Disruptions | None = None) -> None:
        disruptions = disruptions or Disruptions()
        self.plan = plan
        self.cancel = disruptions.cancel
        self.rebook = _seconds(elapsed_micros(disruptions.rebook, what="rebook"))
        position = {s.name: i for i, s in enumerate(plan.steps)}
        timed = [s for s in plan.steps if not isinstance(s, Fulfilment)]
        timed.sort(key=lambda s: (_time.micros(s.start), position[s.name]))
        last: dict[str, int] = {}  # person -> index of their latest step so far
        self.steps: list[tuple[Any, ...]] = []
        index: dict[str, int] = {}
        for i, step in enumerate(timed):
            index[step.name] = i
            before = tuple(sorted({last[p] for p in step.people if p in last}))
            for p in step.people:
                last[p] = i
            planned = _time.micros(step.start) / _SECOND
            if isinstance(step, Travel):
                delay = _effective(step.delay, disruptions.departure)
                duration = _seconds(elapsed_micros(step.duration, what=step.name))
            elif isinstance(step, Meeting):
                delay = _effective(step.delay, disruptions.overrun)
                duration = _seconds(elapsed_micros(step.duration, what=step.name))
            else:
                delay = _effective(step.delay, Delay.none())
                duration = 0.0
            self.steps.append((step, key_of(step.name), before, planned, duration, delay))
        self.fulfilments = [
            (step, key_of(step.name), index[step.agreement],
             _effective(step.delay, disruptions.fulfilment))
            for step in plan.steps
            if isinstance(step, Fulfilment)
        ]  # fmt: skip
        self.origin = min((s[3] for s in self.steps), default=0.0)
        self._met: dict[tuple[str, float], float] = {}
        self.curfews = [r for r in plan.rules if isinstance(r, Curfew)]
        self.rests = [r for r in plan.rules if isinstance(r, Rest)]
        self.drops: dict[str, list[Drop]] = {}
        for rule in plan.rules:
            if isinstance(rule, Drop):
                self.drops.setdefault(rule.when, []).append(rule)
        self.ruled = bool(plan.rules) or any(s.window is not None for s in plan.steps)

    def run(self, seed: int) -> list[Record]:
        """Simulate the plan once with the engine's draws for *seed*: the records, in order."""
        env = simpy.Environment(initial_time=self.origin)
        run = _Run(env, [], [env.event() for _ in self.steps])
        seed &= _MASK
        for i, (step, key, *_) in enumerate(self.steps):
            h = _mix(seed ^ key)
            if isinstance(step, Travel):
                cancelled = bool(self.cancel) and uniform(seed, key, _CANCEL_SLOT) < self.cancel
                env.process(self._travel(run, i, h, cancelled))
            elif isinstance(step, Meeting):
                env.process(self._meeting(run, i, h))
            else:
                env.process(self._signing(run, i, h))
        for j in range(len(self.fulfilments)):
            env.process(self._fulfilment(run, j, _mix(seed ^ self.fulfilments[j][1])))
        env.run()
        return run.log

    def _ready(self, run: _Run, i: int) -> Generator[simpy.Event, Any, bool]:
        """Wait until everyone in step *i* is free and its planned time has come.

        False (at once, once its people are free) if a rule has dropped it.
        """
        env, before, planned = run.env, self.steps[i][2], self.steps[i][3]
        if len(before) == 1:
            yield run.done[before[0]]
        elif before:
            yield env.all_of([run.done[j] for j in before])
        if self.steps[i][0].name in run.dropped:
            run.done[i].succeed(env.now)  # nobody waits for it
            return False
        if env.now < planned:
            yield env.timeout(planned - env.now)
        return True

    def _rules(self, run: _Run, step: Any, duration: float) -> Generator[simpy.Event, Any, bool]:
        """Wait as the rules ask a step ready now to; False if its window drops it."""
        env = run.env
        rested = max((run.rested.get(p, -math.inf) for p in step.people), default=-math.inf)
        if rested > env.now:
            yield env.timeout(rested - env.now)
        t = env.now
        for _ in range(64):
            moved = t
            if step.window is not None:
                fit = _next_fit(t, _zone_of(step), step.window, _need(step))
                if fit is None or (step.window.then == "drop" and fit != t):
                    run.dropped.add(step.name)
                    return False
                t = fit
            if isinstance(step, Travel):
                for curfew in self.curfews:
                    if curfew.place == step.origin:
                        t = _next_clear(t, step.origin.tz, curfew)
                    if curfew.place == step.destination:
                        t = _next_clear(t + duration, step.destination.tz, curfew) - duration
            if t == moved:
                break
        if t > env.now:
            yield env.timeout(t - env.now)
        return True

    def _started(self, run: _Run, step: Any, planned: float, end: float) -> None:
        """After a step started (now) and ends at *end*: its drops and its travellers' rest."""
        for drop in self.drops.get(step.name, ()):
            if _micros(run.env.now - planned) > elapsed_micros(drop.late_by, what="late_by"):
                run.dropped.update(drop.steps)
        if isinstance(step, Travel):
            for rest in self.rests:
                if step.duration >= rest.after:
                    until = end + _seconds(elapsed_micros(rest.rest, what="rest"))
                    for p in step.who:
                        if rest.who is None or p in rest.who:
                            run.rested[p] = max(run.rested.get(p, -math.inf), until)

    def _gone(self, run: _Run, i: int) -> None:
        """Step *i* was dropped by its window: those after it wait for what came before."""
        run.dropped.add(self.steps[i][0].name)
        run.done[i].succeed(run.env.now)

    def _travel(
        self, run: _Run, i: int, h: int, cancelled: bool
    ) -> Generator[simpy.Event, Any, None]:
        step, _, _, planned, duration, delay = self.steps[i]
        env, log = run.env, run.log
        if not (yield from self._ready(run, i)):
            return
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        if cancelled:
            late += self.rebook  # flown again `rebook` later
        if late:
            yield env.timeout(late)
        if self.ruled and not (yield from self._rules(run, step, duration)):
            self._gone(run, i)
            return
        leave = env.now
        self._started(run, step, planned, leave + duration)
        for p in step.who:
            log.append((leave, "departed", step.name, p, step.origin.name, step.destination.name))
        yield env.timeout(duration)
        for p in step.who:
            log.append((env.now, "arrived", step.name, p, step.destination.name))
        run.done[i].succeed(env.now)

    def _meeting(self, run: _Run, i: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, _, planned, duration, delay = self.steps[i]
        env = run.env
        if not (yield from self._ready(run, i)):
            return
        if self.ruled and not (yield from self._rules(run, step, duration)):
            self._gone(run, i)
            return
        start = env.now
        self._started(run, step, planned, start)
        overrun = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        yield env.timeout(duration + overrun)
        run.log.append((start, "meeting", step.name, step.participants, step.place.name, env.now))
        run.done[i].succeed(env.now)

    def _signing(self, run: _Run, i: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, _, planned, _, delay = self.steps[i]
        env = run.env
        if not (yield from self._ready(run, i)):
            return
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        if late:
            yield env.timeout(late)
        if self.ruled and not (yield from self._rules(run, step, 0.0)):
            self._gone(run, i)
            return
        self._started(run, step, planned, env.now)
        run.log.append((env.now, "signed", step.name, step.signatories, step.place.name))
        run.done[i].succeed(env.now)

    def _fulfilment(self, run: _Run, j: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, signing, delay = self.fulfilments[j]
        env = run.env
        at = yield run.done[signing]  # a signing's event carries when it was signed
        if self.steps[signing][0].name in run.dropped or step.name in run.dropped:
            run.dropped.add(step.name)
            return
        met = self._met_after(step, self.steps[signing][0], at)
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        yield env.timeout(met + late - env.now)
        if self.ruled and not (yield from self._rules(run, step, 0.0)):
            run.dropped.add(step.name)
            return
        run.log.append((env.now, "met", step.name, step.agreement, step.what))

    def _met_after(self, step: Fulfilment, sign: Signing, signed: float) -> float:
        """*step*'s ``after`` past *signed*, in *sign*'s calendar with pendulum.

        Cached by (step, signing time), as the engine caches it, so neither pays pendulum's
        calendar arithmetic in every run.
        """
        key = (step.name, signed)
        found = self._met.get(key)
        if found is None:
            local = pendulum.from_timestamp(signed, tz=sign.place.tz)
            found = self._met[key] = (local + step.after).timestamp()
        return found


def _micros(seconds: float) -> int:
    return round(seconds * _SECOND)


def _zone_of(step: Any) -> str:
    if isinstance(step, Travel):
        return step.origin.tz
    return step.place.tz


def _need(step: Any) -> float:
    return step.duration.total_seconds() if isinstance(step, Meeting) else 0.0


_ZONES: dict[str, ZoneInfo] = {}


@functools.lru_cache(maxsize=1 << 14)  # as the engine caches its boundaries
def _at(tz: str, day: date, wall: time) -> float:
    """When clocks in *tz* showed *wall* on *day* (seconds): its first reading, or just after
    the gap it falls in. With zoneinfo: a wall time that does not round-trip is in a gap."""
    zone = _ZONES.setdefault(tz, ZoneInfo(tz))
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return min(first.timestamp(), naive.replace(tzinfo=zone, fold=1).timestamp())
    low = int(naive.replace(tzinfo=zone, fold=1).timestamp())  # in a gap: bisect to it
    high = int(first.timestamp())
    while high - low > 1:
        mid = (low + high) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= naive:
            high = mid
        else:
            low = mid
    return float(high)


def _spans(
    t: float, tz: str, opens: time, closes: time, days: int
) -> Iterable[tuple[float, float]]:
    """The daily spans ``[opens, closes)`` from the local day before *t*'s, *days* of them."""
    day = datetime.fromtimestamp(t, _ZONES.setdefault(tz, ZoneInfo(tz))).date() - timedelta(days=1)
    for k in range(days):
        start = day + timedelta(days=k)
        yield _at(tz, start, opens), _at(tz, start + timedelta(days=closes <= opens), closes)


def _next_fit(t: float, tz: str, window: Window, need: float) -> float | None:
    for o, c in _spans(t, tz, window.opens, window.closes, 9):
        start = max(t, o)
        if start < c and start + need <= c:
            return start
    return None


def _next_clear(t: float, tz: str, curfew: Curfew) -> float:
    for o, c in _spans(t, tz, curfew.starts, curfew.ends, 3):
        if o <= t < c:
            return c
    return t


def starts_of(log: Sequence[Record]) -> dict[str, float]:
    """When each step started (departed, met, was signed, was fulfilled), by step name."""
    found: dict[str, float] = {}
    for record in log:
        at, kind, name = record[0], record[1], record[2]
        if kind in STARTS and (name not in found or at < found[name]):
            found[name] = at
    return found
