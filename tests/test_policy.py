"""The injection decision: Istio's TestInjectRequired / TestEnablePrometheusAggregation tables."""
from __future__ import annotations

import json

import pytest

from injector.config import LEGACY, TEMPLATES, config_from_dict
from injector.policy import decide, prometheus_merge_enabled, selector_matches
from tests.conftest import CONFORMANCE, need_shared


def corpora(required: str = "cases.json") -> list[str]:
    """Every Istio corpus under ../shared/conformance holding `required` (the two
    public ones when none is there: their tests then skip)."""
    found = sorted(p.name for p in CONFORMANCE.glob("istio-*") if (p / required).exists())
    return found or ["istio-1.7.3", "istio-1.29.6"]


def rules_of(corpus: str) -> str:
    """The injector-config format a corpus was produced with (cases.json `layout`)."""
    path = CONFORMANCE / corpus / "cases.json"
    if path.exists() and json.loads(path.read_text()).get("layout") != "legacy":
        return TEMPLATES
    return LEGACY if path.exists() else (LEGACY if corpus == "istio-1.7.3" else TEMPLATES)


TABLES = [(c, rules_of(c)) for c in corpora("policy-cases.json")]


def _table(corpus):
    return json.loads(need_shared("conformance", corpus, "policy-cases.json").read_text())




def _run(row, rules):
    cfg = config_from_dict(row["config"])
    pod = row["pod"]
    return decide(pod["metadata"], pod.get("spec"), cfg, rules=rules,
                  ignored_namespaces=row["ignored_namespaces"])


@pytest.mark.parametrize("corpus,rules", TABLES)
def test_inject_required_table(corpus, rules):
    rows = _table(corpus)["inject_required"]
    failed = [r["id"] for r in rows if _run(r, rules).inject != r["want"]]
    assert not failed, f"{corpus}: {len(failed)}/{len(rows)} rows wrong: {failed}"
    assert rows


def expected_reason(row, rules):
    """The rule that must decide the row, derived from the row's data."""
    meta, spec, cfg = row["pod"]["metadata"], row["pod"].get("spec") or {}, row["config"]
    labels, annos = meta.get("labels") or {}, meta.get("annotations") or {}
    key = "sidecar.istio.io/inject"
    if spec.get("hostNetwork"):
        return "host-network"
    if meta.get("namespace") in row["ignored_namespaces"]:
        return "ignored-namespace"
    if rules == LEGACY:
        if annos.get(key):
            return "annotation"
    else:
        own = labels[key] if key in labels else annos.get(key)
        if own in ("true", "false"):
            return "label" if key in labels else "annotation"
    if any(selector_matches(s, labels) for s in cfg.get("neverInjectSelector") or []):
        return "never-selector"
    if any(selector_matches(s, labels) for s in cfg.get("alwaysInjectSelector") or []):
        return "always-selector"
    return {"enabled": "policy-enabled", "disabled": "policy-disabled"}.get(cfg["policy"], "policy-invalid")


@pytest.mark.parametrize("corpus,rules", TABLES)
def test_inject_required_reasons(corpus, rules):
    for row in _table(corpus)["inject_required"]:
        d = _run(row, rules)
        assert d.reason is not None and sum(r.decisive for r in d.reasons) == 1, row["id"]
        assert d.reason.code == expected_reason(row, rules), row["id"]
        assert (d.reason.effect == "inject") == d.inject, row["id"]
        assert d.reason.message


@pytest.mark.parametrize("corpus", [c for c, _ in TABLES])
def test_prometheus_merge_table(corpus):
    rows = _table(corpus)["prometheus_merge"]
    failed = [r["id"] for r in rows if prometheus_merge_enabled(r["mesh"], r["annotations"]) != r["want"]]
    assert not failed, failed
    assert len(rows) == 5


def test_legacy_vs_modern_values():
    cfg = config_from_dict({"policy": "disabled"})
    meta = {"namespace": "ns", "annotations": {"sidecar.istio.io/inject": "YES"}}
    assert decide(meta, {}, cfg, rules=LEGACY).inject is True
    d = decide(meta, {}, cfg, rules=TEMPLATES)
    assert d.inject is False and d.reason.code == "policy-disabled"
    assert any(r.code == "annotation-invalid" for r in d.reasons)
    meta = {"namespace": "ns", "annotations": {"sidecar.istio.io/inject": "nope"}}
    assert decide(meta, {}, config_from_dict({"policy": "enabled"}), rules=LEGACY).inject is False


def test_ignored_namespaces_by_format():
    cfg = config_from_dict({"policy": "enabled"})
    meta = {"namespace": "kube-node-lease"}
    assert decide(meta, {}, cfg, rules=LEGACY).inject is True
    d = decide(meta, {}, cfg, rules=TEMPLATES)
    assert d.inject is False and d.reason.code == "ignored-namespace"
    # the request namespace is used when the pod has none
    assert decide({}, {}, cfg, "kube-system", rules=LEGACY).reason.code == "ignored-namespace"


def test_already_injected():
    cfg = config_from_dict({"policy": "enabled"})
    meta = {"namespace": "a", "annotations": {"sidecar.istio.io/status": "{}"}}
    d = decide(meta, {}, cfg)
    assert d.inject is True and d.reasons[0].code == "already-injected" and not d.reasons[0].decisive
    d = decide(meta, {}, cfg, skip_injected=True)
    assert d.inject is False and d.reason.code == "already-injected"


def test_selector_semantics():
    assert selector_matches({}, {})  # empty selector: everything
    assert selector_matches({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["x"]}]}, {})
    assert not selector_matches({"matchExpressions": [{"key": "a", "operator": "In", "values": ["x"]}]}, {})
    assert selector_matches({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"b": "1"})
    assert not selector_matches({"matchLabels": {"a": "1"}}, {"a": "2"})
    with pytest.raises(ValueError, match="operator"):
        selector_matches({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, {})
