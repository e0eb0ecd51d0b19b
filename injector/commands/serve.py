"""`injector serve`: the mutating admission webhook (see injector.webhook.server)."""
from __future__ import annotations

import argparse
import os

from injector import admission, settings
from injector.webhook.server import ServeOptions, serve


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="run the admission webhook",
        description="Serve the mutating admission webhook over TLS (HTTP/1.1 and HTTP/2). "
        "Without --tls-cert/--tls-key a self-signed certificate is generated and its CA path "
        "printed. Without config flags the embedded default config is used.",
    )
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=9443, help="port (default 9443)")
    p.add_argument("--tls-cert", help="serving certificate (PEM); reloaded when it changes")
    p.add_argument("--tls-key", help="private key of the serving certificate (PEM)")
    p.add_argument("--insecure-plaintext", action="store_true",
                   help="serve plain HTTP without TLS (only behind a TLS-terminating proxy)")
    p.add_argument("--workers", type=int, default=int(os.environ.get("INJECTOR_WORKERS", "1")),
                   help="worker processes (default 1, or $INJECTOR_WORKERS)")
    p.add_argument("--failure-policy", choices=["deny", "allow"], default="deny",
                   help="answer when injection fails: deny the pod with the error (Istio's "
                   "behaviour, default) or allow it uninjected")
    p.add_argument("--max-body", type=int, default=admission.DEFAULT_MAX_BODY,
                   help="largest request body in bytes; larger ones get HTTP 413")
    p.add_argument("--reload-interval", type=float, default=1.0,
                   help="seconds between checks of the config and certificate files")
    p.add_argument("--keep-alive-max-requests", type=int, default=0,
                   help="close a connection after this many requests (0: never)")
    p.add_argument("--graceful-timeout", type=float, default=15.0,
                   help="seconds to finish requests in flight after SIGTERM")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    settings.add_config_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    options = ServeOptions(
        host=args.host, port=args.port, certfile=args.tls_cert, keyfile=args.tls_key,
        insecure=args.insecure_plaintext, workers=max(1, args.workers),
        failure_policy=args.failure_policy, max_body=args.max_body,
        reload_interval=args.reload_interval, keep_alive_max_requests=args.keep_alive_max_requests,
        graceful_timeout=args.graceful_timeout, log_level=args.log_level, config_args=args,
    )
    return serve(options)
