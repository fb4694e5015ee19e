"""Every analyst query in analyses/ compiles with dbt and runs on a built warehouse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest
from _helpers import ROOT

from loaders.transform import compile_analyses, compile_analysis

ANALYSES = sorted(p.stem for p in (ROOT / "analyses").glob("*.sql"))


def test_there_are_at_least_six_analyses() -> None:
    assert len(ANALYSES) >= 6


@pytest.fixture(scope="module")
def compiled(built: tuple[Path, subprocess.CompletedProcess[str]]) -> dict[str, str]:
    return compile_analyses(None, built[0])


@pytest.mark.parametrize("name", ANALYSES)
def test_analysis_compiles_and_runs(
    name: str, built: tuple[Path, subprocess.CompletedProcess[str]], compiled: dict[str, str]
) -> None:
    db, proc = built
    assert proc.returncode == 0, proc.stderr
    sql = compiled[name]
    assert "{{" not in sql and "ref(" not in sql
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert cols, name
    assert isinstance(rows, list)


def test_national_trend_returns_the_bundled_series(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, _ = built
    sql = compile_analysis("national_trend_vs_target", db, dbt_vars={"analysis_indicator": "higher_education_ger"})
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = {r[0]: r[2] for r in con.execute(sql).fetchall()}
    finally:
        con.close()
    assert years[2020] == pytest.approx(54.4)
    assert years[2023] == pytest.approx(60.2)


def test_coverage_lists_every_region_level(
    built: tuple[Path, subprocess.CompletedProcess[str]], compiled: dict[str, str]
) -> None:
    db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(compiled["statistics_coverage_by_region_level"]).fetchall()
    finally:
        con.close()
    levels = {r[0]: r for r in rows}
    assert set(levels) == {"country", "province", "prefecture", "county"}
    assert levels["country"][2] == 1  # the nation has values
