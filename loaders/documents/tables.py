"""Indicator tables: rows of 指标 | 单位 | 2020年 | 2025年 (docx and HTML tables).

Five-year plans usually list their main targets in a table: one row per indicator, a unit
column (or the unit in the name, ``毛入园率（%）``), a base-year column and a target-year
column (``2020年``/``2025年``, or ``基期值``/``目标值``). The readers keep table cells apart with
tabs, and :func:`table_values` reads such rows: each numeric cell under a year heading becomes
one value, an *actual* when its year is before the plan (or document) year, a *target*
otherwise. Comparators come from the cell (``≥95``, ``95以上``, ``约50``, ``≤3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR_HEAD = re.compile(r"^(?:(?:19|20)\d\d)\s?年?(?:底|末)?(?:目标|目标值|预期|实际|基数|现状)?$")
_BASE_HEAD = re.compile(r"基期|基数|现状|现值|基准")
_GOAL_HEAD = re.compile(r"目标|预期值|规划值")
_UNIT_CELL = re.compile(
    r"^(?:%|％|‰|年|岁|人|万人|名|所|个|万个|项|元|万元|亿元|学时|倍|平方米|万平方米|个百分点|人次|万人次)$"
)
_UNIT_IN_NAME = re.compile(r"[(（]\s?(%|％|‰|年|人|万人|所|个|万个|元|万元|亿元|学时|倍|平方米|个百分点)\s?[)）]$")
_VALUE_CELL = re.compile(
    r"^(?P<pre>≥|>=|＞|>|≤|<=|<|＜|不低于|不少于|不超过|约|达到)?\s?(?P<num>\d{1,12}(?:\.\d{1,6})?)\s?(?P<unit>%|％)?"
    r"\s?(?P<post>以上|以内|以下|左右)?$"
)
_SCALE = {
    "万人": ("人", 1e4),
    "万个": ("个", 1e4),
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "万平方米": ("平方米", 1e4),
    "万人次": ("人次", 1e4),
    "％": ("%", 1.0),
}


@dataclass(frozen=True, slots=True)
class TableValue:
    start: int  # span of the row in the text (the evidence)
    end: int
    indicator: str
    unit: str | None
    value: float
    comparator: str
    year: int | None
    status: str


def _column_year(head: str, plan: tuple[int | None, int | None]) -> int | None:
    head = head.strip()
    m = re.match(r"((?:19|20)\d\d)", head)
    if m and _YEAR_HEAD.match(head):
        return int(m.group(1))
    start, end = plan
    if _BASE_HEAD.search(head):
        return start - 1 if start else None
    if _GOAL_HEAD.search(head):
        return end
    return None


def table_rows(text: str) -> list[tuple[int, int]]:
    """Spans of lines that are table rows (three or more tab-separated cells)."""
    out: list[tuple[int, int]] = []
    if "\t" not in text:
        return out
    pos = 0
    for line in text.split("\n"):
        if line.count("\t") >= 2:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def table_values(text: str, plan: tuple[int | None, int | None], doc_year: int | None) -> list[TableValue]:
    """Values read from the indicator tables in ``text``."""
    out: list[TableValue] = []
    years: list[int | None] | None = None
    unit_col: int | None = None
    for lo, hi in table_rows(text):
        cells = [c.strip() for c in text[lo:hi].split("\t")]
        col_years = [_column_year(c, plan) for c in cells]
        if sum(y is not None for y in col_years) >= 1 and not any(_VALUE_CELL.match(c) for c in cells):
            years = col_years  # a header row
            unit_col = next((i for i, c in enumerate(cells) if c in ("单位", "计量单位")), None)
            continue
        if years is None:
            continue
        name_i = next((i for i, c in enumerate(cells) if len(re.findall(r"[\u4e00-\u9fff]", c)) >= 2), None)
        if name_i is None:
            continue
        name = cells[name_i]
        unit = None
        if unit_col is not None and unit_col < len(cells) and _UNIT_CELL.match(cells[unit_col]):
            unit = cells[unit_col]
        else:
            unit = next((c for c in cells if _UNIT_CELL.match(c)), None)
        um = _UNIT_IN_NAME.search(name)
        if um:
            unit = unit or um.group(1)
            name = name[: um.start()].strip()
        for i, cell in enumerate(cells):
            if i == name_i or i >= len(years) or years[i] is None:
                continue
            vm = _VALUE_CELL.match(cell)
            if not vm:
                continue
            value = float(vm.group("num"))
            u = "%" if vm.group("unit") else unit
            if u in _SCALE:
                u, k = _SCALE[u]
                value *= k
            pre, post = vm.group("pre") or "", vm.group("post") or ""
            comp = "="
            if pre in ("≥", ">=", "＞", ">", "不低于", "不少于", "达到") or post == "以上":
                comp = ">="
            elif pre in ("≤", "<=", "<", "＜", "不超过") or post in ("以内", "以下"):
                comp = "<="
            elif pre == "约" or post == "左右":
                comp = "~"
            year = years[i]
            ref = plan[0] or doc_year
            status = "actual" if (year is not None and ref is not None and year < ref) else "target"
            out.append(TableValue(lo, hi, name, u, value, comp, year, status))
    return out
