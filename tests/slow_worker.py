"""A runtime loader for tests/test_server.py: every worker but the first to load is slow.

Run as `python -m tests.slow_worker MARKER_DIR SERVE_ARGS...`: `injector serve` whose workers
load the normal runtime, all but one after a delay (as a cold worker compiling a big config
lags behind a warm one).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

DELAY = 1.5


def runtime(options):
    from injector.webhook.server import settings_runtime

    if multiprocessing.parent_process() is None:
        return settings_runtime(options)  # the parent's early config check
    try:
        os.close(os.open(Path(options.extra["marker_dir"]) / "first", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        time.sleep(DELAY)
    return settings_runtime(options)


def main(argv: list[str]) -> int:
    from injector.cli import build_parser
    from injector.webhook.server import ServeOptions, serve

    args = build_parser().parse_args(["serve", *argv[1:]])
    return serve(ServeOptions(
        host=args.host, port=args.port, certfile=args.tls_cert, keyfile=args.tls_key,
        workers=args.workers, graceful_timeout=args.graceful_timeout, config_args=args,
        runtime_loader="tests.slow_worker:runtime", extra={"marker_dir": argv[0]}))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
