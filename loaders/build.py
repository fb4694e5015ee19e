"""``eduwh build``: load the configured inputs, run ``dbt build``, summarise.

The steps are plain library functions so the CLI stays thin and tests can call
them directly:

1. land every document under ``<data>/documents`` (idempotent per file),
2. land every statistics file under ``<data>/statistics`` (idempotent per file),
3. ``dbt build`` (seeds, models, data tests, unit tests),
4. count the rows of every mart.

Exit codes a scheduler can act on are in :class:`ExitCode`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from loaders import db
from loaders.config import data_dir, warehouse_path
from loaders.documents.load import DocumentLoadResult, load_document, log_failed_document
from loaders.documents.model import DocumentReadError, ProcessedDocument
from loaders.documents.pipeline import iter_document_paths, process_many
from loaders.statistics import load as stats_load
from loaders.transform import DbtOutcome, mart_row_counts, run_dbt


class ExitCode(IntEnum):
    OK = 0
    BUILD_FAILED = 1  # a model failed or an error-severity test failed
    USAGE = 2  # bad command line (typer's own code)
    INPUT_REJECTED = 3  # a file was unreadable or rows were rejected at load
    LOCKED = 4  # another build holds the lock


ProgressHook = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class LoadSummary:
    documents: list[DocumentLoadResult] = field(default_factory=list)
    statistics: list[Any] = field(default_factory=list)  # loaders.statistics LoadResult
    errors: list[str] = field(default_factory=list)  # one line per unreadable file

    @property
    def rejected_rows(self) -> int:
        return sum(int(getattr(r, "rows_rejected", 0) or 0) for r in self.statistics)


@dataclass(slots=True)
class BuildReport:
    loads: LoadSummary
    dbt: DbtOutcome | None
    mart_rows: dict[str, int]
    rejected_samples: list[dict[str, Any]]
    exit_code: ExitCode


def load_documents(
    con: Any, paths: Iterable[Path], *, workers: int = 1, progress: ProgressHook | None = None
) -> tuple[list[DocumentLoadResult], list[str]]:
    """Read, clean, extract and land documents; unreadable files are logged, the rest still load."""
    files = iter_document_paths(list(paths))
    results: list[DocumentLoadResult] = []
    errors: list[str] = []
    for i, item in enumerate(process_many(files, workers=workers), 1):
        if isinstance(item, DocumentReadError):
            msg = str(item)
            errors.append(msg)
            results.append(log_failed_document(con, getattr(item, "path", "") or msg.split(":")[0], msg))
        elif isinstance(item, ProcessedDocument):
            results.append(load_document(con, item))
        if progress:
            progress("documents", i, len(files))
    return results, errors


def load_statistics_files(
    con: Any, paths: Iterable[Path], *, progress: ProgressHook | None = None, **options: Any
) -> tuple[list[Any], list[str]]:
    files = stats_load.iter_statistics_paths(list(paths))
    results: list[Any] = []
    errors: list[str] = []
    for i, path in enumerate(files, 1):
        try:
            results.append(stats_load.load_statistics(con, path, **options))
        except stats_load.StatisticsFileError as exc:
            errors.append(str(exc))
        if progress:
            progress("statistics", i, len(files))
    return results, errors


def rejected_samples(con: Any, load_ids: list[str], limit: int = 10) -> list[dict[str, Any]]:
    if not load_ids:
        return []
    cur = con.execute(
        """
        select source_file, sheet, source_row, reason
        from raw.rejected_rows
        where list_contains(?, load_id)
        order by source_file, source_row
        limit ?
        """,
        [load_ids, limit],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def build(
    *,
    data: Path | None = None,
    db_path: Path | None = None,
    select: list[str] | None = None,
    allow_rejected: bool = False,
    workers: int = 1,
    progress: ProgressHook | None = None,
) -> BuildReport:
    data = data or data_dir()
    db_path = db_path or warehouse_path()
    loads = LoadSummary()
    con = db.connect(db_path)
    try:
        doc_dir, stat_dir = data / "documents", data / "statistics"
        if doc_dir.exists():
            loads.documents, errs = load_documents(con, [doc_dir], workers=workers, progress=progress)
            loads.errors += errs
        if stat_dir.exists():
            loads.statistics, errs = load_statistics_files(con, [stat_dir], progress=progress)
            loads.errors += errs
        samples = rejected_samples(con, [r.load_id for r in loads.statistics if getattr(r, "rows_rejected", 0)])
    finally:
        con.close()

    args = ["build"]
    if select:
        args += ["--select", *select]
    if progress:
        progress("dbt build", 0, 1)
    outcome = run_dbt(args, db_path)
    if progress:
        progress("dbt build", 1, 1)

    con = db.connect(db_path, read_only=True)
    try:
        rows = mart_row_counts(con)
    finally:
        con.close()

    if not outcome.success:
        code = ExitCode.BUILD_FAILED
    elif loads.errors or (loads.rejected_rows and not allow_rejected):
        code = ExitCode.INPUT_REJECTED
    else:
        code = ExitCode.OK
    return BuildReport(loads, outcome, rows, samples, code)
