# cython: language_level=3
"""Compiled twin of `injector/_yamlfast_py.py`: the block-style YAML subset reader.

Same results and the same `Unsupported` decisions as the twin; lines are walked with
index arithmetic over the str (PyUnicode_READ), plain scalars are classified by hand
(only number-like text reaches goyaml's resolver). Single-quoted scalars reuse the
twin's helper.
"""
from cpython.unicode cimport PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.ref cimport PyObject
from cpython.list cimport PyList_Append
from cpython.mem cimport PyMem_Malloc, PyMem_Free

from injector._yamlfast_py import Unsupported
from injector._yamlfast_py import _quoted as _py_quoted
from injector.goyaml import _json_number, _resolve_plain, _BOOL_NULL

__all__ = ["load", "Unsupported"]

cdef dict _BN = _BOOL_NULL
cdef dict _KEYS = {}
cdef dict _ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r",
                      "0": "\x00", "a": "\x07", "b": "\x08", "e": "\x1b", "f": "\x0c",
                      "v": "\x0b", " ": " "}


cdef inline Py_UCS4 _at(str s, Py_ssize_t i) noexcept:
    # callers keep 0 <= i < len(s)
    return PyUnicode_READ(PyUnicode_KIND(s), PyUnicode_DATA(s), i)


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


cdef unsigned char _REFUSED_BYTE[256]


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
    cdef Py_UCS4 c = _at(s, 0), d
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
            d = _at(s, start)
            if (d >= 49 and d <= 57) or (d == 48 and n - start == 1):
                i = start + 1
                while i < n:
                    d = _at(s, i)
                    if d < 48 or d > 57:
                        break
                    i += 1
                if i == n:
                    return int(s)
        return _resolve_number(s)
    if c == 46:
        return _resolve_number(s)
    if n == 2 and c == 60 and _at(s, 1) == "<":
        raise Unsupported("merge key")
    return s


cdef inline bint _number_char(Py_UCS4 c) noexcept:
    # every character goyaml's int/float syntaxes use (0x, 0o, 0b, exponents, "_")
    return ((c >= 48 and c <= 57) or (c >= 97 and c <= 102) or (c >= 65 and c <= 70)
            or c == 43 or c == 45 or c == 46 or c == 95 or c == 120 or c == 88
            or c == 111 or c == 79)


cdef object _resolve_number(str s):
    """goyaml's resolution of a text starting like a number; a character no number
    syntax uses (after the bool/null/inf words) makes it a string without the regexes."""
    cdef Py_ssize_t i, n = len(s)
    cdef PyObject* hit = PyDict_GetItem(_BN, s)
    if hit != NULL:
        v = <object>hit
    else:
        for i in range(n):
            if not _number_char(_at(s, i)):
                return s
        v = _resolve_plain(s)
    if v.__class__ is float:
        return _json_number(v)
    return v


cdef bint _balanced(str s) except -1:
    """Whether the brackets of a flow text close (quotes respected; no comments inside)."""
    cdef Py_ssize_t depth = 0, i = 0, n = len(s)
    cdef Py_UCS4 q = 0, c
    while i < n:
        c = _at(s, i)
        if q:
            if q == 34 and c == 92:
                i += 2
                continue
            if c == q:
                if q == 39 and i + 1 < n and _at(s, i + 1) == "'":
                    i += 2
                    continue
                q = 0
        elif c == 34 or c == 39:
            q = c
        elif c == 91 or c == 123:
            depth += 1
        elif c == 93 or c == 125:
            depth -= 1
            if depth == 0:
                return True
        elif c == 35 and i > 0 and (_at(s, i - 1) == " " or _at(s, i - 1) == "\n"):
            raise Unsupported("comment inside a flow collection")
        i += 1
    if q:
        raise Unsupported("quoted scalar across lines")
    return False


cdef inline bint _flow_stop(Py_UCS4 c) noexcept:
    return c == 44 or c == 91 or c == 93 or c == 123 or c == 125


cdef class _Flow:
    """Flow collections of scalars and nested flow collections (one logical text)."""
    cdef str s
    cdef Py_ssize_t i, n

    def __init__(self, str s):
        self.s = s
        self.i = 0
        self.n = len(s)

    cdef inline Py_UCS4 peek(self):
        # 0 is "end of text": NUL never gets here (load refuses it)
        return _at(self.s, self.i) if self.i < self.n else 0

    cdef inline void ws(self):
        cdef Py_UCS4 c
        while self.i < self.n:
            c = _at(self.s, self.i)
            if c != 32 and c != 10:
                break
            self.i += 1

    cdef object node(self):
        cdef Py_UCS4 c
        self.ws()
        c = self.peek()
        if c == 91:
            return self.seq()
        if c == 123:
            return self.map()
        return self.scalar(False)

    cdef list seq(self):
        cdef list out = []
        cdef Py_UCS4 c
        self.i += 1
        while True:
            self.ws()
            c = self.peek()
            if c == 93:
                self.i += 1
                return out
            if c == 0 or c == 44:
                raise Unsupported("flow sequence syntax")
            out.append(self.node())
            self.ws()
            if self.peek() == 58:
                raise Unsupported("single-pair map in a flow sequence")
            c = self.peek()
            if c == 44:
                self.i += 1
            elif c != 93:
                raise Unsupported("flow sequence syntax")

    cdef dict map(self):
        cdef dict out = {}
        cdef Py_UCS4 c
        self.i += 1
        while True:
            self.ws()
            c = self.peek()
            if c == 125:
                self.i += 1
                return out
            if c == 0 or c == 44 or c == 91 or c == 123 or c == 63:
                raise Unsupported("flow mapping syntax")
            key = self.scalar(True)
            self.ws()
            if self.peek() != 58:
                raise Unsupported("flow mapping entry without value")
            self.i += 1
            c = self.peek()
            if not (c == 32 or c == 44 or c == 125 or c == 0):
                raise Unsupported("flow mapping colon")
            self.ws()
            c = self.peek()
            value = None if (c == 44 or c == 125) else self.node()
            out[key] = value
            self.ws()
            c = self.peek()
            if c == 44:
                self.i += 1
            elif c != 125:
                raise Unsupported("flow mapping syntax")

    cdef object scalar(self, bint key):
        cdef str s = self.s, text
        cdef Py_ssize_t i = self.i, n = self.n, j, k, e
        cdef Py_UCS4 c = self.peek(), ch, d
        if c == 34 or c == 39:
            body, after = _quoted(s[i:])
            self.i = n - len(after)
            return body
        j = i
        while j < n:
            ch = _at(s, j)
            if _flow_stop(ch):
                break
            if ch == 58:
                if j + 1 >= n:
                    break
                d = _at(s, j + 1)
                if d == 32 or d == 10 or _flow_stop(d):
                    break
            if ch == 10:
                k = j
                while k < n and (_at(s, k) == " " or _at(s, k) == "\n"):
                    k += 1
                if k < n and (_at(s, k) == "," or _at(s, k) == "]" or _at(s, k) == "}"):
                    break
                raise Unsupported("multi-line plain scalar in a flow collection")
            if ch == 35 and (_at(s, j - 1) == " " or _at(s, j - 1) == "\n"):
                raise Unsupported("comment in a flow collection")
            j += 1
        e = j
        while e > i and _at(s, e - 1) == " ":
            e -= 1
        if e == i:
            raise Unsupported("flow plain scalar start")
        c = _at(s, i)
        if _bad_plain_start(c) or (c == 45 and (e == i + 1 or _at(s, i + 1) == " ")):
            raise Unsupported("flow plain scalar start")
        text = s[i:e]
        self.i = e
        return _plain_key(text) if key else _plain(text)

    cdef tuple parse(self):
        v = self.node()
        return v, self.i


cdef str _plain_key(str s):
    cdef Py_UCS4 c = _at(s, 0)
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
    """Index just after the closing quote of the double-quoted scalar opening at _at(s, i),
    or -1 (the twin's _DQ_BODY regex: `\\` takes any next char of the line)."""
    cdef Py_UCS4 c
    i += 1
    while i < n:
        c = _at(s, i)
        if c == 34:
            return i + 1
        if c == 92:
            if i + 1 >= n or _at(s, i + 1) == "\n":
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
    if _at(s, 0) == '"':
        e = _dq_end(s, 0, n)
        if e < 0:
            raise Unsupported("double-quoted scalar across lines")
        body = s[1:e - 1]
        if "\\" in body:
            body = _unescape_body(body)
        return body, s[e:]
    return _py_quoted(s)


cdef int _end_of_line(str after) except -1:
    """Only spaces, or spaces then a comment, may follow a quoted scalar on its line."""
    cdef Py_ssize_t p = 0, L = len(after)
    while p < L and _at(after, p) == 32:
        p += 1
    if p < L and not (_at(after, p) == 35 and p > 0):
        raise Unsupported("text after a quoted scalar")
    return 0


cdef inline bint _is_dash(str t, Py_ssize_t ind):
    """Line t has "-" then end or space at column ind."""
    cdef Py_ssize_t n = len(t)
    return _at(t, ind) == "-" and (n == ind + 1 or _at(t, ind + 1) == " ")


cdef class _Parser:
    """Recursive descent over lines; inds[i] is line i's indentation (-1: blank or
    comment), nxt[i] the first content line at or after i (n at the end)."""
    cdef list lines
    cdef Py_ssize_t* inds
    cdef Py_ssize_t* nxt
    cdef Py_ssize_t n

    def __cinit__(self, list lines):
        cdef Py_ssize_t n, i, k, following, L
        cdef str line
        cdef Py_UCS4 c
        self.lines = lines
        n = self.n = len(lines)
        self.inds = <Py_ssize_t*>PyMem_Malloc((2 * n + 2) * sizeof(Py_ssize_t))
        if self.inds == NULL:
            raise MemoryError()
        self.nxt = self.inds + n
        self.nxt[n] = n
        self.nxt[n + 1] = n
        following = n
        for i in range(n - 1, -1, -1):
            line = lines[i]
            L = len(line)
            k = 0
            while k < L and _at(line, k) == " ":
                k += 1
            self.inds[i] = -1
            if k < L and _at(line, k) != "#":
                if k == 0:
                    c = _at(line, 0)
                    if c == "%" or line.startswith(("---", "...")):
                        raise Unsupported("document marker or directive")
                self.inds[i] = k
                following = i
            self.nxt[i] = following

    def __dealloc__(self):
        PyMem_Free(self.inds)

    cdef inline Py_ssize_t _nx(self, Py_ssize_t i) noexcept:
        return self.nxt[i]

    cdef inline Py_ssize_t _ind(self, Py_ssize_t i) noexcept:
        return self.inds[i]

    cdef object block(self, Py_ssize_t i, Py_ssize_t ind, Py_ssize_t* ni):
        if _is_dash(self.lines[i], ind):
            return self.seq(i, ind, ni)
        return self.mapping(i, ind, ni)

    cdef object mapping(self, Py_ssize_t i, Py_ssize_t ind, Py_ssize_t* ni):
        cdef dict out = {}
        cdef list lines = self.lines
        cdef Py_ssize_t n = self.n, L, pos, p, re, rs, j, k
        cdef str t, kt, key, rest
        cdef Py_UCS4 c, c0
        cdef bint hash_, simple
        cdef PyObject* hit
        cdef int kind
        cdef void* data
        while True:
            t = lines[i]
            L = len(t)
            kind = PyUnicode_KIND(t)
            data = PyUnicode_DATA(t)
            # one scan: the first ": ", whether a "#" occurs
            pos = -1
            hash_ = False
            p = ind
            while p < L:
                c = PyUnicode_READ(kind, data, p)
                if c == 58:
                    if pos < 0 and p + 1 < L and PyUnicode_READ(kind, data, p + 1) == 32:
                        pos = p
                elif c == 35:
                    hash_ = True
                    break
                p += 1
            if pos < 0 and _at(t, L - 1) == ":":
                pos = L - 1
            c0 = _at(t, ind)
            simple = pos > ind and not hash_ and _ok_char(c0) and _at(t, pos - 1) != " "
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
                while re > rs and _at(t, re - 1) == " ":
                    re -= 1
                if rs >= re:
                    v = self.value("", i, ind, True, &i)
                    out[key] = v
                    i = self._nx(i)
                else:
                    c = _at(t, rs)
                    if _ok_char(c) and _at(t, re - 1) != ":" and not _has_colon_space(t, rs, re):
                        j = self._nx(i + 1)
                        if j < n and self._ind(j) > ind:
                            raise Unsupported("multi-line scalar")
                        rest = t[rs:re]
                        if _first_num(c) or _first_map(c) or c == 46:
                            out[key] = _plain(rest)
                        else:
                            out[key] = rest
                        i = j
                    elif c == 34 and _at(t, re - 1) == '"' and _dq_end(t, rs, re) == re:
                        j = self._nx(i + 1)
                        if j < n and self._ind(j) > ind:
                            raise Unsupported("multi-line scalar")
                        body = t[rs + 1:re - 1]
                        out[key] = _unescape_body(body) if "\\" in body else body
                        i = j
                    else:
                        v = self.value(t[rs:re], i, ind, True, &i)
                        out[key] = v
                        i = self._nx(i)
            else:
                key, rest = self.key(t[ind:])
                v = self.value(rest, i, ind, True, &i)
                out[key] = v
                i = self._nx(i)
            if i >= n:
                ni[0] = i
                return out
            k = self._ind(i)
            if k < ind:
                ni[0] = i
                return out
            if k > ind:
                raise Unsupported("over-indented line")
            if _is_dash(lines[i], ind):
                ni[0] = i
                return out

    cdef object seq(self, Py_ssize_t i, Py_ssize_t ind, Py_ssize_t* ni):
        cdef list out = []
        cdef list lines = self.lines
        cdef Py_ssize_t n = self.n, L, p, j, k, col
        cdef str line
        cdef Py_UCS4 c
        cdef bint is_key
        while True:
            line = lines[i]
            L = len(line)
            p = ind + 1
            while p < L and _at(line, p) == " ":
                p += 1
            if p >= L or _at(line, p) == "#":
                j = self._nx(i + 1)
                if j < n and self._ind(j) > ind:
                    value = self.block(j, self._ind(j), &i)
                else:
                    value = None
                    i = i + 1
            else:
                col = p
                c = _at(line, p)
                if c == 45 and (p + 1 == L or _at(line, p + 1) == 32):
                    raise Unsupported("compact nested sequence")
                if c == 34 or c == 39:
                    is_key = _is_key_line(line[p:])
                else:  # the twin's is_key_line without the substring
                    is_key = _has_colon_space(line, p, L) or _at(line, L - 1) == 58
                if is_key:
                    # the twin blanks the "- " here; only columns >= col are read again
                    self.inds[i] = col
                    value = self.mapping(i, col, &i)
                else:
                    value = self.value(line[p:], i, ind, False, &i)
            PyList_Append(out, value)
            i = self._nx(i)
            if i >= n:
                ni[0] = i
                return out
            k = self._ind(i)
            if k < ind:
                ni[0] = i
                return out
            if k > ind:
                raise Unsupported("over-indented line")
            if not _is_dash(lines[i], ind):
                ni[0] = i
                return out

    cdef tuple key(self, str s):
        cdef Py_ssize_t pos
        c = s[:1]
        if c == '"' or c == "'":
            body, after = _quoted(s)
            if after != ":" and not after.startswith(": "):
                raise Unsupported("not a mapping line")
            return body, after[1:]
        if not c or _bad_plain_start(_at(s, 0)) or (c == "-" and s[1:2] in ("", " ")):
            raise Unsupported("key start")
        if s.endswith(":") and ": " not in s:
            k, rest = s[:len(s) - 1], ""
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

    cdef object value(self, str rest, Py_ssize_t i, Py_ssize_t ind, bint in_map, Py_ssize_t* ni):
        cdef Py_ssize_t n = self.n, j, k, pos
        cdef str s = rest.strip(" ")
        cdef Py_UCS4 c
        if not s or _at(s, 0) == "#":
            j = self._nx(i + 1)
            if j < n:
                k = self._ind(j)
                if k > ind:
                    return self.block(j, k, ni)
                if in_map and k == ind and _is_dash(self.lines[j], ind):
                    return self.seq(j, ind, ni)
            ni[0] = i + 1
            return None
        c = _at(s, 0)
        if c == 34 or c == 39:
            body, after = _quoted(s)
            _end_of_line(after)
            ni[0] = self.scalar_end(i, ind)
            return body
        if c == 124:
            return self.literal(s, i, ind, ni)
        if c == 91 or c == 123:
            return self.flow(s, i, ind, ni)
        if _bad_plain_start(c) or (c == 45 and (len(s) == 1 or _at(s, 1) == " ")):
            raise Unsupported("value start")
        pos = s.find(" #")
        if pos >= 0:
            s = s[:pos].rstrip(" ")
        if ": " in s or s.endswith(":"):
            raise Unsupported("mapping value in a plain scalar")
        v = _plain(s)
        ni[0] = self.scalar_end(i, ind)
        return v

    cdef Py_ssize_t scalar_end(self, Py_ssize_t i, Py_ssize_t ind) except -1:
        cdef Py_ssize_t j = self._nx(i + 1)
        if j < self.n and self._ind(j) > ind:
            raise Unsupported("multi-line scalar")
        return i + 1

    cdef object literal(self, str header, Py_ssize_t i, Py_ssize_t ind, Py_ssize_t* ni):
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
            ni[0] = j
            return ""
        text = "\n".join(content)
        if chomp == "strip":
            ni[0] = j
            return text
        if chomp == "clip":
            ni[0] = j
            return (text + "\n" if (empties or final_break) else text)
        ni[0] = j
        return text + "\n" * (empties + 1 if final_break else empties)

    cdef object flow(self, str s, Py_ssize_t i, Py_ssize_t ind, Py_ssize_t* ni):
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
        ni[0] = self.scalar_end(j - 1, ind)
        return value


cdef inline bint _has_colon_space(str t, Py_ssize_t a, Py_ssize_t b):
    cdef Py_ssize_t p = a
    while p + 1 < b:
        if _at(t, p) == ":" and _at(t, p + 1) == " ":
            return True
        p += 1
    return False


cdef inline bint _spaces_only(str line):
    cdef Py_ssize_t p = 0, L = len(line)
    while p < L:
        if _at(line, p) != " ":
            return False
        p += 1
    return True


cdef inline Py_ssize_t _indent(str line):
    cdef Py_ssize_t p = 0, L = len(line)
    while p < L and _at(line, p) == " ":
        p += 1
    return p


cdef bint _is_key_line(str s) except -1:
    cdef Py_UCS4 c = _at(s, 0)
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


cdef int _b
for _b in range(256):
    _REFUSED_BYTE[_b] = _refused(_b)


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
    cdef const unsigned char* b
    cdef unsigned char u
    if kind == 1:  # Latin-1 (mostly ASCII): a branch-free byte loop over a table
        b = <const unsigned char*>data
        u = 0
        for i in range(n):
            u |= _REFUSED_BYTE[b[i]]
        if u:
            raise Unsupported("characters")
    else:
        for i in range(n):
            if _refused(PyUnicode_READ(kind, data, i)):
                raise Unsupported("characters")
    p = _Parser(t.split("\n"))
    i = p._nx(0)
    if i >= p.n:
        return None
    value = p.block(i, p._ind(i), &i)
    if p._nx(i) < p.n:
        raise Unsupported("trailing content")
    return value
