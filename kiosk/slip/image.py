"""The slip as a picture: :func:`render_slip` draws :func:`kiosk.slip.model.slip_blocks` with
Pillow, 576 dots wide (80 mm paper at 203 dpi), black on white, DejaVu fonts (fonts-dejavu-core).

Sizes follow what the printer does with the same blocks: body text in its 12x24-dot font A,
the code double width and height, the QR code at 8 dots per module. Imports no Kivy.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from kiosk.slip.model import Slip, SlipBlock, slip_blocks

__all__ = ["PAPER_DOTS", "QR_DOTS_PER_MODULE", "render_slip", "slip_png_bytes"]

PAPER_DOTS = 576  # printable width of 80 mm paper at 203 dpi
MARGIN = 16
QR_DOTS_PER_MODULE = 8
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# (font file, pixel size) per style; 22-24 px is the size of a receipt printer's font A.
_FONTS = {
    "title": ("DejaVuSans-Bold.ttf", 30),
    "heading": ("DejaVuSans-Bold.ttf", 26),
    "body": ("DejaVuSans.ttf", 23),
    "small": ("DejaVuSans.ttf", 20),
    "code": ("DejaVuSansMono-Bold.ttf", 56),
}


@cache
def _font(style: str) -> ImageFont.FreeTypeFont:
    name, size = _FONTS[style]
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if font.getlength(candidate) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _qr_image(url: str) -> Image.Image:
    from kiosk.qr import qr_png_bytes

    return Image.open(io.BytesIO(qr_png_bytes(url, box_size=QR_DOTS_PER_MODULE))).convert("L")


def _block_height(block: SlipBlock, width: int) -> int:
    if block.style == "rule":
        return 24
    if block.style == "qr":
        return _qr_image(block.text).height
    font = _font(block.style)
    ascent, descent = font.getmetrics()
    return len(_wrap(block.text, font, width)) * (ascent + descent + 4) + 8


def render_slip(slip: Slip) -> Image.Image:
    """The slip as a 1-bit-ready greyscale picture, :data:`PAPER_DOTS` wide."""
    blocks = slip_blocks(slip)
    width = PAPER_DOTS - 2 * MARGIN
    height = 2 * MARGIN + sum(_block_height(b, width) for b in blocks)
    image = Image.new("L", (PAPER_DOTS, height), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for block in blocks:
        if block.style == "rule":
            draw.line((MARGIN, y + 11, PAPER_DOTS - MARGIN, y + 11), fill=0, width=2)
            y += 24
            continue
        if block.style == "qr":
            qr = _qr_image(block.text)
            image.paste(qr, ((PAPER_DOTS - qr.width) // 2, y))
            y += qr.height
            continue
        font = _font(block.style)
        ascent, descent = font.getmetrics()
        centred = block.style in ("title", "code")
        for line in _wrap(block.text, font, width):
            x = (PAPER_DOTS - font.getlength(line)) / 2 if centred else MARGIN
            draw.text((x, y), line, font=font, fill=0)
            y += ascent + descent + 4
        y += 8
    return image


def slip_png_bytes(slip: Slip) -> bytes:
    out = io.BytesIO()
    render_slip(slip).save(out, format="PNG")
    return out.getvalue()
