"""The effective ProxyConfig of a pod, its `PROXY_CONFIG` JSON and its template data.

* `effective_proxy_config`: the mesh's `defaultConfig` with the pod annotation
  `proxy.istio.io/config` applied field by field (a field set in the annotation replaces
  the mesh's; maps merge key by key in Istio 1.10+, while Istio 1.7 replaced them whole).
* `proxy_config_json`: what Istio's `protoToJSON` prints for the template (the
  `PROXY_CONFIG` env var): the proto-JSON of the ProxyConfig after removing the fields
  that equal Istio's compiled-in defaults, fields in the declaration order of the
  `ProxyConfig` proto message, zero scalars omitted, map keys sorted.
* `proxyconfig_template_data`: `.ProxyConfig` for the templates in the Go value model
  (Go field names, `Stringer` enums, getter entries for wrappers and messages).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from injector.mesh import merge_proxy_config
from injector.template.values import GoStruct, Int64, StrMap, Stringer

PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"

# Field kinds: how a field prints in proto-JSON and what its Go zero value is.
STR, INT, ENUM, DUR, WRAP_INT, WRAP_BOOL, MSG, MAP, LIST, ONEOF_STR, ONEOF_ENUM = (
    "str", "int", "enum", "dur", "wint", "wbool", "msg", "map", "list", "ostr", "oenum",
)

# ProxyConfig fields in the declaration order of istio.mesh.v1alpha1.ProxyConfig.
FIELDS: list[tuple[str, str]] = [
    ("configPath", STR),
    ("binaryPath", STR),
    ("serviceCluster", ONEOF_STR),
    ("tracingServiceName", ONEOF_ENUM),
    ("drainDuration", DUR),
    ("parentShutdownDuration", DUR),
    ("discoveryAddress", STR),
    ("discoveryRefreshDelay", DUR),
    ("zipkinAddress", STR),
    ("connectTimeout", DUR),
    ("statsdUdpAddress", STR),
    ("envoyMetricsServiceAddress", STR),
    ("proxyAdminPort", INT),
    ("availabilityZone", STR),
    ("controlPlaneAuthPolicy", ENUM),
    ("customConfigFile", STR),
    ("statNameLength", INT),
    ("concurrency", WRAP_INT),
    ("proxyBootstrapTemplatePath", STR),
    ("interceptionMode", ENUM),
    ("tracing", MSG),
    ("sds", MSG),
    ("envoyAccessLogService", MSG),
    ("envoyMetricsService", MSG),
    ("proxyMetadata", MAP),
    ("runtimeValues", MAP),
    ("statusPort", INT),
    ("extraStatTags", LIST),
    ("gatewayTopology", MSG),
    ("terminationDrainDuration", DUR),
    ("meshId", STR),
    ("readinessProbe", MSG),
    ("proxyStatsMatcher", MSG),
    ("holdApplicationUntilProxyStarts", WRAP_BOOL),
    ("caCertificatesPem", LIST),
    ("image", MSG),
    ("privateKeyProvider", MSG),
    ("proxyHeaders", MSG),
    ("fileFlushInterval", DUR),
    ("fileFlushMinSizeKb", WRAP_INT),
]
FIELD_KIND = dict(FIELDS)

ENUMS: dict[str, list[str]] = {
    "interceptionMode": ["REDIRECT", "TPROXY", "NONE"],
    "controlPlaneAuthPolicy": ["NONE", "MUTUAL_TLS"],
    "tracingServiceName": ["APP_LABEL_AND_NAMESPACE", "CANONICAL_NAME_ONLY", "CANONICAL_NAME_AND_NAMESPACE"],
}
_ENUM_NUMBERS = {"controlPlaneAuthPolicy": {1000: "INHERIT"}}

# Fields Istio's cleanProxyConfig drops when they equal the compiled-in defaults.
CLEANED = [
    "configPath", "binaryPath", "controlPlaneAuthPolicy", "serviceCluster",
    "drainDuration", "terminationDrainDuration", "parentShutdownDuration",
    "discoveryAddress", "envoyMetricsService", "envoyAccessLogService", "tracing",
    "proxyAdminPort", "statNameLength", "statusPort", "concurrency",
]


_TLS = ["mode", "clientCertificate", "privateKey", "caCertificates", "credentialName", "subjectAltNames",
        "sni", "insecureSkipVerify", "caCrl"]
# Declaration order of the nested messages jsonpb prints (json name -> field order);
# a message's key in this table is the field path from ProxyConfig, "*" for any parent.
MESSAGE_ORDER: dict[str, list[str]] = {
    "tracing": ["zipkin", "lightstep", "datadog", "stackdriver", "openCensusAgent", "customTags",
                "maxPathTagLength", "sampling", "tlsSettings", "enableIstioTags"],
    "tracing.lightstep": ["address", "accessToken"],
    "tracing.stackdriver": ["debug", "maxNumberOfAttributes", "maxNumberOfAnnotations", "maxNumberOfMessageEvents"],
    "tracing.openCensusAgent": ["address", "context"],
    "*.tlsSettings": _TLS,
    "envoyAccessLogService": ["address", "tlsSettings", "tcpKeepalive"],
    "envoyMetricsService": ["address", "tlsSettings", "tcpKeepalive"],
    "*.tcpKeepalive": ["probes", "time", "interval"],
    "proxyStatsMatcher": ["inclusionPrefixes", "inclusionSuffixes", "inclusionRegexps"],
    "gatewayTopology": ["numTrustedProxies", "forwardClientCertDetails", "proxyProtocol"],
    "sds": ["enabled", "k8sSaJwtPath"],
    "image": ["imageType"],
}


def ordered_items(path: str, v: dict) -> list[tuple[str, Any]]:
    """A nested message's entries in declaration order (unknown keys after, as given)."""
    order = MESSAGE_ORDER.get(path) or MESSAGE_ORDER.get("*." + path.rsplit(".", 1)[-1])
    if not order:
        return list(v.items())
    rank = {k: i for i, k in enumerate(order)}
    return sorted(v.items(), key=lambda kv: rank.get(kv[0], len(order)))


class ProxyConfigError(ValueError):
    """The `proxy.istio.io/config` annotation is not a valid ProxyConfig."""


# ---------------------------------------------------------------- normalisation

_GO_DUR = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": Decimal("1e-9"), "us": Decimal("1e-6"), "µs": Decimal("1e-6"), "ms": Decimal("0.001"),
         "s": Decimal(1), "m": Decimal(60), "h": Decimal(3600)}


def parse_duration(v: Any) -> Decimal:
    """Seconds of a proto-JSON ("1.5s") or Go-style ("1m30s") duration."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return Decimal(str(v))
    s = str(v).strip()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    pos, total = 0, Decimal(0)
    for m in _GO_DUR.finditer(s):
        if m.start() != pos:
            break
        total += Decimal(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ProxyConfigError(f"invalid duration {v!r}")
    return -total if neg else total


def format_duration(seconds: Decimal) -> str:
    """proto-JSON Duration: "45s", "1.500s", "0.000001s" (0, 3, 6 or 9 fraction digits)."""
    neg = seconds < 0
    seconds = abs(seconds)
    whole = int(seconds)
    nanos = int(((seconds - whole) * Decimal(10**9)).to_integral_value())
    if nanos == 0:
        frac = ""
    elif nanos % 10**6 == 0:
        frac = f".{nanos // 10**6:03d}"
    elif nanos % 10**3 == 0:
        frac = f".{nanos // 10**3:06d}"
    else:
        frac = f".{nanos:09d}"
    return f"{'-' if neg else ''}{whole}{frac}s"


def duration_data(v: Any) -> dict:
    """A *durationpb.Duration as Go data: Seconds/Nanos fields and their getters."""
    total = parse_duration(v)
    seconds = int(total)  # truncates toward zero, as Duration keeps sign in both parts
    nanos = int(((total - seconds) * Decimal(10**9)).to_integral_value())
    return {"Seconds": Int64(seconds), "Nanos": Int64(nanos),
            "GetSeconds": Int64(seconds), "GetNanos": Int64(nanos)}


def _enum_name(field: str, v: Any) -> str:
    names = ENUMS.get(field, [])
    extra = _ENUM_NUMBERS.get(field, {})
    if isinstance(v, int) and not isinstance(v, bool):
        if 0 <= v < len(names):
            return names[v]
        if v in extra:
            return extra[v]
    elif isinstance(v, str) and (v in names or v in extra.values()):
        return v
    allowed = ", ".join([*names, *extra.values()])
    raise ProxyConfigError(f"{field}: unknown value {v!r} (one of {allowed})")


def _as_int(field: str, v: Any) -> int:
    try:
        return int(v) if not isinstance(v, str) else int(v.strip())
    except (TypeError, ValueError):
        raise ProxyConfigError(f"{field}: {v!r} is not an integer") from None


def normalize(pc: dict) -> dict:
    """Canonical proto-JSON values: durations "Ns", ints int, enums by name."""
    out: dict[str, Any] = {}
    for key, v in pc.items():
        kind = FIELD_KIND.get(key)
        if v is None:
            continue
        if kind == DUR:
            out[key] = format_duration(parse_duration(v))
        elif kind in (INT, WRAP_INT):
            out[key] = _as_int(key, v)
        elif kind in (ENUM, ONEOF_ENUM):
            out[key] = _enum_name(key, v)
        elif kind == WRAP_BOOL:
            out[key] = v if isinstance(v, bool) else str(v).lower() == "true"
        elif kind == MAP:
            if not isinstance(v, dict):
                raise ProxyConfigError(f"{key}: expected a map")
            out[key] = {str(k): "" if x is None else str(x) for k, x in v.items()}
        else:
            out[key] = v
    return out


# ---------------------------------------------------------------- effective config

def parse_proxy_config_annotation(text: str) -> dict:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        from injector.yamlerror import describe

        raise ProxyConfigError(f"not valid YAML: {describe(e)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ProxyConfigError("expected a map of ProxyConfig fields")
    return normalize(doc)


# normalize(mesh.defaultConfig) per mesh object: the mesh is loaded once, pods are many.
_BASE_CACHE: dict[int, tuple[dict, dict]] = {}


def _normalized_base(default_config: dict) -> dict:
    hit = _BASE_CACHE.get(id(default_config))
    if hit is not None and hit[0] is default_config:
        return hit[1]
    base = normalize(default_config)
    if len(_BASE_CACHE) > 64:
        _BASE_CACHE.clear()
    _BASE_CACHE[id(default_config)] = (default_config, base)
    return base


def effective_proxy_config(mesh: dict, annotations: dict | None = None, legacy: bool = False) -> dict:
    """mesh.defaultConfig with the pod's `proxy.istio.io/config` annotation applied.

    The result is a new top-level dict; nested values are shared with the mesh (read-only).
    """
    base = _normalized_base(mesh.get("defaultConfig") or {})
    text = (annotations or {}).get(PROXY_CONFIG_ANNOTATION)
    if not text:
        return dict(base)
    try:
        overlay = parse_proxy_config_annotation(text)
    except ProxyConfigError as e:
        raise ProxyConfigError(
            f"invalid value for annotation '{PROXY_CONFIG_ANNOTATION}': {e}") from None
    return merge_proxy_config(base, overlay, merge_maps=not legacy)


# ---------------------------------------------------------------- PROXY_CONFIG

def clean_proxy_config(pc: dict, defaults: dict) -> dict:
    """Drop the fields Istio drops when equal to the compiled-in defaults."""
    pc = normalize(pc)
    d = normalize(defaults)
    out = dict(pc)
    for key in CLEANED:
        if key not in out:
            continue
        kind = FIELD_KIND[key]
        if kind in (STR, ONEOF_STR, INT, ENUM):
            # scalars: compared with the default value (absent default = Go zero)
            zero = 0 if kind == INT else ("NONE" if key == "controlPlaneAuthPolicy" else "")
            if out[key] == d.get(key, zero):
                del out[key]
        elif out[key] == d.get(key):  # messages, durations, wrappers: presence matters
            del out[key]
    if not out.get("proxyMetadata"):
        out.pop("proxyMetadata", None)
    return out


def _go_json_string(s: str) -> str:
    # Go's encoder escapes HTML characters and the JS line separators.
    out = json.dumps(s, ensure_ascii=False)
    return (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _json_value(v: Any, path: str = "") -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return json.dumps(v)
    if isinstance(v, str):
        return _go_json_string(v)
    if isinstance(v, dict):
        return "{" + ",".join(_go_json_string(str(k)) + ":" + _json_value(x, f"{path}.{k}")
                              for k, x in ordered_items(path, v)) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_json_value(x, path) for x in v) + "]"
    return _go_json_string(str(v))


def _is_zero(kind: str | None, v: Any) -> bool:
    if v is None:
        return True
    if kind in (STR, INT):
        return v in ("", 0)
    if kind in (MAP, LIST):
        return len(v) == 0
    return False  # messages, wrappers, durations and oneof members print when present


def _printed_fields(pc: dict) -> Iterator[tuple[str, str | None, Any]]:
    """(proto-JSON name, kind, value) of the fields jsonpb prints: declaration order, then
    unknown fields sorted; zero scalars and default enums left out."""
    for key in [k for k, _ in FIELDS if k in pc] + sorted(k for k in pc if k not in FIELD_KIND):
        kind = FIELD_KIND.get(key)
        v = pc[key]
        if kind == ENUM:
            if v == ENUMS[key][0]:
                continue
        elif _is_zero(kind, v):
            continue
        yield key, kind, v


def proto_json(pc: dict) -> str:
    """Compact proto-JSON of a ProxyConfig (jsonpb: declaration order, no zero scalars)."""
    parts = []
    for key, kind, v in _printed_fields(normalize(pc)):
        if kind == MAP:
            v = dict(sorted(v.items()))
        parts.append(_go_json_string(key) + ":" + _json_value(v, key))
    return "{" + ",".join(parts) + "}"


def proxy_config_json(pc: dict, defaults: dict) -> str:
    """The `PROXY_CONFIG` value: proto-JSON of `pc` minus the fields equal to `defaults`."""
    return proto_json(clean_proxy_config(pc, defaults))


# ---------------------------------------------------------------- template data

class ProxyConfigData(GoStruct):
    """`.ProxyConfig` in the Go value model: a struct with Go field names.

    Templates read the Go-named fields (tag "-": encoding/json skips them). The hidden
    fields after them carry the cleaned proto-JSON (json tags = proto-JSON names, in
    declaration order), so `protoToJSON`/`structToJSON` marshalling this struct with
    encoding/json rules prints what Istio's protoToJSON prints. `proto_json` holds the
    same text ready made; `config` the effective ProxyConfig (proto-JSON data).
    """

    __slots__ = ("proto_json", "config")

    def __init__(self, access: dict, proto_fields: list[tuple[str, Any]], proto_json: str = "{}",
                 config: dict | None = None) -> None:
        fields = [(name, "-", value) for name, value in access.items()]
        fields += [("XXX_proto_" + key, key, value) for key, value in proto_fields]
        super().__init__(fields, type_name="*v1alpha1.ProxyConfig")
        self.proto_json = proto_json
        self.config = config or {}

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.has_field(name) and not name.startswith("XXX_proto_")


def _proto_fields(pc: dict) -> list[tuple[str, Any]]:
    """(proto-JSON name, value) pairs that jsonpb prints, in order, as Go values."""
    return [(key, _go_json_value(v, key, kind == MAP)) for key, kind, v in _printed_fields(pc)]


def _go_json_value(v: Any, path: str, is_map: bool = False) -> Any:
    """Go data that encoding/json prints as jsonpb prints `v`: messages become structs
    (fields in declaration order), maps stay maps (encoding/json sorts their keys)."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return Int64(v)
    if isinstance(v, dict):
        if is_map:
            return {str(k): _go_json_value(x, f"{path}.{k}") for k, x in v.items()}
        return GoStruct([("F" + str(i), str(k), _go_json_value(x, f"{path}.{k}"))
                         for i, (k, x) in enumerate(ordered_items(path, v))])
    if isinstance(v, list):
        return [_go_json_value(x, path) for x in v]
    return v


def go_name(json_name: str) -> str:
    return json_name[:1].upper() + json_name[1:]


def _go_message(v: Any) -> Any:
    """A nested proto message as Go data: Go field names plus `GetX` getter entries."""
    if isinstance(v, dict):
        out: dict[str, Any] = {}
        for k, x in v.items():
            conv = _go_message(x)
            out[go_name(str(k))] = conv
            out["Get" + go_name(str(k))] = conv
        return out
    if isinstance(v, list):
        return [_go_message(x) for x in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return Int64(v)
    return v


# Getters the templates call on nested messages, with their value on an unset field.
_NIL_GETTERS = {"tracing": {"TlsSettings": None, "GetTlsSettings": None}}


def proxyconfig_template_data(pc: dict, defaults: dict | None = None) -> ProxyConfigData:
    """Build `.ProxyConfig` for the templates from an effective ProxyConfig.

    Every ProxyConfig field is present with its Go name and Go zero value when unset;
    wrappers are `{"GetValue": v}`; messages are maps (or None) with a `GetX` getter
    entry that is safe on a nil message, as protobuf getters are.
    """
    pc = normalize(pc)
    data: dict[str, Any] = {}
    for key, kind in FIELDS:
        v = pc.get(key)
        name = go_name(key)
        if kind in (STR, ONEOF_STR):
            data[name] = "" if v is None else str(v)
        elif kind == INT:
            data[name] = Int64(v or 0)
        elif kind in (ENUM, ONEOF_ENUM):
            data[name] = Stringer(ENUMS[key][0] if v is None else v)
        elif kind == DUR:
            data[name] = None if v is None else duration_data(v)
        elif kind == WRAP_INT:
            data[name] = {"GetValue": Int64(v or 0)}
        elif kind == WRAP_BOOL:
            data[name] = {"GetValue": bool(v)}
        elif kind == MAP:
            data[name] = StrMap(None) if v is None else StrMap(v)
        elif kind == LIST:
            data[name] = list(v or [])
        else:  # MSG
            conv = None if v is None else _go_message(v)
            if conv is not None and key in _NIL_GETTERS:
                conv = {**_NIL_GETTERS[key], **conv}
            data[name] = conv
            data["Get" + name] = conv if conv is not None else dict(_NIL_GETTERS.get(key, {}))
    for key, v in pc.items():  # fields we do not know: keep them readable
        if key not in FIELD_KIND:
            data[go_name(key)] = _go_message(v)
    shown = clean_proxy_config(pc, defaults) if defaults is not None else pc
    return ProxyConfigData(data, _proto_fields(shown), proto_json=proto_json(shown), config=pc)


def mesh_template_data(mesh: dict, proxy_defaults: dict | None = None) -> dict:
    """`.MeshConfig` for the templates: Go field names, integers as Int64."""
    out: dict[str, Any] = {}
    for k, v in mesh.items():
        if k == "defaultConfig":
            continue
        conv = _go_message(v)
        out[go_name(k)] = conv
    for k in ("proxyListenPort", "proxyInboundListenPort"):
        out[go_name(k)] = Int64(int(mesh.get(k) or 0))
    out.setdefault("TrustDomain", "")
    out["DefaultConfig"] = proxyconfig_template_data(mesh.get("defaultConfig") or {}, proxy_defaults)
    return out
