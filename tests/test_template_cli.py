"""`injector template render` and `injector template vectors`."""
from __future__ import annotations

import json

from injector.cli import main


def test_render_prints_output(tmp_path, capsys):
    (tmp_path / "t.tmpl").write_text('{{ .a | printf "%q" }} {{ index .m "k" }} {{ .n }}')
    (tmp_path / "d.json").write_text('{"a": "x", "m": {"$strmap": {"k": "v"}}, "n": 3}')
    assert main(["template", "render", str(tmp_path / "t.tmpl"), str(tmp_path / "d.json"),
                 "--backend", "python"]) == 0
    assert capsys.readouterr().out == '"x" v 3'


def test_render_numbers_and_missingkey_options(tmp_path, capsys):
    (tmp_path / "t.tmpl").write_text('{{ printf "%T" .n }}{{ .x }}')
    (tmp_path / "d.json").write_text('{"n": 3}')
    assert main(["template", "render", str(tmp_path / "t.tmpl"), str(tmp_path / "d.json"),
                 "--numbers", "int64"]) == 0
    assert capsys.readouterr().out == "int64<no value>"
    assert main(["template", "render", str(tmp_path / "t.tmpl"), str(tmp_path / "d.json"),
                 "--missingkey", "error"]) == 3
    err = capsys.readouterr().err
    assert 'map has no entry for key "x"' in err


def test_render_errors_exit_3(tmp_path, capsys):
    (tmp_path / "bad.tmpl").write_text("{{ if }}")
    (tmp_path / "d.json").write_text("{}")
    assert main(["template", "render", str(tmp_path / "bad.tmpl"), str(tmp_path / "d.json")]) == 3
    assert capsys.readouterr().err.strip() == "template: vector:1: missing value for if"


def test_vectors_fills_output_and_errors(tmp_path):
    lines = [
        {"name": "a", "template": "{{ .x }}", "data": {"x": 1}, "funcs": "core",
         "numbers": "float64", "output": "stale"},
        {"name": "b", "template": "{{ nosuch }}", "data": None, "funcs": "core",
         "numbers": "float64"},
        {"name": "c", "template": "{{ index . 5 }}", "data": [], "funcs": "core",
         "numbers": "float64"},
        {"name": "d", "template": "{{ .y }}", "data": {}, "funcs": "core",
         "numbers": "float64", "missingkey": "zero"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(v) + "\n" for v in lines))
    out = tmp_path / "out.jsonl"
    assert main(["template", "vectors", str(src), "-o", str(out), "--backend", "python"]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["name"] for g in got] == ["a", "b", "c", "d"]
    assert got[0]["output"] == "1" and "error" not in got[0]
    assert got[1]["error_kind"] == "parse" and "nosuch" in got[1]["error"]
    assert got[2]["error_kind"] == "exec" and "index out of range: 5" in got[2]["error"]
    assert got[3]["output"] == "<no value>"
