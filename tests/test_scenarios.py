"""Scenario files: strict loading with key paths, exact round trips, the example tour."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import EventLog, _time, replay
from itinerary.errors import ScenarioError
from itinerary.events import Arrived, ObligationMet
from itinerary.places import TOKYO, WASHINGTON
from itinerary.scenarios import dumps_scenario, load_scenario, loads_scenario, save_scenario
from itinerary.store.codec import DEFAULT_CODEC
from itinerary.strategies import event_logs
from itinerary.testing import Reference

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"

BASE = """
participants = ["Donald Trump", "Sanae Takaichi"]

[places.Nagoya]
country = "Japan"
tz = "Asia/Tokyo"

[[events]]
type = "arrived"
who = "Donald Trump"
place = "Tokyo"
at = "2025-10-27 16:30"

[[events]]
type = "agreement"
title = "Deal"
signatories = ["Donald Trump", "Sanae Takaichi"]
place = "Tokyo"
at = "2025-10-28 12:00"
obligations = [{ what = "report", within = "P6M" }]
"""


def exact(log: EventLog) -> list[object]:
    """The log as codec records: instants as (µs, zone), durations by their parts."""
    return [DEFAULT_CODEC.encode(event) for event in log]


def test_base_loads() -> None:
    """The base scenario of the malformed cases is itself valid."""
    scenario = loads_scenario(BASE)
    assert len(scenario.log) == 2
    assert scenario.participants == ("Donald Trump", "Sanae Takaichi")
    assert scenario.places["Nagoya"].tz == "Asia/Tokyo"
    assert scenario.log[1].obligations[0].due_after(scenario.log[1].at, TOKYO) == TOKYO.at(
        "2026-04-28 12:00"
    )


MALFORMED = [
    # (what is changed, replaced by, key path, words from found/expected)
    (
        'at = "2025-10-27 16:30"',
        'at = "2025-10-27 16:30"\nwhen = 1',
        "events[0].when",
        "unknown key 'when'",
    ),
    (
        'country = "Japan"',
        'country = "Japan"\nzone = "x"',
        "places.Nagoya.zone",
        "unknown key 'zone'",
    ),
    ("participants = [", "particpants = [", "particpants", "unknown key"),
    (
        'who = "Donald Trump"',
        "who = 7",
        "events[0].who",
        "found integer 7; expected a non-empty string",
    ),
    ('at = "2025-10-27 16:30"', "at = 1730000000", "events[0].at", "found integer"),
    (
        'signatories = ["Donald Trump", "Sanae Takaichi"]',
        'signatories = "Donald Trump"',
        "events[1].signatories",
        "expected a non-empty array",
    ),
    ('who = "Donald Trump"\n', "", "events[0].who", "the key is missing"),
    ('type = "arrived"\n', "", "events[0].type", "the key is missing"),
    ('tz = "Asia/Tokyo"\n', "", "places.Nagoya.tz", "the key is missing"),
    (
        'type = "arrived"',
        'type = "landed"',
        "events[0].type",
        "found 'landed'; expected one of 'arrived'",
    ),
    (
        'place = "Tokyo"\nat = "2025-10-27 16:30"',
        'place = "Tokio"\nat = "2025-10-27 16:30"',
        "events[0].place",
        "found 'Tokio'; expected a place declared",
    ),
    (
        'tz = "Asia/Tokyo"',
        'tz = "Asia/Nagoya"',
        "places.Nagoya.tz",
        "'Asia/Nagoya' is not an IANA time zone",
    ),
    (
        'who = "Donald Trump"',
        'who = "Donald Trum"',
        "events[0].who",
        "expected one of the participants",
    ),
    (
        'at = "2025-10-27 16:30"',
        'at = "27/10/2025 16:30"',
        "events[0].at",
        "expected a local wall time 'YYYY-MM-DD HH:MM'",
    ),
    (
        'at = "2025-10-27 16:30"',
        'at = "2025-10-27 16:30 Mars/Olympus"',
        "events[0].at",
        "'Mars/Olympus' is not a zone",
    ),
    (
        'at = "2025-10-27 16:30"',
        'at = "2025-10-27 16:30+08:00"',
        "events[0].at",
        "expected that offset: Tokyo (Asia/Tokyo): local time 2025-10-27 16:30 with offset "
        "+08:00 never happened there (the offset there was +09:00)",
    ),
    (
        'place = "Tokyo"\nat = "2025-10-27 16:30"',
        'place = "Washington"\nat = "2025-03-09 02:30"',
        "events[0].at",
        "does not exist there",
    ),
    (
        'place = "Tokyo"\nat = "2025-10-27 16:30"',
        'place = "Washington"\nat = "2025-11-02 01:30"',
        "events[0].at",
        "happened twice there",
    ),
    (
        'within = "P6M"',
        'within = "six months"',
        "events[1].obligations[0].within",
        "found 'six months'; expected a positive duration",
    ),
    (
        'within = "P6M"',
        "within = 6",
        "events[1].obligations[0].within",
        "found integer 6; expected a positive duration",
    ),
    (
        'within = "P6M"',
        "within = { moons = 6 }",
        "events[1].obligations[0].within.moons",
        "unknown unit 'moons'",
    ),
    (
        'within = "P6M"',
        'within = "PT0S"',
        "events[1].obligations[0].within",
        "expected a positive duration",
    ),
    (
        'within = "P6M"',
        'due = "2026-01-01 00:00", within = "P6M"',
        "events[1].obligations[0]",
        "both within and due",
    ),
    (
        'obligations = [{ what = "report", within = "P6M" }]',
        'obligations = "report"',
        "events[1].obligations",
        "expected an array of tables",
    ),
    ('title = "Deal"', 'title = ""', "events[1].title", "found ''; expected a non-empty string"),
    (
        'signatories = ["Donald Trump", "Sanae Takaichi"]',
        'signatories = ["Donald Trump", "Donald Trump"]',
        "events[1].signatories",
        "'Donald Trump' named twice",
    ),
    (
        'within = "P6M"',
        "within = { days = 9999999999 }",
        "events[1].obligations[0].within",
        "found { days = 9999999999 }; expected a duration short enough to add to a date",
    ),
    (
        'within = "P6M"',
        'within = "P9000Y"',
        "events[1].obligations[0].within",
        "found 'P9000Y'; expected a duration whose deadline is a date in the years 1-9999",
    ),
    (
        'at = "2025-10-27 16:30"',
        'at = "0001-01-01 00:30"',
        "events[0].at",
        "expected a time within the calendar's range: Tokyo (Asia/Tokyo): local time",
    ),
    (
        'tz = "Asia/Tokyo"',
        'tz = "Asia/Tokyo"\nlon = 500',
        "places.Nagoya.lon",
        "found integer 500; expected a number of degrees from -180 to 180",
    ),
    (
        'tz = "Asia/Tokyo"',
        'tz = "Asia/Tokyo"\nlat = nan',
        "places.Nagoya.lat",
        "found float nan; expected a number of degrees from -90 to 90",
    ),
    (
        'tz = "Asia/Tokyo"',
        'tz = "Asia/Tokyo"\nlat = "35N"',
        "places.Nagoya.lat",
        "found '35N'; expected a number of degrees",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "words"), MALFORMED, ids=[m[2] + ":" + m[3][:24] for m in MALFORMED]
)
def test_malformed_scenarios_name_the_key_path(
    tmp_path: Path, old: str, new: str, key: str, words: str
) -> None:
    """Each mistake raises ScenarioError naming the file, the key path, found and expected."""
    assert old in BASE
    path = tmp_path / "bad.toml"
    path.write_text(BASE.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {key}: found ")
    assert words in message
    assert info.value.key == key
    assert info.value.file == str(path)


def test_meeting_that_ends_before_it_starts(tmp_path: Path) -> None:
    """An event the core refuses is reported at its key path with the core's reason."""
    text = (
        BASE
        + '\n[[events]]\ntype = "meeting"\ntitle = "Talks"\nparticipants = ["Donald Trump"]\nplace = "Tokyo"\nstart = "2025-10-28 11:00"\nend = "2025-10-28 10:00"\n'
    )
    with pytest.raises(
        ScenarioError, match=r"events\[2\]: found MeetingHeld 'Talks' in Tokyo ends"
    ):
        loads_scenario(text, file="x.toml")


def test_invalid_toml_names_the_line() -> None:
    """A TOML syntax error is a ScenarioError naming the file and the line."""
    with pytest.raises(ScenarioError, match=r"x.toml: found invalid TOML \(.*line 2"):
        loads_scenario('title = "a"\ntitle = = "b"\n', file="x.toml")


def test_missing_file() -> None:
    """A missing file is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match=r"nope\.toml: found a file that cannot be read"):
        load_scenario("nope.toml")


def test_an_offset_chooses_in_a_fold() -> None:
    """An offset after a repeated wall time picks which of the two instants it means."""
    text = '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Washington"\nat = "2025-11-02 01:30-05:00"\n'
    (event,) = loads_scenario(text).log
    assert event.occurred_at.utcoffset().total_seconds() == -5 * 3600  # type: ignore[union-attr]
    assert _time.micros(event.occurred_at) == _time.micros(
        WASHINGTON.at("2025-11-02 01:30", disambiguate="later")
    )


def test_obligation_met_reads_time_at_the_agreement_place() -> None:
    """An obligation_met without a place reads its time at its agreement's place."""
    text = (
        BASE
        + '\n[[events]]\ntype = "obligation_met"\nagreement = "Deal"\nwhat = "report"\nat = "2026-01-05 09:00"\n'
    )
    event = loads_scenario(text).log[2]
    assert isinstance(event, ObligationMet)
    assert event.at == TOKYO.at("2026-01-05 09:00")


def test_obligation_met_without_place_or_zone() -> None:
    """An obligation_met of an unknown agreement needs a place or a zone for its time."""
    text = '[[events]]\ntype = "obligation_met"\nagreement = "Other"\nwhat = "x"\nat = "2026-01-05 09:00"\n'
    with pytest.raises(ScenarioError, match=r"events\[0\]\.at: .*expected a time with its zone"):
        loads_scenario(text)


@given(event_logs())
@example(
    EventLog([Arrived("A", WASHINGTON, WASHINGTON.at("2025-11-02 01:30", disambiguate="later"))])
)
@example(EventLog([Arrived("A", TOKYO, WASHINGTON.at("2025-11-02 01:30", disambiguate="earlier"))]))
def test_save_then_load_is_exact(log: EventLog) -> None:
    """Writing a log as a scenario and reading it back gives the same events, instants, zones."""
    loaded = loads_scenario(dumps_scenario(log)).log
    assert loaded == log
    assert exact(loaded) == exact(log)


def test_example_round_trips(tmp_path: Path) -> None:
    """The Asia tour loads, saves and loads again to an equal log."""
    scenario = load_scenario(EXAMPLE)
    save_scenario(scenario, tmp_path / "again.toml")
    again = load_scenario(tmp_path / "again.toml")
    assert exact(again.log) == exact(scenario.log)
    assert again.title == scenario.title == "Asia tour, October 2025"
    assert again.participants == scenario.participants


def test_example_facts() -> None:
    """The example tour holds the summit in Tokyo and a six-month obligation."""
    log = load_scenario(EXAMPLE).log
    assert len(log) == 14
    summit = log[5]
    assert summit.describe().startswith("U.S.-Japan summit")
    assert summit.occurred_at == TOKYO.at("2025-10-28 10:00")
    assert log[6].obligations[0].within.months == 6  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "field", "value", "limit"),
    [("Plateau", "lon", 500, 180), ("Ozone", "lat", 91.5, 90), ("Latvia", "lon", -181, 180)],
)
def test_a_bad_coordinate_is_reported_at_its_own_key(
    name: str, field: str, value: float, limit: int
) -> None:
    """A bad lat or lon is reported at places.<name>.lat/.lon, whatever the place is called."""
    text = f'[places.{name}]\ncountry = "X"\ntz = "Asia/Tokyo"\nlat = 10\nlon = 10\n'
    text = text.replace(f"{field} = 10", f"{field} = {value}")
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, file="x.toml")
    assert info.value.key == f"places.{name}.{field}"
    assert str(info.value) == (
        f"x.toml: places.{name}.{field}: found {type(value).__name__.replace('int', 'integer')} "
        f"{value}; expected a number of degrees from -{limit} to {limit}"
    )


WITHIN = BASE.replace('within = "P6M"', "within = { years = %d, days = %d, seconds = %d }")


@given(
    years=st.integers(min_value=0, max_value=10**25),
    days=st.integers(min_value=0, max_value=10**25),
    seconds=st.integers(min_value=0, max_value=10**25),
)
@example(years=0, days=9_999_999_999, seconds=0)
@example(years=9000, days=0, seconds=0)
@example(years=7974, days=0, seconds=0)  # 2025 + 7974 = 9999: the last year that exists
def test_any_duration_loads_and_replays_or_is_a_scenario_error(
    years: int, days: int, seconds: int
) -> None:
    """However long a duration, loading raises only ScenarioError, and what loads replays."""
    try:
        scenario = loads_scenario(WITHIN % (years, days, seconds), file="x.toml")
    except ScenarioError as exc:
        refused: ScenarioError | None = exc
    else:
        refused = None
    if refused is not None:
        assert refused.key == "events[1].obligations[0].within"
        return
    state = replay(scenario.log)
    assert state.as_of is not None
    # The deadline is where the reference model's own calendar arithmetic puts it.
    period = (12 * years, days, timedelta(seconds=seconds))
    reference = Reference(
        scenario.log, _time.micros(state.as_of), periods={("Deal", "report"): period}
    )
    found = {(d.agreement, d.what, _time.micros(d.due), d.status) for d in state.deadlines}
    assert found == reference.deadlines()


def _within(text: str) -> str:
    return (
        '[[events]]\ntype = "agreement"\ntitle = "Deal"\nsignatories = ["A"]\nplace = "Tokyo"\n'
        f'at = "2025-10-28 12:00"\nobligations = [{{ what = "x", within = "{text}" }}]\n'
    )


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("P6M", (0, 6, 0, 0, 0)),
        ("P1Y2M3D", (1, 2, 3, 0, 0)),
        ("PT36H", (0, 0, 0, 36 * 3600, 0)),
        ("P1DT12H", (0, 0, 1, 12 * 3600, 0)),
        ("P3W", (0, 0, 21, 0, 0)),
    ],
)
def test_iso_durations_keep_their_parts(text: str, parts: tuple[int, ...]) -> None:
    """An ISO 8601 period keeps its calendar and elapsed parts: six months stay months."""
    (signed,) = loads_scenario(_within(text)).log
    (obligation,) = signed.obligations  # type: ignore[attr-defined]
    assert _time.duration_parts(obligation.within) == parts


@pytest.mark.parametrize("text", ["PT1.5H", "P1W2D", "P", "P-1M", "2025-10-28", "6 months", "PT"])
def test_what_is_not_an_iso_duration_is_refused(text: str) -> None:
    """Fractions, weeks with days, dates and empty periods are not durations there."""
    with pytest.raises(ScenarioError, match="expected a positive duration"):
        loads_scenario(_within(text))


def test_a_date_that_does_not_exist_says_so() -> None:
    """2025-11-31 has the grammar's shape: the error names the calendar, not the format."""
    with pytest.raises(ScenarioError, match=r"expected a date and time that exist \(day is out"):
        loads_scenario(
            '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = "2025-11-31 08:00"\n'
        )


def test_a_time_in_a_gap_says_what_to_write_instead() -> None:
    """02:30 on New York's spring-forward night: the error offers 03:30, which then loads."""
    text = '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Washington"\nat = "{}"\n'
    with pytest.raises(ScenarioError, match="Write '2025-03-09 03:30'"):
        loads_scenario(text.format("2025-03-09 02:30"))
    (event,) = loads_scenario(text.format("2025-03-09 03:30")).log
    assert _time.micros(event.occurred_at) == _time.micros(
        datetime(2025, 3, 9, 7, 30, tzinfo=UTC)  # 02:30 at -05:00
    )


@pytest.mark.parametrize(
    "line",
    ["x = " + "1" * 5000, 'title = "T"\n[places.P]\ncountry = "C"\ntz = "UTC"\nlat = ' + "9" * 400,
     "[[events]]\ntype = \"agreement\"\ntitle = \"T\"\nsignatories = [\"A\"]\nplace = \"Tokyo\"\n"
     'at = "2025-10-27 16:30"\nobligations = [{ what = "w", within = "P1' + "0" * 5000 + 'D" }]',
     "x = " + "{ a = " * 400 + "1" + " }" * 400],
)  # fmt: skip
def test_huge_numbers_and_deep_tables_are_scenario_errors(line: str) -> None:
    """A 5,000-digit integer, a 400-digit latitude, a huge duration or deep tables: ScenarioError."""
    with pytest.raises(ScenarioError):
        loads_scenario(line)


def test_the_last_instant_an_event_may_be_at_loads_and_shows_in_every_zone() -> None:
    """9999-12-30 23:59 UTC loads; it is a date in the year 9999 in Kiritimati (+14:00)."""
    text = '[[events]]\ntype = "arrived"\nwho = "A"\nplace = "Tokyo"\nat = "9999-12-30 23:59 UTC"\n'
    event = loads_scenario(text).log[0]
    assert _time.to_zone(event.at, "Pacific/Kiritimati").year == 9999


def test_save_through_a_planted_link_at_the_old_temporary_name_writes_only_the_target(
    tmp_path: Path,
) -> None:
    """A link planted at the old predictable temporary name redirects nothing."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    target = tmp_path / "tour.toml"
    (tmp_path / f"tour.toml.tmp-{os.getpid()}").symlink_to(victim)
    save_scenario(load_scenario(EXAMPLE), target)
    assert victim.read_text() == "keep"
    assert load_scenario(target).log == load_scenario(EXAMPLE).log


@pytest.mark.parametrize("make", ["symlink", "dangling", "fifo"])
def test_save_onto_a_link_or_fifo_is_refused(tmp_path: Path, make: str) -> None:
    """Saving onto a symbolic link (even dangling) or a FIFO raises ScenarioError."""
    target = tmp_path / "out.toml"
    if make == "fifo":
        os.mkfifo(target)
    else:
        victim = tmp_path / "victim"
        if make == "symlink":
            victim.write_text("keep")
        target.symlink_to(victim)
    with pytest.raises(ScenarioError, match="expected a regular file"):
        save_scenario(load_scenario(EXAMPLE), target)
    assert make != "symlink" or (tmp_path / "victim").read_text() == "keep"
    assert make != "dangling" or not (tmp_path / "victim").exists()


@pytest.mark.parametrize("make", ["symlink", "fifo", "device"])
def test_loading_a_link_fifo_or_device_is_refused_before_reading(tmp_path: Path, make: str) -> None:
    """A symbolic link, a FIFO (which would hang) or /dev/zero (endless) is a ScenarioError."""
    path = tmp_path / "tour.toml"
    if make == "symlink":
        path.symlink_to(EXAMPLE)
    elif make == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    kind = {"symlink": "symbolic link", "fifo": "FIFO", "device": "character device"}[make]
    with pytest.raises(ScenarioError, match=f"found a {kind}.*; expected a regular file"):
        load_scenario(path)
