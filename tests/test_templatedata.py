"""Template data converters (`injector.templatedata`): both backends, one suite.

Every backend's output is checked against the rules of the value model (written here as
checks, not as a second converter): Go field names, `Int64` for integers, zero tables in
order, `StrMap`s, port `GoStruct`s, fresh objects. The compiled backend must moreover
give exactly what the pure-Python reference gives: same values, same types (`Int64` vs
`int`, `StrMap.nil`, every `GoStruct` slot), same key order, same exception types. Inputs:
every pod (template) in the conformance corpora and the Go anchor's pods, edge cases,
and hypothesis-generated JSON pods.
"""
from __future__ import annotations

import copy
import importlib
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from injector import _templatedata_py as ref
from injector import goyaml
from injector._ext import NO_EXTENSIONS
from injector.template.values import GoStruct, Int64, StrMap
from tests.conftest import CONFORMANCE, SHARED, need_shared

COMPILED = "injector._templatedata_c"
BACKENDS = [
    pytest.param("injector._templatedata_py", id="python"),
    pytest.param(COMPILED, id="compiled", marks=pytest.mark.skipif(
        NO_EXTENSIONS, reason="INJECTOR_NO_EXTENSIONS is set: twins only")),
]
CORPORA = ("istio-1.7.3", "istio-1.29.6")


@pytest.fixture(params=BACKENDS)
def td(request):
    return importlib.import_module(request.param)


@pytest.fixture
def compiled():
    if NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set: twins only")
    return importlib.import_module(COMPILED)


# ------------------------------------------------------------------ helpers

def dump(v: Any) -> Any:
    """A comparable picture of a value: types, order, StrMap.nil, every GoStruct slot."""
    t = type(v)
    if isinstance(v, dict):
        out = [t.__name__, [(dump(k), dump(x)) for k, x in v.items()]]
        if isinstance(v, StrMap):
            out.append(v.nil)
        return out
    if isinstance(v, (list, tuple)):
        return [t.__name__, [dump(x) for x in v]]
    if isinstance(v, GoStruct):
        slots = [s for c in type(v).__mro__ for s in getattr(c, "__slots__", ())]
        return ["GoStruct", [(s, dump(getattr(v, s))) for s in slots]]
    return [t.__name__, repr(v)]


def outcome(fn, *args, **kwargs) -> Any:
    """dump of the result, or the exception type."""
    try:
        return dump(fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 - the type is what is compared
        return ("raised", type(e).__name__)


def build_kwargs(deploy_meta: Any, meta: Any, spec: Any, legacy: bool) -> dict:
    return {"legacy": legacy, "type_meta": {"kind": "Deployment", "apiVersion": "apps/v1"},
            "deploy_meta": deploy_meta if legacy else {"name": "web", "namespace": "ns"},
            "pod_meta": meta, "pod_spec": spec, "proxy_config": {"pc": 1}, "mesh_config": {"m": 1},
            "values": {"v": 1}}


def _expected_map(src: dict) -> dict:
    """Go name -> source value, as a map conversion keeps them (last of a name wins)."""
    out: dict = {}
    for k, x in src.items():
        out[ref.go_name(k)] = x
    return out


def check_go(out: Any, src: Any, where: str) -> None:
    """`out` is the generic Go view of the JSON value `src`."""
    t = type(src)
    if t in (str, bool, float) or src is None:
        assert out is src, where
    elif t is int:
        assert type(out) is Int64 and out == src, where
    elif t is dict:
        exp = _expected_map(src)
        assert type(out) is dict and list(out) == list(exp), where
        for name, x in exp.items():
            check_go(out[name], x, f"{where}.{name}")
    elif t is list:
        assert type(out) is list and len(out) == len(src) and out is not src, where
        for i, (o, x) in enumerate(zip(out, src)):
            check_go(o, x, f"{where}[{i}]")
    else:
        raise AssertionError(f"{where}: not JSON: {src!r}")


def check_port(out: Any, src: Any, where: str) -> None:
    assert type(out) is GoStruct and out.type_name == "v1.ContainerPort", where
    src = src if isinstance(src, dict) else {}
    assert [(n, t) for n, t, _ in out.fields] == [(n, t) for n, t, _, _ in ref._PORT_FIELDS], where
    for go, _tag, js, zero in ref._PORT_FIELDS:
        got, x = out.get(go), src.get(js)
        if isinstance(zero, Int64):
            assert type(got) is Int64 and got == int(x or 0), f"{where}.{go}"
        else:
            assert got is (zero if x is None else x), f"{where}.{go}"


def check_struct(out: Any, src: Any, zeros: dict, where: str) -> None:
    """A known struct: the zero table's fields in order (value or fresh zero), then the rest."""
    src = src if isinstance(src, dict) else {}
    extra = _expected_map({k: x for k, x in src.items() if k not in zeros})
    names = [ref.go_name(k) for k in zeros]
    assert type(out) is dict, where
    assert list(out) == names + [n for n in extra if n not in names], where
    for k, zero in zeros.items():
        name, x = ref.go_name(k), src.get(k)
        got, at = out[name], f"{where}.{name}"
        if name in extra:
            check_go(got, extra[name], at)  # an unknown key of the same Go name came later
        elif k in ref._STRMAP_FIELDS:
            assert type(got) is StrMap and got.nil == (x is None), at
            if x is not None:
                assert dict(got) == {str(a): ref._s(b) for a, b in x.items()}, at
                assert all(type(a) is str for a in got) and all(isinstance(b, str) for b in got.values()), at
        elif k in ref._CONTAINER_LISTS and k in src:
            assert type(got) is list and len(got) == len(list(x or [])), at
            for i, (c, s) in enumerate(zip(got, x or [])):
                check_struct(c, s, ref._CONTAINER_ZERO, f"{at}[{i}]")
        elif k in ref._PORT_LISTS and k in src:
            assert type(got) is list and len(got) == len(list(x or [])), at
            for i, (p, s) in enumerate(zip(got, x or [])):
                check_port(p, s, f"{at}[{i}]")
        elif x is not None:
            check_go(got, x, at)
        else:
            assert type(got) is type(zero) and got == zero, at
            if isinstance(zero, (list, dict)):
                assert got is not zero, f"{at}: shares the zero table's object"
    for name, x in extra.items():
        if name not in names:
            check_go(out[name], x, f"{where}.{name}")


def check_data(data: dict, kw: dict) -> None:
    """The whole template data of `build(**kw)`."""
    keys = ["TypeMeta", "DeploymentMeta", "ObjectMeta", "Spec", "ProxyConfig", "MeshConfig", "Values"]
    if not kw["legacy"]:
        keys += ["Revision", "NativeSidecars", "ProxyImage", "ProxyUID", "ProxyGID",
                 "InboundTrafficPolicyMode", "CompliancePolicy"]
        assert type(data["ProxyUID"]) is Int64 and data["ProxyUID"] == kw.get("proxy_uid", 1337)
    assert list(data) == keys
    for k in ("ProxyConfig", "MeshConfig", "Values"):
        assert data[k] is kw[{"ProxyConfig": "proxy_config", "MeshConfig": "mesh_config",
                              "Values": "values"}[k]]
    assert data["TypeMeta"] == {"Kind": "Deployment", "APIVersion": "apps/v1"}
    if kw["legacy"]:
        check_struct(data["DeploymentMeta"], kw["deploy_meta"], ref._OBJECT_META_ZERO, "DeploymentMeta")
    check_struct(data["ObjectMeta"], kw["pod_meta"], ref._OBJECT_META_ZERO, "ObjectMeta")
    check_struct(data["Spec"], kw["pod_spec"], ref._POD_SPEC_ZERO, "Spec")


def mutables(v: Any, seen: dict | None = None) -> dict:
    """id -> object of every dict, list and GoStruct field list reachable from v."""
    seen = {} if seen is None else seen
    if isinstance(v, (dict, list)):
        seen[id(v)] = v
        for x in (v.values() if isinstance(v, dict) else v):
            mutables(x, seen)
    elif isinstance(v, GoStruct):
        seen[id(v)] = v
        seen[id(v.fields)] = v.fields
        seen[id(v._index)] = v._index
        for _n, _t, x in v.fields:
            mutables(x, seen)
    return seen


def without_passthrough(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("ProxyConfig", "MeshConfig", "Values")}


# ------------------------------------------------------------------ inputs

@cache
def corpus_pods(corpus: str) -> tuple:
    """(workload metadata, pod metadata, pod spec) of every pod (template) of a corpus' inputs."""
    root = CONFORMANCE / corpus
    files = sorted({c["input"] for c in json.loads((root / "cases.json").read_text())["cases"]
                    if (c.get("input") or "").endswith((".yaml", ".yml", ".json"))})
    found: list = []

    def walk(v: Any, top: Any) -> None:
        if isinstance(v, dict):
            spec = v.get("spec")
            if isinstance(spec, dict) and "containers" in spec:
                found.append((top, v.get("metadata"), spec))
            for x in v.values():
                walk(x, top)
        elif isinstance(v, list):
            for x in v:
                walk(x, top)

    for rel in files:
        try:
            docs = [goyaml.load(raw) for raw in goyaml.split_documents((root / rel).read_text())]
        except Exception:  # noqa: BLE001, S112 - the bad-manifest inputs: no pods to take
            continue
        for doc in docs:
            top = doc.get("metadata") if isinstance(doc, dict) else None
            walk(doc, top if isinstance(top, dict) else {})
    return tuple(found)


@cache
def anchor_pods() -> tuple:
    paths = sorted((SHARED / "tools" / "goanchor" / "pods").glob("pod-*.json"))
    pods = [json.loads(p.read_text()) for p in paths]
    return tuple((p.get("metadata"), p.get("metadata"), p.get("spec")) for p in pods)


def _jsonish(pod: Any) -> Any:
    """The pod as JSON gives it (YAML may hold timestamps and such)."""
    return json.loads(json.dumps(pod, default=str))


# ------------------------------------------------------------------ names and values

@pytest.mark.parametrize("json_name, go", [
    ("name", "Name"), ("uid", "UID"), ("apiVersion", "APIVersion"), ("hostIP", "HostIP"),
    ("serviceAccount", "DeprecatedServiceAccount"), ("httpGet", "HTTPGet"), ("x", "X"),
    ("", ""), ("Name", "Name"), ("éa", "Éa"),
])
def test_go_name(td, json_name, go):
    assert td.go_name(json_name) == go


def test_go_value_types(td):
    src = {"a": 1, "b": [1, "x", 2.5, None, True, {"cD": -3}], "big": 2**70, "f": 1.0, "s": "t"}
    out = td.go_value(src)
    check_go(out, src, "v")
    assert out == {"A": 1, "B": [1, "x", 2.5, None, True, {"CD": -3}], "Big": 2**70, "F": 1.0, "S": "t"}
    assert type(out["B"][4]) is bool and type(out["F"]) is float


# ------------------------------------------------------------------ corpora

@pytest.mark.parametrize("corpus", CORPORA)
def test_corpus_pods(td, corpus):
    need_shared("conformance", corpus, "cases.json")
    pods = corpus_pods(corpus)
    assert pods, f"no pods found in the inputs of {corpus}"
    for top, meta, spec in pods:
        top, meta, spec = _jsonish(top), _jsonish(meta), _jsonish(spec)
        for legacy in (True, False):
            kw = build_kwargs(top, meta, spec, legacy)
            check_data(td.build(**kw), kw)


def test_anchor_pods(td):
    need_shared("tools", "goanchor", "pods")
    pods = anchor_pods()
    assert len(pods) >= 3
    for top, meta, spec in pods:
        for legacy in (True, False):
            kw = build_kwargs(top, meta, spec, legacy)
            check_data(td.build(**kw), kw)


@pytest.mark.parametrize("corpus", CORPORA + ("goanchor",))
def test_compiled_matches_reference_on_corpus(compiled, corpus):
    if corpus == "goanchor":
        need_shared("tools", "goanchor", "pods")
        pods = anchor_pods()
    else:
        need_shared("conformance", corpus, "cases.json")
        pods = corpus_pods(corpus)  # as loaded: YAML timestamps and all
    assert pods
    for top, meta, spec in pods:
        for legacy in (True, False):
            kw = build_kwargs(top, meta, spec, legacy)
            assert outcome(compiled.build, **kw) == outcome(ref.build, **kw), (corpus, top)


# ------------------------------------------------------------------ freshness

def test_fresh_objects_every_call(td):
    need_shared("tools", "goanchor", "pods")
    _top, meta, spec = anchor_pods()[1]
    spec = dict(spec, containers=spec["containers"] + [{}])  # a container of zeros only
    kw = build_kwargs(meta, meta, spec, True)
    before = copy.deepcopy((meta, spec))
    a, b = td.build(**kw), td.build(**kw)
    assert dump(a) == dump(b)
    assert (meta, spec) == before, "the input was changed"
    ma, mb = mutables(without_passthrough(a)), mutables(without_passthrough(b))
    mi = mutables([meta, spec])
    assert not set(ma) & set(mb), "two calls share a mutable object"
    assert not set(ma) & set(mi), "the data shares a mutable object with the pod"
    # writing into one result's zero lists and maps leaves the next result alone
    a["Spec"]["Containers"][-1]["Env"].append("x")
    a["Spec"]["Containers"][-1]["Resources"]["x"] = 1
    a["Spec"]["Tolerations"].append("x")
    a["ObjectMeta"]["Finalizers"].append("x")
    c = td.build(**kw)
    assert dump(c) == dump(b)


# ------------------------------------------------------------------ edge cases

EDGE_SPECS = [
    None, {}, [], "spec",
    {"containers": None, "initContainers": [], "ephemeralContainers": [None, "c", {}]},
    {"containers": {"a": {"name": "x"}}},
    {"containers": [{"ports": None}, {"ports": "ab"}, {"ports": [None, 5, "p", {}]}]},
    {"containers": [{"ports": [{"containerPort": 8080.0, "hostPort": True, "name": None,
                                "protocol": 7, "hostIP": "1.2.3.4", "extra": 1}]}]},
    {"containers": [{"ports": [{"containerPort": "8080", "hostPort": None}]}]},
    {"containers": [{"ports": [{"containerPort": 2**70, "hostPort": -1}, {"containerPort": 1023},
                               {"containerPort": 1024}, {"containerPort": 0}]}]},
    {"containers": [{"ports": [{"containerPort": "http"}]}]},  # int("http"): an error
    {"containers": [{"name": "n", "Name": "N", "env": None, "resources": None, "tty": True,
                     "securityContext": {"runAsUser": 0, "readOnlyRootFilesystem": True}}]},
    {"containers": [{"Name": "N", "name": "n", "stdin": None, "unknown": {"uid": [1, {"a": 2}]}}]},
    {"serviceAccount": "sa", "serviceAccountName": "sa", "nodeSelector": {"a": 1, "b": None,
                                                                         "c": True, "d": [1]}},
    {"nodeSelector": None, "hostNetwork": None, "priority": 0, "volumes": None},
    {"nodeSelector": []},  # no .items(): an error
    {"nodeSelector": "x"},
    {"dnsConfig": {"nameservers": ["1.1.1.1"], "options": [{"name": "ndots", "value": "2"}]},
     "x": {"1": 1}, "DNSPolicy": "first", "dnsPolicy": "second"},
]
EDGE_METAS = [
    None, {}, "meta", [],
    {"labels": None, "annotations": {}},
    {"labels": {"a": "b", "n": 1, "f": 1.5, "t": False, "z": None}, "generation": 3},
    {"uid": "u", "UID": "U", "generation": None, "ownerReferences": None, "finalizers": ["f"]},
    {"annotations": {"k": {"nested": 1}}, "creationTimestamp": None, "managedFields": [{}]},
]


@pytest.mark.parametrize("spec", EDGE_SPECS, ids=range(len(EDGE_SPECS)))
def test_edge_specs(td, spec):
    kw = build_kwargs({}, {}, spec, False)
    got = outcome(td.build, **kw)
    assert got == outcome(ref.build, **kw)
    if got[0] != "raised":
        check_data(td.build(**kw), kw)


@pytest.mark.parametrize("meta", EDGE_METAS, ids=range(len(EDGE_METAS)))
def test_edge_metas(td, meta):
    kw = build_kwargs(meta, meta, {}, True)
    assert outcome(td.build, **kw) == outcome(ref.build, **kw)
    check_data(td.build(**kw), kw)


def test_known_shapes(td):
    data = td.build(**build_kwargs({}, {"labels": {"app": "web"}}, {"containers": [
        {"name": "c", "ports": [{"containerPort": 80, "name": "http"}]}]}, False))
    meta, spec = data["ObjectMeta"], data["Spec"]
    assert meta["Labels"] == {"app": "web"} and not meta["Labels"].nil and meta["Annotations"].nil
    assert type(meta["Generation"]) is Int64 and meta["Generation"] == 0
    port = spec["Containers"][0]["Ports"][0]
    assert port.items() == [("Name", "http"), ("HostPort", 0), ("ContainerPort", 80),
                            ("Protocol", ""), ("HostIP", "")]
    assert port.has_field("HostIP") and type(port.get("ContainerPort")) is Int64
    assert spec["DeprecatedServiceAccount"] == "" and spec["HostNetwork"] is False
    assert spec["NodeSelector"].nil and spec["SecurityContext"] is None


@pytest.mark.parametrize("port", [
    {"containerPort": 80, "name": "http"}, {}, None, "p",
    {"hostPort": 2**70, "containerPort": 1023, "protocol": "UDP", "hostIP": "h"},
])
def test_port_struct_as_the_constructor_makes_it(td, port):
    # both backends skip GoStruct.__init__ for speed: every slot must still be what it sets
    got = td.port_struct(port)
    check_port(got, port, "port")
    assert dump(got) == dump(GoStruct(list(got.fields), type_name="v1.ContainerPort"))
    assert td.port_struct(port)._index is not got._index


def test_not_plain_json(td):
    """Subclasses and other Python values follow the reference's general rules."""
    gs = GoStruct([("A", "a", 1)])
    meta = StrMap({"labels": StrMap({"a": "b"}), "name": "n"})
    spec = {"containers": [{"ports": [StrMap({"containerPort": "9"})], "args": ("a", "b"),
                            "command": StrMap({"x": Int64(5)}), "env": [gs, Int64(2), (1,)],
                            "image": Int64(3)}],
            "nodeSelector": StrMap({"a": "b"}), "volumes": [True, 1.5, StrMap(None)]}
    kw = build_kwargs(meta, meta, spec, True)
    got = outcome(td.build, **kw)
    assert got == outcome(ref.build, **kw) and got[0] != "raised"
    env = td.build(**kw)["Spec"]["Containers"][0]["Env"]
    assert env[0] is gs and type(env[1]) is Int64
    assert type(td.go_value(StrMap({"a": "b"}))) is dict


def test_deep_nesting_is_an_error_not_a_crash(td):
    v: Any = "leaf"
    for _ in range(100_000):
        v = {"a": [v]}
    with pytest.raises(RecursionError):
        td.go_value(v)
    shallow: Any = 1
    for _ in range(50):
        shallow = {"a": [shallow]}
    check_go(td.go_value(shallow), shallow, "v")


# ------------------------------------------------------------------ generated pods

_KEYS = sorted(set(ref._OBJECT_META_ZERO) | set(ref._POD_SPEC_ZERO) | set(ref._CONTAINER_ZERO)
               | set(ref._GO_NAMES) | {"Name", "UID", "x", "X"})
_key = st.sampled_from(_KEYS) | st.text(max_size=4)
_leaf = (st.none() | st.booleans() | st.integers(-2**66, 2**66) | st.integers(-3, 1100)
         | st.floats(allow_nan=False) | st.text(max_size=6))
_json = st.recursive(_leaf, lambda kids: st.lists(kids, max_size=4)
                     | st.dictionaries(_key, kids, max_size=5), max_leaves=16)
_port = st.dictionaries(
    st.sampled_from(["name", "hostPort", "containerPort", "protocol", "hostIP", "x"]),
    st.none() | st.booleans() | st.integers(-5, 70000) | st.floats(0, 1e5)
    | st.sampled_from(["", "80", "TCP"]) | _json, max_size=6)
_strmap = st.none() | st.dictionaries(st.text(max_size=4), _leaf | _json, max_size=4)


@st.composite
def _struct_of(draw, zeros: dict, special: dict):
    keys = draw(st.lists(st.sampled_from(sorted(zeros) + ["x", "Name", "UID"]) | _key,
                         unique=True, max_size=10))
    out = {}
    for k in keys:
        if k in special:
            out[k] = draw(special[k])
        elif k in ref._STRMAP_FIELDS:
            out[k] = draw(_strmap)
        else:
            out[k] = draw(_json)
    return out


_container = _struct_of(ref._CONTAINER_ZERO, {"ports": st.none() | st.lists(_port | _leaf, max_size=3)})
_containers = st.none() | st.lists(_container, max_size=3)
_spec = _struct_of(ref._POD_SPEC_ZERO, {k: _containers for k in ref._CONTAINER_LISTS})
_meta = _struct_of(ref._OBJECT_META_ZERO, {})
_HYP = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@_HYP
@given(meta=_meta, spec=_spec, legacy=st.booleans(), deploy=_meta)
def test_generated_pods(td, meta, spec, legacy, deploy):
    kw = build_kwargs(deploy, meta, spec, legacy)
    got = outcome(td.build, **kw)
    assert got == outcome(ref.build, **kw)
    if got[0] != "raised":
        check_data(td.build(**kw), kw)


@_HYP
@given(v=_json)
def test_generated_values(td, v):
    assert outcome(td.go_value, v) == outcome(ref.go_value, v)
    check_go(td.go_value(v), v, "v")
