"""End to end: ``eduwh build`` on the bundled sample into a temporary warehouse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
from _helpers import ROOT, insert_statistic_bypassing_loader, run_eduwh


def test_build_succeeds_and_every_dbt_test_passes(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, proc = built
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "failed 0" in out
    assert "tests passed" in out


def test_every_sample_document_has_targets(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = {p.stem for p in (ROOT / "data" / "documents").iterdir() if p.is_file()}
        with_targets = {r[0] for r in con.execute("select distinct doc_id from marts.fct_policy_targets").fetchall()}
        in_dim = {r[0] for r in con.execute("select doc_id from marts.dim_document").fetchall()}
    finally:
        con.close()
    assert in_dim == docs
    assert with_targets == docs


def test_national_preschool_ger_covers_2012_to_2024(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = {
            r[0]
            for r in con.execute(
                """
                select year from marts.fct_indicator_observations
                where region_code = '000000' and indicator_code = 'preschool_ger' and value is not null
                """
            ).fetchall()
        }
    finally:
        con.close()
    assert set(range(2012, 2025)) <= years


def test_marts_have_rows_and_grains_hold(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_regions = con.execute("select count(*) from marts.dim_region").fetchone()[0]
        levels = dict(con.execute("select region_level, count(*) from marts.dim_region group by 1").fetchall())
        dup = con.execute(
            """
            select count(*) from (
                select region_code, indicator_code, year, source_key from marts.fct_indicator_observations
                group by all having count(*) > 1
            )
            """
        ).fetchone()[0]
    finally:
        con.close()
    assert levels["country"] == 1 and levels["province"] == 31
    assert n_regions > 3000
    assert dup == 0


def test_second_build_is_idempotent(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    before = (
        con.execute("select count(*) from raw.statistics").fetchone()[0],
        con.execute("select count(*) from raw.policy_targets").fetchone()[0],
    )
    con.close()
    proc = run_eduwh("build", "--db", str(db))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    after = (
        con.execute("select count(*) from raw.statistics").fetchone()[0],
        con.execute("select count(*) from raw.policy_targets").fetchone()[0],
    )
    statuses = {
        r[0]
        for r in con.execute(
            "select status from raw.load_log where started_at > (select min(finished_at) from raw.load_log "
            "where status <> 'unchanged') order by started_at desc limit 6"
        ).fetchall()
    }
    con.close()
    assert before == after
    assert "unchanged" in statuses


def test_a_share_of_120_percent_fails_the_build_naming_indicator_and_row(
    sample_data_copy: Path, tmp_path: Path
) -> None:
    bad = sample_data_copy / "statistics" / "bad_share.csv"
    bad.write_text(
        "region_name_zh,adcode,indicator_code,year,value,unit,source_title\n"
        "全国,,compulsory_consolidation_rate,2021,95.4,%,ok row\n"
        "全国,,compulsory_consolidation_rate,2022,120,%,impossible share\n",
        encoding="utf-8",
    )
    proc = run_eduwh("build", "--data", str(sample_data_copy), "--db", str(tmp_path / "wh.duckdb"))
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "compulsory_consolidation_rate" in out
    assert "bad_share.csv" in out and "row 3" in out


def test_range_test_in_dbt_catches_a_share_that_bypassed_the_loader(
    built: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    import shutil

    db = tmp_path / "wh" / "warehouse.duckdb"
    db.parent.mkdir()
    shutil.copyfile(built[0], db)  # a copy of the sample build: same inputs, so the loads are unchanged
    insert_statistic_bypassing_loader(
        db, source_file="hand_edit.csv", row=7, indicator="primary_enrollment_rate", value=120.0
    )
    proc = run_eduwh("build", "--db", str(db), "--no-quality")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "value_in_indicator_range" in out
    assert "primary_enrollment_rate" in out and "hand_edit.csv" in out


def test_descriptions_persist_as_duckdb_comments(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = dict(
            con.execute("select table_name, comment from duckdb_tables() where schema_name = 'marts'").fetchall()
        )
        undocumented = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
            "and (comment is null or comment = '')"
        ).fetchall()
    finally:
        con.close()
    assert tables and all(c for c in tables.values()), tables
    assert undocumented == []


def test_dbt_docs_generate_works(built: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    import shutil

    from loaders.transform import run_dbt

    db, _ = built
    copy = tmp_path / "docs" / "warehouse.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    outcome = run_dbt(["docs", "generate"], copy)
    assert outcome.success, outcome.errors
    catalog = copy.parent / "target" / "catalog.json"
    assert catalog.exists() and "fct_target_progress" in catalog.read_text(encoding="utf-8")
