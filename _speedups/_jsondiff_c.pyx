# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""RFC 6902 JSON Patch differ, compiled: `injector._jsondiff_c`.

A line-by-line port of `injector/_jsondiff_py.py` (the reference: read it for the
patch shape and the JSON equality) that must return exactly the same operations.
What makes it fast: cdef functions with typed locals; direct dict/list access
(PyDict_Next, PyDict_GetItemWithError, PyList_GET_ITEM), with two dicts of the same
key order walked side by side without hash lookups; the path kept as a chain of C
structs on the C stack, its pointer text built only when an op is emitted and then
kept for the siblings; the list alignment tables (Myers, similarity LCS) in C arrays.
Nesting counts against Python's recursion limit, so deep input is a RecursionError.
"""
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.dict cimport PyDict_GetItemWithError, PyDict_Next, PyDict_Size, PyDict_CheckExact, PyDict_Check
from cpython.list cimport PyList_GET_SIZE, PyList_CheckExact, PyList_Check
from cpython.tuple cimport PyTuple_Check
from cpython.unicode cimport PyUnicode_CheckExact, PyUnicode_Check
from cpython.long cimport PyLong_CheckExact, PyLong_Check
from cpython.float cimport PyFloat_CheckExact, PyFloat_Check, PyFloat_AS_DOUBLE
from cpython.bool cimport PyBool_Check
from libc.math cimport copysign, isfinite
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset

cdef extern from "Python.h":
    int Py_EnterRecursiveCall(const char *where)  # non-zero, with RecursionError set, past the limit
    void Py_LeaveRecursiveCall()


cdef inline int _enter(const char *where) except -1:
    """Count one level of nesting against Python's recursion limit (no C stack overflow)."""
    if Py_EnterRecursiveCall(where):
        return -1
    return 0


__all__ = ["diff", "json_equal", "plain_json", "MYERS_MAX_D", "PAIR_LCS_MAX"]

MYERS_MAX_D = 64
PAIR_LCS_MAX = 4096
cdef Py_ssize_t C_MYERS_MAX_D = MYERS_MAX_D
cdef Py_ssize_t C_PAIR_LCS_MAX = PAIR_LCS_MAX


def _set_limits(Py_ssize_t myers_max_d, Py_ssize_t pair_lcs_max):
    """Change the alignment bounds (tests use tiny ones to exercise the fallbacks); returns the old."""
    global C_MYERS_MAX_D, C_PAIR_LCS_MAX, MYERS_MAX_D, PAIR_LCS_MAX
    old = (C_MYERS_MAX_D, C_PAIR_LCS_MAX)
    C_MYERS_MAX_D = myers_max_d
    C_PAIR_LCS_MAX = pair_lcs_max
    MYERS_MAX_D = myers_max_d
    PAIR_LCS_MAX = pair_lcs_max
    return old


cdef enum:
    K_NULL, K_BOOL, K_INT, K_FLOAT, K_STR, K_LIST, K_DICT, K_OTHER

cdef enum:
    SAME, WHOLE, NESTED

# One step of the path from the root: a dict key, or a list position (-1 = "-").
cdef struct Node:
    Node *parent
    PyObject *key
    Py_ssize_t index
    PyObject *text  # owned: this node's pointer once built, else NULL

# Emission state of one list (see _ListPatch in the twin).
cdef struct LState:
    Py_ssize_t n
    Py_ssize_t start
    Py_ssize_t cur
    Py_ssize_t whole
    bint nested


cdef int _kind_slow(object v):
    if PyBool_Check(v):
        return K_BOOL
    if PyLong_Check(v):
        return K_INT
    if PyFloat_Check(v):
        return K_FLOAT
    if PyUnicode_Check(v):
        return K_STR
    if PyDict_Check(v):
        return K_DICT
    if PyList_Check(v) or PyTuple_Check(v):
        return K_LIST
    return K_OTHER


cdef inline int _kind(object v):
    if PyUnicode_CheckExact(v):
        return K_STR
    if PyDict_CheckExact(v):
        return K_DICT
    if PyList_CheckExact(v):
        return K_LIST
    if PyLong_CheckExact(v):
        return K_INT
    if v is True or v is False:
        return K_BOOL
    if PyFloat_CheckExact(v):
        return K_FLOAT
    if v is None:
        return K_NULL
    return _kind_slow(v)


cdef bint _scalar_eq(int kind, object a, object b) except -1:
    cdef double x, y
    if kind == K_STR:
        return <str>a == <str>b
    if kind == K_FLOAT:
        x = PyFloat_AS_DOUBLE(a)
        y = PyFloat_AS_DOUBLE(b)
        return x == y and copysign(1.0, x) == copysign(1.0, y)
    if kind == K_NULL:
        return True
    if kind == K_BOOL:
        return (a is True) == (b is True)
    return bool(a == b)


cdef inline bint _same_key(PyObject *x, PyObject *y) except -1:
    """Whether two dict keys are equal; False when unsure (the caller then looks the key up)."""
    if x == y:
        return True
    if PyUnicode_CheckExact(<object>x) and PyUnicode_CheckExact(<object>y):
        return <str><object>x == <str><object>y
    return False


cdef bint _eq_dict(dict a, dict b) except -1:
    cdef Py_ssize_t pos = 0, pos_b = 0
    cdef PyObject *k
    cdef PyObject *kb
    cdef PyObject *v
    cdef PyObject *w
    cdef bint same = True, ordered = True
    if PyDict_Size(a) != PyDict_Size(b):
        return False
    _enter(" in json_equal")
    try:
        while PyDict_Next(a, &pos, &k, &v):
            if not (ordered and PyDict_Next(b, &pos_b, &kb, &w) and _same_key(k, kb)):
                ordered = False
                w = PyDict_GetItemWithError(b, <object>k)
                if w == NULL:
                    same = False
                    break
            if v != w and not _eq(<object>v, <object>w):
                same = False
                break
    finally:
        Py_LeaveRecursiveCall()
    return same


cdef bint _eq_list(list a, list b) except -1:
    cdef Py_ssize_t i, n = PyList_GET_SIZE(a)
    cdef bint same = True
    if n != PyList_GET_SIZE(b):
        return False
    _enter(" in json_equal")
    try:
        for i in range(n):
            if not _eq(a[i], b[i]):
                same = False
                break
    finally:
        Py_LeaveRecursiveCall()
    return same


cdef bint _eq(object a, object b) except -1:
    if a is b:
        return True
    cdef int ka = _kind(a)
    if ka != _kind(b):
        return False
    if ka == K_STR:
        return <str>a == <str>b
    if ka == K_DICT:
        return _eq_dict(<dict>a, <dict>b)
    if ka == K_LIST:
        if PyList_CheckExact(a) and PyList_CheckExact(b):
            return _eq_list(<list>a, <list>b)
        return _eq_list(list(a), list(b))
    return _scalar_eq(ka, a, b)


def json_equal(a, b):
    """JSON equality (see injector/_jsondiff_py.py)."""
    return _eq(a, b)


cdef object _INT_MIN = -(2**63)
cdef object _INT_MAX = 2**64 - 1


cdef bint _plain(object v) except -1:
    cdef PyObject *k
    cdef PyObject *x
    cdef Py_ssize_t pos = 0
    cdef bint ok = True
    if PyUnicode_CheckExact(v) or v is None or v is True or v is False:
        return True
    if PyFloat_CheckExact(v):
        return isfinite(PyFloat_AS_DOUBLE(v))
    if PyLong_CheckExact(v):
        return _INT_MIN <= v <= _INT_MAX
    if PyDict_CheckExact(v):
        _enter(" in plain_json")
        try:
            while PyDict_Next(v, &pos, &k, &x):
                if not PyUnicode_CheckExact(<object>k) or not _plain(<object>x):
                    ok = False
                    break
        finally:
            Py_LeaveRecursiveCall()
        return ok
    if PyList_CheckExact(v):
        _enter(" in plain_json")
        try:
            for item in <list>v:
                if not _plain(item):
                    ok = False
                    break
        finally:
            Py_LeaveRecursiveCall()
        return ok
    return False


def plain_json(v):
    """Whether orjson gives back exactly `v` (see injector/_jsondiff_py.py)."""
    return _plain(v)


cdef extern from "Python.h":
    Py_ssize_t PyUnicode_FindChar(object s, Py_UCS4 ch, Py_ssize_t start, Py_ssize_t end, int direction) except -2

# Pointer tokens of the first list positions, made once.
cdef tuple INDEX_TOKENS = tuple([str(i) for i in range(1024)])


cdef str _escape(object token):
    cdef str s
    if PyUnicode_CheckExact(token):
        s = <str>token
    else:
        s = str(token)
    if PyUnicode_FindChar(s, u"~", 0, len(s), 1) >= 0:
        s = s.replace("~", "~0")
    if PyUnicode_FindChar(s, u"/", 0, len(s), 1) >= 0:
        s = s.replace("/", "~1")
    return s


cdef str _pointer(Node *node):
    """The node's RFC 6901 pointer, built on first use and kept in the node for its children."""
    if node == NULL:
        return ""
    if node.text != NULL:
        return <str>node.text
    cdef str parent = _pointer(node.parent)
    cdef str token
    if node.key != NULL:
        token = _escape(<object>node.key)
    elif node.index < 0:
        token = "-"
    elif node.index < 1024:
        token = <str>INDEX_TOKENS[node.index]
    else:
        token = str(node.index)
    cdef str text = f"{parent}/{token}"
    Py_INCREF(text)
    node.text = <PyObject *>text
    return text


cdef inline void _forget(Node *node):
    """Drop the cached pointer before the node moves to another key or index."""
    if node.text != NULL:
        Py_XDECREF(node.text)
        node.text = NULL


def diff(original, mutated):
    """RFC 6902 operations turning `original` into `mutated` (see injector/_jsondiff_py.py)."""
    cdef list ops = []
    _diff(original, mutated, NULL, ops)
    return ops


cdef int _replace(Node *path, object value, list ops) except -1:
    ops.append({"op": "replace", "path": _pointer(path), "value": value})
    return WHOLE


cdef int _diff(object a, object b, Node *path, list ops) except -1:
    if a is b:
        return SAME
    cdef int ka = _kind(a)
    if ka != _kind(b):
        return _replace(path, b, ops)
    if ka == K_DICT:
        return _diff_dict(<dict>a, <dict>b, path, ops)
    if ka == K_LIST:
        return _diff_list(a, b, path, ops)
    if _scalar_eq(ka, a, b):
        return SAME
    return _replace(path, b, ops)


cdef int _settle(object b, Py_ssize_t size, Node *path, list ops, Py_ssize_t start,
                 bint nested, Py_ssize_t whole) except -1:
    cdef Py_ssize_t count = PyList_GET_SIZE(ops) - start
    if count == 0:
        return SAME
    if count >= 2 and not nested and whole == size and path != NULL:
        del ops[start:]
        return _replace(path, b, ops)
    return NESTED


cdef int _diff_dict(dict a, dict b, Node *path, list ops) except -1:
    cdef Py_ssize_t start = PyList_GET_SIZE(ops)
    cdef bint nested = False
    cdef Py_ssize_t whole = 0, common = 0, pos = 0, pos_b = 0
    cdef bint ordered = True
    cdef PyObject *k
    cdef PyObject *kb
    cdef PyObject *v
    cdef PyObject *w
    cdef int status
    cdef Node child
    child.parent = path
    child.index = 0
    child.text = NULL
    _enter(" in diff")
    try:
        while PyDict_Next(a, &pos, &k, &v):
            if not (ordered and PyDict_Next(b, &pos_b, &kb, &w) and _same_key(k, kb)):
                ordered = False
                w = PyDict_GetItemWithError(b, <object>k)
            _forget(&child)
            child.key = k
            if w == NULL:
                ops.append({"op": "remove", "path": _pointer(&child)})
                continue
            common += 1
            if v == w:
                continue
            status = _diff(<object>v, <object>w, &child, ops)
            if status == WHOLE:
                whole += 1
            elif status == NESTED:
                nested = True
        if common != PyDict_Size(b):
            # Still in step: b starts with a's keys in a's order, the rest of b is new.
            if not ordered:
                pos_b = 0
            while PyDict_Next(b, &pos_b, &k, &w):
                if ordered or PyDict_GetItemWithError(a, <object>k) == NULL:
                    _forget(&child)
                    child.key = k
                    ops.append({"op": "add", "path": _pointer(&child), "value": <object>w})
                    whole += 1
    finally:
        _forget(&child)
        Py_LeaveRecursiveCall()
    return _settle(b, PyDict_Size(b), path, ops, start, nested, whole)


cdef int _diff_list(object a_in, object b_in, Node *path, list ops) except -1:
    cdef list a = <list>a_in if PyList_CheckExact(a_in) else list(a_in)
    cdef list b = <list>b_in if PyList_CheckExact(b_in) else list(b_in)
    cdef Py_ssize_t n = PyList_GET_SIZE(a), m = PyList_GET_SIZE(b)
    cdef Py_ssize_t limit = n if n < m else m
    cdef Py_ssize_t p = 0, s = 0, a_end, b_end, i, j, t, cap, count
    cdef Py_ssize_t *mi = NULL
    cdef Py_ssize_t *mj = NULL
    cdef LState st
    while p < limit and _eq(a[p], b[p]):
        p += 1
    if p == n and p == m:
        return SAME
    limit -= p
    while s < limit and _eq(a[n - 1 - s], b[m - 1 - s]):
        s += 1
    a_end = n - s
    b_end = m - s
    st.n = n
    st.start = PyList_GET_SIZE(ops)
    st.cur = p
    st.whole = 0
    st.nested = False
    i = p
    j = p
    _enter(" in diff")
    try:
        if i < a_end and j < b_end:
            cap = a_end - i if a_end - i < b_end - j else b_end - j
            mi = <Py_ssize_t *>malloc(cap * sizeof(Py_ssize_t))
            mj = <Py_ssize_t *>malloc(cap * sizeof(Py_ssize_t))
            if mi == NULL or mj == NULL:
                raise MemoryError()
            count = _myers(a, i, a_end, b, j, b_end, mi, mj)
            for t in range(count):
                _gap(a, i, mi[t], b, j, mj[t], path, ops, &st)
                st.cur += 1  # the equal element stays
                i = mi[t] + 1
                j = mj[t] + 1
        _gap(a, i, a_end, b, j, b_end, path, ops, &st)
    finally:
        free(mi)
        free(mj)
        Py_LeaveRecursiveCall()
    return _settle(b, m, path, ops, st.start, st.nested, st.whole)


cdef int _pair(object x, object y, Node *path, list ops, LState *st) except -1:
    cdef Node child
    child.parent = path
    child.key = NULL
    child.index = st.cur
    child.text = NULL
    cdef int status
    try:
        status = _diff(x, y, &child, ops)
    finally:
        _forget(&child)
    if status == WHOLE:
        st.whole += 1
    elif status == NESTED:
        st.nested = True
    st.cur += 1
    return 0


cdef int _run(list a, Py_ssize_t i0, Py_ssize_t i1, list b, Py_ssize_t j0, Py_ssize_t j1,
              Node *path, list ops, LState *st) except -1:
    """Pair a[i0:i1] with b[j0:j1] by position; the excess is removed or added."""
    cdef Node child
    child.parent = path
    child.key = NULL
    child.text = NULL
    try:
        _run_ops(a, i0, i1, b, j0, j1, path, ops, st, &child)
    finally:
        _forget(&child)
    return 0


cdef int _run_ops(list a, Py_ssize_t i0, Py_ssize_t i1, list b, Py_ssize_t j0, Py_ssize_t j1,
                  Node *path, list ops, LState *st, Node *child) except -1:
    cdef Py_ssize_t k = i1 - i0, l = j1 - j0
    cdef Py_ssize_t t = k if k < l else l
    cdef Py_ssize_t u, index
    cdef bint at_end
    for u in range(t):
        x = a[i0 + u]
        y = b[j0 + u]
        if _similar(x, y):
            _pair(x, y, path, ops, st)
        else:
            _forget(child)
            child.index = st.cur
            _replace(child, y, ops)
            st.whole += 1
            st.cur += 1
    if k > t:
        index = st.cur + k - t - 1
        while index >= st.cur:
            _forget(child)
            child.index = index
            ops.append({"op": "remove", "path": _pointer(child)})
            index -= 1
    elif l > t:
        at_end = i1 == st.n  # nothing of the original list follows: append
        for u in range(t, l):
            _forget(child)
            child.index = -1 if at_end else st.cur
            ops.append({"op": "add", "path": _pointer(child), "value": b[j0 + u]})
            st.whole += 1
            st.cur += 1
    return 0


cdef bint _similar(object x, object y) except -1:
    cdef int kx = _kind(x), ky = _kind(y)
    cdef PyObject *nx
    cdef PyObject *ny
    if kx == K_DICT:
        if ky != K_DICT:
            return False
        nx = PyDict_GetItemWithError(x, "name")
        ny = PyDict_GetItemWithError(y, "name")
        if nx == NULL or ny == NULL:
            return nx == ny
        return _eq(<object>nx, <object>ny)
    if kx == K_LIST:
        return ky == K_LIST
    return ky != K_DICT and ky != K_LIST


cdef int _gap(list a, Py_ssize_t i0, Py_ssize_t i1, list b, Py_ssize_t j0, Py_ssize_t j1,
              Node *path, list ops, LState *st) except -1:
    """Unmatched run a[i0:i1] -> b[j0:j1]: similar pairs by LCS, the rest by position."""
    cdef Py_ssize_t k = i1 - i0, l = j1 - j0
    cdef Py_ssize_t i, j, w = l + 1, base_i, base_j
    cdef char *sim = NULL
    cdef Py_ssize_t *table = NULL
    if k == 0 and l == 0:
        return 0
    if k and l and k * l <= C_PAIR_LCS_MAX:
        sim = <char *>malloc(k * l)
        table = <Py_ssize_t *>malloc((k + 1) * w * sizeof(Py_ssize_t))
        try:
            if sim == NULL or table == NULL:
                raise MemoryError()
            for i in range(k):
                for j in range(l):
                    sim[i * l + j] = _similar(a[i0 + i], b[j0 + j])
            for j in range(w):
                table[k * w + j] = 0
            for i in range(k - 1, -1, -1):
                table[i * w + l] = 0
                for j in range(l - 1, -1, -1):
                    if sim[i * l + j]:
                        table[i * w + j] = table[(i + 1) * w + j + 1] + 1
                    elif table[(i + 1) * w + j] >= table[i * w + j + 1]:
                        table[i * w + j] = table[(i + 1) * w + j]
                    else:
                        table[i * w + j] = table[i * w + j + 1]
            i = 0
            j = 0
            base_i = i0
            base_j = j0
            while i < k and j < l:
                if sim[i * l + j]:
                    _run(a, i0, base_i + i, b, j0, base_j + j, path, ops, st)
                    _pair(a[base_i + i], b[base_j + j], path, ops, st)
                    i0 = base_i + i + 1
                    j0 = base_j + j + 1
                    i += 1
                    j += 1
                elif table[(i + 1) * w + j] >= table[i * w + j + 1]:
                    i += 1
                else:
                    j += 1
        finally:
            free(sim)
            free(table)
    _run(a, i0, i1, b, j0, j1, path, ops, st)
    return 0


cdef Py_ssize_t _myers(list a, Py_ssize_t i0, Py_ssize_t i1, list b, Py_ssize_t j0, Py_ssize_t j1,
                       Py_ssize_t *mi, Py_ssize_t *mj) except -2:
    """Equal pairs of the shortest edit script into mi/mj (count), or -1 past MYERS_MAX_D."""
    cdef Py_ssize_t n = i1 - i0, m = j1 - j0
    cdef Py_ssize_t max_d = n + m if n + m < C_MYERS_MAX_D else C_MYERS_MAX_D
    cdef Py_ssize_t off = max_d + 1, width = 2 * max_d + 3
    cdef Py_ssize_t d, k, x, y, found = -1
    cdef Py_ssize_t *v = <Py_ssize_t *>malloc(width * sizeof(Py_ssize_t))
    cdef Py_ssize_t *trace = <Py_ssize_t *>malloc((max_d + 1) * width * sizeof(Py_ssize_t))
    try:
        if v == NULL or trace == NULL:
            raise MemoryError()
        memset(v, 0, width * sizeof(Py_ssize_t))
        for d in range(max_d + 1):
            memcpy(trace + d * width, v, width * sizeof(Py_ssize_t))
            k = -d
            while k <= d:
                if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                    x = v[off + k + 1]
                else:
                    x = v[off + k - 1] + 1
                y = x - k
                while x < n and y < m and _eq(a[i0 + x], b[j0 + y]):
                    x += 1
                    y += 1
                v[off + k] = x
                if x >= n and y >= m:
                    found = d
                    break
                k += 2
            if found >= 0:
                break
        if found < 0:
            return -1
        return _myers_matches(trace, width, found, n, m, off, i0, j0, mi, mj)
    finally:
        free(v)
        free(trace)


cdef Py_ssize_t _myers_matches(Py_ssize_t *trace, Py_ssize_t width, Py_ssize_t d_end, Py_ssize_t n,
                               Py_ssize_t m, Py_ssize_t off, Py_ssize_t i0, Py_ssize_t j0,
                               Py_ssize_t *mi, Py_ssize_t *mj):
    cdef Py_ssize_t x = n, y = m, d, k, prev_k, prev_x, prev_y, count = 0, lo, hi, tmp
    cdef Py_ssize_t *v
    for d in range(d_end, 0, -1):
        v = trace + d * width
        k = x - y
        if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
            prev_k = k + 1
        else:
            prev_k = k - 1
        prev_x = v[off + prev_k]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x -= 1
            y -= 1
            mi[count] = i0 + x
            mj[count] = j0 + y
            count += 1
        x = prev_x
        y = prev_y
    while x > 0 and y > 0:
        x -= 1
        y -= 1
        mi[count] = i0 + x
        mj[count] = j0 + y
        count += 1
    lo = 0
    hi = count - 1
    while lo < hi:
        tmp = mi[lo]; mi[lo] = mi[hi]; mi[hi] = tmp
        tmp = mj[lo]; mj[lo] = mj[hi]; mj[hi] = tmp
        lo += 1
        hi -= 1
    return count
