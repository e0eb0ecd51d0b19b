"""`injector certs`: a CA and a serving certificate for the webhook Service.

Writes ca.crt, tls.crt and tls.key into a directory, or prints a `kubernetes.io/tls`
Secret manifest (with ca.crt) for `kubectl apply -f -`, or both (`--secret --out DIR`:
keep ca.crt at hand for `injector webhook-config --ca-bundle-file`).
"""
from __future__ import annotations

import argparse
import base64
import ipaddress
import sys
from pathlib import Path

import yaml

from injector.certs import CertBundle, generate, service_dns_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "certs",
        help="create a CA and the webhook's serving certificate",
        description="Create a private CA and a serving certificate for SERVICE.NAMESPACE.svc "
        "(ECDSA P-256). Without --secret the files ca.crt, tls.crt and tls.key are written to "
        "--out (default: the current directory); with --secret a kubernetes.io/tls Secret "
        "manifest is printed (and the files are written too when --out is given).",
    )
    p.add_argument("--service", required=True, help="name of the webhook Service")
    p.add_argument("--namespace", required=True, help="namespace of the Service and the Secret")
    p.add_argument("--out", metavar="DIR", help="directory for ca.crt, tls.crt, tls.key")
    p.add_argument("--secret", action="store_true", help="print a kubernetes.io/tls Secret manifest")
    p.add_argument("--secret-name", help="name of the Secret (default SERVICE-tls)")
    p.add_argument("--days", type=int, default=365, help="validity in days (default 365)")
    p.add_argument("--ip", action="append", default=[], metavar="IP",
                   help="also valid for this IP address (repeatable)")
    p.add_argument("--dns-name", action="append", default=[], metavar="NAME",
                   help="also valid for this DNS name (repeatable)")
    p.add_argument("--force", action="store_true", help="overwrite existing files in --out")
    p.set_defaults(func=run)


def secret_manifest(bundle: CertBundle, name: str, namespace: str) -> dict:
    """A kubernetes.io/tls Secret holding tls.crt, tls.key and ca.crt."""
    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/name": "injector"},
        },
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64(bundle.cert_pem), "tls.key": b64(bundle.key_pem), "ca.crt": b64(bundle.ca_pem)},
    }


def _fail(message: str) -> int:
    print(f"injector certs: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.days < 1:
        return _fail(f"--days {args.days}: must be at least 1")
    for ip in args.ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return _fail(f"--ip {ip!r} is not an IP address")
    out = Path(args.out) if args.out else (None if args.secret else Path("."))
    if out is not None and not args.force:
        existing = [n for n in ("ca.crt", "tls.crt", "tls.key") if (out / n).exists()]
        if existing:
            return _fail(f"{out}: {', '.join(existing)} already there (use --force to replace)")
    names = service_dns_names(args.service, args.namespace) + args.dns_name
    bundle = generate(names, args.ip, days=args.days)
    if out is not None:
        try:
            paths = bundle.write(out)
        except OSError as e:
            return _fail(f"cannot write to {out}: {e.strerror or e}")
        print(f"wrote {paths['ca']}, {paths['cert']}, {paths['key']}", file=sys.stderr)
    if args.secret:
        doc = secret_manifest(bundle, args.secret_name or f"{args.service}-tls", args.namespace)
        sys.stdout.write(yaml.safe_dump(doc, sort_keys=False))
    return 0
