"""istio-iptables 1.12.6 rule generation: the conformance corpus and the behaviour rules.

The corpus (../shared/conformance/iptables/istio-1.12.6) gives argv + env + host facts per
case and the expected command list; every case is run with its flags as given and, where a
flag has an environment-variable form, again with those flags moved to the environment.
"""
from __future__ import annotations

import json

import pytest

from injector.iptables import config, explain, netaddr, render, rules
from injector.iptables.config import ConfigError, Host, UsageError
from tests.conftest import CONFORMANCE, need_shared

CORPUS = CONFORMANCE / "iptables" / "istio-1.12.6"


def _cases() -> list[dict]:
    path = CORPUS / "cases.json"
    if not path.exists():
        return []
    return json.loads(path.read_text())["cases"]


CASES = _cases()


def _host(case: dict) -> Host:
    host = case["host"]
    return Host(host["enable_inbound_ipv6"], tuple(host.get("resolv_conf_nameservers", ())))


def _generate(argv: list[str], env: dict[str, str], host: Host) -> rules.RuleSet:
    given, own, positional = config.parse_argv(argv)
    assert not own and not positional
    return rules.generate(config.resolve(given, env, host))


def _expected(name: str) -> str:
    return (CORPUS / name).read_text().strip()


def _ids(cases: list[dict]) -> list[str]:
    return [c["id"] for c in cases]


def test_corpus_present_and_counted():
    need_shared("conformance", "iptables", "istio-1.12.6", "cases.json")
    with_flags = with_env = 0
    for c in CASES:
        expected = _expected(c["expected"])
        with_flags += render.command_list(_generate(c["argv"], c["env"], _host(c))).strip() == expected
        argv, env = _to_env(c["argv"])
        env.update(c["env"])
        with_env += render.command_list(_generate(argv, env, _host(c))).strip() == expected
    restore = [c for c in CASES if c.get("expected_restore")]
    restored = sum(
        render.restore_payload(_generate(c["argv"], c["env"], _host(c)).v4).strip()
        == _expected(c["expected_restore"]["iptables"])
        for c in restore
    )
    print(f"iptables conformance: flags {with_flags}/{len(CASES)}, environment {with_env}/{len(CASES)}, "
          f"restore payload {restored}/{len(restore)}")
    assert len(CASES) >= 23 and restore
    assert (with_flags, with_env, restored) == (len(CASES), len(CASES), len(restore))


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_with_flags(case):
    need_shared("conformance", "iptables")
    got = render.command_list(_generate(case["argv"], case["env"], _host(case)))
    assert got.strip() == _expected(case["expected"])


def _to_env(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Move every flag with a value into its environment variable (booleans as "true")."""
    given, _, _ = config.parse_argv(argv)
    env: dict[str, str] = {}
    keep: list[str] = []
    for name, value in given.items():
        if value == "":
            # An empty variable counts as unset: keep explicitly empty flags as flags.
            keep += [f"--{name}="]
        elif isinstance(value, bool):
            env[config.BY_LONG[name].env] = "true" if value else "false"
        else:
            env[config.BY_LONG[name].env] = value
    return keep, env


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_with_environment(case):
    need_shared("conformance", "iptables")
    argv, env = _to_env(case["argv"])
    env.update(case["env"])
    assert len(env) >= len(case["env"])
    got = render.command_list(_generate(argv, env, _host(case)))
    assert got.strip() == _expected(case["expected"])


@pytest.mark.parametrize("case", [c for c in CASES if c.get("expected_restore")],
                         ids=_ids([c for c in CASES if c.get("expected_restore")]))
def test_restore_payload_matches_pod_log(case):
    need_shared("conformance", "iptables")
    ruleset = _generate(case["argv"], case["env"], _host(case))
    for version, binary in ((4, "iptables"), (6, "ip6tables")):
        expected_file = case["expected_restore"][binary]
        payload = render.restore_payload(ruleset.family(version))
        expected = "" if expected_file is None else _expected(expected_file)
        assert payload.strip() == expected
        if payload:
            assert payload.endswith("COMMIT\n")


# --- behaviour the corpus does not pin down (README sections 3-6) -----------------------

BASE = ["-p", "15001", "-z", "15006", "-u", "1337", "-g", "1337"]


def _lines(argv, env=None, ipv6=False, servers=()):
    return render.command_lines(_generate(argv, env or {}, Host(ipv6, tuple(servers))))


def test_parse_argv_pflag_forms():
    given, own, pos = config.parse_argv(
        ["-p15001", "--inbound-capture-port=15007", "-x", "", "-nf=false", "-b", "-weird",
         "--redirect-dns", "--capture-all-dns=false", "--ipv6", "tail"],
        extra={"ipv6": "bool"},
    )
    assert given == {
        "envoy-port": "15001", "inbound-capture-port": "15007", "istio-service-exclude-cidr": "",
        "dry-run": True, "restore-format": False, "istio-inbound-ports": "-weird",
        "redirect-dns": True, "capture-all-dns": False,
    }
    assert own == {"ipv6": True}
    assert pos == ["tail"]


@pytest.mark.parametrize("argv, message", [
    (["--envoy"], "unknown flag: --envoy"),
    (["-c", "eth0"], "unknown shorthand flag: 'c'"),
    (["-p"], "flag needs an argument: -p"),
    (["--istio-service-cidr"], "flag needs an argument: --istio-service-cidr"),
    (["--redirect-dns=yes"], '"--redirect-dns" flag'),
    (["--probe-timeout", "5"], "not a Go duration"),
])
def test_parse_argv_errors(argv, message):
    with pytest.raises(UsageError, match=message):
        config.parse_argv(argv)


def test_precedence_flag_env_default():
    cfg = config.resolve({}, {"ENVOY_PORT": "16001", "INBOUND_CAPTURE_PORT": ""}, Host())
    assert cfg.str("envoy-port") == "16001" and cfg.source("envoy-port") == "env ENVOY_PORT"
    assert cfg.str("inbound-capture-port") == "15006"  # empty variable counts as unset
    cfg = config.resolve({"envoy-port": "17001"}, {"ENVOY_PORT": "16001"}, Host())
    assert cfg.str("envoy-port") == "17001"


def test_uid_gid_defaults():
    cfg = config.resolve({}, {}, Host())
    assert cfg.proxy_uids == ["1337"] and cfg.proxy_gids == ["1337"]
    cfg = config.resolve({"proxy-uid": "5,6,"}, {}, Host())
    assert cfg.proxy_uids == ["5", "6"] and cfg.proxy_gids == ["5", "6"]


@pytest.mark.parametrize("env, expected", [
    ({"ISTIO_META_DNS_CAPTURE": "true"}, True),
    ({"ISTIO_META_DNS_CAPTURE": "true", "REDIRECT_DNS": "false"}, False),
    ({"ISTIO_META_DNS_CAPTURE": "false", "REDIRECT_DNS": "1"}, True),
    ({"REDIRECT_DNS": "yes"}, False),  # unparsable reads as false
    ({"ISTIO_META_DNS_CAPTURE": "garbage"}, False),
])
def test_redirect_dns_environment(env, expected):
    assert config.resolve({}, env, Host()).redirect_dns is expected


def test_invalid_drop_variable_has_no_effect():
    assert not any("INVALID" in l for l in _lines(BASE, {"INVALID_DROP": "true"}))
    assert any("--ctstate INVALID -j DROP" in l for l in _lines(BASE, {"DROP_INVALID": "t"}))


def test_mode_must_be_exactly_tproxy():
    lower = _lines(BASE + ["-m", "tproxy", "-b", "80"])
    assert not any("mangle" in l for l in lower)
    assert any("mangle" in l for l in _lines(BASE + ["-m", "TPROXY", "-b", "80"]))


def test_tproxy_tail_without_inbound_ports():
    lines = _lines(BASE + ["-m", "TPROXY"])
    assert "iptables -t mangle -N ISTIO_INBOUND" in lines
    assert "iptables -t mangle -N ISTIO_DIVERT" not in lines
    assert lines[-1] == "iptables -t mangle -I ISTIO_INBOUND 3 -p tcp -i lo -m mark ! --mark 1338 -j RETURN"


def test_outbound_port_exclusions_come_before_passthrough():
    lines = _lines(BASE + ["-o", "3306,,5432"])
    i = lines.index("iptables -t nat -A ISTIO_OUTPUT -p tcp --dport 3306 -j RETURN")
    assert lines[i + 1] == "iptables -t nat -A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN"
    assert lines[i + 2] == "iptables -t nat -A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN"


def test_capture_all_dns_ignores_servers():
    lines = _lines(BASE + ["--redirect-dns", "--capture-all-dns"], servers=["10.0.0.10"])
    assert not any("10.0.0.10" in l for l in lines)
    assert "iptables -t nat -A ISTIO_OUTPUT -p tcp --dport 53 -j REDIRECT --to-ports 15053" in lines
    assert "iptables -t nat -A OUTPUT -p udp --dport 53 -j REDIRECT --to-port 15053" in lines
    assert lines[-1] == "iptables -t raw -A PREROUTING -p udp --sport 53 -j CT --zone 1"


def test_dns_with_no_known_servers_keeps_owner_rules():
    lines = _lines(BASE + ["--redirect-dns"])
    assert any("! --dport 53 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT" in l for l in lines)
    assert not any("15053" in l and "-d " in l for l in lines)


def test_nondefault_ports_and_mark():
    lines = _lines(["-p", "1", "-z", "2", "-e", "3", "-t", "7", "-m", "TPROXY", "-b", "80"])
    assert "iptables -t nat -A ISTIO_INBOUND -p tcp --dport 3 -j RETURN" in lines
    assert "iptables -t nat -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 1" in lines
    assert ("iptables -t mangle -A ISTIO_TPROXY ! -d 127.0.0.1/32 -p tcp -j TPROXY "
            "--tproxy-mark 7/0xffffffff --on-port 2") in lines
    assert "iptables -t mangle -A ISTIO_DIVERT -j MARK --set-mark 7" in lines
    # 1338 is fixed, not derived from the mark.
    assert any(l.endswith("--set-mark 1338") for l in lines)


def test_loopback_include_drops_lo_return_rules_for_both_families():
    lines = _lines(BASE + ["-i", "127.0.0.1/8,2001:db8::/32"], ipv6=True)
    assert not any("! --uid-owner" in l or "! --gid-owner" in l for l in lines)
    assert "iptables -t nat -A ISTIO_OUTPUT -d 127.0.0.0/8 -j ISTIO_REDIRECT" in lines
    assert "ip6tables -t nat -A ISTIO_OUTPUT -d 2001:db8::/32 -j ISTIO_REDIRECT" in lines


def test_skip_rule_apply_generates_nothing():
    assert _lines(BASE + ["-b", "*", "--skip-rule-apply"]) == []


def test_exclude_wildcard_is_fatal():
    with pytest.raises(ConfigError, match="istio-service-exclude-cidr"):
        _lines(BASE + ["-x", "*"])
    with pytest.raises(ConfigError, match="env ISTIO_SERVICE_EXCLUDE_CIDR"):
        _lines(BASE, {"ISTIO_SERVICE_EXCLUDE_CIDR": "*"})


def test_ipv6_disabled_means_no_ip6tables_rules():
    assert not any(l.startswith("ip6tables") for l in _lines(BASE + ["-i", "2001:db8::/32"]))


def test_trace_logging_insert_twin_follows():
    lines = _lines(BASE + ["-k", "eth1", "--iptables-trace-logging"])
    i = lines.index("iptables -t nat -I PREROUTING 1 -i eth1 -j RETURN")
    assert lines[i + 1] == ('iptables -t nat -I PREROUTING 1 -i eth1 -j NFLOG --nflog-prefix '
                            '"KubevirtCommand" --nflog-group 1337 --nflog-size 20')


def test_restore_payload_tables_and_chains():
    ruleset = _generate(BASE + ["-m", "TPROXY", "-b", "*", "--redirect-dns"], {}, Host(False, ("1.1.1.1",)))
    payload = render.restore_payload(ruleset.v4)
    blocks = [b.splitlines()[0] for b in payload.split("COMMIT\n") if b]
    assert blocks == ["* nat", "* mangle", "* raw"]
    mangle = payload.split("* mangle\n")[1].split("COMMIT")[0].splitlines()
    assert mangle[:3] == ["-N ISTIO_DIVERT", "-N ISTIO_TPROXY", "-N ISTIO_INBOUND"]
    # Every rule of the command list appears in exactly one block.
    assert sum(not l.startswith(("*", "-N", "COMMIT")) for l in payload.splitlines()) == len(ruleset.v4)
    assert render.restore_payload([]) == ""


@pytest.mark.parametrize("text, expected", [
    ("10.1.2.3/8", (True, "10.0.0.0/8", False)),
    ("127.0.0.5/32", (True, "127.0.0.5/32", True)),
    ("2001:DB8::1/32", (False, "2001:db8::/32", False)),
    ("::1/128", (False, "::1/128", True)),
    ("::ffff:10.1.2.3/104", (True, "10.0.0.0/8", False)),
    ("::ffff:127.0.0.1/80", (True, "::/80", True)),
    ("2001:0:0:1:0:0:0:1/128", (False, "2001:0:0:1::1/128", False)),
    ("1:0:1:0:1:0:1:0/128", (False, "1:0:1:0:1:0:1:0/128", False)),
    ("10.0.0.0/08", (True, "10.0.0.0/8", False)),
])
def test_parse_cidr_like_go(text, expected):
    cidr = netaddr.parse_cidr(text)
    assert (cidr.ipv4, cidr.network, cidr.loopback) == expected


@pytest.mark.parametrize("text", ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/255.0.0.0", " 10.0.0.0/8",
                                  "fe80::1%eth0/64", "010.0.0.0/8", "10.0.0.0/", "junk"])
def test_parse_cidr_rejects(text):
    assert netaddr.parse_cidr(text) is None


def test_unparsable_cidrs_are_skipped_and_reported():
    v4, v6, bad = config.split_cidrs("10.0.0.0,10.1.0.0/16,,x/1,2001:db8::/32")
    assert v4.networks == ["10.1.0.0/16"] and v6.networks == ["2001:db8::/32"]
    assert bad == ["10.0.0.0", "x/1"]


@pytest.mark.parametrize("server, v4", [("127.0.0.53", True), ("::ffff:1.2.3.4", True),
                                        ("::127.0.0.53", False), ("fe80::1", False), ("junk", False)])
def test_nameserver_family(server, v4):
    cfg = config.resolve({"redirect-dns": True}, {}, Host(True, (server,)))
    assert (cfg.dns_v4, cfg.dns_v6) == (([server], []) if v4 else ([], [server]))


def test_check_names_flag_and_env():
    cfg = config.resolve({"istio-inbound-ports": "80,http", "istio-service-cidr": "10.0.0.0"},
                         {"ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE": "70000"}, Host())
    problems = config.check(cfg)
    assert any(p.startswith("-b/--istio-inbound-ports: bad port 'http'") for p in problems)
    assert any(p.startswith("-i/--istio-service-cidr: bad CIDR '10.0.0.0'") for p in problems)
    assert any(p.startswith("env ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE: bad port '70000'") for p in problems)
    good = config.resolve({"istio-inbound-ports": "*", "istio-local-exclude-ports": "15090,15021,"}, {}, Host())
    assert config.check(good) == []


def test_resolv_conf_reading():
    text = "search svc.cluster.local\nnameserver 10.96.0.10\n# nameserver 9.9.9.9\nnameserver ::1\noptions ndots:5\n"
    assert config.read_resolv_conf(text) == ("10.96.0.10", "::1")


def test_find_init_containers_in_workloads():
    init = {"name": "istio-init", "command": ["pilot-agent", "istio-iptables"], "args": ["-b", "*"],
            "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {}}]}
    spec = {"initContainers": [{"name": "other", "image": "x"}, init], "containers": []}
    cron = {"kind": "CronJob", "metadata": {"name": "c", "namespace": "n"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}
    items = {"kind": "List", "metadata": {}, "items": [
        {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": spec}}},
        {"kind": "Pod", "metadata": {"name": "plain"}, "spec": {"containers": [{"name": "app"}]}}]}
    found = explain.find_init_containers([cron, items])
    assert [(f.workload, f.name, f.argv, f.env) for f in found] == [
        ("CronJob n/c", "istio-init", ["-b", "*"], {"A": "1"}),
        ("StatefulSet s", "istio-init", ["-b", "*"], {"A": "1"}),
    ]


def test_explain_describes_every_chain_with_rules():
    cfg = config.resolve({"istio-inbound-ports": "*", "istio-inbound-interception-mode": "TPROXY",
                          "redirect-dns": True, "drop-invalid": True}, {}, Host(False, ("10.96.0.10",)))
    ruleset = rules.generate(cfg)
    lines = explain.explain(cfg, ruleset)
    chain_lines = [l for l in lines if l.startswith("  ")]
    assert len(chain_lines) == len({(r.table, r.chain) for r in ruleset.v4})
    assert all(l.split(": ", 1)[1] for l in chain_lines)
    assert any("10.96.0.10" in l for l in lines)
    assert any(l.startswith("drop-invalid") for l in lines)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_explain_has_text_for_every_chain_of_corpus_cases(case):
    given, _, _ = config.parse_argv(case["argv"])
    cfg = config.resolve(given, case["env"], _host(case))
    ruleset = rules.generate(cfg)
    chain_lines = [l for l in explain.explain(cfg, ruleset) if l.startswith("  ")]
    assert len(chain_lines) == len({(r.table, r.chain) for r in ruleset.v4})
    for line in chain_lines:
        assert line.split("): ", 1)[1].strip(), line
