"""`kube-inject` over YAML streams and the `injector kube-inject` command."""
from __future__ import annotations

import argparse
import textwrap

import pytest

pytest.importorskip("injector.template.funcs.sets", reason="template engine not available in this checkout")

from injector import goyaml
from injector.commands import kube_inject as cmd
from injector.kubeinject import KubeInjectError, kube_inject
from tests.test_inject import LEGACY_CONFIG, MODERN_CONFIG, VALUES, legacy_settings, modern_settings

DEPLOYMENT = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      namespace: ns
    spec:
      selector:
        matchLabels: {app: shop}
      template:
        metadata:
          labels: {app: shop}
        spec:
          containers:
          - name: app
            image: app:1
    """)
SERVICE = "kind: Service\napiVersion: v1\nmetadata:\n  name:   shop   # odd spacing kept\nspec:\n  ports:\n  - port: 80\n"
CRONJOB = textwrap.dedent("""\
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: tick
    spec:
      schedule: "* * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: job
                image: busybox
    """)


def docs(text):
    return [d for d in goyaml.load_all(text) if d is not None]


def containers(obj):
    return [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]]


def test_workloads_injected_other_kinds_byte_for_byte():
    out = kube_inject(DEPLOYMENT + "---\n" + SERVICE, legacy_settings()).text
    assert out.endswith(SERVICE + "---\n")
    d = docs(out)[0]
    assert containers(d) == ["app", "istio-proxy"]
    assert d["metadata"]["creationTimestamp"] is None  # legacy output keeps it, as istioctl 1.7 did
    assert out.count("---\n") == 2


def test_cronjob_annotates_the_job_template_and_lists_recurse():
    modern = modern_settings()
    d = docs(kube_inject(CRONJOB, modern).text)[0]
    jt = d["spec"]["jobTemplate"]
    assert "sidecar.istio.io/status" in jt["metadata"]["annotations"]
    assert [c["name"] for c in jt["spec"]["template"]["spec"]["containers"]] == ["job", "istio-proxy"]
    lst = "apiVersion: v1\nkind: List\nitems:\n" + textwrap.indent(
        "- " + DEPLOYMENT.replace("\n", "\n  ", DEPLOYMENT.count("\n") - 1), "")
    out = docs(kube_inject(lst, modern).text)[0]
    assert out["kind"] == "List" and containers(out["items"][0]) == ["app", "istio-proxy"]


def test_host_network_and_disabled_are_skipped_with_warnings():
    obj = docs(DEPLOYMENT)[0]
    obj["spec"]["template"]["spec"]["hostNetwork"] = True
    res = kube_inject(goyaml.dump(obj), modern_settings())
    assert containers(docs(res.text)[0]) == ["app"]
    assert res.warnings and 'Deployment "ns/shop" has host networking enabled' in res.warnings[0]
    obj = docs(DEPLOYMENT)[0]
    obj["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "false"
    res = kube_inject(goyaml.dump(obj), modern_settings())
    assert containers(docs(res.text)[0]) == ["app"] and "injection disabled" in res.warnings[0]


def test_legacy_skips_already_injected_and_modern_is_idempotent():
    once = kube_inject(DEPLOYMENT, legacy_settings()).text
    res = kube_inject(once, legacy_settings())
    assert docs(res.text) == docs(once) and "sidecar already" in res.warnings[0]
    m = modern_settings()
    once = kube_inject(DEPLOYMENT, m).text
    assert kube_inject(once, m).text == once


@pytest.mark.parametrize("text, where", [
    ("a: [unclosed", "document 1: not valid YAML"),
    ("- just\n- a list\n", "document 1: expected a Kubernetes object"),
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n", "document 1 (Deployment 'x'): spec is required"),
    ("apiVersion: x/v1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  template:\n    spec:\n      containers: []\n",
     "kind 'Rollout' is not a workload"),
    (SERVICE + "---\napiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: rc\nspec: {}\n",
     "document 2 (ReplicationController 'rc'): spec.template is required"),
])
def test_bad_manifests_name_document_and_field(text, where):
    with pytest.raises(KubeInjectError) as e:
        kube_inject(text, legacy_settings())
    assert where in str(e.value)


def test_template_error_names_document():
    bad = LEGACY_CONFIG.replace("{{ .Spec.ServiceAccountName }}", "{{ index .Spec.Containers 5 }}")
    from injector.config import parse_config
    from injector.settings import Settings

    s = Settings.build(parse_config(bad), VALUES, "")
    with pytest.raises(KubeInjectError, match=r"document 1 \(Deployment 'shop'\)"):
        kube_inject(DEPLOYMENT, s)


def run_cli(argv, capsys):
    p = argparse.ArgumentParser(prog="injector")
    cmd.register(p.add_subparsers(dest="command"))
    args = p.parse_args(["kube-inject", *argv])
    rc = args.func(args)
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_usage_errors(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, out, err = run_cli([], capsys)
    assert rc == 2 and "filename not specified (see --filename or -f)" in err and out == ""
    rc, out, err = run_cli(["-f", "missing.yaml"], capsys)
    assert rc == 3 and "open missing.yaml: no such file or directory" in err


def test_cli_writes_only_on_success(capsys, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(MODERN_CONFIG)
    values = tmp_path / "values.json"
    import json

    values.write_text(json.dumps(VALUES))
    good = tmp_path / "app.yaml"
    good.write_text(DEPLOYMENT)
    target = tmp_path / "out.yaml"
    flags = ["--injectConfigFile", str(cfg), "--valuesFile", str(values)]
    rc, out, err = run_cli(["-f", str(good), "-o", str(target), *flags], capsys)
    assert rc == 0, err
    assert containers(docs(target.read_text())[0])[-1] == "istio-proxy"
    previous = target.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEPLOYMENT + "---\nkind: Deployment\napiVersion: apps/v1\nmetadata: {name: y}\n")
    rc, out, err = run_cli(["-f", str(bad), "-o", str(target), *flags], capsys)
    assert rc == 3 and "document 2" in err
    assert target.read_text() == previous  # nothing written half-way
    rc, out, err = run_cli(["-f", str(bad), *flags], capsys)
    assert rc == 3 and out == ""
