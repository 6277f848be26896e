"""Rating screen: the active event's question and four large drawn faces, each with a label.

No neutral face on purpose (``sync.protocol.RATINGS``). A tap saves the rating at once through
the flow and moves on to the themes.
"""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, load_kv

__all__ = ["FACE_LABELS", "RatingScreen"]

FACE_LABELS = {
    1: N_("Very unhappy"),
    2: N_("Unhappy"),
    3: N_("Happy"),
    4: N_("Very happy"),
}


class RatingScreen(KioskScreen):
    question = StringProperty("")

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def refresh(self, *_args) -> None:
        event = self.app.events.current()
        lang = self.app.tr.lang
        self.question = (
            event.question.get(lang)
            if event is not None
            else _("How well are we developing Mikkeli together?")
        )

    def face_label(self, rating: int, lang: str) -> str:
        return _(FACE_LABELS[rating])

    # --- the bottom bar: Continue only after a face was saved (the visitor came back)

    def can_go_on(self) -> bool:
        return self.app.flow.rated() is not None

    def go_on(self) -> None:
        self.app.flow.show("themes")


load_kv("rating")
