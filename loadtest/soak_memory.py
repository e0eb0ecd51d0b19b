"""Memory soak: many admissions of varied pods in one process, RSS sampled as it goes.

    python -m loadtest.soak_memory -n 100000 --limit-mb 100

Pods vary in name, labels, annotations, container count and env size (and some are
opted out or malformed), so caches see many distinct keys, as a busy cluster sends.
Runs the same code a server worker runs (injector.admission.review with the pipeline).
Exits non-zero when RSS exceeds --limit-mb or grows by more than --max-growth-mb after
warm-up (the first 10%).
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import random
import sys
import time

from loadtest.reviews import pod, review


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def varied_bodies(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    shapes = [pod("small")]
    try:
        shapes.append(pod("medium"))
    except FileNotFoundError:
        pass
    out = []
    for i in range(count):
        p = copy.deepcopy(rng.choice(shapes))
        meta = p["metadata"]
        meta["generateName"] = f"app{i % 997}-{rng.randrange(16**8):08x}-"
        meta.setdefault("labels", {})["app"] = f"app{i % 997}"
        meta["labels"]["version"] = f"v{i % 13}"
        if i % 17 == 0:
            meta.setdefault("annotations", {})["sidecar.istio.io/inject"] = "false"
        if i % 5 == 0:
            meta.setdefault("annotations", {})["proxy.istio.io/config"] = json.dumps({"concurrency": i % 4 + 1})
        c = p["spec"]["containers"][0]
        c["env"] = [{"name": f"E{j}", "value": str(rng.random())} for j in range(rng.randrange(0, 40))]
        body = json.dumps(review(p, uid=f"soak-{i}")).encode()
        out.append(body if i % 101 else body[: len(body) // 2])  # a few malformed
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--distinct", type=int, default=5000, help="distinct request bodies cycled through")
    ap.add_argument("--limit-mb", type=float, default=100.0)
    ap.add_argument("--max-growth-mb", type=float, default=10.0)
    args = ap.parse_args(argv)

    from injector import admission
    from injector.pipeline import pod_injector_factory
    from injector.settings import Settings

    injector = pod_injector_factory(Settings.default())({})
    bodies = varied_bodies(args.distinct)
    results: dict[str, int] = {}
    samples = []
    warm_at = max(1, args.n // 10)
    started = time.perf_counter()
    for i in range(args.n):
        outcome = admission.review(bodies[i % len(bodies)], injector)
        results[outcome.result] = results.get(outcome.result, 0) + 1
        if (i + 1) % max(1, args.n // 20) == 0:
            gc.collect()
            samples.append((i + 1, rss_mb()))
            print(f"{i + 1:>8} admissions  rss {samples[-1][1]:6.1f} MB", flush=True)
    elapsed = time.perf_counter() - started
    warm = next(mb for n, mb in samples if n >= warm_at)
    peak = max(mb for _, mb in samples)
    growth = samples[-1][1] - warm
    print(f"results {results}; {args.n / elapsed:.0f} admissions/s")
    print(f"rss after warm-up {warm:.1f} MB, final {samples[-1][1]:.1f} MB, peak {peak:.1f} MB, "
          f"growth after warm-up {growth:+.1f} MB (limits: {args.limit_mb} MB, +{args.max_growth_mb} MB)")
    return 0 if peak <= args.limit_mb and growth <= args.max_growth_mb else 1


if __name__ == "__main__":
    sys.exit(main())
