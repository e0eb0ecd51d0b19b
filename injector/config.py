"""The injector config (ConfigMap `istio-sidecar-injector`, key `config`) and `values`.

Two formats exist:

* "legacy" (Istio 1.7): `policy`, `alwaysInjectSelector`, `neverInjectSelector`,
  `injectedAnnotations` and one `template` string.
* "templates" (Istio 1.10+): the same plus a `templates` map, `defaultTemplates` and
  `aliases`. A `template` string next to `templates` is only a guard for old istiod
  versions (it does not parse on purpose) and is ignored, as modern istiod ignores it.

The values document is JSON (or YAML) whose numbers are all Go float64: `parse_values`
turns every integer into a Python float.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from injector.yamlerror import describe as describe_yaml_error

LEGACY = "legacy"
TEMPLATES = "templates"
SIDECAR_TEMPLATE = "sidecar"


class ConfigError(ValueError):
    """The injector config, values or mesh config cannot be used; names the source."""


@dataclass(frozen=True)
class InjectorConfig:
    format: str  # LEGACY or TEMPLATES
    policy: str  # "enabled" | "disabled" | anything else (never inject)
    always_inject_selector: list[dict] = field(default_factory=list)
    never_inject_selector: list[dict] = field(default_factory=list)
    injected_annotations: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)  # name -> text
    default_templates: list[str] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    raw_template: str = ""  # legacy: the template; its sha256 is the status version

    @property
    def legacy(self) -> bool:
        return self.format == LEGACY

    def to_dict(self) -> dict[str, Any]:
        """The config as the ConfigMap document would spell it (for round trips)."""
        out: dict[str, Any] = {
            "policy": self.policy,
            "alwaysInjectSelector": self.always_inject_selector,
            "neverInjectSelector": self.never_inject_selector,
            "injectedAnnotations": self.injected_annotations,
        }
        if self.legacy:
            out["template"] = self.raw_template
        else:
            out["defaultTemplates"] = self.default_templates
            out["templates"] = self.templates
            if self.aliases:
                out["aliases"] = self.aliases
        return out


def _str_map(value: Any, what: str, source: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {what} must be a map, got {type(value).__name__}")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _selectors(value: Any, what: str, source: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
        raise ConfigError(f"{source}: {what} must be a list of label selectors")
    return [dict(s) for s in value]


def config_from_dict(doc: Any, source: str = "injector config") -> InjectorConfig:
    """Build an InjectorConfig from the parsed `config` document."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: expected a map at the top level, got {type(doc).__name__}")
    policy = doc.get("policy")
    policy = "" if policy is None else str(policy)
    common = dict(
        policy=policy,
        always_inject_selector=_selectors(doc.get("alwaysInjectSelector"), "alwaysInjectSelector", source),
        never_inject_selector=_selectors(doc.get("neverInjectSelector"), "neverInjectSelector", source),
        injected_annotations=_str_map(doc.get("injectedAnnotations"), "injectedAnnotations", source),
    )
    raw = doc.get("template")
    raw = "" if raw is None else str(raw)
    templates = doc.get("templates")
    if templates:
        if not isinstance(templates, dict):
            raise ConfigError(f"{source}: templates must be a map of name -> template text")
        tmap = {str(k): "" if v is None else str(v) for k, v in templates.items()}
        defaults = doc.get("defaultTemplates")
        if defaults is None:
            defaults = [SIDECAR_TEMPLATE]
        if not isinstance(defaults, list):
            raise ConfigError(f"{source}: defaultTemplates must be a list of template names")
        aliases = doc.get("aliases") or {}
        if not isinstance(aliases, dict):
            raise ConfigError(f"{source}: aliases must be a map of name -> list of templates")
        return InjectorConfig(
            format=TEMPLATES,
            templates=tmap,
            default_templates=[str(d) for d in defaults],
            aliases={str(k): [str(x) for x in (v or [])] for k, v in aliases.items()},
            raw_template=raw,
            **common,
        )
    return InjectorConfig(
        format=LEGACY,
        templates={SIDECAR_TEMPLATE: raw} if raw else {},
        default_templates=[SIDECAR_TEMPLATE],
        raw_template=raw,
        **common,
    )


def parse_config(text: str, source: str = "injector config") -> InjectorConfig:
    """Parse the `config` text of the injector ConfigMap (YAML; JSON is YAML too)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    return config_from_dict(doc, source)


def split_configmap(text: str, source: str) -> tuple[str, str | None, str | None]:
    """Accept either the `config` text or ConfigMap manifests.

    Returns (config_text, values_text or None, mesh_text or None). The file may hold the
    injector ConfigMap (`data.config`, `data.values`) and also the mesh ConfigMap
    (`data.mesh`), as separate documents or in a `List` (`kubectl get cm A B -o yaml`).
    """
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    maps = []
    for doc in docs:
        items = doc.get("items") if isinstance(doc, dict) and doc.get("kind") == "List" else [doc]
        maps += [d for d in items or [] if isinstance(d, dict) and d.get("kind") == "ConfigMap"]
    if not maps:
        if len(docs) > 1:
            raise ConfigError(f"{source}: several YAML documents but no ConfigMap among them")
        return text, None, None
    config = values = mesh = None
    for cm in maps:
        data = cm.get("data") or {}
        if not isinstance(data, dict):
            continue
        if "config" in data and config is None:
            config, values = str(data["config"]), data.get("values")
        if "mesh" in data and mesh is None:
            mesh = str(data["mesh"])
    if config is None:
        names = ", ".join(str((cm.get("metadata") or {}).get("name", "?")) for cm in maps)
        raise ConfigError(f"{source}: no ConfigMap with data.config (found {names})")
    return config, None if values is None else str(values), mesh


def floatify(v: Any) -> Any:
    """Every JSON number as Go float64 (bools stay bools)."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dict):
        return {str(k): floatify(x) for k, x in v.items()}
    if isinstance(v, list):
        return [floatify(x) for x in v]
    return v


def parse_values(text: str, source: str = "values") -> dict:
    """Parse the `values` document (JSON, or YAML for hand-written files)."""
    text = text if text is not None else ""
    if not text.strip():
        return {}
    try:
        doc = json.loads(text, parse_int=float)
    except ValueError:
        try:
            doc = floatify(yaml.safe_load(text))
        except yaml.YAMLError as e:
            raise ConfigError(f"{source}: neither JSON nor YAML: {e}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: expected an object at the top level")
    return doc


def deep_merge(base: Any, patch: Any) -> Any:
    """Objects merge key by key; anything else (scalars, lists, null) replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for k, v in patch.items():
            out[k] = deep_merge(base.get(k), v) if k in base else v
        return out
    return patch
