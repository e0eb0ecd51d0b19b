"""Istio's injection-template functions and Go encoding/json, called directly.

Every expected value below was produced by the Go oracle
(../shared/tools/gooracle/bin/gotmpl -funcs istio|istio-1.7) rendering
`{{ FN .a0 .a1 ... }}` (or `{{ toJson (FN ...) }}` for non-string results) on the
arguments as data; ("missing",) stands for a missing key (Go's invalid value) and
("lit", "3") for a template integer literal.
"""
from __future__ import annotations

import json

import pytest

from injector.template.funcs import FuncError, GoFunc
from injector.template.funcs.gojson import (
    MarshalError,
    UnmarshalError,
    format_float,
    marshal,
    unmarshal,
)
from injector.template.funcs.istio import ISTIO, ISTIO_17
from injector.template.funcs.sprig import go_duration
from injector.template.values import NO_VALUE, GoStruct, Int64, StrMap, from_tagged_json

S = {"$strmap": {"a": "1", "b": "<&>"}}
NIL = {"$strmap": None}
PORT = lambda name, cp, proto: {"$struct": [["Name", "name,omitempty", name], ["HostPort", "hostPort,omitempty", {"$int": 0}], ["ContainerPort", "containerPort", {"$int": cp}], ["Protocol", "protocol,omitempty", proto], ["HostIP", "hostIP,omitempty", ""]]}
CONTAINERS = [
    {"Name": "app", "Ports": [PORT("http", 8080, "TCP"), PORT("dns", 53, "UDP"), PORT("s", 7, "SCTP"), PORT("", 9090, "")]},
    {"Name": "istio-proxy", "Ports": [PORT("m", 15090, "TCP")]},
    {"Name": "plain", "Ports": [{"ContainerPort": 81, "Protocol": "TCP"}, {"ContainerPort": {"$int": 4294967297}}]},
    {"Name": "none"},
    None,
]
CASES = [
    # isset
    ("istio", "isset", [S, "a"], None, 'true'),
    ("istio", "isset", [S, "z"], None, 'false'),
    ("istio", "isset", [NIL, "a"], None, 'false'),
    ("istio", "isset", [("missing",), "a"], None, 'false'),
    ("istio", "isset", [{"a": "x"}, "a"], None, 'true'),
    ("istio", "isset", [{"a": 1}, "a"], None, ('error', 'isset: expected map[string]string; value for key "a" is float64')),
    ("istio", "isset", [{"a": {"$stringer": "X"}}, "a"], None, ('error', 'isset: expected map[string]string; value for key "a" is main.StringerValue')),
    ("istio", "isset", [[1], "a"], None, ('error', 'isset: expected map[string]string; got []interface {}')),
    ("istio", "isset", ["s", "a"], None, ('error', 'isset: expected map[string]string; got string')),
    # annotation
    ("istio", "annotation", [{"Annotations": S}, "a", "d"], None, '1'),
    ("istio", "annotation", [{"Annotations": S}, "z", "d"], None, 'd'),
    ("istio", "annotation", [{"Annotations": S}, "z", 15020], None, '15020'),
    ("istio", "annotation", [{"Annotations": S}, "z", 1.5e6], None, '1.5e+06'),
    ("istio", "annotation", [{"Annotations": S}, "z", ("missing",)], None, '<nil>'),
    ("istio", "annotation", [{"Annotations": S}, "z", None], None, '<nil>'),
    ("istio", "annotation", [{"Annotations": S}, "z", {"$stringer": "REDIRECT"}], None, 'REDIRECT'),
    ("istio", "annotation", [{"Annotations": S}, "z", {"$int": 7}], None, '7'),
    ("istio", "annotation", [{"Annotations": S}, "z", ["x", 1]], None, '[x 1]'),
    ("istio", "annotation", [{}, "z", "d"], None, 'd'),
    ("istio", "annotation", [("missing",), "z", "d"], None, 'd'),
    ("istio", "annotation", [{"$struct": [["Annotations", "annotations", {"$strmap": {"k": "v"}}]]}, "k", "d"], None, 'v'),
    ("istio", "annotation", [{"Annotations": {"k": 1}}, "k", "d"], None, ('error', 'annotation: expected map[string]string; value for key "k" is float64')),
    ("istio", "annotation", [{"Annotations": "str"}, "k", "d"], None, ('error', 'annotation: expected map[string]string; got string')),
    # a map[string]string as META: Go indexes it, a missing "Annotations" gives ""
    ("istio", "annotation", [S, "a", "d"], None, ('error', 'annotation: expected map[string]string; got string')),
    ("istio", "annotation", [NIL, "a", "d"], None, ('error', 'annotation: expected map[string]string; got string')),
    ("istio", "applicationPorts", [[S]], None, ('error', 'applicationPorts: expected a list; got string')),
    # valueOrDefault
    ("istio", "valueOrDefault", ["v", "d"], "json", '"v"'),
    ("istio", "valueOrDefault", ["", "d"], "json", '"d"'),
    ("istio", "valueOrDefault", [{"$stringer": ""}, "d"], "json", '""'),
    ("istio", "valueOrDefault", [None, "d"], "json", '"d"'),
    ("istio", "valueOrDefault", [("missing",), "d"], "json", '"d"'),
    ("istio", "valueOrDefault", [0, "d"], "json", '0'),
    ("istio", "valueOrDefault", [False, "d"], "json", 'false'),
    ("istio", "valueOrDefault", [[], "d"], "json", '[]'),
    ("istio", "valueOrDefault", ["", ("missing",)], "json", 'null'),
    # ports
    ("istio", "includeInboundPorts", [CONTAINERS], None, '8080,9090,15090,81,1'),
    ("istio", "applicationPorts", [CONTAINERS], None, '8080,9090,81,1'),
    ("istio", "includeInboundPorts", [("missing",)], None, ''),
    ("istio", "includeInboundPorts", [[]], None, ''),
    ("istio", "includeInboundPorts", ["x"], None, ('error', 'includeInboundPorts: expected a list; got string')),
    ("istio", "includeInboundPorts", [[{"Name": "a", "Ports": {"x": 1}}]], None, ('error', 'includeInboundPorts: expected a list; got map[string]interface {}')),
    ("istio", "applicationPorts", [[{"Name": {"$stringer": "istio-proxy"}, "Ports": [{"ContainerPort": 1.9}]}]], None, ''),
    ("istio", "includeInboundPorts", [[{"Ports": [{"ContainerPort": 3e9}, {"ContainerPort": -5}, {"ContainerPort": "80"}, {"ContainerPort": True}, {"Protocol": {"$stringer": "UDP"}, "ContainerPort": 5}]}]], None, '-2147483648,-5,0,0'),
    ("istio", "excludeInboundPort", ["15020", "80,81"], None, '80,81,15020'),
    ("istio", "excludeInboundPort", [15020, ""], None, '15020'),
    ("istio", "excludeInboundPort", [1.5e6, "1"], None, '1,1.5e+06'),
    ("istio", "excludeInboundPort", [{"$int": 81}, "80,81"], None, '80,81'),
    ("istio", "excludeInboundPort", [" 81 ", "80, 81"], None, '80,81,81'),
    ("istio", "excludeInboundPort", ["81", " 80 ,, 82 ,"], None, '80,82,81'),
    ("istio", "excludeInboundPort", ["0", "80"], None, '80'),
    ("istio", "excludeInboundPort", [0, "80"], None, '80'),
    ("istio", "excludeInboundPort", ["", "80"], None, '80'),
    ("istio", "excludeInboundPort", [None, "80"], None, '80,<nil>'),
    ("istio", "excludeInboundPort", [("missing",), "80"], None, '80,<nil>'),
    ("istio", "excludeInboundPort", [{"$stringer": "90"}, "80"], None, '80,90'),
    ("istio", "excludeInboundPort", ["\u00a090\x1f", "80"], None, '80,90\x1f'),
    ("istio", "kubevirtInterfaces", ["eth1,eth2"], None, 'eth1,eth2'),
    ("istio", "excludeInterfaces", ["eth0"], None, 'eth0'),
    # JSON
    ("istio", "toJSON", [S], None, '{"a":"1","b":"\\u003c\\u0026\\u003e"}'),
    ("istio", "toJSON", [NIL], None, '{}'),
    ("istio", "toJSON", [{"$strmap": {}}], None, '{}'),
    ("istio", "toJSON", [{"z": "1", "a": "\u2028\n"}], None, '{"a":"\\u2028\\n","z":"1"}'),
    ("istio", "toJSON", [("missing",)], None, '{}'),
    ("istio", "toJSON", [{"a": None}], None, ('error', 'toJSON: expected map[string]string; value for key "a" is <nil>')),
    ("istio", "toJSON", [["a"]], None, ('error', 'toJSON: expected map[string]string; got []interface {}')),
    ("istio", "fromJSON", ['{"a": [1, 2.5, "x", null, true]}'], "json", '{"a":[1,2.5,"x",null,true]}'),
    ("istio", "fromJSON", ["[1e400]"], "json", '"{}"'),
    ("istio", "fromJSON", ["NaN"], "json", '"{}"'),
    ("istio", "fromJSON", [""], "json", '"{}"'),
    ("istio", "fromJSON", [" 12 "], "json", '12'),
    ("istio", "fromJSON", ["{} x"], "json", '"{}"'),
    ("istio", "fromJSON", ['"\\ud800x"'], "json", '"�x"'),
    ("istio", "structToJSON", [{"b": [1, 2.5, 1e21, 1e-7, None, True], "a": {"$strmap": None}, "c": {"$int": 9007199254740993}}], None, '{"a":null,"b":[1,2.5,1e+21,1e-7,null,true],"c":9007199254740993}'),
    ("istio", "structToJSON", [PORT("http", 8080, "TCP")], None, '{"name":"http","containerPort":8080,"protocol":"TCP"}'),
    ("istio", "structToJSON", [PORT("", 0, "")], None, '{"containerPort":0}'),
    ("istio", "structToJSON", [{"$struct": [["A", "", 1], ["B", "-", 2], ["C", "-,", 3], ["D", "d,string", 4], ["E", "e,string", "x"], ["F", "f,omitempty", None], ["G", "f,omitempty", []], ["H", "h,omitempty", {"$struct": []}], ["I", "i,omitempty", False]]}], None, '{"A":1,"-":3,"d":"4","e":"\\"x\\"","h":{}}'),
    ("istio", "structToJSON", [{"$struct": [["A", "x", 1], ["B", "x", 2], ["C", "y", 3], ["Y", "", 4], ["Z", "", 5], ["Q", "z", 6]]}], None, '{"y":3,"Y":4,"Z":5,"z":6}'),
    ("istio", "structToJSON", [None], None, '{}'),
    ("istio", "structToJSON", [("missing",)], None, '{}'),
    ("istio", "structToJSON", ["<s>"], None, '"\\u003cs\\u003e"'),
    ("istio", "structToJSON", [[]], None, '[]'),
    ("istio", "protoToJSON", [{"a": {"$stringer": "REDIRECT"}, "b": {"$strmap": {"k": "v"}}}], None, '{"a":"REDIRECT","b":{"k":"v"}}'),
    ("istio", "toJsonMap", [S, {"a": "2", "c": "3"}], None, '{"a":"2","b":"\\u003c\\u0026\\u003e","c":"3"}'),
    ("istio", "toJsonMap", [], None, 'null'),
    ("istio", "toJsonMap", [NIL], None, '{}'),
    ("istio", "toJsonMap", [{"a": 1}], None, ('error', 'mergeMaps: expected map[string]string; value for key "a" is float64')),
    ("istio", "mergeMaps", [S, {"a": "2"}, NIL, ("missing",)], "json", '{"a":"2","b":"\\u003c\\u0026\\u003e"}'),
    ("istio", "mergeMaps", [], "json", 'null'),
    ("istio", "mergeMaps", [S, 5], "json", ('error', 'mergeMaps: expected map[string]string; got float64')),
    ("istio", "omit", [S, "a", "zz"], "json", '{"b":"\\u003c\\u0026\\u003e"}'),
    ("istio", "omit", [NIL], "json", '{}'),
    ("istio", "omit", [{"x": "1", "y": "2"}, "x"], "json", '{"y":"2"}'),
    ("istio", "omit", [{"x": 1}, "x"], "json", ('error', 'omit: expected map[string]string; value for key "x" is float64')),
    ("istio", "strdict", ["a", "1", "b"], "json", '{"a":"1","b":""}'),
    ("istio", "strdict", [], "json", '{}'),
    ("istio", "omitNil", [{"a": None, "b": {"c": None}, "d": [None, 1, {"e": None}], "f": {}, "g": []}], "json", '{"d":[1],"f":{},"g":[]}'),
    ("istio", "omitNil", [[None, None]], "json", 'null'),
    ("istio", "omitNil", [{"a": 1, "b": [2]}], "json", '{"a":1,"b":[2]}'),
    ("istio", "omitNil", [{"a": {"$strmap": {"k": "v"}}, "n": None}], "json", '{"a":{"k":"v"}}'),
    ("istio", "omitNil", [None], "json", 'null'),
    ("istio", "omitNil", ["x"], "json", '"x"'),
    # YAML
    ("istio", "toYaml", [{"b": [1, 2.5, 1e21, "yes", "1", "", None], "a": {"$strmap": {"k": "v: x"}}, "p": PORT("http", 80, "TCP")}], None, 'a:\n  k: \'v: x\'\nb:\n- 1\n- 2.5\n- 1e+21\n- "yes"\n- "1"\n- ""\n- null\np:\n  containerPort: 80\n  name: http\n  protocol: TCP\n'),
    ("istio", "toYaml", [{"n": {"$strmap": None}, "e": {"$strmap": {}}, "s": {"$struct": [["A", "a,omitempty", ""], ["B", "b,string", 5], ["C", "", {"$stringer": "X"}]]}, "big": 1e20, "f": 0.5, "i": 80}], None, 'big: 1e+20\ne: {}\nf: 0.5\ni: 80\n"n": null\ns:\n  C: X\n  b: "5"\n'),
    ("istio", "toYaml", [None], None, 'null\n'),
    ("istio", "toYaml", [("missing",)], None, 'null\n'),
    ("istio", "toYaml", ["s"], None, 's\n'),
    ("istio", "toYaml", [{"$strmap": None}], None, 'null\n'),
    ("istio", "toYaml", [{"x": "a long line " * 10}], None, "x: 'a long line a long line a long line a long line a long line a long line a long\n  line a long line a long line a long line '\n"),
    # text
    ("istio", "indent", [("lit", "3"), "a\nb\n\nc"], None, 'a\n   b\n   \n   c'),
    ("istio", "indent", [("lit", "2"), ""], None, ''),
    ("istio", "indent", [("lit", "-2"), "a\n"], None, 'a\n  '),
    ("istio", "directory", ["/etc/istio/proxy/cert.pem"], None, '/etc/istio/proxy/'),
    ("istio", "directory", ["cert.pem"], None, ''),
    ("istio", "directory", ["/a/"], None, '/a/'),
    ("istio", "contains", ["/", "docker.io/x"], None, 'true'),
    ("istio", "contains", ["docker.io/x", "/"], None, 'false'),
    ("istio", "contains", ["", ""], None, 'true'),
    ("istio", "toLower", ["ÀB\u0130Σ ΣΑΣ"], None, 'àbiσ σασ'),
    ("istio", "env", ["GOTMPL_SURELY_UNSET_VAR_X", "dflt"], None, 'dflt'),
    ("istio", "appendMultusNetwork", ["", "default/istio-cni"], None, 'default/istio-cni'),
    ("istio", "appendMultusNetwork", ["macvlan, other", "istio-cni"], None, 'macvlan, other, istio-cni'),
    ("istio", "appendMultusNetwork", ["macvlan,  istio-cni ", "istio-cni"], None, 'macvlan,  istio-cni '),
    ("istio", "appendMultusNetwork", ['[{"name": "a"}]', "istio-cni"], None, '[{"name": "a"}, {"name": "istio-cni"}]'),
    ("istio", "appendMultusNetwork", ['[{"name": "a"}]', "ns/istio-cni/extra"], None, '[{"name": "a"}, {"name": "istio-cni", "namespace": "ns"}]'),
    ("istio", "appendMultusNetwork", ['[{"name": "istio-cni", "namespace": "default"}]', "default/istio-cni"], None, '[{"name": "istio-cni", "namespace": "default"}]'),
    ("istio", "appendMultusNetwork", ['[{"name": "istio-cni", "namespace": "default"}]', "istio-cni"], None, '[{"name": "istio-cni", "namespace": "default"}, {"name": "istio-cni"}]'),
    ("istio", "appendMultusNetwork", ['[{"name": "istio-cni"}]', "istio-cni"], None, '[{"name": "istio-cni"}]'),
    ("istio", "appendMultusNetwork", ['[null, {"name": "istio-cni", "namespace": null}]', "istio-cni"], None, '[null, {"name": "istio-cni", "namespace": null}]'),
    ("istio", "appendMultusNetwork", ['[{"name": 5}]', "5"], None, '[{"name": 5}, {"name": "5"}]'),
    ("istio", "appendMultusNetwork", ['[1]', "x"], None, '[1]'),
    ("istio", "appendMultusNetwork", ['{"a": "]"}', "x"], None, '{"a": "]"}'),
    ("istio", "appendMultusNetwork", ['null ]', "x"], None, 'null ]'),
    ("istio", "appendMultusNetwork", ['null', "x"], None, 'null, x'),
    ("istio", "appendMultusNetwork", ['[{bad]', "x"], None, '[{bad]'),
    ("istio", "appendMultusNetwork", ['[] trailing ] x', "x"], None, '[] trailing ] x'),
    # durations
    ("istio", "formatDuration", [{"Seconds": 90, "Nanos": 5e8}], None, '1m30.5s'),
    ("istio", "formatDuration", [{"Seconds": {"$int": 0}, "Nanos": {"$int": 1500}}], None, '1.5µs'),
    ("istio", "formatDuration", [{"Nanos": 999}], None, '999ns'),
    ("istio", "formatDuration", [{"Nanos": 1000}], None, '1µs'),
    ("istio", "formatDuration", [{"Nanos": 1234567}], None, '1.234567ms'),
    ("istio", "formatDuration", [{"Seconds": -3700, "Nanos": -10}], None, '-1h1m40.00000001s'),
    ("istio", "formatDuration", [{"Seconds": 9223372036, "Nanos": 854775807}], None, '2562047h47m16.854775807s'),
    ("istio", "formatDuration", [{"Seconds": 9223372037}], None, '2562047h47m16.854775807s'),
    ("istio", "formatDuration", [{"Seconds": -9223372037}], None, '-2562047h47m16.854775808s'),
    ("istio", "formatDuration", [{"Seconds": "5"}], None, '0s'),
    ("istio", "formatDuration", [{"$struct": [["Seconds", "seconds", {"$int": 2}], ["Nanos", "nanos", {"$int": 0}]]}], None, '2s'),
    ("istio", "formatDuration", [{}], None, '0s'),
    ("istio", "formatDuration", ["x"], None, '0s'),
    ("istio", "formatDuration", [None], None, '0s'),
    ("istio", "formatDuration", [("missing",)], None, '0s'),
    ("istio-1.7", "formatDuration", [None], None, '1s'),
    ("istio-1.7", "formatDuration", [{}], None, '0s'),
    ("istio-1.7", "formatDuration", [{"Seconds": 2}], None, '2s'),
    ("istio-1.7", "toJson", [S], None, '{"a":"1","b":"\\u003c\\u0026\\u003e"}'),
    ("istio-1.7", "toJson", [NIL], None, '{}'),
]


SETS = {"istio": ISTIO, "istio-1.7": ISTIO_17}


def _arg(a):
    if a == ("missing",):
        return NO_VALUE
    if isinstance(a, tuple) and a[0] == "lit":
        return int(a[1])
    return from_tagged_json(a, "float64")


def _shown(result, wrap):
    if wrap == "json":
        return marshal(result)
    if isinstance(result, bool):
        return "true" if result else "false"
    assert isinstance(result, str), result
    return result


@pytest.mark.parametrize(
    "funcs,name,args,wrap,expected", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_function_matches_go(funcs, name, args, wrap, expected):
    if name == "toYaml":
        pytest.importorskip("injector.goyaml", reason="toYaml needs injector.goyaml")
    gofunc = SETS[funcs][name]
    argv = [_arg(a) for a in args]
    if isinstance(expected, tuple):
        with pytest.raises(FuncError) as e:
            gofunc.fn(*argv)
        assert str(e.value) == expected[1]
    else:
        assert _shown(gofunc.fn(*argv), wrap) == expected


ISTIO_NAMES = """formatDuration isset excludeInboundPort includeInboundPorts kubevirtInterfaces
excludeInterfaces applicationPorts annotation valueOrDefault toJSON fromJSON structToJSON
protoToJSON toYaml indent directory contains toLower appendMultusNetwork env omit strdict
toJsonMap mergeMaps omitNil render""".split()
ISTIO_17_NAMES = """formatDuration isset excludeInboundPort includeInboundPorts kubevirtInterfaces
applicationPorts annotation valueOrDefault toJSON toJson fromJSON structToJSON protoToJSON
toYaml indent directory contains toLower env render""".split()


def test_set_members():
    assert sorted(ISTIO) == sorted(ISTIO_NAMES)
    assert sorted(ISTIO_17) == sorted(ISTIO_17_NAMES)
    for fs in (ISTIO, ISTIO_17):
        for name, g in fs.items():
            assert isinstance(g, GoFunc) and g.name == name


def test_signatures_follow_go():
    # Arity and parameter types decide Go's call errors (env needs 2 args, indent an int).
    assert ISTIO["env"].params == ("string", "string")
    assert ISTIO["indent"].params == ("int", "string")
    assert ISTIO["strdict"].params == () and ISTIO["strdict"].variadic == "string"
    assert ISTIO["omit"].params == ("any",) and ISTIO["omit"].variadic == "string"
    assert ISTIO["mergeMaps"].variadic == "any" and ISTIO["toJsonMap"].variadic == "any"
    assert ISTIO["render"].needs_state and ISTIO_17["render"].needs_state
    assert ISTIO_17["toJson"].fn is ISTIO_17["toJSON"].fn
    assert ISTIO["formatDuration"].fn is not ISTIO_17["formatDuration"].fn


def test_result_types():
    s = from_tagged_json({"$strmap": {"a": "1"}})
    merged = ISTIO["mergeMaps"].fn(s)
    assert isinstance(merged, StrMap) and not merged.nil and merged == {"a": "1"}
    assert merged is not s  # a new map, as Go builds one
    assert ISTIO["mergeMaps"].fn().nil
    assert isinstance(ISTIO["strdict"].fn("a", "b"), StrMap)
    assert isinstance(ISTIO["omit"].fn(None), StrMap) and not ISTIO["omit"].fn(None).nil
    assert ISTIO["fromJSON"].fn("[1]") == [1.0] and type(ISTIO["fromJSON"].fn("1")) is float
    assert ISTIO["omitNil"].fn(NO_VALUE) is None


def test_env_reads_the_environment(monkeypatch):
    monkeypatch.setenv("INJECTOR_TEST_ENV_X", "set")
    monkeypatch.setenv("INJECTOR_TEST_ENV_EMPTY", "")
    assert ISTIO["env"].fn("INJECTOR_TEST_ENV_X", "d") == "set"
    assert ISTIO["env"].fn("INJECTOR_TEST_ENV_EMPTY", "d") == "d"  # Go: "" counts as unset


@pytest.mark.parametrize(
    "nanos,expected",
    # time.Duration(n).String() from Go
    [(0, "0s"), (1, "1ns"), (1100, "1.1µs"), (2_200_000, "2.2ms"), (3_300_000_000, "3.3s"),
     (4 * 60 * 10**9 + 5 * 10**9, "4m5s"), (5 * 3600 * 10**9 + 6 * 60 * 10**9 + 7_001_000_000, "5h6m7.001s"),
     (-(1 << 63), "-2562047h47m16.854775808s"), ((1 << 63) - 1, "2562047h47m16.854775807s"), (-1500, "-1.5µs")],
)
def test_duration_string(nanos, expected):
    assert go_duration(nanos) == expected


# --- encoding/json ---------------------------------------------------------------------

FLOATS = [0.1, 0.3333333333333333, 1e-6, 9.999999e-7, 1e20, 1.2345e21, 123456789012345680000.0, 5e-324,
          1.7976931348623157e308, -2.5, 100.0, 1e6, 12345.678, -1e-10, 2.5e-300, 999999999999999900000.0,
          0.000123, -0.0]
# json.Marshal of FLOATS in Go
FLOATS_GO = ("0.1,0.3333333333333333,0.000001,9.999999e-7,100000000000000000000,1.2345e+21,"
             "123456789012345680000,5e-324,1.7976931348623157e+308,-2.5,100,1000000,12345.678,-1e-10,"
             "2.5e-300,999999999999999900000,0.000123,-0")


def test_float_formatting():
    assert ",".join(format_float(f) for f in FLOATS) == FLOATS_GO
    assert marshal(FLOATS) == "[" + FLOATS_GO + "]"


def test_string_escaping():
    s = "".join(chr(i) for i in range(0x30)) + "\x7f\x80\xff\u2027\u2028\u2029\ufeff\ud800"
    # json.Marshal(s) in Go; the lone surrogate stands for invalid UTF-8, which Go writes as U+FFFD
    go = (
        '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008\\t\\n\\u000b\\u000c\\r'
        '\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019'
        '\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f !\\"#$%\\u0026\'()*+,-./'
        '\x7f\x80\xff\u2027\\u2028\\u2029\ufeff\ufffd"'
    )
    assert marshal(s) == go
    assert marshal("<a&b>", escape_html=False) == '"<a&b>"'


def test_struct_tags_and_nil_maps():
    port = GoStruct([("Name", "name,omitempty", ""), ("ContainerPort", "containerPort", Int64(80)),
                     ("Extra", "-", 1), ("Raw", "", None)])
    assert marshal(port) == '{"containerPort":80,"Raw":null}'
    assert marshal({"b": StrMap(None), "a": StrMap({})}) == '{"a":{},"b":null}'
    assert marshal({"k": NO_VALUE}) == '{"k":null}'


def test_marshal_errors():
    for bad in (float("nan"), float("inf"), 1j, {"a": [float("-inf")]}):
        with pytest.raises(MarshalError):
            marshal(bad)


def test_unmarshal_is_go_json():
    assert unmarshal(' {"a": [1, 2.5, null, true, "x"]} ') == {"a": [1.0, 2.5, None, True, "x"]}
    assert type(unmarshal("3")) is float
    for bad in ("", "NaN", "[Infinity]", "1e400", "{} x", "{'a': 1}", "[1,]"):
        with pytest.raises(UnmarshalError):
            unmarshal(bad)
