"""Land processed documents and their extracted records in DuckDB.

One document = one load = one transaction: its ``raw.documents`` row, all its
``raw.policy_targets`` rows and its ``raw.load_log`` row are written together or
not at all. Loading is idempotent on the file's content hash: the same bytes
again change nothing (status ``unchanged``); new bytes for a known ``doc_id``
replace the document and every record extracted from it (status ``replaced``).
Values reach SQL only as parameters or through a registered Arrow table, never
by string formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from loaders.db import new_load_id, transaction
from loaders.documents.model import TARGET_KEYS, ProcessedDocument

#: raw.policy_targets columns: the record's contract keys (TARGET_KEYS) plus landing metadata
_TARGET_COLUMNS = (
    "doc_id",
    "target_seq",
    *TARGET_KEYS[1:],
    "region_code",
    "char_start",
    "char_end",
    "confidence",
    "load_id",
    "loaded_at",
)

_TARGET_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("target_seq", pa.int32()),
        ("status", pa.string()),
        ("region", pa.string()),
        ("region_code", pa.string()),
        ("indicator_text", pa.string()),
        ("indicator_code", pa.string()),
        ("comparator", pa.string()),
        ("value", pa.float64()),
        ("value_high", pa.float64()),
        ("unit", pa.string()),
        ("target_year", pa.int32()),
        ("evidence", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("confidence", pa.float64()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)


@dataclass(slots=True)
class DocumentLoadResult:
    load_id: str
    doc_id: str
    path: str
    status: str  # loaded | unchanged | replaced | failed
    targets: int
    message: str | None = None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load_document(con: duckdb.DuckDBPyConnection, doc: ProcessedDocument) -> DocumentLoadResult:
    """Land one processed document (idempotent, one transaction)."""
    started = _now()
    load_id = new_load_id()
    existing = con.execute("select content_hash from raw.documents where doc_id = ?", [doc.doc_id]).fetchone()
    if existing is not None and existing[0] == doc.content_hash:
        with transaction(con):
            _log(con, load_id, doc, "unchanged", 0, started, "same content hash: nothing changed")
        return DocumentLoadResult(load_id, doc.doc_id, doc.source_path, "unchanged", 0)

    status = "replaced" if existing is not None else "loaded"
    rows = [t.to_dict() for t in doc.targets]
    table = pa.Table.from_pylist(
        [
            {
                **{k: r.get(k) for k in _TARGET_COLUMNS if k not in ("target_seq", "load_id", "loaded_at")},
                "target_seq": i,
                "load_id": load_id,
                "loaded_at": started,
            }
            for i, r in enumerate(rows, 1)
        ],
        schema=_TARGET_SCHEMA,
    )
    meta = doc.meta
    with transaction(con):
        con.execute("delete from raw.policy_targets where doc_id = ?", [doc.doc_id])
        con.execute("delete from raw.documents where doc_id = ?", [doc.doc_id])
        con.execute(
            """
            insert into raw.documents (
                doc_id, content_hash, source_path, file_format, encoding, title, issuer, region,
                region_code, published_on, doc_type, plan_start_year, plan_end_year, text,
                target_count, load_id, loaded_at
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, try_cast(? as date), ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                doc.doc_id,
                doc.content_hash,
                doc.source_path,
                doc.file_format,
                doc.encoding,
                meta.title,
                meta.issuer,
                meta.region,
                meta.region_code,
                meta.published_on,
                meta.doc_type,
                meta.plan_start_year,
                meta.plan_end_year,
                doc.text,
                len(rows),
                load_id,
                started,
            ],
        )
        con.register("_eduwh_targets", table)
        try:
            cols = ", ".join(_TARGET_COLUMNS)
            con.execute(f"insert into raw.policy_targets ({cols}) select {cols} from _eduwh_targets")
        finally:
            con.unregister("_eduwh_targets")
        _log(con, load_id, doc, status, len(rows), started, None)
    return DocumentLoadResult(load_id, doc.doc_id, doc.source_path, status, len(rows))


def log_failed_document(
    con: duckdb.DuckDBPyConnection, path: str, message: str, content_hash: str | None = None
) -> DocumentLoadResult:
    """Record a document that could not be read (no data rows are written)."""
    load_id = new_load_id()
    now = _now()
    with transaction(con):
        con.execute(
            """
            insert into raw.load_log (load_id, kind, path, content_hash, rows_read, rows_landed,
                rows_rejected, status, message, started_at, finished_at)
            values (?, 'documents', ?, ?, 0, 0, 0, 'failed', ?, ?, ?)
            """,
            [load_id, path, content_hash, message, now, now],
        )
    return DocumentLoadResult(load_id, "", path, "failed", 0, message)


def _log(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    doc: ProcessedDocument,
    status: str,
    n: int,
    started: datetime,
    message: str | None,
) -> None:
    con.execute(
        """
        insert into raw.load_log (load_id, kind, path, content_hash, rows_read, rows_landed,
            rows_rejected, status, message, started_at, finished_at)
        values (?, 'documents', ?, ?, ?, ?, 0, ?, ?, ?, ?)
        """,
        [load_id, doc.source_path, doc.content_hash, n, n, status, message, started, _now()],
    )
