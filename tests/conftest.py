"""Hypothesis profiles: "dev" (the default) is quick and random, "ci" tries harder.

"ci" is derandomized, so a CI run is reproducible: a failure there fails again on rerun, and
new counterexamples are found by the random "dev" runs, then kept as ``@example``s.
Choose one with ``HYPOTHESIS_PROFILE=ci``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The PostgreSQL server fixtures (a server the tests start themselves, a log per test).
from tests.pg_server import postgres_server, postgres_url  # noqa: E402, F401
