"""A fast reader for the block-style YAML subset injection templates render.

`load(text)` gives exactly what `goyaml.load` gives (sigs.k8s.io/yaml.Unmarshal: YAML 1.1
scalars as yaml.v2 resolves them, then JSON) for the text it accepts, and raises
`Unsupported` for anything else, so the caller falls back to the libyaml path. Accepted:
block mappings and sequences (a sequence may sit at its key's indentation; `- key: v`
compact maps), plain scalars on one line, single-line single- and double-quoted scalars
(common escapes), literal block scalars (`|`, `|-`, `|+`), empty flow collections and
one-line-or-more flow collections of scalars, comments, blank lines. Refused (fallback):
tabs, CR, non-printable or YAML 1.1 line-break characters, document markers and
directives, anchors, aliases, tags, merge keys, complex keys, folded scalars,
indentation indicators, multi-line plain or quoted scalars, and anything that would be
a syntax error (the fallback reports it as libyaml does).

Why: libyaml through PyYAML costs ~0.5 ms per rendered sidecar (a third of a first-sight
admission); this reader walks the lines once.
"""
from __future__ import annotations

import re
from typing import Any

from injector.goyaml import _FIRST_MAP, _FIRST_NUM, _json_number, _resolve_plain


class Unsupported(Exception):
    """The text uses something this reader does not handle: use the full parser."""


# Characters that make us hand the text to libyaml: tab, CR, C0/C1 controls, NEL, LS/PS,
# BOM, surrogates, U+FFFE/U+FFFF (libyaml's printable set is narrower than Python's).
_REFUSE_CHARS = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# A plain scalar (value) may start with these only in ways we do not handle.
_BAD_PLAIN_START = frozenset("?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\x00",
            "a": "\x07", "b": "\x08", "e": "\x1b", "f": "\x0c", "v": "\x0b", " ": " "}
_DQ_BODY = re.compile(r'"((?:[^"\\\n]|\\[^\n])*)"')
_SQ_BODY = re.compile(r"'((?:[^'\n]|'')*)'")
_ESCAPE = re.compile(r"\\(.)")


def load(text: str) -> Any:
    if not isinstance(text, str) or _REFUSE_CHARS.search(text):
        raise Unsupported("characters")
    p = _Parser(text.split("\n"))
    i = p.nxt[0]
    if i >= p.n:
        return None
    value, i = p.block(i, p.inds[i])
    if p.nxt[i] < p.n:
        raise Unsupported("trailing content")
    return value


_PLAIN_VALUE_OK = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$/.=+()^;~\\")


_KEYS: dict[str, str] = {}  # plain key text -> key (keys repeat across renders)


class _Parser:
    """Recursive descent over lines; inds[i] is line i's indentation (-1: blank or
    comment), nxt[i] the first content line at or after i (n at the end)."""

    __slots__ = ("lines", "inds", "nxt", "n")

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        n = self.n = len(lines)
        inds = [-1] * n
        nxt = [n] * (n + 2)
        following = n
        for i in range(n - 1, -1, -1):
            line = lines[i]
            s = line.lstrip(" ")
            if s and s[0] != "#":
                k = len(line) - len(s)
                if k == 0 and (s[0] == "%" or s.startswith(("---", "..."))):
                    raise Unsupported("document marker or directive")
                inds[i] = k
                following = i
            nxt[i] = following
        self.inds = inds
        self.nxt = nxt

    def indent(self, i: int) -> int:
        line = self.lines[i]
        return len(line) - len(line.lstrip(" "))

    def skip(self, i: int) -> int:
        return self.nxt[i]

    # -------------------------------------------------------------- block nodes

    def block(self, i: int, ind: int) -> tuple[Any, int]:
        """The block collection whose first line is i, at indentation ind."""
        content = self.lines[i][ind:]
        if content == "-" or content.startswith("- "):
            return self.seq(i, ind)
        return self.mapping(i, ind)

    def mapping(self, i: int, ind: int) -> tuple[dict, int]:
        out: dict[str, Any] = {}
        lines, inds, nxt, n = self.lines, self.inds, self.nxt, self.n
        ok = _PLAIN_VALUE_OK
        while True:
            s = lines[i][ind:]
            pos = s.find(": ")
            if pos < 0 and s[-1] == ":":
                pos = len(s) - 1
            # fast path: a simple key, then a one-line plain or double-quoted value or none
            if pos > 0 and s[0] in ok and s[pos - 1] != " " and "#" not in s:
                k = s[:pos]
                key = _KEYS.get(k)
                if key is None:
                    key = _plain_key(k)
                    if len(_KEYS) < 4096:
                        _KEYS[k] = key
                rest = s[pos + 2:].rstrip(" ")
                c = rest[:1]
                if not c:
                    out[key], i = self.value("", i, ind, True)
                    i = nxt[i]
                elif c in ok and ": " not in rest and rest[-1] != ":":
                    j = nxt[i + 1]
                    if j < n and inds[j] > ind:
                        raise Unsupported("multi-line scalar")
                    if c in _FIRST_NUM or c in _FIRST_MAP or c == ".":
                        out[key] = _plain(rest)
                    else:
                        out[key] = rest
                    i = j
                elif c == '"' and rest[-1] == '"' and (m := _DQ_BODY.fullmatch(rest)) is not None:
                    j = nxt[i + 1]
                    if j < n and inds[j] > ind:
                        raise Unsupported("multi-line scalar")
                    body = m.group(1)
                    out[key] = _ESCAPE.sub(_unescape, body) if "\\" in body else body
                    i = j
                else:
                    out[key], i = self.value(rest, i, ind, True)
                    i = nxt[i]
            else:
                key, rest = self.key(s)
                out[key], i = self.value(rest, i, ind, True)
                i = nxt[i]
            if i >= n:
                return out, i
            k = inds[i]
            if k < ind:
                return out, i
            if k > ind:
                raise Unsupported("over-indented line")
            t = lines[i]
            if t[ind] == "-" and (len(t) == ind + 1 or t[ind + 1] == " "):
                return out, i  # a sequence at this indentation ends this map (parent decides)

    def seq(self, i: int, ind: int) -> tuple[list, int]:
        out: list[Any] = []
        lines, inds, nxt, n = self.lines, self.inds, self.nxt, self.n
        while True:
            line = lines[i]
            rest = line[ind + 1:]
            stripped = rest.lstrip(" ")
            if not stripped or stripped[0] == "#":
                # "-" alone: the item is the block below, or null
                j = nxt[i + 1]
                if j < n and inds[j] > ind:
                    value, i = self.block(j, inds[j])
                else:
                    value, i = None, i + 1
            else:
                col = ind + 1 + (len(rest) - len(stripped))
                if stripped == "-" or stripped.startswith("- "):
                    raise Unsupported("compact nested sequence")
                if self.is_key_line(stripped):
                    # "- key: v": a map whose keys sit at the column of its first key
                    # (the line is rewritten so; nothing reads it again)
                    lines[i] = " " * col + stripped
                    inds[i] = col
                    value, i = self.mapping(i, col)
                else:
                    value, i = self.value(stripped, i, ind, False)
            out.append(value)
            i = nxt[i]
            if i >= n:
                return out, i
            k = inds[i]
            if k < ind:
                return out, i
            if k > ind:
                raise Unsupported("over-indented line")
            t = lines[i]
            if not (t[ind] == "-" and (len(t) == ind + 1 or t[ind + 1] == " ")):
                return out, i

    @staticmethod
    def is_key_line(s: str) -> bool:
        c = s[0]
        if c == '"' or c == "'":
            m = (_DQ_BODY if c == '"' else _SQ_BODY).match(s)
            if m is None:
                return False
            after = s[m.end():]
            return after == ":" or after.startswith(": ")
        return ": " in s or s.endswith(":")

    def key(self, s: str) -> tuple[str, str]:
        c = s[:1]
        if c == '"' or c == "'":
            body, after = _quoted(s)
            if after != ":" and not after.startswith(": "):
                raise Unsupported("not a mapping line")
            return body, after[1:]
        if not c or c in _BAD_PLAIN_START or (c == "-" and s[1:2] in ("", " ")):
            raise Unsupported("key start")
        if s.endswith(":") and ": " not in s:
            k, rest = s[:-1], ""
        else:
            pos = s.find(": ")
            if pos < 0:
                raise Unsupported("not a mapping line")
            k, rest = s[:pos], s[pos + 1:]
        k = k.rstrip(" ")
        if " #" in k or not k:
            raise Unsupported("comment or empty key")
        if k == "<<":
            raise Unsupported("merge key")
        resolved = _plain_key(k)
        return resolved, rest

    def value(self, rest: str, i: int, ind: int, in_map: bool) -> tuple[Any, int]:
        """The value after `key:` (rest starts after the colon) or after `- `; i is its line."""
        s = rest.strip(" ")
        n = self.n
        if not s or s[0] == "#":
            j = self.nxt[i + 1]
            if j < n:
                k = self.inds[j]
                if k > ind:
                    return self.block(j, k)
                if in_map and k == ind:
                    t = self.lines[j][ind:]
                    if t == "-" or t.startswith("- "):
                        return self.seq(j, ind)
            return None, i + 1
        c = s[0]
        if c == '"' or c == "'":
            body, after = _quoted(s)
            _end_of_line(after)
            return body, self.scalar_end(i, ind)
        if c == "|":
            return self.literal(s, i, ind)
        if c == "[" or c == "{":
            return self.flow(s, i, ind)
        if c in _BAD_PLAIN_START or (c == "-" and (len(s) == 1 or s[1] == " ")):
            raise Unsupported("value start")
        pos = s.find(" #")
        if pos >= 0:
            s = s[:pos].rstrip(" ")
        if ": " in s or s.endswith(":"):
            raise Unsupported("mapping value in a plain scalar")
        return _plain(s), self.scalar_end(i, ind)

    def scalar_end(self, i: int, ind: int) -> int:
        """A one-line scalar ends its line; a more indented next line would continue it."""
        j = self.nxt[i + 1]
        if j < self.n and self.inds[j] > ind:
            raise Unsupported("multi-line scalar")
        return i + 1

    def literal(self, header: str, i: int, ind: int) -> tuple[str, int]:
        h = header
        pos = h.find(" #")
        if pos >= 0:
            h = h[:pos]
        h = h.rstrip(" ")
        if h == "|":
            chomp = "clip"
        elif h == "|-":
            chomp = "strip"
        elif h == "|+":
            chomp = "keep"
        else:
            raise Unsupported("block scalar header")
        lines = self.lines
        n = len(lines)
        j = i + 1
        # content indentation: the first non-blank line's
        k = j
        max_blank = 0
        while k < n and not lines[k].strip(" "):
            max_blank = max(max_blank, len(lines[k]))
            k += 1
        if k >= n:
            raise Unsupported("block scalar without content")
        cind = self.indent(k)
        if cind <= ind or max_blank > cind:
            raise Unsupported("block scalar indentation")
        body: list[str] = []
        while j < n:
            line = lines[j]
            if line.strip(" "):
                if self.indent(j) < cind:
                    break
                body.append(line[cind:])
            else:
                body.append(line[cind:] if len(line) > cind else "")
            j += 1
        final_break = True  # does the last line of the scalar end with a line break?
        if j >= n:
            if lines[-1] == "":
                body.pop()  # the text's final "\n" ended the previous line; no line here
            else:
                final_break = False
        last = len(body)
        while last > 0 and body[last - 1] == "":
            last -= 1
        content = body[:last]
        empties = len(body) - last
        if not content:
            if chomp == "keep":
                raise Unsupported("keep-chomped empty block scalar")
            return "", j
        text = "\n".join(content)
        if chomp == "strip":
            return text, j
        if chomp == "clip":
            return (text + "\n" if (empties or final_break) else text), j
        return text + "\n" * (empties + 1 if final_break else empties), j

    def flow(self, s: str, i: int, ind: int) -> tuple[Any, int]:
        """A flow collection starting in `s` (line i), possibly continued on more lines."""
        lines = self.lines
        parts = [s]
        j = i + 1
        text = s
        while not _balanced(text):
            if j >= len(lines):
                raise Unsupported("unterminated flow collection")
            nxt = lines[j]
            body = nxt.strip(" ")
            # continuation lines: libyaml takes the closing bracket at the key's column
            if body and self.indent(j) < ind:
                raise Unsupported("flow continuation line")
            parts.append(body)
            text = "\n".join(parts)
            j += 1
        value, pos = _Flow(text).parse()
        _end_of_line(text[pos:])
        return value, self.scalar_end(j - 1, ind)


def _balanced(s: str) -> bool:
    """Whether the brackets of a flow text close (quotes respected; no comments inside)."""
    depth = 0
    q = ""
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if q:
            if q == '"' and c == "\\":
                i += 2
                continue
            if c == q:
                if q == "'" and s[i + 1:i + 2] == "'":
                    i += 2
                    continue
                q = ""
        elif c in "\"'":
            q = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return True
        elif c == "#" and i > 0 and s[i - 1] in " \n":
            raise Unsupported("comment inside a flow collection")
        i += 1
    if q:
        raise Unsupported("quoted scalar across lines")
    return False


class _Flow:
    """Flow collections of scalars and nested flow collections (one logical line)."""

    __slots__ = ("s", "i")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def ws(self) -> None:
        s, i = self.s, self.i
        while i < len(s) and (s[i] == " " or s[i] == "\n"):
            i += 1
        self.i = i

    def parse(self) -> tuple[Any, int]:
        v = self.node()
        return v, self.i

    def node(self) -> Any:
        self.ws()
        c = self.s[self.i:self.i + 1]
        if c == "[":
            return self.seq()
        if c == "{":
            return self.map()
        return self.scalar(key=False)

    def seq(self) -> list:
        self.i += 1
        out: list = []
        while True:
            self.ws()
            c = self.s[self.i:self.i + 1]
            if c == "]":
                self.i += 1
                return out
            if c == "" or c == ",":
                raise Unsupported("flow sequence syntax")
            out.append(self.node())
            if self.is_pair():
                raise Unsupported("single-pair map in a flow sequence")
            self.ws()
            c = self.s[self.i:self.i + 1]
            if c == ",":
                self.i += 1
            elif c != "]":
                raise Unsupported("flow sequence syntax")

    def is_pair(self) -> bool:
        self.ws()
        return self.s[self.i:self.i + 1] == ":"

    def map(self) -> dict:
        self.i += 1
        out: dict = {}
        while True:
            self.ws()
            c = self.s[self.i:self.i + 1]
            if c == "}":
                self.i += 1
                return out
            if c in ("", ",", "[", "{", "?"):
                raise Unsupported("flow mapping syntax")
            key = self.scalar(key=True)
            self.ws()
            if self.s[self.i:self.i + 1] != ":":
                raise Unsupported("flow mapping entry without value")
            self.i += 1
            nxt = self.s[self.i:self.i + 1]
            if nxt not in (" ", ",", "}", ""):
                raise Unsupported("flow mapping colon")
            self.ws()
            c = self.s[self.i:self.i + 1]
            value = None if c in (",", "}") else self.node()
            out[key] = value
            self.ws()
            c = self.s[self.i:self.i + 1]
            if c == ",":
                self.i += 1
            elif c != "}":
                raise Unsupported("flow mapping syntax")

    def scalar(self, key: bool) -> Any:
        s, i = self.s, self.i
        c = s[i:i + 1]
        if c == '"' or c == "'":
            body, after = _quoted(s[i:])
            self.i = len(s) - len(after)
            return body
        # plain scalar in flow context: stops at ",[]{}" and at ": " / ":" before an indicator
        j = i
        n = len(s)
        while j < n:
            ch = s[j]
            if ch in ",[]{}":
                break
            if ch == ":" and (j + 1 >= n or s[j + 1] in " \n,[]{}"):
                break
            if ch == "\n":
                k = j
                while k < n and s[k] in " \n":
                    k += 1
                if k < n and s[k] in ",]}":
                    break
                raise Unsupported("multi-line plain scalar in a flow collection")
            if ch == "#" and s[j - 1] in " \n":
                raise Unsupported("comment in a flow collection")
            j += 1
        text = s[i:j].rstrip(" ")
        if not text or text[0] in _BAD_PLAIN_START or (text[0] == "-" and text[1:2] in ("", " ")):
            raise Unsupported("flow plain scalar start")
        self.i = i + len(text)
        return _plain_key(text) if key else _plain(text)


def _quoted(s: str) -> tuple[str, str]:
    """(value, rest of the line) of a quoted scalar at the start of s (one line only)."""
    if s[0] == '"':
        m = _DQ_BODY.match(s)
        if m is None:
            raise Unsupported("double-quoted scalar across lines")
        body = m.group(1)
        if "\\" in body:
            body = _ESCAPE.sub(_unescape, body)
        return body, s[m.end():]
    m = _SQ_BODY.match(s)
    if m is None:
        raise Unsupported("single-quoted scalar across lines")
    return m.group(1).replace("''", "'"), s[m.end():]


def _unescape(m: re.Match) -> str:
    c = m.group(1)
    out = _ESCAPES.get(c)
    if out is None:
        raise Unsupported(f"escape \\{c}")
    return out


def _end_of_line(after: str) -> None:
    s = after.lstrip(" ")
    if s and not (s[0] == "#" and len(s) < len(after)):
        raise Unsupported("text after a quoted scalar")


def _plain(s: str) -> Any:
    """A plain scalar as goyaml resolves it (then through JSON)."""
    c = s[0]
    if c in _FIRST_NUM or c in _FIRST_MAP or c == ".":
        v = _resolve_plain(s)
        if v.__class__ is float:
            return _json_number(v)
        return v
    if s == "<<":
        raise Unsupported("merge key")
    return s


def _plain_key(s: str) -> str:
    c = s[0]
    if c in _FIRST_NUM or c in _FIRST_MAP or c == ".":
        v = _resolve_plain(s)
        if v.__class__ is not str:
            raise Unsupported("non-string key")
        return v
    return s
