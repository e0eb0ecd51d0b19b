"""The Starlette app in-process: routing, limits, timeouts, readiness and draining.

The pod injector here is a small test double that adds a label, so these tests exercise
the HTTP layer alone; end-to-end injection through the real server is in test_server.py.
"""
import base64
import time

import jsonpatch
import orjson
import pytest
from starlette.testclient import TestClient

from injector.webhook.app import Runtime, State, create_app, inject_path_envs, parse_go_duration


def review(pod=None, uid="u-1", api_version="admission.k8s.io/v1"):
    pod = pod if pod is not None else {"metadata": {"name": "p", "namespace": "ns"},
                                       "spec": {"containers": [{"name": "app"}]}}
    return {"apiVersion": api_version, "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "namespace": "ns", "operation": "CREATE", "object": pod}}


def labelling_injector(path_envs):
    def inject(pod, request):
        if pod["metadata"].get("annotations", {}).get("sidecar.istio.io/inject") == "false":
            return None, "annotation", "opted out"
        if pod["metadata"].get("annotations", {}).get("boom"):
            raise ValueError("template: sidecar:3:7: executing \"sidecar\" at <.x>: bad")
        if pod["metadata"].get("annotations", {}).get("slow"):
            time.sleep(float(pod["metadata"]["annotations"]["slow"]))
        out = orjson.loads(orjson.dumps(pod))
        out["metadata"].setdefault("labels", {})["injected"] = "yes"
        out["metadata"]["labels"].update(path_envs)
        return out, "", ""
    return inject


@pytest.fixture
def state():
    s = State(runtime=Runtime(injector_for=labelling_injector), certs_loaded=True)
    return s


@pytest.fixture
def client(state):
    return TestClient(create_app(state))


def post(client, body, path="/inject", content_type="application/json"):
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return client.post(path, content=data, headers={"content-type": content_type})


def test_injects_and_the_patch_applies(client):
    r = post(client, review())
    assert r.status_code == 200
    resp = r.json()
    assert resp["apiVersion"] == "admission.k8s.io/v1" and resp["kind"] == "AdmissionReview"
    assert resp["response"]["uid"] == "u-1" and resp["response"]["allowed"] is True
    assert resp["response"]["patchType"] == "JSONPatch"
    patch = orjson.loads(base64.b64decode(resp["response"]["patch"]))
    pod = review()["request"]["object"]
    assert jsonpatch.apply_patch(pod, patch)["metadata"]["labels"] == {"injected": "yes"}


def test_v1beta1_answered_as_v1beta1(client):
    r = post(client, review(api_version="admission.k8s.io/v1beta1"))
    assert r.json()["apiVersion"] == "admission.k8s.io/v1beta1"


def test_cluster_and_network_from_the_path(client):
    r = post(client, review(), path="/inject/cluster/c1/net/n--slash--1")
    patch = orjson.loads(base64.b64decode(r.json()["response"]["patch"]))
    labels = jsonpatch.apply_patch(review()["request"]["object"], patch)["metadata"]["labels"]
    assert labels["ISTIO_META_CLUSTER_ID"] == "c1" and labels["ISTIO_META_NETWORK"] == "n/1"


@pytest.mark.parametrize("path,envs", [
    ("/inject", {}),
    ("/inject/", {}),
    ("/inject/cluster/c1", {"ISTIO_META_CLUSTER_ID": "c1"}),
    ("/inject/net/n1/cluster/c1/", {"ISTIO_META_NETWORK": "n1", "ISTIO_META_CLUSTER_ID": "c1"}),
    ("/inject/cluster/c1/odd", {"ISTIO_META_CLUSTER_ID": "c1"}),
    ("/inject/:ENV:cluster=c1:ENV:foo=a/b:ENV:=bad", {"ISTIO_META_CLUSTER_ID": "c1", "FOO": "a/b"}),
])
def test_inject_path_envs(path, envs):
    assert inject_path_envs(path) == envs


@pytest.mark.parametrize("text,seconds", [
    ("10s", 10.0), ("1m30s", 90.0), ("500ms", 0.5), ("1.5s", 1.5), ("", None), ("10", None),
    ("abc", None), ("5s3", None), ("-5s", None), ("0s", None), ("+3s", 3.0),
])
def test_go_durations(text, seconds):
    assert parse_go_duration(text) == seconds


def test_opt_out_is_allowed_without_patch(client):
    pod = review()["request"]["object"]
    pod["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
    resp = post(client, review(pod)).json()["response"]
    assert resp["allowed"] is True and "patch" not in resp


@pytest.mark.parametrize("body,needle", [
    (b"{not json", "could not decode body"),
    (b"[1,2]", "expected a JSON object"),
    ({"kind": "Pod", "apiVersion": "v1"}, "unsupported kind 'Pod'"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v2"}, "unsupported apiVersion"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1"}, "has no request"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {}}, "has no uid"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": 7}},
     "has no uid"),
    ({"kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1", "request": {"uid": "x"}},
     "has no object"),
])
def test_bad_reviews_get_a_denied_review_naming_the_problem(client, body, needle):
    r = post(client, body)
    assert r.status_code == 200
    resp = r.json()["response"]
    assert resp["allowed"] is False and needle in resp["status"]["message"]


def test_non_pod_objects_pass_through(client):
    body = review({"kind": "Service", "metadata": {"name": "s"}})
    resp = post(client, body).json()["response"]
    assert resp["allowed"] is True and "patch" not in resp
    body = review({"metadata": {"name": "d"}})
    body["request"]["resource"] = {"group": "apps", "version": "v1", "resource": "deployments"}
    resp = post(client, body).json()["response"]
    assert resp["allowed"] is True and "patch" not in resp


def test_empty_uid_and_odd_request_kind_still_inject(client):
    # Istio's own serve test sends uid "" and request.kind AdmissionRequest.
    body = review(uid="")
    body["request"]["kind"] = {"group": "admission.k8s.io", "version": "v1", "kind": "AdmissionRequest"}
    resp = post(client, body).json()["response"]
    assert resp["uid"] == "" and resp["allowed"] is True and "patch" in resp


def test_wrong_content_type_and_empty_body(client):
    assert post(client, review(), content_type="application/yaml").status_code == 415
    assert post(client, b"").status_code == 400


def test_body_over_the_limit_is_413(state, client):
    state.runtime.max_body = 1000
    pod = review()["request"]["object"]
    pod["metadata"]["annotations"] = {"big": "x" * 2000}
    r = post(client, review(pod))
    assert r.status_code == 413 and b"exceeds 1000 bytes" in r.content


def test_injection_error_denies_by_default_and_allows_when_configured(state, client):
    pod = review()["request"]["object"]
    pod["metadata"]["annotations"] = {"boom": "1"}
    resp = post(client, review(pod)).json()["response"]
    assert resp["allowed"] is False
    assert "ns/p" in resp["status"]["message"] and "sidecar:3:7" in resp["status"]["message"]
    state.runtime.failure_policy = "allow"
    resp = post(client, review(pod)).json()["response"]
    assert resp["allowed"] is True and "patch" not in resp


def test_answer_comes_before_the_apiserver_timeout(state, client):
    state.runtime.inline_max_body = 0  # every body on the thread path, where deadlines apply
    pod = review()["request"]["object"]
    pod["metadata"]["annotations"] = {"slow": "2"}
    started = time.monotonic()
    r = client.post("/inject?timeout=1s", content=orjson.dumps(review(pod)),
                    headers={"content-type": "application/json"})
    assert time.monotonic() - started < 1.0
    resp = r.json()["response"]
    assert resp["uid"] == "u-1" and resp["allowed"] is False
    assert "1s webhook timeout" in resp["status"]["message"]


def test_health_readiness_and_metrics(state, client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    post(client, review())
    text = client.get("/metrics").text
    assert "injector_requests_total" in text and "injector_admission_duration_seconds" in text
    state.certs_loaded = False
    r = client.get("/readyz")
    assert r.status_code == 503 and "certificates" in r.text


def test_not_ready_without_config():
    client = TestClient(create_app(State(certs_loaded=True)))
    assert client.get("/readyz").status_code == 503
    assert post(client, review()).status_code == 503


def test_small_bodies_are_answered_inline_large_ones_on_a_thread(state, client):
    import threading

    seen = []

    def recording(path_envs):
        inner = labelling_injector(path_envs)

        def inject(pod, request):
            seen.append(threading.current_thread().name)
            return inner(pod, request)
        return inject

    state.runtime.injector_for = recording
    state.runtime.inline_max_body = 2000
    post(client, review())
    pod = review()["request"]["object"]
    pod["metadata"]["annotations"] = {"pad": "x" * 3000}
    post(client, review(pod))
    assert not seen[0].startswith("admit") and seen[1].startswith("admit")


def test_method_not_allowed(client):
    assert client.get("/inject").status_code == 405


def test_draining_closes_http11_connections(state, client):
    assert "close" not in post(client, review()).headers.get("connection", "")
    state.draining = True
    r = post(client, review())
    assert r.status_code == 200 and r.headers["connection"] == "close"
    assert client.get("/readyz").status_code == 503
