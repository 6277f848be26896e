"""Checking staff passwords without holding up the server.

argon2id is deliberately slow (tens of milliseconds of CPU and 64 MiB per check). A caller may
rely on: :func:`verify_password` never raising for a bad or foreign hash (it is then False);
:func:`verify_off_loop` running the check on a small pool of its own threads (half the CPUs, at
least one), so a storm of logins queues there and leaves the event loop, and the thread pool
that serves the other routes, free for kiosk uploads, follow-up pages and ``/healthz``. The
check for an unknown username runs against :data:`DUMMY_HASH` the same way, so "no such user"
costs what "wrong password" costs.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["DUMMY_HASH", "HASH_THREADS", "verify_off_loop", "verify_password"]

_hasher = PasswordHasher()
DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
HASH_THREADS = max(1, (os.cpu_count() or 2) // 2)
# Threads start on first use; a daemon-free pool that the interpreter joins at exit.
_pool = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="argon2")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_off_loop(password_hash: str | None, password: str) -> bool:
    """:func:`verify_password` on the hashing threads; ``None`` checks the dummy and is False."""
    loop = asyncio.get_running_loop()
    ok = await loop.run_in_executor(_pool, verify_password, password_hash or DUMMY_HASH, password)
    return ok and password_hash is not None
