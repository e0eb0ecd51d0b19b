"""Evaluator behaviour: scoping, missingkey, typed calls, errors, recursion, state.

Expected outputs and messages were checked against Go 1.19 (the gooracle tool).
Every test runs on each available backend.
"""
from __future__ import annotations

import pytest

from injector._ext import NO_EXTENSIONS
from injector.template import ExecError, ParseError, Template, TemplateError
from injector.template.funcs import FuncError, GoFunc, merged
from injector.template.funcs.builtins import BUILTINS
from injector.template.values import NO_VALUE, GoStruct, Int64, StrMap, Stringer
from tests.conftest import ROOT

HAVE_C_SOURCE = (ROOT / "_speedups" / "_exec_c.pyx").exists()
BACKENDS = ["python"] + (["cython"] if HAVE_C_SOURCE else [])


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "cython" and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return request.param


@pytest.fixture
def run(backend):
    def _run(text, data=None, missingkey="default", funcs=BUILTINS):
        tpl = Template.parse(text, name="vector", funcs=funcs)
        return tpl.execute(data, missingkey=missingkey, backend=backend)
    return _run


@pytest.fixture
def exec_error(run):
    def _err(text, data=None, missingkey="default", funcs=BUILTINS):
        with pytest.raises(ExecError) as e:
            run(text, data, missingkey, funcs)
        return str(e.value)
    return _err


def test_errors_share_a_base_class():
    assert issubclass(ParseError, TemplateError) and issubclass(ExecError, TemplateError)


# ---------------------------------------------------------------- missingkey

@pytest.mark.parametrize("mode, data, out", [
    ("default", {}, "<no value>"),
    ("invalid", {}, "<no value>"),
    ("zero", {}, "<no value>"),                       # zero interface{}: nil
    ("zero", {"a": StrMap({})}, ""),                  # zero string
    ("default", {"a": StrMap({})}, "<no value>"),
])
def test_missingkey_modes(run, mode, data, out):
    text = "{{ .a.b }}" if "a" in data else "{{ .a }}"
    assert run(text, data, mode) == out


def test_missingkey_error(exec_error):
    assert exec_error("{{ .a }}", {}, "error") == (
        'template: vector:1:3: executing "vector" at <.a>: map has no entry for key "a"')
    assert exec_error("{{ .a }}", None, "error").endswith('nil data; no entry for key "a"')


def test_missingkey_does_not_apply_to_index_or_structs(run, exec_error):
    assert run('{{ index . "x" }}', {}, "error") == "<no value>"
    assert run('{{ index . "x" }}', StrMap({}), "error") == ""
    s = GoStruct([("Name", "name", "a")])
    assert exec_error("{{ .Nope }}", s, "zero").endswith("can't evaluate field Nope in type "
                                                         'struct { Name string "json:\\"name\\"" }')


# ---------------------------------------------------------------- nil and no value

def test_nil_interface_versus_no_value(run, exec_error):
    assert run("{{ .n }}", {"n": None}) == "<no value>"
    assert run("{{ print .n }} {{ print .m }}", {"n": None}) == "<nil> <nil>"
    assert run("{{ $x := .n }}{{ $x.b }}", {"n": None}) == "<no value>"
    assert exec_error("{{ .n.b }}", {"n": None}) == (
        'template: vector:1:5: executing "vector" at <.n.b>: '
        "nil pointer evaluating interface {}.b")
    assert run("{{ range . }}[{{ . }}]{{ end }}", [None, 1.0]) == "[<no value>][1]"
    assert run("{{ . }}", None) == "<no value>"


def test_field_of_a_map_value_is_typed_interface(exec_error):
    assert exec_error("{{ .s.b }}", {"s": "x"}).endswith(
        "can't evaluate field b in type interface {}")
    assert exec_error('{{ (print "a").b }}') == (
        'template: vector:1:10: executing "vector" at <"a">: '
        "can't evaluate field b in type string")


def test_method_like_calls(run, exec_error):
    assert run("{{ .String }}|{{ . }}|{{ printf \"%T\" . }}", Stringer("R")) == (
        "R|R|main.StringerValue")
    assert exec_error("{{ .e.String 1 }}", {"e": Stringer("R")}).endswith(
        "wrong number of args for String: want 0 got 1")
    assert exec_error("{{ .m.a 1 }}", {"m": {"a": 1.0}}).endswith(
        "a is not a method but has arguments")


# ---------------------------------------------------------------- variables, control flow

def test_variable_scoping(run):
    assert run("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}") == "2"
    assert run("{{ $x := 1 }}{{ $x := 3 }}{{ $x }}") == "3"
    assert run("{{ with $x := 5 }}{{ $x = 6 }}{{ $x }}{{ end }}") == "6"
    assert run('{{ template "t" 1 }}{{ define "t" }}{{ $ }}{{ . }}{{ end }}') == "11"
    assert run("{{ range $i, $v := . }}{{ $i }}{{ $v }}{{ $ | len }}{{ end }}",
               ["a", "b"]) == "0a21b2"


def test_range_break_continue_else_and_maps(run):
    t = ("{{ range $i, $e := . }}{{ if eq $i 1 }}{{ continue }}{{ end }}"
         "{{ if eq $i 3 }}{{ break }}{{ end }}{{ $e }}{{ end }}")
    assert run(t, [1.0, 2.0, 3.0, 4.0, 5.0]) == "13"
    assert run("{{ range . }}x{{ else }}E{{ end }}", []) == "E"
    assert run("{{ range . }}x{{ else }}E{{ end }}", StrMap(None)) == "E"
    assert run("{{ range . }}x{{ else }}E{{ end }}", {"m": 1}) == "x"
    assert run("{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}",
               {"b": None, "a": 1.0}) == "a=1;b=<no value>;"


def test_range_errors(exec_error):
    assert exec_error("{{ range .n }}{{ end }}", {"n": 1.0}) == (
        "template: vector:1:9: executing \"vector\" at <.n>: range can't iterate over 1")
    assert exec_error("{{ range . }}{{ end }}", "abc").endswith("range can't iterate over abc")


def test_and_or_short_circuit(run):
    # the second operand would fail (index out of range) if it were evaluated
    assert run("{{ and 0 (index .l 9) }}|{{ or 1 (index .l 9) }}", {"l": []}) == "0|1"
    assert run("{{ and 1 0 | print }} {{ or 0 \"\" | print }} {{ 1 | and 2 }}") == "0  1"


# ---------------------------------------------------------------- calls and types

def _funcs(**extra: GoFunc) -> dict:
    return merged(BUILTINS, extra)


def test_typed_parameters_like_reflect(run, exec_error):
    funcs = _funcs(
        twice=GoFunc("twice", lambda n: n * 2, ("int",)),
        up=GoFunc("up", lambda s: s.upper(), ("string",)),
        half=GoFunc("half", lambda f: f / 2, ("float64",)),
        join=GoFunc("join", lambda sep, *xs: sep.join(xs), ("string",), variadic="string"),
    )
    assert run('{{ twice 3 }} {{ up "a" }} {{ half 3 }} {{ join "-" "a" "b" }}',
               funcs=funcs) == "6 A 1.5 a-b"
    assert run('{{ "x" | up }} {{ "c" | join "-" "a" "b" }}', funcs=funcs) == "X a-b-c"
    assert exec_error("{{ twice 1.5 }}", funcs=funcs).endswith("expected integer; found 1.5")
    assert exec_error("{{ twice .f }}", {"f": 1.0}, funcs=funcs).endswith(
        "wrong type for value; expected int; got float64")
    assert exec_error("{{ twice .i }}", {"i": Int64(1)}, funcs=funcs).endswith(
        "wrong type for value; expected int; got int64")
    assert exec_error("{{ up .missing }}", {}, funcs=funcs).endswith(
        "invalid value; expected string")
    assert exec_error("{{ up 1 }}", funcs=funcs).endswith("expected string; found 1")
    assert exec_error("{{ twice 1 2 }}", funcs=funcs).endswith(
        "wrong number of args for twice: want 1 got 2")
    assert exec_error("{{ join }}", funcs=funcs).endswith(
        "wrong number of args for join: want at least 1 got 0")


def test_function_errors_and_panics_become_exec_errors(exec_error):
    def fail():
        raise FuncError("boom")

    def panic():
        raise ZeroDivisionError("integer divide by zero")

    funcs = _funcs(fail=GoFunc("fail", fail), panic=GoFunc("panic", panic))
    assert exec_error("x{{ fail }}", funcs=funcs) == (
        'template: vector:1:4: executing "vector" at <fail>: error calling fail: boom')
    assert exec_error("{{ panic }}", funcs=funcs).endswith(
        "error calling panic: integer divide by zero")


def test_needs_state_functions_see_data_and_funcs(run):
    def render(state, text):
        return Template.parse(text, name="inject", funcs=state.funcs).execute(state.data)

    funcs = _funcs(render=GoFunc("render", render, ("string",), needs_state=True))
    data = {"a": "A", "l": [1.0]}
    assert run('{{ range .l }}{{ render "{{ .a }}{{ len .l }}" }}{{ end }}', data,
               funcs=funcs) == "A1"


# ---------------------------------------------------------------- errors and positions

def test_exec_error_location_counts_lines_and_bytes(exec_error):
    assert exec_error("x\n  {{ .a.b.c }}", {"a": {"b": 1.0}}).startswith(
        'template: vector:2:7: executing "vector" at <.a.b.c>:')
    assert exec_error("\u00e9\u00e9{{ .a.b.c }}", {"a": {"b": 1.0}}).startswith(
        "template: vector:1:9: ")  # bytes, not characters
    assert exec_error('{{ define "t" }}{{ index . 9 }}{{ end }}x{{ template "t" .l }}',
                      {"l": []}) == (
        'template: vector:1:19: executing "t" at <index . 9>: '
        "error calling index: index out of range: 9")


def test_undefined_template(exec_error):
    assert exec_error('{{ template "t" }}') == (
        'template: vector:1:12: executing "vector" at <{{template "t"}}>: '
        'template "t" not defined')


def test_infinite_recursion_is_an_exec_error(exec_error):
    msg = exec_error('{{ define "t" }}{{ template "t" . }}{{ end }}{{ template "t" . }}')
    assert msg == ('template: vector:1:28: executing "t" at <{{template "t" .}}>: '
                   "exceeded maximum template depth (100000)")


def test_template_namespace_add_and_execute_by_name(backend):
    tpl = Template.parse('{{ define "x" }}X{{ . }}{{ end }}main', name="main", funcs=BUILTINS)
    tpl.add("extra", '{{ template "x" 1 }}+')
    assert tpl.execute(None, backend=backend) == "main"
    assert tpl.execute(None, name="extra", backend=backend) == "X1+"
    assert sorted(tpl.trees) == ["extra", "main", "x"]
    with pytest.raises(ExecError, match="incomplete or empty template"):
        tpl.execute(None, name="nope", backend=backend)


def test_output_of_builtins_on_bytes_and_escapes(run):
    assert run('{{ len "héllo" }} {{ index "héllo" 1 }} {{ printf "%T" (index "a" 0) }}') == (
        "6 195 uint8")
    assert run("{{ html .x }}|{{ js \"a'b<\" }}|{{ urlquery \"a b&c\" }}", {"x": None}) == (
        "&lt;no value&gt;|a\\'b\\u003C|a+b%26c")


def test_slice_rejects_an_index_still_typed_interface(exec_error, run):
    data = {"l": [1.0, 2.0, 3.0], "i": Int64(1)}
    assert exec_error("{{ slice .l .i }}", data).endswith(
        "error calling slice: cannot index slice/array with type interface {}")
    assert run("{{ $i := .i }}{{ slice .l $i }}", data) == "[2 3]"


def test_no_value_is_distinct_from_none():
    assert NO_VALUE is not None and not NO_VALUE


def test_eq_on_nil_maps_and_containers(run, exec_error):
    nil, empty = StrMap(None), StrMap({})
    assert run("{{ eq .n .n }} {{ eq .n .m }} {{ eq .n .d }} {{ eq .n nil }}",
               {"n": nil, "m": empty, "d": {}}) == "true false false true"
    assert exec_error("{{ eq .a .b }}", {"a": {}, "b": empty}).endswith(
        "error calling eq: non-comparable type map[]: map[string]string")
    assert "non-comparable types" in exec_error("{{ eq .a .b }}", {"a": [], "b": {}})
    s1 = GoStruct([("A", "a", 1.0)])
    assert run("{{ eq .s .s }} {{ eq .s .t }}", {"s": s1, "t": GoStruct([("A", "a", 2.0)])}) == (
        "true false")


def test_index_at_length_is_a_reflect_panic(exec_error):
    assert exec_error('{{ index "s" 1 }}').endswith("reflect: string index out of range")
    assert exec_error("{{ index . 1 }}", [1.0]).endswith("reflect: slice index out of range")
    assert exec_error("{{ index . 2 }}", [1.0]).endswith("index out of range: 2")


def test_range_element_is_typed_interface_after_continue(exec_error):
    text = ("{{ range $i, $e := .l }}{{ with $.l }}{{ if eq $i 0 }}{{ continue }}{{ end }}"
            "{{ end }}{{ .x }}{{ end }}")
    assert exec_error(text, {"l": [1.0, 2.0]}).endswith(
        "can't evaluate field x in type interface {}")
