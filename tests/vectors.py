"""The Go template vectors (../shared/spec/template-vectors.jsonl) for the tests: loading,
the evaluator backends to run them on, and running one vector the way its README says."""
from __future__ import annotations

import collections
import json
from functools import lru_cache
from typing import Any

import pytest

from injector._ext import NO_EXTENSIONS
from injector.template import ExecError, ParseError, Template
from injector.template.values import from_tagged_json
from tests.conftest import ROOT, SPEC

VECTORS = SPEC / "template-vectors.jsonl"
HAVE_C_SOURCE = (ROOT / "_speedups" / "_exec_c.pyx").exists()
BACKENDS = ["python"] + (["cython"] if HAVE_C_SOURCE else [])


@pytest.fixture(params=BACKENDS, scope="module")
def backend(request):
    """Each evaluator backend; the compiled one is skipped only when extensions are off."""
    if request.param == "cython" and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return request.param


@lru_cache(maxsize=None)
def _all() -> tuple[dict, ...]:
    if not VECTORS.exists():
        return ()
    with open(VECTORS, encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f if line.strip())


def vectors(*funcsets: str) -> list[dict]:
    """The vectors of these function sets (all when none given); [] without ../shared."""
    return [v for v in _all() if not funcsets or v["funcs"] in funcsets]


def run_vector(vec: dict, backend: str, funcs: dict) -> tuple[bool, str]:
    """(passed, what we produced) for one vector with the given function set."""
    data: Any = from_tagged_json(json.loads(json.dumps(vec["data"])), vec["numbers"])
    try:
        tpl = Template.parse(vec["template"], name="vector", funcs=funcs)
    except ParseError as e:
        return vec.get("error_kind") == "parse", f"parse error: {e}"
    try:
        out = tpl.execute(data, missingkey=vec.get("missingkey") or "default", backend=backend)
    except ExecError as e:
        return vec.get("error_kind") == "exec", f"exec error: {e}"
    return "output" in vec and out == vec["output"], f"output {out!r}"


def category_counts(vecs: list[dict], backend: str, funcs_of) -> tuple[collections.Counter, collections.Counter]:
    """(passed, total) per category; funcs_of(vec) gives the function set to use."""
    passed: collections.Counter = collections.Counter()
    total: collections.Counter = collections.Counter()
    for vec in vecs:
        total[vec["category"]] += 1
        passed[vec["category"]] += run_vector(vec, backend, funcs_of(vec))[0]
    return passed, total
