"""Istio's injection-template functions (1.29.6 `ISTIO`, 1.7.3 `ISTIO_17`).

Istio declares typed parameters (map[string]string, ObjectMeta, []Container, proto
messages); here they take the template value model and behave as Istio's functions do
on the typed equivalent (see ../shared/spec/README-template-vectors.md, "How the Istio
functions treat the data"):

- a map[string]string argument is a `StrMap`, or a plain dict whose values are all
  Go strings; missing/nil is a nil map; anything else is an error;
- structs (ObjectMeta, Container, ContainerPort) are dicts keyed by Go field names,
  or `GoStruct`s;
- protoToJSON marshals with encoding/json like structToJSON.

In the `istio` set these replace sprig's functions of the same name (so `contains`
has its arguments flipped, `indent` leaves the first line alone, `env` takes a
default); `istio-1.7` is 1.7.3's set on its own, where `toJson` is `toJSON`.
"""
from __future__ import annotations

import os
from typing import Any

from ..gofmt import quote, sprint
from ..values import NO_VALUE, GoStruct, StrMap
from . import FuncError, GoFunc
from .gojson import (
    MarshalError,
    UnmarshalError,
    go_type_name,
    marshal,
    to_plain,
    unmarshal,
)
from .sprig import _float_to_int64, _wrap64, go_duration

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_NANOS_PER_SEC = 1_000_000_000

# Go's unicode.IsSpace set (Python's str.strip() also strips \x1c-\x1f, Go does not).
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _nil(v: Any) -> Any:
    """An interface{} parameter receives Go nil for a missing value."""
    return None if v is NO_VALUE else v


def _sprint(v: Any) -> str:
    """fmt.Sprint of one value."""
    return sprint(_nil(v))


# --- reading typed arguments out of the value model -----------------------------------

def _field(v: Any, name: str) -> tuple[Any, bool]:
    """A Go-named field of a struct-like map or GoStruct; ok False when absent. A
    map[string]string is indexed as Go indexes it: a missing key gives ""."""
    if isinstance(v, StrMap):
        return v.get(name, ""), True
    if isinstance(v, dict):
        if name in v:
            return v[name], True
        return None, False
    if isinstance(v, GoStruct) and v.has_field(name):
        return v.get(name), True
    return None, False


def _as_strmap(v: Any, fn: str) -> dict[str, str] | None:
    """An argument Istio declares map[string]string; None for a nil map."""
    if v is None or v is NO_VALUE:
        return None
    if isinstance(v, StrMap):
        return None if v.nil else v
    if isinstance(v, dict):
        for k, e in v.items():
            if type(e) is not str:
                raise FuncError(
                    f"{fn}: expected map[string]string; value for key {quote(k)} is {go_type_name(e)}"
                )
        return v
    raise FuncError(f"{fn}: expected map[string]string; got {go_type_name(v)}")


def _as_list(v: Any, fn: str) -> list[Any]:
    """An argument Istio declares as a slice (of containers, of ports)."""
    if v is None or v is NO_VALUE:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    raise FuncError(f"{fn}: expected a list; got {go_type_name(v)}")


def _string_field(v: Any, name: str) -> str:
    x, _ = _field(v, name)
    if isinstance(x, str):
        return str(x)
    if x is None or x is NO_VALUE:
        return ""
    return _sprint(x)


def _int32(n: int) -> int:
    return (n + (1 << 31)) % (1 << 32) - (1 << 31)


def _int32_field(v: Any, name: str) -> int:
    """A numeric field read as Go reads an int32 struct field."""
    x, _ = _field(v, name)
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return _int32(x)
    if isinstance(x, float):
        # float64 -> int32 out of range is what amd64 gives: the "integer indefinite".
        if x != x or not (-(2.0**31) <= x < 2.0**31):
            return -(1 << 31)
        return int(x)
    return 0


# --- ports and interfaces -------------------------------------------------------------

def _container_ports(containers: Any, fn: str, skip_proxy: bool) -> str:
    out: list[str] = []
    for c in _as_list(containers, fn):
        if skip_proxy and _string_field(c, "Name") == "istio-proxy":
            continue
        ports, _ = _field(c, "Ports")
        for p in _as_list(ports, fn):
            if _string_field(p, "Protocol") in ("UDP", "SCTP"):
                continue
            out.append(str(_int32_field(p, "ContainerPort")))
    return ",".join(out)


def include_inbound_ports(containers: Any) -> str:
    """Every TCP container port of the pod, comma-separated."""
    return _container_ports(containers, "includeInboundPorts", skip_proxy=False)


def application_ports(containers: Any) -> str:
    """Like includeInboundPorts, without the istio-proxy container's ports."""
    return _container_ports(containers, "applicationPorts", skip_proxy=True)


def exclude_inbound_port(port: Any, excluded: str) -> str:
    """Add PORT to the comma-separated EXCLUDED list unless it is already there."""
    want = _sprint(port).strip(_GO_SPACE)
    if want in ("", "0"):
        return excluded
    kept: list[str] = []
    for p in excluded.split(","):
        # Istio compares before trimming: "80, 81" does not contain "81".
        if p == want:
            return excluded
        p = p.strip(_GO_SPACE)
        if p:
            kept.append(p)
    kept.append(want)
    return ",".join(kept)


def _identity(s: str) -> str:
    return s


def append_multus_network(existing: str, network: str) -> str:
    """Add NETWORK ("ns/name" or "name") to a Multus networks annotation value."""
    if existing == "":
        return network
    i = existing.rfind("]")
    if i != -1:
        try:
            nets = unmarshal(existing)
        except UnmarshalError:
            return existing
        if nets is None:
            nets = []
        if not isinstance(nets, list) or any(n is not None and not isinstance(n, dict) for n in nets):
            return existing  # Go cannot unmarshal it into []map[string]interface{}
        ns, name = "", network
        parts = network.split("/")
        if len(parts) >= 2:
            ns, name = parts[0], parts[1]
        for n in nets:
            n = n or {}
            if n.get("name") == name and type(n.get("name")) is str:
                have = n.get("namespace")
                if have is None:
                    have = ""
                if type(have) is str and have == ns:
                    return existing
        if ns == "":
            add = f', {{"name": "{name}"}}'
        else:
            add = f', {{"name": "{name}", "namespace": "{ns}"}}'
        return existing[:i] + add + existing[i:]
    for n in existing.split(","):
        if n.strip(_GO_SPACE) == network:
            return existing
    return existing + ", " + network


# --- maps and metadata ----------------------------------------------------------------

def isset(m: Any, key: str) -> bool:
    sm = _as_strmap(m, "isset")
    return sm is not None and key in sm


def annotation(meta: Any, name: str, default: Any) -> str:
    """META.Annotations[NAME], or fmt.Sprint(DEFAULT) when absent."""
    ann, _ = _field(_nil(meta), "Annotations")
    sm = _as_strmap(ann, "annotation")
    if sm is not None and name in sm:
        return sm[name]
    return _sprint(default)


def value_or_default(value: Any, default: Any) -> Any:
    value = _nil(value)
    # Go compares the interface with "": a named string type is never equal to it.
    if value is None or (type(value) is str and value == ""):
        return _nil(default)
    return value


def merge_maps(*maps: Any) -> StrMap:
    if not maps:
        return StrMap(None)
    conv = [_as_strmap(m, "mergeMaps") for m in maps]
    out = StrMap({})
    for m in conv:
        if m:
            out.update(m)
    return out


def omit(d: Any, *keys: str) -> StrMap:
    sm = _as_strmap(d, "omit") or {}
    drop = set(keys)
    return StrMap({k: v for k, v in sm.items() if k not in drop})


def strdict(*v: str) -> StrMap:
    out = StrMap({})
    for i in range(0, len(v), 2):
        out[v[i]] = v[i + 1] if i + 1 < len(v) else ""
    return out


def _has_nil(v: Any) -> bool:
    if v is None or v is NO_VALUE:
        return True
    if type(v) is dict:
        return any(_has_nil(e) for e in v.values())
    if type(v) is list:
        return any(_has_nil(e) for e in v)
    return False


def omit_nil(v: Any) -> Any:
    """Drop nils from maps and lists, recursively; what empties that way becomes nil."""
    v = _nil(v)
    if not _has_nil(v):
        return v
    if type(v) is dict:
        out = {}
        for k, e in v.items():
            f = omit_nil(e)
            if f is not None:
                out[k] = f
        return out or None
    if type(v) is list:
        kept = [f for f in (omit_nil(e) for e in v) if f is not None]
        return kept or None
    return None


# --- JSON and YAML --------------------------------------------------------------------

def to_json(m: Any) -> str:
    """Istio's toJSON: a map[string]string as JSON; nil gives {}."""
    sm = _as_strmap(m, "toJSON")
    if sm is None:
        return "{}"
    return marshal(sm)


def from_json(s: str) -> Any:
    try:
        return unmarshal(s)
    except UnmarshalError:
        return "{}"


def struct_to_json(v: Any) -> str:
    v = _nil(v)
    if v is None:
        return "{}"
    try:
        return marshal(v)
    except MarshalError:
        return "{}"


def to_json_map(*maps: Any) -> str:
    merged = merge_maps(*maps)
    return marshal(merged)


def to_yaml(v: Any) -> str:
    """sigs.k8s.io/yaml.Marshal; any error gives ""."""
    from ... import (
        goyaml,  # YAML lives at the package top; imported late to avoid cycles
    )

    try:
        # encoding/json's view first (struct tags, nil maps), as sigs.k8s.io/yaml does
        return goyaml.dump(to_plain(v))
    except (MarshalError, ValueError, TypeError):
        return ""


# --- text -----------------------------------------------------------------------------

def _pad(spaces: int) -> str:
    """fmt.Sprintf(fmt.Sprintf("%% %ds", spaces), "") as Istio builds its padding."""
    digits = str(abs(spaces))
    num = 0
    for d in digits:
        if num > 1_000_000:  # fmt gives up on absurd widths
            return "%!(NOVERB)%!(EXTRA string=)"
        num = num * 10 + int(d)
    return " " * num


def indent(spaces: int, source: str) -> str:
    """Indent every line but the first (unlike sprig's indent)."""
    lines = source.split("\n")
    if len(lines) == 1:
        return source
    pad = _pad(spaces)
    return lines[0] + "\n" + "\n".join(pad + ln for ln in lines[1:])


def directory(p: str) -> str:
    """path.Split's directory part: everything up to the last '/'."""
    return p[: p.rfind("/") + 1]


def contains(needle: str, haystack: str) -> bool:
    return needle in haystack


def to_lower(s: str) -> str:
    """strings.ToLower: Go maps rune by rune (simple case mapping, no final sigma)."""
    if s.isascii():
        return s.lower()
    out = []
    for c in s:
        lc = c.lower()
        out.append(lc if len(lc) == 1 else ("i" if c == "\u0130" else c))
    return "".join(out)


def env(key: str, default: str) -> str:
    return os.environ.get(key) or default


# --- durations ------------------------------------------------------------------------

def _number(x: Any) -> float | int:
    if isinstance(x, bool):
        return 0
    if isinstance(x, (int, float)):
        return x
    return 0


def _to_int64(x: float | int) -> int:
    return _wrap64(x) if isinstance(x, int) else _float_to_int64(x)


def _duration_nanos(v: Any) -> int | None:
    """Nanoseconds of a Duration-like value (Seconds, Nanos); None when nil."""
    v = _nil(v)
    if v is None:
        return None
    secs = _to_int64(_number(_field(v, "Seconds")[0]))
    nanos = _to_int64(_number(_field(v, "Nanos")[0]))
    limit = _INT64_MAX // _NANOS_PER_SEC  # Go's MinInt64/1e9 truncates to -limit
    if secs > limit or secs < -limit:
        return _INT64_MAX if secs > 0 else _INT64_MIN
    return _wrap64(secs * _NANOS_PER_SEC + nanos)


def format_duration(v: Any) -> str:
    """1.29.6: a nil duration is 0s."""
    d = _duration_nanos(v)
    return go_duration(d or 0)


def format_duration_17(v: Any) -> str:
    """1.7.3: a nil duration is an error there, which Istio formats as 1s."""
    d = _duration_nanos(v)
    return "1s" if d is None else go_duration(d)


# --- render ---------------------------------------------------------------------------

def render(state: Any, text: str) -> str:
    """1.7.3's render: TEXT as a template named "inject" with the same functions,
    executed on the top-level data; any error gives ""."""
    from .. import ExecError, ParseError, Template

    try:
        tpl = Template.parse(text, name="inject", funcs=state.funcs)
        return tpl.execute(state.data)
    except (ParseError, ExecError, RecursionError):
        return ""


# --- the sets -------------------------------------------------------------------------

def _f(name: str, fn: Any, *params: str, variadic: str | None = None, state: bool = False) -> GoFunc:
    return GoFunc(name, fn, tuple(params), variadic=variadic, needs_state=state)


_COMMON = [
    _f("isset", isset, "any", "string"),
    _f("excludeInboundPort", exclude_inbound_port, "any", "string"),
    _f("includeInboundPorts", include_inbound_ports, "any"),
    _f("kubevirtInterfaces", _identity, "string"),
    _f("applicationPorts", application_ports, "any"),
    _f("annotation", annotation, "any", "string", "any"),
    _f("valueOrDefault", value_or_default, "any", "any"),
    _f("toJSON", to_json, "any"),
    _f("fromJSON", from_json, "string"),
    _f("structToJSON", struct_to_json, "any"),
    _f("protoToJSON", struct_to_json, "any"),
    _f("toYaml", to_yaml, "any"),
    _f("indent", indent, "int", "string"),
    _f("directory", directory, "string"),
    _f("contains", contains, "string", "string"),
    _f("toLower", to_lower, "string"),
    _f("env", env, "string", "string"),
    _f("render", render, "string", state=True),
]

ISTIO: dict[str, GoFunc] = {
    g.name: g
    for g in _COMMON
    + [
        _f("formatDuration", format_duration, "any"),
        _f("excludeInterfaces", _identity, "string"),
        _f("appendMultusNetwork", append_multus_network, "string", "string"),
        _f("omit", omit, "any", variadic="string"),
        _f("strdict", strdict, variadic="string"),
        _f("toJsonMap", to_json_map, variadic="any"),
        _f("mergeMaps", merge_maps, variadic="any"),
        _f("omitNil", omit_nil, "any"),
    ]
}

ISTIO_17: dict[str, GoFunc] = {
    g.name: g
    for g in _COMMON
    + [
        _f("formatDuration", format_duration_17, "any"),
        _f("toJson", to_json, "any"),
    ]
}
