"""`injector certs`: files and Secret manifests that verify with openssl and serve TLS."""
from __future__ import annotations

import argparse
import base64
import io
import socket
import ssl
import subprocess
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from injector.commands import certs as certs_cmd

SERVICE, NAMESPACE = "injector", "injector-system"


def cli(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="injector")
    certs_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["certs", *argv])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue(), err.getvalue()


def openssl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], capture_output=True, text=True)


def sans(cert: Path) -> set[str]:
    """The subjectAltName entries of a certificate, as openssl prints them."""
    out = openssl("x509", "-noout", "-ext", "subjectAltName", "-in", str(cert)).stdout
    return {item.strip() for line in out.splitlines()[1:] for item in line.split(",") if item.strip()}


def serve_once(cert: Path, key: Path) -> tuple[int, threading.Thread]:
    """A one-connection TLS server on a free loopback port that says hello."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))

    def run():
        with listener:
            conn, _ = listener.accept()
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"hello")
            except (ssl.SSLError, OSError):
                pass  # the client refused the certificate

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return listener.getsockname()[1], t


def tls_hello(port: int, ca: Path, hostname: str) -> bytes:
    ctx = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=hostname) as tls:
            return tls.recv(5)


def test_files_verify_with_openssl(tmp_path):
    code, out, err = cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path))
    assert code == 0, err
    assert out == ""  # files only; nothing for kubectl on stdout
    ca, cert, key = (tmp_path / n for n in ("ca.crt", "tls.crt", "tls.key"))
    result = openssl("verify", "-CAfile", str(ca), "-purpose", "sslserver", str(cert))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{cert}: OK"
    assert sans(cert) == {"DNS:injector", "DNS:injector.injector-system", "DNS:injector.injector-system.svc",
                          "DNS:injector.injector-system.svc.cluster.local"}
    assert key.stat().st_mode & 0o077 == 0
    # the key belongs to the certificate
    pub_cert = openssl("x509", "-noout", "-pubkey", "-in", str(cert)).stdout
    pub_key = openssl("pkey", "-pubout", "-in", str(key)).stdout
    assert pub_cert and pub_cert == pub_key


def test_files_serve_tls_to_a_client_that_trusts_only_the_ca(tmp_path):
    assert cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path))[0] == 0
    port, t = serve_once(tmp_path / "tls.crt", tmp_path / "tls.key")
    assert tls_hello(port, tmp_path / "ca.crt", f"{SERVICE}.{NAMESPACE}.svc") == b"hello"
    t.join(5)


def test_a_client_with_another_ca_or_name_is_refused(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(a))[0] == 0
    assert cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(b))[0] == 0
    port, t = serve_once(a / "tls.crt", a / "tls.key")
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_hello(port, b / "ca.crt", f"{SERVICE}.{NAMESPACE}.svc")
    t.join(5)
    port, t = serve_once(a / "tls.crt", a / "tls.key")
    with pytest.raises(ssl.SSLCertVerificationError):
        tls_hello(port, a / "ca.crt", f"{SERVICE}.other.svc")
    t.join(5)


def test_secret_manifest_is_valid_and_its_certificate_serves_tls(tmp_path):
    code, out, err = cli("--service", SERVICE, "--namespace", NAMESPACE, "--secret")
    assert code == 0, err
    doc = yaml.safe_load(out)
    for version in ("1.25.0", kubernetes_validate.latest_version()):
        kubernetes_validate.validate(doc, version, strict=True)
    assert doc["type"] == "kubernetes.io/tls"
    assert doc["metadata"] == {"name": "injector-tls", "namespace": NAMESPACE,
                               "labels": {"app.kubernetes.io/name": "injector"}}
    assert set(doc["data"]) == {"tls.crt", "tls.key", "ca.crt"}
    for name, data in doc["data"].items():
        (tmp_path / name).write_bytes(base64.b64decode(data, validate=True))
    result = openssl("verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt"))
    assert result.returncode == 0, result.stderr
    port, t = serve_once(tmp_path / "tls.crt", tmp_path / "tls.key")
    assert tls_hello(port, tmp_path / "ca.crt", f"{SERVICE}.{NAMESPACE}.svc") == b"hello"
    t.join(5)
    assert not any(tmp_path.glob("*.crt.*"))  # --secret alone writes no files


def test_secret_with_out_writes_the_same_certificates(tmp_path):
    code, out, err = cli("--service", "hook", "--namespace", "mesh", "--secret", "--secret-name", "hook-certs",
                         "--out", str(tmp_path), "--days", "30")
    assert code == 0, err
    doc = yaml.safe_load(out)
    assert (doc["metadata"]["name"], doc["metadata"]["namespace"]) == ("hook-certs", "mesh")
    for name in ("tls.crt", "tls.key", "ca.crt"):
        assert base64.b64decode(doc["data"][name]) == (tmp_path / name).read_bytes()
    end = openssl("x509", "-noout", "-enddate", "-in", str(tmp_path / "tls.crt")).stdout
    check = openssl("x509", "-noout", "-checkend", str(29 * 86400), "-in", str(tmp_path / "tls.crt"))
    assert check.returncode == 0, end
    check = openssl("x509", "-noout", "-checkend", str(31 * 86400), "-in", str(tmp_path / "tls.crt"))
    assert check.returncode == 1, end  # --days 30: expires within 31 days
    assert "DNS:hook.mesh.svc" in sans(tmp_path / "tls.crt")


def test_extra_names_and_ips(tmp_path):
    code, _, err = cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path),
                       "--ip", "127.0.0.1", "--dns-name", "localhost")
    assert code == 0, err
    port, t = serve_once(tmp_path / "tls.crt", tmp_path / "tls.key")
    assert tls_hello(port, tmp_path / "ca.crt", "localhost") == b"hello"
    t.join(5)
    assert {"IP Address:127.0.0.1", "DNS:localhost"} <= sans(tmp_path / "tls.crt")


def test_existing_files_are_kept_unless_forced(tmp_path):
    assert cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path))[0] == 0
    before = (tmp_path / "tls.key").read_bytes()
    code, out, err = cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path))
    assert code == 2 and "already there" in err and "--force" in err
    assert (tmp_path / "tls.key").read_bytes() == before
    assert cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path), "--force")[0] == 0
    assert (tmp_path / "tls.key").read_bytes() != before


@pytest.mark.parametrize("argv, message", [
    (["--days", "0"], "--days"),
    (["--ip", "not-an-ip"], "not-an-ip"),
])
def test_bad_arguments(tmp_path, argv, message):
    code, out, err = cli("--service", SERVICE, "--namespace", NAMESPACE, "--out", str(tmp_path), *argv)
    assert code == 2 and message in err
    assert not (tmp_path / "tls.key").exists()
