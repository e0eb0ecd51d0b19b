"""The injection pipeline: pod in, mutated pod out.

    template data -> render the selected templates -> parse YAML -> merge into the pod
    -> probes, prometheus, status annotation, labels (-> the caller diffs or marshals)

The config format decides the generation of every step:

* legacy (Istio 1.7, one `template`): the rendered `SidecarInjectionSpec` is appended to
  the pod (`merge.append_legacy`); kube-inject and the webhook differ in a few details
  that Istio 1.7 really had (canonical labels and the `ISTIO_PROMETHEUS_ANNOTATIONS` env
  are webhook-only, kube-inject rewrites probes after merging, the webhook before).
* templates (Istio 1.10+): every selected template is a pod overlay applied by strategic
  merge, user-supplied injected containers are re-applied, then probes, prometheus,
  status and ordering; kube-inject is the webhook result applied locally.

`inject_pod` works on JSON data and never mutates its argument.

This module dispatches: `inject_legacy` has the 1.7 paths, `inject_modern` the 1.10+ one,
`inject_common` what they share.
"""
from __future__ import annotations

import orjson as _orjson

from injector import merge, rendercache, workload
from injector.inject_common import (
    MODE_KUBE_INJECT,
    MODE_WEBHOOK,
    InjectionError,
    InjectionResult,
    _copy_sharing,
    _env,
    _legacy,
    _shareable_envs,
)
from injector.inject_legacy import _legacy_kube_inject, _legacy_webhook, sha256_hex
from injector.inject_modern import (
    _modern,
    _native_sidecars,
    _proxy_ids,
    select_templates,
)

__all__ = ["MODE_KUBE_INJECT", "MODE_WEBHOOK", "InjectionError", "InjectionResult", "cluster_inputs",
           "inject_pod", "select_templates", "sha256_hex"]


def inject_pod(
    pod: dict,
    settings,
    *,
    namespace: str | None = None,
    request_kind: str = "Pod",
    mode: str = MODE_WEBHOOK,
    type_meta: dict | None = None,
    deploy_meta: dict | None = None,
    version: str | None = None,
    proxy_envs: dict[str, str] | None = None,
    pod_json: bytes | None = None,
) -> InjectionResult:
    """Inject `pod` (JSON; `metadata` + `spec`) and return the mutated copy.

    namespace: the admission request namespace (webhook), used when the pod has none.
    type_meta / deploy_meta: the owning workload (kube-inject passes them; the webhook
    derives them from the pod's owner references). version: legacy status "version"
    (default: sha256 of the template, as kube-inject uses). proxy_envs: env overrides of
    the webhook path (`/inject/cluster/X/net/Y`), applied to istio-proxy as Istio does.
    pod_json: `rendercache.pod_json(pod)` when the caller already has it.

    `pod` is never modified. In webhook mode the result may share with it what injection
    leaves as it is (env lists, probes, volumes...; see _copy_pod): the webhook only diffs
    the result; do not modify those. Whole answers to identical pods are cached a level up
    (see injector.admission.review)."""
    del request_kind  # the pod is always a Pod here; kept for the webhook's signature
    # render keys reuse the pod's JSON with the request inputs that derive the pod the
    # template sees from it
    if pod_json is None and rendercache.enabled():
        pod_json = rendercache.pod_json(pod)
    legacy = _legacy(settings)
    if legacy:  # the legacy paths build the result in place, on a copy
        shared = _shareable_envs(pod) if mode == MODE_WEBHOOK else []
        if shared:
            pod = _copy_sharing(pod, shared)
        else:
            pod = merge.clone(pod) if pod_json is None else _orjson.loads(pod_json)
    meta = pod.get("metadata") or {}
    ns_missing = not meta.get("namespace")
    if type_meta is None or deploy_meta is None:
        probe_pod = pod
        if ns_missing and namespace:
            probe_pod = {**pod, "metadata": {**meta, "namespace": namespace}}
        # Istio 1.7's webhook took the namespace from the request, whatever the pod says.
        wl = workload.deploy_meta_from_pod(
            probe_pod, legacy=legacy,
            namespace=(namespace or "") if legacy and mode == MODE_WEBHOOK else None)
        if type_meta is None:
            type_meta = {"kind": wl.kind, "apiVersion": wl.api_version}
        if deploy_meta is None:
            deploy_meta = ({**meta, "name": wl.name, "namespace": wl.namespace} if legacy
                           else {"name": wl.name, "namespace": wl.namespace})
    workload_name = deploy_meta.get("name", "") or ""
    if legacy:
        if mode == MODE_KUBE_INJECT:
            return _legacy_kube_inject(pod, settings, type_meta, deploy_meta, version, pod_json)
        return _legacy_webhook(pod, settings, type_meta, deploy_meta, workload_name, version, pod_json)
    if ns_missing and namespace and mode == MODE_WEBHOOK:
        pod = {**pod, "metadata": {**meta, "namespace": namespace}}  # the caller's pod stays as is
    result = _modern(pod, settings, mode=mode, namespace=namespace or meta.get("namespace"),
                     type_meta=type_meta, deploy_meta=deploy_meta, proxy_envs=proxy_envs,
                     pod_key=None if pod_json is None else ([namespace, mode], pod_json))
    if ns_missing and mode == MODE_WEBHOOK:
        result.pod.get("metadata", {}).pop("namespace", None)
    return result


def cluster_inputs(pod: dict, settings, namespace: str | None, mode: str) -> list | None:
    """What injection reads from outside the pod and the Settings (live cluster facts), or
    None when its answer must not be cached (inputs we do not key on)."""
    if not isinstance(pod, dict) or not isinstance(getattr(settings, "env", None), dict):
        return None  # istiod switches from os.environ: not part of the Settings
    if _legacy(settings):
        return []
    if _env(settings, "PLATFORM").lower() == "openshift":
        return None  # the proxy-user reset changes what the cluster facts are read on
    meta = pod.get("metadata")
    ns = namespace or (meta.get("namespace") if isinstance(meta, dict) else None)
    try:
        native = _native_sidecars(settings, pod)
        uid, gid = _proxy_ids(settings, ns if mode == MODE_WEBHOOK else None)
    except Exception:  # a malformed pod: the full path reports it
        return None
    return [bool(native), uid, gid]
