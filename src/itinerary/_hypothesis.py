"""Hypothesis plugin: registers strategies for itinerary's types with ``st.from_type``.

Hypothesis calls :func:`_register` through the ``hypothesis`` entry point when it is
imported, so ``st.from_type(EventLog)`` works in any test once both are installed;
importing :mod:`itinerary.strategies` registers them too (on its own: it does not import this
module). The strategies module itself is imported only when a test first asks for one of
these types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from itinerary.log import EventLog
    from itinerary.places import Place


def _event_logs(_: type[EventLog]) -> SearchStrategy[EventLog]:
    from itinerary.strategies import event_logs  # noqa: PLC0415 - only when asked for

    return event_logs()


def _places(_: type[Place]) -> SearchStrategy[Place]:
    from itinerary.strategies import places  # noqa: PLC0415 - only when asked for

    return places()


def _register() -> None:
    """Register :func:`~itinerary.strategies.event_logs` and ``places`` for ``st.from_type``."""
    from hypothesis import strategies as st  # noqa: PLC0415 - hypothesis is optional

    from itinerary.log import EventLog  # noqa: PLC0415 - keep `import hypothesis` light
    from itinerary.places import Place  # noqa: PLC0415

    st.register_type_strategy(EventLog, _event_logs)
    st.register_type_strategy(Place, _places)
