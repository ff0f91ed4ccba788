"""Stores written in older formats, checked into tests/data/, still load as what was written."""

import json
import pickle
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itinerary import Arrived, EventLog, _time, _trusted
from itinerary.columns import COLUMNS, Rows
from itinerary.errors import ItineraryError, StoreError
from itinerary.events import (
    FIELDS,
    INSTANT,
    AgreementSigned,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.places import SEOUL, TOKYO
from itinerary.scenarios import load_scenario
from itinerary.store import DEFAULT_CODEC, SQLiteStore, export_jsonl, import_jsonl, open_store
from itinerary.store._sealed import BATCH
from itinerary.store.codec import decode_entry, decode_instant, encode_instant
from itinerary.store.sqlite import checksum
from itinerary.strategies import event_logs
from tests._pgserver import LocalServer
from tests.pg_server import new_log_url
from tests.store_contract import batch, exact, sealed

DATA = Path(__file__).resolve().parent / "data"
TOUR = load_scenario(
    Path(__file__).resolve().parent.parent / "examples" / "asia_tour_2025.toml"
).log


@pytest.mark.parametrize("name", ["tour-format-1.sqlite", "tour-format-1.jsonl"])
def test_a_format_1_store_loads_the_tour_exactly(tmp_path: Path, name: str) -> None:
    """The tour as format 1 stored it (batches of 5) loads event for event, instant for instant."""
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    with open_store(path, create=False) as store:
        assert exact(store.load()) == exact(TOUR)
        assert store.load(upto=5).version == 5


@pytest.mark.parametrize("name", ["tour-format-1.sqlite", "tour-format-1.jsonl"])
def test_a_format_1_store_is_extended_in_format_1(tmp_path: Path, name: str) -> None:
    """Appending to a format 1 store keeps its format: old and new events load alike."""
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    with open_store(path, create=False) as store:
        store.extend(batch("B", 2), expected_version=TOUR.version)
    with open_store(path, create=False) as store:
        assert exact(store.load()) == exact(TOUR) + exact(EventLog(batch("B", 2)))
    if name.endswith(".jsonl"):
        assert '"crc"' not in path.read_text()
    else:
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT value FROM itinerary_meta").fetchone() == ("1",)
        db.close()


def test_a_well_typed_change_to_a_sqlite_row_is_refused_naming_its_version(tmp_path: Path) -> None:
    """A name changed in place (valid JSON, right types) fails the row's checksum: StoreError."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE itinerary_events SET data = CAST(replace(CAST(data AS TEXT), 'Trump', 'Tramp') AS BLOB) WHERE version = 4"
        )
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="version 4: damaged: its checksum does not match"),
    ):
        store.load()


def test_a_well_typed_change_to_a_jsonl_line_is_refused_naming_its_line(tmp_path: Path) -> None:
    """A name changed in place in a JSON Lines file fails the line's checksum: StoreError."""
    path = tmp_path / "tour.jsonl"
    export_jsonl(TOUR, path)
    lines = path.read_text().split("\n")
    lines[4] = lines[4].replace("Trump", "Tramp")
    path.write_text("\n".join(lines))
    with pytest.raises(StoreError, match="line 5: damaged: its checksum does not match"):
        import_jsonl(path)


def _resealed(path: Path, number: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Change record *number* of a JSON Lines file and give it a matching checksum."""
    lines = path.read_text().split("\n")
    record = json.loads(lines[number])
    change(record["data"])
    lines[number] = sealed(record)
    path.write_text("\n".join(lines))


@pytest.mark.parametrize(
    ("number", "change"),
    [
        (1, lambda data: data.update(who="  ")),  # a blank name
        (2, lambda data: data.update(title="")),  # an empty title
        (2, lambda data: data.update(start=data["end"], end=data["start"])),  # ends first
    ],
)
def test_a_sealed_line_the_validators_refuse_is_refused(
    tmp_path: Path, number: int, change: Callable[[dict[str, Any]], None]
) -> None:
    """A checksum guards against accidents, not faulty writers: what no event may be is refused."""
    path = tmp_path / "tour.jsonl"
    export_jsonl(TOUR, path)
    _resealed(path, number, change)
    with pytest.raises(StoreError, match=f"line {number + 1}"):
        import_jsonl(path)


def test_rows_moved_to_another_version_are_refused(tmp_path: Path) -> None:
    """Two rows whose versions are swapped fail their checksums (the version is in it)."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE itinerary_events SET version = 100 WHERE version = 2")
        db.execute("UPDATE itinerary_events SET version = 2 WHERE version = 3")
        db.execute("UPDATE itinerary_events SET version = 3 WHERE version = 100")
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="version 2: damaged"),
    ):
        store.load()


@given(event_logs())
def test_the_fast_path_builds_what_the_checked_path_builds(log: EventLog) -> None:
    """decode_trusted (checksum matched) gives the same events, exactly, as decode."""
    for event in log:
        kind, schema, data = DEFAULT_CODEC.encode(event)
        fast = DEFAULT_CODEC.decode_trusted(kind, schema, data)
        assert fast == DEFAULT_CODEC.decode(kind, schema, data)
        assert DEFAULT_CODEC.encode(fast) == (kind, schema, data)


def test_a_lost_last_row_is_refused(tmp_path: Path) -> None:
    """Deleting the last rows (a lost tail) is damage: the store recorded how many it holds."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR[:7])
        store.extend(TOUR[7:])
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version > 7")
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="last event is version 7, but"),
    ):
        store.load()


def _rows_and_table(log: EventLog) -> tuple[list[tuple[str, int, str]], list[object], list[object]]:
    """The log as format 2 rows, with the dictionary they made (decoded, and as parsed)."""
    ids: dict[str, int] = {}
    raw: list[object] = [None]

    def intern(value: object) -> int:
        key = json.dumps(value)
        if key not in ids:
            ids[key] = len(raw)
            raw.append(value)
        return ids[key]

    rows = [DEFAULT_CODEC.dumps_row(event, intern) for event in log]
    return rows, [UTC, *(decode_entry(value) for value in raw[1:])], raw


@pytest.mark.parametrize("reopen", [True, False])
def test_an_append_after_a_lost_tail_is_refused_and_keeps_the_damage_visible(
    tmp_path: Path, reopen: bool
) -> None:
    """An append to a store that lost its last rows is refused, so the loss stays detectable."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR[:7])
        store.extend(TOUR[7:])
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version > 7")
        if not reopen:  # the count row itself lost: opening must not write a fresh one
            db.execute("DELETE FROM itinerary_meta WHERE key = 'events'")
    db.close()
    with SQLiteStore(path) as store:
        with pytest.raises(StoreError, match="last event is version 7, but"):
            store.append(TOUR[0])
        with pytest.raises(StoreError, match="last event is version 7, but"):
            store.load()
        assert store.version == 7


@given(event_logs())
def test_positional_rows_build_what_the_checked_path_builds(log: EventLog) -> None:
    """A format 2 row (ids into the dictionary) gives the event exactly, instant kept too."""
    rows, table, raw = _rows_and_table(log)
    for event, (kind, schema, text) in zip(log, rows, strict=True):
        built = DEFAULT_CODEC.decode_row(kind, schema, json.loads(text), table, raw)  # type: ignore[arg-type]
        assert DEFAULT_CODEC.encode(built) == DEFAULT_CODEC.encode(event)
        assert built._us == _time.micros(event.occurred_at)  # type: ignore[attr-defined]


def test_a_positional_row_with_a_wrong_type_is_refused_even_sealed(tmp_path: Path) -> None:
    """A row whose checksum matches but holds a name that is not a string: StoreError."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        kind, schema, data = db.execute(
            "SELECT type, schema, data FROM itinerary_events WHERE version = 4"
        ).fetchone()
        row = json.loads(data)
        row[0] = None
        data = json.dumps(row).encode()
        db.execute(
            "UPDATE itinerary_events SET data = ?, crc = ? WHERE version = 4",
            (data, checksum(4, kind, schema, data)),
        )
    db.close()
    with SQLiteStore(path, create=False) as store, pytest.raises(StoreError, match="version 4"):
        store.load()


def test_a_sealed_row_naming_a_missing_entry_is_refused(tmp_path: Path) -> None:
    """A row whose checksum matches but names a dictionary id that does not exist: StoreError."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR[:1])
    with sqlite3.connect(path) as db:
        kind, schema, data = db.execute(
            "SELECT type, schema, data FROM itinerary_events"
        ).fetchone()
        row = json.loads(data)
        row[1] = 99
        data = json.dumps(row).encode()
        db.execute(
            "UPDATE itinerary_events SET data = ?, crc = ?", (data, checksum(1, kind, schema, data))
        )
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match=r"version 1: damaged: Arrived row .*: 99 is not an id"),
    ):
        store.load()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "UPDATE itinerary_dictionary SET data = CAST(replace(CAST(data AS TEXT), 'Japan', 'Japon') AS BLOB)",
            "dictionary entry 1: damaged: its checksum does not match",
        ),
        (
            "DELETE FROM itinerary_dictionary WHERE id = 1",
            "dictionary entry 2: damaged: expected entry 1",
        ),
        ("DROP TABLE itinerary_dictionary", "found no dictionary table"),
    ],
)
def test_a_damaged_dictionary_is_refused(tmp_path: Path, sql: str, message: str) -> None:
    """A changed, lost or missing dictionary entry (places, zone names) fails to load: StoreError."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", 3))
    with sqlite3.connect(path) as db:
        db.execute(sql)
    db.close()
    with pytest.raises(StoreError, match=message):
        SQLiteStore(path, create=False).load()


def test_two_connections_share_one_dictionary(tmp_path: Path) -> None:
    """Connections adding places in turn give each place one id, and the log loads exactly."""
    path = tmp_path / "shared.sqlite"
    one, two = SQLiteStore(path), SQLiteStore(path)
    for i, event in enumerate(TOUR):
        (one if i % 2 else two).extend([event], expected_version=i)
    assert exact(SQLiteStore(path, create=False).load()) == exact(TOUR)
    with sqlite3.connect(path) as db:
        entries = [data for (data,) in db.execute("SELECT data FROM itinerary_dictionary")]
    db.close()
    assert len(entries) == len(set(entries)) > 0


@pytest.mark.parametrize(
    "us",
    [
        1762061400000000,  # 01:30 EDT on 2025-11-02 in New York, the first of the two (fold 0)
        1762065000000000,  # 01:30 EST, an hour later, the second (fold 1)
        -2650000000000000,  # 1886 in Tokyo: local mean time, +09:18:59
        1,  # one microsecond after 1970
    ],
)
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo", "+05:45", "-00:30"])
def test_a_positional_row_keeps_the_instant_fold_and_zone(
    tmp_path: Path, us: int, zone: str
) -> None:
    """Stored and loaded, an instant keeps its microseconds, zone, offset and fold exactly."""
    at = decode_instant([us, zone])
    event = Arrived("A", TOKYO, at)
    path = tmp_path / "one.sqlite"
    with SQLiteStore(path) as store:
        store.extend([event])
    (loaded,) = SQLiteStore(path, create=False).load()
    assert loaded.at.utcoffset() == at.utcoffset()  # type: ignore[attr-defined]
    assert (loaded.at.fold, loaded.at.tzinfo, type(loaded.at)) == (at.fold, at.tzinfo, type(at))  # type: ignore[attr-defined]
    assert encode_instant(loaded.at) == [us, zone]  # type: ignore[attr-defined]
    assert loaded.at.isoformat() == at.isoformat()  # type: ignore[attr-defined]


def _unset(event: object, field: str) -> bool:
    """Whether *event*'s slot *field* is empty (read without building it)."""
    try:
        type(event).__dict__[field].__get__(event)
    except AttributeError:
        return True
    return False


@given(event_logs())
def test_a_row_builds_its_instant_as_the_constructor_does(log: EventLog) -> None:
    """A row's event has every slot set, and equals, hashes, shows and pickles as the original."""
    rows, table, raw = _rows_and_table(log)
    for event, (kind, schema, text) in zip(log, rows, strict=True):
        built = DEFAULT_CODEC.decode_row(kind, schema, json.loads(text), table, raw)  # type: ignore[arg-type]
        field = next(name for name, value_kind in FIELDS[type(built)] if value_kind == INSTANT)
        assert not any(_unset(built, name) for name in _trusted.FIELDS[type(built)])
        assert built == event
        assert hash(built) == hash(event)
        assert repr(built) == repr(event)
        again = pickle.loads(pickle.dumps(built))
        assert DEFAULT_CODEC.encode(again) == DEFAULT_CODEC.encode(event)
        mine, theirs = getattr(built, field), getattr(event, field)
        assert type(mine) is type(theirs)
        assert (mine.isoformat(), mine.fold) == (theirs.isoformat(), theirs.fold)
        if hasattr(event, "place") and _time.zone_name(theirs) == event.place.tz:  # type: ignore[attr-defined]
            assert mine.tzinfo is _time.zone(event.place.tz)  # type: ignore[attr-defined]


def test_a_loaded_store_is_kept_as_columns(tmp_path: Path) -> None:
    """A loaded SQLite log keeps its events as columns (built when read): the same log."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    loaded = SQLiteStore(path, create=False).load()
    assert loaded.columnar
    assert loaded.columns.us.tolist() == [_time.micros(e.occurred_at) for e in TOUR]
    assert loaded[3] is loaded[3]
    assert exact(loaded) == exact(TOUR)
    assert exact(EventLog.from_columns(loaded.columns)) == exact(TOUR)


@pytest.mark.parametrize("upto", [None, 5])
def test_a_version_missing_in_the_middle_is_named(tmp_path: Path, upto: int | None) -> None:
    """A row lost from the middle of a store is refused, naming the first version missing."""
    path = tmp_path / "tour.sqlite"
    with SQLiteStore(path) as store:
        store.extend(TOUR)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM itinerary_events WHERE version = 3")
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="damaged: expected version 3, found version 4"),
    ):
        store.load(upto)
    with SQLiteStore(path, create=False) as store:  # the versions before it still load
        assert exact(store.load(2)) == exact(TOUR[:2])


# -- what a faulty writer seals ------------------------------------------------------------

_AT = TOKYO.at("2025-10-28 10:00")
_VALID: dict[type, dict[str, Any]] = {
    Arrived: {"who": "Ann", "place": TOKYO, "at": _AT},
    Departed: {"who": "Ann", "place": TOKYO, "at": _AT, "to": SEOUL},
    MeetingHeld: {"title": "Summit", "participants": ("Ann", "Bo"), "place": TOKYO,
                  "start": _AT, "end": _AT.add(hours=1), "venue": "Hall"},
    AgreementSigned: {"title": "Deal", "signatories": ("Ann", "Bo"), "place": TOKYO, "at": _AT,
                      "venue": None, "obligations": (Obligation("Pay", within=timedelta(days=3)),)},
    ObligationMet: {"agreement": "Deal", "what": "Pay", "at": _AT},
}  # fmt: skip
_TEXTS = ("", " ", "\t\n", "x", "Ann", "Bo")
_CANDIDATES: dict[str, tuple[Any, ...]] = {
    "who": _TEXTS, "title": _TEXTS, "agreement": _TEXTS, "what": _TEXTS,
    "venue": (None, *_TEXTS),
    "participants": ((), ("",), (" ",), ("Ann", "Ann"), ("Ann",), ("Ann", " "), ("Ann", "Bo")),
    "place": (TOKYO, SEOUL), "to": (None, TOKYO, SEOUL),
    "at": (_AT, _AT.add(hours=-2), _AT.add(hours=2)),
    "start": (_AT, _AT.add(hours=2)), "end": (_AT, _AT.add(hours=-1), _AT.add(hours=3)),
    "obligations": (
        (),
        (Obligation("Pay", within=timedelta(days=3)), Obligation("Pay", within=timedelta(days=9))),
        (Obligation("Pay", within=timedelta(days=3)), Obligation("Ship", within=timedelta(days=3))),
        (Obligation("Pay", within=timedelta(days=3_652_000)),),  # a deadline past the calendar
        (Obligation("Pay", due=_AT),),
    ),
}  # fmt: skip
_CANDIDATES["signatories"] = _CANDIDATES["participants"]
_TRUSTED = {
    Arrived: _trusted.arrived, Departed: _trusted.departed, MeetingHeld: _trusted.meeting_held,
    AgreementSigned: _trusted.agreement_signed, ObligationMet: _trusted.obligation_met,
}  # fmt: skip


@st.composite
def _sealed_fields(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    """An event type and its fields, one to three of them replaced by any candidate value."""
    cls = draw(st.sampled_from(sorted(_VALID, key=lambda c: c.__name__)))
    fields = dict(_VALID[cls])
    for name in draw(st.lists(st.sampled_from(_trusted.FIELDS[cls]), min_size=1, max_size=3)):
        fields[name] = draw(st.sampled_from(_CANDIDATES[name]))
    return cls, fields


def _seal_and_load(kind: str, folder: Path, url: str, event: Event) -> EventLog:
    """Write *event* as a faulty writer would (sealed, unchecked) to a new *kind* store; load it."""
    path = url if kind == "postgres" else str(folder / f"t.{kind}")
    with open_store(path) as store:
        store.extend([event])
    with open_store(path, create=False) as store:
        return store.load()


@pytest.mark.parametrize("kind", ["sqlite", "jsonl", "postgres"])
@settings(deadline=None, max_examples=60,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(drawn=_sealed_fields())
def test_a_sealed_event_loads_exactly_when_its_constructor_accepts_it(
    kind: str, drawn: tuple[type, dict[str, Any]], postgres_server: LocalServer
) -> None:
    """Any field value, sealed with a matching checksum: StoreError iff the constructor refuses."""
    cls, fields = drawn
    try:
        valid: Event | None = cls(**fields)
    except ItineraryError:
        valid = None
    event = _TRUSTED[cls](*(fields[name] for name in _trusted.FIELDS[cls]))
    with tempfile.TemporaryDirectory() as folder:
        url = new_log_url(postgres_server) if kind == "postgres" else ""
        if valid is None:
            with pytest.raises(StoreError):
                _seal_and_load(kind, Path(folder), url, event)
        else:
            assert exact(_seal_and_load(kind, Path(folder), url, event)) == exact(EventLog([valid]))


@pytest.mark.parametrize("kind", ["sqlite", "jsonl", "postgres"])
def test_a_sealed_signing_without_signatories_is_refused(
    kind: str, postgres_url: str, tmp_path: Path
) -> None:
    """Issue 23's reproducer: ``"signatories": []`` under a matching checksum is a StoreError."""
    fields = dict(_VALID[AgreementSigned], signatories=())
    event = _trusted.agreement_signed(*(fields[n] for n in _trusted.FIELDS[AgreementSigned]))
    with pytest.raises(StoreError, match="signatories must name at least one person"):
        _seal_and_load(kind, tmp_path, postgres_url, event)


def _exactly(found: list[Event], expected: list[Event]) -> None:
    """Equal events of the same types, every field shown alike (zones, offsets, folds)."""
    assert found == expected
    assert [type(e) for e in found] == [type(e) for e in expected]
    assert [repr(e) for e in found] == [repr(e) for e in expected]
    for mine, theirs in zip(found, expected, strict=True):
        for name in _trusted.FIELDS[type(mine)]:
            a, b = getattr(mine, name), getattr(theirs, name)
            assert type(a) is type(b), name
            if hasattr(a, "fold"):
                assert (a.isoformat(), a.fold, a.utcoffset()) == (
                    b.isoformat(),
                    b.fold,
                    b.utcoffset(),
                )
        assert mine._us == _time.micros(theirs.occurred_at)  # type: ignore[attr-defined]


@given(event_logs())
def test_every_built_in_type_round_trips_through_a_row_and_the_columns(log: EventLog) -> None:
    """Event -> positional row -> columns (one row at a time) -> event gives the event exactly."""
    rows, table, raw = _rows_and_table(log)
    found = Rows()
    appenders = DEFAULT_CODEC.column_rows(table, raw, found)  # type: ignore[arg-type]
    for kind, schema, text in rows:
        assert appenders[kind][0] == schema
        appenders[kind][1](json.loads(text))
    _exactly(list(EventLog.from_columns(found.finish())), list(log))


@given(event_logs(), st.integers(min_value=1, max_value=7))
def test_rows_added_in_batches_are_the_rows_added_one_at_a_time(log: EventLog, size: int) -> None:
    """Rows added column by column (in batches of any size) hold what rows added one by one do.

    Each row's values are the same; the dictionaries may number them in another order.
    """
    rows, table, raw = _rows_and_table(log)
    one, many = Rows(), Rows()
    appenders = DEFAULT_CODEC.column_rows(table, raw, one)  # type: ignore[arg-type]
    schemas, add = DEFAULT_CODEC.column_batches(table, raw, many)  # type: ignore[arg-type]
    for kind, schema, text in rows:
        appenders[kind][1](json.loads(text))
        assert schemas[kind] == schema
    for start in range(0, len(rows), size):
        part = rows[start : start + size]
        add([kind for kind, _, _ in part], [json.loads(text) for _, _, text in part])
    left, right = one.finish(), many.finish()
    for name, (_, dictionary) in COLUMNS.items():
        mine, theirs = getattr(left, name).tolist(), getattr(right, name).tolist()
        if dictionary is not None:
            mine = [None if i < 0 else getattr(left, dictionary)[i] for i in mine]
            theirs = [None if i < 0 else getattr(right, dictionary)[i] for i in theirs]
        assert mine == theirs, name
    _exactly(list(EventLog.from_columns(right)), list(log))


_NOT_ADDED = (ItineraryError, TypeError, ValueError, IndexError, KeyError, OverflowError)
"""What the column loaders raise for a row they cannot add (the store then names it)."""


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        (["A", 1, 1761552000000000], "Arrived"),  # too short
        (["A", 1, 1761552000000000, 2, None], "Arrived"),  # too long
        (["", 1, 1761552000000000, 2], "Arrived"),  # blank
        ([None, 1, 1761552000000000, 2], "Arrived"),  # a text missing
        (["A", 2, 1761552000000000, 2], "Arrived"),  # a zone where a place is
        (["A", True, 1761552000000000, 2], "Arrived"),  # a boolean id
        (["A", 1, 1.5, 2], "Arrived"),  # a float instant
        (["A", 1, 2**70, 2], "Arrived"),  # past the calendar
        (["A", 1, 1761552000000000, 2, 2], "Departed"),  # a zone where a place is
        (["M", ["A", "A"], 1, 1761552000000000, 2, 1761552000000000, 2, None], "MeetingHeld"),
        (["M", ["A"], 1, 1761552000000000, 2, 1761551999999999, 2, None], "MeetingHeld"),
        (["M", "AB", 1, 1761552000000000, 2, 1761552000000000, 2, None], "MeetingHeld"),
        (["S", ["A"], 1, 1761552000000000, 2, None, [["x", None, None]]], "AgreementSigned"),
    ],
)
def test_a_row_the_columns_cannot_hold_is_refused_alone_and_in_a_batch(
    row: list[Any], kind: str
) -> None:
    """A row with a wrong value is refused by both loaders, and a batch holding it adds nothing."""
    table: list[Any] = [UTC, decode_entry(["Tokyo", "Japan", "Asia/Tokyo", 35.68, 139.69])]
    table.append(decode_entry("Asia/Tokyo"))
    raw: list[Any] = [None, ["Tokyo", "Japan", "Asia/Tokyo", 35.68, 139.69], "Asia/Tokyo"]
    found = Rows()
    with pytest.raises(_NOT_ADDED):
        DEFAULT_CODEC.column_rows(table, raw, found)[kind][1](row)
    _, add = DEFAULT_CODEC.column_batches(table, raw, found)
    good = ["A", 1, 1761552000000000, 2]
    with pytest.raises(_NOT_ADDED):
        add(["Arrived", kind, "Arrived"], [good, row, good])
    assert len(found) == 0
    add(["Arrived"], [good])
    assert len(found) == 1


def test_a_damaged_row_past_the_first_batch_is_named(tmp_path: Path) -> None:
    """A sealed row that cannot be an event, in the second batch of rows, names its version."""
    path = tmp_path / "big.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", BATCH + 5))
    version = BATCH + 3
    with sqlite3.connect(path) as db:
        kind, schema, data = db.execute(
            "SELECT type, schema, data FROM itinerary_events WHERE version = ?", (version,)
        ).fetchone()
        row = json.loads(data)
        row[0] = "   "
        data = json.dumps(row).encode()
        db.execute(
            "UPDATE itinerary_events SET data = ?, crc = ? WHERE version = ?",
            (data, checksum(version, kind, schema, data), version),
        )
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match=f"version {version}: .*who must be a non-empty"),
    ):
        store.load()


def test_sealed_rows_glued_into_one_are_not_json(tmp_path: Path) -> None:
    """Two rows' JSON sealed as one row (a checksum cannot vouch for it) is refused, by version."""
    path = tmp_path / "glued.sqlite"
    with SQLiteStore(path) as store:
        store.extend(batch("A", 3))
    with sqlite3.connect(path) as db:
        (first,), (second,) = db.execute(
            "SELECT data FROM itinerary_events WHERE version < 3 ORDER BY version"
        )
        for version, data in ((1, first + b"],[" + second), (2, second[1:])):
            db.execute(
                "UPDATE itinerary_events SET data = ?, crc = ? WHERE version = ?",
                (data, checksum(version, "Arrived", 1, data), version),
            )
    db.close()
    with (
        SQLiteStore(path, create=False) as store,
        pytest.raises(StoreError, match="version 1: stored data is not JSON"),
    ):
        store.load()


@pytest.mark.parametrize("batches", [True, False])
def test_obligations_load_as_written_when_equal_ones_repeat(batches: bool) -> None:
    """Signings whose obligations repeat an earlier one's, between new ones, keep their own.

    Found on the branch: a cache keyed by the ids of the obligations built gave a signing
    the obligations of an earlier one once the objects of a repeated list were freed and
    their memory reused.
    """
    signed = TOKYO.at("2025-10-28 12:00")
    recorded: list[Event] = []
    for k in range(300):
        due = signed + timedelta(days=1 + (k if k % 2 else 0))  # every other one repeats
        recorded.append(
            AgreementSigned(
                f"Deal {k}", ("A",), TOKYO, signed, obligations=[Obligation("Pay", due=due)]
            )
        )
    rows, table, raw = _rows_and_table(EventLog(recorded))
    found = Rows()
    if batches:
        _, add = DEFAULT_CODEC.column_batches(table, raw, found)  # type: ignore[arg-type]
        add([kind for kind, _, _ in rows], [json.loads(text) for _, _, text in rows])
    else:
        appenders = DEFAULT_CODEC.column_rows(table, raw, found)  # type: ignore[arg-type]
        for kind, _, text in rows:
            appenders[kind][1](json.loads(text))
    _exactly(list(EventLog.from_columns(found.finish())), recorded)
