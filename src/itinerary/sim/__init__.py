"""The simulator: plans that run under delays, what-if branches, and Monte Carlo studies.

A :class:`Plan` is steps meant to happen (legs, meetings, signings, obligations met);
:func:`simulate` runs it once under :class:`Disruptions` and returns a :class:`Run` whose
``log`` is an ordinary :class:`~itinerary.EventLog`; :func:`monte_carlo` runs it many times
(in this process, or on any executor: processes, Dask) and returns :class:`Outcomes`;
:class:`WhatIf` edits a plan and :func:`compare` sets two studies side by side, run by run;
:mod:`itinerary.sim.forecast` re-runs a study as events come in.
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
    from itinerary.sim.suggest import Between, Change, Suggestion, Suggestions, suggest
    from itinerary.sim.whatif import Comparison, Difference, WhatIf, compare

__all__ = [
    "Between",
    "Change",
    "Comparison",
    "Correlated",
    "Curfew",
    "Delay",
    "Difference",
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
    "Suggestion",
    "Suggestions",
    "Travel",
    "WhatIf",
    "Window",
    "compare",
    "monte_carlo",
    "simulate",
    "suggest",
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
    "itinerary.sim.suggest": ("Between", "Change", "Suggestion", "Suggestions", "suggest"),
    "itinerary.sim.whatif": ("Comparison", "Difference", "WhatIf", "compare"),
}
"""Where each name of ``__all__`` is defined: the module its first use imports."""

_SUBMODULES = frozenset({
    "delays", "engine", "forecast", "monte_carlo", "plan", "resources", "rules",
    "steps", "suggest", "whatif",
})  # fmt: skip
"""The modules that ``itinerary.sim.<name>`` imports on first use (a public name, such as
``monte_carlo`` or ``suggest``, stays the function)."""

__getattr__, __dir__ = _lazy.face(__name__, _HOMES, submodules=_SUBMODULES)
