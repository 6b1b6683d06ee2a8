"""The cyclic garbage collector around bulk work: hundreds of thousands of rows, scores and
month states that hold no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk_load() -> Iterator[None]:
    """Pause the cyclic garbage collector while many rows are built: they hold no cycles,
    and the collections that their allocation alone would trigger cost more than the
    reading itself.

    At the end the objects made meanwhile are frozen (`gc.freeze()`): left out of every
    later collection until `thaw()` (called when the history closes), instead of being
    walked again by the first young collection (40-60 ms per 100,000 rows) and by the full
    collections that the next allocations trigger (0.35 s for a 10,000-agent history), only
    to be found alive. Reference counting frees them as usual. Skipped when the program has
    frozen objects of its own, which `thaw` would release."""
    global _frozen_here
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if _frozen_here or gc.get_freeze_count() == 0:
                gc.freeze()
                _frozen_here = True
            gc.enable()


_frozen_here = False  # the frozen objects are bulk_load's own


def thaw() -> None:
    """Give the objects frozen by `bulk_load` back to the collector (at the end of a
    command: what it kept frozen may be garbage now, cycles included)."""
    global _frozen_here
    if _frozen_here:
        gc.unfreeze()
        _frozen_here = False
