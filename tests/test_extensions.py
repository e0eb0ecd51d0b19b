"""Fail when a compiled speedup silently fell back to its pure-Python twin.

Unless INJECTOR_NO_EXTENSIONS is set, every selector listed here whose `.pyx` source
exists must have picked its compiled module (build with
`python setup.py build_ext --inplace` or `pip install -e .`). Owners add one line to
SPEEDUPS per extension.
"""
from __future__ import annotations

import importlib
from types import ModuleType

import pytest

from injector._ext import NO_EXTENSIONS
from tests.conftest import ROOT

# (selector module, compiled module it must use, .pyx source under the checkout root)
SPEEDUPS = [
    ("injector.jsondiff", "injector._jsondiff_c", "_speedups/_jsondiff_c.pyx"),
    ("injector.template._exec", "injector.template._exec_c", "_speedups/_exec_c.pyx"),
    ("injector.yamlfast", "injector._yamlfast_c", "_speedups/_yamlfast_c.pyx"),
    ("injector.k8stypes", "injector._k8stypes_c", "_speedups/_k8stypes_c.pyx"),
    ("injector.templatedata", "injector._templatedata_c", "_speedups/_templatedata_c.pyx"),
    ("injector.merge", "injector._merge_c", "_speedups/_merge_c.pyx"),
]


def _present(selector: str, source: str) -> bool:
    module_file = ROOT.joinpath(*selector.split(".")).with_suffix(".py")
    return module_file.exists() and (ROOT / source).exists()


ACTIVE = [s for s in SPEEDUPS if _present(s[0], s[2])]


@pytest.mark.skipif(NO_EXTENSIONS, reason="INJECTOR_NO_EXTENSIONS is set: twins on purpose")
@pytest.mark.parametrize("selector, compiled, source", ACTIVE, ids=[s[0] for s in ACTIVE])
def test_compiled_module_in_use(selector, compiled, source):
    importlib.import_module(compiled)  # ImportError here: the extension was not built
    module = importlib.import_module(selector)
    assert compiled in _sources(module), (
        f"{selector} does not use {compiled} (it uses {sorted(_sources(module))})"
    )


def _sources(module: ModuleType) -> set[str]:
    """Modules a selector re-exports: modules it holds, and where its callables come from."""
    names = set()
    for name, value in vars(module).items():
        if name.startswith("__"):
            continue
        if isinstance(value, ModuleType):
            names.add(value.__name__)
        elif callable(value) and isinstance(getattr(value, "__module__", None), str):
            names.add(value.__module__)
    return names - {module.__name__, "injector._ext"}


def test_jsondiff_backend_flag():
    if NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    if not (ROOT / "_speedups/_jsondiff_c.pyx").exists():
        pytest.skip("compiled differ not written yet")
    from injector import jsondiff

    assert jsondiff.BACKEND == "cython"
