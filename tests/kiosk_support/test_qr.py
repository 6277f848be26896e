"""kiosk.qr: the follow-up URL, and QR codes that really decode back to it.

Decoding uses zxing-cpp (a self-contained wheel, no system library) when it is installed; the
module-grid read-back below runs always. That read-back is a real check of the picture: it
samples every module of the PNG and compares it with a fresh encoding of the expected URL, so a
PNG of another URL, a shifted or resized grid, a missing quiet zone or a wrong colour all fail
it; what it takes on trust is only that the ``qrcode`` package encodes a matrix correctly.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kiosk.qr import QUIET_ZONE, follow_up_url, qr_matrix, qr_png_bytes
from sync.protocol import new_follow_up_token
from tests.support.qr_reader import matrix_from_png

BASE = "http://127.0.0.1:8765"


def test_follow_up_url_joins_base_and_token():
    token = new_follow_up_token()
    assert follow_up_url(BASE, token) == f"{BASE}/f/{token}"
    assert follow_up_url(BASE + "/", token) == f"{BASE}/f/{token}"
    assert follow_up_url(" https://example.org/tori// ", "abc_-9") == (
        "https://example.org/tori/f/abc_-9"
    )


@pytest.mark.parametrize(
    "base, words",
    [
        ("ftp://example.org", "http:// or https://"),
        ("127.0.0.1:8765", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("", "empty"),
        ("http://", "no host"),
        ("https://example.org/?a=1", "query or fragment"),
        ("https://example.org/#top", "query or fragment"),
    ],
)
def test_follow_up_url_rejects_a_bad_base_by_name(base, words):
    with pytest.raises(ValueError, match="public_base_url") as info:
        follow_up_url(base, "abcdefghijklmnopqrstuvwx")
    assert words in str(info.value)


@pytest.mark.parametrize("token", ["", "a/b", "a b", "abc?x=1", None])
def test_follow_up_url_rejects_a_token_that_is_not_url_safe(token):
    with pytest.raises(ValueError, match="follow-up token"):
        follow_up_url(BASE, token)


def test_png_modules_read_back_equal_the_encoded_url():
    url = follow_up_url(BASE, new_follow_up_token())
    png = qr_png_bytes(url, box_size=6)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert matrix_from_png(png) == qr_matrix(url)
    # The comparison is sharp: a URL one character different gives another matrix.
    assert matrix_from_png(png) != qr_matrix(url[:-1] + ("A" if url[-1] != "A" else "B"))


def test_a_tampered_png_no_longer_matches():
    url = follow_up_url(BASE, "abcdefghijklmnopqrstuvwx")
    box = 5
    image = Image.open(io.BytesIO(qr_png_bytes(url, box_size=box))).convert("L")
    # Flip one data module near the bottom-right corner (outside every finder pattern).
    x = y = (len(qr_matrix(url)) - QUIET_ZONE - 2) * box
    colour = 255 if image.getpixel((x + 1, y + 1)) < 128 else 0
    image.paste(colour, (x, y, x + box, y + box))
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert matrix_from_png(out.getvalue()) != qr_matrix(url)


def test_png_size_quiet_zone_and_colours():
    url = f"{BASE}/f/abcdefghijklmnopqrstuvwx"
    matrix = qr_matrix(url)
    box = 7
    image = Image.open(io.BytesIO(qr_png_bytes(url, box_size=box)))
    assert image.size == (len(matrix) * box, len(matrix) * box)
    for edge in (matrix[:QUIET_ZONE], matrix[-QUIET_ZONE:]):
        assert not any(any(row) for row in edge)
    assert not any(any(row[:QUIET_ZONE]) or any(row[-QUIET_ZONE:]) for row in matrix)
    colours = {c for _, c in image.convert("RGB").getcolors()}
    assert colours == {(0, 0, 0), (255, 255, 255)}  # dark on white, whatever the palette


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="quiet zone"):
        qr_png_bytes(BASE, border=2)
    with pytest.raises(ValueError, match="box_size"):
        qr_png_bytes(BASE, box_size=0)
    with pytest.raises(ValueError, match="non-empty URL"):
        qr_matrix("")
    with pytest.raises(ValueError, match="2000 characters is too long"):
        qr_matrix("https://example.org/" + "x" * 1980)
    with pytest.raises(ValueError, match="no dark pixels"):
        out = io.BytesIO()
        Image.new("L", (20, 20), 255).save(out, format="PNG")
        matrix_from_png(out.getvalue())


def test_a_phone_style_decoder_reads_the_url_at_error_correction_h():
    import zxingcpp  # in the dev lock: a missing one is a failure, not a skip

    url = follow_up_url("https://palaute.example.fi/kayttajatori", new_follow_up_token())
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png_bytes(url, box_size=4))))
    assert [(r.format, r.text) for r in results] == [(zxingcpp.BarcodeFormat.QRCode, url)]
    assert results[0].ec_level == "H"


def test_the_code_still_decodes_with_a_block_of_it_covered():
    # Level H tolerates about 30 % damage; a sticker over a corner of the data must not matter.
    import zxingcpp  # in the dev lock: a missing one is a failure, not a skip

    url = follow_up_url(BASE, new_follow_up_token())
    box = 8
    image = Image.open(io.BytesIO(qr_png_bytes(url, box_size=box))).convert("L")
    size = len(qr_matrix(url)) - 2 * QUIET_ZONE
    # Cover a block in the lower right area, away from the three finder patterns.
    left = (QUIET_ZONE + size * 6 // 10) * box
    right = (QUIET_ZONE + size * 9 // 10) * box
    image.paste(128, (left, left, right, right))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
