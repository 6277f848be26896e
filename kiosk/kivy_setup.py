"""Kivy's global configuration for a kiosk, applied before any App or Window import.

:func:`configure_kivy` must run before ``kivy.app`` or ``kivy.core.window`` is imported (they
read ``kivy.config.Config`` once). It locks the kiosk down: Escape does not quit, the mouse
cursor is hidden, no red multitouch-emulation dots appear, and the window is fullscreen (or a
1920×1080 window for development and screenshots).

Input comes through SDL only (the ``mouse`` provider: under cage a touchscreen's fingers arrive
as SDL mouse events): Kivy's ``probesysfs`` provider, which would open the touchscreen a second
time through mtdev or hidinput, is not configured, and Kivy's import-time notice that libmtdev is
missing (a traceback on every start) is dropped, since nothing here uses mtdev. Other libraries'
debug and info chatter stays out of Kivy's log file (the sync worker's HTTP library logs each
attempt): an idle kiosk writes nothing to its disk.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["configure_kivy", "WINDOW_SIZE"]

WINDOW_SIZE = (1920, 1080)


def configure_kivy(*, fullscreen: bool, headless: bool = False) -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our argparse owns the command line
    # SDL would turn SIGTERM into a window close request, which the kiosk refuses; the service
    # manager's stop must stop it, so the app handles the signals itself (KioskApp.on_start).
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    if headless:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if "kivy.core.window" in sys.modules:
        raise RuntimeError("configure_kivy() must run before the Kivy window is imported")
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    for name, _provider in Config.items("input"):
        if name != "mouse":
            Config.remove_option("input", name)  # probesysfs: see the module text
    from kivy.logger import Logger

    if not any(isinstance(f, _NoMtdevNotice) for f in Logger.filters):
        Logger.addFilter(_NoMtdevNotice())
    # Kivy's handlers sit on the root logger, which Kivy leaves at NOTSET: every library's
    # debug lines would reach the log file. Kivy's own logger keeps its configured level.
    logging.getLogger().setLevel(logging.WARNING)
    Config.set("graphics", "show_cursor", "0")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "width", str(WINDOW_SIZE[0]))
    Config.set("graphics", "height", str(WINDOW_SIZE[1]))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", "0")


class _NoMtdevNotice(logging.Filter):
    """Drops Kivy's "MTDev is not supported" traceback: the kiosk configures no mtdev input."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Input: MTDev is not supported")
