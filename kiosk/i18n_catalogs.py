"""The kiosk's catalogue tooling: extraction, ``.po`` update, ``.mo`` compile and the checks.

Developer and build tooling, never imported by the app (its runtime is :mod:`kiosk.i18n`). A
caller may rely on this:

* ``python -m kiosk.i18n_catalogs extract`` (:func:`main`, run from anywhere) writes
  ``kiosk/locale/kiosk.pot`` (Babel, with the mapping of ``babel.cfg``: Python, and kv through
  :func:`extract_kv`); ``update`` merges it into each language's ``.po`` (creating missing ones;
  in ``en`` a new msgid is its own translation); ``compile`` writes the ``.mo`` files, refusing a
  catalogue whose translations would break at run time (``{placeholders}`` unlike the msgid's,
  bad ``%`` formats, wrong plural count: see :func:`placeholder_problems`); ``check`` exits 1 and
  names every missing, fuzzy or broken msgid per language.
* :func:`missing_translations` extracts the msgids of the kiosk's ``.py`` and ``.kv`` files and
  answers ``{lang: [msgid, ...]}`` for every language with a msgid that is absent, untranslated
  or fuzzy (languages with nothing missing are left out, so "all done" is ``{}``).
* Catalogues are found where the runtime finds them (``kiosk.i18n.LOCALE_DIR``, read at each
  call); sources under :data:`PACKAGE_DIR`, matched by :data:`BABEL_CFG` relative to
  :data:`PROJECT_DIR`. Writing a catalogue makes the runtime forget its cached translations.
"""

from __future__ import annotations

import ast
import io
import re
import string
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk import i18n
from kiosk.i18n import DOMAIN, LANGUAGE_NAMES, LANGUAGES

__all__ = [
    "compile_catalogs",
    "extract_kv",
    "extract_messages",
    "main",
    "missing_translations",
    "placeholder_problems",
    "update_catalogs",
]

# Where the sources are (tests point these, and kiosk.i18n.LOCALE_DIR, at a throwaway tree).
PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
BABEL_CFG = PROJECT_DIR / "babel.cfg"
SOURCE_LANGUAGE = "en"

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
        if not path.is_file() or "__pycache__" in path.parts or i18n.LOCALE_DIR in path.parents:
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
    return i18n.LOCALE_DIR / f"{DOMAIN}.pot"


def _read_po(lang: str) -> Any:
    from babel.messages.pofile import read_po

    with i18n._po_path(lang).open("rb") as fh:
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
        path = i18n._po_path(lang)
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
    i18n.reload()
    return written


def compile_catalogs() -> list[Path]:
    """Write ``kiosk.mo`` beside each ``kiosk.po``; fuzzy entries are left out, as gettext does.

    Refuses (``ValueError`` naming each message, and nothing written) when a translation would
    break at run time: a wrong ``%`` format, a wrong number of plural forms, or ``{placeholders}``
    that differ from the msgid's, which would make ``.format()`` raise on the kiosk's screen.
    """
    from babel.messages.mofile import write_mo

    catalogs = {lang: _read_po(lang) for lang in LANGUAGES if i18n._po_path(lang).exists()}
    errors = [
        f"{i18n._po_path(lang)}: {problem}"
        for lang, catalog in catalogs.items()
        for problem in _catalog_problems(catalog)
    ]
    if errors:
        raise ValueError("cannot compile the catalogues:\n  " + "\n  ".join(errors))
    written = []
    for lang, catalog in catalogs.items():
        mo = i18n._po_path(lang).with_suffix(".mo")
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        tmp = mo.with_suffix(".mo.tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(mo)
        written.append(mo)
    i18n.reload()
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
        if i18n._po_path(i18n._check_language(lang)).exists():
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
        i18n._check_language(lang)
        catalog = _read_po(lang) if i18n._po_path(lang).exists() else None
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, message.context) if catalog is not None else None
            if entry is None or entry.fuzzy or not _translated(entry):
                missing.setdefault(lang, []).append(_label(message))
    return missing


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.i18n_catalogs extract|update|compile|check``; returns the exit status."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kiosk.i18n_catalogs", description=main.__doc__)
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
