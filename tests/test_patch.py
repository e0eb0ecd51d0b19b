"""Our RFC 6902 apply agrees with the independent `jsonpatch` package."""
import copy

import jsonpatch
import pytest
from hypothesis import given, settings, strategies as st

from injector.jsondiff import diff
from injector.patch import PatchError, apply

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text("a/~b", max_size=3), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values, json_values)
def test_apply_matches_jsonpatch_on_diffs(a, b):
    ops = diff(a, b)
    before = copy.deepcopy(a)
    assert apply(a, ops) == jsonpatch.apply_patch(a, ops) == b
    assert a == before  # input untouched


def test_all_ops():
    doc = {"a": [1, 2, 3], "b": {"c~/": 1}}
    ops = [
        {"op": "add", "path": "/a/1", "value": 9},
        {"op": "remove", "path": "/a/0"},
        {"op": "replace", "path": "/b/c~0~1", "value": 2},
        {"op": "copy", "from": "/a", "path": "/d"},
        {"op": "move", "from": "/d/0", "path": "/a/-"},
        {"op": "test", "path": "/b/c~0~1", "value": 2},
    ]
    assert apply(doc, ops) == jsonpatch.apply_patch(doc, ops)


@pytest.mark.parametrize("ops", [
    [{"op": "remove", "path": "/x"}],
    [{"op": "replace", "path": "/x", "value": 1}],
    [{"op": "add", "path": "/a/9", "value": 1}],
    [{"op": "add", "path": "/a/01", "value": 1}],
    [{"op": "add", "path": "x", "value": 1}],
    [{"op": "test", "path": "/a/0", "value": 2}],
    [{"op": "frobnicate", "path": "/a"}],
    [{"op": "add", "path": "/a/0"}],
])
def test_errors_name_the_operation(ops):
    with pytest.raises(PatchError, match="operation 0"):
        apply({"a": [1]}, ops)
