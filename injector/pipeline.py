"""One admitted pod through policy and injection: what the webhook does between decode and diff.

`pod_injector_factory(settings)` binds a loaded config once; the result maps the webhook
path's env overrides (`/inject/cluster/X/net/Y`) to the `PodInjector` that
`injector.admission.review` calls per request.
"""
from __future__ import annotations

from typing import Callable

from injector import policy
from injector.admission import PodInjector
from injector.inject import MODE_WEBHOOK, inject_pod

PROXY = "istio-proxy"


def set_proxy_env(pod: dict, envs: dict[str, str]) -> None:
    """Set env vars on the injected proxy (native sidecar or container), as Istio does for
    the cluster and network named in the webhook path: existing names are overwritten."""
    if not envs:
        return
    spec = pod.get("spec") or {}
    for key in ("initContainers", "containers"):
        for c in spec.get(key) or ():
            if c.get("name") != PROXY:
                continue
            env = c.setdefault("env", [])
            remaining = dict(envs)
            for item in env:
                if item.get("name") in remaining:
                    item.pop("valueFrom", None)
                    item["value"] = remaining.pop(item["name"])
            env.extend({"name": k, "value": v} for k, v in sorted(remaining.items()))
            return


def pod_injector_factory(settings) -> Callable[[dict[str, str]], PodInjector]:
    def injector_for(path_envs: dict[str, str]) -> PodInjector:
        def inject(pod: dict, request: dict):
            namespace = request.get("namespace") or (pod.get("metadata") or {}).get("namespace")
            decision = policy.decide(pod.get("metadata"), pod.get("spec"), settings, namespace)
            if not decision.inject:
                reason = decision.reason
                return None, reason.code if reason else "policy", reason.message if reason else ""
            result = inject_pod(pod, settings, namespace=namespace, mode=MODE_WEBHOOK)
            if not result.injected:
                return None, "not-injected", "; ".join(result.warnings)
            set_proxy_env(result.pod, path_envs)
            return result.pod, "", ""

        return inject

    return injector_for
