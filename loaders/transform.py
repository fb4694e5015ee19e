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

import multiprocessing
import os
import shutil
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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

    def test_counts(self) -> dict[str, int]:
        """Data tests and unit tests together: pass / warn / fail / error, and how many of each kind ran."""
        out = {"pass": 0, "warn": 0, "fail": 0, "error": 0, "skipped": 0, "data_tests": 0, "unit_tests": 0}
        for key, n in self.counts.items():
            kind, status = key.split(":", 1)
            if kind not in ("test", "unit_test"):
                continue
            out["data_tests" if kind == "test" else "unit_tests"] += n
            out[status if status in out else "skipped"] += n
        return out


def _env(db_path: Path) -> None:
    """Point dbt at ``db_path`` (child process only).

    The profile reads ``EDUWH_DB``; dbt re-parses the whole project whenever the
    rendered profile changes. Builds run on work copies in fresh folders, so the
    child moves into the warehouse's folder and names the file relatively: the
    profile then stays the same from build to build and dbt's partial parsing
    (see :func:`_reuse_partial_parse`) saves several seconds a build.
    """
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(db_path.parent)
    os.environ["EDUWH_DB"] = db_path.name
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("DO_NOT_TRACK", "1")


_PARTIAL_PARSE = "partial_parse.msgpack"


def _reuse_partial_parse(target: Path, *, save: bool) -> None:
    """Share dbt's parse cache between target folders (one per served warehouse).

    Before a run, a target folder without a cache gets the project's last one;
    after, its cache becomes the project's. dbt checks every file's hash against
    the cache and re-parses what changed, so a stale cache costs time, never
    correctness.
    """
    shared = project_root() / "target" / _PARTIAL_PARSE
    local = target / _PARTIAL_PARSE
    try:
        if save:
            if local.exists() and local.resolve() != shared.resolve():
                shared.parent.mkdir(parents=True, exist_ok=True)
                tmp = shared.with_suffix(f".{os.getpid()}.tmp")
                shutil.copyfile(local, tmp)
                os.replace(tmp, shared)
        elif not local.exists() and shared.exists():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shared, local)
    except OSError:
        pass  # only a cache


def run_dbt(
    args: list[str],
    db_path: Path,
    *,
    project_dir: Path | None = None,
    target_dir: Path | None = None,
    quiet: bool = True,
    child: DbtChild | None = None,
) -> DbtOutcome:
    """Run one dbt command (e.g. ``["build"]``) against ``db_path`` and collect the outcome.

    ``child``: a :class:`DbtChild` started earlier (dbt already imported); else a fresh one.
    """
    project_dir = project_dir or project_root()
    cli = [
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]
    if args and args[0] in _TARGET_COMMANDS:
        # each served warehouse keeps its dbt artefacts beside it (the default warehouse in the
        # project root → ./target), so builds of different warehouses never share a target dir
        target = target_dir or db_path.resolve().parent / "target"
        cli += ["--target-path", str(target), "--log-path", str(target.parent / "logs")]
        _reuse_partial_parse(target, save=False)
    if quiet:
        cli = ["--quiet", *cli]
    db_arg = str(db_path.resolve())
    payload = child.run(_invoke, cli, db_arg) if child is not None else _in_child(_invoke, cli, db_arg)
    if args and args[0] in _TARGET_COMMANDS:
        _reuse_partial_parse(target, save=True)
    counts: Counter[str] = Counter()
    failed: list[FailedTest] = []
    errors: list[str] = list(payload["errors"])
    for r in payload["results"]:
        kind, status = r["kind"], r["status"]
        counts[f"{kind}:{status}"] += 1
        if kind in ("test", "unit_test") and status in ("fail", "warn", "error"):
            failed.append(
                FailedTest(
                    name=r["name"],
                    severity="warn" if status == "warn" else "error",
                    failures=r["failures"],
                    message=r["message"],
                    sample=_sample_failures(db_path, r["compiled_code"]) if kind == "test" else [],
                )
            )
        elif status == "error":
            errors.append(f"{kind} {r['name']}: {r['message']}")
    results = payload["results"]
    return DbtOutcome(
        success=bool(payload["success"]) and not errors,
        counts=counts,
        failed_tests=failed,
        errors=errors,
        nodes_run=len(results),
    )


class DbtChild:
    """A spawned process that imports dbt ahead of the one dbt command it will run.

    Importing dbt and its DuckDB adapter takes seconds; a build starts this child before
    it loads its inputs, so the import overlaps the loading instead of following it (on an
    incremental build, the import was a fifth of the dbt step). Single use: the process
    runs one command and exits, because dbt-duckdb holds the warehouse open for the life
    of the process that ran it. The import touches no database file.
    """

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=1, mp_context=ctx, initializer=_die_with_parent
        )
        self._pool.submit(_preload_dbt)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in the child, then end it."""
        if self._pool is None:
            raise RuntimeError("DbtChild runs one command only")
        try:
            return self._pool.submit(fn, *args).result()
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> DbtChild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _preload_dbt() -> None:
    """Child side: import dbt's runner and the DuckDB adapter (no connection is opened)."""
    import dbt.adapters.duckdb
    import dbt.cli.main  # noqa: F401


def _in_child(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in a fresh (spawned) process and return its result.

    dbt-duckdb keeps its DuckDB instance open for the life of the process that ran
    dbt; running the dbt Python API in a child process releases the warehouse file
    the moment dbt is done, keeps dbt's memory out of the caller, and lets the caller
    open the file again (read-only or not) right after.
    """
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_die_with_parent) as pool:
        return pool.submit(fn, *args).result()


def _die_with_parent() -> None:
    """Child initializer: if the build is killed (even SIGKILL), take dbt down with it (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def _invoke(cli: list[str], db_path: str) -> dict[str, Any]:
    """Child-process side: run dbt through its Python API, return a picklable summary."""
    # dbt prints to stdout (``compile`` of one node prints its SQL even with --quiet); the
    # caller's stdout belongs to eduwh's own output (query results, JSON), so send dbt's to stderr
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from dbt.cli.main import dbtRunner  # imported here: ~1 s, and only in the child

    _env(Path(db_path))
    res = dbtRunner().invoke(cli)
    out: list[dict[str, Any]] = []
    for r in getattr(res.result, "results", None) or []:
        node = r.node
        out.append(
            {
                "kind": str(getattr(node.resource_type, "value", node.resource_type)),
                "name": str(node.name),
                "status": str(getattr(r.status, "value", r.status)),
                "failures": int(getattr(r, "failures", 0) or 0),
                "message": str(r.message or ""),
                "compiled_code": getattr(node, "compiled_code", None),
            }
        )
    return {
        "success": bool(res.success),
        "results": out,
        "errors": [f"dbt: {res.exception}"] if res.exception is not None else [],
    }


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


def compile_analysis(
    name: str, db_path: Path, *, dbt_vars: dict[str, Any] | None = None, project_dir: Path | None = None
) -> str:
    """Compile one analysis (``analyses/<name>.sql``) with dbt and return its SQL."""
    stem = Path(name).stem
    return compile_analyses([stem], db_path, dbt_vars=dbt_vars, project_dir=project_dir)[stem]


def compile_analyses(
    names: list[str] | None,
    db_path: Path,
    *,
    dbt_vars: dict[str, Any] | None = None,
    project_dir: Path | None = None,
) -> dict[str, str]:
    """Compile analyses (all of ``analyses/`` when ``names`` is None) in one dbt call.

    dbt renders a ref as ``"<catalog>"."<schema>"."<table>"``, where DuckDB names the
    catalog after the file's stem. Compiling needs no data, so it runs against an
    empty scratch database *with the same file name* in a temporary folder: the
    served warehouse is never opened (it may be serving readers, or a build may hold
    it) and the compiled SQL still names the right catalog. dbt's artefacts go to
    ``target/compile`` in the project so partial parsing keeps repeat calls fast.
    """
    import json
    import tempfile

    project_dir = project_dir or project_root()
    selectors = [f"path:analyses/{Path(n).stem}.sql" for n in names] if names else ["path:analyses"]
    with tempfile.TemporaryDirectory(prefix="eduwh-compile-") as tmp:
        scratch = Path(tmp) / Path(db_path).name
        args = [
            "--quiet",
            "compile",
            "--select",
            *selectors,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(project_dir / "target" / "compile"),
            "--log-path",
            str(Path(tmp) / "logs"),
            "--no-populate-cache",
        ]
        if dbt_vars:
            args += ["--vars", json.dumps(dbt_vars)]
        payload = _in_child(_invoke, args, str(scratch))
    out = {r["name"]: str(r["compiled_code"]) for r in payload["results"] if r["compiled_code"]}
    missing = [Path(n).stem for n in names or [] if Path(n).stem not in out]
    if not payload["success"] or missing or not out:
        raise RuntimeError(
            f"could not compile analyses {missing or ''}: {payload['errors'] or 'not found in analyses/'}"
        )
    return out
