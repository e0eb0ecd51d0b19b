"""Everything the injection pipeline needs as input, loaded once per config load.

`Settings` bundles the injector config, the values, the effective mesh config, the
revision, the cluster facts, istiod's environment switches, and the parsed templates
(parsed eagerly: a bad template fails here, with `name:line:col`, never at admission).

Sources, in order of precedence:
* local files (`--injectConfigFile`, `--valuesFile`, `--meshConfigFile`); the inject
  config file may be the ConfigMap's `config` text or a whole ConfigMap manifest (then
  its `data.values` is used when no values file is given);
* the cluster's ConfigMaps through the `kubernetes` client (`--injectConfigMapName`,
  `--meshConfigMapName`, `--istioNamespace`, `--revision`, `--kubeconfig`, `--context`);
* the embedded default config shipped in `injector/data/` when nothing is given.

`add_config_arguments(parser)` and `settings_from_args(args)` are shared by every CLI
command (kube-inject, admit, serve, check).
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import os
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Mapping

from injector.cluster import ClusterFacts, ClusterWatcher, LiveClusterFacts, proxy_uid_gid
from injector.config import (
    ConfigError, InjectorConfig, deep_merge, floatify, parse_config, parse_values, split_configmap,
)
from injector.mesh import apply_mesh_config, default_mesh_config, parse_mesh_text
from injector.yamlerror import describe as describe_yaml_error

# istiod switches read from the environment, with istiod's defaults.
ENV_DEFAULTS: dict[str, str] = {
    "ENABLE_NATIVE_SIDECARS": "auto",
    "PLATFORM": "",
    "CLUSTER_ID": "Kubernetes",
}

DEFAULT_INJECT_CONFIGMAP = "istio-sidecar-injector"
DEFAULT_MESH_CONFIGMAP = "istio"
DEFAULT_ISTIO_NAMESPACE = "istio-system"


def _data_text(name: str) -> str:
    return resources.files("injector").joinpath("data", name).read_text(encoding="utf-8")


def environment(overrides: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None) -> dict:
    """istiod's view of the environment: defaults, then the process env, then overrides."""
    env = dict(ENV_DEFAULTS)
    env.update(os.environ if base is None else base)
    env.update(overrides or {})
    return env


def parse_templates(config: InjectorConfig) -> dict:
    """Parse every template of the config with the matching function set (eagerly)."""
    from injector.template import ParseError, Template
    from injector.template.funcs.sets import FUNCSETS

    funcs = FUNCSETS["istio-1.7" if config.legacy else "istio"]
    # Istio 1.7 parsed its single template under the name "inject" (errors say so)
    try:
        return {name: Template.parse(text, name="inject" if config.legacy else name, funcs=funcs)
                for name, text in config.templates.items()}
    except ParseError as e:
        raise _with_column(e) from None


def _with_column(e: "ParseError") -> "ParseError":
    """Go's `template: NAME:LINE: msg` made `template: NAME:LINE:COL: msg` for config errors."""
    from injector.template import ParseError

    position = getattr(e, "position", None)
    text = str(e)
    if not position:
        return e
    prefix = "template: " + position.rsplit(":", 1)[0] + ": "
    if not text.startswith(prefix):
        return e
    out = ParseError("template: " + position + ": " + text[len(prefix):])
    out.position = position
    return out


@dataclass(frozen=True)
class Settings:
    config: InjectorConfig
    values: dict  # the `values` document; all numbers float (Go float64)
    mesh: dict  # effective MeshConfig, proto-JSON names, defaults filled
    revision: str = ""
    cluster: ClusterFacts | LiveClusterFacts = field(default_factory=ClusterFacts)
    env: Mapping[str, str] = field(default_factory=lambda: dict(ENV_DEFAULTS))
    templates: dict = field(default_factory=dict)  # name -> Template, parsed at load
    mesh_defaults: dict = field(default_factory=dict)  # the compiled-in defaults in use

    # ------------------------------------------------------------ derived facts
    @property
    def legacy(self) -> bool:
        return self.config.legacy

    @property
    def proxy_defaults(self) -> dict:
        """Istio's DefaultProxyConfig for this config format (what PROXY_CONFIG omits)."""
        return self.mesh_defaults.get("defaultConfig") or {}

    @property
    def native_sidecar_mode(self) -> str:
        return self.env.get("ENABLE_NATIVE_SIDECARS", "auto")

    @property
    def platform(self) -> str:
        return self.env.get("PLATFORM", "")

    def proxy_uid_gid(self, namespace: str | None) -> tuple[int, int]:
        return proxy_uid_gid(self.platform, self.cluster.namespace(namespace))

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some inputs changed; templates are re-parsed if the config changed."""
        if "config" in changes and "templates" not in changes:
            parsed_before = bool(self.templates) or not self.config.templates
            changes["templates"] = parse_templates(changes["config"]) if parsed_before else {}
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------ constructors
    @classmethod
    def build(cls, config: InjectorConfig, values: dict | None = None, mesh: str | dict | None = None, *,
              mesh_defaults: dict | None = None, mesh_is_effective: bool = False, revision: str = "",
              cluster: ClusterFacts | LiveClusterFacts | None = None, env: Mapping[str, str] | None = None,
              parse: bool = True) -> "Settings":
        """Assemble Settings from parsed parts; `mesh` is ConfigMap text/data over the defaults.

        With `mesh_is_effective=True`, `mesh` is already the effective MeshConfig.
        """
        defaults = mesh_defaults if mesh_defaults is not None else default_mesh_config(legacy=config.legacy)
        if mesh_is_effective and isinstance(mesh, dict):
            effective = copy.deepcopy(mesh)
        else:
            effective = apply_mesh_config(mesh, defaults)
        envmap = environment() if env is None else {**ENV_DEFAULTS, **env}
        if cluster is None:
            cluster = ClusterFacts(cluster_id=envmap.get("CLUSTER_ID", "Kubernetes"))
        return cls(
            config=config,
            values=floatify(values or {}),
            mesh=effective,
            revision=revision or "",
            cluster=cluster,
            env=envmap,
            templates=parse_templates(config) if parse else {},
            mesh_defaults=defaults,
        )

    @classmethod
    def from_texts(cls, config_text: str, values_text: str | None = None, mesh_text: str | None = None, *,
                   mesh_defaults_text: str | None = None, source: str = "injector config",
                   values_source: str = "values", mesh_source: str = "mesh config",
                   **kw: Any) -> "Settings":
        """From the ConfigMap strings: `config`, `values` (JSON) and `mesh` (YAML)."""
        config = parse_config(config_text, source)
        values = parse_values(values_text, values_source) if values_text is not None else {}
        defaults = parse_mesh_text(mesh_defaults_text, "mesh defaults") if mesh_defaults_text else None
        mesh = parse_mesh_text(mesh_text, mesh_source) if isinstance(mesh_text, str) else mesh_text
        return cls.build(config, values, mesh, mesh_defaults=defaults, **kw)

    @classmethod
    def default(cls, **kw: Any) -> "Settings":
        """The embedded default config, values and mesh that ship with the package."""
        return cls.from_texts(_data_text("config.yaml"), _data_text("values.json"), _data_text("mesh.yaml"),
                              source="embedded default config", **kw)

    @classmethod
    def load(cls, inject_config_file: str | None = None, values_file: str | None = None,
             mesh_config_file: str | None = None, *, mesh_defaults_file: str | None = None,
             **kw: Any) -> "Settings":
        """From local files; a piece not given comes from the embedded default.

        The inject config file may be a whole ConfigMap manifest (data.config, data.values).
        """
        values_text = mesh_text = None
        if inject_config_file:
            config_text, values_text, mesh_text = split_configmap(
                _read(inject_config_file, "--injectConfigFile"), inject_config_file)
            source = inject_config_file
        else:
            config_text, source = _data_text("config.yaml"), "embedded default config"
        if values_file:
            values_text = values_text_of(_read(values_file, "--valuesFile"), values_file)
        elif values_text is None:
            values_text = _data_text("values.json")
        if mesh_config_file:
            mesh_text = mesh_text_of(_read(mesh_config_file, "--meshConfigFile"), mesh_config_file)
        elif not inject_config_file:
            mesh_text = _data_text("mesh.yaml")
        mesh_defaults_text = _read(mesh_defaults_file, "--meshDefaultsFile") if mesh_defaults_file else None
        return cls.from_texts(config_text, values_text, mesh_text, mesh_defaults_text=mesh_defaults_text,
                              source=source, values_source=values_file or f"{source} (values)",
                              mesh_source=mesh_config_file or f"{source} (mesh)", **kw)

    @classmethod
    def from_cluster(cls, *, inject_configmap: str = DEFAULT_INJECT_CONFIGMAP,
                     mesh_configmap: str = DEFAULT_MESH_CONFIGMAP, namespace: str = DEFAULT_ISTIO_NAMESPACE,
                     revision: str = "", kubeconfig: str | None = None, context: str | None = None,
                     api: Any = None, **kw: Any) -> "Settings":
        """Read the injector and mesh ConfigMaps from the cluster (kubernetes client)."""
        if api is None:
            api = core_v1_api(kubeconfig, context)
        inject_name = inject_configmap
        mesh_name = mesh_configmap
        if revision and revision != "default":
            inject_name = f"{inject_configmap}-{revision}"
            mesh_name = f"{mesh_configmap}-{revision}"
        cm = _read_configmap(api, namespace, inject_name)
        data = cm.get("data") or {}
        if "config" not in data:
            raise ConfigError(f"ConfigMap {namespace}/{inject_name} has no data.config")
        try:
            mesh_cm = _read_configmap(api, namespace, mesh_name)
        except ConfigError:
            if mesh_name == mesh_configmap:
                raise
            mesh_cm = _read_configmap(api, namespace, mesh_configmap)  # revisions may share the mesh
        mesh_text = (mesh_cm.get("data") or {}).get("mesh")
        return cls.from_texts(data["config"], data.get("values"), mesh_text, revision=revision,
                              source=f"ConfigMap {namespace}/{inject_name}", **kw)


def values_text_of(text: str, source: str) -> str:
    """Values text, or data.values of a ConfigMap manifest."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return text  # not YAML: parse_values reports it
    if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
        if "values" not in doc["data"]:
            raise ConfigError(f"{source}: ConfigMap has no data.values")
        return str(doc["data"]["values"])
    return text


def mesh_text_of(text: str, source: str) -> str:
    """Mesh text, or data.mesh of a ConfigMap manifest."""
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{source}: not valid YAML: {describe_yaml_error(e)}") from None
    if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(doc.get("data"), dict):
        if "mesh" not in doc["data"]:
            raise ConfigError(f"{source}: ConfigMap has no data.mesh")
        return str(doc["data"]["mesh"])
    return text


def _read(path: str, flag: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        raise ConfigError(f"{flag} {path}: {e.strerror or e}") from None


def core_v1_api(kubeconfig: str | None = None, context: str | None = None) -> Any:
    """A CoreV1Api from a kubeconfig (or the in-cluster service account)."""
    from kubernetes import client, config as kconfig

    try:
        if kubeconfig or context or not os.environ.get("KUBERNETES_SERVICE_HOST"):
            kconfig.load_kube_config(config_file=kubeconfig, context=context)
        else:
            kconfig.load_incluster_config()
    except Exception as e:  # noqa: BLE001 - the client raises several unrelated types
        raise ConfigError(f"cannot load Kubernetes client configuration: {e}") from None
    return client.CoreV1Api()


def _read_configmap(api: Any, namespace: str, name: str) -> dict:
    try:
        cm = api.read_namespaced_config_map(name, namespace)
    except Exception as e:  # noqa: BLE001 - ApiException, connection errors...
        status = getattr(e, "status", None)
        what = "not found" if status == 404 else str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"ConfigMap {namespace}/{name}: {what}") from None
    if isinstance(cm, dict):
        return cm
    return {"data": dict(getattr(cm, "data", None) or {})}


# ---------------------------------------------------------------- CLI helpers

def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """The config flags every command shares (names as istioctl spells them)."""
    g = parser.add_argument_group("injector configuration")
    g.add_argument("--injectConfigFile", "--inject-config-file", dest="inject_config_file", metavar="FILE",
                   help="injector config: the ConfigMap's `config` text or a whole ConfigMap manifest")
    g.add_argument("--valuesFile", "--values-file", dest="values_file", metavar="FILE",
                   help="the injector `values` document (JSON or YAML)")
    g.add_argument("--meshConfigFile", "--mesh-config-file", dest="mesh_config_file", metavar="FILE",
                   help="mesh config text (data.mesh of ConfigMap istio), applied over Istio's defaults")
    g.add_argument("--meshDefaultsFile", dest="mesh_defaults_file", metavar="FILE",
                   help="replace the compiled-in MeshConfig defaults with this file")
    g.add_argument("--injectConfigMapName", dest="inject_configmap", default=None, metavar="NAME",
                   help=f"read the injector ConfigMap from the cluster (default {DEFAULT_INJECT_CONFIGMAP}"
                        "; with --revision R: NAME-R)")
    g.add_argument("--meshConfigMapName", dest="mesh_configmap", default=None, metavar="NAME",
                   help=f"mesh ConfigMap name in the cluster (default {DEFAULT_MESH_CONFIGMAP})")
    g.add_argument("--istioNamespace", "-i", dest="istio_namespace", default=DEFAULT_ISTIO_NAMESPACE,
                   metavar="NS", help="namespace of the Istio ConfigMaps (default istio-system)")
    g.add_argument("--revision", "-r", dest="revision", default="", help="control plane revision")
    g.add_argument("--kubeconfig", dest="kubeconfig", default=None, metavar="FILE", help="kubeconfig file")
    g.add_argument("--context", dest="context", default=None, help="kubeconfig context")
    g.add_argument("--from-cluster", dest="from_cluster", action="store_true",
                   help="read the ConfigMaps from the cluster even without --injectConfigMapName")
    g.add_argument("--cluster-objects", dest="cluster_objects", metavar="FILE",
                   help="YAML Node and Namespace objects standing in for the cluster")
    g.add_argument("--watch-cluster", dest="watch_cluster", action="store_true",
                   help="watch the cluster's Nodes and Namespaces (kubernetes client) for native-sidecar "
                        "detection and OpenShift UIDs (webhook)")


# One watcher per (kubeconfig, context): reloading the config must not start another.
_WATCHERS: dict[tuple, ClusterWatcher] = {}


def live_cluster(kubeconfig: str | None = None, context: str | None = None,
                 cluster_id: str = "Kubernetes") -> LiveClusterFacts:
    """A started ClusterWatcher's live view (shared by every Settings load)."""
    key = (kubeconfig, context, cluster_id)
    watcher = _WATCHERS.get(key)
    if watcher is None:
        watcher = ClusterWatcher(core_v1_api(kubeconfig, context), cluster_id=cluster_id)
        watcher.start()
        _WATCHERS[key] = watcher
    return LiveClusterFacts(watcher)


def stop_watchers() -> None:
    while _WATCHERS:
        _, watcher = _WATCHERS.popitem()
        watcher.stop()


def settings_from_args(args: argparse.Namespace, **kw: Any) -> Settings:
    """Settings from the shared flags: files, else the cluster, else the embedded default."""
    cluster = None
    env = environment()
    if getattr(args, "cluster_objects", None):
        cluster = ClusterFacts.from_file(args.cluster_objects, cluster_id=env.get("CLUSTER_ID", "Kubernetes"))
    elif getattr(args, "watch_cluster", False):
        cluster = live_cluster(getattr(args, "kubeconfig", None), getattr(args, "context", None),
                               env.get("CLUSTER_ID", "Kubernetes"))
    kw.setdefault("cluster", cluster)
    revision = getattr(args, "revision", "") or ""
    use_cluster = bool(getattr(args, "from_cluster", False) or getattr(args, "inject_configmap", None)
                       or getattr(args, "mesh_configmap", None) or getattr(args, "kubeconfig", None)
                       or getattr(args, "context", None))
    files = any(getattr(args, a, None) for a in ("inject_config_file", "values_file", "mesh_config_file"))
    if use_cluster and not files:
        return Settings.from_cluster(
            inject_configmap=args.inject_configmap or DEFAULT_INJECT_CONFIGMAP,
            mesh_configmap=args.mesh_configmap or DEFAULT_MESH_CONFIGMAP,
            namespace=getattr(args, "istio_namespace", DEFAULT_ISTIO_NAMESPACE),
            revision=revision, kubeconfig=args.kubeconfig, context=args.context, **kw)
    return Settings.load(getattr(args, "inject_config_file", None), getattr(args, "values_file", None),
                         getattr(args, "mesh_config_file", None),
                         mesh_defaults_file=getattr(args, "mesh_defaults_file", None), revision=revision, **kw)


__all__ = ["Settings", "ConfigError", "add_config_arguments", "settings_from_args", "deep_merge",
           "environment", "parse_templates", "live_cluster", "stop_watchers"]
