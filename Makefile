# Convenience targets; every one is a plain command you can also run by hand.
PY ?= python

.PHONY: install test bench loadtest loadtest-smoke raw-h1 raw-h1-wrk raw-h2

install:
	pip install -e '.[test]'

test:
	$(PY) -m pytest -n 2 -q

bench:
	$(PY) -m loadtest.bench_pipeline

# 60 s at 200 admissions/s over HTTP/1.1 keep-alive, 2 workers; fails when p99 > 5 ms.
loadtest:
	$(PY) -m loadtest.run_locust --users 16 --rate 200 --time 60s --workers 2 --p99-budget-ms 5
	$(PY) -m loadtest.run_locust --user h2 --users 16 --rate 200 --time 60s --workers 2 --p99-budget-ms 5

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
