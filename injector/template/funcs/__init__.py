"""Function sets for templates: Go builtins, sprig, and Istio's injection functions.

A function set maps names to `GoFunc`, which records the Go signature so the evaluator
can check arity and argument types the way Go's reflect-based calls do (see
docs/architecture.md for the parameter type codes). Later sets override earlier ones by
name, as a Go FuncMap overrides text/template's builtins.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

PARAM_TYPES = frozenset(
    ["any", "string", "int", "int64", "float64", "bool", "map", "strmap", "list", "strlist", "value"]
)


class FuncError(Exception):
    """A Go function returned a non-nil error; the message is the error's text."""


@dataclass(frozen=True, slots=True)
class GoFunc:
    name: str
    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None  # type code of a trailing ...param, if any
    needs_state: bool = False  # fn(state, *args): for functions such as `render`

    def __post_init__(self) -> None:
        bad = [p for p in (*self.params, self.variadic or "any") if p not in PARAM_TYPES]
        if bad:
            raise ValueError(f"{self.name}: unknown parameter type(s) {bad}")


def merged(*sets: dict[str, GoFunc]) -> dict[str, GoFunc]:
    out: dict[str, GoFunc] = {}
    for s in sets:
        out.update(s)
    return out
