"""A few seconds of the load-test scripts, so they never rot (timings are not asserted)."""
import importlib.util
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


# Never import locust here: importing it monkey-patches the whole process with gevent,
# which hangs every later test in the same pytest worker.
@pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust not installed")
def test_locust_run_script_smoke(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "loadtest.run_locust", "--users", "2", "--rate", "20", "--time", "4s",
         "--workers", "1", "--p99-budget-ms", "5000", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "errors 0" in out.stdout and "p99" in out.stdout
    assert (tmp_path / "locust-h1.html").stat().st_size > 0
    assert (tmp_path / "locust-h1-latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(shutil.which("h2load") is None, reason="h2load (nghttp2-client) not installed")
def test_raw_h2_load_against_the_floor(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "loadtest.raw_load", "--proto", "h2", "-n", "300", "-c", "2", "-m", "2",
         "--workers", "1", "--compare-floor", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "of the bare ASGI floor" in out.stdout
    runs = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert [r["app"] for r in runs] == ["bare", "injector"]
    for r in runs:
        assert r["ok"] == 300 and r["errors"] == 0 and r["client_cpu_us_per_req"] > 0
        if sys.platform == "linux":
            assert r["server_cpu_us_per_req"] > 0
