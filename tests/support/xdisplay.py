"""A virtual X display (Xvfb) and real X input (XTest), for the kiosk's x11 path.

A kiosk runs Kivy under cage through Xwayland, so SDL's ``x11`` driver is what reads a finger in
production. Tests and benchmarks that need that path start an Xvfb of their own and press the
pointer through the XTEST extension, the way a touchscreen's events reach an X client.

What a caller may rely on:

- :func:`virtual_display` starts ``Xvfb`` on a display number it picks itself (``-displayfd``),
  yields ``":N"`` once the server accepts clients, and stops it on leaving, whatever happened.
  Xvfb missing or failing to start raises :class:`DisplayDidNotStart` (``make test`` installs
  ``xvfb``: a missing one is a broken setup, not a reason to skip).
- :func:`screen_point` turns a point of a Kivy window (y up from the bottom) into X screen
  coordinates (y down from the top), for the window where it sits.
- :class:`XPointer` presses and releases the left button at a screen position from any thread,
  over its own connection to the display (``libX11`` + ``libXtst``, both installed with Xvfb's
  and xdotool's packages).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import shutil
import subprocess
from collections.abc import Iterator

__all__ = ["DisplayDidNotStart", "XPointer", "screen_point", "virtual_display"]


class DisplayDidNotStart(RuntimeError):
    pass


@contextlib.contextmanager
def virtual_display(size: tuple[int, int] = (1920, 1080), timeout: float = 20.0) -> Iterator[str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise DisplayDidNotStart("Xvfb is not installed (Debian package xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [
            xvfb,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            f"{size[0]}x{size[1]}x24",
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], timeout)
        number = os.read(read_fd, 64).decode().strip() if ready else ""
        if not number:
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise DisplayDidNotStart(f"Xvfb did not start: {err.decode(errors='replace')[-500:]}")
        yield f":{number}"
    finally:
        os.close(read_fd)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def screen_point(window, x: float, y: float) -> tuple[int, int]:
    """Where the point ``(x, y)`` of the Kivy ``window`` is on the X screen."""
    height = int(window.system_size[1])
    return int(window.left) + int(x), int(window.top) + height - 1 - int(y)


class XPointer:
    """The left button of a virtual pointer on ``display``, pressed through XTEST."""

    def __init__(self, display: str) -> None:
        x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XFlush.argtypes = [ctypes.c_void_p]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        xtst.XTestFakeMotionEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        xtst.XTestFakeButtonEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        self._x11, self._xtst = x11, xtst
        self._display = x11.XOpenDisplay(display.encode())
        if not self._display:
            raise DisplayDidNotStart(f"cannot open X display {display}")

    def move(self, x: int, y: int) -> None:
        self._xtst.XTestFakeMotionEvent(self._display, 0, int(x), int(y), 0)
        self._x11.XFlush(self._display)

    def click_at(self, x: int, y: int) -> None:
        """Move there, press and release the left button: one flush, as a finger lands at once."""
        self._xtst.XTestFakeMotionEvent(self._display, 0, int(x), int(y), 0)
        self.click()

    def click(self) -> None:
        """Press and release the left button where the pointer is; sent when this returns."""
        self._xtst.XTestFakeButtonEvent(self._display, 1, 1, 0)
        self._xtst.XTestFakeButtonEvent(self._display, 1, 0, 0)
        self._x11.XFlush(self._display)

    def close(self) -> None:
        if self._display:
            self._x11.XCloseDisplay(self._display)
            self._display = None
