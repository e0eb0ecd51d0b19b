"""What both config formats' injection shares: names, the result and error types,
template parsing, rendering and YAML decoding, the proxy-config template data, the status
annotation JSON, and the env lists a webhook result shares with the caller's pod.

The format modules (`inject_legacy`, `inject_modern`) build on this one, never the reverse.
`_render` and `_load_yaml` are looked up here at call time: wrap them here (tests, profilers).
"""
from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from injector import merge
from injector.template.funcs.gojson import marshal as go_json

PROXY = "istio-proxy"
INIT = "istio-init"
VALIDATION = "istio-validation"
CORE_DUMP = "enable-core-dump"
STATUS_ANNOTATION = "sidecar.istio.io/status"
OVERRIDES_ANNOTATION = "proxy.istio.io/overrides"
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
PROM_MERGE_ANNOTATION = "prometheus.istio.io/merge-metrics"
NETWORK_LABEL = "topology.istio.io/network"
SA_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"

MODE_WEBHOOK = "webhook"
MODE_KUBE_INJECT = "kube-inject"


class InjectionError(ValueError):
    """Injection of this pod failed (bad annotation, template error, bad rendered YAML)."""


@dataclass
class InjectionResult:
    pod: dict                      # the mutated pod (a new object)
    injected: bool = True
    status: str | None = None      # the sidecar.istio.io/status value
    warnings: list[str] = field(default_factory=list)


# -------------------------------------------------------------------------- helpers

def _legacy(settings) -> bool:
    cfg = settings.config
    return getattr(cfg, "legacy", getattr(cfg, "format", "") == "legacy")


def _parsed_templates(settings) -> dict:
    tpls = getattr(settings, "templates", None)
    if tpls:
        return tpls
    from injector.template import Template
    from injector.template.funcs.sets import FUNCSETS

    cache = settings.__dict__.setdefault("_inject_parsed", {}) if hasattr(settings, "__dict__") else {}
    if not cache:
        cfg = settings.config
        if _legacy(settings):
            cache["sidecar"] = Template.parse(cfg.raw_template, name="inject", funcs=FUNCSETS["istio-1.7"])
        else:
            for name, text in cfg.templates.items():
                cache[name] = Template.parse(text, name=name, funcs=FUNCSETS["istio"])
    return cache


def _render(tpl, data: dict, what: str) -> str:
    try:
        return tpl.execute(data, missingkey="default")
    except Exception as e:  # ExecError and friends: report which template failed
        raise InjectionError(f"failed to render {what}: {e}") from None


def _load_yaml(text: str, what: str) -> dict:
    from injector import goyaml

    try:
        doc = goyaml.load(text)
    except Exception as e:
        from injector.yamlerror import describe

        raise InjectionError(
            f"failed parsing generated injected YAML of {what} (check Istio sidecar injector configuration): "
            f"{describe(e)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InjectionError(f"generated injected YAML of {what} is not a map")
    return doc


def _validate(annotations: dict) -> None:
    from injector.annotations import validate_annotations

    try:
        validate_annotations(annotations)
    except ValueError as e:
        raise InjectionError(str(e)) from None


def _proxy_config(settings, annotations: dict, legacy: bool) -> dict:
    from injector.proxyconfig import effective_proxy_config

    try:
        return effective_proxy_config(settings.mesh, annotations, legacy=legacy)
    except ValueError as e:
        raise InjectionError(str(e)) from None


def _proxy_defaults(settings, legacy: bool) -> dict:
    from injector.mesh import default_mesh_config

    pd = getattr(settings, "proxy_defaults", None)
    if pd is not None:
        return pd
    return (default_mesh_config(legacy) or {}).get("defaultConfig") or {}


# Per-Settings cache of the template data that does not depend on the pod: the mesh and
# the mesh's own ProxyConfig (used by every pod without a proxy.istio.io/config annotation).
_DATA_CACHE: dict[int, tuple[Any, Any, Any]] = {}


def _pc_data(settings, pc: dict, legacy: bool, annotated: bool = True):
    from injector.proxyconfig import mesh_template_data, proxyconfig_template_data

    key = id(settings)
    hit = _DATA_CACHE.get(key)
    if hit is None or hit[0]() is not settings:
        defaults = _proxy_defaults(settings, legacy)
        mesh_data = mesh_template_data(settings.mesh, defaults)
        try:
            ref = weakref.ref(settings, lambda _r, k=key: _DATA_CACHE.pop(k, None))
        except TypeError:  # not weak-referenceable: no caching
            return proxyconfig_template_data(pc, defaults), mesh_data
        hit = (ref, mesh_data, {})
        _DATA_CACHE[key] = hit
    _ref, mesh_data, by_pc = hit
    if annotated:
        return proxyconfig_template_data(pc, _proxy_defaults(settings, legacy)), mesh_data
    if "plain" not in by_pc:
        by_pc["plain"] = proxyconfig_template_data(pc, _proxy_defaults(settings, legacy))
    return by_pc["plain"], mesh_data


def _status_port(mesh: dict) -> int:
    return int(((mesh or {}).get("defaultConfig") or {}).get("statusPort", 15020) or 0)


def _names(items: Any) -> list[str]:
    return [i.get("name", "") for i in items or [] if isinstance(i, dict)]


# Names Go's json.Marshal writes as they are between quotes (no escapes); "," joins them.
_PLAIN_NAMES = re.compile(r"[-A-Za-z0-9_.,]*")


def _names_json(names: list) -> str:
    """go_json(names), without the generic encoder for the usual DNS-label names."""
    try:
        joined = ",".join(names)
    except TypeError:  # a null or non-string name
        return go_json(names)
    if _PLAIN_NAMES.fullmatch(joined):
        return '["' + '","'.join(names) + '"]'
    return go_json(names)


def _status_json(spec: dict, *, version: str | None, revision: str | None) -> str:
    parts = []
    if version is not None:
        parts.append('"version":' + go_json(version))
    for key in ("initContainers", "containers", "volumes", "imagePullSecrets"):
        names = _names(spec.get(key))
        parts.append(f'"{key}":' + (_names_json(names) if names else "null"))
    if revision is not None:
        plain = type(revision) is str and _PLAIN_NAMES.fullmatch(revision)
        parts.append('"revision":' + ('"' + revision + '"' if plain else go_json(revision)))
    return "{" + ",".join(parts) + "}"


def _values_flag(values: dict, *path: str) -> Any:
    node: Any = values
    for p in path:
        if not isinstance(node, dict):
            return None
        node = node.get(p)
    return node


def _prometheus_enabled(settings, annotations: dict) -> bool:
    from injector.mesh import enable_prometheus_merge

    if not enable_prometheus_merge(settings.mesh):
        return False
    v = annotations.get(PROM_MERGE_ANNOTATION)
    if v is not None:
        from injector.annotations import parse_bool

        try:
            return parse_bool(v)
        except ValueError:
            return True
    return True


def _env(settings, name: str, default: str = "") -> str:
    env = getattr(settings, "env", None)
    if isinstance(env, dict) and name in env:
        return str(env[name])
    return os.environ.get(name, default)


# App containers' env lists this long are shared between the caller's pod and the result
# (webhook: the result is only diffed, and the differ skips identical objects). Injection
# never modifies them: merges are copy-on-write, probes/env edits touch container maps
# (copied) or the injected containers (never shared).
_SHARE_MIN_ENV = 256
_INJECTED_NAMES = frozenset({PROXY, INIT, VALIDATION, CORE_DUMP})


def _shareable_envs(pod: Any) -> list[tuple[str, int, list]]:
    spec = pod.get("spec") if type(pod) is dict else None
    if type(spec) is not dict:
        return []
    out = []
    for field_name in ("containers", "initContainers"):
        lst = spec.get(field_name)
        if type(lst) is not list:
            continue
        for i, c in enumerate(lst):
            if type(c) is dict:
                env = c.get("env")
                if type(env) is list and len(env) >= _SHARE_MIN_ENV and c.get("name") not in _INJECTED_NAMES:
                    out.append((field_name, i, env))
    return out


def _copy_sharing(pod: dict, shared: list[tuple[str, int, list]]) -> dict:
    """A private copy of `pod` except for the `shared` env lists, which stay the caller's."""
    spec = dict(pod["spec"])
    for field_name in {f for f, _, _ in shared}:
        spec[field_name] = list(spec[field_name])
    for field_name, i, _env in shared:
        spec[field_name][i] = {**spec[field_name][i], "env": []}
    out = merge.clone({**pod, "spec": spec})
    for field_name, i, env in shared:
        out["spec"][field_name][i]["env"] = env
    return out
