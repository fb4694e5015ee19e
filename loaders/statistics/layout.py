"""Which row is the header, what each column means, and one row per observation.

Statisticians publish three shapes, often with a yearbook title above them:

* **long** — one observation a row: 地区 | 年份 | 指标 | 数值 | 单位 …
* **wide by year** — 地区 | 2019 | 2020年 | 2021 … (the indicator in a column,
  the title or the mapping);
* **wide by indicator** — 地区 | 年份 | 毛入园率(%) | 高中阶段毛入学率 …
* and the yearbook mix of both, with *merged* header cells: an indicator
  spanning its years on the row above (学前三年毛入园率 over 2020 | 2021).

The header row is found by scoring the first rows: a header holds known
column labels (Chinese or English, see :data:`ROLE_LABELS`), years or indicator
names; a title line or "单位：%" does not. Header rows below it whose first
cells are empty (the bottom half of vertically merged cells) are joined to it,
and the top row is carried right over its merged span, so every value column
gets a full label such as ``学前三年毛入园率|2020``. Wide tables are then
unpivoted with polars into one row per observation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from loaders.statistics.mapping import Mapping
from loaders.statistics.read import RawTable
from loaders.statistics.resolve import IndicatorMatcher, normalize_label, split_unit
from loaders.statistics.values import UNIT_BASE, normalize_unit, to_halfwidth


class LayoutError(ValueError):
    """The table has no usable header; the caller adds the file and sheet to the message."""


# Header labels (normalised: half-width, no spaces, lower case) → column role.
_ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "region_name": (
        "地区", "地区名称", "地区名", "区域", "区域名称", "行政区划", "行政区划名称", "行政区", "区划名称",
        "行政区名称", "名称", "单位名称", "region", "region_name", "region_name_zh", "regionname", "area", "name",
        "name_zh", "地方", "区划",
    ),
    "region_code": (
        "行政区划代码", "区划代码", "地区代码", "代码", "行政代码", "区划编码", "行政区划编码", "统计用区划代码",
        "adcode", "ad_code", "region_code", "regioncode", "code", "division_code", "gb_code", "geo_code",
    ),
    "parent_region": (
        "上级地区", "上级", "所属地区", "上级行政区", "parent", "parent_region", "parent_name",
    ),
    "region_level": ("region_level", "level", "层级", "级别", "行政级别", "地区级别"),
    "year": (
        "年份", "年度", "年", "统计年度", "数据年份", "统计年份", "时间", "年份(年)", "year", "yr", "period",
        "time", "time_period", "统计时间",
    ),
    "indicator_name": (
        "指标", "指标名称", "统计指标", "项目", "指标项", "indicator", "indicator_name", "indicator_name_zh",
        "indicator_zh", "series", "series_name",
    ),
    "indicator_code": (
        "指标代码", "指标编码", "指标编号", "指标id", "indicator_code", "indicator_id", "series_code",
    ),
    "value": (
        "数值", "值", "数据", "指标值", "统计值", "取值", "value", "obs_value", "observation", "val",
    ),
    "unit": ("单位", "计量单位", "unit", "units", "unit_of_measure", "unitmeasure"),
    "source_title": (
        "来源", "数据来源", "资料来源", "出处", "来源标题", "来源文件", "source", "source_title", "source_name",
    ),
    "source_url": ("链接", "来源链接", "网址", "来源网址", "url", "source_url", "link", "source_link"),
    "nature": ("nature", "性质", "数据性质", "数据类型", "估计", "是否估计", "estimated", "value_type"),
    "footnote": ("注", "备注", "注释", "附注", "说明", "note", "notes", "footnote", "footnotes", "remark", "remarks"),
}  # fmt: skip
ROLE_LABELS: dict[str, str] = {normalize_label(w): role for role, words in _ROLE_WORDS.items() for w in words}

# Region-name columns by level, to tell the region from its parent when a table has both.
_NAME_LEVEL_WORDS: dict[int, tuple[str, ...]] = {
    1: ("省份", "省", "省份名称", "省(区、市)", "省(自治区、直辖市)", "省区市", "省市", "省级", "province",
        "province_name", "所属省份", "所属省", "省名"),
    2: ("地市", "市", "城市", "地级市", "市州", "所属地市", "所属市", "地市名称", "市(州)", "city", "prefecture",
        "city_name", "地级"),
    3: ("县", "区县", "县区", "县(市、区)", "县(市、区、旗)", "县市区", "区(县)", "county", "district",
        "county_name", "县级", "区县名称"),
}  # fmt: skip
NAME_LEVEL: dict[str, int] = {normalize_label(w): lvl for lvl, words in _NAME_LEVEL_WORDS.items() for w in words}

_YEAR_TOKEN_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d|21\d\d)(?:\.0+)?\s*(?:年度|年末|年底|学年|年)?(?!\d)")
_PURE_YEAR_RE = re.compile(r"^\s*(1[89]\d\d|20\d\d|21\d\d)(?:\.0+)?\s*(?:年度|年末|年底|学年|年)?\s*$")
_TITLE_YEAR_RE = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)\s*(?:年|学年)")
_TITLE_UNIT_RE = re.compile(r"(?:计量)?单位\s*[:：]\s*([^\s,，;；)）]+)")
_NOTE_RE = re.compile(r"^\s*(?:注|说明|资料来源|数据来源|来源|备注|附注|note|notes|source|\*)", re.IGNORECASE)
_NUMERIC_CELL_RE = re.compile(r"^\s*(?:约|>|<|≥|≤)?\s*[-+]?\d")
_HEADER_SCAN_ROWS = 50


@dataclass(slots=True)
class Column:
    """One column of the table and what it means."""

    index: int
    header: str  # the label as written (merged header parts joined with "|")
    role: str | None = None  # a ROLE or "wide" (a value column of a wide table) or None (ignored)
    year: int | None = None
    indicator: str | None = None  # indicator text from the header
    unit: str | None = None  # unit from the header ("(%)")


@dataclass(slots=True)
class Layout:
    kind: str  # long | wide
    header_rows: list[int]  # grid indices of the header rows
    columns: list[Column]
    title: str = ""
    title_unit: str | None = None
    title_year: int | None = None
    title_indicator: str | None = None
    ignored: list[str] = field(default_factory=list)

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1

    def role(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)


# --- header detection -------------------------------------------------------------------------


def _cell(v: object) -> str:
    return "" if v is None else str(v).strip()


def _role_of(label: str, mapping: Mapping) -> str | None:
    norm = normalize_label(label)
    for key, role in mapping.columns.items():
        if normalize_label(key) == norm:
            return role
    bare, _unit = split_unit(label)
    nb = normalize_label(bare)
    if nb in ROLE_LABELS:
        return ROLE_LABELS[nb]
    if nb in NAME_LEVEL:
        return "region_name"
    return None


def _header_kind(text: str, mapping: Mapping, matcher: IndicatorMatcher) -> str | None:
    """ "role" | "year" | "indicator" | "unit" | None for one header cell."""
    if not text:
        return None
    if _role_of(text, mapping) is not None:
        return "role"
    if _PURE_YEAR_RE.match(to_halfwidth(text)):
        return "year"
    bare, unit = split_unit(text)
    if not bare and unit:
        return "unit"
    if normalize_label(bare) in {normalize_label(k) for k in mapping.indicators} or matcher.is_indicator_label(bare):
        return "indicator"
    m = _YEAR_TOKEN_RE.search(to_halfwidth(bare))
    if m and matcher.is_indicator_label(_YEAR_TOKEN_RE.sub("", to_halfwidth(bare), count=1)):
        return "indicator"
    return None


def _is_header_row(cells: list[str], mapping: Mapping, matcher: IndicatorMatcher) -> bool:
    kinds = [_header_kind(c, mapping, matcher) for c in cells]
    roles, years, inds = kinds.count("role"), kinds.count("year"), kinds.count("indicator")
    return (roles >= 1 and roles + years + inds >= 2) or years >= 2 or inds >= 2


def _is_continuation(cells: list[str], header: list[str], mapping: Mapping, matcher: IndicatorMatcher) -> bool:
    """A second header row: only header-like cells, and nothing under the role columns above it."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled:
        return False
    if any(_header_kind(cells[i], mapping, matcher) is None for i in filled):
        return False
    return all(not cells[i] for i, h in enumerate(header) if h and _role_of(h, mapping) is not None)


def find_header(grid_rows: list[list[str]], mapping: Mapping, matcher: IndicatorMatcher, first_row: int) -> list[int]:
    """Grid indices of the header rows (one, or two/three when header cells are merged)."""
    if mapping.header_row is not None:
        last = mapping.header_row - first_row
        if not 0 <= last < len(grid_rows):
            raise LayoutError(f"header_row {mapping.header_row} from the mapping is outside the table")
        start = last
        while start > 0 and start - 1 >= last - 2 and _is_header_row(grid_rows[start - 1], mapping, matcher):
            start -= 1
        return list(range(start, last + 1))
    for i, cells in enumerate(grid_rows[:_HEADER_SCAN_ROWS]):
        if _is_header_row(cells, mapping, matcher):
            rows = [i]
            for j in range(i + 1, min(i + 3, len(grid_rows))):
                if _is_continuation(grid_rows[j], grid_rows[i], mapping, matcher):
                    rows.append(j)
                else:
                    break
            return rows
    raise LayoutError(
        f"no header row in the first {_HEADER_SCAN_ROWS} rows: expected labels such as 地区/年份/指标/数值, "
        "years (2020, 2021年) or indicator names; add a mapping file"
    )


def combine_header(rows: list[list[str]], mapping: Mapping) -> list[str]:
    """One label per column from (possibly merged) header rows.

    A merged cell keeps its text in its first column only; carry it right over
    the empty cells whose lower header cell is filled (学前三年毛入园率 over
    2020 | 2021), but never carry a role label (地区) onto a value column.
    """
    width = max(len(r) for r in rows)
    filled = [r + [""] * (width - len(r)) for r in rows]
    for level in range(len(filled) - 1):
        row = filled[level]
        for j in range(1, width):
            below = any(filled[k][j] for k in range(level + 1, len(filled)))
            if not row[j] and below and row[j - 1] and _role_of(row[j - 1], mapping) is None:
                row[j] = row[j - 1]
    labels = []
    for j in range(width):
        parts: list[str] = []
        for r in filled:
            if r[j] and r[j] not in parts:
                parts.append(r[j])
        labels.append("|".join(parts))
    return labels


# --- column meaning -----------------------------------------------------------------------------


def _parse_value_header(label: str, mapping: Mapping, matcher: IndicatorMatcher) -> Column | None:
    """Year / indicator / unit carried by a value column's label, or None if it carries none."""
    year: int | None = None
    indicator: str | None = None
    unit: str | None = None
    for part in label.split("|"):
        text = to_halfwidth(part).strip()
        m = _PURE_YEAR_RE.match(text)
        if m:
            year = int(m.group(1))
            continue
        bare, u = split_unit(text)
        unit = u or unit
        m = _YEAR_TOKEN_RE.search(bare)
        if m:
            rest = (bare[: m.start()] + bare[m.end() :]).strip()
            if not rest or matcher.is_indicator_label(rest) or rest in mapping.indicators:
                year = int(m.group(1))
                bare = rest
        if bare:
            indicator = bare if indicator is None else indicator
    if year is None and indicator is None:
        return None
    return Column(index=-1, header=label, role="wide", year=year, indicator=indicator, unit=unit)


def _name_level(c: Column) -> int:
    """0 for a generic name column (地区), 1 province, 2 prefecture, 3 county."""
    return NAME_LEVEL.get(normalize_label(split_unit(c.header.split("|")[0])[0]), 0)


def _mostly_numeric(values: pl.Series) -> bool:
    cells = [v for v in values.drop_nulls().head(2000).to_list() if str(v).strip()]
    if not cells:
        return False
    return sum(1 for v in cells if _NUMERIC_CELL_RE.match(to_halfwidth(str(v)))) * 2 >= len(cells)


def classify_columns(
    labels: list[str], data: pl.DataFrame, mapping: Mapping, matcher: IndicatorMatcher
) -> tuple[list[Column], list[str]]:
    """Give each column a role; returns the columns and the labels of ignored ones."""
    columns: list[Column] = []
    for j, label in enumerate(labels):
        role = _role_of(label, mapping) if label else None
        if role is None and "|" in label:  # 地区 merged vertically over two header rows
            role = _role_of(label.split("|")[0], mapping)
            role = role if role != "value" else None
        col = Column(index=j, header=label, role=role)
        if role == "value":
            col.unit = split_unit(label)[1]
        if role is None and label:
            parsed = _parse_value_header(label, mapping, matcher)
            if parsed is not None and (
                parsed.year is not None
                or parsed.indicator is None
                or matcher.is_indicator_label(parsed.indicator)
                or normalize_label(parsed.indicator) in {normalize_label(k) for k in mapping.indicators}
                or parsed.unit is not None
            ):
                col = Column(index=j, header=label, role="wide", year=parsed.year, indicator=parsed.indicator,
                             unit=parsed.unit)  # fmt: skip
        columns.append(col)

    # Several region-name columns: a generic one (地区) or else the most specific (区县) is the region;
    # the next coarser (地市, then 省份) becomes its parent, which breaks ties such as 朝阳区.
    names = [c for c in columns if c.role == "region_name"]
    if len(names) > 1:
        generic = [c for c in names if _name_level(c) == 0]
        region = generic[0] if generic else max(names, key=lambda c: (_name_level(c), c.index))
        for c in names:
            if c is not region:
                c.role = "parent_region"  # several are fine: the most specific non-empty one is used
    # Duplicate roles: the first column wins, the others are ignored (and reported).
    seen: set[str] = set()
    for c in columns:
        if c.role and c.role not in ("wide", "parent_region"):
            if c.role in seen:
                c.role = None
            else:
                seen.add(c.role)

    # A column with an unknown label but numbers under it, in a wide table, is an indicator we do
    # not know: keep it as a value column so its cells are rejected by name rather than dropped.
    if any(c.role == "wide" for c in columns) and "value" not in seen:
        for c in columns:
            if (
                c.role is None
                and c.header
                and _role_of(c.header, mapping) is None
                and _mostly_numeric(data.get_column(f"c{c.index}"))
            ):
                bare, unit = split_unit(c.header)
                c.role, c.indicator, c.unit = "wide", bare, unit
    ignored = [
        c.header or f"column {c.index + 1}"
        for c in columns
        if (c.role is None or c.role == "ignore") and (c.header or data.get_column(f"c{c.index}").drop_nulls().len())
    ]
    return columns, ignored


def detect_layout(table: RawTable, mapping: Mapping, matcher: IndicatorMatcher) -> Layout:
    """Find the header, the columns' meaning and the table's shape."""
    grid = table.grid
    head = grid.head(_HEADER_SCAN_ROWS if mapping.header_row is None else max(mapping.header_row + 1, 1))
    grid_rows = [[_cell(v) for v in row] for row in head.iter_rows()]
    if table.header_index is not None and mapping.header_row is None:
        header_rows = [table.header_index]
    else:
        header_rows = find_header(grid_rows, mapping, matcher, table.first_row)
    labels = combine_header([grid_rows[i] for i in header_rows], mapping)
    labels += [""] * (grid.width - len(labels))
    data = grid.slice(header_rows[-1] + 1)
    columns, ignored = classify_columns(labels, data, mapping, matcher)

    title_lines = [" ".join(c for c in grid_rows[i] if c) for i in range(header_rows[0])]
    title = " ".join(t for t in [*title_lines, table.sheet or ""] if t)
    unit_m = _TITLE_UNIT_RE.search(to_halfwidth(title))
    title_unit = normalize_unit(unit_m.group(1)) if unit_m else None
    years = {int(y) for y in _TITLE_YEAR_RE.findall(to_halfwidth(title))}
    layout = Layout(
        kind="long",
        header_rows=header_rows,
        columns=columns,
        title=title,
        title_unit=title_unit if title_unit in UNIT_BASE else None,
        title_year=next(iter(years)) if len(years) == 1 else None,
        title_indicator=matcher.find_in(title) if title else None,
        ignored=ignored,
    )
    has_value = layout.role("value") is not None
    wide = [c for c in columns if c.role == "wide"]
    if not has_value and not wide:
        raise LayoutError(f"no value column and no year/indicator columns in header {[lb for lb in labels if lb]}")
    if has_value and wide:  # a long table with extra numeric columns: keep the long reading
        for c in wide:
            c.role = None
            layout.ignored.append(c.header)
    layout.kind = "long" if has_value else "wide"
    if layout.role("region_name") is None and layout.role("region_code") is None and not mapping.region:
        first = columns[0]
        if first.role is None and not first.header and first.index == 0:
            first.role = "region_name"  # the unlabeled top-left cell of a yearbook table
            layout.ignored = [i for i in layout.ignored if i != "column 1"]
        else:
            raise LayoutError(f"no region column (地区/行政区划代码/region…) in header {[lb for lb in labels if lb]}")
    has_year = layout.role("year") is not None or mapping.year is not None or layout.title_year is not None
    has_ind = (
        layout.role("indicator_name") is not None
        or layout.role("indicator_code") is not None
        or mapping.indicator is not None
        or layout.title_indicator is not None
    )
    if layout.kind == "long":
        if not has_year:
            raise LayoutError("long table without a year column, a year in the title or `year:` in a mapping")
        if not has_ind:
            raise LayoutError("long table without an indicator column, an indicator in the title or a mapping")
    else:
        if any(c.year is None for c in wide) and not has_year:
            raise LayoutError("wide table: some value columns have no year and there is no year column or mapping")
        if any(c.indicator is None for c in wide) and not has_ind:
            raise LayoutError("wide table: value columns name no indicator and there is no indicator column, "
                              "title or mapping")  # fmt: skip
    return layout


# --- observations ----------------------------------------------------------------------------------

_ID_FIELDS = {
    "region_name": "_region_name",
    "region_code": "_region_code_in",
    "parent_region": "_parent",
    "year": "_year_col",
    "indicator_name": "_ind_text_col",
    "indicator_code": "_ind_code_col",
    "unit": "_unit_col",
    "source_title": "source_title",
    "source_url": "source_url",
    "nature": "_nature_raw",
    "footnote": "_footnote_col",
}


def _strip(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).str.strip_chars()


def observations(table: RawTable, layout: Layout) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(observations, note rows) of the data area below the header.

    Observations have one row per value cell: ``_row`` (1-based row in the
    file/sheet), ``source_column`` (the value column's label), the id fields
    of :data:`_ID_FIELDS`, ``value_raw`` and the header's ``_h_year`` /
    ``_h_ind`` / ``_h_unit``. Blank rows are dropped (there is nothing in them
    to lose); rows holding only a note ("注：…", "资料来源：…") are returned
    separately to be rejected as such.
    """
    grid = table.grid
    offset = table.first_row + layout.data_start
    data = grid.slice(layout.data_start).with_row_index("_idx")
    data = data.with_columns((pl.col("_idx").cast(pl.Int64) + offset).alias("_row"))
    cell_cols = list(grid.columns)
    # Cheap pass (no string copies): cells that are not empty. Only rows with at most one such
    # cell can be blank or a note; those few get the exact (whitespace-aware) look.
    # A row whose first two cells are both filled has two filled cells: only the others are counted.
    nonempty = pl.sum_horizontal([(pl.col(c).fill_null("") != "").cast(pl.Int32) for c in cell_cols])
    first_two = cell_cols[:2] if len(cell_cols) >= 2 else []
    maybe_few = pl.any_horizontal([pl.col(c).fill_null("") == "" for c in first_two] or [pl.lit(True)])
    few = data.filter(maybe_few).filter(nonempty <= 1)
    drop = pl.DataFrame(schema={"_row": pl.Int64})
    notes = pl.DataFrame(schema={"_row": pl.Int64})
    if few.height:
        first_text = pl.coalesce([pl.when(_strip(pl.col(c)) != "").then(_strip(pl.col(c))) for c in cell_cols])
        value_idx = [f"c{c.index}" for c in layout.columns if c.role in ("value", "wide")]
        value_filled = pl.any_horizontal([_strip(pl.col(c)).fill_null("") != "" for c in value_idx] or [pl.lit(False)])
        few = few.with_columns(_text=first_text, _vfilled=value_filled)
        drop = few.filter(pl.col("_text").is_null()).select("_row")  # blank: nothing to lose
        notes = few.filter(pl.col("_text").str.contains(_NOTE_RE.pattern) & ~pl.col("_vfilled")).select("_row")
        data = data.filter(~pl.col("_row").is_in(pl.concat([drop, notes])["_row"].implode()))

    ids: list[pl.Expr] = [pl.col("_row")]
    for c in layout.columns:
        if c.role in _ID_FIELDS and c.role != "parent_region":  # as written; whitespace is handled later
            ids.append(pl.col(f"c{c.index}").cast(pl.String).alias(_ID_FIELDS[c.role]))
    parents = sorted((c for c in layout.columns if c.role == "parent_region"), key=lambda c: -_name_level(c))
    if parents:  # 地市 before 省份: the nearest parent that the row gives
        ids.append(
            pl.coalesce([pl.when(pl.col(f"c{c.index}") != "").then(pl.col(f"c{c.index}")) for c in parents])
            .cast(pl.String)
            .alias("_parent")
        )
    present = {c.role for c in layout.columns}
    for role, name in _ID_FIELDS.items():
        if role not in present:
            ids.append(pl.lit(None, dtype=pl.String).alias(name))

    if layout.kind == "long":
        vcol = layout.role("value")
        assert vcol is not None
        obs = data.select(
            *ids,
            pl.col(f"c{vcol.index}").alias("value_raw"),
            pl.lit(vcol.header, dtype=pl.String).alias("source_column"),
            pl.lit(None, dtype=pl.Int64).alias("_h_year"),
            pl.lit(None, dtype=pl.String).alias("_h_ind"),
            pl.lit(vcol.unit, dtype=pl.String).alias("_h_unit"),
        )
        return obs, notes

    wide = [c for c in layout.columns if c.role == "wide"]
    meta = pl.DataFrame(
        {
            "_vcol": [f"c{c.index}" for c in wide],
            "_order": list(range(len(wide))),
            "source_column": [c.header for c in wide],
            "_h_year": [c.year for c in wide],
            "_h_ind": [c.indicator for c in wide],
            "_h_unit": [c.unit for c in wide],
        },
        schema={"_vcol": pl.String, "_order": pl.Int32, "source_column": pl.String, "_h_year": pl.Int64,
                "_h_ind": pl.String, "_h_unit": pl.String},
    )  # fmt: skip
    base = data.select(*ids, *[pl.col(f"c{c.index}") for c in wide])
    id_names = [e.meta.output_name() for e in ids]
    long = base.unpivot(index=id_names, on=[f"c{c.index}" for c in wide], variable_name="_vcol", value_name="value_raw")
    long = long.join(meta, on="_vcol", how="left").sort(["_row", "_order"]).drop("_vcol", "_order")
    return long, notes
