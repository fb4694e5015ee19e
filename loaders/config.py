"""Paths and settings, all overridable from the environment.

``EDUWH_DB``       the DuckDB warehouse file (default ``warehouse.duckdb`` in the project root)
``EDUWH_HOME``     the project root (default: the folder holding ``dbt_project.yml``)
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("EDUWH_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    for cand in (here.parent, *here.parents):
        if (cand / "dbt_project.yml").exists():
            return cand
    return Path.cwd()


def warehouse_path() -> Path:
    env = os.environ.get("EDUWH_DB")
    if env:
        return Path(env).resolve()
    return project_root() / "warehouse.duckdb"


def seeds_dir() -> Path:
    return project_root() / "seeds"


def data_dir() -> Path:
    return project_root() / "data"
