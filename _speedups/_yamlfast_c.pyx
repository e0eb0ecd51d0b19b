# cython: language_level=3
"""Compiled twin of `injector/_yamlfast_py.py`: the block-style YAML subset reader.

Same results and the same `Unsupported` decisions as the twin; lines are walked with
index arithmetic over the str (PyUnicode_READ), plain scalars are classified by hand
(only number-like text reaches goyaml's resolver). Cold paths (flow collections,
single-quoted scalars) reuse the twin's helpers so both agree by construction.
"""
from cpython.unicode cimport PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.ref cimport PyObject
from cpython.list cimport PyList_Append

from injector._yamlfast_py import Unsupported
from injector._yamlfast_py import _Flow, _balanced, _quoted as _py_quoted, _end_of_line
from injector.goyaml import _json_number, _resolve_plain, _BOOL_NULL

__all__ = ["load", "Unsupported"]

cdef dict _BN = _BOOL_NULL
cdef dict _KEYS = {}
cdef dict _ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r",
                      "0": "\x00", "a": "\x07", "b": "\x08", "e": "\x1b", "f": "\x0c",
                      "v": "\x0b", " ": " "}


cdef inline bint _ok_char(Py_UCS4 c) noexcept:
    # _PLAIN_VALUE_OK of the twin: letters, digits and _$/.=+()^;~\
    if (c >= 97 and c <= 122) or (c >= 65 and c <= 90) or (c >= 48 and c <= 57):
        return True
    return (c == 95 or c == 36 or c == 47 or c == 46 or c == 61 or c == 43 or c == 40
            or c == 41 or c == 94 or c == 59 or c == 126 or c == 92)


cdef inline bint _first_num(Py_UCS4 c) noexcept:
    return (c >= 48 and c <= 57) or c == 43 or c == 45


cdef inline bint _first_map(Py_UCS4 c) noexcept:
    return (c == 121 or c == 89 or c == 110 or c == 78 or c == 116 or c == 84 or c == 102
            or c == 70 or c == 111 or c == 79 or c == 126)


cdef inline bint _bad_plain_start(Py_UCS4 c) noexcept:
    # ?:,[]{}#&*!|>'"%@`
    return (c == 63 or c == 58 or c == 44 or c == 91 or c == 93 or c == 123 or c == 125
            or c == 35 or c == 38 or c == 42 or c == 33 or c == 124 or c == 62 or c == 39
            or c == 34 or c == 37 or c == 64 or c == 96)


cdef inline bint _refused(Py_UCS4 c) noexcept:
    if c == 10:
        return False
    if c < 0x20:
        return True
    if c <= 0x7e:
        return False
    if c < 0xa0:
        return True
    if c <= 0x2027:
        return False
    if c < 0x202a:
        return True
    if c <= 0xd7ff:
        return False
    if c < 0xe000:
        return True
    if c <= 0xfefe:
        return False
    if c < 0xff00:
        return True
    if c <= 0xfffd:
        return False
    if c < 0x10000:
        return True
    return c > 0x10ffff


cdef object _plain(str s):
    """A plain scalar as goyaml resolves it (then through JSON); s is not empty."""
    cdef Py_ssize_t n = len(s), i, start
    cdef Py_UCS4 c = s[0], d
    cdef PyObject* hit
    if _first_map(c):
        hit = PyDict_GetItem(_BN, s)
        if hit != NULL:
            return <object>hit
        return s
    if _first_num(c):
        # decimal integers that surely fit int64: the common case, no regex
        start = 1 if (c == 45 or c == 43) else 0
        if n - start >= 1 and n - start <= 18:
            d = s[start]
            if (d >= 49 and d <= 57) or (d == 48 and n - start == 1):
                i = start + 1
                while i < n:
                    d = s[i]
                    if d < 48 or d > 57:
                        break
                    i += 1
                if i == n:
                    return int(s)
        return _resolve_number(s)
    if c == 46:
        return _resolve_number(s)
    if n == 2 and c == 60 and s[1] == "<":
        raise Unsupported("merge key")
    return s


cdef object _resolve_number(str s):
    v = _resolve_plain(s)
    if v.__class__ is float:
        return _json_number(v)
    return v


cdef str _plain_key(str s):
    cdef Py_UCS4 c = s[0]
    cdef PyObject* hit
    if _first_map(c):
        hit = PyDict_GetItem(_BN, s)
        if hit != NULL:
            raise Unsupported("non-string key")
        return s
    if _first_num(c) or c == 46:
        v = _resolve_plain(s)
        if v.__class__ is not str:
            raise Unsupported("non-string key")
        return v
    return s


cdef str _unescape_body(str body):
    """The twin's `\\(.)` substitution: known escapes only."""
    cdef Py_ssize_t i = 0, n = len(body)
    cdef list parts = []
    cdef Py_UCS4 c
    cdef Py_ssize_t start = 0
    while i < n:
        c = body[i]
        if c == 92:
            parts.append(body[start:i])
            e = body[i + 1]  # the body never ends with a lone backslash
            out = _ESCAPES.get(e)
            if out is None:
                raise Unsupported(f"escape \\{e}")
            parts.append(out)
            i += 2
            start = i
        else:
            i += 1
    parts.append(body[start:])
    return "".join(parts)


cdef Py_ssize_t _dq_end(str s, Py_ssize_t i, Py_ssize_t n):
    """Index just after the closing quote of the double-quoted scalar opening at s[i],
    or -1 (the twin's _DQ_BODY regex: `\\` takes any next char of the line)."""
    cdef Py_UCS4 c
    i += 1
    while i < n:
        c = s[i]
        if c == 34:
            return i + 1
        if c == 92:
            if i + 1 >= n or s[i + 1] == "\n":
                return -1
            i += 2
            continue
        if c == 10:
            return -1
        i += 1
    return -1


cdef tuple _quoted(str s):
    """(value, rest of the line) of a quoted scalar at the start of s (one line only)."""
    cdef Py_ssize_t n = len(s), e
    if s[0] == '"':
        e = _dq_end(s, 0, n)
        if e < 0:
            raise Unsupported("double-quoted scalar across lines")
        body = s[1:e - 1]
        if "\\" in body:
            body = _unescape_body(body)
        return body, s[e:]
    return _py_quoted(s)


cdef inline bint _is_dash(str t, Py_ssize_t ind):
    """Line t has "-" then end or space at column ind."""
    cdef Py_ssize_t n = len(t)
    return t[ind] == "-" and (n == ind + 1 or t[ind + 1] == " ")


cdef class _Parser:
    cdef list lines
    cdef list inds
    cdef list nxt
    cdef Py_ssize_t n

    def __init__(self, list lines):
        cdef Py_ssize_t n, i, k, following, L
        cdef str line
        cdef Py_UCS4 c
        self.lines = lines
        n = self.n = len(lines)
        inds = [-1] * n
        nxt = [n] * (n + 2)
        following = n
        for i in range(n - 1, -1, -1):
            line = lines[i]
            L = len(line)
            k = 0
            while k < L and line[k] == " ":
                k += 1
            if k < L and line[k] != "#":
                if k == 0:
                    c = line[0]
                    if c == "%" or line.startswith(("---", "...")):
                        raise Unsupported("document marker or directive")
                inds[i] = k
                following = i
            nxt[i] = following
        self.inds = inds
        self.nxt = nxt

    cdef Py_ssize_t _nx(self, Py_ssize_t i):
        return <Py_ssize_t>self.nxt[i]

    cdef Py_ssize_t _ind(self, Py_ssize_t i):
        return <Py_ssize_t>self.inds[i]

    cdef tuple block(self, Py_ssize_t i, Py_ssize_t ind):
        if _is_dash(self.lines[i], ind):
            return self.seq(i, ind)
        return self.mapping(i, ind)

    cdef tuple mapping(self, Py_ssize_t i, Py_ssize_t ind):
        cdef dict out = {}
        cdef list lines = self.lines
        cdef Py_ssize_t n = self.n, L, pos, p, re, rs, j, k
        cdef str t, kt, key, rest
        cdef Py_UCS4 c, c0
        cdef bint hash_, simple
        cdef PyObject* hit
        while True:
            t = lines[i]
            L = len(t)
            # one scan: the first ": ", whether a "#" occurs
            pos = -1
            hash_ = False
            p = ind
            while p < L:
                c = t[p]
                if c == 58:
                    if pos < 0 and p + 1 < L and t[p + 1] == " ":
                        pos = p
                elif c == 35:
                    hash_ = True
                    break
                p += 1
            if pos < 0 and t[L - 1] == ":":
                pos = L - 1
            c0 = t[ind]
            simple = pos > ind and not hash_ and _ok_char(c0) and t[pos - 1] != " "
            if simple and pos < 0:
                simple = False
            if simple:
                kt = t[ind:pos]
                hit = PyDict_GetItem(_KEYS, kt)
                if hit != NULL:
                    key = <object>hit
                else:
                    key = _plain_key(kt)
                    if len(_KEYS) < 4096:
                        _KEYS[kt] = key
                rs = pos + 2
                re = L
                while re > rs and t[re - 1] == " ":
                    re -= 1
                if rs >= re:
                    v, i = self.value("", i, ind, True)
                    out[key] = v
                    i = self._nx(i)
                else:
                    c = t[rs]
                    if _ok_char(c) and t[re - 1] != ":" and not _has_colon_space(t, rs, re):
                        j = self._nx(i + 1)
                        if j < n and self._ind(j) > ind:
                            raise Unsupported("multi-line scalar")
                        rest = t[rs:re]
                        if _first_num(c) or _first_map(c) or c == 46:
                            out[key] = _plain(rest)
                        else:
                            out[key] = rest
                        i = j
                    elif c == 34 and t[re - 1] == '"' and _dq_end(t, rs, re) == re:
                        j = self._nx(i + 1)
                        if j < n and self._ind(j) > ind:
                            raise Unsupported("multi-line scalar")
                        body = t[rs + 1:re - 1]
                        out[key] = _unescape_body(body) if "\\" in body else body
                        i = j
                    else:
                        v, i = self.value(t[rs:re], i, ind, True)
                        out[key] = v
                        i = self._nx(i)
            else:
                key, rest = self.key(t[ind:])
                v, i = self.value(rest, i, ind, True)
                out[key] = v
                i = self._nx(i)
            if i >= n:
                return out, i
            k = self._ind(i)
            if k < ind:
                return out, i
            if k > ind:
                raise Unsupported("over-indented line")
            if _is_dash(lines[i], ind):
                return out, i

    cdef tuple seq(self, Py_ssize_t i, Py_ssize_t ind):
        cdef list out = []
        cdef list lines = self.lines
        cdef Py_ssize_t n = self.n, L, p, j, k, col
        cdef str line, stripped
        while True:
            line = lines[i]
            L = len(line)
            p = ind + 1
            while p < L and line[p] == " ":
                p += 1
            if p >= L or line[p] == "#":
                j = self._nx(i + 1)
                if j < n and self._ind(j) > ind:
                    value, i = self.block(j, self._ind(j))
                else:
                    value, i = None, i + 1
            else:
                col = p
                stripped = line[p:]
                if _is_dash(stripped, 0):
                    raise Unsupported("compact nested sequence")
                if _is_key_line(stripped):
                    lines[i] = " " * col + stripped
                    self.inds[i] = col
                    value, i = self.mapping(i, col)
                else:
                    value, i = self.value(stripped, i, ind, False)
            PyList_Append(out, value)
            i = self._nx(i)
            if i >= n:
                return out, i
            k = self._ind(i)
            if k < ind:
                return out, i
            if k > ind:
                raise Unsupported("over-indented line")
            if not _is_dash(lines[i], ind):
                return out, i

    cdef tuple key(self, str s):
        cdef Py_ssize_t pos
        c = s[:1]
        if c == '"' or c == "'":
            body, after = _quoted(s)
            if after != ":" and not after.startswith(": "):
                raise Unsupported("not a mapping line")
            return body, after[1:]
        if not c or _bad_plain_start(s[0]) or (c == "-" and s[1:2] in ("", " ")):
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
        return _plain_key(k), rest

    cdef tuple value(self, str rest, Py_ssize_t i, Py_ssize_t ind, bint in_map):
        cdef Py_ssize_t n = self.n, j, k, pos
        cdef str s = rest.strip(" ")
        cdef Py_UCS4 c
        if not s or s[0] == "#":
            j = self._nx(i + 1)
            if j < n:
                k = self._ind(j)
                if k > ind:
                    return self.block(j, k)
                if in_map and k == ind and _is_dash(self.lines[j], ind):
                    return self.seq(j, ind)
            return None, i + 1
        c = s[0]
        if c == 34 or c == 39:
            body, after = _quoted(s)
            _end_of_line(after)
            return body, self.scalar_end(i, ind)
        if c == 124:
            return self.literal(s, i, ind)
        if c == 91 or c == 123:
            return self.flow(s, i, ind)
        if _bad_plain_start(c) or (c == 45 and (len(s) == 1 or s[1] == " ")):
            raise Unsupported("value start")
        pos = s.find(" #")
        if pos >= 0:
            s = s[:pos].rstrip(" ")
        if ": " in s or s.endswith(":"):
            raise Unsupported("mapping value in a plain scalar")
        return _plain(s), self.scalar_end(i, ind)

    cdef Py_ssize_t scalar_end(self, Py_ssize_t i, Py_ssize_t ind) except -1:
        cdef Py_ssize_t j = self._nx(i + 1)
        if j < self.n and self._ind(j) > ind:
            raise Unsupported("multi-line scalar")
        return i + 1

    cdef tuple literal(self, str header, Py_ssize_t i, Py_ssize_t ind):
        cdef str h = header, chomp, line
        cdef Py_ssize_t pos, n, j, k, max_blank, cind, last, empties, L
        cdef list lines = self.lines, body, content
        cdef bint final_break
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
        n = len(lines)
        j = i + 1
        k = j
        max_blank = 0
        while k < n and _spaces_only(lines[k]):
            L = len(<str>lines[k])
            if L > max_blank:
                max_blank = L
            k += 1
        if k >= n:
            raise Unsupported("block scalar without content")
        cind = _indent(lines[k])
        if cind <= ind or max_blank > cind:
            raise Unsupported("block scalar indentation")
        body = []
        while j < n:
            line = lines[j]
            if not _spaces_only(line):
                if _indent(line) < cind:
                    break
                body.append(line[cind:])
            else:
                body.append(line[cind:] if len(line) > cind else "")
            j += 1
        final_break = True
        if j >= n:
            if lines[n - 1] == "":
                body.pop()
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

    cdef tuple flow(self, str s, Py_ssize_t i, Py_ssize_t ind):
        cdef list lines = self.lines
        cdef list parts = [s]
        cdef Py_ssize_t j = i + 1
        text = s
        while not _balanced(text):
            if j >= len(lines):
                raise Unsupported("unterminated flow collection")
            nx = lines[j]
            body = nx.strip(" ")
            if body and _indent(nx) < ind:
                raise Unsupported("flow continuation line")
            parts.append(body)
            text = "\n".join(parts)
            j += 1
        value, pos = _Flow(text).parse()
        _end_of_line(text[pos:])
        return value, self.scalar_end(j - 1, ind)


cdef inline bint _has_colon_space(str t, Py_ssize_t a, Py_ssize_t b):
    cdef Py_ssize_t p = a
    while p + 1 < b:
        if t[p] == ":" and t[p + 1] == " ":
            return True
        p += 1
    return False


cdef inline bint _spaces_only(str line):
    cdef Py_ssize_t p = 0, L = len(line)
    while p < L:
        if line[p] != " ":
            return False
        p += 1
    return True


cdef inline Py_ssize_t _indent(str line):
    cdef Py_ssize_t p = 0, L = len(line)
    while p < L and line[p] == " ":
        p += 1
    return p


cdef bint _is_key_line(str s) except -1:
    cdef Py_UCS4 c = s[0]
    cdef Py_ssize_t e
    if c == 34 or c == 39:
        if c == 34:
            e = _dq_end(s, 0, len(s))
            if e < 0:
                return False
            after = s[e:]
        else:
            m = _SQ_BODY.match(s)
            if m is None:
                return False
            after = s[m.end():]
        return after == ":" or after.startswith(": ")
    return ": " in s or s.endswith(":")


import re as _re
_SQ_BODY = _re.compile(r"'((?:[^'\n]|'')*)'")


def load(text):
    """The twin's `load`: the data of a block-subset YAML text, or `Unsupported`."""
    cdef Py_ssize_t i, n
    cdef int kind
    cdef void* data
    cdef _Parser p
    cdef str t
    if not isinstance(text, str):
        raise Unsupported("characters")
    t = <str>text
    n = len(t)
    kind = PyUnicode_KIND(t)
    data = PyUnicode_DATA(t)
    for i in range(n):
        if _refused(PyUnicode_READ(kind, data, i)):
            raise Unsupported("characters")
    p = _Parser(t.split("\n"))
    i = p._nx(0)
    if i >= p.n:
        return None
    value, i = p.block(i, p._ind(i))
    if p._nx(i) < p.n:
        raise Unsupported("trailing content")
    return value
