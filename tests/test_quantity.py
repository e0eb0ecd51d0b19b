"""Kubernetes quantity parsing and canonical formatting (resource.Quantity)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from injector.quantity import (
    BINARY_SI, DECIMAL_EXPONENT, DECIMAL_SI, QuantityError, canonical, from_json,
    parse_quantity,
)

# (input, value in nanos, format) — exact values, rounding to nano away from zero
PARSE = [
    ("0", 0, DECIMAL_SI), ("0n", 0, DECIMAL_SI), ("0Ki", 0, BINARY_SI), ("0T", 0, DECIMAL_SI),
    ("1", 10**9, DECIMAL_SI),
    ("1Ki", 1024 * 10**9, BINARY_SI), ("7Mi", 7 * 2**20 * 10**9, BINARY_SI),
    ("3Ei", 3 * 2**60 * 10**9, BINARY_SI),
    ("5n", 5, DECIMAL_SI), ("4u", 4000, DECIMAL_SI), ("3m", 3 * 10**6, DECIMAL_SI),
    ("50k", 5 * 10**13, DECIMAL_SI), ("1E", 10**27, DECIMAL_SI),
    ("1E-3", 10**6, DECIMAL_EXPONENT), ("1e3", 10**12, DECIMAL_EXPONENT),
    ("1.3E+6", 13 * 10**14, DECIMAL_EXPONENT), ("100.035k", 100035 * 10**9, DECIMAL_SI),
    ("0.0005k", 5 * 10**8, DECIMAL_SI), ("0.5e-2", 5 * 10**6, DECIMAL_EXPONENT),
    ("3.001n", 4, DECIMAL_SI), ("1.1E-9", 2, DECIMAL_EXPONENT), ("0.9n", 1, DECIMAL_SI),
    ("0.00000012345", 124, DECIMAL_SI), ("0.0000000005", 1, DECIMAL_SI),
    ("9Ei", (2**63 - 1) * 10**9, BINARY_SI),
    ("9223372036854775807Ki", (2**63 - 1) * 10**9, BINARY_SI),
    ("100.035Ki", 102435840 * 10**6, BINARY_SI), ("0.5Mi", 2**19 * 10**9, BINARY_SI),
    ("0.000000000001Ki", 2, DECIMAL_SI),  # rounds up and leaves binary
    (".001", 10**6, DECIMAL_SI), ("1.", 10**9, DECIMAL_SI), ("1.G", 10**18, DECIMAL_SI),
    (".", 0, DECIMAL_SI), ("-.", 0, DECIMAL_SI),
    ("18446744073709551616", 18446744073709551616 * 10**9, DECIMAL_SI),
]


@pytest.mark.parametrize("text,nanos,fmt", PARSE)
def test_parse_values(text, nanos, fmt):
    q = parse_quantity(text)
    assert (q.nanos, q.format) == (nanos, fmt)
    if nanos:
        neg = parse_quantity("-" + text)
        assert (neg.nanos, neg.format) == (-nanos, fmt)
        assert parse_quantity("+" + text).nanos == nanos


# (non-canonical input, canonical output)
CANONICAL = [
    ("2000m", "2"), ("1024Mi", "1Gi"), ("0.5", "500m"), ("1.5", "1500m"),
    ("1.5Gi", "1536Mi"), ("307200Ki", "300Mi"), ("1025024Mi", "1001Gi"), ("1024Gi", "1Ti"),
    ("5000m", "5"), ("1000M", "1G"), ("0.001T", "1G"), ("1000u", "1m"), ("1.08", "1080m"),
    ("1080000000n", "1080m"), ("0.5Ki", "512"), ("1.1Ki", "1126400m"),
    (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"), ("1000", "1k"), ("1000000", "1M"), ("1000k", "1M"),
    ("1048576Ki", "1Gi"), ("-1024Ki", "-1Mi"), ("1000P", "1E"), ("1000E", "1e21"),
    (".001e12", "1e9"), ("0.001e0", "1e-3"), ("1000e-12", "1e-9"), ("1e-7", "100e-9"),
    ("1.2345", "1234500u"), ("00", "0"), ("-0", "0"), ("0.0", "0"), ("0Mi", "0"),
    ("8Ei", "9223372036854775807"), ("1.0", "1"), (".5", "500m"), ("-1.5", "-1500m"),
    ("0.1n", "1n"), ("123456789012345678901", "123456789012345678901"),
]


@pytest.mark.parametrize("text,expected", CANONICAL)
def test_canonical_form(text, expected):
    assert canonical(text) == expected
    # the canonical text itself is kept verbatim, and is stable
    assert canonical(expected) == expected


# Text the parser's fast path keeps exactly as written (not re-rendered)
KEPT = ["100m", "1Gi", "5Mi", "1e3", "1E3", "1E6", "12e6", "100e-3", "+1", "01",
        "-100m", "1023", "5.", "1e0", "1080n", "80u", "3k", "300M", "1P"]


@pytest.mark.parametrize("text", KEPT)
def test_fast_path_keeps_text(text):
    q = parse_quantity(text)
    assert q.text == text
    assert str(q) == text


def test_canonical_ignores_kept_text():
    assert parse_quantity("1536Mi").text is None  # 1536 is a multiple of 8: recomputed
    assert parse_quantity("+1").canonical() == "1"
    assert parse_quantity("1E3").canonical() == "1e3"
    assert parse_quantity("01").canonical() == "1"
    assert canonical("e3") == "0"  # no digits at all still parses, as zero


INVALID = ["", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
           " 1", "1 ", "1Mb", "1e", "--1"]


@pytest.mark.parametrize("text", INVALID)
def test_invalid(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_from_json_values():
    assert from_json(" 1") == "1"
    assert from_json("1 ") == "1"
    assert from_json(1) == "1"
    assert from_json(-1) == "-1"
    assert from_json(0.5) == "500m"
    assert from_json(2.0) == "2"  # Go's JSON writes 2, not 2.0
    assert from_json(1e-7) == "100e-9"  # Go's JSON writes 1e-7
    assert from_json(None) == "0"
    assert from_json("1024Mi") == "1Gi"
    with pytest.raises(QuantityError):
        from_json(True)


@given(st.integers(min_value=-(10**15), max_value=10**15),
       st.sampled_from(["n", "u", "m", "", "k", "M", "G", "Ki", "Mi", "Gi", "e3", "e-6"]))
def test_canonical_is_a_fixed_point_with_the_same_value(n, suffix):
    q = parse_quantity(f"{n}{suffix}")
    text = q.canonical()
    again = parse_quantity(text)
    assert again.nanos == q.nanos
    assert again.canonical() == text
    assert "." not in text
