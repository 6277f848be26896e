"""Thank-you screen: every chosen theme's velho and next step, and the ways to the follow-up.

The QR code encodes ``<public base URL>/f/<follow_up_token>`` of the visit (kiosk-config's
``public_base_url``, else the config file's ``server.public_url``). For people without a phone
camera the screen shows the short address ``<public base URL>/k`` and the visit's short code in
large type, and, when the kiosk has a receipt printer, offers a printed slip
(:mod:`kiosk.slip`). Printing runs in a background thread; whatever the printer does (missing,
out of paper, slow) the screen says so and the code stays shown. The screen is under the idle
guard like every other (at least 120 s, any touch extends, "more time?" before it starts over);
the bottom bar's "Done" (its last step) ends the visit at once.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.logger import Logger
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from kiosk.content import ThemeCard
from kiosk.i18n import _
from kiosk.screens.base import KioskScreen, load_kv
from kiosk.slip.model import build_slip, next_step_text, velho_text

__all__ = ["ThanksScreen"]


class ThanksScreen(KioskScreen):
    url = StringProperty("")
    short_url = StringProperty("")
    code = StringProperty("")
    themes = ListProperty([])  # ThemeCard of every chosen theme, in the visitor's order
    theme = ObjectProperty(None, allownone=True)  # the first of them (kept for older callers)
    print_state = StringProperty("")  # "", printing, slow, done, failed (kiosk.slip.printer)
    can_print = BooleanProperty(False)

    def on_kv_post(self, _base_widget) -> None:
        self.app.tr.bind(lang=self._retranslate)
        self.can_print = self.app.slip_printer is not None

    def _retranslate(self, *_args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self._load_themes()  # theme names are content, per language

    def _load_themes(self) -> None:
        self.themes = self.app.flow.chosen_themes()
        self.theme = self.themes[0] if self.themes else None

    def on_pre_enter(self, *_args) -> None:
        flow = self.app.flow
        self.url = flow.follow_up()
        self.short_url = flow.short_address()
        self.code = flow.short_code()
        self.print_state = ""
        self._load_themes()

    def on_themes(self, *_args) -> None:
        box = self.ids.get("themes_box")
        if box is None:
            return
        box.clear_widgets()
        if not self.themes:
            box.add_widget(
                Factory.BodyLabel(text=_("Your answers go to the people who develop Mikkeli."))
            )
        for card in self.themes:
            # The theme's name in bold body text: headings at x2 would leave room for one theme.
            box.add_widget(Factory.BodyLabel(text=card.name, bold=True))
            box.add_widget(Factory.BodyLabel(text=velho_text(card)))
            step = next_step_text(card)
            if step:
                box.add_widget(Factory.MutedLabel(text=step))

    # --- the printed slip

    def print_slip(self) -> None:
        printer = self.app.slip_printer
        if printer is None or self.print_state in ("printing", "slow"):
            return
        slip = build_slip(self.themes, self.url, self.short_url, self.code, self.app.tr.lang)
        code = self.code

        def report(state: str, reason: str) -> None:  # from the printer's thread
            Clock.schedule_once(lambda _dt: self._print_result(code, state, reason))

        if printer.print(slip, report):
            self.print_state = "printing"

    def _print_result(self, code: str, state: str, reason: str) -> None:
        if state == "failed":
            Logger.warning(f"Kiosk: the slip was not printed: {reason}")
        if code != self.code:
            return  # that visitor has left; the next one sees nothing of it
        if state == "slow" and self.print_state != "printing":
            return
        self.print_state = state

    def print_message(self, state: str, lang: str) -> str:
        return {
            "": "",
            "printing": _("Printing your slip…"),
            "slow": _(
                "The printer is slow. Your code is on the screen: you can also write it down."
            ),
            "done": _("Take your slip from the printer."),
            "failed": _(
                "The slip could not be printed. Your answers are saved. Please write down the code"
                " on the screen."
            ),
        }[state]

    # --- kept for callers of the one-theme screen

    def velho_text(self, theme: ThemeCard | None, lang: str) -> str:
        if theme is None:
            return _("Your answers go to the people who develop Mikkeli.")
        return velho_text(theme)

    def next_text(self, theme: ThemeCard | None, lang: str) -> str:
        return "" if theme is None else next_step_text(theme)

    def clear(self) -> None:
        self.url = ""
        self.short_url = ""
        self.code = ""
        self.print_state = ""
        self.themes = []
        self.theme = None


load_kv("thanks")
