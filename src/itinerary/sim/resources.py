"""Resources: things steps hold while they happen, shared by several people's steps.

A :class:`Resource` is a helicopter, a fleet of motorcades, an interpreter team: at most
``capacity`` steps hold it at once. A step names the resources it holds with ``uses=``;
the plan lists them with ``Plan(..., resources=...)``. A resource is not a person: it
never appears in a log, whereabouts, agendas or ``check()``.

>>> Resource("Marine One")
Resource(name='Marine One', capacity=1)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from itinerary.errors import InvalidPlanError

__all__ = ["CAPACITY_LIMIT", "Resource", "resources_tuple"]


def _name(_: Resource, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidPlanError(f"Resource.name must be a non-empty string, got {value!r}")


CAPACITY_LIMIT = 2**31
"""The most units a :class:`Resource` may have (more than any plan has steps to use them)."""


def _capacity(instance: Resource, _: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= CAPACITY_LIMIT:
        raise InvalidPlanError(
            f"Resource({instance.name!r}).capacity must be a whole number from 1 to 2**31, "
            f"got {value!r}"
        )


@attrs.frozen
class Resource:
    """Something at most *capacity* steps hold at once, each for its whole length.

    Steps that need it take it first come, first served by the time they are ready (their
    planned start, or later when their people are free, plus their own delay), ties in the
    plan's order; among steps that are ready, a higher ``priority=`` goes first. A step
    that waits for it starts late, and blame names it: ``"Resource: Marine One"``.
    """

    name: str = attrs.field(validator=_name)
    capacity: int = attrs.field(default=1, validator=_capacity)

    @property
    def label(self) -> str:
        """The name blame gives it, such as ``"Resource: Marine One"``."""
        return f"Resource: {self.name}"


def resources_tuple(value: object) -> tuple[Resource, ...]:
    """A plan's resources as a tuple, each a :class:`Resource` with a name of its own."""
    if isinstance(value, Resource):
        value = (value,)
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidPlanError(f"Plan.resources must be a list of Resource, got {value!r}")
    found = tuple(value)
    names: set[str] = set()
    for k, resource in enumerate(found):
        if not isinstance(resource, Resource):
            raise InvalidPlanError(
                f"Plan.resources[{k}] is a {type(resource).__name__}, not a Resource: {resource!r}"
            )
        if resource.name in names:
            raise InvalidPlanError(f"two resources are named {resource.name!r}")
        names.add(resource.name)
    return found
