"""The ``eduwh`` command line. Thin: every command calls a library function.

eduwh extract PATH... [--format jsonl|csv]     targets as JSON lines / CSV on stdout, no database
eduwh load documents PATH...                   land documents and their targets in DuckDB
eduwh load statistics PATH...                  land statistics files in DuckDB
eduwh build                                    load data/, run dbt build, print a summary
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from loaders import db
from loaders.build import BuildReport, ExitCode, load_documents, load_statistics_files
from loaders.build import build as run_build
from loaders.buildlock import BuildLock, BuildLocked
from loaders.config import warehouse_path
from loaders.documents.model import TARGET_KEYS, DocumentReadError
from loaders.documents.pipeline import iter_document_paths, process_many
from loaders.events import EventLog
from loaders.query import QueryError, run_query, write_frame
from loaders.served import rollback as rollback_served

app = typer.Typer(
    help="eduwh: Chinese education-policy targets and statistics in DuckDB + dbt.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # a traceback must never print a DSN
)
load_app = typer.Typer(help="Land inputs in the warehouse (raw schema).", no_args_is_help=True)
app.add_typer(load_app, name="load")

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

DbOption = Annotated[Path | None, typer.Option("--db", help="Warehouse file (default: $EDUWH_DB or warehouse.duckdb).")]


class _Bar:
    """A rich progress bar on stderr, driven by (stage, done, total) callbacks."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _Bar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Document files or folders.")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    workers: Annotated[int, typer.Option(help="Processes to extract with (0: one per core for large batches).")] = 0,
) -> None:
    """Clean documents and print every extracted target, one record per line (no database)."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("--format must be jsonl or csv")
    files = iter_document_paths(paths)
    writer: csv.DictWriter[str] | None = None
    failed = 0
    with _Bar() as bar:
        for i, item in enumerate(process_many(files, workers=workers), 1):
            bar("extract", i, len(files))
            if isinstance(item, DocumentReadError):
                err.print(f"[red]error[/red] {item}", highlight=False)
                failed += 1
                continue
            for t in item.targets:
                rec = t.to_dict()
                if fmt == "jsonl":
                    sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
                else:
                    if writer is None:
                        writer = csv.DictWriter(sys.stdout, fieldnames=list(rec.keys()))
                        writer.writeheader()
                    writer.writerow(rec)
    if fmt == "csv" and writer is None:
        csv.writer(sys.stdout).writerow(TARGET_KEYS)
    if failed:
        raise typer.Exit(int(ExitCode.INPUT_REJECTED))


@load_app.command("documents")
def load_documents_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Document files or folders.")],
    db_path: DbOption = None,
    workers: Annotated[int, typer.Option(help="Processes to extract with (0: one per core for large batches).")] = 0,
) -> None:
    """Read, clean and extract documents and land them (idempotent by content hash)."""
    con = db.connect(db_path)
    try:
        with _Bar() as bar:
            results, errors = load_documents(con, paths, workers=workers, progress=bar)
    finally:
        con.close()
    by_status: dict[str, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    for e in errors:
        err.print(f"[red]error[/red] {e}", highlight=False)
    n_targets = sum(r.targets for r in results if r.status in ("loaded", "replaced"))
    err.print(f"documents: {by_status or 'none'}; records landed: {n_targets}", highlight=False)
    if errors:
        raise typer.Exit(int(ExitCode.INPUT_REJECTED))


@load_app.command("statistics")
def load_statistics_cmd(
    paths: Annotated[list[Path], typer.Argument(help="CSV/TSV/XLSX/XLS/Parquet files or folders.")],
    db_path: DbOption = None,
    sheet: Annotated[str | None, typer.Option(help="Only this sheet of a workbook.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML/TOML column mapping for unusual files.")] = None,
    province: Annotated[str | None, typer.Option(help="Province (name or code) to break region-name ties.")] = None,
) -> None:
    """Land statistics files; every row lands or is rejected with its reason."""
    con = db.connect(db_path)
    try:
        with _Bar() as bar:
            results, errors = load_statistics_files(
                con, paths, progress=bar, sheet=sheet, mapping=mapping, province=province
            )
    finally:
        con.close()
    table = Table("file", "status", "read", "landed", "rejected", title="statistics loads")
    for r in results:
        table.add_row(Path(r.path).name, r.status, str(r.rows_read), str(r.rows_landed), str(r.rows_rejected))
    err.print(table)
    for r in results:
        if r.message and r.rows_rejected:
            err.print(f"[yellow]{Path(r.path).name}[/yellow]: {r.message}", highlight=False)
    for e in errors:
        err.print(f"[red]error[/red] {e}", highlight=False)
    if errors or any(r.rows_rejected for r in results):
        raise typer.Exit(int(ExitCode.INPUT_REJECTED))


@app.command()
def build(
    data: Annotated[Path | None, typer.Option(help="Input folder (documents/ and statistics/); default data/.")] = None,
    db_path: DbOption = None,
    select: Annotated[list[str] | None, typer.Option("--select", "-s", help="dbt selection (passed through).")] = None,
    allow_rejected: Annotated[bool, typer.Option(help="Exit 0 even when rows were rejected at load.")] = False,
    workers: Annotated[
        int, typer.Option(help="Processes for document extraction (0: one per core for large batches).")
    ] = 0,
    wait: Annotated[bool, typer.Option(help="Wait for a running build instead of exiting with code 4.")] = False,
    keep: Annotated[int, typer.Option(help="Published generations to keep for `eduwh rollback`.")] = 3,
    quality: Annotated[bool, typer.Option(help="Run the Great Expectations checkpoint after dbt.")] = True,
    log_format: Annotated[str, typer.Option(help="text, or json (JSON lines on stderr, for schedulers).")] = "text",
    dbt_vars: Annotated[
        str | None, typer.Option("--vars", help="dbt vars (YAML), e.g. '{eduwh_as_of_year: 2023}'.")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option(help="Rebuild incremental marts from scratch (automatic when models or seeds change).")
    ] = False,
) -> None:
    """Build on a private copy, run every test, publish atomically only if all pass; print a summary.

    Exit codes: 0 published · 1 not published (a model, an error-severity test or an
    expectation failed) · 2 bad command line · 3 published, but a file was unreadable or
    rows were rejected at load · 4 another build is running.
    """
    events = EventLog(log_format)
    try:
        with _Bar() as bar:
            report = run_build(
                data=data,
                db_path=db_path,
                select=select,
                allow_rejected=allow_rejected,
                workers=workers,
                progress=None if events.is_json else bar,
                wait=wait,
                keep=keep,
                quality=quality,
                events=events,
                dbt_vars=dbt_vars,
                full_refresh=full_refresh,
            )
    except BuildLocked as exc:
        events.emit("build_refused", level="error", reason=str(exc))
        if not events.is_json:
            err.print(f"[red]locked[/red] {exc}", highlight=False)
        raise typer.Exit(int(ExitCode.LOCKED)) from None
    if not events.is_json:
        _print_build_summary(report)
    raise typer.Exit(int(report.exit_code))


def _print_build_summary(report: BuildReport) -> None:
    docs = report.loads.documents
    out.print(
        f"documents: {len(docs)} ({sum(1 for d in docs if d.status in ('loaded', 'replaced'))} changed); "
        f"statistics files: {len(report.loads.statistics)}; rows rejected: {report.rows_rejected}",
        highlight=False,
    )
    for e in report.loads.errors:
        out.print(f"[red]unreadable[/red] {e}", highlight=False)
    for s in report.rejected_samples:
        sheet = f" [{s['sheet']}]" if s.get("sheet") else ""
        out.print(f"[yellow]rejected[/yellow] {s['source_file']}{sheet} row {s['source_row']}: {s['reason']}")
    if report.dbt is not None:
        t = report.dbt.test_counts()
        mode = report.run.dbt_mode if report.run else None
        out.print(
            f"dbt ({mode}): {report.dbt.nodes_run} nodes; tests passed {t['pass']}, warned {t['warn']}, "
            f"failed {t['fail'] + t['error']} (data tests {t['data_tests']}, unit tests {t['unit_tests']})",
            highlight=False,
        )
        for f in report.dbt.failed_tests:
            colour = "yellow" if f.severity == "warn" else "red"
            out.print(f"[{colour}]{f.severity}[/{colour}] {f.name}: {f.failures} rows", highlight=False)
            for row in f.sample[: 2 if f.severity == "warn" else 5]:
                shown = {k.removeprefix("key_"): v for k, v in row.items() if v is not None}
                out.print("    " + ", ".join(f"{k}={v}" for k, v in shown.items()), highlight=False)
        for e in report.dbt.errors:
            out.print(f"[red]error[/red] {e}", highlight=False)
    if report.quality is not None:
        out.print(report.quality.headline(), highlight=False)
        for line in report.quality.summary_lines()[:10]:
            out.print("    " + line, highlight=False)
    table = Table("mart", "rows", title="marts")
    for name, n in report.mart_rows.items():
        table.add_row(name, str(n))
    out.print(table)
    run = report.run
    if run is not None:
        verdict = (
            f"published in {report.publish_seconds:.2f} s (checkpoint + rename)"
            if run.status == "published" and report.publish_seconds is not None
            else "[red]NOT published[/red] (served file unchanged)"
        )
        out.print(f"run {run.run_id}: {verdict}", highlight=False)


@app.command()
def rollback(
    db_path: DbOption = None,
    steps: Annotated[int, typer.Option(help="How many published generations to go back.")] = 1,
) -> None:
    """Serve an earlier published warehouse again (atomic, like a publish)."""
    served = (db_path or warehouse_path()).resolve()
    try:
        with BuildLock(served):
            chosen = rollback_served(served, steps)
    except BuildLocked as exc:
        err.print(f"[red]locked[/red] {exc}", highlight=False)
        raise typer.Exit(int(ExitCode.LOCKED)) from None
    except FileNotFoundError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(int(ExitCode.BUILD_FAILED)) from None
    out.print(f"now serving {chosen.name}", highlight=False)


@app.command()
def query(
    sql: Annotated[str | None, typer.Argument(help="SQL to run read-only.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="An analysis (analyses/x.sql) to compile and run.")
    ] = None,
    db_path: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option("--out", "-o", help="Write the result here.")] = None,
    dbt_vars: Annotated[str | None, typer.Option("--vars", help="dbt vars for an analysis, as YAML/JSON.")] = None,
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Run SQL or an analysis read-only against the served warehouse (never blocks a build)."""
    if (sql is None) == (file is None):
        raise typer.BadParameter("give either SQL or --file")
    served = (db_path or warehouse_path()).resolve()
    try:
        result = run_query(served, sql=sql, analysis=file, dbt_vars=dbt_vars)
    except QueryError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(int(ExitCode.BUILD_FAILED)) from None
    if fmt == "table" and output is None:
        table = Table(*result.columns, title=f"{result.height} rows")
        for row in result.head(limit).iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)
        return
    write_frame(result, fmt if fmt != "table" else "csv", output)


publish_app = typer.Typer(help="Copy the marts to a serving database.", no_args_is_help=True)
app.add_typer(publish_app, name="publish")


@publish_app.command("postgres")
def publish_postgres_cmd(
    dsn: Annotated[
        str,
        typer.Option(
            envvar="EDUWH_PG_DSN",
            show_envvar=True,
            show_default=False,
            help="PostgreSQL DSN (URI or key=value); default $EDUWH_PG_DSN. Never printed.",
        ),
    ],
    db_path: DbOption = None,
    schema: Annotated[str, typer.Option(help="Target schema, replaced atomically.")] = "marts",
    reader_role: Annotated[str, typer.Option(help="Read-only login role for BI tools.")] = "bi_reader",
    table: Annotated[list[str] | None, typer.Option("--table", help="Only these marts (repeatable).")] = None,
) -> None:
    """Publish the marts to PostgreSQL: load a fresh schema, then swap it in atomically.

    The reader role's password comes from $EDUWH_PG_READER_PASSWORD (unchanged when unset).
    Exit codes: 0 published · 1 not published (message on stderr; PostgreSQL unchanged).
    """
    from loaders.publish import PublishError, publish_postgres  # psycopg only when publishing

    try:
        result = publish_postgres(
            db_path or warehouse_path(),
            dsn,
            schema=schema,
            reader_role=reader_role,
            reader_password=os.environ.get("EDUWH_PG_READER_PASSWORD") or None,
            tables=table or None,
        )
    except PublishError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(int(ExitCode.BUILD_FAILED)) from None
    out.print(
        f"published {len(result.tables)} tables, {result.total_rows} rows to schema "
        f"{result.schema} in {result.seconds:.1f} s",
        highlight=False,
    )


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
