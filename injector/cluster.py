"""Cluster facts the injector reads: node kubelet versions, namespaces, the cluster ID.

Offline they come from `--cluster-objects FILE` (a YAML list, a `List`, or multi-document
YAML of Node and Namespace objects); in the webhook a `ClusterWatcher` keeps a snapshot
up to date by watching Nodes and Namespaces through the `kubernetes` client (one watch,
not a request per admission).

Two decisions live here because they only need these facts:
* native sidecars (`ENABLE_NATIVE_SIDECARS=true|false|auto`; on auto, the pod's node
  must run kubelet >= 1.33 when `spec.nodeName` names a known node, otherwise every
  node must, and a cluster without nodes does not qualify), overridden by the pod
  annotation `sidecar.istio.io/nativeSidecar`;
* OpenShift proxy UID/GID (`PLATFORM=openshift`): the top of the namespace's
  `openshift.io/sa.scc.uid-range` / `supplemental-groups` range.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

import yaml

from injector.yamlerror import describe as describe_yaml_error

log = logging.getLogger(__name__)

NATIVE_SIDECAR_ANNOTATION = "sidecar.istio.io/nativeSidecar"
NATIVE_SIDECAR_MIN_MINOR = 33
DEFAULT_PROXY_UID = 1337
UID_RANGE_ANNOTATION = "openshift.io/sa.scc.uid-range"
GID_RANGE_ANNOTATION = "openshift.io/sa.scc.supplemental-groups"


class ClusterObjectsError(ValueError):
    """The cluster-objects file cannot be read; names the file and the document."""


@dataclass(frozen=True)
class NamespaceInfo:
    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClusterFacts:
    nodes: Mapping[str, str] = field(default_factory=dict)  # node name -> kubelet version
    namespaces: Mapping[str, NamespaceInfo] = field(default_factory=dict)
    cluster_id: str = "Kubernetes"

    def namespace(self, name: str | None) -> NamespaceInfo | None:
        return self.namespaces.get(name or "")

    def with_objects(self, objects: Iterable[dict]) -> "ClusterFacts":
        nodes = dict(self.nodes)
        namespaces = dict(self.namespaces)
        for obj in objects:
            _add_object(obj, nodes, namespaces)
        return replace(self, nodes=nodes, namespaces=namespaces)

    @classmethod
    def from_objects(cls, objects: Iterable[dict], cluster_id: str = "Kubernetes") -> "ClusterFacts":
        return cls(cluster_id=cluster_id).with_objects(objects)

    @classmethod
    def from_summary(cls, nodes: Iterable[dict] = (), namespaces: Iterable[dict] = (),
                     cluster_id: str = "Kubernetes") -> "ClusterFacts":
        """From the corpora's `environment` shape: nodes [{name, kubeletVersion}],
        namespaces [{name, labels?, annotations?}]."""
        return cls(
            nodes={n["name"]: str(n.get("kubeletVersion", "")) for n in nodes},
            namespaces={ns["name"]: NamespaceInfo(ns["name"], dict(ns.get("labels") or {}),
                                                  dict(ns.get("annotations") or {})) for ns in namespaces},
            cluster_id=cluster_id or "Kubernetes",
        )

    @classmethod
    def from_file(cls, path: str, cluster_id: str = "Kubernetes") -> "ClusterFacts":
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise ClusterObjectsError(f"{path}: {e.strerror or e}") from None
        return cls.from_objects(load_objects(text, path), cluster_id)


def _add_object(obj: Any, nodes: dict, namespaces: dict, where: str = "") -> None:
    if not isinstance(obj, dict):
        raise ClusterObjectsError(f"{where or 'object'}: expected a Kubernetes object, got {type(obj).__name__}")
    kind = obj.get("kind")
    meta = obj.get("metadata") or {}
    name = meta.get("name")
    if kind == "List" or (isinstance(kind, str) and kind.endswith("List")):
        for i, item in enumerate(obj.get("items") or []):
            _add_object(item, nodes, namespaces, f"{where}items[{i}]")
        return
    if kind == "Node":
        if not name:
            raise ClusterObjectsError(f"{where or 'Node'}: Node without metadata.name")
        version = ((obj.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "")
        nodes[name] = str(version or "")
    elif kind == "Namespace":
        if not name:
            raise ClusterObjectsError(f"{where or 'Namespace'}: Namespace without metadata.name")
        namespaces[name] = NamespaceInfo(
            name=name,
            labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
            annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
        )
    # Other kinds carry no facts the injector reads: ignored.


def load_objects(text: str, source: str = "cluster objects") -> list[dict]:
    """Objects from a YAML list, a `List` object, or multi-document YAML."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        raise ClusterObjectsError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    out: list[dict] = []
    for i, doc in enumerate(docs):
        items = doc if isinstance(doc, list) else [doc]
        for j, item in enumerate(items):
            if not isinstance(item, dict):
                raise ClusterObjectsError(f"{source}: document {i + 1} item {j + 1} is not an object")
            out.append(item)
    return out


class LiveClusterFacts:
    """ClusterFacts that always answer from a running ClusterWatcher's latest snapshot.

    Settings are loaded once, but the cluster changes: the webhook's Settings hold this
    view, so each admission reads the current nodes and namespaces without a request.
    """

    def __init__(self, watcher: "ClusterWatcher") -> None:
        self.watcher = watcher

    @property
    def nodes(self) -> Mapping[str, str]:
        return self.watcher.snapshot.nodes

    @property
    def namespaces(self) -> Mapping[str, NamespaceInfo]:
        return self.watcher.snapshot.namespaces

    @property
    def cluster_id(self) -> str:
        return self.watcher.snapshot.cluster_id

    def namespace(self, name: str | None) -> NamespaceInfo | None:
        return self.watcher.snapshot.namespace(name)


# ---------------------------------------------------------------- native sidecars

_VERSION = re.compile(r"^v?(\d+)\.(\d+)")


def kubelet_minor(version: str) -> int | None:
    """Minor version of a kubelet version string ("v1.33.0" -> 33); None if unreadable."""
    m = _VERSION.match((version or "").strip())
    return int(m.group(2)) if m else None


def detect_native_sidecars(mode: str, cluster: ClusterFacts | None, node_name: str | None = None) -> bool:
    """ENABLE_NATIVE_SIDECARS: "true" on, "false" off, "auto" by node kubelet versions."""
    mode = (mode or "").strip().lower()
    if mode in ("true", "enabled", "1", "on"):
        return True
    if mode in ("false", "disabled", "0", "off", ""):
        return False
    if cluster is None:
        return False

    def ok(version: str) -> bool:
        minor = kubelet_minor(version)
        return minor is not None and minor >= NATIVE_SIDECAR_MIN_MINOR

    if node_name and node_name in cluster.nodes:
        return ok(cluster.nodes[node_name])
    if not cluster.nodes:
        return False
    return all(ok(v) for v in cluster.nodes.values())


def native_sidecars_for_pod(mode: str, cluster: ClusterFacts | None, pod_spec: dict | None,
                            annotations: dict | None) -> bool:
    """The cluster decision, overridden by the pod's `sidecar.istio.io/nativeSidecar`."""
    override = (annotations or {}).get(NATIVE_SIDECAR_ANNOTATION)
    if override is not None:
        v = str(override).strip().lower()
        if v == "true":
            return True
        if v == "false":
            return False
    return detect_native_sidecars(mode, cluster, (pod_spec or {}).get("nodeName"))


# ---------------------------------------------------------------- OpenShift

def _range_max(value: str | None) -> int | None:
    """"1000620000/10000" -> 1000629999; "1000620000-1000629999" -> 1000629999."""
    if not value:
        return None
    first = value.split(",")[0].strip()
    try:
        if "/" in first:
            start, size = first.split("/", 1)
            return int(start) + int(size) - 1
        if "-" in first:
            return int(first.split("-", 1)[1])
    except ValueError:
        return None
    return None


def proxy_uid_gid(platform: str, namespace: NamespaceInfo | None) -> tuple[int, int]:
    """The proxy UID/GID: 1337, or on OpenShift the top of the namespace's ranges."""
    uid = gid = DEFAULT_PROXY_UID
    if (platform or "").lower() == "openshift" and namespace is not None:
        u = _range_max(namespace.annotations.get(UID_RANGE_ANNOTATION))
        g = _range_max(namespace.annotations.get(GID_RANGE_ANNOTATION))
        if u is not None:
            uid = u
        if g is not None:
            gid = g
        elif u is not None:
            gid = u
    return uid, gid


# ---------------------------------------------------------------- webhook watcher

class ClusterWatcher:
    """Keeps a ClusterFacts snapshot current by watching Nodes and Namespaces.

    `snapshot` is an immutable ClusterFacts replaced atomically on every change, so an
    admission reads it without locking. `api` is a `kubernetes.client.CoreV1Api`.
    """

    def __init__(self, api: Any = None, cluster_id: str = "Kubernetes", resync_seconds: int = 300) -> None:
        self._api = api
        self._cluster_id = cluster_id
        self._resync = resync_seconds
        self._snapshot = ClusterFacts(cluster_id=cluster_id)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._watches: list[Any] = []

    @property
    def snapshot(self) -> ClusterFacts:
        return self._snapshot

    def start(self) -> None:
        if self._api is None:
            from kubernetes import client  # imported lazily: not needed offline
            self._api = client.CoreV1Api()
        self._stop.clear()
        for kind in ("Node", "Namespace"):
            t = threading.Thread(target=self._run, args=(kind,), name=f"watch-{kind}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for w in list(self._watches):
            try:
                w.stop()
            except Exception:  # noqa: BLE001 - stopping a watch must never raise
                pass
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def _apply(self, kind: str, event_type: str, obj: dict) -> None:
        with self._lock:
            snap = self._snapshot
            nodes, namespaces = dict(snap.nodes), dict(snap.namespaces)
            name = (obj.get("metadata") or {}).get("name")
            if event_type == "DELETED":
                (nodes if kind == "Node" else namespaces).pop(name, None)
            else:
                _add_object({**obj, "kind": kind}, nodes, namespaces)
            self._snapshot = replace(snap, nodes=nodes, namespaces=namespaces)

    def _replace_all(self, kind: str, items: list[dict]) -> None:
        with self._lock:
            snap = self._snapshot
            nodes = {} if kind == "Node" else dict(snap.nodes)
            namespaces = {} if kind == "Namespace" else dict(snap.namespaces)
            for obj in items:
                _add_object({**obj, "kind": kind}, nodes, namespaces)
            self._snapshot = replace(snap, nodes=nodes, namespaces=namespaces)

    def _run(self, kind: str) -> None:
        from kubernetes import watch

        lister = self._api.list_node if kind == "Node" else self._api.list_namespace
        while not self._stop.is_set():
            try:
                listing = lister(_preload_content=False)
                body = json.loads(listing.data)
                self._replace_all(kind, body.get("items") or [])
                version = (body.get("metadata") or {}).get("resourceVersion")
                if self._stop.is_set():
                    break
                w = watch.Watch()
                self._watches.append(w)
                try:
                    for event in w.stream(lister, resource_version=version, timeout_seconds=self._resync):
                        if self._stop.is_set():
                            break
                        raw = event.get("raw_object") or {}
                        if event.get("type") == "ERROR":  # e.g. 410 Gone: list again
                            break
                        self._apply(kind, event.get("type", ""), raw)
                finally:
                    self._watches.remove(w)
            except Exception as e:  # noqa: BLE001 - keep watching after API errors
                log.warning("watch %s failed: %s; retrying", kind, e)
                self._stop.wait(2.0)
