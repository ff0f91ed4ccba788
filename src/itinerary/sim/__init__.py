"""The simulator: plans that run under delays, what-if branches, and Monte Carlo studies.

A :class:`Plan` is steps meant to happen (legs, meetings, signings, obligations met);
:func:`simulate` runs it once under :class:`Disruptions` and returns a :class:`Run` whose
``log`` is an ordinary :class:`~itinerary.EventLog`; :func:`monte_carlo` runs it many times
(in this process, or on any executor: processes, Dask) and returns :class:`Outcomes`.
See docs/simulation.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from itinerary import _lazy

if TYPE_CHECKING:  # what type checkers see; at run time, each is imported on first use
    from itinerary.errors import InvalidPlanError
    from itinerary.sim.delays import Correlated, Delay, Disruptions, Risk
    from itinerary.sim.engine import Run, simulate
    from itinerary.sim.monte_carlo import Outcomes, StepRisk, monte_carlo
    from itinerary.sim.plan import Plan
    from itinerary.sim.resources import Resource
    from itinerary.sim.rules import Curfew, Drop, Rest, Window
    from itinerary.sim.steps import Fulfilment, Meeting, Signing, Step, Travel

__all__ = [
    "Correlated",
    "Curfew",
    "Delay",
    "Disruptions",
    "Drop",
    "Fulfilment",
    "InvalidPlanError",
    "Meeting",
    "Outcomes",
    "Plan",
    "Resource",
    "Rest",
    "Risk",
    "Run",
    "Signing",
    "Step",
    "StepRisk",
    "Travel",
    "Window",
    "monte_carlo",
    "simulate",
]

_HOMES: dict[str, tuple[str, ...]] = {
    "itinerary.errors": ("InvalidPlanError",),
    "itinerary.sim.delays": ("Correlated", "Delay", "Disruptions", "Risk"),
    "itinerary.sim.engine": ("Run", "simulate"),
    "itinerary.sim.monte_carlo": ("Outcomes", "StepRisk", "monte_carlo"),
    "itinerary.sim.plan": ("Plan",),
    "itinerary.sim.resources": ("Resource",),
    "itinerary.sim.rules": ("Curfew", "Drop", "Rest", "Window"),
    "itinerary.sim.steps": ("Fulfilment", "Meeting", "Signing", "Step", "Travel"),
}
"""Where each name of ``__all__`` is defined: the module its first use imports."""

_SUBMODULES = frozenset({"delays", "engine", "monte_carlo", "plan", "resources", "rules", "steps"})
"""The modules that ``itinerary.sim.<name>`` imports on first use (a public name, such as
``monte_carlo``, stays the function)."""

__getattr__, __dir__ = _lazy.face(__name__, _HOMES, submodules=_SUBMODULES)
