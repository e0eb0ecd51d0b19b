"""Mesh config: Istio's defaults and ApplyMeshConfig, checked against both corpora."""
from __future__ import annotations

import yaml
import pytest

from injector.mesh import apply_mesh_config, default_mesh_config, mesh_set, merge_proxy_config
from tests.conftest import need_shared
from tests.test_policy import corpora

CORPORA = corpora("config/mesh-effective.yaml")


def _load(path):
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("corpus", CORPORA)
def test_mesh_text_over_defaults_gives_effective(corpus):
    cfg = need_shared("conformance", corpus, "config")
    defaults = _load(cfg / "mesh-defaults.yaml")
    effective = apply_mesh_config((cfg / "mesh.yaml").read_text(), defaults)
    assert effective == _load(cfg / "mesh-effective.yaml")


@pytest.mark.parametrize("corpus,legacy", [("istio-1.7.3", True), ("istio-1.29.6", False)])
def test_embedded_defaults_match_istio(corpus, legacy):
    cfg = need_shared("conformance", corpus, "config")
    assert default_mesh_config(legacy=legacy) == _load(cfg / "mesh-defaults.yaml")


@pytest.mark.parametrize("corpus,legacy", [("istio-1.7.3", True), ("istio-1.29.6", False)])
def test_embedded_defaults_give_effective(corpus, legacy):
    cfg = need_shared("conformance", corpus, "config")
    effective = apply_mesh_config((cfg / "mesh.yaml").read_text(), default_mesh_config(legacy=legacy))
    assert effective == _load(cfg / "mesh-effective.yaml")


def test_merge_rules():
    defaults = {
        "defaultConfig": {"proxyMetadata": {"A": "1"}, "tracing": {"zipkin": {"address": "z:1"}},
                          "statusPort": 15020},
        "localityLbSetting": {"enabled": True},
        "defaultServiceExportTo": ["*"],
        "trustDomain": "cluster.local",
    }
    text = """
defaultConfig:
  proxyMetadata: {B: "2"}
  tracing: {datadog: {address: d:1}}
localityLbSetting: {failover: []}
defaultServiceExportTo: [ns1]
trustDomain: example.org
"""
    out = apply_mesh_config(text, defaults)
    dc = out["defaultConfig"]
    assert dc["proxyMetadata"] == {"A": "1", "B": "2"}  # maps merge key by key
    assert dc["tracing"] == {"datadog": {"address": "d:1"}}  # a ProxyConfig field replaces
    assert dc["statusPort"] == 15020  # untouched fields stay
    assert out["localityLbSetting"] == {"enabled": True, "failover": []}  # messages merge
    assert out["defaultServiceExportTo"] == ["ns1"]  # lists replace
    assert out["trustDomain"] == "example.org"
    assert defaults["defaultConfig"]["proxyMetadata"] == {"A": "1"}  # inputs not mutated


def test_empty_text_is_defaults():
    d = default_mesh_config()
    assert apply_mesh_config("", d) == d
    assert apply_mesh_config(None, d) == d


def test_bad_mesh_text_names_source():
    with pytest.raises(ValueError, match="mymesh"):
        apply_mesh_config("- a\n- b\n", {}, source="mymesh")
    with pytest.raises(ValueError, match="mymesh"):
        apply_mesh_config("a: [", {}, source="mymesh")


def test_mesh_set_and_proxy_merge():
    m = mesh_set({"defaultConfig": {"a": 1}}, "defaultConfig.interceptionMode", "TPROXY")
    assert m["defaultConfig"] == {"a": 1, "interceptionMode": "TPROXY"}
    m = mesh_set({}, "inboundTrafficPolicy", {"mode": "LOCALHOST"})
    assert m == {"inboundTrafficPolicy": {"mode": "LOCALHOST"}}
    assert merge_proxy_config({"proxyMetadata": {"A": "1"}}, {"proxyMetadata": {"B": "2"}},
                              merge_maps=False) == {"proxyMetadata": {"B": "2"}}
