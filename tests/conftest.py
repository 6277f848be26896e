"""Suite-wide set-up: Kivy runs headless with its config in a throwaway home, and the
PostgreSQL URL of the throwaway cluster (scripts/with-throwaway-postgres.sh) is a fixture.

Kivy reads these variables at import time, so they are set here, before any test module
imports it.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kt-kivy-home-"))

import pytest  # noqa: E402


def _postgres_url() -> str | None:
    return os.environ.get("KT_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the throwaway PostgreSQL database; CI always has one (make test starts it)."""
    url = _postgres_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("KT_TEST_POSTGRES_URL is not set: run the suite through `make test`")
        pytest.skip("no throwaway PostgreSQL: run through `make test` to include these tests")
    return url
