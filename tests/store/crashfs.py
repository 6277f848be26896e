"""A test double of kiosk.store.fileio: an in-memory file system that can lose power.

In the spirit of SQLite's crash tests. Every file has the contents the process sees and the
contents that are durable (set by ``fsync_file``); every folder has the entries the process sees
and the durable ones (set by ``fsync_dir``). ``crash_at=k`` cuts the power at the k-th call that
changes state or durability (reads change nothing, so a crash there equals the point before):
that call raises :class:`PowerCut`; with ``torn=True`` a ``write_file`` there first writes part
of its data. :meth:`CrashFS.survivors` then says what a disk could hold after the cut:

- ``"lost"``: only what was fsynced (folder entries and file contents);
- ``"kept"``: everything the process saw (a process crash, or a kernel that flushed it all);
- ``"meta"``: every folder entry, but only fsynced file contents (ext4's zero-length files);
- ``"random"``: per folder durable or seen entries, per file durable, seen, or a torn prefix.

:meth:`CrashFS.materialize` writes that state into a real folder for the real store to open.
"""

from __future__ import annotations

import copy
import os
import random
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CrashFS", "PowerCut", "MODES"]

MODES = ("lost", "kept", "meta", "random")


class PowerCut(BaseException):
    """The power went at this call; BaseException so that no ``except Exception`` hides it."""


@dataclass(eq=False)
class _File:
    data: bytes = b""
    durable: bytes = b""


@dataclass(eq=False)
class _Dir:
    entries: dict[str, Any] = field(default_factory=dict)
    durable: dict[str, Any] = field(default_factory=dict)


class CrashFS:
    """The functions of kiosk.store.fileio on an in-memory tree rooted at ``root``."""

    def __init__(self, root: str, crash_at: int | None = None, torn: bool = False):
        self.root = os.path.abspath(root)
        self._tree = _Dir()
        self.crash_at = crash_at
        self.torn = torn
        self.points: list[tuple[str, str]] = []  # (call, path) of each crash point passed

    # --- bookkeeping

    def _point(self, call: str, path: str) -> bool:
        """Count a crash point; True when the power goes at this one."""
        self.points.append((call, path))
        return self.crash_at is not None and len(self.points) - 1 == self.crash_at

    def _cut(self) -> None:
        raise PowerCut(f"power cut at point {self.crash_at}: {self.points[-1]}")

    def _parts(self, path: str) -> list[str]:
        rel = os.path.relpath(os.path.abspath(path), self.root)
        if rel.startswith(".."):
            raise PermissionError(f"{path} is outside the simulated disk {self.root}")
        return [] if rel == "." else rel.split(os.sep)

    def _lookup(self, path: str) -> Any:
        node: Any = self._tree
        for part in self._parts(path):
            if not isinstance(node, _Dir) or part not in node.entries:
                raise FileNotFoundError(path)
            node = node.entries[part]
        return node

    def _parent(self, path: str) -> tuple[_Dir, str]:
        parts = self._parts(path)
        parent = self._lookup(os.path.join(self.root, *parts[:-1]))
        if not isinstance(parent, _Dir):
            raise NotADirectoryError(path)
        return parent, parts[-1]

    @classmethod
    def from_tree(cls, root: str, tree: dict[str, Any]) -> CrashFS:
        """A disk holding a :meth:`survivors` tree, all of it durable (the state after reboot)."""

        def build(entries: dict[str, Any]) -> _Dir:
            node = _Dir()
            for name, child in entries.items():
                if isinstance(child, dict):
                    node.entries[name] = build(child)
                else:
                    node.entries[name] = _File(child, child)
            node.durable = dict(node.entries)
            return node

        fs = cls(root)
        fs._tree = build(tree)
        return fs

    def copy(self, crash_at: int | None = None, torn: bool = False) -> CrashFS:
        """An independent copy of this disk, with no crash points counted yet."""
        twin = copy.deepcopy(self)
        twin.points = []
        twin.crash_at, twin.torn = crash_at, torn
        return twin

    def sync_all(self) -> None:
        """Make everything durable (a clean state to start crash runs from)."""
        stack = [self._tree]
        while stack:
            node = stack.pop()
            node.durable = dict(node.entries)
            for child in node.entries.values():
                if isinstance(child, _Dir):
                    stack.append(child)
                else:
                    child.durable = child.data

    # --- reads (no crash points)

    def read_bytes(self, path: str) -> bytes:
        node = self._lookup(path)
        if isinstance(node, _Dir):
            raise IsADirectoryError(path)
        return node.data

    def list_dir(self, path: str) -> list[str]:
        node = self._lookup(path)
        if not isinstance(node, _Dir):
            raise NotADirectoryError(path)
        return sorted(node.entries)

    def exists(self, path: str) -> bool:
        try:
            self._lookup(path)
        except (FileNotFoundError, PermissionError):
            return False
        return True

    def is_dir(self, path: str) -> bool:
        try:
            return isinstance(self._lookup(path), _Dir)
        except (FileNotFoundError, PermissionError):
            return False

    # --- changes (each one a crash point)

    def make_dir(self, path: str) -> None:
        parent, name = self._parent(path)
        if self._point("make_dir", path):
            self._cut()
        if name in parent.entries:
            if not isinstance(parent.entries[name], _Dir):
                raise FileExistsError(path)
            return
        parent.entries[name] = _Dir()

    def write_file(self, path: str, data: bytes) -> None:
        parent, name = self._parent(path)
        crash = self._point("write_file", path)
        if crash and not self.torn:
            self._cut()
        node = _File()  # O_TRUNC: the old contents are gone, nothing new is durable yet
        parent.entries[name] = node
        if crash:
            node.data = bytes(data[: max(1, len(data) // 2)])
            self._cut()
        node.data = bytes(data)

    def fsync_file(self, path: str) -> None:
        node = self._lookup(path)
        if self._point("fsync_file", path):
            self._cut()
        node.durable = node.data

    def replace(self, src: str, dst: str) -> None:
        src_parent, src_name = self._parent(src)
        dst_parent, dst_name = self._parent(dst)
        if src_name not in src_parent.entries:
            raise FileNotFoundError(src)
        if self._point("replace", dst):
            self._cut()
        dst_parent.entries[dst_name] = src_parent.entries.pop(src_name)

    def unlink(self, path: str) -> None:
        parent, name = self._parent(path)
        if not isinstance(parent.entries.get(name), _File):
            raise FileNotFoundError(path)
        if self._point("unlink", path):
            self._cut()
        del parent.entries[name]

    def remove_dir(self, path: str) -> None:
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if not isinstance(node, _Dir):
            raise FileNotFoundError(path)
        if node.entries:
            raise OSError(f"{path} is not empty")
        if self._point("remove_dir", path):
            self._cut()
        del parent.entries[name]

    def fsync_dir(self, path: str) -> None:
        node = self._lookup(path)
        if not isinstance(node, _Dir):
            raise NotADirectoryError(path)
        if self._point("fsync_dir", path):
            self._cut()
        node.durable = dict(node.entries)

    def lock(self, path: str) -> str:
        return path  # one simulated process: the real lock is tested with real processes

    def unlock(self, handle: str) -> None:
        pass

    # --- after the cut

    def survivors(self, mode: str, seed: int = 0) -> dict[str, Any]:
        """What the disk holds after the power cut: nested dicts of folder name -> bytes | dict."""
        if mode not in MODES:
            raise ValueError(mode)
        rng = random.Random(seed)

        def walk(node: _Dir) -> dict[str, Any]:
            if mode == "lost" or (mode == "random" and rng.random() < 0.5):
                entries = node.durable
            else:
                entries = node.entries
            out: dict[str, Any] = {}
            for name, child in sorted(entries.items()):
                if isinstance(child, _Dir):
                    out[name] = walk(child)
                else:
                    out[name] = file_data(child)
            return out

        def file_data(node: _File) -> bytes:
            if mode == "kept":
                return node.data
            if mode in ("lost", "meta") or node.data == node.durable:
                return node.durable
            choice = rng.randrange(3)
            if choice == 0:
                return node.durable
            if choice == 1:
                return node.data
            return node.data[: rng.randrange(len(node.data) + 1)]

        return walk(self._tree)

    @staticmethod
    def materialize(tree: dict[str, Any], target: str) -> None:
        """Write a :meth:`survivors` tree into the real folder ``target`` (created)."""
        os.makedirs(target, exist_ok=True)
        for name, child in tree.items():
            path = os.path.join(target, name)
            if isinstance(child, dict):
                CrashFS.materialize(child, path)
            else:
                with open(path, "wb") as handle:
                    handle.write(child)
