"""Reads the module grid back out of a PNG that :func:`kiosk.qr.qr_png_bytes` made.

For tests only (it is no general QR reader): a wrong module size, offset or colour in the picture
shows up as a different matrix than :func:`kiosk.qr.qr_matrix`.
"""

from __future__ import annotations

import io

__all__ = ["matrix_from_png"]


def matrix_from_png(png: bytes) -> list[list[bool]]:
    """Read the module grid back out of a PNG made by :func:`qr_png_bytes`.

    Finds the module size from the top-left finder pattern (7 modules wide, starting after the
    quiet zone) and samples the centre of every module, so a wrong size, offset or colour in the
    picture shows up as a different matrix.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()

    def dark(x: int, y: int) -> bool:
        return pixels[x, y] < 128

    first = next(((x, y) for y in range(height) for x in range(width) if dark(x, y)), None)
    if first is None:
        raise ValueError("the picture has no dark pixels: it is no QR code")
    x0, y0 = first
    run = 0
    while x0 + run < width and dark(x0 + run, y0):
        run += 1
    if run % 7:
        raise ValueError(f"finder pattern is {run} pixels wide, not a multiple of 7 modules")
    box = run // 7
    if x0 % box or width % box or height % box:
        raise ValueError("the symbol is not aligned to whole modules")
    return [
        [dark(x * box + box // 2, y * box + box // 2) for x in range(width // box)]
        for y in range(height // box)
    ]
