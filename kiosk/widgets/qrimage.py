"""Shows the QR code of a URL; ``png`` keeps the exact bytes shown so tests can decode them.

Encoding a follow-up link at error correction H takes ~0.1 s, too long for the UI thread, so
the PNG is made in one worker thread (:func:`prepare`) and only the texture is made on the UI
thread, handed back through ``Clock.schedule_once``. The app calls :func:`prepare` as soon as a
visit's first step is saved, so the code is usually ready before the thank-you screen shows;
until it is, ``png`` and ``texture`` stay ``None``. A URL that cannot be encoded is logged and
leaves the picture empty (the link is still shown as text).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from io import BytesIO

from kivy.clock import Clock
from kivy.logger import Logger
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.image import Image

__all__ = ["QRImage", "prepare"]

_KEEP = 4  # codes kept: the current visit's and a few recent ones
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_made: dict[str, Future] = {}


def _png(url: str) -> bytes:
    from kiosk.qr import qr_png_bytes  # qrcode and PIL load in the worker, not at start

    return qr_png_bytes(url, box_size=10)


def prepare(url: str) -> Future:
    """Start making the QR PNG of ``url`` in the worker thread (once per URL); its future."""
    global _executor
    with _lock:
        future = _made.get(url)
        if future is None:
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-qr")
            future = _executor.submit(_png, url)
            _made[url] = future
            while len(_made) > _KEEP:
                _made.pop(next(iter(_made)))
        return future


class QRImage(Image):
    url = StringProperty("")
    png = ObjectProperty(None, allownone=True)

    def on_url(self, _instance, url: str) -> None:
        self.png = None
        self.texture = None
        if not url:
            return
        future = prepare(url)
        if future.done():
            self._show(url, future)
        else:
            future.add_done_callback(
                lambda done: Clock.schedule_once(lambda _dt: self._show(url, done))
            )

    def _show(self, url: str, future: Future) -> None:
        if url != self.url:
            return  # the screen moved on to another visit (or was cleared) meanwhile
        try:
            png = future.result()
        except ValueError as exc:
            Logger.error(f"Kiosk: no QR code for {url!r}: {exc}")
            return
        from kivy.core.image import Image as CoreImage

        texture = CoreImage(BytesIO(png), ext="png", nocache=True).texture
        # Modules must stay crisp squares when the picture is scaled up for the screen.
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        self.png = png
        self.texture = texture
