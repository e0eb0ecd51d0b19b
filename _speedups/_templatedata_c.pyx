# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Template-data converters, compiled: `injector._templatedata_c`.

A port of `injector/_templatedata_py.py` (the reference: read it for the value model)
that must return exactly the same values, types and key order. It shares the twin's
field tables and Go-name memo, and hands anything that is not plain JSON (dict, list,
str, int, float, bool, None of the exact types) to the twin's general rules, so only the
JSON fast paths live here. What makes it fast: per-struct field tables in C (json name,
Go name, zero, kind) built once at import, a struct started as a copy of a dict holding
its immutable zeros, so the per-pod work is one lookup per field; direct dict/list access
(PyDict_Next, PyDict_GetItemWithError, PyList_GET_ITEM); small Int64s shared; StrMaps and
port GoStructs created without running their Python __init__ (the parity tests compare
every slot). Nesting counts against Python's recursion limit, as in the twin.
"""
from cpython.object cimport PyObject
from cpython.dict cimport (PyDict_GetItemWithError, PyDict_Next, PyDict_Size, PyDict_SetItem,
                           PyDict_Copy, PyDict_CheckExact, PyDict_Contains)
from cpython.list cimport PyList_New, PyList_SET_ITEM, PyList_GET_ITEM, PyList_GET_SIZE, PyList_CheckExact
from cpython.tuple cimport PyTuple_GET_ITEM
from cpython.unicode cimport PyUnicode_CheckExact, PyUnicode_Check
from cpython.long cimport PyLong_CheckExact, PyLong_AsLongAndOverflow
from cpython.float cimport PyFloat_CheckExact
from cpython.ref cimport Py_INCREF

from injector import _templatedata_py as _twin
from injector.template.values import GoStruct as _GoStruct, Int64 as _Int64, StrMap as _StrMap

cdef extern from "Python.h":
    int Py_EnterRecursiveCall(const char *where)  # non-zero, with RecursionError set, past the limit
    void Py_LeaveRecursiveCall()
    object PyObject_Str(object v)

__all__ = ["go_name", "go_value", "port_struct", "container_data", "object_meta_data",
           "pod_spec_data", "type_meta_data", "build"]

cdef dict _MEMO = _twin._NAME_MEMO          # shared with the twin: one cache of Go names
cdef object _py_go_name = _twin.go_name
cdef object _py_go_value = _twin.go_value
cdef object _py_struct = _twin._struct
cdef object _py_strmap = _twin._strmap
cdef object _py_port_struct = _twin.port_struct

cdef enum:
    MAX_FIELDS = 64  # fields of one struct table

# the twin's shared Int64(0) .. Int64(_N_SMALL - 1)
cdef tuple _SMALL_INT64 = _twin._SMALL_INT64
cdef long _N_SMALL = len(_SMALL_INT64)


cdef inline object _int64(object v):
    """Int64 of an exact int."""
    cdef int overflow = 0
    cdef long n = PyLong_AsLongAndOverflow(v, &overflow)
    if overflow == 0 and 0 <= n < _N_SMALL:
        return <object>PyTuple_GET_ITEM(_SMALL_INT64, n)
    return _Int64(v)


cdef inline int _enter() except -1:
    """Count one level of nesting against Python's recursion limit (no C stack overflow)."""
    if Py_EnterRecursiveCall(" while converting template data"):
        return -1
    return 0


cdef inline object _name(object k):
    cdef PyObject *name = PyDict_GetItemWithError(_MEMO, k)
    if name == NULL:
        return _py_go_name(k)
    return <object>name


def go_name(json_name):
    """The Go field name of a JSON name (`uid` -> `UID`, `name` -> `Name`)."""
    return _name(json_name)


cdef object _gv(object v):
    if PyUnicode_CheckExact(v) or v is None or v is True or v is False or PyFloat_CheckExact(v):
        return v
    if PyDict_CheckExact(v):
        return _gmap(<dict>v)
    if PyList_CheckExact(v):
        return _glist(<list>v)
    if PyLong_CheckExact(v):
        return _int64(v)
    return _py_go_value(v)  # subclasses and anything else: the twin's general rules


def go_value(v):
    """Generic JSON -> Go view: Go field names, integers as Int64."""
    return _gv(v)


cdef dict _gmap(dict d):
    # hot: every env var of every container passes here
    cdef Py_ssize_t pos = 0
    cdef PyObject *k
    cdef PyObject *x
    cdef dict out = {}
    _enter()
    try:
        while PyDict_Next(d, &pos, &k, &x):
            key = <object>k  # held: Python code may run below (names, odd values)
            val = <object>x
            if PyUnicode_CheckExact(val):
                PyDict_SetItem(out, _name(key), val)
            else:
                PyDict_SetItem(out, _name(key), _gv(val))
    finally:
        Py_LeaveRecursiveCall()
    return out


cdef list _glist(list v):
    cdef Py_ssize_t i, n = PyList_GET_SIZE(v)
    cdef list out = PyList_New(n)
    cdef object x
    _enter()
    try:
        for i in range(n):
            x = <object>PyList_GET_ITEM(v, i)
            if not PyUnicode_CheckExact(x):
                x = _gv(x)
            Py_INCREF(x)  # PyList_SET_ITEM steals a reference
            PyList_SET_ITEM(out, i, x)
    finally:
        Py_LeaveRecursiveCall()
    return out


# ------------------------------------------------------------------ structs

cdef enum:
    F_PLAIN, F_LIST, F_DICT, F_STRMAP, F_CONTAINERS, F_PORTS

cdef class _Table:
    """One struct's fields in output order, worked out from the twin's tables."""
    cdef tuple keys       # json names
    cdef tuple gos        # Go names
    cdef frozenset names  # the json names, for the unknown-key pass
    cdef dict start       # Go name -> immutable zero (placeholders for the others)
    cdef object twin      # the twin's table (for objects that are not plain dicts)
    cdef Py_ssize_t n
    cdef int kinds[MAX_FIELDS]

    def __init__(self, twin_table):
        cdef Py_ssize_t i
        fields = twin_table.fields
        if len(fields) > MAX_FIELDS:
            raise ValueError(f"struct table of {len(fields)} fields: at most {MAX_FIELDS} compiled in")
        self.twin = twin_table
        self.n = len(fields)
        self.keys = tuple(f[0] for f in fields)
        self.gos = tuple(f[1] for f in fields)
        self.names = twin_table.names
        self.start = {}
        for i, (k, go, zero, kind, conv, make) in enumerate(fields):
            if kind == _twin.STRMAP:
                self.kinds[i] = F_STRMAP
            elif kind == _twin.SPECIAL and conv is _twin._containers and make is list:
                self.kinds[i] = F_CONTAINERS
            elif kind == _twin.SPECIAL and conv is _twin._ports and make is list:
                self.kinds[i] = F_PORTS
            elif kind == _twin.SPECIAL:
                raise ValueError(f"field {k!r}: no compiled converter for {conv!r}")
            elif make is list:
                self.kinds[i] = F_LIST
            elif make is dict:
                self.kinds[i] = F_DICT
            elif make is not None:
                raise ValueError(f"field {k!r}: no compiled maker of its zero {make!r}")
            else:
                self.kinds[i] = F_PLAIN
            # mutable zeros get a fresh object per call; None holds their place (and order)
            self.start[go] = zero if make is None else None
        if len(self.start) != self.n:
            raise ValueError("struct table: two fields with one Go name")


cdef _Table _CONTAINER = _Table(_twin._CONTAINER_TABLE)
cdef _Table _OBJECT_META = _Table(_twin._OBJECT_META_TABLE)
cdef _Table _POD_SPEC = _Table(_twin._POD_SPEC_TABLE)


cdef inline object _fresh_zero(int kind):
    if kind == F_LIST or kind == F_CONTAINERS or kind == F_PORTS:
        return []
    if kind == F_DICT:
        return {}
    if kind == F_STRMAP:
        return _nil_strmap()
    return None


cdef object _nil_strmap():
    m = _StrMap.__new__(_StrMap)
    m.nil = True
    return m


cdef object _strmap(object val):
    """StrMap of a JSON map (keys and values as strings); the twin's rules for the rest."""
    cdef Py_ssize_t pos = 0
    cdef PyObject *k
    cdef PyObject *x
    if val is None:
        return _nil_strmap()
    if not PyDict_CheckExact(val):
        return _py_strmap(val)
    m = _StrMap.__new__(_StrMap)
    while PyDict_Next(val, &pos, &k, &x):
        key = <object>k  # held: str() may run Python code
        item = <object>x
        if not PyUnicode_CheckExact(key):
            key = PyObject_Str(key)
        if PyUnicode_Check(item):
            PyDict_SetItem(m, key, item)
        elif item is None:
            PyDict_SetItem(m, key, "")
        else:
            PyDict_SetItem(m, key, PyObject_Str(item))
    m.nil = False
    return m


cdef dict _struct(object obj, _Table t):
    cdef Py_ssize_t i, present = 0
    cdef PyObject *x
    cdef int kind
    cdef dict d
    cdef object k, v
    if not PyDict_CheckExact(obj):
        if isinstance(obj, dict):
            return _py_struct(obj, t.twin)
        obj = {}
    d = <dict>obj
    cdef dict out = PyDict_Copy(t.start)
    for i in range(t.n):
        kind = t.kinds[i]
        x = PyDict_GetItemWithError(d, <object>PyTuple_GET_ITEM(t.keys, i))
        if x == NULL:
            if kind != F_PLAIN:
                PyDict_SetItem(out, <object>PyTuple_GET_ITEM(t.gos, i), _fresh_zero(kind))
            continue
        present += 1
        val = <object>x  # held while it is converted
        if kind == F_STRMAP:
            v = _strmap(val)
        elif kind == F_CONTAINERS:
            v = _list_of(val, True)
        elif kind == F_PORTS:
            v = _list_of(val, False)
        elif val is None:
            if kind == F_PLAIN:
                continue  # the zero is in place
            v = _fresh_zero(kind)
        elif PyUnicode_CheckExact(val):
            v = val
        else:
            v = _gv(val)
        PyDict_SetItem(out, <object>PyTuple_GET_ITEM(t.gos, i), v)
    if present != PyDict_Size(d):  # keys the table does not know, in the object's order
        for k, v in d.items():
            if k not in t.names:
                PyDict_SetItem(out, _name(k), _gv(v))
    return out


cdef list _list_of(object items, bint containers):
    """[container_data(c) ...] or [port_struct(p) ...] of a field's value (null: [])."""
    cdef Py_ssize_t i, n
    cdef list out
    if not PyList_CheckExact(items):
        if not items:
            return []
        if containers:
            return [_struct(c, _CONTAINER) for c in items]
        return [_port(p) for p in items]
    n = PyList_GET_SIZE(items)
    out = PyList_New(n)
    for i in range(n):
        item = <object>PyList_GET_ITEM(items, i)
        v = _struct(item, _CONTAINER) if containers else _port(item)
        Py_INCREF(v)  # PyList_SET_ITEM steals a reference
        PyList_SET_ITEM(out, i, v)
    return out


# ContainerPort: the twin's (Go name, json tag, json name, zero) rows
cdef tuple _PORT_FIELDS = _twin._PORT_FIELDS
cdef dict _PORT_INDEX = _twin._PORT_INDEX
cdef str _PORT_TYPE = _twin._PORT_TYPE
cdef Py_ssize_t _N_PORT = len(_PORT_FIELDS)
cdef list _PORT_INT = [isinstance(f[3], _Int64) for f in _PORT_FIELDS]


cdef object _port(object p):
    cdef Py_ssize_t i
    cdef PyObject *x
    if not PyDict_CheckExact(p):
        return _py_port_struct(p)
    fields = PyList_New(_N_PORT)
    for i in range(_N_PORT):
        go, tag, js, zero = <tuple>PyTuple_GET_ITEM(_PORT_FIELDS, i)
        x = PyDict_GetItemWithError(p, js)
        if _PORT_INT[i]:
            if x == NULL or <object>x is None:
                v = _SMALL_INT64[0]
            elif PyLong_CheckExact(<object>x):
                v = _int64(<object>x)
            else:
                val = <object>x  # held: int() runs Python code
                v = _int64(int(val or 0))
        elif x == NULL or <object>x is None:
            v = zero
        else:
            v = <object>x
        f = (go, tag, v)
        Py_INCREF(f)  # PyList_SET_ITEM steals a reference
        PyList_SET_ITEM(fields, i, f)
    # GoStruct(fields, type_name=...) without its Python __init__: the same three slots
    s = _GoStruct.__new__(_GoStruct)
    s.fields = fields
    s._index = PyDict_Copy(_PORT_INDEX)
    s.type_name = _PORT_TYPE
    return s


def port_struct(p):
    """A `v1.ContainerPort` struct of a JSON port (zeros for what it lacks)."""
    return _port(p)


def container_data(c):
    return _struct(c, _CONTAINER)


def object_meta_data(meta):
    return _struct(meta, _OBJECT_META)


def pod_spec_data(spec):
    return _struct(spec, _POD_SPEC)


def type_meta_data(kind, api_version):
    return {"Kind": kind, "APIVersion": api_version}


def build(*, legacy, type_meta, deploy_meta, pod_meta, pod_spec, proxy_config, mesh_config,
          values, revision="", native_sidecars=False, proxy_image="", proxy_uid=1337,
          proxy_gid=1337, inbound_traffic_policy_mode="", compliance_policy=""):
    """Assemble the template data (see injector/_templatedata_py.py build)."""
    data = {
        "TypeMeta": type_meta_data(type_meta.get("kind", ""), type_meta.get("apiVersion", "")),
        "DeploymentMeta": (
            _struct(deploy_meta, _OBJECT_META)
            if legacy
            else {"Name": deploy_meta.get("name", "") or "", "Namespace": deploy_meta.get("namespace", "") or ""}
        ),
        "ObjectMeta": _struct(pod_meta, _OBJECT_META),
        "Spec": _struct(pod_spec, _POD_SPEC),
        "ProxyConfig": proxy_config,
        "MeshConfig": mesh_config,
        "Values": values,
    }
    if not legacy:
        data["Revision"] = revision
        data["NativeSidecars"] = bool(native_sidecars)
        data["ProxyImage"] = proxy_image
        data["ProxyUID"] = _Int64(proxy_uid)
        data["ProxyGID"] = _Int64(proxy_gid)
        data["InboundTrafficPolicyMode"] = inbound_traffic_policy_mode
        data["CompliancePolicy"] = compliance_policy
    return data
