"""Smoke run of loadtest/bench_pipeline.py (`--quick`): every row printed, and the patches
of the cached and first-sight paths apply to the pod and give the uncached path's result.
No timing is asserted."""
from __future__ import annotations

import json
import subprocess
import sys

from injector._ext import NO_EXTENSIONS
from tests.conftest import ROOT, need_shared

# without extensions the run in this process is already the twin
BACKENDS = ("python",) if NO_EXTENSIONS else ("compiled", "python")


def test_quick_run_prints_every_row_and_checks_every_case():
    need_shared("tools", "goanchor", "pods")
    need_shared("tools", "istio-data", "1.29.6", "injection-template.yaml")
    proc = subprocess.run([sys.executable, "-m", "loadtest.bench_pipeline", "--quick", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    cases = {(r["backend"], r["template"], r["shape"]) for r in rows}
    assert cases == {(b, t, s) for b in BACKENDS for t in ("1.7.3", "1.29.6")
                     for s in ("small", "medium", "large")}
    for r in rows:
        assert r["ok"], r
        assert r["patch_ops"] > 0
        assert r["first_ns"] > 0 and r["cached_ns"] > 0
        assert set(r["stages_ns"]) >= {"decode", "policy", "render", "yaml", "merge", "diff", "encode"}
    assert {r["exec"] for r in rows if r["backend"] == "python"} == {"python"}


def test_quick_table_has_a_row_per_case():
    need_shared("tools", "goanchor", "pods")
    need_shared("tools", "istio-data", "1.29.6", "injection-template.yaml")
    proc = subprocess.run([sys.executable, "-m", "loadtest.bench_pipeline", "--quick", "--no-twin",
                           "--templates", "1.29.6", "--shapes", "small,medium"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("1.29.6") and line.rstrip().endswith("| ok")) == 2
    assert sum(1 for line in lines if line.startswith("1.29.6") and f" {BACKENDS[0]} " in line) == 2
