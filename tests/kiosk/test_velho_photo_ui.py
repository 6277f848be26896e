"""A velho photo set by staff is downloaded once in the background, cached, shown on the card."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import time

import pytest
from PIL import Image

from kiosk.velho_photos import MAX_BYTES, VelhoPhotos


def png_bytes(colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def photo_server(tmp_path):
    """A real HTTP server on loopback serving ``tmp_path/www``; yields its base address."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "velho.png").write_bytes(png_bytes())
    (www / "not-a-picture.png").write_text("<html>404</html>")
    (www / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * MAX_BYTES)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def wait_until(condition, pump=None, attempts=400) -> None:
    for _ in range(attempts):  # about 20 s at most
        if condition():
            return
        if pump is not None:
            pump()
        time.sleep(0.05)
    pytest.fail("timed out")


def test_a_photo_is_fetched_once_and_kept(tmp_path, photo_server):
    photos = VelhoPhotos(tmp_path / "cache")
    url = photo_server + "/velho.png"
    arrived = threading.Event()
    assert photos.path(url) is None
    assert photos.fetch([url, None], on_new=arrived.set)
    assert arrived.wait(20)
    cached = photos.path(url)
    assert cached is not None and cached.read_bytes() == png_bytes()
    assert not photos.fetch([url])  # nothing missing: no second download


def test_what_is_not_a_photo_or_cannot_be_reached_is_not_kept(tmp_path, photo_server):
    photos = VelhoPhotos(tmp_path / "cache")
    urls = [
        photo_server + "/not-a-picture.png",
        photo_server + "/huge.png",
        photo_server + "/missing.png",
        "http://127.0.0.1:9/closed.png",
        "file:///etc/passwd",
    ]
    done = threading.Event()
    assert photos.fetch(urls, on_new=done.set)
    wait_until(lambda: not photos._busy)
    assert not done.is_set()
    assert all(photos.path(u) is None for u in urls)
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_the_attract_card_shows_the_velho_photo(fresh, photo_server):
    screen = fresh.screen("attract")
    content = fresh.app.content()
    velho = content.themes[screen.index].velho
    assert velho is not None
    velho.photo_url = photo_server + "/velho.png"
    try:
        screen.refresh()
        wait_until(lambda: screen.photo, pump=lambda: fresh.pump(1, draw=False))
        fresh.pump(3)
        image = fresh.widget("attract", "velho_photo")
        assert image.source == screen.photo and image.texture is not None
        assert image.width > 0 and image.opacity == 1
        screen.turn(1)  # a theme without a photo shows none
        assert screen.photo == "" and fresh.widget("attract", "velho_photo").width == 0
    finally:
        velho.photo_url = None
        screen.refresh()
