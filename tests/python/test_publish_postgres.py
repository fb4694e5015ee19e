"""Publishing marts to a real PostgreSQL server (throwaway cluster, real warehouse, no mocks).

Why real: what matters here — atomic swap under concurrent readers, grants that really keep
the BI role out of other schemas, COPY of real rows and comments — is PostgreSQL behaviour.
The cluster comes from ``pg_server.running_postgres`` (installed via
scripts/ensure_postgres.sh when absent; the tests skip when that is impossible). The
warehouse is the session's ``eduwh build`` of the bundled sample (``built`` in conftest.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from pg_server import ROOT, PostgresUnavailable, Server, running_postgres
from psycopg import errors, sql

from loaders.publish import PublishError, publish_postgres, redact_dsn

# The two tables whose counts the concurrent readers watch: they change together between the
# two warehouses, so a reader seeing one old and one new count has seen a mixed state.
TABLE_A = "dim_region"
TABLE_B = "fct_policy_targets"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One throwaway PostgreSQL cluster for the session, always stopped at the end."""
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL server unavailable: {exc}")


@pytest.fixture(scope="module")
def warehouse(built: tuple[Path, Any]) -> Path:
    db, proc = built
    assert proc.returncode == 0, f"eduwh build failed:\n{proc.stderr[-3000:]}"
    return db


@pytest.fixture(scope="module")
def warehouse_b(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the warehouse where TABLE_A and TABLE_B both lost rows (the 'new' marts)."""
    dst = tmp_path_factory.mktemp("wh_b") / "warehouse_b.duckdb"
    shutil.copyfile(warehouse, dst)
    with duckdb.connect(str(dst)) as con:
        con.execute(f"delete from marts.{TABLE_A} where rowid % 3 = 0")
        con.execute(f"delete from marts.{TABLE_B} where rowid % 2 = 0")
    return dst


def _new_db(server: Server) -> str:
    """A fresh database (isolates tests); returns its superuser DSN."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.dsn_superuser, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.dsn(password=server.superuser_password, dbname=name)


def _dbname(dsn: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(dsn)["dbname"]  # type: ignore[return-value]


@pytest.fixture(scope="module")
def published(postgres_server: Server, warehouse: Path) -> tuple[str, str]:
    """The sample warehouse published once into a fresh database; (superuser DSN, reader DSN)."""
    dsn = _new_db(postgres_server)
    publish_postgres(warehouse, dsn, reader_password="reader-pw-1")
    return dsn, postgres_server.dsn("bi_reader", "reader-pw-1", _dbname(dsn))


def _duck_tables(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        ]
        return {n: con.execute(f'select count(*) from marts."{n}"').fetchone()[0] for n in names}  # type: ignore[index]


# --------------------------------------------------------------------------- content


def test_every_mart_copied_with_equal_rows_and_content(published: tuple[str, str], warehouse: Path) -> None:
    dsn, _ = published
    duck_counts = _duck_tables(warehouse)
    assert len(duck_counts) >= 8
    with psycopg.connect(dsn) as pg, duckdb.connect(str(warehouse), read_only=True) as duck:
        pg_tables = {r[0] for r in pg.execute("select tablename from pg_tables where schemaname = 'marts'").fetchall()}
        assert pg_tables == set(duck_counts)
        for table, n in duck_counts.items():
            cols = [
                r[0]
                for r in duck.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                    "order by column_index",
                    [table],
                ).fetchall()
            ]
            col_list = ", ".join(f'"{c}"' for c in cols)
            duck_rows = duck.execute(f'select {col_list} from marts."{table}"').fetchall()
            pg_rows = pg.execute(
                sql.SQL("select {} from marts.{}").format(
                    sql.SQL(", ").join(map(sql.Identifier, cols)), sql.Identifier(table)
                )
            ).fetchall()
            assert len(pg_rows) == n == len(duck_rows), table
            assert sorted(pg_rows, key=repr) == sorted(duck_rows, key=repr), f"content differs in {table}"
        types = dict(
            pg.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_target_progress'"
            ).fetchall()
        )
        assert types["target_id"] == "text"
        assert types["target_value"] == "double precision"
        assert types["target_year"] == "integer"
        assert types["n_observations"] == "bigint"


def test_table_and_column_comments_carried_over(published: tuple[str, str], warehouse: Path) -> None:
    dsn, _ = published
    with duckdb.connect(str(warehouse), read_only=True) as duck:
        t_comments = duck.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts' and comment is not null"
        ).fetchall()
        c_comments = duck.execute(
            "select table_name, column_name, comment from duckdb_columns() "
            "where schema_name = 'marts' and comment is not null"
        ).fetchall()
    assert len(t_comments) >= 8 and len(c_comments) > 50
    with psycopg.connect(dsn) as pg:
        for table, comment in t_comments:
            got = pg.execute(
                "select obj_description(format('marts.%%I', %s::text)::regclass, 'pg_class')", [table]
            ).fetchone()
            assert got == (comment,), table
        for table, column, comment in c_comments:
            got = pg.execute(
                "select col_description(c.oid, a.attnum) from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'marts' "
                "join pg_attribute a on a.attrelid = c.oid and a.attname = %s where c.relname = %s",
                [column, table],
            ).fetchone()
            assert got == (comment,), f"{table}.{column}"


# --------------------------------------------------------------------------- privileges


def test_reader_can_select_marts_and_nothing_else(published: tuple[str, str], warehouse: Path) -> None:
    dsn, reader_dsn = published
    with psycopg.connect(dsn, autocommit=True) as su:
        su.execute("create schema if not exists raw")
        su.execute("create table if not exists raw.secret (x int)")
        su.execute("create table if not exists public.secret (x int)")
        role = su.execute(
            "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, "
            "rolcanlogin from pg_roles where rolname = 'bi_reader'"
        ).fetchone()
        assert role == (False, False, False, False, False, False, True)
        assert su.execute(
            "select count(*) from pg_auth_members m join pg_roles r on r.oid = m.member where r.rolname = 'bi_reader'"
        ).fetchone() == (0,)
        assert su.execute("select has_schema_privilege('public', 'public', 'CREATE')").fetchone() == (False,)
    with psycopg.connect(reader_dsn, autocommit=True) as rd:
        for table in _duck_tables(warehouse):
            rd.execute(sql.SQL("select * from marts.{} limit 1").format(sql.Identifier(table)))
        denied = [
            "select * from raw.secret",
            "select * from public.secret",
            f"insert into marts.{TABLE_A} select * from marts.{TABLE_A} limit 1",
            f"update marts.{TABLE_A} set region_code = region_code",
            f"delete from marts.{TABLE_A}",
            f"truncate marts.{TABLE_A}",
            "create table marts.x (i int)",
            "create table public.x (i int)",
            "create schema mine",
            f"alter table marts.{TABLE_A} add column z int",
            f"drop table marts.{TABLE_A}",
        ]
        for stmt in denied:
            with pytest.raises(errors.InsufficientPrivilege):
                rd.execute(stmt)


def test_publish_twice_updates_role_and_revokes_stale_privileges(
    postgres_server: Server, warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="loaders.publish.postgres")
    dsn = _new_db(postgres_server)
    db = _dbname(dsn)
    publish_postgres(warehouse, dsn, reader_role="bi_twice", reader_password="first-pw")
    with psycopg.connect(dsn, autocommit=True) as su:  # someone hand-grants the reader too much
        su.execute("create table public.notes (x int)")
        su.execute("grant select, insert on public.notes to bi_twice")
        su.execute("grant pg_write_all_data to bi_twice")
        su.execute(sql.SQL("grant create on database {} to bi_twice").format(sql.Identifier(db)))
        su.execute("alter role bi_twice createdb")
        su.execute("create table public.open_to_all (x int)")
        su.execute("grant select on public.open_to_all to public")
        su.execute("create schema marts__incoming_deadbeef")  # left by a publish that crashed
        su.execute("comment on schema marts__incoming_deadbeef is 'eduwh publish: crashed run'")
        su.execute("create schema marts__old_mine")  # same prefix, but not ours: must survive
    result = publish_postgres(warehouse, dsn, reader_role="bi_twice", reader_password="second-pw")
    assert result.rows[TABLE_A] == _duck_tables(warehouse)[TABLE_A]
    assert "revoking membership of bi_twice in role pg_write_all_data" in caplog.text
    assert "can also read public.open_to_all (granted to PUBLIC" in caplog.text
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_server.dsn("bi_twice", "first-pw", db)).close()
    with psycopg.connect(postgres_server.dsn("bi_twice", "second-pw", db), autocommit=True) as rd:
        assert rd.execute(sql.SQL("select count(*) from marts.{}").format(sql.Identifier(TABLE_A))).fetchone()
        for stmt in (
            "select * from public.notes",
            "insert into public.notes values (1)",
            f"delete from marts.{TABLE_B}",
            "create schema mine",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                rd.execute(stmt)
    with psycopg.connect(dsn) as su:
        assert su.execute(
            "select count(*), bool_or(rolcreatedb) from pg_roles where rolname = 'bi_twice'"
        ).fetchone() == (1, False)
        schemas = {r[0] for r in su.execute("select nspname from pg_namespace where nspname like 'marts%'")}
        assert schemas == {"marts", "marts__old_mine"}, "incoming/old schemas left behind"


def test_tables_subset_and_view_dependency_guard(postgres_server: Server, warehouse: Path) -> None:
    dsn = _new_db(postgres_server)
    result = publish_postgres(warehouse, dsn, tables=[TABLE_A, TABLE_B])
    assert result.tables == [TABLE_A, TABLE_B]
    with psycopg.connect(dsn, autocommit=True) as su:
        assert {r[0] for r in su.execute("select tablename from pg_tables where schemaname = 'marts'")} == {
            TABLE_A,
            TABLE_B,
        }
        su.execute(f"create view public.v as select count(*) from marts.{TABLE_A}")
    with pytest.raises(PublishError, match=r"depend on its tables.*public\.v"):
        publish_postgres(warehouse, dsn, tables=[TABLE_A])
    with psycopg.connect(dsn) as su:  # refused swap: the live schema is untouched, nothing left over
        assert {r[0] for r in su.execute("select tablename from pg_tables where schemaname = 'marts'")} == {
            TABLE_A,
            TABLE_B,
        }
        assert su.execute("select count(*) from pg_namespace where nspname like 'marts\\_\\_%'").fetchone() == (0,)
    with pytest.raises(PublishError, match="not in marts"):
        publish_postgres(warehouse, dsn, tables=["no_such_table"])


def test_refuses_foreign_schema_and_admin_reader(postgres_server: Server, warehouse: Path) -> None:
    dsn = _new_db(postgres_server)
    with psycopg.connect(dsn, autocommit=True) as su:
        su.execute("create schema handmade")
        su.execute("create table handmade.keep (x int)")
        su.execute("create table public.keep (x int)")
    for schema in ("public", "handmade"):
        with pytest.raises(PublishError, match="not created by eduwh publish"):
            publish_postgres(warehouse, dsn, schema=schema, tables=[TABLE_A])
    for role in ("postgres",):  # the publishing superuser itself
        with pytest.raises(PublishError, match="choose a dedicated reader role"):
            publish_postgres(warehouse, dsn, reader_role=role, tables=[TABLE_A])
    with psycopg.connect(dsn) as su:
        assert su.execute("select count(*) from pg_tables where tablename = 'keep'").fetchone() == (2,)
        assert su.execute("select rolsuper from pg_roles where rolname = 'postgres'").fetchone() == (True,)
        assert su.execute("select count(*) from pg_namespace where nspname like '%\\_\\_incoming\\_%'").fetchone() == (
            0,
        )


# --------------------------------------------------------------------------- atomic swap


def _reader(dsn: str, mode: int, stop: threading.Event, seen: list[tuple[int, int]], errs: list[str]) -> None:
    """Count TABLE_A and TABLE_B together until stopped, in one of four ways a BI tool might."""
    a = sql.SQL("select count(*) from marts.{}").format(sql.Identifier(TABLE_A))
    b = sql.SQL("select count(*) from marts.{}").format(sql.Identifier(TABLE_B))
    both = sql.SQL("select ({}), ({})").format(a, b)
    try:
        with psycopg.connect(dsn, autocommit=mode < 2) as conn:
            if mode >= 2:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            while not stop.is_set():
                try:
                    if mode == 0:  # one statement
                        row = conn.execute(both).fetchone()
                    elif mode == 1:  # one statement, server-side prepared (JDBC/Metabase style)
                        row = conn.execute(both, prepare=True).fetchone()
                    elif mode == 2:  # REPEATABLE READ transaction, A then B
                        with conn.transaction():
                            ra, rb = conn.execute(a).fetchone(), conn.execute(b).fetchone()
                        row = (ra[0], rb[0]) if ra and rb else None
                    else:  # REPEATABLE READ transaction, B then A: lock order opposite to the swap's
                        with conn.transaction():
                            rb, ra = conn.execute(b).fetchone(), conn.execute(a).fetchone()
                        row = (ra[0], rb[0]) if ra and rb else None
                    assert row is not None
                    seen.append((int(row[0]), int(row[1])))
                except Exception as exc:
                    errs.append(f"mode {mode}: {type(exc).__name__}: {exc}")
                    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                        conn.rollback()
    except Exception as exc:
        errs.append(f"mode {mode} connection: {type(exc).__name__}: {exc}")


def test_concurrent_readers_never_see_a_mix(postgres_server: Server, warehouse: Path, warehouse_b: Path) -> None:
    dsn = _new_db(postgres_server)
    old, new = _duck_tables(warehouse), _duck_tables(warehouse_b)
    state_old, state_new = (old[TABLE_A], old[TABLE_B]), (new[TABLE_A], new[TABLE_B])
    assert state_old[0] != state_new[0] and state_old[1] != state_new[1]
    publish_postgres(warehouse, dsn, reader_password="rpw")
    reader_dsn = postgres_server.dsn("bi_reader", "rpw", _dbname(dsn))

    stop = threading.Event()
    seen: list[list[tuple[int, int]]] = [[] for _ in range(4)]
    errs: list[str] = []
    threads = [
        threading.Thread(target=_reader, args=(reader_dsn, mode, stop, seen[mode], errs), daemon=True)
        for mode in range(4)
    ]
    for t in threads:
        t.start()
    attempts = []
    try:
        time.sleep(0.3)
        for i in range(4):  # new, old, new, old while the readers run
            result = publish_postgres(warehouse_b if i % 2 == 0 else warehouse, dsn, reader_password="rpw")
            attempts.append(result.swap_attempts)
            time.sleep(0.1)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errs, errs[:5]
    everything = [pair for per_reader in seen for pair in per_reader]
    assert all(len(per_reader) > 5 for per_reader in seen), [len(s) for s in seen]
    mixed = {pair for pair in everything if pair not in (state_old, state_new)}
    assert not mixed, f"readers saw mixed states {mixed} (valid: {state_old}, {state_new})"
    assert {state_old, state_new} <= set(everything)
    logging.getLogger(__name__).info("reads: %d, swap attempts: %s", len(everything), attempts)


# --------------------------------------------------------------------------- failures and secrets


def test_wrong_password_is_a_publish_error_without_the_secret(
    postgres_server: Server, warehouse: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Wr0ng-S3cret-pw"
    dsn = postgres_server.dsn("postgres", secret)
    with pytest.raises(PublishError) as info:
        publish_postgres(warehouse, dsn)
    msg = str(info.value)
    assert "\n" not in msg and "password authentication failed" in msg
    assert secret not in msg and dsn not in msg
    assert info.value.__cause__ is None and info.value.__suppress_context__
    uri = f"postgresql://postgres:{secret}@127.0.0.1:{postgres_server.port}/postgres"
    with pytest.raises(PublishError) as info2:
        publish_postgres(warehouse, uri)
    assert secret not in str(info2.value)
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err):
        assert secret not in text and dsn not in text


def test_unreachable_server_missing_file_and_schema(warehouse: Path, tmp_path: Path, postgres_server: Server) -> None:
    with pytest.raises(PublishError, match="cannot connect") as info:
        publish_postgres(warehouse, "host=127.0.0.1 port=1 user=u password=hunter2 dbname=d", connect_timeout=3)
    assert "hunter2" not in str(info.value) and "password=***" in str(info.value)
    with pytest.raises(PublishError, match="not found"):
        publish_postgres(tmp_path / "missing.duckdb", postgres_server.dsn_superuser)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(PublishError, match="does not exist"):
        publish_postgres(empty, postgres_server.dsn_superuser)


def test_warehouse_held_by_a_writer_is_a_publish_error(
    warehouse: Path, tmp_path: Path, postgres_server: Server
) -> None:
    held = tmp_path / "held.duckdb"
    shutil.copyfile(warehouse, held)
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(held)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match=r"cannot open warehouse .* read-only"):
            publish_postgres(held, postgres_server.dsn_superuser, schema="held")
    finally:
        writer.communicate("", timeout=30)


def test_dsn_never_logged_on_success(
    postgres_server: Server, warehouse: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    dsn = _new_db(postgres_server)
    publish_postgres(warehouse, dsn, reader_password="reader-secret-zz", tables=[TABLE_A])
    out, err = capfd.readouterr()
    assert "published 1 tables" in caplog.text and "password=***" in caplog.text
    for text in (caplog.text, out, err):
        assert postgres_server.superuser_password not in text and dsn not in text
        assert "reader-secret-zz" not in text


def test_ensure_postgres_script_is_quick_when_installed(postgres_server: Server) -> None:
    started = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "ensure_postgres.sh")], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == postgres_server.bin_dir
    assert time.perf_counter() - started < 5


def test_redact_dsn() -> None:
    assert redact_dsn("host=h port=5 dbname=d user=u password=pw") == "host=h port=5 dbname=d user=u password=***"
    assert "s3cr%40t" not in redact_dsn("postgresql://u:s3cr%40t@h:5432/d")
    assert "s3cr" not in redact_dsn("postgresql://u:s3cr%40t@h:5432/d")
    assert redact_dsn("postgresql://u:pw@h/d").endswith("password=***")
    assert "oops" not in redact_dsn("host='oops password=oops")


# --------------------------------------------------------------------------- types and odd names


def test_types_values_and_odd_identifiers_round_trip(postgres_server: Server, tmp_path: Path) -> None:
    db = tmp_path / "types.duckdb"
    odd_table, odd_col = 'odd "table"; drop table x; --', 'col "x"; select 1'
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        con.execute("""
            create table marts.typed as select * from (values
              (1::tinyint, 2::smallint, 3::integer, 4::bigint, 5::ubigint, 6::hugeint, 1.5::float, 0.1::double,
               12.345::decimal(10,3), true, date '2024-02-29', timestamp '2024-01-02 03:04:05.123456',
               timestamptz '2024-01-01 08:00:00+08', time '10:11:12', interval 3 day,
               '6f1c0f4e-7f6b-4a4c-9d4a-1b2c3d4e5f60'::uuid, '{"k": [1, 2]}'::json, [1, 2, 3], {'a': 1, 'b': 'x'},
               '\\xAB\\x00'::blob, 'say "hi", then
            go', '', '\\N', '教育 2025'),
              (null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
               null, null, null, null, null, null, null)
            ) v(ti, si, i, bi, ubi, hi, f, d, dec, b, dt, ts, tstz, tm, iv, u, j, l, s, bl, q, e, bs, zh)
        """)
        con.execute(
            f'create table marts."{odd_table.replace(chr(34), chr(34) * 2)}" '
            f'("{odd_col.replace(chr(34), chr(34) * 2)}" varchar)'
        )
        con.execute(f"insert into marts.\"{odd_table.replace(chr(34), chr(34) * 2)}\" values ('v')")
        con.execute("comment on table marts.typed is 'it''s typed; -- no injection'")
    dsn = _new_db(postgres_server)
    result = publish_postgres(db, dsn, schema="typed_marts", reader_role="bi_types")
    assert result.rows == {odd_table: 1, "typed": 2}
    with psycopg.connect(dsn) as pg:
        types = dict(
            pg.execute(
                "select attname, format_type(atttypid, atttypmod) from pg_attribute "
                "where attrelid = 'typed_marts.typed'::regclass and attnum > 0"
            ).fetchall()
        )
        assert types == {
            "ti": "smallint",
            "si": "smallint",
            "i": "integer",
            "bi": "bigint",
            "ubi": "numeric(20,0)",
            "hi": "numeric(39,0)",
            "f": "real",
            "d": "double precision",
            "dec": "numeric(10,3)",
            "b": "boolean",
            "dt": "date",
            "ts": "timestamp without time zone",
            "tstz": "timestamp with time zone",
            "tm": "time without time zone",
            "iv": "interval",
            "u": "uuid",
            "j": "jsonb",
            "l": "jsonb",
            "s": "jsonb",
            "bl": "bytea",
            "q": "text",
            "e": "text",
            "bs": "text",
            "zh": "text",
        }
        pg.execute("set timezone = 'UTC'")
        row = pg.execute("select * from typed_marts.typed where i = 3").fetchone()
        assert row is not None
        assert row[:4] == (1, 2, 3, 4) and row[4] == Decimal(5) and row[5] == Decimal(6)
        assert row[6] == 1.5 and row[7] == 0.1 and row[8] == Decimal("12.345") and row[9] is True
        assert row[10] == dt.date(2024, 2, 29) and row[11] == dt.datetime(2024, 1, 2, 3, 4, 5, 123456)
        assert row[12] == dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC)
        assert row[13] == dt.time(10, 11, 12) and row[14] == dt.timedelta(days=3)
        assert str(row[15]) == "6f1c0f4e-7f6b-4a4c-9d4a-1b2c3d4e5f60"
        assert row[16] == {"k": [1, 2]} and row[17] == [1, 2, 3] and row[18] == {"a": 1, "b": "x"}
        assert bytes(row[19]) == b"\xab\x00"
        assert row[20:] == ('say "hi", then\n            go', "", "\\N", "教育 2025")
        assert pg.execute("select * from typed_marts.typed where i is null").fetchone() == (None,) * 24
        assert pg.execute("select obj_description('typed_marts.typed'::regclass)").fetchone() == (
            "it's typed; -- no injection",
        )
        got = pg.execute(
            sql.SQL("select {} from typed_marts.{}").format(sql.Identifier(odd_col), sql.Identifier(odd_table))
        ).fetchone()
        assert got == ("v",)
