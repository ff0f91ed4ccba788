"""Historic clock changes: local times, replay and check() across them.

Kuala Lumpur moved from +07:30 to +08:00 at the end of 1981-12-31; Seoul kept summer time in
1987 and 1988; Tokyo in 1948-51; Washington left summer time on 2025-11-02, in the middle of
a trip to Asia. Wall-clock arithmetic gets each of these wrong by an hour or half an hour;
the library must not.
"""

from __future__ import annotations

from datetime import datetime

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itinerary import (
    AgreementSigned,
    AmbiguousLocalTimeError,
    Arrived,
    Departed,
    EventLog,
    MeetingHeld,
    NonexistentLocalTimeError,
    Obligation,
    Place,
    replay,
)
from itinerary._time import micros
from itinerary.consistency import check
from itinerary.events import format_local
from itinerary.places import KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON
from itinerary.strategies import itineraries, local_times

TRUMP = "Donald Trump"
GEORGE_TOWN = Place("George Town", "Malaysia", "Asia/Kuala_Lumpur", lat=5.4141, lon=100.3288)


def _offset(place: Place, wall: str, disambiguate: str = "raise") -> str:
    return format_local(place.at(wall, disambiguate=disambiguate), place)[-6:]  # type: ignore[arg-type]


# Kuala Lumpur, 1981-12-31: +07:30 -> +08:00 ------------------------------------------------


def test_kuala_lumpur_skipped_the_last_half_hour_of_1981() -> None:
    """23:30-23:59 on 1981-12-31 never happened in Kuala Lumpur; either side did."""
    assert _offset(KUALA_LUMPUR, "1981-12-31 23:29") == "+07:30"
    assert _offset(KUALA_LUMPUR, "1982-01-01 00:00") == "+08:00"
    with pytest.raises(NonexistentLocalTimeError, match="1981-12-31 23:45 does not exist"):
        KUALA_LUMPUR.at("1981-12-31 23:45")
    later = KUALA_LUMPUR.at("1981-12-31 23:45", disambiguate="later")
    assert format_local(later, KUALA_LUMPUR) == "1982-01-01 00:15 +08:00"


def test_a_new_year_meeting_in_kuala_lumpur_lasts_real_time() -> None:
    """23:00 to 01:00 across the change is one and a half hours, not two."""
    start, end = KUALA_LUMPUR.at("1981-12-31 23:00"), KUALA_LUMPUR.at("1982-01-01 01:00")
    assert micros(end) - micros(start) == 90 * 60 * 1_000_000


@pytest.mark.parametrize(
    ("arrival", "too_fast"), [("1982-01-01 00:04", True), ("1982-01-01 00:05", False)]
)
def test_speed_across_the_kuala_lumpur_change_uses_real_time(arrival: str, too_fast: bool) -> None:
    """Kuala Lumpur to George Town (294 km) leaving 23:20: 44 wall minutes are 14 real ones."""
    log = EventLog(
        [
            Departed(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("1981-12-31 23:20"), to=GEORGE_TOWN),
            Arrived(TRUMP, GEORGE_TOWN, GEORGE_TOWN.at(arrival)),
        ]
    )
    violations = check(log)
    assert [v.rule for v in violations] == (["too-fast"] if too_fast else [])
    if too_fast:
        assert "(leaves 1981-12-31 23:20 +07:30)" in violations[0].message
        assert "in 14 min" in violations[0].message


@given(
    itineraries(
        places=st.sampled_from([KUALA_LUMPUR, GEORGE_TOWN, TOKYO]),
        starts=st.datetimes(
            datetime(1981, 12, 31, 6), datetime(1981, 12, 31, 18), timezones=st.just(pendulum.UTC)
        ),
        max_events=20,
    )
)
def test_tours_over_the_kuala_lumpur_change_are_consistent(log: EventLog) -> None:
    """Tours generated around the change are consistent and their local times real."""
    assert check(log) == []
    for event in log:
        place = getattr(event, "place", None)
        if place is not None:
            local = place.local(event.occurred_at)
            again = place.at(
                local.replace(tzinfo=None), disambiguate="later" if local.fold else "earlier"
            )
            assert micros(again) == micros(local)  # fold-aware: == would ignore fold
            assert (again.fold, again.utcoffset()) == (local.fold, local.utcoffset())


# Seoul, summer time 1987 and 1988 -----------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "fold"),
    [("1987-05-10 02:30", "1987-10-11 02:30"), ("1988-05-08 02:30", "1988-10-09 02:30")],
)
def test_seoul_summer_time(gap: str, fold: str) -> None:
    """Seoul skipped 02:00-02:59 each May and repeated it each October, in 1987 and 1988."""
    with pytest.raises(NonexistentLocalTimeError):
        SEOUL.at(gap)
    with pytest.raises(AmbiguousLocalTimeError):
        SEOUL.at(fold)
    assert _offset(SEOUL, fold, "earlier") == "+10:00"
    assert _offset(SEOUL, fold, "later") == "+09:00"
    assert _offset(SEOUL, gap, "compatible") == "+10:00"


def test_meetings_in_seouls_repeated_hour_overlap_only_in_real_time() -> None:
    """Wall times that overlap in the repeated hour do not overlap if an hour apart in fact."""
    first = MeetingHeld(
        "A",
        (TRUMP,),
        SEOUL,
        SEOUL.at("1987-10-11 02:15", disambiguate="earlier"),
        SEOUL.at("1987-10-11 02:45", disambiguate="earlier"),
    )

    def second(choice: str) -> MeetingHeld:
        return MeetingHeld(
            "B",
            (TRUMP,),
            SEOUL,
            SEOUL.at("1987-10-11 02:30", disambiguate=choice),
            SEOUL.at("1987-10-11 02:50", disambiguate=choice),
        )  # type: ignore[arg-type]

    assert check(EventLog([first, second("later")])) == []
    (violation,) = check(EventLog([first, second("earlier")]))
    assert violation.rule == "overlapping-meetings"
    assert "from 1987-10-11 02:30 +10:00" in violation.message


def test_a_deadline_falling_in_seouls_skipped_hour_moves_forward() -> None:
    """Due one day after 1987-05-09 02:30 is 02:30 on the 10th, which Seoul skipped: 03:30."""
    signing = AgreementSigned(
        "Accord", (TRUMP,), SEOUL, SEOUL.at("1987-05-09 02:30"),
        obligations=[Obligation("ratify", within=pendulum.duration(days=1))],
    )  # fmt: skip
    (deadline,) = replay(EventLog([signing])).deadlines
    assert format_local(deadline.due, SEOUL) == "1987-05-10 03:30 +10:00"
    assert micros(deadline.due) - micros(signing.at) == 24 * 3600 * 1_000_000


# Tokyo, summer time 1948-51 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "fold"),
    [
        ("1948-05-02 00:30", "1948-09-12 00:30"),
        ("1949-04-03 00:30", "1949-09-11 00:30"),
        ("1950-05-07 00:30", "1950-09-10 00:30"),
        ("1951-05-06 00:30", "1951-09-09 00:30"),
    ],
)
def test_tokyo_summer_time(gap: str, fold: str) -> None:
    """Tokyo skipped midnight's hour each spring and repeated it each September, 1948-51."""
    with pytest.raises(NonexistentLocalTimeError, match="Tokyo"):
        TOKYO.at(gap)
    with pytest.raises(AmbiguousLocalTimeError, match="Tokyo"):
        TOKYO.at(fold)
    assert _offset(TOKYO, fold, "earlier") == "+10:00"
    assert _offset(TOKYO, fold, "later") == "+09:00"


def test_a_meeting_across_tokyos_1948_fold_lasts_two_hours() -> None:
    """23:30 (+10:00) to 00:30 the second time round (+09:00) is two hours."""
    start = TOKYO.at("1948-09-11 23:30")
    end = TOKYO.at("1948-09-12 00:30", disambiguate="later")
    assert micros(end) - micros(start) == 2 * 3600 * 1_000_000
    assert (
        check(
            EventLog(
                [MeetingHeld("Talks", (TRUMP,), TOKYO, start, end), Departed(TRUMP, TOKYO, end)]
            )
        )
        == []
    )


@given(st.data())
def test_local_times_in_tokyo_1948_exist(data: st.DataObject) -> None:
    """local_times() in Tokyo's 1948 spring gap never draws a wall time from it."""
    value = data.draw(
        local_times(TOKYO, min_value=datetime(1948, 5, 1, 23), max_value=datetime(1948, 5, 2, 2))
    )
    assert not datetime(1948, 5, 2, 0) <= value.replace(tzinfo=None) < datetime(1948, 5, 2, 1)


# Washington, 2025-11-02: a trip leaving in the repeated hour -------------------------------


def _leave_washington(choice: str) -> Departed:
    return Departed(
        TRUMP, WASHINGTON, WASHINGTON.at("2025-11-02 01:30", disambiguate=choice), to=TOKYO
    )  # type: ignore[arg-type]


def test_leaving_washington_at_half_past_one_on_2025_11_02_is_ambiguous() -> None:
    """01:30 happened twice in Washington that night; the library makes you choose."""
    with pytest.raises(AmbiguousLocalTimeError, match="Washington"):
        WASHINGTON.at("2025-11-02 01:30")
    assert format_local(_leave_washington("earlier").at, WASHINGTON) == "2025-11-02 01:30 -04:00"
    assert format_local(_leave_washington("later").at, WASHINGTON) == "2025-11-02 01:30 -05:00"


@pytest.mark.parametrize(("choice", "too_fast"), [("earlier", False), ("later", True)])
def test_which_half_past_one_decides_whether_the_flight_was_possible(
    choice: str, too_fast: bool
) -> None:
    """Washington to Tokyo (10,906 km) landing at midnight: 9 h 30 is possible, 8 h 30 is not."""
    log = EventLog([_leave_washington(choice), Arrived(TRUMP, TOKYO, TOKYO.at("2025-11-03 00:00"))])
    assert [v.rule for v in check(log)] == (["too-fast"] if too_fast else [])


def test_replay_in_washingtons_repeated_hour_tells_the_two_quarter_to_twos_apart() -> None:
    """Leaving at the second 01:30: at the first 01:45 he is still there, at the second not."""
    log = EventLog(
        [Arrived(TRUMP, WASHINGTON, WASHINGTON.at("2025-11-01 18:00")), _leave_washington("later")]
    )
    first = replay(log, as_of=WASHINGTON.at("2025-11-02 01:45", disambiguate="earlier"))
    second = replay(log, as_of=WASHINGTON.at("2025-11-02 01:45", disambiguate="later"))
    assert first.where(TRUMP).place == WASHINGTON
    assert second.where(TRUMP).in_transit
    assert second.where(TRUMP).destination == TOKYO


def test_a_deadline_falling_in_washingtons_repeated_hour_takes_the_first() -> None:
    """Due a day after 2025-11-01 01:30 in Washington is the first 01:30 of the 2nd (-04:00)."""
    signing = AgreementSigned(
        "Accord", (TRUMP,), WASHINGTON, WASHINGTON.at("2025-11-01 01:30"),
        obligations=[Obligation("ratify", within=pendulum.duration(days=1))],
    )  # fmt: skip
    (deadline,) = replay(EventLog([signing])).deadlines
    assert format_local(deadline.due, WASHINGTON) == "2025-11-02 01:30 -04:00"
