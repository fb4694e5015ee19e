"""Read-only queries for analysts: ``eduwh query "SQL"`` and ``eduwh query --file analyses/x.sql``.

The served warehouse is opened ``read_only``: many readers may share it, and a
build never writes it (builds work on a private copy and publish by rename, see
:mod:`loaders.served`), so a query never blocks a build nor is blocked by one.
An analysis file is compiled by dbt (refs → tables) without opening the served
file at all. Results come back as a polars DataFrame and can be written as CSV,
JSON (lines) or Parquet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import polars as pl
import yaml

from loaders.transform import compile_analysis


class QueryError(RuntimeError):
    """A query that cannot run (one line: why)."""


def run_query(
    served: Path, *, sql: str | None = None, analysis: Path | None = None, dbt_vars: str | None = None
) -> pl.DataFrame:
    if not served.exists():
        raise QueryError(f"{served}: no warehouse here yet; run `eduwh build` first")
    if analysis is not None:
        vars_dict = yaml.safe_load(dbt_vars) if dbt_vars else None
        if vars_dict is not None and not isinstance(vars_dict, dict):
            raise QueryError("--vars must be a mapping, e.g. '{analysis_indicator: preschool_ger}'")
        try:
            sql = compile_analysis(analysis.stem, served, dbt_vars=vars_dict)
        except RuntimeError as exc:
            raise QueryError(str(exc)) from exc
    assert sql is not None
    try:
        con = duckdb.connect(str(served), read_only=True)
    except duckdb.Error as exc:
        raise QueryError(f"{served.name}: {str(exc).splitlines()[0]}") from exc
    try:
        rel = con.sql(sql)
        if rel is None:  # a statement without a result (e.g. SET): nothing to show
            return pl.DataFrame()
        return pl.from_arrow(rel.to_arrow_table())  # type: ignore[return-value]
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()


def write_frame(frame: pl.DataFrame, fmt: str, output: Path | None) -> None:
    """Write a result as csv / json (one object per line) / parquet to a file or stdout."""
    if fmt == "csv":
        if output is None:
            sys.stdout.write(frame.write_csv())
        else:
            frame.write_csv(output)
    elif fmt == "json":
        if output is None:
            sys.stdout.write(frame.write_ndjson())
        else:
            frame.write_ndjson(output)
    elif fmt == "parquet":
        if output is None:
            raise QueryError("--format parquet needs --out FILE")
        frame.write_parquet(output)
    else:
        raise QueryError(f"unknown format {fmt!r}: use table, csv, json or parquet")
