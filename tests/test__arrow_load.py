"""The Arrow store's load column by column (store/_arrow_load.py): the log it gives is the log."""

from __future__ import annotations

import tempfile
from datetime import timedelta, timezone
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pendulum import DateTime

from itinerary import EventLog, _time
from itinerary import columns as columns_module
from itinerary.columns import COLUMNS, KINDS, OTHER, LogColumns
from itinerary.errors import InvalidEventError, StoreError
from itinerary.events import (
    EVENT_TYPES,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.places import SEOUL, TOKYO, Place
from itinerary.projections import column_order, replay
from itinerary.store import ArrowStore, Codec, _arrow_load
from itinerary.store import columnar as columnar_module
from itinerary.store.columnar import events_from_columns, file_schema, log_from_table
from itinerary.strategies import event_logs
from tests.test_columns import Note
from tests.test_store_columnar import resealed

CODEC = Codec((*EVENT_TYPES, Note))
WORDS = ("Alpha", "Beta", "Gamma")
"""Strings used in every text field at once: as names, titles, venues, obligations."""
ONE = Place("One", "Nowhere", "Asia/Tokyo", lat=1, lon=2)
ONE_FLOAT = Place("One", "Nowhere", "Asia/Tokyo", lat=1.0, lon=2.0)
OFFSET = Place("Offset", "Nowhere", "Asia/Kolkata", lat=0.5, lon=0.5)
FIXED = timezone(timedelta(hours=9, minutes=30))
"""A fixed offset: an instant can be kept in one (a place's zone cannot)."""
SPOTS = (ONE, ONE_FLOAT, TOKYO, SEOUL)
START = TOKYO.at("2025-10-27 09:00")

words = st.sampled_from(WORDS)
spots = st.sampled_from(SPOTS)
groups = st.lists(words, min_size=1, max_size=3, unique=True).map(tuple)
instants = st.integers(0, 3 * 24 * 60).map(lambda m: START.add(minutes=m))
durations = st.sampled_from(
    (_time.duration(months=6), _time.duration(days=1, seconds=5), timedelta(hours=36))
)


@st.composite
def obligations(draw: st.DrawFn, at: DateTime) -> list[Obligation]:
    """One or two obligations of a signing at *at*: due at an instant or within a duration."""
    whats = draw(st.lists(words, min_size=0, max_size=2, unique=True))
    found = []
    for what in whats:
        if draw(st.booleans()):
            found.append(Obligation(what, within=draw(durations)))
        else:
            due = at.add(days=draw(st.integers(1, 30)))
            zone = draw(st.sampled_from(("Asia/Seoul", "Asia/Tokyo")))
            found.append(Obligation(what, due=_time.to_zone(due, zone)))
    return found


@st.composite
def awkward_events(draw: st.DrawFn) -> Event:
    """An event whose fields share strings, places that differ only as 1 and 1.0, groups."""
    at = draw(instants)
    place = draw(spots)
    kind = draw(st.sampled_from(("arrive", "depart", "meet", "sign", "met", "note")))
    local = _time.to_zone(at, place.tz)
    venue = draw(st.none() | words)
    if kind == "arrive":
        return Arrived(draw(words), place, local)
    if kind == "depart":
        return Departed(draw(words), place, local, to=draw(st.none() | spots))
    if kind == "meet":
        end = local.add(minutes=draw(st.integers(0, 90)))
        return MeetingHeld(draw(words), draw(groups), place, local, end, venue=venue)
    if kind == "sign":
        duties = draw(obligations(local))
        return AgreementSigned(draw(words), draw(groups), place, local, venue, duties)
    if kind == "met":
        return ObligationMet(draw(words), draw(words), local)
    return Note(draw(words), local)


awkward_logs = st.lists(awkward_events(), max_size=25).map(EventLog)
mixed_logs = st.tuples(event_logs(max_events=15), awkward_logs).map(
    lambda pair: EventLog([*pair[0], *pair[1]])
)


def duty_key(duty: Obligation) -> tuple[object, ...]:
    """An obligation exactly: its name, its duration's parts, its due instant and zone."""
    within, due = duty.within, duty.due
    return (
        duty.what,
        None if within is None else (type(within), _time.duration_parts(within)),
        None
        if due is None
        else (_time.micros(due), due.tzinfo.key if hasattr(due.tzinfo, "key") else str(due.tzinfo)),
    )


def stored(log: EventLog, codec: Codec = CODEC) -> EventLog:
    """*log* written to an Arrow store, in two batches, and loaded back."""
    with tempfile.TemporaryDirectory() as folder:
        store = ArrowStore(Path(folder) / "log.arrows", codec=codec)
        half = len(log) // 2
        store.extend(list(log)[:half])
        store.extend(list(log)[half:])
        return store.load()


SAMPLE = EventLog(
    [
        Arrived("Alpha", ONE, START),
        Arrived("Alpha", ONE_FLOAT, START.add(minutes=1)),
        MeetingHeld("Alpha", ("Alpha", "Beta"), ONE, START, START.add(hours=1), venue="Alpha"),
        AgreementSigned(
            "Beta", ("Alpha", "Beta"), ONE_FLOAT, START, "Beta",
            [Obligation("Alpha", within=_time.duration(months=6)),
             Obligation("Beta", due=START.add(days=3))],
        ),
        ObligationMet("Beta", "Alpha", START.add(days=1)),
        Note("Alpha", START),
        Departed("Beta", OFFSET, START.astimezone(FIXED), to=ONE),
    ]
)  # fmt: skip


@given(log=mixed_logs)
@example(log=SAMPLE)
def test_a_log_stored_and_loaded_is_the_log_kept_as_columns(log: EventLog) -> None:
    """Every event comes back equal and exact (zones, durations, 1 vs 1.0), as columns."""
    loaded = stored(log)
    assert loaded == log
    assert [CODEC.encode(e) for e in loaded] == [CODEC.encode(e) for e in log]
    assert loaded.columnar  # the column path took it: not the event-by-event fallback
    assert [type(e) for e in loaded] == [type(e) for e in log]


@given(log=mixed_logs)
@example(log=SAMPLE)
def test_each_value_has_one_entry_in_the_loaded_columns(log: EventLog) -> None:
    """A string is one text whatever field it is in; a group, a place, obligations once."""
    cols = stored(log).columns
    assert len(set(cols.texts)) == len(cols.texts)
    assert len(set(cols.groups)) == len(cols.groups)
    assert len(set(cols.zones)) == len(cols.zones)
    keys = [(p.name, p.country, p.tz, p.lat, p.lon) for p in cols.places]
    assert len(set(keys)) == len(keys)
    duties = [tuple(map(duty_key, d)) for d in cols.obligations]
    assert len(set(duties)) == len(duties)


@given(log=mixed_logs)
def test_replay_of_the_loaded_log_is_replay_of_the_log(log: EventLog) -> None:
    """Replay orders the loaded columns (names ranked in string order) as it orders the log."""
    loaded = stored(log)
    assert replay(loaded) == replay(log)
    order, us = column_order(loaded.columns, loaded.__getitem__)
    expected, expected_us = column_order(log.columns, log.__getitem__)
    assert order.tolist() == expected.tolist()
    assert us.tolist() == expected_us.tolist()


def test_the_same_group_in_a_meeting_and_a_signing_is_one_entry() -> None:
    """A group of names met and signed with is kept once; each event still has it."""
    cols = stored(SAMPLE).columns
    assert cols.groups == (("Alpha", "Beta"),)
    assert cols.people.tolist() == [-1, -1, 0, 0, -1, -1, -1]


def test_a_group_longer_than_the_grid_is_read_as_tuples() -> None:
    """A meeting of more people than the grid lays out loads equal (the tuple path)."""
    people = tuple(f"P{i}" for i in range(_arrow_load._LONGEST + 5))
    log = EventLog(
        [
            MeetingHeld("Big", people, TOKYO, START, START.add(hours=1)),
            MeetingHeld("Small", people[:2], TOKYO, START, START.add(hours=1)),
            MeetingHeld("Big again", people, TOKYO, START, START.add(hours=2)),
        ]
    )
    loaded = stored(log)
    assert loaded == log
    assert loaded.columnar
    assert loaded.columns.people.tolist() == [0, 1, 0]


def test_a_row_without_its_instant_is_named_by_version(tmp_path: Path) -> None:
    """Damage the columns refuse is built row by row, whose message names the version."""
    path = tmp_path / "log.arrows"
    ArrowStore(path).extend(list(SAMPLE)[:3])
    resealed(path, 1, "at", None)
    with pytest.raises(StoreError, match="version 2"):
        ArrowStore(path).load()


def test_a_sealed_empty_text_is_refused_by_version(tmp_path: Path) -> None:
    """A text the log's check refuses falls back to the row-by-row path and its message."""
    path = tmp_path / "log.arrows"
    ArrowStore(path).extend(list(SAMPLE)[:3])
    resealed(path, 2, "title", " ")
    with pytest.raises(StoreError, match="version 3"):
        ArrowStore(path).load()


def test_a_slice_of_the_table_loads_its_rows() -> None:
    """A table sliced (as read_after and load(upto) read) loads the rows of the slice."""
    with tempfile.TemporaryDirectory() as folder:
        store = ArrowStore(Path(folder) / "log.arrows", codec=CODEC)
        store.extend(list(SAMPLE))
        table = store.read_table()
    for lo in range(len(SAMPLE)):
        part = log_from_table(table.slice(lo), codec=CODEC)
        assert list(part) == list(SAMPLE)[lo:]
        assert part.columnar


def test_an_empty_table_is_an_empty_log() -> None:
    """No rows: an empty log."""
    with tempfile.TemporaryDirectory() as folder:
        table = ArrowStore(Path(folder) / "log.arrows").read_table()
    assert isinstance(table, pa.Table)
    assert list(log_from_table(table)) == []


_ID_COLUMNS = {name: dictionary for name, (_, dictionary) in COLUMNS.items() if dictionary}


def _ids_checked_row_by_kind(cols: LogColumns) -> None:
    """The columns' check of ids as first written (a selection of rows per kind): the oracle."""
    for code in range(OTHER + 1):
        rows = cols.kind == code
        if not rows.any():
            continue
        cls = EVENT_TYPES[code] if code < OTHER else None
        required = columns_module._REQUIRED[cls] if cls else frozenset({"zone", "other"})
        optional = columns_module._OPTIONAL[cls] if cls else frozenset()
        for name, dictionary in _ID_COLUMNS.items():
            ids = getattr(cols, name)[rows]
            size = len(getattr(cols, dictionary))
            if name in required:
                wrong = (ids < 0) | (ids >= size)
            elif name in optional:
                wrong = (ids < -1) | (ids >= size)
            else:
                wrong = ids != -1
            if wrong.any():
                row = int(np.flatnonzero(rows)[int(np.flatnonzero(wrong)[0])])
                raise InvalidEventError(
                    f"columns: row {row} ({KINDS[code] if code < OTHER else 'other'}): {name} "
                    f"{getattr(cols, name)[row]} is not an id in {dictionary} "
                    f"(size {size}; -1 for none where the field is optional)"
                )


@given(
    log=mixed_logs,
    changes=st.lists(
        st.tuples(st.integers(0, 1000), st.sampled_from(sorted(_ID_COLUMNS)),
                  st.integers(-3, 8)),
        max_size=3,
    ),
)  # fmt: skip
def test_the_check_of_ids_names_the_first_fault_by_kind(
    log: EventLog, changes: list[tuple[int, str, int]]
) -> None:
    """The columns' check of ids (two gathers a column) passes and fails as the per-kind loop."""
    cols = log.columns
    arrays = {name: getattr(cols, name).copy() for name in _ID_COLUMNS}
    for row, name, value in changes:
        if len(cols):
            arrays[name][row % len(cols)] = value
    changed = attrs.evolve(cols, **arrays)
    expected = found = None
    try:
        _ids_checked_row_by_kind(changed)
    except InvalidEventError as exc:
        expected = str(exc)
    try:
        columns_module._check_ids(changed)
    except InvalidEventError as exc:
        found = str(exc)
    assert found == expected


def assert_loads_as_row_by_row(table: pa.Table, codec: Codec) -> None:
    """*table* loads by columns as the row-by-row builder: the same log, or the same error."""
    expected: EventLog | str
    try:
        expected = EventLog(
            events_from_columns(columnar_module._plain_columns(pa, table), codec=codec)
        )
    except StoreError as exc:
        expected = str(exc)
    if isinstance(expected, str):
        with pytest.raises(StoreError) as found:
            log_from_table(table, codec=codec)
        assert str(found.value) == expected
    else:
        loaded = log_from_table(table, codec=codec)
        assert loaded == expected
        assert [codec.encode(e) for e in loaded] == [codec.encode(e) for e in expected]


TEXTS = st.sampled_from((None, "", " ", "Alpha", "Beta", "Not/A_Zone", "+09:00", "Asia/Seoul"))
VALUES = {
    "string": TEXTS,
    "dictionary<values=string, indices=int32, ordered=0>": TEXTS,
    "double": st.sampled_from((None, 1.0, -0.0, 2.5, 91.0, 181.0, float("nan"))),
    "timestamp[us, tz=UTC]": st.sampled_from(
        (None, 0, -1, 1_761_552_000_000_000, 253_402_300_800_000_000)
    ),
    "int32": st.sampled_from((0, 1, 2, 99)),
    "list<item: string>": st.sampled_from(
        (None, [], ["Alpha", "Alpha"], [None], ["", "Beta"], ["Beta", "Alpha"])
    ),
}
"""Values a faulty writer could seal into a column of each type (and good ones)."""
COLUMNS = [name for name in file_schema().names if str(file_schema().field(name).type) in VALUES]


@given(
    log=awkward_logs.filter(len),
    changes=st.lists(
        st.tuples(st.integers(0, 100), st.sampled_from(COLUMNS), st.data()), max_size=2
    ),
)
def test_a_damaged_table_loads_as_the_row_by_row_builder_loads_it(
    log: EventLog, changes: list[tuple[int, str, st.DataObject]]
) -> None:
    """Whatever a sealed row holds, the column path refuses or takes it as the events do."""
    with tempfile.TemporaryDirectory() as folder:
        store = ArrowStore(Path(folder) / "log.arrows", codec=CODEC)
        store.extend(list(log))
        table = store.read_table()
    for row, column, data in changes:
        index = table.schema.get_field_index(column)
        field = table.schema.field(index)
        values = table.column(column).to_pylist()
        values[row % len(values)] = data.draw(VALUES[str(field.type)])
        array = (
            pa.array(values, pa.string()).dictionary_encode()
            if pa.types.is_dictionary(field.type)
            else pa.array(values, field.type)
        )
        table = table.set_column(index, field, array)
    assert_loads_as_row_by_row(table, CODEC)
