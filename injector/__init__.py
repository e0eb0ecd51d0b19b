"""injector: an Istio-compatible sidecar injector (webhook and kube-inject)."""

__version__ = "0.1.0"
