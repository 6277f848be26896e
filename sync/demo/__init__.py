"""The demo content: a kiosk-config with invented themes, people and stories, for demo mode only.

Package data read with :mod:`importlib.resources`, so an installed wheel has it too. The kiosk
shows it only in demo mode (``kiosk run --demo``, ``demo = true``, ``make demo``, ``kiosk
screenshots``); ``kiosk-server seed-demo`` loads it into a server. A production kiosk that has no
kiosk-config yet shows the neutral start of :mod:`kiosk.content` instead. Where the content
comes from: ``README.md`` beside this file. Stdlib only.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

__all__ = ["DEMO_CONFIG_NAME", "demo_config_bytes", "demo_kiosk_config"]

DEMO_CONFIG_NAME = "kiosk-config.json"


def demo_config_bytes() -> bytes:
    """The demo kiosk-config as stored (``sync.protocol.KioskConfig`` JSON)."""
    return files(__name__).joinpath(DEMO_CONFIG_NAME).read_bytes()


def demo_kiosk_config() -> dict[str, Any]:
    """The demo kiosk-config as a plain JSON object."""
    doc = json.loads(demo_config_bytes())
    if not isinstance(doc, dict):
        raise ValueError(f"sync/demo/{DEMO_CONFIG_NAME} is not a JSON object")
    return doc
