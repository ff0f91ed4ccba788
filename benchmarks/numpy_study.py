"""A plain numpy version of a Monte Carlo study: the simulator's second baseline.

What someone would write for one plan with numpy alone: each step's start, end and slip for
every run at once, one step after another, with numpy's own random generator (PCG64) and
float seconds. A leg leaves when its travellers are free (or as planned), plus its departure
delay (and the rebooking time if it is cancelled); a meeting starts when its participants
are free and lasts its duration plus its overrun; a signing happens when its signatories
are free; an obligation is met its planned time after its signing (elapsed time: no
calendar, no clock changes) plus its fulfilment delay, and is late past its deadline.

It has none of the library's guarantees: no common random numbers (draws are not keyed by
step), no exact microseconds, no blame, no rules, risks or resources. It says how fast the
same study could be with numpy and nothing else: :mod:`benchmarks.simulator` compares
``monte_carlo`` with it, as with the SimPy model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from itinerary import _time
from itinerary.sim import Delay, Disruptions, Fulfilment, Meeting, Plan, Signing, Travel
from itinerary.sim.delays import elapsed_micros

__all__ = ["NumpyStudy"]

_SECOND = 1e6


def _effective(delay: Delay | None, default: Delay) -> Delay | None:
    chosen = default if delay is None else delay
    return None if chosen.is_none else chosen


def _draw(rng: np.random.Generator, delay: Delay | None, runs: int) -> Any:
    """*runs* draws of *delay*, in seconds (zeros for none)."""
    if delay is None:
        return np.zeros(runs)
    kind, params = delay.kind, delay.params
    if kind == "fixed":
        return np.full(runs, params[0] / _SECOND)
    if kind == "empirical":
        return rng.choice(np.array(params) / _SECOND, runs)
    if kind == "exponential":
        values = rng.exponential(params[0] / _SECOND, runs)
    else:
        values = params[0] / _SECOND * np.exp(params[1] * rng.standard_normal(runs))
    return values if delay.p >= 1.0 else np.where(rng.random(runs) < delay.p, values, 0.0)


class NumpyStudy:
    """A plan without rules, risks or resources, compiled for :meth:`run`."""

    def __init__(self, plan: Plan, disruptions: Disruptions) -> None:
        if (
            plan.rules
            or plan.resources
            or disruptions.risks
            or disruptions.correlated
            or any(s.window is not None for s in plan.steps)
        ):
            raise ValueError("the numpy baseline has no rules, windows, risks or resources")
        people = {p: i for i, p in enumerate(plan.people)}
        self.people = len(people)
        timed = sorted(
            (s for s in plan.steps if not isinstance(s, Fulfilment)),
            key=lambda s: _time.micros(s.start),
        )
        index = {s.name: i for i, s in enumerate(timed)}
        signings = {s.title: s for s in timed if isinstance(s, Signing)}
        rebook = elapsed_micros(disruptions.rebook, what="rebook") / _SECOND
        self.steps: list[tuple[Any, ...]] = []
        for step in timed:
            planned = _time.micros(step.start) / _SECOND
            who = [people[p] for p in step.people]
            if isinstance(step, Travel):
                delay = _effective(step.delay, disruptions.departure)
                cancel = disruptions.cancel if step.cancel is None else step.cancel
                self.steps.append(("leg", planned, who, step.duration.total_seconds(), delay,
                                   cancel, rebook))  # fmt: skip
            elif isinstance(step, Meeting):
                delay = _effective(step.delay, disruptions.overrun)
                self.steps.append(("meeting", planned, who, step.duration.total_seconds(), delay,
                                   0.0, 0.0))  # fmt: skip
            else:
                delay = _effective(step.delay, Delay.none())
                self.steps.append(("signing", planned, who, 0.0, delay, 0.0, 0.0))
        self.fulfilments: list[tuple[int, float, float, bool, float, Delay | None]] = []
        for step in plan.steps:
            if isinstance(step, Fulfilment):
                sign = signings[step.agreement]
                signed = _time.micros(sign.start)
                tz = sign.place.tz
                met = _time.add_local_micros(signed, tz, _time.duration_parts(step.after))
                obligation = next(o for o in sign.obligations if o.what == step.what)
                due = (
                    _time.micros(obligation.due)
                    if obligation.due is not None
                    else _time.add_local_micros(
                        signed,
                        tz,
                        _time.duration_parts(obligation.within),  # type: ignore[arg-type]
                    )
                )
                fixed = obligation.due is not None  # a date: it stays where it is
                self.fulfilments.append((
                    index[sign.name], (met - signed) / _SECOND,
                    (due if fixed else due - signed) / _SECOND, fixed,
                    met / _SECOND, _effective(step.delay, disruptions.fulfilment),
                ))  # fmt: skip

    def run(self, runs: int, seed: int) -> tuple[Any, Any]:
        """*runs* runs: (each step's slip in seconds, steps x runs; each obligation met late)."""
        rng = np.random.default_rng(seed)
        never = np.full(runs, -np.inf)
        free = [never] * self.people  # each person's arrays: those who travel together share one
        starts = np.empty((len(self.steps), runs))
        slips = np.empty((len(self.steps) + len(self.fulfilments), runs))
        for i, (kind, planned, who, duration, delay, cancel, rebook) in enumerate(self.steps):
            ready = np.full(runs, planned)
            for array in {id(free[p]): free[p] for p in who}.values():
                np.maximum(ready, array, out=ready)
            own = _draw(rng, delay, runs)
            if kind == "meeting":
                start, end = ready, ready + duration + own
            else:
                if cancel:
                    own = own + np.where(rng.random(runs) < cancel, rebook, 0.0)
                start = ready + own
                end = start + duration
            for p in who:
                free[p] = end
            starts[i] = start
            slips[i] = start - planned
        late = np.empty((len(self.fulfilments), runs), dtype=bool)
        for k, (sign, after, due, fixed, planned, delay) in enumerate(self.fulfilments):
            met = starts[sign] + after + _draw(rng, delay, runs)
            slips[len(self.steps) + k] = met - planned
            late[k] = met > (due if fixed else starts[sign] + due)  # a due date, or within
        return slips, late
