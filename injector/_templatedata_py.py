"""Pure-Python twin of the template-data converters: `injector._templatedata_py`.

The reference for `_speedups/_templatedata_c.pyx` (which must return exactly what this
returns: same values, same types, same key order); `injector.templatedata` picks one.
See that module for what the data is. The pod's JSON becomes the Go value model:

* a known struct (ObjectMeta, PodSpec, Container) is a dict keyed by Go field names, in
  the order of its zero table below, with the Go zero value of every field the object
  lacks (or holds as null), then the object's other keys in their order;
* `Labels`/`Annotations`/`NodeSelector` are `StrMap`s (nil when absent), container ports
  `GoStruct`s of `v1.ContainerPort`;
* anything else is converted generically (`go_value`): maps get Go field names
  (`go_name`), integers become `Int64`, the rest stays.

Every call returns fresh dicts and lists (zero lists included): later stages may mutate.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from injector.template.values import GoStruct, Int64, StrMap

# JSON names whose Go field name is not just the capitalised JSON name.
_GO_NAMES = {
    "apiVersion": "APIVersion", "uid": "UID", "hostIP": "HostIP", "hostIPs": "HostIPs",
    "podIP": "PodIP", "podIPs": "PodIPs", "hostPID": "HostPID", "hostIPC": "HostIPC",
    "dnsPolicy": "DNSPolicy", "dnsConfig": "DNSConfig", "httpGet": "HTTPGet",
    "tcpSocket": "TCPSocket", "grpc": "GRPC", "httpHeaders": "HTTPHeaders",
    "fsGroup": "FSGroup", "fsGroupChangePolicy": "FSGroupChangePolicy",
    "seLinuxOptions": "SELinuxOptions", "seLinuxChangePolicy": "SELinuxChangePolicy",
    "tty": "TTY", "ip": "IP", "nfs": "NFS", "iscsi": "ISCSI", "rbd": "RBD", "fc": "FC",
    "cephfs": "CephFS", "csi": "CSI", "os": "OS", "setHostnameAsFQDN": "SetHostnameAsFQDN",
    "serviceAccount": "DeprecatedServiceAccount", "gcePersistentDisk": "GCEPersistentDisk",
    "awsElasticBlockStore": "AWSElasticBlockStore", "scaleIO": "ScaleIO",
    "readOnlyRootFilesystem": "ReadOnlyRootFilesystem", "appArmorProfile": "AppArmorProfile",
}

# Go zero values of the fields templates may read (json name -> zero), in output order.
# Zero lists and dicts must stay empty: they are copied per call, never shared.
_OBJECT_META_ZERO = {
    "name": "", "generateName": "", "namespace": "", "selfLink": "", "uid": "",
    "resourceVersion": "", "generation": Int64(0), "labels": None, "annotations": None,
    "ownerReferences": [], "finalizers": [],
}
_POD_SPEC_ZERO = {
    "volumes": [], "initContainers": [], "containers": [], "ephemeralContainers": [],
    "restartPolicy": "", "terminationGracePeriodSeconds": None, "activeDeadlineSeconds": None,
    "dnsPolicy": "", "nodeSelector": None, "serviceAccountName": "", "serviceAccount": "",
    "automountServiceAccountToken": None, "nodeName": "", "hostNetwork": False,
    "hostPID": False, "hostIPC": False, "shareProcessNamespace": None, "securityContext": None,
    "imagePullSecrets": [], "hostname": "", "subdomain": "", "affinity": None,
    "schedulerName": "", "tolerations": [], "hostAliases": [], "priorityClassName": "",
    "priority": None, "dnsConfig": None, "readinessGates": [], "runtimeClassName": None,
    "enableServiceLinks": None, "preemptionPolicy": None, "topologySpreadConstraints": [],
    "setHostnameAsFQDN": None, "os": None, "hostUsers": None, "schedulingGates": [],
    "resourceClaims": [],
}
_CONTAINER_ZERO = {
    "name": "", "image": "", "command": [], "args": [], "workingDir": "", "ports": [],
    "envFrom": [], "env": [], "resources": {}, "resizePolicy": [], "restartPolicy": None,
    "volumeMounts": [], "volumeDevices": [], "livenessProbe": None, "readinessProbe": None,
    "startupProbe": None, "lifecycle": None, "terminationMessagePath": "",
    "terminationMessagePolicy": "", "imagePullPolicy": "", "securityContext": None,
    "stdin": False, "stdinOnce": False, "tty": False,
}
# ContainerPort: Go field order and json tags (structToJSON prints these).
_PORT_FIELDS = (
    ("Name", "name,omitempty", "name", ""),
    ("HostPort", "hostPort,omitempty", "hostPort", Int64(0)),
    ("ContainerPort", "containerPort", "containerPort", Int64(0)),
    ("Protocol", "protocol,omitempty", "protocol", ""),
    ("HostIP", "hostIP,omitempty", "hostIP", ""),
)
_PORT_TYPE = "v1.ContainerPort"
_PORT_INDEX = {go: i for i, (go, _tag, _js, _zero) in enumerate(_PORT_FIELDS)}
_STRMAP_FIELDS = {"labels", "annotations", "nodeSelector"}
# Fields whose value is a list of structs converted by their own table.
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
_PORT_LISTS = ("ports",)

# Int64(0) .. Int64(1023), shared: ints are immutable, and building an Int64 costs more
# than the rest of an integer's conversion.
_SMALL_INT64 = tuple(Int64(i) for i in range(1024))
_N_SMALL = len(_SMALL_INT64)

_NAME_MEMO: dict[str, str] = {}
_NAME_MEMO_MAX = 8192  # field names repeat; user map keys are bounded here
_MISSING = object()
_new_struct = object.__new__


def go_name(json_name: str) -> str:
    """The Go field name of a JSON name (`uid` -> `UID`, `name` -> `Name`)."""
    name = _NAME_MEMO.get(json_name)
    if name is None:
        name = _GO_NAMES.get(json_name) or (json_name[:1].upper() + json_name[1:])
        if len(_NAME_MEMO) < _NAME_MEMO_MAX:
            _NAME_MEMO[json_name] = name
    return name


def go_value(v: Any) -> Any:
    """Generic JSON -> Go view: Go field names, integers as Int64."""
    t = type(v)
    if t is str or t is bool or t is float or v is None:
        return v
    if t is dict:
        return _go_map(v)
    if t is list:
        return [x if type(x) is str else (_go_map(x) if type(x) is dict else go_value(x)) for x in v]
    if t is int:
        return _SMALL_INT64[v] if 0 <= v < _N_SMALL else Int64(v)
    # subclasses and anything else: the general rules
    if isinstance(v, dict):
        return {go_name(k): go_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [go_value(x) for x in v]
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return Int64(v)
    return v


def _go_map(v: dict) -> dict:
    # hot: every env var and probe of every container passes here; the common types are
    # go_value's, inline
    memo = _NAME_MEMO
    out = {}
    for k, x in v.items():
        name = memo.get(k)
        if name is None:
            name = go_name(k)
        t = type(x)
        if t is str:
            out[name] = x
        elif t is dict:
            out[name] = _go_map(x)
        elif t is int:
            out[name] = _SMALL_INT64[x] if 0 <= x < _N_SMALL else Int64(x)
        else:
            out[name] = go_value(x)
    return out


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _strmap(val: Any) -> StrMap:
    """map[string]string of a JSON map: keys and values as strings; nil for null."""
    return StrMap(None) if val is None else StrMap({str(a): _s(b) for a, b in val.items()})


# Field kinds of a struct table.
PLAIN, STRMAP, SPECIAL = range(3)


def _nil_strmap() -> StrMap:
    return StrMap(None)


class _Table:
    """A struct's fields, worked out once: (json, Go name, zero, kind, converter, make).

    `make`: None when the zero is immutable (shared), else what makes a fresh zero."""

    __slots__ = ("fields", "names")

    def __init__(self, zeros: dict, special: dict[str, Callable[[Any], Any]]) -> None:
        fields = []
        for k, zero in zeros.items():
            make: Callable[[], Any] | None = None
            if type(zero) in (list, dict):
                if zero:
                    raise ValueError(f"zero of {k!r} must be empty (it is copied per call)")
                make = type(zero)
            if k in _STRMAP_FIELDS:
                kind, make = STRMAP, _nil_strmap
            elif k in special:
                kind = SPECIAL
            else:
                kind = PLAIN
            fields.append((k, go_name(k), zero, kind, special.get(k), make))
        self.fields = tuple(fields)
        self.names = frozenset(zeros)


def _struct(obj: Any, table: _Table) -> dict:
    """A known struct: every table field (value or zero) in table order, then the rest."""
    if not isinstance(obj, dict):
        obj = {}
    out: dict[str, Any] = {}
    get = obj.get
    present = 0
    for k, go, zero, kind, conv, make in table.fields:
        x = get(k, _MISSING)
        if x is _MISSING:
            out[go] = zero if make is None else make()
            continue
        present += 1
        if kind == PLAIN:
            if x is None:
                out[go] = zero if make is None else make()
            else:
                out[go] = x if type(x) is str else go_value(x)
        elif kind == SPECIAL:
            out[go] = conv(x)
        else:
            out[go] = _strmap(x)
    if present != len(obj):  # keys the table does not know, in the object's order
        names = table.names
        for k, v in obj.items():
            if k not in names:
                out[go_name(k)] = go_value(v)
    return out


def port_struct(p: Any) -> GoStruct:
    """A `v1.ContainerPort` struct of a JSON port (zeros for what it lacks)."""
    fields = []
    for go, tag, js, zero in _PORT_FIELDS:
        v = p.get(js, zero) if isinstance(p, dict) else zero
        if isinstance(zero, Int64):
            v = int(v or 0)
            v = _SMALL_INT64[v] if 0 <= v < _N_SMALL else Int64(v)
        elif v is None:
            v = zero
        fields.append((go, tag, v))
    # GoStruct(fields, type_name=_PORT_TYPE) without running its __init__ (a third of the
    # cost of a port): the same slots, set as it sets them (tests compare the two)
    s = _new_struct(GoStruct)
    s.fields = fields
    s._index = _PORT_INDEX.copy()
    s.type_name = _PORT_TYPE
    return s


def _ports(ps: Any) -> list:
    return [port_struct(p) for p in ps or []]


def _containers(cs: Any) -> list:
    return [container_data(c) for c in cs or []]


_CONTAINER_TABLE = _Table(_CONTAINER_ZERO, {k: _ports for k in _PORT_LISTS})
_OBJECT_META_TABLE = _Table(_OBJECT_META_ZERO, {})
_POD_SPEC_TABLE = _Table(_POD_SPEC_ZERO, {k: _containers for k in _CONTAINER_LISTS})


def container_data(c: Any) -> dict:
    return _struct(c, _CONTAINER_TABLE)


def object_meta_data(meta: Any) -> dict:
    return _struct(meta, _OBJECT_META_TABLE)


def pod_spec_data(spec: Any) -> dict:
    return _struct(spec, _POD_SPEC_TABLE)


def type_meta_data(kind: str, api_version: str) -> dict:
    return {"Kind": kind, "APIVersion": api_version}


def build(
    *,
    legacy: bool,
    type_meta: dict,
    deploy_meta: dict,
    pod_meta: dict | None,
    pod_spec: dict | None,
    proxy_config: Any,
    mesh_config: Any,
    values: Any,
    revision: str = "",
    native_sidecars: bool = False,
    proxy_image: str = "",
    proxy_uid: int = 1337,
    proxy_gid: int = 1337,
    inbound_traffic_policy_mode: str = "",
    compliance_policy: str = "",
) -> dict:
    """Assemble the template data.

    type_meta: {"kind", "apiVersion"}; deploy_meta: JSON ObjectMeta of the workload (legacy)
    or {"name", "namespace"} (modern); pod_meta/pod_spec: the pod's JSON metadata/spec;
    proxy_config/mesh_config: already in template form (injector.proxyconfig)."""
    data: dict[str, Any] = {
        "TypeMeta": type_meta_data(type_meta.get("kind", ""), type_meta.get("apiVersion", "")),
        "DeploymentMeta": (
            object_meta_data(deploy_meta)
            if legacy
            else {"Name": deploy_meta.get("name", "") or "", "Namespace": deploy_meta.get("namespace", "") or ""}
        ),
        "ObjectMeta": object_meta_data(pod_meta),
        "Spec": pod_spec_data(pod_spec),
        "ProxyConfig": proxy_config,
        "MeshConfig": mesh_config,
        "Values": values,
    }
    if not legacy:
        data.update({
            "Revision": revision,
            "NativeSidecars": bool(native_sidecars),
            "ProxyImage": proxy_image,
            "ProxyUID": Int64(proxy_uid),
            "ProxyGID": Int64(proxy_gid),
            "InboundTrafficPolicyMode": inbound_traffic_policy_mode,
            "CompliancePolicy": compliance_policy,
        })
    return data
