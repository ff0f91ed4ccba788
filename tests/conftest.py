"""Hypothesis profiles: "dev" (the default) is quick, "ci" tries harder.

Both are random: each run draws a seed and prints it in the header (the root conftest.py),
so a failure found in CI is replayed with ``--hypothesis-seed=N``, then kept as an
``@example``. Choose one with ``HYPOTHESIS_PROFILE=ci``.
"""

import os

from hypothesis import HealthCheck, settings

# Neither profile lets a slow machine fail a test: no deadline, and no health check for slow
# data generation (a loaded CI machine, or the suite run beside other work, trips it).
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The PostgreSQL server fixtures (a server the tests start themselves, a log per test).
from tests.pg_server import postgres_server, postgres_url  # noqa: E402, F401
