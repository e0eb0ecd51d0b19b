"""`injector check`: the decision and its reasons for pods and workloads."""
from __future__ import annotations

import argparse
import io
import json

import pytest
import yaml

from injector.commands import check
from tests.conftest import need_shared
from tests.test_policy import TABLES, expected_reason


def _parser():
    p = argparse.ArgumentParser(prog="injector")
    sub = p.add_subparsers(dest="command")
    check.register(sub)
    return p


def run_check(argv):
    args = _parser().parse_args(["check", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, out, err)
    return code, out.getvalue(), err.getvalue()


def _explain_rows(tmp_path, corpus, legacy):
    table = json.loads(need_shared("conformance", corpus, "policy-cases.json").read_text())
    rows = table["inject_required"]
    passed = 0
    for row in rows:
        cfg = {"policy": row["config"]["policy"]}
        if legacy:
            cfg["template"] = "containers: []\n"
        else:
            cfg.update(defaultTemplates=["sidecar"], templates={"sidecar": "spec: {}\n"})
        for key in ("alwaysInjectSelector", "neverInjectSelector"):
            if key in row["config"]:
                cfg[key] = row["config"][key]
        (tmp_path / "config.yaml").write_text(yaml.safe_dump(cfg))
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": row["pod"]["metadata"],
               "spec": {"containers": [{"name": "app", "image": "app"}], **(row["pod"].get("spec") or {})}}
        (tmp_path / "pod.yaml").write_text(yaml.safe_dump(pod))
        code, out, err = run_check(["-f", str(tmp_path / "pod.yaml"), "--injectConfigFile", str(tmp_path / "config.yaml"),
                                    "--namespace-labels", "istio-injection=enabled", "-o", "json"])
        assert code == 0, err
        (result,) = json.loads(out)["results"]
        assert result["inject"] is row["want"], row["id"]
        labels = row["pod"]["metadata"].get("labels") or {}
        if not legacy and labels.get("sidecar.istio.io/inject") == "false":
            # the webhooks' object selector keeps such pods away from the injector
            assert result["reason"] == "webhook-not-selected", row["id"]
        else:
            assert result["reason"] == expected_reason(row, "legacy" if legacy else "templates"), row["id"]
            assert result["reasons"][0]["code"] == "webhook-selected"
        passed += 1
    return passed, len(rows)


@pytest.mark.parametrize("corpus,rules", TABLES)
def test_policy_rows_explained(tmp_path, corpus, rules):
    """Every TestInjectRequired row (1.7.3: 29, 1.29.6: 36): the decision and its reason."""
    passed, total = _explain_rows(tmp_path, corpus, legacy=rules == "legacy")
    assert passed == total > 0


def _write(tmp_path, docs):
    f = tmp_path / "in.yaml"
    f.write_text(yaml.safe_dump_all(docs))
    return str(f)


DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
          "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def test_namespace_selection(tmp_path):
    f = _write(tmp_path, [DEPLOY, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}])
    code, out, _ = run_check(["-f", f, "--namespace-labels", "team=a"])
    assert code == 0
    assert "Deployment shop/web: NOT INJECTED" in out and "[webhook-not-selected]" in out
    assert "istio-injection=enabled" in out and "Service web: not a pod or workload" in out
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio-injection=disabled", "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["inject"] is False and "istio-injection=disabled" in r["reasons"][0]["message"]
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio-injection=enabled", "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["inject"] is True and r["reason"] == "policy-enabled"
    # revisions: the namespace must carry istio.io/rev=<rev>
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio.io/rev=canary", "-r", "canary", "-o", "json"])
    assert json.loads(out)["results"][0]["inject"] is True
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio-injection=enabled", "-r", "canary", "-o", "json"])
    assert json.loads(out)["results"][0]["inject"] is False
    # unknown namespace labels: assumed selected, said so
    code, out, _ = run_check(["-f", f, "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["inject"] is True and r["reasons"][0]["code"] == "namespace-unknown"


def test_object_selector_and_cluster_objects(tmp_path):
    dep = yaml.safe_load(yaml.safe_dump(DEPLOY))
    dep["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "true"
    f = _write(tmp_path, [dep])
    objs = tmp_path / "cluster.yaml"
    objs.write_text("kind: Namespace\nmetadata: {name: shop}\n")
    code, out, _ = run_check(["-f", f, "--cluster-objects", str(objs), "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["inject"] is True and "object.sidecar-injector" in r["reasons"][0]["message"]
    assert r["reason"] == "label"
    dep["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] = "false"
    f = _write(tmp_path, [dep])
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio-injection=enabled", "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["inject"] is False and "excludes it" in r["reasons"][0]["message"]


def test_host_network_and_kinds(tmp_path):
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostNetwork": True, "containers": []}}}}}}
    lst = {"apiVersion": "v1", "kind": "List", "items": [DEPLOY]}
    f = _write(tmp_path, [cron, lst])
    code, out, _ = run_check(["-f", f, "--namespace-labels", "istio-injection=enabled", "-o", "json"])
    res = json.loads(out)["results"]
    assert [(r["object"], r["inject"], r["reason"]) for r in res] == [
        ("CronJob default/c", False, "host-network"), ("Deployment shop/web", True, "policy-enabled")]


@pytest.mark.parametrize("content,msg", [
    ("a: [", "not valid YAML"),
    ("kind: Deployment\nmetadata: {name: x}\nspec: {}\n", "spec.template"),
    ("metadata: {name: x}\n", "missing field 'kind'"),
    ("kind: Service\nmetadata: {name: x}\n", "no pod or workload"),
])
def test_bad_files(tmp_path, content, msg):
    f = tmp_path / "bad.yaml"
    f.write_text(content)
    code, out, err = run_check(["-f", str(f)])
    assert code == 3 and msg in err and str(f) in err


def test_bad_flags(tmp_path):
    f = _write(tmp_path, [DEPLOY])
    code, _, err = run_check(["-f", f, "--namespace-labels", "novalue"])
    assert code == 3 and "--namespace-labels" in err
    code, _, err = run_check(["-f", str(tmp_path / "nope.yaml")])
    assert code == 3 and "nope.yaml" in err
    code, _, err = run_check(["-f", f, "--injectConfigFile", str(tmp_path / "nope.yaml")])
    assert code == 3 and "--injectConfigFile" in err


def test_namespace_in_same_file(tmp_path):
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}
    f = _write(tmp_path, [ns, DEPLOY])
    code, out, _ = run_check(["-f", f, "-o", "json"])
    data = json.loads(out)
    assert data["skipped"] == [] and data["results"][0]["reasons"][0]["code"] == "webhook-selected"
    # the flag wins over the file
    code, out, _ = run_check(["-f", f, "-o", "json", "--namespace-labels", "x=y"])
    assert json.loads(out)["results"][0]["inject"] is False


def test_diff_shows_the_injection(tmp_path):
    pytest.importorskip("injector.inject")
    jsonpatch = pytest.importorskip("jsonpatch")
    from tests.test_config import ENGINE
    if not ENGINE:
        pytest.skip("template engine not available")
    f = _write(tmp_path, [DEPLOY])
    code, out, err = run_check(["-f", f, "--namespace-labels", "istio-injection=enabled", "--diff", "-o", "json"])
    assert code == 0, err
    r = json.loads(out)["results"][0]
    pod = {"metadata": DEPLOY["spec"]["template"]["metadata"], "spec": DEPLOY["spec"]["template"]["spec"]}
    injected = jsonpatch.apply_patch(pod, r["patch"])
    assert [c["name"] for c in injected["spec"]["containers"]] == ["web", "istio-proxy"]
    assert [c["name"] for c in injected["spec"]["initContainers"]] == ["istio-init"]
    assert "+  - name: istio-init" in r["diff"] or "+    name: istio-init" in r["diff"]
    assert r["diff"].startswith("--- Deployment shop/web spec.template (before)")
    code, out, _ = run_check(["-f", f, "--diff"])
    assert "JSON Patch:" in out and "@@" in out
    # not injected: no change
    code, out, _ = run_check(["-f", f, "--namespace-labels", "a=b", "--diff", "-o", "json"])
    r = json.loads(out)["results"][0]
    assert r["patch"] == [] and r["diff"] == ""
