"""Style is part of the build: ruff on Python, sqlfluff (dbt templater) on SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from _helpers import ROOT

BIN = Path(sys.executable).parent


def test_ruff_is_clean() -> None:
    proc = subprocess.run(
        [str(BIN / "ruff"), "check", "loaders", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_sqlfluff_is_clean(tmp_path: Path) -> None:
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False", EDUWH_DB=str(tmp_path / "lint.duckdb"))
    proc = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "models", "analyses", "--disable-progress-bar"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
