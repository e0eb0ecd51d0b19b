"""Injection with an Istio 1.10+ config (`templates`): every selected template is a pod
overlay applied by strategic merge; then user-supplied injected containers are re-applied,
and probes, prometheus merge, cluster env, status and container order follow."""
from __future__ import annotations

import json
import re
from typing import Any

import orjson as _orjson

from injector import inject_common, merge, podcheck, probes, rendercache, templatedata
from injector.inject_common import (
    CORE_DUMP,
    INIT,
    MODE_KUBE_INJECT,
    MODE_WEBHOOK,
    NETWORK_LABEL,
    OVERRIDES_ANNOTATION,
    PROXY,
    PROXY_CONFIG_ANNOTATION,
    STATUS_ANNOTATION,
    TEMPLATES_ANNOTATION,
    VALIDATION,
    InjectionError,
    InjectionResult,
    _copy_sharing,
    _env,
    _parsed_templates,
    _pc_data,
    _prometheus_enabled,
    _proxy_config,
    _shareable_envs,
    _status_json,
    _status_port,
    _validate,
    _values_flag,
)


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
            text = inject_common._render(tpl, data, f"template {name!r}")
            overlay = inject_common._load_yaml(text, f"template {name!r}")
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
