"""The outcome of a quality run: :class:`QualityReport` and its :class:`ExpectationFailure` lines.

Nothing here imports Great Expectations: the report is plain data the build can
print, test and serialise. :func:`failures_from_result` turns one GE expectation
validation result (read duck-typed: ``success``, ``result``, ``expectation_config``)
into report lines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: GE ``FailureSeverity`` value → the word the build prints.
SEVERITY_WORDS: dict[str, str] = {"critical": "error", "warning": "warn", "info": "info"}

#: How many failing values / rows one line names at most.
MAX_VALUES_PER_LINE = 5
#: How many failing rows one line names at most.
MAX_ROWS_PER_LINE = 3
#: How many accepted values a line lists at most.
MAX_SET_SHOWN = 8


@dataclass(frozen=True, slots=True)
class ExpectationFailure:
    """One failed expectation (a range failure is split per indicator code).

    ``failing_values`` are GE's ``partial_unexpected_list`` (for a range check, the
    offending values), or the observed value for a table-level expectation.
    ``rows`` are the key columns of the first failing rows
    (``partial_unexpected_index_list``) so the line can say which row broke the rule.
    """

    table: str
    column: str | None
    expectation: str
    severity: str  # "error" | "warn" | "info"
    failing_values: list[Any]
    message: str
    unexpected_count: int | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    def summary_line(self) -> str:
        """``error marts.fct_indicator_values.value: expect_… [0, 100] for indicator_code=="x": 120.0``."""
        where = f"marts.{self.table}" + (f".{self.column}" if self.column else "")
        return f"{self.severity} {where}: {self.expectation} {self.message}".rstrip()


@dataclass(slots=True)
class QualityReport:
    """Result of :func:`loaders.quality.run_checkpoint`.

    ``success`` is false only when an error-severity expectation failed; warnings
    are counted (``failed_warn``) and listed but never fail the build.
    """

    success: bool
    evaluated: int
    passed: int
    failed_error: int
    failed_warn: int
    docs_index: Path
    failures: list[ExpectationFailure] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # read / validate / data_docs seconds
    #: marts validated on their new or changed rows only (against a validated baseline)
    changed_rows_only: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """``{"evaluated": …, "passed": …, "failed_error": …, "failed_warn": …}``."""
        return {
            "evaluated": self.evaluated,
            "passed": self.passed,
            "failed_error": self.failed_error,
            "failed_warn": self.failed_warn,
        }

    @property
    def errors(self) -> list[ExpectationFailure]:
        """Error-severity failures (these fail the build)."""
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationFailure]:
        """Failures that only warn."""
        return [f for f in self.failures if f.severity != "error"]

    def summary_lines(self) -> list[str]:
        """One human line per failure, errors first."""
        ordered = sorted(self.failures, key=lambda f: (f.severity != "error", f.table, f.column or ""))
        return [f.summary_line() for f in ordered]

    def headline(self) -> str:
        """One line of counts, e.g. ``quality: 118 expectations, 117 passed, 0 errors, 1 warning``."""
        return (
            f"quality: {self.evaluated} expectations, {self.passed} passed, "
            f"{self.failed_error} error{'s' * (self.failed_error != 1)}, "
            f"{self.failed_warn} warning{'s' * (self.failed_warn != 1)} (Data Docs: {self.docs_index})"
        )


# --------------------------------------------------------------------------- parsing GE results


def plain(value: Any) -> Any:
    """numpy / pandas scalars → Python scalars, NaN → None, tuples → lists (recursively)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        with contextlib.suppress(TypeError, ValueError):
            value = item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def fmt(value: Any) -> str:
    """A value as the summary prints it: strings quoted, numbers bare, ``null`` for None."""
    value = plain(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def _bound(value: Any) -> str:
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "null" if value is None else str(value)


def _rows_text(rows: Iterable[Mapping[str, Any]], keys: Iterable[str]) -> str:
    keys = list(keys)
    parts = []
    for row in rows:
        shown = [f"{k}={plain(row[k])}" for k in keys if k in row]
        if shown:
            parts.append(", ".join(shown))
    return "; ".join(parts)


def _values_text(values: list[Any], total: int | None) -> str:
    shown = ", ".join(fmt(v) for v in values[:MAX_VALUES_PER_LINE])
    more = (total or len(values)) - min(len(values), MAX_VALUES_PER_LINE)
    return shown + (f" (+{more} more)" if more > 0 else "")


def failures_from_result(table: str, evr: Any) -> list[ExpectationFailure]:
    """Report lines for one failed GE ``ExpectationValidationResult`` (``[]`` when it passed).

    The expectation's ``meta`` (set by :mod:`loaders.quality.expectations`) names the
    tested column, the key columns and, for an indicator-range check, the derived
    bound column; a range failure becomes one line per indicator code.
    """
    if evr.success:
        return []
    cfg = evr.expectation_config
    meta: dict[str, Any] = dict(cfg.meta or {})
    kwargs: dict[str, Any] = dict(cfg.kwargs or {})
    severity = SEVERITY_WORDS.get(str(getattr(cfg.severity, "value", cfg.severity)), "error")
    etype: str = cfg.type
    result: dict[str, Any] = dict(evr.result or {})
    column = meta.get("column") or kwargs.get("column")
    keys: list[str] = list(meta.get("key", []))
    count = result.get("unexpected_count")
    index_rows: list[dict[str, Any]] = [plain(r) for r in result.get("partial_unexpected_index_list") or []]
    values: list[Any] = plain(list(result.get("partial_unexpected_list") or []))

    if evr.exception_info and any(
        (info or {}).get("raised_exception") for info in _exception_infos(evr.exception_info)
    ):
        text = "; ".join(str((info or {}).get("exception_message")) for info in _exception_infos(evr.exception_info))
        return [ExpectationFailure(table, column, etype, severity, [], f"raised: {text}", None, [])]

    if meta.get("check") == "indicator_range":
        return _range_failures(table, column, etype, severity, meta, index_rows, count)

    if "observed_value" in result and count is None:
        observed = plain(result.get("observed_value"))
        bounds = {k: kwargs[k] for k in ("min_value", "max_value", "value") if kwargs.get(k) is not None}
        expected = ", ".join(f"{k}={_bound(v)}" for k, v in bounds.items())
        return [
            ExpectationFailure(
                table, column, etype, severity, [observed], f"[{expected}]: observed {fmt(observed)}".strip(), None, []
            )
        ]

    detail = ""
    if meta.get("check") == "indicator_fk":
        detail = "[codes of marts.dim_indicator]"
    elif "value_set" in kwargs:
        value_set = list(kwargs["value_set"])
        shown = ", ".join(fmt(v) for v in value_set[:MAX_SET_SHOWN])
        detail = "[" + shown + (f", … {len(value_set)} values" if len(value_set) > MAX_SET_SHOWN else "") + "]"
    elif "column_list" in kwargs:
        detail = "(" + ", ".join(kwargs["column_list"]) + ")"
    elif "regex" in kwargs:
        detail = repr(kwargs["regex"])
    if etype == "expect_column_values_to_not_be_null":
        # the failing "values" are all null: name the rows instead
        message = f"{count} null value(s)"
    else:
        message = (detail + ": " if detail else "") + _values_text(values, count)
    rows_text = _rows_text(index_rows[:MAX_ROWS_PER_LINE], keys)
    if rows_text:
        message += f" (rows {rows_text})"
    return [ExpectationFailure(table, column, etype, severity, values, message.strip(), count, index_rows)]


def _exception_infos(info: Any) -> list[dict[str, Any]]:
    if not isinstance(info, dict):
        return []
    if "raised_exception" in info:
        return [info]
    return [v for v in info.values() if isinstance(v, dict)]


def _range_failures(
    table: str,
    column: str | None,
    etype: str,
    severity: str,
    meta: Mapping[str, Any],
    index_rows: list[dict[str, Any]],
    count: int | None,
) -> list[ExpectationFailure]:
    """One line per indicator code for a failed ``value`` vs dim_indicator bound pair check."""
    value_col = str(meta["column"])
    bound = str(meta["bound"])  # min_value | max_value | warn_above
    keys = list(meta.get("key", []))
    by_code: dict[Any, list[dict[str, Any]]] = {}
    for row in index_rows:
        by_code.setdefault(row.get("indicator_code"), []).append(row)
    if not by_code:  # GE gave no rows (should not happen): still report the failure
        return [ExpectationFailure(table, column, etype, severity, [], f"{count} value(s) outside {bound}", count, [])]
    out = []
    for code, rows in by_code.items():
        first = rows[0]
        if bound == "warn_above":
            limits = f"warn_above {_bound(first.get('indicator_warn_above'))}"
        else:
            limits = f"[{_bound(first.get('indicator_min_value'))}, {_bound(first.get('indicator_max_value'))}]"
        vals = [row.get(value_col) for row in rows]
        n = len(rows) if len(by_code) > 1 else count
        msg = f'{limits} for indicator_code=="{code}": {_values_text(vals, n)}'
        rows_text = _rows_text(rows[:MAX_ROWS_PER_LINE], keys)
        if rows_text:
            msg += f" (rows {rows_text})"
        out.append(ExpectationFailure(table, value_col, etype, severity, vals, msg, n, rows))
    return out
