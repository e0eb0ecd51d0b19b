"""The injection pipeline: pod in, mutated pod out.

    template data -> render the selected templates -> parse YAML -> merge into the pod
    -> probes, prometheus, status annotation, labels (-> the caller diffs or marshals)

The config format decides the generation of every step:

* legacy (Istio 1.7, one `template`): the rendered `SidecarInjectionSpec` is appended to
  the pod (`merge.append_legacy`); kube-inject and the webhook differ in a few details
  that Istio 1.7 really had (canonical labels and the `ISTIO_PROMETHEUS_ANNOTATIONS` env
  are webhook-only, kube-inject rewrites probes after merging, the webhook before).
* templates (Istio 1.10+): every selected template is a pod overlay applied by strategic
  merge, user-supplied injected containers are re-applied, then probes, prometheus,
  status and ordering; kube-inject is the webhook result applied locally.

`inject_pod` works on JSON data and never mutates its argument.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import orjson as _orjson

from injector import merge, podcheck, probes, rendercache, templatedata, workload
from injector.template.funcs.gojson import marshal as go_json

PROXY = "istio-proxy"
INIT = "istio-init"
VALIDATION = "istio-validation"
CORE_DUMP = "enable-core-dump"
STATUS_ANNOTATION = "sidecar.istio.io/status"
OVERRIDES_ANNOTATION = "proxy.istio.io/overrides"
TEMPLATES_ANNOTATION = "inject.istio.io/templates"
PROXY_CONFIG_ANNOTATION = "proxy.istio.io/config"
PROM_MERGE_ANNOTATION = "prometheus.istio.io/merge-metrics"
NETWORK_LABEL = "topology.istio.io/network"
SA_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
LEGACY_STATUS = {"initContainers": [INIT, CORE_DUMP], "containers": [PROXY],
                 "volumes": ["istio-certs", "istio-envoy"], "imagePullSecrets": []}

MODE_WEBHOOK = "webhook"
MODE_KUBE_INJECT = "kube-inject"


class InjectionError(ValueError):
    """Injection of this pod failed (bad annotation, template error, bad rendered YAML)."""


@dataclass
class InjectionResult:
    pod: dict                      # the mutated pod (a new object)
    injected: bool = True
    status: str | None = None      # the sidecar.istio.io/status value
    warnings: list[str] = field(default_factory=list)


# -------------------------------------------------------------------------- helpers

def _legacy(settings) -> bool:
    cfg = settings.config
    return getattr(cfg, "legacy", getattr(cfg, "format", "") == "legacy")


def _parsed_templates(settings) -> dict:
    tpls = getattr(settings, "templates", None)
    if tpls:
        return tpls
    from injector.template import Template
    from injector.template.funcs.sets import FUNCSETS

    cache = settings.__dict__.setdefault("_inject_parsed", {}) if hasattr(settings, "__dict__") else {}
    if not cache:
        cfg = settings.config
        if _legacy(settings):
            cache["sidecar"] = Template.parse(cfg.raw_template, name="inject", funcs=FUNCSETS["istio-1.7"])
        else:
            for name, text in cfg.templates.items():
                cache[name] = Template.parse(text, name=name, funcs=FUNCSETS["istio"])
    return cache


def _legacy_template(settings):
    tpls = _parsed_templates(settings)
    if len(tpls) == 1:
        return next(iter(tpls.values()))
    return tpls.get("sidecar") or tpls.get("") or next(iter(tpls.values()))


def _render(tpl, data: dict, what: str) -> str:
    try:
        return tpl.execute(data, missingkey="default")
    except Exception as e:  # ExecError and friends: report which template failed
        raise InjectionError(f"failed to render {what}: {e}") from None


def _load_yaml(text: str, what: str) -> dict:
    from injector import goyaml

    try:
        doc = goyaml.load(text)
    except Exception as e:
        from injector.yamlerror import describe

        raise InjectionError(
            f"failed parsing generated injected YAML of {what} (check Istio sidecar injector configuration): "
            f"{describe(e)}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InjectionError(f"generated injected YAML of {what} is not a map")
    return doc


def _validate(annotations: dict) -> None:
    from injector.annotations import validate_annotations

    try:
        validate_annotations(annotations)
    except ValueError as e:
        raise InjectionError(str(e)) from None


def _proxy_config(settings, annotations: dict, legacy: bool) -> dict:
    from injector.proxyconfig import effective_proxy_config

    try:
        return effective_proxy_config(settings.mesh, annotations, legacy=legacy)
    except ValueError as e:
        raise InjectionError(str(e)) from None


def _proxy_defaults(settings, legacy: bool) -> dict:
    from injector.mesh import default_mesh_config

    pd = getattr(settings, "proxy_defaults", None)
    if pd is not None:
        return pd
    return (default_mesh_config(legacy) or {}).get("defaultConfig") or {}


# Per-Settings cache of the template data that does not depend on the pod: the mesh and
# the mesh's own ProxyConfig (used by every pod without a proxy.istio.io/config annotation).
_DATA_CACHE: dict[int, tuple[Any, Any, Any]] = {}


def _pc_data(settings, pc: dict, legacy: bool, annotated: bool = True):
    from injector.proxyconfig import mesh_template_data, proxyconfig_template_data

    key = id(settings)
    hit = _DATA_CACHE.get(key)
    if hit is None or hit[0]() is not settings:
        defaults = _proxy_defaults(settings, legacy)
        mesh_data = mesh_template_data(settings.mesh, defaults)
        try:
            ref = weakref.ref(settings, lambda _r, k=key: _DATA_CACHE.pop(k, None))
        except TypeError:  # not weak-referenceable: no caching
            return proxyconfig_template_data(pc, defaults), mesh_data
        hit = (ref, mesh_data, {})
        _DATA_CACHE[key] = hit
    _ref, mesh_data, by_pc = hit
    if annotated:
        return proxyconfig_template_data(pc, _proxy_defaults(settings, legacy)), mesh_data
    if "plain" not in by_pc:
        by_pc["plain"] = proxyconfig_template_data(pc, _proxy_defaults(settings, legacy))
    return by_pc["plain"], mesh_data


def _status_port(mesh: dict) -> int:
    return int(((mesh or {}).get("defaultConfig") or {}).get("statusPort", 15020) or 0)


def _names(items: Any) -> list[str]:
    return [i.get("name", "") for i in items or [] if isinstance(i, dict)]


# Names Go's json.Marshal writes as they are between quotes (no escapes); "," joins them.
_PLAIN_NAMES = re.compile(r"[-A-Za-z0-9_.,]*")


def _names_json(names: list) -> str:
    """go_json(names), without the generic encoder for the usual DNS-label names."""
    try:
        joined = ",".join(names)
    except TypeError:  # a null or non-string name
        return go_json(names)
    if _PLAIN_NAMES.fullmatch(joined):
        return '["' + '","'.join(names) + '"]'
    return go_json(names)


def _status_json(spec: dict, *, version: str | None, revision: str | None) -> str:
    parts = []
    if version is not None:
        parts.append('"version":' + go_json(version))
    for key in ("initContainers", "containers", "volumes", "imagePullSecrets"):
        names = _names(spec.get(key))
        parts.append(f'"{key}":' + (_names_json(names) if names else "null"))
    if revision is not None:
        plain = type(revision) is str and _PLAIN_NAMES.fullmatch(revision)
        parts.append('"revision":' + ('"' + revision + '"' if plain else go_json(revision)))
    return "{" + ",".join(parts) + "}"


def _values_flag(values: dict, *path: str) -> Any:
    node: Any = values
    for p in path:
        if not isinstance(node, dict):
            return None
        node = node.get(p)
    return node


def _prometheus_enabled(settings, annotations: dict) -> bool:
    from injector.mesh import enable_prometheus_merge

    if not enable_prometheus_merge(settings.mesh):
        return False
    v = annotations.get(PROM_MERGE_ANNOTATION)
    if v is not None:
        from injector.annotations import parse_bool

        try:
            return parse_bool(v)
        except ValueError:
            return True
    return True


def _milli_cpu(q: Any) -> int:
    try:
        from injector.quantity import parse_quantity

        return -(-parse_quantity(str(q)).nanos // 1_000_000)  # ceil to milli units
    except (ImportError, ValueError, AttributeError):
        pass
    s = str(q).strip()
    m = re.fullmatch(r"([0-9.]+)(m?)", s)
    if not m:
        return 0
    v = float(m.group(1))
    return int(math.ceil(v if m.group(2) else v * 1000))


_SIC_POD_FIELDS = ("initContainers", "containers", "volumes", "imagePullSecrets", "dnsConfig")


def _typed_injection_spec(sic: dict, settings) -> dict:
    """Decode the pod parts of a rendered SidecarInjectionSpec as Go does (typed:
    unknown fields dropped, scalars coerced to the field types)."""
    from injector import k8stypes

    pod = {"apiVersion": "v1", "kind": "Pod",
           "spec": {k: sic[k] for k in _SIC_POD_FIELDS if sic.get(k) is not None}}
    try:
        typed = k8stypes.normalize(pod, omit_creation_timestamp=True)
    except (ValueError, TypeError) as e:
        # The path is into the rendered spec, not the user's pod: say so.
        where = str(e).replace("Pod.spec.", "rendered ", 1)
        raise InjectionError(f"failed parsing generated injected YAML of the injection template (check Istio "
                             f"sidecar injector configuration and the pod's sidecar.istio.io annotations): "
                             f"{where}") from None
    out = dict(sic)
    tspec = typed.get("spec") or {}
    if _legacy(settings):
        # Istio 1.7 decoded into Kubernetes 1.18 types, which had no per-container
        # restartPolicy (native sidecars came in 1.28): the field was dropped.
        for key in ("initContainers", "containers"):
            for c in tspec.get(key) or []:
                c.pop("restartPolicy", None)
    for k in _SIC_POD_FIELDS:
        if k in tspec:
            out[k] = tspec[k]
        else:
            out.pop(k, None)
    return out


def _apply_concurrency(containers: list) -> None:
    """Istio 1.7: give istio-proxy `--concurrency N` from its CPU limit/request."""
    for c in containers:
        if c.get("name") != PROXY:
            continue
        args = c.get("args") or []
        for i, a in enumerate(args):
            if a in ("--concurrency", "-concurrency"):
                return
            if isinstance(a, str) and a.startswith(("--concurrency=", "-concurrency=")):
                return
        res = c.get("resources") or {}
        for bucket in ("limits", "requests"):
            cpu = (res.get(bucket) or {}).get("cpu")
            if cpu is not None:
                n = int(math.ceil(_milli_cpu(cpu) / 1000))
                if n > 0:
                    c["args"] = list(args) + ["--concurrency", str(n)]
                return
        return


def _redirect_key(k: str) -> bool:
    return k == "k8s.v1.cni.cncf.io/networks" or any(
        k.startswith(p) for p in ("sidecar.istio.io/", "traffic.sidecar.istio.io/",
                                  "status.sidecar.istio.io/", "readiness.status.sidecar.istio.io/",
                                  "proxy.istio.io/", "prometheus.istio.io/"))


def _canonical(labels: dict, workload_name: str) -> tuple[str, str]:
    name = (labels.get("service.istio.io/canonical-name") or labels.get("app.kubernetes.io/name")
            or labels.get("app") or workload_name)
    rev = (labels.get("service.istio.io/canonical-revision") or labels.get("app.kubernetes.io/version")
           or labels.get("version") or "latest")
    return name, rev


def _injection_status(annotations: dict) -> dict:
    raw = annotations.get(STATUS_ANNOTATION)
    if raw is None:
        return LEGACY_STATUS
    try:
        st = json.loads(raw)
    except ValueError:
        st = None
    if isinstance(st, dict) and any(st.get(k) for k in LEGACY_STATUS):
        return st
    return LEGACY_STATUS


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -------------------------------------------------------------------------- legacy

def _render_legacy(settings, meta: dict, spec: dict, type_meta: dict, deploy_meta: dict,
                   version: str | None, pod_bytes: bytes | None = None) -> tuple[dict, str, dict]:
    annotations = meta.get("annotations") or {}
    _validate(annotations)
    pc = _proxy_config(settings, annotations, legacy=True)
    # The template data is a function of these and of the Settings: same key, same output
    # (the typed decode and concurrency below depend on nothing else either).
    if pod_bytes is not None:  # meta and spec are the (copied) pod's: its JSON stands for them
        key = rendercache.make_key(settings, "legacy-pod", [type_meta, deploy_meta, pc], pod_bytes)
    else:
        key = rendercache.make_key(settings, "legacy", [type_meta, deploy_meta, meta, spec, pc])
    sic = rendercache.lookup(key)
    if sic is None:
        pc_data, mesh_data = _pc_data(settings, pc, legacy=True,
                                      annotated=PROXY_CONFIG_ANNOTATION in annotations)
        data = templatedata.build(
            legacy=True, type_meta=type_meta, deploy_meta=deploy_meta, pod_meta=meta, pod_spec=spec,
            proxy_config=pc_data, mesh_config=mesh_data, values=settings.values,
        )
        text = _render(_legacy_template(settings), data, "the injection template")
        sic = _load_yaml(text, "the injection template")
        for k in ("initContainers", "containers", "volumes", "imagePullSecrets"):
            if sic.get(k) is not None and not isinstance(sic.get(k), list):
                raise InjectionError(f"generated injected YAML: {k} must be a list")
        sic = _typed_injection_spec(sic, settings)
        _apply_concurrency(sic.get("containers") or [])
        rendercache.store(key, sic)
    if version is None:
        version = sha256_hex(settings.config.raw_template)
    status = _status_json(sic, version=version, revision=None)
    return sic, status, pc


def _legacy_kube_inject(pod: dict, settings, type_meta: dict, deploy_meta: dict,
                        version: str | None, pod_bytes: bytes | None = None) -> InjectionResult:
    meta = pod.setdefault("metadata", {})
    spec = pod.setdefault("spec", {})
    sic, status, _pc = _render_legacy(settings, meta, spec, type_meta, deploy_meta, version, pod_bytes)
    hold = bool(_values_flag(settings.values, "global", "proxy", "holdApplicationUntilProxyStarts"))
    merge.append_legacy(spec, sic, proxy_first=hold)
    annotations = dict(meta.get("annotations") or {})
    if probes.should_rewrite(annotations, bool(sic.get("rewriteAppHTTPProbe"))):
        sidecar = probes.find_sidecar(spec, init_too=False)
        port = probes.status_port(annotations, _status_port(settings.mesh))
        if sidecar is not None and port != -1:
            value = probes.dump_app_probers(spec, port, legacy=True)
            sidecar["env"] = list(sidecar.get("env") or []) + [{"name": probes.ENV_NAME, "value": value}]
            probes.rewrite_probes(spec, port, legacy=True)
    if settings.mesh.get("sdsUdsPath"):
        sc = spec.get("securityContext")
        spec["securityContext"] = {**(sc if isinstance(sc, dict) else {}), "fsGroup": 1337}
    if _prometheus_enabled(settings, annotations):
        annotations["prometheus.io/port"] = str(_status_port(settings.mesh))
        annotations["prometheus.io/path"] = "/stats/prometheus"
        annotations["prometheus.io/scrape"] = "true"
    for k, v in (sic.get("podRedirectAnnot") or {}).items():
        if v not in (None, "") and _redirect_key(k):
            annotations[k] = v if isinstance(v, str) else str(v)
    annotations[STATUS_ANNOTATION] = status
    meta["annotations"] = annotations
    labels = dict(meta.get("labels") or {})
    labels["istio.io/rev"] = settings.revision or ""
    if not labels.get("security.istio.io/tlsMode"):
        labels["security.istio.io/tlsMode"] = "istio"
    meta["labels"] = labels
    return InjectionResult(pod=pod, status=status)


def _legacy_webhook(pod: dict, settings, type_meta: dict, deploy_meta: dict, workload_name: str,
                    version: str | None, pod_bytes: bytes | None = None) -> InjectionResult:
    meta = pod.setdefault("metadata", {})
    spec = pod.setdefault("spec", {})
    sic, status, _pc = _render_legacy(settings, meta, spec, type_meta, deploy_meta, version, pod_bytes)
    annotations = dict(meta.get("annotations") or {})
    added = {STATUS_ANNOTATION: status}
    added.update(getattr(settings.config, "injected_annotations", {}) or {})
    rewrite = probes.should_rewrite(annotations, bool(sic.get("rewriteAppHTTPProbe")))
    sidecar = next((c for c in sic.get("containers") or [] if c.get("name") == PROXY), None)
    port = probes.status_port(annotations, _status_port(settings.mesh))
    if rewrite and sidecar is not None:
        value = probes.dump_app_probers(spec, port, legacy=True)
        if value:
            sidecar["env"] = list(sidecar.get("env") or []) + [{"name": probes.ENV_NAME, "value": value}]
    if rewrite:
        probes.rewrite_probes(spec, port, legacy=True)
    # Remove what a previous injection added.
    prev = _injection_status(annotations)
    for key in ("initContainers", "containers", "volumes", "imagePullSecrets"):
        drop = set(prev.get(key) or [])
        if drop and spec.get(key):
            spec[key] = [x for x in spec[key] if x.get("name") not in drop]
    if _prometheus_enabled(settings, annotations):
        scrape = {k: annotations.get("prometheus.io/" + k, "") for k in ("scrape", "path", "port")}
        if sidecar is not None and any(scrape.values()):
            sidecar["env"] = list(sidecar.get("env") or []) + [
                {"name": "ISTIO_PROMETHEUS_ANNOTATIONS", "value": go_json(scrape)}]
        added["prometheus.io/port"] = str(_status_port(settings.mesh))
        added["prometheus.io/path"] = "/stats/prometheus"
        added["prometheus.io/scrape"] = "true"
    hold = bool(_values_flag(settings.values, "global", "proxy", "holdApplicationUntilProxyStarts"))
    sa_mount = None
    for c in spec.get("containers") or []:
        for vm in c.get("volumeMounts") or []:
            if vm.get("mountPath") == SA_MOUNT_PATH:
                sa_mount = vm
    for key in ("initContainers", "containers"):
        current = list(spec.get(key) or [])
        for c in merge.clone(sic.get(key) or []):
            if c.get("name") == PROXY and sa_mount is not None and key == "containers":
                c["volumeMounts"] = list(c.get("volumeMounts") or []) + [merge.clone(sa_mount)]
            front = c.get("name") == VALIDATION or (hold and c.get("name") == PROXY)
            if front and current:
                current.insert(0, c)
            else:
                current.append(c)
        if current:
            spec[key] = current
    for key in ("volumes", "imagePullSecrets"):
        extra = merge.clone(sic.get(key) or [])
        if extra:
            spec[key] = list(spec.get(key) or []) + extra
    if sic.get("dnsConfig") is not None:
        spec["dnsConfig"] = merge.clone(sic["dnsConfig"])
    if settings.mesh.get("sdsUdsPath"):
        sc = spec.get("securityContext")
        spec["securityContext"] = {**(sc if isinstance(sc, dict) else {}), "fsGroup": 1337}
    annotations.update(added)
    meta["annotations"] = annotations
    labels = dict(meta.get("labels") or {})
    cname, crev = _canonical(labels, workload_name)
    for k, v in (("security.istio.io/tlsMode", "istio"), ("service.istio.io/canonical-name", cname),
                 ("istio.io/rev", settings.revision or ""), ("service.istio.io/canonical-revision", crev)):
        if not labels.get(k):
            labels[k] = v
    meta["labels"] = labels
    return InjectionResult(pod=pod, status=status)


# -------------------------------------------------------------------------- modern

def select_templates(settings, annotations: dict, mode: str) -> list[str]:
    cfg = settings.config
    names: list[str]
    if annotations.get(TEMPLATES_ANNOTATION):
        names = [n.strip() for n in annotations[TEMPLATES_ANNOTATION].split(",")]
    elif mode == MODE_KUBE_INJECT:
        names = ["sidecar"]
    else:
        names = list(getattr(cfg, "default_templates", None) or ["sidecar"])
    aliases = getattr(cfg, "aliases", None) or {}
    out: list[str] = []
    for n in names:
        out.extend(aliases.get(n, [n]))
    return out


def _strip_pod(pod: dict, status_port: int | None = None) -> dict:
    """Remove what a previous injection added (by its status annotation): the template
    data must look like the pod before that injection. The result is `pod` itself when
    there is nothing to strip or re-insert (read-only use), else a copy."""
    ann0 = (pod.get("metadata") or {}).get("annotations") or {}
    if STATUS_ANNOTATION not in ann0 and not ann0.get(OVERRIDES_ANNOTATION):
        return pod
    pod = merge.clone(pod)
    meta = pod.get("metadata") or {}
    raw = (meta.get("annotations") or {}).get(STATUS_ANNOTATION)
    if raw is None:
        return pod
    try:
        st = json.loads(raw)
    except ValueError:
        return pod
    if not isinstance(st, dict):
        return pod
    spec = pod.get("spec") or {}
    for key in ("initContainers", "containers", "volumes", "imagePullSecrets"):
        drop = set(st.get(key) or [])
        if drop and spec.get(key):
            spec[key] = [x for x in spec[key] if x.get("name") not in drop]
    ann = meta.get("annotations") or {}
    if status_port is not None and _prom_get(ann, "prometheus_io_port") == str(status_port):
        _prom_clear(ann)
    ann.pop(STATUS_ANNOTATION, None)
    return pod


def _reinsert_overrides(pod: dict) -> dict:
    """Put back the user's own injected-container versions saved in `proxy.istio.io/overrides`."""
    meta = pod.get("metadata") or {}
    raw = (meta.get("annotations") or {}).get(OVERRIDES_ANNOTATION)
    if not raw:
        return pod
    try:
        ov = json.loads(raw)
    except ValueError:
        return pod
    spec = pod.setdefault("spec", {})
    for key in ("containers", "initContainers"):
        for c in (ov or {}).get(key) or []:
            cur = spec.get(key) or []
            if not any(x.get("name") == c.get("name") for x in cur):
                spec[key] = list(cur) + [c]
            else:
                spec[key] = [c if x.get("name") == c.get("name") else x for x in cur]
    return pod


def _find(lst: list, name: str) -> dict | None:
    for c in lst or []:
        if c.get("name") == name:
            return c
    return None


def _move(lst: list, name: str, first: bool) -> list:
    item = _find(lst, name)
    if item is None or lst[0 if first else -1] is item:  # absent, or already in place
        return lst
    rest = [c for c in lst if c is not item]
    return [item] + rest if first else rest + [item]


def _native_sidecars(settings, pod: dict) -> bool:
    from injector.cluster import native_sidecars_for_pod

    mode = getattr(settings, "native_sidecar_mode", None) or _env(settings, "ENABLE_NATIVE_SIDECARS", "auto")
    return native_sidecars_for_pod(mode, getattr(settings, "cluster", None), pod.get("spec") or {},
                                   (pod.get("metadata") or {}).get("annotations") or {})


def _proxy_ids(settings, namespace: str | None) -> tuple[int, int]:
    fn = getattr(settings, "proxy_uid_gid", None)
    if callable(fn) and namespace:
        uid, gid = fn(namespace)
        return int(uid), int(gid)
    return 1337, 1337


def _env(settings, name: str, default: str = "") -> str:
    env = getattr(settings, "env", None)
    if isinstance(env, dict) and name in env:
        return str(env[name])
    return os.environ.get(name, default)


def _openshift_reset_proxy_user(pod: dict) -> None:
    """OpenShift gives every container the same runAsUser; a user istio-proxy whose
    runAsUser equals the app's would break interception, so that UID/GID is ignored."""
    containers = (pod.get("spec") or {}).get("containers") or []
    proxy = _find(containers, PROXY)
    if proxy is None or not isinstance(proxy.get("securityContext"), dict):
        return
    proxy_user = app_user = 0
    for c in containers:
        uid = (c.get("securityContext") or {}).get("runAsUser")
        if c.get("name") == PROXY:
            proxy_user = uid if uid is not None else 0
        elif c.get("name") not in (VALIDATION, INIT) and uid is not None:
            app_user = uid
    if proxy_user == app_user:
        proxy["securityContext"].pop("runAsUser", None)
        proxy["securityContext"].pop("runAsGroup", None)


def _modern(pod: dict, settings, *, mode: str, namespace: str | None, type_meta: dict,
            deploy_meta: dict, proxy_envs: dict | None = None,
            pod_key: tuple[list, bytes] | None = None) -> InjectionResult:
    """`pod` is read, never modified; the result is a new object."""
    if mode == MODE_WEBHOOK and _env(settings, "PLATFORM").lower() == "openshift":
        pod = merge.clone(pod)
        _openshift_reset_proxy_user(pod)
        pod_key = None  # not the caller's pod any more
    original = pod
    meta = pod.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    _validate(annotations)
    pc = _proxy_config(settings, annotations, legacy=False)
    values = settings.values
    native = _native_sidecars(settings, pod)
    uid, gid = _proxy_ids(settings, namespace if mode == MODE_WEBHOOK else None)
    revision = settings.revision or ""
    proxy_envs = _cluster_envs(settings, meta, proxy_envs)
    stripped = _reinsert_overrides(_strip_pod(pod, _status_port(settings.mesh)))
    proxy_image = templatedata.proxy_image(values, pc, annotations)
    itp_mode = templatedata.inbound_traffic_policy_mode(settings.mesh)
    compliance = _env(settings, "COMPLIANCE_POLICY")
    names = select_templates(settings, annotations, mode)
    # Every argument of templatedata.build that is not derived from the Settings alone:
    # equal keys mean equal template data, hence equal renders.
    common = [names, type_meta, deploy_meta, pc, revision, bool(native), proxy_image, uid, gid,
              itp_mode, compliance]
    if pod_key is not None and stripped is original:
        # the template sees the caller's pod with the request namespace filled in (a function
        # of these): the caller's JSON and the request inputs stand for its meta and spec
        key = rendercache.make_key(settings, "modern-pod", common + pod_key[0], pod_key[1])
    else:
        key = rendercache.make_key(settings, "modern", common + [stripped.get("metadata"),
                                                                  stripped.get("spec")])
    cached = rendercache.lookup(key)
    data = None
    tpls = _parsed_templates(settings)
    # Overlays apply to the pod as it is (a previous injection included: env such as
    # ISTIO_KUBE_APP_PROBERS survives re-injection); the data saw the stripped pod.
    merged = _copy_pod(original, pod_key, share=mode == MODE_WEBHOOK)
    native_allowed = _env(settings, "ENABLE_NATIVE_SIDECARS", "auto").strip().lower() not in (
        "false", "disabled", "0", "off")
    template_pod: dict = {}
    overlays: list = []
    for i, name in enumerate(names):
        if cached is not None:
            overlay = cached[i]
        else:
            tpl = tpls.get(name)
            if tpl is None:
                src = f" (annotation {TEMPLATES_ANNOTATION})" if annotations.get(TEMPLATES_ANNOTATION) else ""
                raise InjectionError(
                    f"requested template {name!r}{src} not found; have {', '.join(sorted(tpls))}")
            if data is None:
                pc_data, mesh_data = _pc_data(settings, pc, legacy=False,
                                              annotated=PROXY_CONFIG_ANNOTATION in annotations)
                data = templatedata.build(
                    legacy=False, type_meta=type_meta, deploy_meta=deploy_meta,
                    pod_meta=stripped.get("metadata"), pod_spec=stripped.get("spec"),
                    proxy_config=pc_data, mesh_config=mesh_data, values=values, revision=revision,
                    native_sidecars=native, proxy_image=proxy_image, proxy_uid=uid, proxy_gid=gid,
                    inbound_traffic_policy_mode=itp_mode, compliance_policy=compliance,
                )
            text = _render(tpl, data, f"template {name!r}")
            overlay = _load_yaml(text, f"template {name!r}")
            try:  # once per render: cached overlays were checked when rendered
                podcheck.check_rendered(overlay)
            except podcheck.PodShapeError as e:
                raise InjectionError(f"template {name!r} rendered an invalid pod: {e} (check the pod's "
                                     "sidecar.istio.io annotations and the template)") from None
            overlays.append(overlay)
        try:
            template_pod = merge.strategic_merge_into(template_pod, overlay)
            mspec = merged.setdefault("spec", {})
            tinit = (template_pod.get("spec") or {}).get("initContainers") or []
            user_proxy = _find(mspec.get("containers") or [], PROXY)
            if native_allowed and user_proxy is not None and _find(tinit, PROXY) is not None:
                # A user-supplied istio-proxy becomes the native sidecar the template patches.
                mspec["containers"] = [c for c in mspec["containers"] if c is not user_proxy]
                mspec["initContainers"] = list(mspec.get("initContainers") or []) + [user_proxy]
            merged = merge.strategic_merge_into(merged, overlay)
        except merge.MergeError as e:
            raise InjectionError(f"failed applying injection overlay of template {name!r}: {e}") from None
    if cached is None:
        rendercache.store(key, overlays)
    merged = _reapply_user_containers(merged, original, template_pod, pc)
    _post_process(merged, template_pod, settings, original, pc, revision, mode, proxy_envs)
    status = merged["metadata"]["annotations"].get(STATUS_ANNOTATION)
    return InjectionResult(pod=merged, status=status)


# App containers' env lists this long are shared between the caller's pod and the result
# (webhook: the result is only diffed, and the differ skips identical objects). Injection
# never modifies them: merges are copy-on-write, probes/env edits touch container maps
# (copied) or the injected containers (never shared).
_SHARE_MIN_ENV = 256
_INJECTED_NAMES = frozenset({PROXY, INIT, VALIDATION, CORE_DUMP})


def _shareable_envs(pod: Any) -> list[tuple[str, int, list]]:
    spec = pod.get("spec") if type(pod) is dict else None
    if type(spec) is not dict:
        return []
    out = []
    for field_name in ("containers", "initContainers"):
        lst = spec.get(field_name)
        if type(lst) is not list:
            continue
        for i, c in enumerate(lst):
            if type(c) is dict:
                env = c.get("env")
                if type(env) is list and len(env) >= _SHARE_MIN_ENV and c.get("name") not in _INJECTED_NAMES:
                    out.append((field_name, i, env))
    return out


def _copy_sharing(pod: dict, shared: list[tuple[str, int, list]]) -> dict:
    """A private copy of `pod` except for the `shared` env lists, which stay the caller's."""
    spec = dict(pod["spec"])
    for field_name in {f for f, _, _ in shared}:
        spec[field_name] = list(spec[field_name])
    for field_name, i, _env in shared:
        spec[field_name][i] = {**spec[field_name][i], "env": []}
    out = merge.clone({**pod, "spec": spec})
    for field_name, i, env in shared:
        out["spec"][field_name][i]["env"] = env
    return out


def _copy_pod(pod: dict, pod_key: tuple[list, bytes] | None, share: bool = False) -> dict:
    """A copy of `pod` that injection may modify.

    share (webhook): only what injection modifies in place is copied (_writable_shell);
    the rest stays the caller's. Otherwise a deep copy, from the caller's JSON when we
    have it (half a clone). `pod` is the caller's pod or, without a namespace, a shallow
    copy of it with the request namespace set (pod_key[0] = [namespace, mode] says which).
    Without the caller's JSON (the pod is nested too deeply for it, or the render cache
    is off) the webhook keeps its former copy: long env lists shared, the rest cloned,
    and a pod too deep to clone is refused as before."""
    if share and pod_key is not None:
        return _writable_shell(pod)
    if share:
        shared = _shareable_envs(pod)
        if shared:
            return _copy_sharing(pod, shared)
    if pod_key is None:
        return merge.clone(pod)
    out = _orjson.loads(pod_key[1])
    meta = pod.get("metadata")
    if isinstance(meta, dict) and out.get("metadata") != meta:
        m = out.get("metadata")
        out["metadata"] = {**(m if isinstance(m, dict) else {}), "namespace": meta.get("namespace")}
    return out


# The maps of a container that injection writes into (besides the container itself):
# probes/hooks rewriting (lifecycle), the init and proxy users (securityContext).
_WRITTEN_IN_CONTAINER = ("lifecycle", "securityContext")


def _writable_shell(pod: dict) -> dict:
    """`pod` with private copies of every map and list injection modifies in place: the
    pod, its metadata with annotations and labels, its spec, the container lists, each
    container with its lifecycle and securityContext. Everything else (env lists,
    probes, volumes, ...) is shared: the strategic merges are copy-on-write, and the
    webhook only diffs the result (its differ skips identical objects)."""
    out = dict(pod)
    meta = out.get("metadata")
    if type(meta) is dict:
        meta = out["metadata"] = dict(meta)
        for key in ("annotations", "labels"):
            if type(meta.get(key)) is dict:
                meta[key] = dict(meta[key])
    spec = out.get("spec")
    if type(spec) is dict:
        spec = out["spec"] = dict(spec)
        for key in ("containers", "initContainers"):
            lst = spec.get(key)
            if type(lst) is list:
                spec[key] = [_writable_container(c) for c in lst]
    return out


def _writable_container(c: Any) -> Any:
    if type(c) is not dict:
        return c
    c = dict(c)
    for key in _WRITTEN_IN_CONTAINER:
        if type(c.get(key)) is dict:
            c[key] = dict(c[key])
    return c


def _typed_container(c: dict) -> dict:
    """A container as Go's typed round trip leaves it (field order, omitempty, quantities)."""
    from injector import k8stypes

    pod = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [c]}}
    return ((k8stypes.normalize(pod, omit_creation_timestamp=True).get("spec") or {}).get("containers") or [c])[0]


# Go struct field order of a corev1.Container subtree (encoding/json writes fields in
# declaration order): type -> [(json name, field type or None)].
_GO_ORDER: dict[str, list[tuple[str, str | None]]] = {
    "Container": [("name", None), ("image", None), ("command", None), ("args", None), ("workingDir", None),
                  ("ports", "[ContainerPort"), ("envFrom", "[EnvFromSource"), ("env", "[EnvVar"),
                  ("resources", "ResourceRequirements"), ("resizePolicy", None), ("restartPolicy", None),
                  ("restartPolicyRules", None), ("volumeMounts", "[VolumeMount"), ("volumeDevices", None),
                  ("livenessProbe", "Probe"), ("readinessProbe", "Probe"), ("startupProbe", "Probe"),
                  ("lifecycle", "Lifecycle"), ("terminationMessagePath", None),
                  ("terminationMessagePolicy", None), ("imagePullPolicy", None),
                  ("securityContext", "SecurityContext"), ("stdin", None), ("stdinOnce", None), ("tty", None)],
    "ContainerPort": [("name", None), ("hostPort", None), ("containerPort", None), ("protocol", None),
                      ("hostIP", None)],
    "EnvFromSource": [("prefix", None), ("configMapRef", None), ("secretRef", None)],
    "EnvVar": [("name", None), ("value", None), ("valueFrom", "EnvVarSource")],
    "EnvVarSource": [("fieldRef", "ObjectFieldSelector"), ("resourceFieldRef", "ResourceFieldSelector"),
                     ("configMapKeyRef", None), ("secretKeyRef", None), ("fileKeyRef", None)],
    "ObjectFieldSelector": [("apiVersion", None), ("fieldPath", None)],
    "ResourceFieldSelector": [("containerName", None), ("resource", None), ("divisor", None)],
    "ResourceRequirements": [("limits", None), ("requests", None), ("claims", None)],
    "VolumeMount": [("name", None), ("readOnly", None), ("recursiveReadOnly", None), ("mountPath", None),
                    ("subPath", None), ("mountPropagation", None), ("subPathExpr", None)],
    "Probe": [("exec", None), ("httpGet", "HTTPGetAction"), ("tcpSocket", "TCPSocketAction"),
              ("grpc", "GRPCAction"), ("initialDelaySeconds", None), ("timeoutSeconds", None),
              ("periodSeconds", None), ("successThreshold", None), ("failureThreshold", None),
              ("terminationGracePeriodSeconds", None)],
    "Lifecycle": [("postStart", "LifecycleHandler"), ("preStop", "LifecycleHandler"), ("stopSignal", None)],
    "LifecycleHandler": [("exec", None), ("httpGet", "HTTPGetAction"), ("tcpSocket", "TCPSocketAction"),
                         ("sleep", None)],
    "HTTPGetAction": [("path", None), ("port", None), ("host", None), ("scheme", None), ("httpHeaders", "[HTTPHeader")],
    "HTTPHeader": [("name", None), ("value", None)],
    "TCPSocketAction": [("port", None), ("host", None)],
    "GRPCAction": [("port", None), ("service", None)],
    "SecurityContext": [("capabilities", "Capabilities"), ("privileged", None), ("seLinuxOptions", None),
                        ("windowsOptions", None), ("runAsUser", None), ("runAsGroup", None),
                        ("runAsNonRoot", None), ("readOnlyRootFilesystem", None),
                        ("allowPrivilegeEscalation", None), ("procMount", None), ("seccompProfile", None),
                        ("appArmorProfile", None)],
    "Capabilities": [("add", None), ("drop", None)],
}


def _go_order(v: Any, typ: str | None) -> Any:
    if typ is None:
        return v
    if typ.startswith("["):
        return [_go_order(x, typ[1:]) for x in v] if isinstance(v, list) else v
    if not isinstance(v, dict):
        return v
    order = _GO_ORDER.get(typ, [])
    out = {k: _go_order(v[k], t) for k, t in order if k in v}
    out.update({k: x for k, x in v.items() if k not in out})
    return out


def _ordered_go_json(v: Any) -> str:
    """encoding/json of struct-shaped data: keys in the order given (Go field order)."""
    out = probes.compact_json(v)
    return (out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _reapply_user_containers(merged: dict, original: dict, template_pod: dict, pc: dict) -> dict:
    """User-defined versions of injected containers win over the template's (Istio's
    reapplyOverwrittenContainers); they are saved in `proxy.istio.io/overrides` so that a
    re-injection re-applies the user's version, not the previously injected one."""
    ometa = original.get("metadata") or {}
    oann = ometa.get("annotations") or {}
    ospec = original.get("spec") or {}
    tspec = template_pod.get("spec") or {}
    mspec = merged.setdefault("spec", {})
    saved: dict = {}
    if oann.get(OVERRIDES_ANNOTATION):
        try:
            saved = json.loads(oann[OVERRIDES_ANNOTATION]) or {}
        except ValueError as e:
            raise InjectionError(f"invalid {OVERRIDES_ANNOTATION} annotation: {e}") from None
    injected_status: dict = {}
    already = STATUS_ANNOTATION in oann
    if already:
        try:
            injected_status = json.loads(oann[STATUS_ANNOTATION]) or {}
        except ValueError:
            injected_status = {}
    overrides: dict[str, list] = {"containers": [], "initContainers": []}
    for key in ("containers", "initContainers"):
        for tc in tspec.get(key) or []:
            name = tc.get("name")
            match = _find(saved.get(key) or [], name)
            if match is None and name in (injected_status.get(key) or []):
                continue  # what we injected before is not the user's
            if match is None:
                match = _find(ospec.get("containers") or [], name)
                if match is None and key == "initContainers":
                    match = _find(ospec.get("initContainers") or [], name)
            if match is None:
                continue
            overlay = merge.clone(match)
            if overlay.get("image") == "auto":
                overlay.pop("image")
            overrides[key].append(overlay)
            lst = mspec.get(key) or []
            cur = _find(lst, name)
            if cur is None:
                continue
            # copy-on-write: cur (replaced below) is read, never modified
            new = merge.strategic_merge_into({"spec": {"containers": [cur]}}, {"spec": {"containers": [overlay]}})
            mspec[key] = [new["spec"]["containers"][0] if c is cur else c for c in lst]
    if not already and (overrides["containers"] or overrides["initContainers"]):
        out = {k: [_go_order(_typed_container(c), "Container") for c in v] for k, v in overrides.items() if v}
        merged.setdefault("metadata", {}).setdefault("annotations", {})[OVERRIDES_ANNOTATION] = \
            _ordered_go_json(out)
    _adjust_init_user(merged, original, pc)
    return merged


def _adjust_init_user(pod: dict, original: dict, pc: dict) -> None:
    """A user-set runAsUser/runAsGroup on istio-proxy: istio-validation runs as that user,
    istio-init's `-u` (the UID iptables exempts) follows it; under TPROXY the proxy must
    stay root."""
    user = probes.find_sidecar(original.get("spec") or {})
    sc = (user or {}).get("securityContext") or {}
    uid, gid = sc.get("runAsUser"), sc.get("runAsGroup")
    if uid is None and gid is None:
        return
    spec = pod.get("spec") or {}
    init = _find(spec.get("initContainers") or [], INIT) or _find(spec.get("initContainers") or [], VALIDATION)
    if init is None:
        return
    ann = (pod.get("metadata") or {}).get("annotations") or {}
    tproxy = (pc or {}).get("interceptionMode") == "TPROXY" or ann.get("sidecar.istio.io/interceptionMode") == "TPROXY"
    if tproxy and uid is not None:
        proxy = probes.find_sidecar(spec)
        if proxy is not None and isinstance(proxy.get("securityContext"), dict):
            proxy["securityContext"]["runAsUser"] = 0
    if not tproxy and init.get("name") == VALIDATION:
        isc = init.setdefault("securityContext", {})
        if uid is not None:
            isc["runAsUser"] = uid
        if gid is not None:
            isc["runAsGroup"] = gid
    if not uid:
        return
    args = list(init.get("args") or [])
    for i, a in enumerate(args[:-1]):
        if a == "-u":
            args[i + 1] = str(uid)
            init["args"] = args
            return


def _cluster_envs(settings, meta: dict, proxy_envs: dict | None) -> dict[str, str]:
    """Cluster ID and network for the proxy: values, then the webhook path, then (network)
    the pod's topology.istio.io/network label; only non-empty ones are set."""
    envs = dict(proxy_envs or {})
    cluster = envs.get("ISTIO_META_CLUSTER_ID") or _values_flag(settings.values, "global", "multiCluster", "clusterName") or ""
    network = envs.get("ISTIO_META_NETWORK") or _values_flag(settings.values, "global", "network") or ""
    labels = meta.get("labels") or {}
    if NETWORK_LABEL in labels:
        network = labels[NETWORK_LABEL]
    if cluster:
        envs["ISTIO_META_CLUSTER_ID"] = str(cluster)
    if network:
        envs["ISTIO_META_NETWORK"] = str(network)
    return envs


def _update_cluster_envs(sidecar: dict | None, envs: dict[str, str]) -> None:
    """Istio's updateClusterEnvs: drop those names, append them sorted at the end."""
    if sidecar is None:
        return
    env = [e for e in sidecar.get("env") or [] if e.get("name") not in envs]
    env.extend({"name": k, "value": envs[k]} for k in sorted(envs))
    sidecar["env"] = env


def _post_process(pod: dict, template_pod: dict, settings, original: dict, pc: dict,
                  revision: str, mode: str, proxy_envs: dict | None = None) -> None:
    meta = pod.setdefault("metadata", {})
    if meta.get("annotations") is None:
        meta["annotations"] = {}
    if meta.get("labels") is None:
        meta["labels"] = {}
    spec = pod.setdefault("spec", {})
    mesh = settings.mesh
    if proxy_envs:
        _update_cluster_envs(probes.find_sidecar(spec), proxy_envs)
    # kube-inject applies proxy.istio.io/config to its mesh; the webhook uses the mesh's.
    status_port = _status_port(mesh)
    if mode == MODE_KUBE_INJECT and isinstance(pc, dict) and pc.get("statusPort") is not None:
        status_port = int(pc["statusPort"])
    _prometheus_merge(pod, settings, status_port)
    ann = meta["annotations"]
    rewrite_default = bool(_values_flag(settings.values, "sidecarInjectorWebhook", "rewriteAppHTTPProbe"))
    sidecar = probes.find_sidecar(spec)
    if sidecar is not None and probes.should_rewrite(ann, rewrite_default):
        value = probes.dump_app_probers(spec, status_port, legacy=False)
        if value:
            previously = STATUS_ANNOTATION in ((original.get("metadata") or {}).get("annotations") or {})
            sidecar["env"] = probes.merge_or_append_probers(sidecar.get("env") or [], value, previously)
        probes.rewrite_probes(spec, probes.status_port(ann, status_port), legacy=False)
    network = proxy_envs.get("ISTIO_META_NETWORK")
    if network is not None:
        meta["labels"][NETWORK_LABEL] = network
    ann[STATUS_ANNOTATION] = _status_json(template_pod.get("spec") or {}, version=None,
                                          revision=revision or "default")
    for k, v in (getattr(settings.config, "injected_annotations", {}) or {}).items():
        ann[k] = v
    _reorder(pod, settings, pc)


_PROM_KEYS: dict[str, str] = {}
_PROM_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")


def _prom_key(k: str) -> str:
    """Prometheus' label-name sanitising: `prometheus.io/port` ~ `prometheus-io/port`."""
    out = _PROM_KEYS.get(k)
    if out is None:
        out = _PROM_UNSAFE.sub("_", k)
        if len(_PROM_KEYS) < 4096:  # annotation keys repeat; bound the memo anyway
            _PROM_KEYS[k] = out
    return out


def _prom_get(ann: dict, sanitized: str) -> str | None:
    for k, v in ann.items():
        if _prom_key(k) == sanitized:
            return v
    return None


def _prom_clear(ann: dict) -> None:
    for k in [k for k in ann if _prom_key(k) in ("prometheus_io_port", "prometheus_io_path", "prometheus_io_scrape")]:
        del ann[k]


# Sanitised annotation key -> the scrape setting it carries.
_PROM_FIELDS = {"prometheus_io_scrape": "scrape", "prometheus_io_path": "path", "prometheus_io_port": "port"}


def _prometheus_merge(pod: dict, settings, status_port: int) -> None:
    """Metrics merge: the agent serves the app's metrics; the user's prometheus.io/*
    annotations move to ISTIO_PROMETHEUS_ANNOTATIONS on istio-proxy."""
    ann = pod["metadata"]["annotations"]
    # One pass: per setting the first annotation's value (Go's lookup), the last one's
    # (the scrape config keeps it), and every key to clear.
    first: dict = {}
    last: dict = {}
    keys = []
    for k, v in ann.items():
        setting = _PROM_FIELDS.get(_prom_key(k))
        if setting is not None:
            if setting not in first:
                first[setting] = v
            last[setting] = v
            keys.append(k)
    scrape_value = first.get("scrape")
    if scrape_value is not None and scrape_value in _GO_BOOLS and not _GO_BOOLS[scrape_value]:
        return
    if not _prometheus_enabled(settings, ann):
        return
    target = str(status_port)
    if first.get("port") == target:
        return
    scrape = {"scrape": last.get("scrape", ""), "path": last.get("path", ""), "port": last.get("port", "")}
    sidecar = probes.find_sidecar(pod.get("spec") or {})
    if any(scrape.values()) and sidecar is not None:
        sidecar["env"] = list(sidecar.get("env") or []) + [
            {"name": "ISTIO_PROMETHEUS_ANNOTATIONS", "value": _ordered_go_json(scrape)}]
    for k in keys:
        del ann[k]
    ann["prometheus.io/port"] = target
    ann["prometheus.io/path"] = "/stats/prometheus"
    ann["prometheus.io/scrape"] = "true"


_GO_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
             "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
INIT_BEFORE_PROXY_ANNOTATION = "sidecar.istio.io/init-containers-before-proxy"


def _reorder(pod: dict, settings, pc: dict) -> None:
    spec = pod.setdefault("spec", {})
    hold_pc = (pc or {}).get("holdApplicationUntilProxyStarts")
    if isinstance(hold_pc, dict):
        hold_pc = hold_pc.get("value")
    hold = bool(hold_pc) or bool(_values_flag(settings.values, "global", "proxy", "holdApplicationUntilProxyStarts"))
    if spec.get("containers"):
        spec["containers"] = _move(spec["containers"], PROXY, first=hold)
    inits = spec.get("initContainers")
    if not inits:
        return
    if _find(inits, PROXY) is not None:
        before = ",".join(x for x in (_env(settings, "INIT_CONTAINER_BEFORE_PROXY"),
                                      (pod.get("metadata") or {}).get("annotations", {}).get(
                                          INIT_BEFORE_PROXY_ANNOTATION, "")) if x)
        names_before = list(dict.fromkeys(n for n in before.split(",") if before))
        inits = _move(inits, CORE_DUMP, first=True)
        inits = _move(inits, PROXY, first=True)
        for name in reversed(names_before):
            inits = _move(inits, name, first=True)
        inits = _move(inits, VALIDATION, first=True)
        inits = _move(inits, INIT, first=True)
    else:
        inits = _move(inits, VALIDATION, first=True)
        inits = _move(inits, INIT, first=False)
        inits = _move(inits, CORE_DUMP, first=False)
    spec["initContainers"] = inits


# -------------------------------------------------------------------------- entry

def inject_pod(
    pod: dict,
    settings,
    *,
    namespace: str | None = None,
    request_kind: str = "Pod",
    mode: str = MODE_WEBHOOK,
    type_meta: dict | None = None,
    deploy_meta: dict | None = None,
    version: str | None = None,
    proxy_envs: dict[str, str] | None = None,
    pod_json: bytes | None = None,
) -> InjectionResult:
    """Inject `pod` (JSON; `metadata` + `spec`) and return the mutated copy.

    namespace: the admission request namespace (webhook), used when the pod has none.
    type_meta / deploy_meta: the owning workload (kube-inject passes them; the webhook
    derives them from the pod's owner references). version: legacy status "version"
    (default: sha256 of the template, as kube-inject uses). proxy_envs: env overrides of
    the webhook path (`/inject/cluster/X/net/Y`), applied to istio-proxy as Istio does.
    pod_json: `rendercache.pod_json(pod)` when the caller already has it.

    `pod` is never modified. In webhook mode the result may share with it what injection
    leaves as it is (env lists, probes, volumes...; see _copy_pod): the webhook only diffs
    the result; do not modify those. Whole answers to identical pods are cached a level up
    (see injector.admission.review)."""
    del request_kind  # the pod is always a Pod here; kept for the webhook's signature
    if pod_json is None and rendercache.enabled():
        pod_json = rendercache.pod_json(pod)
    return _inject_pod(pod, settings, namespace=namespace, mode=mode, type_meta=type_meta,
                       deploy_meta=deploy_meta, version=version, proxy_envs=proxy_envs,
                       pod_bytes=pod_json)


def cluster_inputs(pod: dict, settings, namespace: str | None, mode: str) -> list | None:
    """What injection reads from outside the pod and the Settings (live cluster facts), or
    None when the result must not be cached (inputs we do not key on)."""
    if not isinstance(pod, dict) or not isinstance(getattr(settings, "env", None), dict):
        return None  # istiod switches from os.environ: not part of the Settings
    if _legacy(settings):
        return []
    if _env(settings, "PLATFORM").lower() == "openshift":
        return None  # the proxy-user reset changes what the cluster facts are read on
    meta = pod.get("metadata")
    ns = namespace or (meta.get("namespace") if isinstance(meta, dict) else None)
    try:
        native = _native_sidecars(settings, pod)
        uid, gid = _proxy_ids(settings, ns if mode == MODE_WEBHOOK else None)
    except Exception:  # a malformed pod: the full path reports it
        return None
    return [bool(native), uid, gid]


def _inject_pod(pod: dict, settings, *, namespace: str | None, mode: str, type_meta: dict | None,
                deploy_meta: dict | None, version: str | None,
                proxy_envs: dict[str, str] | None, pod_bytes: bytes | None = None) -> InjectionResult:
    """inject_pod without the result cache. pod_bytes: the caller's pod as JSON (render keys
    reuse it with the request inputs that derive the pod the template sees from it)."""
    legacy = _legacy(settings)
    if legacy:  # the legacy paths build the result in place, on a copy
        shared = _shareable_envs(pod) if mode == MODE_WEBHOOK else []
        if shared:
            pod = _copy_sharing(pod, shared)
        else:
            pod = merge.clone(pod) if pod_bytes is None else _orjson.loads(pod_bytes)
    meta = pod.get("metadata") or {}
    ns_missing = not meta.get("namespace")
    if type_meta is None or deploy_meta is None:
        probe_pod = pod
        if ns_missing and namespace:
            probe_pod = {**pod, "metadata": {**meta, "namespace": namespace}}
        # Istio 1.7's webhook took the namespace from the request, whatever the pod says.
        wl = workload.deploy_meta_from_pod(
            probe_pod, legacy=legacy,
            namespace=(namespace or "") if legacy and mode == MODE_WEBHOOK else None)
        if type_meta is None:
            type_meta = {"kind": wl.kind, "apiVersion": wl.api_version}
        if deploy_meta is None:
            deploy_meta = ({**meta, "name": wl.name, "namespace": wl.namespace} if legacy
                           else {"name": wl.name, "namespace": wl.namespace})
    workload_name = deploy_meta.get("name", "") or ""
    if legacy:
        if mode == MODE_KUBE_INJECT:
            return _legacy_kube_inject(pod, settings, type_meta, deploy_meta, version, pod_bytes)
        return _legacy_webhook(pod, settings, type_meta, deploy_meta, workload_name, version, pod_bytes)
    if ns_missing and namespace and mode == MODE_WEBHOOK:
        pod = {**pod, "metadata": {**meta, "namespace": namespace}}  # the caller's pod stays as is
    result = _modern(pod, settings, mode=mode, namespace=namespace or meta.get("namespace"),
                     type_meta=type_meta, deploy_meta=deploy_meta, proxy_envs=proxy_envs,
                     pod_key=None if pod_bytes is None else ([namespace, mode], pod_bytes))
    if ns_missing and mode == MODE_WEBHOOK:
        result.pod.get("metadata", {}).pop("namespace", None)
    return result
