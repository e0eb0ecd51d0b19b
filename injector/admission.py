"""AdmissionReview bytes in, AdmissionReview bytes out: the webhook's whole job, minus HTTP.

The server and `injector admit` both call `review()`, so offline answers are exactly what
the webhook sends. Flow: decode (orjson) -> validate the envelope -> policy -> inject ->
diff -> encode (orjson). Every failure becomes a well-formed AdmissionReview naming what was
wrong; only requests that are not AdmissionReviews at all get an HTTP error status.
"""
from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson

from injector import rendercache
from injector.jsondiff import diff
from injector.podcheck import PodShapeError

log = logging.getLogger("injector.admission")

API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
DEFAULT_MAX_BODY = 4 * 1024 * 1024


class BadReview(ValueError):
    """The request is an AdmissionReview we cannot act on; the message says why.

    api_version: the request's apiVersion when it is one we speak (the answer uses it)."""

    def __init__(self, message: str, api_version: str | None = None) -> None:
        super().__init__(message)
        self.api_version = api_version


@dataclass
class Outcome:
    """What happened to one request: the HTTP answer plus facts for logs and metrics."""

    status: int
    body: bytes
    result: str  # injected | skipped | failed | rejected
    reason: str = ""  # short machine-friendly reason (skip/failure code)
    message: str = ""
    namespace: str = ""
    name: str = ""
    patch_ops: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# (pod, request) -> (mutated pod or None when skipped, reason code, message). It may also
# have `answer_key(pod, request) -> bytes | None` (see injector.pipeline.PodInjector): a key
# of every input of the answer, under which the answer is cached.
PodInjector = Callable[[dict, dict], "tuple[dict | None, str, str]"]


def _response(api_version: str, uid: str, allowed: bool, *, message: str = "",
              patch_b64: str | None = None, code: int | None = None) -> bytes:
    resp: dict[str, Any] = {"uid": uid, "allowed": allowed}
    if patch_b64 is not None:
        resp["patch"] = patch_b64
        resp["patchType"] = "JSONPatch"
    if message:
        status: dict[str, Any] = {"message": message}
        if code is not None:
            status["code"] = code
        resp["status"] = status
    return orjson.dumps({"apiVersion": api_version, "kind": "AdmissionReview", "response": resp})


def _pod_identity(pod: Any, request: dict) -> tuple[str, str]:
    meta = pod.get("metadata") if isinstance(pod, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    ns = request.get("namespace") or meta.get("namespace") or ""
    name = meta.get("name") or meta.get("generateName") or ""
    return str(ns), str(name)


def _pod_label(namespace: str, name: str) -> str:
    """`ns/name` as kubectl names pods; the parts that are known."""
    if namespace and name:
        return f"{namespace}/{name}"
    return name or (f"in namespace {namespace}" if namespace else "(unnamed)")


def _non_pod(obj: dict, request: dict) -> str:
    """What the object is when it is clearly not a Pod, else "".

    The object's own `kind` decides; without one, the request's `resource` does. The
    request's `kind` is not trusted alone: Istio ignores it (its tests send
    `AdmissionRequest` there).
    """
    kind = obj.get("kind")
    if kind is not None and not isinstance(kind, str):
        raise BadReview(f"request.object.kind: expected a string, got {_show(kind)}")
    if kind is not None:
        return "" if kind == "Pod" else kind
    resource = request.get("resource")
    name = resource.get("resource") if isinstance(resource, dict) else None
    return "" if not name or name == "pods" else str(name)


def parse_review(body: bytes) -> tuple[str, dict]:
    """Decode and validate the envelope; return (apiVersion, request) or raise BadReview."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        raise BadReview(f"could not decode body: {e}") from None
    if not isinstance(doc, dict):
        raise BadReview("could not decode body: expected a JSON object (AdmissionReview)")
    kind, api_version = doc.get("kind"), doc.get("apiVersion")
    known = api_version if isinstance(api_version, str) and api_version in API_VERSIONS else None
    if kind != "AdmissionReview":
        raise BadReview(f"unsupported kind {kind!r}: expected AdmissionReview", known)
    if known is None:
        raise BadReview(
            f"unsupported apiVersion {api_version!r}: expected one of {', '.join(API_VERSIONS)}"
        )
    request = doc.get("request")
    if not isinstance(request, dict):
        raise BadReview("AdmissionReview has no request", known)
    # An empty uid is accepted, as Istio does (its own tests send one); a missing one is not.
    uid = request.get("uid")
    if not isinstance(uid, str):
        raise BadReview("AdmissionReview request has no uid" + (
            "" if uid is None else f" (request.uid: expected a string, got {_show(uid)})"), known)
    return known, request


def _show(v: Any) -> str:
    """A wrong value, briefly, for a message."""
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    text = orjson.dumps(v).decode() if isinstance(v, (str, int, float, bool)) or v is None else type(v).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def review(
    body: bytes | None,
    inject: PodInjector,
    *,
    content_type: str = "application/json",
    failure_policy: str = "deny",
) -> Outcome:
    """Answer one AdmissionReview.

    failure_policy: what to answer when injection itself fails (template exec error, bad
    annotation...). "deny" answers allowed=false with the error, as Istio does, so the pod is
    not created without its sidecar; "allow" lets the pod through uninjected.
    """
    if content_type.split(";")[0].strip().lower() != "application/json":
        return Outcome(415, b"invalid Content-Type, expected `application/json`", "rejected",
                       "content-type", f"invalid Content-Type {content_type!r}")
    if not body:
        return Outcome(400, b"no body found", "rejected", "empty-body", "no body found")

    api_version = API_VERSIONS[0]
    uid = ""
    try:
        api_version, request = parse_review(body)
    except BadReview as e:
        # Istio answers 200 with allowed=false for an undecodable review.
        api_version = e.api_version or api_version
        return Outcome(200, _response(api_version, uid, False, message=str(e), code=400),
                       "failed", "bad-review", str(e))
    uid = request["uid"]
    req_ns = request.get("namespace")
    if req_ns is not None and not isinstance(req_ns, str):
        msg = f"request.namespace: expected a string, got {_show(req_ns)}"
        return Outcome(200, _response(api_version, uid, False, message=msg, code=400),
                       "failed", "bad-review", msg)

    obj = request.get("object")
    if not isinstance(obj, dict):
        msg = "AdmissionReview request has no object" + (
            "" if obj is None else f" (request.object: expected an object, got {_show(obj)})")
        return Outcome(200, _response(api_version, uid, False, message=msg, code=400),
                       "failed", "no-object", msg)
    try:
        what = _non_pod(obj, request)
    except BadReview as e:
        return Outcome(200, _response(api_version, uid, False, message=str(e), code=400),
                       "failed", "bad-review", str(e))
    if what:
        # The webhook is registered for pods; anything else passes through untouched.
        msg = f"not a Pod ({what}): nothing to inject"
        return Outcome(200, _response(api_version, uid, True), "skipped", "not-a-pod", msg)

    namespace, name = _pod_identity(obj, request)
    # The second pod of a ReplicaSet: the same inputs give the same answer (see
    # injector.pipeline.PodInjector.answer_key), so skip policy, injection and the diff.
    answer_key = getattr(inject, "answer_key", None)
    try:
        key = answer_key(obj, request) if answer_key is not None else None
    except Exception:  # an odd pod: no caching; injection below says what is wrong
        key = None
    hit = rendercache.lookup_answer(key)
    if hit is not None:
        result, reason, message, patch_b64, ops = hit
        return Outcome(200, _response(api_version, uid, True, patch_b64=patch_b64), result,
                       reason, message, namespace, name, patch_ops=ops)
    try:
        mutated, reason, message = inject(obj, request)
    except Exception as e:  # the pod must get an answer whatever broke
        if isinstance(e, RecursionError):
            # Only a hand-made object nests this deep: no Pod field does.
            why = "the object is nested too deeply to process"
        else:
            why = str(e)
        message = f"injection failed for pod {_pod_label(namespace, name)}: {why}"
        log.error("%s", message, exc_info=not isinstance(e, (ValueError, LookupError, RecursionError)))
        allowed = failure_policy == "allow"
        # A pod of the wrong shape is the request's fault (400); anything else is ours (500).
        code = 400 if isinstance(e, (PodShapeError, RecursionError)) else 500
        return Outcome(200, _response(api_version, uid, allowed, message=message, code=code),
                       "failed", type(e).__name__, message, namespace, name)

    if mutated is None:
        rendercache.store_answer(key, ["skipped", reason, message, None, 0])
        return Outcome(200, _response(api_version, uid, True), "skipped", reason, message,
                       namespace, name)

    try:
        ops = diff(obj, mutated)
        patch = orjson.dumps(ops)
    except (RecursionError, TypeError, ValueError) as e:
        # orjson refuses nesting deeper than 255 levels and integers beyond 64 bits.
        message = f"injection failed for pod {_pod_label(namespace, name)}: could not encode the patch: {e}"
        log.error("%s", message)
        allowed = failure_policy == "allow"
        return Outcome(200, _response(api_version, uid, allowed, message=message, code=400),
                       "failed", "patch", message, namespace, name)
    patch_b64 = base64.b64encode(patch).decode("ascii")
    rendercache.store_answer(key, ["injected", reason, message, patch_b64, len(ops)])
    return Outcome(200, _response(api_version, uid, True, patch_b64=patch_b64), "injected", reason,
                   message, namespace, name, patch_ops=len(ops))
