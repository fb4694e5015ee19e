"""Build audit: ``meta.build_runs`` in the published warehouse, and a JSON-lines run log.

Every published warehouse carries the history of the builds that published it
(``meta.build_runs``, one row per published run: inputs with their hashes, rows
per mart, test counts, versions). A failed build publishes nothing, so its record
goes to ``.eduwh/build_runs.jsonl`` beside the served file, which keeps every
run, published or not. Neither ever holds a credential: inputs are paths and
hashes, and no DSN or environment is recorded.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

BUILD_RUNS_DDL = (
    "create schema if not exists meta",
    """
    create table if not exists meta.build_runs (
        run_id varchar primary key,
        started_at timestamp not null,
        finished_at timestamp,
        status varchar not null,           -- published | failed
        exit_code integer,
        dbt_selection varchar,
        inputs json,                       -- [{kind, path, content_hash, status, rows_landed, rows_rejected}]
        mart_rows json,                    -- {mart: rows}
        tests_passed integer,
        tests_warned integer,
        tests_failed integer,
        unit_tests integer,
        expectations_evaluated integer,
        expectations_failed integer,
        message varchar,
        eduwh_version varchar,
        dbt_version varchar,
        duckdb_version varchar,
        python_version varchar,
        project_fingerprint varchar,        -- hash of models, macros, seeds, dbt_project.yml
        dbt_mode varchar                    -- full_refresh | incremental
    )
    """,
    "alter table meta.build_runs add column if not exists project_fingerprint varchar",
    "alter table meta.build_runs add column if not exists dbt_mode varchar",
)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@dataclass(slots=True)
class BuildRun:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    exit_code: int | None = None
    dbt_selection: str | None = None
    inputs: list[dict[str, Any]] = field(default_factory=list)
    mart_rows: dict[str, int] = field(default_factory=dict)
    tests_passed: int = 0
    tests_warned: int = 0
    tests_failed: int = 0
    unit_tests: int = 0
    expectations_evaluated: int = 0
    expectations_failed: int = 0
    message: str | None = None
    eduwh_version: str | None = field(default_factory=lambda: _version("eduwh"))
    dbt_version: str | None = field(default_factory=lambda: _version("dbt-core"))
    duckdb_version: str | None = field(default_factory=lambda: duckdb.__version__)
    python_version: str = field(default_factory=lambda: f"{platform.python_implementation()} {sys.version.split()[0]}")
    project_fingerprint: str | None = None
    dbt_mode: str | None = None

    def as_row(self) -> dict[str, Any]:
        d = asdict(self)
        d["inputs"] = json.dumps(self.inputs, ensure_ascii=False, default=str)
        d["mart_rows"] = json.dumps(self.mart_rows, ensure_ascii=False)
        return d


def record_in_warehouse(con: duckdb.DuckDBPyConnection, run: BuildRun) -> None:
    for ddl in BUILD_RUNS_DDL:
        con.execute(ddl)
    row = run.as_row()
    cols = list(row)
    placeholders = ", ".join("?" for _ in cols)
    con.execute(
        f"insert or replace into meta.build_runs ({', '.join(cols)}) values ({placeholders})",
        [row[c] for c in cols],
    )


def append_run_log(path: Path, run: BuildRun) -> None:
    """Append the run to the JSON-lines audit log (every run, published or failed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rec = asdict(run)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")


def project_fingerprint(project_dir: Path) -> str:
    """Hash of everything that shapes the marts: models, macros, seeds and dbt_project.yml.

    When it differs from the last published build's, incremental models cannot be
    trusted to match a full rebuild (their SQL or reference data changed), so
    ``eduwh build`` runs a full refresh.
    """
    import hashlib

    h = hashlib.sha256()
    files = [project_dir / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds"):
        files += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for p in files:
        h.update(str(p.relative_to(project_dir)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def last_published_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """Fingerprint of the build that published this warehouse (None for a new or older warehouse)."""
    try:
        row = con.execute(
            "select project_fingerprint from meta.build_runs where status = 'published' "
            "order by finished_at desc limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    except duckdb.BinderException:  # a warehouse from before fingerprints
        return None
    return row[0] if row else None


def last_published_was_validated(con: duckdb.DuckDBPyConnection) -> bool:
    """Did the build that published this warehouse run the quality suite, with no error?

    Only then may an incremental build validate just the rows that changed since
    (a ``--no-quality`` build publishes marts the suite never saw).
    """
    try:
        row = con.execute(
            "select expectations_evaluated, expectations_failed from meta.build_runs "
            "where status = 'published' order by finished_at desc limit 1"
        ).fetchone()
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    return bool(row) and (row[0] or 0) > 0 and (row[1] or 0) == 0
