"""The tracker agrees with published figures (a worked check on the bundled national statistics).

A small national 十四五 plan states the two national targets; the bundled statistics
hold the published values (高等教育毛入学率 54.4 in 2020, 60.2 in 2023; 劳动年龄人口平均
受教育年限 10.8 in 2020, 10.9 in 2021). Extraction, loading, dbt and the progress
logic all run for real.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from _helpers import run_eduwh

PLAN = (
    "国家教育事业发展“十四五”规划\n"
    "主要目标：到2025年，高等教育毛入学率达到60%，劳动年龄人口平均受教育年限提高到11.3年。\n"
)


def _progress(db: Path, code: str) -> tuple[str, float | None, int | None]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            """
            select status, progress_ratio, latest_year
            from marts.fct_target_progress
            where region_code = '000000' and indicator_code = ? and target_year = 2025
            """,
            [code],
        ).fetchone()
    finally:
        con.close()
    assert row is not None, f"no national 2025 target for {code}"
    return row


@pytest.fixture
def plan_data(sample_data_copy: Path) -> Path:
    (sample_data_copy / "documents" / "national_14th_plan.txt").write_text(PLAN, encoding="utf-8")
    return sample_data_copy


def test_higher_education_ger_is_achieved_as_of_2023(plan_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "a" / "warehouse.duckdb"
    proc = run_eduwh(
        "build", "--data", str(plan_data), "--db", str(db), "--no-quality", "--vars", "{eduwh_as_of_year: 2023}"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status, _, latest_year = _progress(db, "higher_education_ger")
    assert (status, latest_year) == ("achieved", 2023)


def test_years_of_schooling_is_on_track_with_r_about_1_02_as_of_2021(plan_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "b" / "warehouse.duckdb"
    proc = run_eduwh(
        "build", "--data", str(plan_data), "--db", str(db), "--no-quality", "--vars", "{eduwh_as_of_year: 2021}"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    status, ratio, latest_year = _progress(db, "avg_years_schooling_working_age")
    assert status == "on_track" and latest_year == 2021
    assert ratio == pytest.approx(1.02, abs=0.01)
