"""ProxyConfig: annotation merge, PROXY_CONFIG (cleaned proto-JSON) and template data."""
from __future__ import annotations

import json

import pytest
import yaml

from injector.config import LEGACY
from injector.mesh import apply_mesh_config, default_mesh_config, mesh_set
from injector.proxyconfig import (
    ProxyConfigError, effective_proxy_config, format_duration, parse_duration, proto_json,
    proxy_config_json, proxyconfig_template_data, mesh_template_data,
)
from injector.template.values import Int64, StrMap, Stringer
from tests.conftest import need_shared, CONFORMANCE
from tests.test_policy import corpora

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

INJECTABLE = {"Pod", "Deployment", "DaemonSet", "ReplicaSet", "ReplicationController", "StatefulSet",
              "Job", "CronJob", "DeploymentConfig"}


def _pod_annotations(doc):
    """Annotations of each pod template in a document (List items expanded)."""
    if not isinstance(doc, dict):
        return []
    kind = doc.get("kind")
    if kind == "List":
        return [a for item in doc.get("items") or [] for a in _pod_annotations(item)]
    if kind not in INJECTABLE:
        return []
    if kind == "Pod":
        meta = doc.get("metadata") or {}
    elif kind == "CronJob":
        meta = ((((doc.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("metadata") or {}
    else:
        meta = ((doc.get("spec") or {}).get("template") or {}).get("metadata") or {}
    return [meta.get("annotations") or {}]


def _proxy_config_values(doc):
    out = []

    def walk(v):
        if isinstance(v, dict):
            if v.get("name") == "PROXY_CONFIG" and "value" in v:
                out.append(v["value"].strip())
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    walk(doc)
    return out


def _mesh_for(corpus_dir, legacy, overrides):
    defaults = yaml.safe_load((corpus_dir / "config" / "mesh-defaults.yaml").read_text())
    base = overrides.get("mesh_base", "chart")
    if base == "go-defaults":
        mesh = defaults
    else:
        text = yaml.safe_load((corpus_dir / (overrides["mesh_file"] if base == "file" else "config/mesh.yaml")).read_text())
        if overrides.get("mesh"):
            from injector.config import deep_merge
            text = deep_merge(text, overrides["mesh"])
        mesh = apply_mesh_config(text, defaults)
    for path, value in (overrides.get("mesh_set") or {}).items():
        mesh = mesh_set(mesh, path, value)
    return mesh, defaults["defaultConfig"]


def _golden_pairs(corpus):
    """(case id, annotations, expected PROXY_CONFIG, mesh, proxy defaults, legacy) per pod."""
    d = CONFORMANCE / corpus
    cases = json.loads((d / "cases.json").read_text())
    legacy = cases.get("layout") == "legacy"
    pairs = []
    for case in cases["cases"]:
        ov = case.get("config_overrides") or {}
        if not case.get("expected") or ov.get("template_file") or case["kind"] == "webhook-patch":
            continue
        exp_path = d / case["expected"]
        if exp_path.suffix == ".json" or not exp_path.exists():
            continue
        mesh, pdef = _mesh_for(d, legacy, ov)
        ins = [x for x in yaml.load_all((d / case["input"]).read_text(), Loader=_LOADER) if x is not None]
        outs = [x for x in yaml.load_all(exp_path.read_text(), Loader=_LOADER) if x is not None]
        if len(ins) != len(outs):
            continue
        for doc_in, doc_out in zip(ins, outs):
            annos = _pod_annotations(doc_in)
            values = _proxy_config_values(doc_out)
            if len(annos) == len(values):
                pairs.extend((case["id"], a, v, mesh, pdef, legacy) for a, v in zip(annos, values))
    return pairs


@pytest.mark.parametrize("corpus", corpora())
def test_proxy_config_env_matches_goldens(corpus):
    need_shared("conformance", corpus, "cases.json")
    pairs = _golden_pairs(corpus)
    assert pairs
    bad = []
    from injector.template.funcs.gojson import marshal
    for cid, annos, want, mesh, pdef, legacy in pairs:
        pc = effective_proxy_config(mesh, annos, legacy=legacy)
        got = proxy_config_json(pc, pdef)
        data = proxyconfig_template_data(pc, pdef)
        # the template data marshals (encoding/json rules, as protoToJSON) to the same text
        if got != want or data.proto_json != want or marshal(data) != want:
            bad.append((cid, got, data.proto_json, marshal(data), want))
    assert not bad, f"{len(bad)}/{len(pairs)} PROXY_CONFIG mismatches: {bad[:3]}"
    # both empty and non-trivial values are covered
    assert {"{}"} < {w for _, _, w, *_ in pairs}


def test_annotation_merge_legacy_vs_modern():
    mesh = {"defaultConfig": {"proxyMetadata": {"A": "1"}, "discoveryAddress": "x:1", "concurrency": 2}}
    ann = {"proxy.istio.io/config": "proxyMetadata: {B: '2'}\nconcurrency: 0\n"}
    a, b = effective_proxy_config(mesh), effective_proxy_config(mesh)
    assert a == b and a is not b  # callers get their own top-level dict
    modern = effective_proxy_config(mesh, ann)
    legacy = effective_proxy_config(mesh, ann, legacy=True)
    assert modern["proxyMetadata"] == {"A": "1", "B": "2"}
    assert legacy["proxyMetadata"] == {"B": "2"}
    assert modern["concurrency"] == 0 and modern["discoveryAddress"] == "x:1"
    with pytest.raises(ProxyConfigError, match="proxy.istio.io/config"):
        effective_proxy_config(mesh, {"proxy.istio.io/config": "[1, 2]"})
    for bad, what in [("interceptionMode: SIDEWAYS", "interceptionMode"), ("concurrency: lots", "concurrency"),
                      ("drainDuration: soon", "duration"), ("proxyMetadata: [a]", "proxyMetadata")]:
        with pytest.raises(ProxyConfigError, match=what):
            effective_proxy_config(mesh, {"proxy.istio.io/config": bad})
    # fields this version does not know are tolerated (Istio retries with unknown fields allowed)
    assert effective_proxy_config(mesh, {"proxy.istio.io/config": "futureField: 1"})["futureField"] == 1


def test_proto_json_shape():
    pc = {"proxyMetadata": {"b": "2", "a": "<&>"}, "concurrency": 0, "interceptionMode": "REDIRECT",
          "statusPort": 0, "drainDuration": "1m30s", "discoveryAddress": "d:1", "holdApplicationUntilProxyStarts": False}
    # declaration order, zero enum/int omitted, wrappers kept even when zero, keys sorted, Go escaping
    assert proto_json(pc) == ('{"drainDuration":"90s","discoveryAddress":"d:1","concurrency":0,'
                              '"proxyMetadata":{"a":"\\u003c\\u0026\\u003e","b":"2"},'
                              '"holdApplicationUntilProxyStarts":false}')
    assert proto_json({"interceptionMode": 1}) == '{"interceptionMode":"TPROXY"}'


def test_clean_uses_format_defaults():
    legacy_defaults = default_mesh_config(legacy=True)["defaultConfig"]
    modern_defaults = default_mesh_config()["defaultConfig"]
    pc = {"concurrency": 2, "tracing": {"zipkin": {"address": "zipkin.istio-system:9411"}}}
    assert proxy_config_json(pc, legacy_defaults) == "{}"
    assert proxy_config_json(pc, modern_defaults) == (
        '{"concurrency":2,"tracing":{"zipkin":{"address":"zipkin.istio-system:9411"}}}')
    assert proxy_config_json({**modern_defaults, "tracing": {}}, modern_defaults) == '{"tracing":{}}'


def test_durations():
    assert parse_duration("1h2m3.5s") == 3723.5
    assert format_duration(parse_duration("1.5s")) == "1.500s"
    assert format_duration(parse_duration("100us")) == "0.000100s"
    assert format_duration(parse_duration("45s")) == "45s"
    with pytest.raises(ProxyConfigError):
        parse_duration("soon")


def test_template_data_shape():
    pc = {"interceptionMode": "TPROXY", "concurrency": 2, "statusPort": 15020,
          "discoveryAddress": "istiod:15012", "proxyMetadata": {"A": "1"}}
    data = proxyconfig_template_data(pc, default_mesh_config()["defaultConfig"])
    assert data["InterceptionMode"] == Stringer("TPROXY") and isinstance(data["InterceptionMode"], Stringer)
    assert data["Concurrency"] == {"GetValue": Int64(2)} and isinstance(data["Concurrency"]["GetValue"], Int64)
    assert data["HoldApplicationUntilProxyStarts"] == {"GetValue": False}
    assert data["GetTracing"]["GetTlsSettings"] is None and data["Tracing"] is None
    assert isinstance(data["ProxyMetadata"], StrMap) and data["ProxyMetadata"] == {"A": "1"}
    assert data["StatusPort"] == 15020 and data["DiscoveryAddress"] == "istiod:15012"
    assert data.proto_json == ('{"discoveryAddress":"istiod:15012","concurrency":2,'
                               '"interceptionMode":"TPROXY","proxyMetadata":{"A":"1"}}')
    empty = proxyconfig_template_data({})
    assert empty["ProxyMetadata"].nil and empty["Concurrency"] == {"GetValue": 0}
    assert empty["InterceptionMode"] == "REDIRECT" and empty["DrainDuration"] is None
    d = proxyconfig_template_data({"drainDuration": "1.5s"})["DrainDuration"]
    assert d["Seconds"] == 1 and d["Nanos"] == 500_000_000 and isinstance(d["Seconds"], Int64)
    from injector.template.funcs.istio import format_duration as go_format_duration
    assert go_format_duration(d) == "1.5s"
    tls = proxyconfig_template_data({"tracing": {"tlsSettings": {"caCertificates": "/etc/ca.pem"}}})
    assert tls["GetTracing"]["GetTlsSettings"]["GetCaCertificates"] == "/etc/ca.pem"


def _subset(want, got):
    """`got` has every entry of `want` (recursively for maps), with the same Go type."""
    if isinstance(want, dict) and not isinstance(want, StrMap):
        return isinstance(got, dict) and all(k in got and _subset(v, got[k]) for k, v in want.items())
    return want == got and type(want) is type(got)


def test_template_data_matches_vectors():
    """The ProxyConfig/MeshConfig of the istio-render vectors, rebuilt from the corpus mesh."""
    path = need_shared("spec", "template-vectors.jsonl")
    from injector.template.values import from_tagged_json
    want = {}
    for line in path.read_text().splitlines():
        v = json.loads(line)
        if v.get("category") in ("istio-render-1.7.3", "istio-render-1.29.6") and v["category"] not in want:
            want[v["category"]] = v["data"]
    for cat, corpus, legacy in [("istio-render-1.7.3", "istio-1.7.3", True), ("istio-render-1.29.6", "istio-1.29.6", False)]:
        mesh = yaml.safe_load((CONFORMANCE / corpus / "config" / "mesh-effective.yaml").read_text())
        data = proxyconfig_template_data(effective_proxy_config(mesh, {}, legacy=legacy))
        expected = from_tagged_json(want[cat]["ProxyConfig"])
        for key, value in expected.items():
            assert _subset(value, data[key]), (cat, key)
        md = mesh_template_data(mesh)
        for key in ("TrustDomain", "ProxyListenPort"):
            assert md[key] == from_tagged_json(want[cat]["MeshConfig"])[key]


def test_nested_messages_in_declaration_order():
    from injector.template.funcs.gojson import marshal
    pc = {"proxyStatsMatcher": {"inclusionRegexps": [".*cb.*"], "inclusionPrefixes": ["upstream"],
                                "inclusionSuffixes": ["rq"]},
          "tracing": {"sampling": 5, "zipkin": {"address": "z:9411"}},
          "proxyMetadata": {"Z": "1", "A": "2"}}
    want = ('{"tracing":{"zipkin":{"address":"z:9411"},"sampling":5},"proxyMetadata":{"A":"2","Z":"1"},'
            '"proxyStatsMatcher":{"inclusionPrefixes":["upstream"],"inclusionSuffixes":["rq"],'
            '"inclusionRegexps":[".*cb.*"]}}')
    assert proto_json(pc) == want
    data = proxyconfig_template_data(pc, default_mesh_config()["defaultConfig"])
    assert data.proto_json == want and marshal(data) == want
