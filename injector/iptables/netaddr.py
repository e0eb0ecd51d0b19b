"""IP addresses and CIDRs read and printed the way Go's `net` package does.

istio-iptables 1.12.6 parses `-i`/`-x` with `net.ParseCIDR`, sorts each item into a family
with `IP.To4()`, and prints the masked network with `IPNet.String()`; nameservers are sorted
with `net.ParseIP`. Python's `ipaddress` accepts and prints a few things differently (netmask
prefixes, zone ids, IPv4-mapped printing), so the rules are restated here on raw bytes.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

_V4_IN_V6 = bytes(10) + b"\xff\xff"


def parse_ip(text: str) -> bytes | None:
    """Go `net.ParseIP`: 16 bytes (IPv4 as IPv4-in-IPv6), or None when it does not parse."""
    if not text or not text.isascii() or "%" in text or text.strip() != text:
        return None
    if ":" not in text:
        try:
            return _V4_IN_V6 + ipaddress.IPv4Address(text).packed
        except ValueError:
            return None
    try:
        return ipaddress.IPv6Address(text).packed
    except ValueError:
        return None


def to4(ip: bytes) -> bytes | None:
    """Go `IP.To4()` for a 16-byte address: the IPv4 bytes if it is IPv4(-mapped)."""
    if len(ip) == 4:
        return ip
    if ip[:12] == _V4_IN_V6:
        return ip[12:]
    return None


def is_loopback(ip: bytes) -> bool:
    """Go `IP.IsLoopback()`: 127.0.0.0/8 (also IPv4-mapped) or ::1."""
    v4 = to4(ip)
    if v4 is not None:
        return v4[0] == 127
    return ip == bytes(15) + b"\x01"


def is_ipv4_text(text: str) -> bool:
    """True when `text` is an address Go treats as IPv4 (`ParseIP(text).To4() != nil`)."""
    ip = parse_ip(text)
    return ip is not None and to4(ip) is not None


def format_ip(ip: bytes) -> str:
    """Go `IP.String()`: dotted IPv4 for 4-byte or IPv4-mapped, else RFC 5952 hex."""
    v4 = to4(ip)
    if v4 is not None:
        return ".".join(str(b) for b in v4)
    groups = [(ip[i] << 8) | ip[i + 1] for i in range(0, 16, 2)]
    # Longest run of zero groups, leftmost on ties; a single zero group is not shortened.
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        j = i
        while j < 8 and groups[j] == 0:
            j += 1
        if j - i > best_len:
            best_start, best_len = i, j - i
        i = j + 1 if j > i else i + 1
    if best_len < 2:
        return ":".join(f"{g:x}" for g in groups)
    head = ":".join(f"{g:x}" for g in groups[:best_start])
    tail = ":".join(f"{g:x}" for g in groups[best_start + best_len:])
    return f"{head}::{tail}"


@dataclass(frozen=True)
class Cidr:
    """One parsed `-i`/`-x` item: its family, its printed network form, loopback flag."""

    ipv4: bool
    network: str
    loopback: bool


def _mask(prefix: int, bits: int) -> bytes:
    value = ((1 << prefix) - 1) << (bits - prefix) if prefix else 0
    return value.to_bytes(bits // 8, "big")


def parse_cidr(text: str) -> Cidr | None:
    """Go `net.ParseCIDR` plus the 1.12.6 family split; None when Go would reject it."""
    slash = text.find("/")
    if slash < 0:
        return None
    addr, prefix_text = text[:slash], text[slash + 1:]
    if not prefix_text or not prefix_text.isascii() or not prefix_text.isdigit():
        return None
    ip = parse_ip(addr)
    if ip is None:
        return None
    bits = 128 if ":" in addr else 32
    prefix = int(prefix_text)
    if prefix > bits:
        return None
    if bits == 32:
        v4 = ip[12:]
        net = bytes(a & m for a, m in zip(v4, _mask(prefix, 32)))
        shown = f"{format_ip(net)}/{prefix}"
    else:
        net = bytes(a & m for a, m in zip(ip, _mask(prefix, 128)))
        # IPNet.String() prints an IPv4-mapped network with the last 32 bits of the mask.
        shown_prefix = prefix - 96 if to4(net) is not None else prefix
        shown = f"{format_ip(net)}/{shown_prefix}"
    return Cidr(ipv4=to4(ip) is not None, network=shown, loopback=is_loopback(ip))
