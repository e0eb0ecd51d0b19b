"""The injection pipeline on small hand-written configs of both formats."""
from __future__ import annotations

import copy
import json

import pytest

pytest.importorskip("injector.template.funcs.sets", reason="template engine not available in this checkout")

from injector.config import parse_config
from injector.inject import (
    MODE_KUBE_INJECT, MODE_WEBHOOK, InjectionError, inject_pod, select_templates, sha256_hex,
)
from injector.settings import Settings

LEGACY_CONFIG = """\
policy: enabled
template: |-
  rewriteAppHTTPProbe: {{ valueOrDefault .Values.sidecarInjectorWebhook.rewriteAppHTTPProbe false }}
  initContainers:
  - name: istio-init
    image: "{{ .Values.global.hub }}/proxyv2"
    args: ["-p", 15001]
  containers:
  - name: istio-proxy
    image: "{{ .Values.global.hub }}/proxyv2"
    args: ["proxy", "sidecar"]
    env:
    - name: OWNER
      value: "{{ .TypeMeta.Kind }}/{{ .DeploymentMeta.Name }}"
    - name: SA
      value: "{{ .Spec.ServiceAccountName }}"
    resources:
      limits:
        cpu: 1500m
  volumes:
  - name: istio-envoy
    emptyDir: {}
  podRedirectAnnot:
    sidecar.istio.io/interceptionMode: "{{ annotation .ObjectMeta `sidecar.istio.io/interceptionMode` .ProxyConfig.InterceptionMode }}"
    traffic.sidecar.istio.io/excludeInboundPorts: ""
"""

MODERN_CONFIG = """\
policy: enabled
defaultTemplates: [sidecar]
aliases:
  both: [sidecar, extra]
templates:
  sidecar: |
    metadata:
      labels:
        service.istio.io/canonical-name: {{ index .ObjectMeta.Labels "app" }}
      annotations:
        istio.io/rev: {{ .Revision | printf "%q" }}
    spec:
      initContainers:
      - name: istio-init
        image: {{ .ProxyImage }}
        args: ["-u", "{{ .ProxyUID }}"]
      {{- if .NativeSidecars }}
      - name: istio-proxy
        image: {{ .ProxyImage }}
        restartPolicy: Always
      {{- end }}
      {{- if not .NativeSidecars }}
      containers:
      - name: istio-proxy
        image: {{ .ProxyImage }}
        env:
        - name: WORKLOAD
          value: "{{ .TypeMeta.Kind }}/{{ .DeploymentMeta.Name }}"
      {{- end }}
      volumes:
      - name: istio-envoy
        emptyDir: {}
  extra: |
    metadata:
      annotations:
        extra: "yes"
"""

VALUES = {"global": {"hub": "docker.io/istio", "tag": "1.0", "proxy": {}},
          "sidecarInjectorWebhook": {"rewriteAppHTTPProbe": True}}


def legacy_settings(**kw):
    return Settings.build(parse_config(LEGACY_CONFIG), VALUES, "", **kw)


def modern_settings(env=None, **kw):
    env = {"ENABLE_NATIVE_SIDECARS": "false", **(env or {})}
    return Settings.build(parse_config(MODERN_CONFIG), VALUES, "", env=env, **kw)


def app_pod(**meta):
    return {
        "metadata": {"name": "app-1", "labels": {"app": "shop"}, **meta},
        "spec": {"serviceAccountName": "sa",
                 "containers": [{"name": "app", "image": "app:1",
                                 "ports": [{"name": "http", "containerPort": 8080}],
                                 "readinessProbe": {"httpGet": {"port": "http", "path": "/ready"}}}]},
    }


def names(items):
    return [i["name"] for i in items or []]


# ---------------------------------------------------------------------------- legacy

def test_legacy_kube_inject_appends_and_annotates():
    s = legacy_settings()
    pod = app_pod()
    before = copy.deepcopy(pod)
    r = inject_pod(pod, s, mode=MODE_KUBE_INJECT, type_meta={"kind": "Deployment", "apiVersion": "apps/v1"},
                   deploy_meta={"name": "shop", "namespace": "ns"})
    assert pod == before  # input untouched
    out = r.pod
    assert names(out["spec"]["containers"]) == ["app", "istio-proxy"]
    assert names(out["spec"]["initContainers"]) == ["istio-init"]
    assert out["spec"]["initContainers"][0]["args"] == ["-p", "15001"]  # typed: []string
    proxy = out["spec"]["containers"][1]
    env = {e["name"]: e.get("value") for e in proxy["env"]}
    assert env["OWNER"] == "Deployment/shop"
    assert env["SA"] == "sa"
    # --concurrency from the CPU limit (1500m -> 2), and the probe rewrite
    assert proxy["args"][-2:] == ["--concurrency", "2"]
    probers = json.loads(env["ISTIO_KUBE_APP_PROBERS"])
    assert probers == {"/app-health/app/readyz": {"httpGet": {"path": "/ready", "port": 8080}}}
    assert out["spec"]["containers"][0]["readinessProbe"]["httpGet"] == {"port": 15020, "path": "/app-health/app/readyz"}
    ann = out["metadata"]["annotations"]
    status = json.loads(ann["sidecar.istio.io/status"])
    assert status == {"version": sha256_hex(s.config.raw_template), "initContainers": ["istio-init"],
                      "containers": ["istio-proxy"], "volumes": ["istio-envoy"], "imagePullSecrets": None}
    assert ann["sidecar.istio.io/interceptionMode"] == "REDIRECT"
    assert "traffic.sidecar.istio.io/excludeInboundPorts" not in ann  # empty values are not copied
    assert ann["prometheus.io/port"] == "15020" and ann["prometheus.io/scrape"] == "true"
    assert out["metadata"]["labels"] == {"app": "shop", "istio.io/rev": "", "security.istio.io/tlsMode": "istio"}
    assert out["spec"]["securityContext"] == {"fsGroup": 1337}
    assert r.status == ann["sidecar.istio.io/status"]


def test_legacy_webhook_identity_labels_and_reinjection():
    s = legacy_settings()
    pod = app_pod(generateName="shop-5d9c-", labels={"app": "shop", "pod-template-hash": "5d9c"},
                  ownerReferences=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "shop-5d9c",
                                    "controller": True, "uid": "u"}])
    out = inject_pod(pod, s, namespace="ns", mode=MODE_WEBHOOK, version="v").pod
    env = {e["name"]: e.get("value") for e in out["spec"]["containers"][1]["env"]}
    assert env["OWNER"] == "Deployment/shop"
    labels = out["metadata"]["labels"]
    assert labels["service.istio.io/canonical-name"] == "shop"
    assert labels["service.istio.io/canonical-revision"] == "latest"
    assert "sidecar.istio.io/interceptionMode" not in out["metadata"]["annotations"]  # kube-inject only
    assert json.loads(out["metadata"]["annotations"]["sidecar.istio.io/status"])["version"] == "v"
    # Injecting again removes the previous injection first: nothing is duplicated.
    again = inject_pod(out, s, namespace="ns", mode=MODE_WEBHOOK, version="v").pod
    assert names(again["spec"]["containers"]) == ["app", "istio-proxy"]
    assert names(again["spec"]["volumes"]) == ["istio-envoy"]


def test_bad_annotation_is_an_error_naming_it():
    s = legacy_settings()
    pod = app_pod(annotations={"traffic.sidecar.istio.io/includeOutboundIPRanges": "not-a-cidr"})
    with pytest.raises(InjectionError, match="includeOutboundIPRanges"):
        inject_pod(pod, s, mode=MODE_KUBE_INJECT)


def test_template_exec_error_names_the_template():
    cfg = parse_config("policy: enabled\ntemplates:\n  sidecar: '{{ .Values.missing.deeper }}'\n")
    s = Settings.build(cfg, {}, "", env={"ENABLE_NATIVE_SIDECARS": "false"})
    with pytest.raises(InjectionError, match="sidecar"):
        inject_pod(app_pod(), s, mode=MODE_WEBHOOK)


# ---------------------------------------------------------------------------- modern

def test_modern_overlay_order_status_and_metadata():
    s = modern_settings()
    r = inject_pod(app_pod(), s, namespace="ns", mode=MODE_WEBHOOK)
    out = r.pod
    assert names(out["spec"]["containers"]) == ["app", "istio-proxy"]  # proxy moved last
    assert out["spec"]["containers"][1]["image"] == "docker.io/istio/proxyv2:1.0"
    assert out["spec"]["initContainers"][0]["args"] == ["-u", "1337"]
    assert out["metadata"]["labels"]["service.istio.io/canonical-name"] == "shop"
    status = json.loads(out["metadata"]["annotations"]["sidecar.istio.io/status"])
    assert status == {"initContainers": ["istio-init"], "containers": ["istio-proxy"], "volumes": ["istio-envoy"],
                      "imagePullSecrets": None, "revision": "default"}
    assert "namespace" not in out["metadata"]  # the request namespace is not written into the pod
    probers = json.loads({e["name"]: e.get("value") for e in out["spec"]["containers"][1]["env"]}
                         ["ISTIO_KUBE_APP_PROBERS"])
    assert probers == {"/app-health/app/readyz": {"httpGet": {"path": "/ready", "port": 8080}}}


def test_modern_templates_annotation_and_aliases():
    s = modern_settings()
    assert select_templates(s, {"inject.istio.io/templates": "both"}, MODE_WEBHOOK) == ["sidecar", "extra"]
    assert select_templates(s, {}, MODE_KUBE_INJECT) == ["sidecar"]
    out = inject_pod(app_pod(annotations={"inject.istio.io/templates": "both"}), s, mode=MODE_WEBHOOK).pod
    assert out["metadata"]["annotations"]["extra"] == "yes"
    with pytest.raises(InjectionError, match="nope"):
        inject_pod(app_pod(annotations={"inject.istio.io/templates": "nope"}), s, mode=MODE_WEBHOOK)


def test_modern_native_sidecars_move_user_proxy_and_keep_user_fields():
    s = modern_settings(env={"ENABLE_NATIVE_SIDECARS": "true"})
    pod = app_pod()
    pod["spec"]["containers"].append({"name": "istio-proxy", "image": "auto",
                                      "resources": {"limits": {"cpu": "3"}}})
    out = inject_pod(pod, s, mode=MODE_WEBHOOK).pod
    assert names(out["spec"]["containers"]) == ["app"]
    assert names(out["spec"]["initContainers"]) == ["istio-init", "istio-proxy"]
    proxy = out["spec"]["initContainers"][1]
    assert proxy["image"] == "docker.io/istio/proxyv2:1.0"  # image: auto keeps the injected one
    assert proxy["restartPolicy"] == "Always"
    assert proxy["resources"]["limits"]["cpu"] == "3"
    overrides = json.loads(out["metadata"]["annotations"]["proxy.istio.io/overrides"])
    assert names(overrides["initContainers"]) == ["istio-proxy"]
    assert "image" not in overrides["initContainers"][0]


def test_modern_reinjection_is_idempotent():
    s = modern_settings()
    once = inject_pod(app_pod(), s, namespace="ns", mode=MODE_WEBHOOK).pod
    twice = inject_pod(once, s, namespace="ns", mode=MODE_WEBHOOK).pod
    assert twice == once


def test_modern_hold_application_puts_proxy_first():
    values = copy.deepcopy(VALUES)
    values["global"]["proxy"]["holdApplicationUntilProxyStarts"] = True
    s = Settings.build(parse_config(MODERN_CONFIG), values, "", env={"ENABLE_NATIVE_SIDECARS": "false"})
    out = inject_pod(app_pod(), s, mode=MODE_WEBHOOK).pod
    assert names(out["spec"]["containers"]) == ["istio-proxy", "app"]


# ---------------------------------------------------------------------------- helpers

def test_workload_identity_heuristics():
    from injector.workload import deploy_meta_from_pod

    def pod(kind, name, labels=None, gen="x-"):
        return {"metadata": {"generateName": gen, "namespace": "ns", "labels": labels or {},
                             "ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name,
                                                  "controller": True}]}}

    w = deploy_meta_from_pod(pod("ReplicaSet", "web-5d9c", {"pod-template-hash": "5d9c"}))
    assert (w.kind, w.name, w.api_version, w.namespace) == ("Deployment", "web", "apps/v1", "ns")
    w = deploy_meta_from_pod(pod("ReplicaSet", "ro-abc", {"rollouts-pod-template-hash": "abc"}))
    assert (w.kind, w.name, w.api_version) == ("Rollout", "ro", "v1alpha1")
    w = deploy_meta_from_pod(pod("ReplicationController", "dc-1", {"deploymentconfig": "dc"}))
    assert (w.kind, w.name, w.api_version) == ("DeploymentConfig", "dc", "v1")
    w = deploy_meta_from_pod(pod("Job", "tick-12345678"))
    assert (w.kind, w.name, w.api_version) == ("CronJob", "tick", "batch/v1")
    w = deploy_meta_from_pod(pod("Job", "tick-12345678"), legacy=True)  # 1.7: exactly 10 digits
    assert (w.kind, w.name) == ("Job", "tick-12345678")
    w = deploy_meta_from_pod(pod("Job", "tick-1234567890"), legacy=True)
    assert (w.kind, w.name, w.api_version) == ("CronJob", "tick", "batch/v1beta1")
    w = deploy_meta_from_pod(pod("StatefulSet", "db", {"service.istio.io/workload-name": "database"}))
    assert (w.kind, w.name) == ("StatefulSet", "database")
    bare = {"metadata": {"name": "p", "ownerReferences": [{"kind": "ReplicaSet", "name": "r", "controller": True}]}}
    assert deploy_meta_from_pod(bare).kind == "Pod"  # no generateName: the pod is its own workload


def test_object_to_pod_conversions():
    from injector.workload import object_to_pod

    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
           "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}
    p = object_to_pod(dep)
    assert p["metadata"]["generateName"] == "web-fake-"
    assert p["metadata"]["labels"] == {"app": "web", "pod-template-hash": "fake"}
    assert p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    cj = {"kind": "CronJob", "metadata": {"name": "tick"},
          "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
    assert object_to_pod(cj)["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert object_to_pod({"kind": "Service"}) is None


def test_template_data_shapes():
    from injector import templatedata
    from injector.template.values import GoStruct, Int64, StrMap

    data = templatedata.build(
        legacy=False, type_meta={"kind": "Deployment", "apiVersion": "apps/v1"},
        deploy_meta={"name": "web", "namespace": "ns"},
        pod_meta={"labels": {"app": "web"}},
        pod_spec={"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "http"}]}]},
        proxy_config={}, mesh_config={}, values={}, revision="r", native_sidecars=True,
        proxy_image="hub/proxyv2:1", proxy_uid=7, proxy_gid=8)
    meta = data["ObjectMeta"]
    assert isinstance(meta["Labels"], StrMap) and meta["Annotations"].nil
    assert meta["Name"] == "" and data["Spec"]["ServiceAccountName"] == ""
    port = data["Spec"]["Containers"][0]["Ports"][0]
    assert isinstance(port, GoStruct) and port.get("ContainerPort") == Int64(80) and port.get("Protocol") == ""
    assert data["DeploymentMeta"] == {"Name": "web", "Namespace": "ns"}
    assert data["ProxyUID"] == Int64(7) and data["NativeSidecars"] is True and data["Revision"] == "r"
    assert "Revision" not in templatedata.build(
        legacy=True, type_meta={}, deploy_meta={"name": "w"}, pod_meta={}, pod_spec={},
        proxy_config={}, mesh_config={}, values={})


@pytest.mark.parametrize("tag, variant, pc_type, ann, want", [
    ("1.20", "", None, None, "docker.io/istio/proxyv2:1.20"),
    ("1.20", "distroless", None, None, "docker.io/istio/proxyv2:1.20-distroless"),
    ("1.20-debug", "", "distroless", None, "docker.io/istio/proxyv2:1.20-distroless"),
    ("1.20-distroless", "distroless", None, "default", "docker.io/istio/proxyv2:1.20"),
    (11.0, "", None, None, "docker.io/istio/proxyv2:11"),
])
def test_proxy_image(tag, variant, pc_type, ann, want):
    from injector.templatedata import proxy_image

    values = {"global": {"hub": "docker.io/istio", "tag": tag, "variant": variant}}
    pc = {"image": {"imageType": pc_type}} if pc_type else {}
    annotations = {"sidecar.istio.io/proxyImageType": ann} if ann else {}
    assert proxy_image(values, pc, annotations) == want
