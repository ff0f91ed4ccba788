"""Writing scenario files: exact instants as local wall times, read back as equal."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import tomli_w

from itinerary import _files, _time
from itinerary.errors import (
    ScenarioError,
)
from itinerary.events import (
    FIELDS,
    OPTIONAL_PLACE,
    PLACE,
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
)
from itinerary.log import EventLog
from itinerary.places import GAZETTEER, Place
from itinerary.scenarios._common import TYPE_NAMES, Scenario, agreement_places
from itinerary.scenarios._plan import (
    disruptions_document,
    plan_document,
    resources_document,
    rules_document,
)
from itinerary.sim.rules import Curfew


def _wall_text(local: datetime) -> str:
    spec = "minutes"
    if local.microsecond:
        spec = "microseconds"
    elif local.second:
        spec = "seconds"
    return local.replace(tzinfo=None).isoformat(sep=" ", timespec=spec)


def _time_text(value: datetime, place: Place | None) -> str:
    """*value* as a scenario time at *place*: exact, and read back as the same instant."""
    own = _time.zone_name(value)
    tz_name = own if own is not None else (place.tz if place is not None else "UTC")
    local = _time.to_zone(value, tz_name)
    wall = local.replace(tzinfo=None)
    text = _wall_text(wall)
    earlier = _time.resolve(wall, tz_name, disambiguate="earlier", where=tz_name)
    later = _time.resolve(wall, tz_name, disambiguate="later", where=tz_name)
    if _time.micros(earlier) != _time.micros(later):
        text += _time.format_offset(local)
    if place is None or tz_name != place.tz:
        text += " " + tz_name
    return text


def _duration_text(value: timedelta) -> str:
    """*value* as an ISO 8601 duration: ``"P6M"``, ``"P1DT2H"``, ``"PT36H"``.

    Calendar parts (years, months, days) go before the ``T``, elapsed time after it, as
    :func:`itinerary._time.duration_parts` splits them, so reading the text back gives a
    duration that adds to a date the same way.
    """
    years, months, days, seconds, micro = _time.duration_parts(value)
    if micro:
        raise ScenarioError(
            "<writing>", "within", f"a duration with microseconds ({value!r})",
            "whole seconds: scenario durations count in seconds at the finest",
        )  # fmt: skip
    date = "".join(f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    hours, rest = divmod(seconds, 3600)
    clock = "".join(
        f"{n}{unit}" for n, unit in ((hours, "H"), (rest // 60, "M"), (rest % 60, "S")) if n
    )
    return "P" + date + (f"T{clock}" if clock else "") if date or clock else "PT0S"


_HEADER = "# An itinerary scenario: times are local wall times at each event's place.\n"


class _Writer:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.keys: dict[Place, str] = {}
        self.declared: dict[str, Place] = {}
        for key, place in scenario.places.items():
            if GAZETTEER.get(key) != place:
                self.declared[key] = place
            self.keys.setdefault(place, key)
        for event in scenario.log:
            for place in _places_of(event):
                self._name(place)
        for step in scenario.plan or ():
            for place in _places_of(step):
                self._name(place)
        for rule in scenario.plan.rules if scenario.plan is not None else ():
            if isinstance(rule, Curfew):
                self._name(rule.place)
        self.agreement_places = agreement_places(
            (event.title, event.place)
            for event in scenario.log
            if isinstance(event, AgreementSigned)
        )

    def place(self, place: Place) -> str:
        """The name *place* goes by in this file."""
        return self._name(place)

    def time(self, value: datetime, place: Place | None) -> str:
        """*value* as a wall time at *place* that reads back as the same instant."""
        return _time_text(value, place)

    def duration(self, value: timedelta) -> str:
        """*value* as an ISO 8601 duration that adds to a date the same way."""
        return _duration_text(value)

    def _name(self, place: Place) -> str:
        found = self.keys.get(place)
        if found is not None:
            return found
        if GAZETTEER.get(place.name) == place and place.name not in self.declared:
            self.keys[place] = place.name
            return place.name
        key, n = place.name, 1
        while key in self.declared or key in GAZETTEER:
            n += 1
            key = f"{place.name} ({n})"
        self.declared[key] = place
        self.keys[place] = key
        return key

    def document(self) -> dict[str, Any]:
        """The scenario as plain TOML-ready data: title, participants, places, events."""
        scenario = self.scenario
        out: dict[str, Any] = {}
        if scenario.title is not None:
            out["title"] = scenario.title
        people = scenario.participants or _people_in(scenario.log)
        if people:
            out["participants"] = list(people)
        places = {}
        for key, place in self.declared.items():
            spec: dict[str, Any] = {} if key == place.name else {"name": place.name}
            spec |= {"country": place.country, "tz": place.tz}
            spec |= {k: v for k, v in (("lat", place.lat), ("lon", place.lon)) if v is not None}
            places[key] = spec
        if places:
            out["places"] = places
        events = [{"type": TYPE_NAMES[type(e)], **dict(self._fields(e))} for e in scenario.log]
        if events:
            out["events"] = events
        if scenario.disruptions is not None:
            out["disruptions"] = disruptions_document(scenario.disruptions, self)
        if scenario.plan is not None:
            out["plan"] = plan_document(scenario.plan, self)
            if scenario.plan.rules:
                out["rules"] = rules_document(scenario.plan, self)
            if scenario.plan.resources:
                out["resources"] = resources_document(scenario.plan)
        return out

    def _fields(self, event: Event) -> list[tuple[str, object]]:
        name = self._name
        if isinstance(event, Arrived):
            return [("who", event.who), ("place", name(event.place)),
                    ("at", _time_text(event.at, event.place))]  # fmt: skip
        if isinstance(event, Departed):
            fields: list[tuple[str, object]] = [
                ("who", event.who), ("place", name(event.place)),
                ("at", _time_text(event.at, event.place)),
            ]  # fmt: skip
            if event.to is not None:
                fields.append(("to", name(event.to)))
            return fields
        if isinstance(event, MeetingHeld):
            fields = [
                ("title", event.title), ("participants", list(event.participants)),
                ("place", name(event.place)), ("start", _time_text(event.start, event.place)),
                ("end", _time_text(event.end, event.place)),
            ]  # fmt: skip
            if event.venue is not None:
                fields.append(("venue", event.venue))
            return fields
        if isinstance(event, AgreementSigned):
            fields = [
                ("title", event.title), ("signatories", list(event.signatories)),
                ("place", name(event.place)), ("at", _time_text(event.at, event.place)),
            ]  # fmt: skip
            if event.venue is not None:
                fields.append(("venue", event.venue))
            if event.obligations:
                fields.append(
                    ("obligations", [self._obligation(o, event.place) for o in event.obligations])
                )
            return fields
        assert isinstance(event, ObligationMet)
        place = self.agreement_places.get(event.agreement)
        return [("agreement", event.agreement), ("what", event.what),
                ("at", _time_text(event.at, place))]  # fmt: skip

    def _obligation(self, obligation: Obligation, place: Place) -> dict[str, object]:
        if obligation.within is not None:
            return {"what": obligation.what, "within": _duration_text(obligation.within)}
        assert obligation.due is not None
        return {"what": obligation.what, "due": _time_text(obligation.due, place)}


_PLACE_FIELDS = ("place", "to", "origin", "destination")
_EVENT_PLACE_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(name for name, kind in fields if kind in (PLACE, OPTIONAL_PLACE))
    for cls, fields in FIELDS.items()
}  # the built-in events' own, from their field table; any other class is probed


def _places_of(value: object) -> Iterable[Place]:
    """The places an event or a plan step names."""
    for attribute in _EVENT_PLACE_FIELDS.get(type(value), _PLACE_FIELDS):
        place = getattr(value, attribute, None)
        if isinstance(place, Place):
            yield place


def _people_in(log: EventLog) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for event in log:
        for who in event.people:
            seen.setdefault(who)
    return tuple(seen)


def dumps_scenario(scenario_or_log: Scenario | EventLog | Iterable[Event]) -> str:
    """The TOML text of a scenario (or of a log, as a scenario without a title)."""
    scenario = _as_scenario(scenario_or_log)
    return _HEADER + tomli_w.dumps(_Writer(scenario).document())


def _as_scenario(value: Scenario | EventLog | Iterable[Event]) -> Scenario:
    if isinstance(value, Scenario):
        return value
    return Scenario(value if isinstance(value, EventLog) else EventLog(value))


def save_scenario(
    scenario_or_log: Scenario | EventLog | Iterable[Event], path: str | os.PathLike[str]
) -> None:
    """Write a scenario (or a log) as a TOML scenario file at *path*.

    Loading the file gives an equal log: the same events at the same instants. A time is
    written in its place's wall time, with an offset where that wall time happens twice and
    with its zone where it is not the place's. Comments in a file that was loaded are not
    kept. The file is written whole or not at all (a new temporary file beside it, synced,
    then renamed over it); a symbolic link or another non-regular file at *path* is refused
    with :class:`~itinerary.errors.ScenarioError`.
    """
    text = dumps_scenario(scenario_or_log)
    file = os.fspath(path)
    try:
        _files.write_atomic(file, text.encode("utf-8"))
    except _files.NotRegularFileError as exc:
        raise ScenarioError(file, "", exc.kind, "a regular file or a new one") from None
