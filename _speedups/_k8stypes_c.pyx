# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled twin of `injector/_k8stypes_py.py`: Kubernetes objects through their Go types.

Same output (values and key order) and the same errors as the twin, which stays the
reference and owns the schema, `root_type`'s table and the struct tables: this module
copies each variant's tables into cdef classes once (a field's kind as a C int, the
absent-field plan as a C array) and walks the input with PyDict_Next, exact-type checks
and borrowed references. The error path is a chain of C structs on the C stack, turned
into text (`Pod.spec.containers[0].ports[0].containerPort`) only when an error is raised.
"""
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem, PyDict_Next, PyDict_Copy, PyDict_CheckExact, PyDict_Check
from cpython.list cimport PyList_GET_SIZE, PyList_GET_ITEM, PyList_CheckExact, PyList_Check
from cpython.unicode cimport PyUnicode_CheckExact, PyUnicode_Check, PyUnicode_GET_LENGTH
from cpython.long cimport PyLong_CheckExact, PyLong_Check
from cpython.float cimport PyFloat_Check
from cpython.bool cimport PyBool_Check
from cpython.mem cimport PyMem_Malloc, PyMem_Free
from libc.string cimport memset
from libc.math cimport isinf

from injector import _k8stypes_py as _py
from injector._k8stypes_py import K8sTypeError, KINDS, SCHEMA
from injector.goyaml import go_format_float

__all__ = ["normalize", "root_type"]

cdef extern from "Python.h":
    int Py_EnterRecursiveCall(const char *where)  # non-zero, with RecursionError set, past the limit
    void Py_LeaveRecursiveCall()

# value kinds: the twin's codes (checked below)
cdef enum:
    STR, INT, BOOL, FLOAT, Q, IOS, TIME, RAW, OBJECT, STRUCT, PTR, LIST, MAP

assert (_py.STR, _py.INT, _py.BOOL, _py.FLOAT, _py.Q, _py.IOS, _py.TIME, _py.RAW, _py.OBJECT,
        _py.STRUCT, _py.PTR, _py.LIST, _py.MAP) == (STR, INT, BOOL, FLOAT, Q, IOS, TIME, RAW,
                                                    OBJECT, STRUCT, PTR, LIST, MAP)

# what an absent field writes
cdef enum:
    A_SKIP, A_CONST, A_CLONE

# one step of the path to the value being decoded
cdef enum:
    P_ROOT, P_FIELD, P_KEY, P_INDEX

cdef struct Path:
    Path *parent
    int kind
    PyObject *name  # P_ROOT: the root text; P_FIELD: the field name; P_KEY: the map key
    Py_ssize_t index

cdef enum:
    MAX_FIELDS = 64  # more than any struct has (checked when the tables are built)

cdef object _EMPTY = object()  # marker: a zero value that omitempty drops
cdef object _EMPTY_LIST = object()  # marker: an empty but non-nil slice
cdef object _EMPTY_MAP = object()  # marker: an empty but non-nil map
cdef dict _QUANTITIES = _py._QUANTITIES  # shared cache of canonical quantity text
cdef dict _KINDS = KINDS
cdef object _as_quantity = _py.as_quantity
cdef object _as_time = _py.as_time
cdef object _Fail = _py._Fail


cdef class _Spec:
    cdef int code
    cdef _Spec inner
    cdef _Struct table
    cdef dict tables  # OBJECT: root struct name -> _Struct of the variant
    cdef object zero_json


cdef class _Field:
    cdef object name
    cdef _Spec spec
    cdef Py_ssize_t pos
    cdef bint omit
    cdef bint drop_none
    cdef object const
    cdef _Struct sub


cdef class _Struct:
    cdef object name
    cdef dict index  # exact JSON key -> _Field
    cdef dict folded  # lower-cased JSON key -> _Field
    cdef list fields
    cdef Py_ssize_t n
    cdef unsigned char *absent  # A_* per field
    cdef dict zero
    cdef list zero_names
    cdef list zero_subs

    def __dealloc__(self):
        if self.absent != NULL:
            PyMem_Free(self.absent)


cdef inline int _enter() except -1:
    if Py_EnterRecursiveCall(" in k8stypes.normalize"):
        return -1  # RecursionError is set
    return 0


cdef list _VARIANTS = [None, None, None, None]


cdef dict _variant(bint legacy, bint omit_ct):
    """The compiled tables of one schema variant, copied from the twin's on first use."""
    cdef int key = legacy * 2 + omit_ct
    cdef dict built = _VARIANTS[key]
    if built is None:
        built = _compile(_py.tables(legacy, omit_ct))
        _VARIANTS[key] = built
    return built


cdef dict _compile(dict py_tables):
    cdef dict out = {}
    cdef _Struct t
    cdef _Field f
    cdef Py_ssize_t i
    for name in py_tables:
        t = _Struct.__new__(_Struct)
        t.name = name
        out[name] = t

    def spec_of(tuple s):
        cdef _Spec sp = _Spec.__new__(_Spec)
        sp.code = s[0]
        sp.zero_json = s[2]
        if sp.code == STRUCT:
            sp.table = out[s[1].name]
        elif sp.code == PTR or sp.code == LIST or sp.code == MAP:
            sp.inner = spec_of(s[1])
        elif sp.code == OBJECT:
            sp.tables = out
        return sp

    for name, pt in py_tables.items():
        t = out[name]
        t.n = len(pt.fields)
        if t.n > MAX_FIELDS:
            raise AssertionError(f"k8stypes: {name} has more than {MAX_FIELDS} fields")
        t.fields = []
        t.absent = <unsigned char *>PyMem_Malloc(t.n + 1)
        if t.absent == NULL:
            raise MemoryError()
        memset(t.absent, A_SKIP, t.n + 1)
        for i, (fname, s, omit, drop_none) in enumerate(pt.fields):
            f = _Field.__new__(_Field)
            f.name = fname
            f.spec = spec_of(s)
            f.pos = i
            f.omit = omit
            f.drop_none = drop_none
            t.fields.append(f)
        for i, fname, const, sub in pt.absent:
            f = t.fields[i]
            if sub is None:
                t.absent[i] = A_CONST
                f.const = const
            else:
                t.absent[i] = A_CLONE
                f.sub = out[sub.name]
        t.index = {key: t.fields[i] for key, i in pt.index.items()}
        t.folded = {key: t.fields[i] for key, i in pt.folded.items()}
        t.zero = pt.zero
        t.zero_names = [fname for fname, _sub in pt.zero_subs]
        t.zero_subs = [out[sub.name] for _fname, sub in pt.zero_subs]
    return out


cdef dict _clone(_Struct t):
    """A fresh copy of t's zero output."""
    cdef dict d = PyDict_Copy(t.zero)
    cdef Py_ssize_t j
    for j in range(len(t.zero_names)):
        d[t.zero_names[j]] = _clone(<_Struct>t.zero_subs[j])
    return d


# ------------------------------------------------------------------ errors

cdef str _path_text(Path *p):
    cdef list parts = []
    while p != NULL:
        if p.kind == P_INDEX:
            parts.append(f"[{p.index}]")
        elif p.kind == P_ROOT:
            parts.append(<object>p.name)
        else:
            parts.append(f".{<object>p.name}")
        p = p.parent
    parts.reverse()
    return "".join(parts)


cdef int _fail(Path *p, str message) except -1:
    raise K8sTypeError(f"{_path_text(p)}: {message}")


cdef str _json_kind(object v):
    if v is None:
        return "null"
    if PyBool_Check(v):
        return "bool"
    if PyLong_Check(v) or PyFloat_Check(v):
        return "number"
    if PyUnicode_Check(v):
        return "string"
    if PyList_Check(v):
        return "array"
    return "object"


# ------------------------------------------------------------------ scalars

cdef object _as_string(object v, Path *p):
    if PyUnicode_Check(v):
        return v
    # sigs.k8s.io/yaml turns YAML numbers and booleans bound for a string into text
    if PyBool_Check(v):
        return "true" if v is True else "false"
    if PyLong_Check(v):
        return str(v)
    if PyFloat_Check(v):
        return go_format_float(v, 32)
    _fail(p, f"cannot unmarshal {_json_kind(v)} into Go value of type string")


cdef object _as_int(object v, Path *p):
    if PyLong_CheckExact(v):
        return v
    if PyBool_Check(v) or not (PyLong_Check(v) or PyFloat_Check(v)):
        _fail(p, f"cannot unmarshal {_json_kind(v)} into Go value of type int")
    if PyFloat_Check(v):
        if not v.is_integer() or isinf(<double>v):
            _fail(p, f"cannot unmarshal number {v} into Go value of type int")
        return int(v)
    return v


cdef object _quantity(object v, Path *p):
    cdef PyObject *hit
    if PyUnicode_CheckExact(v):
        hit = PyDict_GetItem(_QUANTITIES, v)
        if hit != NULL:
            return <object>hit
    try:
        return _as_quantity(v)
    except _Fail as e:
        message = e.message
    _fail(p, message)


cdef object _time(object v, Path *p):
    if v is None:
        return None
    try:
        return _as_time(v)
    except _Fail as e:
        message = e.message
    _fail(p, message)


# ------------------------------------------------------------------ the walk

cdef object _struct(_Struct t, object value, Path *path):
    # given[i]: a new reference to the value of field i, or NULL (so that a value stays
    # alive whatever Python code runs while the fields are decoded)
    cdef PyObject *given[MAX_FIELDS]
    cdef PyObject *k
    cdef PyObject *v
    cdef PyObject *hit
    cdef Py_ssize_t pos = 0, i, n = t.n
    cdef bint any_given = False
    if value is None:
        return _clone(t)
    if not PyDict_Check(value):
        _fail(path, f"cannot unmarshal {_json_kind(value)} into Go struct {t.name}")
    memset(given, 0, n * sizeof(PyObject *))
    try:
        if PyDict_CheckExact(value):
            while PyDict_Next(value, &pos, &k, &v):
                hit = PyDict_GetItem(t.index, <object>k)
                if hit == NULL:
                    hit = PyDict_GetItem(t.folded, (<object>k).lower())
                    if hit == NULL:
                        continue
                i = (<_Field>hit).pos
                Py_INCREF(<object>v)
                Py_XDECREF(given[i])  # a later key naming the same field wins
                given[i] = v
                any_given = True
        else:
            for key, item in value.items():
                hit = PyDict_GetItem(t.index, key)
                if hit == NULL:
                    hit = PyDict_GetItem(t.folded, key.lower())
                    if hit == NULL:
                        continue
                i = (<_Field>hit).pos
                Py_INCREF(item)
                Py_XDECREF(given[i])
                given[i] = <PyObject *>item
                any_given = True
        if not any_given:
            return _clone(t)
        return _fields(t, given, path)
    finally:
        for i in range(n):
            Py_XDECREF(given[i])


cdef dict _fields(_Struct t, PyObject **given, Path *path):
    """The struct's output: given fields decoded, absent ones as planned, in field order."""
    cdef Py_ssize_t i
    cdef PyObject *v
    cdef _Field f
    cdef _Spec spec
    cdef unsigned char mode
    cdef Path node
    cdef dict out = {}
    node.parent = path
    node.kind = P_FIELD
    node.index = 0
    for i in range(t.n):
        v = given[i]
        if v == NULL:
            mode = t.absent[i]
            if mode == A_SKIP:
                continue
            f = <_Field>PyList_GET_ITEM(t.fields, i)
            if mode == A_CONST:
                PyDict_SetItem(out, f.name, f.const)
            else:
                PyDict_SetItem(out, f.name, _clone(f.sub))
            continue
        f = <_Field>PyList_GET_ITEM(t.fields, i)
        spec = f.spec
        if spec.code == STR and PyUnicode_CheckExact(<object>v):  # the most common field
            if PyUnicode_GET_LENGTH(<object>v):
                PyDict_SetItem(out, f.name, <object>v)
            elif not f.omit:
                PyDict_SetItem(out, f.name, "")
            continue
        node.name = <PyObject *>f.name
        r = _value(spec, <object>v, &node)
        if r is _EMPTY or r is _EMPTY_LIST or r is _EMPTY_MAP:
            if f.omit:
                continue
            if r is _EMPTY:
                r = spec.zero_json
            elif r is _EMPTY_LIST:
                r = []
            else:
                r = {}
        elif f.drop_none and r is None:
            continue
        PyDict_SetItem(out, f.name, r)
    return out


cdef object _value(_Spec spec, object v, Path *path):
    """The JSON of value `v`, or a marker (_EMPTY...) when omitempty would drop it."""
    cdef int code = spec.code
    cdef object r
    if code == STR:
        if PyUnicode_CheckExact(v):
            return v if PyUnicode_GET_LENGTH(v) else _EMPTY
        if v is None:
            return _EMPTY
        r = _as_string(v, path)
        return r if r else _EMPTY
    if code == STRUCT:
        return _struct(spec.table, v, path)
    if code == PTR:
        if v is None:
            return _EMPTY
        r = _value(spec.inner, v, path)
        return spec.inner.zero_json if r is _EMPTY else r  # a set pointer is never empty
    if code == LIST:
        return _list(spec.inner, v, path)
    if code == INT:
        if v is None:
            return _EMPTY
        r = _as_int(v, path)
        return r if r else _EMPTY
    if code == MAP:
        return _map(spec.inner, v, path)
    if code == BOOL:
        if v is None:
            return _EMPTY
        if not PyBool_Check(v):
            _fail(path, f"cannot unmarshal {_json_kind(v)} into Go value of type bool")
        return v if v is True else _EMPTY
    if code == Q:
        return _quantity(v, path)
    if code == IOS:
        if PyUnicode_Check(v):
            return v
        if v is None:
            return 0  # IntOrString.UnmarshalJSON(null) leaves an int 0
        return _as_int(v, path)
    if code == TIME:
        return _time(v, path)
    if code == FLOAT:
        if v is None:
            return _EMPTY
        if PyBool_Check(v) or not (PyLong_Check(v) or PyFloat_Check(v)):
            _fail(path, f"cannot unmarshal {_json_kind(v)} into Go value of type float64")
        return v if v else _EMPTY
    if code == OBJECT:
        if v is None:
            return _EMPTY
        typ = root_type(v)
        if typ is None:
            return v
        _enter()  # List items nest without bound: count them against the recursion limit
        try:
            return _struct(<_Struct>spec.tables[typ], v, path)
        finally:
            Py_LeaveRecursiveCall()
    # raw: any JSON, kept as it is
    return _EMPTY if v is None else v


cdef inline object _element(_Spec spec, object item, Path *path):
    """A slice element or map value: always written, zero values included."""
    r = _value(spec, item, path)
    if r is _EMPTY:
        return spec.zero_json  # "" / 0 / false, or null for nil
    if r is _EMPTY_LIST:
        return []
    if r is _EMPTY_MAP:
        return {}
    return r


cdef object _list(_Spec inner, object v, Path *path):
    cdef Py_ssize_t i
    cdef list out
    cdef Path node
    cdef int code = inner.code
    if v is None:
        return _EMPTY
    if not PyList_Check(v):
        _fail(path, f"cannot unmarshal {_json_kind(v)} into Go slice")
    if not v:
        return _EMPTY_LIST
    node.parent = path
    node.kind = P_INDEX
    node.name = NULL
    out = []
    if PyList_CheckExact(v):
        i = 0
        while i < PyList_GET_SIZE(v):  # re-read: Python code below may change the list
            item = <object>PyList_GET_ITEM(v, i)  # a new reference
            node.index = i
            if code == STRUCT:  # struct elements never come back as markers
                out.append(_struct(inner.table, item, &node))
            elif code == STR and PyUnicode_CheckExact(item):
                out.append(item)  # "" included
            else:
                out.append(_element(inner, item, &node))
            i += 1
    else:
        i = 0
        for item in v:
            node.index = i
            out.append(_element(inner, item, &node))
            i += 1
    return out


cdef object _map(_Spec inner, object v, Path *path):
    cdef dict out
    cdef Path node
    cdef Py_ssize_t pos = 0
    cdef PyObject *k
    cdef PyObject *item
    if v is None:
        return _EMPTY
    if not PyDict_Check(v):
        _fail(path, f"cannot unmarshal {_json_kind(v)} into Go map")
    if not v:
        return _EMPTY_MAP
    node.parent = path
    node.kind = P_KEY
    node.index = 0
    out = {}
    if PyDict_CheckExact(v):
        while PyDict_Next(v, &pos, &k, &item):
            key = <object>k  # new references: Python code below may change the map
            value = <object>item
            node.name = k
            if inner.code == STR and PyUnicode_CheckExact(value):
                PyDict_SetItem(out, key, value)
            else:
                PyDict_SetItem(out, key, _element(inner, value, &node))
    else:
        for key, value in v.items():
            node.name = <PyObject *>key
            out[key] = _element(inner, value, &node)
    return out


# ------------------------------------------------------------------ API

def root_type(obj):
    """The Go struct a kube-inject'ed object decodes into, or None for other kinds."""
    if not PyDict_Check(obj):
        return None
    api = obj.get("apiVersion")
    kind = obj.get("kind")
    if not PyUnicode_Check(api) or not PyUnicode_Check(kind):
        return None
    group = api.rpartition("/")[0] if "/" in api else ""
    return _KINDS.get((group, kind))


def normalize(obj, *, omit_creation_timestamp=False, legacy=None, as_type=None):
    """`obj` decoded into its Go type and encoded again (see `injector.k8stypes`)."""
    cdef Path root
    if legacy is None:
        legacy = not omit_creation_timestamp
    if as_type is not None:
        if as_type not in SCHEMA:
            raise ValueError(f"k8stypes: unknown Go type {as_type!r}")
        typ = as_type
    else:
        typ = root_type(obj)
        if typ is None:
            api = obj.get("apiVersion") if isinstance(obj, dict) else None
            kind = obj.get("kind") if isinstance(obj, dict) else None
            raise ValueError(f"k8stypes: no Go type for apiVersion={api!r} kind={kind!r}")
    table = <_Struct>_variant(bool(legacy), bool(omit_creation_timestamp))[typ]
    root.parent = NULL
    root.kind = P_ROOT
    root.name = <PyObject *>typ
    root.index = 0
    return _struct(table, obj, &root)
