"""Caches of injection work, keyed by everything it read: renders, and webhook answers.

Pods of one ReplicaSet are identical at admission (the apiserver names them after the
webhooks ran), so the template output for the second pod is the first one's. A render
is a pure function of the template data, and the template data is a pure function of
the arguments of `injector.templatedata.build`; the key is therefore the exact bytes of
those arguments (the parts derived from the Settings alone are represented by the
Settings' generation, unique per loaded config: a reload never meets old entries).
Keys are compared byte for byte (a dict lookup), so two pods whose template-visible
inputs differ can never share an entry: no hash collisions.

Two levels: `CACHE` holds rendered-and-parsed overlays (any pod whose template inputs
match); `ANSWERS` holds the webhook's answer itself (outcome and JSON Patch) to a
byte-identical pod with identical request and live-cluster inputs, so the second pod of a
ReplicaSet skips policy, injection and the diff (see `injector.admission.review` and
`injector.pipeline.PodInjector.answer_key`).
Entries are orjson bytes: immutable while cached, and every hit gets fresh objects
(callers mutate what they merge).

Not cached: templates that call functions whose result is not a function of their
arguments (`now`, `rand*`, `uuidv4`, key generation, ...); templates that parse text at run
time (`render`, `tpl`) when that text could come from the pod; values orjson cannot
round-trip exactly (NaN, huge integers, subclasses).

Each level is a bounded LRU (INJECTOR_RENDER_CACHE_SIZE entries, default 512, and
INJECTOR_RENDER_CACHE_BYTES, default 16 MiB); INJECTOR_NO_RENDER_CACHE=1 turns both off.
`hits`/`misses` of `CACHE` count renders avoided/done (an answer hit counts as a hit); `on_hit`/`on_miss` hooks let the webhook's Prometheus counters follow
(`injector_render_cache_{hits,misses}_total`).
"""
from __future__ import annotations

import itertools
import os
import re
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable

import orjson

from injector.jsondiff import plain_json

DEFAULT_MAX_ENTRIES = int(os.environ.get("INJECTOR_RENDER_CACHE_SIZE", "512"))
DEFAULT_MAX_BYTES = int(os.environ.get("INJECTOR_RENDER_CACHE_BYTES", str(16 * 1024 * 1024)))  # per level

# Functions whose result does not follow from their arguments (time, randomness, the
# host): a template calling one is rendered every time.
IMPURE_FUNCS = frozenset({
    "now", "ago", "uuidv4", "shuffle", "bcrypt", "htpasswd", "encryptAES", "getHostByName",
    "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randInt", "randBytes",
    "genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
    "genSignedCert", "genSignedCertWithKey", "env", "expandenv",
})
# Functions that parse and run template text taken from the data.
RUNTIME_PARSE_FUNCS = frozenset({"render", "tpl", "include"})

_generations = itertools.count(1)


class RenderCache:
    """A bounded LRU of bytes keys -> bytes values, with hit/miss counters."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[bytes, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.on_hit: Callable[[], Any] | None = None
        self.on_miss: Callable[[], Any] | None = None

    def __len__(self) -> int:
        return len(self._data)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: bytes, count: bool = True) -> bytes | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
        if not count:
            return value
        if value is None:
            self.count_miss()
        else:
            self.count_hit()
        return value

    def count_hit(self) -> None:
        self.hits += 1
        if self.on_hit is not None:
            self.on_hit()

    def count_miss(self) -> None:
        self.misses += 1
        if self.on_miss is not None:
            self.on_miss()

    def put(self, key: bytes, value: bytes) -> None:
        size = len(key) + len(value)
        if self.max_entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(key) + len(old)
            self._data[key] = value
            self._bytes += size
            while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                k, v = self._data.popitem(last=False)
                self._bytes -= len(k) + len(v)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def reset_counters(self) -> None:
        self.hits = self.misses = 0


CACHE = RenderCache()
# Webhook answers (outcome + patch) of byte-identical pods: keyed by the pod and every other
# input of the answer; hits count as render-cache hits, misses are not counted.
ANSWERS = RenderCache()
_ENABLED = not os.environ.get("INJECTOR_NO_RENDER_CACHE")


def enabled() -> bool:
    return _ENABLED


def set_enabled(on: bool) -> None:
    """Switch the cache on or off (process-wide); switching clears it."""
    global _ENABLED
    _ENABLED = bool(on)
    clear()


def clear() -> None:
    """Forget every entry (every level)."""
    CACHE.clear()
    ANSWERS.clear()


# ------------------------------------------------------------------ per-Settings facts

def _settings_facts(settings) -> tuple[int, bool, bool]:
    """(generation, cacheable, runtime-parse) for a Settings object, computed once.

    The generation is unique per Settings object for the life of the process (ids can be
    reused after garbage collection, generations cannot), so a reload never meets the
    entries of the config it replaced."""
    d = getattr(settings, "__dict__", None)
    if d is None:
        return 0, False, False
    facts = d.get("_render_cache_facts")
    if facts is None:
        idents: set[str] = set()
        for tpl in (getattr(settings, "templates", None) or {}).values():
            for root in getattr(tpl, "trees", {}).values():
                idents.update(identifiers(root))
        parsed = dict(d.get("_inject_parsed") or {})
        for tpl in parsed.values():
            for root in getattr(tpl, "trees", {}).values():
                idents.update(identifiers(root))
        runtime = bool(idents & RUNTIME_PARSE_FUNCS)
        cacheable = not (idents & IMPURE_FUNCS)
        if runtime and cacheable:
            # text parsed at run time may come from the values: it must not call impure
            # functions either (checked once per config, on the values' JSON text)
            try:
                vtext = orjson.dumps(getattr(settings, "values", None) or {}).decode()
            except TypeError:
                cacheable = False
            else:
                cacheable = not any(name in vtext for name in IMPURE_FUNCS)
        facts = (next(_generations), cacheable, runtime)
        d["_render_cache_facts"] = facts
    return facts


def identifiers(node: Any) -> Iterable[str]:
    """Every function identifier of a parsed template tree (any node type, any depth)."""
    from injector.template.nodes import IdentifierNode, Node

    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if isinstance(n, (list, tuple)):
            stack.extend(n)
            continue
        if not isinstance(n, Node) or id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, IdentifierNode):
            yield n.ident
            continue
        for cls in type(n).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if slot in ("src", "exec_cache", "pos"):
                    continue
                child = getattr(n, slot, None)
                if isinstance(child, (Node, list, tuple)):
                    stack.append(child)


# ------------------------------------------------------------------ keys and entries

def make_key(settings, what: str, parts: list, blob: bytes | None = None) -> bytes | None:
    """The cache key for one render, or None when this render must not be cached.

    parts: the arguments the template data is built from (JSON data), in a fixed order;
    values derived only from `settings` need not be included. blob: JSON text of a
    (large) part already encoded (see `pod_json`), appended after the parts' JSON array,
    which is self-delimiting."""
    if not _ENABLED:
        return None
    gen, cacheable, runtime = _settings_facts(settings)
    if not cacheable:
        return None
    try:
        key = orjson.dumps([gen, what, parts], option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:
        return None  # not plain JSON data (a caller-built value): render every time
    if runtime and (b"{{" in key or (blob is not None and _has_braces(blob))):
        return None  # pod text could be parsed as a template by `render`/`tpl`
    if blob is not None:
        key = key + b"\n" + blob
    return key


_last_blob: tuple[bytes | None, bool] = (None, False)


_BRACES = re.compile(rb"\{\{")  # sre scans ~3x faster than `b"{{" in blob` here


def _has_braces(blob: bytes) -> bool:
    """Whether `blob` holds `{{`, remembered for the last blob: one pod's JSON keys both
    its answer and its render, and a large pod is a scan of a few hundred KB."""
    global _last_blob
    last, found = _last_blob
    if last is not blob:
        found = _BRACES.search(blob) is not None
        _last_blob = (blob, found)
    return found


def pod_json(pod: Any) -> bytes | None:
    """The pod's JSON text for keys (None: not plain JSON data, do not cache)."""
    if not _ENABLED:
        return None
    try:
        return orjson.dumps(pod, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:
        return None


def encode(value: Any) -> bytes | None:
    """An entry for `value`, or None if orjson cannot give back exactly the same data
    (NaN, tuples, subclasses, huge integers, nesting deeper than orjson allows)."""
    try:
        if not plain_json(value):
            return None
        return orjson.dumps(value)
    except (RecursionError, TypeError, orjson.JSONEncodeError):
        return None


def lookup(key: bytes | None) -> Any:
    """The cached value (fresh objects) or None."""
    if key is None:
        return None
    raw = CACHE.get(key)
    return None if raw is None else orjson.loads(raw)


def store(key: bytes | None, value: Any) -> None:
    if key is None:
        return
    raw = encode(value)
    if raw is not None:
        CACHE.put(key, raw)


def lookup_answer(key: bytes | None) -> list | None:
    """A cached webhook answer `[result, reason, message, patch_base64 | None, ops]` or None;
    a hit counts as a render hit."""
    if key is None:
        return None
    raw = ANSWERS.get(key, count=False)
    if raw is None:
        return None
    CACHE.count_hit()
    return orjson.loads(raw)


def store_answer(key: bytes | None, value: list) -> None:
    """Cache a webhook answer (strings, integers and None only: orjson gives it back exactly)."""
    if key is not None:
        ANSWERS.put(key, orjson.dumps(value))
