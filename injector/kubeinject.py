"""`kube-inject`: inject every workload of a (multi-document) YAML stream.

Documents are split as Kubernetes' YAML reader splits them. Workload kinds (matched by
`kind` only, as Istio does) are decoded into their Kubernetes types, injected and
re-marshalled the way istioctl prints them (sigs.k8s.io/yaml: sorted keys, ...); every
other document is copied through byte for byte. Each output document ends with `---`.

The whole stream is processed before anything is returned, so a bad document (not YAML,
missing spec, a template error, ...) yields an error naming the document and field and
no partial output.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Callable

from injector import workload
from injector.inject import MODE_KUBE_INJECT, InjectionError, inject_pod

WORKLOAD_KINDS = frozenset(workload.INJECTABLE_KINDS)


class KubeInjectError(ValueError):
    """A document could not be injected; the message names the document and field."""


@dataclass
class KubeInjectResult:
    text: str
    warnings: list[str] = field(default_factory=list)
    injected: int = 0


def _doc_label(index: int, obj: dict | None = None) -> str:
    label = f"document {index}"
    if isinstance(obj, dict):
        kind = obj.get("kind") or "?"
        name = ((obj.get("metadata") or {}) if isinstance(obj.get("metadata"), dict) else {}).get("name")
        label += f" ({kind}" + (f" {name!r})" if name else ")")
    return label


def _kind_of(v: object) -> str:
    return {dict: "a map", list: "a list"}.get(type(v), repr(v))


def _has_pod_template(obj: dict) -> str | None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if isinstance(spec.get("template"), dict) and "spec" in spec["template"]:
        return "spec.template"
    if isinstance(spec.get("jobTemplate"), dict):
        return "spec.jobTemplate"
    if isinstance(spec.get("containers"), list):
        return "spec.containers"
    return None


_CANONICAL_API = {
    "Pod": "v1", "ReplicationController": "v1", "List": "v1", "Deployment": "apps/v1",
    "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1",
    "CronJob": "batch/v1", "DeploymentConfig": "apps.openshift.io/v1",
}


def typed_object(obj: dict, *, omit_creation_timestamp: bool) -> dict:
    """`obj` after a round trip through its Go type (injector.k8stypes), found by kind
    alone as kube-inject matches kinds (any apiVersion)."""
    from injector import k8stypes

    if k8stypes.root_type(obj) is None and obj.get("kind") in _CANONICAL_API:
        api = obj.get("apiVersion")
        out = k8stypes.normalize({**obj, "apiVersion": _CANONICAL_API[obj["kind"]]},
                                 omit_creation_timestamp=omit_creation_timestamp)
        out = dict(out)
        if api is None:
            out.pop("apiVersion", None)
        else:
            out["apiVersion"] = api
        return out
    return k8stypes.normalize(obj, omit_creation_timestamp=omit_creation_timestamp)


def _normalize(obj: dict, settings) -> dict:
    """The object as its Go type round-trip leaves it (unknown fields dropped, ...);
    Istio 1.7's Kubernetes types still wrote `creationTimestamp: null`."""
    legacy = bool(getattr(settings, "legacy", False))
    return typed_object(obj, omit_creation_timestamp=not legacy)


def _dump(obj: dict, settings) -> str:
    """sigs.k8s.io/yaml output; Istio 1.7's yaml.v2 (v2.3.0) never folded long lines."""
    from injector import goyaml

    return goyaml.dump(obj, width=None if getattr(settings, "legacy", False) else goyaml.BEST_WIDTH)


def inject_object(obj: dict, settings, warn: Callable[[str], None], label: str) -> dict:
    """Inject one decoded workload (recursing into Lists); returns the new object."""
    kind = obj.get("kind")
    if kind == "List":
        items = obj.get("items")
        if items is not None and not isinstance(items, list):
            raise KubeInjectError(f"{label}: items must be a list")
        out = dict(obj)
        new_items = []
        for i, item in enumerate(items or []):
            if isinstance(item, dict) and isinstance(item.get("kind"), str) and item["kind"] in WORKLOAD_KINDS:
                new_items.append(inject_object(item, settings, warn, f"{label} item {i}"))
            else:
                new_items.append(item)
        out["items"] = new_items
        return out
    obj = _normalize(obj, settings)
    try:
        target = workload.pod_targets(obj)
    except workload.WorkloadError as e:
        raise KubeInjectError(f"{label}: {e}") from None
    legacy = bool(getattr(settings, "legacy", False))
    holder = target.holder
    pod = holder if target.template_key is None else holder.get(target.template_key) or {}
    meta_src = target.metadata_holder.get("metadata") or {}
    spec = pod.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise KubeInjectError(f"{label}: the pod template's spec must be a map")
    deploy = target.deploy_meta
    name = meta_src.get("name") or deploy.get("name", "")
    full = f"{deploy['namespace']}/{name}" if deploy.get("namespace") else name
    if spec.get("hostNetwork"):
        warn(_skip_message(target.kind, full, "has host networking enabled"))
        return obj
    if legacy:
        names = [c.get("name") for c in spec.get("containers") or []]
        if len(names) > 1 and "istio-proxy" in names:
            warn(f'===> Skipping injection because "{full}" has injected "istio-proxy" sidecar already\n')
            return obj
    else:
        if not _kube_inject_required(meta_src, spec):
            warn(_skip_message(target.kind, full, "has sidecar injection disabled"))
            return obj
    _check_shape(target, meta_src, spec, label)
    pod_in = {"metadata": copy.deepcopy(meta_src), "spec": copy.deepcopy(spec)}
    if target.kind == "Pod":
        pod_in = copy.deepcopy(obj)
        type_meta = deploy_meta = None
        if legacy:
            type_meta = {"kind": obj.get("kind", ""), "apiVersion": obj.get("apiVersion", "")}
            deploy_meta = deploy
    else:
        type_meta = {"kind": obj.get("kind", ""), "apiVersion": obj.get("apiVersion", "")}
        deploy_meta = deploy if legacy else {"name": deploy.get("name", ""), "namespace": deploy.get("namespace", "")}
    try:
        result = inject_pod(pod_in, settings, mode=MODE_KUBE_INJECT, type_meta=type_meta,
                            deploy_meta=deploy_meta, namespace=None)
    except InjectionError as e:
        raise KubeInjectError(f"{label}: {e}") from None
    new_pod = result.pod
    if target.kind == "Pod":
        obj["metadata"] = new_pod.get("metadata") or {}
        obj["spec"] = new_pod.get("spec") or {}
    else:
        target.metadata_holder["metadata"] = new_pod.get("metadata") or {}
        tpl = holder.setdefault(target.template_key, {})
        tpl["spec"] = new_pod.get("spec") or {}
    return obj


def _check_shape(target, meta: dict, spec: dict, label: str) -> None:
    """podcheck on the pod parts the pipeline reads, with paths into the document."""
    from injector import podcheck

    if target.kind == "Pod":
        meta_path, spec_path = "metadata", "spec"
    elif target.kind == "CronJob":
        meta_path, spec_path = "spec.jobTemplate.metadata", "spec.jobTemplate.spec.template.spec"
    else:
        meta_path, spec_path = "spec.template.metadata", "spec.template.spec"
    try:
        podcheck.check_metadata(meta, meta_path)
        podcheck.check_spec(spec, spec_path)
    except podcheck.PodShapeError as e:
        raise KubeInjectError(f"{label}: {e}") from None


def _kube_inject_required(meta: dict, spec: dict) -> bool:
    """Modern kube-inject asks the policy with `policy: enabled` and no selectors."""
    from injector.config import InjectorConfig
    from injector.policy import decide

    cfg = InjectorConfig(format="templates", policy="enabled")
    return decide(meta, spec, cfg).inject


def _skip_message(kind: str, full: str, why: str) -> str:
    if kind:
        return f'===> Skipping injection because {kind} "{full}" {why}\n'
    return f'===> Skipping injection because "{full}" {why}\n'


def kube_inject(text: str, settings, warn: Callable[[str], None] | None = None) -> KubeInjectResult:
    """Inject a YAML stream; returns the output text (nothing is produced on error)."""
    from injector import goyaml

    warnings: list[str] = []

    def _warn(msg: str) -> None:
        warnings.append(msg)

    out: list[str] = []
    injected = 0
    docs = goyaml.split_documents(text)
    starts = _document_start_lines(text)
    for index, raw in enumerate(docs, start=1):
        try:
            obj = goyaml.load(raw)
        except Exception as e:
            first = starts[index - 1] if len(starts) == len(docs) else None
            where = _non_finite_path(raw, first) if getattr(e, "problem_mark", None) is None else ""
            raise KubeInjectError(f"document {index}: not valid YAML: {_yaml_error(e, first)}"
                                  + (f" (at {where})" if where else "")) from None
        if obj is None:
            out.append(raw + "---\n" if raw.endswith("\n") or not raw else raw + "---\n")
            continue
        if not isinstance(obj, dict):
            raise KubeInjectError(
                f"document {index}: expected a Kubernetes object (a map), got {type(obj).__name__}")
        kind = obj.get("kind")
        label = _doc_label(index, obj)
        if kind is not None and not isinstance(kind, str):
            raise KubeInjectError(f"document {index}: kind: expected a string, got {_kind_of(kind)}")
        if kind not in WORKLOAD_KINDS and kind != "List":
            where = _has_pod_template(obj)
            if where is not None:
                what = "has no kind" if not kind else f"kind {kind!r} is not a workload kube-inject knows"
                raise KubeInjectError(
                    f"{label}: {what}, but it has a pod template at {where} "
                    f"(known kinds: {', '.join(sorted(WORKLOAD_KINDS | {'List'}))})")
            out.append(raw + "---\n")
            continue
        if kind != "List" and kind != "Pod" and "spec" not in obj:
            raise KubeInjectError(f"{label}: spec is required")
        if kind != "List" and not isinstance(obj.get("spec", {}), dict):
            raise KubeInjectError(f"{label}: spec must be a map")
        try:
            new = inject_object(obj, settings, _warn, label)
        except (ValueError, TypeError) as e:
            if isinstance(e, KubeInjectError):
                raise
            raise KubeInjectError(f"{label}: {e}") from None
        try:
            final = _finalize(new, settings)
        except (ValueError, TypeError) as e:
            # The injected object no longer decodes into its Go type: something the
            # templates rendered (often from a pod annotation) has the wrong shape.
            raise KubeInjectError(f"{label}: the injected result is not a valid {kind}: {e} "
                                  "(check the pod's sidecar.istio.io annotations and the injection "
                                  "templates)") from None
        try:
            dumped = _dump(final, settings)
        except ValueError as e:  # goyaml.MarshalError: what yaml.v2 refuses to write
            where = _unwritable_path(final)
            raise KubeInjectError(f"{label}: cannot write the injected result as YAML: {e}"
                                  + (f" (at {where})" if where else "")) from None
        injected += 1
        out.append(dumped + "---\n")
    for w in warnings:
        if warn is not None:
            warn(w)
    return KubeInjectResult(text="".join(out), warnings=warnings, injected=injected)


def _unwritable_path(obj, path: str = "") -> str:
    """Path of the first string yaml.v2 will not write (control characters), or ""."""
    from injector import goyaml

    bad = getattr(goyaml, "_UNREADABLE", None)
    if bad is None:
        return ""
    if isinstance(obj, str):
        return path or "." if bad.search(obj) else ""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        if isinstance(k, str) and bad.search(k):
            return f"{path}.{k!r}" if path else repr(k)
        sub = f"{path}[{k}]" if isinstance(k, int) else (f'{path}["{k}"]' if "." in k or "/" in k else
                                                          (f"{path}.{k}" if path else k))
        found = _unwritable_path(v, sub)
        if found:
            return found
    return ""


_NON_FINITE = re.compile(r"(?<![\w.])[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)\b")


def _non_finite_path(raw: str, first_line: int | None = None) -> str:
    """Where a document holds .inf/.nan (which JSON, hence Kubernetes, cannot carry): its
    path, else its line, else ""."""
    import math

    import yaml

    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError:  # yaml.v2 reads some text PyYAML does not: point at the line
        m = _NON_FINITE.search(raw)
        if m is None or first_line is None:
            return ""
        return f"line {first_line + raw.count(chr(10), 0, m.start())}"

    def walk(v, path: str) -> str:
        if isinstance(v, float) and not math.isfinite(v):
            return path or "."
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        for k, x in items:
            sub = f"{path}[{k}]" if isinstance(k, int) else (f"{path}.{k}" if path else str(k))
            found = walk(x, sub)
            if found:
                return found
        return ""

    return walk(doc, "")


def _document_start_lines(text: str) -> list[int]:
    """1-based line in `text` where each document of goyaml.split_documents starts (the
    first line after a `---` separator), so YAML errors can point into the file."""
    starts: list[int] = []
    in_doc = False
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        if line.startswith("---") and not line[3:].strip():
            in_doc = False
        elif not in_doc:
            starts.append(n)
            in_doc = True
    return starts


def _yaml_error(e: Exception, first_line: int | None) -> str:
    """A YAML parser error as one line with positions in the file."""
    from injector.yamlerror import describe

    return describe(e, first_line) if first_line is not None else " ".join(str(e).split())


def _finalize(obj: dict, settings) -> dict:
    if obj.get("kind") == "List":
        out = dict(obj)
        out["items"] = [(_finalize(i, settings) if isinstance(i, dict) and isinstance(i.get("kind"), str)
                         and i["kind"] in WORKLOAD_KINDS else i)
                        for i in obj.get("items") or []]
        out.setdefault("metadata", {})
        return {k: out[k] for k in ("apiVersion", "kind", "metadata", "items") if k in out}
    return _normalize(obj, settings)
