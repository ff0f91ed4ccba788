"""Records and DataFrames: one row per item, typed columns, exact instants, the same rows both ways."""

import math
import pickle
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pendulum
import pytest
from hypothesis import given

from itinerary import (
    AgendaEntry,
    Arrived,
    Departed,
    EventLog,
    MeetingHeld,
    MissingExtraError,
    ObligationMet,
    Place,
    TableError,
    _time,
    agenda,
    frames,
    load_scenario,
    replay,
)
from itinerary.sim import Outcomes, monte_carlo
from itinerary.sim.report import report_rows
from itinerary.strategies import event_logs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOUR = load_scenario(EXAMPLES / "asia_tour_2025.toml")
SUMMIT = pendulum.parse("2025-10-28T12:30:00+09:00")
NEW_YORK = Place("New York", "United States", "America/New_York", lat=40.71, lon=-74.0)
WALL_COLUMNS = {"local", "end_local"}
UTC_DTYPE = "datetime64[us, UTC]"


def _plain(value: Any) -> Any:
    """A DataFrame cell as the plain value a record holds (missing is None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _wall(value: datetime | None) -> datetime | None:
    """The wall-clock reading of an aware datetime, as a DataFrame's local column holds it."""
    return None if value is None else datetime(*value.timetuple()[:6], value.microsecond)


def _same_rows(records: list[dict[str, Any]], frame: pd.DataFrame) -> None:
    """Assert that *frame* holds exactly *records*, column for column (local: its wall time)."""
    assert list(frame.columns) == (list(records[0]) if records else list(frame.columns))
    assert len(frame) == len(records)
    for record, row in zip(records, frame.to_dict("records"), strict=True):
        for name, value in record.items():
            cell = _plain(row[name])
            expected = _wall(value) if name in WALL_COLUMNS else value
            if isinstance(expected, datetime) and expected.tzinfo is not None:
                assert cell is not None
                assert _time.micros(cell) == _time.micros(expected), name
            else:
                assert cell == expected, (name, cell, expected)


def _micros_column(series: pd.Series) -> list[int | None]:  # type: ignore[type-arg]
    """Exact microseconds since the epoch of a datetime64[us, UTC] column (None for NaT)."""
    as_int = series.dt.tz_convert(None).to_numpy().view("int64")
    return [None if series.iloc[i] is pd.NaT else int(v) for i, v in enumerate(as_int)]


# -- the log -------------------------------------------------------------------------------


def test_a_log_frame_has_one_row_per_event_with_typed_columns() -> None:
    """log.to_pandas(): a row per event, UTC instants, wall times, categorical kinds and names."""
    frame = TOUR.log.to_pandas()
    assert len(frame) == len(TOUR.log) == 14
    assert list(frame["position"]) == list(range(14))
    assert str(frame["occurred_at"].dtype) == UTC_DTYPE
    assert str(frame["end"].dtype) == UTC_DTYPE
    assert str(frame["local"].dtype) == "datetime64[us]"
    for name in ("kind", "who", "place", "zone", "to"):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype), name
    assert frame["position"].dtype == np.int64


def test_a_log_frame_row_reads_as_the_event() -> None:
    """The summit's row: kind, participants, place, UTC start, Tokyo wall time and offset, end."""
    frame = TOUR.log.to_pandas()
    summit = frame[frame["title"] == "U.S.-Japan summit"].iloc[0]
    event = TOUR.log[int(summit["position"])]
    assert isinstance(event, MeetingHeld)
    assert summit["kind"] == "MeetingHeld"
    assert summit["who"] == ", ".join(event.participants)
    assert summit["people"] == event.participants
    assert (summit["place"], summit["zone"], summit["offset"]) == ("Tokyo", "Asia/Tokyo", "+09:00")
    assert summit["occurred_at"] == pd.Timestamp("2025-10-28 01:00", tz="UTC")
    assert summit["local"] == pd.Timestamp("2025-10-28 10:00")
    assert summit["end"] == pd.Timestamp(event.end)
    assert summit["text"] == event.describe()


def test_kinds_have_every_built_in_kind_as_a_category() -> None:
    """Kind's categories are the five built-in kinds whatever the log holds, so frames concat."""
    frame = TOUR.log.upto(1).to_pandas()
    assert list(frame["kind"].cat.categories) == [
        "Arrived",
        "Departed",
        "MeetingHeld",
        "AgreementSigned",
        "ObligationMet",
    ]


def test_places_and_destinations_share_their_categories() -> None:
    """A departure's destination is a category of the same places as the place column."""
    frame = TOUR.log.to_pandas()
    assert list(frame["to"].cat.categories) == list(frame["place"].cat.categories)
    assert "Tokyo" in set(frame["to"].dropna())


@given(event_logs())
def test_records_and_frame_rows_are_the_same(log: EventLog) -> None:
    """to_records() and to_pandas() give the same rows, one per event, in recording order."""
    records = log.to_records()
    assert len(records) == len(log)
    assert [r["position"] for r in records] == list(range(len(log)))
    _same_rows(records, log.to_pandas())


@given(event_logs())
def test_every_instant_survives_exactly(log: EventLog) -> None:
    """Each event's instant is in the frame to the microsecond: UTC, wall time and offset."""
    frame = log.to_pandas()
    assert str(frame["occurred_at"].dtype) == UTC_DTYPE
    assert _micros_column(frame["occurred_at"]) == [_time.micros(e.occurred_at) for e in log]
    for i, (event, record) in enumerate(zip(log, log.to_records(), strict=True)):
        place = getattr(event, "place", None)
        shown = place.local(event.occurred_at) if place is not None else event.occurred_at
        assert frame["local"].iloc[i].to_pydatetime() == _wall(shown)
        assert frame["offset"].iloc[i] == _time.format_offset(shown)
        assert _time.micros(record["occurred_at"]) == _time.micros(event.occurred_at)
        assert _time.micros(record["local"]) == _time.micros(event.occurred_at)
        assert record["local"].utcoffset() == shown.utcoffset()


def test_the_two_readings_of_a_repeated_hour_stay_apart() -> None:
    """01:30 twice in New York (2025-11-02): two UTC instants an hour apart, two offsets."""
    first = NEW_YORK.at("2025-11-02 01:30", disambiguate="earlier")
    second = NEW_YORK.at("2025-11-02 01:30", disambiguate="later")
    log = EventLog([Arrived("A", NEW_YORK, first), Arrived("B", NEW_YORK, second)])
    frame = log.to_pandas()
    assert list(frame["local"]) == [pd.Timestamp("2025-11-02 01:30")] * 2
    assert list(frame["offset"]) == ["-04:00", "-05:00"]
    assert frame["occurred_at"].iloc[1] - frame["occurred_at"].iloc[0] == pd.Timedelta(hours=1)


def test_instants_far_from_today_survive() -> None:
    """Year 1 and year 9999 fit: microsecond columns, not nanosecond ones (1677-2262)."""
    tokyo = TOUR.places["Tokyo"]
    early = tokyo.at("0001-01-02 12:00")
    late = tokyo.at("9999-12-30 12:00")
    log = EventLog([Arrived("A", tokyo, early), Departed("A", tokyo, late)])
    assert _micros_column(log.to_pandas()["occurred_at"]) == [
        _time.micros(early),
        _time.micros(late),
    ]


def test_an_obligation_met_has_no_place_and_keeps_its_zone() -> None:
    """An obligation met has no place or people; it is shown in the zone it was given in."""
    met = ObligationMet("Trade deal", "cut tariffs", TOUR.places["Tokyo"].at("2026-01-05 09:00"))
    row = EventLog([met]).to_records()[0]
    assert (row["place"], row["who"], row["people"]) == (None, None, ())
    assert (row["agreement"], row["what"]) == ("Trade deal", "cut tariffs")
    assert (row["zone"], row["offset"]) == ("Asia/Tokyo", "+09:00")


def test_an_empty_log_has_the_columns_and_no_rows() -> None:
    """An empty log's frame has every column, typed, and no row."""
    frame = EventLog().to_pandas()
    assert len(frame) == 0
    assert list(frame.columns) == list(TOUR.log.to_pandas().columns)
    assert str(frame["occurred_at"].dtype) == UTC_DTYPE
    assert EventLog().to_records() == []


def test_a_list_of_events_is_a_log() -> None:
    """to_records() of a plain list of events gives the rows of the log of those events."""
    assert frames.to_records(list(TOUR.log)) == TOUR.log.to_records()


# -- the state -----------------------------------------------------------------------------


def test_whereabouts_one_row_per_person() -> None:
    """state.to_pandas(): who is where, since when in UTC and local time, one row per person."""
    state = replay(TOUR.log, as_of=SUMMIT)
    frame = state.to_pandas()
    assert list(frame["who"]) == list(state.people)
    for row in frame.to_dict("records"):
        where = state.where(row["who"])
        assert row["status"] == where.status
        assert _plain(row["place"]) == (where.place.name if where.place else None)
        assert where.since is not None
        assert _time.micros(row["since"]) == _time.micros(where.since)
    assert str(frame["since"].dtype) == UTC_DTYPE
    for name in ("who", "status", "place", "zone"):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype), name
    assert list(frame["status"].cat.categories) == ["at", "in_transit", "unknown"]


def test_whereabouts_in_transit() -> None:
    """Someone travelling has no place, an origin and a destination, since the departure."""
    state = replay(TOUR.log, as_of=pendulum.parse("2025-10-27T13:00:00+09:00"))
    row = next(r for r in state.to_records() if r["who"] == "Donald Trump")
    assert (row["status"], row["place"]) == ("in_transit", None)
    assert (row["origin"], row["destination"]) == ("Kuala Lumpur", "Tokyo")
    assert (row["zone"], row["offset"]) == ("Asia/Kuala_Lumpur", "+08:00")


def test_deadlines_and_agreements_tables() -> None:
    """state.to_pandas("deadlines") and ("agreements"): a row per deadline and per signing."""
    state = replay(TOUR.log, as_of=SUMMIT)
    deadlines = state.to_pandas("deadlines")
    assert len(deadlines) == len(state.deadlines) == 1
    assert list(deadlines["status"]) == [d.status for d in state.deadlines]
    assert list(deadlines["status"].cat.categories) == ["pending", "overdue", "met"]
    assert str(deadlines["due"].dtype) == UTC_DTYPE
    assert deadlines["local"].iloc[0] == pd.Timestamp("2026-04-28 12:00")
    agreements = state.to_pandas("agreements")
    assert list(agreements["title"]) == [a.title for a in state.agreements]
    assert list(agreements["people"]) == [a.signatories for a in state.agreements]
    for table in frames.STATE_TABLES:
        _same_rows(state.to_records(table), state.to_pandas(table))


def test_a_state_has_three_tables_and_says_so() -> None:
    """An unknown table name raises TableError listing the tables there are."""
    with pytest.raises(TableError, match="'whereabouts', 'agreements', 'deadlines'"):
        replay(TOUR.log).to_pandas("agenda")  # type: ignore[arg-type]


# -- the agenda ----------------------------------------------------------------------------


def test_an_agenda_frame_has_a_row_per_entry_in_its_zone() -> None:
    """agenda_frame(): one row per entry, local times as the agenda shows them."""
    entries = agenda(TOUR.log, tz="America/New_York")
    frame = frames.agenda_frame(entries)
    assert len(frame) == len(entries)
    assert set(frame["zone"]) == {"America/New_York"}
    assert [_wall(e.start) for e in entries] == [t.to_pydatetime() for t in frame["local"]]
    assert _micros_column(frame["start"]) == [_time.micros(e.start) for e in entries]
    _same_rows(frames.agenda_records(entries), frame)
    _same_rows(frames.agenda_records(entries), frames.to_pandas(entries))


def test_an_agenda_frame_takes_only_agenda_entries() -> None:
    """agenda_records() of something other than agenda entries raises TableError."""
    with pytest.raises(TableError, match="item 0 is Arrived"):
        frames.agenda_records(list(TOUR.log))
    assert all(isinstance(e, AgendaEntry) for e in agenda(TOUR.log))


# -- Monte Carlo outcomes ------------------------------------------------------------------


def _study() -> Outcomes:
    """300 runs of the tour's plan (examples/asia_tour_2025_plan.toml) under its disruptions."""
    scenario = load_scenario(EXAMPLES / "asia_tour_2025_plan.toml")
    assert scenario.plan is not None
    assert scenario.disruptions is not None
    return monte_carlo(scenario.plan, scenario.disruptions, runs=300, seed=3)


STUDY = _study()


def test_a_study_has_a_row_per_run_and_step() -> None:
    """outcomes.to_pandas(): a row per run and step that happened, with the study's figures.

    The tour's plan has rules: a step a rule dropped in a run has no row for that run.
    """
    frame = STUDY.to_pandas()
    steps = list(frame["step"].cat.categories)
    assert len(steps) == len(STUDY.plan)
    happened = {name: [r for r, d in enumerate(STUDY.dropped(name)) if not d] for name in steps}
    assert len(frame) == sum(map(len, happened.values()))
    assert len(frame) < STUDY.runs * len(steps)  # some runs dropped Yokosuka: the test sees it
    assert str(frame["slip"].dtype) == "timedelta64[us]"
    assert str(frame["start"].dtype) == UTC_DTYPE
    assert frame["seed"].dtype == np.uint64
    for name in steps:
        mine = frame[frame["step"] == name]
        assert list(mine["run"]) == happened[name]
        slips = STUDY.slips(name)
        assert [s // pd.Timedelta(microseconds=1) for s in mine["slip"]] == [
            slips[r] for r in happened[name]
        ]
        assert mine["late"].mean() == pytest.approx(STUDY.p_late(name))
    worst = frame.loc[frame["slip"].idxmax()]
    again = STUDY.run(int(worst["run"]))
    assert again.seed == int(worst["seed"])
    assert again.cause(str(worst["step"])) == _plain(worst["cause"])
    assert again.start(str(worst["step"])) == worst["start"]


def test_a_study_records_equal_its_frame() -> None:
    """The runs, risks and deadlines tables: the same rows as records and as DataFrames."""
    for table in frames.OUTCOMES_TABLES:
        _same_rows(STUDY.to_records(table), STUDY.to_pandas(table))
    risks = STUDY.to_records("risks")
    assert [(r["step"], r["p_late"]) for r in risks] == [(r.name, r.p_late) for r in STUDY.risks()]
    rows = [r for r in report_rows(STUDY) if r.kind not in {"arrival", "obligation"}]
    assert [(r["late_median"], r["late_p90"], r["late_p99"]) for r in risks] == [
        (r.median, r.p90, r.p99) for r in rows
    ]
    frame = STUDY.to_pandas("risks")
    assert str(frame["late_median"].dtype) == "timedelta64[us]"
    assert (frame["late_p99"].dropna().dt.microseconds == 0).all()  # whole seconds
    deadlines = STUDY.to_records("deadlines")
    assert {(r["agreement"], r["what"]): r["risk"] for r in deadlines} == STUDY.deadline_risks()


# -- errors --------------------------------------------------------------------------------


def test_without_pandas_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pandas, to_pandas() raises MissingExtraError, an ImportError naming the extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    for call in (
        TOUR.log.to_pandas,
        replay(TOUR.log).to_pandas,
        STUDY.to_pandas,
        lambda: frames.agenda_frame(agenda(TOUR.log)),
    ):
        with pytest.raises(MissingExtraError, match=r'pip install "itinerary\[notebook\]"') as info:
            call()
        assert isinstance(info.value, ImportError)
        assert (info.value.name, info.value.extra) == ("pandas", "notebook")
        again = pickle.loads(pickle.dumps(info.value))  # crosses process boundaries intact
        assert (type(again), str(again), again.name) == (
            MissingExtraError,
            str(info.value),
            "pandas",
        )
    assert len(TOUR.log.to_records()) == 14  # records need no pandas


def test_things_without_tables_are_refused() -> None:
    """to_records() of a number, a string or a log's unknown table raises TableError."""
    with pytest.raises(TableError, match="got int"):
        frames.to_records(3)
    with pytest.raises(TableError, match="got str"):
        frames.to_records("log")
    with pytest.raises(TableError, match="an EventLog has no table 'runs'"):
        frames.to_records(TOUR.log, "runs")
    with pytest.raises(TableError, match="item 1 is int 1"):
        frames.to_records([TOUR.log[0], 1])


def test_records_hold_only_aware_datetimes() -> None:
    """Every datetime in every record is aware: no naive datetime leaves the library."""
    state = replay(TOUR.log, as_of=SUMMIT)
    tables = [
        TOUR.log.to_records(),
        *(state.to_records(t) for t in frames.STATE_TABLES),
        frames.agenda_records(agenda(TOUR.log)),
        *(STUDY.to_records(t) for t in frames.OUTCOMES_TABLES),
    ]
    found = [v for rows in tables for row in rows for v in row.values() if isinstance(v, datetime)]
    assert len(found) > 100
    assert all(v.tzinfo is not None and v.utcoffset() is not None for v in found)
    assert all(row["occurred_at"].tzinfo is UTC for row in tables[0])


def test_no_column_hides_behind_a_dataframe_attribute() -> None:
    """Every column reads as frame.name: none is called like a DataFrame attribute (at, median)."""
    state = replay(TOUR.log, as_of=SUMMIT)
    tables = [
        TOUR.log.to_pandas(),
        *(state.to_pandas(t) for t in frames.STATE_TABLES),
        frames.agenda_frame(agenda(TOUR.log)),
        *(STUDY.to_pandas(t) for t in frames.OUTCOMES_TABLES),
    ]
    names = {name for table in tables for name in table.columns}
    assert {"occurred_at", "local", "zone", "slip"} <= names
    assert sorted(name for name in names if hasattr(pd.DataFrame, name)) == []
