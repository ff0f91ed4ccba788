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

__all__ = ["Delay", "Disruptions", "elapsed_micros", "format_micros"]

_SECOND = 1_000_000
_DAY = 86_400 * _SECOND
_inv_cdf = NormalDist().inv_cdf

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
        ):
            raise InvalidPlanError(
                f"Delay({self.kind!r}) needs its parameters as microseconds from 0 to "
                f"{_LONGEST:,} (use Delay.{self.kind}(...)), got {value!r}"
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
            or not 0.0 <= sigma < 20.0  # NaN fails this too; e**(20 Z) overflows any calendar
        ):
            raise InvalidPlanError(f"Delay.lognormal(sigma) must be in [0, 20), got {sigma!r}")
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


@attrs.frozen
class Disruptions:
    """What can go wrong, by kind of step; a step's own ``delay=`` overrides its kind's.

    Args:
        departure: The delay of each travel leg's departure.
        overrun: How much longer than planned each meeting lasts.
        fulfilment: How much later than planned each obligation is met.
        cancel: The chance that a travel leg is cancelled and flown *rebook* later.
        rebook: How much later a cancelled leg leaves.

    """

    departure: Delay = attrs.field(default=Delay.none(), validator=_delay)
    overrun: Delay = attrs.field(default=Delay.none(), validator=_delay)
    fulfilment: Delay = attrs.field(default=Delay.none(), validator=_delay)
    cancel: float = attrs.field(default=0.0, validator=_probability)
    rebook: timedelta = attrs.field(
        default=pendulum.duration(hours=24), validator=_rebook, eq=_time.duration_key
    )
