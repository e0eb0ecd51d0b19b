"""RFC 6902 JSON Patch differ: the compiled `_jsondiff_c` unless unavailable or disabled.

`diff(original, mutated) -> list[dict]`; see `injector/_jsondiff_py.py` for the patch
shape and the JSON equality used. `BACKEND` is "cython" or "python".
"""
from injector._ext import load

_impl = load("injector._jsondiff_c", "injector._jsondiff_py")

diff = _impl.diff
json_equal = _impl.json_equal
plain_json = _impl.plain_json
BACKEND = "cython" if _impl.__name__ == "injector._jsondiff_c" else "python"

__all__ = ["diff", "json_equal", "plain_json", "BACKEND"]
