"""istio-iptables 1.12.6 settings: its flags, their environment variables, the defaults.

`parse_argv` reads a command line the way pflag does (no abbreviations, `-p15001`,
`--name=value`, a value flag takes the next argument whatever it looks like, last one
wins). `resolve` applies viper's precedence: a flag given on the command line (even
empty), else its environment variable if set and non-empty, else the default. The facts
istio-iptables discovers on the host (IPv6, resolv.conf nameservers) come in as `Host`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from injector.iptables import netaddr


class UsageError(Exception):
    """The command line itself is wrong (unknown flag, missing value): exit 2."""


class ConfigError(Exception):
    """A value is unusable (bad port, bad CIDR, `-x '*'`): exit 3."""


@dataclass(frozen=True)
class Flag:
    name: str  # long name, also the settings key
    short: str | None
    kind: str  # "string", "bool" or "duration"
    default: str | bool
    help: str = ""

    @property
    def env(self) -> str:
        return self.name.upper().replace("-", "_")


# The 1.12.6 flag set, in `istio-iptables --help` order. The defaults are viper's
# (SetDefault), which win over pflag's own defaults when a flag is absent.
FLAGS: tuple[Flag, ...] = (
    Flag("envoy-port", "p", "string", "15001", "port Envoy's outbound listener (ISTIO_REDIRECT) uses"),
    Flag("inbound-capture-port", "z", "string", "15006", "port inbound TCP is redirected to"),
    Flag("inbound-tunnel-port", "e", "string", "15008", "inbound tunnel port, never captured"),
    Flag("proxy-uid", "u", "string", "", "comma list of proxy UIDs (default: 1337)"),
    Flag("proxy-gid", "g", "string", "", "comma list of proxy GIDs (default: the UID list)"),
    Flag("istio-inbound-interception-mode", "m", "string", "", "REDIRECT or TPROXY"),
    Flag("istio-inbound-ports", "b", "string", "", "inbound ports to capture, '*' for all"),
    Flag("istio-local-exclude-ports", "d", "string", "", "inbound ports to skip when -b is '*'"),
    Flag("istio-exclude-interfaces", None, "string", "", "NICs never captured"),
    Flag("istio-service-cidr", "i", "string", "", "outbound CIDRs to capture, '*' for all"),
    Flag("istio-service-exclude-cidr", "x", "string", "", "outbound CIDRs never captured"),
    Flag("istio-outbound-ports", "q", "string", "", "outbound ports always captured"),
    Flag("istio-local-outbound-ports-exclude", "o", "string", "", "outbound ports never captured"),
    Flag("kube-virt-interfaces", "k", "string", "", "interfaces whose inbound traffic is outbound"),
    Flag("istio-inbound-tproxy-mark", "t", "string", "1337", "TPROXY mark"),
    Flag("istio-inbound-tproxy-route-table", "r", "string", "133", "TPROXY route table"),
    Flag("dry-run", "n", "bool", False, "no effect: rules are never applied"),
    Flag("iptables-trace-logging", None, "bool", False, "add NFLOG twins to traced rules"),
    Flag("restore-format", "f", "bool", True, "print the iptables-restore payload"),
    Flag("iptables-probe-port", None, "string", "15002", "validation probe port"),
    Flag("probe-timeout", None, "duration", "5s", "validation probe timeout"),
    Flag("skip-rule-apply", None, "bool", False, "generate no rules"),
    Flag("run-validation", None, "bool", False, "no effect on rules"),
    Flag("redirect-dns", None, "bool", False, "capture DNS (default: ISTIO_META_DNS_CAPTURE)"),
    Flag("drop-invalid", None, "bool", False, "drop conntrack INVALID packets"),
    Flag("capture-all-dns", None, "bool", False, "capture all port-53 traffic"),
    Flag("output-paths", None, "string", "", "no effect here: payloads go to stdout"),
    Flag("network-namespace", None, "string", "", "no effect on rules"),
    Flag("cni-mode", None, "bool", False, "no effect on rules"),
)

BY_LONG = {f.name: f for f in FLAGS}
# Short forms that later Istio releases added; 1.12.6 rejects them.
SHORT_HINTS = {"c": " (istio-iptables 1.12.6 has no -c: use --istio-exclude-interfaces)"}
BY_SHORT = {f.short: f for f in FLAGS if f.short}

# pflag's strconv.ParseBool spellings.
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}

_DURATION = re.compile(r"[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)\Z")


def parse_bool(text: str) -> bool | None:
    """Go `strconv.ParseBool`; None when it is not one of the accepted spellings."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def env_bool(text: str | None, default: bool = False) -> bool:
    """A boolean read from the environment: unparsable reads as false, unset as `default`."""
    if text is None or text == "":
        return default
    return bool(parse_bool(text))


def parse_argv(
    argv: list[str], extra: dict[str, str] | None = None, extra_short: dict[str, str] | None = None
) -> tuple[dict[str, str | bool], dict[str, str | bool], list[str]]:
    """Split a pflag-style command line into (istio flags, extra options, positionals).

    `extra` names this tool's own long options (name -> "string"/"bool") and `extra_short`
    their one-letter forms (letter -> long name); they follow the same syntax. Flags map
    long name -> value; a flag given twice keeps the last value.
    """
    extra = extra or {}
    extra_short = extra_short or {}
    given: dict[str, str | bool] = {}
    own: dict[str, str | bool] = {}
    positional: list[str] = []

    def store(name: str, kind: str, value: str | None, shown: str, rest: list[str]) -> None:
        if kind == "bool":
            if value is None:
                result: str | bool = True
            else:
                parsed = parse_bool(value)
                if parsed is None:
                    raise UsageError(
                        f'invalid argument "{value}" for "{shown}" flag: '
                        f"not a boolean (use true or false)"
                    )
                result = parsed
        else:
            if value is None:
                if not rest:
                    raise UsageError(f"flag needs an argument: {shown}")
                value = rest.pop(0)
            if kind == "duration" and not _DURATION.match(value):
                raise UsageError(f'invalid argument "{value}" for "{shown}" flag: not a Go duration')
            result = value
        (own if name in extra else given)[name] = result

    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positional.extend(rest)
            break
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if name in BY_LONG:
                kind = BY_LONG[name].kind
            elif name in extra:
                kind = extra[name]
            else:
                raise UsageError(f"unknown flag: --{name}")
            store(name, kind, value if eq else None, f"--{name}", rest)
        elif arg.startswith("-") and len(arg) > 1:
            shorts = arg[1:]
            while shorts:
                letter, shorts = shorts[0], shorts[1:]
                flag = BY_SHORT.get(letter)
                if flag is None and letter in extra_short:
                    long_name = extra_short[letter]
                    flag = Flag(long_name, letter, extra[long_name], False)
                if flag is None:
                    hint = SHORT_HINTS.get(letter, "")
                    raise UsageError(f"unknown shorthand flag: '{letter}' in {arg}{hint}")
                shown = f"-{letter}"
                if shorts.startswith("="):
                    store(flag.name, flag.kind, shorts[1:], shown, rest)
                    break
                if flag.kind == "bool":
                    store(flag.name, flag.kind, None, shown, rest)
                    continue
                store(flag.name, flag.kind, shorts or None, shown, rest)
                break
        else:
            positional.append(arg)
    return given, own, positional


@dataclass(frozen=True)
class Host:
    """What istio-iptables discovers in the pod rather than reads from flags."""

    ipv6: bool = False
    nameservers: tuple[str, ...] = ()


@dataclass
class Setting:
    """A resolved value and where it came from (for error messages and explanations)."""

    value: str | bool
    source: str  # "-p/--envoy-port", "env ENVOY_PORT", "default"


@dataclass
class Config:
    """Everything the rule generator needs, resolved."""

    settings: dict[str, Setting]
    proxy_uids: list[str]
    proxy_gids: list[str]
    tproxy: bool
    redirect_dns: bool
    dns_v4: list[str] = field(default_factory=list)
    dns_v6: list[str] = field(default_factory=list)
    ipv6: bool = False
    notes: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | bool:
        return self.settings[name].value

    def str(self, name: str) -> str:
        return str(self.settings[name].value)

    def flag(self, name: str) -> bool:
        return bool(self.settings[name].value)

    def source(self, name: str) -> str:
        return self.settings[name].source


def split_list(value: str) -> list[str]:
    """istio-iptables' comma lists: split on ',' and drop empty items, nothing trimmed."""
    return [item for item in value.split(",") if item]


def flag_label(name: str) -> str:
    flag = BY_LONG[name]
    return f"-{flag.short}/--{name}" if flag.short else f"--{name}"


def resolve(given: dict[str, str | bool], env: dict[str, str], host: Host) -> Config:
    """Apply flag > non-empty environment variable > default, then the 1.12.6 derivations."""
    settings: dict[str, Setting] = {}
    for flag in FLAGS:
        if flag.name in given:
            settings[flag.name] = Setting(given[flag.name], flag_label(flag.name))
            continue
        default: str | bool = flag.default
        source = "default"
        if flag.name == "redirect-dns":
            # ISTIO_META_DNS_CAPTURE supplies the default; INVALID_DROP would do the same for
            # --drop-invalid but 1.12.6 hands viper the variable object, not its value, so it
            # never takes effect.
            if env_bool(env.get("ISTIO_META_DNS_CAPTURE")):
                default, source = True, "env ISTIO_META_DNS_CAPTURE"
        raw = env.get(flag.env)
        if raw:
            value: str | bool = env_bool(raw) if flag.kind == "bool" else raw
            settings[flag.name] = Setting(value, f"env {flag.env}")
        else:
            settings[flag.name] = Setting(default, source)

    uid_setting = settings["proxy-uid"]
    if uid_setting.value == "":
        # 1.12.6 looks up ENVOY_USER (istio-proxy) in the image's user database; in the
        # proxyv2 image that user is 1337, and 1337 is also the fallback.
        uid_setting.value, uid_setting.source = "1337", "default (istio-proxy user)"
    gid_setting = settings["proxy-gid"]
    if gid_setting.value == "":
        gid_setting.value = uid_setting.value
        gid_setting.source = f"{uid_setting.source}, copied from the UID setting"

    redirect_dns = bool(settings["redirect-dns"].value)
    dns_v4: list[str] = []
    dns_v6: list[str] = []
    if redirect_dns and not settings["capture-all-dns"].value:
        for server in host.nameservers:
            (dns_v4 if netaddr.is_ipv4_text(server) else dns_v6).append(server)
    return Config(
        settings=settings,
        proxy_uids=split_list(str(uid_setting.value)),
        proxy_gids=split_list(str(gid_setting.value)),
        tproxy=settings["istio-inbound-interception-mode"].value == "TPROXY",
        redirect_dns=redirect_dns,
        dns_v4=dns_v4,
        dns_v6=dns_v6,
        ipv6=host.ipv6,
    )


@dataclass
class Ranges:
    """One family's include or exclude CIDRs."""

    wildcard: bool = False
    networks: list[str] = field(default_factory=list)
    loopback: bool = False


def split_cidrs(value: str) -> tuple[Ranges, Ranges, list[str]]:
    """`-i`/`-x` into (IPv4, IPv6) ranges plus the items that did not parse."""
    if value == "*":
        return Ranges(wildcard=True), Ranges(wildcard=True), []
    v4, v6, bad = Ranges(), Ranges(), []
    for item in split_list(value):
        cidr = netaddr.parse_cidr(item)
        if cidr is None:
            bad.append(item)
            continue
        family = v4 if cidr.ipv4 else v6
        family.networks.append(cidr.network)
        family.loopback = family.loopback or cidr.loopback
    return v4, v6, bad


_PORT = re.compile(r"(\d{1,5})(:(\d{1,5}))?\Z")


def _port_ok(item: str) -> bool:
    match = _PORT.match(item)
    if not match:
        return False
    return all(int(g) <= 65535 for g in (match.group(1), match.group(3)) if g is not None)


def check(cfg: Config) -> list[str]:
    """Values istio-iptables would pass on verbatim but iptables (or the user) would regret.

    Returns one message per problem, naming the flag or variable it came from.
    """
    problems: list[str] = []

    def where(name: str) -> str:
        return cfg.source(name)

    for name in ("envoy-port", "inbound-capture-port", "inbound-tunnel-port"):
        value = cfg.str(name)
        if not _PORT.match(value) or ":" in value or not _port_ok(value):
            problems.append(f"{where(name)}: bad port {value!r}")
    for name in ("istio-local-exclude-ports", "istio-outbound-ports",
                 "istio-local-outbound-ports-exclude", "istio-inbound-ports"):
        value = cfg.str(name)
        if name == "istio-inbound-ports" and value == "*":
            continue
        for item in split_list(value):
            if not _port_ok(item):
                problems.append(f"{where(name)}: bad port {item!r} in {value!r}")
    for name in ("istio-service-cidr", "istio-service-exclude-cidr"):
        value = cfg.str(name)
        for item in split_cidrs(value)[2]:
            problems.append(f"{where(name)}: bad CIDR {item!r} in {value!r} (want ADDRESS/PREFIX)")
    for name in ("proxy-uid", "proxy-gid", "kube-virt-interfaces", "istio-exclude-interfaces"):
        value = cfg.str(name)
        for item in split_list(value):
            if item != item.strip() or " " in item:
                problems.append(f"{where(name)}: item {item!r} in {value!r} contains spaces")
    mode = cfg.str("istio-inbound-interception-mode")
    if mode not in ("", "REDIRECT", "TPROXY"):
        problems.append(
            f"{where('istio-inbound-interception-mode')}: unknown mode {mode!r} "
            "(REDIRECT or TPROXY; istio-iptables would fall back to REDIRECT)"
        )
    mark = cfg.str("istio-inbound-tproxy-mark")
    if not re.match(r"(\d+|0[xX][0-9a-fA-F]+)\Z", mark):
        problems.append(f"{where('istio-inbound-tproxy-mark')}: bad mark {mark!r}")
    return problems


def parse_nameservers(value: str) -> tuple[str, ...]:
    """`--dns-servers a,b`: comma list, spaces around items ignored."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


def read_resolv_conf(text: str) -> tuple[str, ...]:
    """The `nameserver` entries of a resolv.conf, in file order, as written."""
    servers = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 1 and fields[0] == "nameserver":
            servers.append(fields[1])
    return tuple(servers)
