"""Istio's golden files: every corpus under ../shared/conformance with an injector `cases.json`.

Corpora are discovered, not listed, so a corpus of another Istio release in the same format
is run the same way. Every case we run must pass structurally, and every case with a
textual golden must match it byte for byte (after Istio's StripVersion). Prints
passed/total per corpus and kind. HTTP-level cases (`webhook-serve`) run against the real
server in test_server.py.
"""
from __future__ import annotations

import json

import pytest

from tests.conftest import CONFORMANCE

SCHEMA = "istio-injector-conformance/v1"


def corpora() -> list[str]:
    if not CONFORMANCE.is_dir():
        return ["<missing>"]
    found = []
    for d in sorted(CONFORMANCE.iterdir()):
        cases = d / "cases.json"
        if cases.is_file() and json.loads(cases.read_text()).get("schema") == SCHEMA:
            found.append(d.name)
    return found or ["<missing>"]


@pytest.mark.parametrize("corpus", corpora())
def test_corpus(corpus, capsys):
    if corpus == "<missing>":
        pytest.skip(f"no conformance corpora under {CONFORMANCE} (needs ../shared beside the checkout)")
    from tests.conformance import run_corpus, summary

    results = run_corpus(CONFORMANCE / corpus)
    table = summary(results)
    with capsys.disabled():
        print(f"\n{corpus} conformance:")
        for kind, s in sorted(table.items()):
            text = f", textual {s['textual']}/{s['textual_total']}" if s["textual_total"] else ""
            not_run = f" ({s['total'] - s['run']} not run here)" if s["total"] != s["run"] else ""
            print(f"  {kind:22s} structural {s['structural']}/{s['run']}{text}{not_run}")
    failed = [f"{r.id} [{r.kind}]: {r.detail[:400]}" for r in results
              if not r.skipped and (r.structural is False or r.textual is False)]
    assert sum(s["run"] for s in table.values()) > 0
    assert not failed, f"{len(failed)} failing case(s):\n" + "\n".join(failed)
