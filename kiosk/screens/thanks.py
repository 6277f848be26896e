"""Thank-you screen: the visit's follow-up QR code and link, and the chosen theme's velho.

The QR code encodes ``<public base URL>/f/<follow_up_token>`` of the visit (kiosk-config's
``public_base_url``, else the config file's ``server.public_url``), and the same link is shown as
text for people without a phone camera. After ``thanks_seconds`` the screen ends the visit by
itself; "Done" ends it at once.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty

from kiosk.content import ThemeCard
from kiosk.i18n import _, format_date
from kiosk.screens.base import KioskScreen, load_kv

__all__ = ["ThanksScreen"]


class ThanksScreen(KioskScreen):
    url = StringProperty("")
    theme = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._timer = None

    def on_kv_post(self, _base_widget) -> None:
        self.app.tr.bind(lang=self._retranslate)

    def _retranslate(self, *_args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.theme = self.app.flow.chosen_theme()  # theme names are content, per language

    def on_pre_enter(self, *_args) -> None:
        self.url = self.app.flow.follow_up()
        self.theme = self.app.flow.chosen_theme()
        self._timer = Clock.schedule_once(
            lambda _dt: self.app.flow.finish(), self.app.settings.timeouts.thanks_seconds
        )

    def on_leave(self, *_args) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def velho_text(self, theme: ThemeCard | None, lang: str) -> str:
        if theme is None:
            return _("Your answers go to the people who develop Mikkeli.")
        if not theme.velho_name:
            return _("Your theme {theme} is still looking for a velho.").format(theme=theme.name)
        return _("Your theme {theme} is moved forward by {name}, {role}.").format(
            theme=theme.name, name=theme.velho_name, role=theme.velho_role
        )

    def next_text(self, theme: ThemeCard | None, lang: str) -> str:
        if theme is None or not theme.next_step:
            return ""
        return _("Next step: {step} ({date})").format(
            step=theme.next_step, date=format_date(theme.next_date, lang)
        )

    def clear(self) -> None:
        self.url = ""
        self.theme = None


load_kv("thanks")
