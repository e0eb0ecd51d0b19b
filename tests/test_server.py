"""The real server: `injector serve` in a subprocess on a free loopback port, TLS from a
test CA (trustme), talked to over HTTP/1.1 keep-alive and HTTP/2 by httpx and curl.

Covers injection, skips, errors, Istio's own HTTP-level cases, config reload under traffic,
certificate rotation, SIGTERM drain and several workers. Results through the server are
compared with the 1.29.6 goldens, as the conformance runner compares the pipeline's.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import jsonpatch
import pytest
import trustme
import yaml

from tests.conftest import CONFORMANCE, ROOT, need_shared

REVIEW = json.loads((ROOT / "examples" / "review.json").read_text())
shutil_which_curl = shutil.which("curl")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def write_cert(ca: trustme.CA, directory: Path) -> tuple[Path, Path]:
    cert = ca.issue_cert("localhost", "127.0.0.1")
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    cert.private_key_pem.write_to_path(str(key_path))
    return cert_path, key_path


class Server:
    def __init__(self, tmp: Path, ca: trustme.CA, *extra: str, workers: int = 1,
                 main: tuple[str, ...] = ("-m", "injector", "serve")):
        self.port = free_port()
        self.tmp = tmp
        self.cert, self.key = write_cert(ca, tmp / "certs")
        self.ca_file = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        self.url = f"https://127.0.0.1:{self.port}"
        self.log = open(tmp / "server.log", "wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, *main, "--host", "127.0.0.1",
             "--port", str(self.port), "--tls-cert", str(self.cert), "--tls-key", str(self.key),
             "--reload-interval", "0.1", "--workers", str(workers), "--graceful-timeout", "5",
             *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT),
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.output()}")
            try:
                if httpx.get(self.url + "/readyz", verify=self.ssl_context(), timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not ready:\n{self.output()}")

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def output(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")

    def client(self, http2: bool = False) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.ssl_context(), http2=http2,
                            http1=not http2, timeout=10)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def server(tmp_path, ca):
    s = Server(tmp_path, ca)
    yield s
    s.stop()


def post(client: httpx.Client, review, path: str = "/inject?timeout=10s") -> httpx.Response:
    body = review if isinstance(review, bytes) else json.dumps(review).encode()
    return client.post(path, content=body, headers={"content-type": "application/json"})


def patched(review: dict, response: httpx.Response) -> dict:
    resp = response.json()["response"]
    assert resp["allowed"] is True, resp
    pod = review["request"]["object"]
    if "patch" not in resp:
        return pod
    return jsonpatch.apply_patch(pod, json.loads(base64.b64decode(resp["patch"])))


def proxy_of(pod: dict) -> dict:
    spec = pod["spec"]
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        if c["name"] == "istio-proxy":
            return c
    raise AssertionError("no istio-proxy in the pod")


@pytest.mark.parametrize("http2", [False, True], ids=["http1.1", "http2"])
def test_injects_over_keepalive_connection(server, http2):
    with server.client(http2) as client:
        versions = set()
        for i in range(20):
            review = json.loads(json.dumps(REVIEW))
            review["request"]["uid"] = f"uid-{i}"
            r = post(client, review)
            versions.add(r.http_version)
            assert r.status_code == 200
            assert r.json()["response"]["uid"] == f"uid-{i}"
            pod = patched(review, r)
            assert proxy_of(pod)["image"]
            assert [c["name"] for c in pod["spec"]["initContainers"]] == ["istio-init"]
        assert versions == {"HTTP/2" if http2 else "HTTP/1.1"}


@pytest.mark.skipif(shutil_which_curl is None, reason="curl is not installed")
@pytest.mark.parametrize("flag,version", [("--http1.1", "1.1"), ("--http2", "2")])
def test_curl(server, tmp_path, flag, version):
    review_file = ROOT / "examples" / "review.json"
    out = subprocess.run(
        ["curl", "-sS", "-v", flag, "--cacert", str(server.ca_file), "-H", "content-type: application/json",
         "--data-binary", f"@{review_file}", "-w", "\\n%{http_version} %{http_code}\\n",
         f"{server.url}/inject", f"{server.url}/inject"],
        capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    assert lines.count(f"{version} 200") == 2
    assert "Re-using existing connection" in out.stderr or "Reusing existing connection" in out.stderr \
        or "re-using" in out.stderr.lower()
    assert '"patchType":"JSONPatch"' in out.stdout


def test_skip_errors_and_limits(server):
    with server.client() as client:
        review = json.loads(json.dumps(REVIEW))
        review["request"]["object"]["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
        resp = post(client, review).json()["response"]
        assert resp["allowed"] is True and "patch" not in resp

        assert post(client, b"{garbage").json()["response"]["allowed"] is False
        bad = json.loads(json.dumps(REVIEW))
        del bad["request"]["object"]
        assert "has no object" in post(client, bad).json()["response"]["status"]["message"]
        r = client.post("/inject", content=b"x", headers={"content-type": "text/plain"})
        assert r.status_code == 415
        big = json.loads(json.dumps(REVIEW))
        big["request"]["object"]["metadata"]["annotations"] = {"big": "x" * (5 * 1024 * 1024)}
        assert post(client, big).status_code == 413

        broken = json.loads(json.dumps(REVIEW))
        # A bad traffic annotation fails injection: Istio denies the pod with the reason.
        broken["request"]["object"]["metadata"]["annotations"] = {
            "traffic.sidecar.istio.io/includeOutboundIPRanges": "not-a-cidr"}
        resp = post(client, broken).json()["response"]
        assert resp["allowed"] is False and "includeOutboundIPRanges" in resp["status"]["message"]
        # and the server keeps serving
        assert post(client, REVIEW).json()["response"]["allowed"] is True
        assert client.get("/healthz").status_code == 200


def _legacy_serve_args(root: Path) -> list[str]:
    return ["--injectConfigFile", str(root / "webhook/serve/minimal-config.yaml"),
            "--valuesFile", str(root / "config/values.json"),
            "--meshDefaultsFile", str(root / "config/mesh-defaults.yaml")]


def test_istio_173_serve_cases(tmp_path, ca):
    """TestRunAndServe: status codes and allowed as Istio; patches give Istio's pod.

    Istio compares its own patch text byte for byte; ours is a smaller patch by design
    (see injector/jsondiff.py), so the check is that both patches make the same pod.
    """
    root = need_shared("conformance", "istio-1.7.3")
    cases = [c for c in json.loads((root / "cases.json").read_text())["cases"]
             if c["kind"] == "webhook-serve"]
    assert len(cases) == 6
    s = Server(tmp_path, ca, *_legacy_serve_args(root))
    try:
        with s.client() as client:
            for case in cases:
                body = (root / case["input"]).read_bytes() if case["input"] else b""
                r = client.post("/inject", content=body,
                                headers={"content-type": case["request"]["content_type"]})
                want = case["expected_response"]
                assert r.status_code == want["status_code"], case["id"]
                if r.status_code != 200:
                    continue
                resp = r.json()["response"]
                assert resp["allowed"] == want["allowed"], (case["id"], resp)
                if want["patch"] is None:
                    assert "patch" not in resp, case["id"]
                    continue
                review = json.loads(body)
                assert r.json()["apiVersion"] == review["apiVersion"]
                ours = json.loads(base64.b64decode(resp["patch"]))
                theirs = json.loads((root / want["patch"]).read_text())
                pod = review["request"]["object"]
                assert jsonpatch.apply_patch(pod, ours) == jsonpatch.apply_patch(pod, theirs), case["id"]
                assert len(ours) <= len(theirs)
    finally:
        s.stop()


def test_server_results_equal_the_goldens_1296(tmp_path, ca):
    """Every default-config webhook case of 1.29.6 through the real server gives the golden pod."""
    from injector import workload
    from tests import conformance

    root = need_shared("conformance", "istio-1.29.6")
    corpus = conformance.load_corpus(root)
    cases = [c for c in corpus.data["cases"] if c["kind"] == "webhook-pod"
             and not c.get("config_overrides") and c["id"].startswith("TestInjection/")]
    assert cases
    env = cases[0]["environment"]
    objects = tmp_path / "cluster.yaml"
    objects.write_text(yaml.safe_dump_all(
        [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": n["name"]},
          "status": {"nodeInfo": {"kubeletVersion": n["kubeletVersion"]}}} for n in env["nodes"]]
        + [{"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": n["name"], "annotations": n["annotations"]}} for n in env["namespaces"]]))
    d = corpus.data["defaults"]
    s = Server(tmp_path, ca, "--injectConfigFile", str(root / d["injector_config"]),
               "--valuesFile", str(root / d["values"]), "--meshConfigFile", str(root / d["mesh"]),
               "--meshDefaultsFile", str(root / d["mesh_defaults"]), "--revision", env["revision"],
               "--cluster-objects", str(objects))
    checked = 0
    try:
        with s.client() as client:
            for case in cases:
                kinds = conformance.WEBHOOK_KINDS + ("Pod",)
                inputs = conformance._injectable(conformance._split_dash((root / case["input"]).read_text()), kinds)
                goldens = conformance._injectable(conformance._split_dash((root / case["expected"]).read_text()), kinds)
                for doc, gold in zip(inputs, goldens):
                    pod = workload.object_to_pod(doc)
                    review = json.loads(json.dumps(REVIEW))
                    review["request"]["object"] = pod
                    review["request"]["namespace"] = (doc.get("metadata") or {}).get("namespace") or ""
                    got = patched(review, post(client, review))
                    a = conformance.normalize_doc(conformance._fix_pod_v2(got, True))
                    b = conformance.normalize_doc(conformance._fix_pod_v2(workload.object_to_pod(gold), False))
                    assert a == b, f"{case['id']}: {conformance.first_difference(a, b)}"
                    checked += 1
    finally:
        s.stop()
    print(f"server vs 1.29.6 goldens: {checked}/{checked} pods from {len(cases)} cases")


def _configmap_dir(root: Path, name: str, files: dict[str, Path]) -> None:
    """Lay files out as the kubelet does for a ConfigMap volume: a ..data symlink swap."""
    stamp = root / f"..{name}"
    stamp.mkdir(parents=True)
    for key, src in files.items():
        shutil.copy(src, stamp / key)
    tmp_link = root / "..data_tmp"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(stamp.name)
    os.replace(tmp_link, root / "..data")
    for key in files:
        link = root / key
        if not link.is_symlink():
            link.symlink_to(Path("..data") / key)


def test_reload_under_traffic_and_bad_config_keeps_serving(tmp_path, ca):
    base = yaml.safe_load((ROOT / "injector/data/config.yaml").read_text()) \
        if (ROOT / "injector/data/config.yaml").exists() else None
    if base is None:
        pytest.skip("embedded config file layout changed")
    variants = []
    for i in range(2):
        cfg = dict(base)
        cfg["injectedAnnotations"] = {"reload.test/generation": f"v{i}"}
        p = tmp_path / f"config-{i}.yaml"
        p.write_text(yaml.safe_dump(cfg))
        variants.append(p)
    mount = tmp_path / "mount"
    mount.mkdir()
    _configmap_dir(mount, "v0", {"config": variants[0]})
    s = Server(tmp_path, ca, "--injectConfigFile", str(mount / "config"))
    failures: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def load():
        with s.client() as client:
            while not stop.is_set():
                try:
                    r = post(client, REVIEW)
                    pod = patched(REVIEW, r)
                    seen.add(pod["metadata"]["annotations"].get("reload.test/generation", "none"))
                except Exception as e:  # any failure is a failed admission
                    failures.append(repr(e))

    threads = [threading.Thread(target=load) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        for i in range(1, 21):
            _configmap_dir(mount, f"v{i}", {"config": variants[i % 2]})
            time.sleep(0.15)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(10)
        assert failures == []
        assert seen == {"v0", "v1"}
        assert "config reloaded" in s.output()

        (tmp_path / "broken.yaml").write_text("policy: enabled\ntemplates:\n  sidecar: '{{ if }}'\n")
        _configmap_dir(mount, "broken", {"config": tmp_path / "broken.yaml"})
        time.sleep(1.0)
        assert "config reload rejected" in s.output()
        with s.client() as client:
            pod = patched(REVIEW, post(client, REVIEW))
            assert pod["metadata"]["annotations"]["reload.test/generation"] == "v0"
            metrics = client.get("/metrics").text
            assert 'injector_config_reloads_total{result="failure"}' in metrics
    finally:
        stop.set()
        s.stop()


def _peer_serial(server: Server) -> int:
    ctx = ssl.create_default_context(cafile=str(server.ca_file))
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            der = tls.getpeercert(binary_form=True)
    from cryptography import x509

    return x509.load_der_x509_certificate(der).serial_number


def test_certificate_rotation(server, ca):
    before = _peer_serial(server)
    new_cert, new_key = write_cert(ca, server.tmp / "new")
    shutil.copy(new_key, server.key)
    shutil.copy(new_cert, server.cert)
    deadline = time.monotonic() + 5
    while _peer_serial(server) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _peer_serial(server) != before
    with server.client() as client:
        assert post(client, REVIEW).json()["response"]["allowed"] is True
        assert 'injector_cert_reloads_total{result="success"}' in client.get("/metrics").text


def read_response(sock: ssl.SSLSocket) -> tuple[bytes, bytes]:
    """One HTTP/1.1 response (head, body) read by Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed mid-response: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n")
                  if l.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_sigterm_drains(server):
    ctx = ssl.create_default_context(cafile=str(server.ca_file))
    ctx.set_alpn_protocols(["http/1.1"])
    body = json.dumps(REVIEW).encode()
    head = (f"POST /inject HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    idle = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="localhost")
    busy = ctx.wrap_socket(socket.create_connection(("127.0.0.1", server.port)), server_hostname="localhost")
    try:
        # `idle` has done one request and sits in keep-alive; `busy` is mid-request.
        idle.sendall(head + body)
        first, _ = read_response(idle)
        assert first.startswith(b"HTTP/1.1 200")
        busy.sendall(head + body[:100])
        time.sleep(0.2)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        idle.settimeout(3)
        assert idle.recv(65536) == b""  # closed at once, no request in flight
        busy.sendall(body[100:])
        busy.settimeout(5)
        head_part, payload = read_response(busy)
        assert busy.recv(65536) == b""  # and then closed
        assert head_part.startswith(b"HTTP/1.1 200")
        assert b"connection: close" in head_part.lower()
        assert json.loads(payload)["response"]["allowed"] is True
    finally:
        idle.close()
        busy.close()
    assert server.proc.wait(10) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(server.url + "/healthz", verify=server.ssl_context(), timeout=1)


def test_two_workers_serve_and_share_metrics(tmp_path, ca):
    s = Server(tmp_path, ca, workers=2)
    try:
        for _ in range(4):  # new connections spread over the workers
            with s.client() as client:
                for _ in range(5):
                    assert post(client, REVIEW).json()["response"]["allowed"] is True
        with s.client() as client:
            text = client.get("/metrics").text
        count = sum(float(line.split()[-1]) for line in text.splitlines()
                    if line.startswith('injector_requests_total{result="injected"}'))
        assert count == 20
    finally:
        assert s.stop() == 0


def _worker_connections(parent: int, port: int) -> dict[int, int]:
    """Established connections to `port` held by each child of `parent` (read from /proc)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if int(f[1].rsplit(":", 1)[1], 16) == port and f[3] == "01":  # 01: ESTABLISHED
                established.add(f[9])  # socket inode
    counts = {}
    for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
        n = 0
        for fd in Path(f"/proc/{child}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in established:
                n += 1
        counts[int(child)] = n
    return counts


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_share_keep_alive_connections(tmp_path, ca):
    """Keep-alive connections made as soon as the server is ready are spread over the
    workers, even when one worker got warm long before the other (the apiserver keeps its
    connections: one worker holding all of them does the whole load)."""
    marker = tmp_path / "marker"
    marker.mkdir()
    s = Server(tmp_path, ca, workers=2, main=("-m", "tests.slow_worker", str(marker)))
    clients = []
    try:
        for _ in range(16):
            c = s.client()
            assert post(c, REVIEW).json()["response"]["allowed"] is True
            clients.append(c)
        counts = _worker_connections(s.proc.pid, s.port)
        busy = sorted(n for n in counts.values() if n)
        assert sum(busy) == 16, counts
        assert len(busy) == 2, f"connections per worker: {counts}"
    finally:
        for c in clients:
            c.close()
        assert s.stop() == 0
