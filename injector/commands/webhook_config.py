"""`injector webhook-config`: print the MutatingWebhookConfiguration for given options.

Generate instead of edit: `injector webhook-config --ca-bundle-file ca.crt | kubectl apply -f -`.
The selector policy is described in injector.webhookconfig.
"""
from __future__ import annotations

import argparse
import json
import sys

import yaml

from injector import webhookconfig as wc


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "webhook-config",
        help="print the MutatingWebhookConfiguration that registers the injector",
        description="Print the MutatingWebhookConfiguration (admissionregistration.k8s.io/v1) "
        "for the injector Service. Namespaces are selected as Istio's chart does: "
        "`istio-injection=enabled` (default), every namespace not labelled "
        "`istio-injection=disabled` (--enable-namespaces-by-default), or `istio.io/rev=REV` "
        "(--revision); the service's own namespace is always excluded.",
    )
    p.add_argument("--name", default="", help="object name (default injector, or injector-REVISION)")
    p.add_argument("--service-name", default=wc.DEFAULT_SERVICE, help="Service of the webhook (default injector)")
    p.add_argument("--service-namespace", default=wc.DEFAULT_NAMESPACE,
                   help="namespace of the Service, excluded from injection (default injector-system)")
    p.add_argument("--path", default="/inject", help="URL path (default /inject)")
    p.add_argument("--port", type=int, default=443, help="Service port (default 443)")
    p.add_argument("--ca-bundle-file", metavar="FILE",
                   help="PEM CA that signed the serving certificate (ca.crt); without it caBundle is "
                   "left out, to be set by `injector webhook patch-ca`")
    p.add_argument("--revision", default="", help="select namespaces labelled istio.io/rev=REVISION")
    p.add_argument("--enable-namespaces-by-default", action="store_true",
                   help="inject every namespace not labelled istio-injection=disabled")
    p.add_argument("--object-selector-auto-inject", action=argparse.BooleanOptionalAction, default=True,
                   help="send pods unless labelled sidecar.istio.io/inject=false (default); with "
                   "--no-object-selector-auto-inject pods must opt in (sidecar.istio.io/inject=true, "
                   "or istio.io/rev=REVISION with --revision)")
    p.add_argument("--no-object-selector", dest="object_selector", action="store_false",
                   help="no objectSelector: send every pod of the selected namespaces")
    p.add_argument("--timeout-seconds", type=int, default=10, help="1-30 (default 10)")
    p.add_argument("--failure-policy", choices=["Fail", "Ignore"], default="Fail",
                   help="what the apiserver does when the webhook cannot be reached (default Fail)")
    p.add_argument("--reinvocation-policy", choices=["Never", "IfNeeded"], default="Never",
                   help="call again after later webhooks changed the pod (default Never)")
    p.add_argument("-o", "--output", choices=["yaml", "json"], default="yaml")
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> wc.WebhookOptions:
    ca = None
    if args.ca_bundle_file:
        try:
            with open(args.ca_bundle_file, "rb") as f:
                ca = f.read()
        except OSError as e:
            raise wc.WebhookConfigError(f"--ca-bundle-file {args.ca_bundle_file}: {e.strerror or e}") from None
        wc.ca_bundle_of(ca, f"--ca-bundle-file {args.ca_bundle_file}")
    return wc.WebhookOptions(
        name=args.name, service_name=args.service_name, service_namespace=args.service_namespace,
        path=args.path, port=args.port, ca_bundle=ca, revision=args.revision,
        enable_namespaces_by_default=args.enable_namespaces_by_default,
        object_selector=args.object_selector, object_selector_auto_inject=args.object_selector_auto_inject,
        timeout_seconds=args.timeout_seconds, failure_policy=args.failure_policy,
        reinvocation_policy=args.reinvocation_policy,
    )


def run(args: argparse.Namespace) -> int:
    try:
        doc = wc.build(options_from_args(args))
    except wc.WebhookConfigError as e:
        print(f"injector webhook-config: {e}", file=sys.stderr)
        return 2
    if args.output == "json":
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(doc, sort_keys=False, default_flow_style=False))
    return 0
