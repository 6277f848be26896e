"""kiosk.heap: objects alive at start-up leave the garbage collector's later passes."""

from __future__ import annotations

import gc

from kiosk.heap import freeze_startup_objects


def test_startup_objects_are_frozen_and_new_garbage_is_still_collected():
    try:
        survivor = [object() for _ in range(1000)]
        frozen = freeze_startup_objects()
        assert frozen >= len(survivor)
        assert gc.get_freeze_count() == frozen

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2  # the cycle made after the freeze is still found
    finally:
        gc.unfreeze()
