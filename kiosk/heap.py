"""Keep the garbage collector's pauses off the kiosk's frames.

A full collection walks every tracked object while holding the interpreter lock, whichever
thread happens to trigger it, so a collection started by the sync thread's JSON work stalls
the UI thread too. Almost everything a kiosk allocates at start (modules, the widget tree,
the content) lives as long as the process; :func:`freeze_startup_objects` moves those objects
out of every later collection, which keeps the pauses short. Objects made afterwards (a
visit's records, a sync batch) are collected as usual.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_startup_objects"]


def freeze_startup_objects() -> int:
    """Collect once, then exempt every surviving object from later collections.

    Returns how many objects were frozen. Call it once, when start-up has built what lives
    for the whole run.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
