"""Injector config, values, Settings loading, and the pod-annotation validation."""
from __future__ import annotations

import json
import textwrap

import pytest
import yaml

from injector.annotations import AnnotationError, annotation_problems, validate_annotations
from injector.config import (
    LEGACY, TEMPLATES, ConfigError, deep_merge, parse_config, parse_values, split_configmap,
)
from injector.settings import Settings, add_config_arguments, settings_from_args
from tests.conftest import need_shared
from tests.test_policy import corpora

try:  # the template engine lands separately; parsing tests skip until it is there
    from injector.template import Template  # noqa: F401
    from injector.template.funcs.sets import FUNCSETS  # noqa: F401
    ENGINE = True
except ImportError:
    ENGINE = False
needs_engine = pytest.mark.skipif(not ENGINE, reason="template engine (injector.template) not available yet")


def test_legacy_corpus_config():
    cfg_dir = need_shared("conformance", "istio-1.7.3", "config")
    cfg = parse_config((cfg_dir / "config.yaml").read_text())
    assert cfg.format == LEGACY and cfg.legacy
    assert cfg.policy == "enabled"
    assert cfg.always_inject_selector == [] and cfg.never_inject_selector == []
    assert cfg.injected_annotations == {}
    assert cfg.raw_template.startswith("rewriteAppHTTPProbe:")
    assert cfg.templates == {"sidecar": cfg.raw_template}
    assert cfg.default_templates == ["sidecar"]


def test_modern_corpus_config():
    cfg_dir = need_shared("conformance", "istio-1.29.6", "config")
    cfg = parse_config((cfg_dir / "config.yaml").read_text())
    assert cfg.format == TEMPLATES and not cfg.legacy
    assert cfg.default_templates == ["sidecar"]
    names = sorted(p.stem for p in (cfg_dir / "templates").glob("*.yaml"))
    assert sorted(cfg.templates) == names
    for name in names:  # each entry is exactly the file's text
        assert cfg.templates[name] == (cfg_dir / "templates" / f"{name}.yaml").read_text(), name
    # the guard string is kept but is not a template
    assert "Mismatched" in cfg.raw_template and "Mismatched" not in "".join(cfg.templates.values())


def test_values_are_float64():
    cfg_dir = need_shared("conformance", "istio-1.7.3", "config")
    values = parse_values((cfg_dir / "values.json").read_text())
    assert values["global"]["proxy"]["statusPort"] == 15020.0
    assert isinstance(values["global"]["proxy"]["statusPort"], float)
    assert isinstance(values["global"]["proxy"]["privileged"], bool)
    assert parse_values("a:\n  b: 3\n  c: [1, true]\n") == {"a": {"b": 3.0, "c": [1.0, True]}}
    assert parse_values("") == {}
    with pytest.raises(ConfigError, match="vals"):
        parse_values("[1, 2]", "vals")


def test_configmap_manifest_accepted():
    manifest = textwrap.dedent("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio-sidecar-injector}
        data:
          config: |
            policy: disabled
            template: "x: 1"
          values: '{"global": {"n": 1}}'
        """)
    config_text, values_text, _ = split_configmap(manifest, "cm.yaml")
    assert parse_config(config_text).policy == "disabled"
    assert json.loads(values_text) == {"global": {"n": 1}}
    plain = "policy: enabled\n"
    assert split_configmap(plain, "x") == (plain, None, None)
    with pytest.raises(ConfigError, match="cm.yaml"):
        split_configmap("kind: ConfigMap\ndata: {values: x}\n", "cm.yaml")


def test_bad_config_names_source():
    with pytest.raises(ConfigError, match="my.yaml"):
        parse_config("policy: [", "my.yaml")
    with pytest.raises(ConfigError, match="alwaysInjectSelector"):
        parse_config("alwaysInjectSelector: 3\n", "my.yaml")
    with pytest.raises(ConfigError, match="templates"):
        parse_config("templates: [a]\n")


def test_deep_merge():
    assert deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2], "e": None}}) == \
        {"a": {"b": 1, "c": [2], "e": None}, "d": 1}


def test_settings_load_files(tmp_path):
    cfg_dir = need_shared("conformance", "istio-1.7.3", "config")
    s = Settings.load(str(cfg_dir / "config.yaml"), str(cfg_dir / "values.json"), str(cfg_dir / "mesh.yaml"),
                      parse=False)
    assert s.legacy and s.values["global"]["proxy"]["statusPort"] == 15020.0
    assert s.mesh == yaml.safe_load((cfg_dir / "mesh-effective.yaml").read_text())
    assert s.proxy_defaults["concurrency"] == 2  # legacy defaults chosen by format
    assert s.env["ENABLE_NATIVE_SIDECARS"]
    # a ConfigMap manifest carries its own values; mesh from a ConfigMap manifest too
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {
        "config": (cfg_dir / "config.yaml").read_text(), "values": '{"global": {"x": 1}}'}}
    (tmp_path / "cm.yaml").write_text(yaml.safe_dump(cm))
    mesh_cm = {"kind": "ConfigMap", "data": {"mesh": "trustDomain: example.org\n"}}
    (tmp_path / "mesh.yaml").write_text(yaml.safe_dump(mesh_cm))
    s = Settings.load(str(tmp_path / "cm.yaml"), mesh_config_file=str(tmp_path / "mesh.yaml"), parse=False)
    assert s.values == {"global": {"x": 1.0}} and s.mesh["trustDomain"] == "example.org"
    with pytest.raises(ConfigError, match="--valuesFile"):
        Settings.load(values_file=str(tmp_path / "missing.json"), parse=False)
    (tmp_path / "bad-mesh.yaml").write_text("defaultConfig: [")
    with pytest.raises(ConfigError, match="bad-mesh.yaml: not valid YAML"):
        Settings.load(mesh_config_file=str(tmp_path / "bad-mesh.yaml"), parse=False)


def test_settings_from_args_defaults(tmp_path):
    import argparse
    p = argparse.ArgumentParser()
    add_config_arguments(p)
    objs = tmp_path / "cluster.yaml"
    objs.write_text("kind: Node\nmetadata: {name: n1}\nstatus: {nodeInfo: {kubeletVersion: v1.34.1}}\n---\n"
                    "kind: Namespace\nmetadata: {name: shop, labels: {istio-injection: enabled}}\n")
    args = p.parse_args(["--cluster-objects", str(objs), "--revision", "canary"])
    s = settings_from_args(args, parse=False)
    assert s.revision == "canary" and not s.legacy  # the embedded default is modern
    assert s.cluster.nodes == {"n1": "v1.34.1"}
    assert s.cluster.namespace("shop").labels == {"istio-injection": "enabled"}
    assert s.config.policy == "enabled" and s.config.default_templates == ["sidecar"]


class FakeCoreV1:
    def __init__(self, maps):
        self.maps = maps
        self.calls = []

    def read_namespaced_config_map(self, name, namespace):
        self.calls.append((namespace, name))
        if (namespace, name) not in self.maps:
            err = Exception("Not Found")
            err.status = 404
            raise err
        return {"data": self.maps[(namespace, name)]}


def test_settings_from_cluster_configmaps():
    api = FakeCoreV1({
        ("istio-system", "istio-sidecar-injector-canary"): {
            "config": "policy: disabled\ntemplates:\n  sidecar: 'x: 1'\n", "values": '{"revision": "canary"}'},
        ("istio-system", "istio"): {"mesh": "trustDomain: td.example\n"},
    })
    s = Settings.from_cluster(revision="canary", api=api, parse=False)
    assert s.config.policy == "disabled" and s.values == {"revision": "canary"}
    assert s.mesh["trustDomain"] == "td.example" and s.revision == "canary"
    assert ("istio-system", "istio-canary") in api.calls  # revision mesh tried first
    with pytest.raises(ConfigError, match="istio-system/istio-sidecar-injector"):
        Settings.from_cluster(api=FakeCoreV1({}), parse=False)


@needs_engine
def test_embedded_default_parses():
    s = Settings.default()
    assert s.config.default_templates == ["sidecar"] and set(s.templates) == {"sidecar"}


@needs_engine
@pytest.mark.parametrize("corpus", corpora("config/config.yaml"))
def test_corpus_templates_parse_eagerly(corpus):
    cfg_dir = need_shared("conformance", corpus, "config")
    s = Settings.load(str(cfg_dir / "config.yaml"), str(cfg_dir / "values.json"), str(cfg_dir / "mesh.yaml"))
    assert set(s.templates) == set(s.config.templates)


@needs_engine
def test_bad_template_fails_at_load():
    from injector.template import ParseError
    with pytest.raises(ParseError, match=r"template: sidecar:\d"):
        Settings.from_texts("templates:\n  sidecar: |\n    a: 1\n    b: {{ .X \n")


# ---------------------------------------------------------------- annotations

def _pod_meta(doc):
    kind = doc.get("kind")
    if kind == "Pod":
        return doc["metadata"]
    return doc["spec"]["template"]["metadata"]


@pytest.mark.parametrize("corpus", corpora())
def test_expected_error_cases(corpus):
    d = need_shared("conformance", corpus)
    cases = [c for c in json.loads((d / "cases.json").read_text())["cases"] if c.get("expected_error")]
    if not cases:
        pytest.skip(f"{corpus}: no expected-error case")
    for case in cases:
        doc = yaml.safe_load((d / case["input"]).read_text())
        with pytest.raises(AnnotationError) as err:
            validate_annotations(_pod_meta(doc).get("annotations"))
        assert case["expected_error"] in str(err.value).lower(), case["id"]


@pytest.mark.parametrize("corpus", corpora())
def test_golden_inputs_have_valid_annotations(corpus):
    d = need_shared("conformance", corpus)
    checked = 0
    for case in json.loads((d / "cases.json").read_text())["cases"]:
        if case.get("expected_error") or not case.get("input") or not case.get("expected"):
            continue
        if not str(case["input"]).endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all((d / case["input"]).read_text()):
            items = (doc or {}).get("items") if (doc or {}).get("kind") == "List" else [doc]
            for item in items or []:
                meta = ((item or {}).get("spec") or {}).get("template", {}).get("metadata") \
                    if (item or {}).get("kind") not in ("Pod", "CronJob") else (item or {}).get("metadata")
                assert annotation_problems((meta or {}).get("annotations")) == [], case["id"]
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("name,value,ok", [
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "*", True),
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,192.168.0.1/32", True),
    ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.1", False),
    ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "", True),
    ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", False),
    ("traffic.sidecar.istio.io/includeInboundPorts", "*", True),
    ("traffic.sidecar.istio.io/includeInboundPorts", "80, 8080", True),
    ("traffic.sidecar.istio.io/excludeInboundPorts", "70000", False),
    ("traffic.sidecar.istio.io/excludeOutboundPorts", "1,,2", False),
    ("status.sidecar.istio.io/port", "0", True),
    ("status.sidecar.istio.io/port", "-1", False),
    ("readiness.status.sidecar.istio.io/periodSeconds", "4294967295", True),
    ("readiness.status.sidecar.istio.io/periodSeconds", "4294967296", False),
    ("sidecar.istio.io/interceptionMode", "TPROXY", True),
    ("sidecar.istio.io/interceptionMode", "tproxy", False),
    ("sidecar.istio.io/enableCoreDump", "T", True),
    ("sidecar.istio.io/enableCoreDump", "yes", False),
    ("prometheus.istio.io/merge-metrics", "false", True),
    ("proxy.istio.io/config", "concurrency: 2", True),
    ("proxy.istio.io/config", "- a", False),
    ("proxy.istio.io/config", "discoveryAddress: foo:123\nconcurrency: 0\nproxyMetadata: {FOO: bar}", True),
    ("proxy.istio.io/config", "discoveryAddress: nohost", False),
    ("proxy.istio.io/config", "statusPort: 70000", False),
    ("proxy.istio.io/config", "concurrency: -1", False),
    ("proxy.istio.io/config", "interceptionMode: SIDEWAYS", False),
    ("proxy.istio.io/config", "tracing: {zipkin: {address: 'zipkin:9411'}}", True),
    ("proxy.istio.io/config", "holdApplicationUntilProxyStarts: true", True),
    ("sidecar.istio.io/inject", "whatever", True),
])
def test_annotation_validators(name, value, ok):
    problems = annotation_problems({name: value})
    assert (problems == []) == ok, problems
    if not ok:
        with pytest.raises(AnnotationError, match=name.replace(".", r"\.")):
            validate_annotations({name: value})


def test_all_problems_reported():
    with pytest.raises(AnnotationError) as err:
        validate_annotations({"status.sidecar.istio.io/port": "x", "sidecar.istio.io/interceptionMode": "y"})
    assert len(err.value.problems) == 2 and "2 errors" in str(err.value)


# ---------------------------------------------------------------- cluster facts

from injector.cluster import (  # noqa: E402
    ClusterFacts, ClusterObjectsError, ClusterWatcher, detect_native_sidecars, kubelet_minor,
    native_sidecars_for_pod, proxy_uid_gid,
)


def test_native_sidecar_environments_of_corpus():
    d = need_shared("conformance", "istio-1.29.6")
    seen = set()
    for case in json.loads((d / "cases.json").read_text())["cases"]:
        env = case["environment"]
        facts = ClusterFacts.from_summary(env["nodes"], env["namespaces"], env["cluster_id"])
        want = env["native_sidecars_effective_without_nodeName"]
        assert detect_native_sidecars(env["native_sidecars"], facts) is want, case["id"]
        seen.add(want)
    assert seen == {True, False}


def test_native_sidecar_rules():
    facts = ClusterFacts(nodes={"old": "v1.28.3", "new": "v1.33.1-eks-abc"})
    assert not detect_native_sidecars("auto", facts)  # every node must qualify
    assert detect_native_sidecars("auto", facts, "new")  # the pod's node decides
    assert not detect_native_sidecars("auto", facts, "old")
    assert not detect_native_sidecars("auto", facts, "unknown")  # falls back to all nodes
    assert not detect_native_sidecars("auto", ClusterFacts())  # no nodes: off
    assert detect_native_sidecars("true", None) and not detect_native_sidecars("false", facts)
    anno = {"sidecar.istio.io/nativeSidecar": "true"}
    assert native_sidecars_for_pod("false", facts, {}, anno)
    assert not native_sidecars_for_pod("true", facts, {}, {"sidecar.istio.io/nativeSidecar": "false"})
    assert native_sidecars_for_pod("auto", facts, {"nodeName": "new"}, {})
    assert kubelet_minor("v1.34.0") == 34 and kubelet_minor("garbage") is None


def test_openshift_uid_gid():
    d = need_shared("conformance", "istio-1.29.6")
    env = json.loads((d / "cases.json").read_text())["cases"][0]["environment"]
    facts = ClusterFacts.from_summary(env["nodes"], env["namespaces"])
    assert proxy_uid_gid("openshift", facts.namespace("test-ns")) == (1000629999, 1000629999)
    assert proxy_uid_gid("", facts.namespace("test-ns")) == (1337, 1337)
    assert proxy_uid_gid("openshift", facts.namespace("other")) == (1337, 1337)


def test_cluster_objects_file(tmp_path):
    f = tmp_path / "objs.yaml"
    f.write_text(yaml.safe_dump([
        {"kind": "Node", "metadata": {"name": "a"}, "status": {"nodeInfo": {"kubeletVersion": "v1.33.0"}}},
        {"kind": "List", "items": [{"kind": "Namespace", "metadata": {"name": "x", "annotations": {"k": "v"}}}]},
        {"kind": "Service", "metadata": {"name": "ignored"}},
    ]))
    facts = ClusterFacts.from_file(str(f))
    assert facts.nodes == {"a": "v1.33.0"} and facts.namespace("x").annotations == {"k": "v"}
    with pytest.raises(ClusterObjectsError, match="missing.yaml"):
        ClusterFacts.from_file(str(tmp_path / "missing.yaml"))
    f.write_text("kind: Node\nmetadata: {}\n")
    with pytest.raises(ClusterObjectsError, match="metadata.name"):
        ClusterFacts.from_file(str(f))


def test_watcher_snapshot_updates():
    w = ClusterWatcher(api=object())
    w._replace_all("Node", [{"metadata": {"name": "n1"}, "status": {"nodeInfo": {"kubeletVersion": "v1.30.0"}}}])
    before = w.snapshot
    w._apply("Node", "ADDED", {"metadata": {"name": "n2"}, "status": {"nodeInfo": {"kubeletVersion": "v1.34.0"}}})
    w._apply("Namespace", "MODIFIED", {"metadata": {"name": "ns", "labels": {"a": "b"}}})
    assert before.nodes == {"n1": "v1.30.0"}  # snapshots are immutable
    assert w.snapshot.nodes == {"n1": "v1.30.0", "n2": "v1.34.0"}
    w._apply("Node", "DELETED", {"metadata": {"name": "n1"}})
    assert w.snapshot.nodes == {"n2": "v1.34.0"} and w.snapshot.namespace("ns").labels == {"a": "b"}


def test_watcher_lists_then_watches(monkeypatch):
    import threading
    import time
    import kubernetes.watch

    class Listing:
        def __init__(self, items):
            self.data = json.dumps({"metadata": {"resourceVersion": "7"}, "items": items})

    class Api:
        def list_node(self, **kw):
            return Listing([{"metadata": {"name": "n1"}, "status": {"nodeInfo": {"kubeletVersion": "v1.33.0"}}}])

        def list_namespace(self, **kw):
            return Listing([{"metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}])

    started = threading.Event()

    class FakeWatch:
        def __init__(self):
            self.stopped = threading.Event()

        def stream(self, func, resource_version=None, **kw):
            assert resource_version == "7"
            if func.__name__ == "list_node":
                yield {"type": "ADDED", "raw_object": {"metadata": {"name": "n2"},
                                                       "status": {"nodeInfo": {"kubeletVersion": "v1.28.0"}}}}
                started.set()
            self.stopped.wait(5)

        def stop(self):
            self.stopped.set()

    monkeypatch.setattr(kubernetes.watch, "Watch", FakeWatch)
    w = ClusterWatcher(api=Api())
    w.start()
    try:
        assert started.wait(5)
        for _ in range(50):
            if len(w.snapshot.nodes) == 2 and w.snapshot.namespace("shop"):
                break
            time.sleep(0.02)
        assert w.snapshot.nodes == {"n1": "v1.33.0", "n2": "v1.28.0"}
        assert not detect_native_sidecars("auto", w.snapshot)
    finally:
        w.stop()
    assert not w._threads


# ---------------------------------------------------------------- the embedded default config

NGINX = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx, namespace: istio-inject, labels: {app: nginx}}
spec:
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}%s}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
"""


def _inject_default(annotations="", env=None):
    try:
        from injector.kubeinject import kube_inject
    except ImportError:
        pytest.skip("injection pipeline (injector.kubeinject) not available yet")
    settings = Settings.default(env=env or {})
    result = kube_inject(NGINX % annotations, settings)
    (doc,) = [d for d in yaml.safe_load_all(result.text) if d]
    return doc["spec"]["template"]


def _by_name(items):
    return {c["name"]: c for c in items or []}


@needs_engine
def test_embedded_default_renders_istio_sidecar():
    pod = _inject_default()
    spec = pod["spec"]
    init = _by_name(spec["initContainers"])["istio-init"]
    assert init["args"] == ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
                            "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"]
    assert set(init["securityContext"]["capabilities"]["add"]) == {"NET_ADMIN", "NET_RAW"}
    containers = _by_name(spec["containers"])
    assert list(containers) == ["nginx", "istio-proxy"]
    proxy = containers["istio-proxy"]
    assert proxy["args"][:2] == ["proxy", "sidecar"] and proxy["image"] == init["image"]
    assert proxy["image"].startswith("docker.io/istio/proxyv2:")
    env = {e["name"]: e for e in proxy["env"]}
    for name in ("POD_NAME", "POD_NAMESPACE", "INSTANCE_IP", "SERVICE_ACCOUNT", "HOST_IP", "PROXY_CONFIG",
                 "ISTIO_META_APP_CONTAINERS", "ISTIO_META_CLUSTER_ID", "ISTIO_META_INTERCEPTION_MODE",
                 "ISTIO_META_WORKLOAD_NAME", "ISTIO_META_OWNER", "ISTIO_META_MESH_ID", "TRUST_DOMAIN", "CA_ADDR"):
        assert name in env, name
    assert env["ISTIO_META_OWNER"]["value"] == "kubernetes://apis/apps/v1/namespaces/istio-inject/deployments/nginx"
    assert env["ISTIO_META_APP_CONTAINERS"]["value"] == "nginx"
    assert json.loads(env["PROXY_CONFIG"]["value"]) == {}
    assert {"containerPort": 15090, "name": "http-envoy-prom", "protocol": "TCP"} in proxy["ports"]
    assert proxy["readinessProbe"]["httpGet"] == {"path": "/healthz/ready", "port": 15021}
    assert proxy["securityContext"]["runAsUser"] == 1337 and proxy["securityContext"]["runAsNonRoot"] is True
    volumes = _by_name(spec["volumes"])
    for name in ("istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert"):
        assert name in volumes, name
    mounts = {m["name"] for m in proxy["volumeMounts"]}
    assert mounts <= set(volumes) and "istio-token" in mounts
    assert pod["metadata"]["labels"]["service.istio.io/canonical-name"] == "nginx"
    assert pod["metadata"]["labels"]["security.istio.io/tlsMode"] == "istio"


@needs_engine
def test_embedded_default_annotations_and_native_sidecars():
    pod = _inject_default(", annotations: {sidecar.istio.io/interceptionMode: TPROXY, "
                          "traffic.sidecar.istio.io/excludeInboundPorts: '8081', "
                          "proxy.istio.io/config: '{concurrency: 3, proxyMetadata: {FOO: bar}}'}",
                          env={"ENABLE_NATIVE_SIDECARS": "true"})
    spec = pod["spec"]
    inits = _by_name(spec["initContainers"])
    assert list(inits) == ["istio-init", "istio-proxy"]  # native sidecar
    proxy = inits["istio-proxy"]
    assert proxy["restartPolicy"] == "Always"
    assert "istio-proxy" not in _by_name(spec["containers"])
    args = inits["istio-init"]["args"]
    assert args[args.index("-m") + 1] == "TPROXY" and args[args.index("-d") + 1] == "15090,15021,8081,15020"
    assert proxy["args"][-2:] == ["--concurrency", "3"]
    env = {e["name"]: e.get("value") for e in proxy["env"]}
    assert env["FOO"] == "bar"
    # the interceptionMode annotation changes the iptables mode, not the ProxyConfig
    assert env["PROXY_CONFIG"].strip() == '{"concurrency":3,"proxyMetadata":{"FOO":"bar"}}'
    assert proxy["securityContext"]["runAsUser"] == 0 and "NET_ADMIN" in proxy["securityContext"]["capabilities"]["add"]


def test_watch_cluster_flag_gives_live_facts(monkeypatch):
    import argparse
    import injector.settings as settings_mod
    from injector.cluster import LiveClusterFacts

    class StubWatcher:
        started = 0

        def __init__(self, api, cluster_id="Kubernetes"):
            self.snapshot = ClusterFacts(nodes={"n": "v1.30.0"}, cluster_id=cluster_id)

        def start(self):
            StubWatcher.started += 1

        def stop(self):
            pass

    monkeypatch.setattr(settings_mod, "ClusterWatcher", StubWatcher)
    monkeypatch.setattr(settings_mod, "core_v1_api", lambda kubeconfig=None, context=None: object())
    monkeypatch.setattr(settings_mod, "_WATCHERS", {})
    p = argparse.ArgumentParser()
    add_config_arguments(p)
    args = p.parse_args(["--watch-cluster"])
    s1 = settings_from_args(args, parse=False)
    s2 = settings_from_args(args, parse=False)  # a reload shares the running watcher
    assert isinstance(s1.cluster, LiveClusterFacts) and StubWatcher.started == 1
    assert s2.cluster.watcher is s1.cluster.watcher
    s1.cluster.watcher.snapshot = ClusterFacts(nodes={"n": "v1.34.0"})  # the cluster changes
    assert detect_native_sidecars("auto", s2.cluster)
    settings_mod.stop_watchers()


def test_configmap_list_with_mesh(tmp_path):
    cfg_dir = need_shared("conformance", "istio-1.7.3", "config")
    listing = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio"},
         "data": {"mesh": (cfg_dir / "mesh.yaml").read_text()}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "istio-sidecar-injector"},
         "data": {"config": (cfg_dir / "config.yaml").read_text(), "values": (cfg_dir / "values.json").read_text()}},
    ]}
    (tmp_path / "cms.yaml").write_text(yaml.safe_dump(listing))
    s = Settings.load(str(tmp_path / "cms.yaml"), parse=False)
    assert s.legacy and s.mesh == yaml.safe_load((cfg_dir / "mesh-effective.yaml").read_text())
    assert s.values == parse_values((cfg_dir / "values.json").read_text())
    (tmp_path / "two.yaml").write_text("kind: ConfigMap\nmetadata: {name: a}\ndata: {x: y}\n---\n"
                                       "kind: ConfigMap\nmetadata: {name: b}\ndata: {}\n")
    with pytest.raises(ConfigError, match=r"two.yaml: no ConfigMap with data.config \(found a, b\)"):
        Settings.load(str(tmp_path / "two.yaml"), parse=False)


def test_values_file_may_be_a_configmap(tmp_path):
    (tmp_path / "v.yaml").write_text(yaml.safe_dump({"kind": "ConfigMap", "data": {"values": '{"a": 2}'}}))
    assert Settings.load(values_file=str(tmp_path / "v.yaml"), parse=False).values == {"a": 2.0}
    (tmp_path / "v.yaml").write_text(yaml.safe_dump({"kind": "ConfigMap", "data": {"config": "x"}}))
    with pytest.raises(ConfigError, match="v.yaml: ConfigMap has no data.values"):
        Settings.load(values_file=str(tmp_path / "v.yaml"), parse=False)
    (tmp_path / "v.yaml").write_text("a: [")
    with pytest.raises(ConfigError, match="v.yaml: neither JSON nor YAML"):
        Settings.load(values_file=str(tmp_path / "v.yaml"), parse=False)
