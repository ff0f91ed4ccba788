"""Tables of logs, states, agendas and Monte Carlo outcomes: plain records, or DataFrames.

Every table comes two ways, with the same rows and columns: :func:`to_records` gives a list
of plain dicts (no dependency), :func:`to_pandas` a ``pandas.DataFrame``
(``pip install "itinerary[notebook]"``). The values have methods for them too:
``log.to_pandas()``, ``state.to_pandas("deadlines")``, ``outcomes.to_pandas()``.

>>> from itinerary import Arrived, EventLog
>>> from itinerary.places import TOKYO
>>> log = EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))])
>>> row = to_records(log)[0]
>>> row["kind"], row["who"], row["place"], row["zone"], row["offset"]
('Arrived', 'Donald Trump', 'Tokyo', 'Asia/Tokyo', '+09:00')
>>> row["occurred_at"].isoformat(), row["local"].isoformat()
('2025-10-27T08:00:00+00:00', '2025-10-27T17:00:00+09:00')

Each table has one main instant, and three columns that go with it:

- the instant itself (``occurred_at``, ``since``, ``due``, ``start``...) in UTC: an aware
  datetime in a record, dtype ``datetime64[us, UTC]`` in a DataFrame;
- ``local``: the same instant as clocks showed it where it happened. In a record it is an
  aware datetime in that zone; in a DataFrame it is the wall-clock reading alone
  (``datetime64[us]``), since one column of pandas holds one zone and a tour crosses many:
  read it with the next two columns, never as an instant;
- ``offset`` (``"+09:00"``) and ``zone`` (the IANA name, ``"Asia/Tokyo"``).

Other instants (a meeting's ``end``, a deadline's ``signed_at``) are in UTC too, and missing
ones are ``None`` (``NaT`` in a DataFrame). In a DataFrame, kinds, statuses, people and
places are categorical; lists of names (``people``, ``obligations``) stay tuples.

This module is a façade on the top floor: each value builds its own columns next to itself
(the log's in :mod:`itinerary.log`, a state's in :mod:`itinerary.projections`, a study's in
:mod:`itinerary.sim`), so that its ``to_records()`` and ``to_pandas()`` need nothing above it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from itinerary import _records
from itinerary.agenda import AgendaEntry, agenda_columns
from itinerary.errors import TableError
from itinerary.events import Event
from itinerary.log import EventLog, event_columns
from itinerary.projections.state import STATE_TABLES, State, state_columns
from itinerary.sim.monte_carlo import OUTCOMES_TABLES, Outcomes, outcomes_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OUTCOMES_TABLES",
    "STATE_TABLES",
    "Record",
    "agenda_frame",
    "agenda_records",
    "to_pandas",
    "to_records",
]

Record: TypeAlias = dict[str, Any]
"""A row of a table, as a dict from column names to plain Python values."""


def agenda_records(entries: Iterable[AgendaEntry]) -> list[Record]:
    """One record per :class:`~itinerary.AgendaEntry` of *entries* (an agenda), in its order.

    ``local`` and ``end_local`` are the times as the agenda shows them: in each place's zone,
    or in the one zone given to :func:`~itinerary.agenda`.
    """
    return agenda_columns(entries).records()


def agenda_frame(entries: Iterable[AgendaEntry]) -> pd.DataFrame:
    """The rows of :func:`agenda_records` as a DataFrame (``pip install "itinerary[notebook]"``)."""
    return _records.dataframe("agenda_frame()", agenda_columns, entries)


def _table(value: object, table: str | None) -> _records.Columns:
    if isinstance(value, State):
        return state_columns(value, table)
    if isinstance(value, Outcomes):
        return outcomes_columns(value, table)
    if isinstance(value, EventLog):
        _records.choose(table, ("events",), "an EventLog")
        return event_columns(value)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TableError(
            "to_records() and to_pandas() take an EventLog, a State, an agenda, Outcomes or "
            f"a list of events, got {type(value).__name__}"
        )
    items = list(value)
    if items and all(isinstance(item, AgendaEntry) for item in items):
        _records.choose(table, ("agenda",), "an agenda")
        return agenda_columns(items)
    _records.choose(table, ("events",), "a list of events")
    return event_columns(_records.checked(items, Event, "events or agenda entries"))


def to_records(value: object, table: str | None = None) -> list[Record]:
    """The rows of *value* as plain dicts, one per item; no dependency needed.

    Args:
        value: An :class:`~itinerary.EventLog` or a list of events (one row per event, in
            recording order; ``position`` is its index, as in a
            :class:`~itinerary.Violation`), a :class:`~itinerary.State` (one row per
            person, agreement or deadline), an agenda (one row per
            :class:`~itinerary.AgendaEntry`), or the :class:`~itinerary.sim.Outcomes` of a
            Monte Carlo study (one row per run and step, per step, or per obligation).
        table: Which table of a State (:data:`STATE_TABLES`: ``"whereabouts"``, the default,
            ``"agreements"`` or ``"deadlines"``) or of Outcomes (:data:`OUTCOMES_TABLES`:
            ``"runs"``, the default, ``"risks"`` or ``"deadlines"``).

    In the log's rows, ``who`` is the one person an arrival or a departure is about, or the
    participants (signatories) of a meeting (signing) joined by ``", "`` in the event's
    order; ``people`` holds them as a tuple (``frame.explode("people")`` gives a row per
    person); both are empty (``None``, ``()``) for an obligation met. An event without a
    place (an obligation met) is shown in the zone its instant was given in.

    Raises:
        TableError: *value* has no such table, or is not one of the above.

    """
    return _table(value, table).records()


def to_pandas(value: object, table: str | None = None) -> pd.DataFrame:
    """The rows of :func:`to_records` as a ``pandas.DataFrame``, with typed columns.

    Instants are ``datetime64[us, UTC]``, ``local`` columns the wall-clock reading
    (``datetime64[us]``, read with ``offset`` and ``zone``), durations ``timedelta64[us]``,
    and kinds, statuses, people, places and zones categorical.

    Raises:
        MissingExtraError: pandas is not installed (``pip install "itinerary[notebook]"``).
        TableError: as for :func:`to_records`.

    """
    return _records.dataframe("to_pandas()", _table, value, table)
