"""RFC 6902 JSON Patch differ, pure Python: the readable reference implementation.

`_speedups/_jsondiff_c.pyx` is its compiled twin and must return exactly the same
operations; `injector.jsondiff` picks one of the two.

`diff(original, mutated)` returns operations (dicts with keys in the order `op`,
`path`, `value`; `op`, `path` for `remove`) that turn `original` into `mutated` when
applied in order. Paths are RFC 6901 pointers (`~` -> `~0`, `/` -> `~1`).

JSON equality (our choice, documented because Python's `==` is not it): two values
are equal when orjson would write them identically, key order aside. So a bool never
equals a number (`True != 1`), an int never equals a float (`1` and `1.0` are written
`1` and `1.0`), two floats are equal when they are the same double (`0.0 != -0.0`).
NaN and infinities are not JSON: infinities compare as Python does, a NaN equals only
the very same object.

Shape of the patch:
- unchanged subtrees produce nothing;
- a key only in `mutated` is one `add` of its whole value, a key only in `original`
  one `remove`, a changed scalar or a change of type one `replace`;
- lists are aligned: the common prefix and suffix are skipped, the rest is matched by
  equality (Myers' O(ND) diff, D bounded by `MYERS_MAX_D`), and the unmatched runs
  between matches are paired by similarity (two maps with the same `name`, two maps
  without one, two lists, two scalars; LCS when the run is small, else by position);
  what is left of a run is paired by position (`replace`), then removed or added. So
  an insert at the front or in the middle is one `add` at that index, appending is
  `add` at `/-`, a modified element is patched in place, and a run of removals is
  emitted highest index first so every index stays valid;
- a map or list whose members in `mutated` are all added or replaced whole (at least
  two ops, none deeper) is replaced whole instead: one op carrying the same data.
  This also turns `[]` -> `[x, y]` and `[x, y]` -> `[]` into one `replace`. The
  document root is never collapsed (the root is replaced only when its type changes).
Op values are the mutated document's own objects, not copies.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["diff", "json_equal", "plain_json", "MYERS_MAX_D", "PAIR_LCS_MAX"]

# Myers gives up after this many edits; the middle of the list is then paired by position.
MYERS_MAX_D = 64
# Similarity pairing of an unmatched run uses an LCS table up to this many cells.
PAIR_LCS_MAX = 4096


def _set_limits(myers_max_d: int, pair_lcs_max: int) -> tuple[int, int]:
    """Change the alignment bounds (tests use tiny ones to exercise the fallbacks); returns the old."""
    global MYERS_MAX_D, PAIR_LCS_MAX
    old = MYERS_MAX_D, PAIR_LCS_MAX
    MYERS_MAX_D, PAIR_LCS_MAX = myers_max_d, pair_lcs_max
    return old


_NULL, _BOOL, _INT, _FLOAT, _STR, _LIST, _DICT, _OTHER = range(8)

# Diff status of one node: nothing changed, one op replaced the node whole, ops deeper.
_SAME, _WHOLE, _NESTED = 0, 1, 2

_MISSING = object()

Path = tuple | None  # linked list (parent, token); token: str key, int index, "-" append


def _kind(v: Any) -> int:
    t = type(v)
    if t is str:
        return _STR
    if t is dict:
        return _DICT
    if t is list:
        return _LIST
    if t is int:
        return _INT
    if t is bool:
        return _BOOL
    if t is float:
        return _FLOAT
    if v is None:
        return _NULL
    # subclasses (bool first: it is an int)
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, float):
        return _FLOAT
    if isinstance(v, str):
        return _STR
    if isinstance(v, dict):
        return _DICT
    if isinstance(v, (list, tuple)):
        return _LIST
    return _OTHER


def _scalar_equal(kind: int, a: Any, b: Any) -> bool:
    if kind == _FLOAT:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def plain_json(v: Any) -> bool:
    """Whether orjson writes `v` and reads back exactly `v`, same types included: only
    exact dicts with str keys, lists, str, bool, None, integers in orjson's 64-bit range
    and finite floats (NaN and infinities become null, tuples lists, subclasses and
    other types something else)."""
    t = type(v)
    if t is str or t is bool or v is None:
        return True
    if t is int:
        return _INT_MIN <= v <= _INT_MAX
    if t is float:
        return math.isfinite(v)
    if t is dict:
        return all(type(k) is str and plain_json(x) for k, x in v.items())
    if t is list:
        return all(plain_json(x) for x in v)
    return False


_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1  # orjson: i64 and u64


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality as described in the module docstring."""
    if a is b:
        return True
    ka = _kind(a)
    if ka != _kind(b):
        return False
    if ka == _DICT:
        if len(a) != len(b):
            return False
        for key, va in a.items():
            vb = b.get(key, _MISSING)
            if vb is _MISSING or not json_equal(va, vb):
                return False
        return True
    if ka == _LIST:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if not json_equal(x, y):
                return False
        return True
    return _scalar_equal(ka, a, b)


def _escape(token: Any) -> str:
    if type(token) is not str:
        token = str(token)
    if "~" in token:
        token = token.replace("~", "~0")
    if "/" in token:
        token = token.replace("/", "~1")
    return token


def _pointer(path: Path) -> str:
    """Build the RFC 6901 pointer only when an op is emitted."""
    parts: list[str] = []
    while path is not None:
        path, token = path
        parts.append(str(token) if type(token) is int else _escape(token))
    if not parts:
        return ""
    parts.reverse()
    return "/" + "/".join(parts)


def diff(original: Any, mutated: Any) -> list[dict]:
    """RFC 6902 operations turning `original` into `mutated` (see the module docstring)."""
    ops: list[dict] = []
    _diff(original, mutated, None, ops)
    return ops


def _replace(path: Path, value: Any, ops: list) -> int:
    ops.append({"op": "replace", "path": _pointer(path), "value": value})
    return _WHOLE


def _diff(a: Any, b: Any, path: Path, ops: list) -> int:
    if a is b:
        return _SAME
    ka = _kind(a)
    if ka != _kind(b):
        return _replace(path, b, ops)
    if ka == _DICT:
        return _diff_dict(a, b, path, ops)
    if ka == _LIST:
        return _diff_list(a, b, path, ops)
    if _scalar_equal(ka, a, b):
        return _SAME
    return _replace(path, b, ops)


def _settle(b: Any, size: int, path: Path, ops: list, start: int, nested: bool, whole: int) -> int:
    """Status of a map/list diff; collapse it into one `replace` when that carries the same data."""
    count = len(ops) - start
    if count == 0:
        return _SAME
    if count >= 2 and not nested and whole == size and path is not None:
        del ops[start:]
        return _replace(path, b, ops)
    return _NESTED


def _diff_dict(a: dict, b: dict, path: Path, ops: list) -> int:
    start = len(ops)
    nested = False
    whole = 0  # members of b added or replaced whole
    common = 0
    for key, va in a.items():
        vb = b.get(key, _MISSING)
        if vb is _MISSING:
            ops.append({"op": "remove", "path": _pointer((path, key))})
            continue
        common += 1
        status = _diff(va, vb, (path, key), ops)
        if status == _WHOLE:
            whole += 1
        elif status == _NESTED:
            nested = True
    if common != len(b):
        for key, vb in b.items():
            if key not in a:
                ops.append({"op": "add", "path": _pointer((path, key)), "value": vb})
                whole += 1
    return _settle(b, len(b), path, ops, start, nested, whole)


def _diff_list(a: list, b: list, path: Path, ops: list) -> int:
    if type(a) is not list:
        a = list(a)
    if type(b) is not list:
        b = list(b)
    n, m = len(a), len(b)
    limit = min(n, m)
    p = 0
    while p < limit and json_equal(a[p], b[p]):
        p += 1
    if p == n and p == m:
        return _SAME
    s = 0
    limit -= p
    while s < limit and json_equal(a[n - 1 - s], b[m - 1 - s]):
        s += 1
    a_end, b_end = n - s, m - s

    patch = _ListPatch(a, b, path, ops)
    patch.cur = p
    i, j = p, p
    matches = _myers(a, i, a_end, b, j, b_end) if i < a_end and j < b_end else None
    for mi, mj in matches or ():
        patch.gap(i, mi, j, mj)
        patch.cur += 1  # the equal element stays
        i, j = mi + 1, mj + 1
    patch.gap(i, a_end, j, b_end)
    return _settle(b, m, path, ops, patch.start, patch.nested, patch.whole)


class _ListPatch:
    """Emits the ops for one list, left to right; `cur` is the index in the list as patched so far."""

    def __init__(self, a: list, b: list, path: Path, ops: list) -> None:
        self.a, self.b, self.path, self.ops = a, b, path, ops
        self.n = len(a)
        self.start = len(ops)
        self.cur = 0
        self.nested = False
        self.whole = 0

    def gap(self, i0: int, i1: int, j0: int, j1: int) -> None:
        """An unmatched run a[i0:i1] -> b[j0:j1]: pair similar elements, the rest by position."""
        k, l = i1 - i0, j1 - j0
        if k == 0 and l == 0:
            return
        if k and l and k * l <= PAIR_LCS_MAX:
            for pi, pj in _similar_lcs(self.a, i0, i1, self.b, j0, j1):
                self.run(i0, pi, j0, pj)
                self.pair(self.a[pi], self.b[pj])
                i0, j0 = pi + 1, pj + 1
        self.run(i0, i1, j0, j1)

    def pair(self, x: Any, y: Any) -> None:
        status = _diff(x, y, (self.path, self.cur), self.ops)
        if status == _WHOLE:
            self.whole += 1
        elif status == _NESTED:
            self.nested = True
        self.cur += 1

    def run(self, i0: int, i1: int, j0: int, j1: int) -> None:
        """Pair a[i0:i1] with b[j0:j1] by position; the excess is removed or added."""
        a, b, ops = self.a, self.b, self.ops
        k, l = i1 - i0, j1 - j0
        t = min(k, l)
        for u in range(t):
            x, y = a[i0 + u], b[j0 + u]
            if _similar(x, y):
                self.pair(x, y)
            else:
                _replace((self.path, self.cur), y, ops)
                self.whole += 1
                self.cur += 1
        if k > t:
            for index in range(self.cur + k - t - 1, self.cur - 1, -1):
                ops.append({"op": "remove", "path": _pointer((self.path, index))})
        elif l > t:
            at_end = i1 == self.n  # nothing of the original list follows: append
            for u in range(t, l):
                token = "-" if at_end else self.cur
                ops.append({"op": "add", "path": _pointer((self.path, token)), "value": b[j0 + u]})
                self.whole += 1
                self.cur += 1


def _similar(x: Any, y: Any) -> bool:
    """Whether x -> y is better patched in place than removed and re-added."""
    kx, ky = _kind(x), _kind(y)
    if kx == _DICT:
        if ky != _DICT:
            return False
        nx, ny = x.get("name", _MISSING), y.get("name", _MISSING)
        if nx is _MISSING or ny is _MISSING:
            return nx is ny
        return json_equal(nx, ny)
    if kx == _LIST:
        return ky == _LIST
    return ky != _DICT and ky != _LIST


def _similar_lcs(a: list, i0: int, i1: int, b: list, j0: int, j1: int) -> list[tuple[int, int]]:
    """Longest chain of similar (a[i], b[j]) pairs, increasing in both; ties skip a first."""
    k, l = i1 - i0, j1 - j0
    sim = [[_similar(a[i0 + i], b[j0 + j]) for j in range(l)] for i in range(k)]
    # table[i][j] = length of the best chain in a[i:], b[j:]
    table = [[0] * (l + 1) for _ in range(k + 1)]
    for i in range(k - 1, -1, -1):
        row, below = table[i], table[i + 1]
        for j in range(l - 1, -1, -1):
            if sim[i][j]:
                row[j] = below[j + 1] + 1
            else:
                row[j] = max(below[j], row[j + 1])
    pairs = []
    i = j = 0
    while i < k and j < l:
        if sim[i][j]:
            pairs.append((i0 + i, j0 + j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _myers(a: list, i0: int, i1: int, b: list, j0: int, j1: int) -> list[tuple[int, int]] | None:
    """Equal pairs of the shortest edit script of a[i0:i1] -> b[j0:j1], or None past MYERS_MAX_D."""
    n, m = i1 - i0, j1 - j0
    max_d = min(n + m, MYERS_MAX_D)
    off = max_d + 1
    v = [0] * (2 * max_d + 3)  # v[off + k] = furthest x on diagonal k
    trace = []
    for d in range(max_d + 1):
        trace.append(v[:])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]  # step down: insert b[y]
            else:
                x = v[off + k - 1] + 1  # step right: delete a[x]
            y = x - k
            while x < n and y < m and json_equal(a[i0 + x], b[j0 + y]):
                x += 1
                y += 1
            v[off + k] = x
            if x >= n and y >= m:
                return _myers_matches(trace, d, n, m, off, i0, j0)
    return None


def _myers_matches(trace: list, d_end: int, n: int, m: int, off: int, i0: int, j0: int) -> list:
    x, y = n, m
    matches = []
    for d in range(d_end, 0, -1):
        v = trace[d]
        k = x - y
        if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
            prev_k = k + 1
        else:
            prev_k = k - 1
        prev_x = v[off + prev_k]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x -= 1
            y -= 1
            matches.append((i0 + x, j0 + y))
        x, y = prev_x, prev_y
    while x > 0 and y > 0:
        x -= 1
        y -= 1
        matches.append((i0 + x, j0 + y))
    matches.reverse()
    return matches
