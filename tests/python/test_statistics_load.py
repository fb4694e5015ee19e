"""End to end: layouts, resolution, validation, nothing lost, idempotence, hostile input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders import db
from loaders.config import project_root
from loaders.statistics import LoadResult, StatisticsFileError, iter_statistics_paths, load_statistics

SAMPLE = project_root() / "data" / "statistics" / "china_education_statistics.csv"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = db.connect(tmp_path / "warehouse.duckdb")
    yield c
    c.close()


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def landed(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict[str, object]]:
    cur = con.execute(f"select * from raw.statistics where {where} order by sheet, source_row, source_column")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def rejected(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    cur = con.execute("select * from raw.rejected_rows order by sheet, source_row, source_column")
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def assert_balanced(con: duckdb.DuckDBPyConnection, r: LoadResult) -> None:
    """rows_read = landed + rejected, and the tables and load_log agree with the result."""
    assert r.rows_read == r.rows_landed + r.rows_rejected
    n_land = con.execute("select count(*) from raw.statistics where load_id = ?", [r.load_id]).fetchone()
    n_rej = con.execute("select count(*) from raw.rejected_rows where load_id = ?", [r.load_id]).fetchone()
    assert (n_land[0] if n_land else -1, n_rej[0] if n_rej else -1) == (r.rows_landed, r.rows_rejected)
    log = con.execute(
        "select status, rows_read, rows_landed, rows_rejected from raw.load_log where load_id = ?", [r.load_id]
    ).fetchone()
    assert log == (r.status, r.rows_read, r.rows_landed, r.rows_rejected)


# --- the real sample ------------------------------------------------------------------------------


def test_sample_file_lands_all_110_rows(con: duckdb.DuckDBPyConnection) -> None:
    r = load_statistics(con, SAMPLE)
    assert (r.status, r.rows_read, r.rows_landed, r.rows_rejected) == ("loaded", 110, 110, 0)
    assert_balanced(con, r)
    country = landed(con, "region_name = '全国'")
    assert country and {row["region_code"] for row in country} == {"000000"}
    bounds = landed(con, "qualifier = 'lower_bound'")
    assert {(b["region_code"], b["indicator_code"], b["year"], b["value"]) for b in bounds} == {
        ("340000", "preschool_ger", 2024, 99.0),
        ("430000", "special_education_enrollment_rate", 2024, 98.0),
    }
    first = landed(con, "source_row = 2")[0]
    assert first["source_file"] == "data/statistics/china_education_statistics.csv"
    assert first["source_url"].startswith("https://")
    assert first["nature"] == "reported"
    assert first["unit"] == "年"


# --- layouts --------------------------------------------------------------------------------------


def test_long_layout_with_chinese_headers_converts_permille(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "long.csv",
        "地区,年份,指标名称,数值,单位,来源\n"
        "北京市,2021,辍学率,3,‰,公报\n"
        "广东省,2021年,小学净入学率,99.9,%,公报\n"
        "广东省,2022,小学净入学率,约99.95,%,公报\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (3, 3, 0)
    rows = landed(con)
    assert rows[0]["indicator_code"] == "dropout_rate"
    assert rows[0]["value"] == pytest.approx(0.3)
    assert (rows[0]["unit"], rows[0]["unit_raw"], rows[0]["value_raw"]) == ("%", "‰", "3")
    assert rows[1]["year"] == 2021 and rows[1]["region_code"] == "440000"
    assert rows[2]["qualifier"] == "approximate"
    assert rows[2]["source_title"] == "公报"


def test_long_layout_with_english_headers_and_code_columns(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "long_en.csv",
        "region,adcode,year,indicator_code,indicator,value,unit,nature\n"
        "Wherever,330000,2020,higher_education_ger,whatever it is called,64.5,%,estimated\n",
    )
    r = load_statistics(con, p)
    assert r.rows_landed == 1
    (row,) = landed(con)
    assert (row["region_code"], row["indicator_code"], row["nature"]) == ("330000", "higher_education_ger", "estimated")


def test_wide_by_year(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "wide_year.csv",
        "地区,指标,2019,2020年,2021\n北京市,九年义务教育巩固率,99.5,—,99.8*\n上海市,九年义务教育巩固率,99,99.1,>99\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (6, 6, 0)
    assert_balanced(con, r)
    rows = landed(con)
    assert [(x["region_code"], x["year"], x["value"], x["qualifier"]) for x in rows] == [
        ("110000", 2019, 99.5, None),
        ("110000", 2020, None, "missing"),
        ("110000", 2021, 99.8, None),
        ("310000", 2019, 99.0, None),
        ("310000", 2020, 99.1, None),
        ("310000", 2021, 99.0, "lower_bound"),
    ]
    assert rows[2]["footnote"] == "*"
    assert rows[1]["source_column"] == "2020年"
    assert {x["indicator_code"] for x in rows} == {"compulsory_consolidation_rate"}


def test_wide_by_indicator_rejects_unknown_indicator_column(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "wide_ind.csv",
        "地区,年份,毛入园率(%),高中阶段毛入学率（%）,生师比\n浙江省,2022,98.1,97.5,16.2\n江苏省,2022,—,98,15.8\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (6, 4, 2)
    assert_balanced(con, r)
    assert {x["indicator_code"] for x in landed(con)} == {"preschool_ger", "senior_secondary_ger"}
    rej = rejected(con)
    assert {x["source_column"] for x in rej} == {"生师比"}
    assert all("unknown indicator '生师比'" in str(x["reason"]) for x in rej)
    assert json.loads(str(rej[0]["raw_row"]))["地区"] == "浙江省"


def test_title_gives_indicator_and_unit_for_a_wide_by_year_table(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    p = write(
        tmp_path,
        "title.csv",
        "表5 各省学前三年毛入园率\n单位：%\n省份,2020,2021\n河北省,90.1,91.2\n\n注：2021年为初步数\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (3, 2, 1)
    assert [(x["source_row"], x["indicator_code"], x["unit_raw"]) for x in landed(con)] == [
        (4, "preschool_ger", "%"),
        (4, "preschool_ger", "%"),
    ]
    (note,) = rejected(con)
    assert note["source_row"] == 6
    assert "note/footer" in str(note["reason"])


def test_mapping_file_next_to_the_data(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "odd.csv", "区县名称,所属地市,统计数\n朝阳区,北京市,88.5\n鼓楼区,南京市,90\n")
    (tmp_path / "odd.csv.mapping.yml").write_text(
        "columns:\n  区县名称: region_name\n  所属地市: parent_region\n  统计数: value\n"
        "indicator: student_fitness_pass_rate\nyear: 2023\nnature: estimated\nsource_title: 体质监测公报\n",
        encoding="utf-8",
    )
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (2, 0)
    assert [(x["region_code"], x["year"], x["nature"], x["source_title"]) for x in landed(con)] == [
        ("110105", 2023, "estimated", "体质监测公报"),
        ("320106", 2023, "estimated", "体质监测公报"),
    ]


def test_explicit_toml_mapping_and_bad_mapping(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "t.csv", "name,val\n北京市,12\n")
    m = tmp_path / "m.toml"
    m.write_text('indicator = "teacher_training_hours_5yr"\nyear = 2020\n[columns]\nval = "value"\n', encoding="utf-8")
    r = load_statistics(con, p, mapping=m)
    assert r.rows_landed == 1 and landed(con)[0]["unit"] == "学时"
    bad = tmp_path / "bad.yml"
    bad.write_text("indicatr: preschool_ger\n", encoding="utf-8")
    with pytest.raises(StatisticsFileError, match=r"t\.csv: mapping bad\.yml: unknown keys \['indicatr'\]"):
        load_statistics(con, p, mapping=bad)


# --- resolution -----------------------------------------------------------------------------------


def test_unknown_and_ambiguous_regions_are_rejected_with_candidates(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    p = write(
        tmp_path,
        "regions.csv",
        "地区,年份,指标,数值\n火星市,2020,辍学率,1\n朝阳区,2020,辍学率,0.5\n北京市,2020,辍学率,0.1\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_landed, r.rows_rejected) == (3, 1, 2)
    reasons = [str(x["reason"]) for x in rejected(con)]
    assert reasons[0] == "unknown region '火星市'"
    assert reasons[1].startswith("ambiguous region '朝阳区': candidates ")
    assert "朝阳区 (110105)" in reasons[1] and "朝阳区 (220104)" in reasons[1]


def test_province_argument_and_parent_column_break_ties(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "tie.csv", "地区,年份,指标,数值\n朝阳区,2020,辍学率,0.5\n")
    r = load_statistics(con, p, province="北京市")
    assert r.rows_landed == 1 and landed(con)[0]["region_code"] == "110105"
    q = write(tmp_path, "tie2.csv", "省份,区县,年份,指标,数值\n吉林省,朝阳区,2020,辍学率,0.5\n")
    r2 = load_statistics(con, q)
    assert r2.rows_landed == 1
    assert landed(con, "source_file like '%tie2.csv'")[0]["region_code"] == "220104"
    # three levels: the nearest parent the row gives (地市, else 省份)
    t = write(
        tmp_path,
        "tie3.csv",
        "省份,地市,区县,年份,指标,数值\n吉林省,长春市,朝阳区,2020,辍学率,0.5\n北京市,,朝阳区,2020,辍学率,0.4\n",
    )
    r3 = load_statistics(con, t)
    assert (r3.rows_landed, r3.rows_rejected) == (2, 0)
    assert [x["region_code"] for x in landed(con, "source_file like '%tie3.csv'")] == ["220104", "110105"]


def test_code_column_wins_and_unknown_code_is_rejected(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "codes.csv",
        "地区,区划代码,年份,指标代码,数值\n朝阳区,110105,2020,dropout_rate,0.5\n"
        "某地,999999,2020,dropout_rate,1\n北京市,,2020,no_such_code,1\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (1, 2)
    assert landed(con)[0]["region_code"] == "110105"
    assert [x["reason"] for x in rejected(con)] == [
        "unknown region code '999999'",
        "unknown indicator code 'no_such_code' (not in seeds/indicators.csv)",
    ]


# --- validation -----------------------------------------------------------------------------------


def test_out_of_range_share_is_rejected_with_reason(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "range.csv", "地区,年份,指标,数值\n河南省,2020,小学净入学率,120\n河南省,2021,小学净入学率,-1\n")
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (0, 2)
    assert [x["reason"] for x in rejected(con)] == [
        "value_le_max_value: value 120.0 above max_value 100 for indicator primary_enrollment_rate (%)",
        "value_ge_min_value: value -1.0 below min_value 0 for indicator primary_enrollment_rate (%)",
    ]
    assert "120 landed" not in r.message and "2 rejected" in r.message


def test_gross_ratio_above_100_is_not_out_of_range(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "ger.csv", "地区,年份,指标,数值\n河南省,2020,初中毛入学率,103.5\n")
    assert load_statistics(con, p).rows_landed == 1


def test_duplicate_row_first_lands_repeat_rejected(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "dup.csv",
        "地区,年份,指标,数值\n山西省,2020,辍学率,0.4\n山西省,2020,辍学率,0.4\n山西省,2020,辍学率,0.5\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (1, 2)
    assert landed(con)[0]["source_row"] == 2
    reasons = [x["reason"] for x in rejected(con)]
    assert (
        reasons
        == ["unique_observation: duplicate of row 2 (same region 140000, indicator dropout_rate, year 2020, source)"]
        * 2
    )


def test_bad_year_and_bad_value_and_bad_unit(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "bad.csv",
        "地区,年份,指标,数值,单位\n山西省,1900,辍学率,0.4,%\n山西省,二〇二〇,辍学率,0.4,%\n"
        "山西省,2020,辍学率,很低,%\n山西省,2021,辍学率,3,万人\n山西省,2022,辍学率,3,furlongs\n",
    )
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (0, 5)
    reasons = [str(x["reason"]) for x in rejected(con)]
    assert reasons[0].startswith("year_in_range: year 1900 outside 1949..")
    assert reasons[1] == "year '二〇二〇' is not a year"
    assert reasons[2] == "value '很低' is not a number"
    assert reasons[3] == "unit '万人' cannot be converted to '%' for indicator dropout_rate"
    assert reasons[4] == "unknown unit 'furlongs' (indicator unit '%') for indicator dropout_rate"


@given(
    cells=st.lists(
        st.sampled_from(["95.5", "—", "", "99%以上", "abc", "120", "约90", "*", "1,000", "NA", "-5"]),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_nothing_is_lost_whatever_the_cells(tmp_path: Path, cells: list[str]) -> None:
    """Every cell of a wide table lands or is rejected: rows_read = landed + rejected = cells."""
    years = [str(2000 + i % 4) for i in range(len(cells))]
    regions = ["北京市", "上海市", "火星市"]
    lines = ["地区,指标," + ",".join(sorted(set(years)))]
    per_row = len(set(years))
    for i in range(0, len(cells), per_row):
        chunk = cells[i : i + per_row]
        chunk += [""] * (per_row - len(chunk))
        lines.append(f"{regions[(i // per_row) % 3]},小学净入学率," + ",".join(f'"{c}"' for c in chunk))
    p = tmp_path / "prop.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c = db.connect(tmp_path / f"w{abs(hash(tuple(cells)))}.duckdb")
    try:
        r = load_statistics(c, p)
        assert r.rows_read == (len(lines) - 1) * per_row
        assert_balanced(c, r)
    finally:
        c.close()


# --- idempotence and failure ------------------------------------------------------------------------


def test_same_file_twice_is_unchanged_corrected_file_replaces(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "idem.csv", "地区,年份,指标,数值\n山西省,2020,辍学率,0.4\n山西省,2021,辍学率,x0\n")
    first = load_statistics(con, p)
    assert (first.status, first.rows_landed, first.rows_rejected) == ("loaded", 1, 1)
    again = load_statistics(con, p)
    assert (again.status, again.rows_read) == ("unchanged", 0)
    assert len(landed(con)) == 1 and len(rejected(con)) == 1
    p.write_text(
        "地区,年份,指标,数值\n山西省,2020,辍学率,0.3\n山西省,2021,辍学率,0.2\n山西省,2022,辍学率,0.1\n",
        encoding="utf-8",
    )
    third = load_statistics(con, p)
    assert (third.status, third.rows_landed, third.rows_rejected) == ("replaced", 3, 0)
    assert_balanced(con, third)
    assert [x["value"] for x in landed(con)] == [0.3, 0.2, 0.1]
    assert rejected(con) == []
    statuses = [s for (s,) in con.execute("select status from raw.load_log order by started_at").fetchall()]
    assert statuses == ["loaded", "unchanged", "replaced"]


def test_failed_reload_leaves_the_warehouse_unchanged(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "keep.csv", "地区,年份,指标,数值\n山西省,2020,辍学率,0.4\n")
    load_statistics(con, p)
    p.write_bytes(b"")
    with pytest.raises(StatisticsFileError, match=r"keep\.csv: empty file"):
        load_statistics(con, p)
    assert [x["value"] for x in landed(con)] == [0.4]
    log = con.execute("select status, rows_read from raw.load_log order by started_at").fetchall()
    assert log == [("loaded", 1), ("failed", 0)]


def test_a_folder_lists_data_files_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.csv", "sub/b.xlsx", "a.csv.mapping.yml", "~$b.xlsx", "notes.md", ".hidden.csv", "README.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_statistics_paths([tmp_path])] == ["a.csv", "sub/b.xlsx"]
    with pytest.raises(StatisticsFileError, match="no such file"):
        iter_statistics_paths([tmp_path / "missing"])


# --- hostile input ------------------------------------------------------------------------------------

HOSTILE = "x'; DROP TABLE raw.statistics; --"


def test_hostile_region_and_file_name_are_data_not_sql(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(
        tmp_path,
        f"{HOSTILE}.csv",
        f'地区,年份,指标,数值,来源\n"{HOSTILE}",2020,辍学率,0.4,"{HOSTILE}"\n北京市,2020,辍学率,0.4,"{HOSTILE}"\n',
    )
    r = load_statistics(con, p)
    assert (r.rows_landed, r.rows_rejected) == (1, 1)
    (rej,) = rejected(con)
    assert rej["reason"] == f"unknown region {HOSTILE!r}"
    assert json.loads(str(rej["raw_row"]))["地区"] == HOSTILE
    (row,) = landed(con)
    assert row["source_title"] == HOSTILE
    assert str(row["source_file"]).endswith(f"{HOSTILE}.csv")
    again = load_statistics(con, p)  # the hostile path is a parameter in the idempotence lookup too
    assert again.status == "unchanged"
    assert con.execute("select count(*) from raw.statistics").fetchone() == (1,)


def test_every_problem_of_a_row_is_named(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    p = write(tmp_path, "many.tsv", "地区\t年份\t指标代码\t数值\n火星市\t20xx\tno_such_code\tabc\n")
    r = load_statistics(con, p)
    assert (r.rows_read, r.rows_rejected) == (1, 1)
    assert rejected(con)[0]["reason"] == (
        "value 'abc' is not a number; unknown region '火星市'; "
        "unknown indicator code 'no_such_code' (not in seeds/indicators.csv); year '20xx' is not a year"
    )


def test_constant_columns_go_in_as_parameters_without_losing_rows() -> None:
    """Columns holding one value are sent once as parameters; the row count must not change."""
    import polars as pl

    from loaders.statistics.load import _insert_frame

    c = duckdb.connect()
    c.execute("create table t (a varchar, b integer, c varchar)")
    frame = pl.DataFrame(
        {"a": [HOSTILE] * 3, "b": [1, 1, 1], "c": [None, None, None]}, schema_overrides={"c": pl.String}
    )
    _insert_frame(c, "t", frame, ("a", "b", "c"), {}, {"a": "varchar", "b": "integer", "c": "varchar"})
    assert c.execute("select * from t").fetchall() == [(HOSTILE, 1, None)] * 3


def test_a_value_column_that_differs_in_one_row_is_scanned_not_sent_as_a_constant() -> None:
    """The constant check probes a few rows first; one differing row anywhere must still be seen."""
    import polars as pl

    from loaders.statistics.load import _constant_columns, _insert_frame

    n = 1000
    odd = 137  # not one of the probed positions (first, last, n/7, n/3, n/2, 2n/3, 6n/7)
    frame = pl.DataFrame({"a": ["x"] * n}).with_columns(
        a=pl.when(pl.int_range(n) == odd).then(pl.lit("y")).otherwise(pl.col("a")),
        b=pl.lit("reported"),  # a literal: polars keeps it a scalar column
        c=pl.lit(None, pl.String),
        d=pl.int_range(n) % 2,
    )
    assert _constant_columns(frame) == {"b": "reported", "c": None}
    c = duckdb.connect()
    c.execute("create table t (a varchar, b varchar, c varchar, d bigint)")
    casts = {"a": "varchar", "b": "varchar", "c": "varchar", "d": "bigint"}
    _insert_frame(c, "t", frame, ("a", "b", "c", "d"), {}, casts)
    assert c.execute("select a, count(*) from t group by a order by a").fetchall() == [("x", n - 1), ("y", 1)]
    assert c.execute("select count(*) from t where b = 'reported' and c is null").fetchone() == (n,)
    assert c.execute("select sum(d) from t").fetchone() == (n // 2,)


def test_row_hash_tells_column_order_apart_and_fits_63_bits() -> None:
    import polars as pl

    from loaders.statistics.resolve import row_hash

    frame = pl.DataFrame({"a": ["x", "y", None, "x"], "b": ["y", "x", "x", None]})
    h = frame.select(row_hash(["a", "b"]).alias("h"))["h"].to_list()
    assert len(set(h)) == 4  # ("x","y") vs ("y","x"), and a null in either place, all distinct
    big = pl.DataFrame({"a": [str(i) for i in range(50_000)], "b": ["z"] * 50_000})
    hashes = big.select(row_hash(["a", "b"]).alias("h"))["h"]
    assert hashes.n_unique() == 50_000 and hashes.max() < 2**63


def test_many_rows_failing_a_bound_are_all_rejected(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """pandera reports failing rows with their hash keys; every key must fit the Int64 it infers."""
    codes = ["110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112", "110113"]
    lines = ["region_code,indicator_code,year,value"]
    lines += [f"{code},preschool_ger,{year},990" for code in codes for year in (2020, 2021)]
    p = write(tmp_path, "over.csv", "\n".join(lines) + "\n")
    r = load_statistics(con, p)
    assert (r.status, r.rows_read, r.rows_landed, r.rows_rejected) == ("loaded", 20, 0, 20)
    assert_balanced(con, r)
    assert {row["reason"] for row in rejected(con)} == {
        "value_le_max_value: value 990.0 above max_value 200 for indicator preschool_ger (%)"
    }


def test_a_first_load_records_the_sha256_of_the_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A file never loaded is hashed on a thread while it is parsed: the log still holds its sha256."""
    import hashlib

    p = write(tmp_path, "h.csv", "地区,年份,指标,数值\n山西省,2020,辍学率,0.4\n")
    first = load_statistics(con, p)
    logged = con.execute("select content_hash from raw.load_log where load_id = ?", [first.load_id]).fetchone()
    assert logged == (hashlib.sha256(p.read_bytes()).hexdigest(),)
    assert load_statistics(con, p).status == "unchanged"
    bad = write(tmp_path, "bad.csv", "只有一个标题\n")  # unusable as a whole: the failed load is logged with its hash
    with pytest.raises(StatisticsFileError):
        load_statistics(con, bad)
    failed = con.execute("select status, content_hash from raw.load_log where path like '%bad.csv'").fetchall()
    assert failed == [("failed", hashlib.sha256(bad.read_bytes()).hexdigest())]
