"""Touch that forgives (EN 301 549 §5.8): a tap meant for one screen never lands on the next.

A caller may rely on this:

* :class:`GuardedScreenManager` ignores every touch that begins in its area within
  :data:`SETTLE_SECONDS` of a screen change, whatever the screen; so the second half of a double
  tap ("Ohita" twice, a face twice at ×2) is dropped instead of typing a ":" or picking a theme.
  Touches on the top bar (outside the manager) are not affected.
* The on-screen keyboard ignores the same key again within :data:`KEY_REPEAT_SECONDS` of its
  last accepted press (:mod:`kiosk.widgets.keyboard`), so a trembling double tap gives "a".
* Both read time from the App's ``clock`` (``time.monotonic`` unless the App was given another);
  tests and the headless kiosk inject a :class:`ManualClock` and advance it instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.screenmanager import ScreenManager

__all__ = ["GuardedScreenManager", "KEY_REPEAT_SECONDS", "ManualClock", "SETTLE_SECONDS"]

SETTLE_SECONDS = 0.5
KEY_REPEAT_SECONDS = 0.3


class ManualClock:
    """A monotonic clock that moves only when told: ``clock()`` reads it, ``advance(s)`` moves it."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a monotonic clock does not go back")
        self.now += seconds


class GuardedScreenManager(ScreenManager):
    clock: Callable[[], float] = ObjectProperty(time.monotonic)
    settle_seconds = NumericProperty(SETTLE_SECONDS)

    def __init__(self, **kwargs):
        self._changed_at = float("-inf")
        super().__init__(**kwargs)

    def on_current(self, instance, value) -> None:
        self._changed_at = self.clock()
        super().on_current(instance, value)

    @property
    def settling(self) -> bool:
        """True while a touch on the screen area would still be ignored."""
        return self.clock() - self._changed_at < self.settle_seconds

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos) and self.settling:
            return True  # swallowed: the finger was aiming at the screen that just left
        return super().on_touch_down(touch)
