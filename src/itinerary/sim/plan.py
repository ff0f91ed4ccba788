"""A plan: steps that can all happen as written, as one immutable value.

A plan is checked when it is built: nobody is in two steps at once, everyone travels from
where they are and meets where they have arrived, no leg is faster than an airliner, and
every fulfilment names an obligation of a signing in the plan. What-if branches are new
plans made with :meth:`Plan.replace`, :meth:`Plan.without` and :meth:`Plan.with_`.

>>> import pendulum
>>> from itinerary.places import TOKYO
>>> from itinerary.sim import Meeting
>>> plan = Plan([Meeting("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 10:00"),
...                      pendulum.duration(hours=1))])
>>> plan.names
('Summit',)
>>> plan.with_(Meeting("Lunch", "A", TOKYO, TOKYO.at("2025-10-28 10:30"),
...                    pendulum.duration(hours=1)))
Traceback (most recent call last):
...
itinerary.errors.InvalidPlanError: A is in two steps at once: 'Summit' (2025-10-28 10:00 +09:00 to 11:00 +09:00) and 'Lunch' (from 2025-10-28 10:30 +09:00)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar, cast

import attrs

from itinerary import _time
from itinerary._table import Table
from itinerary._text import format_duration, text_ref
from itinerary.errors import InvalidPlanError
from itinerary.events import format_local
from itinerary.places import MAX_GROUND_SPEED_KMH, Place, faster_than_airliner, great_circle_km
from itinerary.sim.delays import elapsed_micros, format_micros
from itinerary.sim.resources import Resource, resources_tuple
from itinerary.sim.rules import Drop, Rule, rules_tuple
from itinerary.sim.steps import (
    STEP_TYPES,
    Fulfilment,
    Meeting,
    Signing,
    Step,
    Travel,
    default_name,
)

__all__ = ["Plan"]

_T = TypeVar("_T")
_MEMO_KEPT = 8  # values a plan's memo keeps, newest last
_MISSING = object()


def _steps(value: object) -> object:
    if isinstance(value, STEP_TYPES):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) and not isinstance(value, str) else value


def _optional_title(_: Plan, __: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidPlanError(f"Plan.title must be a non-empty string or None, got {value!r}")


def start_micros(step: Travel | Meeting | Signing) -> int:
    """The planned start of *step* in microseconds since the epoch."""
    return _time.micros(step.start)


def end_micros(step: Travel | Meeting | Signing) -> int:
    """The planned end of *step*: arrival, the meeting's end, or the signing itself."""
    if isinstance(step, Signing):
        return _time.micros(step.at)
    return _time.micros(step.start) + elapsed_micros(step.duration, what=step.name)


def _where(step: Travel | Meeting | Signing) -> Place:
    return step.origin if isinstance(step, Travel) else step.place


def _span(step: Travel | Meeting | Signing) -> str:
    place = _where(step)
    start = format_local(step.start, place)
    if isinstance(step, Signing):
        return f"at {start}"
    end_place = step.destination if isinstance(step, Travel) else place
    end = format_local(_time.from_micros(end_micros(step), end_place.tz), end_place)
    same_day = end[:10] == start[:10]
    return f"{start} to {end[11:] if same_day else end}"


def plan_table(plan: Plan) -> Table:
    """A plan's steps in its order: name, kind, who, where, when (planned, local)."""
    rows = []
    for step in plan.steps:
        if isinstance(step, Fulfilment):
            rows.append(
                (
                    step.name,
                    step.kind,
                    "",
                    "",
                    f"{format_duration(step.after)} after {step.agreement!r}",
                )
            )
            continue
        where = (
            f"{step.origin.name} -> {step.destination.name}"
            if isinstance(step, Travel)
            else step.place.name
        )
        rows.append((step.name, step.kind, ", ".join(step.people), where, _span(step)))
    title = f"Plan {plan.title!r}" if plan.title else "Plan"
    return Table(
        f"{title}: {len(plan)} step{'s' if len(plan) != 1 else ''}",
        ("step", "kind", "who", "where", "when (planned, local)"),
        rows,
        empty="(no steps)",
    )


@attrs.frozen
class Plan:
    """Steps meant to happen, checked to be possible together; immutable.

    Args:
        steps: :class:`Travel`, :class:`Meeting`, :class:`Signing` and :class:`Fulfilment`
            values, in any order; their names must be unique.
        title: What the plan is for, if you like.
        rules: :class:`~itinerary.sim.Curfew`, :class:`~itinerary.sim.Rest` and
            :class:`~itinerary.sim.Drop` rules the plan runs under (any iterable, kept as a
            tuple). A plan whose planned times break a rule is valid: the rule holds the step
            when it runs.
        resources: :class:`~itinerary.sim.Resource` values its steps hold (``uses=``); any
            iterable, kept as a tuple. Planned times that overlap on a resource are valid:
            the later step waits for it when the plan runs.

    Raises:
        InvalidPlanError: naming the steps that cannot all happen as written.

    """

    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    title: str | None = attrs.field(default=None, validator=_optional_title)
    rules: tuple[Rule, ...] = attrs.field(default=(), converter=rules_tuple)
    resources: tuple[Resource, ...] = attrs.field(default=(), converter=resources_tuple)
    _by_name: dict[str, Step] = attrs.field(init=False, repr=False, eq=False)
    # What memo() keeps: no part of the plan's value, not pickled.
    _memo: dict[Hashable, Any] = attrs.field(init=False, repr=False, eq=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Step] = {}
        if not isinstance(self.steps, tuple):
            raise InvalidPlanError(f"Plan.steps must be a list of steps, got {self.steps!r}")
        for position, step in enumerate(self.steps):
            if not isinstance(step, STEP_TYPES):
                raise InvalidPlanError(
                    f"Plan.steps[{position}] is a {type(step).__name__}, not a step "
                    f"(Travel, Meeting, Signing or Fulfilment): {step!r}"
                )
            if step.name in by_name:
                raise InvalidPlanError(
                    f"two steps are named {step.name!r}; give one of them name=... to tell "
                    "them apart"
                )
            by_name[step.name] = step
        object.__setattr__(self, "_by_name", by_name)
        _check_agreements(self.steps)
        _check_people(self.steps)
        _check_rules(self.steps, self.rules, by_name)
        _check_uses(self.steps, self.resources)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "steps": self.steps, "title": self.title, "rules": self.rules,
            "resources": self.resources, "_by_name": self._by_name,
        }  # fmt: skip

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_memo", {})

    def __len__(self) -> int:
        return len(self.steps)

    def memo(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """What ``make()`` returns, made once per *key* and kept with the plan.

        A plan is immutable, so what is derived from it and *key* never changes: the
        simulator keeps here the plan compiled against each :class:`~itinerary.sim.Disruptions` it runs
        under, so that ``simulate()`` compiles a plan once, not once a run. The plan keeps
        the values of its last eight keys only (a sweep over many disruptions does not
        hold them all); they are no part of its value (equality, hash, repr), and a pickled
        plan leaves them behind.
        """
        memo = self._memo
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            if len(memo) >= _MEMO_KEPT:
                memo.pop(next(iter(memo)), None)  # the oldest
            found = memo.setdefault(key, make())
        return cast("_T", found)

    def __repr__(self) -> str:
        title = f"{text_ref(self.title)}, " if self.title is not None else ""
        names = [text_ref(n) for n in self.names[:3]]
        if len(self) > 3:
            names.append(f"+{len(self) - 3} more")
        return f"Plan({title}{len(self)} steps: {', '.join(names)})"

    def __str__(self) -> str:
        return plan_table(self).text()

    def _repr_html_(self) -> str:
        return plan_table(self).html()

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Step:
        """The step called *name*; :class:`InvalidPlanError` naming the known steps if none is."""
        if not isinstance(name, str):
            raise InvalidPlanError(f"a step's name is a string, got {type(name).__name__} {name!r}")
        try:
            return self._by_name[name]
        except KeyError:
            raise InvalidPlanError(
                f"no step called {name!r} in the plan; its steps are: "
                f"{', '.join(map(repr, self._by_name))}"
            ) from None

    @property
    def names(self) -> tuple[str, ...]:
        """The steps' names, in the plan's order."""
        return tuple(self._by_name)

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone the plan moves or seats, in order of first appearance."""
        return tuple(dict.fromkeys(p for step in self.steps for p in step.people))

    def replace(self, name: str, step: Step) -> Plan:
        """A new plan with the step called *name* replaced by *step*.

        *step* keeps the old name unless it was given one of its own, so it draws the same
        delays as the step it replaces (common random numbers). (A name given that equals
        the default one counts as not given.)
        """
        self[name]
        if not isinstance(step, STEP_TYPES):
            raise InvalidPlanError(
                f"replace({name!r}, ...) needs a step (Travel, Meeting, Signing or Fulfilment), "
                f"got {type(step).__name__} {step!r}"
            )
        if step.name != name and step.name == default_name(step):
            step = attrs.evolve(step, name=name)
        return Plan(
            tuple(step if s.name == name else s for s in self.steps),
            self.title,
            self.rules,
            self.resources,
        )

    def without(self, name: str) -> Plan:
        """A new plan without the step called *name*."""
        self[name]
        return Plan(
            tuple(s for s in self.steps if s.name != name), self.title, self.rules, self.resources
        )

    def with_(self, step: Step) -> Plan:
        """A new plan with *step* added."""
        return Plan((*self.steps, step), self.title, self.rules, self.resources)


def order_key(steps: tuple[Step, ...]) -> dict[str, tuple[int, int, int]]:
    """Each step's place in the simulator's order: by planned start, the fulfilments last."""
    return {
        s.name: (1, 0, i) if isinstance(s, Fulfilment) else (0, start_micros(s), i)
        for i, s in enumerate(steps)
    }


def _check_rules(
    steps: tuple[Step, ...], rules: tuple[Rule, ...], by_name: dict[str, Step]
) -> None:
    """Every Drop names steps of the plan, decided before them, and leaves a possible plan."""
    order = order_key(steps)
    removable: list[tuple[str, frozenset[str]]] = [
        (f"{s.name!r} (its window drops it)", frozenset((s.name,)))
        for s in steps
        if s.window is not None and s.window.then == "drop"
    ]
    for rule in rules:
        if not isinstance(rule, Drop):
            continue
        for name in (rule.when, *rule.steps):
            if name not in by_name:
                raise InvalidPlanError(f"{rule!r} names {name!r}, which is no step of the plan")
        if rule.when in rule.steps:
            raise InvalidPlanError(f"{rule!r} drops the step it is decided on, {rule.when!r}")
        early = [n for n in rule.steps if order[n] < order[rule.when]]
        if early:
            raise InvalidPlanError(
                f"{rule!r}: {', '.join(map(repr, early))} would start before {rule.when!r}, "
                "so it cannot wait for that decision"
            )
        removable.append((repr(rule), frozenset(rule.steps)))
    sets = [removable[:k] for k in range(1, len(removable) + 1)] + [[r] for r in removable]
    for chosen in sets:
        gone = frozenset().union(*(names for _, names in chosen))
        left = tuple(s for s in steps if s.name not in gone)
        try:
            _check_agreements(left)
            _check_people(left)
        except InvalidPlanError as exc:
            what = " and ".join(label for label, _ in chosen)
            raise InvalidPlanError(
                f"{what} would leave the plan impossible without "
                f"{', '.join(map(repr, sorted(gone)))}: {exc}"
            ) from None


def _check_uses(steps: tuple[Step, ...], resources: tuple[Resource, ...]) -> None:
    """Every resource a step uses is one of the plan's."""
    known = {r.name for r in resources}
    for step in steps:
        for name in step.uses:
            if name not in known:
                listed = ", ".join(map(repr, sorted(known))) or "none"
                raise InvalidPlanError(
                    f"{step.name!r} uses {name!r}, which is no resource of the plan "
                    f"(resources: {listed}); give Plan(..., resources=[Resource({name!r})])"
                )


def _check_agreements(steps: tuple[Step, ...]) -> None:
    signings: dict[str, Signing] = {}
    for step in steps:
        if isinstance(step, Signing):
            if step.title in signings:
                raise InvalidPlanError(
                    f"two signings of one agreement, {step.title!r}: {signings[step.title].name!r}"
                    f" and {step.name!r}; an agreement is signed once"
                )
            signings[step.title] = step
    met: dict[tuple[str, str], str] = {}
    for step in steps:
        if not isinstance(step, Fulfilment):
            continue
        signing = signings.get(step.agreement)
        if signing is None:
            known = ", ".join(map(repr, signings)) or "none"
            raise InvalidPlanError(
                f"{step.name!r} fulfils an obligation of {step.agreement!r}, which no signing "
                f"in the plan signs (signings: {known})"
            )
        if step.what not in {o.what for o in signing.obligations}:
            listed = ", ".join(repr(o.what) for o in signing.obligations) or "none"
            raise InvalidPlanError(
                f"{step.name!r}: {step.agreement!r} lists no obligation {step.what!r} "
                f"(it lists: {listed})"
            )
        key = (step.agreement, step.what)
        if key in met:
            raise InvalidPlanError(
                f"{met[key]!r} and {step.name!r} both fulfil {step.what!r} of {step.agreement!r}"
            )
        met[key] = step.name


def _check_people(steps: tuple[Step, ...]) -> None:
    """Per person, in planned order: no overlap, no teleporting, no leg too fast."""
    order = {id(step): i for i, step in enumerate(steps)}
    by_person: dict[str, list[Travel | Meeting | Signing]] = {}
    for step in steps:
        if isinstance(step, Fulfilment):
            continue
        if isinstance(step, Travel):
            _check_speed(step)
        for person in step.people:
            by_person.setdefault(person, []).append(step)
    for person, own in by_person.items():
        own.sort(key=lambda s: (start_micros(s), order[id(s)]))
        here: Place | None = None
        previous: Travel | Meeting | Signing | None = None
        for step in own:
            if previous is not None and start_micros(step) < end_micros(previous):
                raise InvalidPlanError(
                    f"{person} is in two steps at once: {previous.name!r} ({_span(previous)}) "
                    f"and {step.name!r} (from {format_local(step.start, _where(step))})"
                )
            if here is not None and _where(step) != here:
                assert previous is not None
                verb = "departs from" if isinstance(step, Travel) else "is at"
                raise InvalidPlanError(
                    f"{step.name!r} {verb} {_where(step).name}, but {person} is in {here.name} "
                    f"after {previous.name!r}"
                )
            here = step.destination if isinstance(step, Travel) else step.place
            previous = step


def _check_speed(step: Travel) -> None:
    km = great_circle_km(step.origin, step.destination)
    if not km:
        return
    elapsed = elapsed_micros(step.duration, what=step.name)
    if not faster_than_airliner(km, elapsed):
        return
    raise InvalidPlanError(
        f"{step.name!r}: {km:,.0f} km in {format_micros(elapsed)} is faster than any airliner ({MAX_GROUND_SPEED_KMH:,.0f} km/h)"
    )
