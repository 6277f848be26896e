"""The "need more time?" prompt: a modal with one large button and a countdown.

``story_at_risk`` (set by the idle guard) makes it say that a story not yet sent would be lost.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.modalview import ModalView

__all__ = ["MoreTimePrompt"]


class MoreTimePrompt(ModalView):
    seconds_left = NumericProperty(20)
    story_at_risk = BooleanProperty(False)
    __events__ = ("on_more_time",)

    def on_more_time(self) -> None:
        pass
