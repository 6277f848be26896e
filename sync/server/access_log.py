"""uvicorn's access log without visitors' secrets: ``/f/<token>`` and ``/k/<code>`` redacted.

A follow-up token (``/f/<token>``, the visitor's own page) and a short code (``/k/<code>``) are
each a key to one visitor's answers; beside the client address they would link a person to what
they said. :class:`RedactVisitorKeys` rewrites the path of every access-log line to
``/f/[redacted]`` and ``/k/[redacted]`` (the rest of the path, such as ``/withdraw``, stays, so the log still says
what was asked). :func:`log_config` is uvicorn's default logging configuration with that filter
on the access handler; ``serve`` passes it to uvicorn, so every worker process uses it.
The example nginx and Caddy configurations redact the same paths in their own logs.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

__all__ = ["REDACTED", "RedactVisitorKeys", "log_config", "redact_path"]

REDACTED = "[redacted]"
_VISITOR_KEY = re.compile(r"^/(f|k)/[^/?#]+")


def redact_path(path: str) -> str:
    """``/f/AbC123/withdraw?lang=fi`` -> ``/f/[redacted]/withdraw?lang=fi``; other paths unchanged."""
    return _VISITOR_KEY.sub(lambda m: f"/{m.group(1)}/{REDACTED}", path)


class RedactVisitorKeys(logging.Filter):
    """For ``uvicorn.access``: its records carry (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact_path(args[2]), args[3], args[4])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's ``LOGGING_CONFIG`` with :class:`RedactVisitorKeys` on the access handler."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_visitor_keys"] = {
        "()": f"{__name__}.RedactVisitorKeys"
    }
    config["handlers"]["access"].setdefault("filters", []).append("redact_visitor_keys")
    return config
