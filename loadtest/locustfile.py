"""Locust users for the webhook: what kube-apiserver does, at a chosen rate.

`WebhookUser` (FastHttpUser: HTTP/1.1 keep-alive over TLS) is the main user because the
apiserver calls webhooks over HTTP/1.1. `WebhookH2User` speaks HTTP/2 (httpx + h2) as the
apiserver does for loopback webhook URLs. Select with `--class-picker` or by class name
on the command line; run_locust.py drives a headless run.

Environment: INJECTOR_CA (CA bundle of the server certificate).
"""
from __future__ import annotations

import json
import os
import random
import ssl
import sys
import time
import uuid

from locust import FastHttpUser, User, constant, constant_throughput, task

from loadtest.reviews import mix

MIX = mix()
NAMES = [n for n, _, _ in MIX]
WEIGHTS = [w for _, w, _ in MIX]
BODIES = {n: b for n, _, b in MIX}
CA = os.environ.get("INJECTOR_CA")
PATH = "/inject?timeout=10s"
# Fixed-rate runs: INJECTOR_RATE requests/s in total, spread over INJECTOR_USERS users.
_RATE = float(os.environ.get("INJECTOR_RATE", "0"))
_USERS = max(1, int(os.environ.get("INJECTOR_USERS", "1")))
WAIT = constant_throughput(_RATE / _USERS) if _RATE > 0 else constant(0)


def _pick() -> tuple[str, bytes]:
    name = random.choices(NAMES, WEIGHTS)[0]
    body = BODIES[name]
    if name != "malformed":  # a fresh uid per request, as the apiserver sends
        body = body.replace(b'"uid":"3a5c1a2e-7c0b-4d8a-9d3e-000000000001"',
                            b'"uid":"' + str(uuid.uuid4()).encode() + b'"', 1)
    return name, body


def _check(name: str, status: int, payload: bytes) -> str | None:
    """None when the answer is what the webhook must send for this request, else why not."""
    if status != 200:
        return f"HTTP {status}"
    try:
        resp = json.loads(payload)["response"]
    except (ValueError, KeyError, TypeError):
        return "not an AdmissionReview"
    if name == "malformed":
        return None if resp.get("allowed") is False else "malformed request was allowed"
    if not resp.get("allowed"):
        return f"denied: {resp.get('status', {}).get('message', '')[:200]}"
    if name in ("opt-out", "already-injected"):
        return None
    return None if resp.get("patchType") == "JSONPatch" else "no patch"


def _gevent_ssl_context():
    import gevent.ssl

    return gevent.ssl.create_default_context(cafile=CA)


class WebhookUser(FastHttpUser):
    wait_time = WAIT
    insecure = CA is None
    ssl_context_factory = staticmethod(_gevent_ssl_context) if CA else None
    concurrency = 1

    @task
    def admit(self) -> None:
        name, body = _pick()
        with self.client.post(PATH, data=body, headers={"content-type": "application/json"},
                              name=f"/inject [{name}]", catch_response=True) as r:
            problem = _check(name, r.status_code, r.content or b"")
            if problem:
                r.failure(problem)


class WebhookH2User(User):
    """HTTP/2 over one multiplexed TLS connection per user."""

    wait_time = WAIT

    def on_start(self) -> None:
        # gevent's monkey-patching removes select.epoll, which trio (an optional httpcore
        # backend) needs at import; httpx works without trio, so keep it from loading.
        sys.modules.setdefault("trio", None)
        import httpx

        verify = ssl.create_default_context(cafile=CA) if CA else False
        self.http = httpx.Client(base_url=self.host, http2=True, http1=False, verify=verify, timeout=15)

    def on_stop(self) -> None:
        self.http.close()

    @task
    def admit(self) -> None:
        name, body = _pick()
        started = time.perf_counter()
        exc = None
        status, payload = 0, b""
        try:
            r = self.http.post(PATH, content=body, headers={"content-type": "application/json"})
            status, payload = r.status_code, r.content
        except Exception as e:  # counted as a failure below
            exc = e
        problem = repr(exc) if exc else _check(name, status, payload)
        self.environment.events.request.fire(
            request_type="POST h2", name=f"/inject [{name}]",
            response_time=(time.perf_counter() - started) * 1000, response_length=len(payload),
            exception=Exception(problem) if problem else None, context={})
