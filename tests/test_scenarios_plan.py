"""The ``[[plan]]`` and ``[disruptions]`` sections of scenario files (itinerary.scenarios._plan)."""

from __future__ import annotations

import re
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from itinerary import EventLog, Scenario, check
from itinerary.errors import ItineraryError, ScenarioError
from itinerary.places import TOKYO
from itinerary.scenarios import dumps_scenario, load_scenario, loads_scenario, save_scenario
from itinerary.sim import Delay, Disruptions, Meeting, Plan, monte_carlo, simulate
from itinerary.strategies import disruptions, plans

EXAMPLE = Path(__file__).parents[1] / "examples" / "asia_tour_2025_plan.toml"

MEETING = """
[[plan]]
type = "meeting"
title = "Summit"
participants = ["A", "B"]
place = "Tokyo"
start = "2025-10-28 10:00"
duration = "PT1H30M"
"""


def test_the_tour_plan_loads_and_simulates_to_a_consistent_log() -> None:
    """The example's plan and disruptions load, and a run of them passes check()."""
    scenario = load_scenario(EXAMPLE)
    assert scenario.plan is not None
    assert scenario.disruptions is not None
    assert "U.S.-Japan summit" in scenario.plan
    assert scenario.disruptions.departure == Delay.exponential(
        pendulum.duration(minutes=40), p=0.35
    )
    assert scenario.disruptions.cancel == 0.01
    assert simulate(scenario.plan).slips() == dict.fromkeys(
        scenario.plan.names, pendulum.duration()
    )
    assert check(simulate(scenario.plan, scenario.disruptions, seed=3).log) == []


def test_a_meeting_step_reads_its_time_at_its_place() -> None:
    """A step's wall time is read at its place; its duration is ISO 8601."""
    plan = loads_scenario(MEETING).plan
    assert plan == Plan([
        Meeting("Summit", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 10:00"),
                pendulum.duration(hours=1, minutes=30)),
    ])  # fmt: skip


def test_a_scenario_without_a_plan_has_none() -> None:
    """No [[plan]] and no [disruptions]: both are None."""
    scenario = loads_scenario('title = "x"\n')
    assert scenario.plan is None
    assert scenario.disruptions is None


@settings(deadline=None)
@given(plans(), st.one_of(st.none(), disruptions()))
def test_plans_and_disruptions_round_trip(plan: Plan, found: Disruptions | None) -> None:
    """Writing a plan and its disruptions and reading them back gives equal values."""
    scenario = Scenario(EventLog(), plan=plan, disruptions=found)
    again = loads_scenario(dumps_scenario(scenario))
    assert again.plan == plan
    assert again.disruptions == found


def test_save_and_load_keep_the_tour_plan(tmp_path: Path) -> None:
    """The tour's plan file saved and loaded again has the same plan, and the same outcomes."""
    scenario = load_scenario(EXAMPLE)
    target = tmp_path / "plan.toml"
    save_scenario(scenario, target)
    again = load_scenario(target)
    assert again.plan == scenario.plan
    assert again.disruptions == scenario.disruptions
    assert scenario.plan is not None
    assert scenario.disruptions is not None
    assert again.plan is not None
    assert again.disruptions is not None
    first = monte_carlo(scenario.plan, scenario.disruptions, runs=200, seed=1)
    second = monte_carlo(again.plan, again.disruptions, runs=200, seed=1)
    assert first == second


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[[plan]]\ntype = "party"\n', "plan[0].type", "one of 'travel'"),
        ("[[plan]]\n", "plan[0].type", "the key is missing"),
        ("plan = 3\n", "plan", "array of tables"),
        (MEETING.replace('duration = "PT1H30M"', ""), "plan[0].duration", "the key is missing"),
        (MEETING.replace("PT1H30M", "-PT1H"), "plan[0].duration", "(zero allowed)"),
        (MEETING.replace('"Tokyo"', '"Atlantis"'), "plan[0].place", "Atlantis"),
        (MEETING.replace("10:00", "10h00"), "plan[0].start", "10h00"),
        (MEETING + 'colour = "red"\n', "plan[0].colour", "unknown key"),
        (MEETING + 'delay = "often"\n', "plan[0].delay", "'none' or a table"),
        (MEETING + 'delay = { fixed = "PT1H", exponential = "PT1H" }\n', "plan[0].delay",
         "fixed and exponential"),
        (MEETING + 'delay = { lognormal = "PT1H" }\n', "plan[0].delay.sigma", "missing"),
        (MEETING + 'delay = { exponential = "PT1H", p = 2 }\n', "plan[0].delay.p", "probability"),
        (MEETING + 'delay = { empirical = [] }\n', "plan[0].delay.empirical", "non-empty"),
        (MEETING + 'delay = { lognormal = "PT1H", sigma = 99 }\n', "plan[0].delay.sigma",
         "from 0 to 20"),
        ("[disruptions]\ncancel = 1.5\n", "disruptions.cancel", "probability"),
        ("[disruptions]\nrebook = \"P1M\"\n", "disruptions.rebook", "no fixed length"),
        (MEETING.replace("PT1H30M", "P1M"), "plan[0].duration", "elapsed time"),
        (MEETING + 'delay = { exponential = "PT0S" }\n', "plan[0].delay.exponential",
         "positive duration"),
        (MEETING + 'delay = { lognormal = "PT1H", sigma = nan }\n', "plan[0].delay.sigma",
         "from 0 to 20"),
        ('[disruptions]\nlate = "yes"\n', "disruptions.late", "unknown key"),
        (MEETING + MEETING, "plan", "two steps are named 'Summit'"),
        (MEETING + MEETING.replace('"Summit"', '"Lunch"').replace("10:00", "11:00"), "plan",
         "two steps at once: 'Summit'"),
        ('[[plan]]\ntype = "fulfilment"\nagreement = "X"\nwhat = "w"\nafter = "P1M"\n', "plan",
         "no signing"),
    ],
)  # fmt: skip
def test_mistakes_name_their_key_path(text: str, key: str, words: str) -> None:
    """Every mistake in a plan section is a ScenarioError at its key path, saying what."""
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, file="plan.toml")
    assert info.value.key == key
    assert words in str(info.value)


def test_a_delegation_travels_together() -> None:
    """A travel step's who may be an array: the delegation departs and lands together."""
    text = """
[[plan]]
type = "travel"
who = ["A", "B"]
from = "Tokyo"
to = "Busan"
depart = "2025-10-29 10:00"
duration = "PT2H20M"
delay = { fixed = "PT30M" }
name = "To Korea"
"""
    plan = loads_scenario(text).plan
    assert plan is not None
    run = simulate(plan)
    assert run.slip("To Korea") == pendulum.duration(minutes=30)
    assert [e.who for e in run.log] == ["A", "B", "A", "B"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("section", ["plan", "events", "disruptions.departure"])
def test_deeply_nested_values_are_a_scenario_error(section: str) -> None:
    """Thousands of nested arrays: ScenarioError, not RecursionError."""
    with pytest.raises(ScenarioError, match="nested too deeply"):
        loads_scenario(f"{section} = " + "[" * 5000 + "]" * 5000 + "\n")


_VALUES = st.sampled_from([
    '"PT0S"', '"P99999999999999Y"', "1e308", "nan", "-1", '"2025-02-30 10:00"', "[]", "{}",
    '"none"', "0", '"PT1H"', "true", '"Tokyo"', '[["a"]]', "99999999999999999999999",
])  # fmt: skip


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), _VALUES | st.text(max_size=3)), max_size=4))
def test_a_damaged_plan_file_raises_only_the_library_s_errors(
    edits: list[tuple[int, str]],
) -> None:
    """Values swapped or characters inserted anywhere: a ScenarioError, or a plan that runs."""
    text = EXAMPLE.read_text()
    for position, value in edits:
        at = position % len(text)
        if value and value[0] in '"[{-0123456789tn':  # a value: replace the next one
            start = text.find("= ", at)
            if start > 0:
                end = text.find("\n", start)
                text = text[: start + 2] + value + text[end:]
                continue
        text = text[:at] + value + text[at:]
    try:
        scenario = loads_scenario(text)
    except ScenarioError:
        return
    if scenario.plan is not None:
        try:
            run = simulate(scenario.plan, scenario.disruptions, seed=1)
        except ItineraryError:  # a delay pushing a step past the year 9999, say
            return
        assert loads_scenario(dumps_scenario(scenario)).plan == scenario.plan
        assert run.log.version > 0


def test_windows_and_rules_round_trip() -> None:
    """A plan's windows and [[rules]] (curfew, rest, drop) are written back and read back equal."""
    from itinerary.places import BUSAN, TOKYO  # noqa: PLC0415
    from itinerary.sim import Curfew, Drop, Meeting, Rest, Travel, Window  # noqa: PLC0415

    H = pendulum.duration  # noqa: N806
    leg = Travel("A", BUSAN, TOKYO, BUSAN.at("2025-10-29 22:00"), H(hours=2),
                 window=Window("06:00", "23:00"))  # fmt: skip
    talk = Meeting("Talk", "A", TOKYO, TOKYO.at("2025-10-30 10:00"), H(hours=1),
                   window=Window("09:00", "21:00", then="drop"))  # fmt: skip
    rules = [Curfew(BUSAN, "23:00", "06:00"), Rest(H(hours=1), H(hours=8), who=["A"]),
             Drop(["Talk"], when=leg.name, late_by=H(hours=3))]  # fmt: skip
    plan = Plan([leg, talk], rules=rules)
    text = dumps_scenario(Scenario(EventLog(), plan=plan))
    assert "[[rules]]" in text
    assert loads_scenario(text).plan == plan


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (
            '[[rules]]\ntype = "curfew"\nplace = "Busan"\nstarts = "25:00"\nends = "06:00"\n',
            "rules[0]",
        ),
        ('[[rules]]\ntype = "nap"\n', "rules[0].type"),
        ('[[rules]]\ntype = "rest"\nafter = "PT1H"\nrest = "PT1H"\nextra = 1\n', "rules[0]"),
        ('[[rules]]\ntype = "drop"\nsteps = ["x"]\nwhen = "Talk"\nlate_by = "PT1H"\n', "rules"),
    ],
)
def test_bad_rules_name_their_key_path(extra: str, key: str) -> None:
    """A bad [[rules]] table fails with its key path."""
    text = (
        '[[plan]]\ntype = "meeting"\ntitle = "Talk"\nparticipants = ["A"]\nplace = "Tokyo"\n'
        'start = "2025-10-30 10:00"\nduration = "PT1H"\n'
        'window = { opens = "09:00", closes = "21:00" }\n'
    )
    with pytest.raises(ScenarioError, match=re.escape(key)):
        loads_scenario(text + extra)


def test_an_empirical_delay_of_100000_durations_loads_as_the_full_reader_reads_it() -> None:
    """100,000 durations (issue 23: 12 s before): the fast path's values equal Delay.empirical's."""
    forms = ["PT{}M", "PT{}H{}M", "P{}DT{}S", "PT{}S", "P{}W"]
    texts = [forms[i % 5].format(i % 97, i % 13) for i in range(100_000)]
    scenario = loads_scenario(
        f"[disruptions]\ndeparture = {{ empirical = [{', '.join(map(repr, texts))}] }}\n"
    )
    assert scenario.disruptions is not None
    found = scenario.disruptions.departure
    parsed = [pendulum.parse(t) for t in texts[:500]]
    assert found.params[:500] == Delay.empirical(parsed).params  # type: ignore[arg-type]
    assert len(found.params) == 100_000


@pytest.mark.parametrize(
    ("item", "where"),
    [('"P1M"', "[1]"), ('"P10000000W"', "[1]"), ('"PT"', None), ("{ minutes = 5 }", None)],
)
def test_empirical_items_the_fast_path_declines_go_through_the_full_reader(
    item: str, where: str | None
) -> None:
    """A month, more than a century: the full reader's error at its key; other forms load."""
    text = f'[disruptions]\ndeparture = {{ empirical = ["PT5M", {item}] }}\n'
    if where is None:
        assert loads_scenario(text).disruptions is not None
        return
    with pytest.raises(ScenarioError, match=re.escape(f"disruptions.departure.empirical{where}")):
        loads_scenario(text)


def test_a_risk_register_and_resources_round_trip() -> None:
    """Risks, correlated groups, [[resources]], uses, priority, cancel and rebook: read back equal."""
    from itinerary.places import TOKYO, YOKOSUKA  # noqa: PLC0415
    from itinerary.sim import Correlated, Resource, Risk, Travel  # noqa: PLC0415

    H = pendulum.duration  # noqa: N806
    hop = Travel("A", TOKYO, YOKOSUKA, TOKYO.at("2025-10-28 10:00"), H(minutes=30),
                 uses=["Marine One"], priority=2, cancel=0.001, rebook=H(hours=2), name="Hop")  # fmt: skip
    back = Travel("B", TOKYO, YOKOSUKA, TOKYO.at("2025-10-28 10:00"), H(minutes=30),
                  uses=["Marine One"], name="Back")  # fmt: skip
    plan = Plan([hop, back], resources=[Resource("Marine One"), Resource("Cars", 3)])
    found = Disruptions(
        departure=Delay.exponential(H(minutes=20)),
        risks=[Risk("Typhoon", p=0.05, delay=Delay.fixed(H(hours=6)), steps=["Hop", "Back"])],
        correlated=[Correlated(["Hop", "Back"], 0.6)],
    )
    text = dumps_scenario(Scenario(EventLog(), plan=plan, disruptions=found))
    assert "resources" in text
    assert "risks" in text
    again = loads_scenario(text)
    assert again.plan == plan
    assert again.disruptions == found


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('[[resources]]\nname = "Heli"\ncapacity = 0\n', "resources[0].capacity"),
        ('[[resources]]\ncapacity = 2\n', "resources[0]"),
        ('[[resources]]\nname = "Heli"\nsize = 2\n', "resources[0]"),
        ('[disruptions]\n[[disruptions.risks]]\nname = "R"\np = 2\ndelay = "none"\nsteps = ["Talk"]\n',
         "disruptions.risks[0].p"),
        ('[disruptions]\n[[disruptions.risks]]\nname = "R"\np = 0.1\ndelay = "none"\nsteps = []\n',
         "disruptions.risks[0].steps"),
        ('[disruptions]\n[[disruptions.correlated]]\nsteps = ["a", "b"]\nrho = 3\n',
         "disruptions.correlated[0].rho"),
        ('[disruptions]\n[[disruptions.correlated]]\nsteps = ["a", "b"]\nrho = 0.5\n'
         '[[disruptions.correlated]]\nsteps = ["b", "c"]\nrho = 0.5\n', "disruptions"),
        ('[disruptions]\n[[disruptions.risks]]\nname = "R"\np = 0.1\ndelay = "none"\nsteps = ["Tlak"]\n',
         "disruptions.risks[0].steps[0]: found 'Tlak'; expected a step of the plan"),
        ('[disruptions]\n[[disruptions.correlated]]\nsteps = ["Talk", "Nope"]\nrho = 0.5\n',
         "disruptions.correlated[0].steps[1]: found 'Nope'"),
    ],
)  # fmt: skip
def test_bad_registers_name_their_key_path(extra: str, key: str) -> None:
    """A bad [[resources]], [[disruptions.risks]] or [[disruptions.correlated]] names its key."""
    text = (
        '[[plan]]\ntype = "meeting"\ntitle = "Talk"\nparticipants = ["A"]\nplace = "Tokyo"\n'
        'start = "2025-10-30 10:00"\nduration = "PT1H"\n'
    )
    with pytest.raises(ScenarioError, match=re.escape(key)):
        loads_scenario(text + extra)


def test_a_step_using_an_unknown_resource_names_the_plan() -> None:
    """Uses naming no [[resources]] table fails at the plan, saying which."""
    text = (
        '[[plan]]\ntype = "meeting"\ntitle = "Talk"\nparticipants = ["A"]\nplace = "Tokyo"\n'
        'start = "2025-10-30 10:00"\nduration = "PT1H"\nuses = ["Heli"]\n'
    )
    with pytest.raises(ScenarioError, match="Heli"):
        loads_scenario(text)
