"""The data an injection template runs on (Istio's `SidecarTemplateData`).

Istio hands the templates typed Go values; we hand them the project's Go value model
(see injector/template/values.py and the "dict model" of the template vectors): Go
structs become maps keyed by Go field names, with Go's zero value for every field a
template may read but the object lacks; `Labels`/`Annotations`/`NodeSelector` are
`StrMap`s; container ports are `GoStruct`s (so `structToJSON` prints what Go prints);
integers of typed fields are `Int64`.

Per config format:
* legacy (1.7): TypeMeta, DeploymentMeta (the workload's ObjectMeta), ObjectMeta, Spec,
  ProxyConfig, MeshConfig, Values;
* templates (1.10+): the same with DeploymentMeta = {Name, Namespace}, plus Revision,
  NativeSidecars, ProxyImage, ProxyUID, ProxyGID, InboundTrafficPolicyMode,
  CompliancePolicy.
"""
from __future__ import annotations

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

# Go zero values of the fields templates may read (json name -> zero).
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
_STRMAP_FIELDS = {"labels", "annotations", "nodeSelector"}


_NAME_MEMO: dict[str, str] = {}


def go_name(json_name: str) -> str:
    name = _NAME_MEMO.get(json_name)
    if name is None:
        name = _GO_NAMES.get(json_name) or (json_name[:1].upper() + json_name[1:])
        if len(_NAME_MEMO) < 8192:  # field names repeat; user map keys are bounded here
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
        return Int64(v)
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
    # hot: every env var of every container passes here
    memo = _NAME_MEMO
    out = {}
    for k, x in v.items():
        name = memo.get(k)
        if name is None:
            name = go_name(k)
        out[name] = x if type(x) is str else go_value(x)
    return out


def _struct(obj: dict | None, zeros: dict, special=None) -> dict:
    obj = obj if isinstance(obj, dict) else {}
    out: dict[str, Any] = {}
    for k, zero in zeros.items():
        if k in _STRMAP_FIELDS:
            val = obj.get(k)
            out[go_name(k)] = StrMap(None) if val is None else StrMap({str(a): _s(b) for a, b in val.items()})
        elif special and k in special and k in obj:
            out[go_name(k)] = special[k](obj[k])
        elif k in obj and obj[k] is not None:
            out[go_name(k)] = go_value(obj[k])
        else:
            out[go_name(k)] = zero.copy() if isinstance(zero, (list, dict)) else zero
    for k, v in obj.items():
        if k not in zeros:
            out[go_name(k)] = go_value(v)
    return out


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def port_struct(p: dict) -> GoStruct:
    fields = []
    for go, tag, js, zero in _PORT_FIELDS:
        v = p.get(js, zero) if isinstance(p, dict) else zero
        if isinstance(zero, Int64):
            v = Int64(int(v or 0))
        elif v is None:
            v = zero
        fields.append((go, tag, v))
    return GoStruct(fields, type_name="v1.ContainerPort")


def container_data(c: dict) -> dict:
    return _struct(c, _CONTAINER_ZERO, {"ports": lambda ps: [port_struct(p) for p in ps or []]})


def object_meta_data(meta: dict | None) -> dict:
    return _struct(meta, _OBJECT_META_ZERO)


def pod_spec_data(spec: dict | None) -> dict:
    conv = lambda cs: [container_data(c) for c in cs or []]  # noqa: E731
    return _struct(spec, _POD_SPEC_ZERO, {"containers": conv, "initContainers": conv,
                                          "ephemeralContainers": conv})


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


# -- modern helpers -----------------------------------------------------------------

KNOWN_IMAGE_TYPES = ("distroless", "debug")
PROXY_IMAGE_TYPE_ANNOTATION = "sidecar.istio.io/proxyImageType"


def _go_sprint(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e21 else repr(v)
    return "" if v is None else str(v)


def proxy_image(values: dict, proxy_config: dict | None, annotations: dict | None) -> str:
    """Istio's ProxyImage: hub/image:tag with the image type (variant) applied."""
    g = (values or {}).get("global") or {}
    tag = "" if g.get("tag") is None else _go_sprint(g.get("tag"))
    image_type = g.get("variant") or ""
    image = (proxy_config or {}).get("image")
    if isinstance(image, dict):
        image_type = image.get("imageType", "") or ""
    name = ((g.get("proxy") or {}).get("image")) or "proxyv2"
    ann = annotations or {}
    if PROXY_IMAGE_TYPE_ANNOTATION in ann:
        image_type = ann[PROXY_IMAGE_TYPE_ANNOTATION]
    if image_type:
        for t in KNOWN_IMAGE_TYPES:
            if tag.endswith("-" + t):
                tag = tag[: -(len(t) + 1)]
                break
        if image_type != "default":
            tag = tag + "-" + image_type
    return f"{g.get('hub') or ''}/{name}:{tag}"


def inbound_traffic_policy_mode(mesh: dict) -> str:
    mode = ((mesh or {}).get("inboundTrafficPolicy") or {}).get("mode")
    if mode in (None, "", "PASSTHROUGH", 0):
        return "passthrough"
    if mode in ("LOCALHOST", 1):
        return "localhost"
    return "undefined"
