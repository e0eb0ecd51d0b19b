"""Apply an RFC 6902 JSON Patch: for `injector admit --apply` and for checking our own patches.

Copies the document first; the input is never modified. Errors name the failing operation.
"""
from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    pass


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [_unescape(t) for t in path[1:].split("/")]


def _index(container: list, token: str, path: str, *, for_add: bool = False) -> int:
    if for_add and token == "-":
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchError(f"invalid array index {token!r} in {path!r}")
    i = int(token)
    limit = len(container) if for_add else len(container) - 1
    if i > limit:
        raise PatchError(f"array index {i} out of range in {path!r}")
    return i


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    node = doc
    for t in tokens[:-1]:
        if isinstance(node, dict):
            if t not in node:
                raise PatchError(f"path {path!r} does not exist")
            node = node[t]
        elif isinstance(node, list):
            node = node[_index(node, t, path)]
        else:
            raise PatchError(f"path {path!r} goes through a scalar")
    return node


def _get(doc: Any, path: str) -> Any:
    tokens = _split(path)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path {path!r} does not exist")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, path)]
    raise PatchError(f"path {path!r} goes through a scalar")


def _add(doc: Any, path: str, value: Any) -> Any:
    tokens = _split(path)
    if not tokens:
        return value
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, path, for_add=True), value)
    else:
        raise PatchError(f"cannot add at {path!r}: parent is a scalar")
    return doc


def _remove(doc: Any, path: str) -> Any:
    tokens = _split(path)
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"cannot remove {path!r}: it does not exist")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, path))
    raise PatchError(f"cannot remove {path!r}: parent is a scalar")


def apply(doc: Any, ops: list[dict]) -> Any:
    doc = copy.deepcopy(doc)
    for n, op in enumerate(ops):
        try:
            kind, path = op["op"], op["path"]
            if kind == "add":
                doc = _add(doc, path, copy.deepcopy(op["value"]))
            elif kind == "remove":
                _remove(doc, path)
            elif kind == "replace":
                _get(doc, path)
                if _split(path):
                    _remove(doc, path)
                doc = _add(doc, path, copy.deepcopy(op["value"]))
            elif kind == "move":
                value = _remove(doc, op["from"])
                doc = _add(doc, path, value)
            elif kind == "copy":
                doc = _add(doc, path, copy.deepcopy(_get(doc, op["from"])))
            elif kind == "test":
                if _get(doc, path) != op["value"]:
                    raise PatchError(f"test failed at {path!r}")
            else:
                raise PatchError(f"unknown op {kind!r}")
        except KeyError as e:
            raise PatchError(f"operation {n} ({op!r}) lacks {e}") from None
        except PatchError as e:
            raise PatchError(f"operation {n} ({op.get('op')} {op.get('path')}): {e}") from None
    return doc
