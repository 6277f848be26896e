"""Gettext for the kiosk in Finnish (the default), Swedish and English, and its catalogue tooling.

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
* :func:`missing_translations` extracts the msgids of the kiosk's ``.py`` and ``.kv`` files and
  answers ``{lang: [msgid, ...]}`` for every language with a msgid that is absent, untranslated
  or fuzzy (languages with nothing missing are left out, so "all done" is ``{}``).

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

Tooling, run from anywhere: ``python -m kiosk.i18n extract`` writes ``kiosk/locale/kiosk.pot``
(Babel, with the mapping of ``babel.cfg``: Python, and kv through :func:`extract_kv`);
``update`` merges it into each language's ``.po`` (creating missing ones; in ``en`` a new msgid
is its own translation); ``compile`` writes the ``.mo`` files, refusing a catalogue whose
translations would break at run time (``{placeholders}`` unlike the msgid's, bad ``%`` formats,
wrong plural count: see :func:`placeholder_problems`); ``check`` exits 1 and names every
missing, fuzzy or broken msgid per language.
"""

from __future__ import annotations

import ast
import gettext as _gettext
import io
import re
import string
import sys
import threading
import tokenize
import weakref
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "N_",
    "_",
    "add_language_listener",
    "compile_catalogs",
    "current_language",
    "extract_kv",
    "extract_messages",
    "format_date",
    "gettext",
    "missing_translations",
    "ngettext",
    "pgettext",
    "placeholder_problems",
    "reload",
    "remove_language_listener",
    "set_language",
    "translations",
    "update_catalogs",
]

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
# Endonyms for the language buttons: shown alike in every language on purpose, so a visitor
# finds their own language whatever the screen shows now.
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DOMAIN = "kiosk"
PACKAGE_DIR = Path(__file__).resolve().parent
LOCALE_DIR = PACKAGE_DIR / "locale"
PROJECT_DIR = PACKAGE_DIR.parent
BABEL_CFG = PROJECT_DIR / "babel.cfg"
SOURCE_LANGUAGE = "en"

_lock = threading.Lock()
_cache: dict[str, _gettext.NullTranslations] = {}
_current = DEFAULT_LANGUAGE
_listeners: list[weakref.ref | Callable[[str], None]] = []


def _check_language(lang: object) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; the kiosk speaks {', '.join(LANGUAGES)}")
    return lang  # type: ignore[return-value]


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
    """A date (or ISO ``YYYY-MM-DD`` text) written the way ``lang`` writes dates (Babel CLDR)."""
    from babel.dates import format_date as babel_format_date

    lang = _check_language(lang or _current)
    if isinstance(value, str):
        value = date.fromisoformat(value)
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


# --- Extraction: Babel for Python, and a small extractor for kv files.

_KV_CALL_RE = re.compile(r"(?<![\w])(_|gettext|ngettext|pgettext|N_)\s*\(")


def extract_kv(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel extractor for Kivy kv files: finds ``_("...")`` calls, also as ``app.tr._("...")``.

    A kv value is a Python expression, so each call is read with Python's tokenizer from its
    opening parenthesis to the matching closing one; string literals (also implicitly joined
    ones) become messages, any other argument ``None`` as Babel expects. Calls whose name is not
    among ``keywords`` are skipped.
    """
    encoding = (options or {}).get("encoding", "utf-8")
    text = fileobj.read()
    if isinstance(text, bytes):
        text = text.decode(encoding)
    for match in _KV_CALL_RE.finditer(text):
        funcname = match.group(1)
        if keywords is not None and funcname not in keywords:
            continue
        lineno = text.count("\n", 0, match.start()) + 1
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()].lstrip()
        if before.startswith("#") and not before.startswith("#:"):
            continue  # a commented-out line, not a directive such as ``#:set``
        args = _call_arguments(text[match.end() :])
        if args is not None and any(a is not None for a in args):
            yield lineno, funcname, tuple(args) if len(args) > 1 else args[0], []


def _call_arguments(rest: str) -> list[str | None] | None:
    """The arguments of a call whose ``(`` was just consumed, literals only; None if broken."""
    args: list[str | None] = []
    literal: str | None = None
    other = False
    depth = 0
    try:
        # The "(" is given back so that the tokenizer, too, knows the lines inside are joined.
        tokens = tokenize.generate_tokens(io.StringIO("(" + rest).readline)
        next(tokens)
        for tok in tokens:
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
                other = True
            elif tok.type == tokenize.OP and tok.string in ")]}":
                if depth == 0:
                    args.append(None if other else literal)
                    return args
                depth -= 1
            elif tok.type == tokenize.OP and tok.string == "," and depth == 0:
                args.append(None if other else literal)
                literal, other = None, False
            elif tok.type == tokenize.STRING and depth == 0 and not other:
                value = ast.literal_eval(tok.string)
                if not isinstance(value, str):
                    other = True
                else:
                    literal = (literal or "") + value
            elif tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            elif tok.type == tokenize.ENDMARKER:
                return None
            else:
                other = True
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return None


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    from babel.messages.frontend import parse_mapping_cfg

    with BABEL_CFG.open(encoding="utf-8") as fh:
        return parse_mapping_cfg(fh, str(BABEL_CFG))


def extract_messages() -> Any:
    """A Babel ``Catalog`` (the template) of every msgid in the kiosk's ``.py`` and ``.kv`` files."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
    from babel.util import pathmatch

    method_map, options_map = _method_map()
    catalog = _new_catalog(None)
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or LOCALE_DIR in path.parents:
            continue
        relative = path.relative_to(PROJECT_DIR).as_posix()
        for pattern, method in method_map:
            if not pathmatch(pattern, relative):
                continue
            results = extract_from_file(
                method,
                path,
                keywords=DEFAULT_KEYWORDS,
                comment_tags=("TRANSLATORS:",),
                options=options_map.get(pattern),
                strip_comment_tags=True,
            )
            for lineno, message, comments, context in results:
                catalog.add(
                    message,
                    None,
                    [(relative, lineno)],
                    auto_comments=comments,
                    context=context,
                )
            break
    return catalog


def _new_catalog(lang: str | None) -> Any:
    from datetime import UTC, datetime

    from babel.messages.catalog import Catalog

    what = f"{LANGUAGE_NAMES[lang]} ({lang})" if lang else "template"
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=(
            f"# Kayttajatori kiosk messages: {what}.\n"
            "# Distributed under the same licence as the kayttajatori project (EUPL-1.2).\n"
            "# Edit msgstr lines only; `python -m kiosk.i18n update` rewrites the rest.\n#"
        ),
        project="kayttajatori",
        version="0.1.0",
        copyright_holder="Kayttajatori contributors",
        msgid_bugs_address="the kayttajatori issue tracker",
        last_translator="Kayttajatori contributors",
        language_team=f"{lang or 'LANGUAGE'}",
        revision_date=datetime.now(UTC),
        charset="utf-8",
        fuzzy=False,
    )


def _pot_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


def _read_po(lang: str) -> Any:
    from babel.messages.pofile import read_po

    with _po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def _write_po(path: Path, catalog: Any, **kwargs: Any) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, **kwargs)
    if path.exists() and _undated(path.read_bytes()) == _undated(buffer.getvalue()):
        return  # only the creation date would change: leave the file (and git) alone
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)  # atomic, so an interrupted run never leaves half a catalogue


def _undated(po: bytes) -> bytes:
    return re.sub(rb'^"POT-Creation-Date: [^"]*"$', b"", po, flags=re.MULTILINE)


def update_catalogs(template: Any | None = None) -> list[Path]:
    """Write the template and merge it into every language's ``.po``; returns the paths."""
    template = template if template is not None else extract_messages()
    _write_po(_pot_path(), template, omit_header=False)
    written = [_pot_path()]
    for lang in LANGUAGES:
        path = _po_path(lang)
        catalog = _read_po(lang) if path.exists() else _new_catalog(lang)
        # English needs no fuzzy guesses: a changed msgid is simply its own new translation.
        catalog.update(
            template, no_fuzzy_matching=lang == SOURCE_LANGUAGE, update_header_comment=False
        )
        if lang == SOURCE_LANGUAGE:
            # msgids are English: an untranslated English entry is its own translation.
            for message in catalog:
                if message.id and not message.fuzzy and not _translated(message):
                    message.string = message.id
        _write_po(path, catalog)
        written.append(path)
    reload()
    return written


def compile_catalogs() -> list[Path]:
    """Write ``kiosk.mo`` beside each ``kiosk.po``; fuzzy entries are left out, as gettext does.

    Refuses (``ValueError`` naming each message, and nothing written) when a translation would
    break at run time: a wrong ``%`` format, a wrong number of plural forms, or ``{placeholders}``
    that differ from the msgid's, which would make ``.format()`` raise on the kiosk's screen.
    """
    from babel.messages.mofile import write_mo

    catalogs = {lang: _read_po(lang) for lang in LANGUAGES if _po_path(lang).exists()}
    errors = [
        f"{_po_path(lang)}: {problem}"
        for lang, catalog in catalogs.items()
        for problem in _catalog_problems(catalog)
    ]
    if errors:
        raise ValueError("cannot compile the catalogues:\n  " + "\n  ".join(errors))
    written = []
    for lang, catalog in catalogs.items():
        mo = _po_path(lang).with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        tmp = mo.with_suffix(".mo.tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(mo)
        written.append(mo)
    reload()
    return written


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _catalog_problems(catalog: Any) -> list[str]:
    problems = [f"{_label(m)!r}: {e}" for m, errs in catalog.check() for e in errs]
    for message in catalog:
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        if not message.id or not any("{" in i for i in ids) or message.fuzzy:
            continue
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        try:
            allowed = set().union(*(_fields(i) for i in ids))
            for form in forms:
                if not form:
                    continue
                found = _fields(form)
                if found - allowed or (len(ids) == 1 and found != allowed):
                    problems.append(
                        f"{_label(message)!r}: translation {form!r} has placeholders "
                        f"{sorted(found)}, the msgid {sorted(allowed)}"
                    )
        except ValueError as exc:  # unbalanced braces
            problems.append(f"{_label(message)!r}: bad braces in {forms!r}: {exc}")
    return problems


def placeholder_problems(languages: tuple[str, ...] = LANGUAGES) -> dict[str, list[str]]:
    """``{lang: [problem, ...]}`` of translations that would fail at run time (see compile)."""
    out = {}
    for lang in languages:
        if _po_path(_check_language(lang)).exists():
            problems = _catalog_problems(_read_po(lang))
            if problems:
                out[lang] = problems
    return out


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(strings)


def _label(message: Any) -> str:
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return f"{msgid} (context {message.context})" if message.context else msgid


def missing_translations(
    languages: tuple[str, ...] = LANGUAGES, template: Any | None = None
) -> dict[str, list[str]]:
    """``{lang: [msgid, ...]}`` of msgids in the sources that a catalogue lacks or has fuzzy."""
    template = template if template is not None else extract_messages()
    missing: dict[str, list[str]] = {}
    for lang in languages:
        _check_language(lang)
        catalog = _read_po(lang) if _po_path(lang).exists() else None
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, message.context) if catalog is not None else None
            if entry is None or entry.fuzzy or not _translated(entry):
                missing.setdefault(lang, []).append(_label(message))
    return missing


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.i18n extract|update|compile|check``; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kiosk.i18n", description=main.__doc__)
    parser.add_argument("command", choices=("extract", "update", "compile", "check"))
    command = parser.parse_args(argv).command
    if command == "extract":
        template = extract_messages()
        _write_po(_pot_path(), template)
        print(f"{_pot_path()}: {len(template)} msgids")
    elif command == "update":
        for path in update_catalogs():
            print(f"wrote {path}")
    elif command == "compile":
        try:
            paths = compile_catalogs()
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
        for path in paths:
            print(f"wrote {path}")
    else:
        missing = missing_translations()
        for lang, msgids in missing.items():
            print(f"{lang}: {len(msgids)} untranslated or fuzzy:", file=sys.stderr)
            for msgid in msgids:
                print(f"  {msgid!r}", file=sys.stderr)
        broken = placeholder_problems()
        for lang, problems in broken.items():
            print(f"{lang}: {len(problems)} broken translations:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        if missing or broken:
            return 1
        print("all msgids translated in " + ", ".join(LANGUAGES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
