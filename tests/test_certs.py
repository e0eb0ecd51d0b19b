"""Generated certificates verify against their CA and serve TLS to a real client."""
import socket
import ssl
import subprocess
import threading

import pytest

from injector.certs import generate, service_dns_names


def test_serving_cert_verifies_with_openssl(tmp_path):
    paths = generate(service_dns_names("injector", "istio-system"), ["127.0.0.1"]).write(tmp_path)
    out = subprocess.run(["openssl", "verify", "-CAfile", paths["ca"], paths["cert"]],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("OK")
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", paths["cert"]],
                          capture_output=True, text=True, check=True).stdout
    assert "DNS:injector.istio-system.svc" in text
    assert "IP Address:127.0.0.1" in text
    assert oct(paths["key"].stat().st_mode & 0o777) == "0o600"


def test_cert_serves_tls_to_a_client_that_trusts_only_the_ca(tmp_path):
    paths = generate(["localhost"], ["127.0.0.1"]).write(tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(paths["cert"], paths["key"])
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one():
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"hello")

    t = threading.Thread(target=serve_one, daemon=True)
    t.start()
    client_ctx = ssl.create_default_context(cafile=str(paths["ca"]))
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.recv(5) == b"hello"
    t.join(5)
    listener.close()


def test_wrong_hostname_is_refused(tmp_path):
    paths = generate(["localhost"]).write(tmp_path)
    ctx = ssl.create_default_context(cafile=str(paths["ca"]))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(paths["cert"], paths["key"])
    a, b = socket.socketpair()
    done = threading.Event()

    def server():
        try:
            server_ctx.wrap_socket(a, server_side=True)
        except (ssl.SSLError, OSError):
            pass
        done.set()

    threading.Thread(target=server, daemon=True).start()
    with pytest.raises(ssl.SSLCertVerificationError):
        ctx.wrap_socket(b, server_hostname="other.example")
    b.close()
    done.wait(5)


def test_needs_a_name():
    with pytest.raises(ValueError):
        generate([])
