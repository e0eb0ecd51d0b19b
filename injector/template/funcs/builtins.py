"""Go text/template's builtin functions (funcs.go) over the value model.

Builtins declared with `reflect.Value` parameters in Go use the `value` type code and
so see `NO_VALUE` (invalid value, e.g. a missing key or the `nil` literal) and `None`
(a nil interface, e.g. a map entry holding null) as distinct inputs. `and`/`or`
short-circuit inside the evaluator (Go 1.18+); their functions here are only the
non-short-circuit fallbacks.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from .. import gofmt
from .._exec_py import _RAW_IFACE_ARGS, _SHORT_CIRCUIT, Iface
from ..values import NO_VALUE, GoStruct, StrList, StrMap, truth
from . import FuncError, GoFunc

# ------------------------------------------------------------------ kinds


class Uint8(int):
    """A byte of a string (what `index "abc" 0` gives in Go: uint8)."""

    __slots__ = ()
    go_type = "uint8"


_BOOL, _INT, _FLOAT, _COMPLEX, _STRING, _INVALID = range(6)


def _iface(v: Any) -> Any:
    """indirectInterface: a nil interface is an invalid value."""
    return NO_VALUE if v is None else v


def _kind(v: Any) -> int:
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, complex):
        return _COMPLEX
    if isinstance(v, str):
        return _STRING
    return _INVALID


def _tname(v: Any) -> str:
    return gofmt.type_name(v)


# ------------------------------------------------------------------ logic

def _and(arg0: Any, *args: Any) -> Any:
    if not truth(arg0):
        return arg0
    for a in args:
        if not truth(a):
            return a
        arg0 = a
    return arg0


def _or(arg0: Any, *args: Any) -> Any:
    if truth(arg0):
        return arg0
    for a in args:
        if truth(a):
            return a
        arg0 = a
    return arg0


def _not(arg: Any) -> bool:
    return not truth(_iface(arg))


_SHORT_CIRCUIT[_and] = False
_SHORT_CIRCUIT[_or] = True

# ------------------------------------------------------------------ len, index, slice


def _len(item: Any) -> int:
    if item is None:
        raise FuncError("len of nil pointer")
    if item is NO_VALUE:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogateescape"))
    if isinstance(item, (list, dict)):
        return len(item)
    raise FuncError(f"len of type {_tname(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if isinstance(index, Iface):  # slice does not look inside interface values
        raise FuncError("cannot index slice/array with type interface {}")
    if index is NO_VALUE or index is None:
        raise FuncError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise FuncError(f"cannot index slice/array with type {_tname(index)}")
    x = int(index)
    if x < 0 or x > cap:
        raise FuncError(f"index out of range: {x}")
    return x


def _index(item: Any, *indexes: Any) -> Any:
    item = _iface(item)
    if item is NO_VALUE:
        raise FuncError("index of untyped nil")
    for index in indexes:
        index = _iface(index)
        if item is None:
            raise FuncError("index of nil pointer")
        if isinstance(item, (list, str)):
            if isinstance(item, str):
                data = item.encode("utf-8", "surrogateescape")
                x = _index_arg(index, len(data))
                if x == len(data):  # past indexArg's check: reflect panics
                    raise FuncError("reflect: string index out of range")
                item = Uint8(data[x])
            else:
                x = _index_arg(index, len(item))
                if x == len(item):
                    raise FuncError("reflect: slice index out of range")
                item = item[x]
        elif isinstance(item, dict):
            if index is NO_VALUE:
                raise FuncError("value is nil; should be of type string")
            if type(index) is not str:
                raise FuncError(f"value has type {_tname(index)}; should be string")
            if index in item:
                item = item[index]
            else:
                item = "" if isinstance(item, StrMap) else None
        else:
            raise FuncError(f"can't index item of type {_tname(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    item = _iface(item)
    if item is NO_VALUE:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        data = item.encode("utf-8", "surrogateescape")
        length = len(data)
    elif isinstance(item, list):
        data = item
        length = len(item)
    else:
        raise FuncError(f"can't slice item of type {_tname(item)}")
    idx = [0, length, 0]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, length)
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    out = data[idx[0]:idx[1]]
    if isinstance(item, str):
        return out.decode("utf-8", "surrogateescape")
    return type(item)(out) if isinstance(item, StrList) else out


_RAW_IFACE_ARGS[_slice] = 1


# ------------------------------------------------------------------ printing, escaping


def _printable_args(args: tuple) -> str:
    # printableValue turns a nil argument into "<no value>"
    return gofmt.sprint(*("<no value>" if a is None else a for a in args))


def _html(*args: Any) -> str:
    s = args[0] if len(args) == 1 and type(args[0]) is str else _printable_args(args)
    if not any(c in s for c in "'\"&<>\0"):
        return s
    out = []
    for c in s:
        if c == "\0":
            out.append("\ufffd")
        elif c == '"':
            out.append("&#34;")
        elif c == "'":
            out.append("&#39;")
        elif c == "&":
            out.append("&amp;")
        elif c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        else:
            out.append(c)
    return "".join(out)


_JS_ESC = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E",
           "&": "\\u0026", "=": "\\u003D"}


def _js(*args: Any) -> str:
    s = args[0] if len(args) == 1 and type(args[0]) is str else _printable_args(args)
    out = []
    for c in s:
        if c in _JS_ESC:
            out.append(_JS_ESC[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif c < "\x80":
            out.append(c)
        elif gofmt._is_print(c):
            out.append(c)
        else:
            out.append(f"\\u{ord(c):04X}")
    return "".join(out)


def _urlquery(*args: Any) -> str:
    s = args[0] if len(args) == 1 and type(args[0]) is str else _printable_args(args)
    return quote_plus(s.encode("utf-8", "surrogateescape"), safe="")


# ------------------------------------------------------------------ comparison

_ERR_BAD_TYPE = "invalid type for comparison"
_ERR_BAD = "incompatible types for comparison"
_ERR_NONE = "missing argument for comparison"


def _comparable(v: Any) -> bool:
    if isinstance(v, (dict, list)):
        return False
    if isinstance(v, GoStruct):
        return all(_comparable(x) for _n, x in v.items())
    return True


def _container_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "slice"
    return type(v).__name__


def _is_nil(v: Any) -> bool:
    """Go's isNil in eq: the invalid value, or a nil map (a nil StrMap)."""
    return v is NO_VALUE or (isinstance(v, StrMap) and v.nil)


def _eq(arg1: Any, *arg2: Any) -> bool:
    arg1 = _iface(arg1)
    if not arg2:
        raise FuncError(_ERR_NONE)
    k1 = _kind(arg1)
    for arg in arg2:
        arg = _iface(arg)
        k2 = _kind(arg)
        if k1 != k2:
            if arg1 is not NO_VALUE and arg is not NO_VALUE:
                raise FuncError(_ERR_BAD)
            truth_ = False
        elif k1 == _STRING:
            truth_ = str.__str__(arg1) == str.__str__(arg)
        elif k1 != _INVALID:
            truth_ = arg1 == arg
        else:
            nil1, nil2 = _is_nil(arg1), _is_nil(arg)
            if nil1 or nil2:
                truth_ = nil1 == nil2
            elif _container_kind(arg1) != _container_kind(arg):
                raise FuncError(f"non-comparable types {gofmt.sprintf('%s', arg1)}: "
                                f"{_tname(arg1)}, {_tname(arg)}: {gofmt.sprint(arg)}")
            elif not _comparable(arg):
                raise FuncError(f"non-comparable type {gofmt.sprintf('%s', arg)}: {_tname(arg)}")
            else:
                truth_ = arg1 == arg
        if truth_:
            return True
    return False


def _ne(arg1: Any, arg2: Any) -> bool:
    return not _eq(arg1, arg2)


def _lt(arg1: Any, arg2: Any) -> bool:
    arg1 = _iface(arg1)
    k1 = _kind(arg1)
    if k1 == _INVALID:
        raise FuncError(_ERR_BAD_TYPE)
    arg2 = _iface(arg2)
    k2 = _kind(arg2)
    if k2 == _INVALID:
        raise FuncError(_ERR_BAD_TYPE)
    if k1 != k2:
        raise FuncError(_ERR_BAD)
    if k1 in (_BOOL, _COMPLEX):
        raise FuncError(_ERR_BAD_TYPE)
    if k1 == _STRING:
        return str.__str__(arg1) < str.__str__(arg2)
    return arg1 < arg2


def _le(arg1: Any, arg2: Any) -> bool:
    return _lt(arg1, arg2) or _eq(arg1, arg2)


def _gt(arg1: Any, arg2: Any) -> bool:
    return not _le(arg1, arg2)


def _ge(arg1: Any, arg2: Any) -> bool:
    return not _lt(arg1, arg2)


# ------------------------------------------------------------------ call


def _call(fn: Any, *args: Any) -> Any:
    fn = _iface(fn)
    if fn is NO_VALUE:
        raise FuncError("call of nil")
    if isinstance(fn, GoFunc):
        return fn.fn(*args)
    raise FuncError(f"non-function of type {_tname(fn)}")


def _print(*args: Any) -> str:
    return gofmt.sprint(*args)


def _printf(fmt: str, *args: Any) -> str:
    return gofmt.sprintf(fmt, *args)


def _println(*args: Any) -> str:
    return gofmt.sprintln(*args)


BUILTINS: dict[str, GoFunc] = {
    "and": GoFunc("and", _and, ("value",), variadic="value"),
    "or": GoFunc("or", _or, ("value",), variadic="value"),
    "not": GoFunc("not", _not, ("value",)),
    "len": GoFunc("len", _len, ("value",)),
    "index": GoFunc("index", _index, ("value",), variadic="value"),
    "slice": GoFunc("slice", _slice, ("value",), variadic="value"),
    "print": GoFunc("print", _print, (), variadic="any"),
    "printf": GoFunc("printf", _printf, ("string",), variadic="any"),
    "println": GoFunc("println", _println, (), variadic="any"),
    "html": GoFunc("html", _html, (), variadic="any"),
    "js": GoFunc("js", _js, (), variadic="any"),
    "urlquery": GoFunc("urlquery", _urlquery, (), variadic="any"),
    "call": GoFunc("call", _call, ("value",), variadic="value"),
    "eq": GoFunc("eq", _eq, ("value",), variadic="value"),
    "ne": GoFunc("ne", _ne, ("value", "value")),
    "lt": GoFunc("lt", _lt, ("value", "value")),
    "le": GoFunc("le", _le, ("value", "value")),
    "gt": GoFunc("gt", _gt, ("value", "value")),
    "ge": GoFunc("ge", _ge, ("value", "value")),
}

__all__ = ["BUILTINS", "Uint8"]
