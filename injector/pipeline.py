"""One admitted pod through policy and injection: what the webhook does between decode and diff.

`pod_injector_factory(settings)` binds a loaded config once; the result maps the webhook
path's env overrides (`/inject/cluster/X/net/Y`) to the `PodInjector` that
`injector.admission.review` calls per request.
"""
from __future__ import annotations

from typing import Callable

from injector import podcheck, policy, rendercache
from injector.inject import MODE_WEBHOOK, cluster_inputs, inject_pod


class PodInjector:
    """(pod, request) -> (mutated pod or None when skipped, reason code, message)."""

    __slots__ = ("settings", "path_envs", "_pod_json")

    def __init__(self, settings, path_envs: dict[str, str]) -> None:
        self.settings = settings
        self.path_envs = path_envs
        self._pod_json: tuple[dict, bytes] | None = None  # (pod, its JSON) from answer_key

    def __call__(self, pod: dict, request: dict):
        podcheck.check_pod(pod)  # a clear "field: expected X, got Y" before anything reads it
        settings = self.settings
        namespace = request.get("namespace") or (pod.get("metadata") or {}).get("namespace")
        decision = policy.decide(pod.get("metadata"), pod.get("spec"), settings, namespace)
        if not decision.inject:
            reason = decision.reason
            return None, reason.code if reason else "policy", reason.message if reason else ""
        # The cluster/network of the webhook path become proxy env (and the network
        # label), as Istio applies them.
        last, self._pod_json = self._pod_json, None
        result = inject_pod(pod, settings, namespace=namespace, mode=MODE_WEBHOOK,
                            proxy_envs=self.path_envs or None,
                            pod_json=last[1] if last is not None and last[0] is pod else None)
        if not result.injected:
            return None, "not-injected", "; ".join(result.warnings)
        return result.pod, "", ""

    def answer_key(self, pod: dict, request: dict) -> bytes | None:
        """A key of every input of this pod's answer, or None when it must not be cached.

        The answer follows from the pod, the request namespace, the webhook path's envs,
        the Settings and the live cluster facts injection reads (policy reads nothing
        else). The pod's JSON is kept for the injection that follows, which uses it only for
        that very pod object."""
        if not rendercache.enabled():
            return None
        meta = pod.get("metadata")
        if meta is not None and not isinstance(meta, dict):
            return None  # check_pod will say what is wrong
        namespace = request.get("namespace") or (meta or {}).get("namespace")
        facts = cluster_inputs(pod, self.settings, namespace, MODE_WEBHOOK)
        if facts is None:
            return None
        pod_bytes = rendercache.pod_json(pod)
        if pod_bytes is None:
            return None
        self._pod_json = (pod, pod_bytes)  # the injection that may follow reuses it
        return rendercache.make_key(self.settings, "answer",
                                    [namespace, self.path_envs or None, facts], pod_bytes)


def pod_injector_factory(settings) -> Callable[[dict[str, str]], PodInjector]:
    def injector_for(path_envs: dict[str, str]) -> PodInjector:
        return PodInjector(settings, path_envs)

    return injector_for
