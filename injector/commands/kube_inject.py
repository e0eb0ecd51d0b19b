"""`injector kube-inject`: inject the sidecar into workload manifests, like `istioctl kube-inject`.

    injector kube-inject -f FILE|- [-o FILE] [config flags]

Reads one YAML stream (multi-document, Lists), injects every workload kind, copies every
other document through unchanged and writes the result to stdout or `-o FILE`. The
output is only written when the whole stream succeeded (a file is replaced atomically),
so `injector kube-inject -f app.yaml | kubectl apply -f -` never applies half a stream.
Skipped workloads (host network, injection disabled, ...) are reported on stderr.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from injector import settings as settings_mod

EXIT_USAGE = 2
EXIT_REJECTED = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kube-inject",
        help="inject the Istio sidecar into Kubernetes workload YAML (like istioctl kube-inject)",
        description="Inject the sidecar into every workload of a YAML stream (Pod, Deployment, "
        "DaemonSet, ReplicaSet, ReplicationController, StatefulSet, Job, CronJob, "
        "DeploymentConfig, List); other documents are copied through unchanged.",
    )
    p.add_argument("-f", "--filename", default=None, metavar="FILE",
                   help="input Kubernetes resource YAML, or - for stdin")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write the injected YAML to FILE instead of stdout")
    settings_mod.add_config_arguments(p)
    p.set_defaults(func=run)


def _err(msg: str) -> None:
    print(f"Error: {msg}", file=sys.stderr)


def _read_input(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    with open(name, encoding="utf-8") as f:
        return f.read()


def _write_output(path: str | None, text: str) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".kube-inject-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run(args: argparse.Namespace) -> int:
    from injector.kubeinject import KubeInjectError, kube_inject

    if not args.filename:
        _err("filename not specified (see --filename or -f)")
        return EXIT_USAGE
    try:
        text = _read_input(args.filename)
    except FileNotFoundError:
        _err(f"open {args.filename}: no such file or directory")
        return EXIT_REJECTED
    except OSError as e:
        _err(f"open {args.filename}: {(e.strerror or str(e)).lower()}")
        return EXIT_REJECTED
    except UnicodeDecodeError as e:
        _err(f"{args.filename}: not UTF-8 text: {e}")
        return EXIT_REJECTED
    try:
        loaded = settings_mod.settings_from_args(args)
    except Exception as e:  # ConfigError, template ParseError, cluster access, ...
        _err(f"bad injector configuration: {e}")
        return EXIT_REJECTED
    try:
        result = kube_inject(text, loaded)
    except KubeInjectError as e:
        _err(f"{args.filename}: {e}")
        return EXIT_REJECTED
    for w in result.warnings:
        sys.stderr.write(w if w.endswith("\n") else w + "\n")
    try:
        _write_output(args.output, result.text)
    except OSError as e:
        _err(f"cannot write {args.output}: {e.strerror or e}")
        return EXIT_REJECTED
    return 0
