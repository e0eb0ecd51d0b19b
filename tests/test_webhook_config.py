"""`injector webhook-config` and `injector webhook patch-ca`.

The policy table says, for each way of registering the webhook, which pods the apiserver
sends to it; it is evaluated with a LabelSelector matcher over the generated selectors.
Every printed configuration is validated against the Kubernetes OpenAPI schemas, and
patch-ca runs against a fake apiserver that applies the JSON Patch it receives.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import ssl
import threading
from contextlib import redirect_stderr, redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonpatch
import kubernetes_validate
import pytest
import yaml

from injector import webhookconfig as wc
from injector.certs import generate, service_dns_names
from injector.commands import webhook as webhook_cmd
from injector.commands import webhook_config as webhook_config_cmd

NS = "injector-system"
SCHEMA_VERSIONS = ["1.25.0", kubernetes_validate.latest_version()]  # oldest and newest shipped


def cli(*argv: str) -> tuple[int, str, str]:
    """Run one of this module's commands as `injector ...` would, capturing its output."""
    parser = argparse.ArgumentParser(prog="injector")
    sub = parser.add_subparsers(dest="command", required=True)
    webhook_config_cmd.register(sub)
    webhook_cmd.register(sub)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue(), err.getvalue()


def validate(doc: dict) -> None:
    for version in SCHEMA_VERSIONS:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("ca")
    return generate(service_dns_names("injector", NS)).write(d)["ca"]


# ---------------------------------------------------------------- the policy table

OPT_IN = {}
BY_DEFAULT = {"enable_namespaces_by_default": True}
REV = {"revision": "canary"}
ENABLED = {"istio-injection": "enabled"}
DISABLED = {"istio-injection": "disabled"}
CANARY = {"istio.io/rev": "canary"}
STABLE = {"istio.io/rev": "stable"}
NO_INJECT = {"sidecar.istio.io/inject": "false"}
INJECT = {"sidecar.istio.io/inject": "true"}

# (options, namespace, namespace labels, pod labels, does the apiserver call the webhook?)
POLICY = [
    # opt-in (default): namespaces labelled istio-injection=enabled
    (OPT_IN, "apps", ENABLED, {}, True),
    (OPT_IN, "apps", ENABLED, {"app": "web"}, True),
    (OPT_IN, "apps", {}, {}, False),
    (OPT_IN, "apps", DISABLED, {}, False),
    (OPT_IN, "apps", CANARY, {}, False),
    (OPT_IN, "apps", ENABLED, NO_INJECT, False),
    (OPT_IN, "apps", ENABLED, INJECT, True),
    (OPT_IN, "apps", {}, INJECT, False),  # a pod label alone does not opt the namespace in
    (OPT_IN, NS, ENABLED, {}, False),  # never its own namespace
    # enabled by default: every namespace but disabled / revision-labelled / its own
    (BY_DEFAULT, "apps", {}, {}, True),
    (BY_DEFAULT, "apps", ENABLED, {}, True),
    (BY_DEFAULT, "apps", {"team": "a"}, {}, True),
    (BY_DEFAULT, "apps", DISABLED, {}, False),
    (BY_DEFAULT, "apps", CANARY, {}, False),
    (BY_DEFAULT, "apps", {}, NO_INJECT, False),
    (BY_DEFAULT, NS, {}, {}, False),
    (BY_DEFAULT, "kube-system", {}, {}, True),  # as Istio's chart: only its own namespace
    # a revision: namespaces labelled istio.io/rev=REV and not istio-injection
    (REV, "apps", CANARY, {}, True),
    (REV, "apps", {**CANARY, **ENABLED}, {}, False),
    (REV, "apps", {**CANARY, **DISABLED}, {}, False),
    (REV, "apps", ENABLED, {}, False),
    (REV, "apps", STABLE, {}, False),
    (REV, "apps", {}, {}, False),
    (REV, "apps", CANARY, NO_INJECT, False),
    (REV, NS, CANARY, {}, False),
    # enableNamespacesByDefault wins over the revision, as in the chart
    ({**BY_DEFAULT, **REV}, "apps", {}, {}, True),
    ({**BY_DEFAULT, **REV}, "apps", CANARY, {}, False),
    # pods must opt in (no auto-inject)
    ({"object_selector_auto_inject": False}, "apps", ENABLED, {}, False),
    ({"object_selector_auto_inject": False}, "apps", ENABLED, INJECT, True),
    ({"object_selector_auto_inject": False}, "apps", ENABLED, NO_INJECT, False),
    ({**REV, "object_selector_auto_inject": False}, "apps", CANARY, CANARY, True),
    ({**REV, "object_selector_auto_inject": False}, "apps", CANARY, {}, False),
    ({**REV, "object_selector_auto_inject": False}, "apps", CANARY, {**CANARY, **INJECT}, False),
    ({**REV, "object_selector_auto_inject": False}, "apps", CANARY, STABLE, False),
    # no object selector: every pod of a selected namespace, even opted-out ones (the
    # injector itself then skips them)
    ({"object_selector": False}, "apps", ENABLED, NO_INJECT, True),
    ({"object_selector": False}, "apps", {}, INJECT, False),
]


@pytest.mark.parametrize("options, namespace, ns_labels, pod_labels, called", POLICY)
def test_policy_table(options, namespace, ns_labels, pod_labels, called):
    config = wc.build(wc.WebhookOptions(service_namespace=NS, **options))
    [hook] = config["webhooks"]
    assert wc.webhook_called(hook, namespace, ns_labels, pod_labels) is called


def test_policy_table_covers_every_mode():
    modes = {tuple(sorted(o.items())) for o, *_ in POLICY}
    assert len(modes) >= 7
    for mode in modes:
        outcomes = {called for o, *_, called in POLICY if tuple(sorted(o.items())) == mode}
        assert outcomes == {True, False}, f"mode {mode} has only {outcomes} cases"


# ---------------------------------------------------------------- selector semantics

@pytest.mark.parametrize("selector, labels, expected", [
    (None, {"a": "1"}, True),
    ({}, {}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchLabels": {"a": "1"}}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
    ({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
])
def test_selector_matches(selector, labels, expected):
    assert wc.selector_matches(selector, labels) is expected


def test_unknown_operator_is_an_error():
    with pytest.raises(wc.WebhookConfigError, match="Gt"):
        wc.selector_matches({"matchExpressions": [{"key": "a", "operator": "Gt"}]}, {})


# ---------------------------------------------------------------- exact structure

def test_default_configuration_structure():
    doc = wc.build(wc.WebhookOptions())
    assert doc["apiVersion"] == "admissionregistration.k8s.io/v1"
    assert doc["kind"] == "MutatingWebhookConfiguration"
    assert doc["metadata"]["name"] == "injector"
    [hook] = doc["webhooks"]
    assert hook["clientConfig"] == {"service": {"name": "injector", "namespace": NS, "path": "/inject", "port": 443}}
    assert hook["rules"] == [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                              "resources": ["pods"], "scope": "Namespaced"}]
    assert hook["failurePolicy"] == "Fail"
    assert hook["sideEffects"] == "None"
    assert hook["admissionReviewVersions"] == ["v1", "v1beta1"]
    assert hook["timeoutSeconds"] == 10
    assert hook["reinvocationPolicy"] == "Never"
    assert hook["namespaceSelector"] == {
        "matchLabels": {"istio-injection": "enabled"},
        "matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": [NS]}],
    }
    assert hook["objectSelector"] == {
        "matchExpressions": [{"key": "sidecar.istio.io/inject", "operator": "NotIn", "values": ["false"]}]}


def test_enabled_by_default_selector():
    sel = wc.namespace_selector(wc.WebhookOptions(service_namespace="mesh", enable_namespaces_by_default=True))
    assert sel == {"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["mesh"]},
        {"key": "istio-injection", "operator": "NotIn", "values": ["disabled"]},
        {"key": "istio.io/rev", "operator": "DoesNotExist"},
    ]}


def test_revision_selectors_and_name():
    o = wc.WebhookOptions(revision="1-22", object_selector_auto_inject=False)
    doc = wc.build(o)
    assert doc["metadata"]["name"] == "injector-1-22"
    assert doc["metadata"]["labels"]["istio.io/rev"] == "1-22"
    [hook] = doc["webhooks"]
    assert hook["namespaceSelector"]["matchExpressions"][1:] == [
        {"key": "istio-injection", "operator": "DoesNotExist"},
        {"key": "istio.io/rev", "operator": "In", "values": ["1-22"]},
    ]
    assert hook["objectSelector"] == {"matchExpressions": [
        {"key": "sidecar.istio.io/inject", "operator": "DoesNotExist"},
        {"key": "istio.io/rev", "operator": "In", "values": ["1-22"]},
    ]}
    assert wc.build(wc.WebhookOptions(revision="1-22", name="mine"))["metadata"]["name"] == "mine"


@pytest.mark.parametrize("change, message", [
    ({"timeout_seconds": 31}, "1-30"),
    ({"timeout_seconds": 0}, "1-30"),
    ({"port": 0}, "port"),
    ({"path": "inject"}, "start with '/'"),
    ({"failure_policy": "Maybe"}, "failurePolicy"),
    ({"reinvocation_policy": "Always"}, "reinvocationPolicy"),
    ({"service_namespace": ""}, "namespace"),
])
def test_bad_options_are_refused(change, message):
    with pytest.raises(wc.WebhookConfigError, match=message):
        wc.build(wc.WebhookOptions(**change))


# ---------------------------------------------------------------- the command

CLI_COMBINATIONS = [
    [],
    ["--enable-namespaces-by-default"],
    ["--revision", "canary"],
    ["--revision", "canary", "--no-object-selector-auto-inject"],
    ["--no-object-selector-auto-inject"],
    ["--no-object-selector", "--failure-policy", "Ignore", "--reinvocation-policy", "IfNeeded"],
    ["--service-name", "sidecar", "--service-namespace", "mesh", "--path", "/inject/cluster/c1/net/n1",
     "--port", "8443", "--timeout-seconds", "5", "--name", "custom"],
]


@pytest.mark.parametrize("extra", CLI_COMBINATIONS, ids=lambda a: " ".join(a) or "defaults")
def test_cli_output_is_schema_valid_and_matches_the_library(extra, ca_file):
    code, out, err = cli("webhook-config", "--ca-bundle-file", str(ca_file), *extra)
    assert code == 0, err
    doc = yaml.safe_load(out)
    validate(doc)
    [hook] = doc["webhooks"]
    assert base64.b64decode(hook["clientConfig"]["caBundle"]) == ca_file.read_bytes()
    parser = argparse.ArgumentParser()
    webhook_config_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["webhook-config", "--ca-bundle-file", str(ca_file), *extra])
    assert doc == wc.build(webhook_config_cmd.options_from_args(args))


def test_cli_options_reach_the_output():
    code, out, _ = cli("webhook-config", "--service-name", "sidecar", "--service-namespace", "mesh",
                       "--port", "8443", "--path", "/inject/cluster/c1/net/n1", "--timeout-seconds", "5",
                       "--failure-policy", "Ignore", "--reinvocation-policy", "IfNeeded", "-o", "json")
    assert code == 0
    [hook] = json.loads(out)["webhooks"]
    assert hook["clientConfig"]["service"] == {"name": "sidecar", "namespace": "mesh",
                                               "path": "/inject/cluster/c1/net/n1", "port": 8443}
    assert "caBundle" not in hook["clientConfig"]
    assert (hook["timeoutSeconds"], hook["failurePolicy"], hook["reinvocationPolicy"]) == (5, "Ignore", "IfNeeded")
    assert hook["namespaceSelector"]["matchExpressions"][0]["values"] == ["mesh"]


def test_cli_rejects_a_file_that_is_not_a_certificate(tmp_path):
    bad = tmp_path / "ca.crt"
    bad.write_text("hello\n")
    code, out, err = cli("webhook-config", "--ca-bundle-file", str(bad))
    assert code == 2 and out == ""
    assert str(bad) in err and "certificate" in err
    code, _, err = cli("webhook-config", "--ca-bundle-file", str(tmp_path / "missing.crt"))
    assert code == 2 and "missing.crt" in err


def test_cli_rejects_a_bad_timeout():
    code, out, err = cli("webhook-config", "--timeout-seconds", "40")
    assert code == 2 and out == "" and "1-30" in err


# ---------------------------------------------------------------- patch-ca, fake apiserver

class FakeApiserver:
    """Serves one MutatingWebhookConfiguration, applies JSON Patches as the apiserver does."""

    def __init__(self, objects: dict[str, dict], tls: dict | None = None):
        self.objects = objects
        self.scheme = "https" if tls else "http"
        self.requests: list[tuple[str, str, dict, object]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # keep test output quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _headers(self) -> dict:
                return {k.lower(): v for k, v in self.headers.items()}

            def _name(self):
                prefix = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
                path = self.path.split("?")[0]
                return path[len(prefix):] if path.startswith(prefix) else None

            def _not_found(self, name):
                self._answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                   "code": 404, "message": f'mutatingwebhookconfigurations "{name}" not found'})

            def do_GET(self):
                name = self._name()
                fake.requests.append(("GET", self.path, self._headers(), None))
                if name not in fake.objects:
                    return self._not_found(name)
                self._answer(200, fake.objects[name])

            def do_PATCH(self):
                name = self._name()
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(("PATCH", self.path, self._headers(), body))
                if name not in fake.objects:
                    return self._not_found(name)
                if self.headers["Content-Type"] != "application/json-patch+json":
                    return self._answer(415, {"kind": "Status", "code": 415, "message": "unsupported patch"})
                try:
                    patched = jsonpatch.apply_patch(fake.objects[name], body)
                except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as e:
                    return self._answer(422, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                              "code": 422, "message": f"the server rejected our request: {e}"})
                if "dryRun=All" not in self.path:
                    patched["metadata"]["resourceVersion"] = str(int(patched["metadata"]["resourceVersion"]) + 1)
                    fake.objects[name] = patched
                self._answer(200, patched)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:  # paths as CertBundle.write returns them
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls["cert"], tls["key"])
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def live_config(name: str, hooks: int, ca_bundle: str | None = None) -> dict:
    doc = wc.build(wc.WebhookOptions(name=name))
    hook = doc["webhooks"][0]
    doc["webhooks"] = []
    for i in range(hooks):
        h = json.loads(json.dumps(hook))
        h["name"] = f"hook{i}.sidecar-injector.istio.io"
        if ca_bundle is not None:
            h["clientConfig"]["caBundle"] = ca_bundle
        doc["webhooks"].append(h)
    doc["metadata"].update({"resourceVersion": "7", "uid": "4b0a6a4e-0c1f-4c8e-9a43-0d3c1f0e2a11"})
    return doc


def kubeconfig(tmp_path, url: str) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {"server": url}}],
        "users": [{"name": "me", "user": {"token": "t0ken"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "me"}}],
    }))
    return str(path)


@pytest.fixture(autouse=True)
def _no_in_cluster(monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)


def test_patch_ca_sets_every_webhook(tmp_path, ca_file):
    old = base64.b64encode(b"old").decode()
    with FakeApiserver({"injector": live_config("injector", 2, ca_bundle=old)}) as api:
        code, out, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file),
                             "--kubeconfig", kubeconfig(tmp_path, api.url))
        assert code == 0, err
        assert "2 webhook" in out
        method, path, headers, body = api.requests[-1]
        assert method == "PATCH"
        assert path.startswith("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/injector")
        assert headers["content-type"] == "application/json-patch+json"
        assert headers["authorization"] == "Bearer t0ken"
        assert [op["op"] for op in body] == ["test", "replace", "test", "replace"]
        live = api.objects["injector"]
        want = base64.b64encode(ca_file.read_bytes()).decode()
        assert [h["clientConfig"]["caBundle"] for h in live["webhooks"]] == [want, want]
        assert live["metadata"]["resourceVersion"] == "8"
        # the rest of the configuration is untouched
        before = live_config("injector", 2, ca_bundle=want)
        assert live["webhooks"] == before["webhooks"]


def test_patch_ca_adds_a_missing_bundle_and_is_idempotent(tmp_path, ca_file):
    with FakeApiserver({"injector": live_config("injector", 1)}) as api:
        kc = kubeconfig(tmp_path, api.url)
        code, out, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file),
                             "--kubeconfig", kc, "--context", "fake")
        assert code == 0, err
        assert api.requests[-1][3][1]["op"] == "add"
        patches = sum(1 for r in api.requests if r[0] == "PATCH")
        code, out, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file),
                             "--kubeconfig", kc)
        assert code == 0 and "already up to date" in out
        assert sum(1 for r in api.requests if r[0] == "PATCH") == patches  # nothing sent
        validate({k: v for k, v in api.objects["injector"].items()})


def test_patch_ca_dry_run_changes_nothing(tmp_path, ca_file):
    with FakeApiserver({"injector": live_config("injector", 1)}) as api:
        code, out, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file),
                             "--kubeconfig", kubeconfig(tmp_path, api.url), "--dry-run")
        assert code == 0, err
        assert "dry run" in out
        assert "dryRun=All" in api.requests[-1][1]
        assert "caBundle" not in api.objects["injector"]["webhooks"][0]["clientConfig"]


def test_patch_ca_names_a_missing_configuration(tmp_path, ca_file):
    with FakeApiserver({}) as api:
        code, out, err = cli("webhook", "patch-ca", "--name", "nope", "--ca-bundle-file", str(ca_file),
                             "--kubeconfig", kubeconfig(tmp_path, api.url))
    assert code == 1 and out == ""
    assert "mutatingwebhookconfiguration nope" in err and "404" in err and "not found" in err


def test_patch_ca_refuses_a_bad_bundle_before_calling(tmp_path):
    bad = tmp_path / "ca.crt"
    bad.write_text("-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n")
    with FakeApiserver({"injector": live_config("injector", 1)}) as api:
        code, _, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(bad),
                           "--kubeconfig", kubeconfig(tmp_path, api.url))
        assert api.requests == []
    assert code == 2 and str(bad) in err


def test_patch_ca_guards_against_a_changed_configuration(tmp_path, ca_file):
    """The test ops make the apiserver refuse a patch computed on a stale read."""
    live = live_config("injector", 2)
    ops = webhook_cmd.ca_patch(live, "Y2E=")
    live["webhooks"].reverse()  # someone reordered the webhooks meanwhile
    with pytest.raises(jsonpatch.JsonPatchTestFailed):
        jsonpatch.apply_patch(live, ops)


def test_patch_ca_without_any_kubeconfig_says_so(tmp_path, ca_file, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("HOME", str(tmp_path))
    code, _, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file))
    assert code == 1 and "Kubernetes client configuration" in err


def test_patch_ca_in_a_pod_uses_the_service_account(tmp_path, ca_file, monkeypatch):
    """KUBERNETES_SERVICE_HOST set, no kubeconfig flags: token and CA of the service account."""
    from kubernetes.config import incluster_config

    apiserver_tls = generate([], ["127.0.0.1"]).write(tmp_path / "apiserver")
    sa = tmp_path / "serviceaccount"
    sa.mkdir()
    (sa / "token").write_text("sa-token")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(sa / "token"))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(apiserver_tls["ca"]))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))  # must not be read
    with FakeApiserver({"injector": live_config("injector", 1)}, tls=apiserver_tls) as api:
        monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(api.server.server_address[1]))
        code, out, err = cli("webhook", "patch-ca", "--name", "injector", "--ca-bundle-file", str(ca_file))
        assert code == 0, err
        scheme, token = api.requests[-1][2]["authorization"].split(" ", 1)
        assert (scheme.lower(), token) == ("bearer", "sa-token")  # auth schemes are case-insensitive
        want = base64.b64encode(ca_file.read_bytes()).decode()
        assert api.objects["injector"]["webhooks"][0]["clientConfig"]["caBundle"] == want
