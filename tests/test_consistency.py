"""Tests for itinerary.consistency: check() and its rules, assert_consistent()."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import attrs
import pendulum
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    EventLog,
    MeetingHeld,
    Obligation,
    ObligationMet,
    Place,
    _time,
    replay,
)
from itinerary.consistency import (
    MAX_GROUND_SPEED_KMH,
    RULES,
    Violation,
    assert_consistent,
    check,
    great_circle_km,
)
from itinerary.errors import ConsistencyError
from itinerary.places import BUSAN, GYEONGJU, KUALA_LUMPUR, SEOUL, TOKYO, WASHINGTON
from itinerary.projections import occurrence_order
from itinerary.strategies import event_logs, itineraries, places

TRUMP = "Donald Trump"
TAKAICHI = "Sanae Takaichi"
EXAMPLE = Path(__file__).parent.parent / "examples" / "asia_tour_2025.py"
NOWHERE = Place("Nowhere", "Atlantis", "Asia/Tokyo")  # no coordinates


def _example_tour() -> EventLog:
    spec = importlib.util.spec_from_file_location("asia_tour_2025", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tour()  # type: ignore[no-any-return]


def _only(log: EventLog) -> Violation:
    violations = check(log)
    assert len(violations) == 1, [str(v) for v in violations]
    return violations[0]


def test_the_asia_tour_example_is_consistent() -> None:
    """The example tour of examples/asia_tour_2025.py breaks no rule."""
    assert check(_example_tour()) == []


def test_an_empty_log_is_consistent() -> None:
    """Nothing recorded, nothing wrong."""
    assert check(EventLog()) == []


_LEAVE_TOKYO = Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=BUSAN)
_REACH_BUSAN = Arrived(TRUMP, BUSAN, BUSAN.at("2025-10-29 12:20"))
_APEC = MeetingHeld(
    "APEC", (TRUMP,), BUSAN, BUSAN.at("2025-10-29 12:30"), BUSAN.at("2025-10-29 13:00")
)
_LEAVE_BUSAN = Departed(TRUMP, BUSAN, BUSAN.at("2025-10-29 13:00"), to=GYEONGJU)


@pytest.mark.parametrize(
    "events",
    [
        [_LEAVE_TOKYO, _REACH_BUSAN, _APEC, _LEAVE_BUSAN],
        [_REACH_BUSAN, _APEC, _LEAVE_BUSAN],
        [_APEC, _LEAVE_BUSAN],
        [_LEAVE_BUSAN],
    ],
    ids=["departure", "arrival", "meeting", "only-a-departure"],
)
def test_a_log_may_begin_mid_journey(events: list[Event]) -> None:
    """Someone's first known event, whatever its kind, needs nothing before it."""
    assert check(EventLog(events)) == []


def test_arriving_while_elsewhere() -> None:
    """An arrival with no departure from where the person was is reported, in local times."""
    log = EventLog(
        [
            Arrived(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-26 10:00")),
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 16:30")),
        ]
    )
    violation = _only(log)
    assert violation == Violation(
        "arrive-while-elsewhere",
        TRUMP,
        (0, 1),
        "Donald Trump arrives in Tokyo at 2025-10-27 16:30 +09:00 but is in Kuala Lumpur "
        "(there since 2025-10-26 10:00 +08:00) with no departure in between",
    )
    assert str(violation).startswith("[arrive-while-elsewhere] positions 0, 1: Donald Trump")


def test_arriving_again_where_one_already_is_is_not_reported() -> None:
    """Recording an arrival at the place the person already is does not contradict anything."""
    log = EventLog(
        [
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 16:30")),
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 17:00")),
        ]
    )
    assert check(log) == []


def test_departing_from_elsewhere() -> None:
    """Leaving a place one is not at is reported with both events."""
    log = EventLog(
        [
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 16:30")),
            Departed(TRUMP, SEOUL, SEOUL.at("2025-10-29 10:00")),
        ]
    )
    violation = _only(log)
    assert (violation.rule, violation.who, violation.positions) == (
        "depart-from-elsewhere",
        TRUMP,
        (0, 1),
    )
    assert "leaves Seoul at 2025-10-29 10:00 +09:00 but is in Tokyo" in violation.message


def test_departing_twice_without_arriving() -> None:
    """A second departure while still travelling is reported."""
    log = EventLog(
        [
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=BUSAN),
            Departed(TRUMP, BUSAN, BUSAN.at("2025-10-29 13:00"), to=GYEONGJU),
        ]
    )
    violation = _only(log)
    assert violation.rule == "depart-from-elsewhere"
    assert "is travelling: left Tokyo for Busan at 2025-10-29 10:00 +09:00" in violation.message


def test_arriving_somewhere_other_than_the_named_destination() -> None:
    """An arrival at another place than the departure's `to` is reported."""
    log = EventLog(
        [
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=BUSAN),
            Arrived(TRUMP, SEOUL, SEOUL.at("2025-10-29 13:00")),
        ]
    )
    violation = _only(log)
    assert violation == Violation(
        "wrong-destination",
        TRUMP,
        (0, 1),
        "Donald Trump arrives in Seoul at 2025-10-29 13:00 +09:00 but left Tokyo at "
        "2025-10-29 10:00 +09:00 for Busan",
    )


def test_a_departure_without_destination_may_end_anywhere() -> None:
    """Without `to`, any arrival ends the journey."""
    log = EventLog(
        [
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00")),
            Arrived(TRUMP, SEOUL, SEOUL.at("2025-10-29 13:00")),
        ]
    )
    assert check(log) == []


def test_a_journey_faster_than_an_airliner() -> None:
    """Kuala Lumpur to Tokyo (5,318 km) in one hour is reported as too fast."""
    log = EventLog(
        [
            Departed(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 09:00"), to=TOKYO),
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 11:00")),  # 10:00 in Kuala Lumpur
        ]
    )
    violation = _only(log)
    assert violation.rule == "too-fast"
    assert violation.message == (
        "Donald Trump travels 5,318 km from Kuala Lumpur (leaves 2025-10-27 09:00 +08:00) to "
        "Tokyo (arrives 2025-10-27 11:00 +09:00) in 1 h: 5,318 km/h, faster than any "
        "airliner (1,200 km/h)"
    )


@pytest.mark.parametrize(("minutes", "too_fast"), [(265, True), (266, False)])
def test_the_speed_bound_is_exact(minutes: int, too_fast: bool) -> None:
    """Tokyo to Kuala Lumpur at just over 1,200 km/h is reported; at just under, not."""
    km = great_circle_km(TOKYO, KUALA_LUMPUR)
    assert km is not None
    assert (km / (minutes / 60) > MAX_GROUND_SPEED_KMH) is too_fast
    leave = TOKYO.at("2025-10-27 09:00")
    log = EventLog(
        [Departed(TRUMP, TOKYO, leave), Arrived(TRUMP, KUALA_LUMPUR, leave.add(minutes=minutes))]
    )
    assert [v.rule for v in check(log)] == (["too-fast"] if too_fast else [])


def test_places_without_coordinates_are_not_judged_for_speed() -> None:
    """A journey to a place with no coordinates may take any time."""
    leave = TOKYO.at("2025-10-27 09:00")
    log = EventLog([Departed(TRUMP, TOKYO, leave), Arrived(TRUMP, NOWHERE, leave.add(minutes=1))])
    assert check(log) == []


def test_a_meeting_of_someone_elsewhere() -> None:
    """A participant known to be at another place is absent from the meeting."""
    log = EventLog(
        [
            Arrived(TAKAICHI, SEOUL, SEOUL.at("2025-10-27 16:30")),
            MeetingHeld(
                "Summit",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 10:00"),
                TOKYO.at("2025-10-28 11:30"),
            ),
        ]
    )
    violation = _only(log)
    assert (violation.rule, violation.who, violation.positions) == (
        "absent-participant",
        TAKAICHI,
        (0, 1),
    )
    assert violation.message == (
        "Sanae Takaichi is a participant in 'Summit' in Tokyo at 2025-10-28 10:00 +09:00 but "
        "is in Seoul (there since 2025-10-27 16:30 +09:00)"
    )


def test_a_signatory_in_transit() -> None:
    """A signatory who is travelling at the signing is absent from it."""
    log = EventLog(
        [
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-28 11:00"), to=BUSAN),
            AgreementSigned("Trade", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 12:00")),
        ]
    )
    violation = _only(log)
    assert violation.rule == "absent-participant"
    assert violation.message.startswith("Donald Trump is a signatory of 'Trade' in Tokyo")


def test_leaving_before_a_meeting_ends() -> None:
    """Departing during one's meeting is reported; departing as it ends is not."""
    meeting = MeetingHeld(
        "Summit", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 11:30")
    )
    early = EventLog([meeting, Departed(TRUMP, TOKYO, TOKYO.at("2025-10-28 11:00"))])
    violation = _only(early)
    assert (violation.rule, violation.positions) == ("absent-participant", (0, 1))
    assert "before 'Summit' in Tokyo ends at 2025-10-28 11:30 +09:00" in violation.message
    assert check(EventLog([meeting, Departed(TRUMP, TOKYO, TOKYO.at("2025-10-28 11:30"))])) == []


_SUMMIT = MeetingHeld(
    "Summit", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 12:00")
)


@pytest.mark.parametrize(
    "before",
    [[], [Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-28 08:00"))]],
    ids=["first-known-at-the-meeting", "there-since-before"],
)
def test_arriving_during_a_meeting_one_is_in_is_reported(before: list[Event]) -> None:
    """An arrival at the meeting's place after it began says the participant came late."""
    late = Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-28 11:00"))
    violation = _only(EventLog([*before, _SUMMIT, late]))
    assert violation == Violation(
        "absent-participant",
        TRUMP,
        (len(before), len(before) + 1),
        "Donald Trump arrives in Tokyo at 2025-10-28 11:00 +09:00, after 'Summit' in Tokyo "
        "began at 2025-10-28 10:00 +09:00 (it ends at 2025-10-28 12:00 +09:00)",
    )


@pytest.mark.parametrize("wall", ["2025-10-28 10:00", "2025-10-28 12:00"])
def test_arriving_as_a_meeting_starts_or_ends_is_fine(wall: str) -> None:
    """An arrival at the meeting's first or last instant is on time, in either recording order."""
    arrival = Arrived(TRUMP, TOKYO, TOKYO.at(wall))
    assert check(EventLog([_SUMMIT, arrival])) == []
    assert check(EventLog([arrival, _SUMMIT])) == []


def test_arriving_during_a_meeting_from_a_journey_is_reported_once() -> None:
    """Travelling when the meeting starts is the violation; the late arrival is not another."""
    log = EventLog(
        [
            Departed(TRUMP, SEOUL, SEOUL.at("2025-10-28 08:00"), to=TOKYO),
            _SUMMIT,
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-28 11:00")),
        ]
    )
    violation = _only(log)
    assert (violation.rule, violation.positions) == ("absent-participant", (0, 1))
    assert "but is travelling: left Seoul for Tokyo" in violation.message


def test_arriving_elsewhere_during_a_meeting_is_reported_once() -> None:
    """An arrival in another city during one's meeting is an arrival while elsewhere."""
    violation = _only(EventLog([_SUMMIT, Arrived(TRUMP, SEOUL, SEOUL.at("2025-10-28 11:00"))]))
    assert (violation.rule, violation.positions) == ("arrive-while-elsewhere", (0, 1))


def test_overlapping_meetings_at_one_place() -> None:
    """Two meetings of one person that overlap are reported; back-to-back ones are not."""
    first = MeetingHeld(
        "A", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 11:30")
    )
    second = MeetingHeld(
        "B", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 11:00"), TOKYO.at("2025-10-28 12:00")
    )
    after = MeetingHeld(
        "C", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 11:30"), TOKYO.at("2025-10-28 12:00")
    )
    violation = _only(EventLog([second, first]))
    assert (violation.rule, violation.positions) == ("overlapping-meetings", (0, 1))
    assert check(EventLog([first, after])) == []


def test_meetings_at_two_places_at_once() -> None:
    """Overlapping meetings at two places are one `two-places` violation, not also absence."""
    first = MeetingHeld(
        "A", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 10:00"), TOKYO.at("2025-10-28 11:30")
    )
    second = MeetingHeld(
        "B", (TRUMP,), SEOUL, SEOUL.at("2025-10-28 11:00"), SEOUL.at("2025-10-28 12:00")
    )
    violation = _only(EventLog([first, second]))
    assert violation.rule == "two-places"
    assert violation.message == (
        "Donald Trump is at the meeting 'B' in Seoul at 2025-10-28 11:00 +09:00 while still in "
        "'A' in Tokyo (2025-10-28 10:00 +09:00 to 2025-10-28 11:30 +09:00)"
    )


def test_a_signing_during_a_meeting_at_the_same_place_is_fine() -> None:
    """Signing at the summit while the summit goes on is what summits are for."""
    log = EventLog(
        [
            MeetingHeld(
                "Summit",
                (TRUMP,),
                TOKYO,
                TOKYO.at("2025-10-28 10:00"),
                TOKYO.at("2025-10-28 12:30"),
            ),
            AgreementSigned("Trade", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 12:00")),
        ]
    )
    assert check(log) == []


@example(zero_first=True)
@given(zero_first=st.booleans())
def test_a_meeting_of_no_length_at_another_meetings_start_does_not_overlap_it(
    zero_first: bool,
) -> None:
    """Touching meetings at one instant never overlap, whichever is recorded first.

    Once failed: a generated tour had 'Meeting 49' (19:00-19:01) sorted before 'Meeting 5'
    (19:00-19:00) at the same instant, and the sweep called them overlapping.
    """
    instant = WASHINGTON.at("1999-12-31 19:00")
    point = MeetingHeld("Meeting 5", (TRUMP,), WASHINGTON, instant, instant)
    span = MeetingHeld("Meeting 49", (TRUMP,), WASHINGTON, instant, instant.add(minutes=1))
    assert check(EventLog([point, span] if zero_first else [span, point])) == []


def test_an_obligation_met_before_its_signing() -> None:
    """Meeting an obligation before the agreement exists is reported with both events."""
    signing = AgreementSigned(
        "Minerals",
        (TRUMP, TAKAICHI),
        TOKYO,
        TOKYO.at("2025-10-28 12:00"),
        obligations=[Obligation("identify projects", within=pendulum.duration(months=6))],
    )
    met = ObligationMet("Minerals", "identify projects", TOKYO.at("2025-10-28 11:00"))
    violation = _only(EventLog([signing, met]))
    assert violation == Violation(
        "met-before-signed",
        None,
        (0, 1),
        "'identify projects' of 'Minerals' is met at 2025-10-28 11:00 +09:00, before the "
        "agreement is signed in Tokyo at 2025-10-28 12:00 +09:00",
    )
    assert (
        check(EventLog([signing, ObligationMet("Minerals", "identify projects", signing.at)])) == []
    )


@pytest.mark.parametrize(
    ("obligation", "when"),
    [
        (Obligation("pay", due=SEOUL.at("2025-01-31 09:59")), "2025-01-31 09:59 +09:00, before"),
        (
            Obligation("pay", due=WASHINGTON.at("2025-01-30 20:00")),
            "2025-01-31 10:00 +09:00, at the instant",
        ),
        # One month after 31 January is 28 February; 29 days before that is 30 January.
        (
            Obligation("pay", within=pendulum.duration(months=1, days=-29)),
            "2025-01-30 10:00 +09:00, before",
        ),
    ],
    ids=["due-before", "due-at-the-instant", "within-mixing-signs"],
)
def test_an_obligation_due_at_or_before_its_signing(obligation: Obligation, when: str) -> None:
    """A deadline no later than the signing is reported, in the signing place's local time."""
    signing = AgreementSigned(
        "Trade", (TRUMP,), TOKYO, TOKYO.at("2025-01-31 10:00"), obligations=[obligation]
    )
    assert _only(EventLog([signing])) == Violation(
        "due-before-signed",
        None,
        (0,),
        f"'pay' of 'Trade' falls due at {when} the agreement is signed in Tokyo at "
        "2025-01-31 10:00 +09:00",
    )


@pytest.mark.parametrize(
    "obligation",
    [
        Obligation("pay", due=TOKYO.at("2025-01-31 10:01")),
        Obligation("pay", within=pendulum.duration(months=1, days=-27)),
        Obligation("pay", within=pendulum.duration(minutes=1)),
    ],
    ids=["due-a-minute-later", "within-mixing-signs", "within-a-minute"],
)
def test_an_obligation_due_after_its_signing_is_fine(obligation: Obligation) -> None:
    """A deadline after the signing, however it is given, is not reported."""
    signing = AgreementSigned(
        "Trade", (TRUMP,), TOKYO, TOKYO.at("2025-01-31 10:00"), obligations=[obligation]
    )
    assert check(EventLog([signing])) == []


def test_obligations_no_agreement_lists() -> None:
    """Meeting an obligation of an unknown agreement, or one it does not list, is reported."""
    signing = AgreementSigned(
        "Minerals", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 12:00"),
        obligations=[Obligation("identify projects", within=pendulum.duration(months=6))],
    )  # fmt: skip
    log = EventLog(
        [
            signing,
            ObligationMet("Minerals", "build a wall", TOKYO.at("2025-11-01 09:00")),
            ObligationMet("Tariffs", "cut tariffs", TOKYO.at("2025-11-02 09:00")),
        ]
    )
    first, second = check(log)
    assert (first.rule, first.positions) == ("unknown-obligation", (0, 1))
    assert "lists no such obligation (it lists 'identify projects')" in first.message
    assert (second.rule, second.positions) == ("unknown-obligation", (2,))
    assert "no agreement titled 'Tariffs' is ever signed" in second.message


def test_an_obligation_met_twice() -> None:
    """The second ObligationMet of one obligation is reported."""
    signing = AgreementSigned(
        "Minerals", (TRUMP,), TOKYO, TOKYO.at("2025-10-28 12:00"),
        obligations=[Obligation("identify projects", within=pendulum.duration(months=6))],
    )  # fmt: skip
    met = [
        ObligationMet("Minerals", "identify projects", TOKYO.at(f"2025-11-0{d} 09:00"))
        for d in (1, 2)
    ]
    violation = _only(EventLog([signing, *met]))
    assert (violation.rule, violation.positions) == ("met-twice", (0, 2))


def test_positions_are_in_recording_order_and_violations_in_occurrence_order() -> None:
    """A log recorded out of order names events by where they were recorded."""
    log = EventLog(
        [
            Arrived(TRUMP, SEOUL, SEOUL.at("2025-10-30 12:00")),  # occurs last
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 16:30")),
            Arrived(TRUMP, BUSAN, BUSAN.at("2025-10-29 12:00")),
        ]
    )
    assert [(v.rule, v.positions) for v in check(log)] == [
        ("arrive-while-elsewhere", (1, 2)),
        ("arrive-while-elsewhere", (0, 2)),
    ]


def test_one_event_recorded_twice_has_two_positions() -> None:
    """The same event object at two positions is reported at both."""
    leave = Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"))
    assert _only(EventLog([leave, leave])).positions == (0, 1)


def _tokyo(wall: str) -> pendulum.DateTime:
    return TOKYO.at(f"2025-10-28 {wall}")


# One small log per rule that breaks it (and perhaps others too).
_BREAKS = {
    "arrive-while-elsewhere": [
        Arrived(TRUMP, TOKYO, _tokyo("10:00")),
        Arrived(TRUMP, SEOUL, _tokyo("12:00")),
    ],
    "depart-from-elsewhere": [
        Arrived(TRUMP, TOKYO, _tokyo("10:00")),
        Departed(TRUMP, SEOUL, _tokyo("12:00")),
    ],
    "wrong-destination": [
        Departed(TRUMP, TOKYO, _tokyo("10:00"), to=BUSAN),
        Arrived(TRUMP, SEOUL, _tokyo("20:00")),
    ],
    "two-places": [
        MeetingHeld("A", (TRUMP,), TOKYO, _tokyo("10:00"), _tokyo("11:00")),
        MeetingHeld("B", (TRUMP,), SEOUL, _tokyo("10:30"), _tokyo("11:30")),
    ],
    "overlapping-meetings": [
        MeetingHeld("A", (TRUMP,), TOKYO, _tokyo("10:00"), _tokyo("12:00")),
        MeetingHeld("B", (TRUMP,), TOKYO, _tokyo("11:00"), _tokyo("13:00")),
    ],
    "absent-participant": [
        MeetingHeld("A", (TRUMP,), TOKYO, _tokyo("10:00"), _tokyo("12:00")),
        Departed(TRUMP, TOKYO, _tokyo("11:00")),
    ],
    "too-fast": [
        Departed(TRUMP, TOKYO, _tokyo("10:00"), to=WASHINGTON),
        Arrived(TRUMP, WASHINGTON, _tokyo("11:00")),
    ],
    "due-before-signed": [
        AgreementSigned(
            "Deal",
            (TRUMP,),
            TOKYO,
            _tokyo("12:00"),
            obligations=[Obligation("report", due=_tokyo("11:00"))],
        ),
    ],
    "met-before-signed": [
        ObligationMet("Deal", "report", _tokyo("11:00")),
        AgreementSigned(
            "Deal",
            (TRUMP,),
            TOKYO,
            _tokyo("12:00"),
            obligations=[Obligation("report", within=pendulum.duration(months=1))],
        ),
    ],
    "unknown-obligation": [ObligationMet("No such deal", "report", _tokyo("11:00"))],
    "met-twice": [
        AgreementSigned(
            "Deal",
            (TRUMP,),
            TOKYO,
            _tokyo("12:00"),
            obligations=[Obligation("report", within=pendulum.duration(months=1))],
        ),
        ObligationMet("Deal", "report", _tokyo("13:00")),
        ObligationMet("Deal", "report", _tokyo("14:00")),
    ],
}


@pytest.mark.parametrize("rule", sorted(_BREAKS))
def test_each_rule_is_applied(rule: str) -> None:
    """A small log that breaks a rule is reported under that rule's identifier."""
    assert rule in {v.rule for v in check(EventLog(_BREAKS[rule]))}


def test_every_rule_is_applied_and_documented() -> None:
    """RULES, the rules check() is shown to apply and the rules docs/testing.md lists agree."""
    assert set(_BREAKS) == set(RULES)
    assert all(RULES[rule].strip() for rule in RULES)
    docs = (Path(__file__).parent.parent / "docs" / "testing.md").read_text()
    listed = docs.split("The rules and their identifiers are in")[1].split("A log may begin")[0]
    assert re.findall(r"`([a-z-]+)`", listed) == list(RULES)


def test_assert_consistent_lists_every_violation() -> None:
    """assert_consistent raises one ConsistencyError whose message lists each violation."""
    log = EventLog(
        [
            Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=BUSAN),
            Arrived(TRUMP, SEOUL, SEOUL.at("2025-10-29 10:05")),
        ]
    )
    with pytest.raises(ConsistencyError) as caught:
        assert_consistent(log)
    violations = check(log)
    assert [v.rule for v in violations] == ["wrong-destination", "too-fast"]
    assert caught.value.violations == tuple(violations)
    assert str(caught.value).splitlines() == [
        "2 inconsistencies in a log of 2 events:",
        *(f"  {v}" for v in violations),
    ]
    assert_consistent(_example_tour())  # and nothing to say about a consistent log


# Properties -------------------------------------------------------------------------------


@given(itineraries())
def test_every_generated_itinerary_is_consistent(log: EventLog) -> None:
    """itineraries() makes logs that check() finds nothing wrong with."""
    assert check(log) == []


def _signature(log: EventLog, violations: list[Violation]) -> Counter[tuple[object, ...]]:
    return Counter(
        (v.rule, v.who, v.message, tuple(sorted(map(repr, (log[p] for p in v.positions)))))
        for v in violations
    )


@given(event_logs(), st.randoms(use_true_random=False))
def test_check_does_not_depend_on_recording_order(log: EventLog, random: object) -> None:
    """Shuffling a log changes positions, never what is reported or about which events."""
    events = list(log)
    random.shuffle(events)  # type: ignore[attr-defined]
    shuffled = EventLog(events)
    assert _signature(shuffled, check(shuffled)) == _signature(log, check(log))


@given(event_logs())
def test_violations_are_well_formed(log: EventLog) -> None:
    """Any log: known rules, people from the events, valid ascending positions."""
    people = {who for event in log for who in event.people}
    for violation in check(log):
        assert violation.rule in RULES
        assert violation.who is None or violation.who in people
        assert violation.positions
        assert list(violation.positions) == sorted(set(violation.positions))
        assert all(0 <= p < len(log) for p in violation.positions)
        if violation.who is not None:
            assert all(violation.who in log[p].people for p in violation.positions)


@given(event_logs(), st.data())
def test_time_travel_first_changes_nothing(log: EventLog, data: st.DataObject) -> None:
    """check() reads the whole log, whatever as_of questions were asked of it before."""
    before = check(log)
    if len(log):
        replay(log, as_of=data.draw(st.sampled_from(list(log))).occurred_at)
    assert check(log) == before


# Corruptions of consistent itineraries: each is caught with the right rule ---------------


def _first_events(log: EventLog) -> dict[str, int]:
    """Each person's first event, as an id(), in occurrence order."""
    first: dict[str, int] = {}
    for event in occurrence_order(list(log))[0]:
        for who in event.people:
            first.setdefault(who, id(event))
    return first


def _caught(log: EventLog, rule: str, who: str | None, position: int) -> bool:
    return any(v.rule == rule and v.who == who and position in v.positions for v in check(log))


def _other_place(place: Place) -> Place:
    return SEOUL if place != SEOUL else TOKYO


@given(itineraries(min_events=2), st.data())
def test_teleporting_an_arrival_is_caught(log: EventLog, data: st.DataObject) -> None:
    """A second arrival elsewhere at the instant of an arrival: arrive-while-elsewhere."""
    arrivals = [e for e in log if isinstance(e, Arrived)]
    assume(arrivals)
    arrival = data.draw(st.sampled_from(arrivals))
    elsewhere = _other_place(arrival.place)
    corrupted = log.append(Arrived(arrival.who, elsewhere, elsewhere.local(arrival.at)))
    assert _caught(corrupted, "arrive-while-elsewhere", arrival.who, len(log))


@given(itineraries(min_events=10), st.data())
def test_arriving_off_course_is_caught(log: EventLog, data: st.DataObject) -> None:
    """An arrival moved to another place than the departure named: wrong-destination."""
    journeys = [
        i
        for i in range(len(log) - 1)
        if isinstance(log[i], Departed)
        and log[i].to is not None
        and isinstance(log[i + 1], Arrived)  # type: ignore[union-attr]
    ]
    assume(journeys)
    i = data.draw(st.sampled_from(journeys))
    arrival = log[i + 1]
    assert isinstance(arrival, Arrived)
    elsewhere = _other_place(arrival.place)
    events = list(log)
    events[i + 1] = Arrived(arrival.who, elsewhere, elsewhere.local(arrival.at))
    assert _caught(EventLog(events), "wrong-destination", arrival.who, i + 1)


@given(itineraries(min_events=10), st.data())
def test_dropping_a_departure_is_caught(log: EventLog, data: st.DataObject) -> None:
    """Without its departure, the next arrival finds the person still at the origin."""
    first = _first_events(log)
    journeys = [
        i
        for i in range(len(log) - 1)
        if isinstance(log[i], Departed)
        and isinstance(log[i + 1], Arrived)
        and first[log[i].people[0]] != id(log[i])
    ]
    assume(journeys)
    i = data.draw(st.sampled_from(journeys))
    arrival = log[i + 1]
    assert isinstance(arrival, Arrived)
    corrupted = EventLog([e for j, e in enumerate(log) if j != i])
    assert _caught(corrupted, "arrive-while-elsewhere", arrival.who, i)


@given(itineraries(min_events=10), st.data())
def test_moving_a_meeting_away_from_a_participant_is_caught(
    log: EventLog, data: st.DataObject
) -> None:
    """A meeting moved to another place finds a participant absent."""
    first = _first_events(log)
    candidates = [
        (i, who)
        for i, e in enumerate(log)
        if isinstance(e, MeetingHeld)
        for who in e.participants
        if first[who] != id(e)
    ]
    assume(candidates)
    i, who = data.draw(st.sampled_from(candidates))
    meeting = log[i]
    assert isinstance(meeting, MeetingHeld)
    elsewhere = _other_place(meeting.place)
    events = list(log)
    events[i] = MeetingHeld(
        meeting.title,
        meeting.participants,
        elsewhere,
        elsewhere.local(meeting.start),
        elsewhere.local(meeting.end),
    )
    assert _caught(EventLog(events), "absent-participant", who, i)


@given(itineraries(places=places(coordinates=True), min_events=10), st.data())
def test_an_impossibly_short_flight_is_caught(log: EventLog, data: st.DataObject) -> None:
    """A journey of more than 20 km shortened to one minute is too fast."""
    journeys = []
    for i in range(len(log) - 1):
        leave, arrive = log[i], log[i + 1]
        if isinstance(leave, Departed) and isinstance(arrive, Arrived):
            km = great_circle_km(leave.place, arrive.place)
            if km is not None and km > 20:
                journeys.append(i)
    assume(journeys)
    i = data.draw(st.sampled_from(journeys))
    leave, arrive = log[i], log[i + 1]
    assert isinstance(leave, Departed)
    assert isinstance(arrive, Arrived)
    events = list(log)
    events[i + 1] = Arrived(arrive.who, arrive.place, arrive.place.local(leave.at.add(minutes=1)))
    assert _caught(EventLog(events), "too-fast", arrive.who, i + 1)


@given(itineraries(min_events=10), st.data())
def test_meeting_an_obligation_before_its_signing_is_caught(
    log: EventLog, data: st.DataObject
) -> None:
    """An obligation met a minute before its agreement was signed: met-before-signed."""
    obligations = [
        (signing, obligation.what)
        for signing in log
        if isinstance(signing, AgreementSigned)
        for obligation in signing.obligations
    ]
    assume(obligations)
    signing, what = data.draw(st.sampled_from(obligations))
    early = ObligationMet(signing.title, what, signing.at.subtract(minutes=1))
    assert _caught(log.append(early), "met-before-signed", None, len(log))


@given(itineraries(min_events=10), st.data())
def test_arriving_late_at_a_meeting_is_caught(log: EventLog, data: st.DataObject) -> None:
    """An arrival at a meeting's place while it goes on, from a participant: absent-participant."""
    meetings = [
        (meeting, who)
        for meeting in log
        if isinstance(meeting, MeetingHeld)
        and _time.micros(meeting.end) - _time.micros(meeting.start) > 1
        for who in meeting.participants
    ]
    assume(meetings)
    meeting, who = data.draw(st.sampled_from(meetings))
    start, end = _time.micros(meeting.start), _time.micros(meeting.end)
    at = data.draw(st.integers(start + 1, end - 1))
    late = Arrived(who, meeting.place, _time.from_micros(at, meeting.place.tz))
    assert _caught(log.append(late), "absent-participant", who, len(log))


@given(itineraries(min_events=10), st.data())
def test_a_deadline_moved_before_its_signing_is_caught(log: EventLog, data: st.DataObject) -> None:
    """An obligation made due at or before its signing: due-before-signed."""
    signings = [i for i, e in enumerate(log) if isinstance(e, AgreementSigned) and e.obligations]
    assume(signings)
    i = data.draw(st.sampled_from(signings))
    signing = log[i]
    assert isinstance(signing, AgreementSigned)
    which = data.draw(st.integers(0, len(signing.obligations) - 1))
    early = _time.micros(signing.at) - data.draw(st.integers(0, 400 * 24 * 60)) * 60_000_000
    obligations = list(signing.obligations)
    obligations[which] = Obligation(
        obligations[which].what, due=_time.from_micros(early, signing.place.tz)
    )
    events = list(log)
    events[i] = attrs.evolve(signing, obligations=obligations)
    assert _caught(EventLog(events), "due-before-signed", None, i)
