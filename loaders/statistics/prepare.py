"""One file → the rows to land and the rows to reject, with no database in sight.

The steps, each in its own module: read the bytes (:mod:`.read`), find the
header and unpivot (:mod:`.layout`), parse the cells (:mod:`.values`), resolve
regions and indicators (:mod:`.resolve`), convert units, validate with pandera
(:mod:`.schema`). Every observation read leaves this module in exactly one of
the two frames, so ``rows_read = rows_landed + rows_rejected`` by construction.

**What a "row" is.** ``rows_read`` counts *observations*: one per value cell
after unpivoting (a long table's row is one observation; a wide row of five
years is five). A row that cannot be split into observations — a note or
footer line such as "注：…" inside the table — counts once and is rejected as
a whole. Entirely blank rows hold nothing and are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from loaders.indicators import Indicator
from loaders.regions import RegionIndex
from loaders.statistics.errors import StatisticsFileError
from loaders.statistics.layout import Layout, LayoutError, detect_layout, observations
from loaders.statistics.mapping import Mapping
from loaders.statistics.read import RawTable, read_tables
from loaders.statistics.resolve import IndicatorMatcher, RegionResolver, resolve_indicators, row_hash
from loaders.statistics.values import (
    UNIT_BASE,
    normalize_unit,
    parse_value_column,
    qualifier_from_source_title,
    unit_factor,
)

# Columns of the frames handed to the warehouse; load_id, source_file and the timestamp are
# constants of a load and go in as SQL parameters (2 million copies of a path cost real time).
STATISTICS_COLUMNS: tuple[str, ...] = (
    "sheet",
    "source_row",
    "source_column",
    "region_name",
    "region_code",
    "indicator_name",
    "indicator_code",
    "year",
    "value",
    "value_raw",
    "unit",
    "unit_raw",
    "qualifier",
    "footnote",
    "nature",
    "source_title",
    "source_url",
)
REJECTED_COLUMNS: tuple[str, ...] = ("sheet", "source_row", "source_column", "raw_row", "reason")

# the reasons found before validation, in the order a person would fix them
_PRE_REASONS = ("_value_reason", "_region_reason", "_ind_reason", "_year_reason", "_unit_reason")
_YEAR_CELL_RE = re.compile(r"^\s*(\d{4})(?:\.0+)?\s*(?:年度|年末|年底|学年|年)?\s*$")
_ESTIMATED_RE = r"(?i)估|预计|推算|预测|estimat|^e$|^est\.?$|projected"


@dataclass(slots=True)
class Prepared:
    """What a file yields: rows to land, rows to reject, and what was noticed on the way."""

    landed: pl.DataFrame
    rejected: pl.DataFrame
    sheets: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped sheets, ignored columns, encoding …

    @property
    def rows_read(self) -> int:
        return self.landed.height + self.rejected.height


def prepare(
    path: Path,
    data: bytes,
    *,
    sheet: str | None,
    mapping: Mapping,
    province: str | None,
    indicators: TMapping[str, Indicator],
    regions: RegionIndex,
) -> Prepared:
    """Read, reshape, resolve and validate one file. Raises only :class:`StatisticsFileError`."""
    tables = read_tables(path, data, sheet=sheet)
    matcher = IndicatorMatcher(indicators, mapping.indicators)
    notes: list[str] = []
    if tables and tables[0].encoding and tables[0].encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"encoding {tables[0].encoding}")
    frames: list[pl.DataFrame] = []
    note_rows: list[pl.DataFrame] = []
    grids: dict[str | None, tuple[RawTable, Layout]] = {}
    skipped: list[str] = []
    for table in tables:
        try:
            layout = detect_layout(table, mapping, matcher)
        except LayoutError as exc:
            if len(tables) > 1 and sheet is None:
                skipped.append(f"{table.sheet!r} ({exc})")
                continue
            where = f" sheet {table.sheet!r}:" if table.sheet is not None else ""
            raise StatisticsFileError(path, f"{where} {exc}") from exc
        obs, notes_frame = observations(table, layout)
        grids[table.sheet] = (table, layout)
        frames.append(
            _fill_from_context(obs, layout, mapping).with_columns(pl.lit(table.sheet, pl.String).alias("sheet"))
        )
        note_rows.append(notes_frame.with_columns(pl.lit(table.sheet, pl.String).alias("sheet")))
        if layout.ignored:
            notes.append(f"ignored columns{_in_sheet(table)}: {', '.join(layout.ignored)}")
    if not frames:
        raise StatisticsFileError(path, "no sheet has a statistics table: " + "; ".join(skipped))
    if skipped:
        notes.append("skipped sheets " + "; ".join(skipped))

    obs = pl.concat(frames, how="vertical_relaxed")
    obs = _parse(obs)
    obs = RegionResolver(regions, province=province).resolve_frame(
        obs, name_col="_region_name", code_col="_region_code_in", parent_col="_parent"
    )
    obs = resolve_indicators(obs, matcher, code_col="_ind_code_in", text_col="_ind_text")
    obs = _convert_units(obs, indicators)
    obs = obs.with_row_index("_i")
    # every problem of the row, in the order a person would fix them
    reason_cols = [c for c in _PRE_REASONS if obs[c].null_count() < obs.height]  # a clean file has none
    if reason_cols:
        pre_reason = pl.concat_str(reason_cols, separator="; ", ignore_nulls=True)
        pre_reason = pl.when(pre_reason != "").then(pre_reason)
    else:
        pre_reason = pl.lit(None, pl.String)
    obs = obs.with_columns(_pre_reason=pre_reason)
    obs = obs.with_columns(
        # the source of an observation, hashed: uniqueness is checked on it without comparing long titles
        _source_key=row_hash(["source_title", "source_url"]),
    )
    # select before filtering: filtering a frame of ~40 columns would copy them all
    from loaders.statistics.schema import validate  # imports pandera: see load._warm_up_validation

    candidates = obs.select(
        "_i", "_row", "sheet", "region_code", "indicator_code", "year", "value", "_source_key",
        "_ind_unit", "_min_value", "_max_value", "_pre_reason",
    ).filter(pl.col("_pre_reason").is_null())  # fmt: skip
    schema_reasons = validate(candidates, indicators, name_sheet=len(grids) > 1)
    if schema_reasons.height:
        obs = obs.join(schema_reasons, on="_i", how="left", maintain_order="left")
    else:
        obs = obs.with_columns(_schema_reason=pl.lit(None, pl.String))
    obs = obs.with_columns(reason=pl.coalesce("_pre_reason", "_schema_reason"))

    any_bad = obs["reason"].null_count() < obs.height
    landed = obs.select(
        "reason",
        "sheet",
        pl.col("_row").cast(pl.Int32).alias("source_row"),
        "source_column",
        pl.col("_region_name").alias("region_name"),
        "region_code",
        pl.col("_ind_text").alias("indicator_name"),
        "indicator_code",
        pl.col("year").cast(pl.Int32),
        "value",
        "value_raw",
        pl.col("_ind_unit").alias("unit"),
        "unit_raw",
        "qualifier",
        "footnote",
        "nature",
        "source_title",
        "source_url",
    )
    landed = (landed.filter(pl.col("reason").is_null()) if any_bad else landed).drop("reason")
    bad = (
        obs.select("sheet", "_row", "source_column", "reason", "_wide")
        .filter(pl.col("reason").is_not_null())
        .select("sheet", "_row", "source_column", pl.format("{}{}", pl.col("reason"), _column_suffix()).alias("reason"))
    )
    notes_all = pl.concat(note_rows, how="vertical_relaxed").select(
        "sheet",
        "_row",
        pl.lit(None, pl.String).alias("source_column"),
        pl.lit("not a data row: a note/footer line inside the table").alias("reason"),
    )
    bad = pl.concat([bad, notes_all], how="vertical_relaxed")
    rejected = _with_raw_rows(bad, grids).select(
        "sheet",
        pl.col("_row").cast(pl.Int32).alias("source_row"),
        "source_column",
        "raw_row",
        "reason",
    )
    return Prepared(landed=landed, rejected=rejected, sheets=[t.sheet for t in tables], notes=notes)


def _in_sheet(table: RawTable) -> str:
    return f" in sheet {table.sheet!r}" if table.sheet is not None else ""


def _column_suffix() -> pl.Expr:
    """Name the value column in a wide table's reason ("… [column 2020年]")."""
    return pl.when(pl.col("_wide")).then(pl.format(" [column {}]", pl.col("source_column"))).otherwise(pl.lit(""))


def _nonempty(name: str) -> pl.Expr:
    """The cell, or null when empty (cheap: no string copy; whitespace is handled by the resolvers)."""
    return pl.when(pl.col(name) != "").then(pl.col(name))


def _fill_from_context(obs: pl.DataFrame, layout: Layout, mapping: Mapping) -> pl.DataFrame:
    """Year, indicator, unit, region, source and nature for each observation, from the most
    specific place that has them: the cell, the column header, the row's own columns, the
    mapping file, then the table's title ("2021年…学前三年毛入园率（%）", "单位：%")."""
    fixed_year = mapping.year if mapping.year is not None else layout.title_year
    fixed_ind = mapping.indicator or layout.title_indicator
    fixed_unit = mapping.unit or layout.title_unit
    wide = layout.kind == "wide"
    header_ind = pl.col("_h_ind")
    code_in = pl.when(header_ind.is_not_null()).then(None).otherwise(_nonempty("_ind_code_col"))
    text = pl.coalesce(header_ind, _nonempty("_ind_text_col"))
    unit_sources = [pl.col("_h_unit"), _nonempty("_unit_col")] if wide else [_nonempty("_unit_col"), pl.col("_h_unit")]
    return obs.with_columns(
        _year_raw=pl.coalesce(pl.col("_h_year").cast(pl.String), _nonempty("_year_col"),
                              pl.lit(None if fixed_year is None else str(fixed_year), pl.String)),
        _ind_code_in=pl.when(code_in.is_null() & text.is_null()).then(pl.lit(fixed_ind, pl.String)).otherwise(code_in),
        _ind_text=text,
        _unit_given=pl.coalesce(*unit_sources, pl.lit(fixed_unit, pl.String)),
        _region_name=pl.coalesce(pl.col("_region_name"), pl.lit(mapping.region, pl.String)),
        _parent=pl.col("_parent"),
        source_title=pl.coalesce(_nonempty("source_title"), pl.lit(mapping.source_title, pl.String)),
        source_url=pl.coalesce(_nonempty("source_url"), pl.lit(mapping.source_url, pl.String)),
        nature=pl.when(_nonempty("_nature_raw").str.contains(_ESTIMATED_RE)).then(pl.lit("estimated"))
        .when(_nonempty("_nature_raw").is_not_null()).then(pl.lit("reported"))
        .otherwise(pl.lit(mapping.nature or "reported")),
        _wide=pl.lit(wide),
    )  # fmt: skip


def _parse(obs: pl.DataFrame) -> pl.DataFrame:
    """Cells → numbers, qualifiers, footnotes; year text → integer; reasons for what does not parse."""
    obs = parse_value_column(obs, "value_raw")
    # Years: few distinct texts even in a huge file, so read each once and map back.
    year_texts = obs["_year_raw"].drop_nulls().unique().to_list()
    years: dict[str, int | None] = {}
    year_reasons: dict[str, str | None] = {}
    for text in year_texts:
        m = _YEAR_CELL_RE.match(text)
        years[text] = int(m.group(1)) if m else None
        year_reasons[text] = None if m else f"year {''.join(text.split())!r} is not a year"
    # A reason expression is built only when some row has that problem: polars evaluates a
    # when/then branch on every row, and formatting two million strings to keep none is not free.
    no_year = pl.when(pl.col("_year_raw").is_null()).then(pl.lit("no year (no year column, header or mapping)"))
    obs = obs.with_columns(
        year=pl.col("_year_raw").replace_strict(years, default=None, return_dtype=pl.Int64),
        _value_reason=pl.when(~pl.col("_value_ok")).then(pl.format("value {} is not a number", _quoted("value_raw")))
        if not obs["_value_ok"].all()
        else pl.lit(None, pl.String),
        _year_reason=no_year.otherwise(
            pl.col("_year_raw").replace_strict(year_reasons, default=None, return_dtype=pl.String)
        )
        if any(r is not None for r in year_reasons.values())
        else no_year.otherwise(pl.lit(None, pl.String)),
    )
    if obs["_footnote_col"].null_count() < obs.height:  # a 注/备注 column: its text joins the cell's marker
        obs = obs.with_columns(
            footnote=pl.concat_str([pl.col("footnote"), _nonempty("_footnote_col")], separator="; ", ignore_nulls=True)
        ).with_columns(footnote=pl.when(pl.col("footnote") != "").then(pl.col("footnote")))
    # "99" stored for "99%以上", with the original quoted in the source title (the sample file's way).
    # every distinct title is looked at (not only those of rows without a qualifier: filtering two
    # million rows costs more than it saves); the replacement below applies to those rows only
    titles = obs["source_title"].drop_nulls().unique()
    q_map = {t: q for t in titles.to_list() if (q := qualifier_from_source_title(t))}
    if q_map:
        from_title = pl.col("source_title").replace_strict(q_map, default=None, return_dtype=pl.String)
        obs = obs.with_columns(
            qualifier=pl.when(pl.col("qualifier").is_null() & pl.col("_number").is_not_null())
            .then(from_title)
            .otherwise(pl.col("qualifier"))
        )
    return obs


def _quoted(name: str) -> pl.Expr:
    return _quoted_expr(pl.col(name))


def _quoted_expr(expr: pl.Expr) -> pl.Expr:
    return pl.format("'{}'", expr.cast(pl.String).fill_null(""))


def _convert_units(obs: pl.DataFrame, indicators: TMapping[str, Indicator]) -> pl.DataFrame:
    """Value in the indicator's unit; the unit as written kept in ``unit_raw``.

    The unit is the cell's ("95%", "3‰") if it has one, else the header's,
    the unit column's, the mapping's or the title's; none at all means the
    indicator's own unit. ‰ → % and 万人 → 人 convert (:data:`UNIT_BASE`); a
    unit that does not convert rejects the row naming both units.
    """
    from loaders.statistics.schema import bounds_frame

    bounds = bounds_frame(indicators)
    # indicator_code is a known code or null here: its position in the seed (one hash per row, via an
    # Enum cast) then picks each bound by position, cheaper than a join or one lookup per column
    position = pl.col("indicator_code").cast(pl.Enum(bounds["indicator_code"].to_list())).to_physical()
    idx = obs.select(position.alias("_pos"))["_pos"]
    # the bounds as printed (_min_txt, _max_txt) are not copied to every row: validation joins them
    # to the few failing ones
    obs = obs.with_columns(bounds[c].gather(idx).alias(c) for c in ("_ind_unit", "_min_value", "_max_value"))
    obs = obs.with_columns(unit_raw=pl.coalesce("_cell_unit", "_unit_given"))
    # group_by: the distinct pairs, without the row encoding ``unique`` builds over two string columns
    pairs = obs.group_by("unit_raw", "_ind_unit").agg().drop_nulls("_ind_unit")
    factors: list[float | None] = []
    reasons: list[str | None] = []
    for unit_raw, ind_unit in pairs.iter_rows():
        unit = normalize_unit(unit_raw)
        if unit is not None and unit not in UNIT_BASE and unit != ind_unit:
            factors.append(None)
            reasons.append(f"unknown unit {unit_raw!r} (indicator unit {ind_unit!r})")
            continue
        factor = unit_factor(unit, ind_unit)
        factors.append(factor)
        reasons.append(None if factor is not None else f"unit {unit_raw!r} cannot be converted to {ind_unit!r}")
    if all(f == 1.0 for f in factors):  # the common case: every unit is the indicator's own, no join needed
        return obs.with_columns(value=pl.col("_number"), _unit_reason=pl.lit(None, pl.String))
    lookup = pairs.with_columns(
        pl.Series("_factor", factors, dtype=pl.Float64), pl.Series("_unit_reason_", reasons, dtype=pl.String)
    )
    obs = obs.join(lookup, on=["unit_raw", "_ind_unit"], how="left", nulls_equal=True, maintain_order="left")
    return obs.with_columns(
        value=pl.col("_number") * pl.col("_factor"),
        _unit_reason=pl.when(pl.col("_unit_reason_").is_not_null()).then(
            pl.format("{} for indicator {}", pl.col("_unit_reason_"), pl.col("indicator_code"))
        ),
    )


def _json_key_labels(layout: Layout, width: int) -> list[str]:
    labels: list[str] = []
    for j in range(width):
        col = next((c for c in layout.columns if c.index == j), None)
        label = (col.header if col else "") or f"column {j + 1}"
        base, n = label, 2
        while label in labels:
            label = f"{base} ({n})"
            n += 1
        labels.append(label)
    return labels


def _with_raw_rows(bad: pl.DataFrame, grids: dict[str | None, tuple[RawTable, Layout]]) -> pl.DataFrame:
    """Attach each rejected row's cells as JSON, keyed by the header labels as written."""
    parts: list[pl.DataFrame] = []
    for sheet, (table, layout) in grids.items():
        mine = bad.filter(pl.col("sheet").eq_missing(pl.lit(sheet, pl.String)))
        if mine.height == 0:
            continue
        offset = table.first_row + layout.data_start
        rows = mine.select(pl.col("_row").unique())
        grid = table.grid.slice(layout.data_start).with_row_index("_idx")
        grid = grid.with_columns((pl.col("_idx").cast(pl.Int64) + offset).alias("_row")).join(rows, on="_row")
        labels = _json_key_labels(layout, table.grid.width)
        cells = [pl.col(f"c{j}").alias(labels[j]) for j in range(table.grid.width)]
        js = grid.select("_row", pl.struct(cells).struct.json_encode().alias("raw_row"))
        parts.append(mine.join(js, on="_row", how="left", maintain_order="left"))
    if not parts:
        return bad.with_columns(pl.lit(None, pl.String).alias("raw_row"))
    return pl.concat(parts, how="vertical_relaxed")


def sanitize_message(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
