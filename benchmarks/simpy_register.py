"""A SimPy 4 model of a plan's risk register and resources: the baseline for issue 21.

Legs and meetings (no signings, fulfilments or rules) as SimPy processes on SimPy's float
clock (seconds), with the engine's rules for what the register adds:

- a step waits until its people are free (their previous steps ended) and its planned
  start, then its own delay (a leg's departure delay, plus its rebooking time when it is
  cancelled, with its own ``cancel=``/``rebook=`` if it has them), plus the delay of every
  :class:`~itinerary.sim.Risk` that happened in the run and names it; a meeting's own delay
  is an overrun, so a risk delays its start and the overrun its end;
- then it asks for each :class:`~itinerary.sim.Resource` it ``uses`` from a SimPy
  ``PriorityResource`` of that capacity (``priority=-step.priority``: SimPy serves the
  lowest first; then the earliest request), holds them for its whole length, and lets them
  go when it ends.

Draws come from one of two places. By default they are the library's own (the same streams
and slots as :mod:`itinerary.sim.engine`, correlated groups included), so the model and
``simulate`` agree run by run: the fair baseline for speed. With ``rng=`` (a numpy
``Generator``) every draw is SimPy's own, independent of the library: the baseline for
statistics (``tests/test_sim_resources.py`` checks the mean waits and ``p_late`` agree).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from itinerary import _time
from itinerary.sim import Delay, Disruptions, Meeting, Plan, Travel
from itinerary.sim._random import _MASK, _mix, key_of, unit
from itinerary.sim.delays import elapsed_micros
from itinerary.sim.engine import compiled, normal

__all__ = ["SimpyRegister"]

_SECOND = 1_000_000
_CANCEL_SLOT = 2


class SimpyRegister:
    """*plan* under *disruptions* (its register) as SimPy processes; :meth:`run` runs it once."""

    def __init__(self, plan: Plan, disruptions: Disruptions | None = None) -> None:
        disruptions = disruptions or Disruptions()
        program = compiled(plan, disruptions)  # only for the copula weights and risk keys
        self.plan = plan
        self.capacity = {r.name: r.capacity for r in plan.resources}
        self.risks = [
            (key_of(f"Risk: {r.name}"), r.p, r.delay, set(r.steps)) for r in disruptions.risks
        ]
        position = {s.name: i for i, s in enumerate(plan.steps)}
        ordered = sorted(plan.steps, key=lambda s: (_time.micros(s.start), position[s.name]))
        last: dict[str, int] = {}
        self.steps: list[tuple[Any, ...]] = []
        for i, step in enumerate(ordered):
            if not isinstance(step, Travel | Meeting):
                raise TypeError(f"the model takes legs and meetings, not {step!r}")
            before = tuple(sorted({last[p] for p in step.people if p in last}))
            for p in step.people:
                last[p] = i
            op = program.ops[program.index[step.name]]
            cancel = rebook = 0.0
            if isinstance(step, Travel):
                default = disruptions.departure
                cancel = disruptions.cancel if step.cancel is None else step.cancel
                rebook = elapsed_micros(step.rebook or disruptions.rebook, what="rebook") / _SECOND
            else:
                default = disruptions.overrun
            delay = step.delay if step.delay is not None else default
            self.steps.append((
                step, key_of(step.name), before, _time.micros(step.start) / _SECOND,
                elapsed_micros(step.duration, what=step.name) / _SECOND,
                None if delay.is_none else delay, cancel, rebook, op.copula,
                [k for k, r in enumerate(self.risks) if step.name in r[3]],
            ))  # fmt: skip

    def run(self, seed: int, rng: Any = None) -> dict[str, tuple[float, float, float]]:
        """One run: each step's (start, wait for resources, planned start), in seconds.

        With *rng* (a numpy ``Generator``) the draws are its own; else the library's for
        *seed*.
        """
        env = simpy.Environment()
        pools = {name: simpy.PriorityResource(env, capacity=c) for name, c in self.capacity.items()}
        seed &= _MASK
        added = []
        for key, p, delay, _ in self.risks:
            if rng is None:
                h = _mix(seed ^ key)
                added.append(delay.sample(h, 1) / _SECOND if unit(h, 0) < p else 0.0)
            else:
                added.append(_draw(delay, rng) if rng.random() < p else 0.0)
        done = [env.event() for _ in self.steps]
        out: dict[str, tuple[float, float, float]] = {}
        for i in range(len(self.steps)):
            env.process(self._step(env, i, seed, rng, added, pools, done, out))
        env.run()
        return out

    def _own(self, i: int, seed: int, rng: Any) -> float:
        step, key, _, _, _, delay, cancel, rebook, copula, _ = self.steps[i]
        own = 0.0
        if rng is not None:
            own = 0.0 if delay is None else _draw(delay, rng)
            if isinstance(step, Travel) and cancel and rng.random() < cancel:
                own += rebook
            return own
        h = _mix(seed ^ key)
        if delay is not None:
            own = delay.from_normal(normal(seed, copula)) if copula else delay.sample(h, 0)
            own /= _SECOND
        if isinstance(step, Travel) and cancel and unit(h, _CANCEL_SLOT) < cancel:
            own += rebook
        return own

    def _step(  # noqa: PLR0917 - one process's whole world
        self, env: simpy.Environment, i: int, seed: int, rng: Any, added: list[float],
        pools: dict[str, simpy.PriorityResource], done: list[simpy.Event],
        out: dict[str, tuple[float, float, float]],
    ) -> Generator[simpy.Event, Any, None]:  # fmt: skip
        step, _, before, planned, duration, _, _, _, _, risks = self.steps[i]
        if before:
            yield simpy.AllOf(env, [done[j] for j in before])
        own = self._own(i, seed, rng)
        risky = sum(added[k] for k in risks)
        if isinstance(step, Meeting):
            wait_for, extra = max(planned, env.now) + risky, own
        else:
            wait_for, extra = max(planned, env.now) + own + risky, 0.0
        if wait_for > env.now:
            yield env.timeout(wait_for - env.now)
        ready = env.now
        requests = [pools[name].request(priority=-step.priority) for name in step.uses]
        for request in requests:
            yield request
        out[step.name] = (env.now, env.now - ready, planned)
        yield env.timeout(duration + extra)
        for name, request in zip(step.uses, requests, strict=True):
            pools[name].release(request)
        done[i].succeed()


def _draw(delay: Delay, rng: Any) -> float:
    """A delay in seconds drawn by numpy, as *delay* describes it (fixed or exponential)."""
    if delay.kind == "none":
        return 0.0
    if delay.kind == "fixed":
        return delay.params[0] / _SECOND
    if delay.kind != "exponential":
        raise TypeError(f"the model's own draws take fixed and exponential delays, not {delay!r}")
    if delay.p < 1.0 and rng.random() >= delay.p:
        return 0.0
    return float(round(rng.exponential(delay.params[0] / _SECOND)))
