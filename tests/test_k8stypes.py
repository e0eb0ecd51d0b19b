"""k8stypes: Kubernetes objects after a round trip through their Go structs.

Every test runs on both backends (the `normalize` fixture); tests/test_k8stypes_backends.py
checks they agree on the corpora and on mutated objects.
"""
from __future__ import annotations

import importlib
import os
import re

import pytest

from injector import goyaml, k8stypes
from injector._ext import NO_EXTENSIONS
from injector.k8stypes import K8sTypeError, root_type
from tests.conftest import CONFORMANCE, need_shared


@pytest.fixture(params=["injector._k8stypes_py", "injector._k8stypes_c"], ids=["py", "c"], scope="module")
def normalize(request):
    if request.param.endswith("_c") and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return importlib.import_module(request.param).normalize  # ImportError: build the extension


def _deployment(**spec_extra):
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}},
            **spec_extra,
        },
    }


def test_struct_fields_always_written_and_zero_fields_dropped(normalize):
    out = normalize(_deployment(paused=False, minReadySeconds=0, replicas=0, bogus=1))
    assert out["status"] == {}
    assert out["metadata"] == {"name": "d", "creationTimestamp": None}
    spec = out["spec"]
    assert spec["strategy"] == {}
    assert "paused" not in spec and "minReadySeconds" not in spec and "bogus" not in spec
    assert spec["replicas"] == 0  # *int32: a set pointer is kept even when zero
    container = spec["template"]["spec"]["containers"][0]
    assert container == {"name": "c", "image": "i", "resources": {}}
    assert spec["template"]["metadata"] == {"creationTimestamp": None}


def test_creation_timestamp_option_and_time_format(normalize):
    out = normalize(_deployment(), omit_creation_timestamp=True)
    assert "creationTimestamp" not in out["metadata"]
    obj = _deployment()
    obj["metadata"]["creationTimestamp"] = "2020-01-02T03:04:05.678+01:00"
    assert normalize(obj)["metadata"]["creationTimestamp"] == "2020-01-02T02:04:05Z"
    obj["metadata"]["creationTimestamp"] = "yesterday"
    with pytest.raises(K8sTypeError, match="creationTimestamp"):
        normalize(obj)


@pytest.mark.parametrize("given,expected", [
    ("2020-01-02T03:04:05Z", "2020-01-02T03:04:05Z"),
    ("2020-01-02T03:04:05.999999+00:00", "2020-01-02T03:04:05Z"),
    ("2020-01-02T00:30:00+01:00", "2020-01-01T23:30:00Z"),
    ("0001-01-01T00:00:00Z", None),  # the zero time.Time
    (None, None),
])
def test_metav1_time(normalize, given, expected):
    obj = _deployment()
    obj["metadata"]["creationTimestamp"] = given
    assert normalize(obj)["metadata"]["creationTimestamp"] == expected


@pytest.mark.parametrize("bad", ["", "2020-01-02 03:04:05Z", "2020-13-01T00:00:00Z", "2020-01-02", 5])
def test_metav1_time_errors(normalize, bad):
    obj = _deployment()
    obj["metadata"]["creationTimestamp"] = bad
    with pytest.raises(K8sTypeError, match="creationTimestamp"):
        normalize(obj)


def test_non_omitempty_fields_print_zero_values(normalize):
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {}}
    out = normalize(pod)
    assert out["spec"] == {"containers": None}  # `json:"containers"` with a nil slice
    assert out["status"] == {}
    ds = normalize({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": {}}})
    assert ds["status"] == {"currentNumberScheduled": 0, "desiredNumberScheduled": 0,
                            "numberMisscheduled": 0, "numberReady": 0}
    assert ds["spec"]["selector"] is None  # required *LabelSelector left nil
    pod = {"apiVersion": "v1", "kind": "Pod",
           "spec": {"containers": [{"name": "c", "ports": [{"name": "p"}],
                                    "env": [{"name": "E", "valueFrom": {"fieldRef": {}}}]}]}}
    c = normalize(pod)["spec"]["containers"][0]
    assert c["ports"] == [{"name": "p", "containerPort": 0}]
    assert c["env"] == [{"name": "E", "valueFrom": {"fieldRef": {"fieldPath": ""}}}]


def test_empty_collections_and_pointers(normalize):
    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {
        "containers": [], "volumes": [], "nodeSelector": {},
        "securityContext": {}, "automountServiceAccountToken": False,
        "initContainers": None, "hostNetwork": False,
        "volumes2": [{"name": "x"}],
    }}
    spec = normalize(pod)["spec"]
    assert spec == {"containers": [], "securityContext": {}, "automountServiceAccountToken": False}
    vol = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [], "volumes": [
        {"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": None},
        {"name": "c", "configMap": {"name": "cm", "defaultMode": 420, "optional": False, "items": []}}]}}
    assert normalize(vol)["spec"]["volumes"] == [
        {"name": "a", "emptyDir": {}}, {"name": "b"},
        {"name": "c", "configMap": {"name": "cm", "defaultMode": 420, "optional": False}}]


def test_quantities_int_or_string_and_string_conversion(normalize):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"v": 1, "b": True, "f": 1.5}},
           "spec": {"containers": [{
               "name": "c", "args": [1, "x", False],
               "resources": {"limits": {"cpu": "2000m", "memory": "1024Mi"},
                             "requests": {"cpu": 0.5, "memory": 100}},
               "readinessProbe": {"httpGet": {"port": 8080}, "tcpSocket": {"port": "http"}},
               "env": [{"name": "X", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}],
           }]}}
    out = normalize(pod)
    assert out["metadata"]["labels"] == {"v": "1", "b": "true", "f": "1.5"}
    c = out["spec"]["containers"][0]
    assert c["args"] == ["1", "x", "false"]
    assert c["resources"] == {"limits": {"cpu": "2", "memory": "1Gi"},
                              "requests": {"cpu": "500m", "memory": "100"}}
    assert c["readinessProbe"] == {"httpGet": {"port": 8080}, "tcpSocket": {"port": "http"}}
    # a Quantity is a struct: written even when absent
    assert c["env"][0]["valueFrom"]["resourceFieldRef"] == {"resource": "limits.cpu", "divisor": "0"}


def test_decode_errors_name_the_field(normalize):
    bad = {"apiVersion": "v1", "kind": "Pod",
           "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "80"}]}]}}
    with pytest.raises(K8sTypeError, match=r"containers\[0\]\.ports\[0\]\.containerPort"):
        normalize(bad)
    with pytest.raises(K8sTypeError, match="cpu"):
        normalize({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [
            {"name": "c", "resources": {"limits": {"cpu": "lots"}}}]}})
    with pytest.raises(K8sTypeError):
        normalize({"apiVersion": "v1", "kind": "Pod", "spec": {"hostNetwork": "yes"}})
    with pytest.raises(ValueError):
        normalize({"apiVersion": "v1", "kind": "Service"})


def test_case_insensitive_field_names_like_encoding_json(normalize):
    out = normalize({"apiVersion": "v1", "kind": "Pod",
                     "Metadata": {"Name": "p"}, "spec": {"Containers": [{"NAME": "c"}]}})
    assert out["metadata"]["name"] == "p"
    assert out["spec"]["containers"] == [{"name": "c", "resources": {}}]


def test_keys_come_out_in_go_field_order(normalize):
    # given fields and always-written absent ones interleave in struct field order
    container = {"workingDir": "/w", "Stdin": True, "ports": [{"protocol": "TCP", "containerPort": 1}],
                 "image": "i", "args": ["a"]}
    out = normalize({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [container]}})
    c = out["spec"]["containers"][0]
    assert list(c) == ["args", "image", "name", "ports", "resources", "stdin", "workingDir"]
    assert list(c["ports"][0]) == ["containerPort", "protocol"]
    assert list(out) == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert list(out["spec"]) == ["containers"]
    dep = normalize({"kind": "Deployment", "apiVersion": "apps/v1", "spec": {"template": {}, "replicas": 1}})
    assert list(dep["spec"]) == ["replicas", "selector", "strategy", "template"]
    assert list(dep["metadata"]) == ["creationTimestamp"]


def test_root_types_by_group_and_kind(normalize):
    root_type = importlib.import_module(normalize.__module__).root_type
    assert root_type({"apiVersion": "apps/v1beta1", "kind": "Deployment"}) == "Deployment"
    assert root_type({"apiVersion": "extensions/v1beta1", "kind": "DaemonSet"}) == "DaemonSet"
    assert root_type({"apiVersion": "batch/v2alpha1", "kind": "CronJob"}) == "CronJob"
    assert root_type({"apiVersion": "v1", "kind": "ReplicationController"}) == "ReplicationController"
    assert root_type({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig"}) == "DeploymentConfig"
    assert root_type({"apiVersion": "v1", "kind": "Service"}) is None
    assert root_type(["not", "an", "object"]) is None


def test_list_items_by_kind(normalize):
    lst = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"x": 1}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}},
    ]}
    out = normalize(lst)
    assert out["metadata"] == {}
    assert out["items"][0] == lst["items"][0]  # unknown kinds pass through untouched
    assert out["items"][1]["status"] == {}


def test_deployment_config(normalize):
    dc = {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "x"},
          "spec": {"replicas": 2, "paused": False, "strategy": {"type": "Rolling"},
                   "triggers": [{"type": "ConfigChange"}]}}
    out = normalize(dc)
    assert out["spec"] == {"replicas": 2, "test": False, "strategy": {"type": "Rolling", "resources": {}},
                           "triggers": [{"type": "ConfigChange"}]}
    assert out["status"] == {"latestVersion": 0, "observedGeneration": 0, "replicas": 0,
                             "updatedReplicas": 0, "availableReplicas": 0, "unavailableReplicas": 0}


def test_schema_references_resolve():
    for tname, fields in k8stypes.SCHEMA.items():
        assert fields, tname
    assert k8stypes.SCHEMA["Container"]["name"] == (("str",), False)
    assert k8stypes.SCHEMA["DeploymentSpec"]["replicas"] == (("ptr", ("int",)), True)


def test_legacy_kubernetes_118_field_set(normalize):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet",
           "metadata": {"name": "s", "clusterName": "c"},
           "spec": {"minReadySeconds": 5, "template": {"spec": {"containers": [
               {"name": "c", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"},
                                                 "runAsUser": 0}}]}}}}
    old = normalize(sts, legacy=True)
    new = normalize(sts, omit_creation_timestamp=True)
    assert old["metadata"]["clusterName"] == "c" and "clusterName" not in new["metadata"]
    assert old["spec"]["serviceName"] == "" and "serviceName" not in new["spec"]
    assert "minReadySeconds" not in old["spec"] and new["spec"]["minReadySeconds"] == 5
    old_sc = old["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    new_sc = new["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    assert old_sc == {"runAsUser": 0}
    assert new_sc == {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}}
    assert normalize(sts)["metadata"]["clusterName"] == "c"  # legacy follows creationTimestamp


def test_as_type_decodes_any_kind_into_the_named_struct(normalize):
    rc = {"apiVersion": "v1", "kind": "ReplicationController",
          "spec": {"replicas": 3, "selector": {"app": "nginx"}, "template": {}}}
    out = normalize(rc, as_type="Deployment")
    assert out["kind"] == "ReplicationController"
    assert out["spec"] == {"replicas": 3, "selector": {}, "strategy": {},
                           "template": {"metadata": {"creationTimestamp": None},
                                        "spec": {"containers": None}}}
    with pytest.raises(ValueError):
        normalize(rc, as_type="NoSuchType")


def test_webhook_goldens_are_fixed_points_as_deployments(normalize):
    need_shared("conformance")
    total = fixed = 0
    for path in sorted(CONFORMANCE.glob("istio-1.7.3/webhook/*.injected")):
        for obj in _documents(path):
            if root_type(obj) is None:
                continue
            total += 1
            fixed += normalize(obj, as_type="Deployment") == obj
    assert total >= 20
    assert fixed == total, f"{fixed}/{total}"


# --- conformance ------------------------------------------------------------

def _documents(path):
    return [goyaml.load(d) for d in goyaml.split_documents(path.read_text())]


def test_goldens_are_fixed_points(normalize):
    need_shared("conformance")
    total = fixed = 0
    for path in sorted(CONFORMANCE.glob("*/inject/*.injected")):
        omit = "istio-1.29" in str(path)  # Kubernetes 1.33+ omits a zero creationTimestamp
        for obj in _documents(path):
            if root_type(obj) is None:
                continue
            total += 1
            fixed += normalize(obj, omit_creation_timestamp=omit) == obj
    assert total >= 60
    assert fixed == total, f"{fixed}/{total} golden documents unchanged by normalize"


# Differences the injection itself makes (added metadata, containers, volumes, rewritten
# probes); anything else between the normalised input and the golden is our error.
_INJECTED = re.compile(
    r"(\.annotations$|\.labels$|\.initContainers$|\.volumes$|\.env$|\.volumeMounts$|"
    r"annotations\.|labels\.|Probe\.httpGet|lifecycle\.|\[istio-proxy\]|\[istio-init\]|"
    r"\[istio-validation\]|\[enable-core-dump\]|\.volumes\[|securityContext$|"
    r"\.securityContext\.fsGroup|imagePullSecrets|dnsConfig|\.volumeMounts\[)")


def _diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a.keys() | b.keys():
            if k not in b or k not in a:
                out.append(f"{path}.{k}")
            else:
                _diff(a[k], b[k], f"{path}.{k}", out)
    elif (isinstance(a, list) and isinstance(b, list)
          and all(isinstance(x, dict) and "name" in x for x in a + b)):
        an, bn = {x["name"]: x for x in a}, {x["name"]: x for x in b}
        for n in an.keys() | bn.keys():
            if n not in an or n not in bn:
                out.append(f"{path}[{n}]")
            else:
                _diff(an[n], bn[n], f"{path}[{n}]", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(path)


def test_inputs_normalise_like_the_goldens(normalize):
    need_shared("conformance")
    total = agree = changed = 0
    problems = []
    for golden in sorted(CONFORMANCE.glob("*/inject/*.yaml.injected")):
        source = golden.with_name(golden.name[: -len(".injected")])
        if not source.exists():
            continue
        omit = "istio-1.29" in str(golden)
        for before, after in zip(_documents(source), _documents(golden)):
            if root_type(before) is None:
                continue
            total += 1
            norm = normalize(before, omit_creation_timestamp=omit)
            changed += norm != before
            diffs = []
            _diff(norm, after, "", diffs)
            rest = [d for d in diffs if not _INJECTED.search(d)]
            if rest:
                problems.append(f"{os.path.relpath(source, CONFORMANCE)}: {rest[:3]}")
            else:
                agree += 1
    assert total >= 45 and changed >= 40
    assert agree == total, f"{agree}/{total}; {problems[:3]}"
