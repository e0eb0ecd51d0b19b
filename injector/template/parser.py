"""Parser for Go text/template source (the behaviour of text/template/parse/parse.go).

`parse(text, name, funcs)` returns `{template name: ListNode}` for the main template
and every `{{define}}`/`{{block}}` in it, or raises `ParseError` with Go's message
(`template: NAME:LINE: message`). Function names are checked against `funcs` at parse
time and variables must be declared before use, as in Go.
"""
from __future__ import annotations

import re
from typing import Container

from . import lexer as L
from .errors import ParseError
from .nodes import (
    K_BOOL, K_DOT, K_ELSE, K_END, K_FIELD, K_NIL, K_NUMBER, K_STRING, K_VARIABLE,
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode,
    ElseNode, EndNode, FieldNode, IdentifierNode, IfNode, ListNode, Node, NilNode,
    NumberNode, PipeNode, RangeNode, Source, StringNode, TemplateNode, TextNode,
    VariableNode, WithNode, is_empty_tree,
)

_TERM_START = frozenset([
    L.BOOL, L.CHARCONST, L.COMPLEX, L.DOT, L.FIELD, L.IDENT, L.NUMBER, L.NIL,
    L.RAWSTRING, L.STRING, L.VARIABLE, L.LPAREN,
])


class _Abort(Exception):
    pass


class _Tree:
    """One template body being parsed (Go's parse.Tree)."""

    def __init__(self, name: str, parser: "_Parser") -> None:
        self.name = name
        self.p = parser
        self.vars = ["$"]
        self.range_depth = 0
        self.root: ListNode | None = None


class _Parser:
    def __init__(self, text: str, name: str, funcs: Container[str],
                 trees: dict[str, ListNode]) -> None:
        self.src = Source(name, text)
        self.toks = L.lex(text)
        self.i = 0          # index of the next token
        self.furthest = 0   # Go reports the line of the furthest token read
        self.funcs = funcs
        self.trees = trees
        self.action_line = 0
        self.branches: list[str] = []  # enclosing if/range/with, innermost last
        self.t: _Tree = _Tree(name, self)

    # ------------------------------------------------------------ errors
    def errorf(self, msg: str) -> None:
        tok = self.toks[min(self.furthest, len(self.toks) - 1)]
        err = ParseError(f"template: {self.src.name}:{tok.line}: {msg}")
        # Go's message names the line only; NAME:LINE:COL is kept for callers that show more.
        err.position = self.src.location(tok.pos)
        raise err

    def unexpected(self, tok: L.Token, context: str) -> None:
        if tok.typ == L.ERROR:
            extra = ""
            if self.action_line and self.action_line != tok.line:
                extra = f" in action started at {self.src.name}:{self.action_line}"
                if tok.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(f"{tok}{extra}")
        self.errorf(f"unexpected {tok} in {context}")

    # ------------------------------------------------------------ tokens
    def next(self) -> L.Token:
        # past the end, the final EOF/ERROR token repeats (as Go's lexer keeps giving it)
        last = len(self.toks) - 1
        idx = self.i if self.i < last else last
        self.i += 1
        if idx > self.furthest:
            self.furthest = idx
        return self.toks[idx]

    def backup(self, n: int = 1) -> None:
        self.i -= n

    def peek(self) -> L.Token:
        last = len(self.toks) - 1
        return self.toks[self.i if self.i < last else last]

    def next_non_space(self) -> L.Token:
        tok = self.next()
        while tok.typ == L.SPACE:
            tok = self.next()
        return tok

    def peek_non_space(self) -> L.Token:
        tok = self.next_non_space()
        self.backup()
        return tok

    def expect(self, typ: str, context: str) -> L.Token:
        tok = self.next_non_space()
        if tok.typ != typ:
            self.unexpected(tok, context)
        return tok

    # ------------------------------------------------------------ structure
    def parse_top(self) -> None:
        t = self.t
        root = ListNode(self.peek().pos, self.src)
        t.root = root
        while self.peek().typ != L.EOF:
            if self.peek().typ == L.LDELIM:
                mark = self.i
                self.next()
                if self.next_non_space().typ == "define":
                    self.parse_definition()
                    continue
                self.i = mark
            n = self.text_or_action()
            if n.kind in (K_END, K_ELSE):
                self.errorf(f"unexpected {n}")
            root.nodes.append(n)
        self.add(t)

    def add(self, t: _Tree) -> None:
        old = self.trees.get(t.name)
        if old is None or is_empty_tree(old):
            self.trees[t.name] = t.root
            return
        if not is_empty_tree(t.root):
            self.errorf(f"template: multiple definition of template {_q(t.name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        outer = self.t
        tok = self.next_non_space()
        if tok.typ not in (L.STRING, L.RAWSTRING):
            self.unexpected(tok, context)
        name = self.unquote(tok.val)
        self.t = _Tree(name, self)
        try:
            self.expect(L.RDELIM, context)
            self.t.root, end = self.item_list()
            if end.kind != K_END:
                self.errorf(f"unexpected {end} in {context}")
            self.add(self.t)
        finally:
            self.t = outer

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space().pos, self.src)
        while self.peek_non_space().typ != L.EOF:
            n = self.text_or_action()
            if n.kind in (K_END, K_ELSE):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError

    def text_or_action(self) -> Node:
        tok = self.next_non_space()
        if tok.typ == L.TEXT:
            return TextNode(tok.pos, self.src, tok.val)
        if tok.typ == L.LDELIM:
            self.action_line = tok.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(tok, "input")
        raise AssertionError

    def action(self) -> Node:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == "block":
            return self.block_control()
        if typ == "break":
            return self.break_control(tok, BreakNode, "{{break}}", "{{break}} outside {{range}}")
        if typ == "continue":
            return self.break_control(tok, ContinueNode, "{{continue}}",
                                      "{{continue}} outside {{range}}")
        if typ == "else":
            return self.else_control()
        if typ == "end":
            return EndNode(self.expect(L.RDELIM, "end").pos, self.src)
        if typ == "if":
            return self.branch(IfNode, "if", True)
        if typ == "range":
            return self.branch(RangeNode, "range", False)
        if typ == "template":
            return self.template_control()
        if typ == "with":
            return self.branch(WithNode, "with", False)
        self.backup()
        tok = self.peek()
        return ActionNode(tok.pos, self.src, tok.line, self.pipeline("command", L.RDELIM))

    def break_control(self, tok: L.Token, cls: type, what: str, outside: str) -> Node:
        nxt = self.next_non_space()
        if nxt.typ != L.RDELIM:
            self.unexpected(nxt, what)
        if self.t.range_depth == 0:
            self.errorf(outside)
        return cls(tok.pos, self.src, tok.line)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        ctx = self.branches[-1] if self.branches else ""
        if peek.typ == "if" or (peek.typ == "with" and ctx == "with"):
            # {{else if x}} is {{else}}{{if x}}...{{end}} with the inner {{end}} shared
            return ElseNode(peek.pos, self.src, peek.line)
        tok = self.expect(L.RDELIM, "else")
        return ElseNode(tok.pos, self.src, tok.line)

    def branch(self, cls: type, context: str, allow_else_if: bool) -> Node:
        t = self.t
        nvars = len(t.vars)
        self.branches.append(context)
        try:
            pipe = self.pipeline(context, L.RDELIM)
            if context == "range":
                t.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                t.range_depth -= 1
            else_list = None
            if nxt.kind == K_ELSE:
                chained = self.peek().typ
                if (allow_else_if and chained == "if") or (context == "with" and chained == "with"):
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    if chained == "if":
                        else_list.nodes.append(self.branch(IfNode, "if", True))
                    else:
                        else_list.nodes.append(self.branch(WithNode, "with", False))
                else:
                    else_list, nxt = self.item_list()
                    if nxt.kind != K_END:
                        self.errorf(f"expected end; found {nxt}")
            return cls(pipe.pos, self.src, pipe.line, pipe, lst, else_list)
        finally:
            del t.vars[nvars:]
            self.branches.pop()

    def parse_template_name(self, tok: L.Token, context: str) -> str:
        if tok.typ in (L.STRING, L.RAWSTRING):
            return self.unquote(tok.val)
        self.unexpected(tok, context)
        raise AssertionError

    def template_control(self) -> Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = None
        if self.next_non_space().typ != L.RDELIM:
            self.backup()
            pipe = self.pipeline(context, L.RDELIM)
        return TemplateNode(tok.pos, self.src, tok.line, name, pipe)

    def block_control(self) -> Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = self.pipeline(context, L.RDELIM)
        outer = self.t
        self.t = _Tree(name, self)
        try:
            self.t.root, end = self.item_list()
            if end.kind != K_END:
                self.errorf(f"unexpected {end} in {context}")
            self.add(self.t)
        finally:
            self.t = outer
        return TemplateNode(tok.pos, self.src, tok.line, name, pipe)

    # ------------------------------------------------------------ pipelines
    def pipeline(self, context: str, end: str) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok.pos, self.src, tok.line)
        t = self.t
        while True:  # declarations
            v = self.peek_non_space()
            if v.typ != L.VARIABLE:
                break
            mark = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (L.ASSIGN, L.DECLARE):
                pipe.is_assign = nxt.typ == L.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.src, [v.val]))
                t.vars.append(v.val)
            elif nxt.typ == L.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, self.src, [v.val]))
                t.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (L.VARIABLE, L.RDELIM, L.RPAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            else:
                self.i = mark
            break
        while True:
            tok = self.next_non_space()
            if tok.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok.typ in _TERM_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if c.args[0].kind in (K_BOOL, K_DOT, K_NIL, K_NUMBER, K_STRING):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos, self.src)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            tok = self.next()
            if tok.typ == L.SPACE:
                continue
            if tok.typ in (L.RDELIM, L.RPAREN):
                self.backup()
            elif tok.typ != L.PIPE:
                self.unexpected(tok, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == L.FIELD:
            chain = ChainNode(self.peek().pos, self.src, node)
            while self.peek().typ == L.FIELD:
                chain.field.append(self.next().val[1:])
            k = node.kind
            if k == K_FIELD:
                node = FieldNode(chain.pos, self.src, node.ident + chain.field)
            elif k == K_VARIABLE:
                node = VariableNode(chain.pos, self.src, node.ident + chain.field)
            elif k in (K_BOOL, K_STRING, K_NUMBER, K_NIL, K_DOT):
                self.errorf(f"unexpected . after term {_q(str(node))}")
            else:
                node = chain
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok.typ
        if typ == L.IDENT:
            if tok.val not in self.funcs:
                self.errorf(f"function {_q(tok.val)} not defined")
            return IdentifierNode(tok.pos, self.src, tok.val)
        if typ == L.DOT:
            return DotNode(tok.pos, self.src)
        if typ == L.NIL:
            return NilNode(tok.pos, self.src)
        if typ == L.VARIABLE:
            if tok.val not in self.t.vars:
                self.errorf(f"undefined variable {_q(tok.val)}")
            return VariableNode(tok.pos, self.src, [tok.val])
        if typ == L.FIELD:
            return FieldNode(tok.pos, self.src, [tok.val[1:]])
        if typ == L.BOOL:
            return BoolNode(tok.pos, self.src, tok.val == "true")
        if typ in (L.CHARCONST, L.COMPLEX, L.NUMBER):
            try:
                return new_number(tok.pos, self.src, tok.val, typ)
            except ValueError as e:
                self.errorf(str(e))
        if typ == L.LPAREN:
            return self.pipeline("parenthesized pipeline", L.RPAREN)
        if typ in (L.STRING, L.RAWSTRING):
            return StringNode(tok.pos, self.src, tok.val, self.unquote(tok.val))
        self.backup()
        return None

    def unquote(self, s: str) -> str:
        try:
            return unquote(s)
        except ValueError as e:
            self.errorf(str(e))
            raise AssertionError



def _q(s: str) -> str:
    from .gofmt import quote

    return quote(s)


# ---------------------------------------------------------------- literals

_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
               "v": "\v", "\\": "\\"}


def unquote_char(s: str, i: int, quote: str) -> tuple[str | bytes, int]:
    """Go's strconv.UnquoteChar at s[i]: (rune or raw byte, next index)."""
    c = s[i]
    if c == quote and quote in "'\"":
        raise ValueError("invalid syntax")
    if c != "\\":
        return c, i + 1
    if i + 1 >= len(s):
        raise ValueError("invalid syntax")
    c = s[i + 1]
    i += 2
    if c in _SIMPLE_ESC:
        return _SIMPLE_ESC[c], i
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        h = s[i:i + n]
        if len(h) < n or not all(ch in "0123456789abcdefABCDEF" for ch in h):
            raise ValueError("invalid syntax")
        v = int(h, 16)
        if c == "x":
            return (bytes([v]) if quote != "'" else chr(v)), i + n
        if v > 0x10FFFF or 0xD800 <= v < 0xE000:
            raise ValueError("invalid syntax")
        return chr(v), i + n
    if c in "01234567":
        o = s[i - 1:i + 2]
        if len(o) < 3 or not all(ch in "01234567" for ch in o):
            raise ValueError("invalid syntax")
        v = int(o, 8)
        if v > 255:
            raise ValueError("invalid syntax")
        return (bytes([v]) if quote != "'" else chr(v)), i + 2
    if c == quote and quote in "'\"":
        return c, i
    raise ValueError("invalid syntax")


def unquote(s: str) -> str:
    """Go's strconv.Unquote for "..." and `...` literals."""
    if len(s) < 2 or s[0] != s[-1]:
        raise ValueError("invalid syntax")
    q = s[0]
    body = s[1:-1]
    if q == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if q != '"':
        raise ValueError("invalid syntax")
    if "\\" not in body and '"' not in body and "\n" not in body:
        return body
    out: list[str] = []
    raw = bytearray()
    i = 0
    while i < len(body):
        if body[i] == "\n":
            raise ValueError("invalid syntax")
        ch, i = unquote_char(body, i, '"')
        if isinstance(ch, bytes):
            raw += ch
            continue
        if raw:
            out.append(raw.decode("utf-8", "surrogateescape"))
            raw = bytearray()
        out.append(ch)
    if raw:
        out.append(raw.decode("utf-8", "surrogateescape"))
    return "".join(out)


def _underscore_ok(s: str) -> bool:
    """Go's strconv.underscoreOK: '_' only between digits (a base prefix counts)."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw = "^"
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hexa = s[1] in "xX"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def _parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) without the range check; None if invalid."""
    s = text
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s or ("_" in s and not _underscore_ok(s)):
        return None
    t = s.replace("_", "")
    low = t[:2].lower()
    try:
        if low == "0x":
            v = int(t[2:], 16)
        elif low == "0b":
            v = int(t[2:], 2)
        elif low == "0o":
            v = int(t[2:], 8)
        elif len(t) > 1 and t[0] == "0":
            v = int(t[1:], 8)
        elif t.isdigit():
            v = int(t, 10)
        else:
            return None
    except ValueError:
        return None
    if not t[2 if low in ("0x", "0b", "0o") else 0:].isalnum():
        return None
    return sign * v


_DEC_FLOAT = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")


def _parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64); None on a syntax or range error."""
    s = text
    neg = s.startswith("-")
    if s[:1] in ("+", "-"):
        s = s[1:]
    if "_" in s:
        if not _underscore_ok(s):
            return None
        s = s.replace("_", "")
    try:
        if _HEX_FLOAT.fullmatch(s):
            v = float.fromhex(s)
        elif _DEC_FLOAT.fullmatch(s):
            v = float(s)
        else:
            return None
    except (ValueError, OverflowError):
        return None
    if v in (float("inf"), float("-inf")):
        return None
    return -v if neg else v


def new_number(pos: int, src: Source, text: str, typ: str) -> NumberNode:
    n = NumberNode(pos, src, text)
    if typ == L.CHARCONST:
        try:
            ch, i = unquote_char(text, 1, "'")
        except (ValueError, IndexError):
            raise ValueError("invalid syntax")
        if text[i:] != "'":
            raise ValueError(f"malformed character constant: {text}")
        r = ord(ch) if isinstance(ch, str) else ch[0]
        n.is_int = n.is_uint = n.is_float = True
        n.int_val = r
        n.float_val = float(r)
        return n
    if typ == L.COMPLEX:
        m = re.fullmatch(r"([+-]?[^+-]+(?:[eEpP][+-][0-9_]+)?)([+-].+)i", text)
        re_v = _parse_float(m.group(1)) if m else None
        if re_v is None and m:
            iv = _parse_int(m.group(1))
            re_v = float(iv) if iv is not None else None
        im_v = _parse_float(m.group(2)) if m else None
        if im_v is None and m:
            iv = _parse_int(m.group(2))
            im_v = float(iv) if iv is not None else None
        if re_v is None or im_v is None:
            raise ValueError("expected integer")
        n.is_complex = True
        n.complex_val = complex(re_v, im_v)
        _simplify_complex(n)
        return n
    if text.endswith("i"):
        f = _parse_float(text[:-1])
        if f is None:
            iv = _parse_int(text[:-1])
            if iv is not None and not text[:-1].lstrip("+-").lower().startswith(("0x", "0b", "0o")):
                f = float(iv)
        if f is not None:
            n.is_complex = True
            n.complex_val = complex(0, f)
            _simplify_complex(n)
            return n
    iv = _parse_int(text)
    if iv is not None:
        if 0 <= iv < 2**64:
            n.is_uint = True
        if -(2**63) <= iv < 2**63:
            n.is_int = True
            n.int_val = iv
    if n.is_int:
        n.is_float = True
        n.float_val = float(n.int_val)
    elif n.is_uint:
        n.is_float = True
        n.float_val = float(iv)  # type: ignore[arg-type]
    else:
        f = _parse_float(text)
        if f is not None:
            if not any(c in text for c in ".eEpP"):
                raise ValueError(f"integer overflow: {_q(text)}")
            n.is_float = True
            n.float_val = f
            if f == int(f) and -(2**63) <= int(f) < 2**63:
                n.is_int = True
                n.int_val = int(f)
            if f == int(f) and 0 <= int(f) < 2**64:
                n.is_uint = True
    if not (n.is_int or n.is_uint or n.is_float):
        raise ValueError(f"illegal number syntax: {_q(text)}")
    return n


def _simplify_complex(n: NumberNode) -> None:
    c = n.complex_val
    n.is_float = c.imag == 0
    if n.is_float:
        n.float_val = c.real
        f = c.real
        if f == int(f) and -(2**63) <= int(f) < 2**63:
            n.is_int = True
            n.int_val = int(f)
        if f == int(f) and 0 <= int(f) < 2**64:
            n.is_uint = True


def parse(text: str, name: str, funcs: Container[str]) -> dict[str, ListNode]:
    """Parse `text` as template `name`; returns the trees it defines (incl. `name`).

    Duplicate non-empty definitions within one text are an error, as in Go; merging
    with templates from earlier texts is the caller's job (Go's `associate`).
    """
    work: dict[str, ListNode] = {}
    p = _Parser(text, name, funcs, work)
    try:
        p.parse_top()
    except RecursionError:
        raise ParseError(f"template: {name}: max expression depth exceeded") from None
    return work
