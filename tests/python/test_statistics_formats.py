"""Formats and encodings of the statistics loader, and files that cannot be read at all."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from loaders import db
from loaders.statistics import StatisticsFileError, load_statistics

xlsxwriter = pytest.importorskip("xlsxwriter")

LONG_TEXT = "地区,年份,指标,数值\n北京市,2020,学前三年毛入园率,90.5\n广东省,2021,高中阶段毛入学率,95.2*\n"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(tmp_path / "warehouse.duckdb")
    yield c
    c.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    a = con.execute("select count(*) from raw.statistics").fetchone()
    b = con.execute("select count(*) from raw.rejected_rows").fetchone()
    return (a[0] if a else -1, b[0] if b else -1)


# --- text encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_csv_encodings(con: duckdb.DuckDBPyConnection, tmp_path: Path, encoding: str) -> None:
    p = tmp_path / f"long_{encoding}.csv"
    p.write_bytes(LONG_TEXT.encode(encoding))
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (2, 0), r.message
    assert rows(con, "select region_code, indicator_code, value, footnote from raw.statistics order by source_row") == [
        ("110000", "preschool_ger", 90.5, None),
        ("440000", "senior_secondary_ger", 95.2, "*"),
    ]


def test_big5_csv_with_traditional_names(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = "地區,年份,指標,數值\n北京市,2020,學前三年毛入園率,90.5\n廣東省,2021,高中階段毛入學率,95.2\n"
    p = tmp_path / "big5.csv"
    p.write_bytes(text.encode("big5"))
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (2, 0), r.message
    assert "encoding big5" in r.message
    assert rows(con, "select region_name, region_code, indicator_code from raw.statistics order by source_row") == [
        ("北京市", "110000", "preschool_ger"),
        ("廣東省", "440000", "senior_secondary_ger"),
    ]


def test_tsv_utf16_as_excel_saves_unicode_text(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "export.txt"
    p.write_bytes(LONG_TEXT.replace(",", "\t").encode("utf-16"))
    assert load_statistics(con, p).rows_landed == 2


def test_gb18030_wide_csv_with_title_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = "2021年教育统计公报附表\n单位：%\n地区,毛入园率,高中阶段毛入学率\n河北省,90.1,92\n山西省,…,93.5\n"
    p = tmp_path / "gb.csv"
    p.write_bytes(text.encode("gb18030"))
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (4, 4, 0), r.message
    got = rows(con, "select source_row, year, value, qualifier from raw.statistics order by source_row, source_column")
    assert got == [(4, 2021, 90.1, None), (4, 2021, 92.0, None), (5, 2021, None, "missing"), (5, 2021, 93.5, None)]


# --- workbooks ---------------------------------------------------------------------------------------


def yearbook(path: Path, *, sheet: str = "表1 各地区") -> Path:
    """A yearbook sheet: a title, a unit line, merged header cells, footnotes and a note row."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet(sheet)
    center = wb.add_format({"align": "center"})
    ws.merge_range("A1:E1", "表1 各地区教育主要指标", center)
    ws.write("A2", "单位：%")
    ws.merge_range("A3:A4", "地区", center)
    ws.merge_range("B3:C3", "学前三年毛入园率", center)
    ws.merge_range("D3:E3", "九年义务教育巩固率", center)
    ws.write_row("B4", [2020, 2021, "2020年", "2021年"])
    ws.write_row("A5", ["北  京", 90.5, 91, "99%以上", None])
    ws.write_row("A6", ["上海市", "95.2*", "—", 98, 120])
    ws.write_row("A7", ["火星市", 80, 81, 82, 83])
    ws.write("A9", "注：2021年数据为初步统计数。")
    wb.add_worksheet("说明").write("A1", "本表为示例数据")
    wb.close()
    return path


def test_yearbook_sheet_with_title_rows_and_merged_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = yearbook(tmp_path / "yearbook.xlsx")
    r = load_statistics(con, p)
    # 3 data rows x 4 value cells + 1 note row
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (13, 7, 6), r.message
    assert "skipped sheets '说明'" in r.message
    got = rows(
        con,
        "select source_row, source_column, region_code, indicator_code, year, value, qualifier, footnote "
        "from raw.statistics order by source_row, source_column",
    )
    assert got == [
        (5, "九年义务教育巩固率|2020年", "110000", "compulsory_consolidation_rate", 2020, 99.0, "lower_bound", None),
        (5, "九年义务教育巩固率|2021年", "110000", "compulsory_consolidation_rate", 2021, None, "missing", None),
        (5, "学前三年毛入园率|2020", "110000", "preschool_ger", 2020, 90.5, None, None),
        (5, "学前三年毛入园率|2021", "110000", "preschool_ger", 2021, 91.0, None, None),
        (6, "九年义务教育巩固率|2020年", "310000", "compulsory_consolidation_rate", 2020, 98.0, None, None),
        (6, "学前三年毛入园率|2020", "310000", "preschool_ger", 2020, 95.2, None, "*"),
        (6, "学前三年毛入园率|2021", "310000", "preschool_ger", 2021, None, "missing", None),
    ]
    rej = rows(con, "select sheet, source_row, source_column, reason from raw.rejected_rows order by source_row, 3")
    assert rej[0] == (
        "表1 各地区",
        6,
        "九年义务教育巩固率|2021年",
        "value_le_max_value: value 120.0 above max_value 100 for indicator compulsory_consolidation_rate (%) "
        "[column 九年义务教育巩固率|2021年]",
    )
    columns = [
        "学前三年毛入园率|2020",
        "学前三年毛入园率|2021",
        "九年义务教育巩固率|2020年",
        "九年义务教育巩固率|2021年",
    ]
    assert [x[3] for x in rej[1:5]] == [f"unknown region '火星市' [column {c}]" for c in sorted(columns)]
    assert rej[5][1:] == (9, None, "not a data row: a note/footer line inside the table")


def test_named_sheet_and_missing_sheet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = yearbook(tmp_path / "named.xlsx", sheet="Data")
    r = load_statistics(con, p, sheet="Data")
    assert r.rows_landed == 7 and r.path.endswith("named.xlsx#Data")
    with pytest.raises(StatisticsFileError, match=r"named\.xlsx: no sheet named 'Nope'"):
        load_statistics(con, p, sheet="Nope")
    with pytest.raises(StatisticsFileError, match=r"sheet '说明': no header row"):
        load_statistics(con, p, sheet="说明")


def test_table_starting_below_empty_rows_keeps_sheet_row_numbers(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    p = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet("s")
    ws.write_row("B3", ["地区", "年份", "指标", "数值"])
    ws.write_row("B4", ["湖南省", 2022, "高等教育毛入学率", 58.8])
    ws.write_row("B6", ["湖北省", 2022.0, "高等教育毛入学率", "62.1"])
    wb.close()
    r = load_statistics(con, p)
    assert r.rows_landed == 2
    assert rows(con, "select source_row, year from raw.statistics order by 1") == [(4, 2022), (6, 2022)]


def test_xls_workbook(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    p = tmp_path / "old.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("Sheet1")
    for i, row in enumerate([["地区", "2019", "2020"], ["辽宁省", 85.5, 86.0]]):
        for j, v in enumerate(row):
            sh.write(i, j, v)
    book.save(str(p))
    (tmp_path / "old.xls.mapping.yml").write_text("indicator: preschool_ger\n", encoding="utf-8")
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (2, 0), r.message
    assert rows(con, "select year, value from raw.statistics order by year") == [(2019, 85.5), (2020, 86.0)]


def test_parquet(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "stats.parquet"
    pl.DataFrame(
        {
            "adcode": ["320000", "330000"],
            "year": [2020, 2021],
            "indicator_code": ["higher_education_ger", "higher_education_ger"],
            "value": [60.2, None],
        }
    ).write_parquet(p)
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (2, 0)
    assert rows(con, "select region_code, year, value, qualifier from raw.statistics order by year") == [
        ("320000", 2020, 60.2, None),
        ("330000", 2021, None, "missing"),
    ]


def test_hostile_sheet_name(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sheet = "x'; DROP TABLE --"
    p = tmp_path / "hostile.xlsx"
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, ["地区", "年份", "指标", "数值"])
    ws.write_row(1, 0, ["x'); DELETE FROM raw.load_log; --", 2020, "辍学率", 1])
    ws.write_row(2, 0, ["河北省", 2020, "辍学率", 1])
    wb.close()
    r = load_statistics(con, p, sheet=sheet)
    assert (r.rows_landed, r.rows_rejected) == (1, 1)
    assert rows(con, "select distinct sheet from raw.statistics") == [(sheet,)]
    (raw_row,) = rows(con, "select raw_row from raw.rejected_rows")[0]
    assert json.loads(str(raw_row))["地区"] == "x'); DELETE FROM raw.load_log; --"
    assert rows(con, "select count(*) from raw.load_log") == [(1,)]


# --- files that cannot be read ------------------------------------------------------------------------


def assert_failed_cleanly(con: duckdb.DuckDBPyConnection, before: tuple[int, int]) -> None:
    assert counts(con) == before
    assert rows(con, "select status, rows_read from raw.load_log order by started_at desc limit 1") == [("failed", 0)]


def test_empty_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(StatisticsFileError, match=r"empty\.csv: empty file \(0 bytes\)$"):
        load_statistics(con, p)
    assert_failed_cleanly(con, (0, 0))


def test_header_only_file_is_a_load_of_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "header.csv"
    p.write_text("地区,年份,指标,数值\n", encoding="utf-8")
    r = load_statistics(con, p)
    assert (r.status, r.rows_read) == ("loaded", 0)


def test_truncated_xlsx(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    good = yearbook(tmp_path / "good.xlsx")
    load_statistics(con, good)
    before = counts(con)
    p = tmp_path / "truncated.xlsx"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(StatisticsFileError, match=r"truncated\.xlsx: unreadable workbook"):
        load_statistics(con, p)
    assert_failed_cleanly(con, before)


def test_csv_that_is_really_binary(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "data.csv"
    p.write_bytes(random.Random(7).randbytes(4096) + b"\x00\x01\x02")
    with pytest.raises(StatisticsFileError, match=r"data\.csv: binary content"):
        load_statistics(con, p)
    assert_failed_cleanly(con, (0, 0))


def test_csv_without_a_statistics_header(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = tmp_path / "other.csv"
    p.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(StatisticsFileError, match=r"other\.csv: no header row"):
        load_statistics(con, p)


def test_workbook_saved_as_csv_is_read_as_a_workbook(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    real = yearbook(tmp_path / "real.xlsx")
    p = tmp_path / "portal_download.csv"
    p.write_bytes(real.read_bytes())
    assert load_statistics(con, p).rows_landed == 7


def test_years_merged_over_indicators_with_a_unit_row(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The other yearbook orientation: a year spans its indicators, units on a third header row."""
    p = tmp_path / "years_on_top.xlsx"
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet("表2")
    ws.merge_range("A1:A3", "地区")
    ws.merge_range("B1:C1", "2022年")
    ws.merge_range("D1:E1", "2023年")
    ws.write_row("B2", ["小学净入学率", "初中毛入学率", "小学净入学率", "初中毛入学率"])
    ws.write_row("B3", ["(%)", "(%)", "(‰)", "(%)"])
    ws.write_row("A4", ["福建省", 99.9, 101.2, 999, "约100"])
    wb.close()
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (4, 4, 0), r.message
    got = rows(con, "select indicator_code, year, value, unit_raw, qualifier from raw.statistics order by year, 1")
    assert got == [
        ("junior_secondary_enrollment_rate", 2022, 101.2, "%", None),
        ("primary_enrollment_rate", 2022, 99.9, "%", None),
        ("junior_secondary_enrollment_rate", 2023, 100.0, "%", "approximate"),
        ("primary_enrollment_rate", 2023, pytest.approx(99.9), "‰", None),
    ]
