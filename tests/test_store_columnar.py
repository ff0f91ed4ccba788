"""The Arrow store (.arrows): the contract, subscriptions, damaged files, data tools' view."""

from __future__ import annotations

import errno
import itertools
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from itinerary import Arrived, EventLog
from itinerary.errors import InvalidEventError, StoreError
from itinerary.events import AgreementSigned, MeetingHeld, Obligation
from itinerary.places import TOKYO
from itinerary.store import ArrowStore, Codec, open_store
from itinerary.store import columnar as columnar_module
from itinerary.store.columnar import (
    events_from_columns,
    export_arrow,
    file_schema,
    log_from_table,
)
from itinerary.strategies import event_logs
from tests.store_contract import DurableStoreContract, SubscriptionContract, batch, exact

PAUSE = """
import time
import itinerary.store.columnar as columnar
write = columnar._write_all
def part_then_pause(fd, data):
    # At least the first byte, at most all but the last byte of the batch.
    size = max(1, min(len(data) - 1, round(len(data) * DONE)))
    write(fd, data[:size])
    print(f"mid {size} of {len(data)} bytes", flush=True)
    time.sleep(60)
columnar._write_all = part_then_pause
"""


def resealed(path: Path, row: int, column: str, value: object) -> None:
    """Rewrite the one-batch store at *path* with *value* at (*row*, *column*), sealed anew.

    What a faulty writer could have written: a batch whose checksum matches, holding
    something that is not an event.
    """
    table = pa.ipc.open_stream(path).read_all()
    values = table.column(column).to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    field = table.schema.field(index)
    array = (
        pa.array(values, pa.string()).dictionary_encode()
        if pa.types.is_dictionary(field.type)
        else pa.array(values, field.type)
    )
    table = table.set_column(index, field, array).combine_chunks()
    [record] = table.to_batches()
    sink = pa.BufferOutputStream()
    writer = pa.ipc.new_stream(sink, file_schema(), options=columnar_module.writer_options(pa))
    head = len(columnar_module._schema_bytes(pa, file_schema()))
    data = columnar_module._sealed(sink, writer, record, 1, head)
    path.write_bytes(path.read_bytes()[:head] + data)


class TestArrowStore(DurableStoreContract):
    """The contract, for ArrowStore."""

    def make_store(self, directory: Path) -> ArrowStore:
        """A new store in directory/events.arrows."""
        return ArrowStore(directory / "events.arrows")

    def reopen(self, store: ArrowStore) -> ArrowStore:
        """A new store object on the same file."""
        return ArrowStore(store.path, create=False)

    def pause_mid_write(self, done: float) -> str:
        """Write *done* of the batch's bytes under the file's lock (never its last), then pause."""
        return f"DONE = {done!r}\n{PAUSE}"

    def damage(self, store: ArrowStore, version: int) -> None:
        """Seal an unknown zone into the row of *version*: refused while building, by version."""
        resealed(Path(store.path), version - 1, "zone", "Not/A_Zone")


class TestArrowSubscription(SubscriptionContract):
    """The subscription contract, for ArrowStore."""

    def make_store(self, directory: Path) -> ArrowStore:
        """A new store in directory/events.arrows."""
        return ArrowStore(directory / "events.arrows")

    def reopen(self, store: ArrowStore) -> ArrowStore:
        """A new store object on the same file."""
        return ArrowStore(store.path, create=False)

    def rewrite(self, store: ArrowStore, events: list[Arrived]) -> None:
        """Overwrite the file in place (the same inode) with a longer, different log."""
        other = Path(store.path + ".x")
        export_arrow(events, other)
        Path(store.path).write_bytes(other.read_bytes())


@given(log=event_logs(max_events=20))
def test_every_event_round_trips_through_the_columns(log: EventLog) -> None:
    """Every kind of event, place, zone, duration and due comes back equal, field for field."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.arrows"
        assert export_arrow(log, path) == len(log)
        loaded = ArrowStore(path, create=False).load()
        assert loaded == log
        assert exact(loaded) == exact(log)


@given(
    log=event_logs(max_events=20),
    cuts=st.lists(st.integers(0, 20), max_size=4),
    reads=st.lists(st.tuples(st.integers(0, 20), st.integers(1, 8)), min_size=1, max_size=6),
)
def test_read_after_is_the_slice_of_the_log_across_batches(
    log: EventLog, cuts: list[int], reads: list[tuple[int, int]]
) -> None:
    """Any run of read_after(after, limit) on a store of many batches gives log[after:][:limit]."""
    with tempfile.TemporaryDirectory() as directory:
        store = ArrowStore(Path(directory) / "t.arrows")
        bounds = sorted({0, len(log), *(min(c, len(log)) for c in cuts)})
        for start, end in itertools.pairwise(bounds):
            store.extend(log[start:end], expected_version=start)
        for drawn, limit in reads:
            after = min(drawn, len(log))
            found = store.read_after(after, limit)
            assert exact(EventLog(found)) == exact(EventLog(log[after : after + limit]))


CALENDAR = AgreementSigned(
    "Deal",
    ("A", "B"),
    TOKYO,
    TOKYO.at("2025-01-31 12:00"),
    obligations=(
        Obligation("report", within=TOKYO.at("2025-02-28 12:00") - TOKYO.at("2025-01-31 12:00")),
        Obligation("pay", due=TOKYO.at("2025-06-01 09:00")),
    ),
)


def test_an_obligation_keeps_its_calendar_duration_and_due(tmp_path: Path) -> None:
    """A month stays a month (not 28 days) and a due instant keeps its zone, through the file."""
    path = tmp_path / "deal.arrows"
    export_arrow([CALENDAR], path)
    [loaded] = ArrowStore(path).load()
    assert loaded == CALENDAR
    assert exact(EventLog([loaded])) == exact(EventLog([CALENDAR]))


def test_data_tools_read_the_file_as_typed_columns(tmp_path: Path) -> None:
    """The file is a plain Arrow stream to pyarrow: UTC timestamps, dictionary strings, versions."""
    path = tmp_path / "tour.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 3))
    store.extend(batch("B", 2, start=3))
    table = pa.ipc.open_stream(path).read_all()
    assert table.column("version").to_pylist() == [1, 2, 3, 4, 5]
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert pa.types.is_dictionary(table.schema.field("kind").type)
    assert table.column("who").to_pylist() == ["A 0", "A 1", "A 2", "B 3", "B 4"]
    micros = table.column("at").cast(pa.int64()).to_pylist()
    assert micros == [exact(EventLog([e]))[0][2]["at"][0] for e in store.load()]
    assert store.read_table(upto=2).num_rows == 2


def test_an_event_of_another_codec_is_kept_as_its_json_record(tmp_path: Path) -> None:
    """A type at a schema the columns do not know is kept whole in ``data`` and read back."""
    codec = Codec(versions={"Arrived": 2}, upcasters={})
    path = tmp_path / "v2.arrows"
    event = Arrived("A", TOKYO, TOKYO.at("2025-10-27 17:00"))
    ArrowStore(path, codec=codec).extend([event])
    table = pa.ipc.open_stream(path).read_all()
    assert table.column("schema").to_pylist() == [2]
    assert table.column("data").to_pylist()[0] is not None
    assert ArrowStore(path, codec=codec).load()[0] == event
    with pytest.raises(StoreError, match="newer than this version of itinerary knows"):
        ArrowStore(path).load()


def test_a_catch_up_reads_the_file_and_each_batch_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Following an unchanged file chunk by chunk scans it once and decodes each batch once."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    for start in range(0, 30, 10):
        store.extend(batch("A", 10, start=start))
    scans: list[int] = []
    scan = columnar_module._scan
    monkeypatch.setattr(columnar_module, "_scan", lambda *args: scans.append(1) or scan(*args))
    decoded: list[int] = []
    segments = ArrowStore._segments
    monkeypatch.setattr(
        ArrowStore,
        "_segments",
        lambda self, content, found, chosen: (
            decoded.append(len(chosen)) or segments(self, content, found, chosen)
        ),
    )
    follower = ArrowStore(path, create=False)
    subscription = follower.subscribe(after=0, chunk=4)
    seen = subscription.poll(timeout=0)
    while subscription.version < 30:
        seen += subscription.poll(timeout=0)
    assert [r.event.who for r in seen] == [f"A {i}" for i in range(30)]
    assert len(scans) == 1  # eight reads of up to five events, one scan
    assert decoded == [1, 1, 1]  # three batches, each decoded once


def test_a_changed_byte_is_refused_naming_the_batch(tmp_path: Path) -> None:
    """A byte changed inside a batch fails its checksum: refused, naming its versions."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 3))
    store.extend(batch("B", 4, start=3))
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"t\.arrows: versions 4-7: damaged: its checksum"):
        ArrowStore(path).load()


def test_a_sealed_row_that_is_not_an_event_is_named_by_version(tmp_path: Path) -> None:
    """A row whose columns make no event (sealed by a faulty writer) is refused by version."""
    path = tmp_path / "t.arrows"
    export_arrow(batch("A", 3), path)
    resealed(path, 1, "who", None)
    with pytest.raises(StoreError, match=r"t\.arrows: version 2: cannot rebuild Arrived"):
        ArrowStore(path).load()


def test_a_torn_tail_is_ignored_then_removed(tmp_path: Path) -> None:
    """Half a batch at the end (a killed writer) is not read, and the next write drops it."""
    path = tmp_path / "t.arrows"
    export_arrow(batch("A", 2), path)
    other = tmp_path / "o.arrows"
    export_arrow(batch("A", 2), other)
    ArrowStore(other).extend(batch("B", 3, start=2))
    whole = other.read_bytes()
    path.write_bytes(whole[: len(path.read_bytes()) + (len(whole) - len(path.read_bytes())) // 2])
    assert ArrowStore(path).version == 2
    assert ArrowStore(path).extend(batch("C", 1, start=2), expected_version=2) == 3
    assert exact(ArrowStore(path).load()) == exact(EventLog(batch("A", 2) + batch("C", 1, 2)))
    assert pa.ipc.open_stream(path).read_all().num_rows == 3


def test_two_torn_looking_batches_are_damage_not_a_tail(tmp_path: Path) -> None:
    """Bytes after a broken message that hold later batches are damage: nothing is dropped."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    for start in (0, 2, 4):
        store.extend(batch("A", 2, start=start))
    content = path.read_bytes()
    first = content.index(
        b"\xff\xff\xff\xff", len(columnar_module._schema_bytes(pa, file_schema()))
    )
    broken = content[: first + 4] + b"\x7f\xff\xff\x7f" + content[first + 8 :]
    path.write_bytes(broken)
    with pytest.raises(StoreError, match=r"t\.arrows: damaged after version 0"):
        ArrowStore(path).load()


def test_a_broken_frame_in_the_last_batch_is_damage_not_a_torn_write(tmp_path: Path) -> None:
    """A last batch whose bytes are all there but do not parse is refused, not dropped."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 2))
    committed = len(path.read_bytes())
    store.extend(batch("B", 2, start=2))
    content = bytearray(path.read_bytes())
    content[committed] ^= 0x10  # the continuation marker of its first message
    path.write_bytes(bytes(content))
    with pytest.raises(StoreError, match=r"t\.arrows: damaged after version 2"):
        ArrowStore(path).load()
    with pytest.raises(StoreError, match="damaged after version 2"):
        ArrowStore(path).extend(batch("C", 1, start=2))
    assert path.read_bytes() == bytes(content)  # nothing written over it


@given(cut=st.integers(min_value=0))
@example(cut=0)
def test_any_truncation_loads_a_batch_aligned_prefix(cut: int) -> None:
    """A file cut anywhere loads the whole batches before the cut (what a killed writer leaves)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.arrows"
        store = ArrowStore(path)
        store.extend(batch("A", 2))
        store.extend(batch("B", 3, start=2))
        content = path.read_bytes()
        path.write_bytes(content[: cut % (len(content) + 1)])
        loaded = ArrowStore(path).load()
        assert len(loaded) in {0, 2, 5}
        assert exact(loaded) == exact(EventLog((batch("A", 2) + batch("B", 3, 2))[: len(loaded)]))
        after = ArrowStore(path).extend(batch("C", 1, start=len(loaded)), len(loaded))
        assert after == len(loaded) + 1


FAKE_SEAL = "itinerary:first=7;count=4;bytes=9182736450192837;crc32=5e1f0a9b"


def _seal_spelled(title: str) -> MeetingHeld:
    """A meeting whose title and a participant spell *title* (a seal, in the tests)."""
    start = TOKYO.at("2025-10-27 10:00")
    return MeetingHeld(title, (title, "Bea"), TOKYO, start, TOKYO.at("2025-10-27 11:00"))


@given(cut=st.integers(min_value=0))
def test_text_that_spells_a_seal_leaves_a_torn_tail_torn(cut: int) -> None:
    """A killed writer's batch whose events' text looks like a seal is still a torn tail.

    Seals are looked for in batch metadata only: every cut of that batch loads the batches
    before it, and the next writer goes on (the text once made the file unreadable).
    """
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.arrows"
        store = ArrowStore(path)
        store.extend(batch("A", 2))
        committed = len(path.read_bytes())
        store.extend([_seal_spelled(FAKE_SEAL)])
        content = path.read_bytes()
        fake = content.index(FAKE_SEAL.encode(), committed)  # the text is there as it is
        for end in (fake + len(FAKE_SEAL), committed + cut % (len(content) - committed)):
            path.write_bytes(content[:end])
            assert exact(ArrowStore(path).load()) == exact(EventLog(batch("A", 2)))
        assert ArrowStore(path).extend(batch("C", 1, start=2), expected_version=2) == 3


def test_a_title_that_spells_the_placeholder_seal_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sealing fills the seal in the batch's metadata, never a title that spells it."""
    monkeypatch.setattr(columnar_module, "writer_options", lambda pa: pa.ipc.IpcWriteOptions())
    placeholder = "itinerary:first=1;count=1;bytes=0000000000000000;crc32=00000000"
    path = tmp_path / "t.arrows"
    ArrowStore(path).extend([_seal_spelled(placeholder)], expected_version=0)
    assert placeholder.encode() in path.read_bytes()  # uncompressed: the title as it is
    assert ArrowStore(path).load()[0].title == placeholder


@given(start=st.integers(min_value=0), size=st.sampled_from([1, 8, 64, 512]))
@example(start=-1, size=512)  # the sector over the last batch's seal
def test_damage_in_the_last_batch_is_refused_not_taken_for_a_torn_tail(
    start: int, size: int
) -> None:
    """Zeros over any bytes of the last batch: it loads whole or is refused, never short.

    A torn tail is only a strict prefix of a batch; a committed batch damaged in place (a
    zeroed sector) is refused, and no writer drops its events.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.arrows"
        store = ArrowStore(path)
        store.extend(batch("A", 2))
        committed = len(path.read_bytes())
        store.extend(batch("B", 3, start=2))
        content = bytearray(path.read_bytes())
        if start < 0:
            seal = content.index(b"itinerary:first=3;")
            at = seal - seal % 512
        else:
            at = committed + start % (len(content) - committed)
        content[at : at + size] = bytes(len(content[at : at + size]))
        path.write_bytes(bytes(content))
        whole = exact(EventLog(batch("A", 2) + batch("B", 3, 2)))
        try:
            loaded = ArrowStore(path).load()
        except StoreError:
            with pytest.raises(StoreError, match=r"t\.arrows: .*damaged"):
                ArrowStore(path).extend(batch("C", 1, start=2), expected_version=2)
            assert path.read_bytes() == bytes(content)
        else:
            assert exact(loaded) == whole  # the zeros fell on zeros


@given(at=st.integers(min_value=0), bit=st.integers(0, 7))
@example(at=-1, bit=3)  # the length of the middle batch's first message, made larger
def test_a_flipped_bit_in_any_batch_is_refused_never_a_short_load(at: int, bit: int) -> None:
    """A bit flipped in any batch, its framing included, is refused: it is no torn tail.

    Once, a message length made larger in a middle batch read as a cut, and the batches
    after it were dropped.
    """
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.arrows"
        store = ArrowStore(path)
        head = len(columnar_module._schema_bytes(pa, file_schema()))
        ends = []
        for start in (0, 2, 4):
            store.extend(batch("A", 2, start=start))
            ends.append(len(path.read_bytes()))
        content = bytearray(path.read_bytes())
        where = ends[0] + 6 if at < 0 else head + at % (len(content) - head)
        content[where] ^= 1 << bit
        path.write_bytes(bytes(content))
        with pytest.raises(StoreError, match=r"t\.arrows: .*damaged"):
            ArrowStore(path).load()


def resealed_column(path: Path, column: str, array: pa.Array) -> None:
    """Rewrite the one-batch store at *path* with *column* replaced by *array*, sealed anew."""
    table = pa.ipc.open_stream(path).read_all().combine_chunks()
    index = table.schema.get_field_index(column)
    table = table.set_column(index, table.schema.field(index), array)
    [record] = table.to_batches()
    sink = pa.BufferOutputStream()
    writer = pa.ipc.new_stream(sink, file_schema(), options=columnar_module.writer_options(pa))
    head = len(columnar_module._schema_bytes(pa, file_schema()))
    data = columnar_module._sealed(sink, writer, record, 1, head)
    path.write_bytes(path.read_bytes()[:head] + data)


def _indices(values: list[int]) -> pa.Array:
    words = pa.array(["A 0", "A 1"])
    return pa.DictionaryArray.from_arrays(pa.array(values, pa.int32()), words, safe=False)


@pytest.mark.parametrize(
    ("column", "array"),
    [
        ("who", _indices([0, 7])),  # past the dictionary: once a bare IndexError
        ("who", _indices([0, -1])),  # negative: once read as another row's name
        ("who", _indices([0, -2])),
        (
            "data",  # offsets past the data buffer: once read out of bounds
            pa.Array.from_buffers(
                pa.string(),
                2,
                [None, pa.py_buffer(struct.pack("<3i", 0, 2_000_000_000, 2)), pa.py_buffer(b"{}")],
            ),
        ),
    ],
)
def test_a_sealed_batch_arrow_finds_invalid_is_refused_by_versions(
    tmp_path: Path, column: str, array: pa.Array
) -> None:
    """A batch whose checksum matches but whose arrays are invalid raises StoreError by versions."""
    path = tmp_path / "t.arrows"
    export_arrow(batch("A", 2), path)
    resealed_column(path, column, array)
    with pytest.raises(StoreError, match=r"t\.arrows: versions 1-2: damaged: not Arrow data"):
        ArrowStore(path).load()


def _meetings(titles: list[int]) -> list[MeetingHeld]:
    start, end = TOKYO.at("2025-10-27 10:00"), TOKYO.at("2025-10-27 11:00")
    return [MeetingHeld("t" * n, ("A", "B"), TOKYO, start, end) for n in titles]


@pytest.mark.parametrize("chunk", [2, 10_000])
def test_a_batch_past_arrows_text_limit_is_refused_storing_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """A batch whose text passes a column's limit (2 GiB, made small here) stores nothing.

    Built in chunks each under the limit (``chunk=2``), the batch once lost every event
    after the first chunk while extend reported them stored.
    """
    monkeypatch.setattr(columnar_module, "_TEXT_LIMIT", 10_000)
    monkeypatch.setattr(columnar_module, "CHUNK", chunk)
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(_meetings([4_000, 4_000]))
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"versions 3-5 as one batch: its 'title' column passes"):
        store.extend(_meetings([4_000, 4_000, 4_000]))
    assert path.read_bytes() == before
    assert ArrowStore(path).version == store.version == 2


def test_a_write_that_fails_midway_leaves_no_torn_tail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk halfway through a batch: StoreError, and the file is cut back as it was."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 2))
    before = path.read_bytes()
    write = columnar_module._write_all

    def half_then_full(fd: int, data: bytes) -> None:
        write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(columnar_module, "_write_all", half_then_full)
    with pytest.raises(StoreError, match=r"cannot write the store: .*No space left"):
        store.extend(batch("B", 2, start=2))
    assert path.read_bytes() == before


def test_log_from_table_refuses_the_rows_of_log_to_arrow() -> None:
    """``log.to_arrow()`` is a view for data tools, not the store's columns: StoreError."""
    log = EventLog(batch("A", 2))
    with pytest.raises(StoreError, match="not the columns of an Arrow store"):
        log_from_table(log.to_arrow())


def test_not_an_arrow_log(tmp_path: Path) -> None:
    """A file that does not start with the store's schema is refused, naming the file."""
    path = tmp_path / "other.arrows"
    path.write_bytes(b"hello, this is not arrow at all" * 40)
    with pytest.raises(StoreError, match=r"other\.arrows: not an itinerary Arrow event log"):
        ArrowStore(path).load()


def test_text_arrow_cannot_hold_is_refused_storing_nothing(tmp_path: Path) -> None:
    """A name with a lone surrogate (not UTF-8) raises StoreError; the file is unchanged."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 2))
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"cannot store versions 3-3 as Arrow columns"):
        store.extend([Arrived("B\ud800", TOKYO, TOKYO.at("2025-10-27 17:00"))])
    assert path.read_bytes() == before
    assert store.version == 2


def test_a_newer_format_says_so(tmp_path: Path) -> None:
    """A file whose schema says another format is refused naming it, not as a foreign file."""
    schema = file_schema().with_metadata({"itinerary": "event-log", "itinerary.format": "2"})
    path = tmp_path / "new.arrows"
    with pa.ipc.new_stream(path, schema) as writer:
        writer.write_table(schema.empty_table())
    with pytest.raises(StoreError, match=r"new\.arrows: an Arrow event log of format '2'"):
        ArrowStore(path).load()


def test_a_batch_with_a_non_event_stores_nothing_and_says_where(tmp_path: Path) -> None:
    """A non-event in a batch is refused before anything is written."""
    path = tmp_path / "t.arrows"
    store = ArrowStore(path)
    store.extend(batch("A", 1))
    before = path.read_bytes()
    with pytest.raises(InvalidEventError, match=r"version 3"):
        store.extend([*batch("B", 1), 42])  # type: ignore[list-item]
    assert path.read_bytes() == before


def test_open_store_picks_the_arrow_store_and_refuses_parquet(tmp_path: Path) -> None:
    """``.arrows`` opens an ArrowStore; ``.parquet`` is refused, saying what to use instead."""
    with open_store(tmp_path / "t.arrows") as store:
        assert isinstance(store, ArrowStore)
    with pytest.raises(StoreError, match=r"t\.parquet: a Parquet file is an export"):
        open_store(tmp_path / "t.parquet")


def test_events_from_columns_is_the_one_builder(tmp_path: Path) -> None:
    """The plain columns of a file build the same events the store loads (the bulk door's seam)."""
    path = tmp_path / "t.arrows"
    export_arrow([*batch("A", 2), CALENDAR], path)
    table = ArrowStore(path).read_table()
    columns = columnar_module._plain_columns(pa, table)
    assert events_from_columns(columns) == list(ArrowStore(path).load())
    assert log_from_table(table) == ArrowStore(path).load()


def test_without_pyarrow_the_library_works_and_the_store_names_the_extra(tmp_path: Path) -> None:
    """Without pyarrow, itinerary imports and SQLite works; an .arrows store names the extra."""
    code = f"""
import sys
sys.modules["pyarrow"] = None  # as if not installed: `import pyarrow` raises ImportError
import itinerary, itinerary.cli
from itinerary.store import open_store
from itinerary.events import Arrived
from itinerary.places import TOKYO
with open_store({str(tmp_path / "t.sqlite")!r}) as store:
    store.append(Arrived("A", TOKYO, TOKYO.at("2025-10-27 17:00")))
    print(store.load().version)
try:
    open_store({str(tmp_path / "t.arrows")!r})
except itinerary.MissingExtraError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    version, message = done.stdout.splitlines()
    assert version == "1"
    assert message.endswith('needs pyarrow, which is not installed: pip install "itinerary[arrow]"')
    assert str(tmp_path / "t.arrows") in message
    assert not (tmp_path / "t.arrows").exists()


def test_importing_itinerary_does_not_import_pyarrow() -> None:
    """``import itinerary`` (and its store package) leaves pyarrow unimported."""
    code = "import sys, itinerary, itinerary.store; print('pyarrow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
