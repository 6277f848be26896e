"""Velho photos for the attract card: downloaded once in the background, kept on the kiosk.

Staff may give a velho a photo address (kiosk-config's ``velho.photo_url``). A caller may rely
on this: :meth:`VelhoPhotos.path` answers the cached file for an address, or ``None`` when it is
not (yet) on the kiosk; :meth:`VelhoPhotos.fetch` downloads the missing ones in one worker
thread and calls ``on_new()`` once after at least one new photo arrived. A download never blocks
the UI and a failure (offline, 404, not a picture, over ``MAX_BYTES``) only means no photo is
shown; it is tried again at the next fetch. Files are named by the address's SHA-256, written
atomically, so a half-written photo is never shown. Imports no Kivy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["MAX_BYTES", "VelhoPhotos"]

log = logging.getLogger(__name__)

MAX_BYTES = 2_000_000  # a portrait for a card; a larger file is refused, not shown cut
_TIMEOUT = 10.0
# What Kivy's image loader reads, by the first bytes of the file.
_KINDS = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png"}


def _kind(data: bytes) -> str | None:
    for magic, suffix in _KINDS.items():
        if data.startswith(magic):
            return suffix
    return None


class VelhoPhotos:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._busy = False

    def _stem(self, url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def path(self, url: str | None) -> Path | None:
        """The cached photo for ``url``, or ``None``."""
        if not url:
            return None
        stem = self._stem(url)
        for suffix in _KINDS.values():
            candidate = self.folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
        return None

    def fetch(self, urls: Iterable[str | None], on_new: Callable[[], None] | None = None) -> bool:
        """Download the missing photos of ``urls`` in the background; False if none is missing
        or a fetch is already running."""
        missing = sorted({u for u in urls if u and self.path(u) is None})
        with self._lock:
            if not missing or self._busy:
                return False
            self._busy = True
        thread = threading.Thread(
            target=self._run, args=(missing, on_new), name="velho-photos", daemon=True
        )
        thread.start()
        return True

    def _run(self, urls: list[str], on_new: Callable[[], None] | None) -> None:
        try:
            new = sum(self._download(url) for url in urls)
        finally:
            with self._lock:
                self._busy = False
        if new and on_new is not None:
            on_new()

    def _download(self, url: str) -> bool:
        if not url.startswith(("https://", "http://")):
            return False
        try:
            with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:  # noqa: S310 - http(s) only
                data = response.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            log.info("velho photo %s not fetched: %s", url, exc)
            return False
        suffix = _kind(data)
        if suffix is None or len(data) > MAX_BYTES:
            log.info(
                "velho photo %s refused: not a JPEG or PNG of at most %s bytes", url, MAX_BYTES
            )
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{self._stem(url)}{suffix}"
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        return True
