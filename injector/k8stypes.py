"""Kubernetes objects as Go sees them after a trip through their typed structs.

`istioctl kube-inject` decodes each workload into its Go type (sigs.k8s.io/yaml
Unmarshal: YAML -> JSON, then encoding/json) and encodes it again. `normalize` does the
same to our JSON-like data:

* unknown fields are dropped (field names match exactly, else case-insensitively);
* `omitempty` fields holding a zero value (false, 0, "", nil/empty list or map, nil
  pointer) are dropped; non-omitempty fields are always written (`containers: null`);
* struct-valued fields are always written, even empty (`strategy: {}`, `status: {}`,
  `resources: {}`), because omitempty never applies to Go structs;
* `metadata.creationTimestamp` (a metav1.Time struct) is written as `null`, unless
  `omit_creation_timestamp` (Kubernetes 1.33+ tags it `omitzero`, as Istio 1.29 uses);
* `legacy` (Istio 1.7, Kubernetes 1.18 types) drops the fields added to the API since
  and keeps `metadata.clusterName` (`_LEGACY_DELTA`);
* quantities are canonicalised (resource.Quantity), int-or-strings keep their kind,
  times become RFC 3339 UTC seconds; YAML numbers and booleans bound for string fields
  become strings, as sigs.k8s.io/yaml converts them.

The schema is data: `_SCHEMA` lists each Go struct as `jsonName:type` entries where a
trailing `?` means omitempty and the type is `str int bool float q` (Quantity), `ios`
(IntOrString), `time` (metav1.Time), `raw` (kept as is), `object` (a nested object
normalised by its own kind, else kept), a struct name, `*T` (pointer), `[T]` (slice) or
`{T}` (map with string keys). Field lists follow k8s.io/api; the OpenShift
DeploymentConfig types are prefixed DC.

Two backends, one behaviour: the compiled `injector._k8stypes_c` unless unavailable or
disabled (INJECTOR_NO_EXTENSIONS), else the pure-Python twin `injector._k8stypes_py`, which
also holds the schema, `root_type` and the per-variant struct tables both use. `BACKEND`
is "cython" or "python".
"""

from injector._ext import load
from injector._k8stypes_py import (  # noqa: F401  (the schema is public)
    _LEGACY_DELTA, _SCHEMA, KINDS, LEGACY_SCHEMA, SCHEMA, K8sTypeError,
)

_impl = load("injector._k8stypes_c", "injector._k8stypes_py")

normalize = _impl.normalize
root_type = _impl.root_type
BACKEND = "cython" if _impl.__name__ == "injector._k8stypes_c" else "python"

__all__ = ["normalize", "root_type", "K8sTypeError", "SCHEMA", "LEGACY_SCHEMA", "KINDS", "BACKEND"]
