"""Expectation suites for the marts, built from the warehouse itself.

One :class:`MartSpec` per table of schema ``marts`` says what must hold; from it
:func:`build_suites` makes one GE 1.x ``ExpectationSuite`` per mart and
:func:`frame_sql` the query that reads exactly the columns those expectations
need (DuckDB → pandas, read-only).

What every suite checks
-----------------------
* row count: ≥ 1 (error) for ``dim_region``, ``dim_indicator``, ``dim_document`` and
  ``fct_policy_targets``: the build always loads the seeds and the policy
  documents, so an empty one means the build lost its input. The other facts
  (observations, values, progress, rpt) may legitimately be empty (a warehouse
  with documents but no statistics): their row count is expected ≥ 0, which never
  fails but records the count in the Data Docs.
* grain: not-null + unique on the key column, compound uniqueness on the natural
  grain (observations: region × indicator × year × source_key; values and rpt:
  region × indicator × year).
* not-null on the required columns (as in ``models/marts/_marts__models.yml``).
* accepted values: region_level, doc_type, comparator, qualifier, nature,
  source_kind, status, indicator_kind, direction.
* indicator codes of the facts must be codes of ``marts.dim_indicator`` (read
  when the suite is built) — otherwise a value would escape its range check.
* indicator ranges, from ``marts.dim_indicator`` only (never repeated here); for
  observations and values also that ``unit`` is the indicator's unit.
* a little more: ``dim_region.region_code`` matches ``^[0-9]{6}$``; in
  ``dim_indicator`` min_value ≤ warn_above ≤ max_value.

How the indicator ranges are checked (and why not per-indicator row_conditions)
------------------------------------------------------------------------------
The natural GE form is one ``ExpectColumnValuesToBeBetween(column="value",
min_value=…, max_value=…, row_condition=Column("indicator_code") == code)`` per
indicator (string row_conditions with ``condition_parser="pandas"`` are deprecated
since GX Core 1.9). GE's pandas engine evaluates a row_condition with
``DataFrame.query`` several times per expectation (once per metric), so the cost
grows with indicators × rows. Measured with GE 1.24.1 / pandas 3.1 on a 2-vCPU box
that was busy with other jobs (load 4–5), wall-clock seconds for one value
column, 33 indicators → 37 expectations, all values valid:

==============================================  =========  =========
frame                                           200k rows  2M rows
==============================================  =========  =========
per-indicator row_condition, full-width frame   5.6 s      28.6 s
per-indicator row_condition, narrow+categorical 4.6 s      13.0 s
vectorised bound columns (3 expectations +      —          4.8 s
a unique check on 2M strings)
==============================================  =========  =========

…and three tables carry ranged values (observations, values, targets). So the
range is joined in DuckDB instead: :func:`frame_sql` adds the indicator's
``indicator_min_value`` / ``indicator_max_value`` / ``indicator_warn_above`` (from
``marts.dim_indicator``; null when the row's unit is set and is not the indicator's
unit — the rule of the dbt test ``value_in_indicator_range``) to every row, and three
vectorised expectations per value column compare the value with them:

* ``ExpectColumnPairValuesAToBeGreaterThanB(value ≥ indicator_min_value)``  error
* ``ExpectColumnPairValuesAToBeGreaterThanB(indicator_max_value ≥ value)``  error
* ``ExpectColumnPairValuesAToBeGreaterThanB(indicator_warn_above ≥ value)`` warning

(rows with a null value or bound are skipped: ``ignore_row_if="either_value_is_missing"``;
an indicator code missing from dim_indicator is caught by the in-set check, a unit
that is not the indicator's by the unit check of observations and values). Each
carries ``meta`` naming the tested column and bound and ``notes`` listing every
indicator's range as read from ``dim_indicator`` (shown on the suite pages of the
Data Docs); a failure is reported one line per indicator code with its bounds and
the failing values (see :mod:`loaders.quality.report`). Whole-run timings:
:mod:`loaders.quality.checkpoint`.

Severity uses GE's own ``Expectation.severity`` field (``critical`` / ``warning``,
present since GX Core 1.6); ``meta["severity"]`` repeats it as ``error`` / ``warn``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe

# ---------------------------------------------------------------------------- accepted values

REGION_LEVELS = ("country", "province", "prefecture", "county")
DOC_TYPES = ("five_year_plan", "annual_plan", "action_plan", "notice", "report", "news", "other")
COMPARATORS = (">=", "<=", "=", "~")
QUALIFIERS = ("lower_bound", "upper_bound", "approximate", "missing")
NATURES = ("reported", "estimated", "reported_in_plan")
SOURCE_KINDS = ("statistics", "document")
STATUSES = (
    "achieved",
    "on_track",
    "needs_acceleration",
    "limited_progress",
    "deteriorating",
    "insufficient_data",
    "no_data",
    "not_assessable",
)
INDICATOR_KINDS = ("share", "gross_ratio", "years", "hours")
DIRECTIONS = ("higher_is_better", "lower_is_better")

#: Derived columns :func:`frame_sql` adds for the range checks (bound name → column).
BOUND_COLUMNS: dict[str, str] = {
    "min_value": "indicator_min_value",
    "max_value": "indicator_max_value",
    "warn_above": "indicator_warn_above",
}


@dataclass(frozen=True, slots=True)
class MartSpec:
    """What must hold for one table of schema ``marts``.

    ``key``        the grain column: not null and unique.
    ``grain``      natural grain: compound unique (and each column not null).
    ``required``   other not-null columns.
    ``accepted``   column → accepted values (nulls allowed unless also required).
    ``min_rows``   smallest valid row count (0 = may be empty).
    ``ranged``     value columns checked against the indicator's [min_value, max_value].
    ``warned``     value columns whose value above the indicator's warn_above only warns.
    ``indicator_fk``  indicator_code must be a code of dim_indicator.
    ``unit_checked``  unit must be the indicator's unit (observations, values).
    ``report_key`` columns that name a failing row in the summary.
    ``extra``      (column_A, column_B) pairs with A ≥ B, for the indicator catalogue.
    ``regex``      column → regular expression its values match.
    """

    name: str
    key: str
    grain: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    accepted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    min_rows: int = 0
    ranged: tuple[str, ...] = ()
    warned: tuple[str, ...] = ()
    indicator_fk: bool = False
    unit_checked: bool = False
    report_key: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()
    regex: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_ranges(self) -> bool:
        """True when rows are joined to dim_indicator bounds."""
        return bool(self.ranged or self.warned or self.unit_checked)

    @property
    def row_key(self) -> tuple[str, ...]:
        """Columns naming a row in a failure line."""
        return self.report_key or (self.key,)

    def columns(self) -> list[str]:
        """Columns of the mart the suite reads (derived bound columns excluded), in a stable order."""
        cols: list[str] = [self.key, *self.row_key, *self.grain, *self.required, *self.accepted, *self.regex]
        cols += [c for pair in self.extra for c in pair]
        if self.has_ranges or self.indicator_fk:
            cols += ["indicator_code"]
        if self.has_ranges:
            cols += ["unit", *self.ranged, *self.warned]
        return list(dict.fromkeys(cols))

    def index_columns(self) -> list[str]:
        """``unexpected_index_column_names``: row key, plus indicator, values and bounds for range checks."""
        cols = list(self.row_key)
        if self.has_ranges:
            cols += ["indicator_code", *self.ranged, *self.warned, *BOUND_COLUMNS.values()]
        return list(dict.fromkeys(cols))


MARTS: dict[str, MartSpec] = {
    s.name: s
    for s in (
        MartSpec(
            "dim_region",
            key="region_code",
            required=("region_name", "region_level"),
            accepted={"region_level": REGION_LEVELS},
            regex={"region_code": r"^[0-9]{6}$"},
            min_rows=1,
        ),
        MartSpec(
            "dim_indicator",
            key="indicator_code",
            required=("indicator_kind", "min_value", "max_value", "higher_is_better"),
            accepted={"indicator_kind": INDICATOR_KINDS, "direction": DIRECTIONS},
            extra=(("max_value", "min_value"), ("max_value", "warn_above"), ("warn_above", "min_value")),
            min_rows=1,
        ),
        MartSpec(
            "dim_document",
            key="doc_id",
            accepted={"doc_type": DOC_TYPES},
            min_rows=0,  # a warehouse of statistics alone (no policy documents yet) is valid
        ),
        MartSpec(
            "fct_policy_targets",
            key="target_id",
            required=("doc_id", "indicator_text", "comparator", "target_value"),
            accepted={"comparator": COMPARATORS},
            ranged=("target_value", "target_value_high"),
            warned=("target_value",),
            indicator_fk=True,
            min_rows=0,  # documents may state no quantitative target at all
        ),
        MartSpec(
            "fct_indicator_observations",
            key="observation_id",
            grain=("region_code", "indicator_code", "year", "source_key"),
            required=("nature",),
            accepted={"qualifier": QUALIFIERS, "nature": NATURES, "source_kind": SOURCE_KINDS},
            ranged=("value",),
            warned=("value",),
            indicator_fk=True,
            unit_checked=True,
            report_key=("source_file", "source_row", "region_code", "year"),
        ),
        MartSpec(
            "fct_indicator_values",
            key="value_id",
            grain=("region_code", "indicator_code", "year"),
            accepted={"qualifier": QUALIFIERS, "nature": NATURES, "source_kind": SOURCE_KINDS},
            ranged=("value",),
            warned=("value",),
            indicator_fk=True,
            unit_checked=True,
        ),
        MartSpec(
            "fct_target_progress",
            key="target_id",
            required=("status",),
            accepted={"status": STATUSES, "comparator": COMPARATORS},
        ),
        MartSpec(
            "rpt_region_indicator_year",
            key="row_id",
            grain=("region_code", "indicator_code", "year"),
            accepted={"region_level": REGION_LEVELS, "target_status": STATUSES, "target_comparator": COMPARATORS},
        ),
    )
}


# ---------------------------------------------------------------------------- reading


def frame_sql(spec: MartSpec, *, baseline: str | None = None) -> str:
    """The read-only query for one mart: its needed columns (+ the dim_indicator bounds when ranged).

    Bounds are null when the row's unit is set and differs from the indicator's unit
    (same rule as the dbt test ``value_in_indicator_range``); ``indicator_unit`` is
    returned for the unit check of observations and values.

    With ``baseline`` (the catalog name of an attached, previously validated warehouse),
    only the rows that warehouse does not hold identically are read: ``except`` over the
    columns the suite reads (set semantics, nulls equal), i.e. every new or changed row.
    """
    needed = spec.columns()
    rel = f'marts."{spec.name}"'
    if baseline is not None:
        plain = ", ".join(f'"{c}"' for c in needed)
        rel = f'(select {plain} from {rel} except select {plain} from {baseline}.marts."{spec.name}")'
    cols = ", ".join(f't."{c}"' for c in needed)
    if not spec.has_ranges:
        return f"select {cols} from {rel} as t"
    same_unit = "(t.unit is null or t.unit = i.unit)"
    bounds = ", ".join(
        f"case when {same_unit} then cast(i.{b} as double) end as {col}" for b, col in BOUND_COLUMNS.items()
    )
    return (
        f"select {cols}, {bounds}, i.unit as indicator_unit\n"
        f"from {rel} as t\n"
        "left join (\n"
        "    select indicator_code, unit, min_value, max_value, warn_above from marts.dim_indicator\n"
        "    qualify row_number() over (partition by indicator_code order by indicator_code) = 1\n"
        ") as i on i.indicator_code = t.indicator_code"
    )


def indicator_catalogue(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """``marts.dim_indicator`` rows (code, unit, min, max, warn_above), ordered by code; [] if absent."""
    try:
        cur = con.execute(
            "select indicator_code, unit, min_value, max_value, warn_above "
            "from marts.dim_indicator where indicator_code is not null order by indicator_code"
        )
    except duckdb.CatalogException:
        return []
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# ---------------------------------------------------------------------------- suites


def _meta(spec: MartSpec, column: str | None, check: str, severity: str = "error", **more: Any) -> dict[str, Any]:
    return {"column": column, "key": list(spec.row_key), "check": check, "severity": severity, **more}


def _num(v: Any) -> str:
    return "—" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def _range_notes(catalogue: list[dict[str, Any]], bound: str) -> list[str]:
    head = "Bounds per indicator, read from marts.dim_indicator when the suite was built:"
    lines = [head]
    for r in catalogue:
        if bound == "warn_above":
            if r["warn_above"] is None:
                continue
            lines.append(f"- {r['indicator_code']} ({r['unit']}): warn above {_num(r['warn_above'])}")
        else:
            lines.append(f"- {r['indicator_code']} ({r['unit']}): [{_num(r['min_value'])}, {_num(r['max_value'])}]")
    return lines


def row_count_expectation(spec: MartSpec) -> gxe.Expectation:
    """The table-level expectation: at least ``spec.min_rows`` rows."""
    return gxe.ExpectTableRowCountToBeBetween(
        min_value=spec.min_rows,
        meta=_meta(spec, None, "row_count"),
        description=f"marts.{spec.name} has at least {spec.min_rows} row(s).",
    )


def suite_for(spec: MartSpec, catalogue: list[dict[str, Any]], *, row_count: bool = True) -> gx.ExpectationSuite:
    """The expectation suite of one mart (``catalogue``: rows of :func:`indicator_catalogue`).

    ``row_count=False`` leaves out the table-level row-count expectation, for a suite run
    on the changed rows only (the caller checks the whole table's count).
    """
    ex: list[gxe.Expectation] = []
    if row_count:
        ex.append(row_count_expectation(spec))
    # grain
    ex.append(gxe.ExpectColumnValuesToNotBeNull(column=spec.key, meta=_meta(spec, spec.key, "not_null")))
    ex.append(gxe.ExpectColumnValuesToBeUnique(column=spec.key, meta=_meta(spec, spec.key, "unique")))
    if spec.grain:
        ex.append(
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=list(spec.grain),
                meta=_meta(spec, ",".join(spec.grain), "grain"),
            )
        )
    for col in dict.fromkeys((*spec.grain, *spec.required)):
        if col != spec.key:
            ex.append(gxe.ExpectColumnValuesToNotBeNull(column=col, meta=_meta(spec, col, "not_null")))
    for col, values in spec.accepted.items():
        ex.append(
            gxe.ExpectColumnValuesToBeInSet(column=col, value_set=list(values), meta=_meta(spec, col, "accepted"))
        )
    for col, pattern in spec.regex.items():
        ex.append(gxe.ExpectColumnValuesToMatchRegex(column=col, regex=pattern, meta=_meta(spec, col, "regex")))
    for a, b in spec.extra:
        ex.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=a,
                column_B=b,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta=_meta(spec, a, "order", other=b),
            )
        )
    codes = [r["indicator_code"] for r in catalogue]
    if spec.indicator_fk and codes:
        ex.append(
            gxe.ExpectColumnValuesToBeInSet(
                column="indicator_code",
                value_set=codes,
                meta=_meta(spec, "indicator_code", "indicator_fk"),
                description="indicator_code is a code of marts.dim_indicator (else no range check applies).",
            )
        )
    if spec.unit_checked:
        ex.append(
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="unit",
                column_B="indicator_unit",
                ignore_row_if="either_value_is_missing",
                meta=_meta(spec, "unit", "indicator_unit"),
                description="unit is the indicator's unit (marts.dim_indicator.unit).",
            )
        )
    range_notes, warn_notes = _range_notes(catalogue, "range"), _range_notes(catalogue, "warn_above")
    for col in spec.ranged:
        ex.append(_bound_check(spec, col, "min_value", range_notes))
        ex.append(_bound_check(spec, col, "max_value", range_notes))
    for col in spec.warned:
        ex.append(_bound_check(spec, col, "warn_above", warn_notes))
    return gx.ExpectationSuite(name=f"marts.{spec.name}", expectations=ex, meta={"table": f"marts.{spec.name}"})


def _bound_check(spec: MartSpec, col: str, bound: str, notes: list[str]) -> Any:
    """``col`` against its indicator's ``bound`` column (joined from marts.dim_indicator).

    min_value: col ≥ bound; max_value: col ≤ bound (error); warn_above: col ≤ bound (warning).
    """
    lower = bound == "min_value"
    warn = bound == "warn_above"
    extra = {"severity": "warning"} if warn else {}
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=col if lower else BOUND_COLUMNS[bound],
        column_B=BOUND_COLUMNS[bound] if lower else col,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        meta=_meta(spec, col, "indicator_range", severity="warn", bound=bound)
        if warn
        else _meta(spec, col, "indicator_range", bound=bound),
        description=f"{col} {'≥' if lower else '≤'} {bound} of its indicator (marts.dim_indicator)"
        + ("; above only warns." if warn else "."),
        notes=notes,
        **extra,
    )


def build_suites(
    con: duckdb.DuckDBPyConnection, specs: Mapping[str, MartSpec] | None = None, *, row_count: bool = True
) -> dict[str, gx.ExpectationSuite]:
    """One expectation suite per mart (keyed by table name), built from the warehouse.

    Reads ``marts.dim_indicator`` through ``con`` for the indicator codes facts may
    use and the per-indicator bounds shown in the range expectations' notes (the
    bounds the checks compare against are joined per row by :func:`frame_sql`).
    """
    catalogue = indicator_catalogue(con)
    return {name: suite_for(spec, catalogue, row_count=row_count) for name, spec in (specs or MARTS).items()}
