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

Every delay is the library's own draw, ``Delay.sample(h, 0)`` on the stream
``h = _mix(seed ^ key_of(step name))``, and a cancellation is draw 2 of that stream, so the
model and :func:`itinerary.sim.simulate` see the same delays and must agree on every start
(``tests/test_simpy_model.py`` checks it). The model records what happened as plain tuples,
``(at, kind, step name, *details)``, one per event the library's log would hold: the fair
counterpart of a run's full log, without building itinerary's events.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import pendulum
import simpy

from itinerary import _time
from itinerary.sim import Delay, Disruptions, Fulfilment, Meeting, Plan, Signing, Travel
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

    def _ready(self, run: _Run, i: int) -> Generator[simpy.Event, Any, None]:
        """Wait until everyone in step *i* is free and its planned time has come."""
        env, before, planned = run.env, self.steps[i][2], self.steps[i][3]
        if len(before) == 1:
            yield run.done[before[0]]
        elif before:
            yield env.all_of([run.done[j] for j in before])
        if env.now < planned:
            yield env.timeout(planned - env.now)

    def _travel(
        self, run: _Run, i: int, h: int, cancelled: bool
    ) -> Generator[simpy.Event, Any, None]:
        step, _, _, _, duration, delay = self.steps[i]
        env, log = run.env, run.log
        yield from self._ready(run, i)
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        if cancelled:
            late += self.rebook  # flown again `rebook` later
        if late:
            yield env.timeout(late)
        leave = env.now
        for p in step.who:
            log.append((leave, "departed", step.name, p, step.origin.name, step.destination.name))
        yield env.timeout(duration)
        for p in step.who:
            log.append((env.now, "arrived", step.name, p, step.destination.name))
        run.done[i].succeed(env.now)

    def _meeting(self, run: _Run, i: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, _, _, duration, delay = self.steps[i]
        env = run.env
        yield from self._ready(run, i)
        start = env.now
        overrun = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        yield env.timeout(duration + overrun)
        run.log.append((start, "meeting", step.name, step.participants, step.place.name, env.now))
        run.done[i].succeed(env.now)

    def _signing(self, run: _Run, i: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, _, _, _, delay = self.steps[i]
        env = run.env
        yield from self._ready(run, i)
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        if late:
            yield env.timeout(late)
        run.log.append((env.now, "signed", step.name, step.signatories, step.place.name))
        run.done[i].succeed(env.now)

    def _fulfilment(self, run: _Run, j: int, h: int) -> Generator[simpy.Event, Any, None]:
        step, _, signing, delay = self.fulfilments[j]
        env = run.env
        at = yield run.done[signing]  # a signing's event carries when it was signed
        met = self._met_after(step, self.steps[signing][0], at)
        late = 0.0 if delay is None else _seconds(delay.sample(h, 0))
        yield env.timeout(met + late - env.now)
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


def starts_of(log: Sequence[Record]) -> dict[str, float]:
    """When each step started (departed, met, was signed, was fulfilled), by step name."""
    found: dict[str, float] = {}
    for record in log:
        at, kind, name = record[0], record[1], record[2]
        if kind in STARTS and (name not in found or at < found[name]):
            found[name] = at
    return found
