"""The JSON Patch differ, for both backends: correctness (applied with the independent
`jsonpatch` package), minimal patch shapes on pod-like data, Istio's webhook corpus, and
that the compiled module returns exactly the twin's operations.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import json
from pathlib import Path

import jsonpatch
import orjson
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from injector._ext import NO_EXTENSIONS
from tests.conftest import ROOT, need_shared

PY = "injector._jsondiff_py"
C = "injector._jsondiff_c"
HAVE_C_SOURCE = (ROOT / "_speedups" / "_jsondiff_c.pyx").exists()
BACKENDS = [PY] + ([C] if HAVE_C_SOURCE else [])


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request):
    if request.param == C and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    # A missing compiled module is a failure here, not a skip (build it in place).
    return importlib.import_module(request.param)


def _twins():
    if NO_EXTENSIONS or not HAVE_C_SOURCE:
        pytest.skip("compiled differ disabled or absent")
    return importlib.import_module(PY), importlib.import_module(C)


def canon(value) -> bytes:
    """Type-strict JSON equality: True != 1, 1 != 1.0, 0.0 != -0.0; key order ignored."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def apply(doc, ops):
    return jsonpatch.apply_patch(copy.deepcopy(doc), copy.deepcopy(ops))


def check_roundtrip(mod, a, b) -> list[dict]:
    ops = mod.diff(a, b)
    for op in ops:
        keys = list(op)
        assert keys == (["op", "path"] if op["op"] == "remove" else ["op", "path", "value"]), op
        assert op["op"] in ("add", "remove", "replace")
    assert canon(apply(a, ops)) == canon(b), ops
    return ops


# ---------------------------------------------------------------- strategies

# Few distinct scalars, so lists repeat elements and type-confusable values meet.
confusable = st.sampled_from([0, 1, -1, 0.0, -0.0, 1.0, 1.5, True, False, None, "", "a", "1"])
scalars = (
    confusable
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
# jsonpatch refuses replace/remove on any path ending in "-", even a map member named
# "-" (RFC 6901 makes "-" special for arrays only), so that one key is left out.
keys = st.text(alphabet="ab/~0-", max_size=4).filter(lambda k: k != "-")
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@st.composite
def mutated(draw, value):
    """A random edit of `value`: keys dropped/changed/added, list items inserted/removed/changed."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    if isinstance(value, dict):
        out = {}
        for key, val in value.items():
            choice = draw(st.integers(0, 5))
            if choice == 0:
                continue
            out[key] = draw(mutated(val)) if choice == 1 else val
        for _ in range(draw(st.integers(0, 2))):
            out[draw(keys)] = draw(json_values)
        if draw(st.integers(0, 3)) == 0:  # same keys, another order
            out = dict(reversed(list(out.items())))
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            choice = draw(st.integers(0, 6))
            if choice == 0:
                continue
            if choice == 1:
                out.append(draw(json_values))
            out.append(draw(mutated(item)) if choice == 2 else item)
        if draw(st.booleans()):
            out.insert(draw(st.integers(0, len(out))), draw(json_values))
        return out
    return draw(scalars)


@st.composite
def edited_pairs(draw):
    a = draw(json_values)
    return a, draw(mutated(a))


pairs = edited_pairs() | st.tuples(json_values, json_values)

# Long lists of named and unnamed maps and scalars: Myers bounds, big unmatched runs.
list_items = (
    st.builds(lambda n, v: {"name": n, "value": v}, st.sampled_from("abcdef"), st.integers(0, 2))
    | st.builds(lambda v: {"value": v}, st.integers(0, 2))
    | st.integers(0, 3)
    | st.lists(st.integers(0, 1), max_size=2)
)
long_lists = st.lists(list_items, max_size=120)


@st.composite
def long_list_pairs(draw):
    a = draw(long_lists)
    return a, draw(mutated(a))


HYP = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- properties


@HYP
@given(pair=pairs)
def test_patch_applies_to_mutated(backend, pair):
    a, b = pair
    check_roundtrip(backend, a, b)


@HYP
@given(a=json_values)
def test_no_change_no_ops(backend, a):
    assert backend.diff(a, a) == []
    assert backend.diff(a, copy.deepcopy(a)) == []


@HYP
@given(pair=pairs)
def test_backends_identical(pair):
    py, c = _twins()
    a, b = pair
    assert canon(c.diff(a, b)) == canon(py.diff(a, b))
    assert c.json_equal(a, b) == py.json_equal(a, b) == (canon(a) == canon(b))
    # decoded separately, as in the webhook: equal values are distinct objects
    b2 = orjson.loads(orjson.dumps(b))
    assert canon(c.diff(a, b2)) == canon(py.diff(a, b2)) == canon(py.diff(a, b))
    assert c.diff(a, orjson.loads(orjson.dumps(a))) == []


@LONG
@given(pair=long_list_pairs() | st.tuples(long_lists, long_lists))
def test_long_lists(backend, pair):
    a, b = pair
    check_roundtrip(backend, {"l": a}, {"l": b})


@contextlib.contextmanager
def tiny_limits():
    """Alignment bounds small enough that every fallback path runs on small inputs."""
    mods = [importlib.import_module(m) for m in BACKENDS if m == PY or not NO_EXTENSIONS]
    old = [m._set_limits(2, 6) for m in mods]
    try:
        yield
    finally:
        for m, (d, cells) in zip(mods, old):
            m._set_limits(d, cells)


@LONG
@given(pair=long_list_pairs() | pairs)
def test_fallbacks_apply_and_agree(pair):
    a, b = pair
    with tiny_limits():
        ops = check_roundtrip(importlib.import_module(PY), a, b)
        if HAVE_C_SOURCE and not NO_EXTENSIONS:
            c_ops = check_roundtrip(importlib.import_module(C), a, b)
            assert canon(c_ops) == canon(ops)


@LONG
@given(pair=long_list_pairs())
def test_backends_identical_long_lists(pair):
    py, c = _twins()
    a, b = pair
    assert canon(c.diff(a, b)) == canon(py.diff(a, b))


@pytest.mark.parametrize(
    "a, b",
    [
        (1, True),
        (True, 1),
        (0, False),
        (1, 1.0),
        (0.0, -0.0),
        ({"x": [1, 0]}, {"x": [True, False]}),
        ([1, 2.0], [1.0, 2]),
    ],
)
def test_type_strict_equality(backend, a, b):
    ops = check_roundtrip(backend, a, b)
    assert ops, "values that serialise differently must produce a patch"
    assert not backend.json_equal(a, b)


def test_escaping(backend):
    a = {"metadata": {"name": "p", "annotations": {"a~b/c": "1", "keep": "k"}}}
    b = {"metadata": {"name": "p", "annotations": {"a~b/c": "2", "keep": "k", "x/y": "3"}}}
    ops = check_roundtrip(backend, a, b)
    assert ops == [
        {"op": "replace", "path": "/metadata/annotations/a~0b~1c", "value": "2"},
        {"op": "add", "path": "/metadata/annotations/x~1y", "value": "3"},
    ]


@pytest.mark.parametrize("key, token", [("~/", "~0~1"), ("/~", "~1~0"), ("~1", "~01"), ("a//b", "a~1~1b")])
def test_escaping_order(backend, key, token):
    ops = check_roundtrip(backend, {key: [], "k": 0}, {"k": 0})
    assert ops == [{"op": "remove", "path": f"/{token}"}]


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_deep_nesting_is_a_recursion_error_not_a_crash(backend, kind):
    a, b = 1, 2
    for _ in range(100_000):
        a, b = ([a], [b]) if kind == "list" else ({"k": a}, {"k": b})
    with pytest.raises(RecursionError):
        backend.diff(a, b)
    with pytest.raises(RecursionError):
        backend.json_equal(a, b)
    with pytest.raises(RecursionError):
        backend.diff([0, a], [b])


def test_root_and_whole_replacements(backend):
    assert backend.diff({"a": 1}, [1]) == [{"op": "replace", "path": "", "value": [1]}]
    assert backend.diff({"l": []}, {"l": [1, 2]}) == [{"op": "replace", "path": "/l", "value": [1, 2]}]
    assert backend.diff({"l": [1, 2, 3], "k": 0}, {"l": [], "k": 0}) == [
        {"op": "replace", "path": "/l", "value": []}
    ]
    # a map whose members are all replaced whole is one replace, but never the root
    assert backend.diff({"m": {"a": 1, "b": 2}}, {"m": {"a": 3, "b": 4}}) == [
        {"op": "replace", "path": "/m", "value": {"a": 3, "b": 4}}
    ]
    assert backend.diff({"a": 1, "b": 2}, {"a": 3, "b": 4}) == [
        {"op": "replace", "path": "/a", "value": 3},
        {"op": "replace", "path": "/b", "value": 4},
    ]
    # one element: a plain add / remove
    assert backend.diff({"l": []}, {"l": [1]}) == [{"op": "add", "path": "/l/-", "value": 1}]
    assert backend.diff({"l": [1], "k": 0}, {"l": [], "k": 0}) == [{"op": "remove", "path": "/l/0"}]


def test_removals_highest_index_first(backend):
    a = {"l": list(range(10)), "k": 0}
    b = {"l": [0, 1, 5, 6, 7, 8, 9], "k": 0}
    ops = check_roundtrip(backend, a, b)
    assert ops == [{"op": "remove", "path": f"/l/{i}"} for i in (4, 3, 2)]


def test_modified_element_patched_in_place(backend):
    a = {"c": [{"name": "app", "image": "x", "ports": [80]}]}
    b = {"c": [{"name": "istio-proxy"}, {"name": "app", "image": "y", "ports": [80]}]}
    ops = check_roundtrip(backend, a, b)
    assert ops == [
        {"op": "add", "path": "/c/0", "value": {"name": "istio-proxy"}},
        {"op": "replace", "path": "/c/1/image", "value": "y"},
    ]


# ---------------------------------------------------------------- pod-like data


def container(name: str, env: int = 2) -> dict:
    return {
        "name": name,
        "image": f"example.com/{name}:1.0",
        "env": [{"name": f"VAR_{i}", "value": str(i)} for i in range(env)],
        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
        "resources": {},
    }


def pod(containers: int, inits: int, volumes: int, env: int = 2, annotations: bool = True) -> dict:
    meta: dict = {"name": "p", "namespace": "ns", "labels": {"app": "p"}}
    if annotations:
        meta["annotations"] = {"prometheus.io/port": "9100"}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "initContainers": [container(f"init-{i}", env) for i in range(inits)],
            "containers": [container(f"app-{i}", env) for i in range(containers)],
            "volumes": [{"name": f"v{i}", "emptyDir": {}} for i in range(volumes)],
        },
    }


SIDECARS = {
    "initContainers": {"name": "istio-init", "image": "proxyv2", "args": ["-p", "15001"]},
    "containers": container("istio-proxy", 5),
    "volumes": {"name": "istio-envoy", "emptyDir": {"medium": "Memory"}},
}


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 5)),
    field=st.sampled_from(sorted(SIDECARS)),
    where=st.floats(0, 1),
)
def test_insert_one_element_is_one_add(backend, sizes, field, where):
    a = pod(*sizes)
    b = copy.deepcopy(a)
    n = len(b["spec"][field])
    index = round(where * n)
    b["spec"][field].insert(index, SIDECARS[field])
    ops = check_roundtrip(backend, a, b)
    token = "-" if index == n else str(index)
    assert ops == [{"op": "add", "path": f"/spec/{field}/{token}", "value": SIDECARS[field]}]


@settings(max_examples=40, deadline=None)
@given(sizes=st.tuples(st.integers(2, 6), st.integers(2, 4), st.integers(2, 5)), data=st.data())
def test_remove_one_element_is_one_remove(backend, sizes, data):
    a = pod(*sizes)
    field = data.draw(st.sampled_from(["initContainers", "containers", "volumes"]))
    index = data.draw(st.integers(0, len(a["spec"][field]) - 1))
    b = copy.deepcopy(a)
    del b["spec"][field][index]
    assert check_roundtrip(backend, a, b) == [{"op": "remove", "path": f"/spec/{field}/{index}"}]


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.tuples(st.integers(0, 4), st.integers(0, 3), st.integers(0, 4)),
    annotations=st.booleans(),
    hold=st.booleans(),
    native=st.booleans(),
)
def test_injection_patch_is_minimal(backend, sizes, annotations, hold, native):
    """Istio-like injection: one op per added element (or one per new list), one per new key."""
    a = pod(*sizes, annotations=annotations)
    b = copy.deepcopy(a)
    spec, meta = b["spec"], b["metadata"]
    expected = 0
    inits = spec["initContainers"]
    # istio-validation/istio-init first; a native sidecar after the user's init containers
    new_inits = [(0, {"name": "istio-validation", "image": "proxyv2"})]
    if native:
        new_inits.append((len(inits) + 1, container("istio-proxy", 5)))
    for index, item in new_inits:
        inits.insert(index, item)
    expected += 1 if (sizes[1] == 0 and len(new_inits) > 1) else len(new_inits)
    if not native:
        at = 0 if hold else len(spec["containers"])
        spec["containers"].insert(at, container("istio-proxy", 5))
        expected += 1
    before = len(spec["volumes"])
    spec["volumes"] += [{"name": "istio-envoy", "emptyDir": {}}, {"name": "istio-data", "emptyDir": {}}]
    expected += 1 if before == 0 else 2
    new_annotations = {"sidecar.istio.io/status": "{}", "prometheus.io/path": "/stats/prometheus"}
    if annotations:
        meta["annotations"].update(new_annotations)
        expected += len(new_annotations)
    else:
        meta["annotations"] = new_annotations
        expected += 1
    meta["labels"]["security.istio.io/tlsMode"] = "istio"
    expected += 1
    ops = check_roundtrip(backend, a, b)
    assert len(ops) == expected, ops
    assert all(op["op"] != "remove" for op in ops)


def test_probe_rewrite_touches_only_the_probe(backend):
    a = pod(2, 0, 1)
    a["spec"]["containers"][1]["readinessProbe"] = {"httpGet": {"port": 8080, "path": "/ready"}, "periodSeconds": 5}
    b = copy.deepcopy(a)
    b["spec"]["containers"][1]["readinessProbe"]["httpGet"] = {"path": "/app-health/app-1/readyz", "port": 15020}
    b["spec"]["containers"].insert(0, container("istio-proxy", 3))
    ops = check_roundtrip(backend, a, b)
    assert ops == [
        {"op": "add", "path": "/spec/containers/0", "value": b["spec"]["containers"][0]},
        {
            "op": "replace",
            "path": "/spec/containers/2/readinessProbe/httpGet",
            "value": {"path": "/app-health/app-1/readyz", "port": 15020},
        },
    ]


@pytest.mark.parametrize("index", [0, 1000, 2000])
def test_2000_env_vars_insert(backend, index):
    a = pod(1, 0, 1, env=2000)
    b = copy.deepcopy(a)
    new = {"name": "ISTIO_META", "value": "x"}
    b["spec"]["containers"][0]["env"].insert(index, new)
    b["spec"]["containers"].append(container("istio-proxy"))
    ops = check_roundtrip(backend, a, b)
    token = "-" if index == 2000 else str(index)
    assert ops[0] == {"op": "add", "path": f"/spec/containers/0/env/{token}", "value": new}
    assert len(ops) == 2


def test_2000_env_vars_scattered_edits(backend):
    a = pod(1, 0, 1, env=2000)
    b = copy.deepcopy(a)
    env = b["spec"]["containers"][0]["env"]
    env[10]["value"] = "changed"
    del env[500]
    env.insert(1500, {"name": "NEW", "value": "1"})
    env[1990]["value"] = "changed too"
    ops = check_roundtrip(backend, a, b)
    assert len(ops) == 4


def test_2000_env_vars_all_changed_still_correct(backend):
    """Past the Myers bound the middle is paired by position: still a correct patch."""
    a = pod(1, 0, 1, env=2000)
    b = copy.deepcopy(a)
    b["spec"]["containers"][0]["env"] = [{"name": f"V{i}", "value": "z"} for i in range(1990)]
    check_roundtrip(backend, a, b)


# ---------------------------------------------------------------- Istio's webhook corpus


def webhook_cases() -> list[dict]:
    from tests.conftest import CONFORMANCE

    path = CONFORMANCE / "istio-1.7.3" / "cases.json"
    if not path.exists():
        return []
    cases = json.loads(path.read_text())["cases"]
    return [c for c in cases if c["kind"] == "webhook-patch"]


CASES = webhook_cases()


@pytest.mark.parametrize("case", CASES or [None], ids=[c["id"] for c in CASES] or ["absent"])
def test_istio_webhook_patches(backend, case):
    """diff(input, Istio's result) rebuilds Istio's result with no more ops than Istio used."""
    root = need_shared("conformance", "istio-1.7.3")
    if case is None:
        pytest.skip("no webhook-patch cases")
    pod_in = yaml.safe_load((root / case["input"]).read_text())
    # The apiserver patches the typed Pod, whose JSON always has these objects; many
    # inputs give only `spec`, and Istio's patch adds under /metadata.
    for part in ("metadata", "spec"):
        if not isinstance(pod_in.get(part), dict):
            pod_in[part] = {}
    istio_ops = json.loads((root / case["expected"]).read_text())
    istio_pod = apply(pod_in, istio_ops)
    ops = check_roundtrip(backend, pod_in, istio_pod)
    assert len(ops) <= len(istio_ops), (len(ops), len(istio_ops), ops)


def test_istio_corpus_present():
    need_shared("conformance", "istio-1.7.3", "cases.json")
    assert len(CASES) >= 20, "webhook-patch cases missing from cases.json"


@pytest.mark.parametrize("case", CASES or [None], ids=[c["id"] for c in CASES] or ["absent"])
def test_pipeline_webhook_patches(backend, case):
    """End to end: our injection of Istio's input, diffed, gives a patch that rebuilds our pod
    exactly, matches Istio's result (typed comparison) and has no more ops than Istio's."""
    root = need_shared("conformance", "istio-1.7.3")
    if case is None:
        pytest.skip("no webhook-patch cases")
    pytest.importorskip("injector.template.funcs.sets", reason="template engine not available")
    from injector import goyaml, k8stypes
    from injector.inject import MODE_WEBHOOK, inject_pod
    from tests.conformance import case_settings, load_corpus

    def typed(pod):
        return k8stypes.normalize({"apiVersion": "v1", "kind": "Pod", **pod}, omit_creation_timestamp=True)

    env = case.get("environment") or {}
    pod = goyaml.load((root / case["input"]).read_text()) or {}
    # the JSON of the typed Pod, as the apiserver sends it
    pod = k8stypes.normalize({"apiVersion": "v1", "kind": "Pod", **pod}, omit_creation_timestamp=False)
    for part in ("metadata", "spec"):
        pod.setdefault(part, {})
    result = inject_pod(copy.deepcopy(pod), case_settings(load_corpus(root), case),
                        namespace=env.get("request_namespace") or "", mode=MODE_WEBHOOK,
                        version=env.get("sidecar_template_version"))
    ops = check_roundtrip(backend, pod, result.pod)
    istio_ops = json.loads((root / case["expected"]).read_text())
    assert typed(apply(pod, ops)) == typed(apply(pod, istio_ops))
    assert len(ops) <= len(istio_ops), (len(ops), len(istio_ops), ops)


@functools.lru_cache(maxsize=None)
def kube_inject_pairs(root: Path) -> list[tuple[str, dict, dict]]:
    """(id, workload, Istio's injected workload) for every kube-inject golden of a corpus."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for case in json.loads((root / "cases.json").read_text())["cases"]:
        if case["kind"] != "kube-inject" or not case.get("expected"):
            continue
        docs_in = [d for d in yaml.load_all((root / case["input"]).read_text(), loader) if isinstance(d, dict)]
        docs_out = [d for d in yaml.load_all((root / case["expected"]).read_text(), loader) if isinstance(d, dict)]
        if len(docs_in) == len(docs_out):
            out += [(f"{case['id']}#{i}", a, b) for i, (a, b) in enumerate(zip(docs_in, docs_out))]
    return out


@pytest.mark.parametrize("corpus", ["istio-1.7.3", "istio-1.29.6"])
def test_kube_inject_goldens_as_diff_pairs(backend, corpus):
    """Real injections (1.29.6: native sidecars, istio-validation first): every workload ->
    injected workload patch applies exactly, and both backends agree."""
    pairs = kube_inject_pairs(need_shared("conformance", corpus))
    assert len(pairs) >= 10, "kube-inject goldens missing"
    twin = importlib.import_module(PY)
    for case_id, a, b in pairs:
        ops = check_roundtrip(backend, a, b)
        assert canon(ops) == canon(twin.diff(a, b)), case_id


@pytest.mark.parametrize("edit", ["insert", "append", "scattered"])
def test_long_env_list_alignment_is_linear(monkeypatch, edit):
    """Element comparisons grow linearly with the list (prefix/suffix trimming + bounded Myers)."""
    twin = importlib.import_module(PY)
    real = twin.json_equal
    calls = 0

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(twin, "json_equal", counting)
    per_element = []
    for n in (1000, 4000):
        a = pod(1, 0, 1, env=n)
        b = copy.deepcopy(a)
        env = b["spec"]["containers"][0]["env"]
        if edit == "insert":
            env.insert(n // 2, {"name": "X", "value": "1"})
        elif edit == "append":
            env.append({"name": "X", "value": "1"})
        else:
            env[10]["value"] = "z"
            del env[n // 4]
            env.insert(n // 2, {"name": "N", "value": "1"})
            env[-10]["value"] = "y"
        calls = 0
        check_roundtrip(twin, a, b)
        per_element.append(calls / n)
    # an env entry costs 3 comparisons (the map, its two strings); a little slack, no growth
    assert max(per_element) < 4
    assert per_element[1] <= per_element[0] * 1.1


# ------------------------------------------------------------------ plain_json

class _Str(str):
    pass


_any_values = st.recursive(
    st.none() | st.booleans() | st.text(max_size=4) | st.floats()
    | st.integers(min_value=-(2**65), max_value=2**65) | st.builds(_Str, st.text(max_size=2)),
    lambda inner: st.lists(inner, max_size=3) | st.lists(inner, max_size=2).map(tuple)
    | st.dictionaries(st.text(max_size=3) | st.integers(0, 3), inner, max_size=3),
    max_leaves=12,
)


def _round_trips_exactly(v) -> bool:
    """The definition: orjson writes it and reads back the same value, types included."""
    try:
        back = orjson.loads(orjson.dumps(v))
    except (TypeError, orjson.JSONEncodeError):
        return False

    def same(a, b) -> bool:
        if type(a) is not type(b):
            return False
        if type(a) is dict:
            return a.keys() == b.keys() and all(type(k) is str for k in a) and all(same(a[k], b[k]) for k in a)
        if type(a) is list:
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if type(a) is float:
            return a == b and str(a) == str(b)  # NaN never equals; -0.0 keeps its sign
        return a == b

    return same(v, back)


@settings(max_examples=400, deadline=None)
@given(v=_any_values)
def test_plain_json_is_exactly_orjson_round_trip(backend, v):
    assert backend.plain_json(v) == _round_trips_exactly(v)


def test_plain_json_bounds(backend):
    assert backend.plain_json({"a": [2**64 - 1, -(2**63), -0.0, None, True, ""]})
    for bad in ({"a": float("nan")}, [float("-inf")], (1,), {1: "x"}, 2**64, -(2**63) - 1,
                {"a": _Str("x")}, {"a": {"b": [object()]}}):
        assert not backend.plain_json(bad), bad
    deep = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        backend.plain_json(deep)
