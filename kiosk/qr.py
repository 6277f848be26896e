"""The visit's follow-up link and its QR code, for the thank-you screen.

A caller may rely on this: :func:`follow_up_url` gives ``<public_base_url>/f/<token>`` (the team's
convention) or raises ``ValueError`` naming what was wrong; :func:`qr_png_bytes` and
:func:`qr_matrix` encode with error correction level H (30 % of the symbol may be smudged or
covered) and a quiet zone of :data:`QUIET_ZONE` modules, always dark modules on white, whatever
the palette, because many phone scanners do not read inverted codes.

Imports no Kivy: a screen shows the PNG with ``CoreImage(BytesIO(png), ext="png")`` or draws
the matrix with rectangles.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import qrcode

__all__ = [
    "QUIET_ZONE",
    "follow_up_url",
    "qr_matrix",
    "qr_png_bytes",
]

QUIET_ZONE = 4  # modules of white around the symbol, the minimum ISO/IEC 18004 asks for
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+")


def follow_up_url(public_base_url: str, token: str) -> str:
    """``<public_base_url>/f/<token>``, with the base's trailing slashes removed.

    The base must be an absolute ``http`` or ``https`` URL without query or fragment (it may
    have a path, e.g. ``https://example.org/kayttajatori``); the token must be URL-safe.
    """
    if not isinstance(public_base_url, str) or not public_base_url.strip():
        raise ValueError("public_base_url is empty; set it in the kiosk-config or the config file")
    base = public_base_url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"public_base_url {public_base_url!r} must start with http:// or https://")
    if not parts.hostname:
        raise ValueError(f"public_base_url {public_base_url!r} has no host name")
    if parts.query or parts.fragment or "?" in base or "#" in base:
        raise ValueError(f"public_base_url {public_base_url!r} must not have a query or fragment")
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise ValueError(
            f"follow-up token {token!r} must be URL-safe text (letters, digits, '-' and '_')"
        )
    return f"{base}/f/{token}"


def _code(url: str, box_size: int, border: int) -> qrcode.QRCode:
    # qrcode loads here, not at import: the kiosk imports this module on its cold start path.
    import qrcode
    from qrcode.constants import ERROR_CORRECT_H
    from qrcode.exceptions import DataOverflowError

    if not isinstance(url, str) or not url:
        raise ValueError("the QR code needs a non-empty URL")
    if box_size < 1:
        raise ValueError(f"box_size {box_size!r} must be at least 1 pixel per module")
    if border < QUIET_ZONE:
        raise ValueError(f"border {border!r} is below the {QUIET_ZONE}-module quiet zone")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H, box_size=box_size, border=border)
    code.add_data(url)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError):  # qrcode 8 says "Invalid version (was 41 ...)"
        raise ValueError(
            f"a URL of {len(url)} characters is too long for a QR code at error correction H"
        ) from None
    return code


def qr_png_bytes(url: str, box_size: int = 10, border: int = QUIET_ZONE) -> bytes:
    """The QR code of ``url`` as a black-on-white PNG, ``box_size`` pixels per module."""
    from qrcode.image.pil import PilImage

    image = _code(url, box_size, border).make_image(image_factory=PilImage)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_matrix(url: str, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The modules of the QR code of ``url``, quiet zone included; ``True`` is dark."""
    return [[bool(m) for m in row] for row in _code(url, 1, border).get_matrix()]
