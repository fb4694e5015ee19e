"""Publish the DuckDB ``marts`` schema to PostgreSQL, atomically, for BI readers (Metabase).

Why: DuckDB is a single-file, single-writer engine; a team of analysts on Metabase wants a
server. The DuckDB file stays the source of truth and PostgreSQL gets a read-only copy of
``marts`` that readers can query while it is being replaced.

How a publish runs (:func:`publish_postgres`):

1. **Export** (DuckDB, read-only). The served warehouse file is opened ``read_only``, every
   mart table is written to a temporary CSV file by DuckDB's parallel CSV writer inside one
   DuckDB transaction (one consistent snapshot), and the file is closed again. Builds work on
   a private copy and publish it by atomic rename (:mod:`loaders.served`), so a read-only
   open never blocks a build (and we keep reading the inode we opened even if a build
   publishes meanwhile); still, the file is open for the export only (seconds) and never
   during the slower network load, so a process that wants it read-write is not held up
   by PostgreSQL. Types without a CSV form PostgreSQL reads (lists, structs, maps, blobs) are
   converted in the export query (JSON text, ``\\x`` hex).
2. **Load** (one PostgreSQL transaction). A fresh schema ``<schema>__incoming_<runid>`` is
   created, each table is created with mapped types (VARCHAR→text, INTEGER→integer,
   DOUBLE→double precision, DECIMAL(p,s)→numeric(p,s), JSON/LIST/STRUCT→jsonb, …, see
   :data:`_SIMPLE_TYPES`) and filled with ``COPY … FROM STDIN (FORMAT csv, FREEZE)`` through
   psycopg's ``cursor.copy``. FREEZE is allowed because the table was created in the same
   transaction; it writes rows already frozen (no hint-bit rewrite on the first read, and a
   REPEATABLE READ reader whose snapshot predates the load still sees the rows). Table and
   column comments are copied (``COMMENT ON``), tables are ANALYZEd, and the reader role is
   granted USAGE on the schema and SELECT on its tables — all before the swap, so the new
   schema is never visible without permission.
3. **Swap** (one short PostgreSQL transaction):
   ``LOCK TABLE <schema>.* IN ACCESS EXCLUSIVE MODE`` →
   ``ALTER SCHEMA <schema> RENAME TO <schema>__old_<runid>`` →
   ``ALTER SCHEMA <schema>__incoming_<runid> RENAME TO <schema>`` →
   ``DROP SCHEMA <schema>__old_<runid> CASCADE`` → COMMIT.

Why readers never see a mix of old and new marts: PostgreSQL resolves table names with the
latest committed catalog, not the statement's snapshot, and a statement resolves its tables
one by one. A bare rename (no table locks) could therefore let one statement resolve
``marts.a`` before the commit (old a) and ``marts.b`` after it (new b). Taking ACCESS
EXCLUSIVE locks on every live table first closes that gap: a reader that already holds a
lock on an old table keeps it to the end of its transaction, so the swap waits for it (it
sees only old tables); a reader arriving later blocks on the old table's lock, and when the
swap commits PostgreSQL notices the name now points to another relation
(``RangeVarGetRelidExtended`` re-checks after the lock and retries; cached plans are
revalidated the same way), so it reads only new tables — never an error about a dropped
relation. The remaining danger is a deadlock: a reader that holds old ``b`` and then asks
for old ``a`` while the swap holds ``a`` and waits for ``b``. PostgreSQL aborts whichever
side's ``deadlock_timeout`` (default 1 s) fires first, so every swap statement runs under
``statement_timeout`` = 400 ms (< 1 s): the swap always gives up first, rolls back (nothing
changed), and retries with back-off up to ``swap_timeout`` seconds. Readers block for at
most ~0.4 s per attempt and are never the victim. The test suite checks this with four
readers hammering two tables that change together across repeated publishes.

Security: identifiers (schema, role, table, column names) only ever reach SQL through
``psycopg.sql.Identifier``; values go as query parameters, except in utility statements that
PostgreSQL cannot parameterise (``COMMENT ON … IS``, ``ALTER ROLE … PASSWORD``), where they
go through ``psycopg.sql.Literal`` (libpq quoting). The reader's password is hashed on the
client (``PQencryptPasswordConn``, SCRAM) so the plain text never reaches the server or its
logs. The DSN may hold a password: it is never logged, and every error is re-raised as a
one-line :class:`PublishError` built with :func:`redact_dsn` and scrubbed of the DSN and
password.

The reader role is LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
NOINHERIT, member of no other role (memberships are revoked), with no direct privileges
outside the published schema (stale ones are revoked), and ``CREATE`` on schema ``public``
is revoked from ``PUBLIC`` (PostgreSQL ≥ 15 does that already; older clusters did not).

The publisher (the DSN's user) needs CREATE on the database, CREATEROLE (or superuser) and
ownership of the live schema. Guards against costly mistakes: a live schema is replaced only
if an earlier publish made it (its comment starts with ``eduwh publish:``; so
``schema="public"`` or a hand-made schema is refused, never dropped), and the reader role may
be neither a superuser nor the publishing role itself (it would be demoted). Publishes to
the same schema are serialised by an advisory lock; leftovers of a crashed publish
(``<schema>__incoming_*`` / ``__old_*``) are dropped by the next one. Note the published
schema holds exactly the published tables: anything else in it (a hand-made view) is
dropped by the swap, and the swap refuses (``PublishError``) if objects outside the schema
(views) depend on its tables, rather than cascading into them.

Measured throughput (PostgreSQL 15.18 on localhost with fsync off, 2 vCPUs shared with other
jobs — load average 5–8 during the runs, so a quiet server does better; synthetic DuckDB table
of 2,000,000 rows × 8 columns — varchar ×3, integer, bigint, double ×2, date — 212 MB of CSV):
export 2.3–3.3 s, load (COPY FREEZE + comments + ANALYZE) 6.6–8.9 s, swap < 0.1 s, i.e.
**≈ 180,000–200,000 rows/s end to end, ≈ 245,000–330,000 rows/s for the COPY itself**. The
sample warehouse (8 marts, ~4,000 rows) publishes in 0.5–0.8 s.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

log = logging.getLogger(__name__)

#: Per-statement limit inside the swap transaction. Must stay below PostgreSQL's default
#: ``deadlock_timeout`` (1 s) so that, in a lock cycle with a reader, the swap gives up first.
SWAP_STATEMENT_TIMEOUT = "400ms"
_MAX_IDENT_BYTES = 63  # NAMEDATALEN - 1: PostgreSQL truncates longer names silently
_RUNID_LEN = 8
#: Every schema this module publishes carries a comment starting with this; a live schema
#: without it was not made here and is never replaced (think ``schema="public"``).
SCHEMA_MARKER = "eduwh publish:"
_RETRYABLE = (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled, psycopg.errors.DeadlockDetected)

#: DuckDB type name → PostgreSQL type for types whose DuckDB CSV text PostgreSQL reads as is.
_SIMPLE_TYPES: dict[str, str] = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "HUGEINT": "numeric(39,0)",
    "UHUGEINT": "numeric(39,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "jsonb",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class PublishError(RuntimeError):
    """A publish failed; the message is one line, safe to show (no DSN, no password)."""


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: tables in load order, rows per table, and where the time went."""

    schema: str
    tables: list[str]
    rows: dict[str, int]
    seconds: float
    export_seconds: float = 0.0
    load_seconds: float = 0.0
    swap_seconds: float = 0.0
    swap_attempts: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class _Column:
    name: str
    duck_type: str
    pg_type: sql.Composable
    export_expr: str  # DuckDB SQL for the exported value; built from quoted identifiers only
    not_null: bool
    comment: str | None


@dataclass
class _Table:
    name: str
    comment: str | None
    columns: list[_Column] = field(default_factory=list)
    rows: int = 0
    csv_path: Path | None = None


# --------------------------------------------------------------------------- redaction


def redact_dsn(dsn: str) -> str:
    """A printable description of a DSN (URI or key=value) without its password.

    Why: DSNs often embed the password; every message this module emits names the target
    through this function only. Unparseable input is not echoed at all (it might be a
    password-bearing string with a typo).
    """
    try:
        params = conninfo_to_dict(dsn)
    except Exception:
        return "<unparseable DSN>"
    if not params:
        return "<libpq defaults (PG* environment)>"
    shown = [f"{k}={params[k]}" for k in ("host", "hostaddr", "port", "dbname", "user") if params.get(k)]
    if params.get("password"):
        shown.append("password=***")
    return " ".join(shown) or "<DSN without host/dbname/user>"


def _scrub(message: str, dsn: str) -> str:
    """One line of ``message`` with the DSN and its password (in any spelling) replaced by ***."""
    secrets_: set[str] = {dsn} if dsn else set()
    with suppress(Exception):
        pw = conninfo_to_dict(dsn).get("password")
        if pw:
            secrets_ |= {str(pw), quote(str(pw), safe=""), quote(str(pw))}
    for s in sorted(secrets_, key=len, reverse=True):
        if s:
            message = message.replace(s, "***")
    return " ".join(message.split())


def _fail(what: str, exc: BaseException, dsn: str) -> PublishError:
    return PublishError(_scrub(f"{what}: {type(exc).__name__}: {exc}", dsn))


# --------------------------------------------------------------------------- DuckDB side


def _duck_ident(name: str) -> str:
    """Quote a DuckDB identifier (names come from DuckDB's own catalog, never from input data)."""
    return '"' + name.replace('"', '""') + '"'


def _map_type(duck_type: str, col: str) -> tuple[sql.Composable, str]:
    """(PostgreSQL type, DuckDB export expression) for one column."""
    t = duck_type.strip().upper()
    q = _duck_ident(col)
    if t in _SIMPLE_TYPES:
        return sql.SQL(_SIMPLE_TYPES[t]), q
    if m := _DECIMAL.fullmatch(t):
        return sql.SQL("numeric({}, {})").format(sql.Literal(int(m.group(1))), sql.Literal(int(m.group(2)))), q
    if t == "BLOB":  # bytea's hex input format
        return sql.SQL("bytea"), f"'\\x' || hex({q})"
    if t == "BIT":
        return sql.SQL("bit varying"), f"CAST({q} AS VARCHAR)"
    if t.endswith("]") or t.startswith(("STRUCT(", "MAP(", "UNION(")):
        return sql.SQL("jsonb"), f"CAST(to_json({q}) AS VARCHAR)"
    if t.startswith("ENUM("):
        return sql.SQL("text"), f"CAST({q} AS VARCHAR)"
    log.warning("column %s: DuckDB type %s has no PostgreSQL mapping; published as text", col, duck_type)
    return sql.SQL("text"), f"CAST({q} AS VARCHAR)"


def _export(db_path: Path, source_schema: str, tables: list[str] | None, workdir: Path) -> list[_Table]:
    """Describe and dump the chosen tables of ``source_schema`` to CSV files, DuckDB open read-only."""
    if not db_path.is_file():
        raise PublishError(f"warehouse file not found: {db_path}")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        hint = " (is another process writing it?)" if "lock" in str(exc).lower() else ""
        raise PublishError(" ".join(f"cannot open warehouse {db_path} read-only{hint}: {exc}".split())) from None
    try:
        with suppress(duckdb.Error):  # needs ICU (bundled); without it there is no timestamptz anyway
            con.execute("SET TimeZone = 'UTC'")  # timestamptz exported with an explicit +00 offset
        con.execute("SET preserve_insertion_order = false")  # row order is meaningless in PostgreSQL; ~30% faster
        con.begin()  # one snapshot for every table
        found = con.execute(
            "select table_name, comment from duckdb_tables() "
            "where database_name = current_database() and schema_name = ? and not temporary order by table_name",
            [source_schema],
        ).fetchall()
        if not found:
            has_schema = con.execute(
                "select count(*) from duckdb_schemas() where database_name = current_database() and schema_name = ?",
                [source_schema],
            ).fetchone()
            what = "has no tables" if has_schema and has_schema[0] else "does not exist"
            raise PublishError(f"schema {source_schema!r} in {db_path} {what}; run `eduwh build` first")
        comments = {name: comment for name, comment in found}
        names = list(tables) if tables is not None else sorted(comments)
        if not names:
            raise PublishError("no tables to publish")
        missing = [n for n in names if n not in comments]
        if missing:
            raise PublishError(f"not in {source_schema} of {db_path}: {', '.join(missing)}")
        out: list[_Table] = []
        for i, name in enumerate(names):
            if len(name.encode()) > _MAX_IDENT_BYTES:
                raise PublishError(f"table name longer than {_MAX_IDENT_BYTES} bytes: {name[:40]}…")
            table = _Table(name=name, comment=comments[name] or None)
            for col, dtype, nullable, ccomment in con.execute(
                "select column_name, data_type, is_nullable, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? and table_name = ? "
                "order by column_index",
                [source_schema, name],
            ).fetchall():
                if len(col.encode()) > _MAX_IDENT_BYTES:
                    raise PublishError(f"column name longer than {_MAX_IDENT_BYTES} bytes in {name}: {col[:40]}…")
                pg_type, expr = _map_type(dtype, col)
                table.columns.append(_Column(col, dtype, pg_type, expr, not nullable, ccomment or None))
            select = "select {} from {}.{}".format(
                ", ".join(c.export_expr for c in table.columns), _duck_ident(source_schema), _duck_ident(name)
            )
            table.csv_path = workdir / f"{i:03d}.csv"
            con.sql(select).write_csv(str(table.csv_path), header=False)
            counted = con.execute(f"select count(*) from {_duck_ident(source_schema)}.{_duck_ident(name)}").fetchone()
            table.rows = int(counted[0]) if counted else 0
            out.append(table)
        con.rollback()
        return out
    except duckdb.Error as exc:
        raise PublishError(" ".join(f"reading {db_path} failed: {exc}".split())) from None
    finally:
        con.close()


# --------------------------------------------------------------------------- PostgreSQL side


@contextmanager
def _connect(dsn: str, connect_timeout: int) -> Iterator[psycopg.Connection]:
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=connect_timeout, application_name="eduwh publish")
    except Exception as exc:  # OperationalError (refused, auth), ProgrammingError (bad DSN), …
        raise _fail(f"cannot connect to PostgreSQL at {redact_dsn(dsn)}", exc, dsn) from None
    try:
        yield conn
    finally:
        conn.close()


def _ensure_reader_role(conn: psycopg.Connection, role: str, password: str | None, schema: str) -> None:
    """Create or update ``role`` as a pure reader and strip any privilege it should not have."""
    ident = sql.Identifier(role)
    attrs = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT")
    found = conn.execute("select rolsuper, rolname = current_user from pg_roles where rolname = %s", [role]).fetchone()
    if found and (found[0] or found[1]):
        # Stripping these attributes would demote an administrator (or ourselves): refuse instead.
        why = "is the publishing role itself" if found[1] else "is a superuser"
        raise PublishError(f"reader role {role} {why}; choose a dedicated reader role")
    conn.execute(sql.SQL("{} ROLE {} WITH {}").format(sql.SQL("ALTER" if found else "CREATE"), ident, attrs))
    if password is not None:
        # Hash on the client (SCRAM/MD5 per the server's password_encryption): the plain text never travels.
        verifier = conn.pgconn.encrypt_password(password.encode(), role.encode())
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(verifier.decode())))
    for (group,) in conn.execute(
        "select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid "
        "join pg_roles r on r.oid = m.member where r.rolname = %s",
        [role],
    ).fetchall():
        log.warning("revoking membership of %s in role %s (a reader inherits nothing)", role, group)
        conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
    # Direct privileges left on other schemas/tables (earlier hand grants): revoke them.
    for nsp, rel in conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "cross join lateral aclexplode(c.relacl) a "
        "where a.grantee = (select oid from pg_roles where rolname = %s) and n.nspname <> %s "
        "group by 1, 2",
        [role, schema],
    ).fetchall():
        log.warning("revoking direct privileges of %s on %s.%s", role, nsp, rel)
        conn.execute(
            sql.SQL("REVOKE ALL ON TABLE {}.{} FROM {}").format(sql.Identifier(nsp), sql.Identifier(rel), ident)
        )
    for (nsp,) in conn.execute(
        "select n.nspname from pg_namespace n cross join lateral aclexplode(n.nspacl) a "
        "where a.grantee = (select oid from pg_roles where rolname = %s) and n.nspname <> %s group by 1",
        [role, schema],
    ).fetchall():
        log.warning("revoking direct privileges of %s on schema %s", role, nsp)
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(sql.Identifier(nsp), ident))
    dbname = conn.execute("select current_database()").fetchone()
    assert dbname is not None
    conn.execute(sql.SQL("REVOKE CREATE, TEMPORARY ON DATABASE {} FROM {}").format(sql.Identifier(dbname[0]), ident))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(dbname[0]), ident))
    # PostgreSQL < 15 let PUBLIC create in schema public; make sure nobody (the reader included) can.
    if conn.execute("select 1 from pg_namespace where nspname = 'public'").fetchone():
        try:
            conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        except psycopg.errors.InsufficientPrivilege:
            log.warning("not allowed to revoke CREATE on schema public from PUBLIC; checking the reader instead")
        can_create = conn.execute("select has_schema_privilege(%s, 'public', 'CREATE')", [role]).fetchone()
        if can_create and can_create[0]:
            raise PublishError(f"role {role} can CREATE in schema public and this publisher cannot revoke it")


def _drop_leftovers(conn: psycopg.Connection, schema: str) -> None:
    """Drop ``<schema>__incoming_*`` / ``<schema>__old_*`` left by a publish that died midway."""
    for (nsp,) in conn.execute(
        "select nspname from pg_namespace where (starts_with(nspname, %s) or starts_with(nspname, %s)) "
        "and starts_with(coalesce(obj_description(oid, 'pg_namespace'), ''), %s)",
        [f"{schema}__incoming_", f"{schema}__old_", SCHEMA_MARKER],
    ).fetchall():
        log.warning("dropping schema %s left by an interrupted publish", nsp)
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(nsp)))


def _check_replaceable(conn: psycopg.Connection | psycopg.Cursor, schema: str) -> int | None:
    """OID of the live ``schema`` if it exists; PublishError unless an earlier publish made it."""
    live = conn.execute(
        "select oid, coalesce(obj_description(oid, 'pg_namespace'), '') from pg_namespace where nspname = %s",
        [schema],
    ).fetchone()
    if live is None:
        return None
    if not str(live[1]).startswith(SCHEMA_MARKER):
        raise PublishError(
            f"schema {schema} exists but was not created by eduwh publish; refusing to replace it "
            "(publish to another schema, or drop it yourself)"
        )
    return int(live[0])


def _load(conn: psycopg.Connection, incoming: str, tables: list[_Table], role: str, marker: str) -> dict[str, int]:
    """Create ``incoming`` and fill it, comments and grants included, in one transaction."""
    nsp = sql.Identifier(incoming)
    rows: dict[str, int] = {}
    with conn.transaction(), conn.cursor() as cur:
        # Safe: the swap's commit is synchronous and flushes this WAL first.
        cur.execute("select set_config('synchronous_commit', 'off', true), set_config('statement_timeout', '0', true)")
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(nsp))
        cur.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(nsp, sql.Literal(marker)))
        cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(nsp))
        for t in tables:
            tid = sql.SQL("{}.{}").format(nsp, sql.Identifier(t.name))
            cols = sql.SQL(", ").join(
                sql.SQL("{} {}{}").format(sql.Identifier(c.name), c.pg_type, sql.SQL(" NOT NULL" if c.not_null else ""))
                for c in t.columns
            )
            cur.execute(sql.SQL("CREATE TABLE {} ({})").format(tid, cols))
            started = time.perf_counter()
            col_list = sql.SQL(", ").join(sql.Identifier(c.name) for c in t.columns)
            copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, FREEZE true, ENCODING 'UTF8')").format(
                tid, col_list
            )
            assert t.csv_path is not None
            with cur.copy(copy) as cp, t.csv_path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    cp.write(chunk)
            copied = cur.rowcount
            if copied != t.rows:
                raise PublishError(f"{t.name}: DuckDB has {t.rows} rows but COPY loaded {copied}")
            rows[t.name] = copied
            took = time.perf_counter() - started
            log.info("copied %s: %d rows in %.2f s (%.0f rows/s)", t.name, copied, took, copied / max(took, 1e-9))
            if t.comment is not None:
                cur.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(tid, sql.Literal(t.comment)))
            for c in t.columns:
                if c.comment is not None:
                    cur.execute(
                        sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                            tid, sql.Identifier(c.name), sql.Literal(c.comment)
                        )
                    )
            cur.execute(sql.SQL("ANALYZE {}").format(tid))
        # Grants before the swap: the schema is never live without the reader's permission.
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(nsp, sql.Identifier(role)))
        cur.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(nsp, sql.Identifier(role)))
    return rows


def _swap_once(conn: psycopg.Connection, schema: str, incoming: str, old: str) -> None:
    """One attempt at the atomic swap (see the module docstring). Raises a retryable error on lock trouble."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "select set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)",
            [SWAP_STATEMENT_TIMEOUT, SWAP_STATEMENT_TIMEOUT],
        )
        live_oid = _check_replaceable(cur, schema)
        if live_oid is not None:
            rels = cur.execute(
                "select relname from pg_class where relnamespace = %s and relkind in ('r', 'p', 'm', 'f') "
                "order by relname",
                [live_oid],
            ).fetchall()
            if rels:
                cur.execute(
                    sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
                        sql.SQL(", ").join(sql.Identifier(schema, r) for (r,) in rels)
                    )
                )
            dependents = cur.execute(
                "select distinct format('%%I.%%I', vn.nspname, v.relname) from pg_depend d "
                "join pg_rewrite w on d.classid = 'pg_rewrite'::regclass and d.objid = w.oid "
                "join pg_class v on v.oid = w.ev_class join pg_namespace vn on vn.oid = v.relnamespace "
                "join pg_class t on d.refclassid = 'pg_class'::regclass and d.refobjid = t.oid "
                "where t.relnamespace = %s and v.relnamespace <> t.relnamespace",
                [live_oid],
            ).fetchall()
            if dependents:
                names = ", ".join(d for (d,) in dependents)
                raise PublishError(
                    f"objects outside schema {schema} depend on its tables and would be dropped by the swap: {names}"
                )
            cur.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(schema), sql.Identifier(old)))
        cur.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(incoming), sql.Identifier(schema)))
        if live_oid is not None:
            cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(old)))


def _swap(conn: psycopg.Connection, schema: str, incoming: str, old: str, timeout: float) -> int:
    """Retry :func:`_swap_once` with back-off until it commits or ``timeout`` seconds pass; return attempts."""
    deadline = time.monotonic() + timeout
    delay, attempt = 0.05, 0
    while True:
        attempt += 1
        try:
            _swap_once(conn, schema, incoming, old)
            return attempt
        except _RETRYABLE as exc:
            if time.monotonic() + delay > deadline:
                raise PublishError(
                    f"could not take the locks to swap schema {schema} in {timeout:.0f} s ({attempt} attempts; "
                    f"long-running queries on it?): {type(exc).__name__}"
                ) from None
            log.info("swap attempt %d: %s; retrying in %.2f s", attempt, type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _check_name(kind: str, name: str, max_bytes: int) -> None:
    if not name or len(name.encode()) > max_bytes:
        raise PublishError(f"{kind} name must be 1 to {max_bytes} bytes: {name[:40]!r}")
    if name.lower().startswith("pg_"):
        raise PublishError(f"{kind} name {name!r}: names starting with pg_ are reserved by PostgreSQL")


def publish_postgres(
    db_path: Path,
    dsn: str,
    *,
    schema: str = "marts",
    reader_role: str = "bi_reader",
    reader_password: str | None = None,
    tables: list[str] | None = None,
    source_schema: str = "marts",
    swap_timeout: float = 120.0,
    connect_timeout: int = 10,
) -> PublishResult:
    """Copy the warehouse's ``marts`` (or ``tables`` of it) into PostgreSQL schema ``schema``, atomically.

    After it returns, ``schema`` holds exactly the published tables, readable (SELECT only)
    by ``reader_role``; concurrent readers saw the old marts or the new, never a mix (see the
    module docstring for how). Raises :class:`PublishError` with a one-line, DSN-free
    message on any failure, in which case PostgreSQL is left as it was.
    """
    started = time.perf_counter()
    _check_name("schema", schema, _MAX_IDENT_BYTES - len("__incoming_") - _RUNID_LEN)
    _check_name("role", reader_role, _MAX_IDENT_BYTES)
    if tables is not None and len(set(tables)) != len(tables):
        raise PublishError("tables lists a table twice")
    runid = uuid.uuid4().hex[:_RUNID_LEN]
    incoming, old = f"{schema}__incoming_{runid}", f"{schema}__old_{runid}"
    target = redact_dsn(dsn)

    if not Path(db_path).is_file():  # cheap checks before touching the network
        raise PublishError(f"warehouse file not found: {db_path}")

    with _connect(dsn, connect_timeout) as conn, tempfile.TemporaryDirectory(prefix="eduwh-publish-") as tmp:
        try:
            got = conn.execute("select pg_try_advisory_lock(hashtextextended(%s, 0))", [f"eduwh.publish:{schema}"])
            row = got.fetchone()
            if not (row and row[0]):
                raise PublishError(f"another publish to schema {schema} at {target} is running")
            # DuckDB is opened only now and only for the export: seconds, not the network load.
            specs = _export(Path(db_path), source_schema, tables, Path(tmp))
            exported = time.perf_counter()
            log.info("exported %d tables (%d rows) from %s", len(specs), sum(t.rows for t in specs), db_path)
            _check_replaceable(conn, schema)  # fail before the long load, re-checked under the swap's locks
            _drop_leftovers(conn, schema)
            _ensure_reader_role(conn, reader_role, reader_password, schema)
            marker = f"{SCHEMA_MARKER} {Path(db_path).name} at {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}, run {runid}"
            rows = _load(conn, incoming, specs, reader_role, marker)
            loaded = time.perf_counter()
            attempts = _swap(conn, schema, incoming, old, swap_timeout)
            swapped = time.perf_counter()
        except PublishError as exc:
            _cleanup(conn, incoming)
            raise PublishError(_scrub(str(exc), dsn)) from None
        except Exception as exc:
            _cleanup(conn, incoming)
            raise _fail(f"publishing to {target} failed", exc, dsn) from None
        with suppress(psycopg.Error):  # advisory only; the publish itself is done
            _warn_public_readable(conn, reader_role, schema)

    result = PublishResult(
        schema=schema,
        tables=[t.name for t in specs],
        rows=rows,
        seconds=swapped - started,
        export_seconds=exported - started,
        load_seconds=loaded - exported,
        swap_seconds=swapped - loaded,
        swap_attempts=attempts,
    )
    log.info(
        "published %d tables, %d rows to schema %s at %s in %.2f s (swap attempts: %d)",
        len(result.tables),
        result.total_rows,
        schema,
        target,
        result.seconds,
        attempts,
    )
    return result


def _warn_public_readable(conn: psycopg.Connection, role: str, schema: str) -> None:
    """Warn about tables outside ``schema`` the reader can still read through grants to PUBLIC.

    Why only warn: those grants belong to whoever made them and affect every role; revoking
    them from PUBLIC is not the publisher's call. Direct grants to the reader were revoked.
    """
    readable = conn.execute(
        "select format('%%I.%%I', n.nspname, c.relname) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname <> %s "
        "and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%%' "
        "and has_schema_privilege(%s, n.oid, 'USAGE') and has_table_privilege(%s, c.oid, 'SELECT') "
        "order by 1 limit 20",
        [schema, role, role],
    ).fetchall()
    if readable:
        log.warning(
            "role %s can also read %s (granted to PUBLIC by someone else); revoke that if it should not",
            role,
            ", ".join(r for (r,) in readable),
        )


def _cleanup(conn: psycopg.Connection, incoming: str) -> None:
    """Best effort: drop this run's incoming schema if a failure left it committed."""
    with suppress(Exception):
        if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(incoming)))
