"""The pandera (polars backend) contract an observation must meet to land.

Built from :func:`loaders.indicators.indicators` — the one place ranges and
units live — so a range changed in ``seeds/indicators.csv`` changes the check
here, in dbt and in the extractor at once. Nothing here hard-codes a bound.

Checks and the reason a failing row is rejected with:

* ``year`` in 1949 .. current year + 1 (the People's Republic's statistics
  start in 1949; one year ahead allows a plan figure published in advance);
* ``value_ge_min_value`` / ``value_le_max_value``: the value against the
  indicator's ``min_value`` / ``max_value`` (e.g. "value 120.0 above max_value
  100 for indicator primary_enrollment_rate (%)");
* ``region_code`` six digits, ``indicator_code`` a known code, types;
* no duplicate (region, indicator, year, source — the source title/URL): the
  first occurrence lands, the others are rejected naming the row they repeat.
  The pandera check ``unique_observation`` works on a 63-bit hash of those
  columns (``_obs_key``), which is fast on millions of rows; the rows it flags
  are then grouped on the real columns, so a hash collision could never reject
  a distinct row.

pandera finds the failing rows (``lazy=True`` collects every failure, with the
row index); the reasons are then formatted in polars from the failing rows'
own values, so even a file full of errors is reported without a Python loop
per row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping

import pandera.polars as pa
import polars as pl

from loaders.indicators import Indicator
from loaders.statistics.resolve import row_hash

FIRST_YEAR = 1949
UNIQUE_KEY = ["region_code", "indicator_code", "year", "_source_key"]
OBS_KEY = "_obs_key"  # a 63-bit hash of UNIQUE_KEY (resolve.row_hash): pandera checks uniqueness on it
CHECK_MIN = "value_ge_min_value"
CHECK_MAX = "value_le_max_value"


def last_year() -> int:
    return dt.date.today().year + 1


def bounds_frame(indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """indicator_code → unit and bounds (numbers and their printed form), from the seed."""

    def fmt(v: float | None) -> str | None:
        return None if v is None else f"{v:g}"

    inds = list(indicators.values())
    return pl.DataFrame(
        {
            "indicator_code": [i.code for i in inds],
            "_ind_unit": [i.unit for i in inds],
            "_min_value": [i.min_value for i in inds],
            "_max_value": [i.max_value for i in inds],
            "_min_txt": [fmt(i.min_value) for i in inds],
            "_max_txt": [fmt(i.max_value) for i in inds],
        },
        schema={
            "indicator_code": pl.String,
            "_ind_unit": pl.String,
            "_min_value": pl.Float64,
            "_max_value": pl.Float64,
            "_min_txt": pl.String,
            "_max_txt": pl.String,
        },
    )


def _ge_min(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(
        (pl.col("value").is_null() | pl.col("_min_value").is_null() | (pl.col("value") >= pl.col("_min_value"))).alias(
            CHECK_MIN
        )
    )


def _le_max(data: pa.PolarsData) -> pl.LazyFrame:
    return data.lazyframe.select(
        (pl.col("value").is_null() | pl.col("_max_value").is_null() | (pl.col("value") <= pl.col("_max_value"))).alias(
            CHECK_MAX
        )
    )


CHECK_UNIQUE = "unique_observation"


def _unique_observation(data: pa.PolarsData) -> pl.LazyFrame:
    """False for every member of a set of rows sharing (region, indicator, year, source).

    Counting distinct keys first is cheap; only a file that has duplicates pays
    for marking them (``is_duplicated`` on millions of rows is the costly part).
    """
    lf = data.lazyframe
    counts = lf.select(pl.col(OBS_KEY).n_unique().alias("distinct"), pl.len().alias("rows")).collect()
    if counts["distinct"][0] == counts["rows"][0]:
        return lf.select(pl.col(OBS_KEY).is_not_null().alias(CHECK_UNIQUE))
    return lf.select((~pl.col(OBS_KEY).is_duplicated()).alias(CHECK_UNIQUE))


def statistics_schema(indicators: Mapping[str, Indicator]) -> pa.DataFrameSchema:
    """The schema for candidate observations (columns as built by the loader)."""
    return pa.DataFrameSchema(
        {
            "region_code": pa.Column(pl.String, pa.Check.str_matches(r"^\d{6}$"), nullable=False),
            "indicator_code": pa.Column(pl.String, pa.Check.isin(sorted(indicators)), nullable=False),
            "year": pa.Column(pl.Int64, pa.Check.in_range(FIRST_YEAR, last_year()), nullable=False),
            "value": pa.Column(pl.Float64, nullable=True),
            "_min_value": pa.Column(pl.Float64, nullable=True),
            "_max_value": pa.Column(pl.Float64, nullable=True),
            "_source_key": pa.Column(pl.UInt64, nullable=False),
            OBS_KEY: pa.Column(pl.UInt64, nullable=False),
        },
        checks=[
            pa.Check(_ge_min, name=CHECK_MIN),
            pa.Check(_le_max, name=CHECK_MAX),
            pa.Check(_unique_observation, name=CHECK_UNIQUE),
        ],
        name="raw.statistics",
    )


_warm_lock = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Have pandera set up its polars backends (it does on a first validation, importing more of itself).

    Called from :func:`validate`, and ahead of time on the loader's warm-up thread; the lock
    makes a validation wait for a warm-up in progress rather than run beside it.
    """
    global _warmed
    with _warm_lock:
        if not _warmed:
            empty = pl.DataFrame(schema={"x": pl.Int64})
            pa.DataFrameSchema({"x": pa.Column(pl.Int64)}).validate(empty)
            _warmed = True


def validate(
    candidates: pl.DataFrame, indicators: Mapping[str, Indicator], *, name_sheet: bool = False
) -> pl.DataFrame:
    """``_i`` → reason for every candidate that fails the schema (empty frame if all pass).

    ``candidates`` must carry ``_i`` (its position), ``_row`` and ``sheet``
    (to name the first of a set of duplicates; the sheet only when
    ``name_sheet``), ``_ind_unit`` and the schema columns. The bounds as
    printed in a reason come from :func:`bounds_frame`, for the failing rows only.
    """
    empty = pl.DataFrame(schema={"_i": pl.UInt32, "_schema_reason": pl.String})
    if candidates.height == 0:
        return empty
    warm_up()
    candidates = candidates.with_columns(row_hash(UNIQUE_KEY).alias(OBS_KEY))
    checked = candidates.select(
        "region_code", "indicator_code", "year", "value", "_min_value", "_max_value", "_source_key", OBS_KEY
    )
    try:
        statistics_schema(indicators).validate(checked, lazy=True)
        return empty
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    unlocated = failures.filter(pl.col("index").is_null())
    if unlocated.height:
        # A schema-level failure (a dtype, a missing column) is a loader bug, not bad data.
        raise RuntimeError(f"statistics schema failed as a whole: {unlocated.select('check', 'failure_case').rows()}")
    hits = failures.select(pl.col("index").cast(pl.UInt32).alias("_i"), pl.col("check").cast(pl.String)).unique()
    rows = hits.join(candidates, on="_i", how="left").join(
        bounds_frame(indicators).select("indicator_code", "_min_txt", "_max_txt"), on="indicator_code", how="left"
    )
    # Duplicates: the first of each set lands. Grouping on the real columns (not the hash) also
    # drops a hash collision between two different observations, should one ever happen.
    where = (
        pl.format("sheet {} row {}", pl.col("sheet"), pl.col("_row").cast(pl.String))
        if name_sheet
        else pl.format("row {}", pl.col("_row").cast(pl.String))
    )
    dup_rows = rows.filter(pl.col("check") == CHECK_UNIQUE).with_columns(_where=where)
    first_of_dup = (
        dup_rows.sort("_i")
        .group_by(UNIQUE_KEY, maintain_order=True)
        .agg(pl.col("_i").first().alias("_first_i"), pl.col("_where").first().alias("_first_where"), pl.len())
        .filter(pl.col("len") > 1)
        .drop("len")
    )
    rows = rows.join(first_of_dup, on=UNIQUE_KEY, how="left", nulls_equal=True)
    value_txt = pl.col("value").cast(pl.String)
    unit_txt = pl.col("_ind_unit").fill_null("")
    reason = (
        pl.when(pl.col("check") == CHECK_MAX)
        .then(pl.format("{}: value {} above max_value {} for indicator {} ({})", pl.lit(CHECK_MAX), value_txt,
                        pl.col("_max_txt"), pl.col("indicator_code"), unit_txt))
        .when(pl.col("check") == CHECK_MIN)
        .then(pl.format("{}: value {} below min_value {} for indicator {} ({})", pl.lit(CHECK_MIN), value_txt,
                        pl.col("_min_txt"), pl.col("indicator_code"), unit_txt))
        .when(pl.col("check").str.starts_with("in_range"))
        .then(pl.format("year_in_range: year {} outside {}..{} for indicator {}", pl.col("year").cast(pl.String),
                        pl.lit(str(FIRST_YEAR)), pl.lit(str(last_year())), pl.col("indicator_code")))
        .when(pl.col("check") == CHECK_UNIQUE)
        .then(pl.when(pl.col("_first_i").is_null() | (pl.col("_i") == pl.col("_first_i"))).then(None)
              .otherwise(pl.format("{}: duplicate of {} (same region {}, indicator {}, year {}, source)",
                                   pl.lit(CHECK_UNIQUE), pl.col("_first_where"), pl.col("region_code"),
                                   pl.col("indicator_code"), pl.col("year").cast(pl.String))))
        .otherwise(pl.format("{}: failed for indicator {} value {}", pl.col("check"), pl.col("indicator_code"),
                             value_txt))
    )  # fmt: skip
    out = rows.select("_i", "check", reason.alias("_schema_reason")).drop_nulls("_schema_reason")
    return (
        out.sort("_i", "check")
        .group_by("_i", maintain_order=True)
        .agg(pl.col("_schema_reason").str.join("; "))
        .select(pl.col("_i").cast(pl.UInt32), "_schema_reason")
    )
