"""The errors the local store raises besides ``sync.protocol.RecordValidationError``.

Each message says which folder, file or record is concerned and what to do about it; messages go
through gettext because staff see them in the kiosk's admin commands.
"""

from __future__ import annotations

from gettext import gettext as _

__all__ = [
    "CorruptFileError",
    "DuplicateRecordError",
    "StoreClosedError",
    "StoreError",
    "StoreLockedError",
]


class StoreError(Exception):
    """Base class of the store's own errors."""


class StoreLockedError(StoreError):
    """Another process (or another ``LocalStore`` in this one) has the data folder open."""

    def __init__(self, data_dir: str, holder_pid: int | None = None):
        self.data_dir = data_dir
        self.holder_pid = holder_pid
        holder = _(" by process {pid}").format(pid=holder_pid) if holder_pid else ""
        super().__init__(
            _(
                "The kiosk data folder {folder} is already open{holder}. Only one kiosk program "
                "may use a data folder at a time: stop the other one, or give this one its own "
                "data_dir."
            ).format(folder=data_dir, holder=holder)
        )


class StoreClosedError(StoreError):
    """The store was closed; open a new ``LocalStore`` to use the folder again."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        super().__init__(_("The local store at {folder} is closed.").format(folder=data_dir))


class DuplicateRecordError(StoreError, ValueError):
    """A record with this id is already stored with other contents (or already synced)."""

    def __init__(self, record_id: str, state: str):
        self.record_id = record_id
        self.state = state
        super().__init__(
            _(
                "id: a record with id {id} is already stored ({state}) with other contents; "
                "leave 'id' out to get a new one."
            ).format(id=record_id, state=state)
        )


class CorruptFileError(StoreError):
    """A store file could not be read or does not have the store's shape."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")
