"""The MutatingWebhookConfiguration that registers the injector with the apiserver.

The selectors follow the semantics of Istio's istio-discovery chart (written here, not
copied): which namespaces and pods the apiserver sends to the webhook depends on
`enableNamespacesByDefault`, the revision and the object selector settings:

* enabled by default: every namespace except those labelled `istio-injection=disabled`
  or carrying a revision label `istio.io/rev`;
* a revision R: namespaces labelled `istio.io/rev=R` and not `istio-injection`;
* otherwise (opt-in): namespaces labelled `istio-injection=enabled`;

and, always, never the injector's own namespace (its pods must start even when the webhook
is down, under `failurePolicy: Fail`). The object selector on `sidecar.istio.io/inject`
keeps pods that opted out (auto-inject) or did not opt in away from the webhook.

`selector_matches` evaluates a LabelSelector as the apiserver does, so the policy can be
checked (and tested) without a cluster.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Mapping

from cryptography import x509

INJECT_LABEL = "sidecar.istio.io/inject"
NAMESPACE_INJECTION_LABEL = "istio-injection"
REVISION_LABEL = "istio.io/rev"
# Set by the apiserver on every namespace since Kubernetes 1.21.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

WEBHOOK_NAME = "sidecar-injector.istio.io"
DEFAULT_NAME = "injector"
DEFAULT_SERVICE = "injector"
DEFAULT_NAMESPACE = "injector-system"


class WebhookConfigError(ValueError):
    """Options that cannot make a valid MutatingWebhookConfiguration."""


@dataclass(frozen=True)
class WebhookOptions:
    name: str = ""  # "" -> injector, or injector-REVISION
    service_name: str = DEFAULT_SERVICE
    service_namespace: str = DEFAULT_NAMESPACE
    path: str = "/inject"
    port: int = 443
    ca_bundle: bytes | None = None  # PEM; None leaves caBundle out (set later by patch-ca)
    revision: str = ""
    enable_namespaces_by_default: bool = False
    object_selector: bool = True
    object_selector_auto_inject: bool = True
    timeout_seconds: int = 10
    failure_policy: str = "Fail"
    reinvocation_policy: str = "Never"

    @property
    def config_name(self) -> str:
        if self.name:
            return self.name
        return f"{DEFAULT_NAME}-{self.revision}" if self.revision else DEFAULT_NAME


def _expr(key: str, operator: str, *values: str) -> dict:
    e: dict = {"key": key, "operator": operator}
    if values:
        e["values"] = list(values)
    return e


def namespace_selector(o: WebhookOptions) -> dict:
    """Which namespaces' pods are sent to the webhook."""
    own = _expr(NAMESPACE_NAME_LABEL, "NotIn", o.service_namespace)
    if o.enable_namespaces_by_default:
        return {"matchExpressions": [
            own,
            _expr(NAMESPACE_INJECTION_LABEL, "NotIn", "disabled"),
            _expr(REVISION_LABEL, "DoesNotExist"),
        ]}
    if o.revision:
        return {"matchExpressions": [
            own,
            _expr(NAMESPACE_INJECTION_LABEL, "DoesNotExist"),
            _expr(REVISION_LABEL, "In", o.revision),
        ]}
    return {"matchLabels": {NAMESPACE_INJECTION_LABEL: "enabled"}, "matchExpressions": [own]}


def object_selector(o: WebhookOptions) -> dict | None:
    """Which pods (by their own labels) are sent to the webhook; None: all of them."""
    if not o.object_selector:
        return None
    if o.object_selector_auto_inject:
        return {"matchExpressions": [_expr(INJECT_LABEL, "NotIn", "false")]}
    if o.revision:
        return {"matchExpressions": [
            _expr(INJECT_LABEL, "DoesNotExist"),
            _expr(REVISION_LABEL, "In", o.revision),
        ]}
    return {"matchLabels": {INJECT_LABEL: "true"}}


def ca_bundle_of(pem: bytes, source: str = "CA bundle") -> str:
    """base64 of a PEM bundle, after checking it holds at least one certificate."""
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as e:
        raise WebhookConfigError(f"{source}: not a PEM certificate bundle ({e})") from None
    if not certs:
        raise WebhookConfigError(f"{source}: no certificate in the file")
    return base64.b64encode(pem).decode("ascii")


def _check(o: WebhookOptions) -> None:
    if not o.path.startswith("/"):
        raise WebhookConfigError(f"path {o.path!r} must start with '/'")
    if not 1 <= o.port <= 65535:
        raise WebhookConfigError(f"port {o.port} is not in 1-65535")
    if not 1 <= o.timeout_seconds <= 30:
        raise WebhookConfigError(f"timeoutSeconds {o.timeout_seconds} is not in 1-30 (apiserver limit)")
    if o.failure_policy not in ("Fail", "Ignore"):
        raise WebhookConfigError(f"failurePolicy {o.failure_policy!r} is not Fail or Ignore")
    if o.reinvocation_policy not in ("Never", "IfNeeded"):
        raise WebhookConfigError(f"reinvocationPolicy {o.reinvocation_policy!r} is not Never or IfNeeded")
    for what, value in (("service name", o.service_name), ("service namespace", o.service_namespace)):
        if not value:
            raise WebhookConfigError(f"{what} is empty")


def build(o: WebhookOptions) -> dict:
    """The MutatingWebhookConfiguration (admissionregistration.k8s.io/v1) as a dict."""
    _check(o)
    client_config: dict = {"service": {
        "name": o.service_name,
        "namespace": o.service_namespace,
        "path": o.path,
        "port": o.port,
    }}
    if o.ca_bundle is not None:
        client_config["caBundle"] = ca_bundle_of(o.ca_bundle)
    webhook: dict = {
        "name": WEBHOOK_NAME,
        "clientConfig": client_config,
        "rules": [{
            "operations": ["CREATE"],
            "apiGroups": [""],
            "apiVersions": ["v1"],
            "resources": ["pods"],
            "scope": "Namespaced",
        }],
        "failurePolicy": o.failure_policy,
        "matchPolicy": "Equivalent",
        "sideEffects": "None",
        "admissionReviewVersions": ["v1", "v1beta1"],
        "timeoutSeconds": o.timeout_seconds,
        "reinvocationPolicy": o.reinvocation_policy,
        "namespaceSelector": namespace_selector(o),
    }
    obj = object_selector(o)
    if obj is not None:
        webhook["objectSelector"] = obj
    labels = {"app.kubernetes.io/name": "injector", "app.kubernetes.io/component": "webhook"}
    if o.revision:
        labels[REVISION_LABEL] = o.revision
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": o.config_name, "labels": labels},
        "webhooks": [webhook],
    }


# ------------------------------------------------------------------ selector evaluation

def selector_matches(selector: Mapping | None, labels: Mapping[str, str]) -> bool:
    """Does a metav1.LabelSelector select an object with these labels?

    As the apiserver reads it: an absent or empty selector selects everything; all
    matchLabels and all matchExpressions must hold (AND). `NotIn` also holds when the
    key is absent; `In` needs the key.
    """
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        present = key in labels
        if op == "In":
            ok = present and labels[key] in values
        elif op == "NotIn":
            ok = not present or labels[key] not in values
        elif op == "Exists":
            ok = present
        elif op == "DoesNotExist":
            ok = not present
        else:
            raise WebhookConfigError(f"unknown label selector operator {op!r}")
        if not ok:
            return False
    return True


def webhook_called(webhook: Mapping, namespace: str, namespace_labels: Mapping[str, str],
                   pod_labels: Mapping[str, str]) -> bool:
    """Would the apiserver call this webhook for a pod CREATE in `namespace`?"""
    ns_labels = {**namespace_labels, NAMESPACE_NAME_LABEL: namespace}  # the apiserver adds it
    return (selector_matches(webhook.get("namespaceSelector"), ns_labels)
            and selector_matches(webhook.get("objectSelector"), pod_labels))
