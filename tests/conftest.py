"""Shared fixtures: where the conformance data lives, and both engine backends.

The corpora live in ../shared beside the checkout; tests that need them skip with a
clear message when it is absent (a plain source checkout without the corpora).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("INJECTOR_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
SPEC = SHARED / "spec"


def need_shared(*parts: str) -> Path:
    """Path under ../shared, or skip the test when the folder is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"conformance data not found: {path} (needs ../shared beside the checkout)")
    return path
