"""Reading and writing files safely: regular files only, written whole or not at all.

A path given to read or write must be a regular file (or, to write, not exist yet): a
symbolic link, a FIFO, a device or a directory is refused before it is opened for its
content, so reading a FIFO cannot hang, reading ``/dev/zero`` cannot fill the memory, and a
link planted where a file will be written cannot redirect the write. A file is written to a
new temporary file beside it (``tempfile``: a random name opened with ``O_EXCL``), synced,
and renamed over the target with ``os.replace``, so a reader sees the old file or the new
one, never a part.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import BinaryIO

__all__ = [
    "NotRegularFileError",
    "check_regular",
    "read_bytes",
    "sync_folder",
    "wait_for_change",
    "write_atomic",
    "written_beside",
]


class NotRegularFileError(OSError):
    """*path* is a symbolic link, FIFO, device or directory where a regular file belongs.

    ``kind`` says what it is (``"a FIFO (named pipe)"``).
    """

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"{path}: is {kind}, not a regular file; refusing to use it")
        self.path = path
        self.kind = kind


_KINDS = (
    (stat.S_ISLNK, "a symbolic link (not followed: give the path of the file it points to)"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str | None:
    """What a non-regular file is (``"a FIFO (named pipe)"``), or ``None`` for a regular one."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_regular(path: str, *, missing_ok: bool = False) -> bool:
    """Whether *path* exists; raise :class:`NotRegularFileError` unless it is a regular file.

    A symbolic link is refused even if it points at a regular file (the link is not
    followed). With *missing_ok*, a path that does not exist returns ``False``; otherwise
    it raises :class:`FileNotFoundError`.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        if missing_ok:
            return False
        raise
    kind = _kind(mode)
    if kind is not None:
        raise NotRegularFileError(path, kind)
    return True


def open_regular(path: str) -> BinaryIO:
    """The regular file at *path*, open for reading (a link, FIFO or device is refused first).

    Opened without following a link and without blocking, then checked again through the open
    descriptor: a link or a FIFO swapped in after the first check is refused too.
    """
    check_regular(path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    file = os.fdopen(os.open(path, flags), "rb")
    kind = _kind(os.fstat(file.fileno()).st_mode)
    if kind is not None:
        file.close()
        raise NotRegularFileError(path, kind)
    return file


def read_bytes(path: str) -> bytes:
    """The content of the regular file at *path* (see :func:`open_regular`)."""
    with open_regular(path) as file:
        return file.read()


def write_atomic(path: str, data: bytes) -> None:
    """Write *data* as the file at *path*, whole or not at all.

    *path* must be a regular file or not exist (a symbolic link, even a dangling one, is
    refused). The data goes to a new temporary file in the same folder, is synced, and
    replaces *path* in one rename; the folder is synced too where the system allows.
    """
    exists = check_regular(path, missing_ok=True)
    mode = stat.S_IMODE(os.lstat(path).st_mode) if exists else 0o644
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(
        dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fchmod(file.fileno(), mode)  # mkstemp's is 0o600
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)


def sync_folder(folder: str) -> None:
    """Sync *folder*, where the system allows: a file made or renamed in it survives a crash."""
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Sync *folder*, where the system allows: a rename in it then survives a power cut."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def written_beside(path: str) -> Iterator[str]:
    """A path to write a whole file at, which then replaces *path*, or is removed.

    For a writer that needs a path, not bytes (a database): the path has *path*'s name
    (so its suffix says its kind) in a new private folder beside *path*, on the same file
    system. If the block ends normally, the file written there replaces *path* in one
    rename; whatever happens, the folder and anything left in it are removed, so a failed
    write (a full disk) leaves neither a partial file nor an empty one.
    """
    check_regular(path, missing_ok=True)
    folder = os.path.dirname(os.path.abspath(path))
    scratch = tempfile.mkdtemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        temporary = os.path.join(scratch, os.path.basename(path))
        yield temporary
        check_regular(path, missing_ok=True)
        os.replace(temporary, path)
        _sync_folder(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def wait_for_change(
    identity: Callable[[], object],
    watched: tuple[object, int] | None,
    version: Callable[[], int],
    seen: int,
    *,
    timeout: float,
    poll: float,
) -> bool:
    """Whether a file store may hold other than *seen* events, polling until *timeout* passes.

    *identity* gives the file's identity (inode, size, time), read every *poll* seconds, never its
    contents. *watched* is (that identity, the events read then) as of the store's last
    read: waiting from there, any change is news; otherwise the store's *version* is
    compared with *seen* first.
    """
    deadline = time.monotonic() + timeout
    if watched is not None and watched[1] == seen:
        mark = watched[0]
    else:
        mark = identity()
        if version() != seen:
            return True
    while identity() == mark:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(poll, left))
    return True
