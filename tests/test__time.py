"""Tests for itinerary._time: the one door to pendulum."""

from datetime import UTC, datetime, timedelta

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import _time
from itinerary.errors import (
    AmbiguousLocalTimeError,
    LocalTimeError,
    NaiveDatetimeError,
    NonexistentLocalTimeError,
    UnknownZoneError,
)

ZONES = ["Asia/Kuala_Lumpur", "Asia/Tokyo", "Asia/Seoul", "America/New_York", "Europe/London"]


@pytest.mark.parametrize(
    "name",
    [
        "Nowhere/Atlantis",
        "",
        "+09:00",
        "../etc/passwd",
        "UTC+9",
        "localtime",
        "Factory",
        "posixrules",
        "posix/Asia/Tokyo",
        "right/Asia/Tokyo",
    ],
)
def test_zone_rejects_what_is_not_an_iana_zone(name: str) -> None:
    """A name that is not an IANA zone raises UnknownZoneError naming it."""
    with pytest.raises(UnknownZoneError, match="IANA"):
        _time.zone(name)


def test_instant_refuses_naive_datetimes() -> None:
    """A naive datetime is refused with a message naming the value and how to fix it."""
    with pytest.raises(NaiveDatetimeError, match=r"Arrived.at is a naive datetime .*2025-10-28"):
        _time.instant(datetime(2025, 10, 28, 12), what="Arrived.at")


def test_instant_accepts_stdlib_aware_datetimes_as_the_same_instant() -> None:
    """An aware stdlib datetime becomes a pendulum DateTime for the same instant."""
    value = datetime(2025, 10, 28, 3, tzinfo=UTC)
    converted = _time.instant(value, what="x")
    assert isinstance(converted, pendulum.DateTime)
    assert converted == value


# The instants every zone can show: a day in from each end of the calendar (years 1-9999).
_FIRST = datetime(1, 1, 2, tzinfo=UTC)
_LAST = datetime(9999, 12, 30, 23, 59, 59, 999_998, tzinfo=UTC)


@given(
    st.datetimes(
        min_value=_FIRST.replace(tzinfo=None),
        max_value=_LAST.replace(tzinfo=None),
        timezones=st.just(UTC),
    ),
    st.sampled_from(ZONES),
)
@example(_FIRST, "America/New_York")
@example(_LAST, "Asia/Tokyo")
def test_micros_orders_instants_whatever_their_zone(value: datetime, name: str) -> None:
    """micros() is exact and the same for one instant in any zone."""
    assert _time.micros(_time.to_zone(value, name)) == _time.micros(value)
    assert _time.micros(value + timedelta(microseconds=1)) == _time.micros(value) + 1


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (datetime(1, 1, 1, 3, tzinfo=UTC), "America/New_York"),  # 31 December of year 0
        (datetime(9999, 12, 31, 20, tzinfo=UTC), "Asia/Tokyo"),  # 1 January of year 10000
    ],
)
def test_to_zone_refuses_an_instant_its_zone_shows_outside_the_calendar(
    value: datetime, name: str
) -> None:
    """An instant whose local date in the zone is outside the years 1-9999 raises LocalTimeError."""
    with pytest.raises(LocalTimeError, match="outside the years 1-9999"):
        _time.to_zone(value, name)


def test_micros_sees_fold_where_comparison_does_not() -> None:
    """Two readings of 01:30 in New York on 2025-11-02 are an hour apart, fold included."""
    first = _time.resolve(
        datetime(2025, 11, 2, 1, 30), "America/New_York", disambiguate="earlier", where="NY"
    )
    second = _time.resolve(
        datetime(2025, 11, 2, 1, 30), "America/New_York", disambiguate="later", where="NY"
    )
    assert _time.micros(second) - _time.micros(first) == 3_600_000_000


@pytest.mark.parametrize(
    ("zone", "wall", "policy", "expected"),
    [
        # Kuala Lumpur skipped 23:30-24:00 on 1981-12-31 (+07:30 -> +08:00).
        ("Asia/Kuala_Lumpur", datetime(1981, 12, 31, 23, 45), "later", "1982-01-01T00:15:00+08:00"),
        ("Asia/Kuala_Lumpur", datetime(1981, 12, 31, 23, 45), "compatible", "1982-01-01T00:15:00+08:00"),
        ("Asia/Kuala_Lumpur", datetime(1981, 12, 31, 23, 45), "earlier", "1981-12-31T23:15:00+07:30"),
        # New York repeated 01:00-02:00 on 2025-11-02 (-04:00 -> -05:00).
        ("America/New_York", datetime(2025, 11, 2, 1, 30), "earlier", "2025-11-02T01:30:00-04:00"),
        ("America/New_York", datetime(2025, 11, 2, 1, 30), "compatible", "2025-11-02T01:30:00-04:00"),
        ("America/New_York", datetime(2025, 11, 2, 1, 30), "later", "2025-11-02T01:30:00-05:00"),
        # New York skipped 02:00-03:00 on 2025-03-09.
        ("America/New_York", datetime(2025, 3, 9, 2, 30), "compatible", "2025-03-09T03:30:00-04:00"),
        ("America/New_York", datetime(2025, 3, 9, 2, 30), "earlier", "2025-03-09T01:30:00-05:00"),
        # Seoul kept summer time in 1987 and 1988: 1987-05-10 02:00 -> 03:00.
        ("Asia/Seoul", datetime(1987, 5, 10, 2, 30), "compatible", "1987-05-10T03:30:00+10:00"),
    ],
)  # fmt: skip
def test_resolve_chooses_as_told_in_gaps_and_folds(
    zone: str, wall: datetime, policy: _time.Disambiguate, expected: str
) -> None:
    """Each disambiguation policy picks the documented instant in a gap or a fold."""
    assert _time.resolve(wall, zone, disambiguate=policy, where=zone).isoformat() == expected


@pytest.mark.parametrize(
    ("zone", "wall", "error"),
    [
        ("Asia/Kuala_Lumpur", datetime(1981, 12, 31, 23, 30), NonexistentLocalTimeError),
        ("America/New_York", datetime(2025, 3, 9, 2, 0), NonexistentLocalTimeError),
        ("America/New_York", datetime(2025, 11, 2, 1, 0), AmbiguousLocalTimeError),
        ("Asia/Tokyo", datetime(1951, 9, 9, 0, 30), AmbiguousLocalTimeError),
        ("Asia/Seoul", datetime(1988, 10, 9, 2, 30), AmbiguousLocalTimeError),
    ],
)
def test_resolve_raises_by_default_in_gaps_and_folds(
    zone: str, wall: datetime, error: type[LocalTimeError]
) -> None:
    """By default a skipped or repeated wall time raises, naming the place and the time."""
    with pytest.raises(error, match=rf"^Here: local time {wall:%Y-%m-%d %H:%M} "):
        _time.resolve(wall, zone, where="Here")


def test_resolve_rejects_an_unknown_policy() -> None:
    """A misspelt disambiguation policy is an error, not a silent default."""
    with pytest.raises(LocalTimeError, match="disambiguate must be one of"):
        _time.resolve(datetime(2025, 1, 1), "Asia/Tokyo", disambiguate="latest", where="T")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["2025-10-28 12:00+09:00", "2025-10-28T12:00Z", "tomorrow", "2025-13-01 10:00"]
)
def test_parse_wall_time_refuses_offsets_and_garbage(text: str) -> None:
    """Only a plain wall time is accepted; an offset or an impossible date says so."""
    with pytest.raises(LocalTimeError, match="Tokyo"):
        _time.parse_wall_time(text, where="Tokyo")


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(ZONES),
)
@example(datetime(1981, 12, 31, 23, 45), "Asia/Kuala_Lumpur")
@example(datetime(2025, 11, 2, 1, 30), "America/New_York")
def test_resolve_round_trips_every_wall_time_that_exists_once(wall: datetime, zone: str) -> None:
    """A wall time that exists exactly once resolves to an instant showing that wall time."""
    try:
        instant = _time.resolve(wall, zone, where=zone)
    except LocalTimeError:
        # It is in a gap or a fold: then the zone really has two offsets for it.
        first = wall.replace(tzinfo=_time.zone(zone), fold=0)
        assert first.utcoffset() != wall.replace(tzinfo=_time.zone(zone), fold=1).utcoffset()
        return
    assert instant.replace(tzinfo=None) == wall
    assert _time.to_zone(instant, zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2025-03-31 00:30", pendulum.duration(months=6), "2025-09-30T00:30:00+09:00"),
        ("2025-10-28 12:00", pendulum.duration(months=6), "2026-04-28T12:00:00+09:00"),
        ("2024-02-29 09:00", pendulum.duration(years=1), "2025-02-28T09:00:00+09:00"),
        ("2025-01-31 10:00", pendulum.duration(months=1), "2025-02-28T10:00:00+09:00"),
        ("2025-10-28 23:00", pendulum.duration(hours=2), "2025-10-29T01:00:00+09:00"),
        ("2025-10-28 12:00", timedelta(days=3, hours=1), "2025-10-31T13:00:00+09:00"),
    ],
)
def test_add_local_counts_in_the_local_calendar(
    start: str, duration: timedelta, expected: str
) -> None:
    """Months and years move the local date with month-end clamping; hours are elapsed time."""
    tokyo_start = _time.resolve(datetime.fromisoformat(start), "Asia/Tokyo", where="Tokyo")
    assert _time.add_local(tokyo_start, "Asia/Tokyo", duration).isoformat() == expected


def test_add_local_days_keep_the_wall_clock_across_a_dst_change() -> None:
    """A day after 12:00 on the eve of New York's spring change is 12:00, 23 hours later."""
    start = _time.resolve(datetime(2025, 3, 8, 12), "America/New_York", where="NY")
    later = _time.add_local(start, "America/New_York", pendulum.duration(days=1))
    assert later.isoformat() == "2025-03-09T12:00:00-04:00"
    assert _time.micros(later) - _time.micros(start) == 23 * 3_600_000_000


def test_add_local_into_a_gap_lands_on_a_real_instant() -> None:
    """A deadline whose wall time is skipped moves forward past the gap (compatible)."""
    start = _time.resolve(datetime(2025, 3, 8, 2, 30), "America/New_York", where="NY")
    assert _time.add_local(start, "America/New_York", pendulum.duration(days=1)).isoformat() == (
        "2025-03-09T03:30:00-04:00"
    )


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2040, 1, 1),
        timezones=st.just(UTC),
    ),
    st.integers(min_value=1, max_value=36),
    st.sampled_from(ZONES),
)
def test_add_local_months_keep_the_wall_clock_or_clamp_the_day(
    start: datetime, months: int, zone: str
) -> None:
    """Adding n months lands n months later in local date, on the same day or the month's last."""
    local = _time.to_zone(start, zone)
    due = _time.add_local(start, zone, pendulum.duration(months=months))
    assert (due.year * 12 + due.month) - (local.year * 12 + local.month) == months
    assert due.day == local.day or (due.day < local.day and (due + timedelta(days=1)).day == 1)
    assert _time.micros(due) > _time.micros(start)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=3 * 86_400),
    st.sampled_from(ZONES),
)
@example(datetime(2000, 10, 29, 6, tzinfo=UTC), 3600, "America/New_York")  # 01:00 EST, fold=1
def test_add_local_elapsed_time_is_exact(start: datetime, seconds: int, zone: str) -> None:
    """Hours and seconds alone add exactly, from either instant of a fold's wall time."""
    local = _time.to_zone(start, zone)
    later = _time.add_local(local, zone, pendulum.duration(seconds=seconds))
    assert _time.micros(later) - _time.micros(start) == seconds * 1_000_000


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("2025-11-03", "is not a local wall time"),
        ("2025-11-31 10:00", "is not a date and time that exist: day is out of range"),
        ("2025-10-28 25:00", "is not a date and time that exist"),
        ("2025-10-28 12:00 +09:00", "carries an offset"),
    ],
)
def test_parse_wall_time_says_which_part_is_wrong(text: str, match: str) -> None:
    """A date alone (no silent midnight), an impossible date and an offset each say so."""
    with pytest.raises(LocalTimeError, match=match):
        _time.parse_wall_time(text, where="Tokyo")


def test_parse_wall_time_accepts_the_iso_t_and_seconds() -> None:
    """Both 'YYYY-MM-DD HH:MM' and 'YYYY-MM-DDTHH:MM:SS' are wall times."""
    assert _time.parse_wall_time("2025-10-28T12:00:30", where="T") == datetime(
        2025, 10, 28, 12, 0, 30
    )
    assert _time.parse_wall_time(" 2025-10-28 12:00 ", where="T") == datetime(2025, 10, 28, 12, 0)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (pendulum.duration(hours=36), "2025-11-02T23:00:00-05:00"),  # 36 elapsed hours
        (pendulum.duration(days=1, hours=12), "2025-11-03T00:00:00-05:00"),  # a day, then 12 h
        (timedelta(hours=36), "2025-11-02T23:00:00-05:00"),  # a timedelta is elapsed time
        (pendulum.duration(weeks=1), "2025-11-08T12:00:00-05:00"),  # calendar days keep 12:00
    ],
)
def test_add_local_reads_durations_as_pendulum_adds_them(
    duration: timedelta, expected: str
) -> None:
    """Across New York's 2025-11-02 change, hours are elapsed and days are calendar days."""
    start = _time.resolve(datetime(2025, 11, 1, 12), "America/New_York", where="NY")
    assert _time.add_local(start, "America/New_York", duration).isoformat() == expected
    assert (start + duration).isoformat() == expected  # pendulum's own DateTime + Duration


def test_durations_compare_by_their_calendar_and_elapsed_parts() -> None:
    """Six calendar months are not 180 days, and 36 hours are not a day and 12 hours."""
    assert _time.duration_key(pendulum.duration(months=6)) != _time.duration_key(
        timedelta(days=180)
    )
    assert _time.duration_key(pendulum.duration(hours=36)) != _time.duration_key(
        pendulum.duration(days=1, hours=12)
    )
    assert _time.duration_key(pendulum.duration(hours=36)) == _time.duration_key(
        timedelta(hours=36)
    )
    assert _time.duration_key(None) is None


def test_format_offset_keeps_the_seconds_of_a_historic_offset() -> None:
    """Tokyo's local mean time, +09:18:59, is written with its seconds; whole minutes without."""
    lmt = _time.resolve(datetime(1880, 1, 1, 12), "Asia/Tokyo", where="T")
    assert _time.format_offset(lmt) == "+09:18:59"
    assert _time.format_offset(_time.resolve(datetime(2025, 1, 1), "Asia/Kolkata", where="T")) == (
        "+05:30"
    )


@given(
    st.builds(
        pendulum.duration,
        years=st.integers(0, 5),
        months=st.integers(0, 30),
        weeks=st.integers(0, 10),
        days=st.integers(0, 400),
        hours=st.integers(0, 100),
        minutes=st.integers(0, 100),
        seconds=st.integers(0, 100),
        microseconds=st.integers(0, 10**6),
    )
)
@example(pendulum.duration(months=5))
def test_a_duration_keeps_its_calendar_parts_through_pickle(value: pendulum.Duration) -> None:
    """A pickled duration (a plan sent to another process) keeps its months: P5M is not 150 days."""
    import pickle  # noqa: PLC0415

    restored = pickle.loads(pickle.dumps(value))
    assert type(restored) is pendulum.Duration
    assert _time.duration_parts(restored) == _time.duration_parts(value)


# add_local_micros: the engine's integer calendar addition, checked against add_local.
_DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Seoul",
    "Asia/Kuala_Lumpur",
]


def _transitions(name: str, years: range) -> list[int]:
    """The instants (micros) at which *name*'s UTC offset changed during *years*."""
    hour = 3_600_000_000
    found = []
    start = _time.micros(datetime(years.start, 1, 1, tzinfo=UTC))
    stop = _time.micros(datetime(years.stop, 1, 1, tzinfo=UTC))
    offset = _time.from_micros(start, name).utcoffset()
    for at in range(start + hour, stop, hour):
        now = _time.from_micros(at, name).utcoffset()
        if now != offset:
            found.append(at)
            offset = now
    return found


_EDGES = [
    (name, at)
    for name in _DST_ZONES
    for years in (range(1981, 1982), range(1987, 1989), range(2024, 2026))
    for at in _transitions(name, years)
]
_DURATION_PARTS = st.tuples(
    st.integers(0, 2),  # years
    st.integers(0, 30),  # months
    st.integers(0, 400),  # days (weeks included)
    st.integers(0, 3 * 86_400),  # seconds (hours and minutes included)
    st.integers(0, 999_999),  # microseconds
)


@st.composite
def _starts_near_edges(draw: st.DrawFn) -> tuple[str, int, tuple[int, int, int, int, int]]:
    """A zone, a start and parts whose calendar part lands near one of its clock changes."""
    name, edge = draw(st.sampled_from(_EDGES))
    years, months, days, seconds, micro = draw(_DURATION_PARTS)
    target = _time.from_micros(edge + draw(st.integers(-3, 3)) * 1_800_000_000, name)
    wall = datetime(target.year, target.month, target.day, target.hour, target.minute)
    wall -= timedelta(days=days)
    back = wall.month - 1 - months - 12 * years
    wall = wall.replace(year=wall.year + back // 12, month=back % 12 + 1, day=min(wall.day, 28))
    start = _time.resolve(
        wall, name, disambiguate=draw(st.sampled_from(["earlier", "later"])), where=name
    )
    return name, _time.micros(start), (years, months, days, seconds, micro)


def _slow(us: int, name: str, parts: tuple[int, int, int, int, int]) -> int:
    years, months, days, seconds, micro = parts
    after = pendulum.duration(
        years=years, months=months, days=days, seconds=seconds, microseconds=micro
    )
    return _time.micros(_time.add_local(_time.from_micros(us, name), name, after))


@given(_starts_near_edges())
@example(
    ("America/New_York", _time.micros(datetime(2025, 2, 9, 7, 30, tzinfo=UTC)), (0, 1, 0, 0, 0))
)
@example(("Asia/Seoul", _time.micros(datetime(1987, 4, 9, 17, 30, tzinfo=UTC)), (0, 1, 1, 0, 0)))
@example(
    ("Europe/London", _time.micros(datetime(2024, 9, 27, 0, 30, tzinfo=UTC)), (0, 1, 0, 60, 0))
)
def test_add_local_micros_equals_add_local_across_clock_changes(
    case: tuple[str, int, tuple[int, int, int, int, int]],
) -> None:
    """The integer calendar addition lands where add_local does, in gaps and folds too."""
    name, us, parts = case
    assert _time.add_local_micros(us, name, parts) == _slow(us, name, parts)


@given(
    st.sampled_from(_DST_ZONES),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    _DURATION_PARTS,
)
def test_add_local_micros_equals_add_local_anywhere(
    name: str, start: datetime, parts: tuple[int, int, int, int, int]
) -> None:
    """Any instant of two centuries plus any calendar duration: the same integer as add_local."""
    us = _time.micros(start)
    assert _time.add_local_micros(us, name, parts) == _slow(us, name, parts)


def test_add_local_micros_raises_as_add_local_at_the_end_of_the_calendar() -> None:
    """Past the year 9999 it raises LocalTimeError, as add_local does."""
    us = _time.micros(datetime(9999, 6, 1, tzinfo=UTC))
    with pytest.raises(LocalTimeError):
        _time.add_local_micros(us, "Asia/Seoul", (1, 0, 0, 0, 0))


@given(st.sampled_from(ZONES), st.datetimes(), st.sampled_from(["earlier", "later"]))
@example("America/New_York", datetime(2025, 11, 2, 1, 30), "later")  # the repeated hour
def test_an_instant_keeps_its_fold_through_pickle(
    zone: str, wall: datetime, policy: _time.Disambiguate
) -> None:
    """A pickled instant (an event sent to a worker) is the same instant: pendulum drops fold."""
    import pickle  # noqa: PLC0415

    value = _time.resolve(wall, zone, disambiguate=policy, where="here")
    restored = pickle.loads(pickle.dumps(value))
    assert type(restored) is type(value)
    assert (restored, restored.fold, _time.micros(restored)) == (
        value,
        value.fold,
        _time.micros(value),
    )
    assert restored.tzinfo == value.tzinfo


_LOCAL_INSTANT_ZONES = [*_DST_ZONES, "Asia/Tokyo", "UTC", "Pacific/Kiritimati", "America/Caracas"]


@given(
    st.one_of(
        st.sampled_from(_EDGES).flatmap(
            lambda edge: st.tuples(
                st.just(edge[0]),
                st.integers(-7_200_000_000, 7_200_000_000).map(lambda d, at=edge[1]: at + d),
            )
        ),
        st.tuples(
            st.sampled_from(_LOCAL_INSTANT_ZONES),
            st.integers(_time.FIRST_INSTANT_US, _time.LAST_INSTANT_US),
        ),
    )
)
@example(("Asia/Seoul", 579_020_400_000_000))  # 1988-05-08 03:00 +10:00, next to a clock change
@example(("America/New_York", 1_762_065_000_000_000))  # 2025-11-02 01:30 -05:00: the fold
@example(("Asia/Tokyo", _time.FIRST_INSTANT_US))  # local mean time, +09:18:59
@example(("Pacific/Kiritimati", _time.LAST_INSTANT_US))
def test_local_instant_is_the_standard_librarys_conversion(zone_and_us: tuple[str, int]) -> None:
    """local_instant gives astimezone()'s wall time, fold and zone, as a pendulum DateTime."""
    name, us = zone_and_us
    tz = _time.zone(name)
    found = _time.local_instant(us, tz)
    expected = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(tz)
    assert type(found) is pendulum.DateTime
    assert found.tzinfo is tz
    assert found.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert (found.fold, found.utcoffset()) == (expected.fold, expected.utcoffset())
    assert _time.micros(found) == us


_ISO_PARTS = st.tuples(*(st.none() | st.integers(0, 10**10) for _ in range(5)))


@given(_ISO_PARTS, st.booleans())
@example((142857143, None, None, None, None), True)  # past timedelta's range: declined
def test_iso_elapsed_micros_is_the_full_parser_s_reading(
    parts: tuple[int | None, ...], weeks: bool
) -> None:
    """The fast path reads what parse_iso_duration reads, to the microsecond, or declines."""
    w, d, h, m, s = parts
    text = f"P{w or 0}W" if weeks else "P" + (f"{d}D" if d is not None else "") + (
        "T" + "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v is not None)
        if (h, m, s) != (None, None, None) else ""
    )  # fmt: skip
    fast = _time.iso_elapsed_micros(text)
    full = _time.parse_iso_duration(text)
    if fast is None:
        return  # declined: the full parser decides
    assert full is not None, text
    years, months, days, seconds, micro = _time.duration_parts(full)
    assert (years, months) == (0, 0)
    assert fast == (days * 86_400 + seconds) * 1_000_000 + micro, text


@pytest.mark.parametrize(
    "text", ["P", "PT", "P2DT", "P1W2D", "P6M", "P1Y", "PT1.5H", "pt5m", "PT30M "]
)
def test_iso_elapsed_micros_declines_all_but_the_common_forms(text: str) -> None:
    """Months, years, fractions, lowercase and lenient forms are left to the full parser."""
    assert _time.iso_elapsed_micros(text) is None
