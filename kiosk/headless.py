"""Run the kiosk app inside this process without its main loop: for tests, benchmarks, screenshots.

:class:`HeadlessKiosk` starts a :class:`kiosk.app.KioskApp` on Kivy's window (offscreen when
``SDL_VIDEODRIVER=offscreen``), advances frames on demand with :meth:`pump`, and presses widgets
with real touch events (``kivy.tests.common.UnitTestTouch``) at their on-screen centre, so a tap
goes through the same dispatch as a finger. Kivy creates its window once per process; several
kiosks may run one after the other (:meth:`close` detaches one without closing the window).

Touch timing (kiosk.touch: touches right after a screen change and quick repeats of a key are
ignored) reads ``self.clock``, a :class:`kiosk.touch.ManualClock` unless the caller passes
``clock=``: :meth:`tap` first lets ``pause`` seconds pass, as a person's next tap would;
``tap(widget, pause=0.1)`` is a quick second tap.
"""

from __future__ import annotations

import sys
from typing import Any

from kiosk.kivy_setup import WINDOW_SIZE, configure_kivy

__all__ = ["HUMAN_PAUSE_S", "HeadlessKiosk", "all_widgets", "ensure_window"]

# Between two taps of a person who is not hurrying: more than the settle time after a screen
# change (kiosk.touch.SETTLE_SECONDS), so ordinary test taps are never ignored.
HUMAN_PAUSE_S = 1.0


def all_widgets(root) -> list:
    """Every widget under ``root``, including panels a screen keeps off the tree for now."""
    seen: list = []
    ids: set[int] = set()
    stack = [root]
    while stack:
        widget = stack.pop()
        if id(widget) in ids:
            continue
        ids.add(id(widget))
        seen.append(widget)
        stack.extend(widget.children)
        panels = getattr(widget, "_panels", None)
        if isinstance(panels, dict):
            stack.extend(panels.values())
    return seen


def ensure_window():
    """Kivy's window at 1920×1080, configured for the kiosk if it does not exist yet."""
    if "kivy.core.window" not in sys.modules:
        configure_kivy(fullscreen=False, headless=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    if tuple(Window.system_size) != WINDOW_SIZE:
        Window.system_size = WINDOW_SIZE
    if EventLoop.status != "started":
        EventLoop.start()
    return Window


class HeadlessKiosk:
    def __init__(self, settings: Any, *, build_all: bool = True, **app_kwargs: Any):
        self.window = ensure_window()
        from kiosk.app import KioskApp
        from kiosk.touch import ManualClock

        self.clock = app_kwargs.setdefault("clock", ManualClock())
        self.app = KioskApp(settings, **app_kwargs)
        self.app._run_prepare()  # build, add the root to the window, dispatch on_start
        if not build_all:
            return  # as the real app starts: only the attract screen exists yet
        self.pump(3)
        from kiosk.screens import SCREEN_NAMES

        for name in SCREEN_NAMES:  # what the app builds after its first frames, done now
            self.app.ensure_screen(name)
        self.pump(1, draw=False)

    # --- frames and touches

    def pump(self, frames: int = 2, draw: bool = True) -> None:
        """Advance Kivy by ``frames`` frames: clock events, layout and (``draw``) drawing.

        Without ``draw`` the frame runs every clock event and layout but skips the GL drawing,
        which a software renderer makes the slowest part; the widget tree is the same.
        """
        from kivy.base import EventLoop
        from kivy.clock import Clock

        for _ in range(frames):
            if draw:
                EventLoop.idle()
            else:
                Clock.tick()
                EventLoop.dispatch_input()
                Clock.tick_draw()

    def draw_now(self) -> None:
        """Draw one frame and wait until the GL driver has finished it."""
        from kivy.base import EventLoop
        from kivy.graphics.opengl import glFinish

        EventLoop.idle()
        glFinish()

    def tap(
        self, widget: Any, frames: int = 2, draw: bool = False, pause: float = HUMAN_PAUSE_S
    ) -> None:
        """Touch down and up at ``widget``'s centre, as a finger would, ``pause`` s after the last."""
        from kivy.tests.common import UnitTestTouch

        if pause and hasattr(self.clock, "advance"):
            self.clock.advance(pause)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        self.pump(frames, draw)

    def type_story(self, text: str, frames: int = 1) -> None:
        """Press the story keyboard's keys for ``text``; capitals go through Shift."""
        keyboard = self.widget("story", "keyboard")
        for char in text:
            if char == " ":
                self.tap(keyboard.key("<space>"), frames)
                continue
            if char != char.lower():
                if not keyboard.shift:
                    self.tap(keyboard.key("<shift>"), frames)
                char = char.lower()
            self.tap(keyboard.key(char), frames)

    # --- shortcuts

    @property
    def root(self):
        return self.app.root

    @property
    def manager(self):
        return self.app.root.ids.screens

    @property
    def current(self) -> str:
        return self.manager.current

    def screen(self, name: str):
        return self.app.ensure_screen(name)

    def widget(self, screen: str, widget_id: str):
        return self.screen(screen).ids[widget_id]

    def bar(self, widget_id: str):
        return self.root.ids.top_bar.ids[widget_id]

    def step_bar(self, widget_id: str):
        """The bottom bar's ``back``, ``cancel``, ``step`` (the counter) or ``next``."""
        return self.root.ids.step_bar.ids[widget_id]

    def send_story(self) -> None:
        """Tap "Send" and answer "Send" to "Send the story?"."""
        self.tap(self.widget("story", "send"))
        self.tap(self.widget("story", "confirm_send"))

    def close(self) -> None:
        """Stop this kiosk's timers and services and detach it from the (still open) window."""
        app = self.app
        for child in list(self.window.children):
            self.window.remove_widget(child)
        self.window.unbind(on_request_close=app._on_request_close, on_keyboard=app._on_keyboard)
        self.pump(1, draw=False)
        app.dispatch("on_stop")
