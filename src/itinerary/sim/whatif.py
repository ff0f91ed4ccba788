"""What-ifs: a plan changed by a few edits, and its risks set beside the plan's, run for run.

A :class:`WhatIf` is a list of edits (a fixed delay on a step, a new start, a step taken
out); :meth:`WhatIf.apply` makes the changed :class:`~itinerary.sim.Plan`. :func:`compare`
sets two studies of the same runs and seed side by side: since every draw is keyed by
(run seed, step name), run *i* of both studies draws the same delays for every step the
edits left alone (common random numbers), so the difference in a step's chance of being
late is measured run by run, with a paired standard error far smaller than the two
studies' own. What ``itinerary simulate --delay/--move/--without`` prints.

>>> import pendulum
>>> from itinerary.places import TOKYO
>>> from itinerary.sim import Disruptions, Meeting, Plan, monte_carlo
>>> plan = Plan([Meeting("Summit", "A", TOKYO, TOKYO.at("2025-10-28 10:00"),
...                      pendulum.duration(hours=1))])
>>> changed = WhatIf(delays=(("Summit", pendulum.duration(hours=2)),)).apply(plan)
>>> changed["Summit"].delay == Delay.fixed(pendulum.duration(hours=2))
True
>>> parse_elapsed("1 h 05 min", where="--late-by")
Duration(hours=1, minutes=5)
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
from pendulum import DateTime, Duration

from itinerary import _time
from itinerary._table import Table, render_html
from itinerary.errors import InvalidPlanError, UnknownZoneError
from itinerary.events import format_local
from itinerary.places import zone_of
from itinerary.sim.delays import Delay, elapsed_micros, format_micros
from itinerary.sim.plan import Plan
from itinerary.sim.steps import Fulfilment, Step, start_place, with_start

if TYPE_CHECKING:
    from itinerary.sim.monte_carlo import Outcomes

__all__ = [
    "Comparison", "Difference", "WhatIf", "compare", "parse_delay", "parse_elapsed", "parse_move",
    "parse_start", "step_named",
]  # fmt: skip

_UNITS = {
    "w": 7 * 86_400, "week": 7 * 86_400, "weeks": 7 * 86_400,
    "d": 86_400, "day": 86_400, "days": 86_400,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
}  # fmt: skip
_PART = re.compile(r"\s*([0-9]{1,9})\s*([a-z]+)\s*", re.ASCII)
_ZERO = Duration()
_CENTURY_SECONDS = 100 * 366 * 86_400
_ELAPSED_FORMS = "'2h', '30m', '1h30m', '1 h 05 min', '2 days' or ISO 8601 'PT2H'"


def parse_elapsed(text: object, *, where: str) -> Duration:
    """An elapsed time written for people: ``2h``, ``30m``, ``1h30m``, ``1 h 05 min``, ``PT2H``.

    Whole numbers of weeks, days (24 hours), hours, minutes and seconds, in any order, each
    once; or an ISO 8601 duration of elapsed time. Raises :class:`InvalidPlanError` starting
    with *where* (the option or field it came from) for anything else.

    >>> parse_elapsed("2h", where="--delay"), parse_elapsed("PT45M", where="--delay")
    (Duration(hours=2), Duration(minutes=45))
    """
    if not isinstance(text, str):
        raise InvalidPlanError(
            f"{where}: expected a duration such as {_ELAPSED_FORMS}, got {text!r}"
        )
    written = text.strip()
    if written.startswith("P"):
        us = _time.iso_elapsed_micros(written)
        if us is None:
            raise InvalidPlanError(
                f"{where}: {written!r} is not an ISO 8601 duration of elapsed time (weeks, "
                "days, hours, minutes, seconds; at most a century)"
            )
        return Duration(microseconds=us)
    seconds, seen, at = 0, set(), 0
    lowered = written.lower()
    while at < len(lowered):
        match = _PART.match(lowered, at)
        unit = None if match is None else _UNITS.get(match[2])
        if match is None or unit is None or unit in seen:
            raise InvalidPlanError(
                f"{where}: {written!r} is not a duration; write {_ELAPSED_FORMS}"
            )
        seen.add(unit)
        seconds += int(match[1]) * unit
        at = match.end()
    if not seen:
        raise InvalidPlanError(f"{where}: {written!r} is not a duration; write {_ELAPSED_FORMS}")
    if seconds > _CENTURY_SECONDS:  # before pendulum, which cannot hold such a number
        raise InvalidPlanError(f"{where}: {written!r} is longer than a century")
    elapsed = Duration(seconds=seconds)
    elapsed_micros(elapsed, what=f"{where}: {written!r}")  # at most a century
    return elapsed


def step_named(plan: Plan, name: str, *, where: str) -> Step:
    """The step of *plan* called *name*, or :class:`InvalidPlanError` suggesting near names."""
    if name in plan:
        return plan[name]
    near = [n for n in plan.names if name.strip() and name.strip().lower() in n.lower()]
    near += difflib.get_close_matches(name, plan.names, n=3, cutoff=0.5)
    hint = ", ".join(map(repr, dict.fromkeys(near)))
    raise InvalidPlanError(
        f"{where}: no step called {name!r} in the plan"
        + (
            f"; did you mean {hint}?"
            if hint
            else f"; its steps are: {', '.join(map(repr, plan.names))}"
        )
    )


def parse_start(
    plan: Plan,
    name: str,
    text: str,
    *,
    where: str,
    disambiguate: _time.Disambiguate = "raise",
    how_to_choose: str | None = None,
) -> DateTime:
    """The instant *text* names as a new start for the step *name*: a wall time in its place.

    ``"2025-10-30 09:00"`` is read in the step's place (a leg's origin); an offset after
    it (``"2025-11-02 01:30-05:00"``) chooses in a fold, and a zone or place after it
    (``"2025-10-30 09:00 Asia/Tokyo"``) is used instead of the step's. A wall time the
    clocks there skipped or showed twice is refused unless *disambiguate* says which
    instant is meant (*how_to_choose* replaces the advice the error ends with).
    """
    step = step_named(plan, name, where=where)
    place = start_place(step)
    if place is None:
        raise InvalidPlanError(
            f"{where}: {name!r} is an obligation met a time after its signing; it has no "
            "start of its own to move (move the signing, or give it a --delay)"
        )
    parsed = _time.parse_time_text(text, where=where)
    try:
        tz = place.tz if parsed.zone is None else zone_of(parsed.zone)
    except UnknownZoneError as exc:
        raise InvalidPlanError(f"{where}: {exc}") from None
    return _time.resolve(
        parsed.wall, tz, disambiguate=disambiguate, where=where, how_to_choose=how_to_choose,
        offset=parsed.offset,
    )  # fmt: skip


def _split(text: object, *, where: str, value: str) -> tuple[str, str]:
    """``"NAME=VALUE"`` as its two halves (split at the last ``=``: a step's name may hold one)."""
    name, equals, written = text.rpartition("=") if isinstance(text, str) else ("", "", "")
    if not equals or not name.strip() or not written.strip():
        raise InvalidPlanError(f"{where}: expected NAME={value}, a step's name and {value.lower()}")
    return name.strip(), written.strip()


def parse_delay(plan: Plan, text: str, *, where: str) -> tuple[str, Duration]:
    """``"NAME=2h"``: a step of *plan* and a fixed delay for it (see :class:`WhatIf`)."""
    name, written = _split(text, where=where, value="DURATION")
    step_named(plan, name, where=where)
    return name, parse_elapsed(written, where=where)


def parse_move(
    plan: Plan,
    text: str,
    *,
    where: str,
    disambiguate: _time.Disambiguate = "raise",
    how_to_choose: str | None = None,
) -> tuple[str, DateTime]:
    """``"NAME=2025-10-30 09:00"``: a step of *plan* and its new start (see :func:`parse_start`)."""
    name, written = _split(text, where=where, value="'YYYY-MM-DD HH:MM'")
    start = parse_start(plan, name, written, where=where, disambiguate=disambiguate,
                        how_to_choose=how_to_choose)  # fmt: skip
    return name, start


def _pairs(value: object) -> tuple[tuple[str, object], ...]:
    if isinstance(value, dict):
        value = tuple(value.items())
    if isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # the validator names what is wrong
    return tuple(tuple(pair) if isinstance(pair, tuple | list) else pair for pair in value)


def _names(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) else value


def _check(instance: WhatIf, attribute: attrs.Attribute[Any], value: object) -> None:
    what = attribute.name
    if not isinstance(value, tuple):
        raise InvalidPlanError(f"WhatIf.{what} must be a list, got {value!r}")
    for item in value:
        name = (
            item
            if what == "without"
            else (item[0] if isinstance(item, tuple) and len(item) == 2 else None)
        )
        if not isinstance(name, str):
            raise InvalidPlanError(
                f"WhatIf.{what}: expected (step name, value) pairs, got {item!r}"
            )
        if what == "delays":
            elapsed_micros(item[1], what=f"WhatIf.delays: {name!r}")
        if what == "moves":
            _time.instant(item[1], what=f"WhatIf.moves: {name!r}")


@attrs.frozen
class WhatIf:
    """Edits to a plan, applied in this order: steps taken out, moved, then delayed.

    Args:
        delays: ``(step name, duration)`` pairs: the step's own delay becomes exactly that
            (``Delay.fixed``), in place of its draw. A leg departs that late (a cancellation
            still adds its rebooking), a signing is signed that late, an obligation is met
            that late after its signing, and a meeting, whose own delay is its overrun,
            lasts that much longer (to make a meeting start later, move it).
        moves: ``(step name, instant)`` pairs: the step's new planned start (see
            ``itinerary.sim.whatif.parse_start`` for a wall time in the step's place). Its
            slips then count from the new time.
        without: Names of steps taken out of the plan.

    Each edit keeps the step's name, so every step draws the same delays as in the plan.
    A step named twice, or one both taken out and changed, is refused.

    """

    delays: tuple[tuple[str, timedelta], ...] = attrs.field(
        default=(), converter=_pairs, validator=_check
    )
    moves: tuple[tuple[str, datetime], ...] = attrs.field(
        default=(), converter=_pairs, validator=_check
    )
    without: tuple[str, ...] = attrs.field(default=(), converter=_names, validator=_check)

    def __attrs_post_init__(self) -> None:
        seen: dict[str, str] = {}
        edits = [*(("without", n) for n in self.without), *(("move", n) for n, _ in self.moves),
                 *(("delay", n) for n, _ in self.delays)]  # fmt: skip
        for edit, name in edits:
            if name in seen:
                raise InvalidPlanError(
                    f"{name!r} is given twice ({seen[name]} and {edit}); one edit a step"
                )
            seen[name] = edit

    def __bool__(self) -> bool:
        return bool(self.delays or self.moves or self.without)

    def apply(self, plan: Plan) -> Plan:
        """The plan with these edits; :class:`InvalidPlanError` naming the edit that breaks it."""
        if not isinstance(plan, Plan):
            raise InvalidPlanError(f"WhatIf.apply() needs a Plan, got {type(plan).__name__}")
        changed = plan
        for name in self.without:
            changed = _edited(changed, f"without {name!r}", name, None)
        for name, instant in self.moves:
            step = step_named(plan, name, where=f"move {name!r}")
            if isinstance(step, Fulfilment):
                raise InvalidPlanError(
                    f"move {name!r}: an obligation met has no start of its own to move"
                )
            moved = with_start(step, instant)
            changed = _edited(changed, f"with {name!r} moved", name, moved)
        for name, delay in self.delays:
            step = step_named(plan, name, where=f"delay {name!r}")
            fixed = attrs.evolve(step, delay=Delay.fixed(delay))
            changed = _edited(changed, f"with {name!r} delayed", name, fixed)
        return changed

    def notes(self, plan: Plan) -> dict[str, str]:
        """What each edited step of *plan* shows.

        ``removed``, ``moved to 2025-10-30 09:00 +09:00`` (in its place), ``delay`` and the
        duration.
        """
        found = dict.fromkeys(self.without, "removed")
        for name, instant in self.moves:
            found[name] = (
                f"moved to {format_local(instant, start_place(step_named(plan, name, where=name)))}"
            )
        for name, delay in self.delays:
            found[name] = f"delay {format_micros(elapsed_micros(delay, what=name))}"
        return found


def _edited(plan: Plan, edit: str, name: str, step: Step | None) -> Plan:
    """*plan* without the step *name* (*step* None) or with *step* in its place."""
    step_named(plan, name, where=edit)
    try:
        return plan.without(name) if step is None else plan.replace(name, step)
    except InvalidPlanError as exc:
        raise InvalidPlanError(f"the plan cannot happen {edit}: {exc}") from None


@attrs.frozen
class Difference:
    """One row of a :class:`Comparison`: a step's chance of being late in both studies.

    ``p_late`` and ``p_late_if`` are over the runs in which the step happened (NaN where
    it never did, or was taken out); ``se`` and ``se_if`` their standard errors;
    ``difference`` is ``p_late_if - p_late`` and ``se_difference`` its paired standard
    error (zero when the two studies agree run for run).
    """

    name: str
    kind: str
    note: str
    p_late: float
    se: float
    p_late_if: float
    se_if: float
    difference: float
    se_difference: float


def _influence(late: Sequence[bool], happened: Sequence[bool]) -> tuple[float, list[float]]:
    """The share late over the runs that happened, and each run's influence on it.

    The share is a ratio of two means; its linearisation ``(late - p * happened) / mean
    happened`` (the delta method) has mean zero and variance ``n`` times the share's.
    """
    n, kept = len(late), sum(happened)
    if not kept:
        return math.nan, [0.0] * n
    p = sum(late) / kept
    mean = kept / n
    return p, [(float(x) - p * float(h)) / mean for x, h in zip(late, happened, strict=True)]


def _se(values: Sequence[float]) -> float:
    n = len(values)
    if n < 2:
        return math.nan
    mean = math.fsum(values) / n
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1) / n)


def _lateness(outcomes: Outcomes, name: str, limit: int) -> tuple[list[bool], list[bool]]:
    slips, dropped = outcomes.slips(name), outcomes.dropped(name)
    return [s > limit and not d for s, d in zip(slips, dropped, strict=True)], [
        not d for d in dropped
    ]


@attrs.frozen(repr=False)
class Comparison:
    """A plan's study and a what-if's, on the same runs and seed, step by step.

    Build it with :func:`compare`. ``rows`` holds a :class:`Difference` per step of the
    plan (meetings, signings, legs, in the plan's study order); ``deadlines`` one per
    obligation, the chance it is met late or never. ``str()`` and ``_repr_html_`` show them.
    """

    runs: int
    seed: int
    late_by: Duration
    changed: bool
    rows: tuple[Difference, ...]
    deadlines: tuple[Difference, ...]

    def __repr__(self) -> str:
        return f"<Comparison: {len(self.rows)} steps, {self.runs} runs, seed={self.seed}>"

    def tables(self) -> tuple[Table, ...]:
        """The steps' table and the obligations': what ``itinerary simulate`` prints."""
        late = (
            "late"
            if not self.late_by
            else f"late by more than {format_micros(elapsed_micros(self.late_by, what='late_by'))}"
        )
        title = f"{self.runs:,} runs, seed {self.seed}: share of runs {late}"
        if not self.changed:
            steps = Table(title, ("step", "kind", "plan"),
                          [(r.name, r.kind, _share(r.p_late, r.se)) for r in self.rows],
                          right=(2,))  # fmt: skip
            return (steps,)
        title += ", the plan and the what-if on the same draws"
        headers = ("step", "change", "plan", "what-if", "difference")
        steps = Table(title, headers, [(r.name, *_row(r)[2:]) for r in self.rows],
                      right=(2, 3, 4))  # fmt: skip
        if not self.deadlines:
            return (steps,)
        deadlines = Table(
            "Obligations: share of runs met late or never",
            ("obligation", "agreement", "change", "plan", "what-if", "difference"),
            [_row(r) for r in self.deadlines],
            right=(3, 4, 5),
        )
        return steps, deadlines

    def __str__(self) -> str:
        return "\n\n".join(t.text(upper=False, indent="", rule=True) for t in self.tables())

    def _repr_html_(self) -> str:
        return render_html(self.tables())


def _share(p: float, se: float) -> str:
    if math.isnan(p):
        return "never"
    return f"{p:.1%} ± {se:.1%}" if not math.isnan(se) else f"{p:.1%}"


def _row(r: Difference) -> tuple[str, ...]:
    if math.isnan(r.p_late) or math.isnan(r.p_late_if):
        difference = ""
    else:
        difference = f"{r.difference:+.1%} ± {r.se_difference:.1%}"
    other = "removed" if r.note == "removed" else _share(r.p_late_if, r.se_if)
    return (r.name, r.kind, r.note, _share(r.p_late, r.se), other, difference)


def compare(
    plan: Outcomes,
    what_if: Outcomes,
    *,
    late_by: timedelta = _ZERO,
    edits: WhatIf | None = None,
) -> Comparison:
    """Each step's chance of starting more than *late_by* late, in *plan* and in *what_if*.

    Both studies must have the same number of runs and the same seed (and the same
    ``given``/``after``, if any), so that run *i* of each draws the same delays: the
    difference is then paired, run by run, and its standard error is that of the mean of
    the per-run differences (zero if nothing changed). A step taken out of the what-if
    shows as ``removed``; *edits* (the :class:`WhatIf` that made it) labels the edited
    steps. Comparing a study with itself gives one column, the plan's shares and their
    standard errors.

    Raises:
        InvalidPlanError: for studies of different runs or seeds, or a negative *late_by*.

    """
    from itinerary.sim.monte_carlo import Outcomes  # noqa: PLC0415 - it imports this module's users

    if not isinstance(plan, Outcomes) or not isinstance(what_if, Outcomes):
        raise InvalidPlanError("compare() needs two Outcomes (from monte_carlo)")
    if (plan.runs, plan.seed) != (what_if.runs, what_if.seed):
        raise InvalidPlanError(
            f"compare() needs studies of the same runs and seed (common random numbers), got "
            f"{plan.runs} runs seed {plan.seed} and {what_if.runs} runs seed {what_if.seed}"
        )
    limit = elapsed_micros(late_by, what="compare(late_by=...)")
    notes = {} if edits is None else edits.notes(plan.plan)
    other = {step.name for step in what_if.steps}
    rows = []
    for step in plan.steps:
        if isinstance(step, Fulfilment):
            continue
        base = _influence(*_lateness(plan, step.name, limit))
        if step.name in other:
            changed = _influence(*_lateness(what_if, step.name, limit))
        else:
            changed = (math.nan, [0.0] * plan.runs)
        rows.append(_difference(step.name, step.kind, notes.get(step.name, ""), base, changed))
    deadlines = [
        _difference(what, agreement, notes.get(name or "", ""), _overdue(plan, key),
                    _overdue(what_if, key))
        for key, name in _obligations(plan)
        for agreement, what in (key,)
    ]  # fmt: skip
    return Comparison(plan.runs, plan.seed, Duration(microseconds=limit),
                      plan is not what_if, tuple(rows), tuple(deadlines))  # fmt: skip


def _difference(
    name: str, kind: str, note: str,
    base: tuple[float, list[float]], changed: tuple[float, list[float]],
) -> Difference:  # fmt: skip
    (p, z), (q, w) = base, changed
    paired = [b - a for a, b in zip(z, w, strict=True)]
    return Difference(name, kind, note, p, _se(z), q, _se(w), q - p, _se(paired))


def _obligations(outcomes: Outcomes) -> list[tuple[tuple[str, str], str | None]]:
    """Each obligation of the study's signings, and the fulfilment step that meets it, if any."""
    met = {(s.agreement, s.what): s.name for s in outcomes.steps if isinstance(s, Fulfilment)}
    return [(key, met.get(key)) for key in outcomes.deadline_risks()]


def _overdue(outcomes: Outcomes, key: tuple[str, str]) -> tuple[float, list[float]]:
    """The share of runs in which an obligation was met late or never, and each run's part."""
    for step in outcomes.steps:
        if isinstance(step, Fulfilment) and (step.agreement, step.what) == key:
            return _influence(outcomes.overdue(step.name), [True] * outcomes.runs)
    if key in outcomes.deadline_risks():  # the plan never meets it
        return _influence([True] * outcomes.runs, [True] * outcomes.runs)
    return math.nan, [0.0] * outcomes.runs  # its signing was taken out
