"""The installed release of the project (``kayttajatori`` in ``pyproject.toml``), for
``kiosk --version``, ``kiosk-server --version`` and ``/healthz``. Stdlib only."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["DISTRIBUTION", "release"]

DISTRIBUTION = "kayttajatori"


def release() -> str:
    """The version of the installed distribution; ``0+unknown`` when run from an uninstalled tree."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"
