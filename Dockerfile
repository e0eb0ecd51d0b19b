# syntax=docker/dockerfile:1
# injector: the Istio-compatible sidecar injector webhook.
#   docker build -t injector:0.1.0 .
# Only Debian packages (build-essential, builder stage only) and PyPI packages are
# downloaded. The runtime image runs as uid 10001 on a read-only root filesystem:
# it writes only under /tmp (self-signed certificate when none is mounted, Prometheus
# multi-process files of the workers), which Kubernetes mounts as an emptyDir.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: compile the Cython speedups into a wheel, and wheels of the dependencies
FROM ${PYTHON_IMAGE} AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY _speedups/ _speedups/
COPY injector/ injector/
# The project wheel (with the compiled extensions), then its dependencies as wheels so the
# runtime stage installs offline and needs no compiler. Always by file name: PyPI has an
# unrelated package called "injector".
RUN pip wheel --no-deps -w /wheels . \
 && pip wheel -w /wheels /wheels/injector-*.whl
# Fail the build, not the first admission, if an extension did not compile: one .so per
# .pyx in the wheel, and each imports (-I: not from the source tree in the working dir).
RUN pip install --no-index --find-links /wheels /wheels/injector-*.whl \
 && test "$(find _speedups -name '*.pyx' | wc -l)" -eq "$(python -m zipfile -l /wheels/injector-*.whl | grep -c '\.so ')" \
 && python -I -c "import importlib, pathlib, injector; root = pathlib.Path(injector.__file__).parent; [importlib.import_module('.'.join(('injector',) + p.relative_to(root).with_suffix('').with_suffix('').parts)) for p in root.rglob('*.so')]"

# ---- runtime
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    HOME=/tmp \
    TMPDIR=/tmp
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels /wheels/injector-*.whl \
 && groupadd --system --gid 10001 injector \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
      --shell /usr/sbin/nologin injector
USER 10001:10001
EXPOSE 9443
# Kubernetes probes /healthz and /readyz; no HEALTHCHECK in the image.
ENTRYPOINT ["injector", "serve"]
