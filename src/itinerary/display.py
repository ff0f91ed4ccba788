"""Text and HTML tables for every public value: one source for the CLI, ``print()`` and notebooks.

Each value becomes one or more :class:`Table` values; a table prints as aligned columns
(what ``itinerary replay`` shows) and renders as an HTML ``<table>`` (what a notebook shows,
through each value's ``_repr_html_``). Every user string is shown with its control
characters written out (:func:`escape_controls`), and escaped for HTML.

>>> from itinerary import EventLog, Arrived, replay
>>> from itinerary.places import TOKYO
>>> state = replay(EventLog([Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))]))
>>> print(whereabouts_table(state).text())
Whereabouts
  WHO           STATUS  WHERE  SINCE (LOCAL)
  Donald Trump  at      Tokyo  2025-10-27 17:00 +09:00
>>> format_instant(state.as_of)
'2025-10-27 17:00 +09:00 Asia/Tokyo'

A long log shows its first and last rows only: :func:`log_table` never reads the middle.

This module is the top floor's façade: each value builds its own tables next to itself, from
the primitives of ``itinerary._table`` (``place_table`` in :mod:`itinerary.places`,
``log_table`` in :mod:`itinerary.log`, ``plan_table`` in ``itinerary.sim.plan``...), so that
its ``__str__`` and ``_repr_html_`` need nothing above it; this module gathers them, and
nothing in the library below the command line imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from itinerary._table import HEAD, TAIL, Table, render_html
from itinerary._text import escape_controls, format_duration, format_instant
from itinerary.agenda import agenda_table, format_agenda
from itinerary.consistency import violations_table
from itinerary.events import event_table
from itinerary.log import log_table
from itinerary.places import place_table
from itinerary.projections import agreements as _agreements
from itinerary.projections import deadlines as _deadlines
from itinerary.projections import whereabouts as _whereabouts
from itinerary.projections.state import format_state, state_heading, state_repr, state_tables
from itinerary.projections.whereabouts import whereabouts_line, whereabouts_phrase
from itinerary.scenarios._common import scenario_tables
from itinerary.sim.engine import run_table
from itinerary.sim.monte_carlo import format_outcomes, outcomes_tables
from itinerary.sim.plan import plan_table

if TYPE_CHECKING:
    from itinerary.projections import Deadline, State, Whereabouts

__all__ = [
    "HEAD",
    "TAIL",
    "Table",
    "agenda_table",
    "agreements_table",
    "deadlines_table",
    "escape_controls",
    "event_table",
    "format_agenda",
    "format_duration",
    "format_instant",
    "format_outcomes",
    "format_state",
    "log_table",
    "outcomes_tables",
    "place_table",
    "plan_table",
    "render_html",
    "run_table",
    "scenario_tables",
    "state_heading",
    "state_repr",
    "state_tables",
    "violations_table",
    "whereabouts_line",
    "whereabouts_phrase",
    "whereabouts_table",
]


def whereabouts_table(state: State | Iterable[Whereabouts]) -> Table:
    """Who is where, and since when in local time (a journey: since leaving its origin)."""
    found = state.whereabouts.values() if hasattr(state, "whereabouts") else state
    return _whereabouts.whereabouts_table(found)


def agreements_table(state: State) -> Table:
    """The agreements signed, oldest first: when (local), where, title and signatories."""
    return _agreements.agreements_table(state.agreements)


def deadlines_table(deadlines: State | Iterable[Deadline]) -> Table:
    """The obligations signed, soonest due first, with their status."""
    found = deadlines.deadlines if hasattr(deadlines, "deadlines") else deadlines
    return _deadlines.deadlines_table(found)
