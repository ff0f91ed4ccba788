"""The ``[[plan]]`` and ``[disruptions]`` sections of a scenario file, in and out.

A plan step is a table with a ``type`` (``travel``, ``meeting``, ``signing`` or
``fulfilment``), its times as local wall times at its place (a leg's departure at its
origin), and durations as ISO 8601 (``"PT6H30M"``, ``"P5M"``) or tables of units. A delay
is ``"none"`` or a table naming its family::

    departure = { exponential = "PT40M", p = 0.35 }
    overrun = { lognormal = "PT15M", sigma = 0.7, p = 0.5 }
    fulfilment = { empirical = ["PT0S", "P3D", "P20D"] }   # as often as each other

Any step may have ``window = { opens = "09:00", closes = "21:00", then = "wait" }`` (local
wall times at its place; ``then`` is optional). ``[[rules]]`` tables give the plan's rules::

    [[rules]]
    type = "curfew"
    place = "Busan"
    starts = "23:00"
    ends = "06:00"

(``type = "rest"`` with ``after``, ``rest`` and optional ``who``; ``type = "drop"`` with
``steps``, ``when`` and ``late_by``; durations in ISO 8601.)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol, TypeAlias

from pendulum import DateTime

from itinerary import _time
from itinerary.errors import ItineraryError, ScenarioError
from itinerary.events import Obligation
from itinerary.places import Place
from itinerary.scenarios._common import duration_shown, show
from itinerary.sim import (
    Correlated,
    Delay,
    Disruptions,
    Fulfilment,
    Meeting,
    Plan,
    Resource,
    Risk,
    Signing,
    Step,
    Travel,
)
from itinerary.sim.delays import LONGEST_DRAW, elapsed_micros
from itinerary.sim.rules import Curfew, Drop, Rest, Rule, Window, hhmm
from itinerary.sim.steps import default_name

__all__ = [
    "PLAN_KEYS",
    "RULE_KEYS",
    "disruptions_document",
    "plan_document",
    "read_disruptions",
    "read_plan",
    "resources_document",
    "rules_document",
]

_COMMON = frozenset({"delay", "name", "window", "uses", "priority"})
_WINDOW_KEYS = (frozenset({"opens", "closes"}), frozenset({"then"}))
RULE_KEYS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "curfew": (frozenset({"type", "place", "starts", "ends"}), frozenset()),
    "rest": (frozenset({"type", "after", "rest"}), frozenset({"who"})),
    "drop": (frozenset({"type", "steps", "when", "late_by"}), frozenset()),
}
"""For each rule type of a ``[[rules]]`` table: its required keys and its optional keys."""
PLAN_KEYS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "travel": (
        frozenset({"type", "who", "from", "to", "depart", "duration"}),
        _COMMON | {"cancel", "rebook"},
    ),
    "meeting": (
        frozenset({"type", "title", "participants", "place", "start", "duration"}),
        _COMMON | {"venue"},
    ),
    "signing": (
        frozenset({"type", "title", "signatories", "place", "at"}),
        _COMMON | {"venue", "obligations"},
    ),
    "fulfilment": (frozenset({"type", "agreement", "what", "after"}), _COMMON),
}
"""For each step type of a ``[[plan]]`` table: its required keys and its optional keys."""

_DISRUPTIONS: tuple[frozenset[str], frozenset[str]] = (
    frozenset(),
    frozenset({"departure", "overrun", "fulfilment", "cancel", "rebook", "risks", "correlated"}),
)
_RISK_KEYS: tuple[frozenset[str], frozenset[str]] = (
    frozenset({"name", "p", "delay", "steps"}),
    frozenset(),
)
_CORRELATED_KEYS: tuple[frozenset[str], frozenset[str]] = (frozenset({"steps", "rho"}), frozenset())
_RESOURCE_KEYS = (frozenset({"name"}), frozenset({"capacity"}))
_FAMILIES = ("fixed", "exponential", "lognormal", "empirical")
_DELAY_KEYS = {
    "fixed": frozenset(),
    "exponential": frozenset({"p"}),
    "lognormal": frozenset({"p", "sigma"}),
    "empirical": frozenset(),
}
_DELAY_EXPECTED = (
    "'none' or a table with one of fixed, exponential (and p), lognormal (and sigma, p) "
    "or empirical (an array of durations)"
)


_Keys: TypeAlias = tuple[frozenset[str], frozenset[str]]  # required, optional


class _Reader(Protocol):
    """How the plan's sections are read: the file reader's checks (see _read._Reader)."""

    def fail(self, key: str, found: str, expected: str) -> ScenarioError: ...

    def table(self, value: object, key: str, keys: _Keys) -> dict[str, Any]: ...

    def typed(
        self, value: object, key: str, kinds: Mapping[str, _Keys]
    ) -> tuple[str, dict[str, Any]]: ...

    def text(self, value: object, key: str) -> str: ...

    def names(self, value: object, key: str) -> tuple[str, ...]: ...

    def person(self, value: object, key: str) -> str: ...

    def place(self, value: object, key: str) -> Place: ...

    def time(self, value: object, key: str, place: Place | None) -> DateTime: ...

    def duration(self, value: object, key: str, *, zero: bool = False) -> timedelta: ...

    def obligations(
        self, spec: dict[str, Any], key: str, place: Place, signed: DateTime
    ) -> list[Obligation]: ...


def read_plan(
    reader: _Reader, value: object, title: str | None, rules: object = (), resources: object = ()
) -> Plan:
    """The plan in the ``plan`` array of tables, under the ``rules`` and ``resources`` ones."""
    if not isinstance(value, list):
        raise reader.fail("plan", show(value), "an array of tables ([[plan]])")
    if not isinstance(rules, list | tuple):
        raise reader.fail("rules", show(rules), "an array of tables ([[rules]])")
    if not isinstance(resources, list | tuple):
        raise reader.fail("resources", show(resources), "an array of tables ([[resources]])")
    steps = [_step(reader, spec, f"plan[{i}]") for i, spec in enumerate(value)]
    found = [_rule(reader, spec, f"rules[{i}]") for i, spec in enumerate(rules)]
    held = [_resource(reader, spec, f"resources[{i}]") for i, spec in enumerate(resources)]
    try:
        return Plan(steps, title, found, held)
    except ItineraryError as exc:
        where = "rules" if any(repr(rule) in str(exc) for rule in found) else "plan"
        raise reader.fail(where, str(exc), "steps that can all happen as written") from None


def _wall_text(reader: _Reader, value: object, key: str) -> str:
    if not isinstance(value, str):
        raise reader.fail(key, show(value), "a local wall time 'HH:MM'")
    return value


def _window(reader: _Reader, value: object, key: str) -> Window:
    spec = reader.table(value, key, _WINDOW_KEYS)
    then = spec.get("then", "wait")
    if then not in ("wait", "drop"):
        raise reader.fail(f"{key}.then", show(then), "'wait' or 'drop'")
    opens = _wall_text(reader, spec["opens"], f"{key}.opens")
    closes = _wall_text(reader, spec["closes"], f"{key}.closes")
    try:
        return Window(opens, closes, then=then)
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "a daily window such as 09:00 to 21:00") from None


def _rule(reader: _Reader, value: object, key: str) -> Rule:
    kind, spec = reader.typed(value, key, RULE_KEYS)
    try:
        if kind == "curfew":
            return Curfew(
                reader.place(spec["place"], f"{key}.place"),
                _wall_text(reader, spec["starts"], f"{key}.starts"),
                _wall_text(reader, spec["ends"], f"{key}.ends"),
            )
        if kind == "rest":
            who = _who(reader, spec["who"], f"{key}.who") if "who" in spec else None
            return Rest(
                _elapsed(reader, spec["after"], f"{key}.after"),
                _elapsed(reader, spec["rest"], f"{key}.rest"),
                who=who,
            )
        steps = spec["steps"]
        if not isinstance(steps, str | list):
            raise reader.fail(f"{key}.steps", show(steps), "an array of step names")
        return Drop(
            (reader.text(steps, f"{key}.steps"),)
            if isinstance(steps, str)
            else tuple(reader.text(s, f"{key}.steps[{i}]") for i, s in enumerate(steps)),
            when=reader.text(spec["when"], f"{key}.when"),
            late_by=_elapsed(reader, spec["late_by"], f"{key}.late_by"),
        )
    except ScenarioError:
        raise
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "a rule that can hold") from None


def _resource(reader: _Reader, value: object, key: str) -> Resource:
    spec = reader.table(value, key, _RESOURCE_KEYS)
    capacity = spec.get("capacity", 1)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise reader.fail(f"{key}.capacity", show(capacity), "a positive integer")
    return Resource(reader.text(spec["name"], f"{key}.name"), capacity)


def _step_names(reader: _Reader, value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise reader.fail(key, show(value), "a non-empty array of step names")
    return tuple(reader.text(name, f"{key}[{i}]") for i, name in enumerate(value))


def _step(reader: _Reader, value: object, key: str) -> Step:
    kind, spec = reader.typed(value, key, PLAN_KEYS)
    extra: dict[str, Any] = {}
    if "uses" in spec:
        uses = spec["uses"]
        if not isinstance(uses, list):
            raise reader.fail(f"{key}.uses", show(uses), "an array of resource names")
        extra["uses"] = tuple(reader.text(u, f"{key}.uses[{i}]") for i, u in enumerate(uses))
    if "priority" in spec:
        priority = spec["priority"]
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise reader.fail(f"{key}.priority", show(priority), "an integer")
        extra["priority"] = priority
    if "cancel" in spec:
        extra["cancel"] = _probability(reader, spec["cancel"], f"{key}.cancel")
    if "rebook" in spec:
        extra["rebook"] = _elapsed(reader, spec["rebook"], f"{key}.rebook", zero=False)
    if "name" in spec:
        extra["name"] = reader.text(spec["name"], f"{key}.name")
    if "delay" in spec:
        extra["delay"] = read_delay(reader, spec["delay"], f"{key}.delay")
    if "window" in spec:
        extra["window"] = _window(reader, spec["window"], f"{key}.window")
    try:
        return _BUILD[kind](reader, spec, key, extra)
    except ScenarioError:
        raise
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "values that describe a possible step") from None


def _elapsed(reader: _Reader, value: object, key: str, *, zero: bool = True) -> timedelta:
    """A duration of elapsed time (no months or years), checked at its own key path."""
    found = reader.duration(value, key, zero=zero)
    try:
        elapsed_micros(found, what=key)
    except ItineraryError as exc:
        raise reader.fail(
            key, duration_shown(value), f"elapsed time such as 'PT30M': {exc}"
        ) from None
    return found


def _empirical(reader: _Reader, items: list[object], key: str) -> list[int]:
    """An empirical delay's durations, in microseconds: 0.3 µs for a common ISO 8601 form.

    ``"PT30M"``, ``"P2DT3H"`` and the like take :func:`_time.iso_elapsed_micros`; anything
    else (a table of units, a duration it declines, one longer than a century) the full
    reader, with its error messages.
    """
    values = []
    fast = _time.iso_elapsed_micros
    for i, item in enumerate(items):
        us = fast(item) if isinstance(item, str) else None
        if us is None or us > LONGEST_DRAW:
            where = f"{key}[{i}]"
            us = elapsed_micros(_elapsed(reader, item, where), what=where)
        values.append(us)
    return values


def _who(reader: _Reader, value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (reader.person(value, key),)
    return reader.names(value, key)


def _travel(reader: _Reader, spec: dict[str, Any], key: str, extra: dict[str, Any]) -> Step:
    origin = reader.place(spec["from"], f"{key}.from")
    return Travel(
        _who(reader, spec["who"], f"{key}.who"),
        origin,
        reader.place(spec["to"], f"{key}.to"),
        reader.time(spec["depart"], f"{key}.depart", origin),
        _elapsed(reader, spec["duration"], f"{key}.duration"),
        **extra,
    )


def _meeting(reader: _Reader, spec: dict[str, Any], key: str, extra: dict[str, Any]) -> Step:
    place = reader.place(spec["place"], f"{key}.place")
    return Meeting(
        reader.text(spec["title"], f"{key}.title"),
        reader.names(spec["participants"], f"{key}.participants"),
        place,
        reader.time(spec["start"], f"{key}.start", place),
        _elapsed(reader, spec["duration"], f"{key}.duration"),
        venue=reader.text(spec["venue"], f"{key}.venue") if "venue" in spec else None,
        **extra,
    )


def _signing(reader: _Reader, spec: dict[str, Any], key: str, extra: dict[str, Any]) -> Step:
    place = reader.place(spec["place"], f"{key}.place")
    at = reader.time(spec["at"], f"{key}.at", place)
    return Signing(
        reader.text(spec["title"], f"{key}.title"),
        reader.names(spec["signatories"], f"{key}.signatories"),
        place,
        at,
        venue=reader.text(spec["venue"], f"{key}.venue") if "venue" in spec else None,
        obligations=reader.obligations(spec, key, place, at),
        **extra,
    )


def _fulfilment(reader: _Reader, spec: dict[str, Any], key: str, extra: dict[str, Any]) -> Step:
    return Fulfilment(
        reader.text(spec["agreement"], f"{key}.agreement"),
        reader.text(spec["what"], f"{key}.what"),
        reader.duration(spec["after"], f"{key}.after", zero=True),
        **extra,
    )


_BUILD = {"travel": _travel, "meeting": _meeting, "signing": _signing, "fulfilment": _fulfilment}


def _probability(reader: _Reader, value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise reader.fail(key, show(value), "a probability from 0 to 1")
    return float(value)


def read_delay(reader: _Reader, value: object, key: str) -> Delay:
    """A delay: ``"none"`` or a table naming its family."""
    if value == "none":
        return Delay.none()
    if not isinstance(value, dict):
        raise reader.fail(key, show(value), _DELAY_EXPECTED)
    families = [f for f in _FAMILIES if f in value]
    if len(families) != 1:
        found = f"{' and '.join(families)}" if families else show(value)
        raise reader.fail(key, found, _DELAY_EXPECTED)
    family = families[0]
    spec = reader.table(value, key, (frozenset({family}), _DELAY_KEYS[family]))
    where = f"{key}.{family}"
    p = _probability(reader, spec["p"], f"{key}.p") if "p" in spec else 1.0
    try:
        if family == "fixed":
            return Delay.fixed(_elapsed(reader, spec[family], where))
        if family == "exponential":
            return Delay.exponential(_elapsed(reader, spec[family], where, zero=False), p)
        if family == "lognormal":
            if "sigma" not in spec:
                raise reader.fail(f"{key}.sigma", "nothing (the key is missing)", "a number")
            sigma = spec["sigma"]
            if isinstance(sigma, bool) or not isinstance(sigma, int | float):
                raise reader.fail(f"{key}.sigma", show(sigma), "a number from 0 to 20")
            if not 0 <= sigma < 20:  # NaN fails this too
                raise reader.fail(f"{key}.sigma", show(sigma), "a number from 0 to 20")
            return Delay.lognormal(_elapsed(reader, spec[family], where, zero=False), sigma, p)
        items = spec[family]
        if not isinstance(items, list) or not items:
            raise reader.fail(where, show(items), "a non-empty array of durations")
        return Delay("empirical", tuple(_empirical(reader, items, where)))
    except ScenarioError:
        raise
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "a delay that can happen") from None


def _risk(reader: _Reader, value: object, key: str) -> Risk:
    spec = reader.table(value, key, _RISK_KEYS)
    try:
        return Risk(
            reader.text(spec["name"], f"{key}.name"),
            p=_probability(reader, spec["p"], f"{key}.p"),
            delay=read_delay(reader, spec["delay"], f"{key}.delay"),
            steps=_step_names(reader, spec["steps"], f"{key}.steps"),
        )
    except ScenarioError:
        raise
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "a risk that can happen") from None


def _correlated(reader: _Reader, value: object, key: str) -> Correlated:
    spec = reader.table(value, key, _CORRELATED_KEYS)
    rho = spec["rho"]
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not -1 <= rho <= 1:
        raise reader.fail(f"{key}.rho", show(rho), "a rank correlation from -1 to 1")
    try:
        return Correlated(_step_names(reader, spec["steps"], f"{key}.steps"), float(rho))
    except ScenarioError:
        raise
    except ItineraryError as exc:
        raise reader.fail(key, str(exc), "steps whose delays can be correlated") from None


def read_disruptions(reader: _Reader, value: object) -> Disruptions:
    """The ``[disruptions]`` table."""
    spec = reader.table(value, "disruptions", _DISRUPTIONS)
    fields: dict[str, Any] = {}
    for name in ("departure", "overrun", "fulfilment"):
        if name in spec:
            fields[name] = read_delay(reader, spec[name], f"disruptions.{name}")
    if "cancel" in spec:
        fields["cancel"] = _probability(reader, spec["cancel"], "disruptions.cancel")
    if "rebook" in spec:
        fields["rebook"] = _elapsed(reader, spec["rebook"], "disruptions.rebook", zero=False)
    for name in ("risks", "correlated"):
        if name in spec and not isinstance(spec[name], list):
            raise reader.fail(f"disruptions.{name}", show(spec[name]),
                              f"an array of tables ([[disruptions.{name}]])")  # fmt: skip
    fields["risks"] = [
        _risk(reader, item, f"disruptions.risks[{i}]")
        for i, item in enumerate(spec.get("risks", []))
    ]
    fields["correlated"] = [
        _correlated(reader, item, f"disruptions.correlated[{i}]")
        for i, item in enumerate(spec.get("correlated", []))
    ]
    try:
        return Disruptions(**fields)
    except ItineraryError as exc:
        raise reader.fail("disruptions", str(exc), "disruptions that can happen") from None


# --- writing -------------------------------------------------------------------------------


class _Names(Protocol):
    """How the writer names places and writes times and durations (see _write._Writer)."""

    def place(self, place: Place) -> str: ...

    def time(self, value: Any, place: Place | None) -> str: ...

    def duration(self, value: timedelta) -> str: ...


def plan_document(plan: Plan, names: _Names) -> list[dict[str, Any]]:
    """The plan as ``[[plan]]`` tables: read back, they give an equal plan."""
    return [_step_document(step, names) for step in plan.steps]


def _step_document(step: Step, names: _Names) -> dict[str, Any]:  # noqa: PLR0912 - a key each
    out: dict[str, Any]
    if isinstance(step, Travel):
        out = {
            "type": "travel",
            "who": step.who[0] if len(step.who) == 1 else list(step.who),
            "from": names.place(step.origin),
            "to": names.place(step.destination),
            "depart": names.time(step.depart, step.origin),
            "duration": names.duration(step.duration),
        }
    elif isinstance(step, Meeting):
        out = {
            "type": "meeting", "title": step.title, "participants": list(step.participants),
            "place": names.place(step.place), "start": names.time(step.start, step.place),
            "duration": names.duration(step.duration),
        }  # fmt: skip
        if step.venue is not None:
            out["venue"] = step.venue
    elif isinstance(step, Signing):
        out = {
            "type": "signing", "title": step.title, "signatories": list(step.signatories),
            "place": names.place(step.place), "at": names.time(step.at, step.place),
        }  # fmt: skip
        if step.venue is not None:
            out["venue"] = step.venue
        if step.obligations:
            out["obligations"] = [
                {"what": o.what, "within": names.duration(o.within)}
                if o.within is not None
                else {"what": o.what, "due": names.time(o.due, step.place)}
                for o in step.obligations
            ]
    else:
        out = {
            "type": "fulfilment", "agreement": step.agreement, "what": step.what,
            "after": names.duration(step.after),
        }  # fmt: skip
    if step.delay is not None:
        out["delay"] = delay_document(step.delay, names)
    if step.window is not None:
        out["window"] = {"opens": hhmm(step.window.opens), "closes": hhmm(step.window.closes)}
        if step.window.then != "wait":
            out["window"]["then"] = step.window.then
    if step.uses:
        out["uses"] = list(step.uses)
    if step.priority:
        out["priority"] = step.priority
    if isinstance(step, Travel) and step.cancel is not None:
        out["cancel"] = step.cancel
    if isinstance(step, Travel) and step.rebook is not None:
        out["rebook"] = names.duration(step.rebook)
    if step.name != default_name(step):
        out["name"] = step.name
    return out


def resources_document(plan: Plan) -> list[dict[str, Any]]:
    """The plan's resources as ``[[resources]]`` tables: read back, they give equal ones."""
    return [
        {"name": r.name} if r.capacity == 1 else {"name": r.name, "capacity": r.capacity}
        for r in plan.resources
    ]


def rules_document(plan: Plan, names: _Names) -> list[dict[str, Any]]:
    """The plan's rules as ``[[rules]]`` tables: read back, they give equal rules."""
    out: list[dict[str, Any]] = []
    for rule in plan.rules:
        if isinstance(rule, Curfew):
            out.append({"type": "curfew", "place": names.place(rule.place),
                        "starts": hhmm(rule.starts), "ends": hhmm(rule.ends)})  # fmt: skip
        elif isinstance(rule, Rest):
            spec: dict[str, Any] = {"type": "rest", "after": names.duration(rule.after),
                    "rest": names.duration(rule.rest)}  # fmt: skip
            if rule.who is not None:
                spec["who"] = list(rule.who)
            out.append(spec)
        else:
            out.append({"type": "drop", "steps": list(rule.steps), "when": rule.when,
                        "late_by": names.duration(rule.late_by)})  # fmt: skip
    return out


def delay_document(delay: Delay, names: _Names) -> str | dict[str, Any]:
    """A delay as ``"none"`` or a table naming its family."""
    kind = delay.kind
    if kind == "none":
        return "none"

    def text(us: float) -> str:
        return names.duration(timedelta(microseconds=int(us)))

    if kind == "empirical":
        return {"empirical": [text(us) for us in delay.params]}
    out: dict[str, Any] = {kind: text(delay.params[0])}
    if kind == "lognormal":
        out["sigma"] = delay.params[1]
    if kind != "fixed" and delay.p != 1.0:
        out["p"] = delay.p
    return out


def disruptions_document(disruptions: Disruptions, names: _Names) -> dict[str, Any]:
    """The ``[disruptions]`` table: every field, so the file says all it assumes."""
    out: dict[str, Any] = {
        "departure": delay_document(disruptions.departure, names),
        "overrun": delay_document(disruptions.overrun, names),
        "fulfilment": delay_document(disruptions.fulfilment, names),
        "cancel": disruptions.cancel,
        "rebook": names.duration(disruptions.rebook),
    }
    if disruptions.risks:
        out["risks"] = [
            {"name": r.name, "p": r.p, "delay": delay_document(r.delay, names),
             "steps": list(r.steps)}
            for r in disruptions.risks
        ]  # fmt: skip
    if disruptions.correlated:
        out["correlated"] = [{"steps": list(c.steps), "rho": c.rho} for c in disruptions.correlated]
    return out
