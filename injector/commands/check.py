"""`injector check`: would this pod (or workload) be injected, and why?

For each pod (or pod template) in the file it reports, in order:
1. whether the injection webhook is called at all: the namespace labels (from
   `--namespace-labels`, else a Namespace object in the same file, else the namespace in
   `--cluster-objects`) against the webhooks' namespace selectors (`istio-injection=enabled`,
   `istio.io/rev=<revision>`) and the object selectors on the pod's own labels;
2. the injector's decision (injector.policy.decide, the code the webhook runs): host
   network, system namespace, the `sidecar.istio.io/inject` annotation/label, the
   never/always selectors, the policy; and whether the pod is already injected.

`--diff` also shows the change injection would make: a unified diff of the pod template
as YAML and the JSON Patch the webhook would return. `-o json` prints the same as JSON.
"""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from injector import podcheck
from injector.config import ConfigError
from injector.policy import INJECT_KEY, Decision, Reason, decide, selector_matches
from injector.settings import add_config_arguments, settings_from_args
from injector.yamlerror import describe as describe_yaml_error

WORKLOAD_KINDS = ("Deployment", "DaemonSet", "ReplicaSet", "ReplicationController", "StatefulSet", "Job",
                  "DeploymentConfig")
INJECTION_LABEL = "istio-injection"
REV_LABEL = "istio.io/rev"


class CheckError(ValueError):
    """The file or flags cannot be checked; the message names the document and field."""


@dataclass
class Target:
    label: str  # e.g. 'Deployment default/nginx'
    kind: str
    name: str
    namespace: str
    metadata: dict
    spec: dict
    path: str  # where the pod template sits in the object, e.g. 'spec.template'
    source: dict = field(default_factory=dict)  # the whole object (for --diff)


# ---------------------------------------------------------------- reading the file

def _targets_of(obj: Any, where: str, default_ns: str) -> list[Target]:
    if not isinstance(obj, dict):
        raise CheckError(f"{where}: not a Kubernetes object (got {type(obj).__name__})")
    kind = obj.get("kind")
    if not kind:
        raise CheckError(f"{where}: missing field 'kind'")
    if not isinstance(kind, str):
        raise CheckError(f"{where}: kind: expected a string, got {type(kind).__name__}")
    if kind == "List":
        out: list[Target] = []
        items = obj.get("items") or []
        if not isinstance(items, list):
            raise CheckError(f"{where} (List): items: expected a list, got {type(items).__name__}")
        for i, item in enumerate(items):
            out += _targets_of(item, f"{where} items[{i}]", default_ns)
        return out
    try:
        podcheck.check_metadata(obj.get("metadata"), "metadata")
    except podcheck.PodShapeError as e:
        raise CheckError(f"{where} ({kind}): {e}") from None
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or "<unnamed>"
    ns = meta.get("namespace") or default_ns
    if kind == "Pod":
        pod_meta, spec, path = meta, obj.get("spec"), ""
    elif kind == "CronJob":
        tmpl = _dig(obj, ("spec", "jobTemplate", "spec", "template"), f"{where} ({kind} {name})")
        if tmpl is None:
            raise CheckError(f"{where} ({kind} {name}): missing field 'spec.jobTemplate.spec.template'")
        pod_meta, spec, path = tmpl.get("metadata") or {}, tmpl.get("spec"), "spec.jobTemplate.spec.template"
    elif kind in WORKLOAD_KINDS or _dig(obj, ("spec", "template"), f"{where} ({kind} {name})") is not None:
        tmpl = _dig(obj, ("spec", "template"), f"{where} ({kind} {name})")
        if tmpl is None:
            raise CheckError(f"{where} ({kind} {name}): missing field 'spec.template'")
        pod_meta, spec, path = tmpl.get("metadata") or {}, tmpl.get("spec"), "spec.template"
    else:
        return []
    if not isinstance(spec, dict):
        raise CheckError(f"{where} ({kind} {name}): missing field '{(path + '.spec').lstrip('.')}'")
    prefix = path + "." if path else ""
    try:  # the fields the policy and --diff read, named as in the file
        podcheck.check_metadata(pod_meta, prefix + "metadata")
        podcheck.check_spec(spec, prefix + "spec")
    except podcheck.PodShapeError as e:
        raise CheckError(f"{where} ({kind} {name}): {e}") from None
    return [Target(f"{kind} {ns}/{name}", kind, name, ns, dict(pod_meta), spec, path, obj)]


def _dig(obj: dict, keys: tuple[str, ...], label: str) -> Any:
    """obj[k1][k2]...; None when a key is absent; CheckError naming the path when a step
    is not a map."""
    cur: Any = obj
    for i, k in enumerate(keys):
        if cur is None:
            return None
        if not isinstance(cur, dict):
            raise CheckError(f"{label}: {'.'.join(keys[:i]) or 'object'}: expected an object, "
                             f"got {type(cur).__name__}")
        cur = cur.get(k)
    if cur is not None and not isinstance(cur, dict):
        raise CheckError(f"{label}: {'.'.join(keys)}: expected an object, got {type(cur).__name__}")
    return cur


def read_targets(text: str, source: str, default_ns: str) -> tuple[list[Target], list[str]]:
    """Pods and pod templates of a (multi-document) YAML/JSON file; also the skipped kinds
    (Namespace objects are not skipped: their labels are read by `namespace_labels_in`)."""
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        raise CheckError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    targets: list[Target] = []
    skipped: list[str] = []
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        found = _targets_of(doc, f"{source}: document {i + 1}", default_ns)
        if not found and isinstance(doc, dict) and doc.get("kind") not in ("List", "Namespace"):
            skipped.append(f"{doc.get('kind')} {(doc.get('metadata') or {}).get('name', '')}".strip())
        targets += found
    return targets, skipped


def namespace_labels_in(text: str) -> dict[str, dict[str, str]]:
    """Labels of the Namespace objects in the same file (e.g. a namespace and its workload)."""
    out: dict[str, dict[str, str]] = {}
    for doc in yaml.safe_load_all(text):
        items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        for obj in items or []:
            if isinstance(obj, dict) and obj.get("kind") == "Namespace":
                meta = obj.get("metadata") or {}
                if meta.get("name"):
                    out[meta["name"]] = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    return out


def parse_labels(text: str | None, flag: str = "--namespace-labels") -> dict[str, str] | None:
    if text is None:
        return None
    out: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            raise CheckError(f"{flag}: {item!r} is not key=value")
        k, v = item.split("=", 1)
        if not k.strip():
            raise CheckError(f"{flag}: {item!r} has an empty key")
        out[k.strip()] = v.strip()
    return out


# ---------------------------------------------------------------- webhook selection

def _expr(key: str, op: str, *values: str) -> dict:
    e: dict[str, Any] = {"key": key, "operator": op}
    if values:
        e["values"] = list(values)
    return e


def webhooks(revision: str, legacy: bool) -> list[tuple[str, dict, dict]]:
    """The injector's mutating webhooks: (name, namespaceSelector, objectSelector)."""
    if legacy:
        if revision:
            return [("sidecar-injector.istio.io", {"matchExpressions": [
                _expr(INJECTION_LABEL, "DoesNotExist"), _expr(REV_LABEL, "In", revision)]}, {})]
        return [("sidecar-injector.istio.io", {"matchLabels": {INJECTION_LABEL: "enabled"}}, {})]
    rev = revision or "default"
    not_false = _expr(INJECT_KEY, "NotIn", "false")
    unlabeled_ns = {"matchExpressions": [_expr(INJECTION_LABEL, "DoesNotExist"), _expr(REV_LABEL, "DoesNotExist")]}
    hooks = [
        (f"rev.namespace.sidecar-injector.istio.io ({REV_LABEL}={rev})",
         {"matchExpressions": [_expr(REV_LABEL, "In", rev), _expr(INJECTION_LABEL, "DoesNotExist")]},
         {"matchExpressions": [not_false]}),
        (f"rev.object.sidecar-injector.istio.io (pod label {REV_LABEL}={rev})", unlabeled_ns,
         {"matchExpressions": [not_false, _expr(REV_LABEL, "In", rev)]}),
    ]
    if rev == "default":
        hooks = [
            (f"namespace.sidecar-injector.istio.io ({INJECTION_LABEL}=enabled)",
             {"matchLabels": {INJECTION_LABEL: "enabled"}}, {"matchExpressions": [not_false]}),
            *hooks,
            (f"object.sidecar-injector.istio.io (pod label {INJECT_KEY}=true)", unlabeled_ns,
             {"matchExpressions": [_expr(INJECT_KEY, "In", "true"), _expr(REV_LABEL, "DoesNotExist")]}),
        ]
    return hooks


def webhook_reason(ns: str, ns_labels: dict | None, pod_labels: dict, revision: str, legacy: bool) -> Reason:
    """Is the injection webhook called for this pod? As a Reason (effect skip when not)."""
    if ns_labels is None:
        return Reason("namespace-unknown", f"labels of namespace {ns!r} unknown (give --namespace-labels or "
                      "--cluster-objects): assuming the injection webhook is called", detail={"namespace": ns})
    shown = ",".join(f"{k}={v}" for k, v in sorted(ns_labels.items())) or "no labels"
    for name, ns_sel, obj_sel in webhooks(revision, legacy):
        if selector_matches(ns_sel, ns_labels) and selector_matches(obj_sel, pod_labels):
            return Reason("webhook-selected", f"namespace {ns!r} ({shown}) and the pod labels select webhook "
                          f"{name}", detail={"namespace": ns, "labels": dict(ns_labels), "webhook": name})
    hint = (f"label the namespace {INJECTION_LABEL}=enabled" if not revision or revision == "default"
            else f"label the namespace {REV_LABEL}={revision} (and no {INJECTION_LABEL} label)")
    if not legacy and pod_labels.get(INJECT_KEY) == "false":
        why = f"the pod label {INJECT_KEY}=false excludes it from every injection webhook"
    elif ns_labels.get(INJECTION_LABEL) not in (None, "enabled"):
        why = f"namespace {ns!r} has {INJECTION_LABEL}={ns_labels[INJECTION_LABEL]}"
    else:
        why = f"namespace {ns!r} ({shown}) matches no injection webhook of revision {revision or 'default'!r}"
    return Reason("webhook-not-selected", f"{why}: the API server never calls the injector ({hint})",
                  "skip", detail={"namespace": ns, "labels": dict(ns_labels)})


def explain(target: Target, settings: Any, ns_labels: dict | None) -> Decision:
    hook = webhook_reason(target.namespace, ns_labels, target.metadata.get("labels") or {},
                          settings.revision, settings.legacy)
    if hook.effect == "skip":
        return Decision(False, [Reason(hook.code, hook.message, hook.effect, True, hook.detail)])
    meta = {**target.metadata, "namespace": target.metadata.get("namespace") or target.namespace}
    d = decide(meta, target.spec, settings, target.namespace)
    return Decision(d.inject, [hook, *d.reasons])


# ---------------------------------------------------------------- --diff

def injection_diff(target: Target, settings: Any) -> tuple[str, list[dict]]:
    """(unified YAML diff of the pod template, JSON Patch) of injecting `target`."""
    try:
        from injector.inject import MODE_WEBHOOK, inject_pod
    except ImportError:
        raise CheckError("--diff needs the injection pipeline (injector.inject), not available") from None
    from injector import goyaml
    from injector.jsondiff import diff

    pod = {"metadata": dict(target.metadata), "spec": target.spec}
    src_meta = target.source.get("metadata") or {}
    type_meta = {"kind": target.kind, "apiVersion": target.source.get("apiVersion", "v1")}
    deploy_meta = ({**src_meta, "name": target.name, "namespace": target.namespace} if settings.legacy
                   else {"name": target.name, "namespace": target.namespace})
    result = inject_pod(pod, settings, namespace=target.namespace, mode=MODE_WEBHOOK,
                        type_meta=type_meta, deploy_meta=deploy_meta)
    patch = diff(pod, result.pod)
    before = goyaml.dump(pod).splitlines(keepends=True)
    after = goyaml.dump(result.pod).splitlines(keepends=True)
    where = target.path or "pod"
    text = "".join(difflib.unified_diff(before, after, f"{target.label} {where} (before)",
                                        f"{target.label} {where} (injected)"))
    return text, patch


# ---------------------------------------------------------------- output

def _format_text(entries: list[dict], skipped: list[str]) -> str:
    lines = []
    for e in entries:
        verdict = "INJECT" if e["inject"] else "NOT INJECTED"
        lines.append(f"{e['object']}: {verdict}")
        for r in e["reasons"]:
            mark = "=>" if r["decisive"] else " -"
            lines.append(f"  {mark} [{r['code']}] {r['message']}")
        if "diff" in e:
            lines.append("")
            lines.append(e["diff"].rstrip("\n") or "  (no change)")
            lines.append("JSON Patch:")
            lines.append(json.dumps(e["patch"], indent=2))
        lines.append("")
    for s in skipped:
        lines.append(f"{s}: not a pod or workload, skipped")
    return "\n".join(lines).rstrip("\n") + "\n"


def run(args: argparse.Namespace, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        ns_labels = parse_labels(args.namespace_labels)
        settings = settings_from_args(args, parse=bool(args.diff))
        if args.filename == "-":
            text, source = sys.stdin.read(), "<stdin>"
        else:
            try:
                with open(args.filename, encoding="utf-8") as f:
                    text = f.read()
            except OSError as e:
                raise CheckError(f"-f {args.filename}: {e.strerror or e}") from None
            source = args.filename
        targets, skipped = read_targets(text, source, args.namespace or "default")
        if not targets:
            raise CheckError(f"{source}: no pod or workload with a pod template found")
        in_file = namespace_labels_in(text)
        entries = []
        for t in targets:
            # precedence: --namespace-labels, a Namespace in the same file, --cluster-objects
            labels = ns_labels
            if labels is None:
                labels = in_file.get(t.namespace)
            if labels is None:
                info = settings.cluster.namespace(t.namespace)
                labels = dict(info.labels) if info is not None else None
            d = explain(t, settings, labels)
            entry = {"object": t.label, "kind": t.kind, "name": t.name, "namespace": t.namespace,
                     **d.to_dict()}
            if args.diff:
                if d.inject:
                    entry["diff"], entry["patch"] = injection_diff(t, settings)
                else:
                    entry["diff"], entry["patch"] = "", []
            entries.append(entry)
    except (CheckError, ConfigError, ValueError) as e:
        print(f"error: {e}", file=err)
        return 3
    if args.output == "json":
        json.dump({"results": entries, "skipped": skipped}, out, indent=2)
        out.write("\n")
    else:
        out.write(_format_text(entries, skipped))
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check", help="explain whether (and why) a pod or workload would be injected",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-f", "--filename", required=True, metavar="FILE",
                   help="pod or workload manifest (YAML/JSON, multi-document; - for stdin)")
    p.add_argument("--namespace-labels", dest="namespace_labels", metavar="K=V,...",
                   help="labels of the pod's namespace (default: from --cluster-objects, else unknown)")
    p.add_argument("-n", "--namespace", dest="namespace", default=None,
                   help="namespace for objects that do not name one (default: default)")
    p.add_argument("--diff", action="store_true", help="also show the change injection would make")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text", help="output format")
    add_config_arguments(p)
    p.set_defaults(func=run)
