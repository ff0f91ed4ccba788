"""The smallest pieces of display: safe text, instants for people, short reprs.

A leaf module (it imports only :mod:`itinerary._time`), so the value classes can build their
``__repr__`` from it; :mod:`itinerary.display` re-exports the public ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from itinerary import _time

__all__ = [
    "BIDI_CONTROLS",
    "clip",
    "escape_controls",
    "format_instant",
    "format_span",
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
