"""Evaluator selector: the Cython `_exec_c` when built, else the pure-Python twin.

Both expose `execute(trees, name, data, funcs, missingkey) -> str` (see _exec_py.py).
"""
from __future__ import annotations

from injector._ext import load

_impl = load("injector.template._exec_c", "injector.template._exec_py")

execute = _impl.execute
BACKEND = "cython" if _impl.__name__.endswith("_exec_c") else "python"

__all__ = ["execute", "BACKEND"]
