"""App probe / lifecycle rewriting and ISTIO_KUBE_APP_PROBERS."""
from __future__ import annotations

import json

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
