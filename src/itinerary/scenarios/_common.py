"""What reading and writing scenario files share: the Scenario value, keys, messages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from itinerary import _time
from itinerary._checks import names_tuple
from itinerary._table import HEAD, TAIL, Table, render_html
from itinerary._text import text_ref
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    ObligationMet,
)
from itinerary.log import EventLog, log_table
from itinerary.places import Place
from itinerary.sim import Disruptions, Plan


def _frozen_places(value: Mapping[str, Place]) -> Mapping[str, Place]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Scenario:
    """A tour read from (or to be written to) a scenario file.

    ``places`` maps each name the file may use for a place to the place (the ones it
    declared, and the gazetteer's it used); ``participants`` are the people it declared (an
    empty tuple if it declared none, in which case any name is accepted). ``plan`` and
    ``disruptions`` are its ``[[plan]]`` and ``[disruptions]`` sections for the simulator
    (``None`` if it has none).
    """

    log: EventLog
    places: Mapping[str, Place] = attrs.field(factory=dict, converter=_frozen_places)
    participants: tuple[str, ...] = attrs.field(default=(), converter=names_tuple)
    title: str | None = None
    plan: Plan | None = None
    disruptions: Disruptions | None = None

    def __repr__(self) -> str:
        title = f"{text_ref(self.title)}, " if self.title is not None else ""
        plan = f", plan of {len(self.plan)} steps" if self.plan is not None else ""
        return (
            f"Scenario({title}{len(self.log):,} events, {len(self.participants)} participants, "
            f"{len(self.places)} places{plan})"
        )

    def _repr_html_(self) -> str:
        return render_html(scenario_tables(self))


def scenario_tables(scenario: Scenario, *, head: int = HEAD, tail: int = TAIL) -> tuple[Table, ...]:
    """A scenario's summary (title, participants, places, events, plan) and its log's ends."""
    summary = [
        ("title", scenario.title or ""),
        ("participants", ", ".join(scenario.participants) or "(any)"),
        ("places", ", ".join(sorted(scenario.places)) or "(the gazetteer's)"),
        ("events", f"{len(scenario.log):,}"),
    ]
    if scenario.plan is not None:
        summary.append(("plan", f"{len(scenario.plan)} steps"))
    if scenario.disruptions is not None:
        summary.append(("disruptions", "yes"))
    return (
        Table("Scenario", ("", ""), summary),
        log_table(scenario.log, head=head, tail=tail),
    )


TYPES: Mapping[str, type[Event]] = {
    "arrived": Arrived,
    "departed": Departed,
    "meeting": MeetingHeld,
    "agreement": AgreementSigned,
    "obligation_met": ObligationMet,
}
TYPE_NAMES = {cls: name for name, cls in TYPES.items()}

EVENT_KEYS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "arrived": (frozenset({"type", "who", "place", "at"}), frozenset()),
    "departed": (frozenset({"type", "who", "place", "at"}), frozenset({"to"})),
    "meeting": (
        frozenset({"type", "title", "participants", "place", "start", "end"}),
        frozenset({"venue"}),
    ),
    "agreement": (
        frozenset({"type", "title", "signatories", "place", "at"}),
        frozenset({"venue", "obligations"}),
    ),
    "obligation_met": (frozenset({"type", "agreement", "what", "at"}), frozenset({"place"})),
}
"""The required and the optional keys of each event type of a scenario file."""

TOP_KEYS: tuple[frozenset[str], frozenset[str]] = (
    frozenset(),
    frozenset(
        {"title", "participants", "places", "events", "plan", "rules", "resources", "disruptions"}
    ),
)
PLACE_KEYS = (frozenset({"country", "tz"}), frozenset({"name", "lat", "lon"}))
OBLIGATION_KEYS = frozenset({"what", "within", "due"})
DURATION_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
WALL = f"a local wall time {_time.WALL_TIME_FORM}, then optionally an offset or ' Zone/Name'"


def kind_of(value: object) -> str:
    names = {str: "string", bool: "boolean", int: "integer", float: "float", list: "array"}
    if isinstance(value, dict):
        return "table"
    if isinstance(value, datetime):
        return "datetime"
    return names.get(type(value), type(value).__name__)


def show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return f"a table with keys {', '.join(sorted(value)) or '(none)'}"
    return f"{kind_of(value)} {value!r}"


def duration_shown(value: object) -> str:
    """A duration as the file gave it: ``'P6M'`` or ``{ months = 6 }`` (units checked)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{unit} = {amount!r}" for unit, amount in value.items()) + " }"
    return repr(value)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_path(name: str) -> str:
    """*name* as a TOML key in a key path of an error message (quoted unless bare)."""
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def agreement_places(signings: Iterable[tuple[object, Place | None]]) -> dict[str, Place]:
    """Where each agreement was signed, by title (the first signing of a title counts).

    An obligation_met without a place of its own reads and writes its time there.
    """
    places: dict[str, Place] = {}
    for title, place in signings:
        if isinstance(title, str) and place is not None:
            places.setdefault(title, place)
    return places
