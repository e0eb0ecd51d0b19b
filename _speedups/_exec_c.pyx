# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Compiled twin of injector/template/_exec_py.py (Go text/template execution).

    execute(trees, name, data, funcs, missingkey="default") -> str

Same behaviour as the reference, message for message (tests/test_template_backends.py).

- Each parsed tree is precompiled once into typed `cdef` nodes (integer kinds, field
  chains as tuples of interned names, functions resolved to `CFunc` with integer
  parameter type codes, number literals pre-evaluated) and cached on the tree's root
  `ListNode` (`exec_cache`) for the function map it was compiled with (a Template's
  map is a private copy and is not changed after parsing).
- Every compiled node keeps its AST node: errors name the same action as the
  reference (`State.node` is assigned at the same points).
- `{{break}}`/`{{continue}}` travel as return codes instead of exceptions.
- Common library functions (`not eq ne index len default quote annotation isset
  valueOrDefault`) are evaluated inline for the argument types whose result is
  plain; anything else calls the function. The pure serialisers (`toYaml`,
  `structToJSON`, `protoToJSON`, `toJSON`) are memoised by a key that captures
  every typed detail of their argument (values and mesh config repeat across pods).
- Nested {{template}} calls count against Python's recursion limit and a C stack
  budget; an overflow is reported where Go's depth limit would stop
  (`_exec_py.overflow_site`).
"""
from cpython.dict cimport PyDict_GetItem
from cpython.list cimport PyList_Append, PyList_GET_SIZE
from cpython.object cimport PyObject
from cpython.tuple cimport PyTuple_GET_SIZE

import sys

from injector.template import gofmt
from injector.template import nodes as _nodes
from injector.template._exec_py import (
    GO_TYPES, MAX_EXEC_DEPTH, Iface, _RAW_IFACE_ARGS, _SHORT_CIRCUIT, _STRING_METHOD,
    overflow_site,
)
from injector.template.errors import ExecError, TemplateError
from injector.template.funcs import FuncError
from injector.template.values import NO_VALUE, GoStruct, Int64, StrList, StrMap, Stringer, truth


cdef extern from "Python.h":
    int Py_EnterRecursiveCall(const char *where) except -1
    void Py_LeaveRecursiveCall()
    object PyObject_Vectorcall(object callable, PyObject **args, size_t nargsf, PyObject *kwnames)
    PyObject **PySequence_Fast_ITEMS(object o)


cdef inline object _call(object fn, list argv):
    """fn(*argv) without building a tuple of the arguments."""
    return PyObject_Vectorcall(fn, PySequence_Fast_ITEMS(argv), PyList_GET_SIZE(argv), NULL)


# node kinds: the values of nodes.K_* (checked at import below)
cdef enum:
    K_LIST, K_TEXT, K_ACTION, K_IF, K_RANGE, K_WITH, K_TEMPLATE, K_BREAK, K_CONTINUE,
    K_COMMENT, K_PIPE, K_COMMAND, K_FIELD, K_VARIABLE, K_CHAIN, K_IDENT, K_DOT, K_NIL,
    K_BOOL, K_NUMBER, K_STRING, K_END, K_ELSE

for _i, _name in enumerate(("K_LIST", "K_TEXT", "K_ACTION", "K_IF", "K_RANGE", "K_WITH",
                            "K_TEMPLATE", "K_BREAK", "K_CONTINUE", "K_COMMENT", "K_PIPE",
                            "K_COMMAND", "K_FIELD", "K_VARIABLE", "K_CHAIN", "K_IDENT",
                            "K_DOT", "K_NIL", "K_BOOL", "K_NUMBER", "K_STRING")):
    if getattr(_nodes, _name) != _i:
        raise ImportError(f"_exec_c was built for another nodes.py ({_name})")

# walk results: how a list ended
cdef enum:
    ST_OK = 0
    ST_BREAK = 1
    ST_CONTINUE = 2

# parameter type codes (GoFunc.params); T_NONE is the reference's `None` (untyped)
cdef enum:
    T_NONE, T_ANY, T_VALUE, T_STRING, T_INT, T_INT64, T_FLOAT, T_BOOL, T_MAP, T_STRMAP,
    T_LIST, T_STRLIST

_TYPE_CODES = {"any": T_ANY, "value": T_VALUE, "string": T_STRING, "int": T_INT,
               "int64": T_INT64, "float64": T_FLOAT, "bool": T_BOOL, "map": T_MAP,
               "strmap": T_STRMAP, "list": T_LIST, "strlist": T_STRLIST}
cdef tuple _TYPE_NAMES = (None, "any", "value", "string", "int", "int64", "float64", "bool",
                          "map", "strmap", "list", "strlist")
cdef tuple _EXACT = (None, None, None, str, int, Int64, float, bool, dict, StrMap, list,
                     StrList)

# missingkey modes ("default" and "invalid" behave alike)
cdef enum:
    MK_DEFAULT, MK_ZERO, MK_ERROR

# inlined builtins (only when the GoFunc is the builtin itself)
cdef enum:
    OP_CALL, OP_NOT, OP_EQ, OP_NE, OP_INDEX, OP_LEN, OP_DEFAULT, OP_QUOTE, OP_ANNOTATION,
    OP_ISSET, OP_VALUE_OR_DEFAULT, OP_MEMO

cdef object _NO_VALUE = NO_VALUE
cdef object _MISSING = object()  # "no final value from the previous pipeline stage"
cdef object _UINT_OVERFLOW = object()  # a number literal that overflows int
cdef object _truth_py = truth
cdef object _print_value = gofmt.print_value
cdef object _quote = gofmt.quote
cdef object _sprint = gofmt.sprint
cdef type _dict = dict
cdef type _list = list
cdef type _str = str
cdef type _bool = bool
cdef type _GoStruct = GoStruct
cdef type _Int64 = Int64
cdef type _StrMap = StrMap
cdef type _float = float
cdef Py_ssize_t _NO_RAW = 1 << 62
# C stack one execution may use for nested {{template}} calls, whatever Python's recursion
# limit says (Python 3.11 frames need no C stack, these calls do): well inside the 8 MiB
# of the main thread and of threads started with the default stack size
cdef size_t _STACK_BUDGET = 2 * 1024 * 1024


cdef extern from *:
    """
    /* the current frame's address: where the C stack is now (GCC and clang) */
    #define injector_stack_here() ((size_t)__builtin_frame_address(0))
    """
    size_t _stack_here "injector_stack_here" ()


cdef inline int _check_stack(size_t base) except -1:
    """RecursionError once more than _STACK_BUDGET of C stack is in use since `base`
    (deeply nested templates or data under a raised recursion limit)."""
    cdef size_t here = _stack_here()
    if (base - here if base > here else here - base) > _STACK_BUDGET:
        raise RecursionError("template nesting exceeds the C stack budget")
    return 0

# Python stack frames the reference spends per {{template}} level (walk_template, walk
# of the tree, walk of the action): its RecursionError comes at about limit/3 levels.
cdef int _FRAMES_PER_LEVEL = 3


cdef inline str _tname(object v):
    return "interface {}" if v is None else gofmt.type_name(v)


cdef inline bint _truth(object v) except -1:
    """values.truth, inline for the common kinds."""
    cdef type t = type(v)
    if v is None or v is _NO_VALUE:
        return False
    if t is _bool:
        return v is True
    if t is _str:
        return len(<str>v) > 0
    if t is _dict:
        return len(<dict>v) > 0
    if t is _list:
        return len(<list>v) > 0
    return _truth_py(v)


cdef inline bint _truth_sc(object v) except -1:
    """_exec_py._truth: truth, with values that have no length counting as true."""
    try:
        return _truth(v)
    except TypeError:
        return True


cdef object _zero(int typ):
    if typ == T_MAP:
        return {}
    if typ == T_STRMAP:
        return StrMap(None)
    if typ == T_LIST:
        return []
    if typ == T_STRLIST:
        return StrList()
    if typ == T_VALUE or typ == T_NONE:
        return _NO_VALUE
    return None


cdef inline str _go_type(int typ):
    name = _TYPE_NAMES[typ]
    return GO_TYPES.get(name, name)


# ---------------------------------------------------------------- compiled nodes

cdef class CNode:
    cdef int kind
    cdef object node  # the AST node: errors name it


cdef class CList(CNode):
    cdef tuple items  # CText and other CNode
    cdef bint all_text


cdef class CText(CNode):
    cdef str text


cdef class CPipe(CNode):
    cdef tuple cmds  # CCmd
    cdef tuple decl  # variable names
    cdef Py_ssize_t ndecl
    cdef bint is_assign


cdef class CAction(CNode):
    cdef CPipe pipe


cdef class CBranch(CNode):  # if, with, range
    cdef CPipe pipe
    cdef CList body
    cdef CList else_body  # or None


cdef class CTmpl(CNode):
    cdef str name
    cdef CPipe pipe  # or None


cdef class CFunc:
    cdef object fn
    cdef str name
    cdef tuple params  # int type codes
    cdef Py_ssize_t nparams
    cdef int variadic  # type code, or -1
    cdef bint needs_state
    cdef int short  # -1, or the truth value that stops and/or
    cdef Py_ssize_t raw  # first argument index passed wrapped in Iface, or _NO_RAW
    cdef int op


cdef class CArg(CNode):
    """An operand: field chain, variable, chain, function name, dot, nil, constant, pipe."""
    cdef tuple ident  # FIELD: names; VARIABLE: names after $x; CHAIN: fields
    cdef Py_ssize_t nident
    cdef str name  # VARIABLE: "$x"; IDENT: function name
    cdef object value  # BOOL, STRING: the value; NUMBER: its ideal constant
    cdef CFunc fn  # IDENT (None: not a defined function)
    cdef CArg sub  # CHAIN: what the fields apply to
    cdef CPipe pipe  # PIPE


cdef class CCmd(CNode):
    cdef CArg first
    cdef tuple rest  # CArg: the arguments after the first operand


cdef dict _func_cache = {}  # id(GoFunc) -> (GoFunc, CFunc)


cdef CFunc _cfunc(object gofunc, bint inline=True):
    cdef CFunc f
    hit = _func_cache.get(id(gofunc))
    if hit is not None and hit[0] is gofunc:
        return hit[1]
    f = CFunc.__new__(CFunc)
    f.fn = gofunc.fn
    f.name = gofunc.name
    f.params = tuple([_TYPE_CODES[p] for p in gofunc.params])
    f.nparams = len(f.params)
    f.variadic = -1 if gofunc.variadic is None else _TYPE_CODES[gofunc.variadic]
    f.needs_state = gofunc.needs_state
    short = _SHORT_CIRCUIT.get(f.fn)
    f.short = -1 if short is None else (1 if short else 0)
    f.raw = _RAW_IFACE_ARGS.get(f.fn, _NO_RAW)
    f.op = _fast_ops().get(f.fn, OP_CALL) if inline else OP_CALL
    if len(_func_cache) > 4096:
        _func_cache.clear()
    _func_cache[id(gofunc)] = (gofunc, f)
    return f


cdef dict _FAST_OPS = None


cdef dict _fast_ops():
    """{function: OP_*} of the library functions evaluated inline (for common argument
    types; anything else calls the function itself)."""
    global _FAST_OPS
    if _FAST_OPS is None:
        from injector.template.funcs import builtins as b, istio as i, sprig as s
        _FAST_OPS = {
            b._not: OP_NOT, b._eq: OP_EQ, b._ne: OP_NE, b._index: OP_INDEX, b._len: OP_LEN,
            s._default: OP_DEFAULT, s._quote: OP_QUOTE, i.annotation: OP_ANNOTATION,
            i.isset: OP_ISSET, i.value_or_default: OP_VALUE_OR_DEFAULT,
            # pure serialisers of (mostly unchanging) values: results memoised by content
            i.to_yaml: OP_MEMO, i.struct_to_json: OP_MEMO, i.to_json: OP_MEMO,
        }
    return _FAST_OPS


# (no inlining lookup at import: the function library need not be loaded yet)
cdef CFunc _STRING_CFUNC = _cfunc(_STRING_METHOD, False)


cdef class Compiler:
    """AST -> compiled nodes, functions resolved in `funcs`."""
    cdef object funcs
    cdef size_t stack_base

    def __init__(self, funcs):
        self.funcs = funcs
        self.stack_base = _stack_here()

    cdef CList list_(self, object n):
        _check_stack(self.stack_base)
        cdef CList c = CList.__new__(CList)
        c.kind = K_LIST
        c.node = n
        c.items = tuple([self.node_(x) for x in n.nodes])
        c.all_text = all(x.kind == K_TEXT for x in n.nodes)
        return c

    cdef CNode node_(self, object n):
        cdef int k = n.kind
        cdef CText t
        cdef CAction a
        cdef CBranch b
        cdef CTmpl tm
        cdef CNode other
        if k == K_LIST:
            return self.list_(n)
        if k == K_TEXT:
            t = CText.__new__(CText)
            t.kind = k
            t.node = n
            t.text = n.text
            return t
        if k == K_ACTION:
            a = CAction.__new__(CAction)
            a.kind = k
            a.node = n
            a.pipe = self.pipe(n.pipe)
            return a
        if k == K_IF or k == K_WITH or k == K_RANGE:
            b = CBranch.__new__(CBranch)
            b.kind = k
            b.node = n
            b.pipe = self.pipe(n.pipe)
            b.body = self.list_(n.list)
            b.else_body = None if n.else_list is None else self.list_(n.else_list)
            return b
        if k == K_TEMPLATE:
            tm = CTmpl.__new__(CTmpl)
            tm.kind = k
            tm.node = n
            tm.name = _intern(n.name)
            tm.pipe = None if n.pipe is None else self.pipe(n.pipe)
            return tm
        other = CNode.__new__(CNode)  # break, continue, comment (or unknown)
        other.kind = k
        other.node = n
        return other

    cdef CPipe pipe(self, object n):
        _check_stack(self.stack_base)
        cdef CPipe p = CPipe.__new__(CPipe)
        p.kind = K_PIPE
        p.node = n
        p.cmds = tuple([self.cmd(c) for c in n.cmds])
        p.decl = tuple([_intern(v.ident[0]) for v in n.decl])
        p.ndecl = len(p.decl)
        p.is_assign = n.is_assign
        return p

    cdef CCmd cmd(self, object n):
        cdef CCmd c = CCmd.__new__(CCmd)
        c.kind = K_COMMAND
        c.node = n
        c.first = self.arg(n.args[0])
        c.rest = tuple([self.arg(a) for a in n.args[1:]])
        return c

    cdef CArg arg(self, object n):
        cdef CArg a = CArg.__new__(CArg)
        cdef int k = n.kind
        a.kind = k
        a.node = n
        a.ident = ()
        a.nident = 0
        if k == K_FIELD:
            a.ident = tuple([_intern(x) for x in n.ident])
        elif k == K_VARIABLE:
            a.name = _intern(n.ident[0])
            a.ident = tuple([_intern(x) for x in n.ident[1:]])
        elif k == K_CHAIN:
            a.sub = self.arg(n.node)
            a.ident = tuple([_intern(x) for x in n.field])
        elif k == K_IDENT:
            a.name = n.ident
            gofunc = self.funcs.get(n.ident)
            a.fn = None if gofunc is None else _cfunc(gofunc)
        elif k == K_PIPE:
            a.pipe = self.pipe(n)
        elif k == K_BOOL:
            a.value = n.value
        elif k == K_STRING:
            a.value = n.text
        elif k == K_NUMBER:
            a.value = _ideal_constant(n)
        a.nident = len(a.ident)
        return a


cdef str _DOLLAR = sys.intern("$")


cdef str _intern(str s):
    """Names compiled once: interned, so variable lookups compare pointers."""
    return sys.intern(s)


cdef object _ideal_constant(object n):
    text = n.text
    if n.is_complex:
        return n.complex_val
    if (n.is_float and not _is_hex_int(text) and text[:1] != "'"
            and any(c in text for c in ".eEpP")):
        return n.float_val
    if n.is_int:
        return n.int_val
    if n.is_uint:
        return _UINT_OVERFLOW
    return _NO_VALUE


cdef bint _is_hex_int(str s):
    return len(s) > 2 and s[0] == "0" and s[1] in "xX" and "p" not in s and "P" not in s


cdef CList _compiled(object tree, object funcs):
    """The compiled form of a root ListNode, cached on it for this function map."""
    cdef CList c
    cache = getattr(tree, "exec_cache", None)
    if cache is not None and cache[0] is funcs:
        return <CList>cache[1]
    c = Compiler(funcs).list_(tree)
    try:
        tree.exec_cache = (funcs, c)
    except AttributeError:
        pass
    return c


# ---------------------------------------------------------------- execution

cdef class State:
    """One execution (Go's exec.state); `data` and `funcs` are what `render` reads."""
    cdef readonly object trees
    cdef readonly object funcs
    cdef readonly object data
    cdef readonly str tmpl_name
    cdef int mk
    cdef list out
    cdef list vnames
    cdef list vvals
    cdef public object node
    cdef int depth
    cdef size_t stack_base  # address of a local of `execute`: where this execution began
    cdef object overflow  # `calls` when the stack ran out
    cdef list calls  # ({{template}} node, calling template) per level
    cdef bint iface
    cdef bint dot_iface

    # ------------------------------------------------------------ errors
    cdef int errorf(self, str msg) except -1:
        n = self.node
        if n is None or n.src is None:
            raise ExecError(f"template: {self.tmpl_name}: {msg}")
        raise ExecError(f"template: {n.src.location(n.pos)}: executing "
                        f"{_quote(self.tmpl_name)} at <{n}>: {msg}")

    # ------------------------------------------------------------ variables
    cdef object var_value(self, str name):
        cdef Py_ssize_t i
        for i in range(PyList_GET_SIZE(self.vnames) - 1, -1, -1):
            if <str>self.vnames[i] == name:
                return self.vvals[i]
        self.errorf(f"undefined variable: {name}")

    cdef int set_var(self, str name, object value) except -1:
        cdef Py_ssize_t i
        for i in range(PyList_GET_SIZE(self.vnames) - 1, -1, -1):
            if <str>self.vnames[i] == name:
                self.vvals[i] = value
                return 0
        self.errorf(f"undefined variable: {name}")

    cdef inline void push_var(self, str name, object value):
        self.vnames.append(name)
        self.vvals.append(value)

    cdef inline void pop_vars(self, Py_ssize_t mark):
        if PyList_GET_SIZE(self.vnames) > mark:
            del self.vnames[mark:]
            del self.vvals[mark:]

    # ------------------------------------------------------------ walking
    cdef int walk_list(self, object dot, CList lst) except -1:
        cdef CNode n
        cdef int st
        cdef list out = self.out
        _check_stack(self.stack_base)
        self.node = lst.node
        if lst.all_text:
            for n in lst.items:
                out.append((<CText>n).text)
            return ST_OK
        for n in lst.items:
            if n.kind == K_TEXT:
                out.append((<CText>n).text)
            else:
                st = self.walk(dot, n)
                if st != ST_OK:
                    return st
        return ST_OK

    cdef int walk(self, object dot, CNode node) except -1:
        cdef int k = node.kind
        cdef CBranch b
        cdef Py_ssize_t mark
        cdef int st
        cdef bint saved_iface
        cdef CPipe pipe
        if k == K_LIST:
            return self.walk_list(dot, <CList>node)
        self.node = node.node
        if k == K_ACTION:
            pipe = (<CAction>node).pipe
            val = self.eval_pipeline(dot, pipe)
            if pipe.ndecl == 0:
                self.node = node.node
                if type(val) is _str:
                    self.out.append(val)
                elif val is _NO_VALUE:
                    self.out.append("<no value>")
                else:
                    text = _sprint1(val)
                    self.out.append(_print_value(val) if text is _MISSING else text)
            return ST_OK
        if k == K_TEXT:
            self.out.append((<CText>node).text)
            return ST_OK
        if k == K_IF or k == K_WITH:
            b = <CBranch>node
            mark = PyList_GET_SIZE(self.vnames)
            val = self.eval_pipeline(dot, b.pipe)
            if _truth(val):
                if k == K_WITH:
                    saved_iface = self.dot_iface
                    self.dot_iface = False
                    st = self.walk_list(val, b.body)
                    if st != ST_OK:
                        return st
                    self.dot_iface = saved_iface
                else:
                    st = self.walk_list(dot, b.body)
                    if st != ST_OK:
                        return st
            elif b.else_body is not None:
                st = self.walk_list(dot, b.else_body)
                if st != ST_OK:
                    return st
            self.pop_vars(mark)
            return ST_OK
        if k == K_RANGE:
            return self.walk_range(dot, <CBranch>node)
        if k == K_TEMPLATE:
            return self.walk_template(dot, <CTmpl>node)
        if k == K_BREAK:
            return ST_BREAK
        if k == K_CONTINUE:
            return ST_CONTINUE
        if k == K_COMMENT:
            return ST_OK
        self.errorf(f"unknown node: {node.node}")

    cdef int walk_range(self, object dot, CBranch r) except -1:
        # (the reference restores vars and dot_iface in `finally` blocks; an exception
        # ends the execution, so only the normal paths need them here)
        cdef Py_ssize_t mark0, mark, ndecl, i, n
        cdef bint saved_iface, elem_iface, has_items = False
        cdef int st
        cdef list keys
        cdef list vvals
        cdef CList body
        self.node = r.node
        mark0 = PyList_GET_SIZE(self.vnames)
        val = self.eval_pipeline(dot, r.pipe)
        mark = PyList_GET_SIZE(self.vnames)
        ndecl = r.pipe.ndecl
        if isinstance(val, list):
            has_items = len(val) > 0
        elif isinstance(val, dict):
            has_items = len(val) > 0
        elif isinstance(val, int) and not isinstance(val, bool):
            # Go 1.22+: range over an integer
            if ndecl > 1:
                self.errorf(f"can't use {_sprint(val)} to iterate over more than one variable")
            has_items = val > 0
        elif val is _NO_VALUE:
            has_items = False
        else:
            self.errorf(f"range can't iterate over {_sprint(val)}")
        if has_items:
            body = r.body
            vvals = self.vvals
            saved_iface = self.dot_iface
            elem_iface = type(val) is _list or type(val) is _dict
            if isinstance(val, list):
                i = 0
                while i < len(val):  # live, as a list iterator
                    elem = val[i]
                    self.dot_iface = elem_iface
                    if ndecl > 0:
                        vvals[mark - 1] = elem
                        if ndecl > 1:
                            vvals[mark - 2] = i
                    st = self.walk_list(elem, body)
                    if st == ST_BREAK:
                        break
                    self.pop_vars(mark)
                    i += 1
            elif isinstance(val, dict):
                keys = sorted(val)
                for key in keys:
                    elem = val[key]
                    self.dot_iface = elem_iface
                    if ndecl > 0:
                        vvals[mark - 1] = elem
                        if ndecl > 1:
                            vvals[mark - 2] = key
                    st = self.walk_list(elem, body)
                    if st == ST_BREAK:
                        break
                    self.pop_vars(mark)
            else:
                n = int(val)
                for i in range(n):
                    elem = i
                    self.dot_iface = elem_iface
                    if ndecl > 0:
                        vvals[mark - 1] = elem
                        if ndecl > 1:
                            vvals[mark - 2] = elem
                    st = self.walk_list(elem, body)
                    if st == ST_BREAK:
                        break
                    self.pop_vars(mark)
            self.dot_iface = saved_iface
            self.pop_vars(mark0)
            return ST_OK
        if r.else_body is not None:
            st = self.walk_list(dot, r.else_body)
            if st != ST_OK:
                return st
        self.pop_vars(mark0)
        return ST_OK

    cdef int walk_template(self, object dot, CTmpl t) except -1:
        cdef list saved_names, saved_vals
        cdef str saved_name
        cdef bint saved_iface
        self.node = t.node
        tree = self.trees.get(t.name)
        if tree is None:
            self.errorf(f"template {_quote(t.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, t.pipe)
        saved_names, saved_vals = self.vnames, self.vvals
        saved_name, saved_iface = self.tmpl_name, self.dot_iface
        self.vnames = [_DOLLAR]
        self.vvals = [dot]
        self.tmpl_name = t.name
        self.dot_iface = False
        self.depth += 1
        self.calls.append((t.node, saved_name))
        try:
            _check_stack(self.stack_base)
            # the reference spends Python frames per level; so does this one, and a
            # bounded C stack cannot overflow before Python's limit stops it
            _enter_frames(_FRAMES_PER_LEVEL)
            try:
                self.walk_list(dot, _compiled(tree, self.funcs))
            finally:
                _leave_frames(_FRAMES_PER_LEVEL)
        except RecursionError:
            # the stack ends before Go's depth limit: keep the chain of calls to
            # report it where Go would (overflow_site)
            if self.overflow is None:
                self.overflow = self.calls[:]
            raise
        finally:
            self.vnames, self.vvals = saved_names, saved_vals
            self.tmpl_name, self.dot_iface = saved_name, saved_iface
            self.depth -= 1
            self.calls.pop()
        return ST_OK

    # ------------------------------------------------------------ pipelines
    cdef object eval_pipeline(self, object dot, CPipe pipe):
        cdef CCmd cmd
        cdef str name
        if pipe is None:
            return _NO_VALUE
        _check_stack(self.stack_base)
        self.node = pipe.node
        value = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is None:  # a nil interface{} result digs down to "no value"
                value = _NO_VALUE
        if pipe.ndecl:
            for name in pipe.decl:
                if pipe.is_assign:
                    self.set_var(name, value)
                else:
                    self.push_var(name, value)
        return value

    cdef int not_a_function(self, CArg first, tuple rest, object final) except -1:
        if PyTuple_GET_SIZE(rest) > 0 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {first.node}")
        return 0

    cdef object eval_command(self, object dot, CCmd cmd, object final):
        cdef CArg first = cmd.first
        cdef int k = first.kind
        if k == K_FIELD:
            self.node = first.node
            return self.eval_field_chain(dot, dot, first.node, first.ident, cmd.rest, final,
                                         self.dot_iface)
        if k == K_IDENT:
            return self.eval_function(dot, first, cmd.node, cmd.rest, final)
        if k == K_VARIABLE:
            return self.eval_variable_node(dot, first, cmd.rest, final)
        if k == K_CHAIN:
            return self.eval_chain_node(dot, first, cmd.rest, final)
        if k == K_PIPE:
            self.not_a_function(first, cmd.rest, final)
            return self.eval_pipeline(dot, first.pipe)
        self.node = first.node
        self.not_a_function(first, cmd.rest, final)
        if k == K_BOOL:
            return first.value
        if k == K_DOT:
            return dot
        if k == K_NIL:
            self.errorf("nil is not a command")
        if k == K_NUMBER:
            return self.ideal_constant(first)
        if k == K_STRING:
            return first.value
        self.errorf(f"can't evaluate command {_quote(str(first.node))}")

    cdef object ideal_constant(self, CArg n):
        self.node = n.node
        if n.value is _UINT_OVERFLOW:
            self.errorf(f"{n.node.text} overflows int")
        return n.value

    cdef object eval_variable_node(self, object dot, CArg v, tuple rest, object final):
        self.node = v.node
        value = self.var_value(v.name)
        if v.nident == 0:
            self.not_a_function(v, rest, final)
            return value
        return self.eval_field_chain(dot, value, v.node, v.ident, rest, final, False)

    cdef object eval_chain_node(self, object dot, CArg chain, tuple rest, object final):
        self.node = chain.node
        if chain.sub.kind == K_NIL:
            self.errorf(f"indirection through explicit nil in {chain.node}")
        pipe = self.eval_arg(dot, T_NONE, chain.sub)
        return self.eval_field_chain(dot, pipe, chain.node, chain.ident, rest, final, False)

    cdef object eval_field_chain(self, object dot, object receiver, object node, tuple ident,
                                 tuple rest, object final, bint iface):
        cdef Py_ssize_t i, last = PyTuple_GET_SIZE(ident) - 1
        cdef PyObject *nxt
        self.iface = iface
        for i in range(last):
            # fast path: a present key of a plain map (the common case in Istio data)
            if type(receiver) is _dict:
                nxt = PyDict_GetItem(receiver, ident[i])
                if nxt is not NULL:
                    receiver = <object>nxt
                    self.iface = True
                    continue
            receiver = self.eval_field(dot, ident[i], node, (), _MISSING, receiver)
        if type(receiver) is _dict and final is _MISSING and PyTuple_GET_SIZE(rest) == 0:
            nxt = PyDict_GetItem(receiver, ident[last])
            if nxt is not NULL:
                self.iface = True
                return <object>nxt
        return self.eval_field(dot, ident[last], node, rest, final, receiver)

    cdef object eval_field(self, object dot, str name, object node, tuple rest, object final,
                           object receiver):
        cdef PyObject *hit
        if receiver is _NO_VALUE:
            if self.mk == MK_ERROR:
                self.errorf(f"nil data; no entry for key {_quote(name)}")
            return _NO_VALUE
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, dict):
            if PyTuple_GET_SIZE(rest) > 0 or final is not _MISSING:
                self.errorf(f"{name} is not a method but has arguments")
            self.iface = type(receiver) is _dict
            if type(receiver) is _dict or type(receiver) is _StrMap:
                hit = PyDict_GetItem(receiver, name)  # no KeyError to raise and catch
                if hit is not NULL:
                    return <object>hit
            try:
                return receiver[name]
            except KeyError:
                if self.mk == MK_ERROR:
                    self.errorf(f"map has no entry for key {_quote(name)}")
                if self.mk == MK_ZERO:
                    return "" if isinstance(receiver, StrMap) else None
                return _NO_VALUE
        if isinstance(receiver, Stringer) and name == "String":
            self.iface = False  # String() returns a plain string
            return self.eval_call(dot, _STRING_CFUNC, name, node, rest, final, receiver)
        if isinstance(receiver, GoStruct) and receiver.has_field(name):
            self.iface = False
            if PyTuple_GET_SIZE(rest) > 0 or final is not _MISSING:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return receiver.get(name)
        # a receiver read from a map[string]interface{} is still typed interface {}
        tname = "interface {}" if self.iface else _tname(receiver)
        self.errorf(f"can't evaluate field {name} in type {tname}")

    cdef object eval_function(self, object dot, CArg ident, object node, tuple rest,
                              object final):
        self.node = ident.node
        if ident.fn is None:
            self.errorf(f"{_quote(ident.name)} is not a defined function")
        return self.eval_call(dot, ident.fn, ident.name, node, rest, final, _MISSING)

    cdef object eval_call(self, object dot, CFunc fn, str name, object node, tuple rest,
                          object final, object receiver):
        cdef Py_ssize_t nargs = PyTuple_GET_SIZE(rest)
        cdef Py_ssize_t num_in = nargs + (final is not _MISSING)
        cdef Py_ssize_t num_fixed, i
        cdef int t
        cdef CArg a
        cdef list argv
        if fn.variadic >= 0:
            num_fixed = fn.nparams
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} "
                            f"got {nargs}")
        else:
            num_fixed = nargs
            if num_in != fn.nparams:
                self.errorf(f"wrong number of args for {name}: want {fn.nparams} got {num_in}")
        if fn.short >= 0:
            # and/or stop at the first argument that decides the result
            v = _NO_VALUE
            for a in rest:
                v = self.eval_arg(dot, T_VALUE, a)
                if _truth_sc(v) == fn.short:
                    return v
            if final is not _MISSING:
                v = self.validate_type(final, T_VALUE)
            return v
        argv = [] if receiver is _MISSING else [receiver]
        i = 0
        while i < num_fixed and i < nargs:
            argv.append(self.eval_arg(dot, <int>fn.params[i], <CArg>rest[i]))
            i += 1
        if fn.variadic >= 0:
            while i < nargs:
                a = <CArg>rest[i]
                self.iface = False
                v = self.eval_arg(dot, fn.variadic, a)
                if i >= fn.raw and ((self.iface and (a.kind == K_FIELD or a.kind == K_CHAIN or (
                        a.kind == K_VARIABLE and a.nident > 0)))
                        or (a.kind == K_DOT and self.dot_iface)):
                    v = Iface(v)
                argv.append(v)
                i += 1
        if final is not _MISSING:
            if fn.variadic >= 0:
                t = <int>fn.params[num_in - 1] if num_in - 1 < num_fixed else fn.variadic
            else:
                t = <int>fn.params[fn.nparams - 1]
            argv.append(self.validate_type(final, t))
        if fn.op != OP_CALL:
            v = _fast_call(fn.op, argv)
            if v is not _MISSING:
                return v
        try:
            if fn.needs_state:
                return fn.fn(self, *argv)
            if fn.op == OP_MEMO:
                return _memo_call(fn.fn, argv)
            return _call(fn.fn, argv)
        except FuncError as e:
            self.node = node
            self.errorf(f"error calling {name}: {e}")
        except (TemplateError, RecursionError):
            raise
        except Exception as e:  # a Go panic inside a function: recovered as an error
            self.node = node
            self.errorf(f"error calling {name}: {e}")

    cdef object eval_arg(self, object dot, int typ, CArg n):
        cdef int k = n.kind
        self.node = n.node
        if k == K_DOT:
            return self.validate_type(dot, typ)
        if k == K_FIELD:
            return self.validate_type(
                self.eval_field_chain(dot, dot, n.node, n.ident, (), _MISSING, self.dot_iface),
                typ)
        if k == K_VARIABLE:
            return self.validate_type(self.eval_variable_node(dot, n, (), _MISSING), typ)
        if k == K_PIPE:
            return self.validate_type(self.eval_pipeline(dot, n.pipe), typ)
        if k == K_IDENT:
            return self.validate_type(self.eval_function(dot, n, n.node, (), _MISSING), typ)
        if k == K_CHAIN:
            return self.validate_type(self.eval_chain_node(dot, n, (), _MISSING), typ)
        if k == K_NIL:
            if (typ == T_ANY or typ == T_VALUE or typ == T_MAP or typ == T_STRMAP
                    or typ == T_LIST or typ == T_STRLIST or typ == T_NONE):
                return _zero(typ)
            self.errorf(f"cannot assign nil to {_go_type(typ)}")
        if typ == T_ANY or typ == T_VALUE or typ == T_NONE:
            if k == K_BOOL:
                return n.value
            if k == K_NUMBER:
                return self.ideal_constant(n)
            if k == K_STRING:
                return n.value
            self.errorf(f"can't handle assignment of {n.node} to empty interface argument")
        if typ == T_STRING:
            if k == K_STRING:
                return n.value
            self.errorf(f"expected string; found {n.node}")
        if typ == T_INT or typ == T_INT64:
            if k == K_NUMBER and n.node.is_int:
                return n.node.int_val if typ == T_INT else Int64(n.node.int_val)
            self.errorf(f"expected integer; found {n.node}")
        if typ == T_FLOAT:
            if k == K_NUMBER and n.node.is_float:
                return n.node.float_val
            self.errorf(f"expected float; found {n.node}")
        if typ == T_BOOL:
            if k == K_BOOL:
                return n.value
            self.errorf(f"expected bool; found {n.node}")
        self.errorf(f"can't handle {n.node} for arg of type {_go_type(typ)}")

    cdef object validate_type(self, object value, int typ):
        if value is _NO_VALUE:
            if typ == T_NONE or typ == T_VALUE:
                return _NO_VALUE
            if (typ == T_ANY or typ == T_MAP or typ == T_STRMAP or typ == T_LIST
                    or typ == T_STRLIST):
                return _zero(typ)
            self.errorf(f"invalid value; expected {_go_type(typ)}")
        if typ == T_NONE or typ == T_ANY or typ == T_VALUE:
            return value
        if type(value) is not _EXACT[typ]:
            self.errorf(f"wrong type for value; expected {_go_type(typ)}; got {_tname(value)}")
        return value


cdef int _enter_frames(int n) except -1:
    cdef int i
    for i in range(n):
        try:
            Py_EnterRecursiveCall(" while executing a template")
        except RecursionError:
            _leave_frames(i)
            raise
    return 0


cdef void _leave_frames(int n):
    cdef int i
    for i in range(n):
        Py_LeaveRecursiveCall()


# ---------------------------------------------------------------- inline functions

cdef inline bint _plain_scalar(object v):
    """bool, str, int/Int64 or float exactly: what eq/ne compare without surprises."""
    cdef type t = type(v)
    return t is _str or t is _bool or t is int or t is _Int64 or t is _float


cdef object _fast_call(int op, list argv):
    """The result of an inlined library function, or _MISSING to call it after all.

    Only argument types whose result is obvious are handled here (same result as the
    function); everything else, and every error, goes through the function itself."""
    cdef Py_ssize_t n = PyList_GET_SIZE(argv)
    cdef object a, b
    cdef type ta, tb
    cdef PyObject *hit
    if op == OP_NOT:
        a = argv[0]
        ta = type(a)
        if a is None or a is _NO_VALUE or ta is _bool or ta is _str or ta is _dict or ta is _list:
            return not _truth(a)
        return _MISSING
    if op == OP_EQ or op == OP_NE:
        if n != 2:
            return _MISSING
        a = argv[0]
        b = argv[1]
        ta = type(a)
        tb = type(b)
        if not (_plain_scalar(a) and _plain_scalar(b)):
            return _MISSING
        # int and Int64 are one kind; every other pair must be the same type
        if ta is not tb and not ((ta is int or ta is _Int64) and (tb is int or tb is _Int64)):
            return _MISSING
        if op == OP_EQ:
            return a == b
        return a != b
    if op == OP_INDEX:
        if n < 2:
            return _MISSING
        a = argv[0]
        for i in range(1, n):
            b = argv[i]
            ta = type(a)
            tb = type(b)
            if (ta is _dict or ta is _StrMap) and tb is _str:
                hit = PyDict_GetItem(a, b)
                if hit is not NULL:
                    a = <object>hit
                else:
                    a = None if ta is _dict else ""
            elif ta is _list and (tb is int or tb is _Int64) and 0 <= b < len(<list>a):
                a = (<list>a)[b]
            else:
                return _MISSING
        return a
    if op == OP_LEN:
        a = argv[0]
        if type(a) is _dict or type(a) is _list:
            return len(a)
        if type(a) is _str and (<str>a).isascii():
            return len(<str>a)
        return _MISSING
    if op == OP_DEFAULT:
        if n == 1:
            return argv[0]
        if n != 2:
            return _MISSING
        b = argv[1]
        tb = type(b)
        if b is None or b is _NO_VALUE:
            return argv[0]
        if tb is _str or tb is _dict or tb is _list:
            return argv[0] if len(b) == 0 else b
        if tb is _bool or tb is int or tb is _Int64 or tb is _float:
            return argv[0] if b == 0 else b
        return _MISSING
    if op == OP_QUOTE:
        if n != 1 or argv[0] is None:
            return _MISSING
        a = argv[0]
        ta = type(a)
        if ta is int or ta is _Int64 or ta is _bool or ta is _float:
            a = _sprint1(a)  # sprig's strval: fmt %v
        elif ta is Stringer:
            a = str.__str__(a)
        elif ta is not _str:
            return _MISSING
        if a is _MISSING:
            return _MISSING
        if (<str>a).isascii() and (<str>a).isprintable() and '"' not in a and "\\" not in a:
            return '"' + a + '"'
        return _MISSING
    if op == OP_ANNOTATION:
        a = _strmap_of(_field_annotations(argv[0]))
        if a is _MISSING:
            return _MISSING
        if a is not None:
            hit = PyDict_GetItem(a, argv[1])
            if hit is not NULL:
                return <object>hit
        b = argv[2]
        return _sprint1(None if b is _NO_VALUE else b)  # fmt.Sprint(default)
    if op == OP_ISSET:
        a = _strmap_of(argv[0])
        if a is _MISSING:
            return _MISSING
        return a is not None and argv[1] in a
    if op == OP_VALUE_OR_DEFAULT:
        a = argv[0]
        if a is None or a is _NO_VALUE or (type(a) is _str and len(<str>a) == 0):
            b = argv[1]
            return None if b is _NO_VALUE else b
        return a
    return _MISSING


cdef object _sprint1(object v):
    """fmt.Sprint(v) (= what an action prints) for the common scalars; else _MISSING."""
    cdef type t = type(v)
    cdef double d
    if t is _str:
        return v
    if t is Stringer:  # no go_string(): its String() is the string itself
        return str.__str__(v)
    if t is _bool:
        return "true" if v is True else "false"
    if t is int or t is _Int64:
        return str(int(v))
    if t is _float:
        d = v
        if -1e6 < d < 1e6 and (d >= 1e-4 or d <= -1e-4 or d == 0):
            # Python's repr is Go's shortest %v in this range (no exponent)
            r = repr(v)
            return r[:len(r) - 2] if r.endswith(".0") else r
        return _MISSING
    if v is None:
        return "<nil>"
    return _MISSING


cdef object _field_annotations(object meta):
    """istio's _field(meta, "Annotations") for a map or nil; _MISSING otherwise."""
    cdef PyObject *hit
    if meta is None or meta is _NO_VALUE:
        return None
    if type(meta) is _dict:
        hit = PyDict_GetItem(meta, "Annotations")
        return None if hit is NULL else <object>hit
    return _MISSING


cdef object _strmap_of(object v):
    """istio's _as_strmap where it cannot fail: the map, None for nil, else _MISSING."""
    if v is None or v is _NO_VALUE:
        return None
    if type(v) is _StrMap:
        return None if v.nil else v
    if type(v) is _dict:
        for e in (<dict>v).values():
            if type(e) is not _str:
                return _MISSING
        return v
    return _MISSING


cdef dict _MEMO = {}
cdef Py_ssize_t _MEMO_MAX = 512
cdef bint _memo_on = True


def set_memo(bint on):
    """Turn the serialiser memo on or off (benchmarks measure both); clears it."""
    global _memo_on
    _memo_on = on
    _MEMO.clear()


cdef object _memo_call(object fn, list argv):
    """fn(*argv) for a pure serialiser, memoised by a key that captures every typed
    detail of the argument (Go type, nil maps, -0.0, struct tags); uncacheable
    arguments just call it."""
    global _key_budget
    _key_budget = _KEY_MAX_NODES
    key = _memo_key(argv[0], 0) if _memo_on and PyList_GET_SIZE(argv) == 1 else None
    if key is None:
        return fn(*argv)
    key = (fn, key)
    hit = _MEMO.get(key)
    if hit is not None:
        return hit
    out = fn(*argv)
    if type(out) is _str:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[key] = out
    return out


cdef int _KEY_MAX_NODES = 512  # bigger values (per-pod data, say) are not memoised
cdef int _key_budget = 0


cdef object _memo_key(object v, int depth):
    global _key_budget
    cdef type t = type(v)
    cdef list parts
    _key_budget -= 1
    if _key_budget < 0:
        return None
    if t is _str or t is _bool or t is int or t is _Int64 or t is Stringer:
        return (t, v)
    if t is _float:
        # 0.0 == -0.0 but they print differently; NaN never hits (NaN != NaN)
        return (t, v, v == 0 and str(v)[0] == "-")
    if v is None or v is _NO_VALUE:
        return (t,)
    if depth > 32:  # deeper data is not worth a key (and must not exhaust the C stack)
        return None
    if t is _dict or t is _StrMap:
        parts = [t, t is _StrMap and v.nil]
        for k, e in (<dict>v).items():
            ek = _memo_key(e, depth + 1)
            if ek is None or type(k) is not _str:
                return None
            parts.append(k)
            parts.append(ek)
        return tuple(parts)
    if t is _list or t is StrList:
        parts = [t]
        for e in v:
            ek = _memo_key(e, depth + 1)
            if ek is None:
                return None
            parts.append(ek)
        return tuple(parts)
    if t is _GoStruct:
        parts = [t, v.type_name]
        for name, tag, e in v.fields:
            ek = _memo_key(e, depth + 1)
            if ek is None or type(name) is not _str or type(tag) is not _str:
                return None
            parts.append(name)
            parts.append(tag)
            parts.append(ek)
        return tuple(parts)
    return None


_MISSINGKEY = {"default": MK_DEFAULT, "invalid": MK_DEFAULT, "zero": MK_ZERO,
               "error": MK_ERROR}


def execute(trees, name, data, funcs, missingkey="default"):
    """Run template `name` of `trees` on `data`; the output, or ExecError."""
    cdef State st = State.__new__(State)
    cdef int status = ST_OK
    st.stack_base = _stack_here()
    st.trees = trees
    st.funcs = funcs
    st.mk = _MISSINGKEY.get(missingkey, MK_DEFAULT)
    st.tmpl_name = name
    st.data = data
    st.out = []
    st.node = None
    st.depth = 0
    st.overflow = None
    st.calls = []
    st.iface = False
    st.dot_iface = False
    tree = trees.get(name)
    if tree is None:
        raise ExecError(f"template: {name}: {_quote(name)} is an incomplete or empty template")
    dot = _NO_VALUE if data is None else data
    st.vnames = [_DOLLAR]
    st.vvals = [dot]
    try:
        status = st.walk_list(dot, _compiled(tree, funcs))
    except RecursionError:
        if st.overflow is not None:
            st.node, st.tmpl_name = overflow_site(st.overflow)
        try:
            st.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        except ExecError as e:
            raise ExecError(str(e)) from None
    if status != ST_OK:  # unreachable: the parser rejects them outside range
        st.errorf("break/continue outside range")
    return "".join(st.out)
