"""Strategic merge backends: the compiled `_merge_c` and the pure `_merge_py` against a
slow reference written the obvious way (deep-copy the patch, then merge and clean).

Both backends must give the reference's result with the same key order and the same
errors, on every merge the conformance corpora make and on hypothesis-generated pods
and overlays (merge-keyed lists, `$patch` and the other directives, nulls, values
json.loads would not give), and must keep the copy-on-write contract.
"""
from __future__ import annotations

import collections
import copy
import importlib
import json
import math

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from injector import merge
from injector._ext import NO_EXTENSIONS
from injector._merge_py import MERGE_LISTS, STRUCT_FIELDS, MergeError
from tests.conftest import CONFORMANCE

BACKENDS = [
    pytest.param("injector._merge_py", id="python"),
    pytest.param("injector._merge_c", id="cython", marks=pytest.mark.skipif(
        NO_EXTENSIONS, reason="INJECTOR_NO_EXTENSIONS is set: twins only")),
]


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    """Route injector.merge through one backend for the test."""
    module = importlib.import_module(request.param)
    monkeypatch.setattr(merge, "_impl", module)
    return module


# -- the reference --------------------------------------------------------------------

PATCH, RETAIN = "$patch", "$retainKeys"
ORDER, DELETE_FROM = "$setElementOrder/", "$deleteFromPrimitiveList/"


def ref_merge(original: dict, patch: dict, kind: str = "Pod") -> dict:
    try:
        patch = orjson.loads(orjson.dumps(patch))
    except (TypeError, orjson.JSONEncodeError):
        patch = copy.deepcopy(patch)
    return _ref_map(copy.deepcopy(original) if original else {}, patch, kind)


def _directive(k) -> bool:
    return isinstance(k, str) and (k in (PATCH, RETAIN) or k.startswith((ORDER, DELETE_FROM)))


def _drop_elem(x) -> bool:
    return isinstance(x, dict) and x.get(PATCH) in ("replace", "delete") and len(x) <= 2


def _ref_strip(v):
    if isinstance(v, dict):
        return {k: _ref_strip(x) for k, x in v.items() if not _directive(k)}
    if isinstance(v, list):
        return [_ref_strip(x) for x in v if not _drop_elem(x)]
    return v


def _ref_clean(v):
    if isinstance(v, dict):
        return {k: _ref_clean(x) for k, x in v.items() if x is not None and not _directive(k)}
    if isinstance(v, list):
        return [_ref_clean(x) for x in v if not _drop_elem(x)]
    return v


def _sub_kind(kind, key):
    if kind is None:
        return None
    sub = STRUCT_FIELDS.get(kind, {}).get(key)
    return sub or (MERGE_LISTS.get(kind, {}).get(key) or (None,))[0]


def _ref_map(original: dict, patch: dict, kind):
    directive = patch.pop(PATCH, None)
    if directive == "replace":
        return _ref_strip(patch)
    if directive == "delete":
        return {}
    if directive not in (None, "merge"):
        raise MergeError(f"unknown patch type {directive!r}")
    out = dict(original)
    retain = patch.pop(RETAIN, None)
    for k in [k for k in patch if isinstance(k, str) and k.startswith(DELETE_FROM)]:
        drop = patch.pop(k) or []
        if isinstance(out.get(k[len(DELETE_FROM):]), list):
            out[k[len(DELETE_FROM):]] = [v for v in out[k[len(DELETE_FROM):]] if v not in drop]
    orders = {k[len(ORDER):]: patch.pop(k) for k in [k for k in patch if isinstance(k, str) and k.startswith(ORDER)]}
    lists = MERGE_LISTS.get(kind or "", {})
    for key, pval in patch.items():
        if pval is None:
            out.pop(key, None)
        elif key not in out:
            out[key] = _ref_clean(pval)
        elif isinstance(pval, dict) and isinstance(out[key], dict):
            out[key] = _ref_map(out[key], pval, _sub_kind(kind, key))
        elif isinstance(pval, list) and isinstance(out[key], list):
            spec = lists.get(key)
            out[key] = _ref_strip(pval) if spec is None else _ref_list(out[key], pval, spec[0], spec[1])
        else:
            out[key] = _ref_clean(pval)
    for field, order in orders.items():
        if isinstance(out.get(field), list) and lists.get(field):
            k = lists[field][1]
            wanted = [_of(o, k) for o in order]
            items = out[field]
            out[field] = [m for w in wanted for m in items if _of(m, k) == w] + \
                [m for m in items if _of(m, k) not in wanted]
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _of(item, key):
    return item.get(key) if isinstance(item, dict) else item


def _ref_list(olist: list, plist: list, elem_kind, key: str) -> list:
    if not key:
        out = list(olist)
        for v in plist:
            if v not in out:
                out.append(v)
        return out
    items, deletes, replace = [], [], False
    for v in plist:
        if isinstance(v, dict) and PATCH in v:
            if v[PATCH] == "replace":
                replace = True
                continue
            if v[PATCH] == "delete":
                deletes.append(v.get(key))
                continue
            if v[PATCH] != "merge":
                raise MergeError(f"unknown patch type {v[PATCH]!r} in list element")
            v = {k: x for k, x in v.items() if k != PATCH}
        if not isinstance(v, dict):
            raise MergeError(f"list element without merge key {key!r}: {v!r}")
        items.append(v)
    if replace:
        return [_ref_strip(v) for v in items]
    original = [o for o in olist if _of(o, key) not in deletes]
    merged = list(original)
    for v in items:
        hit = next((i for i, o in enumerate(merged) if isinstance(o, dict) and o.get(key) == v.get(key)), None)
        if hit is None:
            merged.append(_ref_clean(v))
        else:
            merged[hit] = _ref_map(merged[hit], v, elem_kind)
    # patch items in patch order, the rest in theirs, interleaved by original position
    pkeys = [v.get(key) for v in items]
    right = sorted((m for m in merged if _of(m, key) in pkeys), key=lambda m: pkeys.index(_of(m, key)))
    left = [m for m in merged if _of(m, key) not in pkeys]
    order = [_of(o, key) for o in original]
    out = []
    while left and right:
        lk, rk = _of(left[0], key), _of(right[0], key)
        take_left = lk in order and rk in order and order.index(lk) < order.index(rk)
        out.append((left if take_left else right).pop(0))
    return out + left + right


# -- comparing --------------------------------------------------------------------------

def outcome(fn, *args):
    """repr keeps key order and tells 1, 1.0 and True apart; errors compare by message
    (a TypeError: a directive that is not a list, such as `$deleteFromPrimitiveList/x: true`)."""
    try:
        return "ok", repr(fn(*args))
    except (MergeError, TypeError) as e:
        return type(e).__name__, str(e)


def check_call(original, patch, kind="Pod"):
    before = repr((original, patch))
    want = outcome(ref_merge, original, patch, kind)
    assert outcome(merge.strategic_merge, original, patch, kind) == want
    assert repr((original, patch)) == before, "strategic_merge modified its input"
    own = copy.deepcopy(original)
    got = outcome(merge.strategic_merge_into, own, patch, kind)
    assert got == want
    assert repr(own) == repr(original), "strategic_merge_into modified the original's maps or lists"


# -- the corpora ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_merges():
    """(original, patch, kind) of every strategic merge the modern corpora make."""
    if not CONFORMANCE.is_dir():
        pytest.skip(f"conformance data not found: {CONFORMANCE} (needs ../shared beside the checkout)")
    from tests.conformance import load_corpus, run_corpus

    calls = []
    real = merge._merge

    def spy(original, patch, kind):
        calls.append((copy.deepcopy(original), copy.deepcopy(patch), kind))
        return real(original, patch, kind)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(merge, "_merge", spy)
        for d in sorted(CONFORMANCE.iterdir()):
            if (d / "cases.json").is_file() and not load_corpus(d).legacy:
                run_corpus(d)
    if not calls:
        pytest.skip(f"no modern-layout corpus under {CONFORMANCE}")
    return calls


def test_corpus_merges_match_the_reference(backend, corpus_merges):
    for original, patch, kind in corpus_merges:
        check_call(original, patch, kind)
    # the corpora exercise the interesting paths: nulls and keyed list merges
    assert any("None" in repr(p) for _, p, _ in corpus_merges)
    assert any((o.get("spec") or {}).get("containers") and (p.get("spec") or {}).get("containers")
               for o, p, _ in corpus_merges)


def test_chained_merges_share_untouched_subtrees(backend):
    env = [{"name": f"V{i}", "value": str(i)} for i in range(300)]
    pod = {"metadata": {"labels": {"a": "1"}}, "spec": {"containers": [{"name": "app", "env": env}]}}
    overlay = {"metadata": {"labels": {"b": None, "c": "2"}},
               "spec": {"containers": [{"name": "istio-proxy", "env": [{"name": "X", "value": None}]}],
                        "volumes": [{"name": "v", "emptyDir": None}]}}
    out = merge.strategic_merge_into(pod, overlay)
    app = next(c for c in out["spec"]["containers"] if c["name"] == "app")
    assert app["env"] is env  # untouched: shared, not copied
    proxy = next(c for c in out["spec"]["containers"] if c["name"] == "istio-proxy")
    assert proxy["env"] == [{"name": "X"}] and out["spec"]["volumes"] == [{"name": "v"}]
    assert proxy is not overlay["spec"]["containers"][0]
    proxy["env"].append("mutated")  # the result never aliases the patch
    assert overlay["spec"]["containers"][0]["env"] == [{"name": "X", "value": None}]


def test_errors_name_the_problem(backend):
    with pytest.raises(MergeError, match="unknown patch type 'explode'"):
        merge.strategic_merge({"spec": {}}, {"spec": {"$patch": "explode"}})
    with pytest.raises(MergeError, match="list element without merge key 'name': 'x'"):
        merge.strategic_merge({"spec": {"containers": []}}, {"spec": {"containers": ["x"]}})
    with pytest.raises(MergeError, match="must be a map"):
        merge.strategic_merge({}, ["x"])


def test_deep_nesting_is_a_recursion_error(backend):
    deep: dict = {}
    for _ in range(5000):
        deep = {"a": deep}
    with pytest.raises(RecursionError):
        merge.strategic_merge_into({"a": {}}, deep)


# -- generated pods and overlays ----------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "istio-proxy", "app"])
KEYS = st.sampled_from(["name", "image", "value", "args", "env", "x", "mountPath", "$patch", "$retainKeys",
                        "$setElementOrder/env", "$deleteFromPrimitiveList/args", "$other"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["x", "null", "$x", "replace"]),
                    st.sampled_from([0.5, 1.0, -0.0]))
ODD = st.one_of(st.sampled_from([math.nan, math.inf]), st.tuples(NAMES))  # what a JSON round trip changes
JSON = st.recursive(SCALARS, lambda ch: st.one_of(st.lists(ch, max_size=3), st.dictionaries(KEYS, ch, max_size=3)),
                    max_leaves=8)
DIRECTIVE = st.sampled_from(["replace", "delete", "merge", "bogus"])


def _element(extra):
    return st.builds(lambda n, body, more: {**({} if n is None else {"name": n}), **body, **more},
                     st.one_of(st.none(), NAMES), st.dictionaries(KEYS, JSON, max_size=2), extra)


DIRECTIVES = st.one_of(st.just({}), st.just({}), st.builds(lambda d: {"$patch": d}, DIRECTIVE))
ENV = st.lists(st.one_of(_element(DIRECTIVES), SCALARS), max_size=4)
CONTAINER = st.builds(lambda base, env, mounts: {**base, **({} if env is None else {"env": env}),
                                                 **({} if mounts is None else {"volumeMounts": mounts})},
                      _element(DIRECTIVES), st.one_of(st.none(), ENV),
                      st.one_of(st.none(), st.lists(st.builds(lambda m: {"mountPath": m}, NAMES), max_size=3)))
CONTAINERS = st.lists(st.one_of(CONTAINER, CONTAINER, SCALARS, st.just({"$patch": "replace"}),
                                st.builds(lambda n: {"$patch": "delete", "name": n}, NAMES)), max_size=4)
SPEC = st.fixed_dictionaries({}, optional={
    "containers": CONTAINERS, "initContainers": CONTAINERS, "volumes": st.lists(_element(DIRECTIVES), max_size=3),
    "dnsConfig": JSON, "$patch": DIRECTIVE, "$retainKeys": st.lists(st.sampled_from(["containers", "volumes"]), max_size=2),
    "$setElementOrder/containers": st.lists(st.builds(lambda n: {"name": n}, NAMES), max_size=3),
})
META = st.fixed_dictionaries({}, optional={
    "labels": st.dictionaries(NAMES, st.one_of(st.none(), st.text(max_size=2)), max_size=2),
    "finalizers": st.lists(JSON, max_size=3), "$deleteFromPrimitiveList/finalizers": st.lists(SCALARS, max_size=2),
    "annotations": JSON,
})
POD = st.fixed_dictionaries({}, optional={"metadata": META, "spec": SPEC, "status": JSON})


def _odd(pod: dict, odd) -> dict:
    """The pod with one value json.loads would not give (the backends' slow path)."""
    out = copy.deepcopy(pod)
    where = out.setdefault("spec", {}) if isinstance(out.get("spec"), dict) else out
    where["odd"] = odd
    return collections.OrderedDict(out)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(POD, POD)
def test_generated_merges_match_the_reference(backend, original, patch):
    check_call(original, patch)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(POD, POD, ODD)
def test_patches_json_would_change_take_the_round_trip(backend, original, patch, odd):
    check_call(original, _odd(patch, odd))
