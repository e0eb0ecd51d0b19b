"""`injector iptables` end to end through `injector.cli.main`: output, --from-pod, errors."""
from __future__ import annotations

import json

import pytest
import yaml

from injector import cli
from injector.iptables import config
from tests.conftest import CONFORMANCE, need_shared

CORPUS = CONFORMANCE / "iptables" / "istio-1.12.6"
CASES = json.loads((CORPUS / "cases.json").read_text())["cases"] if (CORPUS / "cases.json").exists() else []
ORIGINAL_COMMANDS = list(cli.COMMANDS)
DEFAULT_ARGS = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "",
                "-b", "*", "-d", "15090,15021,15020"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Only the variables a test sets: istio-iptables reads every flag's variable."""
    for flag in config.FLAGS:
        monkeypatch.delenv(flag.env, raising=False)
    for name in ("ISTIO_META_DNS_CAPTURE", "INVALID_DROP", "ENVOY_USER"):
        monkeypatch.delenv(name, raising=False)
    # Other teams' commands may not be importable yet; this file tests only ours.
    monkeypatch.setattr(cli, "COMMANDS", ["iptables"])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["iptables", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _host_args(case: dict) -> list[str]:
    host = case["host"]
    args = ["--ipv6"] if host["enable_inbound_ipv6"] else []
    if host.get("resolv_conf_nameservers"):
        args += ["--dns-servers", ",".join(host["resolv_conf_nameservers"])]
    return args


def test_registered_in_cli_commands():
    assert "iptables" in ORIGINAL_COMMANDS


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case_command_list(case, capsys, monkeypatch):
    need_shared("conformance", "iptables")
    for name, value in case["env"].items():
        monkeypatch.setenv(name, value)
    code, out, err = run(capsys, *case["argv"], "--restore-format=false", *_host_args(case))
    assert code == 0, err
    assert out.strip() == (CORPUS / case["expected"]).read_text().strip()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case_restore_format_false_from_env(case, capsys, monkeypatch):
    need_shared("conformance", "iptables")
    for name, value in case["env"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RESTORE_FORMAT", "false")
    code, out, _ = run(capsys, *case["argv"], *_host_args(case))
    assert code == 0
    assert out.strip() == (CORPUS / case["expected"]).read_text().strip()


def test_default_output_is_pod_log_restore_payload(capsys):
    need_shared("conformance", "iptables")
    code, out, err = run(capsys, *DEFAULT_ARGS)
    assert code == 0 and err == ""
    assert out.strip() == (CORPUS / "pod-log-default-injection.iptables-restore.txt").read_text().strip()
    assert out.endswith("COMMIT\n")


def test_default_injection_from_environment(capsys, monkeypatch):
    need_shared("conformance", "iptables")
    for name, value in {"ENVOY_PORT": "15001", "PROXY_UID": "1337",
                        "ISTIO_INBOUND_INTERCEPTION_MODE": "REDIRECT", "ISTIO_SERVICE_CIDR": "*",
                        "ISTIO_INBOUND_PORTS": "*", "ISTIO_LOCAL_EXCLUDE_PORTS": "15090,15021,15020"}.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run(capsys)
    assert code == 0
    assert out.strip() == (CORPUS / "pod-log-default-injection.iptables-restore.txt").read_text().strip()


def test_ipv6_prints_both_payloads(capsys):
    code, out, _ = run(capsys, "-b", "80", "--ipv6")
    assert code == 0
    v4, v6 = out.split("# ip6tables-restore --noflush\n")
    assert v4.startswith("# iptables-restore --noflush\n* nat\n")
    assert "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN" in v4
    assert "-A ISTIO_OUTPUT -d ::1/128 -j RETURN" in v6 and "127.0.0.1" not in v6


def test_multi_table_payload(capsys):
    code, out, _ = run(capsys, "-m", "TPROXY", "-b", "*", "--redirect-dns", "--dns-servers", "10.96.0.10")
    assert code == 0
    assert [l for l in out.splitlines() if l.startswith("*")] == ["* nat", "* mangle", "* raw"]
    assert out.count("COMMIT\n") == 3
    assert "-A PREROUTING -p udp --sport 53 -d 10.96.0.10/32 -j CT --zone 1" in out


def test_resolv_conf_option(capsys, tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("search default.svc.cluster.local\nnameserver 10.96.0.10\nnameserver fd00::a\n")
    code, out, _ = run(capsys, "--redirect-dns", "--resolv-conf", str(resolv), "--ipv6", "-f=false")
    assert code == 0
    assert "iptables -t nat -A OUTPUT -p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053" in out
    assert "ip6tables -t nat -A OUTPUT -p udp --dport 53 -d fd00::a/128 -j REDIRECT --to-port 15053" in out


def test_explain_without_pod(capsys):
    code, out, _ = run(capsys, *DEFAULT_ARGS, "--explain")
    assert code == 0
    comments = [l for l in out.splitlines() if l.startswith("#")]
    text = "\n".join(comments)
    assert "15006" in text and "15001" in text and "UID 1337" in text
    assert "15090, 15021, 15020" in text
    assert any(l.startswith("#   nat ISTIO_OUTPUT (") for l in comments)
    assert [l for l in out.splitlines() if not l.startswith("#")][0] == "* nat"


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["-nh"], ["-p", "1", "--help=true"]])
def test_help(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.startswith("usage: injector iptables")
    for flag in config.FLAGS:
        assert f"--{flag.name}" in out and f"${flag.env}" in out
    assert "--from-pod" in out and "--dns-servers" in out


# --- --from-pod -----------------------------------------------------------------------

def _pod(args, command=None, env=None, name="web", init_name="istio-init"):
    init = {"name": init_name, "image": "docker.io/istio/proxyv2:1.12.6", "args": args}
    if command:
        init["command"] = command
    if env:
        init["env"] = env
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"initContainers": [init],
                     "containers": [{"name": "app", "image": "nginx"}, {"name": "istio-proxy"}]}}


def _payload(out: str) -> str:
    return "\n".join(l for l in out.splitlines() if not l.startswith("#")).strip()


def test_from_pod_default_injection(capsys, tmp_path):
    need_shared("conformance", "iptables")
    path = tmp_path / "pod.yaml"
    path.write_text(yaml.safe_dump(_pod(["istio-iptables", *DEFAULT_ARGS])))
    code, out, err = run(capsys, "--from-pod", str(path))
    assert code == 0, err
    assert _payload(out) == (CORPUS / "pod-log-default-injection.iptables-restore.txt").read_text().strip()
    assert out.startswith("# Pod shop/web, init container istio-init:\n")
    assert "#   istio-iptables -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x '' -b '*'" in out
    assert "inbound: TCP to every port except 15008, 22, 15090, 15021, 15020" in out
    assert "Envoy's outbound listener on port 15001" in out
    assert "UID 1337 and GID 1337" in out


def test_from_pod_pilot_agent_command_json_deployment(capsys, tmp_path):
    pod = _pod(["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY",
                "-i", "10.0.0.0/8", "-b", "8080", "--log_output_level=default:info"],
               command=["/usr/local/bin/pilot-agent"],
               env=[{"name": "ISTIO_META_DNS_CAPTURE", "value": "true"},
                    {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}])
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "shop", "namespace": "prod"},
                  "spec": {"template": {"metadata": {"labels": {"app": "shop"}}, "spec": pod["spec"]}}}
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(deployment))
    code, out, _ = run(capsys, "--from-pod", str(path), "--dns-servers", "10.96.0.10",
                       "--restore-format=false")
    assert code == 0
    assert out.startswith("# Deployment prod/shop, init container istio-init:")
    assert "#   env ISTIO_META_DNS_CAPTURE=true" in out
    assert "iptables -t mangle -A ISTIO_INBOUND -p tcp --dport 8080 -j ISTIO_TPROXY" in out
    assert "iptables -t nat -A ISTIO_OUTPUT -p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053" in out
    assert "iptables -t nat -A ISTIO_OUTPUT -d 10.0.0.0/8 -j ISTIO_REDIRECT" in out
    assert "DNS: port-53 traffic from the app to 10.96.0.10" in out
    assert "mangle ISTIO_TPROXY (1 rule): TPROXY to Envoy's inbound listener on 15006" in out


def test_from_pod_list_explains_each_pod(capsys, tmp_path):
    docs = [_pod(["istio-iptables", "-b", "*"], name="a"), {"kind": "Service", "metadata": {"name": "s"}},
            _pod(["istio-iptables", "-b", ""], name="b")]
    path = tmp_path / "pods.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    code, out, _ = run(capsys, "--from-pod", str(path))
    assert code == 0
    assert "# Pod shop/a, init container istio-init:" in out and "# Pod shop/b, init container istio-init:" in out
    assert out.count("COMMIT\n") == 2
    assert "inbound: not captured (-b is empty)." in out


def test_from_pod_validation_container(capsys, tmp_path):
    path = tmp_path / "cni.yaml"
    path.write_text(yaml.safe_dump(_pod(["istio-iptables", "-b", "*", "--run-validation", "--skip-rule-apply"],
                                        init_name="istio-validation")))
    code, out, _ = run(capsys, "--from-pod", str(path))
    assert code == 0
    assert "init container istio-validation" in out and "--skip-rule-apply" in out
    assert _payload(out) == ""


@pytest.mark.parametrize("relpath, mode", [
    ("istio-1.7.3/inject/hello-tproxy.yaml.injected", "TPROXY"),
    ("istio-1.29.6/inject/hello.yaml.injected", "REDIRECT"),
])
def test_from_pod_corpus_workloads(capsys, relpath, mode):
    path = need_shared("conformance", *relpath.split("/"))
    code, out, err = run(capsys, "--from-pod", str(path))
    assert code == 0, err
    assert f"is captured ({mode})" in out
    assert "-A ISTIO_OUTPUT -j ISTIO_REDIRECT" in out


# --- errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, code, message", [
    (["--envoy-prot", "1"], 2, "unknown flag: --envoy-prot"),
    (["-c", "eth0"], 2, "use --istio-exclude-interfaces"),
    (["-p"], 2, "flag needs an argument: -p"),
    (["--redirect-dns=maybe"], 2, '"--redirect-dns" flag'),
    (["extra"], 2, "unexpected argument 'extra'"),
    (["-b", "80,http"], 3, "-b/--istio-inbound-ports: bad port 'http'"),
    (["-q", "99999"], 3, "-q/--istio-outbound-ports: bad port '99999'"),
    (["-i", "10.0.0.0"], 3, "-i/--istio-service-cidr: bad CIDR '10.0.0.0'"),
    (["-x", "*"], 3, "-x/--istio-service-exclude-cidr: '*' is not allowed"),
    (["-m", "tproxy"], 3, "unknown mode 'tproxy'"),
    (["-p", "envoy"], 3, "-p/--envoy-port: bad port 'envoy'"),
    (["--dns-servers", "1.1.1.1", "--resolv-conf", "/etc/resolv.conf"], 2, "not both"),
    (["--resolv-conf", "/nonexistent/resolv.conf"], 3, "--resolv-conf /nonexistent/resolv.conf: cannot read"),
    (["--from-pod", "/nonexistent/pod.yaml"], 3, "/nonexistent/pod.yaml: cannot read"),
])
def test_errors(capsys, argv, code, message):
    got, out, err = run(capsys, *argv)
    assert got == code
    assert out == ""
    assert message in err


def test_error_names_environment_variable(capsys, monkeypatch):
    monkeypatch.setenv("ISTIO_LOCAL_EXCLUDE_PORTS", "15090,abc")
    code, _, err = run(capsys, "-b", "*")
    assert code == 3 and "env ISTIO_LOCAL_EXCLUDE_PORTS: bad port 'abc'" in err


def test_lenient_skips_bad_cidr_like_istio(capsys):
    code, out, err = run(capsys, "-i", "10.0.0.0,10.1.0.0/16", "--lenient", "-f=false")
    assert code == 0
    assert "ignoring bad ip range '10.0.0.0'" in err
    lines = out.splitlines()
    assert "iptables -t nat -A ISTIO_OUTPUT -d 10.1.0.0/16 -j ISTIO_REDIRECT" in lines
    assert not any("-d 10.0.0.0" in l for l in lines)
    code, out, _ = run(capsys, "-b", "http", "--lenient", "-f=false")
    assert code == 0 and "iptables -t nat -A ISTIO_INBOUND -p tcp --dport http -j ISTIO_IN_REDIRECT" in out


@pytest.mark.parametrize("content, message", [
    ("kind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: app}]}\n", "no istio-init container in Pod x"),
    ("kind: ConfigMap\nmetadata: {name: x}\ndata: {}\n", "no pod or workload"),
    ("kind: Pod\nspec: [unclosed\n", "not valid YAML or JSON"),
    ("kind: Pod\nmetadata: {name: x}\nspec:\n  initContainers:\n  - name: istio-init\n"
     "    command: [sh, -c, 'iptables -F']\n  containers: []\n", "does not run istio-iptables"),
    ("kind: Pod\nmetadata: {name: x}\nspec:\n  initContainers:\n  - name: istio-init\n"
     "    args: [istio-iptables, --bogus]\n  containers: []\n", "istio-init: unknown flag: --bogus"),
    ("kind: Pod\nmetadata: {name: x}\nspec:\n  initContainers:\n  - name: istio-init\n"
     "    args: [istio-iptables, -i, 'nope']\n  containers: []\n", "bad CIDR 'nope'"),
])
def test_from_pod_bad_files(capsys, tmp_path, content, message):
    path = tmp_path / "pod.yaml"
    path.write_text(content)
    code, out, err = run(capsys, "--from-pod", str(path))
    assert code == 3
    assert out == ""
    assert str(path) in err and message in err


def test_from_pod_rejects_istio_flags(capsys, tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(yaml.safe_dump(_pod(["istio-iptables"])))
    code, _, err = run(capsys, "--from-pod", str(path), "-p", "15001")
    assert code == 2 and "--envoy-port cannot be combined with --from-pod" in err
