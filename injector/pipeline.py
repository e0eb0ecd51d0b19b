"""One admitted pod through policy and injection: what the webhook does between decode and diff.

`pod_injector_factory(settings)` binds a loaded config once; the result maps the webhook
path's env overrides (`/inject/cluster/X/net/Y`) to the `PodInjector` that
`injector.admission.review` calls per request.
"""
from __future__ import annotations

from typing import Callable

from injector import podcheck, policy
from injector.admission import PodInjector
from injector.inject import MODE_WEBHOOK, inject_pod


def pod_injector_factory(settings) -> Callable[[dict[str, str]], PodInjector]:
    def injector_for(path_envs: dict[str, str]) -> PodInjector:
        def inject(pod: dict, request: dict):
            podcheck.check_pod(pod)  # a clear "field: expected X, got Y" before anything reads it
            namespace = request.get("namespace") or (pod.get("metadata") or {}).get("namespace")
            decision = policy.decide(pod.get("metadata"), pod.get("spec"), settings, namespace)
            if not decision.inject:
                reason = decision.reason
                return None, reason.code if reason else "policy", reason.message if reason else ""
            # The cluster/network of the webhook path become proxy env (and the network
            # label), as Istio applies them.
            result = inject_pod(pod, settings, namespace=namespace, mode=MODE_WEBHOOK,
                                proxy_envs=path_envs or None)
            if not result.injected:
                return None, "not-injected", "; ".join(result.warnings)
            return result.pod, "", ""

        return inject

    return injector_for
