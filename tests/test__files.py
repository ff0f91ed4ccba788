"""Safe files: links, FIFOs and devices refused before use; writes whole or not at all."""

import os
from pathlib import Path

import pytest

from itinerary import _files


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    """write_atomic replaces the content, keeps the mode, and leaves no other file behind."""
    path = tmp_path / "a.toml"
    path.write_text("old")
    path.chmod(0o640)
    _files.write_atomic(str(path), b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["a.toml"]


def test_a_symbolic_link_is_refused_to_write_and_its_target_untouched(tmp_path: Path) -> None:
    """A link (to a file or dangling) at the target is refused; nothing is written anywhere."""
    victim = tmp_path / "victim"
    victim.write_text("keep")
    for target in (victim, tmp_path / "missing"):
        link = tmp_path / "link.toml"
        link.unlink(missing_ok=True)
        link.symlink_to(target)
        with pytest.raises(_files.NotRegularFileError, match="symbolic link"):
            _files.write_atomic(str(link), b"data")
    assert victim.read_text() == "keep"
    assert not (tmp_path / "missing").exists()


def test_a_fifo_and_a_device_are_refused_to_read(tmp_path: Path) -> None:
    """A FIFO is refused (no hang) and /dev/zero is refused (no endless read)."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(_files.NotRegularFileError, match="FIFO"):
        _files.read_bytes(str(fifo))
    with pytest.raises(_files.NotRegularFileError, match="character device"):
        _files.read_bytes("/dev/zero")
    with pytest.raises(_files.NotRegularFileError, match="directory"):
        _files.read_bytes(str(tmp_path))


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_link_or_fifo_swapped_in_after_the_check_is_refused_without_hanging(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open itself refuses what the first check no longer sees (a swap after the check)."""
    target = tmp_path / "real.jsonl"
    target.write_text("x")
    path = tmp_path / "store.jsonl"
    if kind == "link":
        path.symlink_to(target)
    else:
        os.mkfifo(path)
    monkeypatch.setattr(_files, "check_regular", lambda path, **kwargs: True)  # raced past
    with pytest.raises(OSError, match=r"symbolic link|FIFO|Too many levels"):
        _files.open_regular(str(path))
