"""Slack's published specs, which sit beside the repository in dev and CI checkouts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared_file(relative: str) -> Path:
    """A file of Slack's published specs beside the repository (dev and CI checkouts only).

    Locally a missing file skips the test; in CI it fails it, so the contract checks never
    pass by being skipped.
    """
    path = SHARED / relative
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must check against Slack's published specs")
        pytest.skip(f"{path} is not beside the repository (it only exists in dev and CI)")
    return path
