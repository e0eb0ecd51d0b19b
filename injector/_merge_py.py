"""Strategic merge patch, pure Python: `injector._merge_py` (twin of `injector._merge_c`).

`merge(original, patch, kind, strict)` applies `patch` to `original` the way
`injector.merge.strategic_merge_into` documents; the selector in `injector.merge` picks
this module or its compiled port, which must give the same result, key order included.

One walk, no private copy of the patch first: the maps and lists of `original` are never
modified (copy-on-write: untouched subtrees are shared with the result), and every patch
value that goes into the result is copied fresh on the way, nulls and `$` directives
dropped in the same pass. `strict` (the fast path) accepts only the types `json.loads`
gives (exact dict/list/str/int/float/bool/None, str keys, finite floats) anywhere it
reads in the patch, and raises `Unusual` otherwise: the selector then normalises the
patch the way the previous implementation did (an orjson round trip) and merges again
with `strict=False`, where dict and list subclasses count as maps and lists.

This twin copies a value with nothing to drop by an orjson round trip (C speed; the
result is what the normalised slow path gives); the compiled port walks everything.
"""
from __future__ import annotations

import copy
import re
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    _orjson = None

__all__ = ["merge", "MergeError", "Unusual", "MERGE_LISTS", "STRUCT_FIELDS"]

# Strategic merge schema: type -> {field: (element type or None, merge key or "" for a
# merged primitive list)}. Only fields whose lists merge are listed; every other list
# is replaced, every map is merged. Types are named as in k8s.io/api.
MERGE_LISTS: dict[str, dict[str, tuple[str | None, str]]] = {
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
STRUCT_FIELDS: dict[str, dict[str, str]] = {
    "Pod": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodTemplateSpec": {"metadata": "ObjectMeta", "spec": "PodSpec"},
}

PATCH = "$patch"
RETAIN_KEYS = "$retainKeys"
ORDER_PREFIX = "$setElementOrder/"
DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList/"

_NO_LISTS: dict = {}
_MISSING = object()
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


class MergeError(ValueError):
    """A patch that strategic merge cannot apply (bad directive, list without key...)."""


class Unusual(Exception):
    """strict mode met a patch value `json.loads` would not give (see the module doc)."""


def field_type(kind: str | None, key: str) -> str | None:
    """The schema type of `kind`'s field `key` (a list field: its element type)."""
    if kind is None:
        return None
    sub = STRUCT_FIELDS.get(kind, _NO_LISTS).get(key)
    if sub:
        return sub
    entry = MERGE_LISTS.get(kind, _NO_LISTS).get(key)
    return entry[0] if entry else None


def is_directive_key(k: Any) -> bool:
    return type(k) is str and k[:1] == "$" and (
        k == PATCH or k == RETAIN_KEYS or k.startswith(ORDER_PREFIX) or k.startswith(DELETE_PRIMITIVE_PREFIX))


def _check(v: Any, strict: bool) -> None:
    """strict: raise Unusual unless `v` is plain JSON data all the way down."""
    if not strict:
        return
    t = type(v)
    if t is dict:
        for k, x in v.items():
            if type(k) is not str:
                raise Unusual
            _check(x, True)
    elif t is list:
        for x in v:
            _check(x, True)
    elif t not in _PLAIN or (t is float and v - v != 0):  # v - v: NaN for NaN and inf
        raise Unusual


def merge(original: dict, patch: dict, kind: str | None, strict: bool) -> dict:
    """`patch` merged into `original` (neither is modified); see the module doc."""
    if strict and type(patch) is not dict:
        raise Unusual
    return _merge_map(original, patch, kind, strict)


def _merge_map(original: dict, patch: dict, kind: str | None, strict: bool) -> dict:
    # The directives first: `$patch`, then the primitive deletes (so they act on the
    # original list), the orders and `$retainKeys` once the fields are merged.
    directive = None
    dels = orders = skip = None
    retain = _MISSING
    for k, x in patch.items():
        if type(k) is not str:
            if strict:
                raise Unusual
            continue
        if k[:1] != "$" or not is_directive_key(k):
            continue
        if skip is None:
            skip = set()
        skip.add(k)
        if k == PATCH:
            _check(x, strict)
            directive = x
        elif k == RETAIN_KEYS:
            _check(x, strict)
            retain = x
        elif k.startswith(DELETE_PRIMITIVE_PREFIX):
            _check(x, strict)
            if dels is None:
                dels = []
            dels.append((k[len(DELETE_PRIMITIVE_PREFIX):], x))
        elif k.startswith(ORDER_PREFIX):
            _check(x, strict)
            if orders is None:
                orders = []
            orders.append((k[len(ORDER_PREFIX):], x))
    if directive is not None:
        if directive == "replace":
            return _strip(patch, strict)
        if directive == "delete":
            return {}
        if directive != "merge":
            raise MergeError(f"unknown patch type {directive!r}")
    out = dict(original)
    if dels is not None:
        for name, drop in dels:
            drop = drop or []
            cur = out.get(name)
            if isinstance(cur, list):
                out[name] = [v for v in cur if v not in drop]
    lists = MERGE_LISTS.get(kind or "", _NO_LISTS)
    for key, pval in patch.items():
        tp = type(pval)
        if strict and (tp not in _PLAIN or (tp is float and pval - pval != 0)):
            raise Unusual
        if skip is not None and key in skip:
            continue
        if pval is None:
            out.pop(key, None)
            continue
        oval = out.get(key, _MISSING)
        if oval is _MISSING:
            out[key] = _clean(pval, strict)
        elif isinstance(pval, dict) and isinstance(oval, dict):
            out[key] = _merge_map(oval, pval, field_type(kind, key), strict)
        elif isinstance(pval, list) and isinstance(oval, list):
            spec = lists.get(key)
            out[key] = _strip(pval, strict) if spec is None else _merge_list(oval, pval, spec[0], spec[1], strict)
        else:
            out[key] = _clean(pval, strict)
    if orders is not None:
        for name, order in orders:
            spec = lists.get(name)
            cur = out.get(name)
            if isinstance(cur, list) and spec:
                out[name] = _apply_order(cur, order, spec[1])
    if retain is not _MISSING and isinstance(retain, list):
        for key in list(out):
            if key not in retain:
                del out[key]
    return out


def _key_of(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else item


def _directive_element(v: Any) -> bool:
    """A list element that only says "replace the list" or "delete an element"."""
    return isinstance(v, dict) and len(v) <= 2 and v.get(PATCH) in ("replace", "delete")


def _merge_list(olist: list, plist: list, elem_kind: str | None, key: str, strict: bool) -> list:
    if not key:  # merged primitive list: union, original order first
        out = list(olist)
        for v in plist:
            _check(v, strict)
            if v not in out:
                out.append(copy.deepcopy(v) if isinstance(v, (dict, list)) else v)
        return out
    # Special elements: {"$patch": "replace"} replaces the whole list, {"$patch":
    # "delete", key: v} deletes the matching original element.
    items: list = []
    replace = False
    deletes: list = []
    for v in plist:
        tv = type(v)
        if strict and tv is not dict:
            _check(v, True)  # a plain non-map is the error below
        if isinstance(v, dict) and PATCH in v:
            d = v[PATCH]
            _check(d, strict)
            if d == "replace":
                replace = True
                continue
            if d == "delete":
                kv = v.get(key)
                _check(kv, strict)
                deletes.append(kv)
                continue
            if d == "merge":
                v = {k: x for k, x in v.items() if k != PATCH}
            else:
                raise MergeError(f"unknown patch type {d!r} in list element")
        if not isinstance(v, dict):
            raise MergeError(f"list element without merge key {key!r}: {v!r}")
        items.append(v)
    if replace:
        return [_strip(v, strict) for v in items]
    original = [o for o in olist if _key_of(o, key) not in deletes] if deletes else list(olist)
    merged = list(original)
    patch_keys = []
    for v in items:
        kv = v.get(key)
        _check(kv, strict)
        patch_keys.append(kv)
        for i, o in enumerate(merged):
            if isinstance(o, dict) and o.get(key) == kv:
                merged[i] = _merge_map(o, v, elem_kind, strict)
                break
        else:
            merged.append(_clean(v, strict))
    # Kubernetes then orders the result: items named in the patch follow the patch's
    # order, the others keep theirs, and the two sequences are interleaved by their
    # positions in the original list (items new to the object come first).
    ranked = []
    server_only = []
    for m in merged:
        km = _key_of(m, key)
        if km in patch_keys:
            ranked.append((patch_keys.index(km), km, m))
        else:
            server_only.append((km, m))
    ranked.sort(key=_first)  # stable: equal keys keep their order
    order = [_key_of(o, key) for o in original]
    return _merge_sorted(server_only, [(km, m) for _, km, m in ranked], order)


def _first(t: tuple) -> Any:
    return t[0]


def _merge_sorted(left: list, right: list, order: list) -> list:
    """Interleave (key, item) sequences: a left item goes first when both keys are in
    the original `order` and the left one comes earlier there."""
    out = []
    i = j = 0
    nl, nr = len(left), len(right)
    while i < nl and j < nr:
        lk, rk = left[i][0], right[j][0]
        if lk in order and rk in order and order.index(lk) < order.index(rk):
            out.append(left[i][1])
            i += 1
        else:
            out.append(right[j][1])
            j += 1
    out.extend(m for _, m in left[i:])
    out.extend(m for _, m in right[j:])
    return out


def _apply_order(items: list, order: Any, key: str) -> list:
    wanted = [_key_of(o, key) for o in order]
    ranked = [m for w in wanted for m in items if _key_of(m, key) == w]
    rest = [m for m in items if _key_of(m, key) not in wanted]
    return ranked + rest


def _strip(v: Any, strict: bool) -> Any:
    """A fresh copy without directives (nulls kept): what `$patch: replace` leaves."""
    t = type(v)
    if strict and (t not in _PLAIN or (t is float and v - v != 0)):
        raise Unusual
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                if strict:
                    raise Unusual
            elif k[:1] == "$" and is_directive_key(k):
                continue
            out[k] = _strip(x, strict)
        return out
    if isinstance(v, list):
        out = []
        for x in v:
            if not _directive_element(x):
                out.append(_strip(x, strict))
        return out
    return v


# A `$...` key in orjson output (a string value is never followed by `":`).
_DIRECTIVE_KEY = re.compile(rb'"\$[^"]*":')


def _clean(v: Any, strict: bool) -> Any:
    """A fresh copy of a value new to the object: nulls and directives dropped."""
    t = type(v)
    if (t is dict or t is list) and _orjson is not None:
        # Most values hold nothing to drop: then a JSON round trip (in C) is the copy. It
        # gives what the slow path does after the selector's round trip of the patch.
        try:
            raw = _orjson.dumps(v)
        except (TypeError, _orjson.JSONEncodeError):
            pass
        else:
            if b"null" not in raw and _DIRECTIVE_KEY.search(raw) is None:
                return _orjson.loads(raw)
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if type(k) is not str:
                if strict:
                    raise Unusual
            elif k[:1] == "$" and is_directive_key(k):
                continue
            tx = type(x)
            if tx is dict or tx is list:
                out[k] = _clean(x, strict)
            elif x is None:
                continue
            elif strict and (tx not in _PLAIN or (tx is float and x - x != 0)):
                raise Unusual
            elif isinstance(x, (dict, list)):
                out[k] = _clean(x, False)
            else:
                out[k] = x
        return out
    if isinstance(v, list):
        out = []
        for x in v:
            tx = type(x)
            if tx is dict or tx is list:
                if tx is dict and _directive_element(x):
                    continue
                out.append(_clean(x, strict))
            elif strict and (tx not in _PLAIN or (tx is float and x - x != 0)):
                raise Unusual
            elif isinstance(x, (dict, list)):
                if not _directive_element(x):
                    out.append(_clean(x, False))
            else:
                out.append(x)
        return out
    _check(v, strict)
    return v
