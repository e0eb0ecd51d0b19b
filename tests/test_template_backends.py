"""The Cython evaluator (`_exec_c`) behaves exactly as the pure-Python reference (`_exec_py`).

1. Every vector of ../shared/spec/template-vectors.jsonl (all function sets) passes on
   both backends, and both give the very same output or the very same error message;
   passed/total is printed per backend and category.
2. Hand-written edge cases (errors and their messages, missingkey modes, the recursion
   guard, break/continue, `render`, the functions the compiled evaluator inlines, the
   serialiser memo, the per-tree compile cache) and generated templates give identical
   results on both backends.
"""
from __future__ import annotations

import collections
import functools
import json
import subprocess
import sys
from functools import lru_cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from injector._ext import NO_EXTENSIONS
from injector.template import ExecError, ParseError, Template
from injector.template.funcs import GoFunc
from injector.template.funcs.builtins import BUILTINS
from injector.template.funcs.sets import FUNCSETS
from injector.template.values import NO_VALUE, GoStruct, Int64, StrList, StrMap, Stringer, from_tagged_json
from tests.conftest import ROOT, SPEC, need_shared

HAVE_C_SOURCE = (ROOT / "_speedups" / "_exec_c.pyx").exists()

if NO_EXTENSIONS or not HAVE_C_SOURCE:
    pytest.skip("compiled evaluator disabled (INJECTOR_NO_EXTENSIONS) or not written",
                allow_module_level=True)

from injector.template import _exec_c, _exec_py  # noqa: E402  (ImportError: not built)

BACKENDS = {"python": _exec_py.execute, "cython": _exec_c.execute}


def outcome(tpl: Template, data: Any, backend: str, missingkey: str = "default") -> tuple[str, str]:
    """("output", text) or ("exec", message) of one execution."""
    try:
        return "output", BACKENDS[backend](tpl.trees, tpl.name, data, tpl.funcs, missingkey)
    except ExecError as e:
        return "exec", str(e)


def both(text: str, data: Any = None, funcs: str = "istio", missingkey: str = "default",
         name: str = "t") -> tuple[str, str]:
    """The common outcome of both backends (asserting they agree)."""
    tpl = Template.parse(text, name=name, funcs=FUNCSETS[funcs])
    py = outcome(tpl, data, "python", missingkey)
    cy = outcome(tpl, data, "cython", missingkey)
    assert cy == py, f"{text!r} on {data!r}: python {py!r}, cython {cy!r}"
    # a second run uses the cached compiled tree (and warm memo): same again
    assert outcome(tpl, data, "cython", missingkey) == py
    return py


# ------------------------------------------------------------------ 1. the vectors

@lru_cache(maxsize=None)
def _vectors() -> tuple[dict, ...]:
    path = need_shared("spec", "template-vectors.jsonl")
    with open(path, encoding="utf-8") as f:
        return tuple(json.loads(line) for line in f if line.strip())


def _run_vector(vec: dict) -> dict[str, tuple[str, str]]:
    """{backend: (kind, text)} where kind is output, parse or exec."""
    try:
        tpl = Template.parse(vec["template"], name="vector", funcs=FUNCSETS[vec["funcs"]])
    except ParseError as e:
        return {b: ("parse", str(e)) for b in BACKENDS}
    results = {}
    for b in BACKENDS:
        data = from_tagged_json(json.loads(json.dumps(vec["data"])), vec["numbers"])
        results[b] = outcome(tpl, data, b, vec.get("missingkey") or "default")
    return results


def _passes(vec: dict, result: tuple[str, str]) -> bool:
    kind, text = result
    if kind == "output":
        return "output" in vec and text == vec["output"]
    return vec.get("error_kind") == kind


def test_every_vector_passes_on_both_backends_identically(capsys):
    vecs = _vectors()
    total: collections.Counter = collections.Counter()
    passed = {b: collections.Counter() for b in BACKENDS}
    differ = []
    for vec in vecs:
        res = _run_vector(vec)
        total[vec["category"]] += 1
        for b in BACKENDS:
            passed[b][vec["category"]] += _passes(vec, res[b])
        if res["python"] != res["cython"]:
            differ.append((vec["name"], res))
    with capsys.disabled():
        print(f"\ntemplate vectors, all function sets ({len(vecs)}):")
        print(f"  {'category':46s} {'python':>9s} {'cython':>9s}")
        for cat in sorted(total):
            print(f"  {cat:46s} {passed['python'][cat]:4d}/{total[cat]:<4d} "
                  f"{passed['cython'][cat]:4d}/{total[cat]:<4d}")
        print(f"  {'TOTAL':46s} {sum(passed['python'].values()):4d}/{len(vecs):<4d} "
              f"{sum(passed['cython'].values()):4d}/{len(vecs):<4d}")
    assert not differ, f"backends differ on {len(differ)} vectors, first: {differ[0]}"
    assert passed["python"] == total
    assert passed["cython"] == total
    # every function set is exercised
    assert {v["funcs"] for v in vecs} >= {"core", "sprig", "istio", "istio-1.7"}


# ------------------------------------------------------------------ 2. edge cases

META = {"Annotations": StrMap({"a": "x", "n": "1"}), "Labels": StrMap(None), "Name": "p"}
DATA = {
    "s": "str", "e": "", "t": True, "f": False, "i": Int64(3), "fl": 2.5, "z": 0.0,
    "nz": -0.0, "big": 1e21, "small": 1e-7, "nil": None, "l": ["a", "b", 1.0],
    "el": [], "m": {"k": "v", "n": None, "d": {"x": 1.0}}, "em": {},
    "sm": StrMap({"k": "v"}), "nilsm": StrMap(None), "sl": StrList(["x", "y"]),
    "st": Stringer("ENUM"), "gs": GoStruct([("Name", "name", "g"), ("Port", "port,omitempty", Int64(8))]),
    "meta": META, "badmeta": {"Annotations": {"a": 1.0}}, "plainmeta": {"Annotations": {"a": "y"}},
    "q": 'say "hi"\n', "u": "héllo", "num": 15020.0,
}

EDGE_CASES = [
    # fields, missing keys, nil, methods
    "{{.s}}{{.missing}}{{.m.k}}{{.m.n}}{{.m.d.x}}{{.m.missing.deeper}}",
    "{{.nil.x}}", "{{.s.x}}", "{{.l.x}}", "{{.i.x}}", "{{.gs.Name}}{{.gs.Port}}{{.gs.Nope}}",
    "{{.st.String}}", "{{.st.String 1}}", "{{.m.k 1}}", "{{.gs.Name 1}}", "{{.m.k | print}}",
    "{{.sm.k}}{{.sm.x}}{{.nilsm.x}}",
    # printing
    "{{.}}", "{{.l}}{{.m}}{{.em}}{{.sm}}{{.nilsm}}{{.sl}}{{.gs}}{{.nil}}{{.missing}}",
    "{{.t}}{{.i}}{{.fl}}{{.z}}{{.nz}}{{.big}}{{.small}}{{.num}}{{.st}}{{1}}{{1.5}}{{'a'}}{{1i}}",
    "{{0x10}}{{1e3}}{{0x1p4}}{{1_000}}{{-0}}", "{{18446744073709551615}}",
    "{{print 18446744073709551615}}",
    # variables, assignment, scope
    "{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}{{if true}}{{$x = 3}}{{$y := 4}}{{end}}{{$x}}",
    "{{$x := .m}}{{$x.k}}{{$x.d.x}}{{$.s}}{{$x.nope.deeper}}",
    "{{with $v := .s}}{{$v}}{{.}}{{end}}{{with .missing}}x{{else with .s}}{{.}}{{end}}",
    # if / with / range
    "{{if .e}}a{{else if .l}}b{{else}}c{{end}}{{if .em}}d{{end}}{{if .st}}e{{end}}{{if .gs}}f{{end}}",
    "{{range .l}}[{{.}}]{{end}}{{range $i, $v := .l}}{{$i}}={{$v}};{{end}}",
    "{{range $k, $v := .m}}{{$k}}:{{$v}},{{end}}{{range .el}}x{{else}}empty{{end}}",
    "{{range .sm}}{{.}}{{end}}{{range .nilsm}}x{{else}}nil{{end}}{{range .sl}}{{.}}{{end}}",
    "{{range 3}}{{.}}{{end}}{{range $i := 2}}{{$i}}{{end}}{{range $i, $v := 2}}{{end}}",
    "{{range .s}}{{end}}", "{{range .missing}}x{{else}}none{{end}}", "{{range .t}}{{end}}",
    "{{range .l}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}|"
    "{{range .l}}{{if eq . \"a\"}}{{continue}}{{end}}{{.}}{{end}}",
    "{{range $i, $e := .l}}{{range .}}{{end}}{{end}}",
    "{{range .l}}{{with .}}{{continue}}{{end}}{{end}}{{range .m}}{{slice .}}{{end}}",
    # templates
    '{{define "a"}}A{{.}}{{template "b" .}}{{end}}{{define "b"}}B{{$}}{{end}}{{template "a" .s}}',
    '{{template "nope"}}', '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}',
    '{{define "r"}}{{if .}}{{template "r" (slice . 1)}}{{len .}}{{end}}{{end}}{{template "r" .l}}',
    '{{define "x"}}{{.missing}}{{end}}{{template "x" .}}{{template "x"}}',
    '{{block "bl" .s}}[{{.}}]{{end}}',
    # function calls: arity, types, errors, and, or
    "{{len}}", "{{len 1 2}}", "{{printf}}", "{{printf 1}}", "{{printf \"%d\" .s}}",
    "{{index}}", "{{nil}}", "{{1 2}}", "{{.s 2}}", "{{(1) 2}}", "{{$ 1}}", "{{(nil).x}}",
    "{{and 1 0 2}}{{or 0 \"\" .s}}{{and .t .missing.x}}{{or .e .nil}}{{and}}",
    "{{and .t (index .missing 1)}}{{or .t (index .missing 1)}}", "{{1 | and .t}}",
    "{{not .l}}{{not .el}}{{not .nil}}{{not .missing}}{{not .gs}}{{not .i}}{{not 0}}",
    "{{eq .s \"str\"}}{{eq .i 3}}{{eq .fl 2.5}}{{eq .t true}}{{eq .s .st}}{{eq .nil .missing}}",
    "{{eq .i .fl}}", "{{eq .s 1}}", "{{eq .l .l}}", "{{eq .m .nilsm}}", "{{eq .nilsm .missing}}",
    "{{eq .s \"a\" \"str\"}}{{ne .s \"x\"}}{{ne .i 3}}{{eq .z .nz}}{{eq 1 1}}{{ne 1 \"a\"}}",
    "{{lt 1 2}}{{le .s \"z\"}}{{gt .fl 1.0}}{{ge .i 3}}{{lt .t .f}}{{lt .nil 1}}{{lt 1 1.0}}",
    "{{index .m \"k\"}}{{index .m \"missing\"}}{{index .m \"d\" \"x\"}}{{index .sm \"k\"}}"
    "{{index .sm \"no\"}}{{index .nilsm \"no\"}}{{index .l 1}}{{index .l 2}}{{index .s 0}}",
    "{{index .l 3}}", "{{index .l 4}}", "{{index .l -1}}", "{{index .l .s}}", "{{index .m 1}}",
    "{{index .m .missing}}", "{{index .nil 1}}", "{{index .missing 1}}", "{{index .m \"n\" \"x\"}}",
    "{{index .l .t}}", "{{index .sl 1}}", "{{index .m \"k\" \"x\"}}", "{{index .i 1}}",
    "{{len .s}}{{len .u}}{{len .l}}{{len .m}}{{len .sm}}{{len .sl}}", "{{len .i}}", "{{len .nil}}",
    "{{len .missing}}", "{{slice .l 1}}{{slice .s 1 2}}{{slice .l .i}}", "{{slice .l 5}}",
    "{{call .s}}", "{{call .missing}}", "{{print .s .i .fl}}{{println .t .nil}}",
    "{{html .q}}{{js .q .u}}{{urlquery .q}}{{printf \"%v %q %5.2f %T\" .m .s .fl .i}}",
    # inlined sprig / istio functions, common and odd argument types
    "{{default \"d\" .e}}{{default \"d\" .s}}{{default \"d\" .missing}}{{default \"d\" .nil}}"
    "{{default 1 .z}}{{default 1 .i}}{{default \"d\" .el}}{{default \"d\" .l}}{{default \"d\" .f}}"
    "{{default \"d\" .em}}{{default \"d\" .st}}{{default \"d\" .gs}}{{default \"d\" .nilsm}}"
    "{{default \"d\"}}{{default \"d\" .e .s}}{{.e | default \"p\"}}",
    "{{quote .s}}{{quote .q}}{{quote .u}}{{quote .i}}{{quote .fl}}{{quote .t}}{{quote .nil}}"
    "{{quote .st}}{{quote .big}}{{quote .l}}{{quote .m}}{{quote .s .i}}{{quote}}{{quote .missing}}",
    "{{annotation .meta \"a\" \"d\"}}{{annotation .meta \"zz\" \"d\"}}{{annotation .meta \"zz\" .num}}"
    "{{annotation .meta \"zz\" .i}}{{annotation .meta \"zz\" .t}}{{annotation .meta \"zz\" .nil}}"
    "{{annotation .meta \"zz\" .missing}}{{annotation .meta \"zz\" .st}}{{annotation .meta \"zz\" .l}}"
    "{{annotation .meta \"zz\" .big}}{{annotation .meta \"zz\" .small}}{{annotation .meta \"zz\" .nz}}"
    "{{annotation .plainmeta \"a\" 1}}{{annotation .m \"a\" 1}}{{annotation .missing \"a\" 1}}"
    "{{annotation .gs \"a\" 1}}{{annotation .s \"a\" 1}}",
    "{{annotation .badmeta \"a\" 1}}", "{{annotation .meta 1 1}}",
    "{{isset .meta.Annotations \"a\"}}{{isset .meta.Annotations \"q\"}}{{isset .meta.Labels \"a\"}}"
    "{{isset .missing \"a\"}}{{isset .nil \"a\"}}{{isset .plainmeta.Annotations \"a\"}}{{isset .em \"a\"}}",
    "{{isset .badmeta.Annotations \"a\"}}", "{{isset .s \"a\"}}", "{{isset .l \"a\"}}",
    "{{valueOrDefault .s \"d\"}}{{valueOrDefault .e \"d\"}}{{valueOrDefault .missing \"d\"}}"
    "{{valueOrDefault .nil .missing}}{{valueOrDefault .st \"d\"}}{{valueOrDefault .z 1}}"
    "{{valueOrDefault .e .nil}}{{valueOrDefault .l 1}}",
    # memoised serialisers: values that compare equal but print differently
    "{{toYaml .z}}|{{toYaml .nz}}|{{toYaml .i}}|{{toYaml .fl}}|{{toYaml .em}}|{{toYaml .nilsm}}"
    "|{{toYaml .sm}}|{{toYaml .m}}|{{toYaml .l}}|{{toYaml .sl}}|{{toYaml .gs}}|{{toYaml .st}}"
    "|{{toYaml .nil}}|{{toYaml .missing}}|{{toYaml .t}}|{{toYaml 1}}|{{toYaml 1.0}}",
    "{{structToJSON .gs}}{{structToJSON .m}}{{structToJSON .nil}}{{protoToJSON .nilsm}}"
    "{{protoToJSON .em}}{{toJSON .sm}}{{toJSON .nilsm}}{{toJSON .m}}{{toJSON .missing}}",
    # a needs_state function: render executes on the top-level data
    '{{render "{{.s}}-{{.i}}"}}{{with .m}}{{render "{{.s}}"}}{{end}}{{render "{{"}}'
    '{{render "{{.s.x}}"}}',
    # pipelines and parenthesised arguments
    "{{.s | printf \"%s-%s\" .s}}{{(.m).k}}{{(index .m \"d\").x}}{{.m | len}}{{\"x\" | quote}}",
    "{{.i | printf \"%d\" | len}}", "{{1 | .s}}", "{{.s | .m.k}}", "{{.l | index}}",
    "{{(.missing).x}}{{(.m.d).x}}{{(.nil).x}}",
]


@pytest.mark.parametrize("text", EDGE_CASES)
@pytest.mark.parametrize("missingkey", ["default", "zero", "error"])
def test_edge_cases_identical(text, missingkey):
    both(text, DATA, missingkey=missingkey)


def test_edge_cases_cover_outputs_and_errors():
    kinds = collections.Counter(both(t, DATA)[0] for t in EDGE_CASES)
    assert kinds["output"] > 40 and kinds["exec"] > 30, kinds


def test_core_set_inlines_the_same_builtins():
    tpl = Template.parse('{{index .m "k"}}{{eq .s "str"}}{{not .e}}{{len .l}}{{index .sm "x"}}',
                         name="t", funcs=BUILTINS)
    assert outcome(tpl, DATA, "cython") == outcome(tpl, DATA, "python") == ("output", "vtruetrue3")


def test_overridden_function_is_called_not_inlined():
    calls = []

    def my_eq(a, b):
        calls.append((a, b))
        return "mine"

    funcs = {**FUNCSETS["istio"], "eq": GoFunc("eq", my_eq, ("any", "any"))}
    tpl = Template.parse("{{eq .s \"str\"}}", name="t", funcs=funcs)
    assert outcome(tpl, DATA, "cython") == ("output", "mine")
    assert calls == [("str", "str")]


def test_compiled_tree_follows_the_function_map():
    # one tree, two function maps: the cache is per map, not per tree only
    tpl = Template.parse("{{f .}}", name="t", funcs={"f": GoFunc("f", lambda v: "one", ("any",))})
    other = {"f": GoFunc("f", lambda v: "two", ("any",))}
    assert _exec_c.execute(tpl.trees, "t", 1, tpl.funcs) == "one"
    assert _exec_c.execute(tpl.trees, "t", 1, other) == "two"
    assert _exec_c.execute(tpl.trees, "t", 1, tpl.funcs) == "one"


def test_templates_added_after_execution_are_seen():
    tpl = Template.parse('{{template "x" .}}', name="t", funcs=FUNCSETS["istio"])
    tpl.add("x", "one")
    assert tpl.execute(None, backend="cython") == "one"
    tpl.add("x", "two{{.}}")
    assert tpl.execute(5, backend="cython") == "two5"


def test_memo_keeps_typed_values_apart():
    tpl = Template.parse("{{toYaml .}}", name="t", funcs=FUNCSETS["istio"])
    values = [0.0, -0.0, Int64(0), False, "0", StrMap(None), StrMap({}), {}, [], StrList(),
              {"a": 1.0}, {"a": Int64(1)}, {"a": "1"}, GoStruct([("A", "a", 1.0)]),
              GoStruct([("A", "a,omitempty", 0.0)]), GoStruct([("A", "b", 1.0)]), None, NO_VALUE,
              # too big to memoise, and nested deeper than memo keys go
              [{"name": f"E{i}", "value": str(i)} for i in range(600)],
              [{"name": f"E{i}", "value": str(i + 1)} for i in range(600)],
              functools.reduce(lambda acc, _: {"a": acc}, range(40), {"b": 1.0})]
    for _ in range(2):  # the second round hits the memo
        for v in values:
            assert outcome(tpl, v, "cython") == outcome(tpl, v, "python"), v
    _exec_c.set_memo(False)
    try:
        for v in values:
            assert outcome(tpl, v, "cython") == outcome(tpl, v, "python"), v
    finally:
        _exec_c.set_memo(True)


# Runaway recursions and the call at which Go stops them, as the Go oracle
# (../shared/tools/gooracle/bin/gotmpl) reports: the call made at depth 100000,
# whatever depth the Python stack allows.
GO_OVERFLOWS = [
    ('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}',
     'vector:1:28: executing "r" at <{{template "r" .}}>'),
    ('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "a" .}}{{end}}'
     '{{template "a" .}}', 'vector:1:64: executing "b" at <{{template "a" .}}>'),
    ('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "c" .}}{{end}}'
     '{{define "c"}}{{template "a" .}}{{end}}{{template "a" .}}',
     'vector:1:25: executing "a" at <{{template "b" .}}>'),
    ('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "c" .}}{{end}}'
     '{{define "c"}}{{template "a" .}}{{end}}{{template "c" .}}',
     'vector:1:103: executing "c" at <{{template "a" .}}>'),
    ('{{define "a"}}{{template "b" .}}{{end}}{{define "b"}}{{template "c" .}}{{end}}'
     '{{define "c"}}{{template "d" .}}{{end}}{{define "d"}}{{template "a" .}}{{end}}'
     '{{template "d" .}}', 'vector:1:103: executing "c" at <{{template "d" .}}>'),
    ('{{define "a"}}{{if .}}{{template "a" .}}{{end}}{{end}}{{define "b"}}x{{template "a" .}}'
     '{{end}}{{template "b" .}}', 'vector:1:33: executing "a" at <{{template "a" .}}>'),
]


@pytest.mark.parametrize("text, where", GO_OVERFLOWS)
def test_recursion_guard_reports_where_go_does(text, where):
    kind, msg = both(text, [1], name="vector")
    assert (kind, msg) == ("exec", f"template: {where}: exceeded maximum template depth (100000)")


def test_bounded_recursion_runs():
    text = ('{{define "r"}}{{if .}}{{len .}},{{template "r" (slice . 1)}}{{end}}{{end}}'
            '{{template "r" .}}')
    kind, out = both(text, list(range(60)), funcs="core")
    assert (kind, out) == ("output", "".join(f"{n}," for n in range(60, 0, -1)))


def test_recursion_with_a_high_limit_is_an_error_not_a_crash():
    # the compiled evaluator's template calls use the C stack: a raised recursion limit
    # must not let it run out (it would crash the process)
    code = (
        "import sys, threading; sys.setrecursionlimit(1_000_000)\n"
        "from injector.template import Template, ExecError\n"
        "t = Template.parse('{{define \"r\"}}{{range .}}{{template \"r\" $}}{{end}}{{end}}'\n"
        "                   '{{template \"r\" .}}', name='v')\n"
        "def run():\n"
        "    try:\n"
        "        t.execute([1], backend='cython')\n"
        "    except ExecError as e:\n"
        "        print(str(e).endswith('exceeded maximum template depth (100000)'))\n"
        "run(); th = threading.Thread(target=run); th.start(); th.join()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["True", "True"]


def test_deep_nesting_with_a_high_limit_is_an_error_not_a_crash():
    code = (
        "import sys; sys.setrecursionlimit(1_000_000)\n"
        "from injector.template import Template, ExecError\n"
        "for text in ('{{if .}}' * 20000 + 'x' + '{{end}}' * 20000,\n"
        "             '{{' + '(' * 20000 + '1' + ')' * 20000 + '}}'):\n"
        "    try:\n"
        "        print(Template.parse(text, name='d').execute(1, backend='cython')[:1])\n"
        "    except ExecError as e:\n"
        "        print('depth' in str(e))\n"
        "    except RecursionError:\n"
        "        print('parser')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.split()) == 2


def test_render_inside_render_and_errors_give_empty():
    out = both('{{render "{{render \\"{{.s}}\\"}}"}}|{{render "{{template \\"nope\\"}}"}}|',
               DATA, funcs="istio-1.7")
    assert out == ("output", "str||")


def test_break_continue_in_nested_ranges():
    text = ("{{range $i, $r := .}}{{range $r}}{{if eq . 2.0}}{{continue}}{{end}}"
            "{{if eq . 4.0}}{{break}}{{end}}{{.}}{{end}};{{end}}")
    assert both(text, [[1.0, 2.0, 3.0], [4.0, 5.0], [6.0]]) == ("output", "13;;6;")


# ------------------------------------------------------------------ generated templates

_OPERANDS = [".s", ".e", ".i", ".fl", ".z", ".t", ".f", ".nil", ".missing", ".l", ".m", ".m.k",
             ".m.d.x", ".sm", ".sm.k", ".nilsm", ".st", ".gs.Name", ".meta", "$", ".", "$x",
             "1", "0", "2.5", "\"a\"", "\"\"", "true", "nil", "(index .m \"k\")", ".m.missing.x"]
_FUNCS = ["", "not", "len", "eq {0}", "ne {0}", "lt {0}", "index", "index {0}", "default {0}",
          "quote", "print {0}", "printf \"%v-%v\" {0}", "and {0}", "or {0}", "toYaml", "toJSON",
          "valueOrDefault {0}", "annotation \"a\"", "isset", "empty", "toString", "html", "js",
          "slice", "slice {0}", "list {0}", "append {0}", "keys", "dict \"k\"", "structToJSON",
          "call", "coalesce {0}", "ternary {0} true", "typeOf", "kindIs \"map\"", "hasKey",
          "pluck \"k\"", "toJson", "b64enc", "upper", "trim", "splitList \",\"", "first"]
_WRAPS = ["{{{{{0}}}}}", "{{{{if {0}}}}}T{{{{else}}}}F{{{{end}}}}",
          "{{{{with {0}}}}}<{{{{.}}}}>{{{{end}}}}", "{{{{range {0}}}}}[{{{{.}}}}]{{{{else}}}}-{{{{end}}}}",
          "{{{{range $k, $v := {0}}}}}{{{{$k}}}}={{{{$v}}}};{{{{end}}}}",
          "{{{{range $i, $e := {0}}}}}{{{{if $i}}}}{{{{break}}}}{{{{end}}}}{{{{$e}}}}{{{{end}}}}",
          "{{{{range {0}}}}}{{{{with .}}}}{{{{continue}}}}{{{{end}}}}x{{{{end}}}}",
          "{{{{$x = {0}}}}}{{{{$x}}}}", "{{{{$y := {0}}}}}{{{{$y.k}}}}",
          '{{{{template "t" {0}}}}}', "{{{{({0}).k}}}}"]


@st.composite
def _generated(draw) -> str:
    parts = ['{{define "t"}}({{.}}|{{$.s}}){{end}}{{$x := .m}}']
    for _ in range(draw(st.integers(1, 4))):
        a = draw(st.sampled_from(_OPERANDS))
        b = draw(st.sampled_from(_OPERANDS))
        fn = draw(st.sampled_from(_FUNCS)).format(b)
        pipe = f"{fn} {a}".strip() if fn and draw(st.booleans()) else (f"{a} | {fn}" if fn else a)
        if fn == "annotation \"a\"":
            pipe = f"annotation {a} \"a\" {b}"
        if fn == "isset":
            pipe = f"isset {a} \"k\""
        parts.append(draw(st.sampled_from(_WRAPS)).format(pipe))
    return "".join(parts)


@settings(max_examples=300, deadline=None, derandomize=True)  # deterministic in CI
@given(text=_generated(), missingkey=st.sampled_from(["default", "zero", "error"]))
def test_generated_templates_identical(text, missingkey):
    try:
        Template.parse(text, name="g", funcs=FUNCSETS["istio"])
    except ParseError:
        return
    both(text, DATA, missingkey=missingkey, name="g")


def test_concurrent_executions_agree():
    # one Template shared by threads (as the webhook's executor does): the compiled tree,
    # the function cache and the serialiser memo are shared state
    from concurrent.futures import ThreadPoolExecutor

    text = ("{{range $k, $v := .}}{{$k}}={{toYaml $v | quote}};{{annotation $.meta \"a\" 1.5}}"
            "{{index $.m \"k\"}}{{end}}")
    tpl = Template.parse(text, name="t", funcs=FUNCSETS["istio"])
    datas = [{**DATA, "x": float(i), "y": {"n": Int64(i)}} for i in range(8)]
    want = [outcome(tpl, d, "python") for d in datas]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            got = list(pool.map(lambda d: outcome(tpl, d, "cython"), datas * 4))
            assert got == want * 4
