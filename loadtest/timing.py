"""Interleaved median timing for the in-process benchmarks (like timeit, but in turns)."""
from __future__ import annotations

import gc
import statistics
import time
from typing import Any, Callable


def batch_size(fn: Callable[[], Any], batch_seconds: float) -> int:
    """Calls per batch so one batch lasts at least `batch_seconds`."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= batch_seconds:
            return number
        number *= 2


def medians(fns: dict[str, Callable[[], Any]], budget: float, *, batch_seconds: float,
            min_samples: int) -> dict[str, float]:
    """Median seconds per call of each function in `fns`.

    Short batches taken in turns (one batch of each function per round), so a busy machine
    slows every function alike, until `budget` seconds per function are spent and each has
    `min_samples` batches. The cyclic GC is collected first and paused while timing.
    """
    gc.collect()
    gc.disable()
    try:
        numbers = {name: batch_size(fn, batch_seconds) for name, fn in fns.items()}
        samples: dict[str, list[float]] = {name: [] for name in fns}
        deadline = time.perf_counter() + budget * len(fns)
        while time.perf_counter() < deadline or min(map(len, samples.values())) < min_samples:
            for name, fn in fns.items():
                number = numbers[name]
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                samples[name].append((time.perf_counter() - start) / number)
        return {name: statistics.median(values) for name, values in samples.items()}
    finally:
        gc.enable()
