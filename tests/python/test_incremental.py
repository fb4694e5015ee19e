"""Incremental builds give the same marts as a full refresh, row for row.

Build in full, add a document and a statistics file, build incrementally, then
rebuild a copy with ``--full-refresh`` and compare every mart both ways
(``except all``). Then correct the statistics file (a replaced load) and compare
again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from _helpers import run_eduwh

MARTS_COMPARED = (
    "dim_document",
    "fct_policy_targets",
    "fct_indicator_observations",
    "fct_indicator_values",
    "fct_target_progress",
    "rpt_region_indicator_year",
)

PLAN = "国家教育事业发展“十四五”规划\n到2025年，学前三年毛入园率达到90%以上，高中阶段毛入学率达到92%以上。\n"


def _build(data: Path, db: Path, *extra: str) -> dict:
    proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality", "--log-format", "json", *extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    events = [json.loads(x) for x in proc.stderr.splitlines() if x.startswith("{")]
    return next(e for e in events if e["event"] == "dbt_finished")


def _differences(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect()
    try:
        con.execute("attach ? as a (read_only)", [str(a)])
        con.execute("attach ? as b (read_only)", [str(b)])
        out = {}
        for mart in MARTS_COMPARED:
            only_a = con.execute(
                f"select count(*) from (select * from a.marts.{mart} except all select * from b.marts.{mart})"
            ).fetchone()[0]
            only_b = con.execute(
                f"select count(*) from (select * from b.marts.{mart} except all select * from a.marts.{mart})"
            ).fetchone()[0]
            out[mart] = (only_a, only_b)
        return out
    finally:
        con.close()


def _full_refresh_copy(db: Path, data: Path, where: Path) -> Path:
    copy = where / "warehouse.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(db, copy)
    assert _build(data, copy, "--full-refresh")["mode"] == "full_refresh"
    return copy


def test_incremental_build_equals_full_refresh(sample_data_copy: Path, tmp_path: Path) -> None:
    data = sample_data_copy
    db = tmp_path / "inc" / "warehouse.duckdb"
    assert _build(data, db)["mode"] == "full_refresh"  # a first build is always full

    (data / "documents" / "national_plan.txt").write_text(PLAN, encoding="utf-8")
    stats = data / "statistics" / "new_values.csv"
    stats.write_text(
        "region_name_zh,indicator_code,year,value,unit,source_title\n"
        "全国,preschool_ger,2025,92.1,%,a later bulletin\n"
        "广东省,preschool_ger,2024,90.5,%,provincial bulletin\n",
        encoding="utf-8",
    )
    assert _build(data, db)["mode"] == "incremental"
    con = duckdb.connect(str(db), read_only=True)
    national = con.execute(
        "select status from marts.fct_target_progress p join marts.fct_policy_targets t using (target_id) "
        "where t.doc_id = 'national_plan' and p.indicator_code = 'preschool_ger'"
    ).fetchone()
    guangdong_before = con.execute(
        "select count(*) from marts.fct_indicator_values where region_code = '440000' and year = 2024 "
        "and indicator_code = 'preschool_ger'"
    ).fetchone()[0]
    con.close()
    assert national is not None  # the new document's target was assessed incrementally
    assert guangdong_before == 1

    full = _full_refresh_copy(db, data, tmp_path / "full1")
    assert _differences(db, full) == {m: (0, 0) for m in MARTS_COMPARED}

    # a corrected file replaces its rows: incremental again, still equal to a full refresh
    stats.write_text(
        "region_name_zh,indicator_code,year,value,unit,source_title\n全国,preschool_ger,2025,93.0,%,a later bulletin\n",
        encoding="utf-8",
    )
    assert _build(data, db)["mode"] == "incremental"
    full = _full_refresh_copy(db, data, tmp_path / "full2")
    assert _differences(db, full) == {m: (0, 0) for m in MARTS_COMPARED}
    con = duckdb.connect(str(db), read_only=True)
    guangdong = con.execute(
        "select count(*) from marts.fct_indicator_values where region_code = '440000' and year = 2024 "
        "and indicator_code = 'preschool_ger'"
    ).fetchone()[0]
    con.close()
    assert guangdong == 0  # the row the corrected file dropped is gone from the incremental marts too
