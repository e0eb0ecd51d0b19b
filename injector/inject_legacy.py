"""Injection with an Istio 1.7 config (one `template`): render the `SidecarInjectionSpec`,
decode it as Go's typed structs would, and append it to the pod as kube-inject or the
webhook of Istio 1.7 did (the two differ in a few details, see `inject`)."""
from __future__ import annotations

import hashlib
import json
import math
import re
from typing import Any

from injector import inject_common, merge, probes, rendercache, templatedata
from injector.inject_common import (
    CORE_DUMP,
    INIT,
    PROXY,
    PROXY_CONFIG_ANNOTATION,
    SA_MOUNT_PATH,
    STATUS_ANNOTATION,
    VALIDATION,
    InjectionError,
    InjectionResult,
    _legacy,
    _parsed_templates,
    _pc_data,
    _prometheus_enabled,
    _proxy_config,
    _status_json,
    _status_port,
    _validate,
    _values_flag,
)
from injector.template.funcs.gojson import marshal as go_json

LEGACY_STATUS = {"initContainers": [INIT, CORE_DUMP], "containers": [PROXY],
                 "volumes": ["istio-certs", "istio-envoy"], "imagePullSecrets": []}


def _legacy_template(settings):
    tpls = _parsed_templates(settings)
    if len(tpls) == 1:
        return next(iter(tpls.values()))
    return tpls.get("sidecar") or tpls.get("") or next(iter(tpls.values()))


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
        text = inject_common._render(_legacy_template(settings), data, "the injection template")
        sic = inject_common._load_yaml(text, "the injection template")
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
