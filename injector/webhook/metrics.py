"""Prometheus metrics of the webhook.

With several Hypercorn workers each process counts on its own; `injector serve` points
PROMETHEUS_MULTIPROC_DIR at a shared directory so /metrics aggregates all workers.
"""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess

REQUESTS = Counter("injector_requests_total", "Admission requests answered, by result",
                   ["result"])
INJECTED = Counter("injector_injections_total", "Pods injected")
SKIPPED = Counter("injector_skipped_total", "Pods not injected, by reason", ["reason"])
FAILED = Counter("injector_failures_total", "Admissions that failed, by reason", ["reason"])
LATENCY = Histogram(
    "injector_admission_duration_seconds",
    "Time to answer one admission request (decode to encode)",
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
CONFIG_RELOADS = Counter("injector_config_reloads_total", "Config reloads, by result", ["result"])
CERT_RELOADS = Counter("injector_cert_reloads_total", "Certificate reloads, by result", ["result"])
RENDER_CACHE_HITS = Counter("injector_render_cache_hits_total",
                            "Template renders served from the render cache")
RENDER_CACHE_MISSES = Counter("injector_render_cache_misses_total",
                              "Template renders computed (render cache misses)")
CONFIG_LOADED = Gauge("injector_config_last_reload_timestamp_seconds",
                      "When the serving config was loaded", multiprocess_mode="max")


def _follow_render_cache() -> None:
    from injector import rendercache

    rendercache.CACHE.on_hit = RENDER_CACHE_HITS.inc
    rendercache.CACHE.on_miss = RENDER_CACHE_MISSES.inc


_follow_render_cache()


def record(outcome) -> None:
    """Count one answered admission (an admission.Outcome)."""
    REQUESTS.labels(outcome.result).inc()
    if outcome.result == "injected":
        INJECTED.inc()
    elif outcome.result == "skipped":
        SKIPPED.labels(outcome.reason or "unknown").inc()
    else:
        FAILED.labels(outcome.reason or "unknown").inc()


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
