"""Read an injected pod's `istio-init` container and explain the chains it installs.

`find_init_containers` walks Pods, workloads (Deployment, StatefulSet, Job, CronJob, ...)
and Lists for the init container that runs `istio-iptables` (`istio-iptables ...` or
`pilot-agent istio-iptables ...`); `explain` turns a resolved configuration and its rules
into short, plain-language descriptions, one per chain.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import yaml

from injector.iptables.config import Config, split_cidrs, split_list
from injector.iptables.rules import BUILTIN_CHAINS, RuleSet

INIT_NAMES = ("istio-init", "istio-validation")
PROGRAMS = ("pilot-agent", "istio-iptables")


class PodFileError(Exception):
    """The file cannot be read, is not YAML/JSON, or has no istio-init container: exit 3."""


@dataclass
class InitContainer:
    workload: str  # "Deployment default/hello"
    name: str
    argv: list[str]  # istio-iptables arguments, program names removed
    env: dict[str, str] = field(default_factory=dict)


def load_documents(path: str) -> list[dict]:
    """Every mapping document of a YAML (or JSON) file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        raise PodFileError(f"{path}: cannot read: {getattr(err, 'strerror', None) or err}") from err
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as err:
        raise PodFileError(f"{path}: not valid YAML or JSON: {err}") from err
    return [d for d in docs if isinstance(d, dict)]


def _label(doc: dict) -> str:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    name = meta.get("name") or meta.get("generateName") or "(unnamed)"
    namespace = meta.get("namespace")
    return f"{doc.get('kind', 'object')} {namespace + '/' if namespace else ''}{name}"


def _pod_specs(node, label: str, found: list[tuple[str, dict]]) -> None:
    """Collect every pod spec (a mapping with containers/initContainers) under `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("kind"), str) and isinstance(node.get("metadata"), dict):
            label = _label(node)
        if isinstance(node.get("initContainers"), list) or isinstance(node.get("containers"), list):
            found.append((label, node))
            return
        for value in node.values():
            _pod_specs(value, label, found)
    elif isinstance(node, list):
        for item in node:
            _pod_specs(item, label, found)


def init_argv(container: dict) -> list[str]:
    """`command` + `args` with the program names (`pilot-agent`, `istio-iptables`) removed."""
    tokens = [str(t) for t in (container.get("command") or []) + (container.get("args") or [])]
    while tokens and os.path.basename(tokens[0]) in PROGRAMS:
        tokens.pop(0)
    return tokens


def find_init_containers(docs: list[dict], path: str = "input") -> list[InitContainer]:
    """The istio-iptables init container of every pod spec in `docs` (at least one)."""
    specs: list[tuple[str, dict]] = []
    for doc in docs:
        _pod_specs(doc, _label(doc), specs)
    if not specs:
        raise PodFileError(f"{path}: no pod or workload with a pod template found")
    result: list[InitContainer] = []
    for label, spec in specs:
        inits = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
        by_name = {c.get("name"): c for c in inits}
        container = next((by_name[n] for n in INIT_NAMES if n in by_name), None)
        if container is None:
            continue
        argv = init_argv(container)
        if argv and not argv[0].startswith("-"):
            raise PodFileError(
                f"{path}: {label}: init container {container.get('name')!r} does not run "
                f"istio-iptables (it runs {argv[0]!r})"
            )
        env = {
            str(e["name"]): str(e.get("value", ""))
            for e in container.get("env") or []
            if isinstance(e, dict) and "name" in e and "valueFrom" not in e
        }
        result.append(InitContainer(label, str(container.get("name")), argv, env))
    if not result:
        names = ", ".join(label for label, _ in specs)
        raise PodFileError(
            f"{path}: no istio-init container in {names} (not injected, injected with Istio CNI "
            "without istio-validation, or interception mode NONE)"
        )
    return result


def _ports(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def summary(cfg: Config) -> list[str]:
    """A few sentences on what the pod's traffic goes through."""
    lines: list[str] = []
    if cfg.flag("skip-rule-apply"):
        return ["--skip-rule-apply: this container installs no rules (Istio CNI installs them; "
                "with --run-validation it only checks that they work)."]
    proxy_port, capture_port = cfg.str("envoy-port"), cfg.str("inbound-capture-port")
    inbound = cfg.str("istio-inbound-ports")
    mode = "TPROXY" if cfg.tproxy else "REDIRECT"
    if not inbound:
        lines.append("inbound: not captured (-b is empty).")
    else:
        if inbound == "*":
            skipped = [cfg.str("inbound-tunnel-port"), "22"] + split_list(cfg.str("istio-local-exclude-ports"))
            what = f"TCP to every port except {', '.join(skipped)}"
        else:
            what = f"TCP to ports {', '.join(split_list(inbound))}"
        lines.append(f"inbound: {what} is captured ({mode}) and sent to Envoy's inbound listener "
                     f"on port {capture_port}.")
    include4, include6, _ = split_cidrs(cfg.str("istio-service-cidr"))
    exclude4, exclude6, _ = split_cidrs(cfg.str("istio-service-exclude-cidr"))
    if include4.wildcard:
        dest = "every destination"
    else:
        nets = include4.networks + include6.networks
        dest = ", ".join(nets) if nets else None
    always = split_list(cfg.str("istio-outbound-ports"))
    if dest:
        lines.append(f"outbound: TCP to {dest} is redirected to Envoy's outbound listener on port {proxy_port}.")
    else:
        lines.append("outbound: no destination is redirected by address (-i is empty).")
    if always:
        lines.append(f"outbound: TCP to ports {', '.join(always)} always goes to Envoy ({proxy_port}).")
    excluded = ["127.0.0.1/32 (loopback)"] + exclude4.networks + exclude6.networks
    lines.append(f"outbound exclusions: destinations {', '.join(excluded)}; "
                 f"ports {_ports(split_list(cfg.str('istio-local-outbound-ports-exclude')))}.")
    lines.append(
        f"proxy bypass: connections of UID {', '.join(cfg.proxy_uids)} and GID "
        f"{', '.join(cfg.proxy_gids)} (Envoy and the agent) are never redirected, so the proxy's "
        "own upstream traffic leaves directly; traffic from 127.0.0.6 (Envoy's inbound "
        "passthrough) is not captured either."
    )
    nics = split_list(cfg.str("istio-exclude-interfaces"))
    virt = split_list(cfg.str("kube-virt-interfaces"))
    if nics:
        lines.append(f"excluded interfaces: {', '.join(nics)} (nothing on them is captured).")
    if virt:
        lines.append(f"kube-virt interfaces: {', '.join(virt)} (their inbound traffic is treated as outbound).")
    if cfg.redirect_dns:
        if cfg.flag("capture-all-dns"):
            lines.append("DNS: all port-53 traffic from the app goes to the agent on 15053.")
        else:
            servers = cfg.dns_v4 + cfg.dns_v6
            lines.append(
                "DNS: port-53 traffic from the app to "
                + (", ".join(servers) if servers else "no known nameserver (give --dns-servers)")
                + " goes to the agent on 15053; conntrack zones keep the agent's and the app's "
                "DNS flows apart."
            )
    else:
        lines.append("DNS: not captured (--redirect-dns off, ISTIO_META_DNS_CAPTURE not set).")
    if cfg.flag("drop-invalid"):
        lines.append("drop-invalid: packets conntrack sees as INVALID are dropped.")
    lines.append("IPv6: " + ("every dual-stack rule is repeated for ip6tables." if cfg.ipv6 else
                            "off for this pod (no --ipv6): ip6tables gets no rules."))
    return lines


def _builtin_text(cfg: Config, table: str, chain: str) -> str:
    """What the rules of a built-in chain do, from the settings that put them there."""
    nics = bool(split_list(cfg.str("istio-exclude-interfaces")))
    virt = bool(split_list(cfg.str("kube-virt-interfaces")))
    capture = bool(cfg.str("istio-inbound-ports"))
    mark = cfg.str("istio-inbound-tproxy-mark")
    parts: list[str] = []
    if nics and (table == "nat" or cfg.tproxy) and chain in ("PREROUTING", "OUTPUT"):
        parts.append("traffic on excluded interfaces RETURNs first")
    if (table, chain) == ("nat", "PREROUTING"):
        if virt:
            parts.append("kube-virt interfaces RETURN, or go to ISTIO_REDIRECT for included CIDRs")
        if capture and not cfg.tproxy:
            parts.append("inbound TCP jumps to ISTIO_INBOUND")
    elif (table, chain) == ("nat", "OUTPUT"):
        parts.append("locally generated TCP jumps to ISTIO_OUTPUT")
        if cfg.redirect_dns:
            parts.append("UDP DNS of the proxy RETURNs, the app's goes to the agent on 15053")
    elif (table, chain) == ("mangle", "PREROUTING"):
        if cfg.flag("drop-invalid"):
            parts.append("packets conntrack marks INVALID are dropped")
        if cfg.tproxy and capture:
            parts.append("inbound TCP jumps to ISTIO_INBOUND")
        if cfg.tproxy:
            parts.append(f"packets marked {mark} save the mark into their connection")
    elif (table, chain) == ("mangle", "OUTPUT") and cfg.tproxy:
        parts.append(f"replies get their connection's mark {mark} back; the proxy's loopback "
                     "traffic is marked 1338")
    elif (table, chain) == ("raw", "OUTPUT"):
        parts.append("DNS conntrack zones: proxy to upstream is zone 1, app to agent is zone 2")
    elif (table, chain) == ("raw", "PREROUTING"):
        parts.append("DNS conntrack zone 1 for replies from the nameservers")
    return "; ".join(parts)


def _chain_text(cfg: Config, table: str, chain: str) -> str:
    if chain in BUILTIN_CHAINS:
        return _builtin_text(cfg, table, chain)
    proxy_port, capture_port = cfg.str("envoy-port"), cfg.str("inbound-capture-port")
    mark = cfg.str("istio-inbound-tproxy-mark")
    tunnel = cfg.str("inbound-tunnel-port")
    texts = {
        ("nat", "ISTIO_INBOUND"): (
            f"inbound dispatch: tunnel port {tunnel} and excluded ports RETURN, captured ports go "
            "to ISTIO_IN_REDIRECT"
            if cfg.str("istio-inbound-ports") and not cfg.tproxy else
            f"only the tunnel-port ({tunnel}) RETURN; nothing jumps here "
            + ("(TPROXY captures inbound in mangle)" if cfg.tproxy else "(inbound is not captured)")),
        ("nat", "ISTIO_IN_REDIRECT"): f"REDIRECT to Envoy's inbound listener on {capture_port}",
        ("nat", "ISTIO_REDIRECT"): f"REDIRECT to Envoy's outbound listener on {proxy_port}",
        ("nat", "ISTIO_OUTPUT"): "outbound decisions: passthrough source, proxy UID/GID, loopback "
                                 "and excluded CIDRs/ports RETURN; included CIDRs/ports go to "
                                 "ISTIO_REDIRECT; the proxy's calls over lo to the pod's own "
                                 "address go to ISTIO_IN_REDIRECT",
        ("mangle", "ISTIO_INBOUND"): "TPROXY inbound dispatch: already-marked and passthrough "
                                     "packets RETURN, established flows go to ISTIO_DIVERT, new "
                                     "ones to ISTIO_TPROXY",
        ("mangle", "ISTIO_DIVERT"): f"marks the packet {mark} and accepts it (policy routing table "
                                    f"{cfg.str('istio-inbound-tproxy-route-table')} delivers it locally)",
        ("mangle", "ISTIO_TPROXY"): f"TPROXY to Envoy's inbound listener on {capture_port}",
    }
    return texts.get((table, chain), "")


def explain(cfg: Config, rules: RuleSet) -> list[str]:
    """Summary sentences, then one line per chain with rules: `table CHAIN (N rules): ...`."""
    lines = list(summary(cfg))
    counts: dict[tuple[str, str], int] = {}
    for rule in rules.v4:
        counts[(rule.table, rule.chain)] = counts.get((rule.table, rule.chain), 0) + 1
    if counts:
        lines.append("chains (IPv4; IPv6 mirrors them when enabled):")
    for (table, chain), count in counts.items():
        noun = "rule" if count == 1 else "rules"
        lines.append(f"  {table} {chain} ({count} {noun}): {_chain_text(cfg, table, chain)}")
    return lines
