"""Benchmark of template execution: median time per render of Istio's sidecar template,
Cython evaluator vs the pure-Python twin vs the Go anchor's `execute_template` stage.

Templates: Istio 1.29.6's `sidecar` (../shared/conformance/istio-1.29.6/config, function
set `istio`) and Istio 1.7.3's `template` (../shared/conformance/istio-1.7.3/config, set
`istio-1.7`). Pods: the Go anchor's (../shared/tools/goanchor/pods/pod-<shape>.json).
The template data is exactly what our pipeline renders: `injector.inject.inject_pod` runs
once per pod with the corpus settings and the (template, data) it hands to
`inject_common._render` is captured. Parsing is not timed (done once, as in the webhook).

The Cython evaluator memoises the pure serialisers (`toYaml`, `structToJSON`, ...) by
typed content, which is what a webhook sees (values and mesh config do not change between
pods); the `cy-nomemo` column times it with that memo off.

    python loadtest/bench_template.py                      # both templates, all shapes
    python loadtest/bench_template.py --templates 1.29.6 --shapes small --time 1 --json

Targets (issue 2): Cython >= 5x faster than the twin, and no slower than Go's
text/template on the same render.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtest import timing  # noqa: E402

SHARED = Path(os.environ.get("INJECTOR_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
PODS = SHARED / "tools" / "goanchor" / "pods"
GOANCHOR = SHARED / "tools" / "gooracle" / "bin" / "goanchor"

CORPUS = {"1.29.6": "istio-1.29.6", "1.7.3": "istio-1.7.3"}


def settings_for(version: str):
    """Settings from the corpus config directory (config, values, mesh, mesh defaults)."""
    from injector.settings import Settings

    d = CONFORMANCE / CORPUS[version] / "config"
    return Settings.load(str(d / "config.yaml"), str(d / "values.json"), str(d / "mesh.yaml"),
                         mesh_defaults_file=str(d / "mesh-defaults.yaml"))


def render_case(settings, pod: dict) -> tuple[Any, Any]:
    """(Template, data) of the sidecar render our pipeline does for `pod`."""
    from injector import inject, inject_common

    seen: list = []
    real = inject_common._render

    def capture(tpl, data, what):
        seen.append((tpl, data))
        return real(tpl, data, what)

    inject_common._render = capture
    try:
        ns = (pod.get("metadata") or {}).get("namespace") or "default"
        inject.inject_pod(pod, settings, namespace=ns)
    finally:
        inject_common._render = real
    sidecar = [(t, d) for t, d in seen if t.name in ("sidecar", "inject")]
    if not sidecar:
        raise SystemExit(f"no sidecar render captured (templates: {[t.name for t, _ in seen]})")
    return sidecar[0]


def run_goanchor(templates: list[str], shapes: list[str], benchtime: str) -> dict:
    """{(template, shape): execute_template ns/op} from one `goanchor -stages` run."""
    cmd = [str(GOANCHOR), "-stages", "-benchtime", benchtime, "-templates", ",".join(templates),
           "-shapes", ",".join(shapes)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    figures = {}
    for line in out.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            if row.get("stage") == "execute_template":
                figures[(row["template"], row["shape"])] = row["ns_per_op"]
    return figures


def medians(fns: dict, budget: float) -> dict:
    """Median seconds per call (batches of >= 1 ms, at least 15 per function)."""
    return timing.medians(fns, budget, batch_seconds=0.001, min_samples=15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", default="1.29.6,1.7.3")
    parser.add_argument("--shapes", default="small,medium,large")
    parser.add_argument("--time", type=float, default=0.5, help="seconds per backend and case")
    parser.add_argument("--go-benchtime", default="500ms", help="goanchor -benchtime")
    parser.add_argument("--no-go", action="store_true", help="do not run the Go anchor")
    parser.add_argument("--json", action="store_true", help="also print one JSON line per case")
    args = parser.parse_args(argv)
    versions = args.templates.split(",")
    shapes = args.shapes.split(",")

    from injector.template import _exec_py

    try:
        from injector.template import _exec_c
    except ImportError:
        _exec_c = None
        print("note: injector.template._exec_c is not built (python setup.py build_ext --inplace)")

    go: dict = {}
    if GOANCHOR.exists() and not args.no_go:
        go = run_goanchor(versions, shapes, args.go_benchtime)

    print("sidecar template render, median per render (us); data as inject_pod builds it")
    print(f"{'template':8} {'shape':7} {'twin':>8} {'cython':>8} {'twin/cy':>8} "
          f"{'cy-nomemo':>9} {'twin/cynm':>9} {'go':>8} {'go/cy':>6}")
    for version in versions:
        settings = settings_for(version)
        for shape in shapes:
            pod = json.loads((PODS / f"pod-{shape}.json").read_text(encoding="utf-8"))
            tpl, data = render_case(settings, pod)
            trees, name, funcs = tpl.trees, tpl.name, tpl.funcs
            want = _exec_py.execute(trees, name, data, funcs)
            fns = {"twin": lambda: _exec_py.execute(trees, name, data, funcs)}
            row: dict = {"template": version, "shape": shape, "rendered_bytes": len(want)}
            if _exec_c is not None:
                assert _exec_c.execute(trees, name, data, funcs) == want, "backends differ"
                fns["cython"] = lambda: _exec_c.execute(trees, name, data, funcs)
            us = {k: v * 1e6 for k, v in medians(fns, args.time).items()}
            if _exec_c is not None:
                _exec_c.set_memo(False)
                try:
                    us.update({k: v * 1e6 for k, v in medians(
                        {"cython_nomemo": fns["cython"]}, args.time).items()})
                finally:
                    _exec_c.set_memo(True)
            row.update({f"{k}_us": v for k, v in us.items()})
            if (version, shape) in go:
                row["go_us"] = go[(version, shape)] / 1000
            cy, cynm, tw, g = (row.get("cython_us"), row.get("cython_nomemo_us"),
                               row["twin_us"], row.get("go_us"))
            if cy:
                row["twin_over_cython"] = tw / cy
                row["twin_over_cython_nomemo"] = tw / cynm
            if cy and g:
                row["go_over_cython"] = g / cy

            def f(v, spec=".1f"):
                return format(v, spec) if v is not None else "-"

            print(f"{version:8} {shape:7} {f(tw):>8} {f(cy):>8} {f(row.get('twin_over_cython'), '.2f'):>8} "
                  f"{f(cynm):>9} {f(row.get('twin_over_cython_nomemo'), '.2f'):>9} {f(g):>8} "
                  f"{f(row.get('go_over_cython'), '.2f'):>6}")
            if args.json:
                print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
