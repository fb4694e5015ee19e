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

import contextlib
import importlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from loaders import db
from loaders.audit import (
    BuildRun,
    append_run_log,
    last_published_fingerprint,
    last_published_was_validated,
    project_fingerprint,
    record_in_warehouse,
)
from loaders.buildlock import BuildLock
from loaders.config import data_dir, project_root, warehouse_path
from loaders.documents.load import DocumentLoadResult, load_document_batch, log_failed_document
from loaders.documents.model import DocumentReadError, ProcessedDocument
from loaders.documents.pipeline import iter_document_paths, process_many
from loaders.events import EventLog
from loaders.filehash import HashCache
from loaders.served import clean_stale_work, discard, finalize, publish, start_work_copy, state_dir
from loaders.statistics import load as stats_load
from loaders.transform import DbtChild, DbtOutcome, mart_row_counts, run_dbt


class ExitCode(IntEnum):
    OK = 0
    BUILD_FAILED = 1  # a model failed or an error-severity test failed
    USAGE = 2  # bad command line (typer's own code)
    INPUT_REJECTED = 3  # a file was unreadable or rows were rejected at load
    LOCKED = 4  # another build holds the lock


ProgressHook = Callable[[str, int, int], None]  # (stage, done, total)

#: Documents written per transaction (see ``load_document_batch``): large enough that the
#: per-transaction cost vanishes, small enough that a batch's texts stay a few MB in memory.
DOCUMENT_BATCH = 500
DOCUMENT_BATCH_CHARS = 20_000_000


@dataclass(slots=True)
class LoadSummary:
    documents: list[DocumentLoadResult] = field(default_factory=list)
    statistics: list[Any] = field(default_factory=list)  # loaders.statistics LoadResult
    errors: list[str] = field(default_factory=list)  # one line per unreadable file


@dataclass(slots=True)
class BuildReport:
    loads: LoadSummary
    dbt: DbtOutcome | None
    mart_rows: dict[str, int]
    rejected_samples: list[dict[str, Any]]
    exit_code: ExitCode
    rows_rejected: int = 0
    quality: Any = None  # loaders.quality.QualityReport
    run: BuildRun | None = None
    publish_seconds: float | None = None  # CHECKPOINT + fsync + rename


def load_documents(
    con: Any,
    paths: Iterable[Path],
    *,
    workers: int = 0,
    progress: ProgressHook | None = None,
    trust_file_stats: bool = True,
) -> tuple[list[DocumentLoadResult], list[str]]:
    """Read, clean, extract and land documents; unreadable files are logged, the rest still load.

    A document whose bytes hash to what the warehouse already holds for its doc_id
    is not read again (extraction is the expensive part of a nightly build): it is
    reported ``unchanged`` and nothing is written for it. Its hash is taken from
    ``raw.file_hashes`` while its size and mtime are unchanged (:mod:`loaders.filehash`;
    ``trust_file_stats=False`` hashes every file).
    """
    files = iter_document_paths(list(paths))
    known = dict(con.execute("select doc_id, content_hash from raw.documents").fetchall())
    hashes = HashCache(con, trust=trust_file_stats)
    results: list[DocumentLoadResult] = []
    todo: list[Path] = []
    for path in files:
        try:
            digest: str | None = hashes.digest(path)
        except OSError:
            digest = None  # process_many reports the unreadable file with its reason
        if digest is not None and known.get(path.stem) == digest:
            results.append(DocumentLoadResult("", path.stem, str(path), "unchanged", 0))
        else:
            todo.append(path)
    hashes.save()
    errors: list[str] = []
    done = len(results)
    batch: list[ProcessedDocument] = []
    batch_ids: set[str] = set()
    batch_chars = 0

    def flush() -> None:
        nonlocal batch_chars
        results.extend(load_document_batch(con, batch))
        batch.clear()
        batch_ids.clear()
        batch_chars = 0

    for item in process_many(todo, workers=workers):
        if isinstance(item, DocumentReadError):
            msg = str(item)
            errors.append(msg)
            results.append(log_failed_document(con, item.path or msg, msg))
        elif isinstance(item, ProcessedDocument):
            if item.doc_id in batch_ids:
                flush()  # the same doc_id twice (two folders): the later file replaces the earlier
            batch.append(item)
            batch_ids.add(item.doc_id)
            batch_chars += len(item.text)
            if len(batch) >= DOCUMENT_BATCH or batch_chars >= DOCUMENT_BATCH_CHARS:
                flush()
        done += 1
        if progress:
            progress("documents", done, len(files))
    if batch:
        flush()
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


def current_rejections(con: Any) -> list[str]:
    """Load ids of the statistics loads now in force that rejected rows.

    A file loaded once with rejections stays "unchanged" on later builds; its
    rejected rows are still what the warehouse holds, so every build reports them
    (exit code 3) until the file is corrected.
    """
    rows = con.execute(
        """
        select load_id
        from raw.load_log
        where kind = 'statistics' and status in ('loaded', 'replaced')
        qualify row_number() over (partition by path order by started_at desc) = 1
            and rows_rejected > 0
        """
    ).fetchall()
    return [r[0] for r in rows]


def rejected_samples(con: Any, load_ids: list[str], limit: int = 10) -> tuple[int, list[dict[str, Any]]]:
    if not load_ids:
        return 0, []
    total = con.execute(
        "select count(*) from raw.rejected_rows where list_contains(?, load_id)", [load_ids]
    ).fetchone()[0]
    cur = con.execute(
        """
        select source_file, sheet, source_row, reason
        from raw.rejected_rows
        where list_contains(?, load_id)
        order by source_file, sheet nulls first, source_row
        limit ?
        """,
        [load_ids, limit],
    )
    cols = [d[0] for d in cur.description]
    return int(total), [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _inputs(loads: LoadSummary) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for d in loads.documents:
        out.append({"kind": "document", "path": d.path, "status": d.status, "records": d.targets})
    for r in loads.statistics:
        out.append(
            {
                "kind": "statistics",
                "path": r.path,
                "status": r.status,
                "rows_landed": r.rows_landed,
                "rows_rejected": r.rows_rejected,
            }
        )
    return out


def build(
    *,
    data: Path | None = None,
    db_path: Path | None = None,
    select: list[str] | None = None,
    allow_rejected: bool = False,
    workers: int = 0,
    progress: ProgressHook | None = None,
    wait: bool = False,
    keep: int = 0,
    quality: bool = True,
    events: EventLog | None = None,
    dbt_vars: str | None = None,
    full_refresh: bool = False,
) -> BuildReport:
    """Build on a private copy of the served warehouse and publish it only if every check passes.

    Raises :class:`loaders.buildlock.BuildLocked` when another build holds the lock
    (unless ``wait``). See :mod:`loaders.served` for why readers never see a
    half-built warehouse.
    """
    data = data or data_dir()
    served = (db_path or warehouse_path()).resolve()
    run = BuildRun(run_id=uuid.uuid4().hex[:12], started_at=_now(), dbt_selection=" ".join(select or []) or None)
    events = events or EventLog("text")
    events.run_id = run.run_id
    target_dir = served.parent / "target"
    loads = LoadSummary()
    outcome: DbtOutcome | None = None
    quality_report: Any = None
    rows: dict[str, int] = {}
    n_rejected, samples = 0, []
    publish_seconds: float | None = None
    with BuildLock(served, wait=wait) as lock:
        if lock.took_over:
            events.emit("lock_taken_over", level="warning", previous=lock.took_over.describe())
        clean_stale_work(served)
        copy = start_work_copy(served, run.run_id)
        events.emit("build_started", served=str(served), work=str(copy.path))
        dbt_child = DbtChild()  # imports dbt while the inputs load
        try:
            con = db.connect(copy.path)
            try:
                doc_dir, stat_dir = data / "documents", data / "statistics"
                if doc_dir.exists():
                    loads.documents, errs = load_documents(
                        con, [doc_dir], workers=workers, progress=progress, trust_file_stats=not full_refresh
                    )
                    loads.errors += errs
                if stat_dir.exists():
                    loads.statistics, errs = load_statistics_files(con, [stat_dir], progress=progress)
                    loads.errors += errs
                n_rejected, samples = rejected_samples(con, current_rejections(con))
                run.project_fingerprint = project_fingerprint(project_root())
                if last_published_fingerprint(con) != run.project_fingerprint:
                    full_refresh = True  # models, macros or seeds changed (or a first build)
                served_validated = last_published_was_validated(con)
            finally:
                con.close()
            run.dbt_mode = "full_refresh" if full_refresh else "incremental"
            events.emit(
                "inputs_loaded",
                documents=len(loads.documents),
                statistics_files=len(loads.statistics),
                unreadable=len(loads.errors),
                rows_rejected=n_rejected,
            )

            args = ["build"]
            if select:
                args += ["--select", *select]
            if dbt_vars:
                args += ["--vars", dbt_vars]
            if full_refresh:
                args += ["--full-refresh"]
            else:
                # dbt unit tests check the models' SQL on fixed inputs, not the data: they ran
                # (and passed) in the full-refresh build that published these same models and
                # seeds, so an incremental build skips them, as dbt advises for production runs
                args += ["--exclude-resource-type", "unit_test"]
            if progress:
                progress("dbt build", 0, 1)
            gx_import = _prefetch_quality() if quality else None
            outcome = run_dbt(args, copy.path, target_dir=target_dir, child=dbt_child)
            if progress:
                progress("dbt build", 1, 1)
            t = outcome.test_counts()
            events.emit(
                "dbt_finished",
                success=outcome.success,
                mode=run.dbt_mode,
                **{k: t[k] for k in ("pass", "warn", "fail", "error")},
            )

            if outcome.success and quality:
                if gx_import is not None:
                    gx_import.join()
                from loaders.quality import run_checkpoint

                # incremental: same models and seeds as the served build, whose marts this suite
                # validated, so only rows new or changed since then need validating
                delta = run.dbt_mode == "incremental" and served_validated and not select and not dbt_vars
                baseline = served if delta else None
                quality_report = run_checkpoint(copy.path, target_dir / "gx_docs", baseline=baseline)
                events.emit(
                    "quality_finished",
                    success=quality_report.success,
                    rows_validated="changed" if quality_report.changed_rows_only else "all",
                    **quality_report.counts,
                )

            con = db.connect(copy.path)
            try:
                rows = mart_row_counts(con)
                ok = outcome.success and (quality_report is None or quality_report.success)
                run.inputs = _inputs(loads)
                run.mart_rows = rows
                run.tests_passed, run.tests_warned = t["pass"], t["warn"]
                run.tests_failed = t["fail"] + t["error"]
                run.unit_tests = t["unit_tests"]
                if quality_report is not None:
                    run.expectations_evaluated = quality_report.evaluated
                    run.expectations_failed = quality_report.failed_error
                if ok:
                    run.status = "published"
                    run.finished_at = _now()
                    run.exit_code = int(
                        ExitCode.INPUT_REJECTED if loads.errors or (n_rejected and not allow_rejected) else ExitCode.OK
                    )
                    record_in_warehouse(con, run)
            finally:
                con.close()
            if ok:
                t0 = time.perf_counter()
                finalize(copy.path)
                publish(copy, keep=keep)
                publish_seconds = time.perf_counter() - t0
                events.emit("published", served=str(served), marts=rows, publish_seconds=round(publish_seconds, 3))
            else:
                discard(copy)
                run.status = "failed"
                run.message = "; ".join(
                    (outcome.errors if outcome else [])
                    + [
                        f"test failed: {f.name}"
                        for f in (outcome.failed_tests if outcome else [])
                        if f.severity == "error"
                    ]
                    + ([] if quality_report is None or quality_report.success else quality_report.summary_lines()[:5])
                )[:4000]
                events.emit("not_published", level="error", reason=run.message)
        except BaseException as exc:
            dbt_child.close()
            discard(copy)
            run.status = "failed"
            run.message = f"{type(exc).__name__}: {exc}"[:4000]
            run.finished_at = _now()
            append_run_log(state_dir(served) / "build_runs.jsonl", run)
            raise

    code = ExitCode(run.exit_code or 0) if run.status == "published" else ExitCode.BUILD_FAILED
    run.finished_at = run.finished_at or _now()
    run.exit_code = int(code)
    append_run_log(state_dir(served) / "build_runs.jsonl", run)
    events.emit("build_finished", exit_code=int(code), status=run.status)
    return BuildReport(loads, outcome, rows, samples, code, n_rejected, quality_report, run, publish_seconds)


def _failure_message(outcome: DbtOutcome | None, quality_report: Any) -> str:
    parts: list[str] = []
    if outcome is not None:
        parts += outcome.errors
        parts += [f"test failed: {f.name}" for f in outcome.failed_tests if f.severity == "error"]
    if quality_report is not None and not quality_report.success:
        parts += quality_report.summary_lines()[:5]
    return "; ".join(parts)[:4000]


def _prefetch_quality() -> threading.Thread:
    """Import Great Expectations (~4 s) in a thread while dbt runs in its child process.

    The build process only waits for dbt meanwhile, so the import costs no wall time
    on a machine with a second core. An import error is left for the real import to raise.
    """

    def target() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module("loaders.quality.checkpoint")

    thread = threading.Thread(target=target, name="eduwh-gx-import", daemon=True)
    thread.start()
    return thread


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
