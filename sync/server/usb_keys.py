"""The server's key pair for sealed USB batch files (:mod:`sync.usb_crypto`).

Kept beside the staff session key: ``<data_dir>/usb-batch-key``, mode 0600, one base64 private
key per line, the current one first and older ones after it (kept after a rotation so sticks
sealed before it still open). A caller may rely on: :func:`ensure_usb_key` creating the file
with one key when it is missing (``O_EXCL``: when several workers start together, one writes and
all read the same key) and never changing an existing file; :func:`usb_public_key` giving the
current public half as kiosk-config and the enrolment answer carry it; :func:`rotate_usb_key`
putting a new key first and keeping the old ones; :func:`usb_private_keys` reading them all.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from nacl.public import PrivateKey

from sync.server.settings import Settings
from sync.usb_crypto import public_key_text

__all__ = [
    "ensure_usb_key",
    "rotate_usb_key",
    "usb_key_path",
    "usb_private_keys",
    "usb_public_key",
]


def usb_key_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "usb-batch-key"


def _line(key: PrivateKey) -> str:
    return base64.b64encode(bytes(key)).decode("ascii")


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def ensure_usb_key(settings: Settings) -> Path:
    """Create the key file with a fresh key pair if it is missing; return its path."""
    path = usb_key_path(settings)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as handle:
        handle.write(_line(PrivateKey.generate()) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def usb_private_keys(settings: Settings) -> list[PrivateKey]:
    """Every key in the file, the current one first (creates the file when missing)."""
    text = ensure_usb_key(settings).read_text(encoding="ascii")
    return [PrivateKey(base64.b64decode(line)) for line in text.split() if line]


def usb_public_key(settings: Settings) -> str:
    return public_key_text(usb_private_keys(settings)[0])


def rotate_usb_key(settings: Settings) -> str:
    """Put a new key first, keep the old ones; return the new public half."""
    keys = usb_private_keys(settings)
    new = PrivateKey.generate()
    _write_new(usb_key_path(settings), "".join(_line(k) + "\n" for k in [new, *keys]))
    return public_key_text(new)
