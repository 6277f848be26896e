"""The staff PIN: stored only as an Argon2 hash, and locked after repeated wrong tries.

:func:`hash_pin` makes the string that goes into ``[staff] pin_hash`` (``kiosk hash-pin``).
:class:`PinGuard` checks a typed PIN against that hash and, after ``max_tries`` wrong tries in a
row, refuses every PIN (even the right one) for ``lock_seconds``. Its state lives in two
callables so the kiosk can keep it in the local store's metadata and a reboot does not reset
the lock. Imports no Kivy.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["PinCheck", "PinGuard", "hash_pin", "MIN_PIN_DIGITS"]

MIN_PIN_DIGITS = 4
# Small, fast parameters: the lockout, not the hash cost, is what stops guessing at the kiosk.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_pin(pin: str) -> str:
    """Argon2id hash of a PIN of at least four digits; raises ValueError naming the rule."""
    if not pin.isdigit() or not pin.isascii():
        raise ValueError("the PIN must contain digits only")
    if len(pin) < MIN_PIN_DIGITS:
        raise ValueError(f"the PIN must have at least {MIN_PIN_DIGITS} digits")
    return _HASHER.hash(pin)


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked_seconds: float = 0.0  # > 0: locked, try again after this many seconds
    tries_left: int = 0


class PinGuard:
    """Checks PINs with a lockout; ``load``/``save`` keep ``(failures, locked_until)``."""

    def __init__(
        self,
        pin_hash: str,
        *,
        max_tries: int = 5,
        lock_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
        load: Callable[[], tuple[int, float]] | None = None,
        save: Callable[[int, float], None] | None = None,
    ):
        self._hash = pin_hash
        self.max_tries = max_tries
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._state = (0, 0.0)
        self._load = load or (lambda: self._state)
        self._save = save or self._keep

    def _keep(self, failures: int, locked_until: float) -> None:
        self._state = (failures, locked_until)

    @property
    def configured(self) -> bool:
        return bool(self._hash)

    def locked_for(self) -> float:
        """Seconds until PINs are accepted again; 0 when not locked."""
        _failures, until = self._load()
        return max(0.0, until - self._clock())

    def check(self, pin: str) -> PinCheck:
        failures, until = self._load()
        now = self._clock()
        if until > now:
            return PinCheck(False, locked_seconds=until - now)
        if until:  # a lock that has run out starts a fresh count
            failures, until = 0, 0.0
        if self._matches(pin):
            self._save(0, 0.0)
            return PinCheck(True, tries_left=self.max_tries)
        failures += 1
        if failures >= self.max_tries:
            self._save(0, now + self.lock_seconds)
            return PinCheck(False, locked_seconds=self.lock_seconds)
        self._save(failures, 0.0)
        return PinCheck(False, tries_left=self.max_tries - failures)

    def _matches(self, pin: str) -> bool:
        if not self._hash or not pin:
            return False
        try:
            return _HASHER.verify(self._hash, pin)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
