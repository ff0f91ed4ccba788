"""A live forecast: the plan's risks given what has happened, and what changed since the last.

:func:`forecast` runs a Monte Carlo study of a plan that keeps every event of a log as a
fact (``monte_carlo(given=log, after=now)``) and sums it up as a :class:`Forecast`: each
step's chance of starting late and of being dropped, and the 80th percentile of when the
tour ends. :func:`changes` says what moved from one forecast to the next. ``itinerary
forecast STORE PLAN_FILE`` prints them each time events are recorded in STORE.

"Now" is an argument, never the clock: by default the latest instant at which an event of
the log occurred (what has been recorded is what has happened), so the same log gives the
same forecast, in a test as on the day. Every forecast of a study uses the same seed, so
two forecasts differ only by what happened in between (common random numbers).
"""

from __future__ import annotations

import math
from datetime import datetime

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary._table import Table, render_html
from itinerary.errors import InvalidPlanError
from itinerary.events import format_local
from itinerary.log import EventLog
from itinerary.sim.delays import Disruptions
from itinerary.sim.monte_carlo import Outcomes, monte_carlo
from itinerary.sim.plan import Plan
from itinerary.sim.report import tour_end
from itinerary.sim.steps import Fulfilment

__all__ = ["END_QUANTILE", "Forecast", "StepForecast", "changes", "forecast", "latest_instant"]

END_QUANTILE = 0.8
"""Which quantile of the tour's end a forecast reports (0.8, the P80)."""


@attrs.frozen
class StepForecast:
    """One step of a :class:`Forecast`: its share of runs late (of those it happened in), dropped."""

    name: str
    p_late: float
    p_dropped: float


@attrs.frozen(repr=False)
class Forecast:
    """A plan's risks given a log up to *now*: what ``itinerary forecast`` prints.

    Attributes:
        version: How many events the log held.
        now: The instant up to which the log was kept as facts (None: no events yet, the
            plan as planned).
        runs: The study's runs; seed: its seed.
        steps: Each meeting, signing and leg, in the study's order.
        end: The P80 of when the tour's last step (not counting obligations met) ends, in
            the zone of the place it ends at; None if every run dropped every step.

    """

    version: int
    now: DateTime | None
    runs: int
    seed: int
    steps: tuple[StepForecast, ...]
    end: DateTime | None

    def __repr__(self) -> str:
        return f"<Forecast at version {self.version}: {len(self.steps)} steps, {self.runs} runs>"

    def heading(self) -> str:
        """``version 3, as of 2025-10-27 09:40 +08:00 Asia/Kuala_Lumpur (1,000 runs, seed 0)``."""
        when = "before any event" if self.now is None else f"as of {_local(self.now)}"
        return f"version {self.version}, {when} ({self.runs:,} runs, seed {self.seed})"

    def table(self) -> Table:
        """Every step's risks, then the tour's P80 end."""
        rows = [(s.name, _share(s.p_late), _share(s.p_dropped)) for s in self.steps]
        rows.append((f"the tour ends by (P{round(END_QUANTILE * 100)})", _end(self.end), ""))
        return Table(self.heading(), ("step", "late", "dropped"), rows, right=(1, 2))

    def __str__(self) -> str:
        return self.table().text(upper=False, indent="", rule=True)

    def _repr_html_(self) -> str:
        return render_html((self.table(),))


def _share(p: float) -> str:
    return "never happens" if math.isnan(p) else f"{p:.1%}"


def _local(instant: datetime) -> str:
    return f"{format_local(instant, None)} {_time.zone_name(instant) or 'UTC'}"


def _end(end: DateTime | None) -> str:
    return "never (all dropped)" if end is None else _local(end)


def latest_instant(log: EventLog) -> datetime | None:
    """When the latest event of *log* occurred (a meeting: its start), or None for no events."""
    return max((event.occurred_at for event in log), default=None)


def forecast(
    plan: Plan,
    disruptions: Disruptions,
    log: EventLog,
    *,
    runs: int = 1000,
    seed: int = 0,
    now: datetime | None = None,
) -> Forecast:
    """The plan's risks given *log* up to *now* (by default its latest event's instant).

    A study of *runs* runs from *seed*, each keeping the events of *log* up to *now* as
    facts (see :func:`~itinerary.sim.monte_carlo`); with no events (and no *now*), the plan
    as planned. The tour's end in each run is the latest end of its meetings, signings and
    legs that happened (obligations met months later do not count).

    Raises:
        itinerary.errors.InvalidPlanError: for arguments of the wrong kind, or events
            that contradict the plan (as ``monte_carlo(given=...)`` does).

    """
    if not isinstance(log, EventLog):
        raise InvalidPlanError(f"forecast() needs an EventLog, got {type(log).__name__}")
    if now is None:
        now = latest_instant(log)
    given = None if now is None else log
    outcomes = monte_carlo(plan, disruptions, runs=runs, seed=seed, given=given, after=now)
    steps = tuple(
        StepForecast(step.name, outcomes.p_late(step.name), outcomes.p_dropped(step.name))
        for step in outcomes.steps
        if not isinstance(step, Fulfilment)
    )
    shown = None if now is None else _time.instant(now, what="forecast(now=...)")
    return Forecast(len(log), shown, runs, outcomes.seed, steps, _p80_end(outcomes))


def _p80_end(outcomes: Outcomes) -> DateTime | None:
    """The P80 of the tour's end over the runs, as the risk report shows it."""
    end = tour_end(outcomes)
    return None if end is None else dict(end.quantiles).get(END_QUANTILE)


def changes(before: Forecast | None, after: Forecast, *, min_change: float = 0.01) -> list[str]:
    """What moved from *before* to *after*, one line each (a first forecast: its whole table).

    A step whose chance of being late, or dropped, moved by *min_change* or more (a share,
    0.01 is a percentage point); a step that no longer happens in any run; and the tour's
    P80 end, if it moved. A line says that nothing moved otherwise.
    """
    if not 0 <= min_change <= 1:
        raise InvalidPlanError(f"min_change must be a share in [0, 1], got {min_change!r}")
    if before is None:
        return [str(after)]
    lines = [after.heading()]
    old = {step.name: step for step in before.steps}
    for step in after.steps:
        was = old.get(step.name)
        if was is None:
            continue
        if step.p_dropped == 1 and was.p_dropped < 1:
            lines.append(f"  {step.name}: dropped in every run (was {_share(was.p_dropped)})")
            continue
        if _moved(was.p_late, step.p_late, min_change):
            lines.append(
                f"  {step.name}: late in {_share(step.p_late)} of runs (was {_share(was.p_late)})"
            )
        if _moved(was.p_dropped, step.p_dropped, min_change):
            lines.append(
                f"  {step.name}: dropped in {_share(step.p_dropped)} of runs "
                f"(was {_share(was.p_dropped)})"
            )
    if after.end != before.end:
        lines.append(
            f"  the tour ends by {_end(after.end)} (P{round(END_QUANTILE * 100)}; was "
            f"{_end(before.end)})"
        )
    if len(lines) == 1:
        lines.append(f"  nothing moved by {min_change:.1%} or more; the P80 end is unchanged")
    return lines


def _moved(was: float, now: float, min_change: float) -> bool:
    if math.isnan(was) or math.isnan(now):
        return math.isnan(was) != math.isnan(now)
    return abs(now - was) >= min_change and now != was
