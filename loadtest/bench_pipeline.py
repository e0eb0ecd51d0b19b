"""Benchmark of the whole admission in-process: AdmissionReview bytes -> response bytes.

Per Istio config (1.7.3 and 1.29.6, loaded as the Go anchor loads them) and pod shape
(`../shared/tools/goanchor/pods/`: small, medium, large = 2000 env vars; reviews built as
the anchor's MakeReview builds them, see loadtest/reviews.py), median time of
`injector.admission.review` for:

* first sight: the render cache is emptied before every run (a pod shape never seen);
* cached: a second pod of the same ReplicaSet (same object, another request uid);

for the compiled build (this process) and the pure-Python twins (a child process with
INJECTOR_NO_EXTENSIONS=1), side by side with the Go anchor (`goanchor -stages`, same run)
when its binary exists, as ratios ours/Go. Then the stage breakdown of a first sight
(decode, policy, template data, render, YAML, cache, merge, diff, encode; "merge" is the
rest of the injection: merge, probes, status, labels) next to the anchor's stages.

Every case is checked first: the first-sight and cached patches are byte-identical to the
uncached path's, and applied (jsonpatch) to the pod they give the uncached result.

    python -m loadtest.bench_pipeline                 # both templates, all shapes, both backends
    python -m loadtest.bench_pipeline --quick         # CI smoke: a few runs, no Go
    python -m loadtest.bench_pipeline --time 2 --json # longer, JSON lines
"""
from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from loadtest.reviews import SHAPES, SHARED, pod as shape_pod, review as make_review  # noqa: E402

ISTIO = SHARED / "tools" / "istio-data"
GOANCHOR = SHARED / "tools" / "gooracle" / "bin" / "goanchor"
TEMPLATES = ("1.7.3", "1.29.6")
STAGES = ("decode", "policy", "data", "render", "yaml", "cache", "merge", "diff", "encode")
GO_STAGES = {"decode_review": "decode", "template_data": "data", "execute_template": "render",
             "yaml_unmarshal": "yaml", "merge_into_pod": "merge", "marshal_and_diff": "diff",
             "marshal_response": "encode"}


# ------------------------------------------------------------------ inputs

def load_settings(template: str):
    """The Settings the Go anchor's newInjector builds for `template`."""
    from injector.settings import Settings

    if template == "1.7.3":
        d = ISTIO / "1.7.3"
        return Settings.load(str(d / "config.yaml"), str(d / "values.json"), str(d / "mesh.yaml"))
    if template == "1.29.6":
        import yaml

        from injector.config import config_from_dict

        d = ISTIO / "1.29.6"
        raw = (yaml.safe_load((d / "values.yaml").read_text()) or {}).get("_internal_defaults_do_not_set") or {}
        # the anchor keeps these keys of the chart defaults, as istiod's values do
        values = {k: raw[k] for k in ("global", "sidecarInjectorWebhook", "revision") if k in raw}
        values["pilot"] = {k: raw[k] for k in ("cni", "env") if k in raw}
        gw = raw.get("gateways") or {}
        values["gateways"] = {k: gw[k] for k in ("securityContext", "seccompProfile") if k in gw}
        config = config_from_dict({"policy": "enabled", "defaultTemplates": ["sidecar"],
                                   "templates": {"sidecar": (d / "injection-template.yaml").read_text()}},
                                  str(d / "injection-template.yaml"))
        return Settings.build(config, values, None)
    raise ValueError(f"unknown template {template!r}: expected one of {', '.join(TEMPLATES)}")


def bodies(shape: str) -> tuple[bytes, bytes]:
    """(first pod's review, second pod of the same ReplicaSet: same object, another uid)."""
    obj = shape_pod(shape)
    first = json.dumps(make_review(obj), separators=(",", ":")).encode()
    second = json.dumps(make_review(obj, uid="3a5c1a2e-7c0b-4d8a-9d3e-000000000002"),
                        separators=(",", ":")).encode()
    return first, second


# ------------------------------------------------------------------ measuring

def _injector(settings):
    from injector.pipeline import pod_injector_factory

    return pod_injector_factory(settings)({})


def _review(body: bytes, inject):
    from injector.admission import review

    out = review(body, inject)
    if out.result != "injected":
        raise RuntimeError(f"admission not injected: {out.result} {out.reason} {out.message}")
    return out


def check_case(settings, shape: str) -> dict:
    """Cold, warm and uncached answers agree, and the patches apply to the uncached result."""
    import base64

    import jsonpatch
    import orjson

    from injector import rendercache

    first, second = bodies(shape)
    inject = _injector(settings)
    was = rendercache.enabled()
    try:
        rendercache.set_enabled(False)
        ref = _review(first, inject)
        rendercache.set_enabled(True)
        cold = _review(first, inject)
        warm = _review(second, inject)
    finally:
        rendercache.set_enabled(was)
    patches = []
    for out in (ref, cold, warm):
        patches.append(base64.b64decode(orjson.loads(out.body)["response"]["patch"]))
    pod = orjson.loads(first)["request"]["object"]
    expected = jsonpatch.apply_patch(copy.deepcopy(pod), orjson.loads(patches[0]))
    ok = patches[1] == patches[0] and patches[2] == patches[0]
    for p in patches[1:]:
        if jsonpatch.apply_patch(copy.deepcopy(pod), orjson.loads(p)) != expected:
            ok = False
    return {"ok": ok, "patch_ops": ref.patch_ops, "patch_bytes": len(patches[0])}


def _median_ns(fn, budget: float, min_runs: int, max_runs: int) -> tuple[float, int]:
    times: list[int] = []
    end = time.perf_counter() + budget
    while len(times) < min_runs or (time.perf_counter() < end and len(times) < max_runs):
        t = fn()
        times.append(t)
    return statistics.median(times), len(times)


def time_case(settings, shape: str, budget: float, min_runs: int, max_runs: int) -> dict:
    from injector import rendercache
    from injector.admission import review

    first, second = bodies(shape)
    inject = _injector(settings)
    clock = time.perf_counter_ns

    def cold() -> int:
        rendercache.clear()
        t = clock()
        review(first, inject)
        return clock() - t

    def warm() -> int:
        t = clock()
        review(second, inject)
        return clock() - t

    review(first, inject)  # templates compiled, per-config parts derived (a config load)
    gc.collect()
    cold_ns, cold_n = _median_ns(cold, budget, min_runs, max_runs)
    review(first, inject)
    warm_ns, warm_n = _median_ns(warm, budget, min_runs, max_runs)
    return {"first_ns": cold_ns, "first_runs": cold_n, "cached_ns": warm_ns, "cached_runs": warm_n}


class _Stages:
    """Wrap the pipeline's steps with timers (module attributes, restored on exit)."""

    def __init__(self) -> None:
        from injector import admission, inject_common, inject_legacy, pipeline, policy, rendercache, templatedata

        self.acc: dict[str, int] = {}
        self.targets = [
            (admission, "parse_review", "decode"), (admission, "_response", "encode"),
            (admission, "diff", "diff"), (policy, "decide", "policy"),
            (pipeline, "inject_pod", "inject"), (templatedata, "build", "data"),
            (inject_common, "_render", "render"), (inject_common, "_load_yaml", "yaml"),
            (inject_legacy, "_typed_injection_spec", "yaml"),
            (rendercache, "make_key", "cache"), (rendercache, "lookup", "cache"),
            (rendercache, "store", "cache"),
        ]
        self.saved: list = []

    def __enter__(self) -> "_Stages":
        clock = time.perf_counter_ns
        acc = self.acc
        for mod, name, stage in self.targets:
            fn = getattr(mod, name)
            self.saved.append((mod, name, fn))

            def timed(*a, _fn=fn, _stage=stage, **k):
                t = clock()
                try:
                    return _fn(*a, **k)
                finally:
                    acc[_stage] = acc.get(_stage, 0) + clock() - t
            setattr(mod, name, timed)
        return self

    def __exit__(self, *exc) -> None:
        for mod, name, fn in reversed(self.saved):
            setattr(mod, name, fn)


def stage_case(settings, shape: str, runs: int, cold: bool = True) -> dict:
    from injector import rendercache
    from injector.admission import review

    first, second = bodies(shape)
    inject = _injector(settings)
    review(first, inject)
    per: dict[str, list[int]] = {s: [] for s in STAGES}
    with _Stages() as st:
        for _ in range(runs):
            if cold:
                rendercache.clear()
            st.acc.clear()
            review(first if cold else second, inject)
            a = dict(st.acc)
            inner = sum(a.get(s, 0) for s in ("data", "render", "yaml", "cache", "policy"))
            a["merge"] = max(0, a.pop("inject", 0) - inner)
            for s in STAGES:
                per[s].append(a.get(s, 0))
    return {s: statistics.median(v) for s, v in per.items()}


def measure(templates, shapes, budget, min_runs, max_runs, stage_runs) -> list[dict]:
    """Every case on the backend of this process, as result rows."""
    from injector.jsondiff import BACKEND as DIFF_BACKEND
    from injector.template._exec import BACKEND as EXEC_BACKEND

    backend = "python" if os.environ.get("INJECTOR_NO_EXTENSIONS") else "compiled"
    rows = []
    for template in templates:
        settings = load_settings(template)
        for shape in shapes:
            row = {"backend": backend, "exec": EXEC_BACKEND, "jsondiff": DIFF_BACKEND,
                   "template": template, "shape": shape}
            row.update(check_case(settings, shape))
            row.update(time_case(settings, shape, budget, min_runs, max_runs))
            row["stages_ns"] = stage_case(settings, shape, stage_runs)
            rows.append(row)
    return rows


def run_twin(args) -> list[dict]:
    cmd = [sys.executable, "-m", "loadtest.bench_pipeline", "--child", "--time", str(args.time),
           "--min-runs", str(args.min_runs), "--max-runs", str(args.max_runs),
           "--stage-runs", str(args.stage_runs),
           "--templates", ",".join(args.templates), "--shapes", ",".join(args.shapes)]
    env = {**os.environ, "INJECTOR_NO_EXTENSIONS": "1"}
    out = subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def run_go(templates, shapes, benchtime: str) -> dict:
    """{(template, shape): {"ns": ns/op, "stages": {stage: ns}}} from the anchor."""
    cmd = [str(GOANCHOR), "-templates", ",".join(templates), "-shapes", ",".join(shapes),
           "-stages", "-benchtime", benchtime]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res: dict = {}
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        case = res.setdefault((r["template"], r["shape"]), {"ns": None, "stages": {}})
        if "stage" in r:
            case["stages"][GO_STAGES.get(r["stage"], r["stage"])] = r["ns_per_op"]
        else:
            case["ns"] = r["ns_per_op"]
            case["patch_ops"] = r.get("patch_ops")
    return res


# ------------------------------------------------------------------ report

def _ms(ns) -> str:
    return "-" if ns is None else f"{ns / 1e6:.3f}"


def _ratio(ns, go) -> str:
    return "-" if ns is None or not go else f"{ns / go:.3f}"


def report(rows: list[dict], go: dict) -> str:
    lines = []
    by = {(r["backend"], r["template"], r["shape"]): r for r in rows}
    backends = [b for b in ("compiled", "python") if any(r["backend"] == b for r in rows)]
    head = f"{'template':8} {'shape':7} {'go ms':>8}"
    for b in backends:
        head += f" | {b + ' first':>15} {'ratio':>6} {b + ' cached':>16} {'ratio':>6}"
    lines.append("whole admission (AdmissionReview bytes -> response bytes), medians")
    lines.append(head + " | check")
    keys = sorted({(r["template"], r["shape"]) for r in rows},
                  key=lambda k: (TEMPLATES.index(k[0]) if k[0] in TEMPLATES else 9,
                                 SHAPES.index(k[1]) if k[1] in SHAPES else 9))
    for t, s in keys:
        g = (go.get((t, s)) or {}).get("ns")
        line = f"{t:8} {s:7} {_ms(g):>8}"
        ok = True
        for b in backends:
            r = by.get((b, t, s))
            if r is None:
                line += f" | {'-':>15} {'-':>6} {'-':>16} {'-':>6}"
                continue
            ok = ok and r["ok"]
            line += (f" | {_ms(r['first_ns']):>15} {_ratio(r['first_ns'], g):>6}"
                     f" {_ms(r['cached_ns']):>16} {_ratio(r['cached_ns'], g):>6}")
        lines.append(line + (" | ok" if ok else " | MISMATCH"))
    lines.append("")
    lines.append("stage breakdown of a first sight, median us ('merge' = the rest of the injection)")
    lines.append(f"{'template':8} {'shape':7} {'backend':8} " + " ".join(f"{s:>8}" for s in STAGES))
    for t, s in keys:
        for b in backends:
            r = by.get((b, t, s))
            if r is not None:
                st = r["stages_ns"]
                lines.append(f"{t:8} {s:7} {b:8} " + " ".join(f"{st.get(x, 0) / 1e3:8.1f}" for x in STAGES))
        gs = (go.get((t, s)) or {}).get("stages")
        if gs:
            lines.append(f"{t:8} {s:7} {'go':8} " + " ".join(
                f"{gs[x] / 1e3:8.1f}" if x in gs else f"{'-':>8}" for x in STAGES))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--templates", default=",".join(TEMPLATES))
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--time", type=float, default=1.0, help="seconds per case and measure (default 1)")
    ap.add_argument("--min-runs", type=int, default=5)
    ap.add_argument("--max-runs", type=int, default=2000)
    ap.add_argument("--stage-runs", type=int, default=15)
    ap.add_argument("--benchtime", default=None, help="the anchor's -benchtime (default: --time)")
    ap.add_argument("--quick", action="store_true", help="CI smoke: a few runs, no Go anchor")
    ap.add_argument("--no-twin", action="store_true", help="skip the pure-Python twin")
    ap.add_argument("--no-go", action="store_true", help="skip the Go anchor")
    ap.add_argument("--json", action="store_true", help="JSON lines instead of tables")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.templates = [t for t in args.templates.split(",") if t]
    args.shapes = [s for s in args.shapes.split(",") if s]
    if args.quick:
        args.time, args.min_runs, args.max_runs, args.stage_runs = 0.0, 2, 2, 1
        args.no_go = True
    if args.child:
        for row in measure(args.templates, args.shapes, args.time, args.min_runs, args.max_runs,
                           args.stage_runs):
            print(json.dumps(row), flush=True)
        return 0
    go: dict = {}
    if not args.no_go and GOANCHOR.exists():
        go = run_go(args.templates, args.shapes, args.benchtime or f"{max(args.time, 0.1)}s")
    rows = measure(args.templates, args.shapes, args.time, args.min_runs, args.max_runs, args.stage_runs)
    if not args.no_twin and not os.environ.get("INJECTOR_NO_EXTENSIONS"):  # else: this run is the twin
        rows += run_twin(args)
    if args.json:
        for r in rows:
            g = go.get((r["template"], r["shape"])) or {}
            r["go_ns"] = g.get("ns")
            r["go_stages_ns"] = g.get("stages")
            if g.get("ns"):
                r["first_ratio"] = r["first_ns"] / g["ns"]
                r["cached_ratio"] = r["cached_ns"] / g["ns"]
            print(json.dumps(r))
    else:
        print(report(rows, go))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
