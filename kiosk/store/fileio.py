"""Every file-system call the local store makes, and nothing else.

The store never touches ``os`` or ``open`` directly: it calls these functions, through a module
object handed to it (``LocalStore(..., fileio=...)``), so a test can swap in a double that keeps
unsynced data volatile and cuts the power between any two calls (tests/store/crashfs.py).

What a caller may rely on, and what it may not:

- ``write_file`` creates or truncates a file and writes all of ``data``; nothing is durable yet.
- ``fsync_file`` makes a file's *contents* durable; its *name* in the folder is durable only after
  ``fsync_dir`` of that folder (and of the folder's own parent when the folder is new).
- ``replace`` is an atomic rename over an existing name (``os.replace``); durable after ``fsync_dir``.
- ``lock`` takes an exclusive ``fcntl.flock`` on a lock file without waiting; it raises
  ``BlockingIOError`` when another open file description holds it.
"""

from __future__ import annotations

import fcntl
import os

__all__ = [
    "exists",
    "fsync_dir",
    "fsync_file",
    "is_dir",
    "list_dir",
    "lock",
    "make_dir",
    "read_bytes",
    "remove_dir",
    "replace",
    "unlink",
    "unlock",
    "write_file",
]


def read_bytes(path: str) -> bytes:
    """The whole file; ``FileNotFoundError`` when it does not exist."""
    with open(path, "rb") as handle:
        return handle.read()


def list_dir(path: str) -> list[str]:
    """Names in a folder, sorted; ``FileNotFoundError`` when the folder does not exist."""
    return sorted(os.listdir(path))


def exists(path: str) -> bool:
    return os.path.exists(path)


def is_dir(path: str) -> bool:
    return os.path.isdir(path)


def make_dir(path: str) -> None:
    """Create one folder (its parent must exist); an existing folder is fine."""
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def write_file(path: str, data: bytes) -> None:
    """Create or truncate ``path`` and write all of ``data``. Not durable until ``fsync_file``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)


def fsync_file(path: str) -> None:
    """Make the file's contents durable (fsync on a fresh descriptor flushes the inode)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace(src: str, dst: str) -> None:
    """Atomically rename ``src`` over ``dst``; durable after ``fsync_dir`` of the folder."""
    os.replace(src, dst)


def unlink(path: str) -> None:
    """Remove a file's name; durable after ``fsync_dir`` of its folder."""
    os.unlink(path)


def remove_dir(path: str) -> None:
    """Remove an empty folder; durable after ``fsync_dir`` of its parent."""
    os.rmdir(path)


def fsync_dir(path: str) -> None:
    """Make the folder's entries (creations, renames, removals) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock(path: str) -> int:
    """Open (creating) ``path`` and take an exclusive flock without waiting; return the handle.

    Raises ``BlockingIOError`` when someone else holds the lock. The lock goes away with the
    process, so a killed kiosk never leaves a stale lock behind.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    # The holder's pid, for the error message a second opener shows; advisory only.
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def unlock(handle: int) -> None:
    """Release a lock taken with :func:`lock`."""
    try:
        fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
