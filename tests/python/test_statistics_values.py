"""Cell parsing, units, labels and header detection of the statistics loader (no database)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.indicators import indicators
from loaders.statistics.layout import combine_header, find_header
from loaders.statistics.mapping import Mapping
from loaders.statistics.resolve import IndicatorMatcher, split_unit
from loaders.statistics.values import (
    normalize_unit,
    parse_value_column,
    qualifier_from_source_title,
    unit_factor,
)


def parse(cells: list[str | None]) -> list[dict[str, object]]:
    return parse_value_column(pl.DataFrame({"value_raw": cells}, schema={"value_raw": pl.String})).to_dicts()


@pytest.mark.parametrize(
    ("cell", "number", "qualifier", "footnote", "unit"),
    [
        ("99%以上", 99.0, "lower_bound", None, "%"),
        (">99", 99.0, "lower_bound", None, None),
        ("≥90", 90.0, "lower_bound", None, None),
        ("不低于85", 85.0, "lower_bound", None, None),
        ("5%以下", 5.0, "upper_bound", None, "%"),
        ("<5", 5.0, "upper_bound", None, None),
        ("约95", 95.0, "approximate", None, None),
        ("95左右", 95.0, "approximate", None, None),
        ("95.2*", 95.2, None, "*", None),
        ("88.1①", 88.1, None, "①", None),
        ("99*以上", 99.0, "lower_bound", "*", None),
        ("１２．５％", 12.5, None, None, "%"),
        ("1,234", 1234.0, None, None, None),
        ("-3.5", -3.5, None, None, None),
        ("3‰", 3.0, None, None, "‰"),
        ("12万人", 12.0, None, None, "万人"),
        ("0", 0.0, None, None, None),
    ],
)
def test_cells_with_qualifiers_footnotes_and_units(
    cell: str, number: float, qualifier: str | None, footnote: str | None, unit: str | None
) -> None:
    (row,) = parse([cell])
    assert row["_number"] == pytest.approx(number)
    assert (row["qualifier"], row["footnote"], row["_cell_unit"], row["_value_ok"]) == (qualifier, footnote, unit, True)


@pytest.mark.parametrize("cell", ["—", "-", "…", "...", "", "NA", "n/a", "——", None, "  "])
def test_missing_markers_are_missing_not_zero(cell: str | None) -> None:
    (row,) = parse([cell])
    assert row["_number"] is None
    assert row["qualifier"] == "missing"
    assert row["_value_ok"] is True


@pytest.mark.parametrize("cell", ["abc", "95-98", "2020年数据缺失", "95.2.1x"])
def test_unreadable_cells_are_flagged_not_guessed(cell: str) -> None:
    (row,) = parse([cell])
    assert row["_value_ok"] is False
    assert row["_number"] is None


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
@settings(max_examples=200, deadline=None)
def test_any_plain_number_round_trips(x: float) -> None:
    text = repr(round(x, 6))
    (row,) = parse([text])
    assert row["_value_ok"] is True
    assert math.isclose(row["_number"], float(text), rel_tol=1e-12, abs_tol=1e-12)


def test_units_normalise_and_convert() -> None:
    assert normalize_unit("（％）") == "%"
    assert normalize_unit("单位：万人") == "万人"
    assert normalize_unit("Percent") == "%"
    assert unit_factor("‰", "%") == pytest.approx(0.1)
    assert unit_factor("万人", "人") == pytest.approx(1e4)
    assert unit_factor("亿元", "元") == pytest.approx(1e8)
    assert unit_factor(None, "%") == 1.0
    assert unit_factor("万人", "%") is None


def test_qualifier_from_source_title_only_when_the_title_quotes_it() -> None:
    assert qualifier_from_source_title("发布会（原文“99%以上”，下限值）") == "lower_bound"
    assert qualifier_from_source_title("原文“5%以下”") == "upper_bound"
    assert qualifier_from_source_title("第七次人口普查15岁及以上人口受教育情况") is None


def test_indicator_labels_strip_units_and_match_aliases_and_traditional_script() -> None:
    m = IndicatorMatcher(indicators())
    assert split_unit("毛入园率（%）") == ("毛入园率", "%")
    assert split_unit("劳动力人口平均受教育年限（中央财经大学口径）")[1] is None
    assert m.match("毛入园率(%)") == ("preschool_ger", [])
    assert m.match("高中阶段教育毛入学率")[0] == "senior_secondary_ger"
    assert m.match("學前三年毛入園率")[0] == "preschool_ger"
    assert m.match("primary_enrollment_rate")[0] == "primary_enrollment_rate"
    assert m.match("生师比") == (None, [])
    assert m.find_in("表3 2021年各地区学前三年毛入园率（%）") == "preschool_ger"


def test_yearbook_header_found_below_title_rows_and_merged_cells_combined() -> None:
    rows = [
        ["表1 各地区教育主要指标", "", "", "", ""],
        ["单位：%", "", "", "", ""],
        ["地区", "学前三年毛入园率", "", "高中阶段毛入学率", ""],
        ["", "2020", "2021", "2020年", "2021年"],
        ["北京市", "90.5", "91", "99", "98"],
    ]
    m = IndicatorMatcher(indicators())
    header = find_header(rows, Mapping(), m, first_row=1)
    assert header == [2, 3]
    labels = combine_header([rows[i] for i in header], Mapping())
    assert labels == [
        "地区",
        "学前三年毛入园率|2020",
        "学前三年毛入园率|2021",
        "高中阶段毛入学率|2020年",
        "高中阶段毛入学率|2021年",
    ]
