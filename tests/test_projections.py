"""Tests for itinerary.projections: replay as a fold, time travel, and the built-in views."""

from __future__ import annotations

import gc
import pickle
from datetime import UTC, datetime, timedelta
from unittest import mock

import attrs
import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import (
    AgreementSigned,
    Arrived,
    Departed,
    Event,
    EventLog,
    InvalidEventError,
    MeetingHeld,
    NaiveDatetimeError,
    Obligation,
    ObligationMet,
    Projection,
    State,
    _time,
    compose,
    fold,
    project,
    replay,
)
from itinerary.places import KUALA_LUMPUR, SEOUL, TOKYO, Place
from itinerary.projections import AGREEMENTS, DEADLINES, TOUR, WHEREABOUTS, _core, occurrence_order
from itinerary.testing import Reference
from itinerary.testing import _content as reference_key
from tests.strategies import delegations, event_lists, instants
from tests.strategies import events as events_strategy

TRUMP, TAKAICHI = "Donald Trump", "Sanae Takaichi"

COUNT = Projection(initial=0, evolve=lambda n, _: n + 1, name="count")
HISTORY = Projection(initial=(), evolve=lambda seen, e: (*seen, e), name="history")


def sketch() -> EventLog:
    """The issue's sketch of use."""
    return EventLog().extend(
        [
            Departed(TRUMP, KUALA_LUMPUR, KUALA_LUMPUR.at("2025-10-27 10:00"), to=TOKYO),
            Arrived(TRUMP, TOKYO, TOKYO.at("2025-10-27 17:00")),
            MeetingHeld(
                "U.S.-Japan summit",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 10:00"),
                TOKYO.at("2025-10-28 11:30"),
                venue="Akasaka State Guest House",
            ),
            AgreementSigned(
                "Critical minerals framework",
                (TRUMP, TAKAICHI),
                TOKYO,
                TOKYO.at("2025-10-28 12:00"),
                obligations=[
                    Obligation(
                        "identify projects and provide financing",
                        within=pendulum.duration(months=6),
                    )
                ],
            ),
        ]
    )


def test_the_sketch_of_use_answers_as_the_issue_says() -> None:
    """At 12:30 Tokyo time Trump is in Tokyo and the obligation is pending, due 2026-04-28."""
    state = replay(sketch(), as_of=TOKYO.at("2025-10-28 12:30"))
    assert state.where(TRUMP).place == TOKYO
    (pending,) = state.pending()
    assert pending.due.isoformat() == "2026-04-28T12:00:00+09:00"
    assert pending.agreement == "Critical minerals framework"


def test_where_follows_a_journey_from_origin_to_destination() -> None:
    """Between departure and arrival someone is in transit, with origin and destination."""
    log = sketch()
    before = replay(log, as_of=KUALA_LUMPUR.at("2025-10-27 09:59")).where(TRUMP)
    during = replay(log, as_of=TOKYO.at("2025-10-27 13:00")).where(TRUMP)
    after = replay(log, as_of=TOKYO.at("2025-10-27 17:00")).where(TRUMP)
    assert (before.status, before.place) == ("unknown", None)
    assert (during.status, during.place, during.origin, during.destination) == (
        "in_transit",
        None,
        KUALA_LUMPUR,
        TOKYO,
    )
    assert during.since == KUALA_LUMPUR.at("2025-10-27 10:00")
    assert (after.status, after.place, after.since) == ("at", TOKYO, TOKYO.at("2025-10-27 17:00"))


def test_a_meeting_places_someone_not_known_elsewhere() -> None:
    """Takaichi never arrives in the log; the summit places her in Tokyo from its start."""
    state = replay(sketch(), as_of=TOKYO.at("2025-10-28 10:30"))
    assert state.where(TAKAICHI).place == TOKYO
    assert state.where(TAKAICHI).since == TOKYO.at("2025-10-28 10:00")
    assert replay(sketch(), as_of=TOKYO.at("2025-10-28 09:59")).where(TAKAICHI).status == "unknown"


def test_a_meeting_does_not_move_someone_known_to_be_elsewhere() -> None:
    """Moving people is for arrivals and departures; a meeting elsewhere is left to checks."""
    log = sketch().append(
        MeetingHeld(
            "Call", (TRUMP,), SEOUL, SEOUL.at("2025-10-28 13:00"), SEOUL.at("2025-10-28 14:00")
        )
    )
    assert replay(log).where(TRUMP).place == TOKYO


def test_agreements_are_listed_in_signing_order_with_their_facts() -> None:
    """state.agreements gives each signing's title, signatories, place and instant."""
    log = sketch().append(
        AgreementSigned("Trade agreement", (TRUMP, TAKAICHI), TOKYO, TOKYO.at("2025-10-28 11:45"))
    )
    titles = [a.title for a in replay(log).agreements]
    assert titles == ["Trade agreement", "Critical minerals framework"]
    assert replay(log).agreements[1].at == TOKYO.at("2025-10-28 12:00")
    assert replay(log, as_of=TOKYO.at("2025-10-28 11:50")).agreements[0].signatories == (
        TRUMP,
        TAKAICHI,
    )


def test_deadline_status_moves_from_pending_to_overdue_or_met() -> None:
    """An obligation is pending until due, overdue after, and met once an ObligationMet occurs."""
    log = sketch()
    due = TOKYO.at("2026-04-28 12:00")
    assert [d.status for d in replay(log, as_of=due).deadlines] == ["pending"]
    later = due + timedelta(microseconds=1)
    assert [d.status for d in replay(log, as_of=later).deadlines] == ["overdue"]
    met = log.append(
        ObligationMet(
            "Critical minerals framework",
            "identify projects and provide financing",
            TOKYO.at("2026-03-01 09:00"),
        )
    )
    assert [d.status for d in replay(met, as_of=TOKYO.at("2026-02-28 09:00")).deadlines] == [
        "pending"
    ]
    state = replay(met, as_of=later)
    assert [d.status for d in state.deadlines] == ["met"]
    assert state.met()[0].met_at == TOKYO.at("2026-03-01 09:00")
    assert state.pending() == state.overdue() == ()


def test_an_obligation_met_for_an_unknown_agreement_changes_nothing() -> None:
    """Meeting an obligation nobody signed is ignored by replay (check() reports it)."""
    log = sketch().append(ObligationMet("No such agreement", "x", TOKYO.at("2025-10-29 09:00")))
    assert [d.status for d in replay(log).deadlines] == ["pending"]


def test_replay_without_as_of_stops_at_the_latest_event_not_the_clock() -> None:
    """The default as_of is the latest event's instant; an empty log has none."""
    assert replay(sketch()).as_of == TOKYO.at("2025-10-28 12:00")
    assert replay(EventLog()).as_of is None
    assert replay(EventLog()).where(TRUMP).status == "unknown"


def test_as_of_must_be_an_aware_datetime() -> None:
    """A naive as_of raises NaiveDatetimeError instead of guessing a zone."""
    with pytest.raises(NaiveDatetimeError, match="as_of is a naive datetime"):
        replay(sketch(), as_of=datetime(2025, 10, 28, 12, 30))


# The documented order of events at one instant, written out here rather than read from
# the library: arrivals, meetings, signings, obligations met, departures; then contents,
# identifying field first (the reference model's key, itinerary.testing._content).
_KIND_ORDER = [Arrived, MeetingHeld, AgreementSigned, ObligationMet, Departed]


def _documented_order(events: list[Event]) -> list[Event]:
    """*events* sorted by UTC instant (with the standard library), then kind, then contents."""
    return sorted(
        events,
        key=lambda e: (
            datetime.astimezone(e.occurred_at, UTC).replace(tzinfo=None),
            _KIND_ORDER.index(type(e)),
            reference_key(e),
        ),
    )


def _fields(value: object) -> str:
    """Every field of *value* as ``Name(field=..., ...)``, the form attrs generates, nested."""
    if isinstance(value, tuple):
        items = [_fields(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if not attrs.has(type(value)):
        return repr(value)
    fields = ", ".join(
        f"{a.name}={_fields(getattr(value, a.name))}" for a in attrs.fields(type(value))
    )
    return f"{type(value).__name__}({fields})"


@given(event_lists, instants)
def test_replay_folds_the_events_in_the_documented_order(
    events: list[Event], as_of: datetime
) -> None:
    """project() and replay fold the events up to as_of by instant, then kind, then contents."""
    cutoff = datetime.astimezone(as_of, UTC).replace(tzinfo=None)
    ordered = [
        e
        for e in _documented_order(events)
        if datetime.astimezone(e.occurred_at, UTC).replace(tzinfo=None) <= cutoff
    ]
    log = EventLog(events)
    assert project(log, HISTORY, as_of) == tuple(ordered)
    assert replay(log, as_of) == State(as_of, *fold(TOUR, ordered))


@given(event_lists, st.randoms(use_true_random=False), instants)
def test_recording_order_does_not_change_any_answer(
    events: list[Event], random: st.Random, as_of: datetime
) -> None:
    """The same facts recorded in another order replay to the same state at every instant."""
    shuffled = list(events)
    random.shuffle(shuffled)
    assert replay(EventLog(shuffled), as_of) == replay(EventLog(events), as_of)
    assert replay(EventLog(shuffled)) == replay(EventLog(events))


@given(event_lists, instants)
def test_as_of_equals_replaying_only_the_events_up_to_it(
    events: list[Event], as_of: datetime
) -> None:
    """replay(log, as_of=t) equals replaying only the events that occurred at or before t."""
    cutoff = _time.micros(as_of)
    earlier = [e for e in events if _time.micros(e.occurred_at) <= cutoff]
    assert replay(EventLog(events), as_of) == replay(EventLog(earlier), as_of)


@given(event_lists, st.lists(instants, max_size=8))
@example([], [datetime(2025, 10, 25, tzinfo=UTC)])
def test_time_travel_through_snapshots_equals_folding_from_scratch(
    events: list[Event], moments: list[datetime]
) -> None:
    """Answers built on kept snapshots equal a plain fold of the sorted, cut-off events."""
    with mock.patch.object(_core, "SNAPSHOT_EVERY", 3):
        log = EventLog(events)
        ordered, keys = occurrence_order(events)
        for moment in moments:
            cut = sum(1 for k in keys if k <= _time.micros(moment))
            assert project(log, TOUR, moment) == fold(TOUR, ordered[:cut])
            assert project(log, HISTORY, moment) == tuple(ordered[:cut])


@given(event_lists, event_lists)
def test_fold_obeys_the_prefix_law(first: list[Event], second: list[Event]) -> None:
    """fold(p, a + b) == fold(p, b, fold(p, a)): a snapshot is as good as the events before it."""
    for projection in (TOUR, COUNT, HISTORY):
        assert fold(projection, first + second) == fold(projection, second, fold(projection, first))


@given(event_lists)
def test_compose_equals_its_parts_folded_separately(events: list[Event]) -> None:
    """A composed projection's state is the tuple of its parts' states."""
    both = compose(COUNT, HISTORY)
    assert fold(both, events) == (fold(COUNT, events), fold(HISTORY, events))


def test_a_projection_of_your_own_replays_with_the_same_machinery() -> None:
    """project() replays a user-defined projection, in occurrence order, as of any instant."""
    arrivals = Projection(
        initial=(),
        evolve=lambda seen, e: (*seen, e.place.name),
        handles=(Arrived,),
        name="arrivals",
    )
    log = sketch()
    assert project(log, arrivals) == ("Tokyo",)
    assert project(log, arrivals, as_of=TOKYO.at("2025-10-27 16:59")) == ()
    assert project(log, COUNT, as_of=TOKYO.at("2025-10-28 10:00")) == 3
    assert fold(compose(arrivals), log) == (("Tokyo",),)


def test_events_at_one_instant_are_ordered_by_kind_then_content() -> None:
    """At one instant: arrivals first, departures last, so a stopover counts as being there."""
    at = TOKYO.at("2025-10-28 12:00")
    leave, land = Departed(TRUMP, TOKYO, at, to=SEOUL), Arrived(TRUMP, TOKYO, at)
    ordered, _ = occurrence_order([leave, land])
    assert ordered == [land, leave]
    assert replay(EventLog([leave, land])).where(TRUMP).in_transit


def test_replay_accepts_a_plain_list_of_events() -> None:
    """A list of events replays like a log of them (checked as a log would check them)."""
    events = list(sketch())
    assert replay(events, as_of=TOKYO.at("2025-10-28 12:30")) == replay(
        sketch(), as_of=TOKYO.at("2025-10-28 12:30")
    )
    assert project(events, COUNT) == 4
    with pytest.raises(InvalidEventError, match="log entry 0"):
        replay(["Donald Trump arrives"])  # type: ignore[list-item]


@given(
    event_lists,
    st.lists(
        st.tuples(st.integers(min_value=0), st.lists(events_strategy(), max_size=3)), max_size=12
    ),
    st.lists(instants, min_size=1, max_size=4),
)
def test_every_version_of_a_growing_log_replays_as_a_fresh_log_would(
    start: list[Event], steps: list[tuple[int, list[Event]]], moments: list[datetime]
) -> None:
    """Logs grown, forked and cut back share one index, yet each answers as if built afresh."""
    with mock.patch.object(_core, "SNAPSHOT_EVERY", 2):
        logs = [EventLog(start)]
        for pick, batch in steps:
            base = logs[pick % len(logs)]
            logs.append(base.extend(batch))
            logs.append(base.upto(pick % (base.version + 1)))
            for log in (logs[-1], logs[-2], logs[pick % len(logs)]):
                fresh = EventLog(list(log))
                for moment in moments:
                    assert replay(log, moment) == replay(fresh, moment)
                assert replay(log) == replay(fresh)


def test_appending_in_order_extends_the_index_instead_of_rebuilding_it() -> None:
    """After an in-order append the new version's index is the old one, grown in place."""
    log = sketch()
    replay(log)
    later = log.append(Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=SEOUL))
    assert _core.timeline(later).line is _core.timeline(log).line
    assert replay(later).where(TRUMP).in_transit
    assert replay(log).where(TRUMP).place == TOKYO  # the old version still answers as before
    earlier = later.append(Arrived(TAKAICHI, TOKYO, TOKYO.at("2025-10-20 10:00")))
    assert _core.timeline(earlier).line is not _core.timeline(later).line
    assert replay(earlier, TOKYO.at("2025-10-21 00:00")).where(TAKAICHI).place == TOKYO


def test_snapshots_of_a_discarded_projection_are_not_kept() -> None:
    """The index keeps a projection's snapshots only while the projection itself lives."""
    log = sketch()
    counter = Projection(initial=0, evolve=lambda n, _: n + 1)
    assert project(log, counter) == 4
    line = _core.timeline(log).line
    assert counter in line.snapshots
    del counter
    gc.collect()
    assert not any(p.name == "projection" for p in line.snapshots)


def test_the_index_keeps_growing_through_ties_and_after_a_late_event() -> None:
    """Ties appended in sort order, and in-order appends after a late one, grow one index."""
    log = sketch()
    replay(log)
    noon = TOKYO.at("2025-10-29 12:00")
    first = log.append(Arrived("A", TOKYO, noon))
    second = first.append(Arrived("B", TOKYO, noon))  # the same instant, sorts after "A"
    assert _core.timeline(second).line is _core.timeline(log).line
    late = second.append(Arrived("C", TOKYO, TOKYO.at("2025-10-20 09:00")))
    resorted = _core.timeline(late).line  # sorted afresh once, then grown again
    regrown = late.append(Arrived("D", TOKYO, TOKYO.at("2025-10-30 09:00")))
    assert _core.timeline(regrown).line is resorted
    assert replay(regrown) == replay(EventLog(list(regrown)))
    assert replay(second) == replay(EventLog(list(second)))


def test_events_before_1970_extend_an_index_built_for_an_empty_log() -> None:
    """Negative sort keys (instants before the epoch) extend an empty log's index too."""
    empty = EventLog()
    replay(empty)
    old = empty.append(Arrived("A", TOKYO, TOKYO.at("1950-01-01 09:00")))
    assert _core.timeline(old).line is _core.timeline(empty).line
    assert replay(old).where("A").place == TOKYO


def test_a_deadline_prints_its_offset_not_a_zone_abbreviation() -> None:
    """str(Deadline) shows +09:00 as every other local time does, not JST."""
    from pathlib import Path  # noqa: PLC0415

    from itinerary.scenarios import load_scenario  # noqa: PLC0415

    log = load_scenario(Path(__file__).parents[1] / "examples" / "asia_tour_2025.toml").log
    (deadline,) = replay(log).deadlines
    assert "due 2026-04-28 12:00 +09:00 in Tokyo" in str(deadline)
    assert "JST" not in str(deadline)


@given(delegations(), st.randoms(use_true_random=False))
def test_delegations_sharing_an_instant_are_ordered_by_kind_then_who(
    events: list[Event], random: st.Random
) -> None:
    """Delegations at one instant replay in the documented order, as the reference model does."""
    ordered, _ = occurrence_order(events)
    assert ordered == _documented_order(events)
    shuffled = list(events)
    random.shuffle(shuffled)
    assert occurrence_order(shuffled)[0] == ordered
    state = replay(EventLog(shuffled))
    assert state.as_of is not None
    reference = Reference(events, _time.micros(state.as_of))
    for who in {e.who for e in events if isinstance(e, Arrived | Departed)}:
        where = state.where(who)
        since = _time.micros(where.since) if where.since is not None else None
        if where.status == "at":
            assert reference.whereabouts(who) == ("at", where.place, since)
        else:
            found = ("in_transit", where.origin, where.destination, since)
            assert reference.whereabouts(who) == found


def test_ties_are_broken_by_who_not_by_how_events_are_shown() -> None:
    """At one instant arrivals sort by who, then place; repr plays no part in it."""
    at = TOKYO.at("2025-10-28 12:00")
    busan = Arrived("A", SEOUL, at)
    events = [Arrived("C", TOKYO, at), Arrived("B", TOKYO, at), busan, Arrived("A", TOKYO, at)]
    expected = [busan, events[3], events[1], events[0]]  # A in Seoul before A in Tokyo
    assert occurrence_order(events)[0] == expected
    with mock.patch.object(Arrived, "__repr__", return_value="the same for every one"):
        assert occurrence_order(events[::-1])[0] == expected
    assert _core.tie_key(busan) < _core.tie_key(events[3])
    assert _core.tie_key(events[1]) > _core.tie_key(events[3])


def test_a_place_with_other_coordinates_breaks_a_tie_too() -> None:
    """Two places of one name, zone and country differ by coordinates in the tie order."""
    at = TOKYO.at("2025-10-28 12:00")
    near = Arrived("A", Place("Tokyo", "Japan", "Asia/Tokyo", lat=35.0, lon=139.0), at)
    far = Arrived("A", Place("Tokyo", "Japan", "Asia/Tokyo", lat=36.0, lon=139.0), at)
    unknown = Arrived("A", Place("Tokyo", "Japan", "Asia/Tokyo"), at)
    for events in ([far, near, unknown], [near, unknown, far], [unknown, far, near]):
        assert occurrence_order(events)[0] == [unknown, near, far]


@attrs.frozen
class _Note(Event):
    """An event class of a user's own: ordered by its name, then its fields."""

    text: str
    at: datetime

    @property
    def occurred_at(self) -> datetime:  # type: ignore[override]
        """Its instant."""
        return self.at


def test_events_of_your_own_classes_tie_by_their_fields() -> None:
    """Events of a user's own attrs class sort after the built-in ones, then by their fields."""
    at = TOKYO.at("2025-10-28 12:00")
    b, a, leave = _Note("b", at), _Note("a", at), Departed(TRUMP, TOKYO, at)
    assert occurrence_order([b, leave, a])[0] == [leave, a, b]
    assert occurrence_order([a, b, leave])[0] == [leave, a, b]


@given(event_lists, event_lists)
def test_evolve_many_equals_folding_evolve_one_event_at_a_time(
    first: list[Event], second: list[Event]
) -> None:
    """Each built-in projection's batch fold equals its evolve folded event by event."""
    for projection in (WHEREABOUTS, AGREEMENTS, DEADLINES, TOUR):
        one_by_one = Projection(projection.initial, projection.evolve, handles=projection.handles)
        start = fold(one_by_one, first)
        assert fold(projection, first) == start
        assert fold(projection, second, start) == fold(one_by_one, second, start)


@given(event_lists)
def test_events_keep_their_instant_and_deadlines_through_pickling(events: list[Event]) -> None:
    """An unpickled event equals the original and keeps its sort key; events made without one still replay alike."""
    copies = pickle.loads(pickle.dumps(events))
    assert copies == events  # the second 01:30 of a night the clocks went back stays second
    assert [e._us for e in copies] == [_time.micros(e.occurred_at) for e in copies]  # type: ignore[attr-defined]
    bare = pickle.loads(pickle.dumps(events))
    for event in bare:  # as the simulator's unchecked constructors make them
        Event._us.__delete__(event)  # type: ignore[attr-defined]
        assert not hasattr(event, "_dues")  # not pickled: computed again when needed
    assert replay(EventLog(bare)) == replay(EventLog(copies))
    for signing in (e for e in bare if isinstance(e, AgreementSigned)):
        assert signing.dues() == tuple(
            o.due_after(signing.at, signing.place) for o in signing.obligations
        )


@given(event_lists, st.lists(st.integers(min_value=0), max_size=4), event_lists)
def test_the_index_knows_where_each_entry_was_recorded(
    events: list[Event], again: list[int], appended: list[Event]
) -> None:
    """Positions point every entry at its own recorded object, events recorded twice too."""
    twice = [events[i % len(events)] for i in again] if events else []
    log = EventLog(events + twice)
    replay(log)  # the index first serves a replay to the end, then is asked for positions
    grown = log.extend(sorted(appended, key=lambda e: _time.micros(e.occurred_at)))
    for version in (log, grown):
        line = _core.timeline(version)
        assert sorted(line.positions) == list(range(len(version)))
        assert all(version[p] is e for p, e in zip(line.positions, line.events, strict=True))
        assert list(line.instants) == [_time.micros(e.occurred_at) for e in line.events]
        assert line.events == occurrence_order(list(version))[0]


def test_a_replay_to_the_end_keeps_no_instants_until_a_question_needs_them() -> None:
    """The index's instants and positions are built on first need, then kept and grown."""
    log = sketch()
    replay(log)
    line = _core.timeline(log).line
    assert line.keys is None
    assert line.positions is None
    assert replay(log, TOKYO.at("2025-10-27 18:00")).where(TRUMP).place == TOKYO
    assert line.keys is not None
    later = log.append(Departed(TRUMP, TOKYO, TOKYO.at("2025-10-29 10:00"), to=SEOUL))
    assert list(_core.timeline(later).instants)[-1] == _time.micros(TOKYO.at("2025-10-29 10:00"))


_SHOWN_IN = st.sampled_from(["Asia/Tokyo", "UTC", "America/New_York", "+09:00", "-04:56:02"])


def _shown_in(instant: datetime, zone: str) -> datetime:
    """*instant* shown in the IANA zone or the fixed offset *zone*."""
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        hours, minutes, *seconds = (int(part) for part in zone[1:].split(":"))
        offset = timedelta(hours=hours, minutes=minutes, seconds=sum(seconds))
        return instant.astimezone(pendulum.FixedTimezone(sign * int(offset.total_seconds())))
    return _time.to_zone(instant, zone)


@given(
    st.lists(_SHOWN_IN, min_size=2, max_size=5, unique=True),
    st.sampled_from([Arrived, Departed, ObligationMet]),
    st.randoms(use_true_random=False),
)
@example(
    ["Asia/Tokyo", "UTC"], Arrived, None
)  # equal events but for the zone: recording order decided
def test_equal_events_but_for_their_zone_are_ordered_by_zone_not_recording(
    zones: list[str], kind: type[Event], random: st.Random | None
) -> None:
    """Events equal but for the zone their instant is shown in sort by zone, in any recording."""
    at = TOKYO.at("2025-10-27 17:00")

    def made(zone: str) -> Event:
        shown = _shown_in(at, zone)
        if kind is ObligationMet:
            return ObligationMet("Trade deal", "ratify", shown)
        return kind("Donald Trump", TOKYO, shown)  # type: ignore[call-arg]

    events = [made(zone) for zone in zones]
    shuffled = events[::-1] if random is None else random.sample(events, len(events))
    assert len(set(events)) == 1  # equal (the same instant): only the zone tells them apart
    found = [_core._zone(e.occurred_at) for e in occurrence_order(shuffled)[0]]
    assert found == [_core._zone(e.occurred_at) for e in occurrence_order(events)[0]]
    assert found == sorted(found)
    assert found == [_core._zone(e.occurred_at) for e in _documented_order(shuffled)]
