"""YAML exactly as Kubernetes and Istio (Go) read and write it.

`dump(obj)` reproduces `sigs.k8s.io/yaml.Marshal` (v1.3.0): the value is JSON-encoded,
re-read by gopkg.in/yaml.v2 (so JSON integers become ints, other numbers floats) and
emitted by yaml.v2's libyaml-derived emitter: keys sorted with yaml.v2's "natural"
order, 2-space indentation, sequences not indented under their key, `{}`/`[]` for empty
collections, strings quoted only when a plain scalar would read back as something else,
literal blocks for multi-line strings, folding of long scalars at column 80
(`width=None`: never fold, as yaml.v2 v2.3.0 vendored by Istio 1.7 did). Go's errors
(NaN, characters yaml.v2 cannot read back) raise MarshalError.

`load(text)` / `load_all(text)` reproduce `sigs.k8s.io/yaml.Unmarshal` into
`interface{}`: YAML 1.1 scalars resolved as yaml.v2 resolves them (y/n/yes/no/on/off
booleans, 0x/0o/leading-zero octal ints, no sexagesimal numbers, timestamps stay
strings), then through JSON (map keys become strings, integral numbers are ints).
Parsing is done by libyaml through PyYAML's C parser; only scalar resolution is ours.

`split_documents(text)` splits a multi-document stream the way Kubernetes'
`util/yaml.YAMLReader` does, returning each document's raw text.
`go_json_number` / `go_format_float` print numbers as Go's encoding/json / strconv do.
"""
from __future__ import annotations

import base64
import math
import re
import struct
from functools import cmp_to_key
from typing import Any

import yaml

__all__ = [
    "dump", "load", "load_all", "split_documents", "go_key_sort", "go_json_number",
    "go_format_float", "YAMLError", "MarshalError",
]

YAMLError = yaml.YAMLError


class MarshalError(ValueError):
    """Go's Marshal would fail (NaN/Inf, characters yaml.v2 cannot read back, ...)."""


BEST_INDENT = 2
BEST_WIDTH = 80

# ---------------------------------------------------------------------------
# yaml.v2 scalar resolution (shared by the emitter's quoting decision and the loader)
# ---------------------------------------------------------------------------

_BOOL_NULL: dict[str, Any] = {}
for _words, _val in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    (("", "~", "null", "Null", "NULL"), None),
    ((".nan", ".NaN", ".NAN"), math.nan),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    (("-.inf", "-.Inf", "-.INF"), -math.inf),
):
    for _w in _words:
        _BOOL_NULL[_w] = _val
del _words, _val, _w

_FIRST_MAP = frozenset("yYnNtTfFoO~")
_FIRST_NUM = frozenset("0123456789+-")
# Go strconv.ParseInt(s, 0, 64) syntax (after yaml.v2 removed every "_").
_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# strconv.ParseFloat of ".5"-like text: single underscores allowed between digits
_DOT_FLOAT = re.compile(r"\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d{1,9})?))?"
)
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


def _go_int_text(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), else ParseUint(text, 0, 64); None if both fail."""
    m = _GO_INT.fullmatch(text)
    if m is None:
        return None
    sign, body = m.groups()
    if len(body) > 1 and body[0] == "0":
        base = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}.get(body[1], 8)
        n = int(body[2:] if base != 8 or body[1] in "oO" else body[1:], base)
    else:
        n = int(body)
    if sign == "-":
        n = -n
    if _INT64_MIN <= n <= _INT64_MAX:
        return n
    if sign == "" and n <= _UINT64_MAX:
        return n
    return None


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _is_timestamp(s: str) -> bool:
    """yaml.v2 parseTimestamp: Go time.Parse with its four accepted layouts."""
    m = _TIMESTAMP.fullmatch(s)
    if m is None:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in(year, month):
        return False
    hms = m.group(4, 5, 6) if m[4] is not None else m.group(7, 8, 9)
    if hms[0] is not None:
        h, mi, se = (int(x) for x in hms)
        if h > 23 or mi > 59 or se > 59:
            return False
    return True


def _resolve_plain(s: str) -> Any:
    """What yaml.v2 makes of an untagged plain scalar; a str result means "string".

    Timestamps resolve to themselves (yaml.v2 hands them to interface{} as strings);
    use `_plain_is_string` to ask whether a plain scalar would be a !!str.
    """
    if s in _BOOL_NULL:
        return _BOOL_NULL[s]
    c = s[0]
    if c == ".":
        if _DOT_FLOAT.fullmatch(s):
            return _parse_float(s.replace("_", ""), s)
        return s
    if c in _FIRST_NUM:
        plain = s.replace("_", "") if "_" in s else s
        n = _go_int_text(plain)
        if n is not None:
            return n
        if _YAML_FLOAT.fullmatch(plain):
            return _parse_float(plain, s)
        if plain.startswith("-0b"):  # yaml.v2's own binary fallback for negatives
            try:
                return int(plain[3:], 2) * -1
            except ValueError:
                pass
        return s
    return s


def _parse_float(text: str, original: str) -> float | str:
    """strconv.ParseFloat: out of range is an error (yaml.v2 then keeps the string)."""
    f = float(text)
    return original if math.isinf(f) else f


def _plain_is_string(s: str) -> bool:
    """encode.go stringv: may `s` be written unquoted (resolves to !!str, not base 60)?"""
    if s in _BOOL_NULL:
        return False
    c = s[0]
    if c in _FIRST_NUM:
        if _is_timestamp(s):
            return False
        if ":" in s and _BASE60.fullmatch(s):
            return False
    elif c != ".":
        return True
    return isinstance(_resolve_plain(s), str)


# ---------------------------------------------------------------------------
# Go number formatting
# ---------------------------------------------------------------------------


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of abs(f) and the decimal point position."""
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    if fp == "0":
        fp = ""
    digits = (ip + fp).lstrip("0")
    lead = len(ip + fp) - len((ip + fp).lstrip("0"))
    dp = len(ip) - lead + e
    digits = digits.rstrip("0") or "0"
    return digits, dp


def go_format_float(f: float, bits: int = 64) -> str:
    """strconv.FormatFloat(f, 'g', -1, bits) with yaml.v2's .inf/.nan spelling."""
    if math.isnan(f):
        return ".nan"
    if math.isinf(f):
        return ".inf" if f > 0 else "-.inf"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    if bits == 32:
        try:
            digits, dp = _shortest_digits32(f)
        except OverflowError:  # beyond float32's range: float32(f) is ±Inf, as strconv prints it
            return "+Inf" if f > 0 else "-Inf"
    else:
        digits, dp = _shortest_digits(f)
    sign = "-" if f < 0 else ""
    exp = dp - 1
    # 'g' with the shortest precision switches to %e outside [1e-4, 1e6)
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _shortest_digits32(f: float) -> tuple[str, int]:
    x = struct.unpack("<f", struct.pack("<f", f))[0]
    for prec in range(1, 10):
        text = f"{abs(x):.{prec - 1}e}"
        try:
            back = struct.unpack("<f", struct.pack("<f", float(text)))[0]
        except OverflowError:  # this rounding of x lies beyond float32: not x
            continue
        if back == abs(x):
            mant, _, exp = text.partition("e")
            digits = mant.replace(".", "").rstrip("0") or "0"
            return digits, int(exp) + 1
    return _shortest_digits(x)


def _json_integral(f: float) -> int | None:
    """The integer Go's encoding/json prints for an integral float64 ('f', shortest
    digits, so 2**63 prints as 9223372036854776000), or None when it uses 'e'."""
    if not f.is_integer() or abs(f) >= 1e21:
        return None
    if abs(f) < 2**53:
        return int(f)
    digits, dp = _shortest_digits(f)
    n = int(digits + "0" * (dp - len(digits)))
    return -n if f < 0 else n


def go_json_number(v: int | float) -> str:
    """A number as Go's encoding/json writes it (float64: 'f' between 1e-6 and 1e21,
    else 'e' with a two-digit-minimum exponent trimmed to one digit: 1e-07 -> 1e-7)."""
    if isinstance(v, bool):
        raise TypeError("go_json_number: bool is not a number")
    if isinstance(v, int):
        return str(int(v))
    if math.isnan(v) or math.isinf(v):
        raise MarshalError(f"json: unsupported value: {go_format_float(v)}")
    if v == 0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    digits, dp = _shortest_digits(v)
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a < 1e-6 or a >= 1e21:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp = dp - 1
        return f"{sign}{mant}e-{-exp}" if exp < 0 else f"{sign}{mant}e+{exp:02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _number_text(v: int | float) -> str:
    """A Go JSON number as yaml.v2 re-reads and re-prints it."""
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise MarshalError(f"json: unsupported value: {go_format_float(v)}")
        n = _json_integral(v)
        if n is not None and _INT64_MIN <= n <= _UINT64_MAX:
            return str(n)
        return go_format_float(v)
    if _INT64_MIN <= v <= _UINT64_MAX:
        return str(int(v))
    return go_format_float(float(v))


# ---------------------------------------------------------------------------
# yaml.v2 key order
# ---------------------------------------------------------------------------


def _digit_run(s: str, i: int, n: int) -> tuple[int, int]:
    """Accumulate the decimal digits (Unicode Nd, as unicode.IsDigit) from s[i] like Go's
    int64 arithmetic (wrapping on overflow); returns (value, index after the run)."""
    while i < len(s) and s[i].isdecimal():
        n = ((n * 10 + ord(s[i]) - 48) + 2**63) % 2**64 - 2**63
        i += 1
    return n, i


def _key_less(a: str, b: str) -> bool:
    """yaml.v2 sorter.go keyList.Less for two string keys: letters by code point,
    non-letters before letters, runs of digits by numeric value."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    if i == n:
        return len(a) < len(b)
    ca, cb = a[i], b[i]
    al, bl = ca.isalpha(), cb.isalpha()  # unicode.IsLetter: categories L*
    if al and bl:
        return ca < cb
    if al or bl:
        return bl
    an = bn = 0
    if ca == "0" or cb == "0":
        # a zero continuing a number that started before i counts as a digit of it
        j = i - 1
        while j >= 0 and a[j].isdecimal():
            if a[j] != "0":
                an = bn = 1
                break
            j -= 1
    an, ai = _digit_run(a, i, an)
    bn, bi = _digit_run(b, i, bn)
    if an != bn:
        return an < bn
    if ai != bi:
        return ai < bi
    return ca < cb


def _key_cmp(a: str, b: str) -> int:
    if _key_less(a, b):
        return -1
    if _key_less(b, a):
        return 1
    return 0


_SIMPLE_KEY = re.compile(r"[a-zA-Z]*")
_SORT_CACHE: dict[tuple, list] = {}


def go_key_sort(keys) -> list[str]:
    """Keys in yaml.v2's order (letters by code point, digit runs numerically)."""
    keys = tuple(keys)
    hit = _SORT_CACHE.get(keys)
    if hit is not None:
        return hit
    if all(_SIMPLE_KEY.fullmatch(k) for k in keys):
        out = sorted(keys)  # only ASCII letters: plain code point order agrees
    else:
        out = sorted(keys, key=cmp_to_key(_key_cmp))
    if len(_SORT_CACHE) > 4096:
        _SORT_CACHE.clear()
    _SORT_CACHE[keys] = out
    return out


# ---------------------------------------------------------------------------
# Scalar analysis (emitterc.go analyze_scalar), done with regexes instead of a loop
# ---------------------------------------------------------------------------

_BREAKS = "\r\n\x85\u2028\u2029"
_SPECIAL = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_HAS_BREAK = re.compile(f"[{_BREAKS}]")
_BREAK_SPACE = re.compile(f"[{_BREAKS}] ")
_SPACE_BREAK = re.compile(f" [{_BREAKS}]")
_LATE_COLON = re.compile(r":(?:[ \t]|\Z)")
_LATE_HASH = re.compile(f"[ \t{_BREAKS}\x00]#")
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_SAFE_PLAIN = re.compile(r"[A-Za-z0-9_/.=+()$^-]+")


class _Analysis:
    __slots__ = ("multiline", "plain", "single", "block")

    def __init__(self, multiline: bool, plain: bool, single: bool, block: bool) -> None:
        self.multiline = multiline
        self.plain = plain  # block_plain_allowed (we never emit scalars in flow context)
        self.single = single
        self.block = block


_EMPTY = _Analysis(False, True, True, False)
_EASY = _Analysis(False, True, True, True)


def _analyze(s: str) -> _Analysis:
    if not s:
        return _EMPTY
    if _SAFE_PLAIN.fullmatch(s) and s[0] != "-" and not s.startswith("..."):
        return _EASY
    special = _SPECIAL.search(s) is not None
    line_breaks = _HAS_BREAK.search(s) is not None
    break_space = line_breaks and _BREAK_SPACE.search(s) is not None
    space_break = line_breaks and _SPACE_BREAK.search(s) is not None
    first, last = s[0], s[-1]
    trailing_space = last == " "
    edge = first == " " or first in _BREAKS or trailing_space or last in _BREAKS
    follow_ws = len(s) == 1 or s[1] in " \t"
    block_ind = (
        s.startswith("---")
        or s.startswith("...")
        or first in _FIRST_INDICATORS
        or (first in "?:-" and follow_ws)
        or _LATE_COLON.search(s, 1) is not None
        or _LATE_HASH.search(s) is not None
    )
    plain = not (edge or break_space or space_break or special or line_breaks or block_ind)
    single = not (break_space or space_break or special)
    block = not (trailing_space or space_break or special)
    return _Analysis(line_breaks, plain, single, block)


# ---------------------------------------------------------------------------
# The emitter: the subset of libyaml's state machine that block-style output uses
# ---------------------------------------------------------------------------

_PLAIN, _SINGLE, _DOUBLE, _LITERAL = 1, 2, 3, 4
_ESCAPES = {
    "\x00": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f",
    "\r": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_",
    "\u2028": "L", "\u2029": "P",
}


class _Emitter:
    __slots__ = ("out", "column", "whitespace", "indention", "indent", "indents", "width")

    def __init__(self, width: int) -> None:
        self.width = width
        self.out: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent = -1
        self.indents: list[int] = []

    # -- low level ---------------------------------------------------------
    def write_indent(self) -> None:
        indent = self.indent if self.indent > 0 else 0
        if not self.indention or self.column > indent or (
            self.column == indent and not self.whitespace
        ):
            self.out.append("\n")
            self.column = 0
        if self.column < indent:
            self.out.append(" " * (indent - self.column))
            self.column = indent
        self.whitespace = True
        self.indention = True

    def write_indicator(self, ind: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self.out.append(" ")
            self.column += 1
        self.out.append(ind)
        self.column += len(ind)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention

    def increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = BEST_INDENT if flow else 0
        elif not indentless:
            self.indent += BEST_INDENT

    # -- nodes -------------------------------------------------------------
    def node(self, v: Any, mapping: bool = False, simple_key: bool = False) -> None:
        if isinstance(v, str):
            if _ODD.search(v):
                v = _through_json(v, False)
            self.string(v, simple_key)
        elif isinstance(v, dict):
            if not v:
                if getattr(v, "nil", False):  # a nil StrMap marshals as null
                    self.scalar("null", _EASY, _PLAIN, simple_key)
                    return
                self.write_indicator("{", True, True, False)
                self.write_indicator("}", False, False, False)
            else:
                self.mapping(v)
        elif isinstance(v, (list, tuple)):
            if not v:
                self.write_indicator("[", True, True, False)
                self.write_indicator("]", False, False, False)
            else:
                self.sequence(v, mapping)
        elif v is True:
            self.scalar("true", _EASY, _PLAIN, simple_key)
        elif v is False:
            self.scalar("false", _EASY, _PLAIN, simple_key)
        elif v is None:
            self.scalar("null", _EASY, _PLAIN, simple_key)
        elif isinstance(v, (int, float)):
            text = _number_text(v)
            self.scalar(text, _analyze(text), _PLAIN, simple_key)
        else:
            self.node(_to_json_like(v), mapping, simple_key)

    def mapping(self, d: dict) -> None:
        self.increase_indent(False, False)
        if all(type(k) is str for k in d):
            keys = go_key_sort(d)
            items = [(k, d[k]) for k in keys]
        else:
            conv = {_json_key(k): v for k, v in d.items()}
            items = [(k, conv[k]) for k in go_key_sort(conv)]
        for key, value in items:
            if _ODD.search(key):
                key = _through_json(key, True)
            self.write_indent()
            an = _analyze(key)
            if not an.multiline and len(key.encode("utf-8")) <= 128:
                self.string(key, True, an)
                self.write_indicator(":", False, False, False)
            else:
                self.write_indicator("?", True, False, True)
                self.string(key, False, an)
                self.write_indent()
                self.write_indicator(":", True, False, True)
            self.node(value, mapping=True)
        self.indent = self.indents.pop()

    def sequence(self, seq: Any, mapping: bool) -> None:
        self.increase_indent(False, mapping and not self.indention)
        for item in seq:
            self.write_indent()
            self.write_indicator("-", True, False, True)
            self.node(item)
        self.indent = self.indents.pop()

    def string(self, s: str, simple_key: bool, an: _Analysis | None = None) -> None:
        if an is None:
            an = _analyze(s)
        if "\n" in s:
            style = _LITERAL
        elif s and _plain_is_string(s):
            style = _PLAIN
        else:
            style = _DOUBLE
        self.scalar(s, an, style, simple_key)

    def scalar(self, s: str, an: _Analysis, style: int, simple_key: bool) -> None:
        if simple_key and an.multiline:
            style = _DOUBLE
        if style == _PLAIN:
            if not an.plain or (not s and simple_key):
                style = _SINGLE
        if style == _SINGLE and not an.single:
            style = _DOUBLE
        if style == _LITERAL and (not an.block or simple_key):
            style = _DOUBLE
        self.increase_indent(True, False)
        if style == _PLAIN:
            self.plain(s, not simple_key)
        elif style == _DOUBLE:
            self.double(s, not simple_key)
        elif style == _SINGLE:
            self.single(s, not simple_key)
        else:
            self.literal(s)
        self.indent = self.indents.pop()

    # -- scalar writers ----------------------------------------------------
    def plain(self, s: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self.out.append(" ")
            self.column += 1
        if not allow_breaks or " " not in s or self.column + len(s) <= self.width + 1:
            self.out.append(s)
            self.column += len(s)
        else:
            self._folding(s, quote=None)
        self.whitespace = False
        self.indention = False

    def _folding(self, s: str, quote: str | None, allow_breaks: bool = True) -> None:
        """Plain and single-quoted text without breaks: fold at spaces past column 80."""
        out = self.out
        spaces = False
        n = len(s)
        i = 0
        while i < n:
            c = s[i]
            if c == " ":
                nxt = s[i + 1] if i + 1 < n else ""
                if (
                    allow_breaks
                    and not spaces
                    and self.column > self.width
                    and nxt != " "
                    and (quote is None or (0 < i < n - 1))
                ):
                    self.write_indent()
                else:
                    out.append(" ")
                    self.column += 1
                spaces = True
                i += 1
            else:
                j = s.find(" ", i)
                if j < 0:
                    j = n
                chunk = s[i:j]
                if quote:
                    chunk = chunk.replace("'", "''")
                    # a doubled quote counts as two columns, as Go puts two characters
                out.append(chunk)
                self.column += len(chunk)
                self.indention = False
                spaces = False
                i = j

    def single(self, s: str, allow_breaks: bool) -> None:
        self.write_indicator("'", True, False, False)
        if not _HAS_BREAK.search(s):
            self._folding(s, "'", allow_breaks)
        else:
            self._single_with_breaks(s, allow_breaks)
        self.write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def _single_with_breaks(self, s: str, allow_breaks: bool) -> None:
        out = self.out
        spaces = breaks = False
        n = len(s)
        for i, c in enumerate(s):
            if c == " ":
                if (
                    allow_breaks and not spaces and self.column > self.width
                    and 0 < i < n - 1 and s[i + 1] != " "
                ):
                    self.write_indent()
                else:
                    out.append(" ")
                    self.column += 1
                spaces = True
            elif c in _BREAKS:
                if not breaks and c == "\n":
                    out.append("\n")
                out.append(c)
                self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if c == "'":
                    out.append("'")
                    self.column += 1
                out.append(c)
                self.column += 1
                self.indention = False
                spaces = breaks = False

    def double(self, s: str, allow_breaks: bool) -> None:
        self.write_indicator('"', True, False, False)
        out = self.out
        bom = s[:1] == "\ufeff"  # Go's is_bom looks at the start of the value for every char
        spaces = False
        n = len(s)
        for i, c in enumerate(s):
            if bom or c == '"' or c == "\\" or c in _BREAKS or _SPECIAL.match(c):
                esc = _ESCAPES.get(c)
                if esc is None:
                    o = ord(c)
                    if o <= 0xFF:
                        esc = f"x{o:02X}"
                    elif o <= 0xFFFF:
                        esc = f"u{o:04X}"
                    else:
                        esc = f"U{o:08X}"
                out.append("\\" + esc)
                self.column += 1 + len(esc)
                spaces = False
            elif c == " ":
                if allow_breaks and not spaces and self.column > self.width and 0 < i < n - 1:
                    self.write_indent()
                    if s[i + 1] == " ":
                        out.append("\\")
                        self.column += 1
                else:
                    out.append(" ")
                    self.column += 1
                spaces = True
            else:
                out.append(c)
                self.column += 1
                spaces = False
        self.write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def literal(self, s: str) -> None:
        self.write_indicator("|", True, False, False)
        if s[0] == " " or s[0] in _BREAKS:
            self.write_indicator(str(BEST_INDENT), False, False, False)
        if s[-1] not in _BREAKS:
            chomp = "-"
        elif len(s) == 1 or s[-2] in _BREAKS:
            chomp = "+"
        else:
            chomp = ""
        if chomp:
            self.write_indicator(chomp, False, False, False)
        self.out.append("\n")
        self.column = 0
        self.indention = True
        self.whitespace = True
        breaks = True
        for part in _SPLIT_BREAKS.split(s):
            if not part:
                continue
            if part in _BREAKS:
                self.out.append(part)
                self.column = 0
                self.indention = True
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                    self.indention = True
                self.out.append(part)
                self.column += len(part)
                self.indention = False
                breaks = False


_SPLIT_BREAKS = re.compile(f"([{_BREAKS}])")
# Characters Go's JSON leaves raw that yaml.v2 then cannot read back (or reads as NEL).
_ODD = re.compile("[\x7f-\x9f\ufffe\uffff]")
_UNREADABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
_NEL_RUN = re.compile(" *(?:\x85 *)+")


def _through_json(s: str, key: bool) -> str:
    """A string as yaml.v2 reads it back from Go's JSON (only odd characters matter)."""
    if _UNREADABLE.search(s):
        raise MarshalError("yaml: control characters are not allowed")
    if key:  # a raw NEL breaks the line inside a JSON key: yaml.v2 fails to find ':'
        raise MarshalError("yaml: line 1: could not find expected ':'")
    # a raw NEL is a line break inside a double-quoted scalar: folded like any other
    return _NEL_RUN.sub(lambda m: " " if m.group().count("\x85") == 1 else "\n" * (m.group().count("\x85") - 1), s)


def _json_key(k: Any) -> str:
    """A non-string map key as Go's encoding/json writes it."""
    if isinstance(k, str):
        return str(k)
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, int):
        return str(int(k))
    raise TypeError(f"goyaml.dump: unsupported map key {k!r} (JSON needs string keys)")


def _to_json_like(v: Any) -> Any:
    """The template engine's value types as Go's encoding/json would see them."""
    from injector.template import values as tv  # local: goyaml must not need the engine

    if v is tv.NO_VALUE:
        return None
    if isinstance(v, tv.StrMap):
        return None if v.nil else dict(v)
    if isinstance(v, tv.GoStruct):
        out: dict[str, Any] = {}
        for name, tag, value in v.fields:
            parts = tag.split(",") if tag else [""]
            if parts[0] == "-" and len(parts) == 1:
                continue
            if not name[:1].isupper():
                continue
            key = parts[0] or name
            if "omitempty" in parts[1:] and _json_empty(value):
                continue
            out[key] = value
        return out
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, complex):
        raise ValueError("json: unsupported type: complex128")
    raise TypeError(f"goyaml.dump: cannot marshal value of type {type(v).__name__}")


def _json_empty(v: Any) -> bool:
    if v is None or v is False:
        return True
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    if isinstance(v, (str, list, tuple, dict)):
        return len(v) == 0
    return False


def dump(obj: Any, width: int | None = BEST_WIDTH) -> str:
    """sigs.k8s.io/yaml.Marshal(obj) for JSON-like data (and the template value model).

    width=None disables folding of long scalars: gopkg.in/yaml.v2 v2.3.0 (used by
    Istio 1.7) never wrapped lines; v2.4.0 and sigs.k8s.io/yaml's fork wrap at 80.
    Raises MarshalError where Go's Marshal returns an error.
    """
    if width is None or width < 0:
        width = (1 << 31) - 1
    elif width <= 2 * BEST_INDENT:
        width = BEST_WIDTH
    em = _Emitter(width)
    em.node(obj)
    em.indent = -1
    em.write_indent()  # document end
    return "".join(em.out)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAG = "tag:injector,2024:plain"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml parser and composer; every implicit scalar keeps its text for us."""

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML hook
        if kind is yaml.ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR
        if kind is yaml.SequenceNode:
            return _SEQ
        return _MAP


_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode


def _scalar(node) -> Any:
    tag = node.tag
    value = node.value
    if tag == _PLAIN_TAG:
        if not value:
            return None
        c = value[0]
        if c in _FIRST_NUM or c in _FIRST_MAP or c == ".":
            return _resolve_plain(value)
        return value
    if tag == _STR or tag.startswith("!") and not tag.startswith("!!"):
        return value
    short = tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    if short in ("int", "float", "bool", "null"):
        out = _resolve_plain(value) if value else None
        ok = {
            "int": lambda x: isinstance(x, int) and not isinstance(x, bool),
            "float": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
            "bool": lambda x: isinstance(x, bool),
            "null": lambda x: x is None,
        }[short](out)
        if not ok:
            raise ValueError(f"yaml: cannot decode `{value}` as a !!{short}")
        return float(out) if short == "float" else out
    if short == "binary":
        return base64.b64decode(value).decode("utf-8", "replace")
    return value


def _json_number(v: Any) -> Any:
    """A YAML number after a trip through Go's encoding/json."""
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise ValueError(f"json: unsupported value: {go_format_float(v)}")
        n = _json_integral(v)
        if n is not None:
            return n
    return v


def _key_string(k: Any) -> str:
    """sigs.k8s.io/yaml: how a resolved YAML map key becomes a JSON object key."""
    if isinstance(k, str):
        return k
    if k is True:
        return "true"
    if k is False:
        return "false"
    if isinstance(k, int):
        if k > _INT64_MAX:
            raise ValueError(f"Unsupported map key of type: uint64, key: {k}")
        return str(k)
    if isinstance(k, float):
        return go_format_float(k, 32)
    if k is None:  # `~: x` or `? : x`; Go's reflect names no type for nil
        raise ValueError("Unsupported map key of type: <nil>, key: null (a map key is a string, a number "
                         "or a boolean)")
    raise ValueError(f"Unsupported map key of type: {type(k).__name__}, key: {k!r}")


def _convert(node, memo: dict) -> Any:
    cls = node.__class__
    if cls is _ScalarNode:
        v = _scalar(node)
        if v.__class__ is float:
            return _json_number(v)
        return v
    nid = id(node)
    if nid in memo:
        return memo[nid]
    if cls is _MappingNode:
        out: dict[str, Any] = {}
        memo[nid] = out
        for knode, vnode in node.value:
            if knode.__class__ is _ScalarNode:
                if knode.value == "<<" and knode.tag in (_PLAIN_TAG, _MERGE_TAG):
                    _merge(out, vnode, memo)
                    continue
                key = _scalar(knode)
                if key.__class__ is not str:
                    key = _key_string(key)
            else:
                raise ValueError("Unsupported map key: a collection cannot be a JSON object key")
            out[key] = _convert(vnode, memo)
        return out
    seq: list[Any] = []
    memo[nid] = seq
    seq.extend(_convert(item, memo) for item in node.value)
    return seq


def _merge(out: dict, vnode, memo: dict) -> None:
    """yaml.v2 `<<`: a map (or a list of maps, earlier ones winning) sets its keys."""
    if vnode.__class__ is _MappingNode:
        out.update(_convert(vnode, memo))
        return
    if isinstance(vnode, yaml.SequenceNode):
        for item in reversed(vnode.value):
            if item.__class__ is not _MappingNode:
                raise ValueError("map merge requires map or sequence of maps as the value")
            out.update(_convert(item, memo))
        return
    raise ValueError("map merge requires map or sequence of maps as the value")


def load(text: str | bytes) -> Any:
    """sigs.k8s.io/yaml.Unmarshal into interface{} (JSON-like): the first document."""
    if text.__class__ is str and len(text) < _FAST_MAX:
        # the block subset templates render: same result, no libyaml (see yamlfast)
        try:
            return _fast_load(text)
        except Exception:  # Unsupported, or anything unexpected: the reference path decides
            pass
    return _load_libyaml(text)


_FAST_MAX = 1 << 20


def _fast_load(text: str) -> Any:
    from injector.yamlfast import load as fast

    return fast(text)


def _load_libyaml(text: str | bytes) -> Any:
    """`load` through libyaml (every YAML construct)."""
    loader = _Loader(text)
    try:
        # like yaml.v2, read the first document and ignore whatever follows
        node = loader.get_node() if loader.check_node() else None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _convert(node, {})


def load_all(text: str | bytes) -> list[Any]:
    """Every document of a YAML stream, each as `load` would return it."""
    loader = _Loader(text)
    out = []
    try:
        while loader.check_node():
            out.append(_convert(loader.get_node(), {}))
    finally:
        loader.dispose()
    return out


_LINE = re.compile(r"([^\n]*?)(?:\r?\n)|([^\n]+)$")


def split_documents(text: str) -> list[str]:
    """Raw documents of a stream as Kubernetes' util/yaml.YAMLReader returns them.

    Lines are read as its LineReader reads them (bufio.ReadLine: "\n" or "\r\n" cut,
    then "\n" put back, so every document ends with a newline); a separator is a line
    starting with `---` whose rest is only whitespace; empty documents are dropped.
    """
    docs: list[str] = []
    buf: list[str] = []
    for m in _LINE.finditer(text):
        line = (m.group(1) if m.group(2) is None else m.group(2)) + "\n"
        if line.startswith("---") and not line[3:].strip():
            if buf:
                docs.append("".join(buf))
                buf = []
            continue
        buf.append(line)
    if buf:
        docs.append("".join(buf))
    return docs
