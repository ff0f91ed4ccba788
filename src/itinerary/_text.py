"""The smallest pieces of display: safe text, instants for people, short reprs.

A leaf module (it imports only :mod:`itinerary._time`), so the value classes can build their
``__repr__`` from it; :mod:`itinerary.display` re-exports the public ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from itinerary import _time

__all__ = [
    "BIDI_CONTROLS",
    "clip",
    "escape_controls",
    "format_duration",
    "format_instant",
    "format_span",
    "parse_duration",
    "people_ref",
    "place_ref",
    "text_ref",
]

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""The characters with Unicode's Bidi_Control property: they can make text read backwards.

From the Unicode Character Database, ``PropList.txt`` (Bidi_Control: 061C, 200E..200F,
202A..202E, 2066..2069; unchanged since Unicode 6.3): the Arabic letter mark and the left-
and right-to-left marks, and the embeddings, overrides and isolates. ``unicodedata`` has
their bidirectional class but not the property; ``tests/test__text.py`` checks each one's.
"""

# C0 controls (tab and newline too: a cell is one line), DEL, C1 controls, the line and
# paragraph separators, and the bidi controls (BIDI_CONTROLS).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    r"""*text* with every control character written out visibly, as ``\x1b`` or ``\u202e``.

    Printable text (backslashes included) comes back unchanged, so a name shows as given,
    and an escape sequence in a name can never reach a terminal or a notebook.

    >>> escape_controls("Tokyo\x1b[2J\n")
    'Tokyo\\x1b[2J\\x0a'
    >>> escape_controls("Gyeongju")
    'Gyeongju'
    """
    return _CONTROL.sub(_escape, text)


def format_instant(instant: datetime, where: object = None) -> str:
    """*instant* as wall time at *where* (a place or a zone name), with offset and zone.

    ``2025-10-28 12:00 +09:00 Asia/Tokyo``; seconds are shown only if there are any.
    Without *where*, the instant is shown in its own zone (``UTC`` if it names none).

    >>> from itinerary.places import TOKYO, SEOUL
    >>> format_instant(TOKYO.at("2025-10-28 12:00"), SEOUL)
    '2025-10-28 12:00 +09:00 Asia/Seoul'
    """
    tz = getattr(where, "tz", where)
    if not isinstance(tz, str):
        tz = _time.zone_name(instant) or "UTC"
    local = _time.to_zone(instant, tz)
    shown = (
        f"{local:%Y-%m-%d %H:%M:%S.%f}"
        if local.microsecond
        else f"{local:%Y-%m-%d %H:%M:%S}"
        if local.second
        else f"{local:%Y-%m-%d %H:%M}"
    )
    return f"{shown} {_time.format_offset(local)} {tz}"


def format_span(start: datetime, end: datetime, where: object = None) -> str:
    """``2025-10-28 10:00 +09:00 Asia/Tokyo to 11:30``: a start and an end, at one place.

    The end is shown without its zone (the start's), and without its date and offset too
    when they are the start's.
    """
    first = format_instant(start, where)
    last = format_instant(end, where).rsplit(" ", 1)[0]  # day, clock, offset
    day, _, offset = first.split(" ")[:3]
    end_day, end_clock, end_offset = last.split(" ")
    if (end_day, end_offset) == (day, offset):
        return f"{first} to {end_clock}"
    return f"{first} to {last}"


_US = {"µs": 1, "ms": 1_000, "s": 1_000_000, "min": 60_000_000, "h": 3_600_000_000,
       "d": 86_400_000_000}  # fmt: skip
# (below, shown to the nearest, as): a duration is rounded to the step of its tier, then
# written in the tier of the rounded value. Each tier's bound is a whole number of the next
# tier's steps, so rounding never crosses a bound the wrong way: the rounding is monotone.
_TIERS = (
    (_US["ms"], 1, ("µs",)),
    (_US["s"], _US["ms"], ("ms",)),
    (_US["min"], _US["s"], ("s",)),
    (_US["h"], _US["min"], ("min",)),
    (_US["d"], _US["min"], ("h", "min")),
    (None, _US["h"], ("d", "h")),
)


def _micros(value: timedelta | int) -> int:
    if isinstance(value, int):
        return value
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def rounded_micros(value: timedelta | int) -> int:
    """*value* (a duration, or microseconds) rounded as :func:`format_duration` shows it."""
    us = _micros(value)
    if us < 0:
        return -rounded_micros(-us)
    for bound, step, _ in _TIERS:
        if bound is None or us < bound:
            return (us + step // 2) // step * step  # half up: 30 s shows as 1 min
    raise AssertionError  # pragma: no cover - the last tier has no bound


def format_duration(value: timedelta | int) -> str:
    """A duration (or microseconds) as people read it, the same in every table and label.

    Two units at most, the second zero-padded and left out when zero, at a precision that
    depends on the size: ``0``, ``250 ms``, ``40 s``, ``45 min``, ``1 h 05 min``, ``2 h``,
    ``7 d 04 h``, ``-1 d``.
    Under a minute, whole seconds (milliseconds, microseconds below a second); under a
    day, whole minutes; from a day, whole hours. The value is rounded half up to that
    precision first, so 59.6 seconds reads ``1 min`` and 23 h 59 min 40 s reads ``1 d``.
    A day is 24 hours of elapsed time; a negative duration has a ``-`` in front.
    ``parse_duration`` reads the text back.

    >>> from datetime import timedelta
    >>> format_duration(timedelta(hours=4, minutes=48))
    '4 h 48 min'
    >>> format_duration(timedelta(hours=172, minutes=30))
    '7 d 05 h'

    A pendulum duration with years or months (counted in a local calendar) shows them
    first, as ``1 y``, ``5 mo``, then its elapsed rest if any: ``5 mo 3 d``.
    """
    if not isinstance(value, int):
        years, months, days, seconds, micro = _time.duration_parts(value)
        if years or months:
            rest = (days * 86_400 + seconds) * 1_000_000 + micro
            parts = [f"{n:,} {unit}" for n, unit in ((years, "y"), (months, "mo")) if n]
            if rest:
                parts.append(format_duration(rest))
            return " ".join(parts)
    us = rounded_micros(value)
    if us == 0:
        return "0"
    if us < 0:
        return "-" + format_duration(-us)
    for bound, _, units in _TIERS:
        if bound is None or us < bound:
            big = units[0]
            count, rest = divmod(us, _US[big])
            if len(units) == 1 or rest == 0:
                return f"{count:,} {big}"
            return f"{count:,} {big} {rest // _US[units[1]]:02d} {units[1]}"
    raise AssertionError  # pragma: no cover - the last tier has no bound


_SHOWN = re.compile(r"(-?)(\d{1,3}(?:,\d{3})*) (?:(µs|ms|s|min|h|d)|h (\d\d) min|d (\d\d) h)")


def parse_duration(text: str) -> timedelta | None:
    """The duration :func:`format_duration` wrote as *text*, or ``None`` if it wrote no such text.

    >>> parse_duration("1 h 05 min")
    datetime.timedelta(seconds=3900)
    """
    if text == "0":
        return timedelta(0)
    found = _SHOWN.fullmatch(text)
    if found is None:
        return None
    sign, count, unit, minutes, hours = found.groups()
    whole = int(count.replace(",", ""))
    if unit is not None:
        us = whole * _US[unit]
    elif minutes is not None:
        us = whole * _US["h"] + int(minutes) * _US["min"]
    else:
        us = whole * _US["d"] + int(hours) * _US["h"]
    return timedelta(microseconds=-us if sign else us)


_LONGEST = 32
"""The most characters of one user string a repr shows."""


def clip(text: str, limit: int = _LONGEST) -> str:
    """*text* cut to *limit* characters (the last one ``…``), with controls escaped."""
    shown = escape_controls(text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def text_ref(text: str | None) -> str:
    """A user string inside a repr: quoted, clipped, controls escaped."""
    return "None" if text is None else repr(clip(text))


def place_ref(place: object) -> str:
    """A place inside another repr: ``Place('Tokyo')``."""
    name = getattr(place, "name", None)
    return f"Place({text_ref(name)})" if isinstance(name, str) else "None"


def people_ref(people: Iterable[str], shown: int = 2) -> str:
    """Names inside a repr: ``('A', 'B', +2 more)``."""
    names = list(people)
    parts = [text_ref(n) for n in names[:shown]]
    if len(names) > shown:
        parts.append(f"+{len(names) - shown} more")
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
