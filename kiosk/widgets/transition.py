"""A screen change that completes in the same call, so a frame never draws two screens.

Kivy's ``NoTransition`` still runs a zero-length animation: the old and the new screen are both
on the canvas until the next frame, and a software renderer pays for drawing both. Here the old
screen leaves, and ``on_enter``/``on_leave`` fire, before ``manager.current = ...`` returns.
"""

from __future__ import annotations

from kivy.animation import Animation
from kivy.uix.screenmanager import NoTransition

__all__ = ["InstantTransition"]


class InstantTransition(NoTransition):
    def start(self, manager) -> None:
        super().start(manager)
        Animation.cancel_all(self)
        self._on_complete()
