"""Go text/template in Python: parse once, execute many times.

    tpl = Template.parse(text, name="sidecar", funcs=FUNCSETS["istio"])  # ParseError
    out = tpl.execute(data, missingkey="default")                        # ExecError

A `Template` is a namespace of named trees (Go's template set sharing one `common`):
the main template plus every `{{define}}`/`{{block}}`; `add(name, text)` parses more
text into it (Go's `t.New(name).Parse(text)`).
"""
from __future__ import annotations

from typing import Any, Mapping

from .errors import ExecError, ParseError, TemplateError
from .nodes import ListNode, is_empty_tree
from .parser import parse as _parse

__all__ = ["Template", "TemplateError", "ParseError", "ExecError", "execute_backend"]

MISSINGKEY = ("default", "invalid", "zero", "error")


def execute_backend(backend: str | None):
    """The `execute` function of a backend: "python", "cython" or None (the default)."""
    if backend is None:
        from ._exec import execute
        return execute
    if backend == "python":
        from ._exec_py import execute
        return execute
    if backend == "cython":
        from ._exec_c import execute  # type: ignore[import-not-found]
        return execute
    raise ValueError(f"unknown template backend {backend!r}")


class Template:
    """A parsed template and the named templates it defines."""

    __slots__ = ("name", "funcs", "trees")

    def __init__(self, name: str, funcs: Mapping[str, Any] | None = None) -> None:
        if funcs is None:
            from .funcs.builtins import BUILTINS
            funcs = BUILTINS
        self.name = name
        self.funcs = dict(funcs)
        self.trees: dict[str, ListNode] = {}

    @classmethod
    def parse(cls, text: str, name: str = "template",
              funcs: Mapping[str, Any] | None = None) -> "Template":
        """Parse `text` as template `name` (eager: raises ParseError)."""
        tpl = cls(name, funcs)
        tpl.add(name, text)
        return tpl

    def add(self, name: str, text: str) -> "Template":
        """Parse `text` as template `name` into this namespace (Go's New(name).Parse)."""
        trees = _parse(text, name, self.funcs)
        for tname, root in trees.items():
            old = self.trees.get(tname)
            # Go's associate: an empty body never replaces an existing template
            if old is not None and is_empty_tree(root):
                continue
            self.trees[tname] = root
        return self

    def lookup(self, name: str) -> ListNode | None:
        return self.trees.get(name)

    def execute(self, data: Any, missingkey: str | None = "default", name: str | None = None,
                backend: str | None = None) -> str:
        """Run the template (or the named one) on `data`; the output or ExecError."""
        mk = missingkey or "default"
        if mk not in MISSINGKEY:
            raise ValueError(f"missingkey must be one of {MISSINGKEY}, not {missingkey!r}")
        return execute_backend(backend)(self.trees, name or self.name, data, self.funcs, mk)
