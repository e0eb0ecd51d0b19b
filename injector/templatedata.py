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

`build` assembles it; `BACKEND` is "cython" or "python".
"""
from __future__ import annotations

from typing import Any

from injector._ext import load

# The converters (pod JSON -> Go value model): the compiled `_templatedata_c` unless
# unavailable or disabled; `injector/_templatedata_py.py` is the reference.
_impl = load("injector._templatedata_c", "injector._templatedata_py")

go_name = _impl.go_name
go_value = _impl.go_value
port_struct = _impl.port_struct
container_data = _impl.container_data
object_meta_data = _impl.object_meta_data
pod_spec_data = _impl.pod_spec_data
type_meta_data = _impl.type_meta_data
build = _impl.build
BACKEND = "cython" if _impl.__name__ == "injector._templatedata_c" else "python"


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
