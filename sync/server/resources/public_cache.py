"""A short-lived, per-process cache of the public pages that everyone sees alike.

``/wall`` reads every active theme (about 30 ms of work) and a library's info screen, a phone
and a search engine all ask for the same few pages, so each answer is kept for
:data:`PUBLIC_CACHE_SECONDS` per URL and language. A caller may rely on: only 200 answers being
kept; a kept answer coming back with the same body and headers; at most ``max_entries`` kept
(the oldest dropped first); a change in the database (a story hidden or withdrawn, a theme
edited) reaching these pages within ``ttl`` seconds. Nothing personal is ever cached here: the
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

    def get_or_render(self, key: Hashable, render: Callable[[], Response]) -> Response:
        """The kept answer for ``key``, or ``render()``'s (kept when it is a 200)."""
        now = self._clock()
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None and kept[0] > now:
            response = Response(kept[1], media_type=kept[3])
            response.raw_headers = list(kept[2])
            return response
        # Rendered outside the lock: two threads missing at once both render, which is cheaper
        # than making every reader wait behind one renderer.
        response = render()
        if response.status_code == 200 and self.ttl > 0:
            entry = (
                now + self.ttl,
                bytes(response.body),
                list(response.raw_headers),
                response.media_type,
            )
            with self._lock:
                self._entries[key] = entry
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return response

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
