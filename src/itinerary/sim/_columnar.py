"""The engine over arrays: a chunk of Monte Carlo runs at once, when numpy is installed.

:meth:`Program.execute <itinerary.sim.engine.Program.execute>` folds one run over a
plan's steps; here the fold runs once per step over a vector of every run of the chunk,
with the same rules and the same draws, so it gives the same integers:

- SplitMix64 on ``uint64`` arrays (wrapping multiplication is the ``& _MASK`` of
  :func:`itinerary.sim._random._mix`), and uniforms ``((z >> 11) + 0.5) / 2**53``, which
  are exact in ``float64`` either way;
- the transforms of a delay (``log``, ``exp``, ``NormalDist.inv_cdf``, ``round``) run on
  arrays too; numpy's ``log`` and ``exp`` may differ from ``math``'s in the last bit, which
  only matters for a draw on a half second (it could round the other way), so the few draws
  that near one are drawn again with :meth:`Delay.sample <itinerary.sim.Delay.sample>`
  itself: every delay is its to the microsecond;
- ``np.maximum``-style selections with ``np.where`` in the order of ``execute`` (the first
  person free latest is the one whose cause is kept), on ``int64`` microseconds.

Rules run here too. A step's window and curfews depend on the instant it is ready alone,
so they are walked once per distinct ready instant of the chunk with the scalar engine's
own :meth:`Program.hold <itinerary.sim.engine.Program.hold>` (as a fulfilment's times are
found with :meth:`~itinerary.sim.engine.Program.met_and_due`); rest is a per-person
instant taken as a maximum before it, and drops are masks: a dropped step keeps its
planned times, and nobody waits for it.

Plans whose durations or delays could overflow ``int64`` (centuries of delay), and runs
whose rules fail (no instant fits them all, or the calendar's end), are left to the scalar
engine, which names the run: :func:`chunk` returns ``None`` for them, and when numpy is
missing.
"""

from __future__ import annotations

import functools
from array import array
from datetime import timedelta
from math import erfc, exp, log
from typing import Any

from itinerary import _time
from itinerary.errors import ItineraryError
from itinerary.sim._random import _GOLDEN, _MASK, BELOW_ONE, TWO_TO_53, _mix
from itinerary.sim.delays import _SECOND, _SQRT_HALF, _TINIEST, LONGEST_DRAW, Delay, _inv_cdf
from itinerary.sim.engine import (
    _CANCEL_SLOT,
    _NEVER,
    _NORMAL_SLOT,
    _RISK_SLOT,
    FULFILMENT,
    MEETING,
    TRAVEL,
    Op,
    Program,
)
from itinerary.sim.rules import local_day, occurrence

__all__ = ["chunk", "numpy"]

_Columns = tuple[
    tuple["array[int]", ...],
    tuple["array[int]", ...],
    tuple["array[int]", ...],
    tuple["array[int]", ...],
    tuple["array[int]", ...],
    tuple["array[int]", ...],
    tuple["array[int]", ...],
]


class _TooLargeError(Exception):
    """A value the int64 arithmetic could overflow on: the scalar engine takes the chunk."""


@functools.cache
def numpy() -> Any:
    """The numpy module, or None if it is not installed."""
    try:
        import numpy as np  # noqa: PLC0415 - an optional extra, imported when first used
    except ImportError:  # pragma: no cover - the test and bench extras install it
        return None
    return np


def _mix_array(np: Any, z: Any) -> Any:
    """SplitMix64's finaliser on each of *z* (``uint64``), in place on one new array."""
    z = z + np.uint64(_GOLDEN)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _unit_array(np: Any, h: Any, slot: int) -> Any:
    z = _mix_array(np, h ^ np.uint64(slot))
    z >>= np.uint64(11)
    u = z.astype(np.float64)
    u += 0.5
    u /= TWO_TO_53
    np.minimum(u, BELOW_ONE, out=u)  # the top draw rounds to 1.0: _random.unit's below it
    return u  # _random.unit's draw


def _sample(np: Any, delay: Delay, h: Any, limit: int, slot: int = 0) -> Any:
    """``delay.sample(h, slot)`` for every stream of *h*: int64 microseconds.

    The transform runs on arrays (:func:`_transformed`); the few draws it cannot round
    for certain are drawn again with :meth:`Delay.sample`, so every value is its to the
    microsecond.
    """
    runs = len(h)
    kind, params = delay.kind, delay.params
    if delay.is_none:  # as sample() finds it: no draw, no delay
        return np.zeros(runs, dtype=np.int64)
    if kind == "fixed":
        if params[0] > limit:
            raise _TooLargeError
        return np.full(runs, int(params[0]), dtype=np.int64)
    drawn = np.ones(runs, dtype=bool)
    if delay.p < 1.0:
        drawn = _unit_array(np, h, slot) < delay.p
    where = np.flatnonzero(drawn)
    out = np.zeros(runs, dtype=np.int64)
    if not len(where):
        return out
    streams = h[where]
    u = _unit_array(np, streams, slot + 1)
    if kind == "empirical":
        table = np.array([int(x) for x in params], dtype=np.int64)
        values = table[(u * len(params)).astype(np.int64)]  # int(u * len), as sample() indexes
    elif len(where) < _FEW:  # numpy's cost per call outweighs a few draws: math's, as sample()
        values = np.array(_transformed_one_by_one(delay, u.tolist()), dtype=np.int64)
    else:
        values, doubt = _transformed(np, delay, u)
        for k in np.flatnonzero(doubt).tolist():  # on a half second: math's transform decides
            values[k] = delay.sample(int(streams[k]), slot)
    if int(values.max()) > limit:
        raise _TooLargeError
    out[where] = values
    return out


_FEW = 96  # fewer draws or signings than this are transformed one by one: it costs less

_DOUBT = 1e-11
"""How far, relative to a draw in seconds, numpy's transform may be from ``math``'s.

``np.log`` and ``np.exp`` are within 4 units in the last place (ulps, 2**-52 relative) of
the C library's ``math.log`` and ``math.exp``, and :func:`_inv_cdf_array` within a few of
``NormalDist.inv_cdf`` (the same polynomials); a log-normal's ``exp`` magnifies its
normal's error by ``sigma * |z| < 170``: under 4e-13 in all, 25 times less than this.
"""

_CAP = LONGEST_DRAW // _SECOND  # a century in whole seconds: LONGEST_DRAW is a whole second


def _transformed(np: Any, delay: Delay, u: Any) -> tuple[Any, Any]:
    """An exponential or log-normal draw at each uniform of *u*, on arrays: (µs, in doubt).

    The values are rounded to whole seconds and cut at a century as :meth:`Delay.sample`
    rounds and cuts them; *in doubt* marks the draws within :data:`_DOUBT` of a half
    second (which ``round`` might take the other way on ``math``'s value) or of the cut,
    and any that is not a finite number (``math.exp`` raises there: redone, it raises).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if delay.kind == "exponential":
            seconds = -delay.params[0] * np.log(u) / _SECOND
        else:
            median, sigma = delay.params
            seconds = median * np.exp(sigma * _inv_cdf_array(np, u)) / _SECOND
        values, doubt = _rounded(np, seconds)
    doubt |= ~np.isfinite(seconds)
    return values, doubt


def _rounded(np: Any, seconds: Any) -> tuple[Any, Any]:
    """Draws in seconds rounded to whole ones and cut at a century: (µs, in doubt)."""
    slack = _DOUBT * np.maximum(seconds, 1.0)
    doubt = (np.abs(seconds - np.floor(seconds) - 0.5) <= slack) & (seconds < 2 * _CAP)
    doubt |= np.abs(seconds - _CAP) <= _DOUBT * _CAP + 1.0  # past the cut, whatever the bits
    whole = np.minimum(np.rint(seconds), _CAP)  # rint: half to even, as round() on a float
    return whole.astype(np.int64) * _SECOND, doubt


def _transformed_one_by_one(delay: Delay, us: list[float]) -> list[int]:
    """:meth:`Delay.sample`'s transform of each uniform of *us*, in Python: its every bit."""
    if delay.kind == "exponential":
        scale = -delay.params[0]
        return [min(round(scale * log(u) / _SECOND) * _SECOND, LONGEST_DRAW) for u in us]
    median, sigma = delay.params
    return [
        min(round(median * exp(sigma * _inv_cdf(u)) / _SECOND) * _SECOND, LONGEST_DRAW) for u in us
    ]


# Wichura's AS241 coefficients, as statistics.NormalDist.inv_cdf evaluates them (highest first).
_CENTRAL = (
    (2.5090809287301226727e3, 3.3430575583588128105e4, 6.7265770927008700853e4,
     4.5921953931549871457e4, 1.3731693765509461125e4, 1.9715909503065514427e3,
     1.3314166789178437745e2, 3.3871328727963666080e0),
    (5.2264952788528545610e3, 2.8729085735721942674e4, 3.9307895800092710610e4,
     2.1213794301586595867e4, 5.3941960214247511077e3, 6.8718700749205790830e2,
     4.2313330701600911252e1, 1.0),
)  # fmt: skip
_NEAR = (
    (7.74545014278341407640e-4, 2.27238449892691845833e-2, 2.41780725177450611770e-1,
     1.27045825245236838258e0, 3.64784832476320460504e0, 5.76949722146069140550e0,
     4.63033784615654529590e0, 1.42343711074968357734e0),
    (1.05075007164441684324e-9, 5.47593808499534494600e-4, 1.51986665636164571966e-2,
     1.48103976427480074590e-1, 6.89767334985100004550e-1, 1.67638483018380384940e0,
     2.05319162663775882187e0, 1.0),
)  # fmt: skip
_FAR = (
    (2.01033439929228813265e-7, 2.71155556874348757815e-5, 1.24266094738807843860e-3,
     2.65321895265761230930e-2, 2.96560571828504891230e-1, 1.78482653991729133580e0,
     5.46378491116411436990e0, 6.65790464350110377720e0),
    (2.04426310338993978564e-15, 1.42151175831644588870e-7, 1.84631831751005468180e-5,
     7.86869131145613259100e-4, 1.48753612908506148525e-2, 1.36929880922735805310e-1,
     5.99832206555887937690e-1, 1.0),
)  # fmt: skip


def _ratio(
    np: Any, r: Any, coefficients: tuple[tuple[float, ...], tuple[float, ...]], q: Any = None
) -> Any:
    """A rational function of *r* by Horner's rule (times *q*, if given, before the division).

    In ``inv_cdf``'s order of operations: its central branch is ``(num * q) / den``.
    """
    top, bottom = coefficients
    num = np.full_like(r, top[0])
    den = np.full_like(r, bottom[0])
    for a, b in zip(top[1:], bottom[1:], strict=True):
        num = num * r + a
        den = den * r + b
    return (num if q is None else num * q) / den


def _inv_cdf_array(np: Any, p: Any) -> Any:
    """``NormalDist().inv_cdf`` at each of *p* (all in (0, 1)), on arrays: Wichura's AS241."""
    q = p - 0.5
    x = np.empty_like(p)
    central = np.abs(q) <= 0.425
    qc = q[central]
    x[central] = _ratio(np, 0.180625 - qc * qc, _CENTRAL, qc)
    tail = ~central
    qt = q[tail]
    r = np.sqrt(-np.log(np.where(qt <= 0.0, p[tail], 1.0 - p[tail])))
    near = r <= 5.0
    z = _ratio(np, r - 1.6, _NEAR)
    if not near.all():  # p beyond e**-25 from either end: the far tail's own polynomials
        z = np.where(near, z, _ratio(np, r - 5.0, _FAR))
    x[tail] = np.where(qt < 0.0, -z, z)
    return x


def _copula(  # noqa: PLR0917 - the chunk's context, passed down
    np: Any, delay: Delay, seeds: Any, copula: tuple[tuple[int, float], ...], limit: int,
    normals: dict[int, list[float]],
) -> Any:  # fmt: skip
    """``delay.from_normal(normal(seed, copula))`` for every run, to the microsecond.

    *normals* keeps each group member's own normals for the chunk: drawn once, not once for
    each step of its group.
    """
    columns = []
    for key, weight in copula:
        if key not in normals:
            h = _mix_array(np, seeds ^ np.uint64(key))
            normals[key] = [_inv_cdf(u) for u in _unit_array(np, h, _NORMAL_SLOT).tolist()]
        columns.append((weight, normals[key]))
    if len(seeds) >= _FEW:  # the same sums in the same order: the same bits
        z: Any = 0.0
        for weight, column in columns:
            z = z + weight * np.array(column)
        found = _from_normal_array(np, delay, z)
    else:
        values = []
        from_normal = delay.from_normal
        for r in range(len(seeds)):
            z = 0.0
            for weight, column in columns:
                z += weight * column[r]
            values.append(from_normal(z))
        found = np.array(values, dtype=np.int64)
    if int(found.max(initial=0)) > limit:
        raise _TooLargeError
    return found


def _from_normal_array(np: Any, delay: Delay, z: Any) -> Any:
    """``delay.from_normal(z)`` for each normal of *z*, on arrays: int64 µs, its every one.

    ``math.erfc`` itself (numpy has none) gives the same chances; the quantiles go through
    numpy's ``log``, ``exp`` and :func:`_inv_cdf_array`, and the draws in doubt at the
    rounding are redone by :meth:`Delay.from_normal`.
    """
    kind, params = delay.kind, delay.params
    runs = len(z)
    if kind == "none":
        return np.zeros(runs, dtype=np.int64)
    if kind == "fixed":
        return np.full(runs, int(params[0]), dtype=np.int64)
    above = 0.5 * np.frompyfunc(erfc, 1, 1)(z * _SQRT_HALF).astype(np.float64)
    drawn = above < delay.p
    out = np.zeros(runs, dtype=np.int64)
    where = np.flatnonzero(drawn)
    above = np.maximum(above[where] / delay.p, _TINIEST)
    if kind == "empirical":
        ordered = np.array(sorted(int(x) for x in params), dtype=np.int64)
        at = np.minimum(((1.0 - above) * len(ordered)).astype(np.int64), len(ordered) - 1)
        out[where] = ordered[at]
        return out
    with np.errstate(over="ignore", invalid="ignore"):  # math's exp raises: redone below
        if kind == "exponential":
            seconds = -params[0] * np.log(above) / _SECOND
        else:
            seconds = params[0] * np.exp(-params[1] * _inv_cdf_array(np, above)) / _SECOND
        values, doubt = _rounded(np, seconds)
    doubt |= ~np.isfinite(seconds)
    for k in np.flatnonzero(doubt).tolist():
        values[k] = delay.from_normal(float(z[where[k]]))
    out[where] = values
    return out


def _risks(np: Any, program: Program, seeds: Any, limit: int) -> tuple[list[Any], list[Any]]:
    """Whether each risk happened in each run, and the delay it adds: as ``draw_risks``."""
    happened, delays = [], []
    for key, p, delay in program.risks:
        h = _mix_array(np, seeds ^ np.uint64(key))
        on = _unit_array(np, h, 0) < p
        drawn = _sample(np, delay, h, limit, _RISK_SLOT)
        happened.append(on)
        delays.append(np.where(on, drawn, 0))
    return happened, delays


def chunk(program: Program, seed: int, first: int, stop: int) -> _Columns | None:
    """Runs ``first`` to ``stop - 1``: (slips, causes, late, dropped, end slips, waits, happened).

    None when numpy is not installed, the plan's values could overflow ``int64``, or its
    rules fail in some run; then the scalar engine runs the chunk. Otherwise the columns
    equal the scalar engine's.
    """
    np = numpy()
    if np is None or stop <= first or not program.columnar:
        return None  # see Program.columnar: the scalar engine's events decide
    try:
        return _chunk(np, program, seed, first, stop)
    except (_TooLargeError, ItineraryError):  # the scalar engine names the run that fails
        return None


def _chunk(np: Any, program: Program, seed: int, first: int, stop: int) -> _Columns:
    n, runs = len(program.ops), stop - first
    limit = (1 << 62) // (n + 2)  # so that no sum of n of them and an instant overflows
    for op in program.ops:
        if (op.kind == TRAVEL and op.rebook > limit) or op.duration > limit:
            raise _TooLargeError
    seeds = _mix_array(np, np.uint64(_mix(seed & _MASK)) ^ np.arange(first, stop, dtype=np.uint64))
    happened, risk_delays = _risks(np, program, seeds, limit)
    normals: dict[int, list[float]] = {}
    blank = np.zeros(runs, dtype=np.int64), np.full(runs, -1, dtype=np.int64)
    for shared in blank:
        shared.flags.writeable = False
    draws = [_draws(np, program, op, seeds, risk_delays, limit, normals, blank)
             for op in program.ops]  # fmt: skip
    waits = np.zeros((n, runs), dtype=np.int64)
    if program.queued:
        # The fold given each step's wait for its resources, and the queues given when each
        # step is ready, until neither changes the other: the scalar engine's event order.
        for _ in range(sum(1 for op in program.ops if op.uses) + 2):
            fold = _fold(np, program, draws, waits, runs)
            found = _queues(np, program, fold[4], fold[5], fold[3])
            if np.array_equal(found, waits):
                break
            waits = found
        else:  # it does not settle (a step of no length, ready with the next): the events decide
            raise _TooLargeError
    starts, causes, late, gone, ready_at, _, ends = _fold(np, program, draws, waits, runs)
    last = _time.LAST_INSTANT_US - LONGEST_DRAW  # a meeting ends up to a century late
    if any(program.planned_end[i] - program.planned[i] + int(starts[i].max()) > last
           for i in range(n)):  # fmt: skip
        raise _TooLargeError  # a run could end past the calendar: the scalar engine checks each
    if (
        program.queued
        and program.has_rules
        and _held_after_waiting(np, program, starts, waits, gone)
    ):
        raise _TooLargeError  # held again after its wait: the events decide
    for (
        i,
        j,
    ) in program.asks_late:  # it asked when ready (its decider started before), as in the events
        if gone[i].any() or (~gone[j] & (starts[i] >= ready_at[j])).any():
            raise _TooLargeError
    return (
        tuple(_column("q", starts[i] - program.planned[i], np.int64) for i in range(n)),
        tuple(_column("i", causes[i], np.int32) for i in range(n)),
        tuple(_column("b", late[i], np.int8) for i in range(n)),
        tuple(_column("b", gone[i], np.int8) for i in range(n)),
        tuple(_column("q", ends[i] - program.planned_end[i], np.int64) for i in range(n)),
        tuple(_column("q", waits[i], np.int64) for i in range(n)) if program.queued else (),
        tuple(_column("b", on, np.int8) for on in happened),
    )


def _held_after_waiting(
    np: Any, program: Program, starts: list[Any], waits: Any, gone: list[Any]
) -> bool:
    """Whether, in some run, a step waited for a resource past its window or into a curfew."""
    for op in program.ops:
        if op.uses and (op.window is not None or op.curfews):
            waited = (waits[op.i] > 0) & ~gone[op.i]
            if waited.any():
                kept, closed = _hold(np, program, op, starts[op.i], ~waited)
                if (waited & (closed | (kept != starts[op.i]))).any():
                    return True
    return False


def _draws(  # noqa: PLR0917 - the chunk's context, passed down
    np: Any,
    program: Program,
    op: Op,
    seeds: Any,
    risk_delays: list[Any],
    limit: int,
    normals: dict[int, list[float]],
    blank: tuple[Any, Any],
) -> tuple[Any, Any, Any, Any]:
    """A step's own draws in every run: (own delay, risks' sum, the largest, its index).

    A leg's own delay includes its rebooking time in the runs it is cancelled in. *blank*
    is the chunk's zeros and minus ones, read-only, for the steps no risk delays.
    """
    runs, delay = len(seeds), op.delay
    h = _mix_array(np, seeds ^ np.uint64(op.key))
    if delay is None:
        own = np.zeros(runs, dtype=np.int64)
    elif op.copula:
        own = _copula(np, delay, seeds, op.copula, limit, normals)
    else:
        own = _sample(np, delay, h, limit)
    if op.kind == TRAVEL and op.cancel:
        cancelled = _unit_array(np, h, _CANCEL_SLOT) < op.cancel
        own = own + np.where(cancelled, op.rebook, 0)
    if not op.risks:  # no risk: the chunk's zeros, shared by the steps (read-only)
        return own, blank[0], blank[0], blank[1]
    risky = np.zeros(runs, dtype=np.int64)
    biggest = np.zeros(runs, dtype=np.int64)
    risk_by = np.full(runs, -1, dtype=np.int64)
    for r in op.risks:  # the first of the largest, as the scalar engine keeps it
        risky = risky + risk_delays[r]
        larger = risk_delays[r] > biggest
        biggest = np.where(larger, risk_delays[r], biggest)
        risk_by = np.where(larger, r, risk_by)
    return own, risky, biggest, risk_by


def _fold(  # noqa: PLR0912, PLR0915 - the scalar loop, step for step, over arrays
    np: Any, program: Program, draws: list[tuple[Any, Any, Any, Any]], waits: Any, runs: int
) -> tuple[list[Any], list[Any], list[Any], list[Any], list[Any], list[Any], list[Any]]:
    """The fold over the plan's steps, each waiting ``waits[i]`` for its resources once ready.

    (starts, causes, late, gone, when each was ready for its resources, how long it lasts,
    ends).
    """
    n = len(program.ops)
    starts: list[Any] = [None] * n
    causes: list[Any] = [None] * n
    late: list[Any] = [None] * n
    ends: list[Any] = [None] * n
    ready_at: list[Any] = [None] * n
    lengths: list[Any] = [None] * n
    # Per person, when they are free and whom to blame: shared arrays, as people who travel
    # and meet together share them (a step's people are compared once per distinct array).
    free: list[Any] = [np.full(runs, _NEVER, dtype=np.int64)] * program.people
    free_cause: list[Any] = [np.full(runs, -1, dtype=np.int32)] * program.people
    never = np.zeros(runs, dtype=bool)
    has_rules = program.has_rules
    gone = [never] * n  # whether each step did not happen, in each run
    rested = np.full((program.people, runs), _NEVER, dtype=np.int64)
    held_by = n + len(program.risks)  # the first resource's index among the causes
    for op in program.ops:
        kind, i, planned, who = op.kind, op.i, op.planned, op.who
        skip = gone[i] | gone[op.signing] if kind == FULFILMENT else gone[i]
        ready, cause = _ready(np, planned, who, free, free_cause)
        pushed = ready - planned
        own, risky, biggest, risk_by = draws[i]
        extra: Any = 0
        is_late = never
        risks = bool(op.risks)  # else risky, biggest and risk_by are zeros: skipped
        if kind == MEETING:
            start, extra, own = ready + risky if risks else ready, own, 0
        elif kind == FULFILMENT:
            sign = op.signing
            signed = starts[sign]
            met, due = _met_and_due(np, program, op, signed)
            start = met + own + risky if risks else met + own
            cause, pushed = causes[sign], met - planned
        else:
            start = ready + own + risky if risks else ready + own
        if has_rules and (who or op.window is not None):
            kept = start
            for p in who:  # rest: the latest of its people's, as the scalar engine takes it
                kept = np.maximum(kept, rested[p])
            if op.window is not None or op.curfews:
                kept, closed = _hold(np, program, op, kept, skip)
                skip = skip | closed
            own = own + (kept - start)
            start = kept
        if program.queued:  # what the queues need
            ready_at[i] = start
        wait = waits[i]
        if program.queued:
            start = start + wait
        # The largest part of its lateness takes the blame, the earlier on a tie: what it
        # inherited, its own delay, a risk, its wait for a resource.
        value = np.where(cause >= 0, pushed, -1)
        larger = own > value
        blamed = np.where(larger, i, cause)
        value = np.where(larger, own, value)
        if risks:
            larger = biggest > value
            blamed = np.where(larger, n + risk_by, blamed)
            value = np.where(larger, biggest, value)
        if op.uses:
            held = held_by + min(op.uses, key=lambda r: (program.resources[r], r))
            blamed = np.where(wait > value, held, blamed)
        cause = np.where(start <= planned, -1, blamed).astype(np.int32)
        end = start + op.duration + extra
        if program.queued:
            lengths[i] = end - start
        if kind == FULFILMENT:
            is_late = end > due
        skipped = bool(skip.any())
        if skipped:  # it did not happen: its planned times, and nobody waits for it
            start = np.where(skip, planned, start)
            end = np.where(skip, program.planned_end[i], end)
            cause = np.where(skip, -1, cause).astype(np.int32)
            is_late = is_late | skip if kind == FULFILMENT else is_late
            gone[i] = skip
        starts[i], causes[i], late[i], ends[i] = start, cause, is_late, end
        live = ~skip
        if who:
            over = end > program.planned_end[i]
            end_cause = np.where(cause >= 0, cause, np.where(over, np.int32(i), np.int32(-1)))
            if kind == MEETING:  # an overrun longer than the late start it inherited
                overran = (extra > np.maximum(start - planned, 0)) & over
                end_cause = np.where(overran, i, end_cause).astype(np.int32)
            kept_free: dict[tuple[int, int], tuple[Any, Any]] = {}
            happens = not skipped
            for p in who:
                pair = (id(free[p]), id(free_cause[p]))
                if pair not in kept_free:
                    kept_free[pair] = (
                        (end, end_cause)
                        if happens
                        else (
                            np.where(live, end, free[p]),
                            np.where(live, end_cause, free_cause[p]),
                        )
                    )
                free[p], free_cause[p] = kept_free[pair]
        for p, rest, _ in op.rests:
            rested[p] = np.where(live, np.maximum(rested[p], end + rest), rested[p])
        for late_by, targets, _ in op.drops:
            decided = live & (start - planned > late_by)
            for j in targets:
                gone[j] = gone[j] | decided
    return starts, causes, late, gone, ready_at, lengths, ends


def _ready(
    np: Any, planned: int, who: tuple[int, ...], free: list[Any], free_cause: list[Any]
) -> tuple[Any, Any]:
    """When a step's people are all free (or as planned), and the cause kept: per run.

    The first person free latest is the one whose cause is kept, as ``execute`` keeps it;
    people who share their arrays are compared once.
    """
    ready: Any = planned
    cause: Any = -1
    seen = set()
    for p in who:
        pair = (id(free[p]), id(free_cause[p]))
        if pair in seen:
            continue
        seen.add(pair)
        later = free[p] > ready
        ready = np.where(later, free[p], ready)
        cause = np.where(later, free_cause[p], cause)
    runs = len(free[0]) if free else 0
    if not seen:
        return np.full(runs, planned, dtype=np.int64), np.full(runs, -1, dtype=np.int32)
    return ready, cause


def _queues(np: Any, program: Program, ready_at: list[Any], lengths: list[Any],
            gone: list[Any]) -> Any:  # fmt: skip
    """How long each step waits for its resource, given when each is ready: (steps, runs).

    Each resource's queue on its own (a step holds one resource at most here), as the
    scalar engine serves it: a unit freed goes to those waiting from before, then to those
    ready at that instant; among them the highest priority, then the earliest ready, then
    the plan's order.
    """
    n, runs = len(program.ops), len(ready_at[0])
    waits = np.zeros((n, runs), dtype=np.int64)
    cols = np.arange(runs)
    late_ = np.iinfo(np.int64).max
    for r, capacity in enumerate(program.resources):
        users = [op.i for op in program.ops if r in op.uses]
        if not users:
            continue
        arrive = np.stack([ready_at[i] for i in users])
        length = np.stack([lengths[i] for i in users])
        pending = ~np.stack([gone[i] for i in users])
        priority = np.array([program.ops[i].priority for i in users], dtype=np.int64)[:, None]
        units = np.full((min(capacity, len(users)), runs), _NEVER, dtype=np.int64)  # no more busy
        for _ in users:
            some = pending.any(axis=0)
            unit = units.argmin(axis=0)
            freed = units[unit, cols]
            now = np.maximum(freed, np.where(pending, arrive, late_).min(axis=0))
            now = np.where(some, now, freed)  # no one left: nothing to give out
            able = pending & (arrive <= now)
            before = able & (arrive < now)
            able = np.where(before.any(axis=0), before, able)
            rank = np.where(able, priority, np.iinfo(np.int64).min)
            able &= rank == rank.max(axis=0)
            first = np.where(able, arrive, late_)
            able &= first == first.min(axis=0)
            best = able.argmax(axis=0)  # the first in the plan's order
            chosen = arrive[best, cols]
            index = np.array(users)[best]
            waits[index, cols] = np.where(some, now - chosen, waits[index, cols])
            pending[best, cols] &= ~some
            units[unit, cols] = np.where(some, now + length[best, cols], freed)
    return waits


_QUARTER = 6 * 3600 * _SECOND  # the spacing of the offsets read: no zone changes and back in it
_MARGIN = 30 * 3600 * _SECOND  # a zone's change moves wall times in its gap or fold by < 30 h
_DAY_US = 86_400 * _SECOND


def _met_and_due(np: Any, program: Program, op: Op, signed: Any) -> tuple[Any, Any]:
    """:meth:`Program.met_and_due` for each signing instant of *signed*: (met, due) arrays.

    The calendar sum is done once per signing day: the signings of one local date and
    offset, moved by the same calendar parts, land on the same later date at the same wall
    time, so they share one shift from signing to met (and to due) wherever the zone keeps
    one offset from a day before the first of them lands to a day after the last. Offsets are
    read every 6 hours (the tz database has no zone that changes its offset and back within
    3 days); a signing near a change of offset, at either end, is summed on its own.
    """
    unique, inverse = np.unique(signed, return_inverse=True)
    n = len(unique)
    met = np.empty(n, dtype=np.int64)
    due = np.empty(n, dtype=np.int64)
    alone = np.ones(n, dtype=bool)  # the signings summed one by one, by the scalar engine's own
    tz = op.tz
    low, high = _time.FIRST_INSTANT_US + _MARGIN, _time.LAST_INSTANT_US - _MARGIN
    if n >= _FEW and low <= int(unique[0]) and int(unique[-1]) <= high:
        quarter = unique // _QUARTER
        marks = np.unique(np.concatenate([quarter, quarter + 1]))
        offsets = _offsets(np, tz, marks * _QUARTER)
        at = np.searchsorted(marks, quarter)
        offset = offsets[at]
        steady = offset == offsets[np.searchsorted(marks, quarter + 1)]  # no change in its 6 h
        day = (unique + offset) // _DAY_US
        groups = np.flatnonzero(steady)
        key = day[groups] * (4 * _DAY_US) + offset[groups]  # a local date and an offset
        group_of = np.unique(key, return_inverse=True)[1]
        order = np.argsort(group_of, kind="stable")  # each group's signings, in time order
        bounds = np.flatnonzero(np.diff(group_of[order])) + 1
        due_parts = None if isinstance(op.due, int) else op.due
        for members in np.split(groups[order], bounds) if len(groups) else ():
            lo, hi = int(unique[members[0]]), int(unique[members[-1]])
            m, d = program.met_and_due(op, lo)
            if not _steady(np, tz, lo, hi, m - lo, op.after):
                continue
            if due_parts is not None and not _steady(np, tz, lo, hi, d - lo, due_parts):
                continue
            met[members] = unique[members] + (m - lo)
            due[members] = unique[members] + (d - lo) if due_parts is not None else d
            alone[members] = False
    for k in np.flatnonzero(alone).tolist():
        met[k], due[k] = program.met_and_due(op, int(unique[k]))
    return met[inverse], due[inverse]


def _offsets(np: Any, tz: str, instants: Any) -> Any:
    """The zone's UTC offset at each instant, in µs."""
    return np.array([_time.offset_micros(t, tz) for t in instants.tolist()], dtype=np.int64)


def _steady(  # noqa: PLR0917 - one group's span and its shift
    np: Any, tz: str, first: int, last: int, shift: int, parts: tuple[int, int, int, int, int]
) -> bool:
    """Whether the zone keeps one offset around where signings *first* to *last* land.

    They land at their wall time on a later date, resolved there, then the elapsed *parts*
    are added: the zone must keep one offset from a margin before the first resolved
    instant to a margin after the last, where ``shift`` (less the elapsed parts) took them.
    """
    moved = shift - (parts[3] * _SECOND + parts[4])
    first, last = first + moved, last + moved
    if not _time.FIRST_INSTANT_US + _MARGIN <= first <= last <= _time.LAST_INSTANT_US - _MARGIN:
        return False
    marks = np.arange((first - _MARGIN) // _QUARTER, (last + _MARGIN) // _QUARTER + 2)
    if len(marks) > 64:  # a wide group: not worth reading
        return False
    offsets = _offsets(np, tz, marks * _QUARTER)
    return bool((offsets == offsets[0]).all())


def _hold(np: Any, program: Program, op: Op, ready: Any, skip: Any) -> tuple[Any, Any]:
    """Where *op*'s window and curfews let each run start, and the runs its window drops.

    :meth:`Program.hold` on each distinct ready instant of the runs in which it happens.
    """
    kept, closed = ready.copy(), np.zeros(len(ready), dtype=bool)
    live = ~skip
    if op.window is None:  # curfews alone: a run clear of them all is not held
        live &= ~_clear(np, op, ready)
    live = np.flatnonzero(live)
    if not len(live):
        return kept, closed
    unique, inverse = np.unique(ready[live], return_inverse=True)
    hold = program.hold
    found = [hold(op, t)[0] for t in unique.tolist()]
    dropped = np.array([f is None for f in found], dtype=bool)
    instants = np.array([t if f is None else f for t, f in zip(unique.tolist(), found, strict=True)],
                        dtype=np.int64)  # fmt: skip
    kept[live] = instants[inverse]
    closed[live] = dropped[inverse]
    return kept, closed


def _clear(np: Any, op: Op, ready: Any) -> Any:
    """The runs whose departure and landing fall in none of *op*'s curfews.

    Each curfew's spans are listed for every local day the runs could fall in, and then
    some, with the scalar engine's boundaries: a run in none of them is one that
    :func:`~itinerary.sim.rules.next_clear` (which looks at the days around it) leaves
    where it is. False for all when the runs spread over more than a year.
    """
    clear = np.ones(len(ready), dtype=bool)
    for zone, begins, ends, _, at_origin in op.curfews:
        at = ready if at_origin else ready + op.duration
        first, last = local_day(int(at.min()), zone), local_day(int(at.max()), zone)
        days = (last - first).days + 5
        if days > 400:
            return np.zeros(len(ready), dtype=bool)
        spans = [occurrence(zone, first + timedelta(days=k - 2), begins, ends) for k in range(days)]
        opens = np.array([o for o, _ in spans], dtype=np.int64)
        closes = np.array([c for _, c in spans], dtype=np.int64)
        k = np.searchsorted(opens, at, side="right") - 1  # the last span opened by then
        inside = (k >= 0) & (at < closes[np.maximum(k, 0)])
        clear &= ~inside
    return clear


def _contiguous(values: Any, dtype: Any) -> Any:
    """*values* as a contiguous array of *dtype*: themselves if they are one already."""
    if values.dtype.kind == "b":  # flags: their bytes are int8's, no copy
        values = values.view("i1")
    found = values.astype(dtype, copy=False)
    return found if found.flags.c_contiguous else found.copy()


def _column(code: str, values: Any, dtype: Any) -> array[int]:
    out = array(code)
    out.frombytes(memoryview(_contiguous(values, dtype)).cast("B"))  # one copy, numpy's
    return out
