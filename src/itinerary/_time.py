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
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal, NamedTuple, TypeAlias

import pendulum
from pendulum import DateTime, Duration

from itinerary import _compat
from itinerary.errors import (
    AmbiguousLocalTimeError,
    ItineraryError,
    LocalTimeError,
    NaiveDatetimeError,
    NonexistentLocalTimeError,
    NoSuchDateError,
    UnknownZoneError,
    WallTimeSyntaxError,
)

__all__ = [
    "FIRST_INSTANT_US",
    "LAST_INSTANT_US",
    "WALL_TIME_FORM",
    "Disambiguate",
    "TimeText",
    "add_local",
    "add_local_micros",
    "check_zone",
    "duration",
    "duration_key",
    "duration_parts",
    "format_offset",
    "from_micros",
    "in_range",
    "instant",
    "instant_key",
    "iso_elapsed_micros",
    "micros",
    "offset_micros",
    "parse_iso_duration",
    "parse_time_text",
    "parse_wall_time",
    "resolve",
    "to_zone",
    "zone",
    "zone_name",
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


_NOT_ZONES = {
    "localtime": "the machine's own zone (there is no default zone: name one)",
    "Factory": "a placeholder with no real offset",
    "posixrules": "a file of default rules, not a zone",
}
"""Files the system's zone database holds that name no place."""


@functools.cache
def zone(name: str) -> pendulum.Timezone:
    """Return the IANA zone called *name*, or raise :class:`UnknownZoneError`.

    ``localtime`` (the machine's zone), ``Factory``, ``posixrules`` and the ``posix/`` and
    ``right/`` copies of the database (``right/`` counts leap seconds) are refused: they are
    files of the system's zone database, not names of places' zones.
    """
    if not isinstance(name, str) or not name or name.startswith(("+", "-")):
        raise UnknownZoneError(f"{name!r} is not an IANA time zone name (such as 'Asia/Tokyo')")
    if name in _NOT_ZONES or name.startswith(("posix/", "right/")):
        why = _NOT_ZONES.get(name, "a copy of the database under another root")
        raise UnknownZoneError(
            f"{name!r} is {why}, not an IANA time zone name (such as 'Asia/Tokyo')"
        )
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


FIRST_INSTANT_US = -62135510400000000
"""0001-01-02 00:00 UTC in microseconds since 1970: the first instant an event may be at."""
LAST_INSTANT_US = 253402214399999999
"""9999-12-30 23:59:59.999999 UTC: the last instant an event may be at.

Between the two, every zone's clock (offsets are under a day) shows a date in the years
1-9999, so an event's time can be shown anywhere; an instant outside them is refused.
"""


def in_range(us: int, *, what: str) -> int:
    """*us* (microseconds since 1970) if it is within the instants an event may be at.

    Raises :class:`LocalTimeError` otherwise: a later or earlier instant has no wall time in
    some zones (9999-12-31 23:59 UTC is already the year 10000 in Tokyo).
    """
    if not FIRST_INSTANT_US <= us <= LAST_INSTANT_US:
        raise LocalTimeError(
            f"{what}: {_describe_us(us)} is outside the instants an event may be at, "
            "0001-01-02 00:00 to 9999-12-30 23:59:59 UTC (every zone must show it as a date "
            "in the years 1-9999)"
        )
    return us


def _describe_us(us: int) -> str:
    try:
        at = _EPOCH + timedelta(microseconds=us)
    except (OverflowError, ValueError):
        return f"{us} µs after 1970"
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d} UTC"


def instant(value: object, *, what: str) -> DateTime:
    """Return *value* as an exact pendulum instant, refusing naive datetimes.

    *what* names the value in the error message (for example ``"Arrived.at"``). An instant
    outside :data:`FIRST_INSTANT_US` to :data:`LAST_INSTANT_US` raises
    :class:`LocalTimeError` (see :func:`in_range`).
    """
    if isinstance(value, DateTime) and value.tzinfo is not None:
        in_range(micros(value), what=what)
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
    in_range(micros(value), what=what)
    return pendulum.instance(value)


def micros(value: datetime) -> int:
    """Microseconds since the Unix epoch: an exact integer sort key for an aware datetime.

    Plain comparison of two datetimes that share a tzinfo ignores ``fold``; this key does not.
    """
    delta = _datetime_sub(value, _EPOCH)  # pendulum's own __sub__ builds a slow Interval
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instant_key(value: datetime | None) -> int | None:
    """An equality key for an optional instant: :func:`micros`, or ``None``.

    Frozen values compare their instants with it (``attrs.field(eq=instant_key)``): plain
    ``==`` on two datetimes that share a zone ignores ``fold``, so the two readings of
    01:30 on 2025-11-02 in New York, an hour apart, would compare equal.
    """
    return None if value is None else micros(value)


_WALL = r"(?P<wall>(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<clock>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))"
_OFFSET = r"(?:\s*(?P<offset>Z|(?P<sign>[+-])(?P<hh>\d{2}):(?P<mm>\d{2})))"
_NAME = r"(?:\s+(?P<name>[^\s\d+-].*))"
_TIME_TEXT = re.compile(_WALL + _OFFSET + "?" + _NAME + "?", re.ASCII | re.IGNORECASE)

WALL_TIME_FORM = "'YYYY-MM-DD HH:MM' (seconds optional, a space or 'T' between date and time)"
"""How the error messages describe the one accepted form of a wall time."""


class TimeText(NamedTuple):
    """A time as written (see :func:`parse_time_text`): a wall time, an offset, a name."""

    wall: datetime
    """The local wall time, naive."""
    offset: timedelta | None
    """The UTC offset written after it (``Z`` is zero), or ``None``."""
    zone: str | None
    """The name written after it (a zone, or a place where the caller knows places), or ``None``."""


def parse_time_text(text: object, *, where: str) -> TimeText:
    """Split a written time into its wall time and an optional offset and zone.

    The one grammar for times written as text (``Place.at``, scenario files, ``--as-of``)::

        WALL [OFFSET] [ZONE]
        WALL   = YYYY-MM-DD HH:MM[:SS[.ffffff]]   a space or "T" between date and time
        OFFSET = Z | +HH:MM | -HH:MM              right after WALL or after spaces
        ZONE   = spaces, then a name              "Asia/Tokyo" (or a place, "Kuala Lumpur")

    Week dates (``2025-W44-1 16:30``), ordinal dates, the basic format (``20251027 1630``),
    an hour alone (``2025-10-27 16``) and a date alone (which would silently mean midnight)
    are refused. The name is returned as written; what it may name is the caller's choice.
    Raises :class:`WallTimeSyntaxError` for text outside the grammar and for a date or time
    that does not exist on any calendar (``2025-11-31``); *where* starts its message.

    >>> parse_time_text("2025-11-02 01:30-05:00 America/New_York", where="here")
    TimeText(wall=datetime.datetime(2025, 11, 2, 1, 30), offset=datetime.timedelta(days=-1, seconds=68400), zone='America/New_York')
    """
    if not isinstance(text, str):
        raise WallTimeSyntaxError(
            f"{where}: expected a local wall time {WALL_TIME_FORM}, got {text!r}"
        )
    stripped = text.strip()
    match = _TIME_TEXT.fullmatch(stripped)
    if match is None:
        raise WallTimeSyntaxError(
            f"{where}: {stripped!r} is not a local wall time; expected {WALL_TIME_FORM}"
        )
    try:
        wall = datetime.fromisoformat(f"{match['date']} {match['clock']}")
    except ValueError as exc:  # the shape is right, the date is not: 2025-11-31
        raise NoSuchDateError(
            f"{where}: {stripped!r} is not a date and time that exist: {exc}", str(exc)
        ) from None
    offset = None
    if match["offset"] is not None:
        hours, minutes = (0, 0) if match["sign"] is None else (int(match["hh"]), int(match["mm"]))
        if hours > 23 or minutes > 59:
            raise WallTimeSyntaxError(
                f"{where}: {stripped!r} has an offset that cannot be: {match['offset']}"
            )
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if match["sign"] == "-" else 1)
    name = match["name"]
    return TimeText(wall, offset, None if name is None else name.strip())


def parse_wall_time(text: object, *, where: str) -> datetime:
    """Parse a local wall time, ``"YYYY-MM-DD HH:MM[:SS[.ffffff]]"``, as a naive datetime.

    The grammar is :func:`parse_time_text`'s, without an offset or a zone: the caller (a
    place) supplies the zone. Raises :class:`WallTimeSyntaxError`; *where* names the place
    in its message.

    >>> parse_wall_time("2025-10-28T12:00", where="Tokyo")
    datetime.datetime(2025, 10, 28, 12, 0)
    """
    parsed = parse_time_text(text, where=where)
    if parsed.offset is not None or parsed.zone is not None:
        extra = "an offset" if parsed.offset is not None else f"a zone ({parsed.zone})"
        raise WallTimeSyntaxError(
            f"{where}: {str(text).strip()!r} carries {extra}; give the local wall time only "
            "(the place supplies the zone)"
        )
    return parsed.wall


def _describe(wall: datetime) -> str:
    return wall.isoformat(sep=" ", timespec="minutes" if not wall.second else "seconds")


def resolve(
    wall: datetime,
    tz_name: str,
    *,
    disambiguate: Disambiguate = "raise",
    where: str,
    how_to_choose: str | None = None,
    offset: timedelta | None = None,
) -> DateTime:
    """Turn a naive local wall time at zone *tz_name* into one exact instant.

    Raises :class:`NonexistentLocalTimeError` for a wall time in a gap and
    :class:`AmbiguousLocalTimeError` for one in a fold, unless *disambiguate* says how to
    choose. *where* names the place in error messages, and *how_to_choose*, if given,
    replaces the advice they end with (the command line names its own option).

    An *offset* (as :func:`parse_time_text` reads one) chooses instead: the instant at which
    the clocks there showed *wall* with that offset, or :class:`LocalTimeError` if they
    never did.
    """
    if offset is not None:
        return _with_offset(wall, tz_name, offset, where=where)
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


def _with_offset(wall: datetime, tz_name: str, offset: timedelta, *, where: str) -> DateTime:
    candidates = [
        resolve(wall, tz_name, disambiguate=choice, where=where) for choice in ("earlier", "later")
    ]
    for candidate in candidates:
        if candidate.utcoffset() == offset and candidate.replace(tzinfo=None) == wall:
            return candidate
    shown = " or ".join(sorted({format_offset(c) for c in candidates}))
    raise LocalTimeError(
        f"{where}: local time {_describe(wall)} with offset {_offset(offset)} never happened "
        f"there (the offset there was {shown})"
    )


def _offset(delta: timedelta | None) -> str:
    assert delta is not None
    sign = "-" if delta < timedelta(0) else "+"
    seconds = abs(int(delta.total_seconds()))
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def format_offset(value: datetime) -> str:
    """The UTC offset of an aware datetime as ``+HH:MM`` (``+05:30``, ``-04:00``).

    A historic offset with seconds keeps them: ``+09:18:59`` (Tokyo's local mean time).
    """
    return _offset(value.utcoffset())


def zone_name(value: datetime) -> str | None:
    """The IANA name of *value*'s zone (``zoneinfo`` or pendulum), or ``None`` for another tzinfo."""
    key = getattr(value.tzinfo, "key", None)
    return key if isinstance(key, str) else None


def from_micros(us: int, tz_name: str) -> DateTime:
    """The instant *us* microseconds after the Unix epoch, expressed in zone *tz_name*.

    The inverse of :func:`micros`, built with the ``DateTime`` constructor and a cached zone
    (no parsing), and kept: a simulator asks for the same planned instants again and again,
    and a ``DateTime`` is immutable. Raises :class:`LocalTimeError` outside the years 1-9999.
    """
    return _from_micros(us, tz_name)


def local_instant(us: int, tz: tzinfo) -> DateTime:
    """The instant *us* microseconds after the Unix epoch in the zone *tz*, uncached.

    For loads, which meet each instant once (:func:`from_micros` keeps what it builds).
    Raises ``OverflowError`` or ``ValueError`` outside the years 1-9999.
    """
    # What astimezone() does for a UTC datetime, without its checks and copies: the UTC wall
    # time labelled with tz (a plain datetime: zoneinfo's fromutc() on a pendulum DateTime
    # uses pendulum's own arithmetic, which lands an hour off next to a clock change, Seoul
    # 1988-05-08 03:00), converted by the zone's fromutc(), fold included. The local
    # datetime's pickled state (its wall time and fold) and zone, given to the DateTime
    # constructor as unpickling does, copy it in one call.
    base = _LOCAL_EPOCHS.get(tz)
    if base is None:
        base = datetime(1970, 1, 1, tzinfo=tz)
        if len(_LOCAL_EPOCHS) < 1024:
            _LOCAL_EPOCHS[tz] = base
    local = tz.fromutc(base + timedelta(0, 0, us))  # positional: faster than keywords
    return _compat.as_pendulum(local)


_LOCAL_EPOCHS: dict[tzinfo, datetime] = {}
"""1970-01-01 00:00 as a plain datetime labelled with each zone (see local_instant)."""


@functools.lru_cache(maxsize=1 << 14)
def _from_micros(us: int, tz_name: str) -> DateTime:
    tz = zone(tz_name)
    try:
        return local_instant(us, tz)
    except (OverflowError, ValueError) as exc:
        raise LocalTimeError(f"{us} µs after 1970 is outside the years 1-9999 ({exc})") from None


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


_NAIVE_EPOCH = datetime(1970, 1, 1)
# add_local_micros() works on plain integers between these instants (years 2-9998 in UTC)
# and leaves the rest, near the ends of the calendar, to add_local() and its errors.
_FAST_LOW = -62_104_060_800_000_000
_FAST_HIGH = 253_339_228_800_000_000


def add_local_micros(us: int, tz_name: str, parts: tuple[int, int, int, int, int]) -> int:
    """:func:`add_local` on microseconds since the epoch: the same integer, 10-30x faster.

    ``micros(add_local(from_micros(us, tz_name), tz_name, d))`` for any duration *d* whose
    :func:`duration_parts` are *parts*, computed with the standard library's ``datetime``
    and the zone's ``zoneinfo`` rules, without building a pendulum ``DateTime``. The same
    rules: the calendar parts move the local wall date (month-ends clamped), a wall time in
    a gap or a fold is resolved "compatible", and the elapsed parts are then added exactly.
    Raises :class:`LocalTimeError` as :func:`add_local` does.

    >>> us = micros(resolve(datetime(2025, 3, 8, 12), "America/New_York", where="NY"))
    >>> (add_local_micros(us, "America/New_York", (0, 0, 1, 0, 0)) - us) // 3_600_000_000
    23
    """
    if _FAST_LOW <= us <= _FAST_HIGH:
        try:
            found = _add_local_micros(us, zone(tz_name), parts)
        except (OverflowError, ValueError):  # near the ends of the calendar: add_local says
            found = _FAST_HIGH + 1
        if _FAST_LOW <= found <= _FAST_HIGH:
            return found
    years, months, days, seconds, micro = parts
    after = duration(years=years, months=months, days=days, seconds=seconds, microseconds=micro)
    return micros(add_local(from_micros(us, tz_name), tz_name, after))


def offset_micros(us: int, tz_name: str) -> int:
    """The UTC offset of the zone *tz_name* at the instant *us* (µs since the epoch), in µs.

    >>> offset_micros(0, "Asia/Tokyo") // 3_600_000_000
    9
    """
    local = (_EPOCH + timedelta(microseconds=us)).astimezone(zone(tz_name))
    offset = local.utcoffset()
    assert offset is not None
    return offset // _MICROSECOND


def _add_local_micros(us: int, tz: zoneinfo.ZoneInfo, parts: tuple[int, int, int, int, int]) -> int:
    years, months, days, seconds, micro = parts
    exact = seconds * 1_000_000 + micro
    if not (years or months or days):
        return us + exact
    wall = (_EPOCH + timedelta(microseconds=us)).astimezone(tz).replace(tzinfo=None, fold=0)
    wall = _move_calendar(wall, years, months, days)
    first = wall.replace(tzinfo=tz)
    before = first.utcoffset()
    after = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert before is not None
    assert after is not None
    local = (wall - _NAIVE_EPOCH) // _MICROSECOND
    moved = local - before // _MICROSECOND
    if before != after:  # a gap (the later instant) or a fold (the earlier), as resolve()
        other = local - after // _MICROSECOND
        utc = datetime.astimezone(first, UTC)
        in_gap = datetime.replace(datetime.astimezone(utc, tz), tzinfo=None, fold=0) != wall
        moved = max(moved, other) if in_gap else min(moved, other)
    return moved + exact


def duration_parts(value: timedelta) -> tuple[int, int, int, int, int]:
    """``(years, months, days, seconds, microseconds)`` of a duration, as added to a date.

    The first three are calendar parts (they move the local date); the last two are exact
    elapsed time. A pendulum ``Duration`` keeps the parts it was given (pendulum's own
    ``DateTime + Duration`` reads them the same way), so ``duration(hours=36)`` is 36 hours
    of elapsed time while ``duration(days=1, hours=12)`` is a calendar day and 12 hours; a
    plain ``timedelta`` is all elapsed time. Frozen values compare durations by these parts:
    six calendar months are not 180 days.
    """
    signature = _compat.duration_signature(value)
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


def parse_iso_duration(text: str) -> Duration | None:
    """The ISO 8601 duration *text* (``"P6M"``, ``"P1DT12H"``, ``"PT36H"``, ``"P3W"``), or ``None``.

    pendulum's parser reads it and keeps its parts as written (six months stay six months,
    36 hours stay 36 hours; see :func:`duration_parts`). Whole numbers only: a fraction
    (``"PT1.5H"``) gives ``None``, as does anything that is not a duration (pendulum's
    parser would read a date, in UTC).

    >>> duration_parts(parse_iso_duration("P1Y2M3DT4H"))
    (1, 2, 3, 14400, 0)
    """
    if not isinstance(text, str) or not text.startswith("P") or "." in text or "," in text:
        return None
    try:
        parsed = pendulum.parse(text, exact=True)
    except (ValueError, OverflowError):  # pendulum's ParserError is a ValueError
        return None
    return parsed if isinstance(parsed, Duration) else None


_ELAPSED_ISO = re.compile(
    r"P(?:(\d{1,9})W|(?=\d|T\d)(?:(\d{1,9})D)?(?:T(?=\d)(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9})S)?)?)"
)


_CENTURY_US = 100 * 366 * 86_400_000_000  # the longest elapsed time a plan may hold


def iso_elapsed_micros(text: str) -> int | None:
    """The common ISO 8601 durations of elapsed time, in microseconds, or ``None``.

    A fast path for long lists of durations: ``"PT30M"``, ``"P2DT3H"``, ``"P3W"`` (whole
    weeks, days, hours, minutes, seconds, a day counting 24 hours) give what
    :func:`parse_iso_duration` gives, 50x faster; anything else (months, years, fractions,
    lowercase, forms pendulum reads more leniently, more than a century) gives ``None``, for
    the full parser.

    >>> iso_elapsed_micros("PT1H30M"), iso_elapsed_micros("P6M")
    (5400000000, None)
    """
    found = _ELAPSED_ISO.fullmatch(text)
    if found is None:
        return None
    weeks, days, hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    us = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60_000_000 + seconds * 1_000_000
    return us if us <= _CENTURY_US else None  # longer: the full parser, and its errors


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
    wall = _move_calendar(wall, years, months, days)
    moved = resolve(wall, tz_name, disambiguate="compatible", where=tz_name)
    if not exact:
        return moved
    return to_zone(_EPOCH + timedelta(microseconds=micros(moved)) + exact, tz_name)


def _move_calendar(wall: datetime, years: int, months: int, days: int) -> datetime:
    """A naive wall time moved by calendar parts, as pendulum's ``add_duration`` moves it.

    The month moves first and the day is clamped to the month's length (31 March plus six
    months is 30 September); then the days.
    """
    if years or months:
        total = wall.month - 1 + months
        year = wall.year + years + total // 12
        month = total % 12 + 1
        wall = wall.replace(
            year=year, month=month, day=min(wall.day, calendar.monthrange(year, month)[1])
        )
    if days:
        wall += timedelta(days=days)
    return wall


_compat.register_pickling()  # process-wide: see itinerary._compat and docs/design.md
