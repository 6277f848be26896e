"""A short-lived, per-process cache of the public pages that everyone sees alike.

``/wall`` reads every active theme (about 30 ms of work) and a library's info screen, a phone
and a search engine all ask for the same few pages, so each answer is kept for
:data:`PUBLIC_CACHE_SECONDS` per URL and language. A caller may rely on: only 200 answers being
kept; a kept answer coming back with the same body and headers; at most ``max_entries`` kept
(the oldest dropped first); a change in the database (a story hidden or withdrawn, a theme
edited) reaching these pages within ``ttl`` seconds plus one build. Nothing personal is ever cached here: the
follow-up pages do not use it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from starlette.responses import Response

__all__ = ["PUBLIC_CACHE_SECONDS", "PageCache"]

PUBLIC_CACHE_SECONDS = 10.0


class PageCache:
    def __init__(
        self,
        ttl: float = PUBLIC_CACHE_SECONDS,
        max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[float, bytes, list, str | None]] = OrderedDict()
        self._flights: dict[Hashable, threading.Lock] = {}
        self._building: set[Hashable] = set()

    def get_or_render(self, key: Hashable, render: Callable[[], Response]) -> Response:
        """The kept answer for ``key``, or ``render()``'s (kept when it is a 200).

        One build per key at a time: while one thread rebuilds an expired page, the others get
        the expired copy at once rather than all building it together (that stampede, every
        ten seconds, is what a busy page's p99 would otherwise be made of); with no copy at all
        they wait for that one build."""
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None and (kept[0] > self._clock() or key in self._building):
                return self._answer(kept)
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                kept = self._entries.get(key)
                if kept is not None and kept[0] > self._clock():
                    return self._answer(kept)  # built by the thread we waited for
                self._building.add(key)
            try:
                response = render()
            finally:
                with self._lock:
                    self._building.discard(key)
            if response.status_code == 200 and self.ttl > 0:
                entry = (
                    self._clock() + self.ttl,
                    bytes(response.body),
                    list(response.raw_headers),
                    response.media_type,
                )
                with self._lock:
                    self._entries[key] = entry
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        old, _ = self._entries.popitem(last=False)
                        self._flights.pop(old, None)
            return response

    @staticmethod
    def _answer(kept: tuple[float, bytes, list, str | None]) -> Response:
        response = Response(kept[1], media_type=kept[3])
        response.raw_headers = list(kept[2])
        return response

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
