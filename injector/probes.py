"""App probe and lifecycle-hook rewriting (Istio's `rewriteAppHTTPProbe`).

Kubelet cannot reach an app's HTTP probe through a mTLS sidecar, so the injector points
each app probe at the agent's status port (`/app-health/<container>/readyz|livez|startupz`,
hooks at `/app-lifecycle/<container>/prestopz|poststartz`) and hands the originals to the
agent in the istio-proxy env var `ISTIO_KUBE_APP_PROBERS`.

Two generations: `legacy=True` is Istio 1.7 (HTTP probes only; the env var is always
added, `{}` when empty); otherwise the modern rules (HTTP, TCP and gRPC probes, lifecycle
hooks, env var only when something was found, merged on re-injection). All functions
work in place on JSON pod data.
"""
from __future__ import annotations

import json
import re
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    _orjson = None

PROXY = "istio-proxy"
ENV_NAME = "ISTIO_KUBE_APP_PROBERS"
REWRITE_ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers"
STATUS_PORT_ANNOTATION = "status.sidecar.istio.io/port"

_PROBES = (("readinessProbe", "readyz"), ("livenessProbe", "livez"), ("startupProbe", "startupz"))
_HOOKS = (("preStop", "prestopz"), ("postStart", "poststartz"))
# Field order of the Go structs the prober JSON is marshalled from.
_HTTP_GET_ORDER = ("path", "port", "host", "scheme", "httpHeaders")
_TCP_ORDER = ("port", "host")
_GRPC_ORDER = ("port", "service")

_PARSE_BOOL = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def should_rewrite(annotations: dict | None, default: bool) -> bool:
    """The annotation (Go strconv.ParseBool syntax) wins over the config's default."""
    value = (annotations or {}).get(REWRITE_ANNOTATION)
    if value is not None and value in _PARSE_BOOL:
        return _PARSE_BOOL[value]
    return bool(default)


def status_port(annotations: dict | None, default: int) -> int:
    value = (annotations or {}).get(STATUS_PORT_ANNOTATION)
    if value is None:
        return int(default)
    try:
        return int(value)
    except ValueError:
        return 0  # Go's Atoi error leaves 0


# (order, key sequence) pairs already in that order (they repeat from pod to pod): a
# plain copy does.
_IN_ORDER: set[tuple] = set()


def _ordered(d: dict, order: tuple[str, ...]) -> dict:
    """A copy of `d` with the keys of `order` first, in that order."""
    keys = tuple(d)
    if (order, keys) in _IN_ORDER:
        return dict(d)
    out = {k: d[k] for k in order if k in d}
    if len(out) != len(d):
        out.update({k: v for k, v in d.items() if k not in out})
    if tuple(out) == keys and len(_IN_ORDER) < 1024:  # bounded: keys come from pods
        _IN_ORDER.add((order, keys))
    return out


def _port_map(container: dict) -> dict[str, int]:
    return {p["name"]: p.get("containerPort", 0) for p in container.get("ports") or [] if p.get("name")}


_ACTIONS = (("httpGet", _HTTP_GET_ORDER), ("tcpSocket", _TCP_ORDER), ("grpc", _GRPC_ORDER))
_LEGACY_ACTIONS = _ACTIONS[:1]
# orjson options: subclasses, datetimes and dataclasses raise (json.dumps writes or
# rejects them its own way) instead of being written.
_ORJSON_OPTIONS = 0 if _orjson is None else (
    _orjson.OPT_PASSTHROUGH_SUBCLASS | _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS)
# Where orjson's text may differ from json.dumps': a float (always a digit then "." or
# "e": 1.0, 1e16 where json writes 1e+16) or a null (NaN and infinities become null).
# A string that looks like one ("/v1.0") only costs the slow path. Digits map to "0"
# and "E" to "e" so that one literal-led pattern finds them.
_FLOAT_MARKS = bytes.maketrans(b"123456789E", b"000000000e")
_FLOAT_SIGN = re.compile(rb"0[.e]")


def _maybe_float(raw: bytes) -> bool:
    return b"null" in raw or _FLOAT_SIGN.search(raw.translate(_FLOAT_MARKS)) is not None


def compact_json(v: Any) -> str:
    """json.dumps(v, separators=(",", ":"), ensure_ascii=False) for JSON data (what
    json.loads or YAML gives), through orjson (ten times faster) when its text is the
    same: strings are escaped alike (ensure_ascii=False: only quotes, backslashes and
    control characters); non-str keys, big ints and lone surrogates make orjson raise."""
    if _orjson is not None:
        try:
            raw = _orjson.dumps(v, option=_ORJSON_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError included
            pass
        else:
            if not _maybe_float(raw):
                return raw.decode()
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _internal_prober(probe: dict | None, legacy: bool) -> dict | None:
    """Go's kubeProbeToInternalProber: the action plus timeoutSeconds."""
    if not isinstance(probe, dict):
        return None
    for action, order in _LEGACY_ACTIONS if legacy else _ACTIONS:
        spec = probe.get(action)
        if isinstance(spec, dict):
            inner = _ordered(spec, order)
            if action == "grpc" and "service" not in inner:
                inner["service"] = None  # *string without omitempty
            out: dict[str, Any] = {action: inner}
            if probe.get("timeoutSeconds"):
                out["timeoutSeconds"] = probe["timeoutSeconds"]
            return out
    return None


def _resolve_port(prober: dict | None, container: dict, target: int, legacy: bool) -> dict | None:
    if prober is None:
        return None
    if "grpc" in prober:
        return prober
    action = prober.get("httpGet") or prober.get("tcpSocket")
    if action is None:
        return None
    port = action.get("port")
    if isinstance(port, str):
        ports = _port_map(container)  # named ports are rare: resolved on demand
        if port not in ports:
            return None
        action["port"] = ports[port]
    elif not legacy and port == target:
        return None  # already rewritten
    return prober


def _app_containers(pod_spec: dict, legacy: bool) -> list:
    """The containers whose probes Istio serves: every one but istio-proxy, modern Istio's
    init containers (sidecars with restartPolicy Always) first."""
    containers = pod_spec.get("containers") or []
    if not legacy:
        containers = [*(pod_spec.get("initContainers") or []), *containers]
    return [c for c in containers if c.get("name", "") != PROXY]


def dump_app_probers(pod_spec: dict, target_port: int, *, legacy: bool) -> str:
    """The `ISTIO_KUBE_APP_PROBERS` value ("" when there is nothing, modern only)."""
    out: dict[str, Any] = {}
    for c in _app_containers(pod_spec, legacy):
        name = c.get("name", "")
        for field, suffix in _PROBES:
            probe = c.get(field)
            if probe is not None:
                p = _resolve_port(_internal_prober(probe, legacy), c, target_port, legacy)
                if p is not None:
                    out[f"/app-health/{name}/{suffix}"] = p
        if not legacy and isinstance(c.get("lifecycle"), dict):
            for field, suffix in _HOOKS:
                hook = c["lifecycle"].get(field)
                p = _resolve_port(_internal_prober(hook, False), c, target_port, False)
                if p is not None:
                    p.pop("timeoutSeconds", None)
                    out[f"/app-lifecycle/{name}/{suffix}"] = p
    if not out and not legacy:
        return ""
    return compact_json(dict(sorted(out.items())))


def _convert(probe: dict | None, url: str, port: int, legacy: bool) -> dict | None:
    if not isinstance(probe, dict):
        return None
    if isinstance(probe.get("httpGet"), dict):
        http = dict(probe["httpGet"])
        http["port"] = port
        http["path"] = url
        if http.get("scheme") == "HTTPS":
            http["scheme"] = "HTTP"
        out = dict(probe)
        out["httpGet"] = http
        return out
    if legacy:
        return None
    for action in ("tcpSocket", "grpc"):
        if isinstance(probe.get(action), dict):
            out = {k: v for k, v in probe.items() if k != action}
            out["httpGet"] = {"path": url, "port": port}
            return out
    return None


def rewrite_probes(pod_spec: dict, port: int, *, legacy: bool) -> None:
    """Point app probes (and, modern, lifecycle hooks) at the agent's status port.
    Modern Istio also rewrites init containers (sidecars with restartPolicy Always)."""
    for c in _app_containers(pod_spec, legacy):
        name = c.get("name", "")
        for field, suffix in _PROBES:
            probe = c.get(field)
            if isinstance(probe, dict):  # (the URL is only built for a probe)
                new = _convert(probe, f"/app-health/{name}/{suffix}", port, legacy)
                if new is not None:
                    c[field] = new
        if not legacy and isinstance(c.get("lifecycle"), dict):
            for field, suffix in _HOOKS:
                hook = c["lifecycle"].get(field)
                if isinstance(hook, dict):
                    new = _convert(hook, f"/app-lifecycle/{name}/{suffix}", port, False)
                    if new is not None:
                        c["lifecycle"][field] = new


def find_sidecar(pod_spec: dict, *, init_too: bool = True) -> dict | None:
    for field in ("containers", "initContainers") if init_too else ("containers",):
        for c in pod_spec.get(field) or []:
            if c.get("name") == PROXY:
                return c
    return None


def merge_or_append_probers(env: list, value: str, previously_injected: bool) -> list:
    """Modern: on re-injection merge the new probers into the existing env value."""
    env = list(env or [])
    if previously_injected:
        for i, e in enumerate(env):
            if e.get("name") == ENV_NAME:
                try:
                    old = json.loads(e.get("value") or "{}")
                except ValueError:
                    old = {}
                old.update(json.loads(value))
                merged = compact_json(dict(sorted(old.items())))
                env[i] = {"name": ENV_NAME, "value": merged}
                return env
    env.append({"name": ENV_NAME, "value": value})
    return env
