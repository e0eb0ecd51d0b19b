"""k8stypes backends: the compiled normaliser gives the twin's output and errors exactly.

Compared on every workload document of the kube-inject corpora (inputs and goldens), on
what the injection pipeline itself normalises (rendered sidecar specs and pods, captured
while the 1.7.3 webhook corpus runs), and on hypothesis-mutated objects (wrong types at
random paths, nulls, floats for ints, numbers for strings, times, quantities, renamed and
unknown keys). "Exactly" means the same JSON text (so the same key order and the same
int/float/bool kinds) or the same exception type and message. Plus properties both
backends must have: zero structs are fresh copies, markers never leak, errors are not
cached.
"""
from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from injector import goyaml
from injector._ext import NO_EXTENSIONS
from tests.conftest import CONFORMANCE, need_shared

PY = "injector._k8stypes_py"
C = "injector._k8stypes_c"

# normalize's modes: Kubernetes 1.18 or current types, creationTimestamp kept or omitted,
# decoded by kind or into a named struct
MODES = [
    {},
    {"omit_creation_timestamp": True},
    {"omit_creation_timestamp": True, "legacy": True},
    {"legacy": False},
    {"as_type": "Deployment"},
    {"as_type": "Pod", "omit_creation_timestamp": True},
]


@pytest.fixture(params=[PY, C], scope="module")
def backend(request):
    if request.param == C and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return importlib.import_module(request.param)  # ImportError: build the extension


@pytest.fixture(scope="module")
def twin():
    return importlib.import_module(PY)


@pytest.fixture(scope="module")
def compiled():
    if NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return importlib.import_module(C)


def outcome(module, obj: Any, kwargs: dict) -> tuple:
    """What normalize does: its output as JSON text, or the exception's type and message."""
    try:
        out = module.normalize(obj, **kwargs)
    except Exception as e:  # noqa: BLE001  (every exception must match)
        return ("raise", type(e).__name__, str(e))
    return ("ok", json.dumps(out))


# ------------------------------------------------------------------ inputs

def _corpus_documents() -> list[dict]:
    docs = []
    for root in sorted(CONFORMANCE.glob("istio-*")):
        cases = json.loads((root / "cases.json").read_text(encoding="utf-8"))["cases"]
        files = sorted({rel for c in cases if "kube-inject" in c["kind"]
                        for rel in (c.get("input"), c.get("expected")) if rel})
        for rel in files:
            path = root / rel
            if not path.is_file():
                continue
            for raw in goyaml.split_documents(path.read_text(encoding="utf-8")):
                doc = goyaml.load(raw)
                if isinstance(doc, dict):
                    docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def corpus_docs() -> list[dict]:
    need_shared("conformance")
    docs = _corpus_documents()
    assert len(docs) >= 100
    return docs


@pytest.fixture(scope="module")
def pipeline_objects() -> list[tuple[Any, dict]]:
    """Every normalize call of the 1.7.3 webhook corpus: rendered specs and pods."""
    need_shared("conformance", "istio-1.7.3")
    from injector import k8stypes
    from tests import conformance

    calls: list[tuple[Any, dict]] = []
    real = k8stypes.normalize

    def spy(obj, **kwargs):
        calls.append((copy.deepcopy(obj), kwargs))
        return real(obj, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(k8stypes, "normalize", spy)
        conformance.run_corpus(CONFORMANCE / "istio-1.7.3", ("webhook-deployment", "webhook-patch"))
    return calls


# ------------------------------------------------------------------ parity on real objects

def test_corpus_workloads_identical(corpus_docs, twin, compiled):
    same = total = decoded = 0
    first_difference = None
    for doc in corpus_docs:
        for kwargs in MODES:
            a, b = outcome(twin, doc, kwargs), outcome(compiled, doc, kwargs)
            total += 1
            decoded += a[0] == "ok"
            if a == b:
                same += 1
            elif first_difference is None:
                first_difference = (doc.get("kind"), kwargs, a, b)
    assert decoded >= total // 2  # mostly real decodes, not just "no Go type" errors
    assert same == total, f"{same}/{total}; first: {first_difference}"


def test_rendered_specs_identical(pipeline_objects, twin, compiled):
    rendered = [obj for obj, _kw in pipeline_objects  # _typed_injection_spec's Pod: no metadata
                if obj.get("kind") == "Pod" and set(obj) == {"apiVersion", "kind", "spec"}]
    assert len(rendered) >= 20, "the webhook corpus should render sidecar specs"
    for obj, kwargs in pipeline_objects:
        for extra in ({}, {"legacy": True}, {"omit_creation_timestamp": not kwargs.get("omit_creation_timestamp")}):
            kw = {**kwargs, **extra}
            assert outcome(compiled, obj, kw) == outcome(twin, obj, kw), (obj.get("kind"), kw)


def test_selector_uses_one_of_the_backends():
    from injector import k8stypes

    assert k8stypes.normalize.__module__ in (PY, C)
    assert k8stypes.BACKEND == ("python" if k8stypes.normalize.__module__ == PY else "cython")
    assert k8stypes.K8sTypeError is importlib.import_module(PY).K8sTypeError


# ------------------------------------------------------------------ parity on mutated objects

TIMES = ["2020-01-02T03:04:05Z", "2020-01-02T03:04:05.123+05:30", "0001-01-01T00:00:00Z",
         "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00", "2020-13-01T00:00:00Z",
         "2020-01-02 03:04:05Z", "2020-01-02", ""]
QUANTITIES = ["100m", "0.5", "1.5Gi", "2000m", "1e3", " 5 ", "1024Mi", "bogus", "-1", "0"]

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 40), 2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 2.0, -3.0, 1.5]),
    st.text(max_size=6), st.sampled_from(TIMES + QUANTITIES + ["80", "http", "true"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=3),
    st.just({}), st.just([]),
)


def _paths(x: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(x, dict):
        for k, v in x.items():
            out += _paths(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            out += _paths(v, path + (i,))
    return out


def _parent(obj: Any, path: tuple) -> Any:
    for step in path[:-1]:
        obj = obj[step]
    return obj


def _mutate(data, obj: dict) -> dict:
    obj = copy.deepcopy(obj)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(obj)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        parent, last = _parent(obj, path), path[-1]
        op = data.draw(st.sampled_from(["set", "set", "set", "rename", "unknown", "delete", "time"]))
        if op == "set":
            parent[last] = data.draw(VALUES, label="value")
        elif op == "rename" and isinstance(parent, dict) and isinstance(last, str):
            new = data.draw(st.sampled_from([last.upper(), last.lower(), last.capitalize()]))
            parent[new] = parent.pop(last)  # encoding/json matches names case-insensitively
        elif op == "unknown" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["bogus", "Bogus", "x"]))] = data.draw(VALUES)
        elif op == "delete":
            del parent[last]
        elif op == "time":
            meta = obj.get("metadata")
            if isinstance(meta, dict):
                meta["creationTimestamp"] = data.draw(st.sampled_from(TIMES) | SCALARS)
    return obj


@pytest.fixture(scope="module")
def bases(corpus_docs, pipeline_objects) -> list[dict]:
    """A spread of real objects to mutate: one per kind and file, and rendered specs."""
    seen, out = set(), []
    for doc in corpus_docs:
        key = (doc.get("kind"), len(json.dumps(doc)) // 400)
        if key not in seen:
            seen.add(key)
            out.append(doc)
    out += [obj for obj, _kw in pipeline_objects[:40:4]]
    return out


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_objects_identical(bases, twin, compiled, data):
    obj = _mutate(data, data.draw(st.sampled_from(bases), label="base"))
    kwargs = data.draw(st.sampled_from(MODES), label="mode")
    assert outcome(compiled, obj, kwargs) == outcome(twin, obj, kwargs)


@pytest.mark.parametrize("value", [
    "80", 80.5, True, None, [1], {"a": 1}, float("nan"), float("inf"), 2.0, -0.0, 10 ** 30,
])
@pytest.mark.parametrize("path", [
    ("spec", "containers", 0, "ports", 0, "containerPort"),
    ("spec", "containers", 0, "name"),
    ("spec", "containers", 0, "resources", "limits", "cpu"),
    ("spec", "containers", 0, "readinessProbe", "httpGet", "port"),
    ("spec", "containers", 0, "args"),
    ("spec", "containers", 0, "env", 0),
    ("spec", "hostNetwork"),
    ("spec", "nodeSelector"),
    ("metadata", "creationTimestamp"),
    ("metadata", "labels", "app"),
    ("spec", "volumes", 0, "emptyDir"),
    ("spec",),
])
def test_wrong_types_identical(twin, compiled, path, value):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "a"}},
           "spec": {"containers": [{"name": "c", "args": ["x"], "env": [{"name": "E", "value": "v"}],
                                    "ports": [{"containerPort": 80}],
                                    "resources": {"limits": {"cpu": "1"}},
                                    "readinessProbe": {"httpGet": {"port": 8080}}}],
                    "volumes": [{"name": "v", "emptyDir": {}}]}}
    _parent(pod, path)[path[-1]] = value
    for kwargs in MODES[:3]:
        assert outcome(compiled, pod, kwargs) == outcome(twin, pod, kwargs)


@pytest.mark.parametrize("container", [
    {"NAME": "b", "name": "a", "Name": "z"},  # several keys folding to one field: the last wins
    {"name": "a", 1: "x"},  # a non-string key in a struct
    {"name": "a", "env": [{"name": "E", "value": 1e300}], "ports": [{"containerPort": 1e300}]},
    {"name": "a", "resources": {"limits": {1: "1", None: None}}},
])
def test_odd_keys_and_numbers_identical(twin, compiled, container):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {1: 2, None: True}},
           "spec": {"containers": [container]}}
    for kwargs in MODES:
        assert outcome(compiled, pod, kwargs) == outcome(twin, pod, kwargs)


# ------------------------------------------------------------------ properties of both

def test_zero_structs_are_fresh_copies(backend):
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}
    first = backend.normalize(obj)
    first["status"]["changed"] = 1
    first["spec"]["strategy"]["changed"] = 1
    first["spec"]["template"]["metadata"]["changed"] = 1
    first["spec"]["template"]["spec"]["containers"][0]["resources"]["changed"] = 1
    again = backend.normalize(obj)
    assert again["status"] == {} and again["spec"]["strategy"] == {}
    assert again["spec"]["template"]["metadata"] == {"creationTimestamp": None}
    assert again["spec"]["template"]["spec"]["containers"][0]["resources"] == {}
    empty = backend.normalize({"apiVersion": "apps/v1", "kind": "Deployment"})
    empty["spec"]["template"]["spec"]["x"] = 1
    assert backend.normalize({"apiVersion": "apps/v1", "kind": "Deployment"})["spec"]["template"]["spec"] == {
        "containers": None}


def test_empty_collections_are_fresh_and_markers_never_leak(backend):
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {
        "containers": [], "nodeSelector": {"a": None, "b": ""},
        "volumes": [{"name": "v", "csi": {"driver": "d", "volumeAttributes": {}}}],
        "initContainers": [{"name": "i", "args": [None, "", 0], "command": [],
                            "env": [{"name": "E", "valueFrom": None}]}],
    }}
    out = backend.normalize(pod)
    json.dumps(out)  # every value is plain JSON
    assert out["spec"]["containers"] == [] and type(out["spec"]["containers"]) is list
    assert out["spec"]["nodeSelector"] == {"a": "", "b": ""}
    assert out["spec"]["initContainers"][0]["args"] == ["", "", "0"]
    assert "command" not in out["spec"]["initContainers"][0]
    out["spec"]["containers"].append(1)
    assert backend.normalize(pod)["spec"]["containers"] == []


def test_quantity_errors_are_not_cached(backend):
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [
        {"name": "c", "resources": {"limits": {"cpu": "lots"}, "requests": {"cpu": "250m"}}}]}}
    for _ in range(2):
        with pytest.raises(ValueError, match=r"Pod\.spec\.containers\[0\]\.resources\.limits\.cpu: "):
            backend.normalize(pod)
    pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "2000m"
    for _ in range(2):
        assert backend.normalize(pod)["spec"]["containers"][0]["resources"] == {
            "limits": {"cpu": "2"}, "requests": {"cpu": "250m"}}


def test_dict_and_list_subclasses_decode_like_plain_ones(backend):
    class D(dict):
        pass

    class L(list):
        pass

    plain = {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": 1}},
             "spec": {"containers": [{"name": "c", "args": ["x", 2]}]}}
    sub = D(apiVersion="v1", kind="Pod", metadata=D(labels=D(a=1)),
            spec=D(containers=L([D(name="c", args=L(["x", 2]))])))
    assert json.dumps(backend.normalize(sub)) == json.dumps(backend.normalize(plain))


def test_deeply_nested_lists_raise_recursion_error(backend):
    root = cur = {"apiVersion": "v1", "kind": "List", "items": []}
    for _ in range(20000):
        nxt = {"apiVersion": "v1", "kind": "List", "items": []}
        cur["items"].append(nxt)
        cur = nxt
    with pytest.raises(RecursionError):
        backend.normalize(root)
