"""kiosk.slip: the slip's blocks, its 576-dot picture, its ESC/POS bytes through a real
python-escpos file printer, the ``[printer]`` setting and ``kiosk print-slip``."""

from __future__ import annotations

import pytest

from kiosk import i18n
from kiosk.cli import main as kiosk_main
from kiosk.settings import SettingsError, parse_settings
from kiosk.slip import demo_slip, slip_blocks
from kiosk.slip.image import PAPER_DOTS, render_slip
from kiosk.slip.printer import open_printer, parse_connection, write_slip


@pytest.fixture
def finnish():
    """The catalogues as shipped, whatever an earlier test pointed them at. The slip is in its
    own language (demo_slip("fi")), whatever the kiosk's current one is."""
    i18n.reload()


def test_blocks_hold_date_every_theme_qr_address_code_and_privacy(finnish):
    slip = demo_slip("fi")
    blocks = slip_blocks(slip)
    texts = [b.text for b in blocks]
    assert "2.12.2026" in texts
    for theme in slip.themes:
        assert theme.name in texts and theme.velho in texts and theme.next_step in texts
    assert [b.text for b in blocks if b.style == "qr"] == [slip.follow_up_url]
    assert slip.short_url.endswith("/k") and slip.short_url in texts
    assert [b.text for b in blocks if b.style == "code"] == ["K7QM4-PX2RT"]
    assert any("nimettömiä" in t for t in texts)
    # In the slip's own language, whatever the kiosk shows now.
    assert "Tack! Dina svar har sparats." in [b.text for b in slip_blocks(demo_slip("sv"))]


def test_file_printer_bytes_carry_the_code_and_finnish_letters(finnish, tmp_path):
    out = tmp_path / "slip.bin"
    device = open_printer(parse_connection(f"file:{out}"))
    write_slip(device, demo_slip("fi"))
    device.close()
    data = out.read_bytes()
    assert b"K7QM4-PX2RT" in data
    assert b"/k" in data
    assert "Kiitos! Vastauksesi on tallennettu.".encode("cp437") in data  # ä in code page 437
    assert data.rstrip(b"\x00").endswith(b"\x1dVA\x00") or b"\x1dV" in data[-16:]  # the cut


def test_picture_is_576_dots_and_its_qr_reads_back(finnish):
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
    slip = demo_slip("fi")
    image = render_slip(slip)
    assert image.width == PAPER_DOTS == 576
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [slip.follow_up_url]


def test_print_slip_demo_writes_escpos_bytes(finnish, tmp_path, capsys):
    out = tmp_path / "demo.bin"
    assert kiosk_main(["print-slip", "--demo", "--printer", f"file:{out}", "--lang", "sv"]) == 0
    assert b"K7QM4-PX2RT" in out.read_bytes()
    assert kiosk_main(["print-slip", "--demo", "--printer", "file:/no/such/dir/lp0"]) == 1
    assert "was not printed" in capsys.readouterr().err
    assert kiosk_main(["print-slip", "--demo", "--printer", "lpt:1"]) == 2


@pytest.mark.parametrize(
    "text, kind, target",
    [
        ("usb:0x04b8:0x0e28", "usb", "0x04b8:0x0e28"),
        ("serial:/dev/ttyUSB0:19200", "serial", "/dev/ttyUSB0:19200"),
        ("network:192.168.1.50", "network", "192.168.1.50"),
        ("file:/dev/usb/lp0", "file", "/dev/usb/lp0"),
    ],
)
def test_connection_texts(text, kind, target):
    connection = parse_connection(text)
    assert (connection.kind, connection.target) == (kind, target)


@pytest.mark.parametrize(
    "text", ["", "usb:04b8", "usb:xyz:0e28", "network:host:port", "lpt:1", "file:"]
)
def test_bad_connection_texts_are_refused(text):
    with pytest.raises(ValueError):
        parse_connection(text)


def test_printer_and_thanks_time_in_the_toml(tmp_path):
    base = {"kiosk_id": "k1", "data_dir": str(tmp_path)}
    assert parse_settings(base).printer is None
    assert parse_settings(base).timeouts.thanks_seconds >= 120
    settings = parse_settings(base | {"printer": {"connection": "file:/dev/usb/lp0"}})
    assert str(settings.printer) == "file:/dev/usb/lp0"
    with pytest.raises(SettingsError, match="printer.connection"):
        parse_settings(base | {"printer": {"connection": "usb:nope"}})
    with pytest.raises(SettingsError, match="thanks_seconds"):
        parse_settings(base | {"timeouts": {"thanks_seconds": 30}})


def test_network_printer_gets_the_slip_over_tcp(finnish):
    """A real socket on loopback stands in for a printer's raw port 9100."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received = bytearray()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        device = open_printer(parse_connection(f"network:127.0.0.1:{port}"), timeout=5)
        write_slip(device, demo_slip("fi"))
        device.close()
        thread.join(10)
    finally:
        listener.close()
    assert b"K7QM4-PX2RT" in received
