"""Go `encoding/json` over the template value model.

`marshal` is `json.Marshal` (map keys sorted, `<` `>` `&` escaped as `\\u003c`
`\\u003e` `\\u0026`, floats formatted as encoding/json does, `GoStruct` fields under
their json tags with `omitempty`, a nil `StrMap` as `null`); `unmarshal` is
`json.Unmarshal` into `interface{}` (every number a float64). Istio's `toJSON`,
`structToJSON`, `toJsonMap`, `fromJSON` and sprig's `toJson` build on these.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

from ..gofmt import type_name
from ..values import NO_VALUE, GoStruct, StrMap


class MarshalError(Exception):
    """json.Marshal failed (UnsupportedValueError / UnsupportedTypeError)."""


class UnmarshalError(Exception):
    """json.Unmarshal failed (syntax error, number out of float64 range, ...)."""


def go_type_name(v: Any) -> str:
    """The Go type of a value of the model, as `%T` prints it (for messages)."""
    return type_name(v)


# --- strings -------------------------------------------------------------------------

def _escape_table(html: bool) -> dict[int, str]:
    table = {c: "\\u%04x" % c for c in range(0x20)}
    table.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
    table.update({ord('"'): '\\"', ord("\\"): "\\\\", 0x2028: "\\u2028", 0x2029: "\\u2029"})
    if html:
        table.update({ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"})
    return table


_ESC_HTML = _escape_table(True)
_ESC_PLAIN = _escape_table(False)
# A lone surrogate is what invalid UTF-8 becomes on the Python side; Go writes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def quote(s: str, escape_html: bool = True) -> str:
    """A Go string as encoding/json writes it."""
    out = s.translate(_ESC_HTML if escape_html else _ESC_PLAIN)
    if not out.isascii() and _SURROGATE.search(out):
        out = _SURROGATE.sub("\ufffd", out)
    return '"' + out + '"'


# --- numbers -------------------------------------------------------------------------

def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of abs(f) and the decimal point position.

    The value is 0.DIGITS * 10**point; Python's repr gives the same shortest digits
    as Go's strconv with precision -1.
    """
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    whole, _, frac = mant.partition(".")
    digits = whole + frac
    point = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    return digits, point


def format_float(f: float) -> str:
    """A float64 as encoding/json writes it (exponent form below 1e-6 or from 1e21)."""
    if math.isnan(f) or math.isinf(f):
        raise MarshalError(f"json: unsupported value: {'NaN' if math.isnan(f) else ('+Inf' if f > 0 else '-Inf')}")
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    a = abs(f)
    if a == 0:
        return sign + "0"
    digits, point = _shortest_digits(a)
    if a < 1e-6 or a >= 1e21:
        exp = point - 1
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        # Go writes at least two exponent digits, then encoding/json trims e-07 to e-7.
        if exp < 0:
            es = "e-" + str(-exp)
        else:
            es = "e+" + ("%02d" % exp)
        return sign + mant + es
    if point <= 0:
        return sign + "0." + "0" * (-point) + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


# --- structs -------------------------------------------------------------------------

_TAG_PUNCT = set("!#$%&()*+-./:;<=>?@[]^_{|}~ ")


def _valid_tag_name(name: str) -> bool:
    if not name:
        return False
    for c in name:
        if c in _TAG_PUNCT:
            continue
        cat = unicodedata.category(c)
        if not (cat.startswith("L") or cat == "Nd"):
            return False
    return True


# Field plans by the struct's (name, tag) layout: Istio marshals the same port structs
# over and over, and the tag analysis does not depend on the values.
_PLANS: dict[tuple, list[tuple[int, str, bool, bool]]] = {}


def _plan(st: GoStruct) -> list[tuple[int, str, bool, bool]]:
    """(field index, json name, omitempty, string option) of the fields json writes."""
    layout = tuple((goname, tag) for goname, tag, _v in st.fields)
    plan = _PLANS.get(layout)
    if plan is not None:
        return plan
    cands: list[tuple[str, bool, bool, bool, int]] = []
    for i, (goname, tag) in enumerate(layout):
        if tag == "-":
            continue
        name, _, opts = tag.partition(",")
        options = opts.split(",") if opts else []
        tagged = _valid_tag_name(name)
        if not tagged:
            name = goname
        cands.append((name, tagged, "omitempty" in options, "string" in options, i))
    by_name: dict[str, list] = {}
    for c in cands:
        by_name.setdefault(c[0], []).append(c)
    plan = []
    for c in cands:
        group = by_name[c[0]]
        # Go's dominance rule at one depth: a lone name stays; among duplicates a single
        # tagged field wins, otherwise none is written.
        if len(group) == 1 or [g for g in group if g[1]] == [c]:
            plan.append((c[4], c[0], c[2], c[3]))
    if len(_PLANS) < 4096:
        _PLANS[layout] = plan
    return plan


def _struct_fields(st: GoStruct) -> list[tuple[str, bool, bool, Any]]:
    """(json name, omitempty, string option, value) of the fields encoding/json writes."""
    fields = st.fields
    return [(name, omit, as_string, fields[i][2]) for i, name, omit, as_string in _plan(st)]


def is_empty(v: Any) -> bool:
    """encoding/json's omitempty test, which is also reflect's zero value test sprig's
    `empty` uses: false, 0, nil, empty string/map/slice (structs never are empty)."""
    if v is None or v is NO_VALUE:
        return True
    if isinstance(v, (str, dict, list, tuple)):
        return len(v) == 0
    if isinstance(v, (bool, int, float, complex)):
        return v == 0
    return False


# --- marshal -------------------------------------------------------------------------

def _encode_struct(v: GoStruct, out: list[str], html: bool) -> None:
    fields = v.fields
    out.append("{")
    first = True
    for i, name, omit, as_string in _plan(v):
        value = fields[i][2]
        if omit and is_empty(value):
            continue
        if not first:
            out.append(",")
        first = False
        out.append(quote(name, html))
        out.append(":")
        if as_string and isinstance(value, (str, bool, int, float)):
            sub: list[str] = []
            _encode(value, sub, html)
            enc = "".join(sub)
            out.append(quote(enc, html) if isinstance(value, str) else '"' + enc + '"')
        else:
            _encode(value, out, html)
    out.append("}")


def _encode(v: Any, out: list[str], html: bool) -> None:
    t = type(v)
    # exact types first: the common case is plain JSON-like data
    if t is str:
        s = v.translate(_ESC_HTML if html else _ESC_PLAIN)
        if not s.isascii() and _SURROGATE.search(s):
            s = _SURROGATE.sub("\ufffd", s)
        out.append('"' + s + '"')
    elif v is None or v is NO_VALUE:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif t is float:
        out.append(format_float(v))
    elif isinstance(v, str):
        out.append(quote(v, html))
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(format_float(v))
    elif isinstance(v, dict):
        if isinstance(v, StrMap) and v.nil:
            out.append("null")
            return
        out.append("{")
        first = True
        for k in sorted(v):
            if not first:
                out.append(",")
            first = False
            out.append(quote(str(k), html))
            out.append(":")
            _encode(v[k], out, html)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, e in enumerate(v):
            if i:
                out.append(",")
            _encode(e, out, html)
        out.append("]")
    elif isinstance(v, GoStruct):
        _encode_struct(v, out, html)
    else:
        raise MarshalError(f"json: unsupported type: {go_type_name(v)}")


def to_plain(v: Any) -> Any:
    """The JSON-like projection of a value: what json.Marshal would write, as Python data.

    Maps become dicts (a nil StrMap None), structs dicts of their JSON fields, named
    strings plain str; numbers keep their Python type. Raises MarshalError where Go's
    json.Marshal fails (NaN, infinities, complex numbers).
    """
    if v is None or v is NO_VALUE or v is True or v is False:
        return None if v is NO_VALUE else v
    if isinstance(v, str):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            format_float(v)  # raises the Go error
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, dict):
        if isinstance(v, StrMap) and v.nil:
            return None
        return {str(k): to_plain(e) for k, e in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_plain(e) for e in v]
    if isinstance(v, GoStruct):
        out: dict[str, Any] = {}
        for name, omit, as_string, value in _struct_fields(v):
            if omit and is_empty(value):
                continue
            if as_string and isinstance(value, (str, bool, int, float)):
                enc = marshal(value)
                out[name] = enc if isinstance(value, str) else enc.strip('"')
            else:
                out[name] = to_plain(value)
        return out
    raise MarshalError(f"json: unsupported type: {go_type_name(v)}")


def marshal(v: Any, escape_html: bool = True) -> str:
    """json.Marshal(v) as text; raises MarshalError where Go returns an error."""
    out: list[str] = []
    _encode(v, out, escape_html)
    return "".join(out)


# --- unmarshal -----------------------------------------------------------------------

def _parse_number(s: str) -> float:
    f = float(s)
    if math.isinf(f):
        raise UnmarshalError(f"json: cannot unmarshal number {s} into Go value of type float64")
    return f


def _reject_constant(s: str) -> Any:
    raise UnmarshalError(f"invalid character '{s[0]}' looking for beginning of value")


def _fix_surrogates(v: Any) -> Any:
    if isinstance(v, str):
        return _SURROGATE.sub("\ufffd", v)
    if isinstance(v, list):
        return [_fix_surrogates(e) for e in v]
    if isinstance(v, dict):
        return {_fix_surrogates(k): _fix_surrogates(e) for k, e in v.items()}
    return v


def unmarshal(text: str) -> Any:
    """json.Unmarshal into interface{}: maps, lists, strings, float64, bool, nil."""
    try:
        v = json.loads(
            text,
            parse_float=_parse_number,
            parse_int=_parse_number,
            parse_constant=_reject_constant,
        )
    except UnmarshalError:
        raise
    except (ValueError, RecursionError) as e:
        raise UnmarshalError(str(e)) from None
    # Go turns invalid UTF-16 escapes and invalid UTF-8 into U+FFFD.
    if not text.isascii() or "\\u" in text or "\\U" in text:
        if _SURROGATE.search(text) or re.search(r"\\u[dD][89a-fA-F]", text):
            v = _fix_surrogates(v)
    return v
