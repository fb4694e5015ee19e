"""The DuckDB warehouse: connections and the ``raw`` landing schema.

Raw tables are created here, by the loaders, never by dbt: dbt reads them as
sources. Every loader writes one load inside one transaction (see
:func:`transaction`), so a failed load leaves the warehouse as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from loaders.config import warehouse_path

RAW_DDL: tuple[str, ...] = (
    "create schema if not exists raw",
    """
    create table if not exists raw.load_log (
        load_id varchar primary key,
        kind varchar not null,              -- documents | statistics
        path varchar not null,              -- file loaded
        content_hash varchar,               -- sha256 of the file's bytes
        rows_read integer not null default 0,
        rows_landed integer not null default 0,
        rows_rejected integer not null default 0,
        status varchar not null,            -- loaded | unchanged | replaced | failed
        message varchar,
        started_at timestamp not null,
        finished_at timestamp
    )
    """,
    """
    create table if not exists raw.documents (
        doc_id varchar primary key,
        content_hash varchar not null,
        source_path varchar not null,
        file_format varchar,
        encoding varchar,
        title varchar,
        issuer varchar,
        region varchar,
        region_code varchar,
        published_on date,
        doc_type varchar,
        plan_start_year integer,
        plan_end_year integer,
        text varchar not null,
        target_count integer not null,
        load_id varchar not null,
        loaded_at timestamp not null
    )
    """,
    """
    create table if not exists raw.policy_targets (
        doc_id varchar not null,
        target_seq integer not null,        -- 1-based order of the record in the document
        status varchar not null,
        region varchar,
        region_code varchar,
        indicator_text varchar not null,
        indicator_code varchar,
        comparator varchar not null,
        value double not null,
        value_high double,
        unit varchar,
        target_year integer,
        evidence varchar not null,
        char_start integer,
        char_end integer,
        confidence double,
        load_id varchar not null,
        loaded_at timestamp not null,
        primary key (doc_id, target_seq)
    )
    """,
    """
    create table if not exists raw.statistics (
        load_id varchar not null,
        source_file varchar not null,
        sheet varchar,
        source_row integer not null,        -- 1-based row in the file/sheet (header = row 1 of the table)
        source_column varchar,              -- the column the value came from (a wide table's year/indicator label)
        region_name varchar,                -- as written in the file
        region_code varchar not null,       -- 6-digit GB/T 2260 code, 000000 for the country
        indicator_name varchar,             -- as written in the file
        indicator_code varchar not null,
        year integer not null,
        value double,                       -- in the indicator's unit; null = missing
        value_raw varchar,                  -- the cell as written
        unit varchar,                       -- the indicator's unit
        unit_raw varchar,                   -- the unit as written
        qualifier varchar,                  -- null | lower_bound | upper_bound | approximate | missing
        footnote varchar,
        nature varchar not null,            -- reported | estimated
        source_title varchar,
        source_url varchar,
        loaded_at timestamp not null
    )
    """,
    """
    create table if not exists raw.file_hashes (
        path varchar primary key,           -- absolute path of an input file
        size bigint not null,               -- bytes, when hashed
        mtime_ns bigint not null,           -- modification time (ns), when hashed
        content_hash varchar not null       -- sha256 of the bytes (see loaders.filehash)
    )
    """,
    """
    create table if not exists raw.rejected_rows (
        load_id varchar not null,
        source_file varchar not null,
        sheet varchar,
        source_row integer,
        source_column varchar,              -- the value column, for one cell of a wide row
        raw_row json,
        reason varchar not null,
        rejected_at timestamp not null
    )
    """,
)


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (``EDUWH_DB`` or ``warehouse.duckdb``); create the raw schema if writable."""
    db = Path(path) if path is not None else warehouse_path()
    if not read_only:
        db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db), read_only=read_only)
    if not read_only:
        ensure_raw_schema(con)
    return con


#: columns added after a table was first released: (table, column, type). ``create table if not
#: exists`` leaves an older warehouse's table as it was, so each is added where missing.
RAW_MIGRATIONS: tuple[tuple[str, str, str], ...] = (
    ("raw.statistics", "source_column", "varchar"),
    ("raw.rejected_rows", "source_column", "varchar"),
)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, and add any column a newer eduwh expects (idempotent)."""
    for ddl in RAW_DDL:
        con.execute(ddl)
    for table, column, sql_type in RAW_MIGRATIONS:
        con.execute(f"alter table {table} add column if not exists {column} {sql_type}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One load = one transaction: commit on success, roll back on any error."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    else:
        con.execute("commit")


def new_load_id() -> str:
    return uuid.uuid4().hex
