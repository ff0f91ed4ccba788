"""The codec: exact round trips, golden payloads, durations, zones, schema versions."""

from datetime import datetime, timedelta, timezone

import pendulum
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from itinerary import AgreementSigned, Arrived, EventLog, MeetingHeld, Obligation, _time
from itinerary.errors import StoreError
from itinerary.places import TOKYO, WASHINGTON
from itinerary.store.codec import (
    DEFAULT_CODEC,
    SCHEMA_VERSIONS,
    Codec,
    decode_instant,
    encode_instant,
)
from itinerary.strategies import event_logs

FOLD = _time.resolve(
    pendulum.naive(2025, 11, 2, 1, 30), "America/New_York", disambiguate="later", where="test"
)


@given(event_logs())
def test_round_trip_is_exact(log: EventLog) -> None:
    """Decoding an encoded event gives an equal event whose instants keep zone and fold."""
    for event in log:
        record = DEFAULT_CODEC.encode(event)
        decoded = DEFAULT_CODEC.decode(*record)
        assert decoded == event
        assert DEFAULT_CODEC.encode(decoded) == record
        assert DEFAULT_CODEC.loads(*DEFAULT_CODEC.dumps(event)) == event


@given(
    st.integers(min_value=-(2**40), max_value=2**50),
    st.sampled_from(["Asia/Tokyo", "America/New_York", "Europe/Dublin", "UTC"]),
)
@example(_time.micros(FOLD), "America/New_York")
def test_instants_round_trip(us: int, zone: str) -> None:
    """An instant stored as (µs, zone) comes back as the same instant, zone and wall time."""
    value = decode_instant([us, zone])
    assert encode_instant(value) == [us, zone]
    assert _time.micros(value) == us


def test_fold_is_kept() -> None:
    """The second 01:30 of a New York fall-back night stays the second one."""
    value = decode_instant(encode_instant(FOLD))
    assert value.fold == 1
    assert value.utcoffset() == timedelta(hours=-5)


def test_fixed_offsets_are_kept() -> None:
    """An instant with a fixed offset (no zone name) keeps its offset."""
    value = _time.instant(pendulum.parse("2025-10-28T12:00:00+05:30"), what="test")
    stored = encode_instant(value)
    assert stored[1] == "+05:30"
    assert decode_instant(stored).utcoffset() == timedelta(hours=5, minutes=30)


def test_golden_payload() -> None:
    """The stored shape of an arrival is pinned: changing it needs a new schema version."""
    event = Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 16:30"))
    assert DEFAULT_CODEC.dumps(event) == (
        "Arrived",
        1,
        '{"who":"Donald Trump","place":["Tokyo","Japan","Asia/Tokyo",35.6762,139.6503],'
        '"at":[1761550200000000,"Asia/Tokyo"]}',
    )


def test_durations_keep_calendar_parts() -> None:
    """Six months stays six months (not 180 days), and a plain timedelta stays plain."""
    at = WASHINGTON.at("2025-03-31 09:00")
    months = Obligation("report", within=pendulum.duration(months=6))
    days = Obligation("fund", within=timedelta(days=180))
    signed = AgreementSigned("Deal", ("A",), WASHINGTON, at, obligations=[months, days])
    decoded = DEFAULT_CODEC.decode(*DEFAULT_CODEC.encode(signed))
    assert isinstance(decoded, AgreementSigned)
    first, second = decoded.obligations
    assert first.due_after(at, WASHINGTON) == WASHINGTON.at("2025-09-30 09:00")
    assert type(second.within) is timedelta
    assert second.due_after(at, WASHINGTON) == months.due_after(at, WASHINGTON).subtract(days=3)


def test_upcasters_run_in_turn() -> None:
    """A schema-1 record passes through the 1->2 and 2->3 upcasters to today's schema 3."""
    seen = []

    def one(data: dict) -> dict:  # type: ignore[type-arg]
        seen.append(1)
        return {**data, "who": data.pop("name")}

    def two(data: dict) -> dict:  # type: ignore[type-arg]
        seen.append(2)
        return data

    codec = Codec(versions={"Arrived": 3}, upcasters={("Arrived", 1): one, ("Arrived", 2): two})
    _, _, data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))
    data["name"] = data.pop("who")
    event = codec.decode("Arrived", 1, data)
    assert seen == [1, 2]
    assert event == Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30"))
    assert codec.encode(event)[1] == 3


def test_newer_schema_is_refused() -> None:
    """A record from a newer schema than the codec knows says to upgrade."""
    with pytest.raises(StoreError, match="schema 2, newer than this version of itinerary knows"):
        DEFAULT_CODEC.decode("Arrived", 2, {})


def test_missing_upcaster_is_named() -> None:
    """An old record with no upcaster names the schema step that is missing."""
    with pytest.raises(StoreError, match="no upcaster turns schema 0 into 1"):
        DEFAULT_CODEC.decode("Arrived", 0, {})


def test_unknown_type_is_named() -> None:
    """An unknown type name is refused with the known ones."""
    with pytest.raises(StoreError, match="unknown event type 'Teleported'; known: AgreementSigned"):
        DEFAULT_CODEC.decode("Teleported", 1, {})


def test_bad_data_is_refused() -> None:
    """Data that cannot make the event raises StoreError, not a cattrs or attrs error."""
    with pytest.raises(StoreError, match="cannot rebuild Arrived"):
        DEFAULT_CODEC.decode("Arrived", 1, {"who": "A"})
    with pytest.raises(StoreError, match="stored data is not JSON"):
        DEFAULT_CODEC.loads("Arrived", 1, "{oops")


@pytest.mark.parametrize("us", [10**20, -(10**20), 253_402_300_800_000_000])
def test_an_instant_outside_the_calendar_is_refused(us: int) -> None:
    """A stored instant outside the years 1-9999 raises StoreError, not OverflowError."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    data["at"] = [us, "Asia/Tokyo"]
    with pytest.raises(StoreError, match=r"cannot rebuild Arrived .*outside the years 1-9999"):
        DEFAULT_CODEC.decode("Arrived", 1, data)


def test_a_duration_too_long_is_refused() -> None:
    """A stored calendar duration too long for any date raises StoreError, not OverflowError."""
    signed = AgreementSigned(
        "Deal", ("A", "B"), TOKYO, TOKYO.at("2025-10-28 12:00"),
        obligations=(Obligation("report", within=_time.duration(months=6)),),
    )  # fmt: skip
    data = DEFAULT_CODEC.encode(signed)[2]
    data["obligations"][0]["within"] = {"days": 10**10, "calendar": 1}
    with pytest.raises(StoreError, match=r"cannot rebuild AgreementSigned .*duration too long"):
        DEFAULT_CODEC.decode("AgreementSigned", 1, data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


# Microseconds within the calendar in every zone below (a day's margin at each end).
_FIRST_US, _LAST_US = (
    -62_135_596_800_000_000 + 86_400_000_000,
    253_402_300_799_000_000 - 86_400_000_000,
)
ZONE_NAMES = st.sampled_from(
    ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Dublin", "+05:30", "-04:00", "-00:30"]
)


def _instant_shaped(value: object) -> bool:
    """Whether *value* has the shape of a stored instant: [int, str]."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and type(value[0]) is int
        and type(value[1]) is str
    )


@given(st.tuples(st.integers(min_value=_FIRST_US, max_value=_LAST_US), ZONE_NAMES).map(list))
@example([_time.micros(FOLD), "America/New_York"])
@example([0, "-00:30"])
def test_a_well_formed_stored_instant_decodes_to_itself(value: list[object]) -> None:
    """[int µs, zone or offset] within the calendar decodes, and encodes back unchanged."""
    decoded = decode_instant(value)
    assert _time.micros(decoded) == value[0]
    assert encode_instant(decoded) == value


@given(JSON_VALUES | st.tuples(JSON_VALUES, JSON_VALUES).map(list))
@example([True, "UTC"])
@example([1.0, "UTC"])
@example([1.5, "Asia/Tokyo"])
@example([0, ["UTC"]])
@example({"0": 0, "UTC": 1})
@example("0U")
def test_a_stored_instant_of_another_shape_is_a_store_error(value: object) -> None:
    """Any JSON value that is not [int µs, text] raises StoreError, whatever it holds."""
    assume(not _instant_shaped(value))
    with pytest.raises(StoreError, match="a stored instant must be"):
        decode_instant(value)


@given(
    st.tuples(st.integers(), st.text(max_size=12) | ZONE_NAMES).map(list),
)
@example([10**20, "+09:00"])
@example([0, "+ab"])
@example([0, ""])
@example([0, "Nowhere/Atlantis"])
@example([0, "Asia/Tokyo"])
def test_an_instant_shaped_value_decodes_exactly_or_is_a_store_error(value: list[object]) -> None:
    """A stored [int, text] instant rebuilds its event at exactly that instant, or StoreError."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    data["at"] = value
    try:
        decoded = DEFAULT_CODEC.decode("Arrived", 1, data)
    except StoreError:
        return
    assert isinstance(decoded, Arrived)
    assert _time.micros(decoded.at) == value[0]
    assert encode_instant(decoded.at)[0] == value[0]


@pytest.mark.parametrize("us", [True, 1.0, 1.5, "1", None])
def test_an_instant_needs_integer_microseconds(us: object) -> None:
    """[true, "UTC"] or float µs is refused with what was found, not read as 1 µs after 1970."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    data["at"] = [us, "UTC"]
    with pytest.raises(StoreError, match=r"cannot rebuild Arrived .*integer microseconds"):
        DEFAULT_CODEC.decode("Arrived", 1, data, where="version 3")


@pytest.mark.parametrize("schema", ["abc", "1", 1.0, True, None, [1]])
def test_the_schema_version_must_be_an_integer(schema: object) -> None:
    """A record whose schema is not an integer is refused naming the record and the value."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    with pytest.raises(StoreError) as info:
        DEFAULT_CODEC.decode("Arrived", schema, data, where="version 3")  # type: ignore[arg-type]
    assert str(info.value) == (
        f"version 3: Arrived: the schema version must be an integer, found {schema!r}"
    )


def test_a_type_name_that_is_not_text_is_refused() -> None:
    """A record whose type is a list (unhashable) is refused as an unknown type."""
    with pytest.raises(StoreError, match=r"unknown event type \['Arrived'\]"):
        DEFAULT_CODEC.decode(["Arrived"], 1, {})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "within",
    [
        pendulum.duration(hours=36),
        pendulum.duration(days=1, hours=12),
        pendulum.duration(months=6),
        pendulum.duration(weeks=2, minutes=90),
        timedelta(hours=36),
    ],
)
def test_a_period_round_trips_its_calendar_and_elapsed_parts(within: timedelta) -> None:
    """A stored obligation's period adds to a date exactly as the original did."""
    signed = WASHINGTON.at("2025-11-01 12:00")  # a clock change follows: parts matter
    event = AgreementSigned(
        "T", ["A"], WASHINGTON, signed, obligations=[Obligation("r", within=within)]
    )
    back = DEFAULT_CODEC.loads(*DEFAULT_CODEC.dumps(event))
    assert back == event
    assert back.obligations[0].due_after(signed, WASHINGTON) == event.obligations[0].due_after(
        signed, WASHINGTON
    )


def test_the_default_codec_writes_the_schema_versions_of_schema_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SCHEMA_VERSIONS is where a codec's default versions come from, not a loose constant."""
    monkeypatch.setitem(SCHEMA_VERSIONS, "Arrived", 2)
    arrival = Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00"))
    assert Codec().encode(arrival)[1] == 2
    assert Codec(versions={"Arrived": 3}).encode(arrival)[1] == 3


def test_a_fixed_offset_with_seconds_round_trips() -> None:
    """An instant at a fixed offset of +09:18:59 is stored with its seconds and read back."""
    value = datetime(1880, 1, 1, 12, tzinfo=timezone(timedelta(hours=9, minutes=18, seconds=59)))
    stored = encode_instant(value)
    assert stored[1] == "+09:18:59"
    back = decode_instant(stored)
    assert back.utcoffset() == value.utcoffset()
    assert _time.micros(back) == _time.micros(value)


@pytest.mark.parametrize(
    ("kind", "field", "wrong"),
    [
        ("Arrived", "who", ["Donald Trump"]),
        ("Arrived", "who", 5),
        ("Arrived", "who", None),
        ("Arrived", "place", "Tokyo"),
        ("MeetingHeld", "title", ["Summit"]),
        ("MeetingHeld", "participants", "AB"),
        ("MeetingHeld", "participants", {"A": 1}),
        ("MeetingHeld", "participants", [["A"], "B"]),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(kind: str, field: str, wrong: object) -> None:
    """A list, number or mapping where a name or names belong raises StoreError, never a name."""
    at = TOKYO.at("2025-10-27 16:30")
    event = (
        Arrived("A", TOKYO, at)
        if kind == "Arrived"
        else MeetingHeld("Summit", ("A", "B"), TOKYO, at, at.add(hours=1))
    )
    data = DEFAULT_CODEC.encode(event)[2]
    data[field] = wrong
    with pytest.raises(StoreError, match=f"cannot rebuild {kind}"):
        DEFAULT_CODEC.decode(kind, 1, data)


@pytest.mark.parametrize(
    "value", [[0, "Mars/Base"], [10**18 * 300, "Asia/Tokyo"], [-(10**18) * 300, "UTC"]]
)
def test_decode_instant_alone_raises_store_error(value: list[object]) -> None:
    """An unknown zone or microseconds outside the calendar: StoreError, as the docstring says."""
    with pytest.raises(StoreError, match="is not an instant"):
        decode_instant(value)


@pytest.mark.parametrize(
    "zone", ["+1:2:3:4", "+0900", "+09", "+24:00", "+09:60", "+09:00:00", "+9:00"]
)
def test_a_malformed_offset_is_refused(zone: str) -> None:
    """Only +HH:MM or +HH:MM:SS, as encode_instant writes them, is read as an offset."""
    with pytest.raises(StoreError, match="not an instant"):
        decode_instant([0, zone])


@pytest.mark.parametrize(
    "within",
    [[1], "P1D", {"days": 1e30}, {"days": 10**30}, {"days": True}, {"weeks": 1},
     {"calendar": 2, "days": 1}, {"days": "1"}],
)  # fmt: skip
def test_a_period_of_the_wrong_shape_is_refused(within: object) -> None:
    """A within that is not an object of integer parts (or overflows) raises StoreError."""
    at = TOKYO.at("2025-10-27 16:30")
    event = AgreementSigned(
        "Deal", ("A",), TOKYO, at, obligations=[Obligation("x", within=timedelta(days=1))]
    )
    data = DEFAULT_CODEC.encode(event)[2]
    data["obligations"][0]["within"] = within
    with pytest.raises(StoreError, match="cannot rebuild AgreementSigned"):
        DEFAULT_CODEC.decode("AgreementSigned", 1, data)


@pytest.mark.parametrize(
    "place",
    [["Tokyo", "Japan", "Asia/Tokyo", None], ["Tokyo", "Japan", "Asia/Tokyo", "1", None],
     [None, "Japan", "Asia/Tokyo", None, None], {"name": "Tokyo"}],
)  # fmt: skip
def test_a_place_of_the_wrong_shape_is_refused(place: object) -> None:
    """A place that is not [name, country, zone, lat, lon] of the right types raises StoreError."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    data["place"] = place
    with pytest.raises(StoreError, match="cannot rebuild Arrived"):
        DEFAULT_CODEC.decode("Arrived", 1, data)


@pytest.mark.parametrize(
    ("text", "words"),
    [(None, "must be JSON text"), (b"{}", "must be JSON text"), ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
     ('{"who":' + "1" * 5000 + "}", "not JSON"), ("[]", "must be a JSON object")],
)  # fmt: skip
def test_damaged_data_text_is_a_store_error(text: object, words: str) -> None:
    """NULL, bytes, deep nesting, a 5,000-digit number or an array as data: StoreError."""
    with pytest.raises(StoreError, match=words):
        DEFAULT_CODEC.loads("Arrived", 1, text, where="version 1")  # type: ignore[arg-type]


def test_an_instant_no_zone_can_show_is_refused() -> None:
    """9999-12-31 23:59 UTC is the year 10000 in Tokyo: refused on load, not at display."""
    data = DEFAULT_CODEC.encode(Arrived("A", TOKYO, TOKYO.at("2025-10-27 16:30")))[2]
    data["at"] = [_time.LAST_INSTANT_US + 1, "UTC"]
    with pytest.raises(StoreError, match="outside the instants an event may be at"):
        DEFAULT_CODEC.decode("Arrived", 1, data)
