"""The smallest pieces of display: the set of bidi controls, and escaping them everywhere."""

from __future__ import annotations

import sys
import unicodedata
from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import Arrived, EventLog, replay
from itinerary._text import (
    BIDI_CONTROLS,
    escape_controls,
    format_duration,
    parse_duration,
    rounded_micros,
)
from itinerary.places import TOKYO

_EXPLICIT = frozenset({"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"})
"""The bidi classes of the explicit formatting characters (UAX #9, table 4)."""
_MARKS = {"LEFT-TO-RIGHT MARK": "L", "RIGHT-TO-LEFT MARK": "R", "ARABIC LETTER MARK": "AL"}
"""The implicit marks LRM, RLM and ALM: their bidi class is their direction's (L, R, AL)."""


def test_every_bidi_control_is_a_formatting_character_or_a_mark() -> None:
    """Each listed code point's bidi class is an explicit formatting class, or a mark's."""
    for char in BIDI_CONTROLS:
        kind = unicodedata.bidirectional(char)
        name = unicodedata.name(char)
        assert kind in _EXPLICIT or _MARKS.get(name) == kind, (hex(ord(char)), name, kind)
    assert {unicodedata.name(c) for c in BIDI_CONTROLS} >= set(_MARKS)


def test_every_explicit_formatting_character_is_a_bidi_control() -> None:
    """No code point of an explicit formatting class is missing from the set."""
    found = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.bidirectional(chr(code)) in _EXPLICIT
    }
    assert found <= BIDI_CONTROLS
    assert len(BIDI_CONTROLS) == len(found) + len(_MARKS)


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_each_bidi_control_is_escaped_in_text_html_and_reprs(char: str) -> None:
    """A bidi mark or override in a name is written out in text, HTML and reprs."""
    shown = f"\\u{ord(char):04x}"
    assert escape_controls(f"a{char}b") == f"a{shown}b"
    log = EventLog([Arrived(f"Ann{char}", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    for output in (str(replay(log)), replay(log)._repr_html_(), repr(log[0])):
        assert char not in output
        assert shown in output


@given(st.text())
def test_escaped_text_holds_no_bidi_control(text: str) -> None:
    """Whatever the text, escape_controls leaves no bidi control in it."""
    assert not BIDI_CONTROLS & set(escape_controls(text))


_CENTURY_US = 36_525 * 86_400_000_000
micros = st.integers(-_CENTURY_US, _CENTURY_US)


@given(micros)
@example(59_600_000)  # 59.6 s rounds up across the bound: "1 min", not "60 s"
@example(86_400_000_000 - 20_000_000)  # 23 h 59 min 40 s: "1 d"
@example(-1)
def test_a_shown_duration_reads_back_as_its_rounded_value(us: int) -> None:
    """parse_duration(format_duration(d)) is d rounded to the precision shown."""
    shown = format_duration(us)
    assert parse_duration(shown) == timedelta(microseconds=rounded_micros(us)), shown


@given(micros)
def test_rounding_is_idempotent_and_close(us: int) -> None:
    """Rounding a rounded value changes nothing; from an hour on it errs by at most 1/48."""
    once = rounded_micros(us)
    assert rounded_micros(once) == once
    assert format_duration(once) == format_duration(us)
    error = abs(once - us)
    assert error <= abs(us) / 2  # "1 s" for 1.49 s at worst
    if abs(us) >= 3_600_000_000:
        assert error <= abs(us) / 48  # half an hour in a day at worst


@given(micros, micros)
def test_rounding_is_monotone(a: int, b: int) -> None:
    """A longer duration never shows as a shorter one."""
    low, high = min(a, b), max(a, b)
    assert rounded_micros(low) <= rounded_micros(high)


@given(micros)
def test_negative_durations_mirror_positive_ones(us: int) -> None:
    """-d shows as d with a minus sign in front (zero has none)."""
    shown = format_duration(-us)
    assert shown == ("0" if rounded_micros(us) == 0 else "-" + format_duration(us)) or (
        us < 0 and shown == format_duration(-us)
    )
    if us > 0 and rounded_micros(us):
        assert format_duration(-us) == "-" + format_duration(us)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (timedelta(0), "0"),
        (timedelta(milliseconds=250), "250 ms"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(minutes=54, seconds=29), "54 min"),
        (timedelta(hours=1, minutes=5), "1 h 05 min"),
        (timedelta(hours=4, minutes=48), "4 h 48 min"),
        (timedelta(hours=172, minutes=29), "7 d 04 h"),
        (timedelta(days=36_524), "36,524 d"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=24, minutes=20), "1 d"),
        (-timedelta(minutes=90), "-1 h 30 min"),
    ],
)
def test_durations_read_the_documented_way(value: timedelta, shown: str) -> None:
    """The grammar: a unit or two, the second zero-padded (or left out if zero), precision by size."""
    assert format_duration(value) == shown


@pytest.mark.parametrize(
    "text", ["", "1h05", "5 minutes", "1 h 5 min", "1 min 05 h", "1 d 05 min", "x"]
)
def test_other_text_is_not_a_shown_duration(text: str) -> None:
    """parse_duration reads only what format_duration writes."""
    assert parse_duration(text) is None
