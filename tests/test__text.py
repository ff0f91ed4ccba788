"""The smallest pieces of display: the set of bidi controls, and escaping them everywhere."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itinerary import Arrived, EventLog, replay
from itinerary._text import BIDI_CONTROLS, escape_controls
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
