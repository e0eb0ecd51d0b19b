"""`injector iptables`: the rules istio-iptables 1.12.6 would install, without touching the host.

Takes istio-iptables' own flags (and, for flags not given, their environment variables) and
prints the iptables-restore payload (ip6tables-restore too when the pod has IPv6) or, with
`--restore-format=false`, the command list. `--from-pod FILE` reads the flags and env of an
injected pod's istio-init container instead and explains each chain.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys

from injector.iptables import config, explain, render, rules
from injector.iptables.config import ConfigError, Host, UsageError
from injector.iptables.explain import PodFileError

# This tool's own options; the istio-iptables flags are in injector.iptables.config.FLAGS.
OWN_OPTIONS = {
    "ipv6": "bool",
    "dns-servers": "string",
    "resolv-conf": "string",
    "from-pod": "string",
    "lenient": "bool",
    "explain": "bool",
    "help": "bool",
}
# pilot-agent's logging flags appear in injected istio-init args; they change no rule.
LOG_FLAGS = {
    "log_output_level": "string", "log_as_json": "bool", "log_caller": "string",
    "log_rotate": "string", "log_rotate_max_age": "string", "log_rotate_max_backups": "string",
    "log_rotate_max_size": "string", "log_stacktrace_level": "string", "log_target": "string",
}
# Options that may be combined with --from-pod (everything else comes from the pod).
FROM_POD_OK = {"restore-format", "ipv6", "dns-servers", "resolv-conf", "lenient", "explain", "from-pod"}

USAGE = """\
usage: injector iptables [istio-iptables flags] [--ipv6] [--dns-servers LIST | --resolv-conf FILE]
                         [--lenient] [--explain]
       injector iptables --from-pod FILE [--restore-format=BOOL] [--ipv6] [--dns-servers LIST]

Print the iptables rules istio-iptables 1.12.6 would install (nothing is applied: always a
dry run). Default output: the iptables-restore payload, then the ip6tables-restore one when
--ipv6 is given. --restore-format=false prints the command list instead. A flag that is not
given is read from its environment variable (ENVOY_PORT, ISTIO_INBOUND_PORTS, ...).

istio-iptables flags:
{flags}

host facts istio-iptables discovers in the pod:
  --ipv6[=BOOL]            the pod's first address is IPv6 (inbound IPv6 enabled)
  --dns-servers LIST       resolv.conf nameservers, in order (used with DNS capture)
  --resolv-conf FILE       read the nameservers from a resolv.conf file instead

this tool:
  --from-pod FILE          read an injected pod/workload (YAML or JSON): its istio-init args
                           and env (the shell's environment is not read), print the
                           rules and explain each chain
  --explain                print the explanation (as # comments) before the rules
  --lenient                accept what istio-iptables accepts: bad CIDR items are skipped
                           (with a warning), ports and names are inserted verbatim
  -h, --help               this help
"""


def register(sub: argparse._SubParsersAction) -> None:
    # istio-iptables flags follow pflag rules (no abbreviations, `-p15001`, values that
    # start with '-'), which argparse cannot express: take the raw arguments.
    p = sub.add_parser(
        "iptables",
        help="print the iptables rules istio-init would install (istio-iptables flags)",
        add_help=False,
        prefix_chars="+",
    )
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p.set_defaults(func=run)


def _flags_help() -> str:
    rows = []
    for flag in config.FLAGS:
        names = (f"-{flag.short}, " if flag.short else "    ") + f"--{flag.name}"
        names += "" if flag.kind == "bool" else " VALUE"
        shown = str(flag.default).lower() if flag.kind == "bool" else flag.default
        default = f" (default {shown})" if flag.default not in ("", False) else ""
        rows.append(f"  {names:<46} {flag.help}{default}  [${flag.env}]")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    argv = list(args.argv)
    try:
        return _run(argv)
    except UsageError as err:
        print(f"injector iptables: {err}", file=sys.stderr)
        print("see: injector iptables --help", file=sys.stderr)
        return 2
    except (ConfigError, PodFileError) as err:
        print(f"injector iptables: {err}", file=sys.stderr)
        return 3


def _parse(argv: list[str]) -> tuple[dict, dict]:
    given, own, positional = config.parse_argv(argv, {**OWN_OPTIONS, **LOG_FLAGS}, {"h": "help"})
    if positional:
        raise UsageError(f"unexpected argument {positional[0]!r} (istio-iptables takes only flags)")
    return given, own


def _host(own: dict) -> Host:
    servers: tuple[str, ...] = ()
    if "dns-servers" in own and "resolv-conf" in own:
        raise UsageError("give --dns-servers or --resolv-conf, not both")
    if "dns-servers" in own:
        servers = config.parse_nameservers(str(own["dns-servers"]))
    elif "resolv-conf" in own:
        path = str(own["resolv-conf"])
        try:
            with open(path, encoding="utf-8") as handle:
                servers = config.read_resolv_conf(handle.read())
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"--resolv-conf {path}: cannot read: "
                              f"{getattr(err, 'strerror', None) or err}") from err
    return Host(ipv6=bool(own.get("ipv6", False)), nameservers=servers)


def _resolve(given: dict, env: dict[str, str], host: Host, lenient: bool, where: str = "") -> config.Config:
    cfg = config.resolve(given, env, host)
    problems = config.check(cfg)
    if problems and not lenient:
        raise ConfigError(where + "; ".join(problems) + " (--lenient accepts what istio-iptables accepts)")
    for name in ("istio-service-cidr", "istio-service-exclude-cidr"):
        for item in config.split_cidrs(cfg.str(name))[2]:
            print(f"injector iptables: warning: {where}{cfg.source(name)}: ignoring bad ip range "
                  f"{item!r} (as istio-iptables does)", file=sys.stderr)
    if cfg.redirect_dns and not cfg.flag("capture-all-dns") and not host.nameservers:
        print(f"injector iptables: warning: {where}DNS capture is on but no nameservers were given "
              "(--dns-servers or --resolv-conf): no server-specific DNS rules", file=sys.stderr)
    return cfg


def _render(cfg: config.Config, ruleset: rules.RuleSet, restore: bool) -> str:
    if not restore:
        text = render.command_list(ruleset)
        return text + "\n" if text else ""
    v4 = render.restore_payload(ruleset.v4)
    if not cfg.ipv6:
        return v4
    v6 = render.restore_payload(ruleset.v6)
    return f"# iptables-restore --noflush\n{v4}# ip6tables-restore --noflush\n{v6}"


def _comment(lines: list[str]) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def _run(argv: list[str]) -> int:
    given, own = _parse(argv)
    if own.get("help"):
        print(USAGE.format(flags=_flags_help()), end="")
        return 0
    host = _host(own)
    lenient = bool(own.get("lenient", False))
    if "from-pod" in own:
        return _from_pod(str(own["from-pod"]), given, own, host, lenient)
    cfg = _resolve(given, dict(os.environ), host, lenient)
    ruleset = rules.generate(cfg)
    out = _comment(explain.explain(cfg, ruleset)) if own.get("explain") else ""
    sys.stdout.write(out + _render(cfg, ruleset, cfg.flag("restore-format")))
    return 0


def _from_pod(path: str, given: dict, own: dict, host: Host, lenient: bool) -> int:
    extra = sorted(set(given) - FROM_POD_OK)
    if extra:
        raise UsageError(
            f"--{extra[0]} cannot be combined with --from-pod: the istio-iptables flags come from "
            "the pod (only --restore-format, --ipv6, --dns-servers, --resolv-conf, --lenient)"
        )
    inits = explain.find_init_containers(explain.load_documents(path), path)
    chunks = []
    for init in inits:
        where = f"{path}: {init.workload}: {init.name}: "
        try:
            pod_given, _, positional = config.parse_argv(init.argv, LOG_FLAGS)
        except UsageError as err:
            raise PodFileError(f"{where}{err}") from err
        if positional:
            raise PodFileError(f"{where}unexpected argument {positional[0]!r}")
        cfg = _resolve(pod_given, init.env, host, lenient, where)
        ruleset = rules.generate(cfg)
        restore = bool(given["restore-format"]) if "restore-format" in given else cfg.flag("restore-format")
        header = [f"{init.workload}, init container {init.name}:",
                  "  istio-iptables " + shlex.join(init.argv)]
        header += [f"  env {k}={v}" for k, v in init.env.items()]
        header += ["  (rules as istio-iptables 1.12.6 generates them; later releases differ)"]
        header += [""] + explain.explain(cfg, ruleset) + [""]
        chunks.append(_comment(header) + _render(cfg, ruleset, restore))
    sys.stdout.write("\n".join(chunks))
    return 0
