"""Headless load test: start `injector serve`, run locust for a fixed time and rate, report.

    python -m loadtest.run_locust --users 16 --rate 200 --time 60s --p99-budget-ms 5

Prints p50/p95/p99/max and the error count, saves locust's HTML report and a
latency-over-time PNG in --out, and exits non-zero when p99 exceeds the budget or any
request failed. `--user h2` runs the HTTP/2 user instead of HTTP/1.1 keep-alive.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, log: Path, extra: list[str]) -> tuple[subprocess.Popen, str]:
    out = open(log, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "injector", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", *extra],
        stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    ca = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        if ca is None:
            m = re.search(r"CA: (\S+)", log.read_text(errors="replace"))
            ca = m.group(1) if m else None
        if ca:
            try:
                ctx = ssl.create_default_context(cafile=ca)
                with urllib.request.urlopen(f"https://127.0.0.1:{port}/readyz", context=ctx, timeout=1) as r:
                    if r.status == 200:
                        return proc, ca
            except OSError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server not ready:\n{log.read_text()}")


def aggregated(stats_csv: Path) -> dict[str, float]:
    with open(stats_csv, newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                if row["50%"] == "N/A":
                    raise SystemExit(f"no request completed; see {stats_csv.parent / 'locust.log'}")
                return {"requests": float(row["Request Count"]), "failures": float(row["Failure Count"]),
                        "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"]),
                        "max": float(row["Max Response Time"]), "rps": float(row["Requests/s"])}
    raise SystemExit(f"no Aggregated row in {stats_csv}")


def plot(history_csv: Path, png: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0, xs, series = None, [], {"50%": [], "95%": [], "99%": []}
    with open(history_csv, newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated" or row["50%"] in ("N/A", ""):
                continue
            ts = float(row["Timestamp"])
            t0 = ts if t0 is None else t0
            xs.append(ts - t0)
            for k in series:
                series[k].append(float(row[k]))
    fig, ax = plt.subplots(figsize=(9, 4))
    for k, ys in series.items():
        ax.plot(xs, ys, label=f"p{k.rstrip('%')}")
    ax.set_xlabel("seconds")
    ax.set_ylabel("latency (ms)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--rate", type=float, default=0, help="total requests/s (0: as fast as possible)")
    ap.add_argument("--time", default="30s", help="locust --run-time")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--user", choices=["h1", "h2"], default="h1")
    ap.add_argument("--p99-budget-ms", type=float, required=True)
    ap.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    ap.add_argument("--server-arg", action="append", default=[], help="extra `injector serve` flag")
    args = ap.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc, ca = start_server(port, args.workers, out / "server.log", args.server_arg)
    prefix = out / f"locust-{args.user}"
    user_class = "WebhookUser" if args.user == "h1" else "WebhookH2User"
    env = {**os.environ, "INJECTOR_CA": ca, "INJECTOR_RATE": str(args.rate),
           "INJECTOR_USERS": str(args.users), "PYTHONPATH": str(ROOT)}
    try:
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), user_class,
               "--headless", "-u", str(args.users), "-r", str(max(1, args.users)), "--run-time", args.time,
               "--host", f"https://127.0.0.1:{port}", "--csv", str(prefix), "--csv-full-history",
               "--html", str(prefix) + ".html", "--only-summary", "--stop-timeout", "5",
               "--exit-code-on-error", "0"]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=open(out / "locust.log", "wb"))
    finally:
        proc.terminate()
        proc.wait(30)
    stats = aggregated(Path(str(prefix) + "_stats.csv"))
    plot(Path(str(prefix) + "_stats_history.csv"), Path(str(prefix) + "-latency.png"),
         f"injector serve, {args.user}, {args.users} users, rate {args.rate or 'max'}")
    print(f"requests {stats['requests']:.0f}  rps {stats['rps']:.0f}  errors {stats['failures']:.0f}  "
          f"p50 {stats['p50']:.1f} ms  p95 {stats['p95']:.1f} ms  p99 {stats['p99']:.1f} ms  "
          f"max {stats['max']:.1f} ms  (budget p99 {args.p99_budget_ms} ms)")
    print(f"report: {prefix}.html  plot: {prefix}-latency.png")
    ok = stats["failures"] == 0 and stats["p99"] <= args.p99_budget_ms and stats["requests"] > 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
