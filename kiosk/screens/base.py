"""What every kiosk screen shares: its kv file, clearing, and the words read aloud.

Each screen module defines one :class:`KioskScreen` subclass and loads ``kv/<name>.kv`` (the
root rule is named like the class) relative to this package, never the working directory.
A screen may rely on ``self.app`` (the running App: ``look``, ``tr``, ``flow``) and must make
:meth:`clear` drop everything a visitor typed or chose, so the next visitor finds nothing of
the previous one.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

__all__ = ["KioskScreen", "load_kv", "KV_DIR"]

KV_DIR = Path(str(files("kiosk.screens").joinpath("kv")))  # package data


def load_kv(name: str) -> None:
    """Load ``kv/<name>.kv`` once per process."""
    path = str(KV_DIR / f"{name}.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class KioskScreen(Screen):
    def __init__(self, **kwargs):
        # The app that built this screen, kept: another App instance in the same process (a
        # test's, an embedding tool's) must not become the screen's app.
        self._app = App.get_running_app()
        super().__init__(**kwargs)

    @property
    def app(self):
        return self._app

    def clear(self) -> None:
        """Forget every input of the current visitor (default: nothing to forget)."""

    def spoken_text(self) -> list[str]:
        """Title, question and button labels as shown, top to bottom and left to right."""
        from kiosk.widgets import BigButton, FaceButton

        found = []
        for widget in self.walk(restrict=True):
            text = getattr(widget, "text", "")
            if not text or widget.opacity == 0:
                continue
            spoken = type(widget).__name__ in ("TitleLabel", "HeadingLabel") or isinstance(
                widget, BigButton | FaceButton
            )
            if spoken:
                x, top = widget.to_window(widget.x, widget.top)
                found.append((-round(top), round(x), text))
        return [text for _top, _x, text in sorted(found)]
