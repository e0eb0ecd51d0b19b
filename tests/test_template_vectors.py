"""The `core` template vectors (Go 1.19 text/template + builtins) on every backend.

Every vector of ../shared/spec/template-vectors.jsonl whose `funcs` is `core` must
render byte for byte, or fail with the same kind of error (parse or exec). The sprig
and Istio vectors are run by the function-library tests. The summary test prints
passed/total per category.
"""
from __future__ import annotations

import collections
import json
from functools import lru_cache
from typing import Any

import pytest

from injector._ext import NO_EXTENSIONS
from injector.template import ExecError, ParseError, Template
from injector.template.funcs.builtins import BUILTINS
from injector.template.values import from_tagged_json
from tests.conftest import ROOT, SPEC, need_shared

HAVE_C_SOURCE = (ROOT / "_speedups" / "_exec_c.pyx").exists()
BACKENDS = ["python"] + (["cython"] if HAVE_C_SOURCE else [])


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request):
    if request.param == "cython" and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return request.param


@lru_cache(maxsize=None)
def _vectors() -> tuple[dict, ...]:
    path = need_shared("spec", "template-vectors.jsonl")
    with open(path, encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f if line.strip())


def _core() -> list[dict]:
    if not (SPEC / "template-vectors.jsonl").exists():
        return []
    return [v for v in _vectors() if v["funcs"] == "core"]


def run_vector(vec: dict, backend: str) -> tuple[bool, str]:
    """(passed, what we produced) for one vector."""
    data: Any = from_tagged_json(json.loads(json.dumps(vec["data"])), vec["numbers"])
    try:
        tpl = Template.parse(vec["template"], name="vector", funcs=BUILTINS)
    except ParseError as e:
        return vec.get("error_kind") == "parse", f"parse error: {e}"
    try:
        out = tpl.execute(data, missingkey=vec.get("missingkey"), backend=backend)
    except ExecError as e:
        return vec.get("error_kind") == "exec", f"exec error: {e}"
    return "output" in vec and out == vec["output"], f"output {out!r}"


@pytest.mark.parametrize("vec", _core(), ids=lambda v: v["name"])
def test_core_vector(vec, backend):
    ok, got = run_vector(vec, backend)
    want = f"output {vec['output']!r}" if "output" in vec else (
        f"{vec['error_kind']} error: {vec['error']}")
    assert ok, f"{vec['name']}: template {vec['template']!r}\n want {want}\n got  {got}"


def test_core_vectors_by_category(backend, capsys):
    vecs = _core() or pytest.skip("no vectors")
    passed: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    for vec in vecs:
        total[vec["category"]] += 1
        passed[vec["category"]] += run_vector(vec, backend)[0]
    with capsys.disabled():
        print(f"\ncore template vectors ({backend}):")
        for cat in sorted(total):
            print(f"  {cat:18s} {passed[cat]:4d}/{total[cat]}")
        print(f"  {'TOTAL':18s} {sum(passed.values()):4d}/{sum(total.values())}")
    assert passed == total
    # the public file has parse and exec error vectors; both kinds must be exercised
    assert {v.get("error_kind") for v in vecs} >= {"parse", "exec", None}
