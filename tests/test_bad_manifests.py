"""`injector kube-inject -f` on bad manifests: a clear error, exit 3, nothing written.

Issue 3's "Bad manifests": not YAML, an unknown kind with a pod template, a missing spec,
wrong types, a template error from the config (exec and parse: `NAME:LINE:COL`), a
multi-document stream whose 3rd document is bad. Each names the document (index, kind,
name) and the field; stdout stays empty and `-o FILE` is neither created nor modified.

The table goes through `injector.cli.main`; the property test (hypothesis) feeds mutated
corpus workloads to `kube_inject` (what the command runs) on the embedded default config
and on Istio 1.7.3's and 1.29.6's: every run either succeeds with output that keeps every
container, or raises KubeInjectError naming the document and where, without Python
internals. ROBUSTNESS_EXAMPLES / ROBUSTNESS_RANDOM scale it as in test_robustness.
"""
from __future__ import annotations

import copy
import functools
import os
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from injector import cli, goyaml
from injector.kubeinject import KubeInjectError, kube_inject
from injector.settings import Settings
from tests.conftest import CONFORMANCE, ROOT, need_shared
from tests.test_robustness import INTERNALS, REPLACEMENTS, ANNOTATION_VALUES, ANNOTATIONS

EXAMPLES = int(os.environ.get("ROBUSTNESS_EXAMPLES", "300"))
DERANDOMIZE = os.environ.get("ROBUSTNESS_RANDOM", "") != "1"
EXIT_REJECTED = 3

DEPLOYMENT = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {name}
      namespace: shop
    spec:
      selector:
        matchLabels: {{app: {name}}}
      template:
        metadata:
          labels: {{app: {name}}}
        spec:
          containers:
          - name: app
            image: nginx
            ports:
            - containerPort: 80
          - name: side
            image: busybox
    """)
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports:\n  - port: 80\n"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(["kube-inject", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def _assert_clear(err: str) -> str:
    """One `Error: ...` message without Python internals; returns it."""
    assert err.startswith("Error: "), err
    leaked = [w for w in INTERNALS if w in err]
    assert not leaked, f"Python internals {leaked} in: {err}"
    return err


# ----------------------------------------------------------------------- table

def test_the_good_stream_injects(tmp_path, capsys):
    """The baseline the bad cases are variations of."""
    f = _write(tmp_path, "ok.yaml", SERVICE + "---\n" + DEPLOYMENT.format(name="a"))
    code, out, err = run(["-f", f], capsys)
    assert code == 0, err
    docs = [goyaml.load(d) for d in goyaml.split_documents(out)]
    names = [c["name"] for c in docs[1]["spec"]["template"]["spec"]["containers"]]
    assert {"app", "side", "istio-proxy"} <= set(names)


BAD_DOCUMENTS = [
    ("not-yaml", "kind: Pod\nmetadata: {name: x\nspec: [\n",
     ["document 1: not valid YAML: line 3, column 5", "did not find expected ',' or '}'", "line 2, column 11"]),
    ("tab-indent", "kind: Pod\nmetadata:\n\tname: x\n",
     ["document 1: not valid YAML: line 3, column 1"]),
    ("scalar-document", "just a string\n", ["document 1: expected a Kubernetes object (a map), got str"]),
    ("null-map-key", "kind: Pod\nmetadata: {name: p, labels: {~: x}}\n",
     ["document 1: not valid YAML: Unsupported map key of type: <nil>, key: null"]),
    ("unknown-kind-with-template",
     "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n"
     "    spec: {containers: [{name: a, image: nginx}]}\n",
     ["document 1 (Rollout 'r')", "kind 'Rollout' is not a workload kube-inject knows", "spec.template"]),
    ("no-kind-with-containers", "metadata: {name: bare}\nspec: {containers: [{name: a, image: x}]}\n",
     ["document 1", "has no kind", "spec.containers"]),
    ("kind-not-a-string", "kind: [Pod]\nmetadata: {name: x}\nspec: {}\n",
     ["document 1: kind: expected a string, got a list"]),
    ("missing-spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nospec}\n",
     ["document 1 (Deployment 'nospec'): spec is required"]),
    ("spec-not-a-map", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: [1]\n",
     ["document 1 (Deployment 'd'): spec must be a map"]),
    ("list-items-not-a-list", "apiVersion: v1\nkind: List\nitems: {a: 1}\n", ["document 1 (List)", "items"]),
    ("port-not-a-number",
     DEPLOYMENT.format(name="b").replace("containerPort: 80", "containerPort: http"),
     ["document 1 (Deployment 'b')", "spec.template.spec.containers[0].ports[0].containerPort", "int"]),
    ("containers-not-a-list",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: nope}\n",
     ["document 1 (Pod 'p')", "spec.containers", "slice"]),
    ("labels-a-list",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: [a]}\nspec: {containers: [{name: a, image: x}]}\n",
     ["document 1 (Pod 'p')", "metadata.labels", "map"]),
    ("env-value-a-map",
     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, env: [{name: E, value: {x: 1}}]}]}\n",
     ["document 1 (Pod 'p')", "spec.containers[0].env[0].value"]),
    ("overrides-annotation-wrong-shape",
     DEPLOYMENT.format(name="o").replace(
         "      labels: {app: o}", "      labels: {app: o}\n      annotations:\n"
         "        proxy.istio.io/overrides: '{\"containers\": [{\"name\": 5}]}'"),
     ["document 1 (Deployment 'o')",
      'spec.template.metadata.annotations["proxy.istio.io/overrides"].containers[0].name: expected a string, got 5']),
    ("bad-include-ranges",
     DEPLOYMENT.format(name="t").replace(
         "      labels: {app: t}", "      labels: {app: t}\n      annotations:\n"
         "        traffic.sidecar.istio.io/includeOutboundIPRanges: 10.0.0.0/33"),
     ["document 1 (Deployment 't')", "traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/33"]),
    ("annotation-renders-a-bad-quantity",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {sidecar.istio.io/proxyCPU: lots}\n"
     "spec: {containers: [{name: a, image: x}]}\n",
     ["document 1 (Pod 'p')", "template 'sidecar' rendered an invalid pod: container 'istio-proxy'",
      'resources.requests["cpu"]', 'got "lots"']),
    ("bad-status-port",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {status.sidecar.istio.io/port: x}\n"
     "spec: {containers: [{name: a, image: x}]}\n",
     ["document 1 (Pod 'p')", "status.sidecar.istio.io/port"]),
    ("bad-proxy-config",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {proxy.istio.io/config: 'concurrency: many'}\n"
     "spec: {containers: [{name: a, image: x}]}\n",
     ["document 1 (Pod 'p')", "proxy.istio.io/config", "concurrency"]),
]


@pytest.mark.parametrize("name,text,needles", BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS])
def test_bad_documents_are_rejected_naming_document_and_field(tmp_path, capsys, name, text, needles):
    f = _write(tmp_path, "in.yaml", text)
    code, out, err = run(["-f", f], capsys)
    assert code == EXIT_REJECTED and out == ""
    err = _assert_clear(err)
    assert err.startswith(f"Error: {f}: ")
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


@pytest.mark.parametrize("bad,needles", [
    (DEPLOYMENT.format(name="broken").replace("- name: side\n        image: busybox",
                                               "- name: side\n        image: busybox\n        ports: [{containerPort: http}]"),
     ["document 3 (Deployment 'broken')", "containers[1].ports[0].containerPort"]),
    # the flow mapping opened on line 30 is still open at the end of the document (line 31)
    ("kind: Pod\nmetadata: {name: x\n", ["document 3: not valid YAML: line 31, column 1",
                                          "while parsing a flow mapping at line 30, column 11"]),
    (DEPLOYMENT.format(name="ann").replace(
        "      labels: {app: ann}", "      labels: {app: ann}\n      annotations:\n"
        "        sidecar.istio.io/interceptionMode: BOGUS"),
     ["document 3 (Deployment 'ann')", "sidecar.istio.io/interceptionMode", "BOGUS"]),
])
def test_a_bad_third_document_writes_nothing(tmp_path, capsys, bad, needles):
    head = SERVICE + "---\n" + DEPLOYMENT.format(name="good") + "---\n"
    assert head.count("\n") == 28  # so document 3 starts at line 29
    text = head + bad + "---\n" + SERVICE
    f = _write(tmp_path, "in.yaml", text)
    out_file = tmp_path / "out.yaml"
    code, out, err = run(["-f", f, "-o", str(out_file)], capsys)
    assert code == EXIT_REJECTED and out == ""
    assert not out_file.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.yaml"]  # no temp file left either
    err = _assert_clear(err)
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"
    # An existing output file is left exactly as it was.
    out_file.write_text("previous content\n")
    code, out, err = run(["-f", f, "-o", str(out_file)], capsys)
    assert code == EXIT_REJECTED and out_file.read_text() == "previous content\n"


EXEC_ERROR_CONFIG = """\
policy: enabled
templates:
  sidecar: |
    spec:
      containers:
      - name: istio-proxy
        image: proxy
        args: [{{ (index .Spec.Containers 5).Name }}]
"""
WRONG_ARGS_CONFIG = """\
policy: enabled
templates:
  sidecar: |
    metadata:
      labels:
        x: {{ len 42 }}
"""
LEGACY_EXEC_ERROR_CONFIG = """\
policy: enabled
template: |
  containers:
  - name: istio-proxy
    image: {{ index .Spec.Containers 5 }}
"""


@pytest.mark.parametrize("config,name,line,col,action", [
    # positions as Go reports them (checked against text/template): the `index` command
    (EXEC_ERROR_CONFIG, "sidecar", 5, 15, "<index .Spec.Containers 5>"),
    (WRONG_ARGS_CONFIG, "sidecar", 3, 10, "<len 42>"),
    (LEGACY_EXEC_ERROR_CONFIG, "inject", 3, 12, "<index .Spec.Containers 5>"),
])
def test_template_exec_errors_name_document_and_template_position(tmp_path, capsys, config, name, line, col, action):
    cfg = _write(tmp_path, "config.yaml", config)
    f = _write(tmp_path, "in.yaml", SERVICE + "---\n" + DEPLOYMENT.format(name="x"))
    code, out, err = run(["-f", f, "--injectConfigFile", cfg, "-o", str(tmp_path / "out.yaml")], capsys)
    assert code == EXIT_REJECTED and out == "" and not (tmp_path / "out.yaml").exists()
    err = _assert_clear(err)
    assert "document 2 (Deployment 'x')" in err
    assert f'template: {name}:{line}:{col}: executing "{name}" at {action}: ' in err


@pytest.mark.parametrize("template,position,why", [
    ("spec:\n  containers: {{ nosuchfunc 1 }}\n", "sidecar:2:17", 'function "nosuchfunc" not defined'),
    ("spec:\n  a: {{ if .Values }}x\n", "sidecar:3:0", "unexpected EOF"),
    ("spec:\n  a: {{ $x }}\n", "sidecar:2:", 'undefined variable "$x"'),
    ("spec:\n  a: {{ .Values.x ) }}\n", "sidecar:2:", 'unexpected ")" in command'),
    ("a: {{ end }}\n", "sidecar:1:", "unexpected {{end}}"),
])
def test_template_parse_errors_name_line_and_column(tmp_path, capsys, template, position, why):
    config = "policy: enabled\ntemplates:\n  sidecar: |\n" + textwrap.indent(template, "    ")
    cfg = _write(tmp_path, "config.yaml", config)
    f = _write(tmp_path, "in.yaml", DEPLOYMENT.format(name="x"))
    code, out, err = run(["-f", f, "--injectConfigFile", cfg], capsys)
    assert code == EXIT_REJECTED and out == ""
    err = _assert_clear(err)
    assert re.search(rf"template: {re.escape(position)}\d*: ", err) if position.endswith(":") \
        else f"template: {position}: " in err, err
    assert why in err


def test_missing_values_give_a_go_shaped_exec_error(tmp_path, capsys):
    cfg_dir = need_shared("conformance", "istio-1.7.3", "config")
    values = _write(tmp_path, "values.json", "{}")
    f = _write(tmp_path, "in.yaml", DEPLOYMENT.format(name="x"))
    code, out, err = run(["-f", f, "--injectConfigFile", str(cfg_dir / "config.yaml"), "--valuesFile", values,
                          "--meshConfigFile", str(cfg_dir / "mesh.yaml")], capsys)
    assert code == EXIT_REJECTED and out == ""
    err = _assert_clear(err)
    assert re.search(r'document 1 \(Deployment \'x\'\): .*template: inject:\d+:\d+: executing "inject" at <\.Values\.', err)


def test_corpus_bad_include_ranges_case(capsys):
    """The corpus' own bad-annotation input is rejected with the annotation named."""
    root = need_shared("conformance", "istio-1.29.6")
    cfg = root / "config"
    f = root / "inject" / "traffic-annotations-bad-includeipranges.yaml"
    if not f.exists():
        pytest.skip(f"{f} not in this corpus")
    code, out, err = run(["-f", str(f), "--injectConfigFile", str(cfg / "config.yaml"),
                          "--valuesFile", str(cfg / "values.json"), "--meshConfigFile", str(cfg / "mesh.yaml")],
                         capsys)
    assert code == EXIT_REJECTED and out == ""
    assert "includeOutboundIPRanges" in _assert_clear(err)


def test_missing_and_unreadable_files(tmp_path, capsys):
    code, out, err = run(["-f", str(tmp_path / "nope.yaml")], capsys)
    assert code == EXIT_REJECTED and "no such file" in err
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00bad")
    code, out, err = run(["-f", str(tmp_path / "bin.yaml")], capsys)
    assert code == EXIT_REJECTED and "not UTF-8" in err
    code, out, err = run([], capsys)
    assert code == 2 and "filename not specified" in err


# ----------------------------------------------------------------------- property

WORKLOAD_KINDS = {"Pod", "Deployment", "StatefulSet", "CronJob", "Job", "DaemonSet", "ReplicaSet",
                  "ReplicationController", "DeploymentConfig", "List"}


def _corpus_docs(version: str) -> list[dict]:
    docs: list[dict] = []
    folder = CONFORMANCE / version / "inject"
    for f in sorted(folder.glob("*.yaml")) if folder.exists() else []:
        try:
            docs.extend(d for d in yaml.safe_load_all(f.read_text())
                        if isinstance(d, dict) and d.get("kind") in WORKLOAD_KINDS)
        except yaml.YAMLError:
            continue
    return docs


@functools.lru_cache(maxsize=None)
def _setup(which: str) -> tuple[Settings, list[dict]]:
    nginx = [d for d in yaml.safe_load_all((ROOT / "examples" / "nginx.yaml").read_text())
             if isinstance(d, dict) and d.get("kind") in WORKLOAD_KINDS]
    if which == "default":
        return Settings.default(), nginx + _corpus_docs("istio-1.29.6")
    cfg = need_shared("conformance", which, "config")
    docs = _corpus_docs(which)
    if not docs:
        pytest.skip(f"no workload inputs under {CONFORMANCE / which / 'inject'}")
    return Settings.load(str(cfg / "config.yaml"), str(cfg / "values.json"), str(cfg / "mesh.yaml")), docs


def _paths(o, p=()):
    yield p
    if len(p) >= 12:
        return
    if isinstance(o, dict):
        for k, v in o.items():
            yield from _paths(v, p + (k,))
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _paths(v, p + (i,))


def _get(obj, *keys):
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _container_names(obj) -> list[str]:
    """Container names of the pod spec(s) of a workload, at the places its kind keeps them
    (fields a kind does not have are dropped by the typed round trip, as istioctl drops them)."""
    if not isinstance(obj, dict):
        return []
    kind = obj.get("kind")
    if not isinstance(kind, str):
        return []
    if kind == "List":
        items = obj.get("items")
        return [n for item in (items if isinstance(items, list) else []) for n in _container_names(item)]
    spec = {"Pod": _get(obj, "spec"), "CronJob": _get(obj, "spec", "jobTemplate", "spec", "template", "spec")}.get(
        kind, _get(obj, "spec", "template", "spec"))
    names: list[str] = []
    for key in ("containers", "initContainers"):
        items = _get(spec, key)
        for c in items if isinstance(items, list) else []:
            if isinstance(c, dict) and isinstance(c.get("name"), str):
                names.append(c["name"])
    return names


KI_WHERE = re.compile(r"(?:^|[\s.(\[])(?:spec|metadata|items|kind|apiVersion)\b|annotation|Kubernetes object|\(at [^)]+\)|"
                      r"template: [^:\s]+:\d+:\d+: |template '|the injection template|line \d+, column \d+")


# YAML also has infinities and NaN, and numbers past float32's range in string fields.
YAML_REPLACEMENTS = st.one_of(REPLACEMENTS, st.sampled_from([float("inf"), float("-inf"), float("nan"),
                                                             3.5e38, -1e300, 2 ** 64, -(2 ** 63) - 1]))


@st.composite
def mutated_streams(draw, docs: list[dict]) -> tuple[str, int]:
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["replace", "replace", "annotation", "delete"]))
        paths = list(_paths(doc))[1:]
        if how == "annotation":
            metas = [p for p in paths if p[-1] == "metadata"]
            if metas:
                meta = doc
                for k in draw(st.sampled_from(metas)):
                    meta = meta[k]
                if isinstance(meta, dict):
                    if not isinstance(meta.get("annotations"), dict):
                        meta["annotations"] = {}
                    meta["annotations"][draw(st.sampled_from(ANNOTATIONS))] = draw(ANNOTATION_VALUES)
            continue
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if how == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(YAML_REPLACEMENTS))  # st.just values are shared
    text = yaml.safe_dump(doc, allow_unicode=True)
    if draw(st.integers(0, 9)) == 0:  # sometimes break the YAML itself
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["{", "[", ": :", "\t", "'", "*x", "&a &b"])) + text[cut:]
    position = draw(st.integers(1, 3))  # where the mutated document sits among good ones
    return text, position


@pytest.mark.parametrize("which", ["default", "istio-1.7.3", "istio-1.29.6"])
def test_random_bad_manifests_fail_cleanly_or_inject_everything(which):
    settings_, docs = _setup(which)
    outcomes: dict[str, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(data=mutated_streams(docs))
    def check(data):
        text, position = data
        parts = [SERVICE] * 3
        parts[position - 1] = text
        stream = "---\n".join(parts)
        try:
            result = kube_inject(stream, settings_)
        except KubeInjectError as e:
            msg = str(e)
            outcomes["rejected"] = outcomes.get("rejected", 0) + 1
            assert msg.startswith(f"document {position}"), msg
            leaked = [w for w in INTERNALS if w in msg]
            assert not leaked, f"Python internals {leaked} in: {msg}"
            assert KI_WHERE.search(msg), f"the message does not say where: {msg}"
            return
        outcomes["ok"] = outcomes.get("ok", 0) + 1
        out_docs = [goyaml.load(d) for d in goyaml.split_documents(result.text)]
        in_docs = [goyaml.load(d) for d in goyaml.split_documents(stream)]
        assert len(out_docs) == len(in_docs)
        for before, after in zip(in_docs, out_docs):
            assert set(_container_names(before)) <= set(_container_names(after))

    check()
    print(f"kube-inject {which}: {sum(outcomes.values())} examples: {outcomes}")
    assert outcomes.get("ok", 0) > 0 and outcomes.get("rejected", 0) > 0, outcomes


# ----------------------------------------------------------------------- injector check / admit

@pytest.mark.parametrize("text,needles", [
    (DEPLOYMENT.format(name="c").replace("containerPort: 80", "containerPort: http"),
     ["document 1 (Deployment c)", "spec.template.spec.containers[0].ports[0].containerPort: expected an integer"]),
    ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: [a]}\nspec: {containers: []}\n",
     ["document 1 (Pod)", "metadata.labels: expected an object, got a list"]),
    ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec: {jobTemplate: [x]}\n",
     ["document 1 (CronJob cj)", "spec.jobTemplate: expected an object"]),
    ("apiVersion: v1\nkind: List\nitems: {a: 1}\n", ["document 1 (List): items: expected a list"]),
    ("kind: {a: 1}\n", ["document 1: kind: expected a string"]),
])
@pytest.mark.parametrize("diff", [False, True])
def test_check_rejects_wrong_shapes_naming_document_and_field(tmp_path, capsys, text, needles, diff):
    f = _write(tmp_path, "in.yaml", text)
    code = cli.main(["check", "-f", f] + (["--diff"] if diff else []))
    out, err = capsys.readouterr()
    assert code == EXIT_REJECTED and out == ""
    assert err.startswith("error: ")
    assert not [w for w in INTERNALS if w in err], err
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_admit_apply_refuses_what_yaml_cannot_write(tmp_path, capsys):
    import json

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"note": "bell\x7f"}},
           "spec": {"containers": [{"name": "app", "image": "nginx"}]}}
    f = _write(tmp_path, "review.json", json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                                     "request": {"uid": "u", "object": pod}}))
    assert cli.main(["admit", "-f", f, "--apply"]) == EXIT_REJECTED
    out, err = capsys.readouterr()
    assert out == "" and "cannot write the patched pod as YAML" in err and "control characters" in err
    assert cli.main(["admit", "-f", f, "--apply", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["metadata"]["annotations"]["note"] == "bell\x7f"


def test_random_bad_manifests_through_check(tmp_path):
    """`injector check` (policy and --diff) on the same mutated workloads: exit 0 or 3 with
    one clear error line, never a traceback."""
    import contextlib
    import io

    _settings_unused, docs = _setup("default")
    f = tmp_path / "in.yaml"
    outcomes: dict[int, int] = {}

    @settings(max_examples=max(EXAMPLES // 3, 20), deadline=None, derandomize=DERANDOMIZE, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example])
    @given(data=mutated_streams(docs), diff=st.booleans())
    def check(data, diff):
        f.write_text(data[0])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["check", "-f", str(f)] + (["--diff"] if diff else []))
        outcomes[code] = outcomes.get(code, 0) + 1
        assert code in (0, EXIT_REJECTED)
        if code:
            msg = err.getvalue()
            assert msg.startswith("error: "), msg
            assert not [w for w in INTERNALS if w in msg], msg

    check()
    assert outcomes.get(0, 0) > 0 and outcomes.get(EXIT_REJECTED, 0) > 0, outcomes


# ----------------------------------------------------------------------- injector template render

@pytest.mark.parametrize("template,data,needles", [
    ("a: {{ .x.y }}\n", '{"x": 5}', ['template: t:1:8: executing "t" at <.x.y>: ']),
    ("a: {{ if }}\n", None, ["template: t:1: missing value for if"]),
    ("a: {{ .x }}\n", "{nope", ["data.json: not valid data JSON", "line 1 column 2"]),
    (b"\xff\xfe{{ .x }}", None, ["t.tpl: not UTF-8 text at byte 0"]),
])
def test_template_render_errors_are_one_clear_line(tmp_path, capsys, template, data, needles):
    tpl = tmp_path / "t.tpl"
    tpl.write_bytes(template if isinstance(template, bytes) else template.encode())
    argv = ["template", "render", "--name", "t", str(tpl)]
    if data is not None:
        (tmp_path / "data.json").write_text(data)
        argv.append(str(tmp_path / "data.json"))
    assert cli.main(argv) == EXIT_REJECTED
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert not [w for w in INTERNALS if w in err], err
    for needle in needles:
        assert needle in err, f"{needle!r} not in {err!r}"


def test_template_render_missing_file(tmp_path, capsys):
    assert cli.main(["template", "render", str(tmp_path / "none.tpl")]) == EXIT_REJECTED
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("value,expected", [
    ("3.4028235677973366e+38", "+Inf"),   # rounds past float32's range, as strconv.FormatFloat(.., 32) says
    ("3.4025000633641588e+38", "3.4025002e+38"),
    ("-1e39", "-Inf"),
])
def test_huge_numbers_in_string_fields_are_written_as_go_writes_them(tmp_path, capsys, value, expected):
    """sigs.k8s.io/yaml turns a YAML number bound for a string field into float32 text."""
    text = (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {{note: {value}}}\n"
            "spec: {containers: [{name: a, image: x}]}\n")
    code, out, err = run(["-f", _write(tmp_path, "in.yaml", text)], capsys)
    assert code == 0, err
    assert goyaml.load(goyaml.split_documents(out)[0])["metadata"]["annotations"]["note"] == expected


@pytest.mark.parametrize("text,where", [
    # CRLF line ends, a Service first: the Pod's open flow mapping starts on line 5
    ("kind: Service\r\nmetadata: {name: s}\r\n---\r\nkind: Pod\r\nmetadata: {name: x\r\nspec: [\r\n",
     "document 2: not valid YAML: line 6, column 5: did not find expected ',' or '}' "
     "(while parsing a flow mapping at line 5, column 11)"),
    # blank lines make a document of their own; consecutive separators do not
    ("\n\n---\n---\nkind: Pod\nmetadata: {name: x\n",
     "document 2: not valid YAML: line 7, column 1"),
    ("--- \nkind: Pod\nmetadata: {name: x\n",
     "(while parsing a flow mapping at line 3, column 11)"),
])
def test_yaml_error_positions_are_lines_of_the_file(tmp_path, capsys, text, where):
    f = tmp_path / "in.yaml"
    f.write_bytes(text.encode())
    code, out, err = run(["-f", str(f)], capsys)
    assert code == EXIT_REJECTED and out == ""
    assert where in _assert_clear(err)
