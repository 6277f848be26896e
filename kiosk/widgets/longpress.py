"""An invisible area that fires ``on_long_press`` after a touch is held for ``hold_seconds``.

The only non-tap gesture of the kiosk: staff open their screen with it. A touch that moves off
the area or lifts early cancels the timer.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

__all__ = ["LongPressArea"]


class LongPressArea(Widget):
    hold_seconds = NumericProperty(3.0)
    __events__ = ("on_long_press",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._event = None
        self._touch = None

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or self._touch is not None:
            return super().on_touch_down(touch)
        self._touch = touch
        touch.grab(self)
        self._event = Clock.schedule_once(self._fire, self.hold_seconds)
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is self and not self.collide_point(*touch.pos):
            self._cancel()
        return super().on_touch_move(touch)

    def on_touch_up(self, touch):
        if touch.grab_current is self:
            touch.ungrab(self)
            self._cancel()
            return True
        return super().on_touch_up(touch)

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
        self._event = None
        self._touch = None

    def _fire(self, _dt) -> None:
        self._event = None
        self.dispatch("on_long_press")

    def on_long_press(self) -> None:
        pass
