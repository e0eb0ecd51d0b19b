"""Merging injected fragments into a pod.

Two styles, one per injector config format:

* legacy (Istio 1.7, `template`): the rendered YAML is a `SidecarInjectionSpec` whose
  lists are appended to the pod's (`append_legacy`);
* modern (Istio 1.10+, `templates`): each rendered template is a pod overlay applied with
  a Kubernetes strategic merge patch (`strategic_merge`): maps merge key by key, `null`
  deletes, lists of named things (containers, volumes, env, ...) merge by their patch
  merge key, other lists replace, and the `$patch` directives are honoured.

Everything works on plain JSON-like data (dicts/lists as `json.loads` gives them).
"""
from __future__ import annotations

import copy
import re
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    _orjson = None


def clone(v: Any) -> Any:
    """A deep copy of JSON data (fast path through orjson; deepcopy for anything else)."""
    if _orjson is not None:
        try:
            return _orjson.loads(_orjson.dumps(v))
        except (TypeError, _orjson.JSONEncodeError):
            pass
    return copy.deepcopy(v)

# Strategic merge schema: type -> {field: (element type or None, merge key or "" for a
# merged primitive list)}. Only fields whose lists merge are listed; every other list
# is replaced, every map is merged. Types are named as in k8s.io/api.
_MERGE_LISTS: dict[str, dict[str, tuple[str | None, str]]] = {
    "Pod": {},
    "ObjectMeta": {"finalizers": (None, ""), "ownerReferences": ("OwnerReference", "uid")},
    "PodSpec": {
        "volumes": ("Volume", "name"),
        "initContainers": ("Container", "name"),
        "containers": ("Container", "name"),
        "ephemeralContainers": ("Container", "name"),
        "imagePullSecrets": ("LocalObjectReference", "name"),
        "hostAliases": ("HostAlias", "ip"),
        "topologySpreadConstraints": ("TopologySpreadConstraint", "topologyKey"),
        "resourceClaims": ("PodResourceClaim", "name"),
        "schedulingGates": ("PodSchedulingGate", "name"),
    },
    "Container": {
        "ports": ("ContainerPort", "containerPort"),
        "env": ("EnvVar", "name"),
        "volumeMounts": ("VolumeMount", "mountPath"),
        "volumeDevices": ("VolumeDevice", "devicePath"),
    },
}
# Nested struct types we descend into (field -> type) to find the lists above.
_STRUCT_FIELDS: dict[str, dict[str, str]] = {
    "Pod": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodTemplateSpec": {"metadata": "ObjectMeta", "spec": "PodSpec"},
}

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
_ORDER_PREFIX = "$setElementOrder/"
_DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList/"


class MergeError(ValueError):
    """A patch that strategic merge cannot apply (bad directive, list without key...)."""


def strategic_merge(original: dict, patch: dict, kind: str = "Pod") -> dict:
    """Apply a strategic merge patch (as parsed JSON/YAML) to `original`; returns a new
    object and leaves both inputs untouched."""
    if not isinstance(patch, dict):
        raise MergeError(f"strategic merge patch must be a map, got {type(patch).__name__}")
    patch, pure = _private_patch(patch)
    return _merge_map(clone(original) if original else {}, patch, kind, pure)


def strategic_merge_into(original: dict, patch: dict, kind: str = "Pod") -> dict:
    """`strategic_merge` that may reuse and modify `original` (a private copy the caller
    owns) instead of copying it first; `patch` is left untouched. Returns the result."""
    if not isinstance(patch, dict):
        raise MergeError(f"strategic merge patch must be a map, got {type(patch).__name__}")
    patch, pure = _private_patch(patch)
    return _merge_map(original if original else {}, patch, kind, pure)


def _private_patch(patch: dict) -> tuple[dict, bool]:
    """A copy of `patch` we may consume, and whether it is "pure": no null anywhere and
    no `$` directive key, so its values go into the result as they are (no cleaning)."""
    if _orjson is not None:
        try:
            raw = _orjson.dumps(patch)
        except (TypeError, _orjson.JSONEncodeError):
            pass
        else:
            return _orjson.loads(raw), _pure_json(raw)
    return copy.deepcopy(patch), False


# A `$...` key in orjson output (a string value never precedes `":`).
_DIRECTIVE_KEY = re.compile(rb'"\$[^"]*":')


def _pure_json(raw: bytes) -> bool:
    """No null and no directive key in this JSON text ("null" or a `$` key look-alike
    inside a string only costs the slow path)."""
    return b"null" not in raw and _DIRECTIVE_KEY.search(raw) is None


def _is_pure(v: Any) -> bool:
    if _orjson is None:
        return False
    try:
        return _pure_json(_orjson.dumps(v))
    except (TypeError, _orjson.JSONEncodeError):
        return False


def _field_type(kind: str | None, key: str) -> str | None:
    if kind is None:
        return None
    sub = _STRUCT_FIELDS.get(kind, {}).get(key)
    if sub:
        return sub
    entry = _MERGE_LISTS.get(kind, {}).get(key)
    return entry[0] if entry else None


def _merge_map(original: dict, patch: dict, kind: str | None, pure: bool = False) -> dict:
    if pure:
        return _merge_map_pure(original, patch, kind)
    directive = patch.pop(PATCH, None)
    if directive == "replace":
        return _strip_directives(patch)
    if directive == "delete":
        return {}
    if directive not in (None, "merge"):
        raise MergeError(f"unknown patch type {directive!r}")
    # Copy-on-write: the maps of `original` are never modified, so a caller may share
    # subtrees (a pod's long env lists) between the original and the result.
    original = dict(original)
    retain = patch.pop(RETAIN_KEYS, None)
    # Order and primitive-delete directives come first so the lists they name exist.
    for key in [k for k in patch if k.startswith(_DELETE_PRIMITIVE_PREFIX)]:
        field = key[len(_DELETE_PRIMITIVE_PREFIX):]
        drop = patch.pop(key) or []
        if isinstance(original.get(field), list):
            original[field] = [v for v in original[field] if v not in drop]
    orders = {k[len(_ORDER_PREFIX):]: patch.pop(k) for k in [k for k in patch if k.startswith(_ORDER_PREFIX)]}
    for key, pval in patch.items():
        if pval is None:
            original.pop(key, None)
            continue
        if key not in original:
            original[key] = _clean(pval)
            continue
        oval = original[key]
        if isinstance(pval, dict) and isinstance(oval, dict):
            original[key] = _merge_map(oval, pval, _field_type(kind, key))
        elif isinstance(pval, list) and isinstance(oval, list):
            spec = _MERGE_LISTS.get(kind or "", {}).get(key)
            if spec is None:
                original[key] = _strip_directives(_replace_list(pval))
            else:
                original[key] = _merge_list(oval, pval, spec[0], spec[1])
        else:
            original[key] = _clean(pval)
    for field, order in orders.items():
        spec = _MERGE_LISTS.get(kind or "", {}).get(field)
        if isinstance(original.get(field), list) and spec:
            original[field] = _apply_order(original[field], order, spec[1])
    if isinstance(retain, list):
        for key in list(original):
            if key not in retain:
                del original[key]
    return original


def _merge_map_pure(original: dict, patch: dict, kind: str | None) -> dict:
    """_merge_map for a pure patch (no nulls, no directives): patch values are used as
    they are (the patch is a private copy). Copy-on-write as _merge_map."""
    original = dict(original)
    for key, pval in patch.items():
        if key not in original:
            original[key] = pval
            continue
        oval = original[key]
        tp = type(pval)
        if tp is dict and type(oval) is dict:
            original[key] = _merge_map_pure(oval, pval, _field_type(kind, key))
        elif tp is list and type(oval) is list:
            spec = _MERGE_LISTS.get(kind or "", {}).get(key)
            original[key] = pval if spec is None else _merge_list(oval, pval, spec[0], spec[1], True)
        else:
            original[key] = pval
    return original


def _replace_list(plist: list) -> list:
    return [v for v in plist if not (isinstance(v, dict) and v.get(PATCH) == "replace" and len(v) == 1)]


def _key_of(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else item


def _merge_list(olist: list, plist: list, elem_kind: str | None, key: str, pure: bool = False) -> list:
    if not key:  # merged primitive list: union, original order first
        out = list(olist)
        for v in plist:
            if v not in out:
                out.append(v)
        return out
    # Special elements: {"$patch": "replace"} replaces the whole list, {"$patch":
    # "delete", key: v} deletes the matching original element.
    items: list = []
    replace = False
    deletes: list = []
    for v in plist:
        if isinstance(v, dict) and PATCH in v:
            d = v[PATCH]
            if d == "replace":
                replace = True
                continue
            if d == "delete":
                deletes.append(v.get(key))
                continue
            if d == "merge":
                v = {k: x for k, x in v.items() if k != PATCH}
            else:
                raise MergeError(f"unknown patch type {d!r} in list element")
        if not isinstance(v, dict):
            raise MergeError(f"list element without merge key {key!r}: {v!r}")
        items.append(v)
    if replace:
        return [_strip_directives(v) for v in items]
    original = [o for o in olist if _key_of(o, key) not in deletes]
    merged = list(original)
    for v in items:
        kv = v.get(key)
        for i, o in enumerate(merged):
            if isinstance(o, dict) and o.get(key) == kv:
                merged[i] = _merge_map(o, v, elem_kind, pure)
                break
        else:
            merged.append(v if pure else _clean(v))
    # Kubernetes then orders the result: items named in the patch follow the patch's
    # order, the others keep theirs, and the two sequences are interleaved by their
    # positions in the original list (items new to the object come first).
    patch_keys = [v.get(key) for v in items]
    patch_items = sorted(
        (m for m in merged if _key_of(m, key) in patch_keys),
        key=lambda m: patch_keys.index(_key_of(m, key)),
    )
    server_only = [m for m in merged if _key_of(m, key) not in patch_keys]
    order = [_key_of(o, key) for o in original]
    return _merge_sorted(server_only, patch_items, order, key)


def _merge_sorted(left: list, right: list, order: list, key: str) -> list:
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j]); j += 1
        elif j >= len(right):
            out.append(left[i]); i += 1
        else:
            lk, rk = _key_of(left[i], key), _key_of(right[j], key)
            if lk in order and rk in order and order.index(lk) < order.index(rk):
                out.append(left[i]); i += 1
            else:
                out.append(right[j]); j += 1
    return out


def _apply_order(items: list, order: list, key: str) -> list:
    wanted = [_key_of(o, key) for o in order]
    ranked = [m for w in wanted for m in items if _key_of(m, key) == w]
    rest = [m for m in items if _key_of(m, key) not in wanted]
    return ranked + rest


def _drop_nulls(v: Any) -> Any:
    """Nulls in a patch value that has nothing to delete are ignored."""
    if isinstance(v, dict):
        return {k: _drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_drop_nulls(x) for x in v]
    return v


def _is_directive_key(k: str) -> bool:
    return k[:1] == "$" and (k == PATCH or k == RETAIN_KEYS or k.startswith(_ORDER_PREFIX)
                             or k.startswith(_DELETE_PRIMITIVE_PREFIX))


def _strip_directives(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip_directives(x) for k, x in v.items() if not _is_directive_key(k)}
    if isinstance(v, list):
        return [_strip_directives(x) for x in v
                if not (isinstance(x, dict) and x.get(PATCH) in ("replace", "delete") and len(x) <= 2)]
    return v


def _clean(v: Any) -> Any:
    """A value new to the object: drop its nulls and directives in one pass.

    Works in place (values come from private copies of the patch) and only descends into
    containers holding something to drop (checked on their JSON text, in C)."""
    t = type(v)
    if (t is dict or t is list) and _is_pure(v):
        return v
    if t is dict:
        drop = None
        for k, x in v.items():
            if x is None or (k[:1] == "$" and _is_directive_key(k)):
                if drop is None:
                    drop = [k]
                else:
                    drop.append(k)
                continue
            tx = type(x)
            if tx is dict:
                _clean(x)
            elif tx is list:
                v[k] = _clean(x)
        if drop is not None:
            for k in drop:
                del v[k]
        return v
    if t is list:
        out = v
        for i, x in enumerate(v):
            tx = type(x)
            if tx is dict:
                if x.get(PATCH) in ("replace", "delete") and len(x) <= 2:
                    if out is v:
                        out = v[:i]
                    continue
                _clean(x)
            elif tx is list:
                x = _clean(x)
            if out is not v:
                out.append(x)
            else:
                v[i] = x
        return out
    if isinstance(v, dict) or isinstance(v, list):  # subclasses: the generic copy
        if isinstance(v, dict):
            return {k: _clean(x) for k, x in v.items() if x is not None and not _is_directive_key(k)}
        return [_clean(x) for x in v
                if not (isinstance(x, dict) and x.get(PATCH) in ("replace", "delete") and len(x) <= 2)]
    return v


# -- legacy (Istio 1.7) -----------------------------------------------------------------

def append_legacy(pod_spec: dict, injected: dict, *, proxy_first: bool = False) -> None:
    """Append a 1.7 `SidecarInjectionSpec` to a pod spec in place: init containers after
    the user's, the proxy container last (first with holdApplicationUntilProxyStarts),
    volumes and image pull secrets appended, `dnsConfig` replaced."""
    for field in ("initContainers", "volumes", "imagePullSecrets"):
        extra = injected.get(field) or []
        if extra:
            pod_spec[field] = list(pod_spec.get(field) or []) + copy.deepcopy(extra)
    containers = copy.deepcopy(injected.get("containers") or [])
    if containers:
        current = list(pod_spec.get("containers") or [])
        pod_spec["containers"] = containers + current if proxy_first else current + containers
    if injected.get("dnsConfig"):
        pod_spec["dnsConfig"] = copy.deepcopy(injected["dnsConfig"])
    else:
        pod_spec.pop("dnsConfig", None)
