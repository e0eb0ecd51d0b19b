"""Raw throughput: h2load over HTTP/2, and an HTTP/1.1 keep-alive equivalent.

    python -m loadtest.raw_load --proto h2 -n 20000 -c 8 -m 4 --workers 2
    python -m loadtest.raw_load --proto h1 -n 20000 -c 16 --workers 2
    python -m loadtest.raw_load --proto h1 --compare-floor      # bare ASGI floor, same run
    python -m loadtest.raw_load --client apiclient --rate 200 --shape medium -n 12000 --p99-budget-ms 5

HTTP/2 uses h2load (Debian package nghttp2-client). HTTP/1.1 uses the Go apiclient from
../shared/tools/apiclient when it is built (it calls the webhook exactly as kube-apiserver
does and checks every answer), else wrk (Debian package wrk); `--client` chooses.
`--compare-floor` measures a bare ASGI app on the same Hypercorn settings and `injector
serve` alternately (`--rounds` times each, so drift on a shared machine hits both), and
prints our throughput as a share of that floor (median of the rounds).

Client and server share the machine's cores, so each run also reports the CPU time per
request of the server's processes (from /proc, Linux) and of the client: the apiclient
decodes and checks every patch, as the apiserver does, which costs it more for real
patches than for the floor's empty answers.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from loadtest.reviews import SHARED, review_bytes

ROOT = Path(__file__).resolve().parent.parent
APICLIENT = SHARED / "tools" / "apiclient" / "bin" / "apiclient"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, ca: str, proc: subprocess.Popen, path: str) -> None:
    ctx = ssl.create_default_context(cafile=ca)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            req = urllib.request.Request(url + path, data=b"{}", method="POST") if path == "/" else url + path
            with urllib.request.urlopen(req, context=ctx, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server not ready")


def start(app: str, port: int, workers: int, certs: dict, log) -> subprocess.Popen:
    if app == "bare":
        cmd = [sys.executable, "-m", "loadtest.bare_app", "--port", str(port), "--workers", str(workers),
               "--certfile", str(certs["cert"]), "--keyfile", str(certs["key"])]
    else:
        cmd = [sys.executable, "-m", "injector", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers), "--tls-cert", str(certs["cert"]), "--tls-key", str(certs["key"]),
               "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    wait_ready(f"https://127.0.0.1:{port}", str(certs["ca"]), proc, "/" if app == "bare" else "/readyz")
    return proc


def _tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and its children (Linux /proc), else None."""
    try:
        pids = [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        ticks = 0
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _children_cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_h2load(url: str, body: Path, n: int, c: int, m: int) -> dict:
    out = subprocess.run(["h2load", "-n", str(n), "-c", str(c), "-m", str(m), "-d", str(body),
                          "-H", "content-type: application/json", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    succeeded = int(re.search(r"(\d+) succeeded", out).group(1))
    failed = int(re.search(r"(\d+) failed", out).group(1)) + int(re.search(r"(\d+) errored", out).group(1))
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", out)
    return {"client": "h2load", "rps": rps, "ok": succeeded, "errors": failed,
            "mean_latency": mean.group(1) if mean else None}


def run_apiclient(url: str, body: Path, ca: str, n: int, c: int, rate: float = 0, h2: bool = False) -> dict:
    if not APICLIENT.exists():
        raise SystemExit(f"{APICLIENT} is not built (see ../shared/tools/README.md)")
    cmd = [str(APICLIENT), "-url", url + "?timeout=10s", "-ca", ca, "-review", str(body),
           "-n", str(n), "-c", str(c)]
    if rate:
        cmd += ["-rate", str(rate)]
    if h2:
        cmd.append("-h2")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    doc = json.loads(out.strip().splitlines()[-1])
    return {"client": "apiclient", "rps": doc["rps"], "ok": doc["ok"],
            "errors": sum(doc["errors"].values()), "p50_ms": doc["p50_us"] / 1000,
            "p99_ms": doc["p99_us"] / 1000, "max_ms": doc["max_us"] / 1000}


def run_h1(url: str, body: Path, ca: str, n: int, c: int, client: str = "auto", rate: float = 0) -> dict:
    if client == "apiclient" or (client == "auto" and APICLIENT.exists()):
        return run_apiclient(url, body, ca, n, c, rate)
    if not shutil.which("wrk"):
        raise SystemExit("neither ../shared/tools/apiclient/bin/apiclient nor wrk is available")
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      f'wrk.body = io.open("{body}"):read("*a")\n')
    seconds = max(5, n // 500)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(c), "-d", f"{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, errs.groups())) if errs else 0)
    done = int(re.search(r"(\d+) requests in", out).group(1))
    return {"client": "wrk", "rps": rps, "ok": done - errors, "errors": errors}


def measure(app: str, args, certs: dict, body: Path) -> dict:
    port = free_port()
    with open(Path(args.out) / f"server-{app}.log", "wb") as log:
        proc = start(app, port, args.workers, certs, log)
        try:
            url = f"https://127.0.0.1:{port}/inject" if app == "injector" else f"https://127.0.0.1:{port}/"
            server0, client0 = _tree_cpu_seconds(proc.pid), _children_cpu_seconds()
            if args.proto == "h2" and args.client == "apiclient":
                result = run_apiclient(url, body, str(certs["ca"]), args.n, args.c, args.rate, h2=True)
            elif args.proto == "h2":
                result = run_h2load(url, body, args.n, args.c, args.m)
            else:
                result = run_h1(url, body, str(certs["ca"]), args.n, args.c, args.client, args.rate)
            server1, client1 = _tree_cpu_seconds(proc.pid), _children_cpu_seconds()
            done = max(1, result["ok"] + result["errors"])
            if server0 is not None and server1 is not None:
                result["server_cpu_us_per_req"] = round((server1 - server0) / done * 1e6)
            result["client_cpu_us_per_req"] = round((client1 - client0) / done * 1e6)
        finally:
            proc.terminate()
            proc.wait(30)
    result["app"] = app
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proto", choices=["h1", "h2"], default="h1")
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("-c", type=int, default=16, help="connections")
    ap.add_argument("-m", type=int, default=4, help="HTTP/2 streams per connection")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shape", default="small", help="pod shape (small, medium, large)")
    ap.add_argument("--compare-floor", action="store_true")
    ap.add_argument("--rounds", type=int, default=1, help="floor/injector runs, alternating")
    ap.add_argument("--client", choices=["auto", "apiclient", "wrk"], default="auto",
                    help="HTTP/1.1 client: the Go apiclient (decodes and checks every patch, as "
                         "the apiserver does) or wrk (C, light: closer to the server's own cost); "
                         "auto: apiclient when built. With --proto h2, apiclient replaces h2load")
    ap.add_argument("--rate", type=float, default=0,
                    help="apiclient only: total requests/s (latency at a fixed rate); 0: flat out")
    ap.add_argument("--p99-budget-ms", type=float, default=0,
                    help="exit non-zero when a run's p99 exceeds this (apiclient runs)")
    ap.add_argument("--out", default=str(ROOT / "loadtest" / "results"))
    args = ap.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)

    from injector.certs import generate

    certs = generate(["localhost"], ["127.0.0.1"]).write(Path(tempfile.mkdtemp(prefix="raw-load-")))
    body = Path(args.out) / f"review-{args.shape}.json"
    body.write_bytes(review_bytes(args.shape))

    results, shares = [], []
    for _ in range(max(1, args.rounds)):
        pair = []
        for app in (("bare", "injector") if args.compare_floor else ("injector",)):
            r = measure(app, args, certs, body)
            print(json.dumps({"proto": args.proto, "workers": args.workers, "shape": args.shape, **r}),
                  flush=True)
            pair.append(r)
        results += pair
        if args.compare_floor:
            shares.append(pair[1]["rps"] / pair[0]["rps"])
    if shares:
        rps = lambda app: statistics.median(r["rps"] for r in results if r["app"] == app)  # noqa: E731
        print(f"injector throughput = {statistics.median(shares):.0%} of the bare ASGI floor "
              f"(median of {len(shares)} round(s): {rps('injector'):.0f} vs {rps('bare'):.0f} req/s, "
              f"{args.proto}, {args.workers} workers, client {results[0]['client']})")
    over = [r for r in results if args.p99_budget_ms and r.get("p99_ms", 0) > args.p99_budget_ms]
    for r in over:
        print(f"p99 {r['p99_ms']:.2f} ms of {r['app']} exceeds the budget of {args.p99_budget_ms} ms")
    return 0 if all(r["errors"] == 0 for r in results) and not over else 1


if __name__ == "__main__":
    raise SystemExit(main())
