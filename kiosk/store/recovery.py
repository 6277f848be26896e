"""What the store does at open with what a crash or a bad disk left behind.

- :func:`quarantine` moves a file that cannot be read into ``<data_dir>/quarantine/`` under a
  name that says where it came from and when; it is never deleted, the move is durable, and it is
  logged. Staff (or a developer) inspect it; deleting it from there is their decision.
- :func:`remove_temp_files` deletes the temporary files of interrupted atomic writes: such a file
  never held acknowledged data (a write is acknowledged only after its rename), so it is garbage.
- :func:`ensure_dir` creates a folder durably (mkdir, then fsync of its parent).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from kiosk.store.storage import is_temp_name

__all__ = ["QUARANTINE_DIR", "ensure_dir", "quarantine", "remove_temp_files"]

QUARANTINE_DIR = "quarantine"
log = logging.getLogger("kiosk.store")


def ensure_dir(fileio: Any, path: str) -> None:
    """Create ``path`` (its parent must exist) so that it survives a power cut."""
    if fileio.is_dir(path):
        return
    fileio.make_dir(path)
    fileio.fsync_dir(os.path.dirname(os.path.abspath(path)))


def quarantine(fileio: Any, data_dir: str, path: str, reason: str) -> str:
    """Move ``path`` into the quarantine folder; return its new path."""
    folder = os.path.join(data_dir, QUARANTINE_DIR)
    ensure_dir(fileio, folder)
    relative = os.path.relpath(path, data_dir).replace(os.sep, "__")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = os.path.join(folder, f"{stamp}__{relative}")
    n = 1
    while fileio.exists(target):  # bounded by the few files one open can quarantine
        n += 1
        target = os.path.join(folder, f"{stamp}-{n}__{relative}")
    fileio.replace(path, target)
    fileio.fsync_dir(folder)
    fileio.fsync_dir(os.path.dirname(path))
    log.warning("quarantined unreadable store file %s as %s: %s", path, target, reason)
    return target


def remove_temp_files(fileio: Any, folder: str) -> list[str]:
    """Delete leftover temporary files of interrupted writes in ``folder``; return their paths."""
    removed = []
    for name in fileio.list_dir(folder):
        if is_temp_name(name):
            path = os.path.join(folder, name)
            fileio.unlink(path)
            removed.append(path)
    if removed:
        fileio.fsync_dir(folder)
        log.info("removed %d temporary file(s) of interrupted writes in %s", len(removed), folder)
    return removed
