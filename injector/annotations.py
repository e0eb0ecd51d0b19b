"""Validation of the pod annotations Istio's injector reads.

Istio checks these before rendering and refuses to inject a pod with a bad value; the
error names the annotation and the parameter (`includeIPRanges invalid: ...`), and all
bad annotations are reported together. Annotations without a validator are accepted.
"""
from __future__ import annotations

import ipaddress
from typing import Callable

import yaml

from injector.proxyconfig import PROXY_CONFIG_ANNOTATION, ProxyConfigError, parse_proxy_config_annotation

TRUE_STRINGS = ("1", "t", "T", "TRUE", "true", "True")
FALSE_STRINGS = ("0", "f", "F", "FALSE", "false", "False")


class AnnotationError(ValueError):
    """One or more pod annotations have invalid values."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        # problems: (annotation, value, reason)
        self.problems = problems
        lines = [f"invalid value '{v}' for annotation '{n}': {why}" for n, v, why in problems]
        if len(lines) == 1:
            msg = lines[0]
        else:
            msg = f"{len(lines)} errors occurred:\n" + "\n".join(f"\t* {line}" for line in lines)
        super().__init__(msg)


def parse_bool(value: str) -> bool:
    """Go's strconv.ParseBool."""
    if value in TRUE_STRINGS:
        return True
    if value in FALSE_STRINGS:
        return False
    raise ValueError(f"strconv.ParseBool: parsing {value!r}: invalid syntax")


def parse_port(text: str) -> int:
    s = text.strip()
    if not (s.isascii() and s.isdigit()) or int(s) > 65535:  # '²'.isdigit() too
        raise ValueError(f"failed parsing port {text!r}: not a number in 0-65535")
    return int(s)


def parse_ports(text: str) -> list[int]:
    """A comma-separated port list (items trimmed; an empty item is an error)."""
    text = text.strip()
    if not text:
        return []
    return [parse_port(p) for p in text.split(",")]


def _port_list(param: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        try:
            parse_ports(value)
        except ValueError as e:
            raise ValueError(f"{param} invalid: {e}") from None
    return check


def _port_list_or_star(param: str) -> Callable[[str], None]:
    inner = _port_list(param)

    def check(value: str) -> None:
        if value != "*":
            inner(value)
    return check


def _cidrs(value: str) -> None:
    if not value:
        return
    for item in value.split(","):
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"failed parsing CIDR {item!r}") from None
        if "/" not in item:
            raise ValueError(f"failed parsing CIDR {item!r}: missing prefix length")


def validate_include_ip_ranges(value: str) -> None:
    if value != "*":
        try:
            _cidrs(value)
        except ValueError as e:
            raise ValueError(f"includeIPRanges invalid: {e}") from None


def validate_exclude_ip_ranges(value: str) -> None:
    try:
        _cidrs(value)
    except ValueError as e:
        raise ValueError(f"excludeIPRanges invalid: {e}") from None


def validate_interception_mode(value: str) -> None:
    if value not in ("REDIRECT", "TPROXY", "NONE"):
        raise ValueError(f"interceptionMode invalid, use REDIRECT,TPROXY,NONE: {value}")


def validate_bool(value: str) -> None:
    parse_bool(value)


def validate_uint32(value: str) -> None:
    s = value.strip()
    if not (s.isascii() and s.isdigit()) or int(s) > 2**32 - 1:
        raise ValueError(f"{value!r} is not an unsigned 32-bit integer")


def validate_status_port(value: str) -> None:
    parse_port(value)


def _host_port(field: str, addr: str) -> None:
    host, sep, port = addr.rpartition(":")
    if not sep or not host:
        raise ValueError(f"{field}: {addr!r} is not host:port")
    if not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= 65535:
        raise ValueError(f"{field}: port {port!r} of {addr!r} is not in 1-65535")


def _check_proxy_config(pc: dict) -> None:
    """The checks Istio applies to a merged ProxyConfig that a pod annotation can break."""
    from injector.proxyconfig import parse_duration

    for field in ("configPath", "binaryPath"):
        if field in pc and not pc[field]:
            raise ValueError(f"{field} must be set")
    for field in ("proxyAdminPort", "statusPort"):
        if field in pc and not 1 <= int(pc[field]) <= 65535:
            raise ValueError(f"{field}: port {pc[field]} is not in 1-65535")
    for field in ("concurrency", "statNameLength"):
        if field in pc and int(pc[field]) < 0:
            raise ValueError(f"{field} must not be negative")
    for field in ("drainDuration", "parentShutdownDuration", "terminationDrainDuration"):
        if field in pc and parse_duration(pc[field]) < 0:
            raise ValueError(f"{field} must not be negative")
    if pc.get("discoveryAddress"):
        _host_port("discoveryAddress", str(pc["discoveryAddress"]))
    zipkin = ((pc.get("tracing") or {}).get("zipkin") or {}) if isinstance(pc.get("tracing"), dict) else {}
    if isinstance(zipkin, dict) and zipkin.get("address"):
        _host_port("tracing.zipkin.address", str(zipkin["address"]))


def validate_proxy_config(value: str) -> None:
    try:
        _check_proxy_config(parse_proxy_config_annotation(value))
    except (ProxyConfigError, yaml.YAMLError, TypeError) as e:
        raise ValueError(f"proxy config invalid: {e}") from None
    except ValueError as e:
        raise ValueError(f"proxy config invalid: {e}") from None


VALIDATORS: dict[str, Callable[[str], None]] = {
    "sidecar.istio.io/interceptionMode": validate_interception_mode,
    "sidecar.istio.io/enableCoreDump": validate_bool,
    "status.sidecar.istio.io/port": validate_status_port,
    "readiness.status.sidecar.istio.io/initialDelaySeconds": validate_uint32,
    "readiness.status.sidecar.istio.io/periodSeconds": validate_uint32,
    "readiness.status.sidecar.istio.io/failureThreshold": validate_uint32,
    "readiness.status.sidecar.istio.io/applicationPorts": _port_list_or_star("readinessApplicationPorts"),
    "traffic.sidecar.istio.io/includeOutboundIPRanges": validate_include_ip_ranges,
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": validate_exclude_ip_ranges,
    "traffic.sidecar.istio.io/includeInboundPorts": _port_list_or_star("includeInboundPorts"),
    "traffic.sidecar.istio.io/excludeInboundPorts": _port_list("excludeInboundPorts"),
    "traffic.sidecar.istio.io/excludeOutboundPorts": _port_list("excludeOutboundPorts"),
    "traffic.sidecar.istio.io/includeOutboundPorts": _port_list("includeOutboundPorts"),
    "prometheus.istio.io/merge-metrics": validate_bool,
    PROXY_CONFIG_ANNOTATION: validate_proxy_config,
}


def annotation_problems(annotations: dict | None) -> list[tuple[str, str, str]]:
    problems = []
    for name in sorted(annotations or {}):
        check = VALIDATORS.get(name)
        if check is None:
            continue
        value = annotations[name]
        value = "" if value is None else str(value)
        try:
            check(value)
        except ValueError as e:
            problems.append((name, value, str(e)))
    return problems


def validate_annotations(annotations: dict | None) -> None:
    """Raise AnnotationError naming every annotation with an invalid value."""
    problems = annotation_problems(annotations)
    if problems:
        raise AnnotationError(problems)
