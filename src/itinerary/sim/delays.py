"""Delay models and the disruptions a plan runs under.

A :class:`Delay` is a distribution of non-negative durations. Sampled delays are rounded
to whole seconds (a log reads ``10:07:23``, not ``10:07:23.418906``) and cut at a century,
the longest duration a plan may hold (a heavy tail, a log-normal with a large ``sigma``,
draws delays of billions of years otherwise); fixed and empirical delays are used exactly
as given.

>>> import pendulum
>>> Delay.exponential(pendulum.duration(minutes=30), p=0.2)
Delay.exponential(mean=30 min, p=0.2)
>>> Disruptions(departure=Delay.fixed(pendulum.duration(hours=1))).departure
Delay.fixed(1 h)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from statistics import NormalDist
from typing import Any, Literal

import attrs
import pendulum

from itinerary import _time
from itinerary._text import format_duration
from itinerary.errors import InvalidPlanError
from itinerary.sim._random import unit

__all__ = [
    "Correlated", "Delay", "Disruptions", "Risk", "check_probability", "elapsed_micros",
    "format_micros", "normal_cdf", "normal_rho",
]  # fmt: skip

_SECOND = 1_000_000
_DAY = 86_400 * _SECOND
_inv_cdf = NormalDist().inv_cdf
_SQRT_HALF = math.sqrt(0.5)
_SIGMA_LIMIT = 20.0  # a log-normal's spread: e**(20 Z) overflows any calendar
_TINIEST = 5e-324  # the smallest float above zero: a tail's chance, never exactly zero


def normal_cdf(x: float) -> float:
    """The standard normal's distribution function, exact in both tails (with ``erfc``)."""
    return 0.5 * math.erfc(-x * _SQRT_HALF)


Kind = Literal["none", "fixed", "exponential", "lognormal", "empirical"]


_LONGEST = 100 * 366 * _DAY  # a century: longer elapsed times are refused as mistakes
LONGEST_DRAW = _LONGEST
"""The longest delay a draw gives, in microseconds (a century): a heavy tail is cut there."""
_KINDS = ("none", "fixed", "exponential", "lognormal", "empirical")


def _check_kind(value: object) -> None:
    if value not in _KINDS:
        raise InvalidPlanError(
            f"Delay kind must be one of {', '.join(map(repr, _KINDS))}, got {value!r} "
            "(build delays with Delay.fixed(...), Delay.exponential(...), ...)"
        )


def elapsed_micros(value: object, *, what: str) -> int:
    """*value*, a duration of elapsed time, in microseconds (a day counts 24 hours).

    Raises :class:`InvalidPlanError` for anything but a non-negative duration without
    years or months (a month has no fixed length, so it cannot be a delay or a flight time).
    """
    if not isinstance(value, timedelta):
        raise InvalidPlanError(
            f"{what} must be a duration such as pendulum.duration(hours=2), "
            f"got {type(value).__name__} {value!r}"
        )
    years, months, days, seconds, micro = _time.duration_parts(value)
    if years or months:
        raise InvalidPlanError(
            f"{what} must be elapsed time (weeks, days, hours, minutes, seconds), not "
            f"{value!r}: a month or a year has no fixed length"
        )
    total = days * _DAY + seconds * _SECOND + micro
    if total < 0:
        raise InvalidPlanError(f"{what} must not be negative, got {value!r}")
    if total > _LONGEST:
        raise InvalidPlanError(f"{what} must be at most a century, got {value!r}")
    return total


def format_micros(us: int) -> str:
    """A duration in microseconds as people read it: ``2 h 05 min``, ``-30 min``, ``8 h``, ``0``.

    :func:`itinerary._text.format_duration`, the one way every table, label and message
    writes a duration.
    """
    return format_duration(us)


def check_probability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: *value* is a probability in [0, 1] (not a bool, not NaN)."""
    _probability(instance, attribute, value)


def _probability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0.0 <= value <= 1.0  # NaN fails this too
    ):
        raise InvalidPlanError(
            f"{type(instance).__name__}.{attribute.name} must be a probability in [0, 1], "
            f"got {value!r}"
        )


@attrs.frozen(repr=False)
class Delay:
    """A distribution of delays. Build one with its class methods, not directly.

    ``kind`` names the family, ``params`` hold its parameters in microseconds (and
    ``sigma`` for the log-normal), and ``p`` is the chance that there is any delay at all.
    """

    kind: Kind = attrs.field(validator=lambda i, a, v: _check_kind(v))
    params: tuple[float, ...] = attrs.field(default=())
    p: float = attrs.field(default=1.0, validator=_probability)

    @params.validator
    def _check_params(self, _: attrs.Attribute[Any], value: object) -> None:
        arity = {"none": 0, "fixed": 1, "exponential": 1, "lognormal": 2}.get(self.kind)
        if (
            not isinstance(value, tuple)
            or (arity is not None and len(value) != arity)
            or (self.kind == "empirical" and not value)
            or any(
                isinstance(x, bool)
                or not isinstance(x, int | float)
                or not 0 <= x <= _LONGEST  # NaN fails this too
                for x in value
            )
            or (self.kind == "lognormal" and not value[1] < _SIGMA_LIMIT)
        ):
            raise InvalidPlanError(
                f"Delay({self.kind!r}) needs its parameters as microseconds from 0 to "
                f"{_LONGEST:,} (a log-normal's sigma below {_SIGMA_LIMIT:g}; use "
                f"Delay.{self.kind}(...)), got {value!r}"
            )

    @classmethod
    def none(cls) -> Delay:
        """No delay, ever: the step happens as the plan and the knock-on effects say."""
        return cls("none")

    @classmethod
    def fixed(cls, delay: timedelta) -> Delay:
        """Always exactly *delay*."""
        return cls("fixed", (elapsed_micros(delay, what="Delay.fixed(delay)"),))

    @classmethod
    def exponential(cls, mean: timedelta, p: float = 1.0) -> Delay:
        """With probability *p*, a delay drawn from an exponential with this *mean*; else none."""
        us = elapsed_micros(mean, what="Delay.exponential(mean)")
        if us <= 0:
            raise InvalidPlanError(f"Delay.exponential(mean) must be positive, got {mean!r}")
        return cls("exponential", (us,), p)

    @classmethod
    def lognormal(cls, median: timedelta, sigma: float, p: float = 1.0) -> Delay:
        """With probability *p*, a log-normal delay: ``median * exp(sigma * Z)``; else none."""
        us = elapsed_micros(median, what="Delay.lognormal(median)")
        if us <= 0:
            raise InvalidPlanError(f"Delay.lognormal(median) must be positive, got {median!r}")
        if (
            isinstance(sigma, bool)
            or not isinstance(sigma, int | float)
            or not 0.0 <= sigma < _SIGMA_LIMIT  # NaN fails this too
        ):
            raise InvalidPlanError(
                f"Delay.lognormal(sigma) must be in [0, {_SIGMA_LIMIT:g}), got {sigma!r}"
            )
        return cls("lognormal", (us, float(sigma)), p)

    @classmethod
    def empirical(cls, durations: Iterable[timedelta]) -> Delay:
        """One of *durations*, each as likely: delays seen on past tours, say."""
        if isinstance(durations, timedelta | str) or not isinstance(durations, Iterable):
            raise InvalidPlanError(
                f"Delay.empirical(durations) must be a list of durations, got {durations!r}"
            )
        values = tuple(
            elapsed_micros(d, what=f"Delay.empirical(durations)[{i}]")
            for i, d in enumerate(durations)
        )
        if not values:
            raise InvalidPlanError("Delay.empirical(durations) needs at least one duration")
        return cls("empirical", values)

    @property
    def is_none(self) -> bool:
        """True if this delay is always zero (so sampling it draws nothing)."""
        return self.kind == "none" or self.p == 0.0 or max(self.params, default=0) == 0

    def sample(self, h: int, slot: int) -> int:
        """A delay in microseconds, from the draws ``slot`` and ``slot + 1`` of stream *h*.

        *h* is a run's stream for one step (see ``itinerary.sim._random``); the first
        draw decides whether there is a delay (if ``p < 1``), the second how long it is.
        An exponential or log-normal draw is rounded to whole seconds and cut at
        ``LONGEST_DRAW`` (a century).
        """
        kind = self.kind
        if kind == "none":
            return 0
        if kind == "fixed":
            return int(self.params[0])
        if self.p < 1.0 and unit(h, slot) >= self.p:
            return 0
        u = unit(h, slot + 1)
        if kind == "empirical":
            return int(self.params[int(u * len(self.params))])
        if kind == "exponential":
            value = -self.params[0] * math.log(u)
        else:
            value = self.params[0] * math.exp(self.params[1] * _inv_cdf(u))
        return min(round(value / _SECOND) * _SECOND, _LONGEST)

    def from_normal(self, z: float) -> int:
        """The delay at the standard normal draw *z*: its quantile at ``normal_cdf(z)``.

        Increasing in *z*, so delays drawn from correlated normals keep their rank
        correlation (a Gaussian copula, see :class:`Correlated`), and each keeps this
        distribution: none with chance ``1 - p``, else its size. Rounded and cut as
        :meth:`sample` is; the upper tail is read as ``normal_cdf(-z)``, exact there.
        """
        kind, params = self.kind, self.params
        if kind == "none":
            return 0
        if kind == "fixed":
            return int(params[0])
        above = normal_cdf(-z)  # the chance of a larger draw
        if above >= self.p:
            return 0  # no delay: the lower 1 - p of the distribution
        above = max(above / self.p, _TINIEST)  # within the delays drawn
        if kind == "empirical":
            ordered = sorted(params)
            return int(ordered[min(int((1.0 - above) * len(ordered)), len(ordered) - 1)])
        if kind == "exponential":
            value = -params[0] * math.log(above)
        else:
            value = params[0] * math.exp(-params[1] * _inv_cdf(above))
        return min(round(value / _SECOND) * _SECOND, _LONGEST)

    def __repr__(self) -> str:
        kind, params = self.kind, self.params
        chance = f", p={self.p:g}" if self.p != 1.0 else ""
        if kind == "none":
            return "Delay.none()"
        if kind == "fixed":
            return f"Delay.fixed({format_micros(int(params[0]))})"
        if kind == "exponential":
            return f"Delay.exponential(mean={format_micros(int(params[0]))}{chance})"
        if kind == "lognormal":
            return (
                f"Delay.lognormal(median={format_micros(int(params[0]))}, "
                f"sigma={params[1]:g}{chance})"
            )
        shown = ", ".join(format_micros(int(us)) for us in params[:5])
        more = f", ... ({len(params)} in all)" if len(params) > 5 else ""
        return f"Delay.empirical([{shown}{more}])"


def _delay(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Delay):
        raise InvalidPlanError(
            f"{type(instance).__name__}.{attribute.name} must be a Delay (e.g. "
            f"Delay.exponential(pendulum.duration(minutes=30))), got {value!r}"
        )


def _rebook(instance: Disruptions, _: attrs.Attribute[Any], value: object) -> None:
    if elapsed_micros(value, what="Disruptions.rebook") <= 0:
        raise InvalidPlanError(f"Disruptions.rebook must be a positive duration, got {value!r}")


def _step_names(value: object) -> object:
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) else value


def _check_steps(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    label = (
        f"{type(instance).__name__}({getattr(instance, 'name', '')!r})"
        if isinstance(instance, Risk)
        else type(instance).__name__
    )
    if not isinstance(value, tuple) or not value:
        raise InvalidPlanError(f"{label}: steps must name at least one step, got {value!r}")
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise InvalidPlanError(f"{label}: every step must be a non-empty name, got {name!r}")
    if len(set(value)) != len(value):
        raise InvalidPlanError(f"{label}: a step is named twice in {value!r}")


def _name(instance: object, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPlanError(f"Risk.name must be a non-empty string, got {value!r}")


@attrs.frozen
class Risk:
    """One event that may happen in a run and delay several steps at once: a shared risk.

    In each run it happens with chance *p*; when it does, one draw of *delay* is added to
    the own delay of every step named in *steps* (a leg's departure, a meeting's,
    signing's or fulfilment's start). Its draws are keyed by its name, as a step's are:
    adding a risk changes no other draw.

    >>> import pendulum
    >>> Risk("Typhoon", p=0.05, delay=Delay.fixed(pendulum.duration(hours=6)),
    ...      steps=["Leg 1", "Leg 2"]).steps
    ('Leg 1', 'Leg 2')
    """

    name: str = attrs.field(validator=_name)
    p: float = attrs.field(kw_only=True, validator=_probability)
    delay: Delay = attrs.field(kw_only=True)
    steps: tuple[str, ...] = attrs.field(kw_only=True, converter=_step_names,
                                         validator=_check_steps)  # fmt: skip

    @delay.validator
    def _check_delay(self, attribute: attrs.Attribute[Any], value: object) -> None:
        _delay(self, attribute, value)

    @property
    def label(self) -> str:
        """The name blame gives it, such as ``"Risk: Typhoon"``."""
        return f"Risk: {self.name}"


def _rho(instance: Correlated, _: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not -1.0 <= value <= 1.0:
        raise InvalidPlanError(f"Correlated.rho must be a number in [-1, 1], got {value!r}")
    k = len(instance.steps) if isinstance(instance.steps, tuple) else 2
    if k > 2 and normal_rho(value) < -1.0 / (k - 1):
        raise InvalidPlanError(
            f"Correlated(rho={value!r}): {k} steps cannot all be that negatively correlated "
            "with each other; give at most two steps, or a rho nearer zero"
        )


def normal_rho(rho: float) -> float:
    """The normal correlation whose Gaussian copula has Spearman rank correlation *rho*."""
    return 2.0 * math.sin(math.pi * rho / 6.0)


@attrs.frozen
class Correlated:
    """Steps whose own delays move together: Spearman rank correlation *rho* between each two.

    A Gaussian copula over their draws, with normal correlation ``2 sin(pi rho / 6)`` (the
    one whose rank correlation is *rho*); each step keeps its own delay's distribution.

    >>> Correlated(["Motorcade 1", "Motorcade 2"], 0.6).rho
    0.6
    """

    steps: tuple[str, ...] = attrs.field(converter=_step_names, validator=_check_steps)
    rho: float = attrs.field(validator=_rho)

    @steps.validator
    def _two(self, _: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        if len(value) < 2:
            raise InvalidPlanError(f"Correlated needs at least two steps, got {value!r}")


def _risks_tuple(value: object) -> Any:
    if isinstance(value, Risk):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else value


def _correlated_tuple(value: object) -> Any:
    if isinstance(value, Correlated):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else value


def _risks(instance: Disruptions, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(r, Risk) for r in value):
        raise InvalidPlanError(f"Disruptions.risks must be a list of Risk, got {value!r}")
    names = [r.name for r in value]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidPlanError(f"Disruptions.risks: two risks are named {twice[0]!r}")


def _correlated(instance: Disruptions, _: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, Correlated) for c in value):
        raise InvalidPlanError(
            f"Disruptions.correlated must be a list of Correlated, got {value!r}"
        )
    seen: dict[str, int] = {}
    for k, group in enumerate(value):
        for name in group.steps:
            if name in seen:
                raise InvalidPlanError(
                    f"Disruptions.correlated: {name!r} is in two groups ({seen[name]} and {k}); "
                    "a step's delay can be correlated with one group only"
                )
            seen[name] = k


@attrs.frozen
class Disruptions:
    """What can go wrong, by kind of step; a step's own ``delay=`` overrides its kind's.

    Args:
        departure: The delay of each travel leg's departure.
        overrun: How much longer than planned each meeting lasts.
        fulfilment: How much later than planned each obligation is met.
        cancel: The chance that a travel leg is cancelled and flown *rebook* later.
        rebook: How much later a cancelled leg leaves.
        risks: Shared :class:`Risk` events, each delaying several steps at once (any
            iterable, kept as a tuple).
        correlated: :class:`Correlated` groups of steps whose delays move together; a
            step may be in one group only.

    A leg's own ``cancel=`` and ``rebook=`` override *cancel* and *rebook*.

    """

    departure: Delay = attrs.field(default=Delay.none(), validator=_delay)
    overrun: Delay = attrs.field(default=Delay.none(), validator=_delay)
    fulfilment: Delay = attrs.field(default=Delay.none(), validator=_delay)
    cancel: float = attrs.field(default=0.0, validator=_probability)
    rebook: timedelta = attrs.field(
        default=pendulum.duration(hours=24), validator=_rebook, eq=_time.duration_key
    )
    risks: tuple[Risk, ...] = attrs.field(default=(), converter=_risks_tuple, validator=_risks)
    correlated: tuple[Correlated, ...] = attrs.field(
        default=(), converter=_correlated_tuple, validator=_correlated
    )

    def without(self, *names: str) -> Disruptions:
        """These disruptions for a plan without the steps *names* (a what-if's ``without``).

        Each risk and correlated group forgets them; a risk left with no step, or a group
        with fewer than two, goes. The other steps' draws stay the same, except those of a
        correlated group that lost a step (their copula is a new one).
        """
        gone = set(names)
        risks = [
            attrs.evolve(risk, steps=kept)
            for risk in self.risks
            if (kept := tuple(s for s in risk.steps if s not in gone))
        ]
        groups = [
            attrs.evolve(group, steps=kept)
            for group in self.correlated
            if len(kept := tuple(s for s in group.steps if s not in gone)) >= 2
        ]
        return attrs.evolve(self, risks=risks, correlated=groups)
