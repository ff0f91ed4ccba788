"""Tests for itinerary.agenda: the day-by-day agenda in local time."""

from __future__ import annotations

import pytest

from itinerary import Arrived, Departed, EventLog, MeetingHeld, UnknownZoneError
from itinerary.agenda import agenda, format_agenda
from itinerary.places import KUALA_LUMPUR, TOKYO

TRUMP = "Donald Trump"
LOG = EventLog(
    [
        Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 17:00")),
        Departed(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
        MeetingHeld(
            "Summit", [TRUMP], TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 11:30")
        ),
    ]
)


def test_agenda_lists_events_in_occurrence_order_in_local_time() -> None:
    """Entries come in the order things happened, each in its own place's local time."""
    entries = agenda(LOG)
    assert [e.text for e in entries] == [
        "Donald Trump leaves Kuala Lumpur for Tokyo",
        "Donald Trump arrives in Tokyo",
        "Summit (Donald Trump)",
    ]
    assert [e.start.isoformat() for e in entries] == [
        "2025-10-27T09:00:00+08:00",
        "2025-10-27T17:00:00+09:00",
        "2025-10-28T10:00:00+09:00",
    ]
    assert entries[2].end is not None
    assert entries[2].end.isoformat() == "2025-10-28T11:30:00+09:00"


def test_agenda_in_one_zone_shows_every_time_on_that_clock() -> None:
    """With tz=, every entry is shown in that zone."""
    entries = agenda(LOG, tz="Asia/Kuala_Lumpur")
    assert [e.start.strftime("%H:%M %z") for e in entries] == [
        "09:00 +0800",
        "16:00 +0800",
        "09:00 +0800",
    ]


def test_agenda_refuses_an_unknown_zone() -> None:
    """tz= must be an IANA zone."""
    with pytest.raises(UnknownZoneError):
        agenda(LOG, tz="Mars/Olympus_Mons")


def test_format_agenda_heads_each_local_day() -> None:
    """The text has one heading per local day and one aligned line per entry."""
    text = format_agenda(agenda(LOG))
    assert text.splitlines() == [
        "Monday 27 October 2025",
        "  09:00       +08:00  Kuala Lumpur  Donald Trump leaves Kuala Lumpur for Tokyo",
        "  17:00       +09:00  Tokyo         Donald Trump arrives in Tokyo",
        "Tuesday 28 October 2025",
        "  10:00-11:30 +09:00  Tokyo         Summit (Donald Trump)",
    ]
