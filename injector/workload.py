"""Workload identity of a pod, and workload <-> pod conversions.

`deploy_meta_from_pod` is what Istio's webhook derives from a pod's `generateName` and
controller owner reference (a ReplicaSet named `<deploy>-<pod-template-hash>` becomes its
Deployment, a Job named `<cron>-<digits>` its CronJob, ...). `pod_targets` locates the pod
template inside a workload object (what kube-inject annotates), and `object_to_pod`
turns a workload into the Pod its controller would create (Istio's test helper
`objectToPod`, used to run workload files through the webhook).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

WORKLOAD_NAME_LABEL = "service.istio.io/workload-name"

# Kinds whose pod template lives at spec.template (CronJob and Pod are special).
TEMPLATE_KINDS = (
    "Deployment", "DaemonSet", "ReplicaSet", "ReplicationController", "StatefulSet", "Job",
    "DeploymentConfig",
)
INJECTABLE_KINDS = TEMPLATE_KINDS + ("CronJob", "Pod")


@dataclass
class Workload:
    name: str
    namespace: str
    kind: str
    api_version: str


def deploy_meta_from_pod(pod: dict, *, legacy: bool = False, namespace: str | None = None) -> Workload:
    """Name/namespace and kind/apiVersion of the workload owning `pod`.

    legacy=True follows Istio 1.7 (only Deployment and CronJob heuristics, CronJob
    suffix of exactly 10 digits, `batch/v1beta1`)."""
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    ns = meta.get("namespace") or ""
    if namespace is not None and legacy:
        ns = namespace
    name = meta.get("name") or ""
    kind, api = "Pod", "v1"
    if meta.get("generateName"):
        ref = next((r for r in meta.get("ownerReferences") or [] if r.get("controller") is True), None)
        if ref is not None:
            kind, api, name = ref.get("kind", ""), ref.get("apiVersion", ""), ref.get("name", "")
            hash_ = labels.get("pod-template-hash", "")
            rhash = labels.get("rollouts-pod-template-hash", "")
            if kind == "ReplicaSet" and hash_ and name.endswith(hash_):
                name = _trim_suffix(name, "-" + hash_)
                kind = "Deployment"
            elif legacy:
                m = re.match(r"^(.+)-\d{10}$", name) if kind == "Job" else None
                if m:
                    name, kind, api = m.group(1), "CronJob", "batch/v1beta1"
            elif kind == "ReplicaSet" and rhash and name.endswith(rhash):
                name = _trim_suffix(name, "-" + rhash)
                kind, api = "Rollout", "v1alpha1"
            elif kind == "ReplicationController" and labels.get("deploymentconfig"):
                name = labels["deploymentconfig"]
                kind, api = "DeploymentConfig", "v1"
            elif kind == "Job":
                m = re.match(r"^(.+)-\d{8,10}$", name)
                if m:
                    name, kind, api = m.group(1), "CronJob", "batch/v1"
    if not name:
        name = meta.get("name") or ""
    if not legacy and labels.get(WORKLOAD_NAME_LABEL):
        name = labels[WORKLOAD_NAME_LABEL]
    return Workload(name=name, namespace=ns, kind=kind, api_version=api)


def _trim_suffix(s: str, suffix: str) -> str:
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


@dataclass
class PodTarget:
    """Where the pod lives inside a workload object (all references into the object)."""

    kind: str
    api_version: str
    deploy_meta: dict      # the workload's own metadata (.DeploymentMeta)
    holder: dict           # dict holding the pod template ("template" key) or the pod itself
    metadata_holder: dict  # dict whose "metadata" is annotated (CronJob: the jobTemplate)
    template_key: str | None  # "template" for workloads, None for a bare Pod


class WorkloadError(ValueError):
    """A workload document that cannot be injected (missing spec, ...)."""


def pod_targets(obj: dict) -> PodTarget:
    """Locate the pod template of an injectable workload object (by `kind` only)."""
    kind = obj.get("kind", "")
    api = obj.get("apiVersion", "")
    meta = obj.setdefault("metadata", {}) if isinstance(obj.get("metadata"), dict) or "metadata" not in obj else obj["metadata"]
    if not isinstance(meta, dict):
        raise WorkloadError("metadata must be a map")
    if kind == "Pod":
        return PodTarget(kind, api, meta, obj, obj, None)
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        raise WorkloadError("spec is required")
    if kind == "CronJob":
        jt = spec.get("jobTemplate")
        if not isinstance(jt, dict) or not isinstance(jt.get("spec"), dict):
            raise WorkloadError("spec.jobTemplate.spec is required")
        jspec = jt["spec"]
        if not isinstance(jspec.get("template"), dict):
            jspec["template"] = {}
        return PodTarget(kind, api, meta, jspec, jt, "template")
    tpl = spec.get("template")
    if tpl is None:
        if kind in ("ReplicationController", "DeploymentConfig"):
            raise WorkloadError("spec.template is required value")
        spec["template"] = {}
    elif not isinstance(tpl, dict):
        raise WorkloadError("spec.template must be a map")
    return PodTarget(kind, api, meta, spec, spec["template"], "template")


def object_to_pod(obj: dict) -> dict | None:
    """The Pod a controller would create for a workload (Istio's test `objectToPod`)."""
    kind = obj.get("kind", "")
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    ns = meta.get("namespace")

    def from_template(tpl: dict | None, owner_api: str, owner_kind: str, owner_name: str,
                      generate: str, extra_labels: dict | None = None) -> dict:
        tpl = tpl or {}
        pmeta = dict(tpl.get("metadata") or {})
        pmeta["generateName"] = generate
        if ns is not None and "namespace" not in pmeta:
            pmeta["namespace"] = ns
        if extra_labels:
            pmeta["labels"] = {**(pmeta.get("labels") or {}), **extra_labels}
        pmeta["ownerReferences"] = [
            {"apiVersion": owner_api, "kind": owner_kind, "name": owner_name, "uid": "", "controller": True}
        ]
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": pmeta}
        if "spec" in tpl:
            pod["spec"] = tpl["spec"]
        return pod

    spec = obj.get("spec") or {}
    if kind == "Pod":
        return obj
    if kind == "CronJob":
        tpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
        return from_template(tpl, "batch/v1", "CronJob", name, name)
    if kind == "Deployment":
        return from_template(spec.get("template"), "apps/v1", "ReplicaSet", name + "-fake",
                             name + "-fake-", {"pod-template-hash": "fake"})
    if kind in TEMPLATE_KINDS:
        return from_template(spec.get("template"), obj.get("apiVersion", ""), kind, name, name)
    return None


def expand_lists(docs: list[Any]) -> list[Any]:
    """Replace each `List` by its items, recursively."""
    out: list[Any] = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "List":
            out.extend(expand_lists(list(d.get("items") or [])))
        else:
            out.append(d)
    return out
