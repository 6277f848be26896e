"""Gettext for the kiosk in Finnish (the default), Swedish and English: what the app imports.

A caller may rely on this:

* ``_(msgid)``, ``ngettext(singular, plural, n)`` and ``pgettext(context, msgid)`` translate into
  the current language; msgids are English. ``N_(msgid)`` only marks a string for extraction
  (for module-level constants translated later with ``_``).
* ``set_language(lang)`` accepts one of :data:`LANGUAGES` and raises ``ValueError`` naming any
  other; ``current_language()`` answers it. Listeners added with :func:`add_language_listener`
  hear every change; switch on the UI thread, since :class:`I18n` sets a Kivy property then.
* Catalogues live in ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``. The compiled ``kiosk.mo`` is
  used when it is at least as new as its ``.po``; otherwise the ``.po`` is read directly, so a
  freshly edited catalogue is never shadowed by a stale build. A missing catalogue falls back to
  the English msgid.
* Importing this module imports neither Kivy nor Babel nor the catalogue tooling: Babel is loaded
  on first need (a ``.po`` without a fresh ``.mo``, :func:`format_date`).

Kivy (the gettext core above imports no Kivy): the app holds one :class:`I18n` and kv rules
write ``text: app.tr._("Give feedback")``. Kivy watches the chain ``app.tr._``; :class:`I18n`
answers a bind on ``_`` with a bind on its ``lang`` property, so every such rule is evaluated
again when ``app.tr.lang = "sv"`` (or :func:`set_language`) switches the language::

    class KioskApp(App):
        tr = ObjectProperty(None)
        def build(self):
            self.tr = I18n()
            ...
    # kv:  Label:
    #          text: app.tr._("Give feedback")
    #      Button:
    #          text: "SV"              # language names are endonyms, not translated
    #          on_release: app.tr.lang = "sv"

The catalogue tooling (extraction, ``.po`` update, ``.mo`` compile, the checks) is developer and
build tooling in :mod:`kiosk.i18n_catalogs`; ``python -m kiosk.i18n_catalogs extract|update|compile|check``
runs it.
"""

from __future__ import annotations

import gettext as _gettext
import io
import threading
import weakref
from collections.abc import Callable
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from sync.protocol.constants import LANGS

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "_",
    "add_language_listener",
    "current_language",
    "format_date",
    "gettext",
    "ngettext",
    "pgettext",
    "reload",
    "remove_language_listener",
    "set_language",
    "translations",
]

LANGUAGES = LANGS  # the protocol's languages, in the order the buttons show them
DEFAULT_LANGUAGE = "fi"
# Endonyms for the language buttons: shown alike in every language on purpose, so a visitor
# finds their own language whatever the screen shows now.
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DOMAIN = "kiosk"
LOCALE_DIR = Path(str(files("kiosk").joinpath("locale")))  # package data

_lock = threading.Lock()
_cache: dict[str, _gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE
_listeners: list[weakref.ref | Callable[[str], None]] = []


# _check_language and _po_path are kiosk.i18n_catalogs' too, so the tooling refuses the same
# codes and finds the catalogues wherever LOCALE_DIR points.


def _check_language(lang: object) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; the kiosk speaks {', '.join(LANGUAGES)}")
    return lang


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(lang: str) -> _gettext.NullTranslations:
    po, mo = _po_path(lang), _po_path(lang).with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.exists():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return _gettext.GNUTranslations(buffer)
    return _gettext.NullTranslations()


def translations(lang: str) -> _gettext.NullTranslations:
    """The (cached) translations of ``lang``; :func:`reload` forgets the cache."""
    _check_language(lang)
    with _lock:
        if lang not in _cache:
            _cache[lang] = _load(lang)
        return _cache[lang]


def reload() -> None:
    """Forget loaded catalogues (after ``update``/``compile`` in a running process)."""
    with _lock:
        _cache.clear()


def set_language(lang: str) -> None:
    """Make ``lang`` the current language and tell the listeners; a bad code is refused."""
    global _current
    _check_language(lang)
    translations(lang)  # load before switching, so a broken catalogue fails here
    changed = lang != _current
    _current = lang
    if changed:
        for listener in list(_listeners):
            callback = listener() if isinstance(listener, weakref.ref) else listener
            if callback is None:
                _listeners.remove(listener)
            else:
                callback(lang)


def current_language() -> str:
    return _current


def add_language_listener(callback: Callable[[str], None], *, weak: bool = False) -> None:
    """Call ``callback(lang)`` after each change of language (weakly held when ``weak``)."""
    if weak:
        ref = (
            weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
        )
        _listeners.append(ref)
    else:
        _listeners.append(callback)


def remove_language_listener(callback: Callable[[str], None]) -> None:
    for listener in list(_listeners):
        target = listener() if isinstance(listener, weakref.ref) else listener
        if target is None or target == callback:
            _listeners.remove(listener)


def gettext(msgid: str) -> str:
    """``msgid`` (English) in the current language."""
    return translations(_current).gettext(msgid)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current).ngettext(singular, plural, n)


def pgettext(context: str, msgid: str) -> str:
    return translations(_current).pgettext(context, msgid)


def N_(msgid: str) -> str:  # noqa: N802 - the conventional name extractors look for
    """Mark ``msgid`` for extraction without translating it now."""
    return msgid


def format_date(value: date | str, lang: str | None = None, format: str = "medium") -> str:
    """A date (or ISO ``YYYY-MM-DD`` text) written the way ``lang`` writes dates (Babel CLDR).

    Swedish is Finland-Swedish: 20.1.2027, as in Finnish (CLDR's ``sv_FI`` short format).
    """
    from babel.dates import format_date as babel_format_date

    lang = _check_language(lang or _current)
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if lang == "sv":
        return babel_format_date(value, format="short", locale="sv_FI")
    return babel_format_date(value, format=format, locale=lang)


# --- Kivy: an EventDispatcher whose ``_`` kv rules can watch. Kivy is imported only here, on the
# first ``from kiosk.i18n import I18n`` (so it is left out of ``__all__``: a star import stays
# Kivy-free).


def _make_i18n_class() -> type:
    from kivy.event import EventDispatcher
    from kivy.properties import StringProperty

    class I18n(EventDispatcher):
        """``lang`` follows :func:`set_language` both ways; ``_`` translates in ``lang``."""

        lang = StringProperty(_current)

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.lang = _current
            add_language_listener(self._follow, weak=True)

        def _follow(self, lang: str) -> None:
            self.lang = lang

        def on_lang(self, _instance: Any, lang: str) -> None:
            if lang == _current:
                return
            try:
                set_language(lang)
            except ValueError:
                self.lang = _current  # keep the property on a language the kiosk speaks
                raise

        def _(self, msgid: str) -> str:
            return translations(self.lang).gettext(msgid)

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return translations(self.lang).ngettext(singular, plural, n)

        def pgettext(self, context: str, msgid: str) -> str:
            return translations(self.lang).pgettext(context, msgid)

        # kv binds to the last name of a watched chain (``app.tr._``); these names are
        # methods, so their binds go to ``lang`` instead, which changes when they would.
        def fbind(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
            return super().fbind(self._watched(name), func, *args, **kwargs)

        def funbind(self, name: str, func: Any, *args: Any, **kwargs: Any) -> Any:
            return super().funbind(self._watched(name), func, *args, **kwargs)

        def unbind_uid(self, name: str, uid: Any) -> Any:
            return super().unbind_uid(self._watched(name), uid)

        @staticmethod
        def _watched(name: str) -> str:
            return "lang" if name in ("_", "ngettext", "pgettext") else name

    return I18n


def __getattr__(name: str) -> Any:
    # ``I18n`` is built on first use so that importing this module never imports Kivy.
    if name == "I18n":
        cls = _make_i18n_class()
        globals()["I18n"] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    # ``python -m kiosk.i18n ...`` still runs the tooling (``python -m kiosk.i18n_catalogs``),
    # by name only: the runtime imports nothing of its tooling, which imports the runtime.
    import runpy

    runpy.run_module("kiosk.i18n_catalogs", run_name="__main__", alter_sys=True)
