"""The sealed-row seam the checksummed stores share: checksums, interning, checks."""

from datetime import UTC
from typing import Any

import pytest

from itinerary import Arrived, StoreError
from itinerary.places import SEOUL, TOKYO
from itinerary.store._sealed import (
    SealedBatch,
    check_count,
    checksum,
    entry_checksum,
    read_dictionary,
)
from itinerary.store.codec import DEFAULT_CODEC, Entry, dumps

ARRIVALS = [
    Arrived("Donald Trump", TOKYO, TOKYO.at("2025-10-27 17:00")),
    Arrived("Lee Jae-myung", SEOUL, SEOUL.at("2025-10-29 09:00")),
    Arrived("Donald Trump", SEOUL, SEOUL.at("2025-10-29 11:00")),
]


def test_checksums_are_those_stores_were_written_with() -> None:
    """The row and entry CRCs are fixed: stores written by earlier versions keep loading."""
    assert checksum(1, "Arrived", 1, b'["Donald Trump",1,[1761552000000000,2]]') == 1981331654
    assert entry_checksum(1, b'"Asia/Tokyo"') == 492490772
    assert checksum(5, "Arrived", 1, b"[]") == checksum(2**32 + 5, "Arrived", 1, b"[]")


def test_sealed_rows_number_and_seal_each_event() -> None:
    """Rows run from version current + 1, each with the checksum of its version and content."""
    sealed = SealedBatch(DEFAULT_CODEC, {}, lambda last: [], current=4)
    rows = list(sealed.rows(ARRIVALS))
    assert [row[0] for row in rows] == [5, 6, 7]
    for version, kind, schema, data, crc in rows:
        assert (kind, schema) == ("Arrived", 1)
        assert crc == checksum(version, kind, schema, data)


def test_interning_gives_each_place_and_zone_one_id_after_the_stores() -> None:
    """New places and zones get ids after the last known, once each; the known keep theirs."""
    tokyo = dumps(["Tokyo", "Japan", "Asia/Tokyo", 35.6762, 139.6503]).encode()
    known = {b'"Asia/Tokyo"': 1}
    read: list[int] = []

    def read_since(last: int) -> list[tuple[int, Any]]:
        read.append(last)
        return [(2, memoryview(tokyo))]  # another writer's entry (as bytes-like as a driver's)

    sealed = SealedBatch(DEFAULT_CODEC, known, read_since, current=0)
    assert read == [1]
    assert known == {b'"Asia/Tokyo"': 1, tokyo: 2}
    list(sealed.rows(ARRIVALS))
    assert sorted(sealed.added.values()) == [3, 4]  # Seoul and its zone, once each
    assert [entry for entry, _, _ in sealed.entries()] == [3, 4]
    assert all(crc == entry_checksum(i, data) for i, data, crc in sealed.entries())
    assert len(known) == 2  # the caller adds the new entries once its transaction commits


@pytest.mark.parametrize(("recorded", "said"), [(None, "nothing"), (("2",), "'2'"), ((3,), "3")])
def test_a_recorded_count_other_than_the_last_version_is_damage(
    recorded: tuple[Any, ...] | None, said: str
) -> None:
    """check_count refuses a count that is missing or not the last version, naming both."""
    check_count("tour", 3, ("3",))
    with pytest.raises(
        StoreError,
        match=f"tour: damaged: its last event is version 3, but the store recorded {said}",
    ):
        check_count("tour", 3, recorded)


def test_read_dictionary_checks_each_entry() -> None:
    """Entries are decoded in id order; a gap or a changed entry is damage, named by its id."""
    zone = b'"Asia/Tokyo"'
    table: list[Entry] = [UTC]
    raw: list[object] = [None]
    read_dictionary([(1, zone, entry_checksum(1, zone))], table, raw, "tour")
    assert raw == [None, "Asia/Tokyo"]
    assert str(table[1]) == "Asia/Tokyo"
    with pytest.raises(StoreError, match="tour: dictionary entry 3: damaged: expected entry 2"):
        read_dictionary([(3, zone, entry_checksum(3, zone))], table, raw, "tour")
    with pytest.raises(StoreError, match="tour: dictionary entry 2: damaged: its checksum"):
        read_dictionary([(2, zone, entry_checksum(2, zone) + 1)], table, raw, "tour")
    with pytest.raises(StoreError, match="entry 2: damaged: its data or checksum is not"):
        read_dictionary([(2, zone.decode(), 0)], table, raw, "tour")
