"""Shared conformance runner for the Istio golden-file corpora in ../shared/conformance.

`run_corpus(path)` loads a corpus' `cases.json`, builds the settings of each case from
`defaults` + `config_overrides` (as the corpus README specifies), runs it through our
pipeline and compares with the golden file, both textually (after Istio's StripVersion,
trimmed) and structurally (both sides decoded into Kubernetes-typed form via
injector.k8stypes). It returns one `CaseResult` per case; kinds we do not run
(`webhook-serve`, CLI-only istioctl errors handled elsewhere) are reported as skipped.
"""
from __future__ import annotations

import copy
import json
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from injector import goyaml, k8stypes, policy, workload
from injector.cluster import ClusterFacts, NamespaceInfo
from injector.config import config_from_dict, deep_merge
from injector.inject import MODE_WEBHOOK, inject_pod
from injector.kubeinject import KubeInjectError, kube_inject, typed_object
from injector.mesh import apply_mesh_config, mesh_set, parse_mesh_text
from injector.settings import Settings

_STATUS_VERSION = re.compile(r"""sidecar\.istio\.io/status: '\{"version":"([0-9a-f]+)",""")

WEBHOOK_KINDS = ("Deployment", "DeploymentConfig", "DaemonSet", "StatefulSet", "Job",
                 "ReplicaSet", "ReplicationController", "CronJob")


@dataclass
class CaseResult:
    id: str
    kind: str
    structural: bool | None = None   # None: not run
    textual: bool | None = None      # None: not applicable
    skipped: str = ""
    detail: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.structural)


@dataclass
class Corpus:
    root: Path
    data: dict
    cases: list[dict] = field(default_factory=list)

    @property
    def legacy(self) -> bool:
        return self.data.get("layout") == "legacy"


def load_corpus(root: Path) -> Corpus:
    data = json.loads((root / "cases.json").read_text(encoding="utf-8"))
    return Corpus(root=root, data=data, cases=data["cases"])


def strip_version(text: str) -> str:
    return _STATUS_VERSION.sub("""sidecar.istio.io/status: '{"version":"",""", text)


# ----------------------------------------------------------------------------- settings

def _read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def _load_values(root: Path, rel: str) -> dict:
    text = _read(root, rel)
    try:
        return json.loads(text)
    except ValueError:
        return goyaml.load(text) or {}


def case_settings(corpus: Corpus, case: dict) -> Settings:
    """Settings for one case: corpus defaults + the case's config_overrides."""
    root = corpus.root
    d = corpus.data["defaults"]
    ov = case.get("config_overrides") or {}
    config_doc = goyaml.load(_read(root, ov.get("template_file") or d["injector_config"])) or {}
    if ov.get("injector_config"):
        config_doc = deep_merge(config_doc, ov["injector_config"])
    config = config_from_dict(config_doc, source=ov.get("template_file") or d["injector_config"])

    values = _load_values(root, d["values"])
    if "values_replace" in ov:
        values = copy.deepcopy(ov["values_replace"])
    if ov.get("values_file"):
        values = _load_values(root, ov["values_file"])
    if ov.get("values"):
        values = deep_merge(values, ov["values"])

    defaults = parse_mesh_text(_read(root, d["mesh_defaults"]), "mesh defaults")
    base = ov.get("mesh_base", "chart")
    if base == "go-defaults":
        mesh = copy.deepcopy(defaults)
    else:
        text = _read(root, ov["mesh_file"]) if base == "file" else _read(root, d["mesh"])
        overlay = parse_mesh_text(text)
        if ov.get("mesh"):
            overlay = deep_merge(overlay, ov["mesh"])
        mesh = apply_mesh_config(overlay, defaults)
    for path, value in (ov.get("mesh_set") or {}).items():
        mesh = mesh_set(mesh, path, value)

    env_case = dict(case.get("environment") or {})
    env_defaults = d.get("environment") or {}
    test_env = env_defaults.get(case.get("go_test", "").split()[-1]) if isinstance(env_defaults, dict) else None
    if isinstance(test_env, dict):
        env_case = {**test_env, **env_case}
    nodes = {n["name"]: n["kubeletVersion"] for n in env_case.get("nodes") or []}
    namespaces = {n["name"]: NamespaceInfo(name=n["name"], annotations=dict(n.get("annotations") or {}))
                  for n in env_case.get("namespaces") or []}
    cluster = ClusterFacts(nodes=nodes, namespaces=namespaces,
                           cluster_id=env_case.get("cluster_id") or "Kubernetes")
    env = {
        "ENABLE_NATIVE_SIDECARS": env_case.get("native_sidecars") or "auto",
        "PLATFORM": env_case.get("platform") or "",
        "CLUSTER_ID": env_case.get("cluster_id") or "Kubernetes",
    }
    if env_case.get("compliance_policy"):
        env["COMPLIANCE_POLICY"] = str(env_case["compliance_policy"])
    # istiod switches recorded under their own (upper-case) names are passed through.
    env.update({k: str(v) for k, v in env_case.items() if k.isupper() and isinstance(v, (str, int, bool))})
    return Settings.build(config, values, mesh, mesh_defaults=defaults, mesh_is_effective=True,
                          revision=env_case.get("revision") or "", cluster=cluster, env=env)


# ----------------------------------------------------------------------------- compare

def _docs(text: str) -> list[Any]:
    return [goyaml.load(raw) for raw in goyaml.split_documents(text)]


def normalize_doc(obj: Any) -> Any:
    if isinstance(obj, dict) and obj.get("kind") == "List":
        out = dict(obj)
        out["items"] = [normalize_doc(i) for i in obj.get("items") or []]
        out.pop("metadata", None)
        return out
    if isinstance(obj, dict) and obj.get("kind") in workload.INJECTABLE_KINDS:
        return typed_object(obj, omit_creation_timestamp=True)
    return obj


def first_difference(a: Any, b: Any, path: str = "") -> str:
    if type(a) is not type(b):
        return f"{path or '/'}: {a!r:.200} != {b!r:.200}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}/{k}: {'missing in ours' if k not in a else 'extra in ours'}"
            d = first_difference(a[k], b[k], f"{path}/{k}")
            if d:
                return d
        return ""
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)} ({[_name(x) for x in a]} vs {[_name(x) for x in b]})"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}/{i}")
            if d:
                return d
        return ""
    return "" if a == b else f"{path}: {a!r:.300} != {b!r:.300}"


def _name(x: Any) -> Any:
    return x.get("name") if isinstance(x, dict) else x


# ----------------------------------------------------------------------------- kinds

def run_kube_inject(corpus: Corpus, case: dict, settings: Settings) -> CaseResult:
    res = CaseResult(case["id"], case["kind"])
    text = _read(corpus.root, case["input"])
    if case.get("expected_error"):
        try:
            kube_inject(text, settings)
        except (KubeInjectError, ValueError) as e:
            ok = case["expected_error"].lower() in str(e).lower()
            res.structural = ok
            res.detail = "" if ok else f"error {str(e)!r} lacks {case['expected_error']!r}"
            return res
        res.structural = False
        res.detail = "expected an error, got output"
        return res
    result = kube_inject(text, settings)
    out = result.text
    if case.get("expected_warning"):
        want = case["expected_warning"].lower()
        if not any(want in w.lower() for w in result.warnings):
            res.structural = False
            res.detail = f"no warning containing {case['expected_warning']!r}: {result.warnings}"
            return res
        if not case.get("expected"):
            res.structural = True
            return res
    golden = _read(corpus.root, case["expected"])
    if case.get("compare") == "text-exact":
        res.textual = out.strip() == golden.strip()
    else:
        res.textual = strip_version(out).strip() == strip_version(golden).strip()
    ours = [normalize_doc(d) for d in _docs(strip_version(out))]
    theirs = [normalize_doc(d) for d in _docs(strip_version(golden))]
    res.structural = ours == theirs
    if not res.structural:
        res.detail = first_difference(ours, theirs)
    elif not res.textual:
        res.detail = _text_diff(strip_version(out).strip(), strip_version(golden).strip())
    return res


def _text_diff(a: str, b: str) -> str:
    import difflib

    lines = list(difflib.unified_diff(b.splitlines(), a.splitlines(), "golden", "ours", n=1, lineterm=""))
    return "\n".join(lines[:20])


def _split_dash(text: str) -> list[Any]:
    out = []
    for chunk in text.split("\n---"):
        if not chunk.strip():
            continue
        out.append(goyaml.load(chunk))
    return out


def _injectable(docs: list[Any], kinds: tuple[str, ...]) -> list[dict]:
    return [d for d in workload.expand_lists(docs) if isinstance(d, dict) and d.get("kind") in kinds]


def _fix_result_v1(result: dict, golden: dict) -> None:
    """What Istio's TestHelmInject overwrites in the result before comparing."""
    rt = result["spec"]["template"]
    gt = golden["spec"]["template"]
    ga = ((gt.get("metadata") or {}).get("annotations") or {})
    if "sidecar.istio.io/status" in ga:
        rt.setdefault("metadata", {}).setdefault("annotations", {})["sidecar.istio.io/status"] = \
            ga["sidecar.istio.io/status"]

    def find(spec: dict, key: str, name: str) -> dict | None:
        return next((c for c in spec.get(key) or [] if c.get("name") == name), None)

    rs, gs = rt.get("spec") or {}, gt.get("spec") or {}
    ri, gi = find(rs, "initContainers", "istio-init"), find(gs, "initContainers", "istio-init")
    if ri is not None and gi is not None:
        for k in ("image", "terminationMessagePath", "terminationMessagePolicy"):
            _copy_key(ri, gi, k)
        if "securityContext" in gi or "securityContext" in ri:
            rsc = ri.setdefault("securityContext", {})
            gsc = gi.get("securityContext") or {}
            _copy_key(rsc, gsc, "privileged")
    rp, gp = find(rs, "containers", "istio-proxy"), find(gs, "containers", "istio-proxy")
    if rp is not None and gp is not None:
        for k in ("image", "terminationMessagePath", "terminationMessagePolicy"):
            _copy_key(rp, gp, k)
    for c, keep in ((rp, True), (gp, True)):
        if c is None:
            continue
        env = []
        for e in c.get("env") or []:
            if e.get("name", "").startswith("ISTIO_METAJSON_"):
                continue
            fr = (e.get("valueFrom") or {}).get("fieldRef")
            if isinstance(fr, dict) and c is rp:
                fr.pop("apiVersion", None)
            env.append(e)
        c["env"] = env


def _copy_key(dst: dict, src: dict, key: str) -> None:
    if key in src:
        dst[key] = copy.deepcopy(src[key])
    else:
        dst.pop(key, None)


def _as_deployment(doc: dict) -> dict:
    """TestHelmInject decodes every document into an apps/v1 Deployment (whatever its kind)."""
    kind = doc.get("kind")
    out = normalize_doc({**doc, "kind": "Deployment"})
    out["kind"] = kind
    return out


def run_webhook_deployment(corpus: Corpus, case: dict, settings: Settings) -> CaseResult:
    res = CaseResult(case["id"], case["kind"])
    env = case.get("environment") or {}
    version = env.get("sidecar_template_version")
    inputs = _injectable(_split_dash(_read(corpus.root, case["input"])), WEBHOOK_KINDS)
    goldens = _injectable(_split_dash(_read(corpus.root, case["expected"])), WEBHOOK_KINDS)
    if len(inputs) != len(goldens):
        res.structural = False
        res.detail = f"{len(inputs)} input documents, {len(goldens)} golden"
        return res
    ok = True
    for i, (doc, gold) in enumerate(zip(inputs, goldens)):
        tpl = doc["spec"]["template"]
        pod = {k: tpl[k] for k in ("metadata", "spec") if k in tpl}
        r = inject_pod(pod, settings, namespace=env.get("request_namespace") or "", mode=MODE_WEBHOOK,
                       version=version)
        out = copy.deepcopy(doc)
        out["spec"]["template"] = r.pod
        _fix_result_v1(out, gold := copy.deepcopy(gold))
        a, b = _as_deployment(out), _as_deployment(gold)
        if a != b:
            ok = False
            res.detail = f"document {i}: " + first_difference(a, b)
            break
    res.structural = ok
    return res


def _fix_pod_v2(pod: dict, ours: bool) -> dict:
    pod = copy.deepcopy(pod)
    ann = (pod.get("metadata") or {}).get("annotations")
    if isinstance(ann, dict):
        ann.pop("sidecar.istio.io/status", None)
    if ours:
        for c in (pod.get("spec") or {}).get("containers") or []:
            for e in c.get("env") or []:
                fr = (e.get("valueFrom") or {}).get("fieldRef")
                if isinstance(fr, dict):
                    fr.pop("apiVersion", None)
    return pod


def run_webhook_pod(corpus: Corpus, case: dict, settings: Settings) -> CaseResult:
    res = CaseResult(case["id"], case["kind"])
    kinds = WEBHOOK_KINDS + ("Pod",)
    inputs = _injectable(_split_dash(_read(corpus.root, case["input"])), kinds)
    goldens = _injectable(_split_dash(_read(corpus.root, case["expected"])), kinds)
    if len(inputs) != len(goldens):
        res.structural = False
        res.detail = f"{len(inputs)} input documents, {len(goldens)} golden"
        return res
    ok = True
    for i, (doc, gold) in enumerate(zip(inputs, goldens)):
        pod = workload.object_to_pod(doc)
        gpod = workload.object_to_pod(gold)
        ns = (doc.get("metadata") or {}).get("namespace") or ""
        # The webhook asks the policy first (host network, opt-out, selectors, ...).
        if policy.decide(pod.get("metadata"), pod.get("spec"), settings, namespace=ns).inject:
            got = inject_pod(pod, settings, namespace=ns, mode=MODE_WEBHOOK).pod
        else:
            got = pod
        a = normalize_doc(_fix_pod_v2(got, True))
        b = normalize_doc(_fix_pod_v2(gpod, False))
        if a != b:
            ok = False
            res.detail = f"document {i}: " + first_difference(a, b)
            break
    res.structural = ok
    return res


def run_webhook_patch(corpus: Corpus, case: dict, settings: Settings) -> CaseResult:
    """The mutated pod must equal the input with the golden patch applied."""
    import jsonpatch

    res = CaseResult(case["id"], case["kind"])
    env = case.get("environment") or {}
    pod = goyaml.load(_read(corpus.root, case["input"])) or {}
    # The patch applies to the JSON of the typed Pod (nulls and empty lists omitted).
    pod = k8stypes.normalize({"apiVersion": "v1", "kind": "Pod", **pod}, omit_creation_timestamp=False)
    pod.pop("apiVersion", None)
    pod.pop("kind", None)
    pod.setdefault("metadata", {})
    pod.setdefault("spec", {})
    patch = json.loads(_read(corpus.root, case["expected"]))
    want = jsonpatch.apply_patch(copy.deepcopy(pod), patch)
    r = inject_pod(pod, settings, namespace=env.get("request_namespace") or "", mode=MODE_WEBHOOK,
                   version=env.get("sidecar_template_version"))
    a = k8stypes.normalize({"apiVersion": "v1", "kind": "Pod", **r.pod}, omit_creation_timestamp=True)
    b = k8stypes.normalize({"apiVersion": "v1", "kind": "Pod", **want}, omit_creation_timestamp=True)
    res.structural = a == b
    if not res.structural:
        res.detail = first_difference(a, b)
    return res


def run_webhook_serve(corpus: Corpus, case: dict, settings: Settings) -> CaseResult:
    """For reviews answered with a patch: the pod we produce equals the request object
    with the golden patch applied (HTTP-level behaviour is the webhook's tests)."""
    import jsonpatch

    res = CaseResult(case["id"], case["kind"])
    want_patch = (case.get("expected_response") or {}).get("patch")
    if not want_patch or not case.get("input"):
        res.skipped = "no patch expected (HTTP-level case, tests/test_webhook_*)"
        return res
    review = json.loads(_read(corpus.root, case["input"]))
    req = review.get("request") or {}
    pod = copy.deepcopy(req.get("object") or {})
    patch = json.loads(_read(corpus.root, want_patch))
    want = jsonpatch.apply_patch(copy.deepcopy(pod), patch)
    r = inject_pod(pod, settings, namespace=req.get("namespace") or "", mode=MODE_WEBHOOK)
    a = k8stypes.normalize({**r.pod, "apiVersion": "v1", "kind": "Pod"}, omit_creation_timestamp=True)
    b = k8stypes.normalize({**want, "apiVersion": "v1", "kind": "Pod"}, omit_creation_timestamp=True)
    res.structural = a == b
    if not res.structural:
        res.detail = first_difference(a, b)
    return res


def run_cli_error(case: dict) -> CaseResult:
    """istioctl-style CLI errors: run `injector kube-inject ARGS` in an empty directory."""
    import argparse
    import contextlib
    import io
    import os
    import tempfile

    from injector.commands import kube_inject as cmd

    res = CaseResult(case["id"], case["kind"])
    args = list(case.get("args") or [])
    if args[:1] == ["kube-inject"]:
        args = args[1:]
    parser = argparse.ArgumentParser(prog="injector")
    cmd.register(parser.add_subparsers(dest="command"))
    err = io.StringIO()
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stderr(err), \
            contextlib.redirect_stdout(io.StringIO()):
        os.chdir(tmp)
        try:
            ns = parser.parse_args(["kube-inject", *args])
            rc = ns.func(ns)
        finally:
            os.chdir(cwd)
    res.structural = rc != 0 and re.search(case["expected_error_regexp"], err.getvalue()) is not None
    if not res.structural:
        res.detail = f"exit {rc}, stderr {err.getvalue()!r}"
    return res


RUNNERS = {
    "webhook-serve": run_webhook_serve,
    "kube-inject": run_kube_inject,
    "istioctl-kube-inject": run_kube_inject,
    "webhook-deployment": run_webhook_deployment,
    "webhook-pod": run_webhook_pod,
    "webhook-patch": run_webhook_patch,
}


def run_case(corpus: Corpus, case: dict) -> CaseResult:
    kind = case["kind"]
    runner = RUNNERS.get(kind)
    if runner is None:
        return CaseResult(case["id"], kind, skipped=f"kind {kind} is not run here")
    if kind == "istioctl-kube-inject" and not case.get("input"):
        return run_cli_error(case)
    try:
        settings = case_settings(corpus, case)
        return runner(corpus, case, settings)
    except Exception as e:  # a crash is a failure with its traceback as detail
        tb = traceback.format_exc(limit=-4)
        return CaseResult(case["id"], kind, structural=False, detail=f"{type(e).__name__}: {e}\n{tb}")


def run_corpus(root: Path, kinds: tuple[str, ...] | None = None) -> list[CaseResult]:
    corpus = load_corpus(root)
    return [run_case(corpus, c) for c in corpus.cases if kinds is None or c["kind"] in kinds]


def summary(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in results:
        s = out.setdefault(r.kind, {"total": 0, "run": 0, "structural": 0, "textual": 0, "textual_total": 0})
        s["total"] += 1
        if r.skipped:
            continue
        s["run"] += 1
        s["structural"] += bool(r.structural)
        if r.textual is not None:
            s["textual_total"] += 1
            s["textual"] += bool(r.textual)
    return out


if __name__ == "__main__":  # python -m tests.conformance ../shared/conformance/istio-1.7.3 [-v]
    import sys

    res = run_corpus(Path(sys.argv[1]))
    for r in res:
        if r.skipped:
            continue
        if not r.structural or ("-v" in sys.argv and not r.textual and r.textual is not None):
            print(f"FAIL {r.id} [{r.kind}] text={r.textual}\n    {r.detail}")
    print(json.dumps(summary(res), indent=1))
