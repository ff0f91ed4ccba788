"""One grammar for wall times, read the same through every entry point.

``Place.at``, scenario files (events and the simulator's ``[[plan]]`` steps) and ``--as-of``
all parse text with :func:`itinerary._time.parse_time_text`; each table below runs against
each of them, so an entry point that drifts from the grammar (a parser of its own) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from itinerary import _time
from itinerary.cli import UserError, _parse_as_of
from itinerary.errors import ItineraryError, ScenarioError, WallTimeSyntaxError
from itinerary.places import TOKYO, WASHINGTON
from itinerary.scenarios import loads_scenario

ACCEPTED = [
    ("2025-10-27 16:30", datetime(2025, 10, 27, 16, 30)),
    ("2025-10-27T16:30", datetime(2025, 10, 27, 16, 30)),
    ("2025-10-27 16:30:15", datetime(2025, 10, 27, 16, 30, 15)),
    ("2025-10-27T16:30:15.25", datetime(2025, 10, 27, 16, 30, 15, 250_000)),
    ("2025-10-27 16:30:15.123456", datetime(2025, 10, 27, 16, 30, 15, 123_456)),
    ("  2025-10-27 16:30  ", datetime(2025, 10, 27, 16, 30)),
]
"""Wall times in the grammar, and the naive wall time each one means."""

REFUSED = [
    ("2025-W44-1 16:30", "is not a local wall time"),  # an ISO week date
    ("2025-300 16:30", "is not a local wall time"),  # an ordinal date
    ("2025-10-27 16", "is not a local wall time"),  # an hour alone
    ("20251027 1630", "is not a local wall time"),  # the basic format
    ("20251027T163000", "is not a local wall time"),
    ("2025-10-27", "is not a local wall time"),  # a date alone: no silent midnight
    ("2025-10-27 16h30", "is not a local wall time"),
    ("27/10/2025 16:30", "is not a local wall time"),
    ("2025-10-27  16:30", "is not a local wall time"),  # two spaces
    ("2025-10-27 16:30:15.1234567", "is not a local wall time"),  # beyond microseconds
    ("2025-10-27 6:30", "is not a local wall time"),
    ("\uff12\uff10\uff12\uff15-10-27 16:30", "is not a local wall time"),  # full-width digits
    ("2025-10-27 16:30+0900", "is not a local wall time"),  # offsets are +HH:MM
    ("2025-10-27 16:30+09", "is not a local wall time"),
    ("2025-11-31 10:00", "is not a date and time that exist"),
    ("2025-10-27 24:00", "is not a date and time that exist"),
    ("2025-10-27 16:30:60", "is not a date and time that exist"),
]
"""Texts outside the grammar, and what the error says about each."""


def _place_at(text: str) -> datetime:
    return TOKYO.at(text)


def _scenario(text: str) -> datetime:
    toml = f'[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = "{text}"\n'
    try:
        (event,) = loads_scenario(toml).log
    except ScenarioError as exc:  # the grammar's own error is the cause
        if isinstance(exc.__cause__, WallTimeSyntaxError):
            raise exc.__cause__ from None
        raise
    return event.occurred_at


def _plan(text: str) -> datetime:
    toml = (
        '[[plan]]\ntype = "meeting"\ntitle = "M"\nparticipants = ["A"]\nplace = "Tokyo"\n'
        f'start = "{text}"\nduration = "PT1H"\n'
    )
    try:
        plan = loads_scenario(toml).plan
    except ScenarioError as exc:  # the grammar's own error is the cause
        if isinstance(exc.__cause__, WallTimeSyntaxError):
            raise exc.__cause__ from None
        raise
    assert plan is not None
    return plan["M"].start  # type: ignore[union-attr]


def _as_of(text: str) -> datetime:
    try:
        return _parse_as_of(f"{text} Asia/Tokyo", {})
    except UserError as exc:  # the command line turns library errors into one line
        raise WallTimeSyntaxError(exc.format_message()) from None


ENTRY_POINTS: dict[str, Callable[[str], datetime]] = {
    "Place.at": _place_at,
    "scenario": _scenario,
    "plan": _plan,
    "--as-of": _as_of,
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("text", "wall"), ACCEPTED)
def test_every_entry_point_accepts_the_grammar(entry: str, text: str, wall: datetime) -> None:
    """Each form of the grammar names the same Tokyo instant through every entry point."""
    got = ENTRY_POINTS[entry](text)
    assert _time.micros(got) == _time.micros(_time.resolve(wall, "Asia/Tokyo", where="T"))
    assert _time.parse_wall_time(text, where="T") == wall


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_every_entry_point_refuses_the_same_texts(entry: str, text: str, words: str) -> None:
    """Week dates, hours alone, the basic format, dates alone: refused everywhere alike."""
    with pytest.raises(WallTimeSyntaxError, match=words):
        ENTRY_POINTS[entry](text)


OFFSETS = [
    ("2025-11-02 01:30-04:00", -4),
    ("2025-11-02 01:30-05:00", -5),
    ("2025-11-02 01:30 -05:00", -5),
    ("2025-11-02T01:30:00-05:00", -5),
]
"""A repeated Washington wall time with the offset that chooses one of its two instants."""


@pytest.mark.parametrize(("text", "hours"), OFFSETS)
def test_an_offset_chooses_in_a_fold_in_scenarios_and_as_of(text: str, hours: int) -> None:
    """Scenario files and --as-of read a trailing offset the same way: it picks the instant."""
    toml = f'[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Washington"\nat = "{text}"\n'
    (event,) = loads_scenario(toml).log
    as_of = _parse_as_of(f"{text} America/New_York", {})
    for got in (event.occurred_at, as_of):
        assert got.utcoffset() == timedelta(hours=hours)
        assert got.replace(tzinfo=None) == datetime(2025, 11, 2, 1, 30)


@pytest.mark.parametrize("text", ["2025-10-27 16:30+09:00", "2025-10-27 16:30 Asia/Tokyo"])
def test_place_at_refuses_an_offset_or_a_zone(text: str) -> None:
    """The place supplies the zone: Place.at takes the wall time alone."""
    with pytest.raises(WallTimeSyntaxError, match=r"carries an? "):
        TOKYO.at(text)


def test_a_wrong_offset_is_refused_alike() -> None:
    """An offset the clocks there never showed is an error in scenarios and --as-of alike."""
    with pytest.raises(ScenarioError, match="never happened there"):
        loads_scenario(
            '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\n'
            'at = "2025-10-27 16:30+08:00"\n'
        )
    with pytest.raises(UserError, match="never happened there"):
        _parse_as_of("2025-10-27 16:30+08:00 Asia/Tokyo", {})


def test_a_trailing_zone_reads_the_time_there() -> None:
    """A zone after the wall time reads it in that zone, in scenarios and --as-of alike."""
    toml = (
        '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\n'
        'at = "2025-10-27 03:30 America/New_York"\n'
    )
    (event,) = loads_scenario(toml).log
    expected = WASHINGTON.at("2025-10-27 03:30")
    assert _time.micros(event.occurred_at) == _time.micros(expected)
    assert _time.micros(_parse_as_of("2025-10-27 03:30 Washington", {})) == _time.micros(expected)


def test_parse_time_text_splits_wall_offset_and_zone() -> None:
    """The grammar's parts come back separately: Z is a zero offset, a name may hold spaces."""
    parsed = _time.parse_time_text("2025-10-27T16:30Z", where="T")
    assert parsed == (datetime(2025, 10, 27, 16, 30), timedelta(0), None)
    parsed = _time.parse_time_text("2025-10-27 16:30 Kuala Lumpur", where="T")
    assert parsed == (datetime(2025, 10, 27, 16, 30), None, "Kuala Lumpur")
    with pytest.raises(WallTimeSyntaxError, match="offset that cannot be"):
        _time.parse_time_text("2025-10-27 16:30+24:00", where="T")
    with pytest.raises(WallTimeSyntaxError, match="expected a local wall time"):
        _time.parse_time_text(1625, where="T")
    assert issubclass(WallTimeSyntaxError, ItineraryError)
