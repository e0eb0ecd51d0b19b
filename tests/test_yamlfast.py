"""The fast YAML reader against the libyaml path: same data for every text it accepts,
`Unsupported` (never a different answer, never an accepted error) for the rest.

Every test runs on both backends (the compiled `_yamlfast_c` is required unless
INJECTOR_NO_EXTENSIONS is set); the parity tests hold the two to the same answers."""
from __future__ import annotations

import importlib
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from injector import _yamlfast_py, goyaml
from injector._ext import NO_EXTENSIONS
from tests.conftest import SHARED

PY, C = "injector._yamlfast_py", "injector._yamlfast_c"


@pytest.fixture(params=[PY, C], scope="module", ids=["python", "cython"])
def yf(request):
    if request.param == C and NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return importlib.import_module(request.param)  # ImportError: the extension was not built


def _reference(text: str):
    try:
        return "ok", goyaml._load_libyaml(text)
    except Exception as e:  # noqa: BLE001 - any error is "an error" for the comparison
        return "error", type(e).__name__


def _check(text: str, yf) -> bool:
    """True when the fast reader `yf` accepted `text` (and agreed with libyaml)."""
    ref = _reference(text)
    try:
        got = yf.load(text)
    except yf.Unsupported:
        return False
    assert ref[0] == "ok", f"accepted text libyaml refuses ({ref[1]}):\n{text}"
    assert _same(got, ref[1]), text
    return True


def _same(a, b) -> bool:
    """Equal with the same types everywhere (1 vs 1.0 vs True differ) and the same key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def _shared_yaml_texts() -> list[str]:
    out = []
    for path in sorted(SHARED.glob("conformance/**/*.yaml")) + sorted(SHARED.glob("tools/**/*.yaml")):
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        out.append(text)
        out.extend(goyaml.split_documents(text))
    return out


def _renders() -> list[str]:
    """Sidecars rendered by the bench configs (both templates, every pod shape)."""
    from loadtest import bench_pipeline as bp
    from injector import inject_common, rendercache

    texts: list[str] = []
    orig = inject_common._render

    def keep(*a):
        t = orig(*a)
        texts.append(t)
        return t

    inject_common._render = keep
    was = rendercache.enabled()
    rendercache.set_enabled(False)
    try:
        for template in bp.TEMPLATES:
            settings = bp.load_settings(template)
            inject_fn = bp._injector(settings)
            for shape in bp.SHAPES:
                bp._review(bp.bodies(shape)[0], inject_fn)
    finally:
        inject_common._render = orig
        rendercache.set_enabled(was)
    return texts


@pytest.fixture(scope="module")
def renders():
    if not (SHARED / "tools" / "istio-data" / "1.29.6").exists():
        pytest.skip(f"istio data not found under {SHARED} (needs ../shared beside the checkout)")
    return _renders()


def test_every_render_is_read_fast_and_equal(renders, yf):
    assert len(renders) >= 6
    for text in renders:
        assert _check(text, yf), f"render fell back to libyaml:\n{text[:400]}"


@pytest.fixture(scope="module")
def corpus_texts():
    texts = _shared_yaml_texts()
    if not texts:
        pytest.skip(f"no YAML under {SHARED}")
    return texts


def test_corpus_yaml_agrees_wherever_accepted(corpus_texts, yf):
    texts = corpus_texts
    accepted = sum(_check(t, yf) for t in texts)
    assert accepted > len(texts) // 2  # the subset covers most real manifests


def test_load_uses_the_fast_path_and_falls_back():
    assert goyaml.load("a: 1\nb: [x, 'y']\n") == {"a": 1, "b": ["x", "y"]}
    # anchors are outside the subset: libyaml answers
    assert goyaml.load("a: &x 1\nb: *x\n") == {"a": 1, "b": 1}
    with pytest.raises(Exception):
        goyaml.load("a: b: c\n")


@pytest.mark.parametrize("text", [
    "a: yes\nb: off\nc: ~\nd: 0x1F\ne: 012\nf: 1e3\ng: .5\nh: 2001-12-14\ni: -0b11\nj: 1_000\n",
    "k: |\n  line1\n\n  line3\n\n\nz: 1\n", "k: |-\n  a\n   b\n", "k: |+\n  a\n\n", "k: |\n  a",
    "k: |\n    indented\n   \n  x\n" "", "list:\n- a\n-\n- - x\n", "list:\n  - a\n  - b: 1\n    c: 2\n",
    'q: "a\\tb\\u00e9\\"c"\nr: \'it\'\'s\'\n', "m: {a: 1, b: [1, 2,], c: {},}\n",
    "m: {\n  a: \"x\",\n\n  b: y,\n}\n", "m: {a: b\n  c}\n", "a: 1\n  b: 2\n", "a:\n  - 1\n - 2\n",
    "# only a comment\n", "", "\n\n", "a: 1 # c\nb: 'x' # d\n", "a: b #c: d\n", "a: -\n",
    "? a\n: b\n", "a: !!str 1\n", "<<: {a: 1}\n", "a:\tb\n", "--- \na: 1\n", "a: 1\n...\n",
    "1: a\ntrue: b\n", '"quoted key": 1\n', "a: 'unterminated\n", "a: [1, 2\n", "- a\nb: 1\n",
    "a: >\n  folded\n", "a: |2\n   x\n", "a: b\n\x85c: d\n", "key with spaces: v\n", "a:b: c\n",
    "x: http://h:80/p\n", "e: \n", "n: .inf\nm: -.Inf\nnan: .nan\n", "big: 18446744073709551616\n",
])
def test_edge_cases_agree_or_fall_back(text, yf):
    _check(text, yf)


# ------------------------------------------------------------------ generated input

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not math.isinf(f)),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.sampled_from(["yes", "no", "on", "Off", "~", "null", "0x10", "017", "1e3", ".5", "+1",
                     "2001-01-01", "a: b", "#x", "- x", "'q'", '"q"', "|", "{}", "[]", "x #y",
                     "", " lead", "trail ", "multi\nline", "tab\tx", "\\"]),
)
_docs = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=20,
)


@hsettings(max_examples=300, deadline=None)
@given(doc=_docs)
def test_dumped_documents_agree(doc, yf):
    for text in (_go_dump(doc), _pyyaml_dump(doc, False), _pyyaml_dump(doc, None)):
        if text is not None:
            _check(text, yf)


def _go_dump(doc):
    try:
        return goyaml.dump(doc)
    except goyaml.MarshalError:
        return None


def _pyyaml_dump(doc, flow):
    import yaml

    try:
        return yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True)
    except yaml.YAMLError:
        return None


@hsettings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_renders_agree_or_fall_back(seed, renders, yf):
    """Small edits of real renders (indentation, comments, quotes, colons, blank lines)."""
    _check(_mutate(seed, renders), yf)


def _mutate(seed: int, renders: list[str]) -> str:
    rnd = random.Random(seed)
    lines = rnd.choice(renders).split("\n")
    edits = ["", " ", "  ", "#", " # c", ":", ": ", "- ", "'", '"', "{", "}", "[", "]", ",", "|",
             "\\", "-", "? ", "&a ", "*a"]
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(len(lines))
        op = rnd.randrange(4)
        if op == 0:
            lines[i] = rnd.choice(edits) + lines[i]
        elif op == 1:
            lines[i] = lines[i] + rnd.choice(edits)
        elif op == 2:
            lines.insert(i, " " * rnd.randrange(8) + rnd.choice(edits))
        else:
            pos = rnd.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + rnd.choice(edits) + lines[i][pos:]
    return "\n".join(lines)


# ------------------------------------------------------------------ twin vs compiled


@pytest.fixture(scope="module")
def compiled():
    if NO_EXTENSIONS:
        pytest.skip("INJECTOR_NO_EXTENSIONS is set")
    return importlib.import_module(C)


def _outcome(mod, text):
    """What a backend does with `text`: its value, a fallback, or another error."""
    try:
        return "ok", mod.load(text)
    except mod.Unsupported as e:
        return "unsupported", str(e)
    except Exception as e:  # noqa: BLE001 - e.g. ValueError for .nan; must match too
        return "error", type(e).__name__


def _assert_parity(text, compiled):
    want = _outcome(_yamlfast_py, text)
    got = _outcome(compiled, text)
    assert got[0] == want[0], f"python: {want}, cython: {got} for:\n{text}"
    if want[0] == "ok":
        assert _same(got[1], want[1]), text
    else:
        assert got[1] == want[1], text


_PARITY_TEXTS = [
    "a: 1\nb: -0\nc: +7\nd: 007\ne: 123456789012345678901\nf: 1_0\ng: 0o17\nh: 1:30\n",
    "k: yes\nl: Off\nm: ~\nn: null\no: y\np: nope\nq: .5\nr: .nan\ns: -.inf\nt: +.5\n",
    "a: \"x\\ny\\\\z\\\"\"\nb: \"\\q\"\nc: \"open\nd: 'x''y'\n", "<<: x\n", "a: <<\n",
    "yes: 1\n", "~: 1\n", "1.5: x\n", ".x: y\n", "- - a\n", "-\n-\n", "a:\n- b\n- c:\n  - d\n",
    "a: |\n\n  x\n", "a: |+\n\n", "a: |-\n", "a:    \nb: c   \n", "é: ü\nk: \U0001F600\n",
    "a: b\n\tc: d\n", "-a:\n  x: 1\n", "a b #:\n", "(k):\n- 1\n", "'q':\n  - x\n", "\ufeffa: 1\n", "a: \x7f\n", "a: \xa0b\xff\n", "a: \ud800\n", "a: \ufffe\n",
    "a: \u2028\n", "a: x\x1fy\n", "a: 2000m\nb: 1e\nc: 0x1g\nd: -.5e3\ne: +.inf\nf: 0b102\n", "a: 1\n b: 2\n", "a: x: y\n", "a: [1, {b: c}, 'd']\n",
]


@pytest.mark.parametrize("text", _PARITY_TEXTS + [
    t for t in test_edge_cases_agree_or_fall_back.pytestmark[0].args[1]])
def test_compiled_matches_twin(text, compiled):
    _assert_parity(text, compiled)


def test_compiled_matches_twin_on_renders_and_corpus(renders, corpus_texts, compiled):
    for text in renders + corpus_texts:
        _assert_parity(text, compiled)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=_docs, seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_compiled_matches_twin_generated(doc, seed, compiled, renders):
    for text in (_go_dump(doc), _pyyaml_dump(doc, False), _pyyaml_dump(doc, None),
                 _mutate(seed, renders)):
        if text is not None:
            _assert_parity(text, compiled)


def test_compiled_matches_twin_on_every_latin1_and_boundary_character(compiled):
    """The compiled character screen (a byte table for Latin-1 text) refuses what the twin's does."""
    edges = [0x2027, 0x2028, 0x2029, 0x202a, 0xd7ff, 0xe000, 0xfefe, 0xfeff, 0xff00, 0xfffd,
             0xfffe, 0xffff, 0x10000, 0x10ffff]
    for code in list(range(256)) + edges:
        _assert_parity(f"a: x{chr(code)}y\nb: 1\n", compiled)
