"""Run the webhook on Hypercorn: TLS with ALPN (h2, http/1.1), workers, reload, drain.

Each worker process loads and compiles the config before it starts accepting, so a worker
is warm when it serves its first pod. With several workers each one then opens its own
listening socket on the parent's address with SO_REUSEPORT, so the kernel spreads new
connections over the workers: with one shared socket the first worker to wake accepts a
whole burst of connections, and as the apiserver keeps them alive, one worker did all the
work while the others idled. The parent only binds (to reserve the port and fail early)
and forwards SIGTERM; each worker then drains: it stops accepting, closes idle keep-alive
connections (Hypercorn does on shutdown), and answers requests in flight with
`Connection: close` (HTTP/1.1) before exiting.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import ssl
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.utils import wrap_app

from injector import admission
from injector.webhook import logs, metrics, reload
from injector.webhook.app import Runtime, State, create_app

log = logging.getLogger("injector.serve")

# Hypercorn ends a connection after 1000 requests by default; the apiserver then pays a TLS
# handshake, and over HTTP/2 requests in flight on the closing connection can fail.
UNLIMITED_REQUESTS = 2**62
# How long a warm worker waits for the others before it listens anyway.
WARM_WAIT = 60.0


@dataclass
class ServeOptions:
    host: str = "0.0.0.0"
    port: int = 9443
    certfile: str | None = None
    keyfile: str | None = None
    insecure: bool = False  # plaintext HTTP; only with an explicit flag
    workers: int = 1
    failure_policy: str = "deny"
    max_body: int = admission.DEFAULT_MAX_BODY
    reload_interval: float = 1.0
    keep_alive_max_requests: int = 0  # 0: never force a reconnect
    keep_alive_timeout: float = 120.0  # longer than Go's 90 s client idle timeout
    graceful_timeout: float = 15.0
    log_level: str = "info"
    # (options) -> (Runtime, files to watch); picklable path "module:function"
    runtime_loader: str = "injector.webhook.server:settings_runtime"
    config_args: Any = None  # argparse namespace with the config flags (injector.settings)
    extra: dict = field(default_factory=dict)


class _Config(HypercornConfig):
    """Hypercorn config that remembers the SSL contexts it creates, for cert rotation."""

    contexts: list[ssl.SSLContext] = []

    def create_ssl_context(self) -> ssl.SSLContext | None:
        ctx = super().create_ssl_context()
        if ctx is not None:
            _Config.contexts.append(ctx)
        return ctx


def _import(path: str) -> Callable:
    module, _, name = path.partition(":")
    mod = __import__(module, fromlist=[name])
    return getattr(mod, name)


CONFIG_FILE_FLAGS = ("inject_config_file", "values_file", "mesh_config_file", "mesh_defaults_file",
                     "cluster_objects")


def settings_runtime(options: ServeOptions) -> tuple[Runtime, list[Path]]:
    """Load the injector settings (files, cluster or embedded default) into a Runtime."""
    from injector.pipeline import pod_injector_factory
    from injector.settings import settings_from_args

    settings = settings_from_args(options.config_args)
    runtime = Runtime(
        injector_for=pod_injector_factory(settings),
        failure_policy=options.failure_policy,
        max_body=options.max_body,
    )
    paths = [getattr(options.config_args, f, None) for f in CONFIG_FILE_FLAGS]
    return runtime, [Path(p) for p in paths if p]


def hypercorn_config(options: ServeOptions) -> _Config:
    config = _Config()
    config.bind = [f"{options.host}:{options.port}"]
    if not options.insecure:
        config.certfile, config.keyfile = options.certfile, options.keyfile
        config.alpn_protocols = ["h2", "http/1.1"]
    config.keep_alive_max_requests = options.keep_alive_max_requests or UNLIMITED_REQUESTS
    config.keep_alive_timeout = options.keep_alive_timeout
    config.graceful_timeout = options.graceful_timeout
    config.include_server_header = False
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.workers = options.workers
    return config


def ensure_certificate(options: ServeOptions) -> Path | None:
    """Without a certificate, make a self-signed CA + serving cert; return the CA path."""
    if options.insecure or (options.certfile and options.keyfile):
        return None
    if options.certfile or options.keyfile:
        raise SystemExit("injector serve: --tls-cert and --tls-key go together")
    from injector.certs import generate

    directory = Path(tempfile.mkdtemp(prefix="injector-certs-"))
    names = ["localhost", "injector", "injector.istio-system.svc"]
    ips = ["127.0.0.1", "::1"]
    if options.host not in ("0.0.0.0", "::", "localhost", "127.0.0.1", "::1"):
        ips.append(options.host)
    paths = generate(names, ips).write(directory)
    options.certfile, options.keyfile = str(paths["cert"]), str(paths["key"])
    return paths["ca"]


async def _worker_main(options: ServeOptions, config: _Config, sockets: Any, warm: Any = None) -> None:
    state = State()
    loader = _import(options.runtime_loader)
    runtime, watched = loader(options)
    if sockets is None:  # one of several workers: join the SO_REUSEPORT group, warm
        # and together: a worker listening alone would get every early keep-alive
        # connection for good. A worker that never gets warm does not hold the rest.
        try:
            await asyncio.get_running_loop().run_in_executor(None, warm.wait, WARM_WAIT)
        except threading.BrokenBarrierError:
            log.warning("not every worker was warm within %.0f s; listening anyway", WARM_WAIT)
        sockets = config.create_sockets()
    state.runtime = runtime
    metrics.CONFIG_LOADED.set_to_current_time()
    state.certs_loaded = True  # TLS files are loaded by Hypercorn before it accepts
    app = create_app(state)

    loop = asyncio.get_running_loop()
    shutdown = asyncio.Event()

    def begin_drain(*_: Any) -> None:
        if not state.draining:
            log.info("draining: no new connections, finishing requests in flight")
        state.draining = True
        shutdown.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, begin_drain)

    async def reload_config() -> None:
        try:
            new, _paths = await loop.run_in_executor(None, loader, options)
        except Exception as e:
            metrics.CONFIG_RELOADS.labels("failure").inc()
            log.error("config reload rejected, keeping the last good config: %s", e)
            return
        new.generation = state.runtime.generation + 1
        state.runtime = new  # requests in flight keep the Runtime they started with
        metrics.CONFIG_RELOADS.labels("success").inc()
        metrics.CONFIG_LOADED.set_to_current_time()
        log.info("config reloaded", extra={"generation": new.generation})

    async def reload_certs() -> None:
        reload.reload_certificate(_Config.contexts, options.certfile, options.keyfile)

    tasks = [asyncio.ensure_future(
        reload.watch(watched, reload_config, interval=options.reload_interval, stop=shutdown))]
    if not options.insecure:
        tasks.append(asyncio.ensure_future(reload.watch(
            [Path(options.certfile), Path(options.keyfile)], reload_certs,
            interval=options.reload_interval, stop=shutdown)))
    try:
        await worker_serve(wrap_app(app, config.wsgi_max_body_size, "asgi"), config,
                           sockets=sockets, shutdown_trigger=shutdown.wait)
    finally:
        for t in tasks:
            t.cancel()
        state.executor.shutdown(wait=False, cancel_futures=True)


def _run_worker(options: ServeOptions, config: _Config, sockets: Any, warm: Any = None) -> None:
    logs.setup(options.log_level)
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        runner = asyncio.Runner()
    with runner:
        runner.run(_worker_main(options, config, sockets, warm))


def _bind_string(sock: Any) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(options: ServeOptions) -> int:
    logs.setup(options.log_level)
    ca = ensure_certificate(options)
    if options.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="injector-metrics-")
    # Fail here, in the parent, on a bad config: better than N workers crash-looping.
    _import(options.runtime_loader)(options)
    config = hypercorn_config(options)
    sockets = config.create_sockets()
    scheme = "http" if options.insecure else "https"
    where = [s.getsockname() for s in (*sockets.secure_sockets, *sockets.insecure_sockets)]
    log.info("serving", extra={"addresses": [f"{scheme}://{h}:{p}" for h, p, *_ in where],
                               "workers": options.workers, "ca": str(ca) if ca else None})
    if ca is not None:
        print(f"self-signed certificate; CA: {ca}", file=sys.stderr, flush=True)

    if options.workers <= 1:
        _run_worker(options, config, sockets)
        return 0

    # Workers bind the address the parent got (its port may have been 0) themselves.
    secure = [_bind_string(s) for s in sockets.secure_sockets]
    plain = [_bind_string(s) for s in sockets.insecure_sockets]
    if config.ssl_enabled:
        config.bind, config.insecure_bind = secure, plain
    else:
        config.bind = plain
    ctx = multiprocessing.get_context("spawn")
    warm = ctx.Barrier(options.workers)
    procs = [ctx.Process(target=_run_worker, args=(options, config, None, warm), daemon=False)
             for _ in range(options.workers)]
    for p in procs:
        p.start()

    def forward(signum: int, _frame: Any) -> None:
        for p in procs:
            if p.is_alive():
                os.kill(p.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = 0
    for p in procs:
        p.join()
        code = code or (p.exitcode or 0)
    return code
