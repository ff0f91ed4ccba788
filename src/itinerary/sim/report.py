"""The risk report of a Monte Carlo study: what a planner reads, computed from its outcomes.

Pure functions over a study's outcomes (anything with :class:`Study`'s methods; in practice
:class:`~itinerary.sim.Outcomes`, whose ``report()``, ``__str__`` and ``to_pandas("risks")``
call them). A step's row gives its planned start in its place's local time, the share of
runs in which it started late with that share's standard error, and how late it was **in
the runs in which it was late** (median, p90, p99): a step late in 2% of runs by hours
reads so, instead of "median 0". A leg has a second row for its arrival; then come the
obligations, and the tour's end (when its last meeting, signing or leg ends) as P50, P80
and P90 in local time.

Shares are over the runs in which the step happened (a rule may drop it); the standard
error of a share *p* of *n* runs is ``sqrt(p (1 - p) / n)``. Slips are rounded to whole
seconds, as delays are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

import attrs
from pendulum import DateTime

from itinerary import _records, _time
from itinerary._records import DURATION, FLOAT, INSTANT, LOCAL, STR, ZONE, Columns, category
from itinerary._table import Table
from itinerary._text import format_duration
from itinerary.sim.delays import elapsed_micros
from itinerary.sim.steps import STEP_KINDS, Fulfilment, Signing, Step, Travel

__all__ = [
    "INDENT",
    "RISK_COLUMNS",
    "TOUR_END_QUANTILES",
    "ReportRow",
    "RunEnds",
    "Study",
    "TourEnd",
    "blame",
    "quantile",
    "report_rows",
    "report_table",
    "risk_columns",
    "run_ends",
    "share",
    "standard_error",
    "to_minute",
    "tour_end",
]

TOUR_END_QUANTILES = (0.5, 0.8, 0.9)
"""The quantiles of the tour's end the report shows: P50, P80 and P90."""

_SECOND = 1_000_000

INDENT = "  "
"""How the report indents a leg's arrival row and the tour end's quantiles under their row."""


class Study(Protocol):
    """What the report reads of a study: :class:`~itinerary.sim.Outcomes` has all of it."""

    @property
    def runs(self) -> int: ...  # noqa: D102
    @property
    def seed(self) -> int: ...  # noqa: D102
    @property
    def steps(self) -> tuple[Step, ...]: ...  # noqa: D102
    def planned(self, name: str) -> DateTime: ...  # noqa: D102
    def planned_end(self, name: str) -> DateTime: ...  # noqa: D102
    def slips(self, name: str) -> tuple[int, ...]: ...  # noqa: D102
    def end_slips(self, name: str) -> tuple[int, ...]: ...  # noqa: D102
    def dropped(self, name: str) -> tuple[bool, ...]: ...  # noqa: D102
    def overdue(self, name: str) -> tuple[bool, ...]: ...  # noqa: D102
    def deadline_risks(self) -> dict[tuple[str, str], float]: ...  # noqa: D102
    def causes(self, name: str) -> tuple[str | None, ...]: ...  # noqa: D102
    def criticality(self, name: str) -> dict[str, float]: ...  # noqa: D102


@attrs.frozen
class ReportRow:
    """One row of the risk report: a step's start, a leg's arrival, or an obligation.

    *kind* is the step's kind, ``"arrival"`` for a leg's landing, ``"obligation"`` for an
    obligation (late: met after its deadline, or never). *planned* is the planned instant
    in the local time of its place (a leg's arrival: its destination's; an obligation: its
    due date where it was signed). The slips are over the late runs only (``None``: never
    late); *p_late_by* is ``None`` when the report was not asked for a ``late_by``.
    """

    name: str
    kind: str
    planned: DateTime
    p_late: float
    p_late_se: float
    median: timedelta | None
    p90: timedelta | None
    p99: timedelta | None
    p_dropped: float = 0.0
    p_late_by: float | None = None
    p_late_by_se: float | None = None


@attrs.frozen
class TourEnd:
    """When the tour's last meeting, signing or leg ends: planned, and at each quantile."""

    planned: DateTime
    p_late: float
    p_late_se: float
    quantiles: tuple[tuple[float, DateTime], ...]


def standard_error(p: float, n: int) -> float:
    """The standard error of a share *p* measured over *n* runs (NaN for none)."""
    if n <= 0 or math.isnan(p):
        return math.nan
    return math.sqrt(p * (1 - p) / n)


def quantile(ordered: Sequence[int], q: float) -> int:
    """The *q* quantile of the sorted *ordered*, interpolated linearly (as numpy's default)."""
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low))


def _seconds(us: int) -> timedelta:
    """*us* rounded half up to whole seconds, as the report shows and a DataFrame keeps it."""
    return timedelta(seconds=(us + _SECOND // 2) // _SECOND)


def _late(values: Sequence[int], limit: int = 0) -> tuple[float, float, list[int]]:
    """The share of *values* above *limit*, its standard error, and those values sorted."""
    late = sorted(v for v in values if v > limit)
    p = len(late) / len(values) if values else math.nan
    return p, standard_error(p, len(values)), late


def _tail(late: Sequence[int]) -> tuple[timedelta | None, timedelta | None, timedelta | None]:
    if not late:
        return None, None, None
    median, p90, p99 = (_seconds(quantile(late, q)) for q in (0.5, 0.9, 0.99))
    return median, p90, p99


def _row(
    name: str,
    kind: str,
    planned: DateTime,
    values: Sequence[int],
    *,
    runs: int,
    by: int | None,
    dropped: int,
) -> ReportRow:
    p, se, late = _late(values)
    p_by = se_by = None
    if by is not None:
        p_by, se_by, _ = _late(values, by)
    return ReportRow(
        name, kind, planned, p, se, *_tail(late), p_dropped=dropped / runs if runs else 0.0,
        p_late_by=p_by, p_late_by_se=se_by,
    )  # fmt: skip


def report_rows(study: Study, late_by: timedelta | None = None) -> list[ReportRow]:
    """The rows of the risk report, the steps' then the obligations'.

    Each meeting, signing and leg in the study's order (a leg, then its arrival), then each
    obligation of the plan's signings.

    Raises:
        InvalidPlanError: for a *late_by* that is not a non-negative duration.

    """
    by = None if late_by is None else elapsed_micros(late_by, what="report(late_by=...)")
    rows = []
    fulfilments: dict[tuple[str, str], Fulfilment] = {}
    signings = {s.title: s.name for s in study.steps if isinstance(s, Signing)}
    for step in study.steps:
        if isinstance(step, Fulfilment):
            fulfilments[(step.agreement, step.what)] = step
            continue
        gone = study.dropped(step.name)
        kept = [s for s, d in zip(study.slips(step.name), gone, strict=True) if not d]
        count = sum(gone)
        rows.append(
            _row(
                step.name,
                step.kind,
                study.planned(step.name),
                kept,
                runs=study.runs,
                by=by,
                dropped=count,
            )
        )
        if isinstance(step, Travel):
            ends = [s for s, d in zip(study.end_slips(step.name), gone, strict=True) if not d]
            landing = study.planned_end(step.name)
            rows.append(
                _row(step.name, "arrival", landing, ends, runs=study.runs, by=by, dropped=count)
            )
    for (agreement, what), risk in study.deadline_risks().items():
        found = fulfilments.get((agreement, what))
        name = f"{agreement}: {what}"
        if found is None:  # never met in the plan: late in every run (shown at its signing)
            signed = study.planned(signings[agreement])
            rows.append(ReportRow(name, "obligation", signed, risk, 0.0, None, None, None))
            continue
        overdue = study.overdue(found.name)
        late = sorted(s for s, o in zip(study.slips(found.name), overdue, strict=True) if o)
        se = standard_error(risk, study.runs)
        rows.append(
            ReportRow(name, "obligation", study.planned(found.name), risk, se, *_tail(late))
        )
    return rows


@attrs.frozen
class RunEnds:
    """When each run's last meeting, signing or leg ended, and which step that was.

    *ends* holds µs since the epoch, None for a run in which no such step happened;
    *last* the name of the step that ended last in each run (None likewise); *planned* the
    planned end of the tour, in the zone of the place where its planned last step ends.
    """

    ends: tuple[int | None, ...]
    last: tuple[str | None, ...]
    planned: DateTime
    planned_last: str


def run_ends(study: Study) -> RunEnds | None:
    """Each run's end: the latest end of the meetings, signings and legs that happened in it.

    None for a plan with no meeting, signing or leg.
    """
    steps = [s for s in study.steps if not isinstance(s, Fulfilment)]
    if not steps:
        return None
    planned = {s.name: study.planned_end(s.name) for s in steps}
    last = max(steps, key=lambda s: _time.micros(planned[s.name]))
    ends: list[int | None] = [None] * study.runs
    names: list[str | None] = [None] * study.runs
    for step in steps:
        base = _time.micros(planned[step.name])
        for r, (slip, gone) in enumerate(
            zip(study.end_slips(step.name), study.dropped(step.name), strict=True)
        ):
            if not gone:
                end = base + slip
                found = ends[r]
                if found is None or end > found:
                    ends[r], names[r] = end, step.name
    return RunEnds(tuple(ends), tuple(names), planned[last.name], last.name)


def tour_end(study: Study) -> TourEnd | None:
    """When the tour's last meeting, signing or leg ends, over the runs (None: no such step).

    The end of each run is the latest end of the steps that happened in it; times are shown
    in the zone of the place where the planned last step ends, rounded to the minute.
    """
    found = run_ends(study)
    if found is None:
        return None
    zone = _time.zone_name(found.planned) or "UTC"
    ordered = sorted(e for e in found.ends if e is not None)
    planned_us = _time.micros(found.planned)
    if not ordered:
        return TourEnd(found.planned, math.nan, math.nan, ())
    p, se, _ = _late([e - planned_us for e in ordered])
    marks = tuple(
        (q, _time.from_micros(to_minute(quantile(ordered, q)), zone)) for q in TOUR_END_QUANTILES
    )
    return TourEnd(found.planned, p, se, marks)


def blame(study: Study, step: str | None = None) -> dict[str, float]:
    """What made *step* start late, or the tour end late (None): name -> share of runs.

    For a step, :meth:`~itinerary.sim.Outcomes.criticality`: the shares sum to its
    ``p_late``. For the tour's end, each run that ended after the planned end blames the
    step that ended last if it overran by more than it started late (its own overrun), else
    that step's cause (:meth:`~itinerary.sim.Outcomes.causes`); the shares sum to the share
    of runs that ended late (:func:`tour_end`'s ``p_late``). Names are whatever the study
    blames (steps today; risks or resources too, if it names them). Largest share first.
    """
    if step is not None:
        return dict(study.criticality(step))
    found = run_ends(study)
    if found is None:
        return {}
    planned_us = _time.micros(found.planned)
    counts: dict[str, int] = {}
    columns: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[str | None, ...]]] = {}
    happened = 0
    for r, (end, name) in enumerate(zip(found.ends, found.last, strict=True)):
        if end is None or name is None:
            continue
        happened += 1
        if end <= planned_us:
            continue
        if name not in columns:
            columns[name] = (study.slips(name), study.end_slips(name), study.causes(name))
        starts, ends, causes = columns[name]
        late_start, overran = starts[r], ends[r] - starts[r]
        culprit = name if overran > max(late_start, 0) or late_start <= 0 else causes[r] or name
        counts[culprit] = counts.get(culprit, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {name: count / happened for name, count in ranked}


def to_minute(us: int) -> int:
    """*us* rounded half up to a whole minute (since the epoch): the tour's end as shown."""
    minute = 60 * _SECOND
    return (us + minute // 2) // minute * minute


def share(p: float, se: float | None = None) -> str:
    """A share of runs for a table: ``2.0% ± 0.1%``; ``dropped`` for NaN (it never happened)."""
    if math.isnan(p):
        return "dropped"
    if se is None or math.isnan(se):
        return f"{p:.1%}"
    return f"{p:.1%} ± {se:.1%}"


def _clock(at: datetime) -> str:
    """``11:00 +09:00 Asia/Seoul``: a local time with its offset and zone, no date."""
    seconds = f":{at:%S}" if at.second else ""
    return f"{at:%H:%M}{seconds} {_time.format_offset(at)} {_time.zone_name(at) or 'UTC'}"


def report_table(study: Study, late_by: timedelta | None = None) -> Table:
    """The risk report as a :class:`~itinerary.display.Table` (text, HTML and the CLI's).

    Columns: the step, its kind, the local day (shown where it changes), the planned local
    time with offset and zone, the share of runs late ``± its standard error`` (and late by
    more than *late_by*, if given), the median, p90 and p99 slip in the late runs, and the
    share of runs a rule dropped it (only when some step was ever dropped). Then the
    obligations, and the tour's end: its planned time, the share of runs it ended late, and
    its P50, P80 and P90 in local time (to the minute).
    """
    rows = report_rows(study, late_by)
    end = tour_end(study)
    dropping = any(r.p_dropped > 0 for r in rows)
    headers = ["step", "kind", "day", "planned (local)", "late"]
    if late_by is not None:
        headers.append(f"late > {format_duration(late_by)}")
    headers += ["if late: median", "p90", "p99"]
    if dropping:
        headers.append("dropped")
    cells: list[list[str]] = []
    shown_day = None

    def day(at: datetime) -> str:
        nonlocal shown_day
        text = f"{at:%a %Y-%m-%d}"
        if text == shown_day:
            return ""
        shown_day = text
        return text

    def slip(value: timedelta | None) -> str:
        return "" if value is None else format_duration(value)

    for r in rows:
        line = [
            f"{INDENT}arrival" if r.kind == "arrival" else r.name,
            "" if r.kind == "arrival" else r.kind,
            day(r.planned),
            _clock(r.planned),
            share(r.p_late, r.p_late_se),
        ]
        if late_by is not None:
            line.append("" if r.p_late_by is None else share(r.p_late_by, r.p_late_by_se))
        line += [slip(r.median), slip(r.p90), slip(r.p99)]
        if dropping:
            line.append(f"{r.p_dropped:.1%}" if r.p_dropped else "")
        cells.append(line)
    if end is not None:
        blank = [""] * (len(headers) - 5)
        cells.append(["tour ends", "end", day(end.planned), _clock(end.planned),
                      share(end.p_late, end.p_late_se), *blank])  # fmt: skip
        for q, at in end.quantiles:
            cells.append([f"{INDENT}P{round(q * 100)}", "", day(at), _clock(at), "", *blank])
    title = f"Risk report: {study.runs:,} runs, seed {study.seed}; slips over the late runs"
    right = [4, *range(5, len(headers))]
    return Table(title, tuple(headers), cells, right=tuple(right))


RISK_COLUMNS = {
    "step": category("step"), "kind": category("step_kind"), "planned": INSTANT,
    "local": LOCAL, "offset": STR, "zone": ZONE, "p_late": FLOAT, "p_late_se": FLOAT,
    "late_median": DURATION, "late_p90": DURATION, "late_p99": DURATION,
    "arrival_p_late": FLOAT, "arrival_p_late_se": FLOAT, "arrival_late_median": DURATION,
    "arrival_late_p90": DURATION, "arrival_late_p99": DURATION, "p_dropped": FLOAT,
}  # fmt: skip
"""The columns of a study's ``"risks"`` table: the report's step rows, a leg's arrival beside it.

``late_median``, ``late_p90`` and ``late_p99`` are over the late runs (NaT: never late),
rounded to whole seconds; ``arrival_*`` are a leg's (None: NaN and NaT in a DataFrame, for
other steps).
"""


def risk_columns(study: Study) -> Columns:
    """The report's step rows as columns (see :data:`RISK_COLUMNS`), for ``to_pandas("risks")``."""
    names = tuple(step.name for step in study.steps)
    table = Columns.empty(RISK_COLUMNS, {"step": names, "step_kind": STEP_KINDS})
    rows = [r for r in report_rows(study) if r.kind != "obligation"]
    for k, row in enumerate(rows):
        if row.kind == "arrival":
            continue
        landing = rows[k + 1] if row.kind == "travel" else None
        local = row.planned
        table.add(
            {
                "step": row.name, "kind": row.kind, "planned": _records.utc(local),
                "local": local, "offset": _time.format_offset(local),
                "zone": _time.zone_name(local), "p_late": row.p_late, "p_late_se": row.p_late_se,
                "late_median": row.median, "late_p90": row.p90, "late_p99": row.p99,
                "arrival_p_late": None if landing is None else landing.p_late,
                "arrival_p_late_se": None if landing is None else landing.p_late_se,
                "arrival_late_median": None if landing is None else landing.median,
                "arrival_late_p90": None if landing is None else landing.p90,
                "arrival_late_p99": None if landing is None else landing.p99,
                "p_dropped": row.p_dropped,
            }
        )  # fmt: skip
    return table
