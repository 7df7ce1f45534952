"""Shared fixtures: the devbridge binary built by `make test` (swift build)."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def devbridge() -> pathlib.Path:
    """Path to the debug devbridge binary (built on demand)."""
    binary = ROOT / ".build" / "debug" / "devbridge"
    if not binary.exists():
        subprocess.run(["swift", "build", "--product", "devbridge"], cwd=ROOT, check=True)
    return binary


@pytest.fixture
def run(devbridge):
    """Runs devbridge with arguments; returns the CompletedProcess (text mode)."""

    def _run(*args, check=True, cwd=None):
        result = subprocess.run(
            [str(devbridge), *map(str, args)], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"devbridge {' '.join(map(str, args))} failed:\n{result.stderr}")
        return result

    return _run
