"""Bad input never crashes the webhook path or corrupts a pod (issues 3 and 5, "Bad input").

Everything here goes through the real pipeline: `admission.review` ->
`pipeline.pod_injector_factory(settings)` -> podcheck, policy, inject, diff, on the
embedded default config and on Istio 1.7.3's and 1.29.6's configs from the corpora.

* property tests (hypothesis): realistic pods (the goanchor pods and examples/review.json)
  with random subtrees replaced by wrong types, nulls, huge strings, unicode, deep nesting
  or empty containers, random annotation values, random deletions. Every answer is a
  well-formed AdmissionReview; an allowed patch applies and keeps every original
  container; a denial names a field, annotation or template position and carries no
  Python internals text.
* table-driven: malformed envelopes, wrong kinds, non-Pod objects, template-breaking
  annotations, wrongly typed pod fields (exact messages), template exec/parse errors,
  missing values, huge bodies (also through the ASGI app: 413 and still serving).

ROBUSTNESS_EXAMPLES scales the property tests (default 300 per config);
ROBUSTNESS_RANDOM=1 draws new examples instead of CI's fixed sequence.
"""
from __future__ import annotations

import base64
import copy
import functools
import json
import os
import re
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from injector import podcheck
from injector.admission import API_VERSIONS, review
from injector.patch import apply as apply_patch
from injector.pipeline import pod_injector_factory
from injector.settings import Settings
from tests.conftest import CONFORMANCE, ROOT, SHARED, need_shared

EXAMPLES = int(os.environ.get("ROBUSTNESS_EXAMPLES", "300"))
# CI runs a fixed sequence (never flaky); ROBUSTNESS_RANDOM=1 explores new examples locally.
DERANDOMIZE = os.environ.get("ROBUSTNESS_RANDOM", "") != "1"

# Text that only a Python exception leaking into a message would contain.
INTERNALS = ("object has no attribute", "NoneType", "Traceback", "KeyError", "TypeError:",
             "list indices", "not subscriptable", "unhashable type", "is not iterable",
             "argument of type", "object is not", "can only concatenate", "invalid literal for int",
             "not supported between", "must be str", "AttributeError", "IndexError",
             "RecursionError", "maximum recursion depth", '"<unicode string>"')

# A denial must say where: a field path, an annotation, a template (with position), the
# request envelope, or the rendered YAML of a named template.
WHERE = re.compile(
    r"(?:^|[\s(])(?:metadata|spec|request)(?:\.|\[|:)"   # a field path
    r"|annotation"                                        # an annotation by name
    r"|template: [^:\s]+:\d+:\d+: "                       # Go's NAME:LINE:COL
    r"|template '[^']*'|the injection template"           # the template whose output broke
    r"|AdmissionReview|decode body|unsupported (?:kind|apiVersion)")


def _seed_pods() -> list[dict]:
    pods = [json.loads((ROOT / "examples" / "review.json").read_text())["request"]["object"]]
    anchor = SHARED / "tools" / "goanchor" / "pods"
    for name in ("pod-small.json", "pod-medium.json"):  # pod-large (2000 env) is slow per example
        if (anchor / name).exists():
            pods.append(json.loads((anchor / name).read_text()))
    return pods


SEEDS = _seed_pods()


@functools.lru_cache(maxsize=None)
def _settings(which: str) -> Settings:
    if which == "default":
        return Settings.default()
    cfg = need_shared("conformance", which, "config")
    return Settings.load(str(cfg / "config.yaml"), str(cfg / "values.json"), str(cfg / "mesh.yaml"))


def _injector(which: str):
    return pod_injector_factory(_settings(which))({})


CONFIGS = ["default", "istio-1.7.3", "istio-1.29.6"]


def _body(obj, *, uid="uid-1", api_version=API_VERSIONS[0], namespace="istio-inject", **request):
    req = {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
           "resource": {"group": "", "version": "v1", "resource": "pods"},
           "operation": "CREATE", "object": obj, **request}
    if namespace is not None:
        req["namespace"] = namespace
    return orjson.dumps({"apiVersion": api_version, "kind": "AdmissionReview", "request": req})


def _answer(out, api_version=API_VERSIONS[0], uid="uid-1") -> dict:
    """The response of a well-formed AdmissionReview answer (asserting that it is one)."""
    assert out.status == 200
    doc = orjson.loads(out.body)
    assert doc["apiVersion"] == api_version and doc["kind"] == "AdmissionReview"
    resp = doc["response"]
    assert resp["uid"] == uid
    assert isinstance(resp["allowed"], bool)
    return resp


def _names(pod: dict) -> list[str]:
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    out = []
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        for c in items if isinstance(items, list) else []:
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                out.append(c["name"])
    return out


def _check_denial(message: str) -> None:
    assert message, "a denial must carry a message"
    leaked = [w for w in INTERNALS if w in message]
    assert not leaked, f"Python internals {leaked} in: {message}"
    assert WHERE.search(message), f"the message does not say where the problem is: {message}"


def _check_allowed(pod: dict, resp: dict, result: str) -> None:
    if "patch" not in resp:
        return
    assert resp["patchType"] == "JSONPatch"
    ops = orjson.loads(base64.b64decode(resp["patch"]))
    patched = apply_patch(pod, ops)
    assert isinstance(patched, dict)
    after = _names(patched)
    for name in _names(pod):
        assert name in after, f"container {name!r} lost by the patch"
    if result == "injected":
        ann = (patched.get("metadata") or {}).get("annotations") or {}
        assert "sidecar.istio.io/status" in ann


# ----------------------------------------------------------------------- strategies

def _nested(depth: int) -> object:
    v: object = "leaf"
    for i in range(depth):
        v = {"n": v} if i % 2 else [v]
    return v


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 63), 2 ** 63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["", "http", "\u2603\u00e9\U0001F600", "1.2.3.4/33", "{", "null", "-1", "99999"]),
)
JSONISH = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)
REPLACEMENTS = st.one_of(
    JSONISH, st.just({}), st.just([]), st.just([{}]),
    st.integers(1, 300_000).map(lambda n: "x" * n),  # huge strings
    st.integers(1, 120).map(_nested),                  # deep nesting (orjson writes up to 254 levels)
)
ANNOTATIONS = [
    "proxy.istio.io/config", "traffic.sidecar.istio.io/includeOutboundIPRanges",
    "traffic.sidecar.istio.io/excludeOutboundIPRanges", "traffic.sidecar.istio.io/excludeInboundPorts",
    "traffic.sidecar.istio.io/includeInboundPorts", "status.sidecar.istio.io/port",
    "readiness.status.sidecar.istio.io/applicationPorts", "sidecar.istio.io/status",
    "proxy.istio.io/overrides", "inject.istio.io/templates", "sidecar.istio.io/interceptionMode",
    "sidecar.istio.io/inject", "prometheus.istio.io/merge-metrics", "sidecar.istio.io/rewriteAppHTTPProbers",
    "sidecar.istio.io/proxyImage", "sidecar.istio.io/proxyCPU", "sidecar.istio.io/userVolume",
    "sidecar.istio.io/userVolumeMount", "prometheus.io/port", "kubectl.kubernetes.io/default-container",
]
ANNOTATION_VALUES = st.one_of(
    st.sampled_from(["", "x", "{", "[]", "null", '{"a":1}', "1", "-1", "99999999", "true", "*",
                     "1.2.3.4/99", "a,b,,", '{"containers":5}', '{"containers":[5]}',
                     '{"initContainers":"x"}', '{"containers":[{"name":7}]}', "concurrency: x",
                     "\u2603", '{"v":{"hostPath":5}}', "sidecar,nosuch", "\u00b2", "\u0663", "15020,\u00b9"]),
    st.text(max_size=20))


def _paths(o, p=()):
    """Every path into `o`, down to 12 levels (deeper lies only inside a nested replacement:
    going there would stack nestings past what orjson writes)."""
    yield p
    if len(p) >= 12:
        return
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, p + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _paths(v, p + (i,))


def _parent(o, path):
    for k in path[:-1]:
        o = o[k]
    return o


@st.composite
def mutated_pods(draw) -> dict:
    pod = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["replace", "replace", "annotation", "delete"]))
        if how == "annotation":
            meta = pod.get("metadata")
            if isinstance(meta, dict):
                ann = meta.get("annotations")
                if not isinstance(ann, dict):
                    ann = meta["annotations"] = {}
                ann[draw(st.sampled_from(ANNOTATIONS))] = draw(ANNOTATION_VALUES)
            continue
        paths = list(_paths(pod))[1:]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(pod, path)
        if how == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(REPLACEMENTS))  # st.just values are shared
    return pod


# ----------------------------------------------------------------------- properties

@pytest.mark.parametrize("which", CONFIGS)
def test_random_bad_pods_always_get_a_well_formed_answer(which):
    inject = _injector(which)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(pod=mutated_pods(), api_version=st.sampled_from(API_VERSIONS),
           uid=st.text(max_size=20), namespace=st.sampled_from([None, "", "default", "istio-inject"]))
    def check(pod, api_version, uid, namespace):
        before = copy.deepcopy(pod)
        out = review(_body(pod, uid=uid, api_version=api_version, namespace=namespace), inject)
        resp = _answer(out, api_version, uid)
        event(f"{which}: {out.result}")
        outcomes[out.result] = outcomes.get(out.result, 0) + 1
        if resp["allowed"]:
            _check_allowed(pod, resp, out.result)
        else:
            _check_denial(resp["status"]["message"])
        assert pod == before  # review worked on its own decoded copy

    outcomes: dict[str, int] = {}
    check()
    print(f"{which}: {sum(outcomes.values())} examples: {outcomes}")
    # The mutations must exercise both answers, or the property says little.
    assert outcomes.get("injected", 0) > 0 and outcomes.get("failed", 0) > 0, outcomes


ENVELOPE_KEYS = ["apiVersion", "kind", "request", "request.uid", "request.namespace", "request.object",
                 "request.resource", "request.kind", "request.object.kind", "request.object.metadata",
                 "request.object.spec", "request.operation", "request.dryRun"]


ENVELOPE_VALUES = st.one_of(JSONISH, st.sampled_from([
    "Pod", "Deployment", "AdmissionReview", "kube-system", "", "uid-2", API_VERSIONS[1],
    {"group": "", "version": "v1", "resource": "configmaps"}, {"resource": "pods"}, {"kind": "Pod"}]))


def test_random_envelopes_always_get_a_well_formed_answer():
    """The AdmissionReview around the pod mutated: any field replaced or removed."""
    inject = _injector("default")
    outcomes: dict[str, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(pod=st.sampled_from(SEEDS), api_version=st.sampled_from(API_VERSIONS),
           changes=st.lists(st.tuples(st.sampled_from(ENVELOPE_KEYS), st.booleans(), ENVELOPE_VALUES),
                            min_size=1, max_size=3))
    def check(pod, api_version, changes):
        doc = {"apiVersion": api_version, "kind": "AdmissionReview",
               "request": {"uid": "uid-1", "namespace": "ns", "operation": "CREATE",
                           "resource": {"group": "", "version": "v1", "resource": "pods"},
                           "object": copy.deepcopy(pod)}}
        for key, remove, value in changes:
            *parents, last = key.split(".")
            node = doc
            for k in parents:
                node = node.get(k) if isinstance(node, dict) else None
            if isinstance(node, dict):
                if remove:
                    node.pop(last, None)
                else:
                    node[last] = copy.deepcopy(value)
        out = review(orjson.dumps(doc), inject)
        assert out.status == 200
        answer = orjson.loads(out.body)
        assert answer["kind"] == "AdmissionReview" and answer["apiVersion"] in API_VERSIONS
        resp = answer["response"]
        assert isinstance(resp["allowed"], bool) and isinstance(resp["uid"], str)
        if doc.get("apiVersion") in API_VERSIONS:
            assert answer["apiVersion"] == doc["apiVersion"]
        req = doc.get("request")
        if doc.get("kind") == "AdmissionReview" and doc.get("apiVersion") in API_VERSIONS \
                and isinstance(req, dict) and isinstance(req.get("uid"), str):
            assert resp["uid"] == req["uid"]
        outcomes[out.result] = outcomes.get(out.result, 0) + 1
        if resp["allowed"]:
            obj = req["object"]
            _check_allowed(obj, resp, out.result)
        else:
            _check_denial(resp["status"]["message"])

    check()
    assert outcomes.get("injected") and outcomes.get("failed"), outcomes  # both answers reached


@pytest.mark.parametrize("which", CONFIGS)
def test_every_seed_pod_is_injected_and_passes_podcheck(which):
    """The unmutated seeds: no false alarm from podcheck, and a patch that applies."""
    inject = _injector(which)
    for pod in SEEDS:
        podcheck.check_pod(pod)
        out = review(_body(pod), inject)
        resp = _answer(out)
        assert resp["allowed"] and out.result == "injected", out.message
        _check_allowed(pod, resp, out.result)


# ----------------------------------------------------------------------- envelopes

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
       "spec": {"containers": [{"name": "app", "image": "nginx"}]}}


def _review(req=None, **top):
    doc = {"apiVersion": API_VERSIONS[0], "kind": "AdmissionReview"}
    if req is not None:
        doc["request"] = req
    doc.update(top)
    return orjson.dumps(doc)


ENVELOPES = [
    (b"{not json", "", "could not decode body"),
    (b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {', "", "could not decode body"),
    (b"[1, 2]", "", "expected a JSON object"),
    (b"\xff\xfe garbage", "", "could not decode body"),
    (b"[" * 100_000 + b"]" * 100_000, "", "could not decode body"),
    (orjson.dumps({"apiVersion": "v1", "kind": "Pod"}), "", "unsupported kind 'Pod'"),
    (_review(kind="AdmissionReviewList"), "", "unsupported kind"),
    (_review(apiVersion="admission.k8s.io/v2"), "", "unsupported apiVersion"),
    (_review(apiVersion=["admission.k8s.io/v1"]), "", "unsupported apiVersion"),
    (_review(), "", "has no request"),
    (_review(request="pods"), "", "has no request"),
    (_review({}), "", "has no uid"),
    (_review({"uid": 7, "object": POD}), "", "request.uid: expected a string, got 7"),
    (_review({"uid": "u"}), "u", "has no object"),
    (_review({"uid": "u", "object": None}), "u", "has no object"),
    (_review({"uid": "u", "object": [POD]}), "u", "request.object: expected an object, got a list"),
    (_review({"uid": "u", "object": "pod"}), "u", 'request.object: expected an object, got "pod"'),
    (_review({"uid": "u", "namespace": 5, "object": POD}), "u", "request.namespace: expected a string, got 5"),
    (_review({"uid": "u", "object": {**POD, "kind": ["Pod"]}}), "u",
     "request.object.kind: expected a string, got a list"),
]


@pytest.mark.parametrize("body,uid,needle", ENVELOPES, ids=[n for _b, _u, n in ENVELOPES])
def test_bad_envelopes_are_denied_naming_the_problem(body, uid, needle):
    out = review(body, _injector("default"))
    resp = _answer(out, uid=uid)
    assert resp["allowed"] is False and resp["status"]["code"] == 400
    assert needle in resp["status"]["message"]
    _check_denial(resp["status"]["message"])


def test_not_json_content_type_and_empty_body_are_http_errors():
    inject = _injector("default")
    assert review(_body(POD), inject, content_type="text/plain").status == 415
    assert review(b"", inject).status == 400


@pytest.mark.parametrize("obj,request_extra", [
    ({**POD, "kind": "Deployment"}, {}),
    ({"apiVersion": "v1", "kind": "Service", "spec": {"ports": "not a list"}}, {}),
    ({"metadata": {"name": "cm"}, "data": {"a": 1}}, {"resource": {"resource": "configmaps"}}),
])
def test_non_pods_pass_through_untouched(obj, request_extra):
    out = review(_body(obj, **request_extra), _injector("default"))
    resp = _answer(out)
    assert resp["allowed"] is True and "patch" not in resp and out.result == "skipped"


# ----------------------------------------------------------------------- wrong pod shapes

def _pod_with(path: str, value) -> dict:
    """POD with a more realistic container set and `value` at dotted `path`."""
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p", "namespace": "ns", "labels": {"app": "p"}, "annotations": {}},
           "spec": {"containers": [
               {"name": "app", "image": "nginx", "ports": [{"containerPort": 80}],
                "env": [{"name": "A", "value": "1"}],
                "readinessProbe": {"httpGet": {"port": 80, "path": "/"}}},
               {"name": "side", "image": "busybox", "ports": [{"containerPort": 81}]}]}}
    keys = [int(k) if k.isdigit() else k.replace("~1", "/") for k in path.split("/")]  # JSON Pointer
    parent = _parent(pod, keys)
    parent[keys[-1]] = value
    return pod


SHAPES = [
    ("spec/containers/1/ports/0/containerPort", "http",
     'spec.containers[1].ports[0].containerPort: expected an integer, got "http"'),
    ("spec/containers/0/ports/0/containerPort", 1.5, "spec.containers[0].ports[0].containerPort: expected an integer, got 1.5"),
    ("spec/containers/0/ports", {"containerPort": 80}, "spec.containers[0].ports: expected a list, got an object"),
    ("spec/containers/0/env/0/name", 5, "spec.containers[0].env[0].name: expected a string, got 5"),
    ("spec/containers/0/env/0", "A=1", 'spec.containers[0].env[0]: expected an object, got "A=1"'),
    ("spec/containers/0/readinessProbe/httpGet/port", [80],
     "spec.containers[0].readinessProbe.httpGet.port: expected an integer or a string, got a list"),
    ("spec/containers/0/readinessProbe/periodSeconds", "10s",
     'spec.containers[0].readinessProbe.periodSeconds: expected an integer, got "10s"'),
    ("spec/containers/0/name", None, None),  # null name: Go's zero value, accepted
    ("spec/containers/0/name", {"n": 1}, "spec.containers[0].name: expected a string, got an object"),
    ("spec/containers/1", None, "spec.containers[1]: expected an object, got null"),
    ("spec/containers", "app", 'spec.containers: expected a list, got "app"'),
    ("spec/containers/0/args", ["--port", 80], "spec.containers[0].args[1]: expected a string, got 80"),
    ("spec/containers/0/resources", {"limits": {"cpu": ["1"]}},
     'spec.containers[0].resources.limits["cpu"]: expected a quantity (a string or a number), got a list'),
    ("spec/containers/0/securityContext", {"runAsUser": "root"},
     'spec.containers[0].securityContext.runAsUser: expected an integer, got "root"'),
    ("spec/volumes", [{"name": 3}], "spec.volumes[0].name: expected a string, got 3"),
    ("spec/hostNetwork", "yes", 'spec.hostNetwork: expected a boolean, got "yes"'),
    ("spec", None, "spec: expected an object, got null"),
    ("spec", [], "spec: expected an object, got a list"),
    ("metadata", "p", 'metadata: expected an object, got "p"'),
    ("metadata/labels", ["app"], "metadata.labels: expected an object, got a list"),
    ("metadata/labels/app", 5, 'metadata.labels["app"]: expected a string, got 5'),
    ("metadata/annotations/sidecar.istio.io~1inject", False,
     'metadata.annotations["sidecar.istio.io/inject"]: expected a string, got false'),
    ("metadata/annotations/proxy.istio.io~1config", {"concurrency": 2},
     'metadata.annotations["proxy.istio.io/config"]: expected a string, got an object'),
    ("metadata/annotations/sidecar.istio.io~1status", '{"containers": 5}',
     'metadata.annotations["sidecar.istio.io/status"].containers: expected a list, got 5'),
    ("metadata/annotations/proxy.istio.io~1overrides", '{"containers": [{"name": 7}]}',
     'metadata.annotations["proxy.istio.io/overrides"].containers[0].name: expected a string, got 7'),
    ("metadata/annotations/proxy.istio.io~1overrides", "[1]",
     'metadata.annotations["proxy.istio.io/overrides"]: expected a JSON object, got a list'),
    ("metadata/ownerReferences", [{"kind": "ReplicaSet", "name": None, "apiVersion": "apps/v1", "controller": True}],
     "metadata.ownerReferences[0].name: expected a string, got null"),
    ("metadata/name", "x" * 100, None),  # long but fine
    ("metadata/annotations/a", "y" * 1000, None),
]


@pytest.mark.parametrize("which", CONFIGS)
@pytest.mark.parametrize("path,value,expected", SHAPES, ids=[f"{p}={str(v)[:12]}" for p, v, _e in SHAPES])
def test_wrong_pod_fields_are_denied_naming_the_field(which, path, value, expected):
    pod = _pod_with(path, value)
    out = review(_body(pod), _injector(which))
    resp = _answer(out)
    if expected is None:
        assert resp["allowed"], resp.get("status")
        _check_allowed(pod, resp, out.result)
        return
    assert resp["allowed"] is False and resp["status"]["code"] == 400
    assert expected in resp["status"]["message"]
    _check_denial(resp["status"]["message"])


def test_failure_policy_allow_lets_a_bad_pod_through_unpatched():
    pod = _pod_with("spec/containers/0/ports/0/containerPort", "http")
    out = review(_body(pod), _injector("default"), failure_policy="allow")
    resp = _answer(out)
    assert resp["allowed"] is True and "patch" not in resp and out.result == "failed"
    assert "containerPort" in resp["status"]["message"]


# ----------------------------------------------------------------------- annotations

ANNOTATION_CASES = [
    ("proxy.istio.io/config", "{"),
    ("proxy.istio.io/config", "[]"),
    ("proxy.istio.io/config", "concurrency: x"),
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "bad"),
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/33"),
    ("traffic.sidecar.istio.io/excludeInboundPorts", "http"),
    ("status.sidecar.istio.io/port", "x"),
    ("status.sidecar.istio.io/port", "99999"),
    ("readiness.status.sidecar.istio.io/applicationPorts", "x"),
    ("sidecar.istio.io/interceptionMode", "BOGUS"),
]


@pytest.mark.parametrize("which", CONFIGS)
@pytest.mark.parametrize("key,value", ANNOTATION_CASES)
def test_template_breaking_annotations_are_denied_naming_the_annotation(which, key, value):
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"][key] = value
    out = review(_body(pod), _injector(which))
    resp = _answer(out)
    assert resp["allowed"] is False
    msg = resp["status"]["message"]
    assert key in msg and value in msg
    _check_denial(msg)


@pytest.mark.parametrize("which", ["default", "istio-1.29.6"])
@pytest.mark.parametrize("key,value,field", [
    ("sidecar.istio.io/proxyCPU", "lots", 'resources.requests["cpu"]'),
    ("sidecar.istio.io/proxyMemoryLimit", "*", 'resources.limits["memory"]'),
])
def test_annotations_that_render_an_invalid_sidecar_are_denied(which, key, value, field):
    """Istio decodes its merged pod into corev1.Pod and fails; a patch the apiserver would
    reject is never answered."""
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"][key] = value
    resp = _answer(review(_body(pod), _injector(which)))
    assert resp["allowed"] is False
    msg = resp["status"]["message"]
    assert "template 'sidecar' rendered an invalid pod: container 'istio-proxy'" in msg
    assert field in msg and f'got "{value}"' in msg and "quantities must match" in msg
    _check_denial(msg)


def test_proxy_config_yaml_errors_give_the_position_in_the_annotation():
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"]["proxy.istio.io/config"] = "concurrency: 2\ndrainDuration: [5s\n"
    resp = _answer(review(_body(pod), _injector("default")))
    assert resp["allowed"] is False
    msg = resp["status"]["message"]
    assert "'proxy.istio.io/config'" in msg and "not valid YAML: line 3, column 1: " in msg
    assert "\n" not in msg.split("not valid YAML: ")[1]
    _check_denial(msg)


@pytest.mark.parametrize("which", ["default", "istio-1.29.6"])
def test_unknown_requested_template_names_the_annotation(which):
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"]["inject.istio.io/templates"] = "sidecar,nosuch"
    resp = _answer(review(_body(pod), _injector(which)))
    assert resp["allowed"] is False
    msg = resp["status"]["message"]
    assert "'nosuch'" in msg and "inject.istio.io/templates" in msg


# ----------------------------------------------------------------------- template errors

EXEC_ERROR_CONFIG = """\
policy: enabled
defaultTemplates: [sidecar]
templates:
  sidecar: |
    spec:
      containers:
      - name: istio-proxy
        image: {{ .Values.global.hub }}/proxy
        args: [{{ (index .Spec.Containers 7).Name }}]
"""

WRONG_ARG_CONFIG = """\
policy: enabled
templates:
  sidecar: |
    metadata:
      labels:
        n: {{ len .Spec.Containers }}
        x: {{ len 42 }}
"""

LEGACY_EXEC_ERROR_CONFIG = """\
policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: {{ index .Spec.Containers 3 }}
"""


@pytest.mark.parametrize("config,name,action,why", [
    (EXEC_ERROR_CONFIG, "sidecar", "<index .Spec.Containers 7>", "index out of range: 7"),
    (WRONG_ARG_CONFIG, "sidecar", "<len 42>", "len of type int"),
    (LEGACY_EXEC_ERROR_CONFIG, "inject", "<index .Spec.Containers 3>", "index out of range: 3"),
])
def test_template_exec_errors_keep_gos_shape(config, name, action, why):
    settings_ = Settings.from_texts(config, '{"global": {"hub": "docker.io/istio"}}')
    out = review(_body(POD), pod_injector_factory(settings_)({}))
    resp = _answer(out)
    assert resp["allowed"] is False and resp["status"]["code"] == 500
    msg = resp["status"]["message"]
    m = re.search(rf'template: {name}:(\d+):(\d+): executing "{name}" at {re.escape(action)}: ', msg)
    assert m, msg
    assert why in msg
    _check_denial(msg)


def test_template_parse_errors_name_line_and_column():
    from injector.template import ParseError

    bad = "policy: enabled\ntemplates:\n  sidecar: |\n    spec:\n      containers: {{ nosuchfunc 1 }}\n"
    # line 2 of the template is `  containers: {{ nosuchfunc 1 }}`: the name starts at byte 17
    with pytest.raises(ParseError, match=r'template: sidecar:2:17: function "nosuchfunc" not defined'):
        Settings.from_texts(bad)
    unclosed = "policy: enabled\ntemplates:\n  sidecar: |\n    a: {{ if .Values }}x\n"
    with pytest.raises(ParseError, match=r"template: sidecar:2:\d+: unexpected EOF"):
        Settings.from_texts(unclosed)


def test_missing_values_give_a_go_shaped_exec_error():
    """Istio 1.7.3's template on empty values: `.Values.global.proxy_init.image` is nil."""
    cfg = need_shared("conformance", "istio-1.7.3", "config")
    settings_ = Settings.from_texts((cfg / "config.yaml").read_text(), "{}", (cfg / "mesh.yaml").read_text())
    resp = _answer(review(_body(POD), pod_injector_factory(settings_)({})))
    assert resp["allowed"] is False
    msg = resp["status"]["message"]
    assert re.search(r'template: inject:\d+:\d+: executing "inject" at <\.Values\.global\.[\w.]+>: ', msg), msg
    _check_denial(msg)


def test_rendered_yaml_that_does_not_parse_names_the_template():
    config = "policy: enabled\ntemplates:\n  sidecar: |\n    spec:\n      containers: {{ \"[unclosed\" }}\n"
    resp = _answer(review(_body(POD), pod_injector_factory(Settings.from_texts(config))({})))
    assert resp["allowed"] is False
    assert "template 'sidecar'" in resp["status"]["message"]


# ----------------------------------------------------------------------- size and depth

def test_huge_annotation_is_answered_and_the_patch_applies():
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"]["big"] = "\u00e9" * 3_000_000  # ~6 MB of UTF-8
    out = review(_body(pod), _injector("default"))
    resp = _answer(out)
    assert resp["allowed"] and out.result == "injected"
    _check_allowed(pod, resp, out.result)


def test_thousands_of_containers_and_env_vars():
    pod = _pod_with("metadata/name", "p")
    pod["spec"]["containers"] = [{"name": f"c{i}", "image": "x", "env": [{"name": f"E{j}", "value": "v"} for j in range(20)]}
                                 for i in range(300)]
    pod["spec"]["containers"][299]["env"][19]["value"] = 19
    resp = _answer(review(_body(pod), _injector("default")))
    assert resp["allowed"] is False
    assert "spec.containers[299].env[19].value: expected a string, got 19" in resp["status"]["message"]


@pytest.mark.parametrize("depth", [50, 200, 900])
def test_deeply_nested_pods_are_answered(depth):
    pod = _pod_with("metadata/name", "p")
    pod["spec"]["containers"][0]["env"][0]["valueFrom"] = _nested(depth)
    body = json.dumps({"apiVersion": API_VERSIONS[0], "kind": "AdmissionReview",
                       "request": {"uid": "uid-1", "object": pod}}).encode()
    out = review(body, _injector("default"))
    resp = _answer(out)
    if resp["allowed"]:
        _check_allowed(pod, resp, out.result)
    else:
        assert "nested too deeply" in resp["status"]["message"] or "decode body" in resp["status"]["message"]


def test_server_answers_413_for_huge_bodies_and_keeps_serving():
    from starlette.testclient import TestClient

    from injector.webhook.app import Runtime, State, create_app

    state = State(runtime=Runtime(injector_for=pod_injector_factory(_settings("default")), max_body=64 * 1024),
                  certs_loaded=True)
    client = TestClient(create_app(state))
    pod = _pod_with("metadata/name", "p")
    pod["metadata"]["annotations"]["big"] = "x" * 100_000
    r = client.post("/inject", content=_body(pod), headers={"content-type": "application/json"})
    assert r.status_code == 413
    bad = _pod_with("spec/containers/0/ports/0/containerPort", "http")
    r = client.post("/inject", content=_body(bad), headers={"content-type": "application/json"})
    assert r.status_code == 200 and "containerPort" in r.json()["response"]["status"]["message"]
    r = client.post("/inject", content=_body(POD), headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["response"]["allowed"] and r.json()["response"]["patch"]


# ----------------------------------------------------------------------- podcheck fast path

@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pod=mutated_pods())
def test_podcheck_fast_path_never_accepts_what_the_checks_reject(pod):
    """podcheck's path-free predicates may be stricter than its named checks, never looser."""
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        for c in items if isinstance(items, list) else []:
            if isinstance(c, dict) and podcheck._container_ok(c):
                podcheck._container_checks(c, "c")  # must not raise


# ----------------------------------------------------------------------- podcheck cost

def test_podcheck_is_cheap_on_a_small_pod():
    """podcheck runs per admission; it must stay far below the pipeline's own cost."""
    pod = SEEDS[0]
    n = 2000
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            podcheck.check_pod(pod)
        best = min(best, (time.perf_counter() - t0) / n)
    assert best < 200e-6, f"podcheck took {best * 1e6:.1f} us on a small pod"
