"""Shape check of the pod fields the injection pipeline reads, before it reads them.

The apiserver only ever sends typed pods, but `injector admit -f`, kube-inject input and
hand-written AdmissionReviews can carry anything. Rather than let a wrong type surface
deep in the pipeline as a Python internals message, `check_pod` walks exactly the fields
the pipeline touches (policy, template data, merge keys, probes, annotations, owner
references) and raises `PodShapeError` naming the field and what was wrong:

    spec.containers[1].ports[0].containerPort: expected an integer, got "http"

It is not a Kubernetes schema validation: fields the pipeline never reads are not looked
at, and `null` is accepted wherever Go would decode it to a zero value (but not as a list
element or map value, where the pipeline would trip over it). It runs per admission, so
it is written for speed: plain type checks, paths built only when descending (about 5 us
for a one-container pod).

`check_rendered` applies the container rules to what a template rendered, plus resource
quantities, once per render: Istio decodes its merged pod into corev1.Pod and fails where
we would otherwise answer with a patch the apiserver rejects.
"""
from __future__ import annotations

import json
from typing import Any


class PodShapeError(ValueError):
    """A pod field has the wrong type; the message starts with the field's path."""


def _show(v: Any) -> str:
    """The offending value, briefly: strings and scalars as JSON, containers by kind."""
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, str):
        text = json.dumps(v if len(v) <= 40 else v[:40], ensure_ascii=False)
        return text if len(v) <= 40 else text[:-1] + '..." (' + str(len(v)) + " characters)"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    return type(v).__name__


def _fail(path: str, expected: str, v: Any) -> PodShapeError:
    return PodShapeError(f"{path}: expected {expected}, got {_show(v)}")


def _key(path: str, k: str) -> str:
    # Annotation and label keys hold dots and slashes: quote them so the path stays readable.
    if len(k) > 80:
        k = k[:80] + "..."
    return f"{path}[{json.dumps(k, ensure_ascii=False)}]"


def _obj(v: Any, path: str) -> dict | None:
    """`v` as an object (None when null/absent)."""
    if v is None or type(v) is dict:
        return v
    raise _fail(path, "an object", v)


def _str(v: Any, path: str) -> None:
    if v is not None and type(v) is not str:
        raise _fail(path, "a string", v)


def _int(v: Any, path: str) -> None:
    if v is None or type(v) is int:
        return
    if type(v) is float and v.is_integer():
        return
    raise _fail(path, "an integer", v)


def _bool(v: Any, path: str) -> None:
    if v is not None and v is not True and v is not False:
        raise _fail(path, "a boolean", v)


def _int_or_str(v: Any, path: str) -> None:
    t = type(v)
    if v is None or t is int or t is str or (t is float and v.is_integer()):
        return
    raise _fail(path, "an integer or a string", v)


def _list(v: Any, path: str) -> list | None:
    if v is None or type(v) is list:
        return v
    raise _fail(path, "a list", v)


def _str_list(v: Any, path: str) -> None:
    for i, x in enumerate(_list(v, path) or ()):
        if type(x) is not str:
            raise _fail(f"{path}[{i}]", "a string", x)


def _str_map(v: Any, path: str) -> None:
    for k, x in (_obj(v, path) or {}).items():
        if type(x) is not str:
            raise _fail(_key(path, k), "a string", x)


def _objects(v: Any, path: str, check=None, fast=None) -> None:
    """A list of objects; `check(obj, path)` on each. `fast(obj) -> bool` is a path-free
    test of the same rules for long lists (thousands of env vars): only an item it
    rejects pays for building its path."""
    for i, x in enumerate(_list(v, path) or ()):
        if fast is not None and type(x) is dict and fast(x):
            continue
        if type(x) is not dict:
            raise _fail(f"{path}[{i}]", "an object", x)
        if check is not None:
            check(x, f"{path}[{i}]")


def _s_ok(v: Any) -> bool:
    return v is None or type(v) is str


def _env_ok(x: dict) -> bool:
    get = x.get
    return type(get("name")) in _S and type(get("value")) in _S and type(get("valueFrom")) in _D


def _mount_ok(x: dict) -> bool:
    get = x.get
    return (type(get("name")) in _S and type(get("mountPath")) in _S and type(get("subPath")) in _S
            and type(get("readOnly")) in _B)


def _named_ok(x: dict) -> bool:
    return _s_ok(x.get("name"))


def _named(x: dict, path: str) -> None:
    _str(x.get("name"), path + ".name")


def _port(x: dict, path: str) -> None:
    _str(x.get("name"), path + ".name")
    _int(x.get("containerPort"), path + ".containerPort")
    _int(x.get("hostPort"), path + ".hostPort")
    _str(x.get("protocol"), path + ".protocol")
    _str(x.get("hostIP"), path + ".hostIP")


def _env(x: dict, path: str) -> None:
    _str(x.get("name"), path + ".name")
    _str(x.get("value"), path + ".value")
    _obj(x.get("valueFrom"), path + ".valueFrom")


def _mount(x: dict, path: str) -> None:
    _str(x.get("name"), path + ".name")
    _str(x.get("mountPath"), path + ".mountPath")
    _str(x.get("subPath"), path + ".subPath")
    _bool(x.get("readOnly"), path + ".readOnly")


def _header(x: dict, path: str) -> None:
    _str(x.get("name"), path + ".name")
    _str(x.get("value"), path + ".value")


def _handler(h: dict, path: str) -> None:
    """The actions of a probe or lifecycle handler (probes are rewritten from these)."""
    x = _obj(h.get("exec"), path + ".exec")
    if x:
        _str_list(x.get("command"), path + ".exec.command")
    x = _obj(h.get("httpGet"), path + ".httpGet")
    if x:
        p = path + ".httpGet"
        _str(x.get("path"), p + ".path")
        _int_or_str(x.get("port"), p + ".port")
        _str(x.get("host"), p + ".host")
        _str(x.get("scheme"), p + ".scheme")
        _objects(x.get("httpHeaders"), p + ".httpHeaders", _header)
    x = _obj(h.get("tcpSocket"), path + ".tcpSocket")
    if x:
        _int_or_str(x.get("port"), path + ".tcpSocket.port")
        _str(x.get("host"), path + ".tcpSocket.host")
    x = _obj(h.get("grpc"), path + ".grpc")
    if x:
        _int(x.get("port"), path + ".grpc.port")
        _str(x.get("service"), path + ".grpc.service")


_PROBE_INTS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
               "failureThreshold", "terminationGracePeriodSeconds")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_SC_INTS = ("runAsUser", "runAsGroup")
_SC_BOOLS = ("runAsNonRoot", "privileged", "readOnlyRootFilesystem", "allowPrivilegeEscalation")


def _probe(v: Any, path: str) -> None:
    p = _obj(v, path)
    if not p:
        return
    _handler(p, path)
    for k in _PROBE_INTS:
        if k in p:
            _int(p[k], f"{path}.{k}")


# Fast path: the same rules as the checks above, as plain predicates without paths.
# A container they accept is valid; one they reject is walked again by the checks,
# which name the field (or find it valid: the predicates may be stricter, never looser).
_NONE = type(None)
_S = frozenset((str, _NONE))
_I = frozenset((int, _NONE))
_IS = frozenset((int, str, _NONE))
_B = frozenset((bool, _NONE))
_D = frozenset((dict, _NONE))
_Q = frozenset((str, int, float))


def _strs_ok(v: Any) -> bool:
    if v is None:
        return True
    if type(v) is not list:
        return False
    for x in v:
        if type(x) is not str:
            return False
    return True


def _port_ok(x: dict) -> bool:
    get = x.get
    return (type(get("name")) in _S and type(get("containerPort")) in _I and type(get("hostPort")) in _I
            and type(get("protocol")) in _S and type(get("hostIP")) in _S)


def _handler_ok(h: dict) -> bool:
    x = h.get("exec")
    if x is not None and (type(x) is not dict or not _strs_ok(x.get("command"))):
        return False
    x = h.get("httpGet")
    if x is not None:
        if type(x) is not dict or x.get("httpHeaders") is not None:
            return False
        if not (type(x.get("path")) in _S and type(x.get("port")) in _IS and type(x.get("host")) in _S
                and type(x.get("scheme")) in _S):
            return False
    x = h.get("tcpSocket")
    if x is not None and (type(x) is not dict or type(x.get("port")) not in _IS or type(x.get("host")) not in _S):
        return False
    x = h.get("grpc")
    if x is not None and (type(x) is not dict or type(x.get("port")) not in _I
                          or type(x.get("service")) not in _S):
        return False
    return True


def _container_ok(c: dict) -> bool:
    get = c.get
    if type(get("name")) not in _S or type(get("image")) not in _S or type(get("restartPolicy")) not in _S:
        return False
    if not _strs_ok(get("command")) or not _strs_ok(get("args")):
        return False
    env = get("env")
    if env is not None:  # inline: pods with thousands of env vars exist
        if type(env) is not list:
            return False
        for x in env:
            # the common {name: str, value: str} first, by subscript (the cheapest test)
            if x.__class__ is dict and len(x) == 2:
                try:
                    if x["name"].__class__ is str and x["value"].__class__ is str:
                        continue
                except KeyError:
                    pass
            if type(x) is not dict:
                return False
            g = x.get
            if type(g("name")) not in _S or type(g("value")) not in _S or type(g("valueFrom")) not in _D:
                return False
    for key, ok in (("ports", _port_ok), ("volumeMounts", _mount_ok), ("envFrom", None)):
        v = get(key)
        if v is None:
            continue
        if type(v) is not list:
            return False
        for x in v:
            if type(x) is not dict or (ok is not None and not ok(x)):
                return False
    res = get("resources")
    if res is not None:
        if type(res) is not dict:
            return False
        for bucket in ("limits", "requests"):
            q = res.get(bucket)
            if q is not None:
                if type(q) is not dict:
                    return False
                for x in q.values():
                    if type(x) not in _Q:
                        return False
    for k in _PROBES:
        p = get(k)
        if p is not None:
            if type(p) is not dict or not _handler_ok(p):
                return False
            for n in _PROBE_INTS:
                if type(p.get(n)) not in _I:
                    return False
    lc = get("lifecycle")
    if lc is not None:
        if type(lc) is not dict:
            return False
        for k in ("postStart", "preStop"):
            h = lc.get(k)
            if h is not None and (type(h) is not dict or not _handler_ok(h)):
                return False
    sc = get("securityContext")
    if sc is not None:
        if type(sc) is not dict:
            return False
        for k in _SC_INTS:
            if type(sc.get(k)) not in _I:
                return False
        for k in _SC_BOOLS:
            if type(sc.get(k)) not in _B:
                return False
        cap = sc.get("capabilities")
        if cap is not None and (type(cap) is not dict or not _strs_ok(cap.get("add"))
                                or not _strs_ok(cap.get("drop"))):
            return False
    return True


def _container(c: dict, path: str) -> None:
    if not _container_ok(c):
        _container_checks(c, path)


def _container_checks(c: dict, path: str) -> None:
    """The container rules with paths: raises naming the first wrong field."""
    get = c.get
    _str(get("name"), path + ".name")
    _str(get("image"), path + ".image")
    _str(get("restartPolicy"), path + ".restartPolicy")
    if "command" in c:
        _str_list(c["command"], path + ".command")
    if "args" in c:
        _str_list(c["args"], path + ".args")
    if "ports" in c:
        _objects(c["ports"], path + ".ports", _port)
    if "env" in c:
        _objects(c["env"], path + ".env", _env, _env_ok)
    if "envFrom" in c:
        _objects(c["envFrom"], path + ".envFrom")
    if "volumeMounts" in c:
        _objects(c["volumeMounts"], path + ".volumeMounts", _mount, _mount_ok)
    if "resources" in c:
        res = _obj(c["resources"], path + ".resources")
        for bucket in ("limits", "requests"):
            q = _obj((res or {}).get(bucket), f"{path}.resources.{bucket}")
            for k, x in (q or {}).items():
                t = type(x)
                if t is not str and t is not int and t is not float:
                    raise _fail(_key(f"{path}.resources.{bucket}", k), "a quantity (a string or a number)", x)
    for k in _PROBES:
        if k in c:
            _probe(c[k], f"{path}.{k}")
    if "lifecycle" in c:
        lc = _obj(c["lifecycle"], path + ".lifecycle")
        for k in ("postStart", "preStop"):
            h = _obj((lc or {}).get(k), f"{path}.lifecycle.{k}")
            if h:
                _handler(h, f"{path}.lifecycle.{k}")
    if "securityContext" in c:
        sc = _obj(c["securityContext"], path + ".securityContext")
        if sc:
            for k in _SC_INTS:
                _int(sc.get(k), f"{path}.securityContext.{k}")
            for k in _SC_BOOLS:
                _bool(sc.get(k), f"{path}.securityContext.{k}")
            cap = _obj(sc.get("capabilities"), path + ".securityContext.capabilities")
            if cap:
                _str_list(cap.get("add"), path + ".securityContext.capabilities.add")
                _str_list(cap.get("drop"), path + ".securityContext.capabilities.drop")


def _owner_ref(x: dict, path: str) -> None:
    for k in ("apiVersion", "kind", "name"):  # required by Kubernetes; the pipeline reads them
        if type(x.get(k)) is not str:
            raise _fail(f"{path}.{k}", "a string", x.get(k))
    _str(x.get("uid"), path + ".uid")
    _bool(x.get("controller"), path + ".controller")


STATUS_ANNOTATION = "sidecar.istio.io/status"
OVERRIDES_ANNOTATION = "proxy.istio.io/overrides"
_STATUS_LISTS = ("initContainers", "containers", "volumes", "imagePullSecrets")


def _json_annotation(ann: dict, key: str) -> Any:
    """The annotation's JSON value, or None when absent or not JSON (the pipeline ignores
    undecodable ones, as Istio does)."""
    raw = ann.get(key)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _injection_annotations(ann: dict, path: str) -> None:
    """The JSON annotations a previous injection wrote: a re-injection reads their fields."""
    if STATUS_ANNOTATION in ann:
        st = _json_annotation(ann, STATUS_ANNOTATION)
        where = _key(path, STATUS_ANNOTATION)
        if st is not None:
            if type(st) is not dict:
                raise _fail(where, "a JSON object", st)
            for k in _STATUS_LISTS:
                _str_list(st.get(k), f"{where}.{k}")
    if OVERRIDES_ANNOTATION in ann:
        ov = _json_annotation(ann, OVERRIDES_ANNOTATION)
        where = _key(path, OVERRIDES_ANNOTATION)
        if ov is not None:
            if type(ov) is not dict:
                raise _fail(where, "a JSON object", ov)
            for k in ("containers", "initContainers"):
                _objects(ov.get(k), f"{where}.{k}", _container)


def check_metadata(meta: Any, path: str = "metadata") -> None:
    m = _obj(meta, path)
    if not m:
        return
    for k in ("name", "generateName", "namespace"):
        _str(m.get(k), f"{path}.{k}")
    _str_map(m.get("labels"), path + ".labels")
    ann = m.get("annotations")
    _str_map(ann, path + ".annotations")
    if ann:
        _injection_annotations(ann, path + ".annotations")
    if "ownerReferences" in m:
        _objects(m["ownerReferences"], path + ".ownerReferences", _owner_ref)


def check_spec(spec: Any, path: str = "spec") -> None:
    s = _obj(spec, path)
    if not s:
        return
    _bool(s.get("hostNetwork"), path + ".hostNetwork")
    for k in ("containers", "initContainers", "ephemeralContainers"):
        if k in s:
            _objects(s[k], f"{path}.{k}", _container)
    if "volumes" in s:
        _objects(s["volumes"], path + ".volumes", _named, _named_ok)
    if "imagePullSecrets" in s:
        _objects(s["imagePullSecrets"], path + ".imagePullSecrets", _named, _named_ok)
    for k in ("securityContext", "dnsConfig"):
        if k in s:
            _obj(s[k], f"{path}.{k}")


def check_pod(pod: Any, prefix: str = "") -> None:
    """Raise PodShapeError when a field the pipeline reads has the wrong type.

    prefix: where the pod sits in a larger object (`spec.template.` in a Deployment), so
    the path in the message points into the document the user wrote."""
    if type(pod) is not dict:
        raise PodShapeError(f"{prefix.rstrip('.') or 'pod'}: expected an object, got {_show(pod)}")
    # An explicit null metadata/spec is refused: the pipeline fills these in place.
    for k in ("metadata", "spec"):
        if k in pod and type(pod[k]) is not dict:
            raise _fail(prefix + k, "an object", pod[k])
    if "metadata" in pod:
        check_metadata(pod["metadata"], prefix + "metadata")
    if "spec" in pod:
        check_spec(pod["spec"], prefix + "spec")


# ---------------------------------------------------------------- the injected result

# Quantity strings already parsed fine: injected resources repeat ("100m", "128Mi"), so
# the check of a result is a set lookup per quantity after the first sight.
_GOOD_QUANTITIES: set[str] = set()


def _quantity(v: Any, path: str) -> None:
    if type(v) is str:
        if v in _GOOD_QUANTITIES:
            return
        from injector.quantity import parse_quantity

        try:
            parse_quantity(v)
        except ValueError as e:
            raise PodShapeError(f"{path}: {e}, got {_show(v)}") from None
        if len(_GOOD_QUANTITIES) < 4096:
            _GOOD_QUANTITIES.add(v)
    elif v is not None and type(v) is not int and type(v) is not float:
        raise _fail(path, "a quantity (a string or a number)", v)


def check_rendered(overlay: Any) -> None:
    """The containers of a rendered template overlay (a partial pod), as Go would decode
    them: the shapes check_pod checks plus parsed resource quantities. Istio decodes its merged pod into
    corev1.Pod and fails on these; we must not answer with a patch the apiserver rejects.
    Runs once per render (the render cache keeps checked overlays)."""
    if type(overlay) is not dict:
        raise PodShapeError(f"expected an object, got {_show(overlay)}")
    # Only the containers: elsewhere a null is a strategic-merge deletion (templates
    # render `label: null` to drop a label), and maps and lists merge as they are.
    spec = _obj(overlay.get("spec"), "spec")
    if not spec:
        return
    for key in ("containers", "initContainers"):
        if key not in spec:
            continue
        _objects(spec[key], f"spec.{key}", _container)
        for i, c in enumerate(spec[key] or ()):
            res = c.get("resources")
            if type(res) is not dict:
                continue
            for bucket in ("limits", "requests"):
                q = res.get(bucket)
                if type(q) is dict:
                    for k, v in q.items():
                        try:
                            _quantity(v, _key(f"spec.{key}[{i}].resources.{bucket}", k))
                        except PodShapeError as e:
                            raise PodShapeError(f"container {c.get('name')!r}: {e}") from None
