"""Reference evaluator for parsed templates (the behaviour of Go's text/template exec.go).

Entry point (the Cython twin `_speedups/_exec_c.pyx` provides the same):

    execute(trees, name, data, funcs, missingkey="default") -> str

- `trees`: `{template name: ListNode}` (the namespace: main template and defines),
- `name`: which tree to run, `data`: the top-level dot (value model, values.py),
- `funcs`: `{name: GoFunc}`, `missingkey`: "default" | "invalid" | "zero" | "error".

Raises `ExecError` with Go's message shape. Values follow values.py: `NO_VALUE` is an
invalid reflect.Value, `None` a nil interface (what a map or list element holding
nil gives); a pipeline turns a nil interface result into `NO_VALUE`, as Go digs into
interface values after every command. Functions with `needs_state=True` receive this
module's `State`, whose `data` is the top-level dot and `funcs` the function map.

Notes for the compiled twin (it must behave identically; tests run both):
- dispatch on `node.kind` (nodes.K_*); trees are never mutated after parsing;
- `_SHORT_CIRCUIT` ({fn: stop_on_truth}) marks the builtin `and`/`or`, which evaluate
  their arguments lazily; `_RAW_IFACE_ARGS` ({fn: first_index}) marks builtins that
  must see an argument read straight from a map[string]interface{} (or a range
  element) wrapped in `Iface` (Go's `slice` does not unwrap interface values).
  Both registries are filled by funcs/builtins.py; import them from here;
- errors go through `State.errorf`, which names the node last set in `State.node`
  (Go's `s.at(node)`); keep the same assignment points so messages agree.
"""
from __future__ import annotations

from typing import Any

from . import gofmt
from .errors import ExecError, TemplateError
from .funcs import FuncError, GoFunc
from .nodes import (
    K_ACTION, K_BOOL, K_BREAK, K_CHAIN, K_COMMENT, K_CONTINUE, K_DOT, K_FIELD, K_IDENT,
    K_IF, K_LIST, K_NIL, K_NUMBER, K_PIPE, K_RANGE, K_STRING, K_TEMPLATE, K_TEXT,
    K_VARIABLE, K_WITH, Node,
)
from .values import NO_VALUE, GoStruct, Int64, StrList, StrMap, Stringer, truth

MAX_EXEC_DEPTH = 100000  # Go's maxExecDepth; Python's stack gives out first (caught)

_MISSING = object()  # "no final value from the previous pipeline stage"

GO_TYPES = {
    "any": "interface {}", "string": "string", "int": "int", "int64": "int64",
    "float64": "float64", "bool": "bool", "map": "map[string]interface {}",
    "strmap": "map[string]string", "list": "[]interface {}", "strlist": "[]string",
    "value": "reflect.Value",
}

_EXACT = {"string": str, "int": int, "int64": Int64, "float64": float, "bool": bool,
          "map": dict, "strmap": StrMap, "list": list, "strlist": StrList}


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def _goquote(s: str) -> str:
    return gofmt.quote(s)


def _tname(v: Any) -> str:
    return "interface {}" if v is None else gofmt.type_name(v)


class State:
    """One execution (Go's exec.state)."""

    def __init__(self, trees: dict, funcs: dict, missingkey: str, name: str, data: Any) -> None:
        self.trees = trees
        self.funcs = funcs
        self.missingkey = missingkey
        self.tmpl_name = name
        self.data = data
        self.out: list[str] = []
        self.vars: list[list] = []
        self.node: Node | None = None
        self.depth = 0
        self.overflow: list | None = None  # `calls` when the stack ran out
        self.calls: list[tuple] = []  # ({{template}} node, calling template) per level
        self.iface = False  # did the last field lookup read a map[string]interface{}?
        self.dot_iface = False  # is dot a range element still typed interface{}?

    # ------------------------------------------------------------ errors
    def errorf(self, msg: str) -> None:
        n = self.node
        if n is None or n.src is None:
            raise ExecError(f"template: {self.tmpl_name}: {msg}")
        raise ExecError(f"template: {n.src.location(n.pos)}: executing "
                        f"{_goquote(self.tmpl_name)} at <{n}>: {msg}")

    # ------------------------------------------------------------ variables
    def var_value(self, name: str) -> Any:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                return self.vars[i][1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i][1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # ------------------------------------------------------------ walking
    def walk(self, dot: Any, node: Node) -> None:
        self.node = node
        k = node.kind
        if k == K_LIST:
            for n in node.nodes:
                if n.kind == K_TEXT:
                    self.out.append(n.text)
                else:
                    self.walk(dot, n)
        elif k == K_TEXT:
            self.out.append(node.text)
        elif k == K_ACTION:
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.node = node
                self.out.append(val if type(val) is str else gofmt.print_value(val))
        elif k == K_IF or k == K_WITH:
            mark = len(self.vars)
            val = self.eval_pipeline(dot, node.pipe)
            if truth(val):
                if k == K_WITH:
                    saved_iface = self.dot_iface
                    self.dot_iface = False
                    self.walk(val, node.list)
                    self.dot_iface = saved_iface
                else:
                    self.walk(dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
            del self.vars[mark:]
        elif k == K_RANGE:
            self.walk_range(dot, node)
        elif k == K_TEMPLATE:
            self.walk_template(dot, node)
        elif k == K_BREAK:
            raise _Break
        elif k == K_CONTINUE:
            raise _Continue
        elif k == K_COMMENT:
            pass
        else:
            self.errorf(f"unknown node: {node}")

    def walk_range(self, dot: Any, r: Node) -> None:
        self.node = r
        mark0 = len(self.vars)
        try:
            val = self.eval_pipeline(dot, r.pipe)
            mark = len(self.vars)
            ndecl = len(r.pipe.decl)
            items: Any = None
            if isinstance(val, list):
                items = enumerate(val) if val else None
            elif isinstance(val, dict):
                items = ((k, val[k]) for k in sorted(val)) if val else None
            elif isinstance(val, int) and not isinstance(val, bool):
                # Go 1.22+: range over an integer
                if ndecl > 1:
                    self.errorf(f"can't use {gofmt.sprint(val)} to iterate over more than one variable")
                items = ((i, i) for i in range(int(val))) if val > 0 else None
            elif val is NO_VALUE:
                items = None
            else:
                self.errorf(f"range can't iterate over {gofmt.sprint(val)}")
            if items is not None:
                body = r.list
                vars_ = self.vars
                saved_iface = self.dot_iface
                elem_iface = type(val) is list or type(val) is dict
                try:
                    for index, elem in items:
                        # reset each time: a {{continue}} may leave a {{with}} early
                        self.dot_iface = elem_iface
                        if ndecl > 0:
                            vars_[mark - 1][1] = elem
                            if ndecl > 1:
                                vars_[mark - 2][1] = index
                        try:
                            self.walk(elem, body)
                        except _Continue:
                            pass
                        del vars_[mark:]
                except _Break:
                    pass
                finally:
                    self.dot_iface = saved_iface
                return
            if r.else_list is not None:
                self.walk(dot, r.else_list)
        finally:
            del self.vars[mark0:]

    def walk_template(self, dot: Any, t: Node) -> None:
        self.node = t
        tree = self.trees.get(t.name)
        if tree is None:
            self.errorf(f"template {_goquote(t.name)} not defined")
        if self.depth >= MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, t.pipe)
        saved = (self.vars, self.tmpl_name, self.dot_iface)
        self.vars = [["$", dot]]
        self.tmpl_name = t.name
        self.dot_iface = False
        self.depth += 1
        self.calls.append((t, saved[1]))
        try:
            self.walk(dot, tree)
        except RecursionError:
            # Python's stack ends before Go's depth limit: keep the chain of calls to
            # report it where Go would (no calls here: no stack left)
            if self.overflow is None:
                self.overflow = self.calls[:]
            raise
        finally:
            self.vars, self.tmpl_name, self.dot_iface = saved
            self.depth -= 1
            self.calls.pop()

    # ------------------------------------------------------------ pipelines
    def eval_pipeline(self, dot: Any, pipe: Node | None) -> Any:
        if pipe is None:
            return NO_VALUE
        self.node = pipe
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
            if value is None:  # a nil interface{} result digs down to "no value"
                value = NO_VALUE
        for v in pipe.decl:
            if pipe.is_assign:
                self.set_var(v.ident[0], value)
            else:
                self.vars.append([v.ident[0], value])
        return value

    def not_a_function(self, args: list, final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: Node, final: Any) -> Any:
        first = cmd.args[0]
        k = first.kind
        if k == K_FIELD:
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final,
                                         self.dot_iface)
        if k == K_IDENT:
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if k == K_VARIABLE:
            return self.eval_variable_node(dot, first, cmd.args, final)
        if k == K_CHAIN:
            return self.eval_chain_node(dot, first, cmd.args, final)
        if k == K_PIPE:
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        self.node = first
        self.not_a_function(cmd.args, final)
        if k == K_BOOL:
            return first.value
        if k == K_DOT:
            return dot
        if k == K_NIL:
            self.errorf("nil is not a command")
        if k == K_NUMBER:
            return self.ideal_constant(first)
        if k == K_STRING:
            return first.text
        self.errorf(f"can't evaluate command {_goquote(str(first))}")

    def ideal_constant(self, n: Node) -> Any:
        self.node = n
        text = n.text
        if n.is_complex:
            return n.complex_val
        if (n.is_float and not _is_hex_int(text) and text[:1] != "'"
                and any(c in text for c in ".eEpP")):
            return n.float_val
        if n.is_int:
            return n.int_val
        if n.is_uint:
            self.errorf(f"{text} overflows int")
        return NO_VALUE

    def eval_variable_node(self, dot: Any, v: Node, args: list | None, final: Any) -> Any:
        self.node = v
        value = self.var_value(v.ident[0])
        if len(v.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, v, v.ident[1:], args, final)

    def eval_chain_node(self, dot: Any, chain: Node, args: list | None, final: Any) -> Any:
        self.node = chain
        if chain.node.kind == K_NIL:
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.field, args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, ident: list[str],
                         args: list | None, final: Any, iface: bool = False) -> Any:
        last = len(ident) - 1
        self.iface = iface
        for i in range(last):
            # fast path: a present key of a plain map (the common case in Istio data)
            if type(receiver) is dict:
                nxt = receiver.get(ident[i], _MISSING)
                if nxt is not _MISSING:
                    receiver = nxt
                    self.iface = True
                    continue
            receiver = self.eval_field(dot, ident[i], node, None, _MISSING, receiver)
        if type(receiver) is dict and final is _MISSING and (args is None or len(args) <= 1):
            nxt = receiver.get(ident[last], _MISSING)
            if nxt is not _MISSING:
                self.iface = True
                return nxt
        return self.eval_field(dot, ident[last], node, args, final, receiver)

    def eval_field(self, dot: Any, name: str, node: Node, args: list | None, final: Any,
                   receiver: Any) -> Any:
        if receiver is NO_VALUE:
            if self.missingkey == "error":
                self.errorf(f"nil data; no entry for key {_goquote(name)}")
            return NO_VALUE
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, dict):
            if (args is not None and len(args) > 1) or final is not _MISSING:
                self.errorf(f"{name} is not a method but has arguments")
            self.iface = type(receiver) is dict
            try:
                return receiver[name]
            except KeyError:
                mk = self.missingkey
                if mk == "error":
                    self.errorf(f"map has no entry for key {_goquote(name)}")
                if mk == "zero":
                    return "" if isinstance(receiver, StrMap) else None
                return NO_VALUE
        if isinstance(receiver, Stringer) and name == "String":
            self.iface = False  # String() returns a plain string
            return self.eval_call(dot, _STRING_METHOD, node, name, args, final, receiver)
        if isinstance(receiver, GoStruct) and receiver.has_field(name):
            self.iface = False
            if (args is not None and len(args) > 1) or final is not _MISSING:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return receiver.get(name)
        # a receiver read from a map[string]interface{} is still typed interface {}
        tname = "interface {}" if self.iface else _tname(receiver)
        self.errorf(f"can't evaluate field {name} in type {tname}")

    def eval_function(self, dot: Any, ident: Node, cmd: Node, args: list | None,
                      final: Any) -> Any:
        self.node = ident
        name = ident.ident
        fn = self.funcs.get(name)
        if fn is None:
            self.errorf(f"{_goquote(name)} is not a defined function")
        return self.eval_call(dot, fn, cmd, name, args, final)

    def eval_call(self, dot: Any, fn: GoFunc, node: Node, name: str, args: list | None,
                  final: Any, receiver: Any = _MISSING) -> Any:
        argn = args[1:] if args is not None else []
        params = fn.params
        variadic = fn.variadic
        num_in = len(argn) + (final is not _MISSING)
        if variadic is not None:
            num_fixed = len(params)
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} "
                            f"got {len(argn)}")
        else:
            num_fixed = len(argn)
            if num_in != len(params):
                self.errorf(f"wrong number of args for {name}: want {len(params)} got {num_in}")
        short = _SHORT_CIRCUIT.get(fn.fn)
        if short is not None:
            # and/or stop at the first argument that decides the result
            v: Any = NO_VALUE
            for a in argn:
                v = self.eval_arg(dot, "value", a)
                if _truth(v) == short:
                    return v
            if final is not _MISSING:
                v = self.validate_type(final, "value")
            return v
        argv = [] if receiver is _MISSING else [receiver]
        i = 0
        nargs = len(argn)
        while i < num_fixed and i < nargs:
            argv.append(self.eval_arg(dot, params[i], argn[i]))
            i += 1
        if variadic is not None:
            raw = _RAW_IFACE_ARGS.get(fn.fn, nargs)
            while i < nargs:
                a = argn[i]
                self.iface = False
                v = self.eval_arg(dot, variadic, a)
                if i >= raw and ((self.iface and (a.kind == K_FIELD or a.kind == K_CHAIN or (
                        a.kind == K_VARIABLE and len(a.ident) > 1)))
                        or (a.kind == K_DOT and self.dot_iface)):
                    v = Iface(v)
                argv.append(v)
                i += 1
        if final is not _MISSING:
            if variadic is not None:
                t = params[num_in - 1] if num_in - 1 < num_fixed else variadic
            else:
                t = params[-1]
            argv.append(self.validate_type(final, t))
        try:
            if fn.needs_state:
                return fn.fn(self, *argv)
            return fn.fn(*argv)
        except FuncError as e:
            self.node = node
            self.errorf(f"error calling {name}: {e}")
        except (TemplateError, RecursionError, _Break, _Continue):
            raise
        except Exception as e:  # a Go panic inside a function: recovered as an error
            self.node = node
            self.errorf(f"error calling {name}: {e}")

    def eval_arg(self, dot: Any, typ: str | None, n: Node) -> Any:
        self.node = n
        k = n.kind
        if k == K_FIELD:
            # (Go passes the field itself as its only "argument": same as none here)
            return self.validate_type(
                self.eval_field_chain(dot, dot, n, n.ident, None, _MISSING, self.dot_iface), typ)
        if k == K_STRING and (typ == "string" or typ == "any" or typ == "value" or typ is None):
            return n.text
        if k == K_DOT:
            return self.validate_type(dot, typ)
        if k == K_VARIABLE:
            return self.validate_type(self.eval_variable_node(dot, n, None, _MISSING), typ)
        if k == K_PIPE:
            return self.validate_type(self.eval_pipeline(dot, n), typ)
        if k == K_IDENT:
            return self.validate_type(self.eval_function(dot, n, n, None, _MISSING), typ)
        if k == K_CHAIN:
            return self.validate_type(self.eval_chain_node(dot, n, None, _MISSING), typ)
        if k == K_NIL:
            if typ in ("any", "value", "map", "strmap", "list", "strlist", None):
                return _zero(typ)
            self.errorf(f"cannot assign nil to {GO_TYPES.get(typ, typ)}")
        if typ == "any" or typ == "value" or typ is None:
            if k == K_BOOL:
                return n.value
            if k == K_NUMBER:
                return self.ideal_constant(n)
            if k == K_STRING:
                return n.text
            self.errorf(f"can't handle assignment of {n} to empty interface argument")
        if typ == "string":
            if k == K_STRING:
                return n.text
            self.errorf(f"expected string; found {n}")
        if typ == "int" or typ == "int64":
            if k == K_NUMBER and n.is_int:
                return n.int_val if typ == "int" else Int64(n.int_val)
            self.errorf(f"expected integer; found {n}")
        if typ == "float64":
            if k == K_NUMBER and n.is_float:
                return n.float_val
            self.errorf(f"expected float; found {n}")
        if typ == "bool":
            if k == K_BOOL:
                return n.value
            self.errorf(f"expected bool; found {n}")
        self.errorf(f"can't handle {n} for arg of type {GO_TYPES.get(typ, typ)}")

    def validate_type(self, value: Any, typ: str | None) -> Any:
        if value is NO_VALUE:
            if typ is None or typ == "value":
                return NO_VALUE
            if typ in ("any", "map", "strmap", "list", "strlist"):
                return _zero(typ)
            self.errorf(f"invalid value; expected {GO_TYPES.get(typ, typ)}")
        if typ is None or typ == "any" or typ == "value":
            return value
        if type(value) is not _EXACT[typ]:
            self.errorf(f"wrong type for value; expected {GO_TYPES[typ]}; got {_tname(value)}")
        return value


def overflow_site(calls: list) -> tuple:
    """(node, template name) of the {{template}} call at which Go's depth limit stops a
    recursion that ran out of stack after len(calls) nested calls.

    Go fails at the call made at depth MAX_EXEC_DEPTH, the (MAX_EXEC_DEPTH + 1)-th
    nested one. A runaway recursion repeats a cycle of calls: find the shortest period
    of the innermost calls and extrapolate; without one, the innermost call."""
    d = len(calls)
    target = MAX_EXEC_DEPTH + 1  # 1-based position in `calls` of Go's failing call
    for p in range(1, d // 3 + 1):
        if all(calls[d - 1 - i][0] is calls[d - 1 - i - p][0]
               and calls[d - 1 - i][1] == calls[d - 1 - i - p][1] for i in range(2 * p)):
            return calls[d - (d - target) % p - 1]
    return calls[-1]


def _zero(typ: str | None) -> Any:
    if typ == "map":
        return {}
    if typ == "strmap":
        return StrMap(None)
    if typ == "list":
        return []
    if typ == "strlist":
        return StrList()
    if typ == "value" or typ is None:
        return NO_VALUE
    return None


def _truth(v: Any) -> bool:
    try:
        return truth(v)
    except TypeError:
        return True


def _is_hex_int(s: str) -> bool:
    return len(s) > 2 and s[0] == "0" and s[1] in "xX" and "p" not in s and "P" not in s


_STRING_METHOD = GoFunc("String", lambda recv: str.__str__(recv), ())
_SHORT_CIRCUIT: dict = {}  # filled by funcs.builtins: {and_fn: False, or_fn: True}
# Builtins that take reflect.Value arguments without unwrapping interface values
# (Go's `slice` indexes): fn -> index of the first such argument. An argument read
# straight out of a map[string]interface{} reaches them wrapped in `Iface`.
_RAW_IFACE_ARGS: dict = {}


class Iface:
    """A value still typed interface{} (read from a map entry), for _RAW_IFACE_ARGS."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def execute(trees: dict, name: str, data: Any, funcs: dict, missingkey: str = "default") -> str:
    """Run template `name` of `trees` on `data`; the output, or ExecError."""
    st = State(trees, funcs, missingkey, name, data)
    tree = trees.get(name)
    if tree is None:
        raise ExecError(f"template: {name}: {_goquote(name)} is an incomplete or empty template")
    dot = NO_VALUE if data is None else data
    st.vars = [["$", dot]]
    try:
        st.walk(dot, tree)
    except RecursionError:
        if st.overflow is not None:
            st.node, st.tmpl_name = overflow_site(st.overflow)
        try:
            st.errorf(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        except ExecError as e:
            raise ExecError(str(e)) from None
    except (_Break, _Continue):  # unreachable: the parser rejects them outside range
        st.errorf("break/continue outside range")
    return "".join(st.out)
