"""MeshConfig: Istio's compiled-in defaults and the mesh ConfigMap text applied over them.

The mesh is kept as proto-JSON data (camelCase names, durations as strings such as
"45s"), the shape of `data.mesh` in ConfigMap `istio`. Applying a text over the
defaults follows Istio's `ApplyMeshConfig`: top-level scalars and lists replace, nested
messages merge, and `defaultConfig` (a ProxyConfig) is merged field by field, with maps
such as `proxyMetadata` merged key by key.

Two default sets ship in `injector/data/`: the modern one (Istio 1.10+) and the Istio 1.7
one, used for legacy-format injector configs. An explicit defaults file overrides both.
"""
from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import yaml

from injector.config import ConfigError
from injector.yamlerror import describe as describe_yaml_error

# ProxyConfig fields that are maps: merged key by key instead of replaced.
PROXY_MAP_FIELDS = frozenset(["proxyMetadata", "runtimeValues", "proxyHeaders"])


def _data_text(name: str) -> str:
    return resources.files("injector").joinpath("data", name).read_text(encoding="utf-8")


def default_mesh_config(legacy: bool = False) -> dict:
    """Istio's `DefaultMeshConfig()` (Istio 1.7's when `legacy`), as proto-JSON data."""
    name = "mesh-defaults-legacy.yaml" if legacy else "mesh-defaults.yaml"
    return yaml.safe_load(_data_text(name))


def parse_mesh_text(text: str | None, source: str = "mesh config") -> dict:
    """Parse mesh ConfigMap text (YAML). Empty text is an empty mesh."""
    if text is None or not str(text).strip():
        return {}
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{source}: expected a map at the top level, got {type(doc).__name__}")
    return doc


def merge_proxy_config(base: dict | None, overlay: dict, merge_maps: bool = True) -> dict:
    """ProxyConfig field by field: a field set in `overlay` replaces the base's field.

    Map fields (`proxyMetadata`, ...) merge key by key when `merge_maps`, else replace.
    """
    out = dict(base or {})
    for key, value in overlay.items():
        if merge_maps and key in PROXY_MAP_FIELDS and isinstance(value, dict) and isinstance(out.get(key), dict):
            merged = dict(out[key])
            merged.update(value)
            out[key] = merged
        else:
            out[key] = copy.deepcopy(value)
    return out


def _merge_message(base: Any, overlay: Any) -> Any:
    if isinstance(base, dict) and isinstance(overlay, dict):
        out = dict(base)
        for k, v in overlay.items():
            out[k] = _merge_message(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(overlay)


def apply_mesh_config(text: str | dict | None, defaults: dict, source: str = "mesh config") -> dict:
    """The effective MeshConfig: `text` (YAML or already parsed) applied over `defaults`."""
    overlay = text if isinstance(text, dict) else parse_mesh_text(text, source)
    out = copy.deepcopy(defaults)
    for key, value in overlay.items():
        if key == "defaultConfig":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: defaultConfig must be a map")
            out[key] = merge_proxy_config(out.get(key), value, merge_maps=True)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_message(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def mesh_set(mesh: dict, path: str, value: Any) -> dict:
    """Assign `value` at dotted `path` of an effective mesh (returns a new mesh).

    The translation of Go test closures such as `m.DefaultConfig.InterceptionMode = TPROXY`.
    """
    out = copy.deepcopy(mesh)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = {}
            node[part] = nxt
        node = nxt
    node[parts[-1]] = copy.deepcopy(value)
    return out


def enable_prometheus_merge(mesh: dict | None) -> bool:
    """The mesh's `enablePrometheusMerge` (absent: Istio's default, on)."""
    if not mesh:
        return True
    v = mesh.get("enablePrometheusMerge")
    return True if v is None else bool(v)
