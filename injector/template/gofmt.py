"""Go `fmt` printing over the template value model (see values.py).

Templates print values with `fmt.Fprint` (`{{ . }}`) and offer `print`, `println` and
`printf`. This module reproduces Go 1.19's `fmt` output for our values: operand spacing
of `Sprint`, the `printf` verb/flag/width/precision grammar with Go's error forms
(`%!d(string=hi)`, `%!(EXTRA ...)`, `%!s(MISSING)`, ...), shortest float formatting
(`%v` of a float64 switches to exponent form below 1e-4 and from 1e+06), sorted map
keys, `%T` type names and `strconv.Quote` escaping.

Public API: `print_value`, `sprint`, `sprintln`, `sprintf`, plus helpers used by the
function library: `type_name`, `format_float`, `quote`.
"""
from __future__ import annotations

import math
import struct
import unicodedata
from typing import Any

from .values import NO_VALUE, GoStruct, Int64, StrList, StrMap, Stringer

__all__ = [
    "print_value",
    "sprint",
    "sprintln",
    "sprintf",
    "type_name",
    "format_float",
    "quote",
    "quote_rune",
]

_LDIGITS = "0123456789abcdefx"
_UDIGITS = "0123456789ABCDEFX"
_MAX_RUNE = 0x10FFFF


# --------------------------------------------------------------------------- types


def type_name(v: Any) -> str:
    """Go's `reflect.TypeOf(v).String()` for a value of the model (None: `<nil>`)."""
    if v is None or v is NO_VALUE:
        return "<nil>"
    t = type(v)
    if t is str:
        return "string"
    if t is bool:
        return "bool"
    if t is float:
        return "float64"
    if t is int:
        return "int"
    if t is Int64:
        return "int64"
    if t is dict:
        return "map[string]interface {}"
    if t is list:
        return "[]interface {}"
    if isinstance(v, Stringer):
        return v.go_type
    if isinstance(v, StrMap):
        return "map[string]string"
    if isinstance(v, StrList):
        return "[]string"
    if isinstance(v, GoStruct):
        return _struct_type(v)
    if isinstance(v, complex):
        return "complex128"
    go_type = getattr(v, "go_type", None)
    if go_type:
        return go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    return t.__name__


def _field_type(v: Any) -> str:
    # A struct field holding nil can only be an interface field.
    return "interface {}" if v is None else type_name(v)


def _struct_type(s: GoStruct) -> str:
    if s.type_name != "struct":
        return s.type_name
    if not s.fields:
        return "struct {}"
    parts = []
    for name, tag, value in s.fields:
        part = f"{name} {_field_type(value)}"
        if tag:
            part += " " + quote(f'json:"{tag}"')
        parts.append(part)
    return "struct { " + "; ".join(parts) + " }"


def _is_string_kind(v: Any) -> bool:
    return isinstance(v, str)


# --------------------------------------------------------------------------- quoting


def _is_print(r: str) -> bool:
    # Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020.
    if r == " ":
        return True
    cat = unicodedata.category(r)
    return cat[0] in "LMNPS"


_ESC = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
}


def _quote_with(s: str, q: str, ascii_only: bool) -> str:
    out = [q]
    for r in s:
        if r == q:
            out.append("\\" + q)
            continue
        if r == "\\":
            out.append("\\\\")
            continue
        o = ord(r)
        if 0xD800 <= o <= 0xDFFF:  # lone surrogate: Go would see invalid UTF-8
            out.append("\\ufffd" if ascii_only else "\ufffd")
            continue
        if ascii_only:
            if o < 0x80 and _is_print(r):
                out.append(r)
                continue
        elif _is_print(r):
            out.append(r)
            continue
        esc = _ESC.get(r)
        if esc is not None:
            out.append(esc)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append(q)
    return "".join(out)


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII)."""
    return _quote_with(s, '"', ascii_only)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune (or QuoteRuneToASCII); invalid runes become U+FFFD."""
    if r < 0 or r > _MAX_RUNE or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    return _quote_with(chr(r), "'", ascii_only)


def _can_backquote(s: str) -> bool:
    for r in s:
        o = ord(r)
        if r == "`" or o == 0xFEFF or (0xD800 <= o <= 0xDFFF):
            return False
        if o < 0x20 and r != "\t" or o == 0x7F:
            return False
    return True


# --------------------------------------------------------------------------- floats


def _shortest(x: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |x| and the decimal point position."""
    r = repr(abs(x))
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    if fp == "0":
        fp = ""
    digits = ip + fp
    dp = len(ip) + e
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "0", 1
    return digits, dp


def _fmt_e_digits(digits: str, dp: int, prec: int, ch: str) -> str:
    # digits already rounded; prec = digits after the point (-1: all of them)
    first = digits[0]
    rest = digits[1:]
    if prec >= 0:
        rest = (rest + "0" * prec)[:prec]
    s = first + ("." + rest if rest else "")
    exp = dp - 1 if digits != "0" else 0
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{s}{ch}{sign}{exp:02d}"


def _fmt_f_digits(digits: str, dp: int, prec: int) -> str:
    if dp > 0:
        ip = (digits[:dp] + "0" * max(0, dp - len(digits)))
        fp = digits[dp:]
    else:
        ip = "0"
        fp = "0" * (-dp) + digits
    if prec >= 0:
        fp = (fp + "0" * prec)[:prec]
    return ip + ("." + fp if fp else "")


def _fmt_x(x: float, prec: int, upper: bool) -> str:
    """strconv's %x for float64: -0x1.yyyp±dd."""
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    neg = bits >> 63
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp += 1
    else:
        mant |= 1 << 52
    exp -= 1023
    if mant == 0:
        exp = 0
    mask64 = (1 << 64) - 1
    mant = (mant << 8) & mask64  # leading 1 at bit 60
    while mant != 0 and mant & (1 << 60) == 0:
        mant = (mant << 1) & mask64
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant = (mant << (60 - shift)) & mask64
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexd = "0123456789ABCDEF" if upper else "0123456789abcdef"
    out = ["-" if neg else "", "0", "X" if upper else "x", str((mant >> 60) & 1)]
    mant = (mant << 4) & mask64
    if prec < 0 and mant != 0:
        out.append(".")
        while mant != 0:
            out.append(hexd[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(hexd[(mant >> 60) & 15])
            mant = (mant << 4) & mask64
    out.append("P" if upper else "p")
    out.append("-" if exp < 0 else "+")
    exp = abs(exp)
    out.append(f"{exp:02d}")
    return "".join(out)


def _fmt_b(x: float) -> str:
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    neg = bits >> 63
    exp = (bits >> 52) & 0x7FF
    mant = bits & ((1 << 52) - 1)
    if exp == 0:
        exp += 1
    else:
        mant |= 1 << 52
    exp += -1023 - 52
    return f"{'-' if neg else ''}{mant}p{'-' if exp < 0 else '+'}{abs(exp)}"


def format_float(x: float, fmt: str, prec: int = -1) -> str:
    """strconv.FormatFloat(x, fmt, prec, 64) for fmt in e E f F g G x X b."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if fmt in "xX":
        return _fmt_x(x, prec, fmt == "X")
    if fmt == "b":
        return _fmt_b(x)
    neg = math.copysign(1.0, x) < 0
    sign = "-" if neg else ""
    if prec < 0:
        digits, dp = _shortest(x)
        if fmt in "eE":
            return sign + _fmt_e_digits(digits, dp, -1, fmt)
        if fmt in "fF":
            return sign + _fmt_f_digits(digits, dp, -1)
        # %g shortest: strconv decides with eprec = 6 (so 1e+06 but 100000)
        eprec = 6
        exp = dp - 1
        if digits == "0":
            exp = 0
        if exp < -4 or exp >= eprec:
            return sign + _fmt_e_digits(digits, dp, -1, "e" if fmt == "g" else "E")
        return sign + _fmt_f_digits(digits, dp, -1)
    if fmt in "eE":
        s = format(abs(x), f".{prec}e")
        if fmt == "E":
            s = s.upper()
        return sign + s
    if fmt in "fF":
        return sign + format(abs(x), f".{prec}f")
    # %g with precision: Python's rules match strconv's (see module tests).
    s = format(abs(x), f".{prec if prec > 0 else 1}{fmt}")
    return sign + s


# --------------------------------------------------------------------------- printer


class _Printer:
    """One fmt.pp: an output buffer and the current verb's flags."""

    __slots__ = (
        "buf",
        "sharp",
        "zero",
        "plus",
        "minus",
        "space",
        "sharpV",
        "plusV",
        "wid",
        "wid_present",
        "prec",
        "prec_present",
        "erroring",
        "arg",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.clear_flags()
        self.erroring = False
        self.arg: Any = None

    def clear_flags(self) -> None:
        self.sharp = self.zero = self.plus = self.minus = self.space = False
        self.sharpV = self.plusV = False
        self.wid = 0
        self.wid_present = False
        self.prec = 0
        self.prec_present = False

    # -- padding (fmt.pad / writePadding) -------------------------------------

    def write_padding(self, n: int) -> None:
        if n > 0:
            self.buf.append(("0" if self.zero else " ") * n)

    def pad(self, s: str) -> None:
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if not self.minus:
            self.write_padding(width)
            self.buf.append(s)
        else:
            self.buf.append(s)
            self.write_padding(width)

    # -- strings ----------------------------------------------------------------

    def truncate(self, s: str) -> str:
        if self.prec_present and len(s) > self.prec:
            return s[: self.prec]
        return s

    def fmt_s(self, s: str) -> None:
        self.pad(self.truncate(s))

    def fmt_q(self, s: str) -> None:
        s = self.truncate(s)
        if self.sharp and _can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(quote(s, self.plus))

    def fmt_sx(self, s: str, digits: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        length = len(data)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        out = []
        if self.sharp:
            out.append("0" + digits[16])
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append("0" + digits[16])
            c = data[i]
            out.append(digits[c >> 4] + digits[c & 15])
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_string(self, s: str, verb: str) -> None:
        if verb == "v":
            if self.sharpV:
                self.fmt_q(s)
            else:
                self.fmt_s(s)
        elif verb == "s":
            self.fmt_s(s)
        elif verb == "x":
            self.fmt_sx(s, _LDIGITS)
        elif verb == "X":
            self.fmt_sx(s, _UDIGITS)
        elif verb == "q":
            self.fmt_q(s)
        else:
            self.bad_verb(verb)

    # -- booleans -----------------------------------------------------------------

    def fmt_bool(self, b: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if b else "false")
        else:
            self.bad_verb(verb)

    # -- integers -----------------------------------------------------------------

    def fmt_integer_base(self, v: int, base: int, verb: str, digits: str) -> None:
        negative = v < 0
        u = -v if negative else v
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                old = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = old
                return
        elif self.zero and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            num = str(u)
        elif base == 16:
            num = format(u, "x")
            if digits is _UDIGITS:
                num = num.upper()
        elif base == 8:
            num = format(u, "o")
        else:
            num = format(u, "b")
        if prec > len(num):
            num = "0" * (prec - len(num)) + num
        if self.sharp:
            if base == 2:
                num = "0b" + num
            elif base == 8:
                if num[0] != "0":
                    num = "0" + num
            elif base == 16:
                num = "0" + digits[16] + num
        if verb == "O":
            num = "0o" + num
        if negative:
            num = "-" + num
        elif self.plus:
            num = "+" + num
        elif self.space:
            num = " " + num
        old = self.zero
        self.zero = False
        self.pad(num)
        self.zero = old

    def fmt_c(self, v: int) -> None:
        if v < 0 or v > _MAX_RUNE or 0xD800 <= v <= 0xDFFF:
            v = 0xFFFD
        self.pad(chr(v))

    def fmt_qc(self, v: int) -> None:
        self.pad(quote_rune(v, self.plus))

    def fmt_unicode(self, v: int) -> None:
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        u = v & ((1 << 64) - 1)
        s = "U+" + format(u, "X").rjust(prec, "0")
        if self.sharp and 0 <= v <= _MAX_RUNE and _is_print(chr(v)):
            s += " '" + chr(v) + "'"
        old = self.zero
        self.zero = False
        self.pad(s)
        self.zero = old

    def fmt_integer(self, v: int, verb: str) -> None:
        if verb in "vd":
            self.fmt_integer_base(v, 10, verb, _LDIGITS)
        elif verb == "b":
            self.fmt_integer_base(v, 2, verb, _LDIGITS)
        elif verb in "oO":
            self.fmt_integer_base(v, 8, verb, _LDIGITS)
        elif verb == "x":
            self.fmt_integer_base(v, 16, verb, _LDIGITS)
        elif verb == "X":
            self.fmt_integer_base(v, 16, verb, _UDIGITS)
        elif verb == "c":
            self.fmt_c(v)
        elif verb == "q":
            self.fmt_qc(v)
        elif verb == "U":
            self.fmt_unicode(v)
        else:
            self.bad_verb(verb)

    # -- floats -----------------------------------------------------------------

    def fmt_float_verb(self, v: float, verb: str, prec: int) -> None:
        if self.prec_present:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            old = self.zero
            self.zero = False
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad(num)
            self.zero = old
            return
        if self.sharp and verb != "b":
            digits = 0
            if verb in "vgGxX":
                digits = prec
                if digits == -1:
                    digits = 6
            tail = ""
            body = [num[0]]
            has_point = False
            saw_nonzero = False
            i = 1
            while i < len(num):
                c = num[i]
                if c == ".":
                    has_point = True
                elif c in "pP":
                    tail = num[i:]
                    break
                elif c in "eE" and verb not in "xX":
                    tail = num[i:]
                    break
                else:
                    if c != "0":
                        saw_nonzero = True
                    if saw_nonzero:
                        digits -= 1
                body.append(c)
                i += 1
            if not has_point:
                if len(body) == 2 and body[1] == "0":
                    digits -= 1
                body.append(".")
            if digits > 0:
                body.append("0" * digits)
            num = "".join(body) + tail
        if self.plus or num[0] != "+":
            if self.zero and self.wid_present and self.wid > len(num):
                self.buf.append(num[0])
                self.write_padding(self.wid - len(num))
                self.buf.append(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self.fmt_float_verb(v, "g", -1)
        elif verb in "bgGxX":
            self.fmt_float_verb(v, verb, -1)
        elif verb in "feEF":
            self.fmt_float_verb(v, verb, 6)
        else:
            self.bad_verb(verb)

    def fmt_complex(self, v: complex, verb: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb)
            return
        old_plus = self.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)
        self.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    # -- errors -----------------------------------------------------------------

    def bad_verb(self, verb: str) -> None:
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        arg = self.arg
        if arg is not None and arg is not NO_VALUE:
            self.buf.append(type_name(arg) + "=")
            self.print_arg(arg, "v")
        else:
            self.buf.append("<nil>")
        self.buf.append(")")
        self.erroring = False

    # -- dispatch ---------------------------------------------------------------

    def print_arg(self, arg: Any, verb: str) -> None:
        self.arg = arg
        if arg is None or arg is NO_VALUE:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        if verb == "T":
            self.fmt_s(type_name(arg))
            return
        if verb == "p":
            self.fmt_pointer(arg, verb)
            return
        self.print_value(arg, verb, 0)

    def fmt_pointer(self, arg: Any, verb: str) -> None:
        if isinstance(arg, (dict, list)):
            # Go prints the map/slice address; any address-looking value will do.
            self.pad("0x" + format(0xC000010000 + (id(arg) & 0xFFFFF) * 8, "x"))
        else:
            self.bad_verb(verb)

    def print_value(self, v: Any, verb: str, depth: int) -> None:
        if depth > 0:
            self.arg = v
        t = type(v)
        if t is str:
            self.fmt_string(v, verb)
        elif t is float:
            self.fmt_float(v, verb)
        elif t is bool:
            self.fmt_bool(v, verb)
        elif t is int or t is Int64:
            self.fmt_integer(int(v), verb)
        elif isinstance(v, Stringer) or hasattr(v, "go_string"):
            self._print_stringer(v, verb)
        elif isinstance(v, dict):
            self._print_map(v, verb, depth)
        elif isinstance(v, (list, tuple)):
            self._print_list(v, verb, depth)
        elif isinstance(v, GoStruct):
            self._print_struct(v, verb, depth)
        elif v is None or v is NO_VALUE:
            # a nil interface inside a container
            if self.sharpV:
                self.buf.append("interface {}(nil)")
            else:
                self.buf.append("<nil>")
        elif isinstance(v, complex):
            self.fmt_complex(v, verb)
        elif isinstance(v, bool):
            self.fmt_bool(v, verb)
        elif isinstance(v, int):
            self.fmt_integer(int(v), verb)
        elif isinstance(v, float):
            self.fmt_float(float(v), verb)
        elif isinstance(v, str):
            self.fmt_string(str(v), verb)
        else:
            self.fmt_string(str(v), verb)

    def _print_stringer(self, v: Any, verb: str) -> None:
        text = v.go_string() if hasattr(v, "go_string") else str.__str__(v)
        if self.sharpV:
            # no GoString(): Go prints the underlying string kind in Go syntax
            raw = getattr(v, "go_syntax", None)
            if raw is not None:
                self.buf.append(raw())
            else:
                self.fmt_q(str.__str__(v) if isinstance(v, str) else text)
            return
        if verb in "vsxXq":
            self.fmt_string(text, verb)
        else:
            self.bad_verb(verb)

    def _print_map(self, m: dict, verb: str, depth: int) -> None:
        if self.sharpV:
            if isinstance(m, StrMap) and m.nil:
                self.buf.append("map[string]string(nil)")
                return
            self.buf.append(type_name(m) + "{")
        else:
            self.buf.append("map[")
        first = True
        for k in sorted(m, key=_map_key):
            if not first:
                self.buf.append(", " if self.sharpV else " ")
            first = False
            self.print_value(k, verb, depth + 1)
            self.buf.append(":")
            self.print_value(m[k], verb, depth + 1)
        self.buf.append("}" if self.sharpV else "]")

    def _print_list(self, seq: Any, verb: str, depth: int) -> None:
        if self.sharpV:
            if getattr(seq, "nil", False):  # a nil slice (see funcs.sprig.NilList)
                self.buf.append(type_name(seq) + "(nil)")
                return
            self.buf.append(type_name(seq) + "{")
            for i, e in enumerate(seq):
                if i:
                    self.buf.append(", ")
                self.print_value(e, verb, depth + 1)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, e in enumerate(seq):
            if i:
                self.buf.append(" ")
            self.print_value(e, verb, depth + 1)
        self.buf.append("]")

    def _print_struct(self, s: GoStruct, verb: str, depth: int) -> None:
        if self.sharpV:
            self.buf.append(type_name(s))
        self.buf.append("{")
        for i, (name, _tag, value) in enumerate(s.fields):
            if i:
                self.buf.append(", " if self.sharpV else " ")
            if self.plusV or self.sharpV:
                self.buf.append(name + ":")
            if value is None and self.sharpV:
                self.buf.append("interface {}(nil)")
                continue
            self.print_value(value, verb, depth + 1)
        self.buf.append("}")

    # -- Printf -----------------------------------------------------------------

    def do_printf(self, fmt: str, args: tuple) -> None:
        end = len(fmt)
        nargs = len(args)
        arg_num = 0
        after_index = False
        reordered = False
        buf = self.buf
        i = 0
        while i < end:
            good_arg_num = True
            j = fmt.find("%", i)
            if j < 0:
                buf.append(fmt[i:])
                break
            if j > i:
                buf.append(fmt[i:j])
            i = j + 1
            self.clear_flags()
            simple_done = False
            while i < end:
                c = fmt[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = not self.minus
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                    self.zero = False
                elif c == " ":
                    self.space = True
                else:
                    if "a" <= c <= "z" and arg_num < nargs:
                        if c == "v":
                            self.sharpV, self.sharp = self.sharp, False
                            self.plusV, self.plus = self.plus, False
                        self.print_arg(args[arg_num], c)
                        arg_num += 1
                        i += 1
                        simple_done = True
                    break
                i += 1
            if simple_done:
                continue

            # explicit argument index
            arg_num, i, after_index, ok_idx, reord = _arg_number(arg_num, fmt, i, nargs)
            reordered = reordered or reord
            good_arg_num = good_arg_num and ok_idx

            # width
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not self.wid_present:
                    buf.append("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parsenum(fmt, i, end)
                if after_index and self.wid_present:
                    good_arg_num = False

            # precision
            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    good_arg_num = False
                arg_num, i, after_index, ok_idx, reord = _arg_number(arg_num, fmt, i, nargs)
                reordered = reordered or reord
                good_arg_num = good_arg_num and ok_idx
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parsenum(fmt, i, end)
                    if not self.prec_present:
                        self.prec = 0
                        self.prec_present = True

            if not after_index:
                arg_num, i, after_index, ok_idx, reord = _arg_number(arg_num, fmt, i, nargs)
                reordered = reordered or reord
                good_arg_num = good_arg_num and ok_idx

            if i >= end:
                buf.append("%!(NOVERB)")
                break

            verb = fmt[i]
            i += 1
            if verb == "%":
                buf.append("%")
            elif not good_arg_num:
                buf.append("%!" + verb + "(BADINDEX)")
            elif arg_num >= nargs:
                buf.append("%!" + verb + "(MISSING)")
            else:
                if verb == "v":
                    self.sharpV, self.sharp = self.sharp, False
                    self.plusV, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1

        if not reordered and arg_num < nargs:
            self.clear_flags()
            buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[arg_num:]):
                if k:
                    buf.append(", ")
                if arg is None or arg is NO_VALUE:
                    buf.append("<nil>")
                else:
                    buf.append(type_name(arg) + "=")
                    self.print_arg(arg, "v")
            buf.append(")")


def _map_key(k: Any) -> Any:
    # fmt sorts map keys; our maps are keyed by strings (byte order = code point order
    # for UTF-8), but be robust to other key types.
    if isinstance(k, str):
        return (0, k, 0)
    if isinstance(k, bool):
        return (1, "", int(k))
    if isinstance(k, (int, float)):
        return (2, "", k)
    return (3, str(k), 0)


def _too_large(n: int) -> bool:
    return n > 1_000_000 or n < -1_000_000


def _parsenum(s: str, start: int, end: int) -> tuple[int, bool, int]:
    if start >= end:
        return 0, False, end
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if _too_large(num):
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def _arg_number(arg_num: int, fmt: str, i: int, nargs: int) -> tuple[int, int, bool, bool, bool]:
    """fmt's argNumber: (argNum, i, found, goodArgNum, reordered)."""
    if len(fmt) <= i or fmt[i] != "[":
        return arg_num, i, False, True, False
    sub = fmt[i:]
    index, wid, ok = 0, 1, False
    if len(sub) >= 3:
        for k in range(1, len(sub)):
            if sub[k] == "]":
                width, isnum, newi = _parsenum(sub, 1, k)
                if not isnum or newi != k:
                    index, wid, ok = 0, k + 1, False
                else:
                    index, wid, ok = width - 1, k + 1, True
                break
    if ok and 0 <= index < nargs:
        return index, i + wid, True, True, True
    return arg_num, i + wid, ok, False, True


def _int_from_arg(args: tuple, arg_num: int) -> tuple[int, bool, int]:
    num, is_int = 0, False
    new = arg_num
    if arg_num < len(args):
        a = args[arg_num]
        if isinstance(a, int) and not isinstance(a, bool):
            num, is_int = int(a), True
        new = arg_num + 1
        if _too_large(num):
            num, is_int = 0, False
    return num, is_int, new


# --------------------------------------------------------------------------- API


def print_value(v: Any) -> str:
    """What a template action `{{ . }}` writes for v."""
    t = type(v)
    if t is str:
        return v
    if v is NO_VALUE:
        return "<no value>"
    # fast paths for the scalars templates print most; same output as the printer
    if t is bool:
        return "true" if v else "false"
    if t is int or t is Int64:
        return str(int(v))
    if t is float:
        if -1e6 < v < 1e6 and (v >= 1e-4 or v <= -1e-4 or v == 0):
            # Python's repr is already Go's shortest %v in this range (no exponent)
            r = repr(v)
            return r[:-2] if r.endswith(".0") else r
        if v - v == 0:  # finite
            return format_float(v, "g", -1)
    if v is None:
        return "<nil>"
    p = _Printer()
    p.print_arg(v, "v")
    return "".join(p.buf)


def sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    p = _Printer()
    prev_string = False
    for n, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if n > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return "".join(p.buf)


def sprintln(*args: Any) -> str:
    """fmt.Sprintln: operands always separated by spaces, then a newline."""
    p = _Printer()
    for n, arg in enumerate(args):
        if n > 0:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return "".join(p.buf)


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf."""
    p = _Printer()
    p.do_printf(fmt, args)
    return "".join(p.buf)
