"""Publishing the warehouse's marts to serving databases (PostgreSQL for Metabase and friends).

The DuckDB file stays the source of truth; a publish is a read-only copy of its ``marts``
schema into a database that many BI users can share. See :mod:`loaders.publish.postgres`.
"""

from __future__ import annotations

from loaders.publish.postgres import PublishError, PublishResult, publish_postgres, redact_dsn

__all__ = ["PublishError", "PublishResult", "publish_postgres", "redact_dsn"]
