"""The server's own floor: a bare ASGI callable answering an AdmissionReview trivially.

Served by Hypercorn with exactly the settings `injector serve` uses (TLS, ALPN,
keep-alive, workers), so `raw_load.py --compare-floor` measures what our app costs on
top of the server. Run: python -m loadtest.bare_app --port P --certfile C --keyfile K.
"""
from __future__ import annotations

import argparse

from hypercorn.run import run

from injector.webhook.server import ServeOptions, hypercorn_config

import orjson


async def app(scope, receive, send):
    """Allow every review, echoing its uid (what a client checks), no injection."""
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    try:
        uid = orjson.loads(b"".join(chunks))["request"]["uid"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        uid = ""
    body = orjson.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                         "response": {"uid": uid, "allowed": True}})
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--certfile", required=True)
    ap.add_argument("--keyfile", required=True)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    config = hypercorn_config(ServeOptions(host="127.0.0.1", port=a.port, certfile=a.certfile,
                                           keyfile=a.keyfile, workers=a.workers))
    config.application_path = "loadtest.bare_app:app"
    config.worker_class = "uvloop"
    config.workers = a.workers
    run(config)


if __name__ == "__main__":
    main()
