# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Strategic merge patch, compiled: `injector._merge_c`.

A port of `injector/_merge_py.py` (the reference: read it for the rules, the strict
mode and the copy-on-write contract) that must return exactly the same result, key
order included, and raise the same errors. What makes it fast: cdef functions with
typed locals; dicts walked with PyDict_Next, lists by index; directive keys spotted by
their first character; a map with nothing to drop copied whole (PyDict_Copy, then its
containers replaced), other maps built presized; merge keys read once per element and
the list ordering (patch order, original positions) kept in C arrays instead of
`list.index` calls in loops. Unlike the twin it needs no orjson: it walks everything.
Nesting counts against Python's recursion limit, so deep input is a RecursionError.
"""
from cpython.object cimport PyObject
from cpython.dict cimport PyDict_Next, PyDict_Size, PyDict_Copy, PyDict_SetItem, PyDict_GetItemWithError, PyDict_Check, PyDict_CheckExact
from cpython.list cimport PyList_GET_SIZE, PyList_GET_ITEM, PyList_Append, PyList_Check, PyList_CheckExact
from cpython.unicode cimport PyUnicode_CheckExact
from cpython.float cimport PyFloat_CheckExact, PyFloat_AS_DOUBLE
from cpython.long cimport PyLong_CheckExact
from cpython.bool cimport PyBool_Check
from libc.math cimport isfinite
from libc.stdlib cimport malloc, free

import copy

from injector._merge_py import MERGE_LISTS, STRUCT_FIELDS, MergeError, Unusual

cdef extern from "Python.h":
    int Py_EnterRecursiveCall(const char *where)  # non-zero, with RecursionError set, past the limit
    void Py_LeaveRecursiveCall()
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    Py_UCS4 PyUnicode_READ_CHAR(object o, Py_ssize_t index)
    int PyObject_RichCompareBool(object a, object b, int op) except -1
    int PySequence_Contains(object seq, object value) except -1
    int Py_EQ
    dict _PyDict_NewPresized(Py_ssize_t minused)  # no resizes while we fill it

__all__ = ["merge"]

cdef str PATCH = "$patch"
cdef str RETAIN_KEYS = "$retainKeys"
cdef str ORDER_PREFIX = "$setElementOrder/"
cdef str DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList/"
cdef str REPLACE = "replace"
cdef str DELETE = "delete"
cdef str MERGE = "merge"
cdef Py_ssize_t ORDER_LEN = len(ORDER_PREFIX)
cdef Py_ssize_t DELETE_LEN = len(DELETE_PRIMITIVE_PREFIX)
cdef dict NO_LISTS = {}
cdef dict C_MERGE_LISTS = MERGE_LISTS
cdef dict C_STRUCT_FIELDS = STRUCT_FIELDS
cdef object UNUSUAL = Unusual


cdef inline int _enter() except -1:
    if Py_EnterRecursiveCall(" in strategic merge"):
        return -1
    return 0


cdef inline bint _plain_scalar(object v):
    """A scalar json.loads gives: str, int, bool, finite float, None."""
    if PyUnicode_CheckExact(v) or PyLong_CheckExact(v) or v is None or PyBool_Check(v):
        return True
    if PyFloat_CheckExact(v):
        return isfinite(PyFloat_AS_DOUBLE(v))
    return False


cdef inline bint _dollar(object k):
    """An exact str key starting with `$` (the only candidates for a directive)."""
    return PyUnicode_CheckExact(k) and PyUnicode_GET_LENGTH(k) > 0 and PyUnicode_READ_CHAR(k, 0) == 36


cdef bint _is_directive_key(object k) except -1:
    if not _dollar(k):
        return False
    cdef str s = <str>k
    return s == PATCH or s == RETAIN_KEYS or s.startswith(ORDER_PREFIX) or s.startswith(DELETE_PRIMITIVE_PREFIX)


cdef int _check(object v, bint strict) except -1:
    """strict: raise Unusual unless `v` is plain JSON data all the way down."""
    cdef Py_ssize_t pos = 0, i
    cdef PyObject *k
    cdef PyObject *x
    if not strict:
        return 0
    if PyDict_CheckExact(v):
        _enter()
        try:
            while PyDict_Next(v, &pos, &k, &x):
                if not PyUnicode_CheckExact(<object>k):
                    raise UNUSUAL
                _check(<object>x, True)
        finally:
            Py_LeaveRecursiveCall()
    elif PyList_CheckExact(v):
        _enter()
        try:
            for i in range(PyList_GET_SIZE(v)):
                _check(<object>PyList_GET_ITEM(v, i), True)
        finally:
            Py_LeaveRecursiveCall()
    elif not _plain_scalar(v):
        raise UNUSUAL
    return 0


cdef inline int _check_value(object v, bint strict) except -1:
    """strict: the value's own type only (its contents are checked where they are read)."""
    if strict and not (PyDict_CheckExact(v) or PyList_CheckExact(v) or _plain_scalar(v)):
        raise UNUSUAL
    return 0


cdef object _field_type(object kind, object key):
    """The schema type of `kind`'s field `key` (a list field: its element type)."""
    if kind is None:
        return None
    sub = _get(C_STRUCT_FIELDS.get(kind, NO_LISTS), key)
    if sub:
        return sub
    entry = _get(C_MERGE_LISTS.get(kind, NO_LISTS), key)
    return (<tuple>entry)[0] if entry else None


def merge(original, patch, kind, bint strict):
    """`patch` merged into `original` (neither is modified); see injector/_merge_py.py."""
    if strict and not PyDict_CheckExact(patch):
        raise UNUSUAL
    return _merge_map(original, patch, kind, strict)


cdef object _merge_map(object original, object patch, object kind, bint strict):
    cdef Py_ssize_t pos = 0
    cdef PyObject *kp
    cdef PyObject *xp
    cdef object directive = None, retain = None, k, x, pval, oval, spec, cur, out_obj
    cdef bint has_retain = False, has_directives = False
    cdef list dels = None, orders = None
    cdef dict out, lists
    cdef str name
    _enter()
    try:
        # The directives first: `$patch`, then the primitive deletes (so they act on the
        # original list), the orders and `$retainKeys` once the fields are merged.
        while PyDict_Next(patch, &pos, &kp, &xp):
            k = <object>kp
            if not PyUnicode_CheckExact(k):
                if strict:
                    raise UNUSUAL
                continue
            if not _is_directive_key(k):
                continue
            has_directives = True
            x = <object>xp
            _check(x, strict)
            if <str>k == PATCH:
                directive = x
            elif <str>k == RETAIN_KEYS:
                retain = x
                has_retain = True
            elif (<str>k).startswith(DELETE_PRIMITIVE_PREFIX):
                if dels is None:
                    dels = []
                dels.append(((<str>k)[DELETE_LEN:], x))
            else:
                if orders is None:
                    orders = []
                orders.append(((<str>k)[ORDER_LEN:], x))
        if directive is not None:
            if directive == REPLACE:
                return _strip(patch, strict)
            if directive == DELETE:
                return {}
            if directive != MERGE:
                raise MergeError(f"unknown patch type {directive!r}")
        out = dict(original)
        if dels is not None:
            for name, drop in dels:
                drop = drop or []
                cur = out.get(name)
                if PyList_Check(cur):
                    out[name] = [v for v in cur if not PySequence_Contains(drop, v)]
        lists = C_MERGE_LISTS.get(kind or "", NO_LISTS)
        pos = 0
        while PyDict_Next(patch, &pos, &kp, &xp):
            k = <object>kp
            pval = <object>xp
            _check_value(pval, strict)
            if has_directives and _is_directive_key(k):
                continue
            if pval is None:
                out.pop(k, None)
                continue
            xp = PyDict_GetItemWithError(out, k)
            if xp == NULL:
                out[k] = _clean(pval, strict)
                continue
            oval = <object>xp
            if PyDict_Check(pval) and PyDict_Check(oval):
                out[k] = _merge_map(oval, pval, _field_type(kind, k), strict)
            elif PyList_Check(pval) and PyList_Check(oval):
                spec = lists.get(k)
                if spec is None:
                    out[k] = _strip(pval, strict)
                else:
                    out[k] = _merge_list(oval, pval, (<tuple>spec)[0], (<tuple>spec)[1], strict)
            else:
                out[k] = _clean(pval, strict)
        if orders is not None:
            for name, order in orders:
                spec = lists.get(name)
                cur = out.get(name)
                if PyList_Check(cur) and spec:
                    out[name] = _apply_order(cur, order, (<tuple>spec)[1])
        if has_retain and PyList_Check(retain):
            for k in list(out):
                if not PySequence_Contains(retain, k):
                    del out[k]
        return out
    finally:
        Py_LeaveRecursiveCall()


cdef inline object _get(object d, object key):
    """d.get(key) for a dict d (subclasses through their own get)."""
    cdef PyObject *p
    if PyDict_CheckExact(d):
        p = PyDict_GetItemWithError(d, key)
        return <object>p if p != NULL else None
    return d.get(key)


cdef inline object _key_of(object item, object key):
    return _get(item, key) if PyDict_Check(item) else item


cdef bint _directive_element(object v) except -1:
    """A list element that only says "replace the list" or "delete an element"."""
    if not PyDict_Check(v) or len(v) > 2:
        return False
    d = _get(v, PATCH)
    if d is None:
        return False
    return _eq(d, REPLACE) or _eq(d, DELETE)


cdef inline bint _eq(object a, object b) except -1:
    """a == b (merge keys are nearly always strings: compared without a bool object)."""
    if PyUnicode_CheckExact(a) and PyUnicode_CheckExact(b):
        return <str>a == <str>b
    return bool(a == b)


cdef Py_ssize_t _index(list lst, object x) except -2:
    """list.index without the exception: -1 when absent."""
    cdef Py_ssize_t i
    for i in range(PyList_GET_SIZE(lst)):
        if PyObject_RichCompareBool(<object>PyList_GET_ITEM(lst, i), x, Py_EQ):
            return i
    return -1


cdef list _merge_list(list olist, list plist, object elem_kind, object key, bint strict):
    cdef Py_ssize_t i, j, n, nl, nr, p, np_
    cdef list out, items, deletes, original, merged, keys, patch_keys, order
    cdef bint replace = False, found
    cdef object v, d, kv, o, m
    cdef PyObject *dp
    cdef Py_ssize_t *rank = NULL
    cdef Py_ssize_t *lpos = NULL
    cdef Py_ssize_t *rpos = NULL
    cdef Py_ssize_t *lidx = NULL
    cdef Py_ssize_t *ridx = NULL
    if not key:  # merged primitive list: union, original order first
        out = list(olist)
        for v in plist:
            _check(v, strict)
            if not PySequence_Contains(out, v):
                out.append(copy.deepcopy(v) if (PyDict_Check(v) or PyList_Check(v)) else v)
        return out
    # Special elements: {"$patch": "replace"} replaces the whole list, {"$patch":
    # "delete", key: v} deletes the matching original element.
    items = []
    deletes = []
    for v in plist:
        if PyDict_CheckExact(v):
            dp = PyDict_GetItemWithError(v, PATCH)
            d = <object>dp if dp != NULL else None
            if dp == NULL:
                items.append(v)
                continue
        else:
            if strict:
                _check(v, True)  # a plain non-map is the error below
            if not (PyDict_Check(v) and PATCH in v):
                if not PyDict_Check(v):
                    raise MergeError(f"list element without merge key {key!r}: {v!r}")
                items.append(v)
                continue
            d = v[PATCH]
        _check(d, strict)
        if d == REPLACE:
            replace = True
            continue
        if d == DELETE:
            kv = _get(v, key)
            _check(kv, strict)
            deletes.append(kv)
            continue
        if d == MERGE:
            v = {k2: x2 for k2, x2 in v.items() if k2 != PATCH}
        else:
            raise MergeError(f"unknown patch type {d!r} in list element")
        items.append(v)
    if replace:
        return [_strip(v, strict) for v in items]
    if deletes:
        original = [o for o in olist if not PySequence_Contains(deletes, _key_of(o, key))]
    else:
        original = list(olist)
    merged = list(original)
    order = [_key_of(o, key) for o in original]
    keys = list(order)  # _key_of of each merged item
    patch_keys = []
    for v in items:
        kv = _get(v, key)
        _check(kv, strict)
        patch_keys.append(kv)
        found = False
        for i in range(PyList_GET_SIZE(merged)):
            o = <object>PyList_GET_ITEM(merged, i)
            if PyDict_Check(o) and _eq(<object>PyList_GET_ITEM(keys, i), kv):
                m = _merge_map(o, v, elem_kind, strict)
                merged[i] = m
                keys[i] = _key_of(m, key)
                found = True
                break
        if not found:
            m = _clean(v, strict)
            merged.append(m)
            keys.append(_key_of(m, key))
    # Kubernetes then orders the result: items named in the patch follow the patch's
    # order, the others keep theirs, and the two sequences are interleaved by their
    # positions in the original list (items new to the object come first).
    n = PyList_GET_SIZE(merged)
    np_ = PyList_GET_SIZE(patch_keys)
    rank = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    lpos = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    rpos = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    lidx = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    ridx = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    if rank == NULL or lpos == NULL or rpos == NULL or lidx == NULL or ridx == NULL:
        free(rank); free(lpos); free(rpos); free(lidx); free(ridx)
        raise MemoryError()
    try:
        nl = 0
        for i in range(n):
            rank[i] = _index(patch_keys, <object>PyList_GET_ITEM(keys, i))
            if rank[i] < 0:
                lpos[nl] = _index(order, <object>PyList_GET_ITEM(keys, i))
                lidx[nl] = i
                nl += 1
        nr = 0
        for p in range(np_):  # a stable sort by patch position
            for i in range(n):
                if rank[i] == p:
                    rpos[nr] = _index(order, <object>PyList_GET_ITEM(keys, i))
                    ridx[nr] = i
                    nr += 1
        out = []
        i = j = 0
        while i < nl and j < nr:
            if lpos[i] >= 0 and rpos[j] >= 0 and lpos[i] < rpos[j]:
                PyList_Append(out, <object>PyList_GET_ITEM(merged, lidx[i]))
                i += 1
            else:
                PyList_Append(out, <object>PyList_GET_ITEM(merged, ridx[j]))
                j += 1
        while i < nl:
            PyList_Append(out, <object>PyList_GET_ITEM(merged, lidx[i]))
            i += 1
        while j < nr:
            PyList_Append(out, <object>PyList_GET_ITEM(merged, ridx[j]))
            j += 1
        return out
    finally:
        free(rank)
        free(lpos)
        free(rpos)
        free(lidx)
        free(ridx)


cdef list _apply_order(list items, object order, object key):
    cdef list wanted = [_key_of(o, key) for o in order]
    cdef list ranked = [m for w in wanted for m in items if _key_of(m, key) == w]
    cdef list rest = [m for m in items if not PySequence_Contains(wanted, _key_of(m, key))]
    return ranked + rest


cdef object _strip(object v, bint strict):
    """A fresh copy without directives (nulls kept): what `$patch: replace` leaves."""
    cdef Py_ssize_t pos = 0, i
    cdef PyObject *kp
    cdef PyObject *xp
    cdef dict dout
    cdef list lout
    cdef object x
    _check_value(v, strict)
    if PyDict_Check(v):
        dout = _PyDict_NewPresized(len(v))
        _enter()
        try:
            if PyDict_CheckExact(v):
                while PyDict_Next(v, &pos, &kp, &xp):
                    if not PyUnicode_CheckExact(<object>kp):
                        if strict:
                            raise UNUSUAL
                    elif _is_directive_key(<object>kp):
                        continue
                    PyDict_SetItem(dout, <object>kp, _strip(<object>xp, strict))
            else:
                for k, x in v.items():
                    if not _is_directive_key(k):
                        dout[k] = _strip(x, strict)
        finally:
            Py_LeaveRecursiveCall()
        return dout
    if PyList_Check(v):
        lout = []
        _enter()
        try:
            for x in v:
                if not _directive_element(x):
                    PyList_Append(lout, _strip(x, strict))
        finally:
            Py_LeaveRecursiveCall()
        return lout
    return v


cdef object _clean(object v, bint strict):
    """A fresh copy of a value new to the object: nulls and directives dropped."""
    cdef Py_ssize_t pos = 0, i, n
    cdef PyObject *kp
    cdef PyObject *xp
    cdef dict dout
    cdef list lout
    cdef object x, k
    cdef bint whole, nested
    if PyDict_CheckExact(v):
        _enter()
        try:
            # Most maps hold nothing to drop: then a copy of the whole map (one block
            # copy) with only its containers replaced by their clean copies.
            whole = True
            nested = False
            while PyDict_Next(v, &pos, &kp, &xp):
                k = <object>kp
                x = <object>xp
                if not PyUnicode_CheckExact(k):
                    if strict:
                        raise UNUSUAL
                elif _dollar(k) and _is_directive_key(k):
                    whole = False
                    break
                if PyDict_Check(x) or PyList_Check(x):
                    nested = True
                elif x is None:
                    whole = False
                    break
                elif strict and not _plain_scalar(x):
                    raise UNUSUAL
            pos = 0
            if whole:
                dout = PyDict_Copy(v)
                if nested:
                    while PyDict_Next(v, &pos, &kp, &xp):
                        x = <object>xp
                        if PyDict_CheckExact(x) or PyList_CheckExact(x):
                            PyDict_SetItem(dout, <object>kp, _clean(x, strict))
                        elif PyDict_Check(x) or PyList_Check(x):
                            if strict:
                                raise UNUSUAL
                            PyDict_SetItem(dout, <object>kp, _clean(x, False))
                return dout
            dout = _PyDict_NewPresized(PyDict_Size(v))
            while PyDict_Next(v, &pos, &kp, &xp):
                k = <object>kp
                x = <object>xp
                if not PyUnicode_CheckExact(k):
                    if strict:
                        raise UNUSUAL
                elif _dollar(k) and _is_directive_key(k):
                    continue
                if PyDict_CheckExact(x) or PyList_CheckExact(x):
                    PyDict_SetItem(dout, k, _clean(x, strict))
                elif x is None:
                    continue
                elif strict and not _plain_scalar(x):
                    raise UNUSUAL
                elif PyDict_Check(x) or PyList_Check(x):
                    PyDict_SetItem(dout, k, _clean(x, False))
                else:
                    PyDict_SetItem(dout, k, x)
        finally:
            Py_LeaveRecursiveCall()
        return dout
    if PyList_CheckExact(v):
        n = PyList_GET_SIZE(v)
        lout = []
        _enter()
        try:
            for i in range(n):
                x = <object>PyList_GET_ITEM(v, i)
                if PyDict_CheckExact(x):
                    if not _directive_element(x):
                        PyList_Append(lout, _clean(x, strict))
                elif PyList_CheckExact(x):
                    PyList_Append(lout, _clean(x, strict))
                elif strict and not _plain_scalar(x):
                    raise UNUSUAL
                elif PyDict_Check(x) or PyList_Check(x):
                    if not _directive_element(x):
                        PyList_Append(lout, _clean(x, False))
                else:
                    PyList_Append(lout, x)
        finally:
            Py_LeaveRecursiveCall()
        return lout
    if strict:
        _check(v, True)
        return v
    if PyDict_Check(v):  # subclasses (not strict): a plain copy, cleaned
        dout = {}
        for k, x in v.items():
            if x is None or _is_directive_key(k):
                continue
            dout[k] = _clean(x, False) if (PyDict_Check(x) or PyList_Check(x)) else x
        return dout
    if PyList_Check(v):
        return [_clean(x, False) if (PyDict_Check(x) or PyList_Check(x)) else x
                for x in v if not _directive_element(x)]
    return v
