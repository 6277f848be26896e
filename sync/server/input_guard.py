"""Hostile input, refused in one place: text the database cannot store, and strict small parsers.

A caller may rely on:
- :class:`UnstorableTextGuard` (ASGI middleware, installed by ``create_app``) answering 400
  before any route runs when the path, the query string or a form field (URL-encoded or
  multipart) holds a NUL character, which PostgreSQL refuses in text; a form body over
  :data:`FORM_MAX_BYTES` is a 413. JSON bodies are left to the protocol's validation, which
  allows no control characters in any stored string.
- :func:`same_secret` comparing a given value with a secret in constant time, as bytes, so
  that no input (non-ASCII text, a file part, ``None``) raises.
- :func:`ascii_digits` reading a header number strictly: ASCII digits only, bounded length.
- :data:`RowId`: the type of an integer path parameter that names a row (bounded to what the
  databases store).
- :func:`attachment` giving a ``Content-Disposition`` that any file name survives (RFC 6266
  with an RFC 5987 ``filename*`` beside an ASCII fallback).
"""

from __future__ import annotations

import hmac
import json
import re
from gettext import gettext as _
from typing import Annotated
from urllib.parse import quote, unquote_plus

from fastapi import Path
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "FORM_MAX_BYTES",
    "RowId",
    "UnstorableTextGuard",
    "ascii_digits",
    "attachment",
    "same_secret",
]

FORM_MAX_BYTES = 1024 * 1024
# A form that uploads a file may be larger: the USB batch upload checks its own limit (a 2 MiB
# batch file) and names it in a sentence next to the field.
UPLOAD_MAX_BYTES = {"/staff/batches/import": 3 * 1024 * 1024}
# A path parameter naming a row by its integer key: what fits an SQL INTEGER (PostgreSQL's is 32
# bits; SQLite refuses past 64). Anything else is a 422 before the database sees it.
RowId = Annotated[int, Path(ge=0, le=2**31 - 1)]
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_DIGITS = re.compile(r"[0-9]+")


def same_secret(given: object, expected: str | bytes) -> bool:
    """True when ``given`` is text (or bytes) equal to ``expected``, compared in constant time."""
    if isinstance(given, str):
        given = given.encode("utf-8", "surrogatepass")
    if not isinstance(given, bytes):
        return False
    if isinstance(expected, str):
        expected = expected.encode("utf-8", "surrogatepass")
    return hmac.compare_digest(given, expected)


def ascii_digits(value: str | None, max_digits: int) -> int | None:
    """The number in ``value`` when it is 1..``max_digits`` ASCII digits, else None.

    ``str.isdigit`` accepts ``²`` and ``١``, and ``int`` accepts ``" 1_0"`` and refuses more than
    4,300 digits with an error of its own; a header is none of those.
    """
    if value is None or len(value) > max_digits or not _DIGITS.fullmatch(value):
        return None
    return int(value)


def attachment(filename: str) -> str:
    """``attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded>``.

    Letters and digits of any script, ``-``, ``_`` and ``.`` are kept (in the fallback only
    ASCII ones); anything else becomes ``_``.
    """
    filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
    fallback = "".join(c if c.isascii() else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _refusal(field: str) -> Message:
    body = {
        "error": _("{field} contains a NUL character, which is not text").format(field=field),
        "errors": [{"field": field, "problem": _("contains a NUL character")}],
    }
    return {"body": json.dumps(body).encode(), "status": 400}


def _too_large(limit: int) -> Message:
    body = {
        "error": _("the form is over the limit of {limit} bytes").format(limit=limit),
        "errors": [],
    }
    return {"body": json.dumps(body).encode(), "status": 413}


class UnstorableTextGuard:
    """ASGI middleware: refuse NUL characters in the path, the query string and form fields."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = None
        if "\x00" in scope["path"]:
            problem = _refusal("path")
        elif "\x00" in unquote_plus(scope.get("query_string", b"").decode("latin-1")):
            problem = _refusal("query")
        if problem is None and _is_form(scope):
            limit = UPLOAD_MAX_BYTES.get(scope["path"], FORM_MAX_BYTES)
            body, problem = await _read_form_body(receive, limit)
            if problem is None:
                problem = await _form_problem(scope, body)
            receive = _replay(body, receive)
        if problem is not None:
            await _answer(send, problem)
            return
        await self.app(scope, receive, send)


def _is_form(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").lower().lstrip().startswith(_FORM_TYPES)
    return False


async def _read_form_body(receive: Receive, limit: int) -> tuple[bytes, Message | None]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return b"", None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None


async def _form_problem(scope: Scope, body: bytes) -> Message | None:
    request = Request(scope, _replay(body, None))
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - a form the route cannot parse either; it answers that
        return None
    try:
        for key, value in form.multi_items():
            if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                return _refusal(key.replace("\x00", "\\0")[:100])
    finally:
        await form.close()
    return None


def _replay(body: bytes, then: Receive | None) -> Receive:
    """A ``receive`` giving the buffered body once, then what ``then`` gives (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


async def _answer(send: Send, problem: Message) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": problem["status"],
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(problem["body"])).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": problem["body"]})
