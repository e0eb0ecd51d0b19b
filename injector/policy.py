"""The injection decision (Istio's `injectRequired`) with the reasons that led to it.

Order of the rules (both formats):
1. `spec.hostNetwork: true` -> never.
2. The pod's namespace is an ignored system namespace -> never.
3. The pod's own choice, `sidecar.istio.io/inject`:
   * legacy (Istio 1.7): the annotation; `y|yes|true|on` (any case) injects, any other
     non-empty value does not, empty/absent falls through;
   * templates (Istio 1.10+): the label wins over the annotation; only exactly `true`
     or `false` count, anything else falls through (with a warning reason).
4. The first matching `neverInjectSelector`, then the first matching
   `alwaysInjectSelector`.
5. The policy: `enabled` injects, `disabled` does not, any other value never injects.

`decide` also notes, without changing the decision, a pod that is already injected
(`sidecar.istio.io/status` present); with `skip_injected=True` (Istio 1.7 kube-inject)
that note decides "no".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from injector.config import LEGACY, InjectorConfig

INJECT_KEY = "sidecar.istio.io/inject"
STATUS_ANNOTATION = "sidecar.istio.io/status"
MERGE_METRICS_ANNOTATION = "prometheus.istio.io/merge-metrics"

IGNORED_NAMESPACES = {
    LEGACY: ("kube-system", "kube-public"),
    "templates": ("kube-system", "kube-public", "kube-node-lease", "local-path-storage"),
}

# Reason effects: what a reason does to the decision.
INJECT, SKIP, NONE = "inject", "skip", "none"


@dataclass(frozen=True)
class Reason:
    code: str  # stable machine name, e.g. "host-network", "never-selector"
    message: str  # one human sentence
    effect: str = NONE  # INJECT | SKIP | NONE (informational)
    decisive: bool = False  # the reason that settled the decision
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "effect": self.effect,
                "decisive": self.decisive, "detail": dict(self.detail)}


@dataclass(frozen=True)
class Decision:
    inject: bool
    reasons: list[Reason]

    @property
    def reason(self) -> Reason | None:
        """The decisive reason."""
        for r in self.reasons:
            if r.decisive:
                return r
        return None

    def to_dict(self) -> dict:
        r = self.reason
        return {"inject": self.inject, "reason": r.code if r else None,
                "reasons": [x.to_dict() for x in self.reasons]}


# ---------------------------------------------------------------- label selectors

def selector_matches(selector: dict | None, labels: dict | None) -> bool:
    """Kubernetes LabelSelector semantics (an empty selector matches everything)."""
    labels = labels or {}
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != ("" if v is None else str(v)):
            return False
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key")
        op = expr.get("operator")
        values = [str(x) for x in (expr.get("values") or [])]
        present = key in labels
        if op == "In":
            if not present or labels[key] not in values:
                return False
        elif op == "NotIn":
            if present and labels[key] in values:
                return False
        elif op == "Exists":
            if not present:
                return False
        elif op == "DoesNotExist":
            if present:
                return False
        else:
            raise ValueError(f"label selector: unknown operator {op!r} for key {key!r}")
    return True


def describe_selector(selector: dict) -> str:
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        op, key, vals = e.get("operator"), e.get("key"), ",".join(map(str, e.get("values") or []))
        parts.append({"Exists": key, "DoesNotExist": f"!{key}", "In": f"{key} in ({vals})",
                      "NotIn": f"{key} notin ({vals})"}.get(op, f"{key} {op} ({vals})"))
    return ",".join(parts) or "<everything>"


# ---------------------------------------------------------------- decision

def _config_of(settings: Any) -> InjectorConfig:
    return settings.config if hasattr(settings, "config") else settings


def _own_choice_legacy(annotations: dict) -> Reason | None:
    if INJECT_KEY not in annotations:
        return None
    value = str(annotations.get(INJECT_KEY) or "")
    if value == "":
        return Reason("annotation-empty", f"annotation {INJECT_KEY} is empty: no choice made",
                      detail={"source": "annotation", "value": value})
    if value.lower() in ("y", "yes", "true", "on"):
        return Reason("annotation", f"annotation {INJECT_KEY}={value!r} asks for injection",
                      INJECT, detail={"source": "annotation", "value": value})
    return Reason("annotation", f"annotation {INJECT_KEY}={value!r} refuses injection",
                  SKIP, detail={"source": "annotation", "value": value})


def _own_choice_modern(labels: dict, annotations: dict) -> list[Reason]:
    notes: list[Reason] = []
    if INJECT_KEY in labels:
        source, value = "label", str(labels.get(INJECT_KEY) or "")
        if INJECT_KEY in annotations:
            notes.append(Reason("annotation-overridden",
                                f"annotation {INJECT_KEY}={annotations.get(INJECT_KEY)!r} is ignored: "
                                f"the label of the same name wins",
                                detail={"value": str(annotations.get(INJECT_KEY))}))
    elif INJECT_KEY in annotations:
        source, value = "annotation", str(annotations.get(INJECT_KEY) or "")
    else:
        return notes
    detail = {"source": source, "value": value}
    if value == "true":
        notes.append(Reason(source, f"{source} {INJECT_KEY}=\"true\" asks for injection", INJECT, detail=detail))
    elif value == "false":
        notes.append(Reason(source, f"{source} {INJECT_KEY}=\"false\" refuses injection", SKIP, detail=detail))
    elif value == "":
        notes.append(Reason(f"{source}-empty", f"{source} {INJECT_KEY} is empty: no choice made", detail=detail))
    else:
        notes.append(Reason(f"{source}-invalid",
                            f"{source} {INJECT_KEY}={value!r} is not \"true\" or \"false\": ignored, "
                            f"the default policy applies", detail=detail))
    return notes


def decide(pod_metadata: dict | None, pod_spec: dict | None, settings: Any, namespace: str | None = None,
           *, rules: str | None = None, ignored_namespaces: list[str] | tuple[str, ...] | None = None,
           skip_injected: bool = False) -> Decision:
    """Should this pod be injected? `settings` is a Settings or an InjectorConfig.

    `rules` ("legacy" or "templates") defaults to the config's format; `namespace` is the
    request namespace, used when the pod's metadata has none.
    """
    config = _config_of(settings)
    rules = rules or config.format
    meta = pod_metadata or {}
    spec = pod_spec or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    ns = meta.get("namespace") or namespace or ""
    if ignored_namespaces is None:
        ignored_namespaces = IGNORED_NAMESPACES.get(rules, IGNORED_NAMESPACES["templates"])
    reasons: list[Reason] = []

    def done(inject: bool, reason: Reason) -> Decision:
        reasons.append(Reason(reason.code, reason.message, reason.effect, True, reason.detail))
        return Decision(inject, reasons)

    if STATUS_ANNOTATION in annotations:
        note = Reason("already-injected", f"the pod already carries {STATUS_ANNOTATION}: it was injected before"
                      + (" (not injected again)" if skip_injected else " (injection is idempotent)"),
                      SKIP if skip_injected else NONE)
        if skip_injected:
            return done(False, note)
        reasons.append(note)

    if spec.get("hostNetwork"):
        return done(False, Reason("host-network", "the pod uses the host network (spec.hostNetwork: true)", SKIP))
    if ns in ignored_namespaces:
        return done(False, Reason("ignored-namespace", f"namespace {ns!r} is a system namespace the injector "
                                  f"ignores ({', '.join(ignored_namespaces)})", SKIP, detail={"namespace": ns}))

    if rules == LEGACY:
        own = _own_choice_legacy(annotations)
        own_notes = [own] if own else []
    else:
        own_notes = _own_choice_modern(labels, annotations)
    for note in own_notes:
        if note.effect == NONE:
            reasons.append(note)
        else:
            return done(note.effect == INJECT, note)

    for i, sel in enumerate(config.never_inject_selector):
        if selector_matches(sel, labels):
            return done(False, Reason("never-selector", f"the pod labels match neverInjectSelector[{i}] "
                                      f"({describe_selector(sel)})", SKIP, detail={"index": i, "selector": sel}))
    for i, sel in enumerate(config.always_inject_selector):
        if selector_matches(sel, labels):
            return done(True, Reason("always-selector", f"the pod labels match alwaysInjectSelector[{i}] "
                                     f"({describe_selector(sel)})", INJECT, detail={"index": i, "selector": sel}))

    policy = config.policy
    if policy == "enabled":
        return done(True, Reason("policy-enabled", "no explicit choice: the injector policy is \"enabled\"", INJECT))
    if policy == "disabled":
        return done(False, Reason("policy-disabled", "no explicit choice: the injector policy is \"disabled\"", SKIP))
    return done(False, Reason("policy-invalid", f"no explicit choice and the injector policy {policy!r} is "
                              "neither \"enabled\" nor \"disabled\": never injects", SKIP, detail={"policy": policy}))


def inject_required(pod_metadata: dict | None, pod_spec: dict | None, settings: Any, **kw: Any) -> bool:
    return decide(pod_metadata, pod_spec, settings, **kw).inject


def prometheus_merge_enabled(mesh: dict | None, annotations: dict | None) -> bool:
    """Istio's enablePrometheusMerge: a parseable annotation wins, else the mesh (default on)."""
    from injector.annotations import parse_bool

    value = (annotations or {}).get(MERGE_METRICS_ANNOTATION)
    if value:
        try:
            return parse_bool(str(value))
        except ValueError:
            pass
    if not mesh:
        return True
    v = mesh.get("enablePrometheusMerge")
    return True if v is None else bool(v)
