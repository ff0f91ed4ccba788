"""The suggest benchmark runs, in a small size: structure only, no time is compared."""

from benchmarks.suggest_search import CANDIDATES, measure


def test_a_small_search_scores_feasible_plans_and_counts_them() -> None:
    """One flexible meeting: its combinations are its candidates, and some plans are scored."""
    figures = measure(steps=1, runs=10, limit=3)
    assert figures.combinations == CANDIDATES
    assert 1 <= figures.scored <= 3
    assert figures.seconds > 0
    assert figures.solver_seconds > 0
