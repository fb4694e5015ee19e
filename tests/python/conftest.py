"""Shared fixtures: the project root, the shared evaluation material, sample data copies."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from _helpers import ROOT, SHARED, run_eduwh


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "eval").is_dir():
        pytest.skip("../shared (evaluation material) is not beside the project")
    return SHARED


@pytest.fixture
def sample_data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled sample inputs (data/documents, data/statistics)."""
    dst = tmp_path / "data"
    for sub in ("documents", "statistics"):
        shutil.copytree(ROOT / "data" / sub, dst / sub)
    return dst


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One ``eduwh build`` of the bundled sample into a temporary warehouse, shared by tests that only read."""
    db = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    proc = run_eduwh("build", "--db", str(db))
    return db, proc
