"""Numba's parallel kernels, safe to call from several threads at once.

estim calls its ``parallel=True`` kernels (the fiber batch, the layered field's quadrature)
from more than one thread: the web stimulator prepares a program on one thread while a
request computes on another, and ``estim run`` draws its virtual subjects on a thread of
their own. Numba runs those kernels on one of three threading layers, picked at the first
launch from what the machine has: TBB and OpenMP may be entered by several threads at once;
the fallback, ``workqueue`` (a machine without libgomp or TBB: a slim container, a Mac
without an OpenMP runtime), aborts the whole process when a second thread enters it
("Concurrent access has been detected"). There :func:`one_at_a_time` makes the launches
take turns; on the thread-safe layers it costs nothing. The lock is not re-entrant: a
parallel kernel must not be launched from inside another's guard (numba does not nest them
either).

>>> with one_at_a_time():
...     pass
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["one_at_a_time"]

#: Held around a launch until the layer is known to be thread-safe.
_LOCK = threading.Lock()
#: The layers that more than one thread may enter at once (numba's documentation, "The
#: Threading Layers": only workqueue is not thread-safe).
_THREAD_SAFE_LAYERS = frozenset({"tbb", "omp"})
#: None until a launch has picked the layer; then whether it is thread-safe.
_layer_is_safe: bool | None = None


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Wrap a call of a ``parallel=True`` kernel: other threads' calls wait their turn
    until the layer is known (the first launch picks it) and for good if it is numba's
    workqueue."""
    global _layer_is_safe
    if _layer_is_safe:
        yield
        return
    with _LOCK:
        yield
        if _layer_is_safe is None:
            from numba import threading_layer

            try:
                _layer_is_safe = threading_layer() in _THREAD_SAFE_LAYERS
            except ValueError:  # the wrapped call launched no parallel region
                pass
