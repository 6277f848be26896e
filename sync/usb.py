"""USB fallback: the kiosk's pending records as sealed, signed batch files in a folder (a stick).

A caller may rely on this:

- :func:`export_pending` writes every record pending at the time of the call into files of at
  most ``BATCH_MAX_RECORDS`` records and ``BATCH_MAX_BYTES`` bytes of body each, wrapped by
  :func:`sync.protocol.make_batch_file`; ``kiosk-server import-batch`` ingests them.
- Every file is sealed to the server's public key (:mod:`sync.usb_crypto`): the key of the
  newest kiosk-config the kiosk holds, else ``server_public_key`` (from enrolment). With neither,
  nothing is written and :class:`UsbExportError` says so: a lost stick must hold nothing readable.
- Each file appears whole or not at all (written to a hidden temporary name in the same folder,
  flushed to the device, then renamed), so a stick pulled out too early never carries half a batch.
- File names carry the kiosk id and the batch id: ``kayttajatori-<kiosk>-<batch_id>.sealed``,
  with characters a FAT-formatted stick refuses replaced by ``_``.
- Nothing is marked synced here: records leave pending only when the server acknowledges them
  over the network (the server then counts the imported copies as duplicates).
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sync.batches import pack_batch
from sync.client import Outbox
from sync.protocol import make_batch_file
from sync.usb_crypto import SealedFileError, decode_public_key, seal

__all__ = ["ExportReport", "UsbExportError", "batch_file_name", "export_pending"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_META_LAST_EXPORT = "sync.last_usb_export"


class UsbExportError(OSError):
    """The folder cannot take the batch files; the message says which folder and why."""


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    files: tuple[Path, ...]
    records: int


def batch_file_name(kiosk_id: str, batch_id: str) -> str:
    return f"kayttajatori-{_UNSAFE.sub('_', kiosk_id)}-{batch_id}.sealed"


def _server_key(outbox: Outbox, given: str | None) -> str | None:
    """The newest key the kiosk knows: kiosk-config's (follows a rotation), else enrolment's."""
    config, _etag = outbox.kiosk_config()
    key = config.get("usb_public_key") if config else None
    return key if isinstance(key, str) and key else (given or None)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # FAT and some removable media refuse to fsync a directory; the rename is done either way.
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def export_pending(
    outbox: Outbox,
    folder: str | os.PathLike[str],
    kiosk_id: str,
    secret: str | bytes,
    *,
    clock: Callable[[], float] = time.time,
    max_records: int | None = None,
    batch_id: Callable[[], str] | None = None,
    translate: Callable[[str], str] = _gettext.gettext,
    server_public_key: str | None = None,
) -> ExportReport:
    """Write the pending records into ``folder`` as signed batch files; return what was written.

    ``max_records`` bounds one export (default: everything pending); ``batch_id`` makes the
    batch ids (default: random UUIDs); ``translate`` is the gettext of the error messages;
    ``server_public_key`` the key from enrolment. Raises :class:`UsbExportError` when no server
    key is known or the folder is missing or not writable; files already written
    stay valid and nothing in the outbox changes.
    """
    _ = translate
    folder = Path(folder)
    if not folder.is_dir():
        raise UsbExportError(
            _("{folder} is not a folder (is the USB stick mounted?)").format(folder=folder)
        )
    if not os.access(folder, os.W_OK):
        raise UsbExportError(
            _("{folder} is not writable (is the USB stick write-protected?)").format(folder=folder)
        )
    key = _server_key(outbox, server_public_key)
    if key is None:
        raise UsbExportError(
            _(
                "this kiosk does not have the server's USB key yet: connect it to the network "
                "once, or set it up with an enrollment code"
            )
        )
    try:
        decode_public_key(key)
    except SealedFileError:
        raise UsbExportError(_("the server's USB key on this kiosk is damaged")) from None
    total = int(outbox.counts().get("pending") or 0)
    if max_records is not None:
        total = min(total, max_records)
    records = list(outbox.pending(limit=total)) if total else []
    files: list[Path] = []
    position = 0
    while position < len(records):
        batch = pack_batch(records[position:], batch_id() if batch_id else None)
        document = make_batch_file(kiosk_id, secret, batch.body, int(clock()))
        path = folder / batch_file_name(kiosk_id, batch.batch_id)
        data = seal(key, json.dumps(document, ensure_ascii=False).encode("utf-8"))
        try:
            _write_atomically(path, data)
        except OSError as exc:
            raise UsbExportError(
                _("could not write {path}: {error} ({count} file(s) were written before)").format(
                    path=path, error=exc.strerror or exc, count=len(files)
                )
            ) from exc
        files.append(path)
        position += len(batch.ids)
    if files:
        outbox.set_meta(
            _META_LAST_EXPORT, {"at": clock(), "records": position, "files": len(files)}
        )
    return ExportReport(folder, tuple(files), position)
