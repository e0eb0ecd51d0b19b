"""Strategic merge patch (modern templates) and the Istio 1.7 append merge."""
from __future__ import annotations

import pytest

from injector.merge import MergeError, append_legacy, strategic_merge


def pod(**spec):
    return {"metadata": {"name": "p"}, "spec": spec}


def names(items):
    return [i["name"] for i in items]


def test_containers_merge_by_name_new_ones_first_then_reordered_by_original():
    out = strategic_merge(pod(containers=[{"name": "app", "image": "a"}]),
                          {"spec": {"containers": [{"name": "istio-proxy", "image": "p"}]}})
    # Kubernetes puts items new to the object before server-only ones.
    assert names(out["spec"]["containers"]) == ["istio-proxy", "app"]


def test_existing_container_is_merged_in_place_and_env_merged_by_name():
    orig = pod(containers=[
        {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
        {"name": "b", "image": "y"},
    ])
    patch = {"spec": {"containers": [{"name": "a", "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]}]}}
    out = strategic_merge(orig, patch)
    a = out["spec"]["containers"][0]
    assert names(out["spec"]["containers"]) == ["a", "b"]
    assert a["image"] == "x"
    assert {e["name"]: e["value"] for e in a["env"]} == {"A": "1", "B": "3", "C": "4"}


def test_patch_order_wins_for_items_named_in_the_patch():
    orig = pod(containers=[{"name": "a"}, {"name": "b"}])
    out = strategic_merge(orig, {"spec": {"containers": [{"name": "b", "x": 1}, {"name": "a", "x": 2}]}})
    assert names(out["spec"]["containers"]) == ["b", "a"]


def test_lists_without_merge_key_are_replaced():
    orig = pod(containers=[{"name": "a", "args": ["1", "2"], "ports": [{"containerPort": 80}]}])
    out = strategic_merge(orig, {"spec": {"containers": [{"name": "a", "args": ["3"],
                                                          "ports": [{"containerPort": 81}]}]}})
    c = out["spec"]["containers"][0]
    assert c["args"] == ["3"]
    # ports merge by containerPort; the new one first, as Kubernetes orders them
    assert [p["containerPort"] for p in c["ports"]] == [81, 80]


def test_null_deletes_and_unmatched_nulls_are_dropped():
    orig = {"metadata": {"annotations": {"a": "1", "b": "2"}}}
    out = strategic_merge(orig, {"metadata": {"annotations": {"a": None, "c": "3"}, "labels": {"x": None, "y": "1"}}})
    assert out["metadata"]["annotations"] == {"b": "2", "c": "3"}
    assert out["metadata"]["labels"] == {"y": "1"}


def test_patch_directives_delete_and_replace():
    orig = pod(volumes=[{"name": "v1"}, {"name": "v2"}], containers=[{"name": "a", "securityContext": {"runAsUser": 1, "privileged": True}}])
    out = strategic_merge(orig, {"spec": {
        "volumes": [{"name": "v1", "$patch": "delete"}],
        "containers": [{"name": "a", "securityContext": {"$patch": "replace", "runAsUser": 2}}],
    }})
    assert names(out["spec"]["volumes"]) == ["v2"]
    assert out["spec"]["containers"][0]["securityContext"] == {"runAsUser": 2}
    out = strategic_merge(orig, {"spec": {"volumes": [{"$patch": "replace"}, {"name": "only"}]}})
    assert names(out["spec"]["volumes"]) == ["only"]


def test_inputs_are_not_mutated_and_bad_directive_fails():
    orig = pod(containers=[{"name": "a"}])
    patch = {"spec": {"containers": [{"name": "b"}]}}
    strategic_merge(orig, patch)
    assert orig == pod(containers=[{"name": "a"}]) and patch == {"spec": {"containers": [{"name": "b"}]}}
    with pytest.raises(MergeError):
        strategic_merge(orig, {"spec": {"$patch": "explode"}})
    with pytest.raises(MergeError):
        strategic_merge(orig, {"spec": {"containers": ["not-a-map"]}})


def test_legacy_append_order_and_dns_config():
    spec = {"initContainers": [{"name": "i"}], "containers": [{"name": "app"}], "dnsConfig": {"searches": ["x"]}}
    append_legacy(spec, {"initContainers": [{"name": "istio-init"}], "containers": [{"name": "istio-proxy"}],
                         "volumes": [{"name": "v"}], "imagePullSecrets": [{"name": "s"}]})
    assert names(spec["initContainers"]) == ["i", "istio-init"]
    assert names(spec["containers"]) == ["app", "istio-proxy"]
    assert names(spec["volumes"]) == ["v"] and names(spec["imagePullSecrets"]) == ["s"]
    assert "dnsConfig" not in spec  # replaced by the template's (absent)
    spec2 = {"containers": [{"name": "app"}]}
    append_legacy(spec2, {"containers": [{"name": "istio-proxy"}], "dnsConfig": {"searches": ["y"]}}, proxy_first=True)
    assert names(spec2["containers"]) == ["istio-proxy", "app"]
    assert spec2["dnsConfig"] == {"searches": ["y"]}
