"""iCalendar export: read back by a second, independent parser (vobject), every instant exact."""

import sys
import zoneinfo
from calendar import timegm
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import vobject
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    EventLog,
    MeetingHeld,
    Obligation,
    ObligationMet,
    load_scenario,
    replay,
)
from itinerary.cli import main
from itinerary.errors import MissingExtraError, NaiveDatetimeError
from itinerary.ical import PRODID, to_ical, write_ical
from itinerary.places import Place
from itinerary.strategies import DST_PLACES, event_logs, itineraries

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"
NEW_YORK = DST_PLACES[0]
GREENWICH = Place("Greenwich", "United Kingdom", "UTC")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse(data: bytes) -> vobject.base.Component:
    """The calendar *data*, as vobject reads it, with the file's own VTIMEZONEs.

    vobject keeps one time zone per TZID for the whole process (the first it read), skips a
    VTIMEZONE that equals UTC over 2000-2030 (for a zone used only outside those years, too),
    and then looks the TZID up in pytz if that is installed. So the registry is emptied,
    filled with the tzinfo vobject (dateutil's ``tzical``) builds from each VTIMEZONE of this
    file, and the file read again: every time is read with the file's own VTIMEZONE.
    """
    text = data.decode("utf-8")
    registry = vars(vobject.icalendar)["__tzidMap"]
    registry.clear()
    registry["UTC"] = vobject.icalendar.utc
    for timezone in vobject.readOne(text).contents.get("vtimezone", []):
        registry[timezone.tzid.value] = timezone.gettzinfo()
    return vobject.readOne(text)


def components(calendar: vobject.base.Component) -> list[vobject.base.Component]:
    """Every VEVENT and VTODO of *calendar*."""
    return [c for c in calendar.getChildren() if c.name in ("VEVENT", "VTODO")]


def seconds(instant: datetime) -> int:
    """Whole seconds since the epoch (iCalendar keeps no fractions), rounded down."""
    return timegm(instant.utctimetuple())  # the UTC wall time, without fractions


IN_UTC = "Z"
"""Where a time is written in UTC (``...Z``), not at a TZID (a zone may be called ``UTC``)."""


def written(instant: datetime, tz: str) -> tuple[int, str]:
    """How *instant* at a place in zone *tz* must come back: its second, and TZID or Z.

    Computed with the standard library's zoneinfo, not the library's code: the second
    occurrence of a repeated wall time must be written in UTC (RFC 5545 reads a repeated time
    as its first occurrence), and so must a time in zone ``UTC`` (``...Z``, with no VTIMEZONE).
    """
    second = seconds(instant)
    local = (EPOCH + timedelta(seconds=second)).astimezone(zoneinfo.ZoneInfo(tz))
    first = local.replace(fold=0)
    return second, tz if seconds(first) == second and tz != "UTC" else IN_UTC


def instant(line: vobject.base.ContentLine) -> datetime:
    """The datetime vobject read from *line*, which must be aware."""
    value: datetime = line.value
    assert value.tzinfo is not None, line
    return value


def read_times(calendar: vobject.base.Component) -> Counter[tuple[str, int, str]]:
    """Every DTSTART, DTEND and DUE as (property, second, TZID or Z)."""
    found: Counter[tuple[str, int, str]] = Counter()
    for component in components(calendar):
        for name in ("dtstart", "dtend", "due"):
            for line in component.contents.get(name, []):
                tzids = line.params.get("X-VOBJ-ORIGINAL-TZID") or line.params.get("TZID")
                value = instant(line)
                if not tzids:  # written in UTC: ...Z
                    assert value.utcoffset() == timedelta(0)
                found[name.upper(), seconds(value), tzids[0] if tzids else IN_UTC] += 1
    return found


def expected_times(log: EventLog) -> Counter[tuple[str, int, str]]:
    """The times every event of *log* must be written with, read from the events themselves.

    An arrival starts a stay and a departure a journey (DTSTART at the event's place); a
    meeting has DTSTART and, if it lasts a second or more, DTEND; a signing has DTSTART;
    each obligation's deadline is a DUE at the signing's place (the deadlines projection).
    """
    found: Counter[tuple[str, int, str]] = Counter()
    for event in log:
        if isinstance(event, Arrived | Departed | AgreementSigned):
            found[("DTSTART", *written(event.at, event.place.tz))] += 1
        elif isinstance(event, MeetingHeld):
            start = written(event.start, event.place.tz)
            found[("DTSTART", *start)] += 1
            end = written(event.end, event.place.tz)
            if end[0] > start[0]:
                found[("DTEND", *end)] += 1
    for deadline in replay(log).deadlines if len(log) else ():
        found[("DUE", *written(deadline.due, deadline.place.tz))] += 1
    return found


def test_the_tour_has_its_header_and_one_component_per_fact() -> None:
    """The tour's calendar has PRODID and VERSION, and its meetings, signings and deadline."""
    calendar = parse(to_ical(load_scenario(EXAMPLE).log, name="Asia tour"))
    assert calendar.prodid.value == PRODID
    assert calendar.version.value == "2.0"
    summaries = [c.summary.value for c in components(calendar)]
    for title in ("ASEAN Summit", "U.S.-Japan summit", "APEC Summit", "Meeting with the Emperor"):
        assert summaries.count(title) == 1
    assert "Signing: U.S.-Japan trade agreement" in summaries
    assert "Donald Trump: Kuala Lumpur to Tokyo" in summaries
    assert "Donald Trump in Gyeongju" in summaries
    todos = [c for c in components(calendar) if c.name == "VTODO"]
    assert len(todos) == 1
    assert todos[0].status.value == "NEEDS-ACTION"


SUMMIT = """\
BEGIN:VEVENT
SUMMARY:U.S.-Japan summit
DTSTART;TZID=Asia/Tokyo:20251028T100000
DTEND;TZID=Asia/Tokyo:20251028T113000
DTSTAMP:20251029T060000Z
UID:7d22da20ba4a1a8a1ec5930382ecbff0@itinerary
CATEGORIES:MEETING
DESCRIPTION:Participants: Donald Trump\\, Sanae Takaichi
LOCATION:Akasaka State Guest House\\, Tokyo\\, Japan
END:VEVENT
"""


def test_the_summit_is_written_as_docs_show_it() -> None:
    """Golden text: the summit's VEVENT, byte for byte (UIDs must not change by accident)."""
    text = to_ical(load_scenario(EXAMPLE).log).decode().replace("\r\n", "\n")
    start = text.index("BEGIN:VEVENT\nSUMMARY:U.S.-Japan summit")
    assert text[start : text.index("END:VEVENT", start) + len("END:VEVENT\n")] == SUMMIT


def test_the_tour_summit_reads_back_exactly_in_tokyo() -> None:
    """The summit comes back from vobject as 10:00-11:30 in Asia/Tokyo, with its venue."""
    calendar = parse(to_ical(load_scenario(EXAMPLE).log))
    summit = next(c for c in components(calendar) if c.summary.value == "U.S.-Japan summit")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert summit.dtstart.value == datetime(2025, 10, 28, 10, 0, tzinfo=tokyo)
    assert summit.dtend.value == datetime(2025, 10, 28, 11, 30, tzinfo=tokyo)
    assert summit.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Asia/Tokyo"]
    assert summit.location.value == "Akasaka State Guest House, Tokyo, Japan"
    assert "Donald Trump, Sanae Takaichi" in summit.description.value


def test_the_deadline_is_due_six_months_later_in_tokyo() -> None:
    """The critical-minerals obligation is a VTODO due 2026-04-28 12:00 Tokyo time."""
    calendar = parse(to_ical(load_scenario(EXAMPLE).log))
    todo = next(c for c in components(calendar) if c.name == "VTODO")
    assert todo.due.value == datetime(2026, 4, 28, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert todo.due.params["X-VOBJ-ORIGINAL-TZID"] == ["Asia/Tokyo"]
    assert todo.summary.value.startswith("select projects and finance")
    signing = next(
        c
        for c in components(calendar)
        if c.summary.value == "Signing: Critical minerals and rare earths framework"
    )
    assert todo.related_to.value == signing.uid.value


def test_every_instant_of_the_tour_survives_with_its_zone() -> None:
    """Each event's times come back from vobject exactly, with its place's TZID."""
    log = load_scenario(EXAMPLE).log
    found = read_times(parse(to_ical(log)))
    assert not expected_times(log) - found


def test_one_vtimezone_per_zone_used() -> None:
    """The tour uses three zones; the calendar holds exactly one VTIMEZONE for each."""
    calendar = parse(to_ical(load_scenario(EXAMPLE).log))
    zones = sorted(tz.tzid.value for tz in calendar.contents["vtimezone"])
    assert zones == ["Asia/Kuala_Lumpur", "Asia/Seoul", "Asia/Tokyo"]


def check_round_trip(log: EventLog) -> None:
    """The property: every event's instants survive vobject's reading, each with its zone."""
    data = to_ical(log)
    calendar = parse(data)
    found = read_times(calendar)
    missing = expected_times(log) - found
    assert not missing, missing
    zones = {tz.tzid.value for tz in calendar.contents.get("vtimezone", [])}
    assert {zone for _, _, zone in found if zone != IN_UTC} == zones
    uids = [c.uid.value for c in components(calendar)]
    assert len(uids) == len(set(uids))
    for component in components(calendar):
        if "dtend" in component.contents:
            assert instant(component.dtend) > instant(component.dtstart)


@settings(max_examples=30)
@given(event_logs(max_events=25))
# A place in zone UTC: its times are written ...Z, and no VTIMEZONE is left unused.
@example(EventLog([Arrived("A", GREENWICH, GREENWICH.at("2025-10-27 12:00"))]))
def test_any_log_round_trips_through_vobject(log: EventLog) -> None:
    """For any log, consistent or not, each instant comes back exact and in its place's zone."""
    check_round_trip(log)


@settings(max_examples=25)
@given(itineraries(places=st.sampled_from(DST_PLACES), max_events=30))
def test_tours_across_clock_changes_round_trip(log: EventLog) -> None:
    """Tours of places whose clocks change (folds included) round-trip exactly too."""
    check_round_trip(log)


@settings(max_examples=20)
@given(event_logs(max_events=15))
def test_the_same_log_gives_the_same_bytes(log: EventLog) -> None:
    """Output depends on the log's facts only, not the order they were recorded in."""
    assert to_ical(log) == to_ical(EventLog(reversed(list(log))))


def test_the_second_of_a_repeated_hour_is_written_in_utc() -> None:
    """01:30 on 2025-11-02 in New York happened twice: the first has a TZID, the second is Z."""
    first = NEW_YORK.at("2025-11-02 01:30", disambiguate="earlier")
    second = NEW_YORK.at("2025-11-02 01:30", disambiguate="later")
    log = EventLog([Arrived("A", NEW_YORK, first), Departed("A", NEW_YORK, second)])
    text = to_ical(log).decode()
    assert "DTSTART;TZID=America/New_York:20251102T013000" in text
    assert "DTSTART:20251102T063000Z" in text  # 01:30 -05:00
    check_round_trip(log)


def test_fractions_of_a_second_are_dropped() -> None:
    """Whole seconds only: 10:00:00.9 is written 10:00:00 (iCalendar has no fractions)."""
    at = NEW_YORK.at("2025-06-01 10:00:00.900000")
    text = to_ical(EventLog([Arrived("A", NEW_YORK, at)])).decode()
    assert "DTSTART;TZID=America/New_York:20250601T100000" in text


def test_met_obligations_are_completed_in_utc() -> None:
    """A met obligation's VTODO is COMPLETED, at the UTC instant it was met."""
    tokyo = Place("Tokyo", "Japan", "Asia/Tokyo")
    signing = AgreementSigned(
        "Deal",
        ("A", "B"),
        tokyo,
        tokyo.at("2025-10-28 12:00"),
        obligations=[Obligation("pay", due=tokyo.at("2025-12-01 00:00"))],
    )
    met = ObligationMet("Deal", "pay", tokyo.at("2025-11-15 09:00"))
    todo = next(
        c for c in components(parse(to_ical(EventLog([signing, met])))) if c.name == "VTODO"
    )
    assert todo.status.value == "COMPLETED"
    assert todo.completed.value == datetime(2025, 11, 15, 0, 0, tzinfo=UTC)


def test_dtstamp_comes_from_the_log_or_the_caller() -> None:
    """DTSTAMP is the latest event's instant (in UTC) unless a stamp is given; never now."""
    log = load_scenario(EXAMPLE).log
    stamps = {c.dtstamp.value for c in components(parse(to_ical(log)))}
    assert stamps == {datetime(2025, 10, 29, 6, 0, tzinfo=UTC)}  # APEC Summit, 15:00 +09:00
    given_stamp = datetime(2030, 1, 1, tzinfo=UTC)
    stamps = {c.dtstamp.value for c in components(parse(to_ical(log, stamp=given_stamp)))}
    assert stamps == {given_stamp}


def test_a_naive_stamp_is_refused() -> None:
    """A stamp without a zone raises the library's NaiveDatetimeError."""
    with pytest.raises(NaiveDatetimeError, match="stamp"):
        to_ical(EventLog(), stamp=datetime(2030, 1, 1))  # naive on purpose


def test_uids_are_stable_and_duplicates_are_numbered() -> None:
    """The same fact recorded twice gets two UIDs, the second numbered; both are stable."""
    at = NEW_YORK.at("2025-06-01 10:00")
    meeting = MeetingHeld("Talk", ("A",), NEW_YORK, at, at + timedelta(hours=1))
    log = EventLog([meeting, meeting])
    uids = [c.uid.value for c in components(parse(to_ical(log))) if c.summary.value == "Talk"]
    numbered, first = sorted(uids)  # "-" sorts before "@"
    assert numbered == first.replace("@", "-2@")
    again = [c.uid.value for c in components(parse(to_ical(log))) if c.summary.value == "Talk"]
    assert again == uids


def test_write_ical_writes_the_same_bytes(tmp_path: Path) -> None:
    """write_ical() writes exactly what to_ical() returns."""
    log = load_scenario(EXAMPLE).log
    path = tmp_path / "tour.ics"
    write_ical(log, path)
    assert path.read_bytes() == to_ical(log)


def test_without_icalendar_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without icalendar, to_ical() raises MissingExtraError (an ImportError) naming the extra."""
    monkeypatch.setitem(sys.modules, "icalendar", None)
    with pytest.raises(MissingExtraError, match=r'pip install "itinerary\[ical\]"') as info:
        to_ical(EventLog())
    assert isinstance(info.value, ImportError)
    assert info.value.extra == "ical"


def test_cli_exports_a_calendar(tmp_path: Path) -> None:
    """`itinerary export FILE --to tour.ics` writes the calendar to_ical() gives, titled."""
    target = tmp_path / "tour.ics"
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "--to", str(target)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert f"to {target}" in result.stdout
    scenario = load_scenario(EXAMPLE)
    assert target.read_bytes() == to_ical(scenario.log, name=scenario.title)
    calendar = parse(target.read_bytes())
    assert calendar.contents["x-wr-calname"][0].value == scenario.title  # "..., October 2025"
    assert calendar.contents["name"][0].value == scenario.title


def test_cli_refuses_to_overwrite_a_calendar(tmp_path: Path) -> None:
    """An existing .ics file is not overwritten: exit status 2 and one line on stderr."""
    target = tmp_path / "tour.ics"
    target.write_text("mine")
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "--to", str(target)])
    assert result.exit_code == 2
    assert "already exists; not overwriting it" in result.stderr
    assert target.read_text() == "mine"


def test_cli_does_not_read_calendars(tmp_path: Path) -> None:
    """A calendar given as FILE is refused with a one-line error, exit status 2."""
    source = tmp_path / "tour.ics"
    source.write_bytes(to_ical(load_scenario(EXAMPLE).log))
    result = CliRunner().invoke(main, ["replay", str(source)])
    assert result.exit_code == 2
    assert "calendars are written (export --to), not read" in result.stderr


def test_cli_export_without_icalendar_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without icalendar, export --to x.ics is one line naming the extra, and writes nothing."""
    monkeypatch.setitem(sys.modules, "icalendar", None)
    target = tmp_path / "tour.ics"
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "--to", str(target)])
    assert result.exit_code == 2
    assert 'pip install "itinerary[ical]"' in result.stderr
    assert not target.exists()


# -- control characters in text (issue 23, item 8) -----------------------------------------

CONTROLS = "\x1b[31m \x07 \x00 \x7f \x0b \x0c \r \x85"


def _controlled_log(text: str) -> EventLog:
    """A meeting, a stay, a signing and its obligation, every user string holding *text*."""
    place = Place(f"Port {text}", f"Land {text}", "Asia/Tokyo")
    at = place.at
    return EventLog([
        Arrived(f"Ann {text}", place, at("2025-10-28 09:00")),
        MeetingHeld(f"Summit {text}", (f"Ann {text}", "Bo"), place, at("2025-10-28 10:00"),
                    at("2025-10-28 11:00"), venue=f"Hall {text}"),
        AgreementSigned(f"Accord {text}", (f"Ann {text}",), place, at("2025-10-28 12:00"),
                        obligations=(Obligation(f"pay {text}", within=timedelta(days=30)),)),
    ])  # fmt: skip


def test_control_characters_never_reach_the_calendar_raw() -> None:
    r"""ESC, BEL, NUL, DEL, VT, FF, CR and C1 in any text are written out as \x1b ...: none raw."""
    data = to_ical(_controlled_log(CONTROLS), name=f"Tour {CONTROLS}")
    text = data.decode("utf-8")
    unfolded = text.replace("\r\n ", "").split("\r\n")
    assert not [
        line for line in unfolded if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line)
    ]
    assert (
        "SUMMARY:Summit \\\\x1b[31m \\\\x07 \\\\x00 \\\\x7f \\\\x0b \\\\x0c \\\\x0d \\\\x85"
        in unfolded
    )


@pytest.mark.parametrize("reader", ["icalendar", "vobject"])
def test_control_characters_read_back_as_shown_by_both_parsers(reader: str) -> None:
    """Icalendar and vobject read each title back as text output shows it; tab and LF kept."""
    from itinerary._text import escape_controls  # noqa: PLC0415

    data = to_ical(_controlled_log(CONTROLS + "\tx\ny"))
    shown = escape_controls(CONTROLS) + "\tx\ny"
    if reader == "icalendar":
        import icalendar  # noqa: PLC0415

        found = [str(c["SUMMARY"]) for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    else:
        found = [c.summary.value for c in components(parse(data)) if c.name == "VEVENT"]
    assert f"Summit {shown}" in found
    assert f"Signing: Accord {shown}" in found
    assert f"Ann {shown} in Port {shown}" in found
