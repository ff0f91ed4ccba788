"""Scenario files: a tour written in TOML, in the local wall time of each place.

A scenario declares its places (or uses names from the gazetteer), its participants, and its
events, each with times as local clocks showed them where it happened::

    title = "Tokyo, one evening"
    participants = ["Donald Trump", "Emperor Naruhito"]

    [places.Nagoya]                 # gazetteer places (Tokyo, Seoul, ...) need no declaring
    country = "Japan"
    tz = "Asia/Tokyo"

    [[events]]
    type = "arrived"                # arrived, departed, meeting, agreement, obligation_met
    who = "Donald Trump"
    place = "Tokyo"
    at = "2025-10-27 16:30"         # Tokyo wall time

A time is ``"YYYY-MM-DD HH:MM[:SS]"`` at the event's place, in the one grammar of wall times
(docs/local-time.md, "How a wall time is written"). It may add an offset to say which of two
instants a repeated wall time means (``"2025-11-02 01:30-05:00"``), or a zone after a space to
read it somewhere else (``"2026-04-28 12:00 Asia/Tokyo"``). Durations are ISO 8601 (``"P6M"``)
or a table (``{ months = 6 }``).

Loading is strict and all-or-nothing: a mistake raises
:class:`~itinerary.errors.ScenarioError` naming the file, the key path (``events[3].at``,
counting from 0), what was found and what was expected.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "visit.toml"
>>> _ = path.write_text('''
... [[events]]
... type = "arrived"
... who = "Donald Trump"
... place = "Tokyo"
... at = "2025-10-27 16:30"
... ''')
>>> load_scenario(path).log[0].at.isoformat()
'2025-10-27T16:30:00+09:00'
>>> _ = path.write_text(path.read_text().replace("16:30", "16h30"))
>>> load_scenario(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
itinerary.errors.ScenarioError: .../visit.toml: events[0].at: found '2025-10-27 16h30'; expected a local wall time ...
"""

from itinerary.scenarios._common import EVENT_KEYS, Scenario
from itinerary.scenarios._read import load_scenario, loads_scenario
from itinerary.scenarios._write import dumps_scenario, save_scenario

__all__ = [
    "EVENT_KEYS",
    "Scenario",
    "dumps_scenario",
    "load_scenario",
    "loads_scenario",
    "save_scenario",
]
