"""Merging injected fragments into a pod.

Two styles, one per injector config format:

* legacy (Istio 1.7, `template`): the rendered YAML is a `SidecarInjectionSpec` whose
  lists are appended to the pod's (`append_legacy`);
* modern (Istio 1.10+, `templates`): each rendered template is a pod overlay applied with
  a Kubernetes strategic merge patch (`strategic_merge`): maps merge key by key, `null`
  deletes, lists of named things (containers, volumes, env, ...) merge by their patch
  merge key, other lists replace, and the `$patch` directives are honoured.

Everything works on plain JSON-like data (dicts/lists as `json.loads` gives them). The
strategic merge runs in the compiled `injector._merge_c` or its pure-Python twin
`injector._merge_py` (`BACKEND` says which; INJECTOR_NO_EXTENSIONS=1 forces the twin).
"""
from __future__ import annotations

import copy
from typing import Any

from injector import _ext, _merge_py

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


# The strategic merge itself: the compiled `_merge_c` unless unavailable or disabled,
# else its pure-Python twin (same results, key order included).
_impl = _ext.load("injector._merge_c", "injector._merge_py")
BACKEND = "cython" if _impl.__name__ == "injector._merge_c" else "python"

MergeError = _merge_py.MergeError
PATCH = _merge_py.PATCH
RETAIN_KEYS = _merge_py.RETAIN_KEYS


def strategic_merge(original: dict, patch: dict, kind: str = "Pod") -> dict:
    """Apply a strategic merge patch (as parsed JSON/YAML) to `original`; returns a new
    object and leaves both inputs untouched."""
    if not isinstance(patch, dict):
        raise MergeError(f"strategic merge patch must be a map, got {type(patch).__name__}")
    return _merge(clone(original) if original else {}, patch, kind)


def strategic_merge_into(original: dict, patch: dict, kind: str = "Pod") -> dict:
    """`strategic_merge` that may reuse `original` (a private copy the caller owns)
    instead of copying it first; `patch` is left untouched. Returns the result.

    Copy-on-write: the maps and lists of `original` are never modified, so a caller may
    share subtrees (a pod's long env lists) between the original and the result."""
    if not isinstance(patch, dict):
        raise MergeError(f"strategic merge patch must be a map, got {type(patch).__name__}")
    return _merge(original if original else {}, patch, kind)


def _merge(original: dict, patch: dict, kind: str) -> dict:
    try:
        return _impl.merge(original, patch, kind, True)
    except _merge_py.Unusual:
        pass
    # Something json.loads would not give (a tuple, a subclass, NaN, ...): merge what a
    # JSON round trip of the patch gives, as it always did (a deep copy when orjson
    # cannot write it).
    normalized = None
    if _orjson is not None:
        try:
            normalized = _orjson.loads(_orjson.dumps(patch))
        except (TypeError, _orjson.JSONEncodeError):
            pass
    if normalized is None:
        normalized = copy.deepcopy(patch)
    return _impl.merge(original, normalized, kind, False)


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
