"""Obligations sealed into an Arrow store's file: the column path loads them as the codec does.

``store/_arrow_load.py`` builds an obligation due at an instant without its constructor,
making the constructor's checks itself; whatever a faulty writer sealed into the
``obligations`` column, the load must refuse it or take it exactly as the row-by-row
builder (``events_from_columns``) does (review of issue 26).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from itinerary import EventLog, _time
from itinerary.events import AgreementSigned, Obligation
from itinerary.places import SEOUL, TOKYO
from itinerary.store import ArrowStore, Codec
from tests.test__arrow_load import assert_loads_as_row_by_row

START = TOKYO.at("2025-10-27 09:00")
CODEC = Codec()
LOG = EventLog(
    [
        AgreementSigned(
            "Deal", ("A", "B"), TOKYO, START,
            obligations=[Obligation("x", due=START.add(days=3)),
                         Obligation("y", within=_time.duration(months=6))],
        ),
        AgreementSigned("Pact", ("B",), SEOUL, START.add(hours=1), obligations=[]),
    ]
)  # fmt: skip

whats = st.sampled_from((None, "", " ", "x", "y", "\x00"))
instants = st.sampled_from(
    (
        None,
        0,
        -1,
        _time.FIRST_INSTANT_US,
        _time.FIRST_INSTANT_US - 1,
        _time.LAST_INSTANT_US,
        _time.LAST_INSTANT_US + 1,
        1_761_552_000_000_000,
    )
)
zones = st.sampled_from(
    (None, "Asia/Tokyo", "Pacific/Kiritimati", "+09:00", "-12:00", "Not/A_Zone", "+25:00", "")
)
parts = st.sampled_from((None, 0, 1, -1, 6))
withins = st.none() | st.fixed_dictionaries(
    {
        "years": parts, "months": parts, "days": parts, "seconds": parts,
        "microseconds": parts, "calendar": st.sampled_from((None, False, True)),
    }
)  # fmt: skip
obligation_values = st.fixed_dictionaries(
    {"what": whats, "within": withins, "due": instants, "due_zone": zones}
) | st.fixed_dictionaries(  # mostly good: due at an instant, the column path's own build
    {
        "what": st.sampled_from(("x", "y", "z")),
        "within": st.none(),
        "due": instants,
        "due_zone": zones,
    }
)
lists = st.none() | st.lists(obligation_values, max_size=3)


def _table() -> Any:
    with tempfile.TemporaryDirectory() as folder:
        store = ArrowStore(Path(folder) / "log.arrows", codec=CODEC)
        store.extend(list(LOG))
        return store.read_table()


def _sealed(obligation: dict[str, Any]) -> dict[str, Any]:
    """*obligation* with its due instant as the file's timestamp."""
    due = obligation["due"]
    return {**obligation, "due": None if due is None else pa.scalar(due, pa.timestamp("us", "UTC"))}


@given(st.lists(st.tuples(st.integers(0, 1), lists), min_size=1, max_size=2))
def test_damaged_obligations_load_as_the_row_by_row_builder_loads_them(
    changes: list[tuple[int, list[dict[str, Any]] | None]],
) -> None:
    """Refused with the same message, or loaded as the same events."""
    table = _table()
    index = table.schema.get_field_index("obligations")
    field = table.schema.field(index)
    values = table.column("obligations").to_pylist()
    for row, value in changes:
        values[row] = None if value is None else [_sealed(o) for o in value]
    table = table.set_column(index, field, pa.array(values, field.type))
    assert_loads_as_row_by_row(table, CODEC)
