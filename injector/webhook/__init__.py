"""The admission webhook: Starlette app (app.py), Hypercorn runner (server.py), hot reload
(reload.py), Prometheus metrics (metrics.py) and JSON logs (logs.py)."""
