"""Use a module of this package only when it exists, without hiding its import errors.

Some parts of the server are built in parallel (the staff pages, the moderation detector); the
core includes them when they are present. :func:`import_if_present` returns None only when the
module (or a parent package) does not exist at all; if it exists but fails to import, the error
propagates, so a broken module is never silently left out.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__all__ = ["import_if_present"]


def import_if_present(name: str) -> ModuleType | None:
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        # find_spec of "a.b.c" imports "a.b" first; checking each level keeps a missing parent
        # from raising, while a present-but-broken parent still raises below.
        if importlib.util.find_spec(".".join(parts[:depth])) is None:
            return None
    return importlib.import_module(name)
