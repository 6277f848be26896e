"""Why a request to the central server did not succeed, and when the kiosk tries again.

A caller may rely on this:

- :func:`problem_from_response` classifies a non-success answer: 401 is ``auth``, 408 and 429 are
  ``busy`` (with the server's ``Retry-After`` seconds, when it gave them), any other 4xx is
  ``rejected``, 5xx is ``server``. Only ``rejected`` is :attr:`SyncProblem.permanent`; its
  ``records`` are the batch indexes the server named as refused (empty when it named none), and
  its ``detail`` is the server's own explanation, short.
- A problem that is not permanent is retried (by :class:`sync.worker.SyncWorker`) after a
  :class:`Backoff` delay, full-jitter exponential; a ``retry_after`` lengthens it up to the cap.
- :meth:`SyncProblem.words` is the problem as staff mode shows it, translated with the ``_`` given.
- This module imports nothing of ``kiosk``.
"""

from __future__ import annotations

import gettext as _gettext
import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["Backoff", "SyncProblem", "problem_from_response"]


@dataclass(frozen=True)
class SyncProblem:
    """Why a request did not succeed; ``permanent`` ones are not retried automatically."""

    kind: str  # network | timeout | server | auth | busy | rejected | config | protocol | internal
    status: int | None = None
    detail: str = ""
    retry_after: float | None = None
    records: tuple[int, ...] = ()  # indexes in the batch of the records the server refused

    @property
    def permanent(self) -> bool:
        return self.kind == "rejected"

    def words(self, _: Callable[[str], str] = _gettext.gettext) -> str:
        """The problem as staff mode shows it, translated with ``_``."""
        texts = {
            "network": _("The server could not be reached ({detail}). Sending is retried."),
            "timeout": _("The server did not answer in time. Sending is retried."),
            "server": _("The server had a problem (HTTP {status}). Sending is retried."),
            "auth": _(
                "The server did not accept this kiosk's signature (HTTP 401): "
                "check the kiosk id and secret."
            ),
            "busy": _("The server asked the kiosk to wait (HTTP {status}). Sending is retried."),
            "rejected": _(
                "The server refused records (HTTP {status}): {detail}. They stay on this "
                "kiosk and are not sent again until Sync now is pressed."
            ),
            "config": _(
                "The server refused the kiosk-config request (HTTP {status}): {detail}. "
                "The kiosk shows the last config it has."
            ),
            "protocol": _("The server's answer was not understood: {detail}"),
            "internal": _("Syncing hit an internal error: {detail}"),
        }
        text = texts.get(self.kind, texts["internal"])
        return text.format(status=self.status, detail=self.detail or "-")


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["retry-after"]))
    except (KeyError, ValueError):
        return None


def _error_records(response: httpx.Response) -> tuple[int, ...]:
    try:
        errors = response.json().get("errors") or []
        found = {int(e["record"]) for e in errors if e.get("record") is not None}
    except (ValueError, AttributeError, TypeError, KeyError):
        return ()
    return tuple(sorted(found))


def _error_detail(response: httpx.Response) -> str:
    """The server's explanation, short: its ``error`` sentence and the first field errors."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if not isinstance(body, dict):
        return str(body)[:300]
    message: Any = body.get("error") or body.get("detail") or ""
    items: list[Any] = body["errors"] if isinstance(body.get("errors"), list) else []
    if isinstance(message, list):  # FastAPI's own validation answers
        items, message = message, ""
    parts = []
    for item in items[:3]:
        if isinstance(item, dict):
            where = item.get("field") or ".".join(str(p) for p in item.get("loc", ()))
            what = item.get("problem") or item.get("msg") or ""
            record = f"record {item['record']}: " if item.get("record") is not None else ""
            parts.append(f"{record}{where}: {what}")
        else:
            parts.append(str(item))
    if len(items) > 3:
        parts.append(f"... ({len(items)} problems)")
    text = " - ".join(p for p in (str(message), "; ".join(parts)) if p)
    return text[:300]


def problem_from_response(response: httpx.Response) -> SyncProblem:
    """Classify a non-success answer: which are retried, which stop and wait for staff."""
    status = response.status_code
    if status == 401:
        return SyncProblem("auth", status, _error_detail(response))
    if status in (408, 429):
        return SyncProblem("busy", status, retry_after=_retry_after(response))
    if 400 <= status < 500:
        return SyncProblem(
            "rejected", status, _error_detail(response), records=_error_records(response)
        )
    if status >= 500:
        return SyncProblem("server", status, retry_after=_retry_after(response))
    return SyncProblem("protocol", status, f"unexpected HTTP {status}")


@dataclass(frozen=True)
class Backoff:
    """Full-jitter exponential backoff: attempt *n* (from 0) waits ``random() * min(cap, base·2ⁿ)``."""

    base: float = 2.0
    cap: float = 300.0
    random: Callable[[], float] = _random.random

    def delay(self, attempt: int) -> float:
        # min() before the power would overflow on very long outages, so clamp the exponent.
        ceiling = min(self.cap, self.base * 2 ** min(max(attempt, 0), 62))
        return self.random() * ceiling
