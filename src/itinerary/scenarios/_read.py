"""Reading scenario files: strict, all-or-nothing, with key paths in every error."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pendulum import DateTime

from itinerary import _files, _time
from itinerary.errors import (
    AmbiguousLocalTimeError,
    ItineraryError,
    LocalTimeError,
    NonexistentLocalTimeError,
    NoSuchDateError,
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
)
from itinerary.log import EventLog
from itinerary.places import GAZETTEER, Place, degrees, lookup
from itinerary.scenarios._common import (
    DURATION_UNITS,
    EVENT_KEYS,
    OBLIGATION_KEYS,
    PLACE_KEYS,
    TOP_KEYS,
    WALL,
    Scenario,
    agreement_places,
    duration_shown,
    key_path,
    show,
)
from itinerary.scenarios._plan import read_disruptions, read_plan

if TYPE_CHECKING:
    from itinerary.sim.delays import Disruptions
    from itinerary.sim.plan import Plan


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
            raise self.fail(key, show(value), "a table")
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
            raise self.fail(key, show(value), "a non-empty string")
        return value

    def names(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, show(value), "a non-empty array of names")
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
            raise self.fail("places", show(value), "a table of places")
        for name, raw in value.items():
            key = f"places.{key_path(name)}"
            spec = self.table(raw, key, PLACE_KEYS)
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
            raise self.fail(key, show(value), f"a number of degrees from -{limit} to {limit}")
        return value

    def _split_time(self, value: object, key: str) -> _time.TimeText:
        """A time value as written: wall time, offset or None, zone name or None."""
        if isinstance(value, datetime):  # a TOML local (or offset) date-time
            return _time.TimeText(value.replace(tzinfo=None), value.utcoffset(), None)
        try:
            parsed = _time.parse_time_text(value, where=key)
        except NoSuchDateError as exc:  # the grammar's shape is right, the calendar is not
            raise self.fail(key, show(value), f"a date and time that exist ({exc.reason})") from exc
        except WallTimeSyntaxError as exc:  # chained: the grammar's own error says more
            raise self.fail(key, show(value), WALL) from exc
        if parsed.zone is not None:
            try:
                _time.check_zone(parsed.zone)
            except ItineraryError:
                raise self.fail(
                    key, repr(value), f"{WALL}; {parsed.zone!r} is not a zone"
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
            after = _time.resolve(wall, tz_name, disambiguate="compatible", where=where)
            advice = (
                f" Write {after.strftime('%Y-%m-%d %H:%M')!r}, the wall time there at the instant"
                f" {shown!r} would have named at the old offset, or a time before the jump."
            )
            raise self.fail(key, repr(shown), f"a time that exists there: {exc}{advice}") from None
        except AmbiguousLocalTimeError as exc:
            raise self.fail(
                key, repr(shown), f"one instant; add its offset to choose: {exc}"
            ) from None
        except LocalTimeError as exc:  # a wrong offset, or too near the ends of the calendar
            expected = "a time within the calendar's range" if offset is None else "that offset"
            raise self.fail(key, repr(shown), f"{expected}: {exc}") from None

    def duration(self, value: object, key: str, *, zero: bool = False) -> timedelta:
        """A duration (ISO 8601 text or a table of units); positive unless *zero* is allowed."""
        expected = (
            "a duration such as 'PT30M' or { minutes = 30 } (zero allowed)"
            if zero
            else "a positive duration such as 'P6M' or { months = 6 }"
        )
        if isinstance(value, str):
            parsed = _time.parse_iso_duration(value)
            if parsed is None:
                raise self.fail(key, repr(value), expected)
            years, months, days, seconds, _ = _time.duration_parts(parsed)
            parts = {"years": years, "months": months, "days": days, "seconds": seconds}
        elif isinstance(value, dict):
            parts = {}
            for unit, amount in value.items():
                if unit not in DURATION_UNITS:
                    raise self.fail(
                        f"{key}.{key_path(unit)}",
                        f"unknown unit {unit!r}",
                        f"one of {', '.join(DURATION_UNITS)}",
                    )
                if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                    raise self.fail(f"{key}.{unit}", show(amount), "a whole number, 0 or more")
                parts[unit] = amount
        else:
            raise self.fail(key, show(value), expected)
        shown = duration_shown(value)
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
        if not zero and duration <= timedelta(0) and not (duration.years or duration.months):
            raise self.fail(key, shown, expected)
        return duration

    def typed(
        self,
        value: object,
        key: str,
        kinds: Mapping[str, tuple[frozenset[str], frozenset[str]]],
    ) -> tuple[str, dict[str, Any]]:
        """A table with a ``type`` among *kinds*, and only the keys that type takes."""
        if not isinstance(value, dict):
            raise self.fail(key, show(value), "a table with a type")
        kind = value.get("type")
        if not isinstance(kind, str) or kind not in kinds:
            raise self.fail(
                f"{key}.type",
                "nothing (the key is missing)" if kind is None else show(kind),
                f"one of {', '.join(repr(k) for k in kinds)}",
            )
        return kind, self.table(value, key, kinds[kind])

    def event(self, value: object, key: str) -> Event:
        kind, spec = self.typed(value, key, EVENT_KEYS)
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
        signed = self.time(spec["at"], f"{key}.at", place)
        found = self.obligations(spec, key, place, signed)
        return AgreementSigned(
            title,
            self.names(spec["signatories"], f"{key}.signatories"),
            place,
            signed,
            venue=self.text(spec["venue"], f"{key}.venue") if "venue" in spec else None,
            obligations=found,
        )

    def obligations(
        self, spec: dict[str, Any], key: str, place: Place, signed: DateTime
    ) -> list[Obligation]:
        """The ``obligations`` of an agreement (or a signing) at *place*, signed at *signed*."""
        obligations = spec.get("obligations", [])
        if not isinstance(obligations, list):
            raise self.fail(f"{key}.obligations", show(obligations), "an array of tables")
        found = []
        for i, raw in enumerate(obligations):
            where = f"{key}.obligations[{i}]"
            item = self.table(raw, where, (frozenset({"what"}), OBLIGATION_KEYS))
            if ("within" in item) == ("due" in item):
                raise self.fail(
                    where,
                    "both within and due" if "within" in item else "neither within nor due",
                    "exactly one of within (a duration) or due (a time)",
                )
            what = self.text(item["what"], f"{where}.what")
            if "within" in item:
                obligation = Obligation(
                    what, within=self.duration(item["within"], f"{where}.within")
                )
                try:
                    obligation.due_after(signed, place)
                except ItineraryError as exc:
                    raise self.fail(
                        f"{where}.within",
                        duration_shown(item["within"]),
                        f"a duration whose deadline is a date in the years 1-9999: {exc}",
                    ) from None
            else:
                obligation = Obligation(what, due=self.time(item["due"], f"{where}.due", place))
            found.append(obligation)
        return found

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


def loads_scenario(text: str, *, file: str = "<scenario>") -> Scenario:
    """The scenario in the TOML *text*; *file* names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "", f"invalid TOML ({exc})", "a TOML document") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays and tables
        raise ScenarioError(
            file, "", "arrays or tables nested too deeply to read", "a few levels of nesting"
        ) from None
    except ValueError as exc:  # int() refuses more than sys.get_int_max_str_digits() digits
        raise ScenarioError(
            file, "", f"a number too long to read ({exc})", "numbers of at most 4300 digits"
        ) from None
    reader = _Reader(file)
    reader.table(data, "", TOP_KEYS)
    title = reader.text(data["title"], "title") if "title" in data else None
    if "participants" in data:
        reader.participants = reader.names(data["participants"], "participants")
    if "places" in data:
        reader.declare_places(data["places"])
    events = data.get("events", [])
    if not isinstance(events, list):
        raise reader.fail("events", show(events), "an array of tables ([[events]])")
    # Agreements first: an obligation_met reads its time at its agreement's place.
    reader.agreement_places = agreement_places(
        (spec.get("title"), reader.known_place(spec.get("place")))
        for spec in events
        if isinstance(spec, dict) and spec.get("type") == "agreement"
    )
    log = EventLog(reader.event(spec, f"events[{i}]") for i, spec in enumerate(events))
    for extra in ("rules", "resources"):
        if extra in data and "plan" not in data:
            raise reader.fail(extra, f"{extra} without a plan", f"a [[plan]] for the {extra}")
    plan = (
        read_plan(reader, data["plan"], title, data.get("rules", []), data.get("resources", []))
        if "plan" in data
        else None
    )
    disruptions = read_disruptions(reader, data["disruptions"]) if "disruptions" in data else None
    if plan is not None and disruptions is not None:
        _check_register(reader, plan, disruptions)
    places = dict(reader.places) | reader.used
    return Scenario(log, places, reader.participants, title, plan, disruptions)


def _check_register(reader: _Reader, plan: Plan, disruptions: Disruptions) -> None:
    """Every step a risk or a correlated group names is a step of the plan."""
    names = set(plan.names)
    named: list[tuple[str, tuple[str, ...]]] = [
        *((f"risks[{i}]", risk.steps) for i, risk in enumerate(disruptions.risks)),
        *((f"correlated[{i}]", group.steps) for i, group in enumerate(disruptions.correlated)),
    ]
    for where, steps in named:
        for j, name in enumerate(steps):
            if name not in names:
                raise reader.fail(
                    f"disruptions.{where}.steps[{j}]", show(name), "a step of the plan"
                )


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """The scenario in the TOML file at *path*, or :class:`ScenarioError` saying what is wrong."""
    file = os.fspath(path)
    try:
        raw = _files.read_bytes(file)  # a link, FIFO or device is refused before reading
    except _files.NotRegularFileError as exc:
        raise ScenarioError(file, "", exc.kind, "a regular file") from None
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
