"""`injector webhook patch-ca`: set the caBundle of a live MutatingWebhookConfiguration.

Uses the official `kubernetes` client: the in-cluster service account when running in a
pod (and no --kubeconfig/--context is given), else the kubeconfig. Every webhook of the
configuration gets the bundle, in one JSON Patch guarded by `test` operations on the
webhook names, so a configuration changed meanwhile is refused rather than half-patched.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from injector.webhookconfig import WebhookConfigError, ca_bundle_of


class PatchError(RuntimeError):
    """The live configuration could not be read or patched."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("webhook", help="manage the live webhook registration",
                       description="Manage the live MutatingWebhookConfiguration.")
    wsub = p.add_subparsers(dest="webhook_command", metavar="SUBCOMMAND")
    wsub.required = True
    pc = wsub.add_parser(
        "patch-ca",
        help="set clientConfig.caBundle of every webhook of a MutatingWebhookConfiguration",
        description="Patch clientConfig.caBundle of every webhook of the named "
        "MutatingWebhookConfiguration with the CA in --ca-bundle-file. In a pod the service "
        "account is used, else the kubeconfig ($KUBECONFIG or ~/.kube/config).",
    )
    pc.add_argument("--name", required=True, help="MutatingWebhookConfiguration name")
    pc.add_argument("--ca-bundle-file", required=True, metavar="FILE", help="PEM CA bundle (ca.crt)")
    pc.add_argument("--kubeconfig", metavar="FILE", help="kubeconfig file")
    pc.add_argument("--context", help="kubeconfig context")
    pc.add_argument("--dry-run", action="store_true", help="ask the apiserver to validate without saving")
    pc.set_defaults(func=run_patch_ca)


def api_client(kubeconfig: str | None = None, context: str | None = None) -> Any:
    """A kubernetes ApiClient: in-cluster when possible, else from the kubeconfig."""
    from kubernetes import client, config as kconfig

    try:
        if not kubeconfig and not context and os.environ.get("KUBERNETES_SERVICE_HOST"):
            cfg = client.Configuration()
            kconfig.load_incluster_config(client_configuration=cfg)
            return client.ApiClient(cfg)
        return kconfig.new_client_from_config(config_file=kubeconfig, context=context, persist_config=False)
    except Exception as e:  # noqa: BLE001 - the loaders raise several unrelated types
        raise PatchError(f"cannot load Kubernetes client configuration: {e}") from None


def ca_patch(config: dict, ca_b64: str) -> list[dict]:
    """JSON Patch setting caBundle on every webhook; [] when all already have it."""
    ops: list[dict] = []
    for i, hook in enumerate(config.get("webhooks") or []):
        cc = hook.get("clientConfig") or {}
        if cc.get("caBundle") == ca_b64:
            continue
        ops.append({"op": "test", "path": f"/webhooks/{i}/name", "value": hook.get("name")})
        ops.append({"op": "replace" if "caBundle" in cc else "add",
                    "path": f"/webhooks/{i}/clientConfig/caBundle", "value": ca_b64})
    return ops


def _api_error(e: Exception, what: str) -> PatchError:
    status = getattr(e, "status", None)
    reason = getattr(e, "reason", None)
    body = getattr(e, "body", None)
    message = ""
    if body:
        try:
            message = json.loads(body).get("message", "")
        except (ValueError, AttributeError):
            message = str(body)[:200]
    if status:
        return PatchError(f"{what}: HTTP {status} {reason or ''}{': ' + message if message else ''}".rstrip())
    return PatchError(f"{what}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")


def patch_ca(name: str, ca_pem: bytes, *, kubeconfig: str | None = None, context: str | None = None,
             dry_run: bool = False) -> int:
    """Patch the caBundle of every webhook of `name`; returns how many were changed."""
    from kubernetes import client

    ca_b64 = ca_bundle_of(ca_pem)
    api = client.AdmissionregistrationV1Api(api_client(kubeconfig, context))
    what = f"mutatingwebhookconfiguration {name}"
    try:
        # Raw JSON: independent of the client's model classes, which differ across versions.
        resp = api.read_mutating_webhook_configuration(name, _preload_content=False)
        live = json.loads(resp.data)
    except Exception as e:  # noqa: BLE001 - ApiException, connection errors
        raise _api_error(e, f"reading {what}") from None
    if not live.get("webhooks"):
        raise PatchError(f"{what} has no webhooks")
    ops = ca_patch(live, ca_b64)
    if not ops:
        return 0
    kw = {"dry_run": "All"} if dry_run else {}
    try:
        api.patch_mutating_webhook_configuration(name, ops, _preload_content=False, **kw)
    except Exception as e:  # noqa: BLE001
        raise _api_error(e, f"patching {what}") from None
    return sum(1 for op in ops if op["op"] != "test")


def run_patch_ca(args: argparse.Namespace) -> int:
    try:
        with open(args.ca_bundle_file, "rb") as f:
            pem = f.read()
    except OSError as e:
        print(f"injector webhook patch-ca: --ca-bundle-file {args.ca_bundle_file}: {e.strerror or e}",
              file=sys.stderr)
        return 2
    try:
        changed = patch_ca(args.name, pem, kubeconfig=args.kubeconfig, context=args.context,
                           dry_run=args.dry_run)
    except WebhookConfigError as e:
        print(f"injector webhook patch-ca: --ca-bundle-file {args.ca_bundle_file}: {e}", file=sys.stderr)
        return 2
    except PatchError as e:
        print(f"injector webhook patch-ca: {e}", file=sys.stderr)
        return 1
    suffix = " (dry run)" if args.dry_run else ""
    if changed:
        print(f"mutatingwebhookconfiguration {args.name}: caBundle set on {changed} webhook(s){suffix}")
    else:
        print(f"mutatingwebhookconfiguration {args.name}: caBundle already up to date")
    return 0
