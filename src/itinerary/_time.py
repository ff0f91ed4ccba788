"""The one door to pendulum: zones, wall time to instant, calendar arithmetic.

pendulum has traps this module exists to avoid (see docs/local-time.md):
``pendulum.parse`` assumes UTC for strings without an offset, ``pendulum.datetime()``
defaults to UTC, a local time that does not exist is silently moved forward and an
ambiguous one silently resolved, and its convenience functions are far slower than the
``DateTime`` constructor with a cached zone. Nothing here reads the clock or assumes a zone.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeAlias

import pendulum
from pendulum import DateTime, Duration

from itinerary.errors import (
    AmbiguousLocalTimeError,
    ItineraryError,
    LocalTimeError,
    NaiveDatetimeError,
    NonexistentLocalTimeError,
    UnknownZoneError,
)

__all__ = [
    "Disambiguate",
    "add_local",
    "check_zone",
    "duration",
    "duration_key",
    "duration_parts",
    "format_offset",
    "from_micros",
    "instant",
    "instant_key",
    "micros",
    "parse_wall_time",
    "resolve",
    "to_zone",
    "zone",
]

Disambiguate: TypeAlias = Literal["raise", "earlier", "later", "compatible"]
"""How to turn a wall time that is in a gap or a fold into one instant.

``"raise"`` (the default everywhere) refuses; ``"earlier"`` and ``"later"`` pick the earlier or
later of the two candidate instants; ``"compatible"`` picks the earlier in a fold and the later
in a gap, as RFC 5545 and JavaScript's Temporal do.
"""

_POLICIES = ("raise", "earlier", "later", "compatible")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_datetime_sub = datetime.__sub__


@functools.cache
def zone(name: str) -> pendulum.Timezone:
    """Return the IANA zone called *name*, or raise :class:`UnknownZoneError`."""
    if not isinstance(name, str) or not name or name.startswith(("+", "-")):
        raise UnknownZoneError(f"{name!r} is not an IANA time zone name (such as 'Asia/Tokyo')")
    try:
        tz = pendulum.timezone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, KeyError, OSError) as exc:
        raise UnknownZoneError(
            f"{name!r} is not an IANA time zone name (such as 'Asia/Tokyo')"
        ) from exc
    if not isinstance(tz, pendulum.Timezone):  # a fixed offset, e.g. "UTC+9"
        raise UnknownZoneError(f"{name!r} is a fixed offset, not an IANA time zone name")
    return tz


def check_zone(name: str) -> str:
    """Return *name* unchanged if it is an IANA zone; raise :class:`UnknownZoneError` if not."""
    zone(name)
    return name


def instant(value: object, *, what: str) -> DateTime:
    """Return *value* as an exact pendulum instant, refusing naive datetimes.

    *what* names the value in the error message (for example ``"Arrived.at"``).
    """
    if isinstance(value, DateTime) and value.tzinfo is not None:
        return value
    if not isinstance(value, datetime):
        raise NaiveDatetimeError(
            f"{what} must be a timezone-aware datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what} is a naive datetime ({value.isoformat(sep=' ')}): an instant needs a zone; "
            "give local wall times through a place, e.g. TOKYO.at('2025-10-28 12:00')"
        )
    return pendulum.instance(value)


def micros(value: datetime) -> int:
    """Microseconds since the Unix epoch: an exact integer sort key for an aware datetime.

    Plain comparison of two datetimes that share a tzinfo ignores ``fold``; this key does not.
    """
    delta = _datetime_sub(value, _EPOCH)  # pendulum's own __sub__ builds a slow Interval
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_WALL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
_WITH_OFFSET = re.compile(r"(.*\d)\s*(Z|[+-]\d{2}(:?\d{2})?)", re.IGNORECASE)


def instant_key(value: datetime | None) -> int | None:
    """An equality key for an optional instant: :func:`micros`, or ``None``.

    Frozen values compare their instants with it (``attrs.field(eq=instant_key)``): plain
    ``==`` on two datetimes that share a zone ignores ``fold``, so the two readings of
    01:30 on 2025-11-02 in New York, an hour apart, would compare equal.
    """
    return None if value is None else micros(value)


def parse_wall_time(text: str, *, where: str) -> datetime:
    """Parse ``"YYYY-MM-DD HH:MM[:SS[.ffffff]]"`` (or with ``T``) as a naive wall time.

    An offset is refused (the place supplies the zone), and so is a date without a time,
    which would otherwise silently mean midnight. *where* names the place in error messages.
    """
    if not isinstance(text, str):
        raise LocalTimeError(
            f"{where}: expected a local wall time 'YYYY-MM-DD HH:MM', got {text!r}"
        )
    text = text.strip()
    if _WITH_OFFSET.fullmatch(text) and _WALL_TIME.fullmatch(_WITH_OFFSET.sub(r"\1", text)):
        raise LocalTimeError(
            f"{where}: {text!r} carries an offset; give the local wall time only "
            "(the place supplies the zone)"
        )
    if not _WALL_TIME.fullmatch(text):
        raise LocalTimeError(
            f"{where}: {text!r} is not a local wall time; expected 'YYYY-MM-DD HH:MM' "
            "(seconds optional)"
        )
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:  # the shape is right, the date is not: 2025-11-31
        raise LocalTimeError(
            f"{where}: {text!r} is not a date and time that exist: {exc}"
        ) from None


def _describe(wall: datetime) -> str:
    return wall.isoformat(sep=" ", timespec="minutes" if not wall.second else "seconds")


def resolve(
    wall: datetime,
    tz_name: str,
    *,
    disambiguate: Disambiguate = "raise",
    where: str,
    how_to_choose: str | None = None,
) -> DateTime:
    """Turn a naive local wall time at zone *tz_name* into one exact instant.

    Raises :class:`NonexistentLocalTimeError` for a wall time in a gap and
    :class:`AmbiguousLocalTimeError` for one in a fold, unless *disambiguate* says how to
    choose. *where* names the place in error messages, and *how_to_choose*, if given,
    replaces the advice they end with (the command line names its own option).
    """
    if disambiguate not in _POLICIES:
        raise LocalTimeError(
            f"{where}: disambiguate must be one of {_POLICIES}, got {disambiguate!r}"
        )
    tz = zone(tz_name)
    # Plain datetimes here: pendulum's replace() and astimezone() normalise ``fold`` away.
    wall = datetime(
        wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second, wall.microsecond
    )
    first = datetime.replace(wall, tzinfo=tz, fold=0)
    second = datetime.replace(wall, tzinfo=tz, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    try:
        micros(first), datetime.astimezone(first, UTC), datetime.astimezone(second, UTC)
    except (OverflowError, ValueError):
        raise LocalTimeError(
            f"{where}: local time {_describe(wall)} is too close to the ends of the calendar "
            "(years 1-9999) to be an instant"
        ) from None
    if before == after:
        return DateTime(
            wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second,
            wall.microsecond, tzinfo=tz,
        )  # fmt: skip
    # Two candidate offsets. If converting back gives the same wall time, the time exists
    # twice (a fold); otherwise it never existed (a gap).
    utc = datetime.astimezone(first, UTC)
    in_gap = datetime.replace(datetime.astimezone(utc, tz), tzinfo=None, fold=0) != wall
    candidates = sorted((first, second), key=micros)
    earlier, later = candidates
    if disambiguate == "raise":
        change = f"{_offset(before)} to {_offset(after)}"
        if in_gap:
            advice = (
                how_to_choose
                if how_to_choose is not None
                else (
                    "Choose disambiguate='earlier', 'later' or 'compatible' to accept a nearby "
                    "instant."
                )
            )
            raise NonexistentLocalTimeError(
                f"{where}: local time {_describe(wall)} does not exist there: the clocks "
                f"jumped over it (offset changed from {change}). {advice}".rstrip()
            )
        advice = (
            how_to_choose
            if how_to_choose is not None
            else (
                "Choose disambiguate='earlier' or 'later' (or 'compatible', which is 'earlier') "
                "to say which."
            )
        )
        raise AmbiguousLocalTimeError(
            f"{where}: local time {_describe(wall)} happened twice there: the clocks were "
            f"turned back (offset changed from {change}). {advice}".rstrip()
        )
    if disambiguate == "compatible":
        chosen = later if in_gap else earlier
    else:
        chosen = earlier if disambiguate == "earlier" else later
    return to_zone(chosen, tz_name)


def _offset(delta: timedelta | None) -> str:
    assert delta is not None
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_offset(value: datetime) -> str:
    """The UTC offset of an aware datetime as ``+HH:MM`` (``+05:30``, ``-04:00``)."""
    return _offset(value.utcoffset())


def from_micros(us: int, tz_name: str) -> DateTime:
    """The instant *us* microseconds after the Unix epoch, expressed in zone *tz_name*.

    The inverse of :func:`micros`, built with the ``DateTime`` constructor and a cached zone
    (no parsing). Raises :class:`LocalTimeError` outside the years 1-9999.
    """
    tz = zone(tz_name)
    try:
        # Through a plain UTC datetime: zoneinfo's fromutc() on a pendulum DateTime uses
        # pendulum's own arithmetic, which lands an hour off next to a clock change
        # (Seoul, 1988-05-08 03:00).
        local = (_EPOCH + timedelta(microseconds=us)).astimezone(tz)
    except (OverflowError, ValueError) as exc:
        raise LocalTimeError(f"{us} µs after 1970 is outside the years 1-9999 ({exc})") from None
    return DateTime(
        local.year, local.month, local.day, local.hour, local.minute, local.second,
        local.microsecond, tzinfo=tz, fold=local.fold,
    )  # fmt: skip


def to_zone(value: datetime, tz_name: str) -> DateTime:
    """The same instant as *value*, expressed in zone *tz_name*."""
    return from_micros(micros(value), tz_name)


def duration(
    *, years: int = 0, months: int = 0, days: int = 0, seconds: int = 0, microseconds: int = 0
) -> Duration:
    """A pendulum duration whose years and months count in a local calendar.

    Raises :class:`ValueError` for a duration too long to add to any date.
    """
    try:
        return Duration(
            years=years, months=months, days=days, seconds=seconds, microseconds=microseconds
        )
    except OverflowError as exc:
        raise ValueError(f"duration too long: {exc}") from None


def add_local(start: datetime, tz_name: str, duration: timedelta) -> DateTime:
    """Add *duration* to *start* in the local calendar of zone *tz_name*.

    Years, months, weeks and days move the local wall date (a month-end is clamped, so
    31 March plus six months is 30 September) and keep the wall clock time; hours, minutes
    and seconds are exact elapsed time, as pendulum's ``DateTime + Duration`` counts them
    (see :func:`duration_parts`); a plain ``timedelta`` is all elapsed time. If the wall time
    lands in a gap or a fold the "compatible" choice is made (later in a gap, earlier in a
    fold), because a deadline must fall on a real instant.
    """
    try:
        return _add_local(start, tz_name, duration)
    except ItineraryError:
        raise
    except (OverflowError, ValueError) as exc:
        raise LocalTimeError(
            f"{duration} after {start.isoformat(sep=' ')} in {tz_name} is outside the years "
            f"1-9999 ({exc})"
        ) from None


def duration_parts(value: timedelta) -> tuple[int, int, int, int, int]:
    """``(years, months, days, seconds, microseconds)`` of a duration, as added to a date.

    The first three are calendar parts (they move the local date); the last two are exact
    elapsed time. A pendulum ``Duration`` keeps the parts it was given (pendulum's own
    ``DateTime + Duration`` reads them the same way), so ``duration(hours=36)`` is 36 hours
    of elapsed time while ``duration(days=1, hours=12)`` is a calendar day and 12 hours; a
    plain ``timedelta`` is all elapsed time. Frozen values compare durations by these parts:
    six calendar months are not 180 days.
    """
    signature = getattr(value, "_signature", None) if isinstance(value, Duration) else None
    if signature is None:
        total = value // _MICROSECOND
        return 0, 0, 0, *divmod(total, 1_000_000)
    days = signature["weeks"] * 7 + signature["days"]
    whole = math.floor(days)
    exact = timedelta(
        days=days - whole,
        hours=signature["hours"],
        minutes=signature["minutes"],
        seconds=signature["seconds"],
        microseconds=signature["microseconds"],
    )
    seconds, micro = divmod(exact // _MICROSECOND, 1_000_000)
    return int(signature["years"]), int(signature["months"]), whole, seconds, micro


def duration_key(value: timedelta | None) -> tuple[int, int, int, int, int] | None:
    """An equality key for an optional duration: its :func:`duration_parts`, or ``None``."""
    return None if value is None else duration_parts(value)


def _add_local(start: datetime, tz_name: str, duration: timedelta) -> DateTime:
    local = to_zone(start, tz_name)
    years, months, days, seconds, micro = duration_parts(duration)
    exact = timedelta(seconds=seconds, microseconds=micro)
    if not (years or months or days):  # elapsed time only: no wall clock (it loses a fold)
        return to_zone(_EPOCH + timedelta(microseconds=micros(start)) + exact, tz_name)
    wall = datetime(
        local.year, local.month, local.day, local.hour, local.minute, local.second,
        local.microsecond,
    )  # fmt: skip
    if years or months:  # as pendulum's add_duration: move the month, clamp the day
        total = wall.month - 1 + months
        year = wall.year + years + total // 12
        month = total % 12 + 1
        wall = wall.replace(
            year=year, month=month, day=min(wall.day, calendar.monthrange(year, month)[1])
        )
    if days:
        wall += timedelta(days=days)
    moved = resolve(wall, tz_name, disambiguate="compatible", where=tz_name)
    if not exact:
        return moved
    return to_zone(_EPOCH + timedelta(microseconds=micros(moved)) + exact, tz_name)
