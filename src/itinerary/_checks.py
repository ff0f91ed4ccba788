"""Field checks shared by frozen values (events, plan steps): one set, raising each one's error.

An event that cannot describe a fact raises :class:`~itinerary.errors.InvalidEventError`; a
plan step that cannot happen raises :class:`~itinerary.errors.InvalidPlanError`. Both check
their fields alike, so the checks live here once, made for an error class and a way of naming
the value in messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs
from pendulum import DateTime

from itinerary import _time
from itinerary.errors import ItineraryError, LocalTimeError, NaiveDatetimeError
from itinerary.places import Place

__all__ = ["Checks", "names_tuple"]


def names_tuple(value: object) -> tuple[str, ...]:
    """People's names as a tuple: one name on its own is a tuple of one, not of letters."""
    if isinstance(value, str):  # a lone name would otherwise become a tuple of letters
        return (value,)
    if isinstance(value, set | frozenset):  # no order of its own: sorted, so runs repeat
        return tuple(sorted(value, key=repr))
    return tuple(value) if isinstance(value, Iterable) else value  # type: ignore[return-value]


class Checks:
    """attrs validators and converters that raise *error*, naming the value by *label*."""

    def __init__(self, error: type[ItineraryError], label: Callable[[object], str]) -> None:
        self.error = error
        self.label = label
        self.instant = attrs.Converter(self._instant, takes_self=True, takes_field=True)
        self.optional_instant = attrs.Converter(
            self._optional_instant, takes_self=True, takes_field=True
        )

    def _instant(self, value: Any, instance: object, field: attrs.Attribute[Any]) -> DateTime:
        if type(value) is DateTime and value.tzinfo is not None:  # the common case, kept cheap
            us = _time.micros(value)
            if _time.FIRST_INSTANT_US <= us <= _time.LAST_INSTANT_US:
                return value
        try:
            return _time.instant(value, what=f"{self.label(instance)}: {field.name}")
        except (NaiveDatetimeError, LocalTimeError) as exc:  # naive, or out of range
            raise self.error(str(exc)) from None

    def _optional_instant(
        self, value: Any, instance: object, field: attrs.Attribute[Any]
    ) -> DateTime | None:
        return None if value is None else self._instant(value, instance, field)

    def text(self, instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """A non-empty string."""
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                f"{self.label(instance)}: {attribute.name} must be a non-empty string, "
                f"got {value!r}"
            )

    def optional_text(
        self, instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        """None, or a non-empty string."""
        if value is not None:
            self.text(instance, attribute, value)

    def place(self, instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """A :class:`~itinerary.places.Place`."""
        if not isinstance(value, Place):
            raise self.error(
                f"{self.label(instance)}: {attribute.name} must be a Place (e.g. "
                f"itinerary.places.TOKYO), got {type(value).__name__} {value!r}"
            )

    def optional_place(
        self, instance: object, attribute: attrs.Attribute[Any], value: object
    ) -> None:
        """None, or a :class:`~itinerary.places.Place`."""
        if value is not None:
            self.place(instance, attribute, value)

    def people(self, instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        """A non-empty tuple of distinct, non-empty names."""
        label = self.label(instance)
        if not isinstance(value, tuple) or not value:
            raise self.error(
                f"{label}: {attribute.name} must name at least one person, got {value!r}"
            )
        for name in value:
            if not isinstance(name, str) or not name.strip():
                raise self.error(
                    f"{label}: every one of {attribute.name} must be a non-empty name, got {name!r}"
                )
        if len(set(value)) != len(value):
            raise self.error(f"{label}: {attribute.name} names someone twice")
