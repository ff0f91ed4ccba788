"""The Asia-tour example runs and says what its facts (examples/asia_tour_2025_facts.md) say."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parent.parent / "examples" / "asia_tour_2025.py"


def test_the_example_prints_the_tour_report() -> None:
    """Running the example prints the agenda, whereabouts, agreements and the deadline."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=120
    )
    out = done.stdout
    assert "Sunday 26 October 2025" in out
    assert "U.S.-Japan summit (Donald Trump, Sanae Takaichi) at Akasaka State Guest House" in out
    assert "in transit from Kuala Lumpur to Tokyo" in out
    assert "due 2026-04-28 12:00 +09:00 (Tokyo)  pending" in out
    assert "due 2026-04-28 12:00 +09:00 (Tokyo)  overdue" in out
    assert done.stderr == ""


def test_the_example_simulates_the_plan() -> None:
    """The simulation half: the two-hour late leg delays the Emperor's meeting by 30 minutes."""
    module = runpy.run_path(str(EXAMPLE))
    text = module["simulation"](runs=300)
    assert "Meeting with the Emperor                 30 min" in text
    assert "(because of Donald Trump: Kuala Lumpur -> Tokyo)" in text
    assert "U.S.-Japan summit" not in text.split("300 runs")[0]  # it does not slip
    assert "300 runs, seed 7" in text
    assert "select projects and finance them" in text
    assert "tour ends" in text
    causes = text.split("What causes the tour's lateness")[1]
    assert "Risk: Typhoon over the Korea Strait" in causes  # the register's weather risk
    scenario = module["load_scenario"](module["PLAN"])
    outcomes = module["monte_carlo"](scenario.plan, scenario.disruptions, runs=300, seed=7)
    assert "Resource: Marine One" in outcomes.criticality("Scott Bessent: Tokyo -> Yokosuka")


def test_the_tour_replays_to_the_seed_texts_facts() -> None:
    """After the Tokyo signings Trump is in Tokyo, two agreements are signed, one obligation pends."""
    module = runpy.run_path(str(EXAMPLE))
    log = module["tour"]()
    tokyo = module["TOKYO"]
    state = module["replay"](log, as_of=tokyo.at("2025-10-28 12:30"))
    assert state.where("Donald Trump").place == tokyo
    assert [a.title for a in state.agreements] == [
        "Critical minerals and rare earths framework",
        "U.S.-Japan trade agreement",
    ]
    (pending,) = state.pending()
    assert pending.due.isoformat() == "2026-04-28T12:00:00+09:00"
    final = module["replay"](log)
    assert final.where("Donald Trump").place.name == "Gyeongju"


def test_the_example_suggests_times_for_the_xi_meeting() -> None:
    """The suggestion: three times on 30 October, each starting late no more often than the next."""
    module = runpy.run_path(str(EXAMPLE))
    text = module["suggestion"](runs=200)
    lines = [line for line in text.splitlines() if line.startswith("  ")]
    assert len(lines) == 3
    assert all("2025-10-30" in line and "+09:00" in line for line in lines)
    assert "21 times on 30 October" in text
    shares = [float(line.split("starts late in ")[1].split("%")[0]) for line in lines]
    assert shares == sorted(shares)
