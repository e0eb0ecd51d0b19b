"""Block-subset YAML reader: the compiled `_yamlfast_c` unless unavailable or disabled.

`load(text)` gives what `goyaml.load` gives for the subset, else raises `Unsupported`;
see `injector/_yamlfast_py.py` for the subset. `BACKEND` is "cython" or "python".
"""
from injector._ext import load as _load_module

_impl = _load_module("injector._yamlfast_c", "injector._yamlfast_py")

load = _impl.load
Unsupported = _impl.Unsupported
BACKEND = "cython" if _impl.__name__ == "injector._yamlfast_c" else "python"

__all__ = ["load", "Unsupported", "BACKEND"]
