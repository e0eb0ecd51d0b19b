"""Parser and lexer of the Go template engine: structure, literals, trimming, errors.

Expected messages and outputs were checked against Go 1.19 (the gooracle tool).
"""
from __future__ import annotations

import pytest

from injector.template import ParseError, Template
from injector.template.funcs.builtins import BUILTINS
from injector.template.lexer import lex
from injector.template.nodes import K_ACTION, K_IF, K_RANGE, K_TEXT
from injector.template.parser import parse


def render(text: str, data=None) -> str:
    return Template.parse(text, name="vector", funcs=BUILTINS).execute(data)


def parse_error(text: str) -> str:
    with pytest.raises(ParseError) as e:
        Template.parse(text, name="vector", funcs=BUILTINS)
    return str(e.value)


@pytest.mark.parametrize("text, message", [
    ("a {{ ", "template: vector:1: unclosed action"),
    ("{{ (print 1 }}", "template: vector:1: unclosed left paren"),
    ("{{ end }}", "template: vector:1: unexpected {{end}}"),
    ("{{ nosuch 1 }}", 'template: vector:1: function "nosuch" not defined'),
    ("{{}}", "template: vector:1: missing value for command"),
    ("{{ # }}", 'template: vector:1: unexpected "#" in command'),
    ('{{ "abc }}', "template: vector:1: unterminated quoted string"),
    ("{{ `abc }}", "template: vector:1: unterminated raw quoted string"),
    ("{{ .x = 1 }}", 'template: vector:1: unexpected "=" in operand'),
    ("{{ range }}{{ end }}", "template: vector:1: missing value for range"),
    ("{{ template 1 }}", 'template: vector:1: unexpected "1" in template clause'),
    ("{{ .x. }}", "template: vector:1: unexpected <.> in operand"),
    ('{{ "a".b }}', 'template: vector:1: unexpected . after term "\\"a\\""'),
    ("{{ () }}", "template: vector:1: missing value for parenthesized pipeline"),
    ("{{ .x: }}", "template: vector:1: expected :="),
    ("{{- /* x", "template: vector:1: unclosed comment"),
    ("{{ $x }}", 'template: vector:1: undefined variable "$x"'),
    ("{{ break }}", "template: vector:1: {{break}} outside {{range}}"),
    ("{{ range . }}{{ continue 1 }}{{ end }}", 'template: vector:1: unexpected "1" in {{continue}}'),
    ("{{ $a, $b := 1 }}", "template: vector:1: too many declarations in command"),
    ("{{ range $a, 1 }}{{ end }}", "template: vector:1: range can only initialize variables"),
    ("{{ . | . }}", "template: vector:1: non executable command in pipeline stage 2"),
    ("{{ if 1 }}x", "template: vector:1: unexpected EOF"),
    ("{{ 99999999999999999999 }}", 'template: vector:1: integer overflow: "99999999999999999999"'),
    ("{{ 1__0 }}", 'template: vector:1: illegal number syntax: "1__0"'),
    ("{{ 0_8 }}", 'template: vector:1: integer overflow: "0_8"'),
    ("{{ 'ab' }}", "template: vector:1: malformed character constant: 'ab'"),
    ('{{ "\\q" }}', "template: vector:1: invalid syntax"),
    ("{{ @ }}", 'template: vector:1: unexpected "@" in command'),
    ("{{ \x01 }}", "template: vector:1: unrecognized character in action: U+0001"),
    ("a {{/* c */ }} b", "template: vector:1: comment ends before closing delimiter"),
    ("{{ 1 }\n}", 'template: vector:1: unexpected "}" in operand'),
    ("{{ a@ }}", "template: vector:1: bad character U+0040 '@'"),
    ('{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
     'template: vector:1: template: multiple definition of template "a"'),
    ('{{ range . }}{{ define "x" }}{{ break }}{{ end }}{{ end }}',
     'template: vector:1: unexpected <define> in command'),
])
def test_parse_error_messages(text, message):
    assert parse_error(text) == message


def test_parse_error_reports_the_line_of_the_offending_token():
    assert parse_error("a\nb\n{{ if 1 }}\n{{ nosuch }}") == (
        'template: vector:4: function "nosuch" not defined')
    assert parse_error("x\n{{ print\n 1\n nosuch }}") == (
        'template: vector:4: function "nosuch" not defined')


def test_unclosed_action_names_the_line_it_started_on():
    msg = parse_error("{{ if 1 }}\n{{ print 1\n\n")
    assert msg.startswith("template: vector:")
    assert "unclosed action" in msg


def test_function_check_uses_the_given_funcs():
    with pytest.raises(ParseError, match='function "print" not defined'):
        Template.parse("{{ print 1 }}", name="t", funcs={})
    assert Template.parse("{{ 1 }}", name="t", funcs={}).execute(None) == "1"


@pytest.mark.parametrize("text, out", [
    ("a  {{- 1 -}}  b", "a1b"),
    ("a  {{-1}}  b", "a  -1  b"),           # no space after '-': a negative number
    ("a  {{ -1 }}  b", "a  -1  b"),
    ("a {{- /* c */ -}} b", "ab"),
    ("a {{/* c */ -}}\tb", "a b"),
    ("a {{- /* c */}} b", "a b"),
    ("a {{- 1 }}\n\n b {{ 2 -}}\n\n c", "a1\n\n b 2c"),
    ("{{/* {{ */}}ok", "ok"),
])
def test_trim_markers_and_comments(text, out):
    assert render(text) == out


@pytest.mark.parametrize("literal, out", [
    ("0x10", "16"), ("0o17", "15"), ("0b101", "5"), ("017", "15"), ("1_000", "1000"),
    ("0x_1F", "31"), ("1e3", "1000"), ("0x1p-2", "0.25"), ("1i", "(0+1i)"),
    ("'a'", "97"), ("'\\n'", "10"), ("'\\x41'", "65"), ("'\\u00e9'", "233"), ("-0", "0"),
    ("+5", "5"), ("1+2i", "(1+2i)"), ("1_2.3_4", "12.34"), (".5", "0.5"), ("5.", "5"),
    ("0x1.8p1", "3"), ("1E3i", "(0+1000i)"), ("3-4i", "(3-4i)"),
    ("-9223372036854775808", "-9223372036854775808"),
    ('"\\x41\\101\\u00e9\\U0001F600"', "AAé😀"), ("`a\\nb`", "a\\nb"), ("'\\''", "39"),
])
def test_number_and_string_literals(literal, out):
    assert render("{{ " + literal + " }}") == out


def test_literal_types():
    assert render("{{ printf \"%T %T %T %T %T\" 1 1.0 'a' 1i 0x10 }}") == (
        "int float64 int complex128 int")


def test_lexer_positions_and_lines():
    toks = lex("ab\n{{ .x }}")
    kinds = [(t.typ, t.val, t.pos, t.line) for t in toks]
    assert kinds[0] == ("text", "ab\n", 0, 1)
    assert ("field", ".x", 6, 2) in kinds
    assert kinds[-1][0] == "EOF"


def test_tree_shape_defines_and_positions():
    trees = parse('x{{ if .a }}{{ range $i, $v := .l }}{{ $v }}{{ end }}{{ end }}'
                  '{{ define "t" }}T{{ end }}', "main", BUILTINS)
    assert set(trees) == {"main", "t"}
    root = trees["main"]
    assert [n.kind for n in root.nodes] == [K_TEXT, K_IF]
    if_node = root.nodes[1]
    rng = if_node.list.nodes[0]
    assert rng.kind == K_RANGE
    assert [str(v) for v in rng.pipe.decl] == ["$i", "$v"]
    assert rng.list.nodes[0].kind == K_ACTION
    assert str(root) == "x{{if .a}}{{range $i, $v := .l}}{{$v}}{{end}}{{end}}"
    assert str(trees["t"]) == "T"


def test_field_chain_positions_match_go():
    # Go positions a multi-field chain at its second field: executing errors say 1:5
    trees = parse("{{ .e.String 1 }}", "v", BUILTINS)
    field = trees["v"].nodes[0].pipe.cmds[0].args[0]
    assert (str(field), field.pos) == (".e.String", 5)


def test_empty_redefinition_is_allowed_and_keeps_the_body():
    assert render('{{ define "a" }}x{{ end }}{{ define "a" }} {{ end }}{{ template "a" }}') == "x"
    assert render('{{ define "a" }} {{ end }}{{ define "a" }}y{{ end }}{{ template "a" }}') == "y"


def test_else_if_and_else_with_chains():
    t = "{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}"
    assert [render(t, d) for d in ({"a": 1}, {"b": 1}, {})] == ["A", "B", "C"]
    assert render("{{ with 0 }}a{{ else with 2 }}{{ . }}{{ end }}") == "2"  # Go 1.23


def test_deep_nesting_is_a_parse_error_not_a_crash():
    text = "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}"
    try:
        out = render(text)
    except ParseError as e:
        assert "depth" in str(e)
    else:
        assert out == "1"


def test_else_with_only_continues_a_with():
    assert parse_error("{{ if 1 }}{{ else with 2 }}{{ end }}") == (
        "template: vector:1: unexpected <with> in else")
    assert parse_error("{{ range . }}{{ else if 1 }}{{ end }}") == (
        "template: vector:1: unexpected <if> in input")


def test_node_strings_reparse_to_themselves():
    # Go's Node.String() prints parseable source; printing is a fixed point after one
    # round. Checked over every template of the core vectors that parses.
    from tests.test_template_vectors import _core

    vecs = _core() or pytest.skip("no vectors")
    checked = 0
    for vec in vecs:
        try:
            trees = parse(vec["template"], "vector", BUILTINS)
        except ParseError:
            continue
        for name, root in trees.items():
            text = str(root)
            again = parse(text, name, BUILTINS)[name]
            assert str(again) == text, (vec["name"], name, text)
            checked += 1
    assert checked > 500


def test_arbitrary_text_never_crashes_the_engine():
    # Whatever the text, the engine answers with output, ParseError or ExecError.
    import random

    from injector.template import ExecError

    pieces = ["{{", "}}", "{{-", "-}}", " ", "\n", ".", ".a", "$", "$x", ":=", "=", "|", "(",
              ")", ",", "if", "else", "end", "range", "with", "define", "template", "block",
              "break", "continue", '"t"', "`r`", "'c'", "1", "-2", "1.5", "nil", "true",
              "print", "len", "index", "and", "/*", "*/", "x", "é", "0x1F", "2i", "1+2i",
              '"open', "#", "@", "}", "{", "-", "\\", "'", '"', "\x00", "\u2028"]
    rnd = random.Random(20240601)
    outcomes = set()
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        try:
            render(text, {"a": [1.0], "x": None})
            outcomes.add("ok")
        except ParseError:
            outcomes.add("parse")
        except ExecError:
            outcomes.add("exec")
    assert outcomes >= {"ok", "parse"}
