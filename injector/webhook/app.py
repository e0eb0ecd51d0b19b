"""The Starlette application: /inject (and Istio's path forms), /healthz, /readyz, /metrics.

The app itself is thin: it reads the body under a size limit, honours the apiserver's
`?timeout=`, hands the bytes to `injector.admission.review` and counts the outcome. The
serving state (`Runtime`) is swapped as a whole on reload, so a request in flight keeps the
config it started with.
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from injector import admission
from injector.template.funcs.sprig import parse_duration
from injector.webhook import metrics

log = logging.getLogger("injector.webhook")

# URL path keys Istio maps to proxy env vars; other keys become the upper-cased key.
URL_PARAMETER_ENV = {"cluster": "ISTIO_META_CLUSTER_ID", "net": "ISTIO_META_NETWORK"}
DEFAULT_TIMEOUT = 10.0  # the apiserver's default webhook timeout, seconds
# Answer this long before the apiserver gives up, so the answer is not lost in flight.
TIMEOUT_MARGIN = 0.25


@dataclass
class Runtime:
    """What the app serves with; replaced whole on a config reload."""

    # (path_envs) -> PodInjector; built from the loaded settings
    injector_for: Callable[[dict[str, str]], admission.PodInjector] | None = None
    failure_policy: str = "deny"
    max_body: int = admission.DEFAULT_MAX_BODY
    # Larger bodies are admitted on a thread so the ?timeout= deadline is always met.
    inline_max_body: int = 64 * 1024
    generation: int = 0


@dataclass
class State:
    runtime: Runtime = field(default_factory=Runtime)
    certs_loaded: bool = False
    draining: bool = False
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="admit")
    )

    @property
    def ready(self) -> bool:
        return self.runtime.injector_for is not None and self.certs_loaded and not self.draining


def inject_path_envs(path: str) -> dict[str, str]:
    """Proxy env overrides encoded in the webhook path, as Istio reads them.

    `/inject/cluster/c1/net/n1` -> {ISTIO_META_CLUSTER_ID: c1, ISTIO_META_NETWORK: n1};
    `/inject/:ENV:cluster=c1:ENV:net=n1` is the older form; `--slash--` stands for `/`.
    """
    parts = path.rstrip("/").split("/", 2)  # "", "inject", rest
    if len(parts) < 3 or not parts[2]:
        return {}
    rest = parts[2]
    if rest.startswith(":ENV:"):
        items: list[str] = []
        for pair in rest.split(":ENV:")[1:]:
            key, sep, value = pair.partition("=")
            if key and sep:
                items += [key, value]
    else:
        items = rest.split("/")
        items = [v.replace("--slash--", "/") if i % 2 else v for i, v in enumerate(items)]
    envs: dict[str, str] = {}
    for i in range(0, len(items) - 1, 2):
        env = URL_PARAMETER_ENV.get(items[i], items[i].upper())
        if env:
            envs[env] = items[i + 1]
    return envs


def parse_go_duration(text: str | None) -> float | None:
    """Seconds in a Go duration such as `10s` or `1m30s` (time.ParseDuration); None when
    absent, malformed or not positive."""
    if not text:
        return None
    try:
        nanos = parse_duration(text)
    except ValueError:
        return None
    return nanos / 1e9 if nanos > 0 else None


def _timeout_answer(body: bytes, runtime: Runtime, seconds: float) -> admission.Outcome:
    """The answer sent when injection did not finish in time: same failure policy as errors."""
    message = f"injection did not finish within the {seconds:g}s webhook timeout"
    try:
        api_version, request = admission.parse_review(body)
        uid = request["uid"]
    except admission.BadReview:
        api_version, uid = admission.API_VERSIONS[0], ""
    allowed = runtime.failure_policy == "allow"
    doc = {"apiVersion": api_version, "kind": "AdmissionReview",
           "response": {"uid": uid, "allowed": allowed,
                        "status": {"message": message, "code": 504}}}
    return admission.Outcome(200, orjson.dumps(doc), "failed", "timeout", message)


async def _read_body(receive, limit: int) -> bytes | None:
    """The request body, or None once it exceeds `limit` (checked while streaming)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def _header(scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


async def _send(send, status: int, body: bytes, content_type: bytes, close: bool) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class InjectEndpoint:
    """POST /inject[/...]: a plain ASGI handler, because this is the hot path.

    Starlette's Request/Response machinery costs more than a cached admission itself. Bodies
    up to `inline_max_body` are answered on the event loop (their admission takes about a
    millisecond, three orders of magnitude under the smallest timeout the apiserver allows);
    larger ones run on a thread so the `?timeout=` deadline can always be met.
    """

    def __init__(self, state: "State") -> None:
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        state = self.state
        close = state.draining and scope.get("http_version") == "1.1"
        if scope["method"] != "POST":
            await _send(send, 405, b"method not allowed", b"text/plain", close)
            return
        started = time.perf_counter()
        runtime = state.runtime  # one snapshot per request: reloads never change it mid-way
        if runtime.injector_for is None:
            await _send(send, 503, b"injector is not ready: no configuration loaded", b"text/plain", close)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > runtime.max_body:
            body = None
        else:
            try:
                body = await _read_body(receive, runtime.max_body)
            except ConnectionError:
                return
        if body is None:
            metrics.FAILED.labels("too-large").inc()
            # The rest of the body is never read, so this connection cannot carry another
            # request: say so, rather than leave the client writing into a closed socket.
            await _send(send, 413, f"request body exceeds {runtime.max_body} bytes".encode(),
                        b"text/plain", True)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        timeout = DEFAULT_TIMEOUT
        for part in query.split("&"):
            if part.startswith("timeout="):
                timeout = parse_go_duration(unquote(part[8:])) or DEFAULT_TIMEOUT
        pod_injector = runtime.injector_for(inject_path_envs(scope["path"]))
        content_type = _header(scope, b"content-type")

        def work() -> admission.Outcome:
            return admission.review(body, pod_injector, content_type=content_type,
                                    failure_policy=runtime.failure_policy)

        if len(body) <= runtime.inline_max_body:
            outcome = work()
        else:
            budget = max(timeout - TIMEOUT_MARGIN, timeout * 0.5)
            future = asyncio.get_running_loop().run_in_executor(state.executor, work)
            try:
                outcome = await asyncio.wait_for(future, budget)
            except asyncio.TimeoutError:
                outcome = _timeout_answer(body, runtime, timeout)
        elapsed = time.perf_counter() - started
        metrics.LATENCY.observe(elapsed)
        metrics.record(outcome)
        if outcome.result == "failed" or log.isEnabledFor(logging.DEBUG):
            extra = {"result": outcome.result, "reason": outcome.reason, "namespace": outcome.namespace,
                     "pod": outcome.name, "ms": round(elapsed * 1000, 3)}
            if outcome.result == "failed":
                log.error("admission failed: %s", outcome.message, extra=extra)
            else:
                log.debug("admission %s", outcome.result, extra=extra)
        content = b"application/json" if outcome.status == 200 else b"text/plain"
        await _send(send, outcome.status, outcome.body, content,
                    close or (state.draining and scope.get("http_version") == "1.1"))


def create_app(state: "State | None" = None):
    """The ASGI app: /inject[/...] on the lean handler, everything else through Starlette."""
    state = state or State()

    async def healthz(request: Request) -> Response:
        return Response(b"ok", 200, media_type="text/plain")

    async def readyz(request: Request) -> Response:
        if state.ready:
            return Response(b"ready", 200, media_type="text/plain")
        why = "draining" if state.draining else (
            "no configuration loaded" if state.runtime.injector_for is None
            else "certificates not loaded")
        return Response(f"not ready: {why}".encode(), 503, media_type="text/plain")

    async def metrics_endpoint(request: Request) -> Response:
        payload, content_type = metrics.exposition()
        return Response(payload, 200, headers={"content-type": content_type})

    starlette = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
    )
    starlette.state.injector = state
    return _App(InjectEndpoint(state), _DrainingMiddleware(starlette, state), state)


class _App:
    """Route /inject and /inject/... to the lean endpoint, the rest to Starlette."""

    def __init__(self, inject: InjectEndpoint, rest: Any, state: "State") -> None:
        self.inject = inject
        self.rest = rest
        self.state = state
        # For introspection (which paths exist); dispatch does not go through these.
        self.routes = [Route("/inject", inject, methods=["POST"]),
                       Route("/inject/{rest:path}", inject, methods=["POST"]), *rest.app.routes]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == "/inject" or path.startswith("/inject/"):
                await self.inject(scope, receive, send)
                return
        await self.rest(scope, receive, send)


class _DrainingMiddleware:
    """While draining, tell HTTP/1.1 clients to close the connection after this answer.

    The apiserver reuses idle keep-alive connections to a terminating pod (kubernetes
    issue #127335); `Connection: close` makes it reconnect to a live replica instead.
    """

    def __init__(self, app: Any, state: "State") -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("http_version") != "1.1":
            await self.app(scope, receive, send)
            return
        state = self.state

        async def send_wrapper(message) -> None:
            if message["type"] == "http.response.start" and state.draining:
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
                headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)
