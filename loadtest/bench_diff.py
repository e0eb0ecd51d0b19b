"""Benchmark of the JSON Patch differ: median `diff(original, mutated)` time per pod shape,
Cython vs the pure-Python twin vs the Go anchor's patch step.

The pods are the Go anchor's (`../shared/tools/goanchor/pods/pod-<shape>.json`). When
the anchor binary exists its own dump gives the injected pod (the review's pod with the
anchor's patch applied) and one `-stages` run gives its `marshal_and_diff` figure;
otherwise an injected pod is synthesised here and the Go column is left empty. As in
the webhook, both pods are orjson-decoded separately (no shared values between them).

    python loadtest/bench_diff.py                     # 1.7.3 template, small,medium,large
    python loadtest/bench_diff.py --template 1.29.6 --time 1 --json

Targets (issue 4): Cython >= 5x faster than the twin, and no slower than Go's step.
"""
from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtest import timing  # noqa: E402

SHARED = Path(os.environ.get("INJECTOR_SHARED", ROOT.parent / "shared"))
PODS = SHARED / "tools" / "goanchor" / "pods"
GOANCHOR = SHARED / "tools" / "gooracle" / "bin" / "goanchor"


def run_goanchor(template: str, shapes: list[str], dump: Path, benchtime: str) -> dict:
    """Dump the anchor's cases into `dump` and return {shape: marshal_and_diff ns/op}."""
    cmd = [str(GOANCHOR), "-dump", str(dump), "-stages", "-benchtime", benchtime,
           "-templates", template, "-shapes", ",".join(shapes)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    figures = {}
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        if row.get("stage") == "marshal_and_diff":
            figures[row["shape"]] = row["ns_per_op"]
        elif "stage" not in row:
            figures[row["shape"] + ":ops"] = row.get("patch_ops")
    return figures


def apply_patch(doc, ops):
    import jsonpatch

    return jsonpatch.apply_patch(copy.deepcopy(doc), ops)


def synthesise_injected(pod: dict) -> dict:
    """A realistic injection without the anchor: init container, proxy, volumes, metadata."""
    out = copy.deepcopy(pod)
    spec, meta = out.setdefault("spec", {}), out.setdefault("metadata", {})
    spec.setdefault("initContainers", []).append({
        "name": "istio-init", "image": "docker.io/istio/proxyv2:1.7.3",
        "args": ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
                 "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"],
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}, "requests": {"cpu": "10m", "memory": "10Mi"}},
        "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["ALL"]},
                            "runAsUser": 0, "runAsNonRoot": False, "privileged": False},
    })
    spec.setdefault("containers", []).append({
        "name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.7.3",
        "args": ["proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local",
                 "--serviceCluster", "app.default", "--proxyLogLevel=warning", "--concurrency", "2"],
        "ports": [{"containerPort": 15090, "protocol": "TCP", "name": "http-envoy-prom"}],
        "env": [{"name": f"ISTIO_META_{i}", "value": f"value-{i}"} for i in range(20)]
        + [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "readinessProbe": {"httpGet": {"path": "/healthz/ready", "port": 15021},
                           "initialDelaySeconds": 1, "periodSeconds": 2, "failureThreshold": 30},
        "volumeMounts": [{"mountPath": "/var/run/secrets/istio", "name": "istiod-ca-cert"},
                         {"mountPath": "/etc/istio/proxy", "name": "istio-envoy"}],
    })
    spec.setdefault("volumes", []).extend([
        {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}},
        {"name": "istiod-ca-cert", "configMap": {"name": "istio-ca-root-cert"}},
    ])
    spec["securityContext"] = {"fsGroup": 1337}
    meta.setdefault("annotations", {}).update({
        "sidecar.istio.io/status": '{"version":"x","initContainers":["istio-init"],'
                                   '"containers":["istio-proxy"],"volumes":["istio-envoy"]}',
        "prometheus.io/path": "/stats/prometheus",
    })
    meta.setdefault("labels", {}).update({"security.istio.io/tlsMode": "istio",
                                          "service.istio.io/canonical-revision": "latest"})
    return out


def medians(fns: dict, budget: float) -> dict:
    """Median seconds per call (batches of >= 0.25 ms, at least 11 per function)."""
    return timing.medians(fns, budget, batch_seconds=0.00025, min_samples=11)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", default="1.7.3", help="goanchor template version")
    parser.add_argument("--shapes", default="small,medium,large")
    parser.add_argument("--time", type=float, default=0.5, help="seconds per backend and shape")
    parser.add_argument("--go-benchtime", default="500ms", help="goanchor -benchtime")
    parser.add_argument("--no-go", action="store_true", help="do not run the Go anchor")
    parser.add_argument("--json", action="store_true", help="also print one JSON line per shape")
    args = parser.parse_args(argv)
    shapes = args.shapes.split(",")

    import orjson

    twin = importlib.import_module("injector._jsondiff_py")
    try:
        compiled = importlib.import_module("injector._jsondiff_c")
    except ImportError:
        compiled = None
        print("note: injector._jsondiff_c is not built (python setup.py build_ext --inplace)")

    use_go = GOANCHOR.exists() and not args.no_go
    go: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if use_go:
            go = run_goanchor(args.template, shapes, Path(tmp), args.go_benchtime)
        cases = {}
        for shape in shapes:
            if use_go:
                review = orjson.loads((Path(tmp) / f"{args.template}-{shape}.review.json").read_bytes())
                original = review["request"]["object"]
                patch = json.loads((Path(tmp) / f"{args.template}-{shape}.patch.json").read_bytes())
                mutated = apply_patch(original, patch)
            else:
                original = orjson.loads((PODS / f"pod-{shape}.json").read_bytes())
                mutated = synthesise_injected(original)
            # As in the webhook: the request decoded by orjson, the injected pod a clone
            # of it (injector.merge.clone round-trips through orjson), so no shared values.
            cases[shape] = (original, orjson.loads(orjson.dumps(mutated)))

    source = f"goanchor dump, template {args.template}" if use_go else "synthesised injection"
    print(f"diff(original, mutated), median per call; injected pods: {source}")
    header = f"{'shape':8} {'ops':>9} {'twin us':>9} {'cython us':>10} {'twin/cy':>8} " \
             f"{'cy+dumps us':>11} {'go us':>9} {'go/cy':>7}"
    print(header)
    results = []
    for shape, (original, mutated) in cases.items():
        ops = twin.diff(original, mutated)
        assert orjson.dumps(apply_patch(original, ops), option=orjson.OPT_SORT_KEYS) == \
            orjson.dumps(mutated, option=orjson.OPT_SORT_KEYS), f"{shape}: patch does not apply"
        row = {"shape": shape, "ops": len(ops), "go_ops": go.get(shape + ":ops")}
        fns = {"twin_us": lambda: twin.diff(original, mutated)}
        if compiled is not None:
            assert compiled.diff(original, mutated) == ops, f"{shape}: backends differ"
            fns["cython_us"] = lambda: compiled.diff(original, mutated)
            fns["cython_dumps_us"] = lambda: orjson.dumps(compiled.diff(original, mutated))
        row.update({name: seconds * 1e6 for name, seconds in medians(fns, args.time).items()})
        if compiled is not None:
            row["twin_over_cython"] = row["twin_us"] / row["cython_us"]
        if shape in go:
            row["go_us"] = go[shape] / 1000
            if "cython_us" in row:
                row["go_over_cython"] = row["go_us"] / row["cython_us"]
        results.append(row)

        def fmt(key, spec, suffix=""):
            return format(row[key], spec) + suffix if row.get(key) is not None else "-"

        ops_text = f"{row['ops']}/{row['go_ops']}" if row["go_ops"] is not None else str(row["ops"])
        print(f"{shape:8} {ops_text:>9} {fmt('twin_us', '.1f'):>9} {fmt('cython_us', '10.2f'):>10} "
              f"{fmt('twin_over_cython', '.1f', 'x'):>8} {fmt('cython_dumps_us', '11.2f'):>11} "
              f"{fmt('go_us', '9.1f'):>9} {fmt('go_over_cython', '.1f', 'x'):>7}")
    if use_go:
        print("go = goanchor stage marshal_and_diff (marshal both pods + diff), ns/op; "
              "ops = ours/go anchor's")
    if args.json:
        for row in results:
            print(json.dumps({"bench": "diff", "template": args.template, **row}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
