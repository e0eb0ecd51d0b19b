"""The render cache: bounded LRU, counters, and keys that never let two pods whose
template-visible inputs differ share a render (checked against the uncached path)."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

pytest.importorskip("injector.template.funcs.sets", reason="template engine not available in this checkout")

from injector import rendercache
from injector.config import parse_config
from injector.inject import MODE_WEBHOOK, inject_pod
from injector.rendercache import RenderCache
from injector.settings import Settings

MODERN = """\
policy: enabled
defaultTemplates: [sidecar]
templates:
  sidecar: |
    metadata:
      annotations:
        seen/app: {{ index .ObjectMeta.Labels "app" | quote }}
        seen/note: {{ index .ObjectMeta.Annotations "note" | quote }}
    spec:
      containers:
      - name: istio-proxy
        image: {{ .ProxyImage }}
        args: [{{ range $i, $c := .Spec.Containers }}{{ if $i }}, {{ end }}{{ $c.Name | quote }}{{ range $c.Ports }}, "{{ .ContainerPort }}"{{ end }}{{ end }}]
        env:
        - name: SA
          value: {{ .Spec.ServiceAccountName | quote }}
        - name: HUB
          value: {{ .Values.global.hub | quote }}
        - name: WORKLOAD
          value: "{{ .TypeMeta.Kind }}/{{ .DeploymentMeta.Name }}"
"""

LEGACY = """\
policy: enabled
template: |-
  containers:
  - name: istio-proxy
    image: "{{ .Values.global.hub }}/proxyv2"
    env:
    - name: APP
      value: "{{ index .ObjectMeta.Labels `app` }}"
    - name: PORTS
      value: "{{ range .Spec.Containers }}{{ range .Ports }}{{ .ContainerPort }} {{ end }}{{ end }}"
"""

VALUES = {"global": {"hub": "example.io/istio", "tag": "1.0", "proxy": {"image": "proxyv2"}}}


def _settings(config: str, values: dict = VALUES) -> Settings:
    return Settings.build(parse_config(config), copy.deepcopy(values), None, env={})


def _pod(app="a", note="n", sa="default", ports=(8080,), names=("app",)) -> dict:
    return {
        "metadata": {"generateName": "w-5d8f7c9b6-", "namespace": "ns", "labels": {"app": app},
                     "annotations": {"note": note},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                          "name": "w-5d8f7c9b6", "uid": "u1", "controller": True}]},
        "spec": {"serviceAccountName": sa,
                 "containers": [{"name": n, "image": "img",
                                 "ports": [{"containerPort": p} for p in ports]} for n in names]},
    }


def _inject(pod: dict, s: Settings) -> dict:
    return inject_pod(pod, s, namespace="ns", mode=MODE_WEBHOOK).pod


@pytest.fixture(autouse=True)
def _fresh_cache():
    rendercache.set_enabled(True)
    rendercache.CACHE.reset_counters()
    yield
    rendercache.set_enabled(True)


def _uncached(pod: dict, s: Settings) -> dict:
    rendercache.set_enabled(False)
    try:
        return _inject(pod, s)
    finally:
        rendercache.set_enabled(True)


# ------------------------------------------------------------------ the LRU itself

def test_lru_bounds_entries_and_bytes_and_counts():
    c = RenderCache(max_entries=2, max_bytes=100)
    c.put(b"a", b"1")
    c.put(b"b", b"2")
    assert c.get(b"a") == b"1"          # a is now the most recent
    c.put(b"c", b"3")                   # evicts b, the least recently used
    assert c.get(b"b") is None and c.get(b"c") == b"3" and c.get(b"a") == b"1"
    assert (c.hits, c.misses) == (3, 1)
    c.put(b"big", b"x" * 200)           # larger than the byte bound: never stored
    assert c.get(b"big") is None and len(c) == 2
    c.put(b"d", b"y" * 98)              # fits alone: the others go
    assert len(c) == 1 and c.size_bytes == 99


def test_hooks_follow_counters():
    c = RenderCache()
    seen = []
    c.on_hit, c.on_miss = (lambda: seen.append("hit")), (lambda: seen.append("miss"))
    c.get(b"k")
    c.put(b"k", b"v")
    c.get(b"k")
    assert seen == ["miss", "hit"]


def test_prometheus_counters_are_wired():
    from injector.webhook import metrics

    before = metrics.RENDER_CACHE_HITS._value.get()
    s = _settings(MODERN)
    _inject(_pod(), s)
    _inject(_pod(), s)
    assert metrics.RENDER_CACHE_HITS._value.get() == before + 1


# ------------------------------------------------------------------ keys are exact

@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_second_pod_of_a_replicaset_hits_and_equals_the_uncached_result(config):
    s = _settings(config)
    first = _inject(_pod(), s)
    assert (rendercache.CACHE.hits, rendercache.CACHE.misses) == (0, 1)
    second = _inject(_pod(), s)
    assert rendercache.CACHE.hits == 1
    assert first == second == _uncached(_pod(), s)


@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_hits_give_fresh_objects(config):
    s = _settings(config)
    _inject(_pod(), s)
    out = _inject(_pod(), s)
    out["spec"]["containers"][-1]["env"].append({"name": "MUTATED"})
    assert _inject(_pod(), s) == _uncached(_pod(), s)


@pytest.mark.parametrize("change", [
    dict(app="b"), dict(note="other"), dict(sa="robot"), dict(ports=(8080, 9090)),
    dict(ports=(9090,)), dict(names=("app", "side")),
])
@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_pods_differing_in_what_the_template_reads_never_share(config, change):
    s = _settings(config)
    base = _inject(_pod(), s)
    other = _inject(_pod(**change), s)
    assert other == _uncached(_pod(**change), s)
    assert base == _uncached(_pod(), s)


def test_a_reload_never_reuses_the_previous_configs_entries():
    old = _settings(MODERN)
    _inject(_pod(), old)
    new = _settings(MODERN, {**VALUES, "global": {**VALUES["global"], "hub": "other.io/istio"}})
    out = _inject(_pod(), new)
    env = {e["name"]: e.get("value") for e in out["spec"]["containers"][-1]["env"]}
    assert env["HUB"] == "other.io/istio"
    assert rendercache.CACHE.hits == 0


def test_impure_templates_are_rendered_every_time():
    s = _settings(MODERN.replace("{{ .ProxyImage }}", "{{ .ProxyImage }}-{{ randAlphaNum 8 }}"))
    a = _inject(_pod(), s)
    b = _inject(_pod(), s)
    assert (rendercache.CACHE.hits, rendercache.CACHE.misses) == (0, 0)
    image = lambda p: p["spec"]["containers"][-1]["image"]  # noqa: E731
    assert image(a) != image(b)  # random each time, as Go renders it


def test_runtime_parsed_text_from_the_pod_is_not_cached():
    cfg = MODERN.replace('{{ index .ObjectMeta.Annotations "note" | quote }}',
                         '{{ render (index .ObjectMeta.Annotations "note") | quote }}')
    s = _settings(cfg)
    assert rendercache.make_key(s, "x", [_pod(note="plain")]) is not None
    assert rendercache.make_key(s, "x", [_pod(note="{{ .Revision }}")]) is None
    out = _inject(_pod(note="{{ .ProxyImage }}"), s)
    assert out["metadata"]["annotations"]["seen/note"] == "example.io/istio/proxyv2:1.0"
    # the pod's JSON passed as the key's blob is checked too (and the answer is not reused
    # for another blob)
    import orjson

    braces, plain = orjson.dumps(_pod(note="{{ .Revision }}")), orjson.dumps(_pod(note="x"))
    for blob, cached in ((braces, False), (braces, False), (plain, True), (braces, False)):
        assert (rendercache.make_key(s, "x", [], blob) is not None) is cached
    assert rendercache.make_key(_settings(MODERN), "x", [], braces) is not None  # no render/tpl


def test_identifiers_walks_every_node_kind():
    s = _settings(MODERN)
    idents = set()
    for root in s.templates["sidecar"].trees.values():
        idents.update(rendercache.identifiers(root))
    assert {"index", "quote"} <= idents


_names = st.sampled_from(["app", "web", "side", "x"])
_pods = st.builds(
    _pod,
    app=st.sampled_from(["a", "b", "", "yes", "1"]),
    note=st.sampled_from(["n", "", "0x10", "on"]),
    sa=st.sampled_from(["default", "robot"]),
    ports=st.lists(st.sampled_from([80, 8080, 9090]), max_size=3, unique=True).map(tuple),
    names=st.lists(_names, min_size=1, max_size=3, unique=True).map(tuple),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pods=st.lists(_pods, min_size=2, max_size=5))
def test_any_sequence_of_pods_gives_the_uncached_results(pods):
    for config in (MODERN, LEGACY):
        s = _SETTINGS[config]
        for p in pods:
            assert _inject(p, s) == _uncached(p, s)


_SETTINGS = {c: _settings(c) for c in (MODERN, LEGACY)}


# ------------------------------------------------------------------ whole-injection level

NATIVE = MODERN.replace("        args: [", "        tty: {{ .NativeSidecars }}\n        args: [")


class _Watcher:
    def __init__(self, snapshot):
        self.snapshot = snapshot


def test_identical_pods_reuse_the_render_but_follow_live_cluster_facts():
    from injector.cluster import ClusterFacts, LiveClusterFacts

    watcher = _Watcher(ClusterFacts(nodes={"n1": "v1.33.0"}))
    s = Settings.build(parse_config(NATIVE), copy.deepcopy(VALUES), None,
                       env={"ENABLE_NATIVE_SIDECARS": "auto"}, cluster=LiveClusterFacts(watcher))
    tty = lambda p: p["spec"]["containers"][-1].get("tty")  # noqa: E731
    first = _inject(_pod(), s)
    assert tty(first) is True
    again = _inject(_pod(), s)
    assert again == first and rendercache.CACHE.hits == 1
    watcher.snapshot = ClusterFacts(nodes={"n1": "v1.27.0"})  # the cluster changed under us
    later = _inject(_pod(), s)
    assert tty(later) is False
    assert later == _uncached(_pod(), s)


@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_same_pod_other_request_inputs_never_share(config):
    s = _settings(config)
    base = inject_pod(_pod(), s, namespace="ns", mode=MODE_WEBHOOK)
    for kw in (dict(namespace="other"), dict(proxy_envs={"ISTIO_META_NETWORK": "net2"}),
               dict(mode="kube-inject")):
        args = dict(namespace="ns", mode=MODE_WEBHOOK)
        args.update(kw)
        got = inject_pod(_pod(), s, **args)
        rendercache.set_enabled(False)
        want = inject_pod(_pod(), s, **args)
        rendercache.set_enabled(True)
        assert got.pod == want.pod and got.status == want.status, kw
    assert base.pod == _uncached(_pod(), s)


# ------------------------------------------------------------------ shared env lists

PATCHING = """\
policy: enabled
defaultTemplates: [sidecar]
templates:
  sidecar: |
    spec:
      containers:
      - name: app
        env:
        - name: ENV_0001
          value: patched
        - name: ADDED
          value: "{{ len .Spec.Containers }}"
      - name: istio-proxy
        image: {{ .ProxyImage }}
"""


def _big_pod(n: int = 300) -> dict:
    p = _pod()
    app = p["spec"]["containers"][0]
    app["env"] = [{"name": f"ENV_{i:04d}", "value": f"v{i}"} for i in range(n)]
    app["env"][5] = {"name": "FROM", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
    app["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    app["lifecycle"] = {"preStop": {"httpGet": {"path": "/stop", "port": 8080}}}
    return p


@pytest.mark.parametrize("config", [PATCHING, MODERN, LEGACY], ids=["patching", "modern", "legacy"])
def test_long_env_lists_shared_with_the_caller_are_never_modified(config, monkeypatch):
    from injector import inject_common

    s = _settings(config)
    pod = _big_pod()
    before = copy.deepcopy(pod)
    results = [_inject(pod, s) for _ in range(3)]  # miss, then render-cache hits
    assert pod == before  # the caller's pod, its env list and entries untouched
    monkeypatch.setattr(inject_common, "_SHARE_MIN_ENV", 10**9)  # no sharing: the reference
    want = _uncached(copy.deepcopy(before), s)
    for got in results:
        assert got == want
    app = next(c for c in results[0]["spec"]["containers"] if c["name"] == "app")
    if config == PATCHING:  # the overlay was merged into the shared list: a new list
        assert app["env"] is not pod["spec"]["containers"][0]["env"]
        assert {"name": "ADDED", "value": "1"} in app["env"]
    else:  # untouched: the very list of the caller (cheap to diff)
        assert app["env"] is pod["spec"]["containers"][0]["env"]


def test_admission_patch_of_a_big_pod_applies_to_the_reference():
    import base64

    import jsonpatch
    import orjson

    from injector.admission import review
    from injector.pipeline import pod_injector_factory

    s = _settings(PATCHING)
    inject_fn = pod_injector_factory(s)({})
    pod = _big_pod()
    body = orjson.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                         "request": {"uid": "u", "namespace": "ns", "object": pod}})
    want = _uncached(copy.deepcopy(pod), s)
    for _ in range(2):
        out = review(body, inject_fn)
        ops = orjson.loads(base64.b64decode(orjson.loads(out.body)["response"]["patch"]))
        assert jsonpatch.apply_patch(copy.deepcopy(pod), ops) == want


# ------------------------------------------------------------------ answer level (the webhook)

def _answer(s: Settings, pod: dict, uid: str = "u1", namespace: str = "ns", envs: dict | None = None,
            api_version: str = "admission.k8s.io/v1"):
    import orjson

    from injector.admission import review
    from injector.pipeline import pod_injector_factory

    body = orjson.dumps({"apiVersion": api_version, "kind": "AdmissionReview",
                         "request": {"uid": uid, "namespace": namespace, "object": pod}})
    out = review(body, pod_injector_factory(s)(envs or {}))
    return out, orjson.loads(out.body)


@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_second_pod_gets_the_cached_answer_with_its_own_uid(config):
    s = _settings(config)
    first, doc1 = _answer(s, _pod(), uid="u1")
    hits = rendercache.CACHE.hits
    second, doc2 = _answer(s, _pod(), uid="u2", api_version="admission.k8s.io/v1beta1")
    assert len(rendercache.ANSWERS) == 1 and rendercache.CACHE.hits == hits + 1
    assert doc2["response"]["uid"] == "u2" and doc2["apiVersion"] == "admission.k8s.io/v1beta1"
    assert doc2["response"]["patch"] == doc1["response"]["patch"]
    assert (second.result, second.patch_ops, second.namespace) == (first.result, first.patch_ops, "ns")
    rendercache.set_enabled(False)
    try:
        _, want = _answer(s, _pod(), uid="u2", api_version="admission.k8s.io/v1beta1")
    finally:
        rendercache.set_enabled(True)
    assert doc2 == want


@pytest.mark.parametrize("config", [MODERN, LEGACY], ids=["modern", "legacy"])
def test_answers_follow_every_input(config):
    """Pod, request namespace and path envs each key the answer: a change is never served
    another pod's answer (each answer equals the uncached one)."""
    s = _settings(config)
    variants = [dict(pod=_pod()), dict(pod=_pod(app="b")), dict(pod=_pod(), namespace="other"),
                dict(pod=_pod(), envs={"ISTIO_META_NETWORK": "net2"})]
    rendercache.set_enabled(False)  # (switching clears the cache)
    try:
        wants = [_answer(s, **copy.deepcopy(kw))[1] for kw in variants]
    finally:
        rendercache.set_enabled(True)
    for _ in range(2):  # the second round is served from the cache
        for kw, want in zip(variants, wants):
            assert _answer(s, **copy.deepcopy(kw))[1] == want, kw
    assert len(rendercache.ANSWERS) == len(variants)


def test_skipped_answers_are_cached_too_and_follow_the_pod():
    s = _settings(MODERN)
    off = _pod()
    off["metadata"]["annotations"]["sidecar.istio.io/inject"] = "false"
    for _ in range(2):
        out, doc = _answer(s, copy.deepcopy(off))
        assert out.result == "skipped" and "patch" not in doc["response"]
    out, _ = _answer(s, _pod())
    assert out.result == "injected"


def test_answers_follow_live_cluster_facts():
    from injector.cluster import ClusterFacts, LiveClusterFacts

    watcher = _Watcher(ClusterFacts(nodes={"n1": "v1.33.0"}))
    s = Settings.build(parse_config(NATIVE), copy.deepcopy(VALUES), None,
                       env={"ENABLE_NATIVE_SIDECARS": "auto"}, cluster=LiveClusterFacts(watcher))
    _, before = _answer(s, _pod())
    _, again = _answer(s, _pod(), uid="u1")
    assert again == before
    watcher.snapshot = ClusterFacts(nodes={"n1": "v1.27.0"})
    _, later = _answer(s, _pod())
    assert later["response"]["patch"] != before["response"]["patch"]


def test_an_answer_key_that_fails_only_turns_caching_off():
    import orjson

    from injector.admission import review
    from injector.pipeline import pod_injector_factory

    class Broken:
        def __init__(self, inner):
            self.inner = inner

        def __call__(self, pod, request):
            return self.inner(pod, request)

        def answer_key(self, pod, request):
            raise RecursionError("too deep")

    s = _settings(MODERN)
    body = orjson.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                         "request": {"uid": "u", "namespace": "ns", "object": _pod()}})
    out = review(body, Broken(pod_injector_factory(s)({})))
    assert out.result == "injected" and len(rendercache.ANSWERS) == 0
