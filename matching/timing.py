"""Wall time and peak traced memory of each step of a matching run (:attr:`RunSummary.timings_s`)."""

from __future__ import annotations

import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["STEPS", "StepTimer"]

# The steps of ``run_matching``, in order (see :mod:`matching.engine`).
STEPS = ("validate", "index", "candidates", "feasibility", "scoring", "select", "allocate", "links", "alternatives",
         "network")


class StepTimer:
    """Wall time and (optionally) peak traced memory per step, summed over repeated entries.

    Examples
    --------
    >>> steps = StepTimer(trace=False)
    >>> with steps("index"):
    ...     pass
    >>> steps.close()
    >>> sorted(steps.seconds)
    ['index', 'total']
    """

    def __init__(self, *, trace: bool) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.peak_mb: dict[str, float] = defaultdict(float)
        self.trace = trace
        self._started_tracing = False
        self._start = time.perf_counter()
        if trace and not tracemalloc.is_tracing():
            tracemalloc.start()
            self._started_tracing = True

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.trace:
            tracemalloc.reset_peak()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start
            if self.trace:
                peak = tracemalloc.get_traced_memory()[1] / 2**20
                self.peak_mb[name] = max(self.peak_mb[name], peak)

    def close(self) -> None:
        self.seconds["total"] = time.perf_counter() - self._start
        if self.trace:
            self.peak_mb["total"] = max(self.peak_mb.values(), default=0.0)
        if self._started_tracing:
            tracemalloc.stop()
            self._started_tracing = False
