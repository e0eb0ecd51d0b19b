"""Hot reload of the serving config and the TLS certificate, by polling file fingerprints.

Kubernetes updates a mounted ConfigMap or Secret by swapping a `..data` symlink, which
inotify on the file path does not report reliably; polling the resolved target's identity
catches it and costs one stat per file per interval. A reload that fails keeps the last
good state serving and is logged and counted.
"""
from __future__ import annotations

import asyncio
import logging
import os
import ssl
from pathlib import Path
from typing import Awaitable, Callable, Iterable

from injector.webhook import metrics

log = logging.getLogger("injector.reload")


def fingerprint(paths: Iterable[str | os.PathLike]) -> tuple:
    """Identity of each file's current content: resolved path, inode, size, mtime."""
    out = []
    for p in paths:
        try:
            real = os.path.realpath(p)
            st = os.stat(real)
            out.append((str(p), real, st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(p), None))
    return tuple(out)


async def watch(
    paths: list[Path],
    on_change: Callable[[], Awaitable[None]],
    *,
    interval: float = 1.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Call `on_change` after the files in `paths` change (debounced one interval)."""
    if not paths:
        return
    seen = fingerprint(paths)
    while not (stop and stop.is_set()):
        await asyncio.sleep(interval)
        now = fingerprint(paths)
        if now == seen:
            continue
        # Let a writer finish (ConfigMap updates land as several renames).
        await asyncio.sleep(min(interval, 0.2))
        seen = fingerprint(paths)
        try:
            await on_change()
        except Exception:  # never let the watcher die
            log.exception("reload handler failed")


def reload_certificate(contexts: list[ssl.SSLContext], certfile: str, keyfile: str) -> bool:
    """Load a new certificate into the live SSL contexts; new handshakes use it at once."""
    try:
        # Validate on a scratch context first so a half-written pair never reaches the live ones.
        probe = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        probe.load_cert_chain(certfile, keyfile)
        for ctx in contexts:
            ctx.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as e:
        metrics.CERT_RELOADS.labels("failure").inc()
        log.error("certificate reload failed, keeping the current one: %s", e,
                  extra={"certfile": certfile, "keyfile": keyfile})
        return False
    metrics.CERT_RELOADS.labels("success").inc()
    log.info("certificate reloaded", extra={"certfile": certfile})
    return True
