"""Land one statistics file in DuckDB: one load, one transaction, nothing lost.

* Every observation read ends in ``raw.statistics`` or, with its reason, in
  ``raw.rejected_rows``; ``raw.load_log`` records rows read/landed/rejected and
  the status. ``rows_read == rows_landed + rows_rejected`` always (see
  :mod:`loaders.statistics.prepare` for what a row is).
* Idempotent per file: the same bytes (sha256) again → ``unchanged``, nothing
  written but a log line; a corrected file at the same path → ``replaced``:
  its old rows are deleted and the new ones inserted in the same transaction.
* A file unreadable as a whole raises :class:`StatisticsFileError` (one line,
  naming the file); the warehouse's data is untouched and a ``failed``
  load_log row is written in its own transaction.
* SQL never sees a value from a file: rows go in through a registered polars
  frame (Arrow) and every other value — the load's id, the path, a column
  that holds one value throughout — is a ``?`` parameter.

**The identity of a load** is the file's path (relative to the project root
when inside it), plus ``#<sheet>`` when only one sheet of a workbook is
loaded. The content hash covers the file's bytes and, when given, the mapping
file's bytes and the province, so that fixing a mapping reloads an unchanged
data file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from loaders.config import project_root
from loaders.db import new_load_id, transaction
from loaders.indicators import indicators as load_indicators
from loaders.regions import RegionIndex, region_index
from loaders.statistics.errors import StatisticsFileError
from loaders.statistics.mapping import Mapping, find_mapping, is_mapping_file, read_mapping
from loaders.statistics.prepare import REJECTED_COLUMNS, STATISTICS_COLUMNS, Prepared, prepare
from loaders.statistics.read import FOLDER_SUFFIXES

__all__ = ["LoadResult", "StatisticsFileError", "iter_statistics_paths", "load_statistics"]

KIND = "statistics"
_SUCCESS = ("loaded", "replaced")


@dataclass(frozen=True, slots=True)
class LoadResult:
    """The outcome of one :func:`load_statistics` call (also a row of ``raw.load_log``)."""

    load_id: str
    path: str
    status: str  # loaded | unchanged | replaced | failed
    rows_read: int
    rows_landed: int
    rows_rejected: int
    message: str = ""


def iter_statistics_paths(paths: Iterable[Path | str]) -> list[Path]:
    """The statistics files under ``paths`` (files as given, folders searched recursively).

    Skips mapping files, hidden files, Excel lock files (``~$book.xlsx``) and, in
    folders, ``.txt`` files (a README is not a table; name a ``.txt`` export explicitly);
    sorted and de-duplicated so a build loads in a stable order. A path that
    does not exist is an error naming it.
    """
    out: dict[Path, None] = {}
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if (
                    f.is_file()
                    and f.suffix.lower() in FOLDER_SUFFIXES
                    and not is_mapping_file(f)
                    and not any(part.startswith(".") for part in rel)
                    and not f.name.startswith("~$")
                ):
                    out[f] = None
        elif p.is_file():
            out[p] = None
        else:
            raise StatisticsFileError(p, "no such file or folder")
    return sorted(out)


def source_key(path: Path) -> str:
    """How a file is named in the warehouse: relative to the project root if inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(project_root().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _warm_up_validation() -> None:
    """Import pandera (~0.7 s of pure Python, it pulls in pandas) on a side thread.

    Why: the first load of a process would otherwise pay it up front; this way it
    overlaps with reading and parsing the file, which polars does outside the GIL.
    The import lock makes the validation step wait for it if it is not done yet.
    """
    if "loaders.statistics.schema" not in sys.modules:
        threading.Thread(target=_import_validation, name="eduwh-warm-up", daemon=True).start()


def _import_validation() -> None:
    # Python's cyclic GC would run dozens of times while pandera and pandas import (hundreds of
    # thousands of new objects, none of them garbage): paused for the import, ~0.1 s of CPU saved.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        # a warm-up only saves time: should it fail, the validation itself imports again and reports
        with contextlib.suppress(Exception):
            importlib.import_module("loaders.statistics.schema").warm_up()
    finally:
        if paused:
            gc.enable()


def load_statistics(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Path | None = None,
    province: str | None = None,
    regions: RegionIndex | None = None,
) -> LoadResult:
    """Land one file (see the module docstring). ``regions`` is for tests; default the seed's."""
    _warm_up_validation()
    path = Path(path)
    load_id = new_load_id()
    started = _now()
    source_file = source_key(path)
    key = source_file
    try:
        data = path.read_bytes()
        mapping_path = Path(mapping) if mapping is not None else find_mapping(path)
        spec = read_mapping(mapping_path, data_path=path) if mapping_path is not None else Mapping()
        sheet = sheet if sheet is not None else spec.sheet
        province = province if province is not None else spec.province
        key = source_file if sheet is None else f"{source_file}#{sheet}"
    except OSError as exc:
        err = StatisticsFileError(path, f"cannot read: {exc.strerror or exc}")
        _log_failure(con, load_id, key, None, started, str(err))
        raise err from exc
    except StatisticsFileError as exc:
        _log_failure(con, load_id, key, None, started, str(exc))
        raise

    previous = _latest_success(con, source_file)
    if previous is None:
        # a file never loaded cannot be unchanged: hash it while it is parsed (both outside the GIL)
        content_hash_of = _hash_in_background(data, spec, province)
    else:
        content_hash = _content_hash(data, spec, province)
        content_hash_of = lambda: content_hash  # noqa: E731
        if previous[1] == key and previous[2] == content_hash:
            message = f"unchanged since load {previous[0]}"
            with transaction(con):
                _log(con, load_id, key, content_hash, 0, 0, 0, "unchanged", message, started)
            return LoadResult(load_id, key, "unchanged", 0, 0, 0, message)

    try:
        prepared = prepare(
            path,
            data,
            sheet=sheet,
            mapping=spec,
            province=province,
            indicators=load_indicators(),
            regions=regions or region_index(),
        )
    except StatisticsFileError as exc:
        _log_failure(con, load_id, key, content_hash_of(), started, str(exc))
        raise
    except Exception as exc:  # a bug must not take the other files of a build down with it
        err = StatisticsFileError(path, f"internal error while reading: {type(exc).__name__}: {exc}")
        _log_failure(con, load_id, key, content_hash_of(), started, str(err))
        raise err from exc

    content_hash = content_hash_of()
    message = _message(prepared)
    try:
        with transaction(con):
            existing = _count_existing(con, source_file, sheet)
            status = "replaced" if existing or (previous is not None and _same_scope(previous[1], key)) else "loaded"
            _delete_existing(con, source_file, sheet)
            _insert(con, load_id, source_file, prepared)
            _log(
                con,
                load_id,
                key,
                content_hash,
                prepared.rows_read,
                prepared.landed.height,
                prepared.rejected.height,
                status,
                message,
                started,
            )
    except duckdb.Error as exc:
        err = StatisticsFileError(path, f"warehouse write failed, nothing landed: {exc}")
        _log_failure(con, load_id, key, content_hash, started, str(err))
        raise err from exc
    return LoadResult(
        load_id, key, status, prepared.rows_read, prepared.landed.height, prepared.rejected.height, message
    )


# --- helpers ---------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _content_hash(data: bytes, spec: Mapping, province: str | None) -> str:
    h = hashlib.sha256(data)
    if spec.raw or province:
        h.update(b"\0mapping\0" + spec.raw + b"\0province\0" + (province or "").encode("utf-8"))
    return h.hexdigest()


def _hash_in_background(data: bytes, spec: Mapping, province: str | None) -> Callable[[], str]:
    """Start :func:`_content_hash` on a thread; the returned function waits for it and gives the hash.

    hashlib releases the GIL on large inputs, so the hash of a 200 MB file costs no wall time
    next to polars reading it.
    """
    out: list[str] = []
    worker = threading.Thread(
        target=lambda: out.append(_content_hash(data, spec, province)), name="eduwh-hash", daemon=True
    )
    worker.start()

    def result() -> str:
        worker.join()
        if not out:  # the thread died (it cannot, short of MemoryError): hash here and raise if it must
            out.append(_content_hash(data, spec, province))
        return out[0]

    return result


def _latest_success(con: duckdb.DuckDBPyConnection, source_file: str) -> tuple[str, str, str] | None:
    """(load_id, path key, content_hash) of the last load that wrote this file's rows."""
    row = con.execute(
        """
        select load_id, path, content_hash from raw.load_log
        where kind = ? and status in ('loaded', 'replaced') and (path = ? or starts_with(path, ?))
        order by started_at desc, finished_at desc
        limit 1
        """,
        [KIND, source_file, source_file + "#"],
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]))


def _same_scope(previous_key: str, key: str) -> bool:
    return previous_key == key or "#" not in key


def _count_existing(con: duckdb.DuckDBPyConnection, source_file: str, sheet: str | None) -> int:
    total = 0
    for table in ("raw.statistics", "raw.rejected_rows"):
        if sheet is None:
            row = con.execute(f"select count(*) from {table} where source_file = ?", [source_file]).fetchone()
        else:
            row = con.execute(
                f"select count(*) from {table} where source_file = ? and sheet = ?", [source_file, sheet]
            ).fetchone()
        total += int(row[0]) if row else 0
    return total


def _delete_existing(con: duckdb.DuckDBPyConnection, source_file: str, sheet: str | None) -> None:
    for table in ("raw.statistics", "raw.rejected_rows"):  # fixed identifiers, values as parameters
        if sheet is None:
            con.execute(f"delete from {table} where source_file = ?", [source_file])
        else:
            con.execute(f"delete from {table} where source_file = ? and sheet = ?", [source_file, sheet])


def _constant_columns(frame: pl.DataFrame) -> dict[str, object]:
    """Columns holding one value (or only nulls) throughout: sent once as parameters, not scanned.

    Why: a long file has no sheet, one nature, often no footnotes or URLs; scanning
    two million copies of the same string through Arrow costs DuckDB real time.
    """
    n = frame.height
    # Expressions, not Series: a column made from a literal (the nature, the sheet …) stays a
    # polars scalar column until something materialises it, and these checks do not.
    nulls = dict(zip(frame.columns, frame.select(pl.all().null_count()).row(0), strict=True)) if n else {}
    full = [c for c in frame.columns if n and nulls[c] == 0]
    # a few spread-out positions: a column that differs there is not constant, with no full scan
    # (min/max over two million strings is what the full check costs)
    probes = sorted({0, n - 1, n // 2, n // 3, (2 * n) // 3, n // 7, (6 * n) // 7}) if n else []
    sample = frame.select(pl.col(full).gather(probes)) if full else pl.DataFrame()
    maybe = [c for c in full if len(set(sample[c].to_list())) == 1]
    ends = (
        frame.select(
            *(pl.col(c).min().alias(f"{i}_min") for i, c in enumerate(maybe)),
            *(pl.col(c).max().alias(f"{i}_max") for i, c in enumerate(maybe)),
            *(pl.col(c).first().alias(f"{i}_first") for i, c in enumerate(maybe)),
        ).row(0, named=True)
        if maybe
        else {}
    )
    out: dict[str, object] = {}
    for name in frame.columns:
        if not n or nulls[name] == n:
            out[name] = None
        elif name in maybe:
            i = maybe.index(name)
            if ends[f"{i}_min"] == ends[f"{i}_max"]:
                out[name] = ends[f"{i}_first"]
    return out


class _ArrowStream:
    """A polars frame seen by DuckDB only through the Arrow C stream interface (``__arrow_c_stream__``).

    Why: registering the frame itself makes DuckDB call ``to_arrow()``, which rechunks the columns
    and builds pyarrow arrays (about 300 MB of fresh memory for two million rows); the stream hands
    the same buffers over batch by batch. Each scan asks for a new stream.
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


def _insert_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    columns: tuple[str, ...],
    constants: dict[str, object],
    casts: dict[str, str],
) -> None:
    """``insert into <table>`` from a registered frame; ``constants`` (fixed names → values) as parameters.

    ``table``, ``columns`` and ``casts`` are this module's own identifiers, never input.
    """
    fixed = {**constants, **_constant_columns(frame.select(columns))}
    scanned = [c for c in columns if c not in fixed]
    names = [*fixed, *scanned]
    exprs = [f"?::{casts[c]}" if c in casts else "?" for c in fixed] + [
        f"{c}::{casts[c]}" if c in casts else c for c in scanned
    ]
    sql = f"insert into {table} ({', '.join(names)}) select {', '.join(exprs)} from _eduwh_batch"
    batch = frame.select(scanned) if scanned else frame.select(pl.int_range(frame.height).alias("_row"))
    # one chunk per column: columns read from a CSV come in ~100 chunks, computed ones in one, and
    # misaligned chunks make the stream many small batches, which DuckDB's insert then has to merge
    con.register("_eduwh_batch", _ArrowStream(batch.rechunk()))
    try:
        con.execute(sql, list(fixed.values()))
    finally:
        con.unregister("_eduwh_batch")


_STAT_CASTS = {
    "sheet": "varchar", "source_row": "integer", "source_column": "varchar", "region_name": "varchar",
    "region_code": "varchar", "indicator_name": "varchar", "indicator_code": "varchar", "year": "integer",
    "value": "double", "value_raw": "varchar", "unit": "varchar", "unit_raw": "varchar", "qualifier": "varchar",
    "footnote": "varchar", "nature": "varchar", "source_title": "varchar", "source_url": "varchar",
    "load_id": "varchar", "source_file": "varchar", "loaded_at": "timestamp", "raw_row": "json", "reason": "varchar",
    "rejected_at": "timestamp",
}  # fmt: skip


def _insert(con: duckdb.DuckDBPyConnection, load_id: str, source_file: str, prepared: Prepared) -> None:
    """Rows in through registered polars frames; the load's constants as ``?`` parameters."""
    now = _now()
    if prepared.landed.height:
        _insert_frame(
            con,
            "raw.statistics",
            prepared.landed,
            STATISTICS_COLUMNS,
            {"load_id": load_id, "source_file": source_file, "loaded_at": now},
            _STAT_CASTS,
        )
    if prepared.rejected.height:
        _insert_frame(
            con,
            "raw.rejected_rows",
            prepared.rejected,
            REJECTED_COLUMNS,
            {"load_id": load_id, "source_file": source_file, "rejected_at": now},
            _STAT_CASTS,
        )


def _log(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    key: str,
    content_hash: str | None,
    read: int,
    landed: int,
    rejected: int,
    status: str,
    message: str,
    started: dt.datetime,
) -> None:
    con.execute(
        """
        insert into raw.load_log (load_id, kind, path, content_hash, rows_read, rows_landed, rows_rejected,
                                  status, message, started_at, finished_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [load_id, KIND, key, content_hash, read, landed, rejected, status, message, started, _now()],
    )


def _log_failure(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    key: str,
    content_hash: str | None,
    started: dt.datetime,
    message: str,
) -> None:
    """A failed load leaves one log line and no data (its own transaction)."""
    try:
        with transaction(con):
            _log(con, load_id, key, content_hash, 0, 0, 0, "failed", message, started)
    except duckdb.Error:  # the log is best effort; the caller raises the real error
        pass


def _message(prepared: Prepared) -> str:
    parts = [f"{prepared.landed.height} landed, {prepared.rejected.height} rejected"]
    if prepared.rejected.height:
        top = (
            prepared.rejected.select(pl.col("reason").str.replace(r"\s*\[column .*\]$", "").str.slice(0, 160))
            .to_series()
            .value_counts(sort=True)
            .head(3)
        )
        parts.append("; ".join(f"{n}× {r}" for r, n in top.iter_rows()))
    parts.extend(prepared.notes)
    return " | ".join(parts)
