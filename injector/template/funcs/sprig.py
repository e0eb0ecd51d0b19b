"""sprig v3.2.3's text function map (`sprig.TxtFuncMap()`) over the value model.

Each entry records the Go signature (see `GoFunc`) so that the evaluator rejects the
argument types Go's reflect-based calls reject. The functions follow sprig's Go
semantics rather than Python's: strings are UTF-8 byte strings for `trunc`, `substr`,
`wrap`, `initials`, `nospace` (as in Go); numbers go through spf13/cast
(`add "1" "2"` is 3, `int "3.9"` is 0); `default`/`empty` use sprig's notion of
emptiness; a function declared to return `interface{}` returns `None` for Go's nil
(which the evaluator turns into "no value"). A Go panic or error becomes `FuncError`.

The module also carries the Go behaviour those functions need: Go RE2 syntax
translated to Python `re` (`go_regexp`), strconv number parsing, `path.Clean`,
`os.Expand`, time layouts and durations, `net/url`, Masterminds semver constraints.
"""
from __future__ import annotations

import base64
import binascii
import codecs
import datetime as _dt
import functools
import hashlib
import math
import os
import random
import re
import secrets
import unicodedata
import uuid
import zlib
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Callable

from .. import gofmt
from ..values import NO_VALUE, GoStruct, Int64, StrList, StrMap, Stringer
from . import FuncError, GoFunc
from . import gojson

__all__ = ["SPRIG", "strval", "empty", "to_int64", "to_float64", "go_deep_equal"]

_I64_MIN = -(1 << 63)
_I64_MAX = (1 << 63) - 1
_NIL_DEREF = "runtime error: invalid memory address or nil pointer dereference"


def _wrap64(x: int) -> int:
    """Two's-complement int64 overflow, as Go's int64 arithmetic wraps."""
    return ((x - _I64_MIN) & 0xFFFFFFFFFFFFFFFF) + _I64_MIN


# =========================================================================== Go basics


def _go_is_space(c: str) -> bool:
    """unicode.IsSpace."""
    o = ord(c)
    if o <= 0xFF:
        return c in "\t\n\v\f\r \x85\xa0"
    return o in (0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000) or 0x2000 <= o <= 0x200A


def _cat(c: str) -> str:
    return unicodedata.category(c)


def _is_upper(c: str) -> bool:
    return _cat(c) == "Lu"


def _is_lower(c: str) -> bool:
    return _cat(c) == "Ll"


def _is_title(c: str) -> bool:
    return _cat(c) == "Lt"


def _is_letter(c: str) -> bool:
    return _cat(c)[0] == "L"


def _is_number(c: str) -> bool:
    return _cat(c)[0] == "N"


def _is_punct(c: str) -> bool:
    return _cat(c)[0] == "P"


_SPECIAL_LOWER = {"\u0130": "i"}


def _to_upper(c: str) -> str:
    # Go maps rune by rune (simple case mapping); Python's full mapping may grow a rune.
    u = c.upper()
    return u if len(u) == 1 else c


def _to_lower(c: str) -> str:
    if c in _SPECIAL_LOWER:
        return _SPECIAL_LOWER[c]
    u = c.lower()
    return u if len(u) == 1 else c


def _to_title(c: str) -> str:
    u = c.title()
    return u if len(u) == 1 else _to_upper(c)


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


def _one_byte_replace(err: UnicodeError) -> tuple[str, int]:
    # Go's decoder gives one U+FFFD per invalid byte (Python's "replace" one per run)
    return "\ufffd", err.start + 1


codecs.register_error("go-replace", _one_byte_replace)


def _from_utf8(b: bytes) -> str:
    # Go strings may hold invalid UTF-8 after byte slicing; Python text cannot, and Go
    # writes such bytes out as they are. U+FFFD per byte is what any JSON view shows.
    return b.decode("utf-8", "go-replace")


def _latin1_runes(b: bytes) -> str:
    """What Go's `rune(str[i])` loops write: each byte as the code point of its value."""
    return b.decode("latin-1")


def _trim_space(s: str) -> str:
    i, j = 0, len(s)
    while i < j and _go_is_space(s[i]):
        i += 1
    while j > i and _go_is_space(s[j - 1]):
        j -= 1
    return s[i:j]


def _kind_name(v: Any) -> str:
    """reflect.Kind.String() of a value (nil: "invalid")."""
    if v is None or v is NO_VALUE:
        return "invalid"
    kind = getattr(v, "go_kind", None)
    if kind:
        return kind
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, Int64):
        return "int64"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, (list, tuple)):
        return "slice"
    if isinstance(v, GoStruct):
        return "struct"
    return "struct"


def _is_list(v: Any) -> bool:
    return isinstance(v, (list, tuple))


def _need_kind(v: Any) -> str:
    """reflect.TypeOf(v).Kind() — which panics on nil."""
    if v is None or v is NO_VALUE:
        raise FuncError(_NIL_DEREF)
    return _kind_name(v)


# =========================================================================== values


def strval(v: Any) -> str:
    """sprig's strval: strings as they are, Stringers by String(), else fmt %v."""
    if isinstance(v, str):
        return str.__str__(v)
    if hasattr(v, "go_string"):
        return v.go_string()
    return gofmt.sprintf("%v", v)


def empty(v: Any) -> bool:
    """sprig's empty: the zero value of its type (structs never are), as omitempty."""
    return gojson.is_empty(v)


def go_deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual over the value model (types must match: 1 != 1.0)."""
    if a is None or a is NO_VALUE or b is None or b is NO_VALUE:
        return (a is None or a is NO_VALUE) and (b is None or b is NO_VALUE)
    if gofmt.type_name(a) != gofmt.type_name(b):
        return False
    if isinstance(a, dict):
        if isinstance(a, StrMap) and a.nil != b.nil:
            return False
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k not in b or not go_deep_equal(v, b[k]):
                return False
        return True
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(go_deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, GoStruct):
        return len(a.fields) == len(b.fields) and all(
            fa[0] == fb[0] and go_deep_equal(fa[2], fb[2]) for fa, fb in zip(a.fields, b.fields)
        )
    return a == b


def _in_list(haystack: list, needle: Any) -> bool:
    return any(go_deep_equal(needle, h) for h in haystack)


# =========================================================================== numbers


def _underscore_ok(s: str) -> bool:
    """strconv's rule: '_' only between digits (or after a base prefix)."""
    if s[:1] in "+-":
        s = s[1:]
    saw = "^"
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = s[1].lower() == "x"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and c.lower() in "abcdef"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def parse_int(s: str, base: int = 0, bits: int = 64) -> tuple[int, str | None]:
    """strconv.ParseInt: (value, error kind: None, "syntax" or "range").

    On a range error the value is clamped, as Go returns it.
    """
    if not s:
        return 0, "syntax"
    s0 = s
    neg = False
    if s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
        if not s:
            return 0, "syntax"
    base0 = base == 0
    if base == 0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1].lower() == "b":
                base, s = 2, s[2:]
            elif len(s) >= 3 and s[1].lower() == "o":
                base, s = 8, s[2:]
            elif len(s) >= 3 and s[1].lower() == "x":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:]
    underscores = False
    n = 0
    any_digit = False
    for c in s:
        if c == "_" and base0:
            underscores = True
            continue
        if "0" <= c <= "9":
            d = ord(c) - 48
        elif "a" <= c.lower() <= "z":
            d = ord(c.lower()) - 87
        else:
            return 0, "syntax"
        if d >= base:
            return 0, "syntax"
        n = n * base + d
        any_digit = True
    if not any_digit and s:
        return 0, "syntax"
    if underscores and not _underscore_ok(s0):
        return 0, "syntax"
    if neg:
        n = -n
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if n < lo:
        return lo, "range"
    if n > hi:
        return hi, "range"
    return n, None


_FLOAT_DEC = re.compile(r"[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?\Z")
_FLOAT_HEX = re.compile(
    r"[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?\d(?:_?\d)*\Z"
)
_FLOAT_SPECIAL = re.compile(r"[+-]?(?:inf|infinity|nan)\Z", re.IGNORECASE)


def parse_float(s: str) -> tuple[float, str | None]:
    """strconv.ParseFloat(s, 64): (value, error kind)."""
    if _FLOAT_SPECIAL.match(s):
        if s.lower().lstrip("+-").startswith("n"):
            return (float("nan"), None) if s[0] not in "+-" else (0.0, "syntax")
        return (float("-inf") if s[0] == "-" else float("inf")), None
    if _FLOAT_DEC.match(s):
        if "_" in s and not _underscore_ok(s):
            return 0.0, "syntax"
        f = float(s.replace("_", ""))
    elif _FLOAT_HEX.match(s):
        t = s.replace("_", "")
        if "_" in s and not _underscore_ok(s.split("p")[0].split("P")[0]):
            return 0.0, "syntax"
        f = float.fromhex(t)
    else:
        return 0.0, "syntax"
    if math.isinf(f):
        return f, "range"
    return f, None


def _trim_zero_decimal(s: str) -> str:
    # cast: "3.00" -> "3" (a dot followed only by zeros)
    found_zero = False
    for i in range(len(s), 0, -1):
        c = s[i - 1]
        if c == ".":
            if found_zero:
                return s[: i - 1]
        elif c == "0":
            found_zero = True
        else:
            return s
    return s


def _float_to_int64(f: float) -> int:
    # amd64's conversion: NaN and out-of-range values give the minimum int64
    if math.isnan(f) or math.isinf(f) or not (-(2.0**63) <= f < 2.0**63):
        return _I64_MIN
    return int(f)


def to_int64(v: Any) -> int:
    """spf13/cast.ToInt64 (errors give 0)."""
    if v is None or v is NO_VALUE:
        return 0
    t = type(v)
    if t is bool:
        return 1 if v else 0
    if t is int or t is Int64:
        return int(v)
    if t is float:
        return _float_to_int64(v)
    if t is str:
        n, err = parse_int(_trim_zero_decimal(v), 0, 64)
        return 0 if err else n
    return 0


def to_float64(v: Any) -> float:
    """spf13/cast.ToFloat64 (errors give 0)."""
    if v is None or v is NO_VALUE:
        return 0.0
    t = type(v)
    if t is bool:
        return 1.0 if v else 0.0
    if t is int or t is Int64:
        return float(v)
    if t is float:
        return v
    if t is str:
        f, err = parse_float(v)
        return 0.0 if err else f
    return 0.0


def _decimal_of(f: float) -> Decimal:
    # shopspring's NewFromFloat: the shortest decimal that round-trips
    if math.isnan(f) or math.isinf(f):
        raise FuncError(f"Cannot create a Decimal from {gofmt.format_float(f, 'g')}")
    return Decimal(repr(f))


_DEC_CTX = Context(prec=400)


def _decimal_op(a: Any, rest: tuple, op: str) -> float:
    acc = _decimal_of(to_float64(a))
    for x in rest:
        d = _decimal_of(to_float64(x))
        if op == "+":
            acc = _DEC_CTX.add(acc, d)
        elif op == "-":
            acc = _DEC_CTX.subtract(acc, d)
        elif op == "*":
            acc = _DEC_CTX.multiply(acc, d)
        else:
            if d == 0:
                raise FuncError("decimal division by zero")
            q = _DEC_CTX.divide(acc, d)
            acc = q.quantize(Decimal("1e-16"), rounding=ROUND_HALF_UP, context=_DEC_CTX)
    return float(acc) + 0.0  # shopspring decimals have no negative zero


def _int_div(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return _wrap64(q if (a >= 0) == (b >= 0) else -q)


def _int_mod(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


def _add(*args: Any) -> Int64:
    total = 0
    for a in args:
        total = _wrap64(total + to_int64(a))
    return Int64(total)


def _mul(a: Any, *rest: Any) -> Int64:
    acc = to_int64(a)
    for b in rest:
        acc = _wrap64(acc * to_int64(b))
    return Int64(acc)


def _max(a: Any, *rest: Any) -> Int64:
    acc = to_int64(a)
    for b in rest:
        acc = max(acc, to_int64(b))
    return Int64(acc)


def _min(a: Any, *rest: Any) -> Int64:
    acc = to_int64(a)
    for b in rest:
        acc = min(acc, to_int64(b))
    return Int64(acc)


def _go_max(x: float, y: float) -> float:
    if math.isinf(x) and x > 0 or math.isinf(y) and y > 0:
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) > 0 else y
    return x if x > y else y


def _go_min(x: float, y: float) -> float:
    if math.isinf(x) and x < 0 or math.isinf(y) and y < 0:
        return -math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def _maxf(a: Any, *rest: Any) -> float:
    acc = to_float64(a)
    for b in rest:
        acc = _go_max(acc, to_float64(b))
    return acc


def _minf(a: Any, *rest: Any) -> float:
    acc = to_float64(a)
    for b in rest:
        acc = _go_min(acc, to_float64(b))
    return acc


def _round(a: Any, places: int, *opt: float) -> float:
    round_on = opt[0] if opt else 0.5
    val = to_float64(a)
    try:
        pow_ = math.pow(10.0, float(places))
    except OverflowError:
        pow_ = math.inf
    digit = pow_ * val
    if math.isinf(digit) or math.isnan(digit):
        frac = math.nan if math.isnan(digit) else 0.0
    else:
        frac = math.modf(digit)[0]
    r = math.ceil(digit) if frac >= round_on else math.floor(digit) if not math.isinf(digit) else digit
    return float(r) / pow_ if pow_ else math.nan


def _floor(a: Any) -> float:
    f = to_float64(a)
    return f if math.isinf(f) or math.isnan(f) else float(math.floor(f))


def _ceil(a: Any) -> float:
    f = to_float64(a)
    return f if math.isinf(f) or math.isnan(f) else float(math.ceil(f))


class NilList(list):
    """A nil []interface{}: prints `[]` but marshals to JSON `null`."""

    __slots__ = ()
    go_type = "[]interface {}"
    nil = True


class NilStrList(StrList):
    """A nil []string (regexFindAll without a match): JSON `null`."""

    __slots__ = ()
    nil = True


class IntList(list):
    """A Go []int (until, untilStep): prints and marshals like a list."""

    __slots__ = ()
    go_type = "[]int"


def _until_step(start: int, stop: int, step: int) -> IntList:
    out = IntList()
    if stop < start:
        if step >= 0:
            return out
        i = start
        while i > stop:
            out.append(i)
            i += step
        return out
    if step <= 0:
        return out
    return IntList(range(start, stop, step))


def _until(count: int) -> IntList:
    return _until_step(0, count, -1 if count < 0 else 1)


def _seq(*params: int) -> str:
    n = len(params)
    if n == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        nums = _until_step(start, end + inc, inc)
    elif n == 2:
        start, end = params
        step = -1 if end < start else 1
        nums = _until_step(start, end + step, step)
    elif n == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        nums = _until_step(start, end + inc, step)
    else:
        return ""
    return " ".join(str(x) for x in nums)


def _to_decimal(v: Any) -> Int64:
    n, err = parse_int(gofmt.sprint(v), 8, 64)
    return Int64(0 if err else n)


def _atoi(s: str) -> int:
    n, err = parse_int(s, 10, 64)
    return 0 if err == "syntax" else n


def _rand_int(lo: int, hi: int) -> int:
    if hi - lo <= 0:
        raise FuncError("invalid argument to Intn")
    return random.randrange(hi - lo) + lo


# =========================================================================== strings


def _substr(start: int, end: int, s: str) -> str:
    b = _utf8(s)
    n = len(b)
    if start < 0:
        if end < 0 or end > n:
            raise FuncError(f"runtime error: slice bounds out of range [:{end}] with length {n}")
        return _from_utf8(b[:end])
    if end < 0 or end > n:
        if start > n:
            raise FuncError(f"runtime error: slice bounds out of range [{start}:{n}]")
        return _from_utf8(b[start:])
    if start > end:
        raise FuncError(f"runtime error: slice bounds out of range [{start}:{end}]")
    return _from_utf8(b[start:end])


def _trunc(c: int, s: str) -> str:
    b = _utf8(s)
    if c < 0 and len(b) + c > 0:
        return _from_utf8(b[len(b) + c:])
    if c >= 0 and len(b) > c:
        return _from_utf8(b[:c])
    return s


def _abbrev_full(s: str, offset: int, width: int) -> str:
    b = _utf8(s)
    n = len(b)
    if n == 0:
        return ""
    if width < 4:
        return ""
    if n <= width:
        return s
    offset = min(offset, n)
    if n - offset < width - 3:
        offset = n - (width - 3)
    if offset <= 4:
        return _from_utf8(b[: width - 3]) + "..."
    if width < 7:
        return ""
    if offset + width - 3 < n:
        return "..." + _abbrev_full(_from_utf8(b[offset:]), 0, width - 3)
    return "..." + _from_utf8(b[n - (width - 3):])


def _abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    return _abbrev_full(s, 0, width)


def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    return _abbrev_full(s, left, right)


def _initials(s: str) -> str:
    out = []
    gap = True
    for byte in _utf8(s):
        ch = chr(byte)
        if _go_is_space(ch):
            gap = True
        elif gap:
            out.append(ch)
            gap = False
    return "".join(out)


def _nospace(s: str) -> str:
    b = _utf8(s)
    kept = bytes(x for x in b if not _go_is_space(chr(x)))
    if len(kept) == len(b):
        return s
    return _latin1_runes(kept)


def _title(s: str) -> str:
    out = []
    prev = " "
    for c in s:
        out.append(_to_title(c) if _is_separator(prev) else c)
        prev = c
    return "".join(out)


def _is_separator(r: str) -> bool:
    if ord(r) <= 0x7F:
        return not (r.isalnum() or r == "_")
    if _is_letter(r) or _cat(r) == "Nd":
        return False
    return _go_is_space(r)


def _untitle(s: str) -> str:
    out = []
    nxt = True
    for c in s:
        if _go_is_space(c):
            nxt = True
            out.append(c)
        elif nxt:
            out.append(_to_lower(c))
            nxt = False
        else:
            out.append(c)
    return "".join(out)


def _swapcase(s: str) -> str:
    out = []
    ws = True
    for c in s:
        if _is_upper(c) or _is_title(c):
            out.append(_to_lower(c))
            ws = False
        elif _is_lower(c):
            out.append(_to_title(c) if ws else _to_upper(c))
            ws = False
        else:
            out.append(c)
            ws = _go_is_space(c)
    return "".join(out)


def _upper(s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(_to_upper(c) for c in s)


def _lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join(_to_lower(c) for c in s)


def _wrap_custom(s: str, width: int, newline: str, wrap_long: bool) -> str:
    if s == "":
        return ""
    nl = _utf8(newline or "\n")
    b = _utf8(s)
    width = max(width, 1)
    n = len(b)
    off = 0
    out = bytearray()
    while n - off > width:
        if b[off] == 0x20:
            off += 1
            continue
        end = width + off + 1
        sp = b.rfind(b" ", off, end)
        if sp >= off:
            out += b[off:sp] + nl
            off = sp + 1
        elif wrap_long:
            out += b[off: off + width] + nl
            off += width
        else:
            idx = b.find(b" ", off + width)
            if idx == -1:
                out += b[off:]
                off = n
            else:
                out += b[off:idx] + nl
                off = idx + 1
    out += b[off:]
    return _from_utf8(bytes(out))


def _repeat(count: int, s: str) -> str:
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    return s * count


def _trim_cutset(cutset: str, s: str) -> str:
    return s.strip(cutset) if cutset else s


def _trim_suffix(suffix: str, s: str) -> str:
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


def _trim_prefix(prefix: str, s: str) -> str:
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


def _quote(*args: Any) -> str:
    return " ".join(gofmt.quote(strval(a)) for a in args if a is not None)


def _squote(*args: Any) -> str:
    return " ".join("'" + gofmt.sprintf("%v", a) + "'" for a in args if a is not None)


def _cat_fn(*args: Any) -> str:
    vals = [a for a in args if a is not None]
    return gofmt.sprintf(" ".join(["%v"] * len(vals)), *vals)


def _indent(n: int, s: str) -> str:
    pad = _repeat(n, " ")
    return pad + s.replace("\n", "\n" + pad)


def _nindent(n: int, s: str) -> str:
    return "\n" + _indent(n, s)


def _replace(old: str, new: str, src: str) -> str:
    if old == "":
        # Go inserts `new` before every rune and at the end
        return new + new.join(src) + new if src else new
    return src.replace(old, new)


def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    if n == 0:
        return []
    if sep == "":
        chars = list(s)
        if n > 0 and len(chars) > n:
            chars = chars[: n - 1] + ["".join(chars[n - 1:])]
        return chars
    if n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)


def _split(sep: str, s: str) -> StrMap:
    return StrMap({f"_{i}": p for i, p in enumerate(_go_split(s, sep))})


def _splitn(sep: str, n: int, s: str) -> StrMap:
    parts = _go_split(s, sep, n)
    return StrMap({f"_{i}": p for i, p in enumerate(parts)})


def _split_list(sep: str, s: str) -> StrList:
    return StrList(_go_split(s, sep))


def _strslice(v: Any) -> StrList:
    if isinstance(v, StrList):
        return v
    if isinstance(v, (list, tuple)):
        return StrList(strval(x) for x in v if x is not None)
    if v is None:
        return StrList()
    return StrList([strval(v)])


def _join(sep: str, v: Any) -> str:
    return sep.join(_strslice(v))


def _sort_alpha(v: Any) -> StrList:
    if isinstance(v, (list, tuple)):
        return StrList(sorted(_strslice(v), key=_utf8))
    return StrList([strval(v)])


def _go_snake(s: str, connector: str) -> str:
    return _CaseConverter(s, connector).run()


class _CaseConverter:
    """huandu/xstrings' camelCaseToLowerCase: split into words by kind, join lowered."""

    INVALID, NUMBER, UPPER, ALPHA, CONNECTOR, PUNCT, OTHER = range(7)

    def __init__(self, s: str, connector: str) -> None:
        self.s = s
        self.conn = connector
        self.out: list[str] = []

    @staticmethod
    def is_connector(c: str) -> bool:
        return c in "-_" or _go_is_space(c)

    @staticmethod
    def is_alpha(c: str) -> bool:
        if not _is_letter(c):
            return False
        o = ord(c)
        if o < 0x3400:
            return True
        return not (0x4E00 <= o <= 0x9FCC or 0x3400 <= o <= 0x4D85 or 0x20000 <= o <= 0x2B81D)

    def next_word(self, s: str) -> tuple[int, str, str]:
        if not s:
            return self.INVALID, "", ""
        r = s[0]
        i = 1
        n = len(s)
        if self.is_connector(r):
            while i < n and self.is_connector(s[i]):
                i += 1
            return self.CONNECTOR, s[:i], s[i:]
        if _is_punct(r):
            while i < n and _is_punct(s[i]):
                i += 1
            return self.PUNCT, s[:i], s[i:]
        if _is_upper(r):
            if i >= n:
                return self.UPPER, s[:i], s[i:]
            r2 = s[i]
            if _is_upper(r2):
                i += 1
                while i < n and _is_upper(s[i]):
                    i += 1
                if i < n and self.is_alpha(s[i]):
                    i -= 1  # the last capital starts the next word
            elif self.is_alpha(r2):
                i += 1
                while i < n and self.is_alpha(s[i]) and not _is_upper(s[i]):
                    i += 1
            return self.UPPER, s[:i], s[i:]
        if self.is_alpha(r):
            while i < n and self.is_alpha(s[i]) and not _is_upper(s[i]):
                i += 1
            return self.ALPHA, s[:i], s[i:]
        if _is_number(r):
            while i < n and _is_number(s[i]):
                i += 1
            return self.NUMBER, s[:i], s[i:]
        while i < n:
            c = s[i]
            if self.is_connector(c) or self.is_alpha(c) or _is_number(c) or _is_punct(c):
                break
            i += 1
        return self.OTHER, s[:i], s[i:]

    def lower(self, wt: int, word: str) -> None:
        if wt not in (self.UPPER, self.CONNECTOR):
            self.out.append(word)
            return
        for c in word:
            if self.is_connector(c):
                self.out.append(self.conn)
            elif _is_upper(c):
                self.out.append(_to_lower(c))
            else:
                self.out.append(c)

    def run(self) -> str:
        if not self.s:
            return ""
        A, N, C, P, I = self.ALPHA, self.NUMBER, self.CONNECTOR, self.PUNCT, self.INVALID
        wt, word, rem = self.next_word(self.s)
        while rem:
            if wt != C:
                self.lower(wt, word)
            prev, last = wt, word
            wt, word, rem = self.next_word(rem)
            if prev == N:
                while wt in (A, N):
                    self.lower(wt, word)
                    wt, word, rem = self.next_word(rem)
                if wt not in (I, P, C):
                    self.out.append(self.conn)
            elif prev == C:
                self.lower(prev, last)
            elif prev == P:
                pass
            else:
                if wt != N:
                    if wt not in (C, P):
                        self.out.append(self.conn)
                    continue
                if not rem:
                    continue
                last = word
                wt, word, rem = self.next_word(rem)
                if wt != A:
                    self.lower(N, last)
                    if wt not in (C, P):
                        self.out.append(self.conn)
                    continue
                self.out.append(self.conn)
                self.lower(N, last)
                while wt in (A, N):
                    self.lower(wt, word)
                    wt, word, rem = self.next_word(rem)
                if wt not in (I, C, P):
                    self.out.append(self.conn)
        self.lower(wt, word)
        return "".join(self.out)


def _camelcase(s: str) -> str:
    if not s:
        return ""
    conn = _CaseConverter.is_connector
    out = []
    i = 0
    n = len(s)
    r0 = ""
    while i < n:
        r0 = s[i]
        i += 1
        if not conn(r0):
            r0 = _to_upper(r0)
            break
        out.append(r0)
    if i >= n:
        # the string ended in the first loop: its last rune is written once more
        out.append(r0)
        return "".join(out)
    while i < n:
        r1 = r0
        r0 = s[i]
        i += 1
        if conn(r0) and conn(r1):
            out.append(r1)
            continue
        if conn(r1):
            r0 = _to_upper(r0)
        else:
            r0 = _to_lower(r0)
            out.append(r1)
    out.append(r0)
    return "".join(out)


def _shuffle(s: str) -> str:
    chars = list(s)
    random.shuffle(chars)
    return "".join(chars)


_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _rand_from(alphabet: str, count: int) -> str:
    if count < 0:
        return ""  # goutils reports an error, which sprig discards
    return "".join(secrets.choice(alphabet) for _ in range(count))


def _rand_alnum(count: int) -> str:
    return _rand_from(_ALNUM, count)


def _rand_alpha(count: int) -> str:
    return _rand_from(_ALNUM[:52], count)


def _rand_numeric(count: int) -> str:
    return _rand_from("0123456789", count)


def _rand_ascii(count: int) -> str:
    return _rand_from("".join(chr(c) for c in range(32, 127)), count)


# =========================================================================== encodings


_B64_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64_corrupt_offset(src: bytes) -> int | None:
    """Where Go's base64.StdEncoding.DecodeString reports corrupt input, or None."""
    dec = {ord(c): i for i, c in enumerate(_B64_STD)}
    si = 0
    n = len(src)
    while True:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return si - j
            c = src[si]
            si += 1
            if c in dec:
                j += 1
                continue
            if c in (10, 13):
                continue
            if c != ord("="):
                return si - 1
            if j in (0, 1):
                return si - 1
            if j == 2:
                while si < n and src[si] in (10, 13):
                    si += 1
                if si == n:
                    return n
                if src[si] != ord("="):
                    return si - 1
                si += 1
            while si < n and src[si] in (10, 13):
                si += 1
            if si < n:
                return si
            return None


def _b64enc(s: str) -> str:
    return base64.b64encode(_utf8(s)).decode("ascii")


def _b64dec(s: str) -> str:
    raw = _utf8(s)
    bad = _b64_corrupt_offset(raw)
    if bad is not None:
        return f"illegal base64 data at input byte {bad}"
    data = raw.replace(b"\n", b"").replace(b"\r", b"")
    try:
        return _from_utf8(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return "illegal base64 data at input byte 0"


def _b32enc(s: str) -> str:
    return base64.b32encode(_utf8(s)).decode("ascii")


def _b32dec(s: str) -> str:
    raw = _utf8(s).replace(b"\n", b"").replace(b"\r", b"")
    try:
        return _from_utf8(base64.b32decode(raw))
    except (binascii.Error, ValueError):
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567="
        for i, c in enumerate(raw):
            if c not in alphabet:
                return f"illegal base32 data at input byte {i}"
        return f"illegal base32 data at input byte {len(raw) - len(raw) % 8 if len(raw) % 8 else 0}"


def _sha1sum(s: str) -> str:
    return hashlib.sha1(_utf8(s)).hexdigest()


def _sha256sum(s: str) -> str:
    return hashlib.sha256(_utf8(s)).hexdigest()


def _adler32sum(s: str) -> str:
    return str(zlib.adler32(_utf8(s)))


# =========================================================================== JSON


def _indent_json(compact: str, indent: str = "  ") -> str:
    """encoding/json's Indent of a compact document (what MarshalIndent does)."""
    out: list[str] = []
    depth = 0
    in_str = False
    esc = False
    need_indent = False
    i = 0
    n = len(compact)
    while i < n:
        c = compact[i]
        if in_str:
            out.append(c)
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
            i += 1
            continue
        if need_indent and c not in "]}":
            need_indent = False
            depth += 1
            out.append("\n" + indent * depth)
        if c == '"':
            in_str = True
            out.append(c)
        elif c in "{[":
            out.append(c)
            need_indent = True
        elif c == ",":
            out.append(",\n" + indent * depth)
        elif c == ":":
            out.append(": ")
        elif c in "]}":
            if need_indent:
                need_indent = False  # empty object or array stays compact
            else:
                depth -= 1
                out.append("\n" + indent * depth)
            out.append(c)
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _marshal(v: Any, html: bool = True) -> str:
    try:
        return gojson.marshal(_json_view(v), html)
    except gojson.MarshalError as e:
        raise FuncError(str(e)) from None


def _json_view(v: Any) -> Any:
    """Objects of this module (times, versions, nil slices) as encoding/json sees them."""
    if hasattr(v, "go_json"):
        return v.go_json()
    if getattr(v, "nil", False) and isinstance(v, list):
        return None
    if isinstance(v, dict) and not isinstance(v, StrMap):
        if any(hasattr(x, "go_json") or isinstance(x, (dict, list)) for x in v.values()):
            return {k: _json_view(x) for k, x in v.items()}
    elif isinstance(v, list) and not isinstance(v, StrList):
        if any(hasattr(x, "go_json") or isinstance(x, (dict, list)) for x in v):
            return [_json_view(x) for x in v]
    elif isinstance(v, GoStruct) and any(
        hasattr(x, "go_json") or isinstance(x, (dict, list)) for _n, _t, x in v.fields
    ):
        return GoStruct(((n, t, _json_view(x)) for n, t, x in v.fields), v.type_name)
    return v


def _to_json(v: Any) -> str:
    try:
        return _marshal(v)
    except FuncError:
        return ""


def _must_to_json(v: Any) -> str:
    return _marshal(v)


def _to_pretty_json(v: Any) -> str:
    try:
        return _indent_json(_marshal(v))
    except FuncError:
        return ""


def _must_to_pretty_json(v: Any) -> str:
    return _indent_json(_marshal(v))


def _to_raw_json(v: Any) -> str:
    try:
        return _marshal(v, html=False)
    except FuncError:
        return ""


def _must_to_raw_json(v: Any) -> str:
    return _marshal(v, html=False)


def _go_json_error(text: str, err: Exception) -> str:
    msg = str(err)
    if msg.startswith("json:") or msg.startswith("invalid character"):
        return msg
    pos = getattr(err, "pos", None)
    if not text.strip() or pos is None or pos >= len(text):
        return "unexpected end of JSON input"
    ch = text[pos]
    q = "'\\''" if ch == "'" else "'" + gofmt.quote(ch)[1:-1] + "'"
    pm = getattr(err, "msg", "")
    if pm.startswith("Expecting property name"):
        ctx = "looking for beginning of object key string"
    elif pm.startswith("Extra data"):
        ctx = "after top-level value"
    elif pm.startswith("Expecting ':'"):
        ctx = "after object key"
    elif pm.startswith("Expecting ','"):
        ctx = "after object key:value pair" if _inside_object(text, pos) else "after array element"
    elif pm.startswith("Invalid control character"):
        ctx = "in string literal"
    elif pm.startswith("Invalid \\escape"):
        ctx = "in string escape code"
    else:
        ctx = "looking for beginning of value"
    return f"invalid character {q} {ctx}"


def _inside_object(text: str, pos: int) -> bool:
    depth: list[str] = []
    in_str = esc = False
    for c in text[:pos]:
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
        elif c == '"':
            in_str = True
        elif c in "{[":
            depth.append(c)
        elif c in "}]" and depth:
            depth.pop()
    return bool(depth) and depth[-1] == "{"


def _must_from_json(s: str) -> Any:
    try:
        return gojson.unmarshal(s)
    except gojson.UnmarshalError as e:
        cause = e.__cause__ or e
        raise FuncError(_go_json_error(s, cause)) from None
    except ValueError as e:
        raise FuncError(_go_json_error(s, e)) from None


def _from_json(s: str) -> Any:
    try:
        return _must_from_json(s)
    except FuncError:
        return None


# =========================================================================== defaults


def _default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def _coalesce(*args: Any) -> Any:
    for a in args:
        if not empty(a):
            return a
    return None


def _all(*args: Any) -> bool:
    return all(not empty(a) for a in args)


def _any(*args: Any) -> bool:
    return any(not empty(a) for a in args)


def _ternary(vt: Any, vf: Any, cond: bool) -> Any:
    return vt if cond else vf


def _deep_copy(v: Any) -> Any:
    if v is None:
        # copystructure.Copy(nil) fails inside reflect
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    return _copy(v)


def _copy(v: Any) -> Any:
    if isinstance(v, StrMap):
        return v.copy() if v.nil else StrMap({k: x for k, x in v.items()})
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return type(v)(_copy(x) for x in v)
    if type(v) is GoStruct:
        return GoStruct(((n, t, _copy(x)) for n, t, x in v.fields), v.type_name)
    return v


# =========================================================================== reflection


def _type_of(v: Any) -> str:
    return gofmt.sprintf("%T", v)


def _type_is(target: str, v: Any) -> bool:
    return target == _type_of(v)


def _type_is_like(target: str, v: Any) -> bool:
    t = _type_of(v)
    return target == t or "*" + target == t


def _kind_of(v: Any) -> str:
    return _kind_name(v)


def _kind_is(target: str, v: Any) -> bool:
    return target == _kind_name(v)


# =========================================================================== OS and paths


def _getenv(key: str) -> str:
    return os.environ.get(key, "")


def _is_shell_special(c: str) -> bool:
    return c in "*#$@!?-" or "0" <= c <= "9"


def _is_alnum_ascii(c: str) -> bool:
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and _is_shell_special(s[1]) and s[2] == "}":
            return s[1:2], 3
        for i in range(1, len(s)):
            if s[i] == "}":
                if i == 1:
                    return "", 2
                return s[1:i], i + 1
        return "", 1
    if _is_shell_special(s[0]):
        return s[0:1], 1
    i = 0
    while i < len(s) and _is_alnum_ascii(s[i]):
        i += 1
    return s[:i], i


def go_expand(s: str, mapping: Callable[[str], str]) -> str:
    """os.Expand."""
    out: list[str] = []
    i = 0
    j = 0
    n = len(s)
    changed = False
    while j < n:
        if s[j] == "$" and j + 1 < n:
            changed = True
            out.append(s[i:j])
            name, w = _shell_name(s[j + 1:])
            if name == "" and w > 0:
                pass  # bad syntax: eaten
            elif name == "":
                out.append("$")
            else:
                out.append(mapping(name))
            j += w
            i = j + 1
        j += 1
    if not changed:
        return s
    return "".join(out) + s[i:]


def _expandenv(s: str) -> str:
    return go_expand(s, _getenv)


def go_path_clean(p: str) -> str:
    """path.Clean."""
    if p == "":
        return "."
    rooted = p[0] == "/"
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def _path_base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    i = p.rfind("/")
    return p[i + 1:] if i >= 0 else p


def _path_dir(p: str) -> str:
    i = p.rfind("/")
    return go_path_clean(p[: i + 1])


def _path_ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


def _path_is_abs(p: str) -> bool:
    return p.startswith("/")


def _get_host_by_name(name: str) -> str:
    import socket

    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        infos = []
    addrs = list(dict.fromkeys(i[4][0] for i in infos))
    if not addrs:
        raise FuncError("invalid argument to Intn")
    return random.choice(addrs)


# =========================================================================== lists


def _list(*args: Any) -> list:
    return list(args)


def _must_list(v: Any, what: str) -> list:
    kind = _need_kind(v)
    if not _is_list(v):
        raise FuncError(f"Cannot {what} on type {kind}")
    return list(v)


def _push(lst: Any, v: Any) -> list:
    return _must_list(lst, "push") + [v]


def _prepend(lst: Any, v: Any) -> list:
    return [v] + _must_list(lst, "prepend")


def _chunk(size: int, lst: Any) -> list:
    items = _must_list(lst, "chunk")
    n = len(items)
    if size == 0:
        raise FuncError("runtime error: integer divide by zero")
    count = math.floor((n - 1) / size) + 1
    if count < 0:
        raise FuncError("runtime error: makeslice: len out of range")
    out = []
    for i in range(count):
        clen = size
        if i == count - 1:
            clen = int(math.floor(math.fmod(n, size)))
            if clen == 0:
                clen = size
        if clen < 0:
            raise FuncError("runtime error: makeslice: len out of range")
        row = []
        for j in range(clen):
            ix = i * size + j
            if ix >= n or ix < 0:
                raise FuncError(f"reflect: slice index out of range")
            row.append(items[ix])
        out.append(row)
    return out


def _last(lst: Any) -> Any:
    items = _must_list(lst, "find last")
    return items[-1] if items else None


def _first(lst: Any) -> Any:
    items = _must_list(lst, "find first")
    return items[0] if items else None


def _rest(lst: Any) -> list:
    items = _must_list(lst, "find rest")
    return items[1:] if items else NilList()


def _initial(lst: Any) -> list:
    items = _must_list(lst, "find initial")
    return items[:-1] if items else NilList()


def _reverse(lst: Any) -> list:
    return list(reversed(_must_list(lst, "find reverse")))


def _compact(lst: Any) -> list:
    return [x for x in _must_list(lst, "compact") if not empty(x)]


def _uniq(lst: Any) -> list:
    out: list = []
    for x in _must_list(lst, "find uniq"):
        if not _in_list(out, x):
            out.append(x)
    return out


def _without(lst: Any, *omit: Any) -> list:
    return [x for x in _must_list(lst, "find without") if not _in_list(list(omit), x)]


def _has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return _in_list(_must_list(haystack, "find has"), needle)


def _slice(lst: Any, *indices: Any) -> Any:
    kind = _need_kind(lst)
    if not _is_list(lst):
        raise FuncError(f"list should be type of slice or array but {kind}")
    n = len(lst)
    if n == 0:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) >= 2 else n
    if not (0 <= start <= end <= n):
        raise FuncError(f"reflect.Value.Slice: slice index out of bounds")
    out = lst[start:end]
    return StrList(out) if isinstance(lst, StrList) else list(out)


def _concat(*lists: Any) -> list:
    out: list = []
    for lst in lists:
        kind = _need_kind(lst)
        if not _is_list(lst):
            raise FuncError(f"Cannot concat type {kind} as list")
        out.extend(lst)
    return out if out else NilList()


# =========================================================================== dicts


def _map_arg(d: Any) -> dict:
    return {} if d is None else d


def _get(d: dict, key: str) -> Any:
    d = _map_arg(d)
    return d[key] if key in d else ""


def _set(d: dict, key: str, value: Any) -> dict:
    if d is None:
        raise FuncError("assignment to entry in nil map")
    d[key] = value
    return d


def _unset(d: dict, key: str) -> dict:
    if d is not None:
        d.pop(key, None)
    return _map_arg(d)


def _has_key(d: dict, key: str) -> bool:
    return key in _map_arg(d)


def _pluck(key: str, *dicts: dict) -> list:
    return [d[key] for d in dicts if d and key in d]


def _keys(*dicts: dict) -> StrList:
    out = StrList()
    for d in dicts:
        out.extend(_map_arg(d).keys())
    return out


def _pick(d: dict, *keys: str) -> dict:
    d = _map_arg(d)
    return {k: d[k] for k in keys if k in d}


def _omit(d: dict, *keys: str) -> dict:
    drop = set(keys)
    return {k: v for k, v in _map_arg(d).items() if k not in drop}


def _dict(*args: Any) -> dict:
    out: dict = {}
    for i in range(0, len(args), 2):
        key = strval(args[i])
        out[key] = args[i + 1] if i + 1 < len(args) else ""
    return out


def _values(d: dict) -> list:
    return list(_map_arg(d).values())


def _merge_empty(v: Any) -> bool:
    """mergo's isEmptyValue (complex numbers and structs are never empty)."""
    return not isinstance(v, complex) and empty(v)


def _deep_merge(dst: dict, src: dict, overwrite: bool) -> None:
    """mergo.Merge / MergeWithOverwrite of one map[string]interface{} into another.

    Nested maps merge in place; a nil source value only counts when overwriting;
    slices and scalars replace the destination when overwriting, or when the
    destination is missing or empty; a map or slice never replaces a non-empty value.
    """
    for key, sv in src.items():
        has = key in dst
        dv = dst.get(key)
        if sv is None:
            if overwrite:
                dst[key] = None
            continue
        if isinstance(sv, dict):
            if has and isinstance(dv, dict):
                _deep_merge(dv, sv, overwrite)
        elif isinstance(sv, list):
            if overwrite or not dst:
                dst[key] = sv
            elif not has or dv is None:
                dst[key] = []
        if has and not _merge_empty(dv) and isinstance(sv, (dict, list)):
            continue
        if overwrite or not has or _merge_empty(dv):
            dst[key] = sv


def _merge(dst: dict, *srcs: dict) -> Any:
    if dst is None:
        dst = {}
    for s in srcs:
        if s:
            _deep_merge(dst, s, False)
    return dst


def _merge_overwrite(dst: dict, *srcs: dict) -> Any:
    if dst is None:
        dst = {}
    for s in srcs:
        if s:
            _deep_merge(dst, s, True)
    return dst


def _dig(*ps: Any) -> Any:
    if len(ps) < 3:
        raise FuncError("dig needs at least three arguments")
    d = ps[-1]
    if type(d) is not dict:
        raise FuncError(
            f"interface conversion: interface {{}} is {gofmt.type_name(d)}, "
            "not map[string]interface {}"
        )
    default = ps[-2]
    keys = ps[:-2]
    for k in keys:
        if not isinstance(k, str) or isinstance(k, Stringer):
            raise FuncError(
                f"interface conversion: interface {{}} is {gofmt.type_name(k)}, not string"
            )
    cur = d
    for i, k in enumerate(keys):
        if k not in cur:
            return default
        step = cur[k]
        if i == len(keys) - 1:
            return step
        if type(step) is not dict:
            raise FuncError(
                f"interface conversion: interface {{}} is {gofmt.type_name(step)}, "
                "not map[string]interface {}"
            )
        cur = step
    return default


# =========================================================================== regexp

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_PERL_IN_CLASS = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
_PERL = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
    "w": "[0-9A-Za-z_]",
    "W": "[^0-9A-Za-z_]",
}
_WORD = "[0-9A-Za-z_]"
_SCRIPT_NAMES = {"Han": ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")}


@functools.lru_cache(maxsize=64)
def _unicode_class_body(name: str) -> str:
    """Ranges of a Unicode category (`L`, `Lu`, `Nd`, ...) or script (`Greek`) for `[...]`.

    Python's `re` has no \\p{...}; categories come from unicodedata, scripts from
    character names (a close approximation of Unicode's Script property).
    """
    if name == "Any":
        return "\\x00-\\U0010ffff"
    if 1 <= len(name) <= 2 and name[0] in "CLMNPSZ":
        def test(ch: str) -> bool:
            return unicodedata.category(ch).startswith(name)
    else:
        prefixes = _SCRIPT_NAMES.get(name, (name.upper().replace("_", " ") + " ",))

        def test(ch: str) -> bool:
            nm = unicodedata.name(ch, "")
            return nm.startswith(prefixes)
    ranges: list[tuple[int, int]] = []
    lo = -1
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            ok = False
        else:
            ok = test(chr(cp))
        if ok and lo < 0:
            lo = cp
        elif not ok and lo >= 0:
            ranges.append((lo, cp - 1))
            lo = -1
    if lo >= 0:
        ranges.append((lo, 0x10FFFF))
    if not ranges:
        raise _regex_err("invalid character class range", "\\p{" + name + "}")
    return "".join(
        f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges
    )


class GoRegexError(Exception):
    """regexp.Compile failed; the text is Go's message."""


def _regex_err(code: str, expr: str) -> GoRegexError:
    return GoRegexError(f"error parsing regexp: {code}: `{expr}`")


def _translate_regex(expr: str) -> str:
    """Go RE2 syntax -> Python `re` syntax with the same meaning (common subset)."""
    out: list[str] = []
    i = 0
    n = len(expr)
    multiline = False
    depth = 0
    pending_close: list[int] = []  # depth at which a `(?flags)` wrapper must close
    ungreedy = [False]  # (?U) swaps greedy and lazy repetition, per group
    at_start = True
    while i < n:
        c = expr[i]
        if c == "\\":
            if i + 1 >= n:
                raise _regex_err("trailing backslash at end of expression", "")
            d = expr[i + 1]
            if d in _PERL:
                out.append(_PERL[d])
                i += 2
            elif d == "b":
                out.append(f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))")
                i += 2
            elif d == "B":
                out.append(f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))")
                i += 2
            elif d == "z":
                out.append("(?:\\Z)")
                i += 2
            elif d == "A":
                out.append("(?:\\A)")
                i += 2
            elif d in "pP":
                cls, i2 = _unicode_class(expr, i)
                if d == "P":
                    cls = "[" + cls[2:] if cls.startswith("[^") else "[^" + cls[1:]
                out.append(cls)
                i = i2
            elif d == "Q":
                end = expr.find("\\E", i + 2)
                lit = expr[i + 2:] if end < 0 else expr[i + 2: end]
                out.append(re.escape(lit))
                i = n if end < 0 else end + 2
            elif d == "x":
                lit, i = _hex_escape(expr, i)
                out.append(re.escape(lit))
            elif d in "123456789":
                raise _regex_err("invalid escape sequence", expr[i: i + 2])
            elif d in "0":
                m = re.match(r"0[0-7]{0,2}", expr[i + 1:])
                out.append(re.escape(chr(int(m.group(0), 8))))
                i += 1 + len(m.group(0))
            elif d.isalnum() and d not in "afnrtv":
                raise _regex_err("invalid escape sequence", expr[i: i + 2])
            else:
                out.append(expr[i: i + 2])
                i += 2
            at_start = False
            continue
        if c == "[":
            cls, i = _translate_class(expr, i)
            out.append(cls)
            at_start = False
            continue
        if c == "(":
            if expr.startswith("(?", i):
                m = re.match(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])", expr[i:])
                if expr.startswith("(?P<", i):
                    out.append("(?P<")
                    i += 4
                    depth += 1
                    ungreedy.append(ungreedy[-1])
                    continue
                if not m or (m.group(1) == "" and m.group(2) is None and m.group(3) == ")"):
                    stop = expr.find(")", i)
                    raise _regex_err(
                        "invalid or unsupported Perl syntax", expr[i: i + 3 if stop < 0 else i + 3]
                    )
                on, off, end = m.group(1), m.group(2) or "", m.group(3)
                lazy_mode = ("U" in on or ungreedy[-1]) and "U" not in off
                on, off = on.replace("U", ""), off.replace("U", "")
                if "m" in on:
                    multiline = True
                flags = on + ("-" + off if off else "")
                if end == ")":
                    ungreedy[-1] = lazy_mode
                    if not on and not off:
                        i += len(m.group(0))
                        continue
                    if at_start and not off:
                        out.append(f"(?{on})" if on else "")
                    else:
                        out.append(f"(?{flags}:")
                        pending_close.append(depth)
                    i += len(m.group(0))
                    continue
                out.append(f"(?{flags}:" if flags else "(?:")
                i += len(m.group(0))
                depth += 1
                ungreedy.append(lazy_mode)
                at_start = False
                continue
            depth += 1
            ungreedy.append(ungreedy[-1])
            out.append("(")
            i += 1
            at_start = False
            continue
        if c == ")":
            while pending_close and pending_close[-1] == depth:
                pending_close.pop()
                out.append(")")
            depth -= 1
            if len(ungreedy) > 1:
                ungreedy.pop()
            out.append(")")
            i += 1
            continue
        if c in "^$":
            # RE2 allows repeating an anchor (`^*`); Python only a group. Without (?m)
            # `$` is the end of the text (Python's `$` also matches before a final \n).
            out.append("(?:^)" if c == "^" else "(?:$)" if multiline else "(?:\\Z)")
            i += 1
            at_start = False
            continue
        if c == "{":
            m = re.match(r"\{(\d+)(,(\d*))?\}", expr[i:])
            if m:
                lo = int(m.group(1))
                hi = m.group(3)
                if lo > 1000 or (hi and int(hi) > 1000) or (hi and int(hi) < lo):
                    raise _regex_err("invalid repeat count", m.group(0))
                i += len(m.group(0))
                lazy = i < n and expr[i] == "?"
                if lazy:
                    i += 1
                out.append(m.group(0) + ("?" if lazy != ungreedy[-1] else ""))
                _no_possessive(expr, i, m.group(0))
                continue
            out.append("\\{")
            i += 1
            continue
        if c in "*+?":
            i += 1
            lazy = i < n and expr[i] == "?"
            if lazy:
                i += 1
            out.append(c + ("?" if lazy != ungreedy[-1] else ""))
            _no_possessive(expr, i, c)
            continue
        out.append(c)
        i += 1
        at_start = False
    while pending_close:
        pending_close.pop()
        out.append(")")
    return "".join(out)


def _no_possessive(expr: str, i: int, op: str) -> None:
    # Python 3.11 reads `a*+` and `a{2}*` as possessive/nested; RE2 rejects both
    if i < len(expr) and (expr[i] in "*+" or re.match(r"\{\d+(,\d*)?\}", expr[i:])):
        raise _regex_err("invalid nested repetition operator", op + expr[i])


def _hex_escape(expr: str, i: int) -> tuple[str, int]:
    if expr.startswith("{", i + 2):
        end = expr.find("}", i + 3)
        if end < 0:
            raise _regex_err("invalid escape sequence", expr[i:])
        return chr(int(expr[i + 3: end], 16)), end + 1
    hx = expr[i + 2: i + 4]
    if len(hx) < 2 or not all(ch in "0123456789abcdefABCDEF" for ch in hx):
        raise _regex_err("invalid escape sequence", expr[i: i + 4])
    return chr(int(hx, 16)), i + 4


def _unicode_class(expr: str, i: int) -> tuple[str, int]:
    if expr.startswith("{", i + 2):
        end = expr.find("}", i + 3)
        name = expr[i + 3: end] if end >= 0 else ""
        nxt = end + 1
    else:
        name = expr[i + 2: i + 3]
        nxt = i + 3
    if not name or not re.fullmatch(r"\^?[A-Za-z_]+", name):
        raise _regex_err("invalid character class range", expr[i:nxt])
    if name.startswith("^"):
        return "[^" + _unicode_class_body(name[1:]) + "]", nxt
    return "[" + _unicode_class_body(name) + "]", nxt


def _translate_class(expr: str, i: int) -> tuple[str, int]:
    out = ["["]
    j = i + 1
    n = len(expr)
    if j < n and expr[j] == "^":
        out.append("^")
        j += 1
    first = True
    while j < n:
        c = expr[j]
        if c == "]" and not first:
            out.append("]")
            return "".join(out), j + 1
        first = False
        if c == "[" and expr.startswith("[:", j):
            end = expr.find(":]", j + 2)
            if end >= 0:
                name = expr[j + 2: end]
                neg = name.startswith("^")
                cls = _POSIX_CLASSES.get(name.lstrip("^"))
                if cls is None:
                    raise _regex_err("invalid character class range", expr[j: end + 2])
                if neg:
                    raise _regex_err("invalid or unsupported Perl syntax", expr[j: end + 2])
                out.append(cls)
                j = end + 2
                continue
        if c == "\\" and j + 1 < n:
            d = expr[j + 1]
            if d in _PERL_IN_CLASS:
                out.append(_PERL_IN_CLASS[d])
                j += 2
                continue
            if d == "x":
                lit, j = _hex_escape(expr, j)
                out.append(re.escape(lit))
                continue
            if d in "pP":
                cls, j2 = _unicode_class(expr, j)
                body = cls[1:-1]
                if (d == "P") != body.startswith("^"):
                    raise _regex_err("invalid or unsupported Perl syntax", expr[j:j2])
                out.append(body.lstrip("^"))
                j = j2
                continue
            if d in "DSW":
                raise _regex_err("invalid or unsupported Perl syntax", expr[j: j + 2])
            out.append(expr[j: j + 2])
            j += 2
            continue
        if c in "[&~|-" and c != "-":
            out.append("\\" + c)
        elif c == "-" and expr.startswith("--", j):
            out.append("\\-")
        else:
            out.append(c)
        j += 1
    raise _regex_err("missing closing ]", expr[i:])


_PY_ERR_TO_GO = (
    ("missing ), unterminated subpattern", "missing closing )"),
    ("unbalanced parenthesis", "unexpected )"),
    ("unterminated character set", "missing closing ]"),
    ("nothing to repeat", "missing argument to repetition operator"),
    ("multiple repeat", "invalid nested repetition operator"),
    ("bad character range", "invalid character class range"),
)


@functools.lru_cache(maxsize=512)
def go_regexp(expr: str) -> re.Pattern:
    """regexp.Compile(expr) as a Python pattern; raises GoRegexError with Go's text."""
    try:
        translated = _translate_regex(expr)
        return re.compile(translated)
    except GoRegexError:
        raise
    except re.error as e:
        msg = str(e).split(" at position")[0]
        for py, go in _PY_ERR_TO_GO:
            if msg.startswith(py):
                frag = expr
                if go == "missing argument to repetition operator":
                    frag = expr[e.pos] if e.pos is not None and e.pos < len(expr) else expr
                raise GoRegexError(f"error parsing regexp: {go}: `{frag}`") from None
        raise GoRegexError(f"error parsing regexp: {msg}: `{expr}`") from None
    except (ValueError, OverflowError) as e:
        raise GoRegexError(f"error parsing regexp: {e}: `{expr}`") from None


def _compile(expr: str) -> re.Pattern:
    try:
        return go_regexp(expr)
    except GoRegexError as e:
        raise FuncError(str(e)) from None


def _find_all(p: re.Pattern, s: str, n: int) -> list[re.Match]:
    """Go's allMatches: no empty match right after a previous match."""
    if n < 0:
        n = len(s) + 1
    out: list[re.Match] = []
    pos = 0
    prev_end = -1
    end = len(s)
    while len(out) < n and pos <= end:
        m = p.search(s, pos)
        if m is None:
            break
        accept = True
        if m.end() == m.start():
            if m.start() == prev_end:
                accept = False
            pos = m.start() + 1 if m.start() >= pos else pos + 1
            if m.end() > pos:
                pos = m.end()
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            out.append(m)
    return out


def _expand_template(template: str, m: re.Match) -> str:
    """regexp.Expand: $1, ${1}, $name, ${name}, $$."""
    out: list[str] = []
    names = m.re.groupindex
    while template:
        k = template.find("$")
        if k < 0:
            break
        out.append(template[:k])
        template = template[k + 1:]
        if template.startswith("$"):
            out.append("$")
            template = template[1:]
            continue
        brace = template.startswith("{")
        body = template[1:] if brace else template
        j = 0
        while j < len(body) and (body[j].isalnum() and (_is_letter(body[j]) or _cat(body[j]) == "Nd")
                                 or body[j] == "_"):
            j += 1
        if j == 0 or (brace and (j >= len(body) or body[j] != "}")):
            out.append("$")
            continue
        name = body[:j]
        template = body[j + 1:] if brace else body[j:]
        if name.isdigit() and name.isascii() and not (name[0] == "0" and len(name) > 1):
            num = int(name)
            if num <= m.re.groups and m.group(num) is not None:
                out.append(m.group(num))
        elif name in names and m.group(name) is not None:
            out.append(m.group(name))
    out.append(template)
    return "".join(out)


def _replace_all(p: re.Pattern, s: str, repl: Callable[[re.Match], str]) -> str:
    out: list[str] = []
    last = 0
    pos = 0
    end = len(s)
    while pos <= end:
        m = p.search(s, pos)
        if m is None:
            break
        out.append(s[last: m.start()])
        if m.end() > last or m.start() == 0:
            out.append(repl(m))
        last = m.end()
        if pos + 1 > m.end():
            pos += 1
        else:
            pos = m.end()
    out.append(s[last:])
    return "".join(out)


def _regex_split(p: re.Pattern, s: str, n: int) -> StrList:
    if n == 0:
        return NilStrList()
    if p.pattern and s == "":
        return StrList([""])
    out = StrList()
    beg = 0
    end = 0
    for m in _find_all(p, s, n):
        if n > 0 and len(out) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            out.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        out.append(s[beg:])
    return out


def _must_regex_match(expr: str, s: str) -> bool:
    return _compile(expr).search(s) is not None


def _regex_match(expr: str, s: str) -> bool:
    try:
        return _must_regex_match(expr, s)
    except FuncError:
        return False


def _must_regex_find_all(expr: str, s: str, n: int) -> StrList:
    found = [m.group(0) for m in _find_all(_compile(expr), s, n)]
    return StrList(found) if found else NilStrList()


def _must_regex_find(expr: str, s: str) -> str:
    m = _compile(expr).search(s)
    return m.group(0) if m else ""


def _must_regex_replace_all(expr: str, s: str, repl: str) -> str:
    return _replace_all(_compile(expr), s, lambda m: _expand_template(repl, m))


def _must_regex_replace_all_literal(expr: str, s: str, repl: str) -> str:
    return _replace_all(_compile(expr), s, lambda m: repl)


def _must_regex_split(expr: str, s: str, n: int) -> StrList:
    return _regex_split(_compile(expr), s, n)


def _regex_quote_meta(s: str) -> str:
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in s)


# =========================================================================== durations and time

_UNITS = {
    "ns": 1,
    "us": 1000,
    "\u00b5s": 1000,
    "\u03bcs": 1000,
    "ms": 1000_000,
    "s": 1000_000_000,
    "m": 60_000_000_000,
    "h": 3600_000_000_000,
}


def _frac_str(v: int, prec: int) -> tuple[str, int]:
    digits = []
    printed = False
    for _ in range(prec):
        d = v % 10
        printed = printed or d != 0
        if printed:
            digits.append(str(d))
        v //= 10
    frac = "".join(reversed(digits))
    return ("." + frac if frac else ""), v


def go_duration(ns: int) -> str:
    """time.Duration(ns).String()."""
    ns = _wrap64(ns)
    neg = ns < 0
    u = -ns if neg else ns
    if u < 1_000_000_000:
        if u == 0:
            return "0s"
        if u < 1000:
            s = f"{u}ns"
        elif u < 1_000_000:
            frac, whole = _frac_str(u, 3)
            s = f"{whole}{frac}\u00b5s"
        else:
            frac, whole = _frac_str(u, 6)
            s = f"{whole}{frac}ms"
    else:
        frac, secs = _frac_str(u, 9)
        s = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins:
            s = f"{mins % 60}m" + s
            hours = mins // 60
            if hours:
                s = f"{hours}h" + s
    return "-" + s if neg else s


def parse_duration(s: str) -> int:
    """time.ParseDuration; raises ValueError with Go's message."""
    orig = s
    neg = False
    if s and s[0] in "+-":
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise ValueError(f'time: invalid duration "{orig}"')
    total = 0
    while s:
        m = re.match(r"(\d*)(?:\.(\d*))?", s)
        ip, fp = m.group(1), m.group(2)
        if ip == "" and not fp:
            raise ValueError(f'time: invalid duration "{orig}"')
        s = s[m.end():]
        u = re.match(r"[^0-9.]*", s).group(0)
        if not u:
            raise ValueError(f'time: missing unit in duration "{orig}"')
        unit = _UNITS.get(u)
        if unit is None:
            raise ValueError(f'time: unknown unit "{u}" in duration "{orig}"')
        s = s[len(u):]
        val = Decimal(ip or "0") + (Decimal("0." + fp) if fp else Decimal(0))
        total += int(val * unit)
        if total > 1 << 63:
            raise ValueError(f'time: invalid duration "{orig}"')
    if neg:
        total = -total
    if total > _I64_MAX:
        raise ValueError(f'time: invalid duration "{orig}"')
    return total


class GoTime:
    """A Go time.Time: an aware datetime plus nanoseconds (prints as Go does)."""

    __slots__ = ("dt", "ns", "zone", "shift")
    go_type = "time.Time"

    def __init__(self, dt: _dt.datetime, ns: int | None = None, zone: str | None = None,
                 shift: int = 0) -> None:
        self.dt = dt
        self.ns = dt.microsecond * 1000 if ns is None else ns
        self.zone = zone
        # Go has a year 0 (what a layout without a year parses to); datetime starts at
        # year 1, so such times are kept 2000 years later (same 400-year calendar cycle)
        self.shift = shift

    @property
    def year(self) -> int:
        return self.dt.year + self.shift

    def unix(self) -> int:
        delta = self.dt - _EPOCH
        return delta.days * 86400 + delta.seconds + (self.shift // 400) * _SECS_PER_400Y

    def zone_name(self) -> str:
        if self.zone:
            return self.zone
        name = self.dt.tzname() or ""
        if not name or name[0] in "+-" or name.startswith("UTC") and name != "UTC":
            off = self.dt.utcoffset() or _dt.timedelta(0)
            return _fmt_offset(off, "-0700") if name != "UTC" else "UTC"
        return name

    def go_string(self) -> str:
        return go_time_format(self, "2006-01-02 15:04:05.999999999 -0700 MST")

    def go_json(self) -> str:
        return go_time_format(self, "2006-01-02T15:04:05.999999999Z07:00")

    def in_zone(self, tz: _dt.tzinfo) -> "GoTime":
        return GoTime(self.dt.astimezone(tz), self.ns, None, self.shift)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and self.dt == other.dt and self.ns == other.ns

    def __hash__(self) -> int:
        return hash((self.dt, self.ns))

    def __repr__(self) -> str:
        return f"GoTime({self.go_string()!r})"


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_SECS_PER_400Y = 146097 * 86400


class _Month(Stringer):
    """time.Month: an integer type printed by its name."""

    __slots__ = ()
    go_type = "time.Month"


class _Weekday(Stringer):
    """time.Weekday: an integer type printed by its name."""

    __slots__ = ()
    go_type = "time.Weekday"


def _time_methods() -> dict[str, GoFunc]:
    """Methods of time.Time a template may call (`{{ $t.Format "2006" }}`, `.Unix`)."""
    def utc(t: GoTime) -> GoTime:
        return t.in_zone(_dt.timezone.utc)

    table: list[tuple[str, Callable[..., Any], tuple[str, ...]]] = [
        ("Format", lambda t, layout: go_time_format(t, layout), ("string",)),
        ("String", lambda t: t.go_string(), ()),
        ("Unix", lambda t: Int64(t.unix()), ()),
        ("UnixNano", lambda t: Int64(_wrap64(t.unix() * 1_000_000_000 + t.ns)), ()),
        ("Year", lambda t: t.year, ()),
        ("Month", lambda t: _Month(_MONTHS[t.dt.month - 1]), ()),
        ("Day", lambda t: t.dt.day, ()),
        ("YearDay", lambda t: t.dt.timetuple().tm_yday, ()),
        ("Weekday", lambda t: _Weekday(_DAYS[t.dt.weekday()]), ()),
        ("Hour", lambda t: t.dt.hour, ()),
        ("Minute", lambda t: t.dt.minute, ()),
        ("Second", lambda t: t.dt.second, ()),
        ("Nanosecond", lambda t: t.ns, ()),
        ("IsZero", lambda t: t == _ZERO_TIME, ()),
        ("UTC", utc, ()),
        ("Local", lambda t: t.in_zone(_load_location("Local")), ()),
    ]
    return {name: GoFunc(name, fn, ("any",) + params) for name, fn, params in table}
_ZERO_TIME = GoTime(_dt.datetime(1, 1, 1, tzinfo=_dt.timezone.utc), 0)
# methods an evaluator may offer on these values (receiver first, then the arguments)
GoTime.go_methods = _time_methods()


def _local_tz() -> _dt.tzinfo:
    return _dt.datetime.now().astimezone().tzinfo or _dt.timezone.utc


def _load_location(name: str) -> _dt.tzinfo | None:
    if name == "Local":
        tzname = os.environ.get("TZ")
        if tzname:
            loc = _load_location(tzname)
            if loc is not None:
                return loc
        return _local_tz()
    if name in ("", "UTC"):
        return _dt.timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        return None


def _now() -> GoTime:
    t = _dt.datetime.now(_load_location("Local"))
    return GoTime(t)


def _fmt_offset(off: _dt.timedelta, style: str) -> str:
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    if style in ("-07", "Z07"):
        return f"{sign}{h:02d}"
    if style in ("-07:00", "Z07:00"):
        return f"{sign}{h:02d}:{m:02d}"
    if style in ("-07:00:00", "Z07:00:00"):
        return f"{sign}{h:02d}:{m:02d}:{s:02d}"
    if style in ("-070000", "Z070000"):
        return f"{sign}{h:02d}{m:02d}{s:02d}"
    return f"{sign}{h:02d}{m:02d}"


_ZONE_CHUNKS = ("070000", "07:00:00", "0700", "07:00", "07")


def _std_at(layout: str, i: int) -> str | None:
    """The layout element starting at layout[i], by time.nextStdChunk's rules, or None."""
    rest = layout[i:]
    c = rest[0]
    if c == "J":
        if rest.startswith("January"):
            return "January"
        if rest.startswith("Jan"):
            return "Jan"
    elif c == "M":
        if rest.startswith("Monday"):
            return "Monday"
        if rest.startswith("Mon") and not (len(rest) > 3 and "a" <= rest[3] <= "z"):
            return "Mon"
        if rest.startswith("MST"):
            return "MST"
    elif c == "0":
        if len(rest) >= 2 and "1" <= rest[1] <= "6":
            return rest[:2]
        if rest.startswith("002"):
            return "002"
    elif c == "1":
        return "15" if rest.startswith("15") else "1"
    elif c == "2":
        return "2006" if rest.startswith("2006") else "2"
    elif c == "_":
        if rest.startswith("_2"):
            # "_2006" is a literal underscore followed by the year
            return None if rest.startswith("_2006") else "_2"
        if rest.startswith("__2"):
            return "__2"
    elif c in "345":
        return c
    elif c == "P":
        if rest.startswith("PM"):
            return "PM"
    elif c == "p":
        if rest.startswith("pm"):
            return "pm"
    elif c in "-Z":
        for z in _ZONE_CHUNKS:
            if rest.startswith(z, 1):
                return c + z
    elif c in ".," and len(rest) > 1 and rest[1] in "09":
        j = 1
        while j < len(rest) and rest[j] == rest[1]:
            j += 1
        if not (j < len(rest) and rest[j].isdigit()):
            return rest[:j]
    return None


def _layout_chunks(layout: str) -> list[tuple[str, str]]:
    """Split a Go layout into ("lit", text) and ("std", element) chunks."""
    out: list[tuple[str, str]] = []
    lit: list[str] = []
    i = 0
    n = len(layout)
    while i < n:
        tok = _std_at(layout, i)
        if tok is None:
            lit.append(layout[i])
            i += 1
            continue
        if lit:
            out.append(("lit", "".join(lit)))
            lit = []
        out.append(("std", tok))
        i += len(tok)
    if lit:
        out.append(("lit", "".join(lit)))
    return out


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def go_time_format(t: GoTime, layout: str) -> str:
    """time.Time.Format."""
    d = t.dt
    out: list[str] = []
    for kind, tok in _layout_chunks(layout):
        if kind == "lit":
            out.append(tok)
            continue
        if tok == "2006":
            y = t.year
            out.append(f"{y:04d}" if y >= 0 else f"-{-y:04d}")
        elif tok == "06":
            y = abs(t.year) % 100  # Go's remainder keeps the sign
            out.append(f"{y:02d}" if t.year >= 0 else f"-{y:02d}")
        elif tok == "January":
            out.append(_MONTHS[d.month - 1])
        elif tok == "Jan":
            out.append(_MONTHS[d.month - 1][:3])
        elif tok == "01":
            out.append(f"{d.month:02d}")
        elif tok == "1":
            out.append(str(d.month))
        elif tok == "Monday":
            out.append(_DAYS[d.weekday()])
        elif tok == "Mon":
            out.append(_DAYS[d.weekday()][:3])
        elif tok == "02":
            out.append(f"{d.day:02d}")
        elif tok == "_2":
            out.append(f"{d.day:2d}")
        elif tok == "2":
            out.append(str(d.day))
        elif tok == "002":
            out.append(f"{d.timetuple().tm_yday:03d}")
        elif tok == "__2":
            out.append(f"{d.timetuple().tm_yday:3d}")
        elif tok == "15":
            out.append(f"{d.hour:02d}")
        elif tok == "03":
            out.append(f"{(d.hour % 12) or 12:02d}")
        elif tok == "3":
            out.append(str((d.hour % 12) or 12))
        elif tok == "04":
            out.append(f"{d.minute:02d}")
        elif tok == "4":
            out.append(str(d.minute))
        elif tok == "05":
            out.append(f"{d.second:02d}")
        elif tok == "5":
            out.append(str(d.second))
        elif tok == "PM":
            out.append("PM" if d.hour >= 12 else "AM")
        elif tok == "pm":
            out.append("pm" if d.hour >= 12 else "am")
        elif tok == "MST":
            out.append(t.zone_name())
        elif tok[0] in "-Z":
            off = d.utcoffset() or _dt.timedelta(0)
            if tok[0] == "Z" and off == _dt.timedelta(0):
                out.append("Z")
            else:
                out.append(_fmt_offset(off, tok))
        elif tok[0] in ".,":
            digits = f"{t.ns:09d}"[: len(tok) - 1]
            if tok[1] == "9":
                digits = digits.rstrip("0")
                if digits:
                    out.append(tok[0] + digits)
            else:
                out.append(tok[0] + digits)
        else:
            out.append(tok)
    return "".join(out)


def go_time_parse(layout: str, value: str, loc: _dt.tzinfo) -> GoTime:
    """time.ParseInLocation for the common layout elements; raises ValueError."""
    year, month, day, hour, minute, sec, ns = 0, 1, 1, 0, 0, 0, 0
    pm = None
    offset: int | None = None
    zone_abbr = None
    v = value
    chunks = _layout_chunks(layout)
    for pos, (kind, tok) in enumerate(chunks):
        if kind == "lit":
            if not v.startswith(tok):
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"')
            v = v[len(tok):]
            continue

        def num(width_min: int, width_max: int) -> int:
            nonlocal v
            m = re.match(r"\d{%d,%d}" % (width_min, width_max), v)
            if not m:
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"')
            v = v[m.end():]
            return int(m.group(0))

        if tok == "2006":
            year = num(4, 4)
        elif tok == "06":
            y = num(2, 2)
            year = y + (1900 if y >= 69 else 2000)
        elif tok in ("January", "Jan"):
            names = _MONTHS if tok == "January" else [mm[:3] for mm in _MONTHS]
            for k, nm in enumerate(names):
                if v.lower().startswith(nm.lower()):
                    month = k + 1
                    v = v[len(nm):]
                    break
            else:
                raise ValueError(f'parsing time "{value}": month out of range')
        elif tok in ("Monday", "Mon"):
            names = _DAYS if tok == "Monday" else [dd[:3] for dd in _DAYS]
            for nm in names:
                if v.lower().startswith(nm.lower()):
                    v = v[len(nm):]
                    break
            else:
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"')
        elif tok in ("01", "1"):
            month = num(2 if tok == "01" else 1, 2)
        elif tok in ("02", "2", "_2"):
            if tok == "_2" and v.startswith(" "):
                v = v[1:]
            day = num(2 if tok == "02" else 1, 2)
        elif tok in ("002", "__2"):
            num(3 if tok == "002" else 1, 3)
        elif tok == "15":
            hour = num(1, 2)
        elif tok in ("03", "3"):
            hour = num(2 if tok == "03" else 1, 2)
        elif tok in ("04", "4"):
            minute = num(2 if tok == "04" else 1, 2)
        elif tok in ("05", "5"):
            sec = num(2 if tok == "05" else 1, 2)
            nxt = chunks[pos + 1] if pos + 1 < len(chunks) else ("lit", "")
            frac_next = nxt[0] == "std" and nxt[1][0] in ".,"
            m = re.match(r"[.,](\d+)", v)
            if m and not frac_next:
                # a fractional second the layout does not mention is accepted anyway
                ns = int((m.group(1) + "000000000")[:9])
                v = v[m.end():]
        elif tok in ("PM", "pm"):
            p = v[:2]
            if p not in (("AM", "PM") if tok == "PM" else ("am", "pm")):
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"')
            pm = p in ("PM", "pm")
            v = v[2:]
        elif tok == "MST":
            m = re.match(r"[A-Z]{3,5}|UTC", v)
            if not m:
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "MST"')
            zone_abbr = m.group(0)
            v = v[m.end():]
        elif tok[0] in "-Z":
            if tok[0] == "Z" and v.startswith("Z"):
                offset = 0
                v = v[1:]
                continue
            m = re.match(r"([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?", v)
            if not m:
                raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"')
            secs = int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60 + int(m.group(4) or 0)
            offset = -secs if m.group(1) == "-" else secs
            v = v[m.end():]
        elif tok[0] in ".,":
            if tok[1] == "0":  # exactly that many digits
                m = re.match(r"[.,](\d{%d})" % (len(tok) - 1), v)
                if not m:
                    raise ValueError(
                        f'parsing time "{value}" as "{layout}": cannot parse "{v}" as "{tok}"'
                    )
            else:  # optional, any number of digits
                m = re.match(r"[.,](\d+)", v)
            if m:
                ns = int((m.group(1) + "000000000")[:9])
                v = v[m.end():]
    if v:
        raise ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{v}" as ""')
    if pm is not None:
        if hour > 12:
            raise ValueError(f'parsing time "{value}": hour out of range')
        hour = hour % 12 + (12 if pm else 0)
    shift = -2000 if year < 400 else 0
    try:
        naive = _dt.datetime(year - shift, month, day, hour, minute, sec, ns // 1000)
        if offset is not None:
            tz: _dt.tzinfo = _dt.timezone(_dt.timedelta(seconds=offset))
            return GoTime(naive.replace(tzinfo=tz), ns, None, shift)
        if zone_abbr == "UTC":
            loc = _dt.timezone.utc
        return GoTime(naive.replace(tzinfo=loc), ns, None, shift)
    except ValueError as e:
        raise ValueError(f'parsing time "{value}": {e}') from None


def _as_time(v: Any, now_default: bool = True) -> GoTime:
    if isinstance(v, GoTime):
        return v
    if type(v) in (Int64, int):
        return GoTime(_dt.datetime.fromtimestamp(int(v), _dt.timezone.utc), 0)
    return _now()


def _date_in_zone(layout: str, date: Any, zone: str) -> str:
    t = _as_time(date)
    loc = _load_location(zone)
    if loc is None:
        loc = _dt.timezone.utc
    return go_time_format(t.in_zone(loc), layout)


def _date(layout: str, date: Any) -> str:
    return _date_in_zone(layout, date, "Local")


def _html_date(date: Any) -> str:
    return _date_in_zone("2006-01-02", date, "Local")


def _html_date_in_zone(date: Any, zone: str) -> str:
    return _date_in_zone("2006-01-02", date, zone)


def _need_time(v: Any) -> GoTime:
    if not isinstance(v, GoTime):
        raise FuncError(f"wrong type for value; expected time.Time; got {gofmt.type_name(v)}")
    return v


def _add_ns(t: GoTime, ns: int) -> GoTime:
    total = t.ns + ns
    secs, rem = divmod(total, 1_000_000_000)
    dt = t.dt.replace(microsecond=0) + _dt.timedelta(seconds=secs)
    dt = dt.replace(microsecond=rem // 1000)
    return GoTime(dt, rem, None, t.shift)


def _date_modify(layout: str, date: Any) -> GoTime:
    t = _need_time(date)
    try:
        return _add_ns(t, parse_duration(layout))
    except ValueError:
        return t


def _must_date_modify(layout: str, date: Any) -> GoTime:
    t = _need_time(date)
    try:
        return _add_ns(t, parse_duration(layout))
    except ValueError as e:
        raise FuncError(str(e)) from None


def _since_ns(t: GoTime) -> int:
    now = _dt.datetime.now(_dt.timezone.utc)
    delta = now - t.dt
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000 - (
        t.ns % 1000
    )


def _round_ns(d: int, m: int) -> int:
    # time.Duration.Round: halfway values round away from zero
    r = abs(d) % m
    if d < 0:
        r = -r
        if r + r > -m:
            return d - r
        return d - r - m
    if r + r < m:
        return d - r
    return d + m - r


def _ago(date: Any) -> str:
    if isinstance(date, GoTime):
        t = date
    elif type(date) in (Int64, int):
        t = GoTime(_dt.datetime.fromtimestamp(int(date), _dt.timezone.utc), 0)
    else:
        t = _now()
    return go_duration(_round_ns(_since_ns(t), 1_000_000_000))


def _duration(sec: Any) -> str:
    n = 0
    if type(sec) is str:
        n, err = parse_int(sec, 10, 64)
        if err == "syntax":
            n = 0
    elif type(sec) is Int64:
        n = int(sec)
    return go_duration(_wrap64(n * 1_000_000_000))


def _duration_round(d: Any) -> str:
    ns = 0
    if type(d) is str:
        try:
            ns = parse_duration(d)
        except ValueError:
            ns = 0
    elif type(d) is Int64:
        ns = int(d)
    elif isinstance(d, GoTime):
        ns = _since_ns(d)
    u = abs(ns)
    hour = 3600 * 1_000_000_000
    for size, suffix in (
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60 * 1_000_000_000, "m"),
        (1_000_000_000, "s"),
    ):
        if u > size:
            return f"{u // size}{suffix}"
    return "0s"


def _must_to_date(layout: str, value: str) -> GoTime:
    try:
        return go_time_parse(layout, value, _load_location("Local"))
    except ValueError as e:
        raise FuncError(str(e)) from None


def _to_date(layout: str, value: str) -> GoTime:
    try:
        return _must_to_date(layout, value)
    except FuncError:
        return _ZERO_TIME


def _unix_epoch(date: Any) -> str:
    return str(_need_time(date).unix())


# =========================================================================== semver

_SEMVER_RE = re.compile(
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?\Z"
)
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT_RE = re.compile(rf"^\s*({_OPS})\s*({_CV})\s*\Z")
_RANGE_RE = re.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*")
_FIND_CONSTRAINT_RE = re.compile(rf"({_OPS})\s*({_CV})")
_VALID_CONSTRAINT_RE = re.compile(
    rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*\Z"
)
_ALLOWED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789")


class SemVersion(GoStruct):
    """Masterminds/semver/v3 *Version.

    Printed through its String method; its getter methods (`.Major`, `.Minor`,
    `.Patch`, `.Prerelease`, `.Metadata`, `.Original`) read like struct fields.
    """

    __slots__ = ("major", "minor", "patch", "pre", "metadata", "original")
    go_kind = "ptr"

    def __init__(self, text: str) -> None:
        m = _SEMVER_RE.match(text)
        if not m:
            raise FuncError("Invalid Semantic Version")
        self.original = text
        self.major = self._seg(m.group(1))
        self.minor = self._seg(m.group(2)[1:]) if m.group(2) else 0
        self.patch = self._seg(m.group(3)[1:]) if m.group(3) else 0
        self.pre = m.group(5) or ""
        self.metadata = m.group(8) or ""
        if self.pre:
            for part in self.pre.split("."):
                if part.isdigit():
                    if len(part) > 1 and part[0] == "0":
                        raise FuncError("Version segment starts with 0")
                elif not set(part) <= _ALLOWED:
                    raise FuncError("Invalid Prerelease string")
        if self.metadata:
            for part in self.metadata.split("."):
                if not set(part) <= _ALLOWED:
                    raise FuncError("Invalid Metadata string")
        super().__init__(
            [
                ("Major", "", Int64(self.major)),
                ("Minor", "", Int64(self.minor)),
                ("Patch", "", Int64(self.patch)),
                ("Prerelease", "", self.pre),
                ("Metadata", "", self.metadata),
                ("Original", "", self.original),
            ],
            "*semver.Version",
        )

    @staticmethod
    def _seg(s: str) -> int:
        n = int(s)
        if n >= 1 << 64:
            raise FuncError(
                f'Error parsing version segment: strconv.ParseUint: parsing "{s}": value out of range'
            )
        return n

    def go_string(self) -> str:
        s = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            s += "-" + self.pre
        if self.metadata:
            s += "+" + self.metadata
        return s

    def go_json(self) -> str:
        return self.go_string()

    def compare(self, o: "SemVersion") -> int:
        for a, b in ((self.major, o.major), (self.minor, o.minor), (self.patch, o.patch)):
            if a != b:
                return -1 if a < b else 1
        if not self.pre and not o.pre:
            return 0
        if not self.pre:
            return 1
        if not o.pre:
            return -1
        return _compare_prerelease(self.pre, o.pre)


def _compare_pre_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1
    if o == "":
        return 1
    sn, on = s.isdigit() and s.isascii(), o.isdigit() and o.isascii()
    if not sn and not on:
        return 1 if s > o else -1
    if not on:
        return -1
    if not sn:
        return 1
    return 1 if int(s) > int(o) else -1


def _compare_prerelease(a: str, b: str) -> int:
    sp, op = a.split("."), b.split(".")
    for i in range(max(len(sp), len(op))):
        d = _compare_pre_part(sp[i] if i < len(sp) else "", op[i] if i < len(op) else "")
        if d:
            return d
    return 0


class _Constraint:
    __slots__ = ("con", "orig", "op", "minor_dirty", "patch_dirty", "dirty")

    def __init__(self, text: str) -> None:
        m = _CONSTRAINT_RE.match(text)
        if not m:
            raise FuncError(f"improper constraint: {text}")
        self.orig = m.group(2)
        self.op = m.group(1)
        major, minor, patch, pre = m.group(3), m.group(4) or "", m.group(5) or "", m.group(6) or ""
        is_x = lambda x: x in ("x", "*", "X")  # noqa: E731
        self.minor_dirty = self.patch_dirty = self.dirty = False
        ver = m.group(2)
        if is_x(major) or major == "":
            ver = "0.0.0" + pre
            self.dirty = True
        elif is_x(minor[1:]) or minor == "":
            self.minor_dirty = self.dirty = True
            ver = f"{major}.0.0{pre}"
        elif is_x(patch[1:]) or patch == "":
            self.patch_dirty = self.dirty = True
            ver = f"{major}{minor}.0{pre}"
        try:
            self.con = SemVersion(ver)
        except FuncError:
            raise FuncError("constraint Parser Error") from None

    def check(self, v: SemVersion) -> bool:
        c = self.con
        op = self.op
        pre_block = bool(v.pre) and not c.pre
        if op in ("", "="):
            if pre_block:
                return False
            if self.dirty:
                return self._tilde(v)
            return v.compare(c) == 0
        if op == "!=":
            if self.dirty:
                if v.pre and not c.pre:
                    return False
                if c.major != v.major:
                    return True
                if c.minor != v.minor and not self.minor_dirty:
                    return True
                if self.minor_dirty:
                    return False
                if c.patch != v.patch and not self.patch_dirty:
                    return True
                if self.patch_dirty:
                    if v.pre or c.pre:
                        return _compare_prerelease(v.pre, c.pre) != 0
                    return False
            return v.compare(c) != 0
        if pre_block:
            return False
        if op == ">":
            if not self.dirty:
                return v.compare(c) == 1
            if v.major > c.major:
                return True
            if v.major < c.major or self.minor_dirty:
                return False
            if self.patch_dirty:
                return v.minor > c.minor
            return v.compare(c) == 1
        if op == "<":
            return v.compare(c) < 0
        if op in (">=", "=>"):
            return v.compare(c) >= 0
        if op in ("<=", "=<"):
            if not self.dirty:
                return v.compare(c) <= 0
            if v.major > c.major:
                return False
            if v.major == c.major and v.minor > c.minor and not self.minor_dirty:
                return False
            return True
        if op in ("~", "~>"):
            return self._tilde(v)
        if op == "^":
            if v.compare(c) < 0:
                return False
            if c.major > 0 or self.minor_dirty:
                return v.major == c.major
            if c.major == 0 and v.major > 0:
                return False
            if c.minor > 0 or self.patch_dirty:
                return v.minor == c.minor
            if c.minor == 0 and v.minor > 0:
                return False
            return c.patch == v.patch
        return False

    def _tilde(self, v: SemVersion) -> bool:
        c = self.con
        if v.pre and not c.pre:
            return False
        if v.compare(c) < 0:
            return False
        if c.major == 0 and c.minor == 0 and c.patch == 0 and not self.minor_dirty \
                and not self.patch_dirty:
            return True
        if v.major != c.major:
            return False
        if v.minor != c.minor and not self.minor_dirty:
            return False
        return True


def _rewrite_range(text: str) -> str:
    out = text
    for m in _RANGE_RE.finditer(text):
        out = out.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)}", 1)
    return out


def _parse_constraints(text: str) -> list[list[_Constraint]]:
    text = _rewrite_range(text)
    groups = []
    for part in text.split("||"):
        if not _VALID_CONSTRAINT_RE.match(part):
            raise FuncError(f"improper constraint: {part}")
        found = [m.group(0) for m in _FIND_CONSTRAINT_RE.finditer(part)] or [part]
        groups.append([_Constraint(s) for s in found])
    return groups


def _semver_compare(constraint: str, version: str) -> bool:
    groups = _parse_constraints(constraint)
    v = SemVersion(version)
    return any(all(c.check(v) for c in g) for g in groups)


def _semver(version: str) -> SemVersion:
    return SemVersion(version)


# =========================================================================== URLs

_UNRESERVED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")


def _should_escape(c: int, mode: str) -> bool:
    ch = chr(c)
    if ch in _UNRESERVED:
        return False
    if mode == "host" and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "$&+,/:;=?@":
        if mode == "path":
            return ch == "?"
        if mode == "userinfo":
            return ch in "@/?:"
        if mode == "fragment":
            return False
        return True
    if mode == "fragment" and ch in "!()*":
        return False
    return True


def go_url_escape(s: str, mode: str) -> str:
    out = []
    for c in _utf8(s):
        if _should_escape(c, mode):
            out.append("%%%02X" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def _url_unescape(s: str, mode: str) -> str:
    b = _utf8(s)
    out = bytearray()
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25:  # %
            hx = b[i + 1: i + 3]
            if len(hx) < 2 or not all(x in b"0123456789abcdefABCDEF" for x in hx):
                frag = b[i: i + 3].decode("utf-8", "replace")
                raise FuncError(f'unable to parse url: parse "{s}": invalid URL escape "{frag}"')
            out.append(int(hx, 16))
            i += 3
            continue
        out.append(c)
        i += 1
    return _from_utf8(bytes(out))


def _go_url_parse(raw: str) -> dict:
    def fail(msg: str) -> FuncError:
        return FuncError(f'unable to parse url: parse "{raw}": {msg}')

    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in raw):
        raise fail("net/url: invalid control character in URL")
    rest, _, frag = raw.partition("#")
    fragment = _url_unescape(frag, "fragment") if frag else ""
    u = {"scheme": "", "opaque": "", "user": None, "host": "", "path": "", "query": ""}
    if rest == "*":
        u["path"] = "*"
        u["fragment"] = fragment
        return u
    m = re.match(r"([A-Za-z][A-Za-z0-9+\-.]*):", rest)
    if m:
        u["scheme"] = m.group(1).lower()
        rest = rest[m.end():]
    elif rest.startswith(":"):
        raise fail("missing protocol scheme")
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _, u["query"] = rest.partition("?")
    if not rest.startswith("/"):
        if u["scheme"]:
            u["opaque"] = rest
            u["fragment"] = fragment
            return u
        seg = rest.split("/", 1)[0]
        if ":" in seg:
            raise fail("first path segment in URL cannot contain colon")
    if (u["scheme"] or not rest.startswith("///")) and rest.startswith("//"):
        authority = rest[2:]
        rest = ""
        k = authority.find("/")
        if k >= 0:
            authority, rest = authority[:k], authority[k:]
        at = authority.rfind("@")
        if at >= 0:
            userinfo = authority[:at]
            authority = authority[at + 1:]
            name, sep, pw = userinfo.partition(":")
            u["user"] = (_url_unescape(name, "userinfo"), _url_unescape(pw, "userinfo") if sep else None)
        u["host"] = _parse_host(authority, fail)
    u["path"] = _url_unescape(rest, "path")
    u["fragment"] = fragment
    return u


def _parse_host(host: str, fail: Callable[[str], FuncError]) -> str:
    """net/url's parseHost: bracketed IPv6, a numeric port, no characters to escape."""
    port = ""
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise fail("missing ']' in host")
        port = host[end + 1:]
        if port and not port.startswith(":"):
            raise fail(f'invalid port "{port}" after host')
    else:
        i = host.rfind(":")
        if i >= 0:
            port = host[i:]
    if port and not re.fullmatch(r":\d*", port):
        raise fail(f'invalid port "{port}" after host')
    for ch in host:
        if ch == "%":
            continue
        if ord(ch) < 0x80 and _should_escape(ord(ch), "host"):
            raise fail(f'invalid character "{ch}" in host name')
    return _url_unescape(host, "host") if "%" in host else host


def _userinfo_string(user: tuple[str, str | None]) -> str:
    s = go_url_escape(user[0], "userinfo")
    if user[1] is not None:
        s += ":" + go_url_escape(user[1], "userinfo")
    return s


def _hostname(host: str) -> str:
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end >= 0 else host[1:]
    i = host.rfind(":")
    if i >= 0 and re.fullmatch(r"\d*", host[i + 1:]):
        return host[:i]
    return host


def _url_parse(v: str) -> dict:
    u = _go_url_parse(v)
    return {
        "scheme": u["scheme"],
        "host": u["host"],
        "hostname": _hostname(u["host"]),
        "path": u["path"],
        "query": u["query"],
        "opaque": u["opaque"],
        "fragment": u["fragment"],
        "userinfo": _userinfo_string(u["user"]) if u["user"] else "",
    }


def _dict_str(d: dict, key: str) -> str:
    if key not in d:
        return ""
    v = d[key]
    if not isinstance(v, str):
        kind = _need_kind(v)
        raise FuncError(f"unable to parse {key} key, must be of type string, but {kind} found")
    return str.__str__(v)


def _url_join(d: dict) -> str:
    d = _map_arg(d)
    scheme = _dict_str(d, "scheme")
    host = _dict_str(d, "host")
    path = _dict_str(d, "path")
    query = _dict_str(d, "query")
    opaque = _dict_str(d, "opaque")
    fragment = _dict_str(d, "fragment")
    userinfo = _dict_str(d, "userinfo")
    user = None
    if userinfo:
        user = _go_url_parse(f"proto://{userinfo}@host")["user"]
    out = []
    if scheme:
        out.append(scheme + ":")
    if opaque:
        out.append(opaque)
    else:
        if scheme or host or user:
            if host or path or user:
                out.append("//")
            if user:
                out.append(_userinfo_string(user) + "@")
            if host:
                out.append(go_url_escape(host, "host"))
        p = "*" if path == "*" else go_url_escape(path, "path")
        if p and p[0] != "/" and host:
            out.append("/")
        if not out and ":" in p.split("/", 1)[0]:
            out.append("./")
        out.append(p)
    if query:
        out.append("?" + query)
    if fragment:
        out.append("#" + go_url_escape(fragment, "fragment"))
    return "".join(out)


# =========================================================================== crypto


def _crypto():
    try:
        from cryptography.hazmat.primitives import hashes, serialization  # noqa: F401
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: F401
    except ImportError:  # pragma: no cover - cryptography ships with the test deps
        raise FuncError("crypto functions need the 'cryptography' package") from None
    import cryptography.hazmat.primitives as prim

    return prim


def _aes_key(password: str) -> bytes:
    return (_utf8(password) + bytes(32))[:32]


def _encrypt_aes(password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    _crypto()
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    content = _utf8(plaintext)
    pad = 16 - len(content) % 16
    content += bytes([pad]) * pad
    iv = os.urandom(16)
    enc = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(content) + enc.finalize()).decode("ascii")


def _decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    raw = _utf8(crypt64)
    bad = _b64_corrupt_offset(raw)
    if bad is not None:
        raise FuncError(f"illegal base64 data at input byte {bad}")
    crypt = base64.b64decode(raw.replace(b"\n", b"").replace(b"\r", b""))
    if len(crypt) < 16:
        raise FuncError(f"runtime error: slice bounds out of range [:16] with capacity {len(crypt)}")
    iv, body = crypt[:16], crypt[16:]
    if len(body) % 16:
        raise FuncError("crypto/cipher: input not full blocks")
    _crypto()
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    dec = Cipher(algorithms.AES(_aes_key(password)), modes.CBC(iv)).decryptor()
    out = dec.update(body) + dec.finalize()
    if not out:
        raise FuncError("runtime error: index out of range [-1]")
    cut = len(out) - out[-1]
    if cut < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{cut}]")
    return _from_utf8(out[:cut])


def _rand_bytes(count: int) -> str:
    if count < 0:
        raise FuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(os.urandom(count)).decode("ascii")


def _uuidv4() -> str:
    return str(uuid.uuid4())


def _bcrypt_hash(s: str) -> str:
    """golang.org/x/crypto/bcrypt at DefaultCost: "$2a$10$" + salt + hash."""
    try:
        import bcrypt as _bc  # type: ignore[import-not-found]

        return _bc.hashpw(_utf8(s), _bc.gensalt(10, prefix=b"2a")).decode("ascii")
    except ImportError:
        pass
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt  # the C library's crypt(3) knows bcrypt on glibc/libxcrypt systems

    salt = crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10)
    out = crypt.crypt(s, "$2a$" + salt[4:]) if salt.startswith("$2") else None
    if not out or not out.startswith("$2a$10$"):
        raise FuncError("failed to encrypt string with bcrypt: unsupported on this system")
    return out


def _bcrypt(s: str) -> str:
    return _bcrypt_hash(s)


def _htpasswd(user: str, password: str) -> str:
    if ":" in user:
        return f"invalid username: {user}"
    return f"{user}:{_bcrypt_hash(password)}"


_MP_SEED = b"com.lyndir.masterpassword"
_MP_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
        "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_MP_CHARS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}


def _derive_password(counter: int, ptype: str, password: str, user: str, site: str) -> str:
    """The Master Password algorithm (scrypt key, HMAC-SHA256 seed, template)."""
    import hmac

    templates = _MP_TEMPLATES.get(ptype)
    if templates is None:
        return f"cannot find password template {ptype}"
    ub, sb = _utf8(user), _utf8(site)
    salt = _MP_SEED + len(ub).to_bytes(4, "big") + ub
    key = hashlib.scrypt(_utf8(password), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=1 << 26)
    msg = _MP_SEED + len(sb).to_bytes(4, "big") + sb + (counter & 0xFFFFFFFF).to_bytes(4, "big")
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    tpl = templates[seed[0] % len(templates)]
    return "".join(_MP_CHARS[ch][seed[i + 1] % len(_MP_CHARS[ch])] for i, ch in enumerate(tpl))


def _gen_private_key(typ: str) -> str:
    _crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    if typ in ("", "rsa"):
        key = rsa.generate_private_key(65537, 4096)
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif typ == "dsa":
        key = dsa.generate_private_key(2048)
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif typ == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif typ == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
        fmt = serialization.PrivateFormat.PKCS8
    else:
        return "Unknown type " + typ
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def _certificate(cert_pem: str, key_pem: str) -> GoStruct:
    return GoStruct([("Cert", "", cert_pem), ("Key", "", key_pem)], "sprig.certificate")


def _load_key(pem: str):
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(_utf8(pem), None)
    except Exception:
        raise FuncError("unable to decode PEM block containing private key") from None


def _build_cert(cn: str, ips: Any, alts: Any, days: int, key, signer=None, is_ca: bool = False):
    import ipaddress

    _crypto()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = _dt.datetime.now(_dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    issuer_name = subject if signer is None else signer[0].subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _dt.timedelta(days=days))
    )
    sans: list = []
    for ip in ips or []:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(strval(ip))))
        except ValueError:
            raise FuncError(f"error parsing ip: {strval(ip)}") from None
    for name in alts or []:
        sans.append(x509.DNSName(strval(name)))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if is_ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, True, False, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        )
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    sign_key = key if signer is None else signer[1]
    cert = builder.sign(sign_key, hashes.SHA256())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    return _certificate(cert_pem, key_pem)


def _new_rsa():
    _crypto()
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(65537, 2048)


def _gen_ca(cn: str, days: int) -> GoStruct:
    return _build_cert(cn, None, None, days, _new_rsa(), is_ca=True)


def _gen_ca_with_key(cn: str, days: int, key: str) -> GoStruct:
    return _build_cert(cn, None, None, days, _load_key(key), is_ca=True)


def _gen_self_signed(cn: str, ips: Any, alts: Any, days: int) -> GoStruct:
    return _build_cert(cn, ips, alts, days, _new_rsa())


def _gen_self_signed_with_key(cn: str, ips: Any, alts: Any, days: int, key: str) -> GoStruct:
    return _build_cert(cn, ips, alts, days, _load_key(key))


def _ca_parts(ca: Any):
    from cryptography import x509

    if not isinstance(ca, GoStruct) or not ca.has_field("Cert"):
        raise FuncError("error parsing CA certificate")
    try:
        cert = x509.load_pem_x509_certificate(_utf8(ca.get("Cert")))
    except Exception:
        raise FuncError("error parsing CA certificate") from None
    return cert, _load_key(ca.get("Key"))


def _gen_signed(cn: str, ips: Any, alts: Any, days: int, ca: Any) -> GoStruct:
    return _build_cert(cn, ips, alts, days, _new_rsa(), signer=_ca_parts(ca))


def _gen_signed_with_key(cn: str, ips: Any, alts: Any, days: int, ca: Any, key: str) -> GoStruct:
    return _build_cert(cn, ips, alts, days, _load_key(key), signer=_ca_parts(ca))


def _build_custom_cert(cert_b64: str, key_b64: str) -> GoStruct:
    from cryptography import x509

    try:
        cert_pem = base64.b64decode(cert_b64, validate=True)
    except (binascii.Error, ValueError):
        raise FuncError("unable to decode base64 certificate") from None
    try:
        key_pem = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        raise FuncError("unable to decode base64 private key") from None
    try:
        x509.load_pem_x509_certificate(cert_pem)
    except Exception:
        raise FuncError("error parsing certificate: decoded pem is not a certificate") from None
    _load_key(key_pem.decode("utf-8", "replace"))
    return _certificate(cert_pem.decode("utf-8", "replace"), key_pem.decode("utf-8", "replace"))


# =========================================================================== the map


def _fail(msg: str) -> str:
    raise FuncError(msg)


def _regexp_panicking(fn: Callable[..., Any]) -> Callable[..., Any]:
    # regexp.MustCompile panics with "regexp: Compile(`EXPR`): error parsing regexp: ..."
    def wrapper(expr: str, *args: Any) -> Any:
        try:
            go_regexp(expr)
        except GoRegexError as e:
            raise FuncError(f"regexp: Compile({_backquote(expr)}): {e}") from None
        return fn(expr, *args)

    return wrapper


def _backquote(s: str) -> str:
    return "`" + s + "`" if "`" not in s else gofmt.quote(s)


_S, _A, _I, _M = "string", "any", "int", "map"

_TABLE: list[tuple[str, Callable[..., Any], tuple[str, ...], str | None]] = [
    ("hello", lambda: "Hello!", (), None),
    # dates
    ("ago", _ago, (_A,), None),
    ("date", _date, (_S, _A), None),
    ("date_in_zone", _date_in_zone, (_S, _A, _S), None),
    ("date_modify", _date_modify, (_S, _A), None),
    ("dateInZone", _date_in_zone, (_S, _A, _S), None),
    ("dateModify", _date_modify, (_S, _A), None),
    ("duration", _duration, (_A,), None),
    ("durationRound", _duration_round, (_A,), None),
    ("htmlDate", _html_date, (_A,), None),
    ("htmlDateInZone", _html_date_in_zone, (_A, _S), None),
    ("must_date_modify", _must_date_modify, (_S, _A), None),
    ("mustDateModify", _must_date_modify, (_S, _A), None),
    ("mustToDate", _must_to_date, (_S, _S), None),
    ("now", _now, (), None),
    ("toDate", _to_date, (_S, _S), None),
    ("unixEpoch", _unix_epoch, (_A,), None),
    # strings
    ("abbrev", _abbrev, (_I, _S), None),
    ("abbrevboth", _abbrevboth, (_I, _I, _S), None),
    ("trunc", _trunc, (_I, _S), None),
    ("trim", _trim_space, (_S,), None),
    ("upper", _upper, (_S,), None),
    ("lower", _lower, (_S,), None),
    ("title", _title, (_S,), None),
    ("untitle", _untitle, (_S,), None),
    ("substr", _substr, (_I, _I, _S), None),
    ("repeat", _repeat, (_I, _S), None),
    ("trimall", _trim_cutset, (_S, _S), None),
    ("trimAll", _trim_cutset, (_S, _S), None),
    ("trimSuffix", _trim_suffix, (_S, _S), None),
    ("trimPrefix", _trim_prefix, (_S, _S), None),
    ("nospace", _nospace, (_S,), None),
    ("initials", _initials, (_S,), None),
    ("randAlphaNum", _rand_alnum, (_I,), None),
    ("randAlpha", _rand_alpha, (_I,), None),
    ("randAscii", _rand_ascii, (_I,), None),
    ("randNumeric", _rand_numeric, (_I,), None),
    ("swapcase", _swapcase, (_S,), None),
    ("shuffle", _shuffle, (_S,), None),
    ("snakecase", lambda s: _go_snake(s, "_"), (_S,), None),
    ("camelcase", _camelcase, (_S,), None),
    ("kebabcase", lambda s: _go_snake(s, "-"), (_S,), None),
    ("wrap", lambda n, s: _wrap_custom(s, n, "", False), (_I, _S), None),
    ("wrapWith", lambda n, sep, s: _wrap_custom(s, n, sep, True), (_I, _S, _S), None),
    ("contains", lambda sub, s: sub in s, (_S, _S), None),
    ("hasPrefix", lambda p, s: s.startswith(p), (_S, _S), None),
    ("hasSuffix", lambda p, s: s.endswith(p), (_S, _S), None),
    ("quote", _quote, (), _A),
    ("squote", _squote, (), _A),
    ("cat", _cat_fn, (), _A),
    ("indent", _indent, (_I, _S), None),
    ("nindent", _nindent, (_I, _S), None),
    ("replace", _replace, (_S, _S, _S), None),
    ("plural", _plural, (_S, _S, _I), None),
    ("sha1sum", _sha1sum, (_S,), None),
    ("sha256sum", _sha256sum, (_S,), None),
    ("adler32sum", _adler32sum, (_S,), None),
    ("toString", strval, (_A,), None),
    # conversions
    ("atoi", _atoi, (_S,), None),
    ("int64", lambda v: Int64(to_int64(v)), (_A,), None),
    ("int", lambda v: to_int64(v), (_A,), None),
    ("float64", to_float64, (_A,), None),
    ("seq", _seq, (), _I),
    ("toDecimal", _to_decimal, (_A,), None),
    ("split", _split, (_S, _S), None),
    ("splitList", _split_list, (_S, _S), None),
    ("splitn", _splitn, (_S, _I, _S), None),
    ("toStrings", _strslice, (_A,), None),
    ("until", _until, (_I,), None),
    ("untilStep", _until_step, (_I, _I, _I), None),
    # arithmetic
    ("add1", lambda v: Int64(_wrap64(to_int64(v) + 1)), (_A,), None),
    ("add", _add, (), _A),
    ("sub", lambda a, b: Int64(_wrap64(to_int64(a) - to_int64(b))), (_A, _A), None),
    ("div", lambda a, b: Int64(_int_div(to_int64(a), to_int64(b))), (_A, _A), None),
    ("mod", lambda a, b: Int64(_int_mod(to_int64(a), to_int64(b))), (_A, _A), None),
    ("mul", _mul, (_A,), _A),
    ("randInt", _rand_int, (_I, _I), None),
    ("add1f", lambda v: _decimal_op(v, (1,), "+"), (_A,), None),
    ("addf", lambda *v: _decimal_op(0.0, v, "+"), (), _A),
    ("subf", lambda a, *v: _decimal_op(a, v, "-"), (_A,), _A),
    ("divf", lambda a, *v: _decimal_op(a, v, "/"), (_A,), _A),
    ("mulf", lambda a, *v: _decimal_op(a, v, "*"), (_A,), _A),
    ("biggest", _max, (_A,), _A),
    ("max", _max, (_A,), _A),
    ("min", _min, (_A,), _A),
    ("maxf", _maxf, (_A,), _A),
    ("minf", _minf, (_A,), _A),
    ("ceil", _ceil, (_A,), None),
    ("floor", _floor, (_A,), None),
    ("round", _round, (_A, _I), "float64"),
    ("join", _join, (_S, _A), None),
    ("sortAlpha", _sort_alpha, (_A,), None),
    # defaults and JSON
    ("default", _default, (_A,), _A),
    ("empty", empty, (_A,), None),
    ("coalesce", _coalesce, (), _A),
    ("all", _all, (), _A),
    ("any", _any, (), _A),
    ("compact", _compact, (_A,), None),
    ("mustCompact", _compact, (_A,), None),
    ("fromJson", _from_json, (_S,), None),
    ("toJson", _to_json, (_A,), None),
    ("toPrettyJson", _to_pretty_json, (_A,), None),
    ("toRawJson", _to_raw_json, (_A,), None),
    ("mustFromJson", _must_from_json, (_S,), None),
    ("mustToJson", _must_to_json, (_A,), None),
    ("mustToPrettyJson", _must_to_pretty_json, (_A,), None),
    ("mustToRawJson", _must_to_raw_json, (_A,), None),
    ("ternary", _ternary, (_A, _A, "bool"), None),
    ("deepCopy", _deep_copy, (_A,), None),
    ("mustDeepCopy", _deep_copy, (_A,), None),
    # reflection
    ("typeOf", _type_of, (_A,), None),
    ("typeIs", _type_is, (_S, _A), None),
    ("typeIsLike", _type_is_like, (_S, _A), None),
    ("kindOf", _kind_of, (_A,), None),
    ("kindIs", _kind_is, (_S, _A), None),
    ("deepEqual", go_deep_equal, (_A, _A), None),
    # OS, network, paths
    ("env", _getenv, (_S,), None),
    ("expandenv", _expandenv, (_S,), None),
    ("getHostByName", _get_host_by_name, (_S,), None),
    ("base", _path_base, (_S,), None),
    ("dir", _path_dir, (_S,), None),
    ("clean", go_path_clean, (_S,), None),
    ("ext", _path_ext, (_S,), None),
    ("isAbs", _path_is_abs, (_S,), None),
    ("osBase", _path_base, (_S,), None),
    ("osClean", go_path_clean, (_S,), None),
    ("osDir", _path_dir, (_S,), None),
    ("osExt", _path_ext, (_S,), None),
    ("osIsAbs", _path_is_abs, (_S,), None),
    # encodings
    ("b64enc", _b64enc, (_S,), None),
    ("b64dec", _b64dec, (_S,), None),
    ("b32enc", _b32enc, (_S,), None),
    ("b32dec", _b32dec, (_S,), None),
    # data structures
    ("tuple", _list, (), _A),
    ("list", _list, (), _A),
    ("dict", _dict, (), _A),
    ("get", _get, (_M, _S), None),
    ("set", _set, (_M, _S, _A), None),
    ("unset", _unset, (_M, _S), None),
    ("hasKey", _has_key, (_M, _S), None),
    ("pluck", _pluck, (_S,), _M),
    ("keys", _keys, (), _M),
    ("pick", _pick, (_M,), _S),
    ("omit", _omit, (_M,), _S),
    ("merge", _merge, (_M,), _M),
    ("mergeOverwrite", _merge_overwrite, (_M,), _M),
    ("mustMerge", _merge, (_M,), _M),
    ("mustMergeOverwrite", _merge_overwrite, (_M,), _M),
    ("values", _values, (_M,), None),
    ("append", _push, (_A, _A), None),
    ("push", _push, (_A, _A), None),
    ("mustAppend", _push, (_A, _A), None),
    ("mustPush", _push, (_A, _A), None),
    ("prepend", _prepend, (_A, _A), None),
    ("mustPrepend", _prepend, (_A, _A), None),
    ("first", _first, (_A,), None),
    ("mustFirst", _first, (_A,), None),
    ("rest", _rest, (_A,), None),
    ("mustRest", _rest, (_A,), None),
    ("last", _last, (_A,), None),
    ("mustLast", _last, (_A,), None),
    ("initial", _initial, (_A,), None),
    ("mustInitial", _initial, (_A,), None),
    ("reverse", _reverse, (_A,), None),
    ("mustReverse", _reverse, (_A,), None),
    ("uniq", _uniq, (_A,), None),
    ("mustUniq", _uniq, (_A,), None),
    ("without", _without, (_A,), _A),
    ("mustWithout", _without, (_A,), _A),
    ("has", _has, (_A, _A), None),
    ("mustHas", _has, (_A, _A), None),
    ("slice", _slice, (_A,), _A),
    ("mustSlice", _slice, (_A,), _A),
    ("concat", _concat, (), _A),
    ("dig", _dig, (), _A),
    ("chunk", _chunk, (_I, _A), None),
    ("mustChunk", _chunk, (_I, _A), None),
    # crypto
    ("bcrypt", _bcrypt, (_S,), None),
    ("htpasswd", _htpasswd, (_S, _S), None),
    ("genPrivateKey", _gen_private_key, (_S,), None),
    ("derivePassword", _derive_password, (_I, _S, _S, _S, _S), None),
    ("buildCustomCert", _build_custom_cert, (_S, _S), None),
    ("genCA", _gen_ca, (_S, _I), None),
    ("genCAWithKey", _gen_ca_with_key, (_S, _I, _S), None),
    ("genSelfSignedCert", _gen_self_signed, (_S, "list", "list", _I), None),
    ("genSelfSignedCertWithKey", _gen_self_signed_with_key, (_S, "list", "list", _I, _S), None),
    ("genSignedCert", _gen_signed, (_S, "list", "list", _I, _A), None),
    ("genSignedCertWithKey", _gen_signed_with_key, (_S, "list", "list", _I, _A, _S), None),
    ("encryptAES", _encrypt_aes, (_S, _S), None),
    ("decryptAES", _decrypt_aes, (_S, _S), None),
    ("randBytes", _rand_bytes, (_I,), None),
    ("uuidv4", _uuidv4, (), None),
    # semver
    ("semver", _semver, (_S,), None),
    ("semverCompare", _semver_compare, (_S, _S), None),
    # flow control
    ("fail", _fail, (_S,), None),
    # regular expressions
    ("regexMatch", _regex_match, (_S, _S), None),
    ("mustRegexMatch", _must_regex_match, (_S, _S), None),
    ("regexFindAll", _regexp_panicking(_must_regex_find_all), (_S, _S, _I), None),
    ("mustRegexFindAll", _must_regex_find_all, (_S, _S, _I), None),
    ("regexFind", _regexp_panicking(_must_regex_find), (_S, _S), None),
    ("mustRegexFind", _must_regex_find, (_S, _S), None),
    ("regexReplaceAll", _regexp_panicking(_must_regex_replace_all), (_S, _S, _S), None),
    ("mustRegexReplaceAll", _must_regex_replace_all, (_S, _S, _S), None),
    ("regexReplaceAllLiteral", _regexp_panicking(_must_regex_replace_all_literal), (_S, _S, _S), None),
    ("mustRegexReplaceAllLiteral", _must_regex_replace_all_literal, (_S, _S, _S), None),
    ("regexSplit", _regexp_panicking(_must_regex_split), (_S, _S, _I), None),
    ("mustRegexSplit", _must_regex_split, (_S, _S, _I), None),
    ("regexQuoteMeta", _regex_quote_meta, (_S,), None),
    # URLs
    ("urlParse", _url_parse, (_S,), None),
    ("urlJoin", _url_join, (_M,), None),
]

SPRIG: dict[str, GoFunc] = {
    name: GoFunc(name, fn, params, variadic) for name, fn, params, variadic in _TABLE
}
