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

A time is ``"YYYY-MM-DD HH:MM[:SS]"`` at the event's place, in the grammar of
:func:`itinerary._time.parse_time_text`. It may add an offset to say which of two instants a
repeated wall time means (``"2025-11-02 01:30-05:00"``), or a zone after a space to read it
somewhere else (``"2026-04-28 12:00 Asia/Tokyo"``). Durations are ISO 8601
(``"P6M"``) or a table (``{ months = 6 }``).

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

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs
import tomli_w
from pendulum import DateTime

from itinerary import _time
from itinerary.errors import (
    AmbiguousLocalTimeError,
    ItineraryError,
    LocalTimeError,
    NonexistentLocalTimeError,
    ScenarioError,
    UnknownPlaceError,
    WallTimeSyntaxError,
)
from itinerary.events import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    MeetingHeld,
    Obligation,
    ObligationMet,
    names_tuple,
)
from itinerary.log import EventLog
from itinerary.places import GAZETTEER, Place, degrees, lookup

__all__ = [
    "EVENT_KEYS",
    "Scenario",
    "dumps_scenario",
    "load_scenario",
    "loads_scenario",
    "save_scenario",
]


def _frozen_places(value: Mapping[str, Place]) -> Mapping[str, Place]:
    return MappingProxyType(dict(value))


@attrs.frozen
class Scenario:
    """A tour read from (or to be written to) a scenario file.

    ``places`` maps each name the file may use for a place to the place (the ones it
    declared, and the gazetteer's it used); ``participants`` are the people it declared (an
    empty tuple if it declared none, in which case any name is accepted).
    """

    log: EventLog
    places: Mapping[str, Place] = attrs.field(factory=dict, converter=_frozen_places)
    participants: tuple[str, ...] = attrs.field(default=(), converter=names_tuple)
    title: str | None = None


_TYPES: Mapping[str, type[Event]] = {
    "arrived": Arrived,
    "departed": Departed,
    "meeting": MeetingHeld,
    "agreement": AgreementSigned,
    "obligation_met": ObligationMet,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}

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
"""For each event type of a scenario file: its required keys and its optional keys."""

_TOP: tuple[frozenset[str], frozenset[str]] = (
    frozenset(),
    frozenset({"title", "participants", "places", "events"}),
)
_PLACE = (frozenset({"country", "tz"}), frozenset({"name", "lat", "lon"}))
_OBLIGATION_KEYS = frozenset({"what", "within", "due"})
_DURATION_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_WALL = f"a local wall time {_time.WALL_TIME_FORM}, then optionally an offset or ' Zone/Name'"


def _kind(value: object) -> str:
    names = {str: "string", bool: "boolean", int: "integer", float: "float", list: "array"}
    if isinstance(value, dict):
        return "table"
    if isinstance(value, datetime):
        return "datetime"
    return names.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return f"a table with keys {', '.join(sorted(value)) or '(none)'}"
    return f"{_kind(value)} {value!r}"


def _duration_shown(value: object) -> str:
    """A duration as the file gave it: ``'P6M'`` or ``{ months = 6 }`` (units checked)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{unit} = {amount!r}" for unit, amount in value.items()) + " }"
    return repr(value)


class _Reader:
    """Reads the parsed TOML of one file, raising ScenarioError with key paths."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.places: dict[str, Place] = {}
        self.used: dict[str, Place] = {}
        self.participants: tuple[str, ...] = ()
        self.agreement_places: dict[str, Place] = {}

    def fail(self, key: str, found: str, expected: str) -> ScenarioError:
        return ScenarioError(self.file, key, found, expected)

    def table(
        self, value: object, key: str, keys: tuple[frozenset[str], frozenset[str]]
    ) -> dict[str, Any]:
        required, optional = keys
        if not isinstance(value, dict):
            raise self.fail(key, _show(value), "a table")
        allowed = required | optional
        for name in value:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                raise self.fail(
                    where, f"unknown key {name!r}", f"one of {', '.join(sorted(allowed))}"
                )
        for name in sorted(required):
            if name not in value:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, "nothing (the key is missing)", f"a value for {name!r}")
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, _show(value), "a non-empty string")
        return value

    def names(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, _show(value), "a non-empty array of names")
        names = tuple(self.person(item, f"{key}[{i}]") for i, item in enumerate(value))
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise self.fail(key, f"{twice!r} named twice", "each person once")
        return names

    def person(self, value: object, key: str) -> str:
        name = self.text(value, key)
        if self.participants and name not in self.participants:
            known = ", ".join(repr(p) for p in self.participants)
            raise self.fail(key, repr(name), f"one of the participants: {known}")
        return name

    def place(self, value: object, key: str) -> Place:
        name = self.text(value, key)
        try:
            found = lookup(name, self.places)
        except UnknownPlaceError:
            declared = sorted(self.places)
            known = ", ".join(repr(n) for n in (*declared, *sorted(GAZETTEER)))
            raise self.fail(
                key, repr(name), f"a place declared under [places] or known: {known}"
            ) from None
        self.used[name] = found
        return found

    def known_place(self, name: object) -> Place | None:
        """The place called *name* here, or ``None`` (no error: see :meth:`place` for that)."""
        if not isinstance(name, str):
            return None
        try:
            return lookup(name, self.places)
        except UnknownPlaceError:
            return None

    def declare_places(self, value: object) -> None:
        if not isinstance(value, dict):
            raise self.fail("places", _show(value), "a table of places")
        for name, raw in value.items():
            key = f"places.{_key(name)}"
            spec = self.table(raw, key, _PLACE)
            # Each field checked on its own, so a mistake is reported at its own key.
            place_name = self.text(spec.get("name", name), f"{key}.name")
            country = self.text(spec["country"], f"{key}.country")
            tz = self.zone(spec["tz"], f"{key}.tz")
            lat = self.coordinate(spec.get("lat"), f"{key}.lat", 90)
            lon = self.coordinate(spec.get("lon"), f"{key}.lon", 180)
            # Every field was checked above, each at its own key, by the rules Place uses.
            self.places[name] = Place(place_name, country, tz, lat=lat, lon=lon)

    def zone(self, value: object, key: str) -> str:
        name = self.text(value, key)
        try:
            return _time.check_zone(name)
        except ItineraryError as exc:
            raise self.fail(key, repr(name), f"an IANA time zone name: {exc}") from None

    def coordinate(self, value: object, key: str, limit: int) -> float | None:
        if value is None:
            return None
        if not degrees(value, limit):
            raise self.fail(key, _show(value), f"a number of degrees from -{limit} to {limit}")
        return value

    def _split_time(self, value: object, key: str) -> _time.TimeText:
        """A time value as written: wall time, offset or None, zone name or None."""
        if isinstance(value, datetime):  # a TOML local (or offset) date-time
            return _time.TimeText(value.replace(tzinfo=None), value.utcoffset(), None)
        try:
            parsed = _time.parse_time_text(value, where=key)
        except WallTimeSyntaxError as exc:  # chained: the grammar's own error says more
            raise self.fail(key, _show(value), _WALL) from exc
        if parsed.zone is not None:
            try:
                _time.check_zone(parsed.zone)
            except ItineraryError:
                raise self.fail(
                    key, repr(value), f"{_WALL}; {parsed.zone!r} is not a zone"
                ) from None
        return parsed

    def time(self, value: object, key: str, place: Place | None) -> DateTime:
        wall, offset, tz_name = self._split_time(value, key)
        shown = value.isoformat(sep=" ") if isinstance(value, datetime) else str(value)
        if tz_name is not None:
            where = tz_name
        elif place is not None:
            tz_name, where = place.tz, f"{place.name} ({place.tz})"
        else:
            raise self.fail(key, repr(shown), "a time with its zone ('... Asia/Tokyo'), or a place")
        try:
            return _time.resolve(
                wall, tz_name, disambiguate="raise", where=where, how_to_choose="", offset=offset
            )
        except NonexistentLocalTimeError as exc:
            raise self.fail(key, repr(shown), f"a time that exists there: {exc}") from None
        except AmbiguousLocalTimeError as exc:
            raise self.fail(
                key, repr(shown), f"one instant; add its offset to choose: {exc}"
            ) from None
        except LocalTimeError as exc:  # a wrong offset, or too near the ends of the calendar
            expected = "a time within the calendar's range" if offset is None else "that offset"
            raise self.fail(key, repr(shown), f"{expected}: {exc}") from None

    def duration(self, value: object, key: str) -> timedelta:
        expected = "a positive duration such as 'P6M' or { months = 6 }"
        if isinstance(value, str):
            parsed = _time.parse_iso_duration(value)
            if parsed is None:
                raise self.fail(key, repr(value), expected)
            years, months, days, seconds, _ = _time.duration_parts(parsed)
            parts = {"years": years, "months": months, "days": days, "seconds": seconds}
        elif isinstance(value, dict):
            parts = {}
            for unit, amount in value.items():
                if unit not in _DURATION_UNITS:
                    raise self.fail(
                        f"{key}.{_key(unit)}",
                        f"unknown unit {unit!r}",
                        f"one of {', '.join(_DURATION_UNITS)}",
                    )
                if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                    raise self.fail(f"{key}.{unit}", _show(amount), "a whole number, 0 or more")
                parts[unit] = amount
        else:
            raise self.fail(key, _show(value), expected)
        shown = _duration_shown(value)
        try:
            duration = _time.duration(
                years=parts.get("years", 0),
                months=parts.get("months", 0),
                days=parts.get("weeks", 0) * 7 + parts.get("days", 0),
                seconds=parts.get("hours", 0) * 3600
                + parts.get("minutes", 0) * 60
                + parts.get("seconds", 0),
            )
        except ValueError:
            raise self.fail(key, shown, "a duration short enough to add to a date") from None
        if duration <= timedelta(0) and not (duration.years or duration.months):
            raise self.fail(key, shown, expected)
        return duration

    def event(self, value: object, key: str) -> Event:
        if not isinstance(value, dict):
            raise self.fail(key, _show(value), "a table with a type")
        kind = value.get("type")
        if not isinstance(kind, str) or kind not in EVENT_KEYS:
            raise self.fail(
                f"{key}.type",
                "nothing (the key is missing)" if kind is None else _show(kind),
                f"one of {', '.join(repr(k) for k in EVENT_KEYS)}",
            )
        spec = self.table(value, key, EVENT_KEYS[kind])
        build = getattr(self, f"_{kind}")
        try:
            event: Event = build(spec, key)
        except ScenarioError:
            raise
        except ItineraryError as exc:
            raise self.fail(key, str(exc), "values that describe a possible event") from None
        return event

    def _arrived(self, spec: dict[str, Any], key: str) -> Event:
        place = self.place(spec["place"], f"{key}.place")
        who = self.person(spec["who"], f"{key}.who")
        return Arrived(who, place, self.time(spec["at"], f"{key}.at", place))

    def _departed(self, spec: dict[str, Any], key: str) -> Event:
        place = self.place(spec["place"], f"{key}.place")
        who = self.person(spec["who"], f"{key}.who")
        to = self.place(spec["to"], f"{key}.to") if "to" in spec else None
        return Departed(who, place, self.time(spec["at"], f"{key}.at", place), to=to)

    def _meeting(self, spec: dict[str, Any], key: str) -> Event:
        place = self.place(spec["place"], f"{key}.place")
        return MeetingHeld(
            self.text(spec["title"], f"{key}.title"),
            self.names(spec["participants"], f"{key}.participants"),
            place,
            self.time(spec["start"], f"{key}.start", place),
            self.time(spec["end"], f"{key}.end", place),
            venue=self.text(spec["venue"], f"{key}.venue") if "venue" in spec else None,
        )

    def _agreement(self, spec: dict[str, Any], key: str) -> Event:
        place = self.place(spec["place"], f"{key}.place")
        title = self.text(spec["title"], f"{key}.title")
        obligations = spec.get("obligations", [])
        if not isinstance(obligations, list):
            raise self.fail(f"{key}.obligations", _show(obligations), "an array of tables")
        found = []
        for i, raw in enumerate(obligations):
            where = f"{key}.obligations[{i}]"
            item = self.table(raw, where, (frozenset({"what"}), _OBLIGATION_KEYS))
            if ("within" in item) == ("due" in item):
                raise self.fail(
                    where,
                    "both within and due" if "within" in item else "neither within nor due",
                    "exactly one of within (a duration) or due (a time)",
                )
            what = self.text(item["what"], f"{where}.what")
            if "within" in item:
                found.append(
                    Obligation(what, within=self.duration(item["within"], f"{where}.within"))
                )
            else:
                found.append(Obligation(what, due=self.time(item["due"], f"{where}.due", place)))
        signed = self.time(spec["at"], f"{key}.at", place)
        for i, obligation in enumerate(found):
            if obligation.within is not None:
                try:
                    obligation.due_after(signed, place)
                except ItineraryError as exc:
                    raise self.fail(
                        f"{key}.obligations[{i}].within",
                        _duration_shown(obligations[i]["within"]),
                        f"a duration whose deadline is a date in the years 1-9999: {exc}",
                    ) from None
        return AgreementSigned(
            title,
            self.names(spec["signatories"], f"{key}.signatories"),
            place,
            signed,
            venue=self.text(spec["venue"], f"{key}.venue") if "venue" in spec else None,
            obligations=found,
        )

    def _obligation_met(self, spec: dict[str, Any], key: str) -> Event:
        agreement = self.text(spec["agreement"], f"{key}.agreement")
        place = (
            self.place(spec["place"], f"{key}.place")
            if "place" in spec
            else self.agreement_places.get(agreement)
        )
        return ObligationMet(
            agreement,
            self.text(spec["what"], f"{key}.what"),
            self.time(spec["at"], f"{key}.at", place),
        )


def _agreement_places(signings: Iterable[tuple[object, Place | None]]) -> dict[str, Place]:
    """Where each agreement was signed, by title (the first signing of a title counts).

    An obligation_met without a place of its own reads and writes its time there.
    """
    places: dict[str, Place] = {}
    for title, place in signings:
        if isinstance(title, str) and place is not None:
            places.setdefault(title, place)
    return places


def loads_scenario(text: str, *, file: str = "<scenario>") -> Scenario:
    """The scenario in the TOML *text*; *file* names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", f"invalid TOML ({exc})", "a TOML document") from None
    reader = _Reader(file)
    reader.table(data, "", _TOP)
    title = reader.text(data["title"], "title") if "title" in data else None
    if "participants" in data:
        reader.participants = reader.names(data["participants"], "participants")
    if "places" in data:
        reader.declare_places(data["places"])
    events = data.get("events", [])
    if not isinstance(events, list):
        raise reader.fail("events", _show(events), "an array of tables ([[events]])")
    # Agreements first: an obligation_met reads its time at its agreement's place.
    reader.agreement_places = _agreement_places(
        (spec.get("title"), reader.known_place(spec.get("place")))
        for spec in events
        if isinstance(spec, dict) and spec.get("type") == "agreement"
    )
    log = EventLog(reader.event(spec, f"events[{i}]") for i, spec in enumerate(events))
    places = dict(reader.places) | reader.used
    return Scenario(log, places, reader.participants, title)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """The scenario in the TOML file at *path*, or :class:`ScenarioError` saying what is wrong."""
    file = os.fspath(path)
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ScenarioError(
            file, "", f"a file that cannot be read ({exc.strerror})", "a scenario file"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            file, "", f"bytes that are not UTF-8 ({exc.reason})", "UTF-8 text"
        ) from None
    return loads_scenario(text, file=file)


# --- writing -------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(name: str) -> str:
    """*name* as a TOML key in a key path of an error message (quoted unless bare)."""
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


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
    return "P" + date + (f"T{clock}" if clock else "")


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
        self.agreement_places = _agreement_places(
            (event.title, event.place)
            for event in scenario.log
            if isinstance(event, AgreementSigned)
        )

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
        events = [{"type": _NAMES[type(e)], **dict(self._fields(e))} for e in scenario.log]
        if events:
            out["events"] = events
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


def _places_of(event: Event) -> Iterable[Place]:
    place = getattr(event, "place", None)
    if isinstance(place, Place):
        yield place
    to = getattr(event, "to", None)
    if isinstance(to, Place):
        yield to


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
    kept.
    """
    text = dumps_scenario(scenario_or_log)
    file = os.fspath(path)
    temporary = f"{file}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, file)
