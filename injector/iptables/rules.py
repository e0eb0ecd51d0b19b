"""The rule model and the order in which istio-iptables 1.12.6 generates its rules.

Two ordered lists, IPv4 and IPv6. A rule is added to "both" (IPv6 only when the pod has
IPv6), to "v4" or to "v6". A few "both" rules carry an address that differs by family
(loopback, inbound passthrough source). Nothing is sorted or deduplicated: the order of
`generate` is the order the rules are installed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from injector.iptables.config import Config, ConfigError, split_cidrs, split_list

BUILTIN_CHAINS = frozenset({"INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"})

# Per family: loopback destination and inbound-passthrough source.
LOOP = {4: "127.0.0.1/32", 6: "::1/128"}
PASS = {4: "127.0.0.6/32", 6: "::6/128"}

DNS_PORT = "53"
AGENT_DNS_PORT = "15053"
# Mark the proxy's own loopback traffic gets in TPROXY mode; fixed, unrelated to -t.
OUTBOUND_MARK = "1338"


@dataclass(frozen=True)
class Rule:
    """One rule: table, the chain it is added to, and arguments from `-A`/`-I` on."""

    table: str
    chain: str
    args: tuple[str, ...]


@dataclass
class RuleSet:
    """The IPv4 and IPv6 rule lists, each in generation order."""

    v4: list[Rule] = field(default_factory=list)
    v6: list[Rule] = field(default_factory=list)

    def family(self, version: int) -> list[Rule]:
        return self.v4 if version == 4 else self.v6


def chains(rules: list[Rule]) -> list[tuple[str, str]]:
    """(table, chain) pairs to create, in order of first use; built-in chains skipped."""
    seen: dict[tuple[str, str], None] = {}
    for rule in rules:
        if rule.chain not in BUILTIN_CHAINS:
            seen.setdefault((rule.table, rule.chain), None)
    return list(seen)


class _Builder:
    """Adds rules to the right families, with NFLOG twins when trace logging is on."""

    def __init__(self, ipv6: bool, trace: bool) -> None:
        self.rules = RuleSet()
        self.ipv6 = ipv6
        self.trace = trace

    def _add(self, version: int, table: str, args: list[str], tag: str | None) -> None:
        if version == 6 and not self.ipv6:
            return
        target = self.rules.family(version)
        rule = Rule(table, args[1], tuple(args))
        twin = None
        if self.trace and tag:
            matches = args[: args.index("-j")] if "-j" in args else list(args)
            twin = Rule(table, args[1], tuple(matches + [
                "-j", "NFLOG", "--nflog-prefix", f'"{tag}"', "--nflog-group", "1337",
                "--nflog-size", "20",
            ]))
        # An appended twin goes first; an inserted twin follows with the same position,
        # so in the kernel it still lands in front of the real rule.
        if twin is not None and args[0] == "-A":
            target.append(twin)
        target.append(rule)
        if twin is not None and args[0] == "-I":
            target.append(twin)

    def both(self, table: str, *args: str, tag: str | None = None) -> None:
        self._add(4, table, list(args), tag)
        self._add(6, table, list(args), tag)

    def versioned(self, table: str, make, tag: str | None = None) -> None:
        """A "both" rule whose arguments depend on the family: `make(version) -> args`."""
        self._add(4, table, list(make(4)), tag)
        self._add(6, table, list(make(6)), tag)

    def only(self, version: int, table: str, *args: str, tag: str | None = None) -> None:
        self._add(version, table, list(args), tag)


def generate(cfg: Config) -> RuleSet:
    """Every rule istio-iptables 1.12.6 installs for `cfg`, in installation order."""
    if cfg.flag("skip-rule-apply"):
        return RuleSet()
    if cfg.str("istio-service-exclude-cidr") == "*":
        raise ConfigError(
            f"{cfg.source('istio-service-exclude-cidr')}: '*' is not allowed "
            "(istio-iptables rejects excluding every outbound address)"
        )
    b = _Builder(cfg.ipv6, cfg.flag("iptables-trace-logging"))
    proxy_port = cfg.str("envoy-port")
    capture_port = cfg.str("inbound-capture-port")
    tunnel_port = cfg.str("inbound-tunnel-port")
    mark = cfg.str("istio-inbound-tproxy-mark")
    inbound_ports = cfg.str("istio-inbound-ports")
    virt = split_list(cfg.str("kube-virt-interfaces"))
    nics = split_list(cfg.str("istio-exclude-interfaces"))
    uids, gids = cfg.proxy_uids, cfg.proxy_gids
    dns = cfg.redirect_dns
    capture_all_dns = cfg.flag("capture-all-dns")
    include4, include6, _ = split_cidrs(cfg.str("istio-service-cidr"))
    exclude4, exclude6, _ = split_cidrs(cfg.str("istio-service-exclude-cidr"))

    # 1. Excluded NICs: nat pairs, then (TPROXY) the same pairs in mangle.
    for table in ("nat", "mangle") if cfg.tproxy else ("nat",):
        for nic in nics:
            b.both(table, "-A", "PREROUTING", "-i", nic, "-j", "RETURN", tag="ExcludeInterfaceCommand")
            b.both(table, "-A", "OUTPUT", "-o", nic, "-j", "RETURN", tag="ExcludeInterfaceCommand")
    # 2. kube-virt interfaces are never captured inbound.
    for iface in virt:
        b.both("nat", "-I", "PREROUTING", "1", "-i", iface, "-j", "RETURN", tag="KubevirtCommand")
    # 3.
    if cfg.flag("drop-invalid"):
        b.both("mangle", "-A", "PREROUTING", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
    # 4-6. The fixed nat chains.
    b.both("nat", "-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", tunnel_port, "-j", "RETURN")
    b.both("nat", "-A", "ISTIO_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", proxy_port)
    b.both("nat", "-A", "ISTIO_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", capture_port,
           tag="InboundCapture")
    # 7. Inbound capture.
    if inbound_ports:
        table = "mangle" if cfg.tproxy else "nat"
        if cfg.tproxy:
            b.both("mangle", "-A", "ISTIO_DIVERT", "-j", "MARK", "--set-mark", mark)
            b.both("mangle", "-A", "ISTIO_DIVERT", "-j", "ACCEPT")
            b.versioned("mangle", lambda v: (
                "-A", "ISTIO_TPROXY", "!", "-d", LOOP[v], "-p", "tcp", "-j", "TPROXY",
                "--tproxy-mark", f"{mark}/0xffffffff", "--on-port", capture_port))
        b.both(table, "-A", "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND", tag="JumpInbound")
        if inbound_ports == "*":
            # The ssh port is exempted unconditionally in 1.12.x.
            for port in ["22"] + split_list(cfg.str("istio-local-exclude-ports")):
                b.both(table, "-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "RETURN",
                       tag="ExcludeInboundPort")
            if cfg.tproxy:
                b.both("mangle", "-A", "ISTIO_INBOUND", "-p", "tcp", "-m", "conntrack", "--ctstate",
                       "RELATED,ESTABLISHED", "-j", "ISTIO_DIVERT")
                b.both("mangle", "-A", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_TPROXY")
            else:
                b.both("nat", "-A", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_IN_REDIRECT")
        else:
            for port in split_list(inbound_ports):
                if cfg.tproxy:
                    b.both("mangle", "-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-m",
                           "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ISTIO_DIVERT",
                           tag="IncludeInboundPort")
                    b.both("mangle", "-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j",
                           "ISTIO_TPROXY", tag="IncludeInboundPort")
                else:
                    b.both("nat", "-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j",
                           "ISTIO_IN_REDIRECT", tag="IncludeInboundPort")
    # 8-10. Outbound entry, excluded ports, inbound passthrough.
    b.both("nat", "-A", "OUTPUT", "-p", "tcp", "-j", "ISTIO_OUTPUT", tag="JumpOutbound")
    for port in split_list(cfg.str("istio-local-outbound-ports-exclude")):
        b.both("nat", "-A", "ISTIO_OUTPUT", "-p", "tcp", "--dport", port, "-j", "RETURN")
    b.versioned("nat", lambda v: ("-A", "ISTIO_OUTPUT", "-o", "lo", "-s", PASS[v], "-j", "RETURN"))
    # 11-12. The proxy's own traffic, by UID then by GID.
    keep_lo_return = not (include4.loopback or include6.loopback)
    not_dns = ("-p", "tcp", "!", "--dport", DNS_PORT) if dns else ()
    for match, owners in (("--uid-owner", uids), ("--gid-owner", gids)):
        # Only the UID variant of the ISTIO_IN_REDIRECT rule spares DNS (1.12.6 quirk).
        redirect_not_dns = not_dns if match == "--uid-owner" else ()
        for owner in owners:
            b.versioned("nat", lambda v: (
                "-A", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", LOOP[v], *redirect_not_dns,
                "-m", "owner", match, owner, "-j", "ISTIO_IN_REDIRECT"))
            if keep_lo_return:
                b.both("nat", "-A", "ISTIO_OUTPUT", "-o", "lo", *not_dns, "-m", "owner", "!", match,
                       owner, "-j", "RETURN")
            b.both("nat", "-A", "ISTIO_OUTPUT", "-m", "owner", match, owner, "-j", "RETURN")
    # 13. DNS over TCP to the agent.
    if dns:
        if capture_all_dns:
            b.both("nat", "-A", "ISTIO_OUTPUT", "-p", "tcp", "--dport", DNS_PORT, "-j", "REDIRECT",
                   "--to-ports", AGENT_DNS_PORT)
        else:
            for version, servers, suffix in ((4, cfg.dns_v4, "/32"), (6, cfg.dns_v6, "/128")):
                for server in servers:
                    b.only(version, "nat", "-A", "ISTIO_OUTPUT", "-p", "tcp", "--dport", DNS_PORT,
                           "-d", server + suffix, "-j", "REDIRECT", "--to-ports", AGENT_DNS_PORT)
    # 14-16. Loopback, excluded CIDRs, always-captured ports.
    b.versioned("nat", lambda v: ("-A", "ISTIO_OUTPUT", "-d", LOOP[v], "-j", "RETURN"))
    for version, ranges in ((4, exclude4), (6, exclude6)):
        for cidr in ranges.networks:
            b.only(version, "nat", "-A", "ISTIO_OUTPUT", "-d", cidr, "-j", "RETURN")
    for port in split_list(cfg.str("istio-outbound-ports")):
        b.both("nat", "-A", "ISTIO_OUTPUT", "-p", "tcp", "--dport", port, "-j", "ISTIO_REDIRECT")
    # 17. Outbound include, per family.
    for version, ranges in ((4, include4), (6, include6)):
        if ranges.wildcard:
            b.only(version, "nat", "-A", "ISTIO_OUTPUT", "-j", "ISTIO_REDIRECT")
            for iface in virt:
                b.only(version, "nat", "-I", "PREROUTING", "1", "-i", iface, "-j", "ISTIO_REDIRECT",
                       tag="KubevirtCommand")
        elif ranges.networks:
            for cidr in ranges.networks:
                for iface in virt:
                    b.only(version, "nat", "-I", "PREROUTING", "1", "-i", iface, "-d", cidr, "-j",
                           "ISTIO_REDIRECT", tag="KubevirtCommand")
                b.only(version, "nat", "-A", "ISTIO_OUTPUT", "-d", cidr, "-j", "ISTIO_REDIRECT")
            b.only(version, "nat", "-A", "ISTIO_OUTPUT", "-j", "RETURN")
    # 18. DNS over UDP and the conntrack zones.
    if dns:
        _dns_udp(b, cfg, capture_all_dns)
    # 19. TPROXY mark/connmark tail, even without inbound ports.
    if cfg.tproxy:
        b.both("mangle", "-A", "PREROUTING", "-p", "tcp", "-m", "mark", "--mark", mark, "-j", "CONNMARK",
               "--save-mark")
        b.both("mangle", "-A", "OUTPUT", "-p", "tcp", "-o", "lo", "-m", "mark", "--mark", mark, "-j",
               "RETURN")
        for match, owners in (("--uid-owner", uids), ("--gid-owner", gids)):
            for owner in owners:
                b.versioned("mangle", lambda v: (
                    "-A", "OUTPUT", "!", "-d", LOOP[v], "-p", "tcp", "-o", "lo", "-m", "owner", match,
                    owner, "-j", "MARK", "--set-mark", OUTBOUND_MARK))
        b.both("mangle", "-A", "OUTPUT", "-p", "tcp", "-m", "connmark", "--mark", mark, "-j", "CONNMARK",
               "--restore-mark")
        b.both("mangle", "-I", "ISTIO_INBOUND", "1", "-p", "tcp", "-m", "mark", "--mark", mark, "-j",
               "RETURN")
        for version in (4, 6):
            b.only(version, "mangle", "-I", "ISTIO_INBOUND", "2", "-p", "tcp", "-s", PASS[version], "-i",
                   "lo", "-j", "RETURN")
        b.both("mangle", "-I", "ISTIO_INBOUND", "3", "-p", "tcp", "-i", "lo", "-m", "mark", "!", "--mark",
               OUTBOUND_MARK, "-j", "RETURN")
    return b.rules


def _dns_udp(b: _Builder, cfg: Config, capture_all: bool) -> None:
    owners = [("--uid-owner", u) for u in cfg.proxy_uids] + [("--gid-owner", g) for g in cfg.proxy_gids]
    for match, owner in owners:
        b.both("nat", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-m", "owner", match, owner,
               "-j", "RETURN")
    servers = ((4, cfg.dns_v4, "/32"), (6, cfg.dns_v6, "/128"))
    # UDP redirects say --to-port where the TCP ones say --to-ports (as upstream).
    if capture_all:
        b.both("nat", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-j", "REDIRECT", "--to-port",
               AGENT_DNS_PORT)
    else:
        for version, addrs, suffix in servers:
            for server in addrs:
                b.only(version, "nat", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-d",
                       server + suffix, "-j", "REDIRECT", "--to-port", AGENT_DNS_PORT)
    for match, owner in owners:
        b.both("raw", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-m", "owner", match, owner,
               "-j", "CT", "--zone", "1")
        b.both("raw", "-A", "OUTPUT", "-p", "udp", "--sport", AGENT_DNS_PORT, "-m", "owner", match,
               owner, "-j", "CT", "--zone", "2")
    if capture_all:
        b.both("raw", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-j", "CT", "--zone", "2")
        b.both("raw", "-A", "PREROUTING", "-p", "udp", "--sport", DNS_PORT, "-j", "CT", "--zone", "1")
    else:
        for version, addrs, suffix in servers:
            for server in addrs:
                b.only(version, "raw", "-A", "OUTPUT", "-p", "udp", "--dport", DNS_PORT, "-d",
                       server + suffix, "-j", "CT", "--zone", "2")
                # 1.12.6 matches the server as destination here (later releases use -s).
                b.only(version, "raw", "-A", "PREROUTING", "-p", "udp", "--sport", DNS_PORT, "-d",
                       server + suffix, "-j", "CT", "--zone", "1")
