"""Rating screen: the active event's question and four large drawn faces, each with a label.

The labels are the event's four answers, set with its question so that they answer it
(kiosk-config ``event.answers``); without them "Very poorly … Very well".

No neutral face on purpose (``sync.protocol.RATINGS``). A tap saves the rating at once through
the flow and moves on to the themes.
"""

from __future__ import annotations

from kivy.properties import ListProperty, NumericProperty, StringProperty

from kiosk.i18n import N_, _
from kiosk.screens.base import KioskScreen, load_kv

__all__ = ["FACE_LABELS", "RatingScreen"]

# The default answers, when the event sets none of its own: they answer "How well …?".
FACE_LABELS = {
    1: N_("Very poorly"),
    2: N_("Quite poorly"),
    3: N_("Quite well"),
    4: N_("Very well"),
}


class RatingScreen(KioskScreen):
    question = StringProperty("")
    # The four labels under the faces, worst first, in the current language (see face_label).
    labels = ListProperty(["", "", "", ""])
    # The face this visit saved last (1..4), 0 before the first: a visitor who comes back with
    # the bottom bar's Back sees (and hears) which one they chose, and may tap another.
    chosen = NumericProperty(0)

    def on_pre_enter(self, *_args) -> None:
        self.chosen = self.app.flow.rated() or 0
        self.refresh()

    def clear(self) -> None:
        self.chosen = 0

    def refresh(self, *_args) -> None:
        event = self.app.events.current()
        lang = self.app.tr.lang
        self.question = (
            event.question.get(lang)
            if event is not None
            else _("How well are we developing Mikkeli together?")
        )
        self.labels = [self.face_label(rating, lang) for rating in sorted(FACE_LABELS)]

    def face_label(self, rating: int, lang: str) -> str:
        """The event's own answer for this face (set with its question), else the default."""
        event = self.app.events.current()
        answers = list(getattr(event, "answers", None) or []) if event is not None else []
        if len(answers) == len(FACE_LABELS):
            text = answers[rating - 1].get(lang)
            if text:
                return text
        return _(FACE_LABELS[rating])

    # --- the bottom bar: Continue only after a face was saved (the visitor came back)

    def can_go_on(self) -> bool:
        return self.app.flow.rated() is not None

    def go_on(self) -> None:
        self.app.flow.show("themes")


load_kv("rating")
