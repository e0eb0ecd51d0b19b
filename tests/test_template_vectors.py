"""The `core` template vectors (Go 1.19 text/template + builtins) on every backend.

Every vector of ../shared/spec/template-vectors.jsonl whose `funcs` is `core` must
render byte for byte, or fail with the same kind of error (parse or exec). The sprig
and Istio vectors are run by the function-library tests. The summary test prints
passed/total per category.
"""
from __future__ import annotations


import pytest

from injector.template.funcs.builtins import BUILTINS
from tests.vectors import backend, category_counts, run_vector, vectors  # noqa: F401 (fixture)



def _core() -> list[dict]:
    return vectors("core")


@pytest.mark.parametrize("vec", _core(), ids=lambda v: v["name"])
def test_core_vector(vec, backend):
    ok, got = run_vector(vec, backend, BUILTINS)
    want = f"output {vec['output']!r}" if "output" in vec else (
        f"{vec['error_kind']} error: {vec['error']}")
    assert ok, f"{vec['name']}: template {vec['template']!r}\n want {want}\n got  {got}"


def test_core_vectors_by_category(backend, capsys):
    vecs = _core() or pytest.skip("no vectors")
    passed, total = category_counts(vecs, backend, lambda v: BUILTINS)
    with capsys.disabled():
        print(f"\ncore template vectors ({backend}):")
        for cat in sorted(total):
            print(f"  {cat:18s} {passed[cat]:4d}/{total[cat]}")
        print(f"  {'TOTAL':18s} {sum(passed.values()):4d}/{sum(total.values())}")
    assert passed == total
    # the public file has parse and exec error vectors; both kinds must be exercised
    assert {v.get("error_kind") for v in vecs} >= {"parse", "exec", None}
