"""AdmissionReview payloads for benchmarks and load tests, built as the apiserver sends them.

Pod shapes come from ../shared/tools/goanchor/pods (small, medium, large = 2000 env vars),
wrapped exactly as the Go anchor's MakeReview wraps them, so our figures and Go's are for
the same bytes. Without ../shared the example pod in examples/review.json stands in.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("INJECTOR_SHARED", ROOT.parent / "shared"))
PODS = SHARED / "tools" / "goanchor" / "pods"
SHAPES = ("small", "medium", "large")
ANCHOR_UID = "3a5c1a2e-7c0b-4d8a-9d3e-000000000001"


def pod(shape: str) -> dict:
    path = PODS / f"pod-{shape}.json"
    if path.exists():
        return json.loads(path.read_text())
    if shape != "small":
        raise FileNotFoundError(f"{path} (needs ../shared beside the checkout)")
    return json.loads((ROOT / "examples" / "review.json").read_text())["request"]["object"]


def review(pod_obj: dict, uid: str = ANCHOR_UID) -> dict:
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": (pod_obj.get("metadata") or {}).get("namespace", "default"),
            "operation": "CREATE",
            "object": pod_obj,
        },
    }


def review_bytes(shape: str) -> bytes:
    return json.dumps(review(pod(shape)), separators=(",", ":")).encode()


def mix() -> list[tuple[str, int, bytes]]:
    """A realistic request mix: (name, weight, body). Weights sum to 100."""
    small = pod("small")
    out: list[tuple[str, int, bytes]] = []

    def add(name: str, weight: int, obj) -> None:
        body = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
        out.append((name, weight, body))

    add("small", 40, review(small))
    try:
        add("medium", 25, review(pod("medium")))
        add("large", 3, review(pod("large")))
    except FileNotFoundError:
        add("small-b", 28, review(small))
    for i, ns in enumerate(("payments", "search", "checkout")):
        p = copy.deepcopy(small)
        p["metadata"]["namespace"] = ns
        p["metadata"]["generateName"] = f"svc{i}-7d9c8b6f5-"
        add(f"ns-{ns}", 5, review(p))
    opt_out = copy.deepcopy(small)
    opt_out["metadata"].setdefault("annotations", {})["sidecar.istio.io/inject"] = "false"
    add("opt-out", 6, review(opt_out))
    injected = copy.deepcopy(small)
    injected["metadata"].setdefault("annotations", {})["sidecar.istio.io/status"] = (
        '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"],'
        '"imagePullSecrets":null,"revision":"default"}')
    injected["spec"]["containers"].append({"name": "istio-proxy", "image": "proxyv2"})
    add("already-injected", 4, review(injected))
    add("malformed", 2, b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":')
    total = sum(w for _, w, _ in out)
    # keep weights summing to 100 whatever shapes were available
    name, weight, body = out[0]
    out[0] = (name, weight + 100 - total, body)
    return out
