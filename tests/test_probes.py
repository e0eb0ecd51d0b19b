"""App probe / lifecycle rewriting, ISTIO_KUBE_APP_PROBERS, and the JSON writers post-processing uses."""
from __future__ import annotations

import datetime
import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from injector import probes


def spec():
    return {
        "initContainers": [{"name": "side", "restartPolicy": "Always",
                            "readinessProbe": {"httpGet": {"port": 3333}}}],
        "containers": [
            {"name": "hello", "ports": [{"name": "http", "containerPort": 80}],
             "livenessProbe": {"httpGet": {"port": "http", "path": "/live"}, "timeoutSeconds": 5},
             "readinessProbe": {"httpGet": {"port": 3333, "scheme": "HTTPS"}},
             "startupProbe": {"tcpSocket": {"port": 81}},
             "lifecycle": {"preStop": {"httpGet": {"port": 91}}, "postStart": {"tcpSocket": {"port": 93}}}},
            {"name": "istio-proxy", "readinessProbe": {"httpGet": {"port": 15021, "path": "/healthz/ready"}}},
        ],
    }


def test_modern_dump_resolves_named_ports_and_sorts_keys():
    out = json.loads(probes.dump_app_probers(spec(), 15020, legacy=False))
    assert list(out) == sorted(out)
    assert out["/app-health/hello/livez"] == {"httpGet": {"path": "/live", "port": 80}, "timeoutSeconds": 5}
    assert out["/app-health/hello/readyz"] == {"httpGet": {"port": 3333, "scheme": "HTTPS"}}
    assert out["/app-health/hello/startupz"] == {"tcpSocket": {"port": 81}}
    assert out["/app-lifecycle/hello/prestopz"] == {"httpGet": {"port": 91}}
    assert out["/app-lifecycle/hello/poststartz"] == {"tcpSocket": {"port": 93}}
    assert out["/app-health/side/readyz"] == {"httpGet": {"port": 3333}}
    assert not any("istio-proxy" in k for k in out)


def test_legacy_dump_is_http_only_and_empty_object_when_nothing():
    out = json.loads(probes.dump_app_probers(spec(), 15020, legacy=True))
    assert set(out) == {"/app-health/hello/livez", "/app-health/hello/readyz"}
    assert probes.dump_app_probers({"containers": [{"name": "a"}]}, 15020, legacy=True) == "{}"
    assert probes.dump_app_probers({"containers": [{"name": "a"}]}, 15020, legacy=False) == ""


def test_rewrite_points_probes_and_hooks_at_status_port():
    s = spec()
    probes.rewrite_probes(s, 15020, legacy=False)
    hello = s["containers"][0]
    assert hello["livenessProbe"] == {"httpGet": {"port": 15020, "path": "/app-health/hello/livez"}, "timeoutSeconds": 5}
    assert hello["readinessProbe"]["httpGet"]["scheme"] == "HTTP"
    assert hello["startupProbe"] == {"httpGet": {"path": "/app-health/hello/startupz", "port": 15020}}
    assert hello["lifecycle"]["postStart"] == {"httpGet": {"path": "/app-lifecycle/hello/poststartz", "port": 15020}}
    assert s["initContainers"][0]["readinessProbe"]["httpGet"]["path"] == "/app-health/side/readyz"
    assert s["containers"][1]["readinessProbe"]["httpGet"]["port"] == 15021  # the proxy is untouched
    # Already rewritten probes are not dumped again.
    assert "/app-health/hello/livez" not in json.loads(probes.dump_app_probers(s, 15020, legacy=False) or "{}")


def test_legacy_rewrite_leaves_tcp_probes():
    s = spec()
    probes.rewrite_probes(s, 15020, legacy=True)
    assert s["containers"][0]["startupProbe"] == {"tcpSocket": {"port": 81}}
    assert "lifecycle" in s["containers"][0] and s["containers"][0]["lifecycle"]["preStop"] == {"httpGet": {"port": 91}}


def test_annotation_overrides_default_with_go_parse_bool():
    assert probes.should_rewrite({probes.REWRITE_ANNOTATION: "false"}, True) is False
    assert probes.should_rewrite({probes.REWRITE_ANNOTATION: "T"}, False) is True
    assert probes.should_rewrite({probes.REWRITE_ANNOTATION: "yes"}, True) is True  # not a Go bool: default
    assert probes.status_port({probes.STATUS_PORT_ANNOTATION: "123"}, 15020) == 123


def test_merge_or_append_probers_on_reinjection():
    env = [{"name": "X", "value": "1"}, {"name": probes.ENV_NAME, "value": '{"/b":{"httpGet":{"port":1}}}'}]
    out = probes.merge_or_append_probers(env, '{"/a":{"httpGet":{"port":2}}}', previously_injected=True)
    assert len(out) == 2
    assert json.loads(out[1]["value"]) == {"/a": {"httpGet": {"port": 2}}, "/b": {"httpGet": {"port": 1}}}
    out = probes.merge_or_append_probers([], '{"/a":{}}', previously_injected=False)
    assert out == [{"name": probes.ENV_NAME, "value": '{"/a":{}}'}]


# -- the JSON writers post-processing uses: fast paths must write what the slow ones do --

_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
              st.sampled_from(["\ud800", "<&>", "\u2028", "\x7f\x1f\b"])),
    lambda ch: st.one_of(st.lists(ch, max_size=3), st.dictionaries(st.text(max_size=3), ch, max_size=3),
                         st.dictionaries(st.integers(0, 3), ch, min_size=1, max_size=2)),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_compact_json_writes_what_json_dumps_writes(v):
    assert probes.compact_json(v) == json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def test_compact_json_falls_back_for_values_orjson_writes_differently():
    class Port(enum.IntEnum):
        HTTP = 80

    for v in ({"t": 1e16}, [float("nan")], {"n": 2 ** 70}, ["\udcff"], {1: "a"}, {"p": Port.HTTP},
              {"path": "/v1.0"}, [None, 1.5]):
        assert probes.compact_json(v) == json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    with pytest.raises(TypeError):  # json.dumps' verdict, not orjson's ISO date
        probes.compact_json([datetime.date(2024, 1, 1)])


def test_dump_with_float_timeouts_and_headers_matches_json_dumps():
    s = {"containers": [{"name": "a", "readinessProbe": {
        "httpGet": {"httpHeaders": [{"name": "X", "value": "<v>"}], "port": 80, "path": "/r"},
        "timeoutSeconds": 1.5}}]}
    out = probes.dump_app_probers(s, 15020, legacy=False)
    want = {"/app-health/a/readyz": {"httpGet": {"path": "/r", "port": 80, "httpHeaders": [{"name": "X", "value": "<v>"}]},
                                     "timeoutSeconds": 1.5}}
    assert out == json.dumps(want, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5),
                          st.text(alphabet="abz09-._,", max_size=8)), min_size=1, max_size=4))
def test_status_names_fast_path_is_go_json(names):
    from injector.inject_common import _names_json, _status_json
    from injector.template.funcs.gojson import marshal

    assert _names_json(names) == marshal(names)
    status = json.loads(_status_json({"containers": [{"name": n} for n in names]}, version=None, revision="r"))
    assert status["containers"] == names and status["revision"] == "r"
    if names[0] is not None:
        assert _status_json({}, version=None, revision=names[0]).endswith(f'"revision":{marshal(names[0])}}}')


# -- webhook injection rewrites probes on the caller's containers without touching them --

def test_webhook_injection_leaves_the_callers_pod_as_it_was():
    from tests.conftest import need_shared
    from tests.conformance import case_settings, load_corpus

    from injector.inject import MODE_WEBHOOK, inject_pod
    from injector.jsondiff import diff

    corpus = load_corpus(need_shared("conformance", "istio-1.29.6"))
    settings = case_settings(corpus, {"id": "x", "kind": "webhook-pod", "go_test": "TestWebhookInject"})
    env = [{"name": f"V{i}", "value": str(i)} for i in range(20)]
    pod = {
        "metadata": {"name": "p", "namespace": "ns", "labels": {"app": "a", "topology.istio.io/network": "n1"},
                     "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9100"}},
        "spec": {
            "containers": [
                {"name": "app", "env": env, "ports": [{"name": "http", "containerPort": 8080}],
                 "readinessProbe": {"httpGet": {"port": "http", "path": "/ready", "scheme": "HTTPS"}},
                 "livenessProbe": {"tcpSocket": {"port": 8080}},
                 "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop"}}}},
                {"name": "istio-proxy", "image": "auto", "securityContext": {"runAsUser": 1234, "runAsGroup": 1234}},
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
        },
    }
    before = json.dumps(pod)
    out = inject_pod(pod, settings, namespace="ns", mode=MODE_WEBHOOK).pod
    assert json.dumps(pod) == before  # nothing written into the caller's maps or lists
    app = next(c for c in out["spec"]["containers"] if c["name"] == "app")
    assert app["readinessProbe"]["httpGet"] == {"port": 15020, "path": "/app-health/app/readyz", "scheme": "HTTP"}
    assert app["lifecycle"]["preStop"]["httpGet"]["path"] == "/app-lifecycle/app/prestopz"
    assert app["env"] is env  # what injection leaves alone is shared, not copied
    proxy = next(c for c in out["spec"]["containers"] if c["name"] == "istio-proxy")
    assert any(e["name"] == probes.ENV_NAME for e in proxy["env"])
    assert out["metadata"]["annotations"]["prometheus.io/port"] == "15020"
    ops = diff(pod, out)
    assert any(op["path"].startswith("/spec/containers") for op in ops)


def test_go_field_order_memo_is_per_struct():
    # ("port", "path") is in gRPC field order (unknown fields last) but not in HTTPGet's.
    s = {"containers": [
        {"name": "g", "readinessProbe": {"grpc": {"port": 1, "path": "x"}}},
        {"name": "h", "readinessProbe": {"httpGet": {"port": 80, "path": "/p"}}},
    ]}
    for _ in range(2):  # the second time through the memo
        out = json.loads(probes.dump_app_probers(s, 15020, legacy=False))
        assert list(out["/app-health/g/readyz"]["grpc"]) == ["port", "path", "service"]
        assert list(out["/app-health/h/readyz"]["httpGet"]) == ["path", "port"]
