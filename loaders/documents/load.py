"""Land processed documents and their extracted records in DuckDB.

One document = one load: its ``raw.documents`` row, all its ``raw.policy_targets``
rows and its ``raw.load_log`` row are written together or not at all. Documents are
written in batches, one transaction per batch (:func:`load_document_batch`), so a
failed write leaves the warehouse as it was before the batch. Loading is
idempotent on the file's content hash: the same bytes again change nothing
(status ``unchanged``); new bytes for a known ``doc_id`` replace the document and
every record extracted from it (status ``replaced``). Values reach SQL only as
parameters or through registered Arrow tables, never by string formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


#: Target attributes copied into a raw.policy_targets row (the rest is landing metadata)
_TARGET_FIELDS = tuple(c for c in _TARGET_COLUMNS if c not in ("target_seq", "load_id", "loaded_at"))

_DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("content_hash", pa.string()),
        ("source_path", pa.string()),
        ("file_format", pa.string()),
        ("encoding", pa.string()),
        ("title", pa.string()),
        ("issuer", pa.string()),
        ("region", pa.string()),
        ("region_code", pa.string()),
        ("published_on", pa.string()),  # ISO date as extracted; cast (or null) in SQL
        ("doc_type", pa.string()),
        ("plan_start_year", pa.int32()),
        ("plan_end_year", pa.int32()),
        ("text", pa.large_string()),
        ("target_count", pa.int32()),
        ("load_id", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)
_DATE_COL = "published_on"
_DATE_CAST = "try_cast(published_on as date) as published_on"

_LOG_SCHEMA = pa.schema(
    [
        ("load_id", pa.string()),
        ("path", pa.string()),
        ("content_hash", pa.string()),
        ("rows", pa.int32()),
        ("status", pa.string()),
        ("message", pa.string()),
        ("started_at", pa.timestamp("us")),
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
    return load_document_batch(con, [doc])[0]


def load_document_batch(con: duckdb.DuckDBPyConnection, docs: Sequence[ProcessedDocument]) -> list[DocumentLoadResult]:
    """Land many processed documents in one transaction; one result per document, in order.

    Each document is still its own load (its own ``load_id`` and ``raw.load_log`` row) and
    idempotent on its content hash, but the batch is written with a handful of set-based
    statements (Arrow tables registered with DuckDB) instead of five statements and a commit per
    document: per-document transactions cost ~10 ms each, twice the extraction itself. Either
    every document of the batch lands or none does. A ``doc_id`` may appear only once per batch.
    """
    if not docs:
        return []
    ids = [d.doc_id for d in docs]
    if len(set(ids)) != len(ids):
        raise ValueError("load_document_batch: a doc_id appears twice in one batch")
    started = _now()
    existing = dict(
        con.execute("select doc_id, content_hash from raw.documents where list_contains(?, doc_id)", [ids]).fetchall()
    )
    results: list[DocumentLoadResult] = []
    log_rows: list[dict[str, Any]] = []
    doc_rows: list[dict[str, Any]] = []
    target_rows: list[dict[str, Any]] = []
    for doc in docs:
        load_id = new_load_id()
        known = existing.get(doc.doc_id)
        if known == doc.content_hash:
            status, n, message = "unchanged", 0, "same content hash: nothing changed"
        else:
            status, n, message = ("replaced" if known is not None else "loaded"), len(doc.targets), None
            meta = doc.meta
            doc_rows.append(
                {
                    "doc_id": doc.doc_id,
                    "content_hash": doc.content_hash,
                    "source_path": doc.source_path,
                    "file_format": doc.file_format,
                    "encoding": doc.encoding,
                    "title": meta.title,
                    "issuer": meta.issuer,
                    "region": meta.region,
                    "region_code": meta.region_code,
                    "published_on": meta.published_on,
                    "doc_type": meta.doc_type,
                    "plan_start_year": meta.plan_start_year,
                    "plan_end_year": meta.plan_end_year,
                    "text": doc.text,
                    "target_count": n,
                    "load_id": load_id,
                    "loaded_at": started,
                }
            )
            for i, t in enumerate(doc.targets, 1):
                row = {k: getattr(t, k) for k in _TARGET_FIELDS}
                row.update(target_seq=i, load_id=load_id, loaded_at=started)
                target_rows.append(row)
        log_rows.append(
            {
                "load_id": load_id,
                "path": doc.source_path,
                "content_hash": doc.content_hash,
                "rows": n,
                "status": status,
                "message": message,
                "started_at": started,
            }
        )
        results.append(DocumentLoadResult(load_id, doc.doc_id, doc.source_path, status, n))
    tables = {
        "_eduwh_documents": pa.Table.from_pylist(doc_rows, schema=_DOCUMENT_SCHEMA),
        "_eduwh_targets": pa.Table.from_pylist(target_rows, schema=_TARGET_SCHEMA),
        "_eduwh_doc_log": pa.Table.from_pylist(log_rows, schema=_LOG_SCHEMA),
    }
    doc_cols = ", ".join(_DOCUMENT_SCHEMA.names)
    target_cols = ", ".join(_TARGET_COLUMNS)
    for name, table in tables.items():
        con.register(name, table)
    try:
        with transaction(con):
            if doc_rows:
                con.execute("delete from raw.policy_targets where doc_id in (select doc_id from _eduwh_documents)")
                con.execute("delete from raw.documents where doc_id in (select doc_id from _eduwh_documents)")
                con.execute(
                    f"insert into raw.documents ({doc_cols}) select {doc_cols.replace(_DATE_COL, _DATE_CAST)}"
                    " from _eduwh_documents"
                )
                con.execute(f"insert into raw.policy_targets ({target_cols}) select {target_cols} from _eduwh_targets")
            con.execute(
                """
                insert into raw.load_log (load_id, kind, path, content_hash, rows_read, rows_landed,
                    rows_rejected, status, message, started_at, finished_at)
                select load_id, 'documents', path, content_hash, rows, rows, 0, status, message,
                    started_at, ?::timestamp
                from _eduwh_doc_log
                """,
                [_now()],
            )
    finally:
        for name in tables:
            con.unregister(name)
    return results


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
