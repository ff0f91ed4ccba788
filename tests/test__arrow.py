"""log.to_arrow(): the rows of to_records() as a typed pyarrow.Table, the same as to_pandas()."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given

from itinerary import Arrived, EventLog, _time, load_scenario
from itinerary.places import TOKYO
from itinerary.strategies import event_logs

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TOUR = load_scenario(EXAMPLES / "asia_tour_2025.toml")


def test_the_columns_are_typed_for_data_tools() -> None:
    """Instants are UTC timestamps, wall times naive ones, names dictionary strings."""
    schema = TOUR.log.to_arrow().schema
    assert schema.field("occurred_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("end").type == pa.timestamp("us", tz="UTC")
    assert schema.field("local").type == pa.timestamp("us")
    for name in ("kind", "who", "place", "zone", "to"):
        assert pa.types.is_dictionary(schema.field(name).type), name
    assert schema.field("people").type == pa.list_(pa.string())
    assert list(schema.names) == list(TOUR.log.to_records()[0])


@given(event_logs())
def test_the_table_holds_the_records_exactly(log: EventLog) -> None:
    """Each column is to_records()' column: instants to the microsecond, names, lists, text."""
    table = log.to_arrow()
    records = log.to_records()
    assert table.num_rows == len(records) == len(log)
    micros = table.column("occurred_at").cast(pa.int64()).to_pylist()
    assert micros == [_time.micros(e.occurred_at) for e in log]
    ends = table.column("end").cast(pa.int64()).to_pylist()
    assert ends == [None if r["end"] is None else _time.micros(r["end"]) for r in records]
    for name in ("position", "kind", "who", "place", "offset", "zone", "to", "title", "text"):
        assert table.column(name).to_pylist() == [r[name] for r in records], name
    for name in ("people", "obligations"):
        expected = [None if r[name] is None else list(r[name]) for r in records]
        assert table.column(name).to_pylist() == expected, name


@given(event_logs())
def test_pandas_reads_the_same_frame_as_to_pandas(log: EventLog) -> None:
    """to_arrow().to_pandas() has to_pandas()' dtypes, categories (in order) and instants."""
    ours, theirs = log.to_arrow().to_pandas(), log.to_pandas()
    assert list(ours.columns) == list(theirs.columns)
    assert {c: str(t) for c, t in ours.dtypes.items()} == {
        c: str(t) for c, t in theirs.dtypes.items()
    }
    for name in ("kind", "who", "place", "zone", "to"):
        assert list(ours[name].cat.categories) == list(theirs[name].cat.categories), name
    for name in ("occurred_at", "local", "end", "end_local"):
        assert ours[name].equals(theirs[name]), name


def test_an_empty_log_has_every_column_typed() -> None:
    """An empty log's table has no rows and the columns (and types) of a full one."""
    empty, full = EventLog().to_arrow(), TOUR.log.to_arrow()
    assert empty.num_rows == 0
    assert empty.schema == full.schema


def test_parquet_round_trip_keeps_the_table(tmp_path: Path) -> None:
    """The table written as Parquet reads back equal (what the CLI's export writes)."""
    from itinerary import _arrow  # noqa: PLC0415 - the module under test

    table = TOUR.log.to_arrow()
    _arrow.write_parquet(table, tmp_path / "tour.parquet")
    assert pq.read_table(tmp_path / "tour.parquet").equals(table)


def test_without_pyarrow_to_arrow_names_the_extra() -> None:
    """Without pyarrow, to_arrow() raises MissingExtraError naming the arrow extra."""
    code = """
import sys
sys.modules["pyarrow"] = None
from itinerary import Arrived, EventLog, MissingExtraError
from itinerary.places import TOKYO
log = EventLog([Arrived("A", TOKYO, TOKYO.at("2025-10-27 17:00"))])
try:
    log.to_arrow()
except MissingExtraError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        'to_arrow() needs pyarrow, which is not installed: pip install "itinerary[arrow]"'
    )


def test_a_row_reads_back_as_the_same_instant_and_its_zone() -> None:
    """A row read back through pyarrow is the event's instant (aware, UTC) and its zone's name."""
    at = TOKYO.at("2025-10-27 17:00")
    log = EventLog([Arrived("A", TOKYO, at)])
    row = log.to_arrow().to_pylist()[0]
    assert row["occurred_at"] == at
    assert row["zone"] == "Asia/Tokyo"
