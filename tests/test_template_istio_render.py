"""Istio's real injection templates run on our engine with the `istio` function sets.

1. Every vector of ../shared/spec/template-vectors.jsonl that uses the `istio` or
   `istio-1.7` set (categories istio-*, istio17-funcs, istio-render-*) passes;
   passed/total is reported per category.
2. The conformance corpora's templates parse and render exactly as Go renders them:
   1.7.3's `template` (config.yaml, set istio-1.7) and every template of 1.29.6
   (config/templates/*.yaml, set istio), over the data of the istio-render vectors
   (Istio's SidecarTemplateData in the dict model). The gateway-controller templates
   (waypoint, kube-gateway, agentgateway) get the deployment controller's input built
   on the same data. Expected outputs are recorded as SHA-256 digests of what the Go
   oracle (../shared/tools/gooracle/bin/gotmpl) printed for the same template and data.
"""
from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
import yaml

from tests.conftest import need_shared
from tests.vectors import backend, category_counts, run_vector, vectors  # noqa: F401 (fixture)

from injector.template.values import from_tagged_json

try:
    from injector.template import ExecError, ParseError, Template
    from injector.template.funcs.sets import FUNCSETS
except ImportError as e:  # the engine lands in pieces; skip until it is all there
    pytest.skip(f"template engine not available: {e}", allow_module_level=True)

ISTIO_CATEGORIES = ("istio-", "istio17-")


def _istio_vectors() -> list[dict]:
    return vectors("istio", "istio-1.7")


def _data(raw: Any, numbers: str = "float64") -> Any:
    return from_tagged_json(copy.deepcopy(raw), numbers)


@pytest.mark.parametrize("vec", _istio_vectors(), ids=lambda v: v["name"])
def test_istio_vector(vec, backend):
    ok, what = run_vector(vec, backend, FUNCSETS[vec["funcs"]])
    assert ok, f"{vec['name']}: {what}; Go: {vec.get('output', vec.get('error'))!r}"[:2000]


def test_istio_vectors_by_category(capsys, backend):
    vecs = _istio_vectors()
    if not vecs:
        pytest.skip("template vectors not found (needs ../shared beside the checkout)")
    passed, total = category_counts(vecs, backend, lambda v: FUNCSETS[v["funcs"]])
    assert all(c.startswith(ISTIO_CATEGORIES) for c in total)
    with capsys.disabled():
        print(f"\n  backend {backend}:")
        for cat in sorted(total):
            print(f"  {cat}: {passed[cat]}/{total[cat]}")
        print(f"  istio vectors: {sum(passed.values())}/{sum(total.values())}")
    assert passed == total


# --- render: a new template "inject" with the same functions, on the top-level data ---

RENDER_DATA = {"s": "str", "n": None, "l": ["{{ .s }}", "{{ len .l }}", "x"], "m": {"k": "{{ .s | upper }}"}}
# (template, output under istio, output under istio-1.7), from the Go oracle; None: exec error
RENDER_CASES = [
    ('{{ render "{{ .s }}-{{ render \\"{{ .s }}!\\" }}" }}', "str-str!", "str-str!"),
    ('{{ define "x" }}X{{ end }}[{{ render "{{ template \\"x\\" . }}" }}]', "[]", "[]"),
    ('[{{ render "{{ define \\"y\\" }}Y{{ end }}{{ template \\"y\\" }}" }}]', "[Y]", "[Y]"),
    ("{{ range .l }}{{ render . }};{{ end }}", "str;3;x;", "str;3;x;"),
    ("{{ with .m }}{{ render .k }}{{ end }}", "STR", ""),  # 1.7 has no sprig `upper`
    ('[{{ render "{{ .nope.deeper }}" }}]', "[<no value>]", "[<no value>]"),
    ('[{{ render "{{ .n.x }}" }}]', "[]", "[]"),
    ('[{{ render "{{ fail }}" }}]', "[]", "[]"),
    ('[{{ render "" }}]', "[]", "[]"),
    ('{{ render "{{ $x := 1 }}{{ $x }}" }}', "1", "1"),
    ('{{ $v := 5 }}[{{ render "{{ $v }}" }}]', "[]", "[]"),
    ("[{{ render .n }}]", None, None),
    ('{{ render "{{ toLower \\"AB\\" }}{{ contains \\"a\\" \\"cat\\" }}" }}', "abtrue", "abtrue"),
]


@pytest.mark.parametrize("funcs", ["istio", "istio-1.7"])
@pytest.mark.parametrize("case", RENDER_CASES, ids=[c[0][:40] for c in RENDER_CASES])
def test_render_function(case, funcs, backend):
    text, want_istio, want_17 = case
    want = want_istio if funcs == "istio" else want_17
    tpl = Template.parse(text, name="vector", funcs=FUNCSETS[funcs])
    if want is None:
        with pytest.raises(ExecError):
            tpl.execute(_data(RENDER_DATA), backend=backend)
    else:
        assert tpl.execute(_data(RENDER_DATA), backend=backend) == want


# --- the conformance templates ---------------------------------------------------------

def _config_template_17() -> str:
    path = need_shared("conformance", "istio-1.7.3", "config", "config.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))["template"]


def _template_129(name: str) -> str:
    return need_shared("conformance", "istio-1.29.6", "config", "templates", f"{name}.yaml").read_text(
        encoding="utf-8"
    )


def _render_data(vector_name: str) -> Any:
    """The tagged-JSON data of an istio-render vector (Istio's SidecarTemplateData)."""
    for v in vectors():
        if v["name"] == vector_name:
            return v["data"]
    raise LookupError(vector_name)


GATEWAY_CLASSES = {"waypoint": "istio-waypoint", "kube-gateway": "istio", "agentgateway": "agentgateway"}


def gateway_data(base: dict, kind: str) -> dict:
    """The gateway deployment controller's template input (TemplateInput, with the
    injector's ProxyConfig/MeshConfig/Values/ProxyImage) in the dict model, on top of
    an istio-render vector's data: the Gateway's promoted ObjectMeta fields (Name,
    Namespace, UID), its Spec, the generated names, service ports and labels."""
    d = copy.deepcopy(base)
    cls = GATEWAY_CLASSES[kind]
    uid = "6d1d3b5c-0000-4000-8000-000000000001"
    d["ObjectMeta"] = {
        "Name": "gw",
        "Namespace": "default",
        "UID": uid,
        "Labels": {"$strmap": {"app": "gw"}},
        "Annotations": {"$strmap": None},
    }
    d.update(
        {
            "Name": "gw",
            "Namespace": "default",
            "UID": uid,
            "GatewayClass": cls,
            "DeploymentName": f"gw-{cls}",
            "ServiceAccount": f"gw-{cls}",
            "Ports": [
                {"Name": "status-port", "Port": {"$int": 15021}, "AppProtocol": "tcp"},
                {"Name": "mesh", "Port": {"$int": 15008}, "AppProtocol": "tcp"},
            ],
            "ServiceType": "ClusterIP",
            "ClusterID": "Kubernetes",
            "KubeVersion": {"$int": 130},
            "InfrastructureLabels": {"$strmap": {"team": "a"}},
            "InfrastructureAnnotations": {
                "$strmap": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "x"}
            },
            "GatewayNameLabel": "gateway.networking.k8s.io/gateway-name",
            "IsEastWestGateway": False,
            "ControllerLabel": "istio.io-mesh-controller",
            "Spec": {"GatewayClassName": cls, "Addresses": []},
            "AgentgatewayImage": "docker.io/istio/agentgateway:1.29.6",
            "TrustDomain": "cluster.local",
        }
    )
    return d


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# (template, data) -> SHA-256 of the Go oracle's output for it.
GO_RENDERS_17 = {
    'istio-render-1.7.3/intercept-none': '6c799cc3234c50db44c66f5179180c9e0f5e704b0e901365a5bb98ad62e1e316',
    'istio-render-1.7.3/large-env': '8ab19359390b99a0eded21ee971d3331324e23ab8f7a61f914b9a404f2210724',
    'istio-render-1.7.3/medium': 'b01d20571a5ae58c99f344711d019b46a5efe6a41ebfc606d13935576f8689d4',
    'istio-render-1.7.3/traffic-annotations': '24ab931c5ce59838191ca21512e55632d56750c8ea8d4eda1670ea88640d22c5',
    'istio-render-1.7.3/values-cni-hold-pullsecrets': '632d57b1f7e9018b16ff4ecd179f4a1658d0617d14f16a5b36ff06e4bd6c918f',
    'istio-render-1.7.3/values-datadog-tracer': 'b2fde9c245458e60d8957b224bcb5f7b293830e099bed8acacef239bed519938',
    'istio-render-1.7.3/values-lifecycle-mtls-coredump': '548133d1ea99f474c3fd54b08c71554ba5e3a9b41d189109297dea3f3cd7fe27',
    'istio-render-1.7.3/values-lightstep-tls': '2c64b413b4262227d2939de7513f7f7ae21c7673952d35f03638c0a7568aaf88',
    'istio-render-1.7.3/values-tproxy-cap-net-bind': 'e9994467d87a6a7d63c40b1b1535194d668d499dcc24ceae4290c9c02d3a47e4',
}
GO_RENDERS_129 = {
    ('sidecar', 'istio-render-1.29.6-gateway-injection-template/bare-pod'): '802e73ce406abd62724e065d28da61d208d0c55dbc2f9d90f381df2b0afa21a8',
    ('sidecar', 'istio-render-1.29.6-gateway-injection-template/small'): 'b5368453230a65a9c45c4f7224ef0c1f06a352f37241131110c3d8e2f3026b9e',
    ('sidecar', 'istio-render-1.29.6-gateway-injection-template/tproxy-resources'): 'bcbf92be366611342f127d1870cad29c1c0c007e641b942d2a7df53e715d3f95',
    ('sidecar', 'istio-render-1.29.6-grpc-agent/user-volumes'): '36c9bc35ec731ef2e92685d9c6e9d6174b3c635386286734a33f9127000f2647',
    ('sidecar', 'istio-render-1.29.6-grpc-simple/medium'): '6c8082da9ac1935220e3290edaff3df275682129e429f1e7f5b29792eecc25a3',
    ('sidecar', 'istio-render-1.29.6-grpc-simple/small'): 'b5368453230a65a9c45c4f7224ef0c1f06a352f37241131110c3d8e2f3026b9e',
    ('sidecar', 'istio-render-1.29.6/existing-proxy-container'): '22e0d0b46a2ca84959c2e13c84e5e235aaff87883876544364dff39eab67f427',
    ('sidecar', 'istio-render-1.29.6/intercept-none'): 'f228e3c366cb42f4ad8138910eb051c677a6ba391c5648282edc7c9c70361cc0',
    ('sidecar', 'istio-render-1.29.6/large-env'): 'ee4688aa35ebe6335ca382b0d4a1c3dfde2aceff45a5e1d598eedc9edb5e5a14',
    ('sidecar', 'istio-render-1.29.6/no-ports-no-sa'): 'b97ea58390f8628fa00b0276f8b33cee8cfdf4a894078009d48801623c20d06d',
    ('sidecar', 'istio-render-1.29.6/small'): 'b5368453230a65a9c45c4f7224ef0c1f06a352f37241131110c3d8e2f3026b9e',
    ('sidecar', 'istio-render-1.29.6/traffic-annotations'): '82c393c674a3968b85a13f4cefbd84dd6fd9b11350aab03a57366dfdb68a07ec',
    ('sidecar', 'istio-render-1.29.6/user-volumes'): '36c9bc35ec731ef2e92685d9c6e9d6174b3c635386286734a33f9127000f2647',
    ('sidecar', 'istio-render-1.29.6/values-native-localhost'): '9e347dd8dd153f9a9953dc16ddf4412620dddc528549857baeb76fa2c187d72e',
    ('gateway', 'istio-render-1.29.6-gateway-injection-template/bare-pod'): '43b7d640774fb3dd54882da9a0d860dcec24f9859d1acb8cf76e245f2efdee6c',
    ('gateway', 'istio-render-1.29.6-gateway-injection-template/small'): '721512db083d5d46382576b56b617bb973e2468ec7d91f5e6adb5aa76471a0ef',
    ('gateway', 'istio-render-1.29.6-gateway-injection-template/tproxy-resources'): 'c571950b230bc6b5efcb3660cac2ddbc9fc415eb2f1b8c66402fc9fb1d8352af',
    ('gateway', 'istio-render-1.29.6-grpc-agent/user-volumes'): '527d1c04a14768e1a2383955a8acadc27ac19597cee7a5c910bd2160c20ea0bb',
    ('gateway', 'istio-render-1.29.6-grpc-simple/medium'): 'dfee33c293048a66d203992471e12c9d7bb6a05e3736fee648df3b09794646af',
    ('gateway', 'istio-render-1.29.6-grpc-simple/small'): '721512db083d5d46382576b56b617bb973e2468ec7d91f5e6adb5aa76471a0ef',
    ('gateway', 'istio-render-1.29.6/existing-proxy-container'): 'a16dc0d123b3f3c40f9e3e5e9632f5fa5d0ed1ab3cf3334107bd25e0765e2a0a',
    ('gateway', 'istio-render-1.29.6/intercept-none'): 'b9b59f9cbe39efc715deaa4afc9a8e00e2ade4877e62c8f8f331d70e9b336d06',
    ('gateway', 'istio-render-1.29.6/large-env'): '63448a2245e12c17cb8dd7c4d67464146549bff2621ed465bead486944404eac',
    ('gateway', 'istio-render-1.29.6/no-ports-no-sa'): '07a3e451228e1f93b01c8c37336e85f80cbca33c57bfd9df26385482502ad45b',
    ('gateway', 'istio-render-1.29.6/small'): '721512db083d5d46382576b56b617bb973e2468ec7d91f5e6adb5aa76471a0ef',
    ('gateway', 'istio-render-1.29.6/traffic-annotations'): 'dfee33c293048a66d203992471e12c9d7bb6a05e3736fee648df3b09794646af',
    ('gateway', 'istio-render-1.29.6/user-volumes'): '527d1c04a14768e1a2383955a8acadc27ac19597cee7a5c910bd2160c20ea0bb',
    ('gateway', 'istio-render-1.29.6/values-native-localhost'): 'cf437880d5300920405f26ab6db5bafdde70e542febeadbe41aa5cf42ba779f9',
    ('grpc-agent', 'istio-render-1.29.6-gateway-injection-template/bare-pod'): 'c9d91453a7d1d8b90a0206165ca481441aa7c67c0b67f8a175475f5210f8989c',
    ('grpc-agent', 'istio-render-1.29.6-gateway-injection-template/small'): '3d9669846d57d6e97a11a03cb1959b9747e3af547e353f40342ae52e9d3c1f6c',
    ('grpc-agent', 'istio-render-1.29.6-gateway-injection-template/tproxy-resources'): '9654a49932b4110a2604fe4ee7a90b1d3ffd6381ed41f8ba4c87fbc663f6c22f',
    ('grpc-agent', 'istio-render-1.29.6-grpc-agent/user-volumes'): 'd8fbda4438d56b98233eb5876fbc029631d19f1e3b6148a7a0595d01ac46dc52',
    ('grpc-agent', 'istio-render-1.29.6-grpc-simple/medium'): 'c3d8a8763903bb66f76e58906b7ca3581837098faecfb52b0ff57c9c517880a3',
    ('grpc-agent', 'istio-render-1.29.6-grpc-simple/small'): '3d9669846d57d6e97a11a03cb1959b9747e3af547e353f40342ae52e9d3c1f6c',
    ('grpc-agent', 'istio-render-1.29.6/existing-proxy-container'): '4e544498d628f5468c89ba93a71bb8d2662f00a0d3c71d58b98028e74cfa7f50',
    ('grpc-agent', 'istio-render-1.29.6/intercept-none'): '1b0b90fe253131e6b36c02df174fd4b982fb8dc5b5122c2589aac05d83e09198',
    ('grpc-agent', 'istio-render-1.29.6/large-env'): '493c06b740bd511239d4c63adcb2b91289d1c4f1057f55b0235687fd33fabf50',
    ('grpc-agent', 'istio-render-1.29.6/no-ports-no-sa'): '1de1dfcfeb7762c98da4707835dee13fa5b371d33afa07739e0212099c9c30d1',
    ('grpc-agent', 'istio-render-1.29.6/small'): '3d9669846d57d6e97a11a03cb1959b9747e3af547e353f40342ae52e9d3c1f6c',
    ('grpc-agent', 'istio-render-1.29.6/traffic-annotations'): '7fc2143b896dbd371cecd998059a3e44826030c4c845be7c5f44e16ffadcea9a',
    ('grpc-agent', 'istio-render-1.29.6/user-volumes'): 'd8fbda4438d56b98233eb5876fbc029631d19f1e3b6148a7a0595d01ac46dc52',
    ('grpc-agent', 'istio-render-1.29.6/values-native-localhost'): '7f6c86574d6ace61d2d27e6f1c52ccfe619b93e3af843f7bb76e16a0b7f47857',
    ('grpc-simple', 'istio-render-1.29.6-gateway-injection-template/bare-pod'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6-gateway-injection-template/small'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6-gateway-injection-template/tproxy-resources'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6-grpc-agent/user-volumes'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6-grpc-simple/medium'): '0f44d6ec812e71851a6f3a20a20f4272fea0d0e8c494ca0cb43920cef970b354',
    ('grpc-simple', 'istio-render-1.29.6-grpc-simple/small'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6/existing-proxy-container'): 'a7f4afe8dd0f7f435d5eb147de0597fa990ec796c97bb5f5e64f2bea5f1af9b4',
    ('grpc-simple', 'istio-render-1.29.6/intercept-none'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6/large-env'): '54a9748a3ec1b5fc9a76815beecb08dfb490b908565461c949a79f74c02afb52',
    ('grpc-simple', 'istio-render-1.29.6/no-ports-no-sa'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6/small'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6/traffic-annotations'): '0f44d6ec812e71851a6f3a20a20f4272fea0d0e8c494ca0cb43920cef970b354',
    ('grpc-simple', 'istio-render-1.29.6/user-volumes'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
    ('grpc-simple', 'istio-render-1.29.6/values-native-localhost'): '96c6d5aff996747c2117ac95eeb27f2a12b6a0cbb402d5fc6a99cf904b9d6edf',
}
GO_RENDERS_GATEWAY = {
    ('waypoint', 'istio-render-1.29.6/small'): 'a3a682f9e7a899858774936415ed78db38ce54bab9312c6be173bea09ef39ad2',
    ('waypoint', 'istio-render-1.29.6/traffic-annotations'): 'a3a682f9e7a899858774936415ed78db38ce54bab9312c6be173bea09ef39ad2',
    ('waypoint', 'istio-render-1.29.6/values-native-localhost'): '7cc508f3ab504f83f1de570e2c79e6ca32bdc37ada41a60e97f55164a423b39d',
    ('kube-gateway', 'istio-render-1.29.6/small'): 'e601b4c3ce78a1549d2cc2147d4989b72477010e90fd6a96c7f20f47ab12f985',
    ('kube-gateway', 'istio-render-1.29.6/traffic-annotations'): 'e601b4c3ce78a1549d2cc2147d4989b72477010e90fd6a96c7f20f47ab12f985',
    ('kube-gateway', 'istio-render-1.29.6/values-native-localhost'): '9a0c52b0117efc480960beda2019604e64297f1bc14c0bd6c3bd13dc9752c8aa',
    ('agentgateway', 'istio-render-1.29.6/small'): '696b9389414f647555322b400fe03e4296982395ce05fd6d9c3d6be0ff13be0a',
    ('agentgateway', 'istio-render-1.29.6/traffic-annotations'): '696b9389414f647555322b400fe03e4296982395ce05fd6d9c3d6be0ff13be0a',
    ('agentgateway', 'istio-render-1.29.6/values-native-localhost'): 'c07c1c91c184f0dea779120c3abe9423069ae65e32389ed71294bad7e20ec157',
}


def _render(text: str, funcs: str, data: Any, backend: str) -> str:
    return Template.parse(text, name="inject", funcs=FUNCSETS[funcs]).execute(data, backend=backend)


@pytest.mark.parametrize("vector_name", sorted(GO_RENDERS_17))
def test_istio_173_config_template_renders_as_go(vector_name, backend):
    out = _render(_config_template_17(), "istio-1.7", _data(_render_data(vector_name)), backend)
    assert "name: istio-proxy" in out
    assert _sha(out) == GO_RENDERS_17[vector_name]


@pytest.mark.parametrize("key", sorted(GO_RENDERS_129), ids="|".join)
def test_istio_1296_templates_render_as_go(key, backend):
    tname, vector_name = key
    out = _render(_template_129(tname), "istio", _data(_render_data(vector_name)), backend)
    assert "istio-proxy" in out or "grpc" in out
    assert _sha(out) == GO_RENDERS_129[key]


@pytest.mark.parametrize("key", sorted(GO_RENDERS_GATEWAY), ids="|".join)
def test_istio_1296_gateway_templates_render_as_go(key, backend):
    tname, vector_name = key
    data = _data(gateway_data(_render_data(vector_name), tname))
    out = _render(_template_129(tname), "istio", data, backend)
    assert "kind: Deployment" in out
    assert _sha(out) == GO_RENDERS_GATEWAY[key]


def test_every_1296_template_is_covered():
    names = sorted(p.stem for p in need_shared("conformance", "istio-1.29.6", "config", "templates").glob("*.yaml"))
    covered = {t for t, _ in GO_RENDERS_129} | {t for t, _ in GO_RENDERS_GATEWAY}
    assert sorted(covered) == names


def test_agentgateway_image_lookup_follows_go(backend):
    # Default values have no global.agentgateway: Go's chained lookup on a missing key
    # yields no value (annotation's default prints <nil>), so the template renders and
    # falls back to .AgentgatewayImage. An explicit null there is a nil interface, and
    # Go fails with "nil pointer evaluating interface {}.image".
    base = _render_data("istio-render-1.29.6/small")
    assert "agentgateway" not in base["Values"]["global"]
    text = _template_129("agentgateway")
    out = _render(text, "istio", _data(gateway_data(base, "agentgateway")), backend)
    assert 'image: "docker.io/istio/agentgateway:1.29.6"' in out
    with_null = gateway_data(base, "agentgateway")
    with_null["Values"]["global"]["agentgateway"] = None
    with pytest.raises(ExecError, match="nil pointer evaluating interface \\{\\}.image"):
        _render(text, "istio", _data(with_null), backend)


def test_version_guard_template_does_not_parse():
    # 1.29.6's legacy `template` entry is a guard calling an undefined function: Go
    # rejects it at parse time, so an old injector reading it fails loudly.
    path = need_shared("conformance", "istio-1.29.6", "config", "config.yaml")
    guard = yaml.safe_load(path.read_text(encoding="utf-8"))["template"]
    with pytest.raises(ParseError, match="not defined"):
        Template.parse(guard, name="inject", funcs=FUNCSETS["istio"])
