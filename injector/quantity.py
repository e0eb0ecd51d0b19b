"""Kubernetes resource quantities (`k8s.io/apimachinery/pkg/api/resource.Quantity`).

A Kubernetes object read into its Go type and written back has every quantity in its
canonical form: `2000m` -> `2`, `1024Mi` -> `1Gi`, `0.5` -> `500m`, `1.5Gi` -> `1536Mi`.
The rules, as apimachinery applies them:

* The suffix picks the format: decimal SI (`n u m "" k M G T P E`), binary SI
  (`Ki Mi Gi Ti Pi Ei`) or a decimal exponent (`e3`, `E-6`). The format is kept.
* Values are exact; anything finer than a nano is rounded away from zero, a binary
  quantity is capped at 2^63-1, and a binary quantity between 0 and 1 becomes decimal.
* Canonical output has no fraction digits and the largest exponent that keeps it that
  way: decimal exponents are multiples of 3, binary ones multiples of 2^10. A binary
  quantity smaller than 1024 in magnitude, or not a whole number, is written decimal.
* When the parser sees text that is already short and exact (its fast path), it keeps
  the text as given and writes it back unchanged (so `100m` stays `100m`, `+1` stays `+1`).

All arithmetic is on exact Python integers counted in nano units.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Quantity", "QuantityError", "parse_quantity", "canonical", "from_json"]

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

NANO = 10**9
_MAX_INT64 = 2**63 - 1

_DEC_SUFFIX = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIX = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_NAME = {e: s for s, e in _DEC_SUFFIX.items()}
_BIN_NAME = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")


class QuantityError(ValueError):
    """Text that ParseQuantity rejects (message as apimachinery words it)."""


_ERR_FORMAT = (
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


class Quantity:
    """An exact quantity: `nanos` (value * 1e9), its format and any remembered text."""

    __slots__ = ("nanos", "format", "text")

    def __init__(self, nanos: int, fmt: str, text: str | None = None) -> None:
        self.nanos = nanos
        self.format = fmt
        self.text = text

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.nanos == other.nanos

    def __hash__(self) -> int:
        return hash(self.nanos)

    def __str__(self) -> str:
        if self.text:
            return self.text
        return self.canonical()

    def canonical(self) -> str:
        """CanonicalizeBytes: the canonical text, ignoring any remembered text."""
        n = self.nanos
        if n == 0:
            return "0"
        fmt = self.format
        if fmt == BINARY_SI:
            if -1024 * NANO < n < 1024 * NANO or n % NANO:
                fmt = DECIMAL_SI  # small or fractional binary values are shown decimal
            else:
                return _base1024(n // NANO)
        elif fmt not in (DECIMAL_SI, DECIMAL_EXPONENT):
            fmt = DECIMAL_EXPONENT
        mantissa, exp = _base10(n)
        if fmt == DECIMAL_SI and exp in _DEC_NAME:
            return f"{mantissa}{_DEC_NAME[exp]}"
        return f"{mantissa}e{exp}" if exp else str(mantissa)


def _base10(nanos: int) -> tuple[int, int]:
    """Mantissa and exponent (a multiple of 3, as large as possible) of nanos * 1e-9."""
    m, e = nanos, -9
    while m % 10 == 0:
        m //= 10
        e += 1
    r = e % 3  # floor modulo: move down to the multiple of 3 below
    if r:
        m *= 10**r
        e -= r
    return m, e


def _base1024(value: int) -> str:
    neg = value < 0
    m = -value if neg else value
    times = 0
    while m >= 1024 and m % 1024 == 0:
        m //= 1024
        times += 1
    suffix = _BIN_NAME[times] if times < len(_BIN_NAME) else ""
    return f"{'-' if neg else ''}{m}{suffix}"


def _scan(text: str) -> tuple[bool, str, str, str, str]:
    """parseQuantityString: sign, value text, integer digits, fraction digits, suffix."""
    positive = True
    pos = 0
    end = len(text)
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos = 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    num = text[start:pos] or "0"
    if pos >= end:
        return positive, text, num, "", ""
    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
        if pos >= end:
            return positive, text, num, denom, ""
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(_ERR_FORMAT)
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, str]:
    """Suffix -> (base, exponent, format)."""
    if suffix in _DEC_SUFFIX:
        return 10, _DEC_SUFFIX[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIX:
        return 2, _BIN_SUFFIX[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        body = suffix[1:]
        digits = body[1:] if body[0] in "+-" else body
        if digits and all(c in _DIGITS for c in digits):
            exp = int(body)
            if -(2**63) <= exp <= _MAX_INT64:
                return 10, _wrap_int32(exp), DECIMAL_EXPONENT
    raise QuantityError("unable to parse quantity's suffix")


def _wrap_int32(n: int) -> int:
    return (n + 2**31) % 2**32 - 2**31


def parse_quantity(text: str) -> Quantity:
    """resource.ParseQuantity."""
    if not text:
        raise QuantityError(_ERR_FORMAT)
    if text == "0":
        return Quantity(0, DECIMAL_SI, "0")
    positive, value, num, denom, suffix = _scan(text)
    base, exp, fmt = _interpret(suffix)

    # The int64 fast path: the value fits, so the text may be remembered verbatim.
    shifted = num + denom
    if fmt == BINARY_SI:
        precision = 15 - len(num) - int(exp * 3 / 10) - 1 if not denom else -1
        scale = 0
    else:
        precision = 18 - len(shifted)
        scale = exp - len(denom)
    if precision >= 0 and scale >= -9:
        v = int(shifted)
        result = v << exp if fmt == BINARY_SI else v
        if result <= _MAX_INT64:
            nanos = result * 10 ** (scale + 9)
            if not positive:
                nanos = -nanos
            if fmt == BINARY_SI:
                keep = v & 7 != 0
            else:
                keep = scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
            return Quantity(nanos, fmt, text if keep else None)

    # The exact (inf.Dec) path.
    digits = value.lstrip("+-")
    ip, _, fp = digits.partition(".")
    mant = int((ip + fp) or "0")
    frac = len(fp)  # value = mant / 10**frac
    if base == 10:
        num_, den_ = mant, 10**frac
        if exp >= 0:
            num_ *= 10**exp
        else:
            den_ *= 10**-exp
    else:
        num_, den_ = mant << exp, 10**frac
    # to nanos, rounding any remainder away from zero (RoundUp on the magnitude)
    nanos, rem = divmod(num_ * NANO, den_)
    if rem:
        nanos += 1
    if fmt == BINARY_SI:
        if nanos > _MAX_INT64 * NANO:
            nanos = _MAX_INT64 * NANO
        if 0 < nanos < NANO:
            fmt = DECIMAL_SI
    if not positive:
        nanos = -nanos
    return Quantity(nanos, fmt)


def canonical(text: str) -> str:
    """What a Quantity parsed from `text` marshals to."""
    return str(parse_quantity(text))


def from_json(value: Any) -> str:
    """Quantity.UnmarshalJSON then MarshalJSON for a decoded JSON value."""
    if value is None:
        return "0"  # UnmarshalJSON(null) leaves the zero Quantity
    if isinstance(value, bool):
        raise QuantityError(_ERR_FORMAT)
    if isinstance(value, (int, float)):
        from injector.goyaml import go_json_number

        text = go_json_number(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise QuantityError(f"cannot unmarshal {type(value).__name__} into a Quantity")
    return canonical(text)
