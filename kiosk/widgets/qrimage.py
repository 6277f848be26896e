"""Shows the QR code of a URL; ``png`` keeps the exact bytes shown so tests can decode them."""

from __future__ import annotations

from io import BytesIO

from kivy.core.image import Image as CoreImage
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.image import Image

from kiosk.qr import qr_png_bytes

__all__ = ["QRImage"]


class QRImage(Image):
    url = StringProperty("")
    png = ObjectProperty(None, allownone=True)

    def on_url(self, _instance, url: str) -> None:
        if not url:
            self.png = None
            self.texture = None
            return
        self.png = qr_png_bytes(url, box_size=10)
        texture = CoreImage(BytesIO(self.png), ext="png", nocache=True).texture
        # Modules must stay crisp squares when the picture is scaled up for the screen.
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        self.texture = texture
