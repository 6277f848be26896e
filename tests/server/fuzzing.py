"""Shared pieces of the server's fuzz tests: the route inventory, the field-name vocabulary, the
hostile values, and a log watcher that turns any server error into a test failure.

The inventory comes from ``app.routes`` and the vocabulary from the templates and resources'
source, so a new route or form field is fuzzed without anyone listing it here.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st
from starlette.routing import Mount

SERVER_DIR = Path(__file__).resolve().parents[2] / "sync" / "server"


def route_inventory(app) -> list[tuple[str, str]]:
    """Every ``(method, path template)`` the app answers, nested routers and mounts included."""
    found: set[tuple[str, str]] = set()

    def walk(routes, prefix: str = "") -> None:
        for route in routes:
            if hasattr(route, "effective_route_contexts"):  # FastAPI's included routers
                for context in route.effective_route_contexts():
                    for method in context.methods or ():
                        found.add((method, context.path))
            elif isinstance(route, Mount):
                found.add(("GET", prefix + route.path + "/{path}"))
            elif hasattr(route, "routes") and not hasattr(route, "methods"):
                walk(route.routes, prefix + getattr(route, "path", ""))
            else:
                for method in getattr(route, "methods", None) or ():
                    found.add((method, prefix + route.path))

    walk(app.routes)
    return sorted((m, p) for m, p in found if m != "HEAD")


_NAME_PATTERNS = (
    re.compile(r'name="([a-z][a-z0-9_]*)"'),
    re.compile(r'(?:form|params|query_params)\.get(?:list)?\(\s*"([a-z][a-z0-9_]*)"'),
    re.compile(r'(?:text|iso_date|slug|checkbox)\(\s*form,\s*"([a-z][a-z0-9_]*)"'),
    re.compile(r'getlist\("([a-z][a-z0-9_]*)"\)'),
)
_LANG_FIELD = re.compile(r'f"([a-z][a-z0-9_]*)_\{lang\}"')


@functools.cache
def field_vocabulary() -> list[str]:
    """Form and query field names our templates and resources use."""
    names: set[str] = set()
    for path in [*SERVER_DIR.rglob("*.py"), *SERVER_DIR.rglob("*.html")]:
        source = path.read_text(encoding="utf-8")
        for pattern in _NAME_PATTERNS:
            names.update(pattern.findall(source))
        for stem in _LANG_FIELD.findall(source):
            names.update(f"{stem}_{lang}" for lang in ("fi", "sv", "en"))
    names -= {"viewport", "robots", "referrer"}  # <meta name=...>
    return sorted(names)


HEADER_NAMES = [
    "Accept-Language",
    "Authorization",
    "Cookie",
    "Host",
    "If-None-Match",
    "Origin",
    "Referer",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Kiosk-Id",
    "X-Kiosk-Pending",
    "X-Kiosk-Signature",
    "X-Kiosk-Timestamp",
]

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "é",
    "ä" * 40,
    "Ω",
    "²",
    "١٢",
    "-1",
    "0",
    "1e999",
    "NaN",
    "9" * 30,
    "1" * 5000,
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59Z",
    "../../etc/passwd",
    "http://[",
    "null",
    "%00",
    "%ff%fe",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '=HYPERLINK("x")',
    "\u202e\u2066",
    "\ufb2c" * 700,
    "x" * 3000,
    "demo\n",
    "on",
    "yes",
    "svg",
    "png",
    "csv",
    "jsonl",
    "approve",
    "hide",
    "withdraw",
    "delete",
    "done",
    "undone",
]

# Header values travel as Latin-1 bytes; CR, LF and NUL cannot be sent at all.
_HEADER_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f")
header_value = st.one_of(
    st.text(_HEADER_CHARS, max_size=60),
    st.sampled_from(
        [v for v in NASTY if not set(v) & {"\x00", "\n"} and max(map(ord, v or "a")) < 256]
    ),
)


# What broke the server before (issue 10), drawn more often than the rest of NASTY.
POISON = ["\x00", "a\x00b", "é", "ä" * 40, "²", "1" * 5000, "9" * 30, "x" * 3000, "demo\n"]


def hostile_text(known: list[str], *, nul: bool = True) -> st.SearchStrategy[str]:
    """Any text, weighted towards trouble: the poisons that broke the server before, the nasty
    classics, random Unicode (NUL included unless ``nul=False``: in a form of forty fields one
    NUL would stop every case at the door), numbers far out of range, and real ids of the
    fixture (so a case gets past lookups and reaches the code behind them)."""
    strategies = [
        st.sampled_from(POISON),
        st.sampled_from(NASTY),
        st.sampled_from(known),
        st.sampled_from(known),
        st.text(max_size=30),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    ]
    if not nul:
        strategies = [s.filter(lambda v: "\x00" not in v) for s in strategies]
    return st.one_of(strategies)


class ErrorLog(logging.Handler):
    """Keeps every ERROR (or worse) record, and any record carrying a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def take(self) -> list[str]:
        out = [self.format(r) for r in self.records]
        self.records.clear()
        return out


@contextlib.contextmanager
def watch_errors() -> Iterator[ErrorLog]:
    """``with watch_errors() as errors:`` collects what the server logs as an error."""
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
