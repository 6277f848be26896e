"""The kiosk's screens, in visiting order; each module loads its own kv file when imported.

Screens are imported and built on first use (:func:`screen_class`), so the attract screen can be
drawn before the others exist; the app builds the rest right after its first frame.
"""

from __future__ import annotations

import importlib

__all__ = ["SCREEN_NAMES", "screen_class"]

SCREEN_NAMES = ("attract", "rating", "themes", "story", "thanks", "staff")
_CLASSES = {
    "attract": "AttractScreen",
    "rating": "RatingScreen",
    "themes": "ThemesScreen",
    "story": "StoryScreen",
    "thanks": "ThanksScreen",
    "staff": "StaffScreen",
}


def screen_class(name: str) -> type:
    """The Screen subclass called ``name`` (importing its module and kv file once)."""
    if name not in _CLASSES:
        raise KeyError(f"no screen {name!r}; screens are {', '.join(SCREEN_NAMES)}")
    module = importlib.import_module(f"kiosk.screens.{name}")
    return getattr(module, _CLASSES[name])
