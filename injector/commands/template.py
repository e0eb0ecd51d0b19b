"""`injector template`: render a Go template, or run template test vectors.

    injector template render TEMPLATE_FILE DATA_JSON [--funcs SET] [--missingkey MODE]
                             [--numbers float64|int64] [--backend python|cython]
    injector template vectors FILE.jsonl [-o OUT] [--backend python|cython]

`render` prints the output (exit 3 with Go's error message on stderr). `vectors`
writes each vector line back with `output`, or `error` and `error_kind` (parse|exec),
as produced by this engine (the format of ../shared/spec/template-vectors.jsonl).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

FUNCSET_NAMES = ("core", "sprig", "istio", "istio-1.7")


def _funcsets() -> dict[str, dict]:
    from injector.template.funcs.sets import FUNCSETS

    return FUNCSETS


def render_one(template: str, data: Any, funcs: str, missingkey: str | None,
               backend: str | None = None, name: str = "vector") -> dict[str, str]:
    """{"output": ...} or {"error": ..., "error_kind": "parse"|"exec"}."""
    from injector.template import ExecError, ParseError, Template

    try:
        tpl = Template.parse(template, name=name, funcs=_funcsets()[funcs])
    except ParseError as e:
        return {"error": str(e), "error_kind": "parse"}
    try:
        return {"output": tpl.execute(data, missingkey=missingkey, backend=backend)}
    except ExecError as e:
        return {"error": str(e), "error_kind": "exec"}


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as f:
        return f.read()


def cmd_render(args: argparse.Namespace) -> int:
    from injector.template.values import from_tagged_json

    texts = []
    for path in (args.template, args.data):
        try:
            texts.append(_read(path) if path else None)
        except OSError as e:
            print(f"injector template render: cannot read {path}: {(e.strerror or str(e)).lower()}",
                  file=sys.stderr)
            return 3
        except UnicodeDecodeError as e:
            print(f"injector template render: {path}: not UTF-8 text at byte {e.start}: {e.reason}",
                  file=sys.stderr)
            return 3
    text, raw = texts
    try:
        data = from_tagged_json(json.loads(raw), args.numbers) if raw is not None else None
    except (ValueError, TypeError, KeyError) as e:  # json.JSONDecodeError names line and column
        print(f"injector template render: {args.data}: not valid data JSON: {e}", file=sys.stderr)
        return 3
    res = render_one(text, data, args.funcs, args.missingkey, args.backend,
                     name=args.name)
    if "error" in res:
        print(res["error"], file=sys.stderr)
        return 3
    # raw bytes: Go strings may hold invalid UTF-8 ("\xff"), kept as surrogate escapes
    sys.stdout.flush()
    sys.stdout.buffer.write(res["output"].encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()
    return 0


def cmd_vectors(args: argparse.Namespace) -> int:
    from injector.template.values import from_tagged_json

    out = (open(args.output, "w", encoding="utf-8", errors="surrogateescape")
           if args.output else sys.stdout)
    try:
        with open(args.file, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                vec = json.loads(line)
                for key in ("output", "error", "error_kind"):
                    vec.pop(key, None)
                data = from_tagged_json(vec.get("data"), vec.get("numbers", "float64"))
                vec.update(render_one(vec["template"], data, vec.get("funcs", "core"),
                                      vec.get("missingkey"), args.backend))
                out.write(json.dumps(vec, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("template", help="render Go text/templates, run vectors")
    sub = p.add_subparsers(dest="template_command", metavar="ACTION")
    sub.required = True

    r = sub.add_parser("render", help="render TEMPLATE_FILE with DATA_JSON")
    r.add_argument("template", metavar="TEMPLATE_FILE", help="template text ('-': stdin)")
    r.add_argument("data", metavar="DATA_JSON", nargs="?",
                   help="data as JSON, with the vectors' $int/$strmap/... tags")
    r.add_argument("--funcs", choices=FUNCSET_NAMES, default="core")
    r.add_argument("--missingkey", choices=("default", "invalid", "zero", "error"),
                   default=None)
    r.add_argument("--numbers", choices=("float64", "int64"), default="float64")
    r.add_argument("--backend", choices=("python", "cython"), default=None)
    r.add_argument("--name", default="vector", help="template name used in errors")
    r.set_defaults(func=cmd_render)

    v = sub.add_parser("vectors", help="fill output/error of template vector lines")
    v.add_argument("file", metavar="FILE.jsonl")
    v.add_argument("-o", "--output", metavar="OUT", help="write here (default: stdout)")
    v.add_argument("--backend", choices=("python", "cython"), default=None)
    v.set_defaults(func=cmd_vectors)
