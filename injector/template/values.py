"""Go values as the template engine sees them.

Istio's templates run over Go data. We run them over JSON-like Python data plus a
few marker types for the Go types whose behaviour differs from plain JSON:

    Go                              Python
    ------------------------------  -------------------------------------------
    invalid reflect.Value           NO_VALUE  (prints "<no value>")
    nil interface                   None      (prints "<nil>")
    bool                            bool
    int (template literals, len)    int
    int64 (typed data)              Int64     (int subclass)
    float64 (all JSON numbers)      float
    complex128 (literals like 1i)   complex
    string                          str
    named string type + String()    Stringer  (str subclass, e.g. a proto enum)
    map[string]interface{}          dict
    map[string]string               StrMap    (dict subclass; `.nil` for a nil map)
    []interface{}                   list
    []string                        StrList   (list subclass)
    struct                          GoStruct

The evaluators (pure Python and Cython) and the function library all speak this
model; `from_tagged_json` builds it from the `$int`/`$strmap`/... tags of the
template vectors (see ../shared/spec/README-template-vectors.md).
"""
from __future__ import annotations

from typing import Any, Iterable


class _NoValue:
    """Go's invalid reflect.Value: a missing map key, the `.` of nil data."""

    __slots__ = ()
    _instance: "_NoValue | None" = None

    def __new__(cls) -> "_NoValue":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_NoValue, ())


NO_VALUE = _NoValue()


class Int64(int):
    """A Go int64 from data (template literals and `len` are plain `int`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Int64({int(self)})"


class Stringer(str):
    """A string-kinded named Go type with a String() method (e.g. a proto enum)."""

    __slots__ = ()
    go_type = "main.StringerValue"

    def __repr__(self) -> str:
        return f"Stringer({str.__repr__(self)})"


class StrMap(dict):
    """map[string]string. `StrMap(None)` is a nil map: empty, but JSON `null`."""

    __slots__ = ("nil",)

    def __init__(self, items: Any = None) -> None:
        if items is None:
            super().__init__()
            self.nil = True
        else:
            super().__init__(items)
            self.nil = False

    def __repr__(self) -> str:
        return "StrMap(None)" if self.nil else f"StrMap({dict.__repr__(self)})"

    def copy(self) -> "StrMap":
        out = StrMap(self)
        out.nil = self.nil
        return out


class StrList(list):
    """[]string (sprig's splitList, keys, ...): prints and marshals like a list."""

    __slots__ = ()


class GoStruct:
    """A Go struct: ordered fields with Go names, json tags and values."""

    __slots__ = ("fields", "_index", "type_name")

    def __init__(
        self, fields: Iterable[tuple[str, str, Any]], type_name: str = "struct"
    ) -> None:
        # fields: (GoName, json tag such as "name,omitempty", value)
        self.fields = [tuple(f) for f in fields]
        self._index = {name: i for i, (name, _tag, _v) in enumerate(self.fields)}
        self.type_name = type_name

    def has_field(self, name: str) -> bool:
        return name in self._index

    def get(self, name: str) -> Any:
        return self.fields[self._index[name]][2]

    def items(self):
        return [(name, value) for name, _tag, value in self.fields]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoStruct) and self.fields == other.fields

    def __hash__(self) -> int:
        return hash(tuple((n, t) for n, t, _ in self.fields))

    def __repr__(self) -> str:
        return f"GoStruct({self.fields!r})"


def truth(v: Any) -> bool:
    """Go template truthiness (text/template's `isTrue`); NO_VALUE is false."""
    if v is None or v is NO_VALUE:
        return False
    if isinstance(v, GoStruct):
        return True
    if isinstance(v, (bool, int, float, complex)):
        return v != 0
    return len(v) > 0


TAGS = ("$int", "$float", "$strmap", "$stringer", "$struct")


def from_tagged_json(obj: Any, numbers: str = "float64") -> Any:
    """Build the value model from vector-style JSON (already parsed by `json.loads`).

    numbers="float64": every JSON number is a Go float64 (as Istio reads values).
    numbers="int64": integers stay Int64, others float. `$int`/`$float` force a type.
    """
    if isinstance(obj, dict):
        if len(obj) == 1:
            (key, val), = obj.items()
            if key == "$int":
                return Int64(int(val))
            if key == "$float":
                return float(val)
            if key == "$strmap":
                return StrMap(None if val is None else {str(k): v for k, v in val.items()})
            if key == "$stringer":
                return Stringer(val)
            if key == "$struct":
                return GoStruct(
                    (name, tag, from_tagged_json(value, numbers)) for name, tag, value in val
                )
        return {k: from_tagged_json(v, numbers) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_tagged_json(v, numbers) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        if numbers == "float64" or not (-(2**63) <= obj < 2**63):
            return float(obj)
        return Int64(obj)
    return obj
