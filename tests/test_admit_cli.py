"""`injector admit`: the webhook's answer offline, through the same code path."""
import base64
import json

import jsonpatch
import yaml

from injector.cli import main
from tests.conftest import ROOT

REVIEW = ROOT / "examples" / "review.json"


def run(capsys, *argv):
    code = main(["admit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_response_patch_injects_the_sidecar(capsys):
    code, out, _ = run(capsys, "-f", str(REVIEW))
    assert code == 0
    doc = json.loads(out)
    resp = doc["response"]
    assert doc["kind"] == "AdmissionReview" and resp["allowed"] and resp["patchType"] == "JSONPatch"
    pod = json.loads(REVIEW.read_text())["request"]["object"]
    mutated = jsonpatch.apply_patch(pod, json.loads(base64.b64decode(resp["patch"])))
    names = [c["name"] for c in mutated["spec"]["containers"]]
    assert names == ["nginx", "istio-proxy"]
    assert mutated["spec"]["initContainers"][0]["name"] == "istio-init"
    args = mutated["spec"]["initContainers"][0]["args"]
    assert args[args.index("-p") + 1] == "15001" and args[args.index("-z") + 1] == "15006"


def test_apply_prints_the_injected_pod_and_path_envs(capsys):
    code, out, _ = run(capsys, "-f", str(REVIEW), "--apply", "--path", "/inject/cluster/c1/net/n1")
    assert code == 0
    pod = yaml.safe_load(out)
    proxy = next(c for c in pod["spec"]["containers"] if c["name"] == "istio-proxy")
    env = {e["name"]: e.get("value") for e in proxy["env"]}
    assert env["ISTIO_META_CLUSTER_ID"] == "c1" and env["ISTIO_META_NETWORK"] == "n1"
    assert "sidecar.istio.io/status" in pod["metadata"]["annotations"]


def test_opted_out_pod_is_allowed_unchanged(capsys, tmp_path):
    review = json.loads(REVIEW.read_text())
    review["request"]["object"]["metadata"]["annotations"] = {"sidecar.istio.io/inject": "false"}
    f = tmp_path / "r.json"
    f.write_text(json.dumps(review))
    code, out, _ = run(capsys, "-f", str(f), "--apply", "-o", "json")
    assert code == 0 and json.loads(out) == review["request"]["object"]


def test_bad_inputs_exit_3_with_a_message(capsys, tmp_path):
    code, _, err = run(capsys, "-f", str(tmp_path / "missing.json"))
    assert code == 3 and "cannot read" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    code, out, _ = run(capsys, "-f", str(bad))
    assert code == 3 and json.loads(out)["response"]["allowed"] is False
    code, _, err = run(capsys, "-f", str(bad), "--apply")
    assert code == 3 and "could not decode body" in err
