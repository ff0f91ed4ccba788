"""The October 2025 Asia tour: Kuala Lumpur, then Tokyo, then South Korea.

The facts are listed, numbered and in our own words, in ``asia_tour_2025_facts.md``. Their
source gives dates but few clock times: every time marked ``# assumed`` in
``asia_tour_2025.toml`` (the scenario this script loads) is ours, not the source's.

The second half simulates the tour's plan (``asia_tour_2025_plan.toml``, every time and
delay in it assumed): what slips if Air Force One leaves Kuala Lumpur two hours late, and
the risk table of 10,000 runs. Last, it suggests when on 30 October to hold the meeting with
Xi Jinping (the ``solve`` extra, OR-Tools, finds the times that keep every rule).

Run it with ``python examples/asia_tour_2025.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import attrs
import pendulum

from itinerary import EventLog, replay
from itinerary.agenda import agenda, format_agenda
from itinerary.display import format_duration
from itinerary.errors import MissingExtraError
from itinerary.events import format_local
from itinerary.places import GYEONGJU, KUALA_LUMPUR, TOKYO
from itinerary.scenarios import load_scenario
from itinerary.sim import Between, Delay, Outcomes, monte_carlo, simulate, suggest

TRUMP = "Donald Trump"
TAKAICHI = "Sanae Takaichi"
NARUHITO = "Emperor Naruhito"
AKASAKA = "Akasaka State Guest House"
SCENARIO = Path(__file__).with_name("asia_tour_2025.toml")
PLAN = Path(__file__).with_name("asia_tour_2025_plan.toml")
LEG = "Donald Trump: Kuala Lumpur -> Tokyo"
XI = "Meeting with Xi Jinping"


def tour() -> EventLog:
    """The tour as an event log, in the order the text tells it (from the TOML scenario)."""
    return load_scenario(SCENARIO).log


def report(log: EventLog) -> str:
    """The agenda, whereabouts at chosen instants, agreements and deadlines, as text."""
    out = ["Agenda (each place's local time)", "", format_agenda(agenda(log)), ""]
    out.append("Whereabouts")
    instants = [
        ("2025-10-26 15:00 in Kuala Lumpur", KUALA_LUMPUR.at("2025-10-26 15:00")),
        ("2025-10-27 13:00 in Tokyo", TOKYO.at("2025-10-27 13:00")),
        ("2025-10-28 12:30 in Tokyo", TOKYO.at("2025-10-28 12:30")),
        ("2025-10-29 14:00 in Gyeongju", GYEONGJU.at("2025-10-29 14:00")),
    ]
    for label, instant in instants:
        state = replay(log, as_of=instant)
        for who in (TRUMP, TAKAICHI):
            where = state.where(who)
            if where.place is not None:
                since = format_local(where.since, where.place) if where.since else "?"
                text = f"in {where.place.name} (since {since})"
            elif where.in_transit:
                bound = where.destination.name if where.destination else "unknown"
                text = f"in transit from {where.origin.name} to {bound}"  # type: ignore[union-attr]
            else:
                text = "not known yet"
            out.append(f"  {label:<30} {who:<15} {text}")
    final = replay(log)
    out += ["", f"Agreements signed (as of {format_local(final.as_of, TOKYO)} Tokyo time)"]
    for signing in final.agreements:
        venue = f", {signing.venue}" if signing.venue else ""
        out.append(
            f"  {format_local(signing.at, signing.place)}  {signing.title} "
            f"({' and '.join(signing.signatories)}; {signing.place.name}{venue})"
        )
    for label, state in (
        ("Pending deadlines at the end of the tour", final),
        ("Deadlines as of 2026-05-01 09:00 Tokyo time", replay(log, TOKYO.at("2026-05-01 09:00"))),
    ):
        out += ["", label]
        for deadline in state.deadlines:
            if label.startswith("Pending") and deadline.status != "pending":
                continue
            out.append(
                f"  due {format_local(deadline.due, deadline.place)} ({deadline.place.name})  "
                f"{deadline.status:<8} {deadline.agreement}: {deadline.what}"
            )
    return "\n".join(out)


def simulation(runs: int = 10_000, seed: int = 7) -> str:
    """What-if and risk: the tour's plan under its assumed disruptions, as text."""
    scenario = load_scenario(PLAN)
    plan, disruptions = scenario.plan, scenario.disruptions
    assert plan is not None
    assert disruptions is not None
    out = ["Simulation of the plan (times and delays assumed)", ""]
    late = plan.replace(LEG, attrs.evolve(plan[LEG], delay=Delay.fixed(pendulum.duration(hours=2))))
    run = simulate(late)
    out.append("If Air Force One leaves Kuala Lumpur two hours late, what slips:")
    for name, slip in run.slips().items():
        if slip:
            cause = run.cause(name)
            why = "" if cause in (None, name) else f"  (because of {cause})"
            out.append(f"  {name:<40} {format_duration(slip):<12}{why}".rstrip())
    nine = plan.replace(LEG, attrs.evolve(plan[LEG], delay=Delay.fixed(pendulum.duration(hours=9))))
    run = simulate(nine)
    out += ["", "If it leaves nine hours late (lands after 01:00 in Tokyo):"]
    for name in plan.names:
        if name in run.dropped:
            out.append(f"  {name:<40} dropped ({run.rule(name)})")
        elif run.held(name):
            out.append(
                f"  {name:<40} {format_local(run.start(name), None)}  (held by {run.rule(name)})"
            )
    outcomes = monte_carlo(plan, disruptions, runs=runs, seed=seed)
    tour = [step.name for step in plan.steps if step.kind != "fulfilment"]  # the days on tour
    out += ["", str(outcomes), "", *top_causes(outcomes, tour)]  # the risk report, its causes
    return "\n".join(out)


def suggestion(runs: int = 2000, seed: int = 7) -> str:
    """When to hold the Xi meeting on 30 October: the three least risky times that keep every rule.

    Needs the solve extra (``pip install "itinerary[solve]"``, OR-Tools).
    """
    scenario = load_scenario(PLAN)
    assert scenario.plan is not None
    every_half_hour = Between(
        GYEONGJU.at("2025-10-30 08:00"), GYEONGJU.at("2025-10-30 18:00"),
        every=pendulum.duration(minutes=30),
    )  # fmt: skip
    found = suggest(
        scenario.plan, {XI: every_half_hour}, scenario.disruptions, runs=runs, seed=seed, top=3,
        objective=lambda outcomes: outcomes.p_late(XI),
    )  # fmt: skip
    out = [
        f"When to meet Xi Jinping (assumed plan): {found.scored} times on 30 October keep "
        "every rule; the three least likely to start late:"
    ]
    for rank, s in enumerate(found, 1):
        (change,) = s.changes or (None,)
        when = format_local(change.new, None) if change else "as planned (11:00)"
        versus = "" if rank == 1 else f", {s.difference:+.1%} vs #1 (paired SE {s.se:.1%})"
        out.append(f"  {rank}. {when}: starts late in {s.score:.1%} of {runs:,} runs{versus}")
    return "\n".join(out)


def top_causes(outcomes: Outcomes, names: Iterable[str], top: int = 8) -> list[str]:
    """The causes (steps, risks, resources) of most of the tour's lateness, largest first.

    Each step's slip in each run is charged to its cause (``outcomes.causes``); a cause's
    share is what it was charged over the lateness of every step in every run.
    """
    charged: Counter[str] = Counter()
    for name in names:
        for slip, cause in zip(outcomes.slips(name), outcomes.causes(name), strict=True):
            if cause is not None and slip > 0:
                charged[cause] += slip
    total = sum(charged.values())
    lines = ["What causes the tour's lateness (share of its steps' slips, over the runs):"]
    for cause, us in charged.most_common(top):
        lines.append(f"  {cause:<48} {us / total:6.1%}")
    return lines


def main() -> None:
    """Print the report for the tour, then the simulation of its plan."""
    print(report(tour()))
    print()
    print(simulation())
    print()
    try:
        print(suggestion())
    except MissingExtraError as missing:  # the core install has no solver
        print(f"When to meet Xi Jinping: {missing}")


if __name__ == "__main__":
    main()
