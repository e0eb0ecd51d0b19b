"""Choose between a compiled speedup and its pure-Python twin.

`INJECTOR_NO_EXTENSIONS=1` forces the twins (as aiohttp's AIOHTTP_NO_EXTENSIONS does).
Without it a missing compiled module is an import error in tests (see
tests/test_extensions.py) but falls back quietly at run time so a source checkout works.
"""
from __future__ import annotations

import importlib
import os
from types import ModuleType

NO_EXTENSIONS = bool(os.environ.get("INJECTOR_NO_EXTENSIONS"))


def load(compiled: str, pure: str) -> ModuleType:
    """Import `compiled` unless extensions are disabled or it is missing; else `pure`."""
    if not NO_EXTENSIONS:
        try:
            return importlib.import_module(compiled)
        except ImportError:
            pass
    return importlib.import_module(pure)
