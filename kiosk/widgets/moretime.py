"""The "need more time?" prompt: a modal with one large button and a countdown."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

__all__ = ["MoreTimePrompt"]


class MoreTimePrompt(ModalView):
    seconds_left = NumericProperty(20)
    __events__ = ("on_more_time",)

    def on_more_time(self) -> None:
        pass
