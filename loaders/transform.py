"""Run dbt (seeds, models, tests) through dbt's Python API and summarise the result.

dbt is invoked in-process with :class:`dbt.cli.main.dbtRunner`, with the
project's own ``profiles.yml`` and ``EDUWH_DB`` set to an absolute path, so the
result objects (status, failures, compiled SQL of each test) are at hand: when a
test fails, its compiled query is run again on the warehouse to show the rows
that broke the rule (which indicator, which row), not just a count.

(This module is deliberately not called ``dbt_*.py``: dbt's adapter plugin scan
imports modules of that name twice.)
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from loaders.config import project_root

#: dbt commands that accept --target-path / --log-path
_TARGET_COMMANDS = frozenset({"build", "run", "test", "seed", "compile", "parse", "docs", "source", "ls", "list"})

#: marts whose row counts the build summary reports
MART_SCHEMA = "marts"


@dataclass(slots=True)
class FailedTest:
    name: str
    severity: str  # error | warn
    failures: int
    message: str
    sample: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class DbtOutcome:
    success: bool
    counts: Counter[str]  # pass / warn / fail / error / skip for tests; success/error for models
    failed_tests: list[FailedTest]
    errors: list[str]  # model/seed errors and dbt exceptions
    nodes_run: int


def _env(db_path: Path) -> None:
    os.environ["EDUWH_DB"] = str(db_path.resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def run_dbt(
    args: list[str],
    db_path: Path,
    *,
    project_dir: Path | None = None,
    quiet: bool = True,
) -> DbtOutcome:
    """Run one dbt command (e.g. ``["build"]``) against ``db_path`` and collect the outcome."""
    from dbt.cli.main import dbtRunner  # imported lazily: dbt takes ~1 s to import

    project_dir = project_dir or project_root()
    _env(db_path)
    cli = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]
    if args and args[0] in _TARGET_COMMANDS:
        # each warehouse keeps its own dbt artefacts beside it (the default warehouse in the
        # project root → ./target), so builds of different warehouses never share a target dir
        cli += ["--target-path", str(db_path.resolve().parent / "target")]
        cli += ["--log-path", str(db_path.resolve().parent / "logs")]
    if quiet:
        cli = ["--quiet", *cli]
    res = dbtRunner().invoke(cli)
    counts: Counter[str] = Counter()
    failed: list[FailedTest] = []
    errors: list[str] = []
    results = getattr(res.result, "results", None) or []
    for r in results:
        node = r.node
        status = str(getattr(r.status, "value", r.status))
        kind = str(getattr(node.resource_type, "value", node.resource_type))
        counts[f"{kind}:{status}"] += 1
        if kind == "test" and status in ("fail", "warn", "error"):
            failed.append(
                FailedTest(
                    name=node.name,
                    severity="warn" if status == "warn" else "error",
                    failures=int(r.failures or 0),
                    message=str(r.message or ""),
                    sample=_sample_failures(db_path, getattr(node, "compiled_code", None)),
                )
            )
        elif status == "error":
            errors.append(f"{kind} {node.name}: {r.message}")
    if res.exception is not None:
        errors.append(f"dbt: {res.exception}")
    return DbtOutcome(
        success=bool(res.success) and not errors,
        counts=counts,
        failed_tests=failed,
        errors=errors,
        nodes_run=len(results),
    )


def _sample_failures(db_path: Path, sql: str | None, limit: int = 5) -> list[dict[str, Any]]:
    """Re-run a failing test's compiled query to show which rows broke the rule."""
    if not sql:
        return []
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return []
    try:
        cur = con.execute(f"select * from ({sql}) as failing limit {int(limit)}")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in every table of the marts schema."""
    names = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name",
            [MART_SCHEMA],
        ).fetchall()
    ]
    out: dict[str, int] = {}
    for name in names:
        ident = '"' + name.replace('"', '""') + '"'
        out[name] = int(con.execute(f"select count(*) from {MART_SCHEMA}.{ident}").fetchone()[0])
    return out
