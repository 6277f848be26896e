"""Printing a slip on a receipt printer through python-escpos, never on the UI thread.

A caller may rely on:
- :func:`parse_connection` reading the ``[printer] connection`` setting of the kiosk's TOML:
  ``usb:VENDOR:PRODUCT`` (hex ids, e.g. ``usb:0x04b8:0x0e28``), ``serial:DEVICE[:BAUD]``,
  ``network:HOST[:PORT]`` or ``file:PATH`` (a device file such as ``/dev/usb/lp0``, or any file
  for a preview), raising ``ValueError`` that names what was wrong.
- :func:`write_slip` sending :func:`kiosk.slip.model.slip_blocks` to an open escpos printer:
  texts as text (the printer's code pages carry å, ä, ö), the code double size, the QR code as a
  picture at 8 dots per module, then a cut.
- :class:`SlipPrinter.print` returning at once: the job runs in a daemon thread and reports
  ``done`` or ``failed`` (with the reason: missing, out of paper, any error) through the
  ``on_result`` callback, called from that thread (the app moves it to the UI thread). A job that
  takes longer than ``slow_after`` seconds is reported ``slow`` first. Nothing here touches the
  visit's records: a printer that fails never loses a visit.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.slip.model import Slip, slip_blocks

__all__ = [
    "DONE",
    "FAILED",
    "PRINTING",
    "SLOW",
    "PrinterConnection",
    "PrinterProblem",
    "SlipPrinter",
    "open_printer",
    "parse_connection",
    "write_slip",
]

PRINTING, SLOW, DONE, FAILED = "printing", "slow", "done", "failed"
KINDS = ("usb", "serial", "network", "file")
QR_DOTS_PER_MODULE = 8


class PrinterProblem(RuntimeError):
    """The printer said no: out of paper, offline."""


@dataclass(frozen=True)
class PrinterConnection:
    kind: str  # usb | serial | network | file
    target: str  # "0x04b8:0x0e28", "/dev/ttyUSB0:19200", "192.168.1.50:9100", "/dev/usb/lp0"
    profile: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


def parse_connection(text: str, profile: str = "") -> PrinterConnection:
    kind, _, target = (text or "").partition(":")
    if kind not in KINDS or not target:
        raise ValueError(
            f"{text!r} must be usb:VENDOR:PRODUCT, serial:DEVICE[:BAUD], network:HOST[:PORT]"
            " or file:PATH"
        )
    if kind == "usb":
        parts = target.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            [int(p, 16) for p in parts]
        except ValueError:
            raise ValueError(f"{text!r}: give the USB ids in hex, usb:0x04b8:0x0e28") from None
    if kind == "serial" and target.count(":") == 1 and not target.rsplit(":", 1)[1].isdigit():
        raise ValueError(f"{text!r}: the baud rate must be a number, serial:/dev/ttyUSB0:19200")
    if kind == "network" and ":" in target and not target.rsplit(":", 1)[1].isdigit():
        raise ValueError(f"{text!r}: the port must be a number, network:192.168.1.50:9100")
    return PrinterConnection(kind, target, profile)


def open_printer(connection: PrinterConnection, timeout: float = 10.0) -> Any:
    """An opened python-escpos printer for ``connection``; raises when it is not there."""
    from escpos import printer

    profile = connection.profile or None
    if connection.kind == "usb":
        vendor, product = (int(p, 16) for p in connection.target.split(":"))
        device: Any = printer.Usb(vendor, product, timeout=int(timeout * 1000), profile=profile)
    elif connection.kind == "serial":
        port, _, baud = connection.target.partition(":")
        device = printer.Serial(port, baudrate=int(baud or 19200), timeout=timeout, profile=profile)
    elif connection.kind == "network":
        host, _, port = connection.target.partition(":")
        device = printer.Network(host, port=int(port or 9100), timeout=timeout, profile=profile)
    else:
        device = printer.File(connection.target, profile=profile)
    device.open()
    return device


def _columns(device: Any) -> int:
    try:
        return int(device.profile.get_columns("a")) or 42
    except (KeyError, TypeError, ValueError, AttributeError):
        return 42


def _check_paper(device: Any, connection: PrinterConnection) -> None:
    # Only two-way connections can ask; a device file cannot answer.
    if connection.kind == "file":
        return
    try:
        status = device.paper_status()
    except Exception:  # a printer that cannot tell still gets to try
        return
    if status == 0:
        raise PrinterProblem("out of paper")


def write_slip(device: Any, slip: Slip) -> None:
    """Send the slip's blocks to an opened escpos printer (see the module docstring)."""
    from PIL import Image

    from kiosk.qr import qr_png_bytes

    columns = _columns(device)
    for block in slip_blocks(slip):
        if block.style == "rule":
            device.set(align="left", bold=False, double_width=False, double_height=False)
            device.textln("-" * columns)
        elif block.style == "qr":
            device.set(align="center")
            png = qr_png_bytes(block.text, box_size=QR_DOTS_PER_MODULE)
            device.image(Image.open(io.BytesIO(png)), center=False)
        elif block.style == "code":
            device.set(align="center", bold=True, double_width=True, double_height=True)
            device.textln(block.text)
            device.set(align="left", bold=False, double_width=False, double_height=False)
        else:
            big = block.style == "title"
            device.set(
                align="center" if big else "left",
                bold=block.style in ("title", "heading"),
                double_height=big,
            )
            for line in textwrap.wrap(block.text, columns) or [""]:
                device.textln(line)
            device.set(align="left", bold=False, double_height=False)
    device.ln(2)
    device.cut()


class SlipPrinter:
    """Prints slips one at a time in a background thread."""

    def __init__(
        self,
        connection: PrinterConnection,
        *,
        slow_after: float = 8.0,
        opener: Callable[[PrinterConnection], Any] = open_printer,
    ):
        self.connection = connection
        self.slow_after = slow_after
        self._opener = opener
        self._lock = threading.Lock()
        self._busy = False

    @staticmethod
    def warm_up() -> None:
        """Import python-escpos now, on the UI thread between visits: its import (~0.5 s, most of
        it loading the printer profiles) would otherwise run in the printing thread while holding
        the interpreter for a few hundred milliseconds at a time, and the screen would stall
        during a visitor's print (benchmarks/slip_print.py measured a 288 ms frame gap)."""
        import escpos.printer  # noqa: F401

    @property
    def busy(self) -> bool:
        return self._busy

    def print(self, slip: Slip, on_result: Callable[[str, str], None]) -> bool:
        """Start printing ``slip``; False (and nothing started) while another slip prints.

        ``on_result(state, reason)`` is called from the worker thread with ``slow`` (maybe),
        then ``done`` or ``failed``.
        """
        with self._lock:
            if self._busy:
                return False
            self._busy = True
        thread = threading.Thread(
            target=self._run, args=(slip, on_result), name="slip-printer", daemon=True
        )
        thread.start()
        return True

    def _run(self, slip: Slip, on_result: Callable[[str, str], None]) -> None:
        finished = threading.Event()

        def warn_slow() -> None:
            if not finished.wait(self.slow_after):
                on_result(SLOW, "")

        threading.Thread(target=warn_slow, name="slip-printer-watch", daemon=True).start()
        device = None
        started = time.monotonic()
        try:
            device = self._opener(self.connection)
            _check_paper(device, self.connection)
            write_slip(device, slip)
            state, reason = DONE, f"{time.monotonic() - started:.1f} s"
        except Exception as exc:  # missing, unplugged, out of paper: the visit is safe anyway
            state, reason = FAILED, str(exc) or type(exc).__name__
        finally:
            finished.set()
            if device is not None:
                with contextlib.suppress(Exception):
                    device.close()
            with self._lock:
                self._busy = False
        on_result(state, reason)
