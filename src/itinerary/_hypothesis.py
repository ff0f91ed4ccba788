"""Hypothesis plugin: registers strategies for itinerary's types with ``st.from_type``.

Hypothesis calls :func:`_register` through the ``hypothesis`` entry point when it is
imported, so ``st.from_type(EventLog)`` works in any test once both are installed.
"""


def _register() -> None:
    """Register the strategies (filled in by the strategies module once it exists)."""
