"""AST of a parsed template (Go's text/template/parse node types).

Every node has an integer `kind` (one of the K_* constants) so that an evaluator can
dispatch with a switch, and `pos` (character offset into the source text) plus `src`
(the `Source` it was parsed from) so errors can name `NAME:LINE:COL`. `str(node)`
gives Go's `Node.String()`, used as the `<ACTION>` context of execution errors.

Shapes (fields are plain attributes, lists are Python lists):

    ListNode(nodes)                       TextNode(text)
    ActionNode(pipe)                      CommentNode(text)
    IfNode / WithNode(pipe, list, else_list|None)
    RangeNode(pipe, list, else_list|None) BreakNode, ContinueNode
    TemplateNode(name, pipe|None)         PipeNode(decl: [VariableNode], is_assign, cmds)
    CommandNode(args: [operand])          FieldNode(ident: [str])       `.a.b`
    VariableNode(ident: [str])  `$x.a`    ChainNode(node, field: [str]) `(pipe).a`
    IdentifierNode(ident)  function name  DotNode, NilNode, BoolNode(value)
    NumberNode(text, is_int, int_val, is_float, float_val, is_complex, complex_val)
    StringNode(quoted, text)
"""
from __future__ import annotations

from typing import Any

(K_LIST, K_TEXT, K_ACTION, K_IF, K_RANGE, K_WITH, K_TEMPLATE, K_BREAK, K_CONTINUE,
 K_COMMENT, K_PIPE, K_COMMAND, K_FIELD, K_VARIABLE, K_CHAIN, K_IDENT, K_DOT, K_NIL,
 K_BOOL, K_NUMBER, K_STRING, K_END, K_ELSE) = range(23)


class Source:
    """The text a tree was parsed from and its parse name (Go's Tree.ParseName)."""

    __slots__ = ("name", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text

    def location(self, pos: int) -> str:
        """`NAME:LINE:COL` as Go's ErrorContext gives it (COL counts bytes)."""
        before = self.text[:pos]
        line = 1 + before.count("\n")
        nl = before.rfind("\n")
        col = len(before[nl + 1:].encode("utf-8", "surrogateescape")) if nl >= 0 else len(
            before.encode("utf-8", "surrogateescape"))
        return f"{self.name}:{line}:{col}"

    def line_of(self, pos: int) -> int:
        return 1 + self.text.count("\n", 0, pos)


class Node:
    __slots__ = ("pos", "src")
    kind = -1

    def __init__(self, pos: int, src: Source | None) -> None:
        self.pos = pos
        self.src = src

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ListNode(Node):
    # exec_cache: what an evaluator precompiled from this tree (the Cython one keeps
    # (funcs, compiled tree) on each root); never part of the tree's meaning
    __slots__ = ("nodes", "exec_cache")
    kind = K_LIST

    def __init__(self, pos: int, src: Source | None, nodes: list[Node] | None = None) -> None:
        super().__init__(pos, src)
        self.nodes = nodes if nodes is not None else []
        self.exec_cache: Any = None

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class TextNode(Node):
    __slots__ = ("text",)
    kind = K_TEXT

    def __init__(self, pos: int, src: Source | None, text: str) -> None:
        super().__init__(pos, src)
        self.text = text

    def __str__(self) -> str:
        return self.text


class CommentNode(Node):
    __slots__ = ("text",)
    kind = K_COMMENT

    def __init__(self, pos: int, src: Source | None, text: str) -> None:
        super().__init__(pos, src)
        self.text = text

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


class PipeNode(Node):
    __slots__ = ("line", "is_assign", "decl", "cmds")
    kind = K_PIPE

    def __init__(self, pos: int, src: Source | None, line: int) -> None:
        super().__init__(pos, src)
        self.line = line
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + " := "
        return s + " | ".join(str(c) for c in self.cmds)


class ActionNode(Node):
    __slots__ = ("line", "pipe")
    kind = K_ACTION

    def __init__(self, pos: int, src: Source | None, line: int, pipe: PipeNode) -> None:
        super().__init__(pos, src)
        self.line = line
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class BranchNode(Node):
    """Common shape of if/range/with."""

    __slots__ = ("line", "pipe", "list", "else_list")
    keyword = ""

    def __init__(self, pos: int, src: Source | None, line: int, pipe: PipeNode,
                 list_: ListNode, else_list: ListNode | None) -> None:
        super().__init__(pos, src)
        self.line = line
        self.pipe = pipe
        self.list = list_
        self.else_list = else_list

    def __str__(self) -> str:
        s = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


class IfNode(BranchNode):
    __slots__ = ()
    kind = K_IF
    keyword = "if"


class RangeNode(BranchNode):
    __slots__ = ()
    kind = K_RANGE
    keyword = "range"


class WithNode(BranchNode):
    __slots__ = ()
    kind = K_WITH
    keyword = "with"


class BreakNode(Node):
    __slots__ = ("line",)
    kind = K_BREAK

    def __init__(self, pos: int, src: Source | None, line: int) -> None:
        super().__init__(pos, src)
        self.line = line

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(BreakNode):
    __slots__ = ()
    kind = K_CONTINUE

    def __str__(self) -> str:
        return "{{continue}}"


class TemplateNode(Node):
    __slots__ = ("line", "name", "pipe")
    kind = K_TEMPLATE

    def __init__(self, pos: int, src: Source | None, line: int, name: str,
                 pipe: PipeNode | None) -> None:
        super().__init__(pos, src)
        self.line = line
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        from .gofmt import quote

        if self.pipe is None:
            return "{{template " + quote(self.name) + "}}"
        return "{{template " + quote(self.name) + " " + str(self.pipe) + "}}"


class CommandNode(Node):
    __slots__ = ("args",)
    kind = K_COMMAND

    def __init__(self, pos: int, src: Source | None) -> None:
        super().__init__(pos, src)
        self.args: list[Node] = []

    def __str__(self) -> str:
        parts = []
        for a in self.args:
            parts.append("(" + str(a) + ")" if a.kind == K_PIPE else str(a))
        return " ".join(parts)


class IdentifierNode(Node):
    __slots__ = ("ident",)
    kind = K_IDENT

    def __init__(self, pos: int, src: Source | None, ident: str) -> None:
        super().__init__(pos, src)
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    __slots__ = ("ident",)
    kind = K_VARIABLE

    def __init__(self, pos: int, src: Source | None, ident: list[str]) -> None:
        super().__init__(pos, src)
        self.ident = ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    __slots__ = ()
    kind = K_DOT

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    __slots__ = ()
    kind = K_NIL

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    __slots__ = ("ident",)
    kind = K_FIELD

    def __init__(self, pos: int, src: Source | None, ident: list[str]) -> None:
        super().__init__(pos, src)
        self.ident = ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    __slots__ = ("node", "field")
    kind = K_CHAIN

    def __init__(self, pos: int, src: Source | None, node: Node) -> None:
        super().__init__(pos, src)
        self.node = node
        self.field: list[str] = []

    def __str__(self) -> str:
        s = "(" + str(self.node) + ")" if self.node.kind == K_PIPE else str(self.node)
        return s + "".join("." + f for f in self.field)


class BoolNode(Node):
    __slots__ = ("value",)
    kind = K_BOOL

    def __init__(self, pos: int, src: Source | None, value: bool) -> None:
        super().__init__(pos, src)
        self.value = value

    def __str__(self) -> str:
        return "true" if self.value else "false"


class NumberNode(Node):
    __slots__ = ("text", "is_int", "int_val", "is_uint", "is_float", "float_val",
                 "is_complex", "complex_val")
    kind = K_NUMBER

    def __init__(self, pos: int, src: Source | None, text: str) -> None:
        super().__init__(pos, src)
        self.text = text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int_val = 0
        self.float_val = 0.0
        self.complex_val = 0j

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    __slots__ = ("quoted", "text")
    kind = K_STRING

    def __init__(self, pos: int, src: Source | None, quoted: str, text: str) -> None:
        super().__init__(pos, src)
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


class EndNode(Node):
    """{{end}}: only seen while parsing."""

    __slots__ = ()
    kind = K_END

    def __str__(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    """{{else}}: only seen while parsing."""

    __slots__ = ("line",)
    kind = K_ELSE

    def __init__(self, pos: int, src: Source | None, line: int) -> None:
        super().__init__(pos, src)
        self.line = line

    def __str__(self) -> str:
        return "{{else}}"


def is_empty_tree(n: Any) -> bool:
    """Go's parse.IsEmptyTree: only whitespace text and comments."""
    if n is None:
        return True
    if n.kind == K_LIST:
        return all(is_empty_tree(c) for c in n.nodes)
    if n.kind == K_TEXT:
        return n.text.strip() == ""
    if n.kind == K_COMMENT:
        return True
    return False
