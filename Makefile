# Convenience targets; every one is a plain command you can also run by hand.
PY ?= python

.PHONY: install test bench loadtest latency loadtest-smoke raw-h1 raw-h1-wrk raw-h2

install:
	pip install -e '.[test]'

test:
	$(PY) -m pytest -n 2 -q

bench:
	$(PY) -m loadtest.bench_pipeline

# 60 s at 200 admissions/s, 2 workers; fails when p99 > budget. 4 users (connections):
# at 200/s and ~1 ms per answer the apiserver keeps about one request in flight, and more
# locust greenlets only add client-side queueing on 2 cores. The HTTP/2 user (httpx + h2,
# pure Python) costs the client ~2 ms per request, hence its wider budget; the Go apiclient
# measures the server itself (README, "Load tests and benchmarks").
loadtest:
	$(PY) -m loadtest.run_locust --users 4 --rate 200 --time 60s --workers 2 --p99-budget-ms 5
	$(PY) -m loadtest.run_locust --user h2 --users 4 --rate 200 --time 60s --workers 2 --p99-budget-ms 10

# The server's own latency as the apiserver sees it (Go apiclient from ../shared/tools):
# 60 s at 200 admissions/s of the medium pod, HTTP/1.1 then HTTP/2; fails when p99 > 5 ms.
latency:
	$(PY) -m loadtest.raw_load --client apiclient --rate 200 --shape medium -n 12000 -c 16 --workers 2 --p99-budget-ms 5
	$(PY) -m loadtest.raw_load --proto h2 --client apiclient --rate 200 --shape medium -n 12000 -c 16 --workers 2 --p99-budget-ms 5

# What CI runs: a few seconds, generous budget, so the scripts never rot.
loadtest-smoke:
	$(PY) -m loadtest.run_locust --users 2 --rate 20 --time 4s --workers 1 --p99-budget-ms 2000

# Floor and injector alternate, 3 rounds each; the share printed is the median.
raw-h1:
	$(PY) -m loadtest.raw_load --proto h1 -n 20000 -c 16 --workers 2 --compare-floor --rounds 3

# The same with wrk, a light C client: closer to the server's own cost.
raw-h1-wrk:
	$(PY) -m loadtest.raw_load --proto h1 -n 20000 -c 16 --workers 2 --compare-floor --rounds 3 --client wrk

raw-h2:
	$(PY) -m loadtest.raw_load --proto h2 -n 20000 -c 8 -m 4 --workers 2 --compare-floor --rounds 3
