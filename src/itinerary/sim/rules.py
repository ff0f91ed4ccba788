"""Rules that keep the local clock: windows, curfews, rest and decisions to drop steps.

A :class:`Window` rides on one step (``window=``); :class:`Curfew`, :class:`Rest` and
:class:`Drop` are a plan's ``rules``. Every wall time is read in the local time of its
place, day by day, exactly: a boundary that falls in a gap on a clock-change day is taken
at the instant just after the gap, one in a repeated hour at its first reading.

>>> Window("09:00", "21:00")
Window(opens='09:00', closes='21:00', then='wait')
>>> from itinerary.places import BUSAN
>>> str(Curfew(BUSAN, "23:00", "06:00"))
'Curfew at Busan 23:00-06:00'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, TypeAlias

import attrs

from itinerary import _time
from itinerary._checks import names_tuple
from itinerary.errors import InvalidPlanError
from itinerary.places import Place
from itinerary.sim.delays import elapsed_micros, format_micros

__all__ = [
    "Curfew", "Drop", "Rest", "Rule", "Window", "hhmm", "local_day", "next_clear", "next_fit",
    "occurrence",
]  # fmt: skip

_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_DAY = 86_400_000_000


def _wall(value: object, *, what: str) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InvalidPlanError(f"{what} is a local wall time, without a zone; got {value!r}")
        return value
    if isinstance(value, str) and _HHMM.fullmatch(value):
        return time(int(value[:2]), int(value[3:]))
    raise InvalidPlanError(f"{what} must be 'HH:MM' (24-hour) or a datetime.time, got {value!r}")


def _opens(value: object) -> time:
    return _wall(value, what="Window.opens")


def _closes(value: object) -> time:
    return _wall(value, what="Window.closes")


def _starts(value: object) -> time:
    return _wall(value, what="Curfew.starts")


def _ends(value: object) -> time:
    return _wall(value, what="Curfew.ends")


def hhmm(value: time) -> str:
    """A wall time as `"HH:MM"` (with seconds only if it has them)."""
    text = f"{value.hour:02d}:{value.minute:02d}"
    if value.second or value.microsecond:
        text += f":{value.second:02d}" + (f".{value.microsecond:06d}" if value.microsecond else "")
    return text


def _span_micros(opens: time, closes: time) -> int:
    """How long ``[opens, closes)`` lasts on a day without a clock change."""
    o = (opens.hour * 3600 + opens.minute * 60 + opens.second) * 1_000_000 + opens.microsecond
    c = (closes.hour * 3600 + closes.minute * 60 + closes.second) * 1_000_000 + closes.microsecond
    return (c - o) % _DAY


@functools.lru_cache(maxsize=1 << 14)
def boundary(tz_name: str, day: date, at: time) -> int:
    """The instant (µs) local clocks in *tz_name* showed *at* on *day*.

    In a gap: the instant just after it; in a repeated hour: the first reading.
    """
    wall = datetime.combine(day, at)
    first = datetime.replace(wall, tzinfo=_time.zone(tz_name), fold=0)
    second = datetime.replace(wall, tzinfo=_time.zone(tz_name), fold=1)
    a, b = sorted((_time.micros(first), _time.micros(second)))
    if a == b or _local(b, tz_name) == wall:  # one reading, or a repeated hour: the first
        return a if _local(a, tz_name) == wall else b
    low, high = a, b  # a gap: the first instant whose wall time is at or after *wall*
    while high - low > 1:
        mid = (low + high) // 2
        if _local(mid, tz_name) >= wall:
            high = mid
        else:
            low = mid
    return high


def _local(us: int, tz_name: str) -> datetime:
    local = _time.local_instant(us, _time.zone(tz_name))
    return datetime(
        local.year, local.month, local.day, local.hour, local.minute, local.second,
        local.microsecond,
    )  # fmt: skip


def local_day(us: int, tz_name: str) -> date:
    """The local date in *tz_name* at the instant *us* (µs), as a plain ``date``."""
    local = _time.from_micros(us, tz_name)
    return date(local.year, local.month, local.day)  # a plain date: pendulum's adds are slow


def occurrence(tz_name: str, day: date, opens: time, closes: time) -> tuple[int, int]:
    """The instants ``[opens, closes)`` of *day*'s span (closing the next day if it wraps)."""
    close_day = day if closes > opens else day + timedelta(days=1)
    return boundary(tz_name, day, opens), boundary(tz_name, close_day, closes)


def next_fit(us: int, tz_name: str, opens: time, closes: time, duration: int) -> int | None:
    """The first instant at or after *us* inside a daily span, with *duration* left before it closes."""
    day = local_day(us, tz_name) - timedelta(days=1)
    for k in range(9):
        o, c = occurrence(tz_name, day + timedelta(days=k), opens, closes)
        start = max(us, o)
        if start < c and start + duration <= c:
            return start
    return None


def next_clear(us: int, tz_name: str, starts: time, ends: time) -> int:
    """*us*, or the end of the daily span ``[starts, ends)`` that holds it."""
    day = local_day(us, tz_name) - timedelta(days=1)
    for k in range(3):
        o, c = occurrence(tz_name, day + timedelta(days=k), starts, ends)
        if o <= us < c:
            return c
    return us


def _then(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("wait", "drop"):
        raise InvalidPlanError(f"Window.then must be 'wait' or 'drop', got {value!r}")


@attrs.frozen(repr=False)
class Window:
    """A daily window in the local wall time of the step's place (a leg's: its origin's).

    A step whose ready time is outside it (a meeting: that cannot also end by the same
    window's close) starts at the next opening where it fits (``then="wait"``) or does not
    happen (``then="drop"``). *closes* before *opens* spans midnight.
    """

    opens: time = attrs.field(converter=_opens)
    closes: time = attrs.field(converter=_closes)
    then: Literal["wait", "drop"] = attrs.field(default="wait", kw_only=True, validator=_then)

    def __attrs_post_init__(self) -> None:
        if self.opens == self.closes:
            raise InvalidPlanError(
                f"Window opens and closes at {hhmm(self.opens)}: give a span (or no window)"
            )

    def __repr__(self) -> str:
        return (
            f"Window(opens={hhmm(self.opens)!r}, closes={hhmm(self.closes)!r}, then={self.then!r})"
        )

    def __str__(self) -> str:
        return f"Window {hhmm(self.opens)}-{hhmm(self.closes)}"

    @property
    def length(self) -> int:
        """How long it is open on a day without a clock change, in microseconds."""
        return _span_micros(self.opens, self.closes)


def _place(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Place):
        raise InvalidPlanError(
            f"Curfew.place must be a Place (e.g. itinerary.places.BUSAN), got {value!r}"
        )


@attrs.frozen(repr=False)
class Curfew:
    """No leg departs from or lands at *place* while its local clock is in ``[starts, ends)``.

    A leg that would leaves at the earliest instant at which neither its departure nor its
    landing falls in any curfew.
    """

    place: Place = attrs.field(validator=_place)
    starts: time = attrs.field(converter=_starts)
    ends: time = attrs.field(converter=_ends)

    def __attrs_post_init__(self) -> None:
        if self.starts == self.ends:
            raise InvalidPlanError(
                f"Curfew at {self.place.name} starts and ends at {hhmm(self.starts)}: give a span"
            )

    def __repr__(self) -> str:
        return f"Curfew({self.place.name!r}, {hhmm(self.starts)!r}, {hhmm(self.ends)!r})"

    def __str__(self) -> str:
        return f"Curfew at {self.place.name} {hhmm(self.starts)}-{hhmm(self.ends)}"


def _elapsed(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    elapsed_micros(value, what=f"{type(instance).__name__}.{attribute.name}")


def _optional_people(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = names_tuple(value)
    if not isinstance(names, tuple) or not all(isinstance(n, str) and n.strip() for n in names):
        raise InvalidPlanError(f"Rest.who must be a list of people's names or None, got {value!r}")
    return names


@attrs.frozen(repr=False)
class Rest:
    """After a leg of at least *after*, its travellers (or those in *who*) rest for *rest*.

    They start no step until *rest* after landing.
    """

    after: timedelta = attrs.field(validator=_elapsed, eq=_time.duration_key)
    rest: timedelta = attrs.field(validator=_elapsed, eq=_time.duration_key)
    who: tuple[str, ...] | None = attrs.field(
        default=None, kw_only=True, converter=_optional_people
    )

    def __repr__(self) -> str:
        who = "" if self.who is None else f", who={self.who!r}"
        return f"Rest({self.after!r}, {self.rest!r}{who})"

    def __str__(self) -> str:
        who = "" if self.who is None else f" for {', '.join(self.who)}"
        return (
            f"Rest {format_micros(elapsed_micros(self.rest, what='rest'))} after legs of "
            f"{format_micros(elapsed_micros(self.after, what='after'))}{who}"
        )


def _names(value: object) -> tuple[str, ...]:
    names = names_tuple(value)
    if not isinstance(names, tuple) or not names or not all(isinstance(n, str) for n in names):
        raise InvalidPlanError(f"Drop.steps must be a non-empty list of step names, got {value!r}")
    return names


def _when(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPlanError(f"Drop.when must be a step's name, got {value!r}")


@attrs.frozen(repr=False)
class Drop:
    """In a run where step *when* starts more than *late_by* late, *steps* do not happen.

    No step waits for a step that did not happen.
    """

    steps: tuple[str, ...] = attrs.field(converter=_names)
    when: str = attrs.field(kw_only=True, validator=_when)
    late_by: timedelta = attrs.field(kw_only=True, validator=_elapsed, eq=_time.duration_key)

    def __repr__(self) -> str:
        return f"Drop({self.steps!r}, when={self.when!r}, late_by={self.late_by!r})"

    def __str__(self) -> str:
        late = format_micros(elapsed_micros(self.late_by, what="late_by"))
        return f"Drop if {self.when!r} starts more than {late} late"


Rule: TypeAlias = Curfew | Rest | Drop
"""A rule of a plan."""

RULE_TYPES = (Curfew, Rest, Drop)


def rules_tuple(value: object) -> tuple[Rule, ...]:
    """*value* (any iterable of rules) as a tuple, each checked to be a rule."""
    if isinstance(value, RULE_TYPES):
        value = (value,)
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidPlanError(f"Plan.rules must be a list of rules, got {value!r}")
    found = tuple(value)
    for position, rule in enumerate(found):
        if not isinstance(rule, RULE_TYPES):
            raise InvalidPlanError(
                f"Plan.rules[{position}] is a {type(rule).__name__}, not a rule "
                f"(Curfew, Rest or Drop): {rule!r}"
            )
    return found
