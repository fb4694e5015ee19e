"""Great Expectations quality gate on the ``marts`` schema (runs after ``dbt build``).

Usage::

    from loaders.quality import run_checkpoint

    report = run_checkpoint(db_path, target_dir / "gx_docs")
    if not report.success:
        print("\\n".join(report.summary_lines()))

``loaders.quality.expectations`` builds one suite per mart from the warehouse itself
(indicator ranges come from ``marts.dim_indicator``), ``loaders.quality.checkpoint``
validates the marts as pandas frames through GE checkpoints and writes the HTML
Data Docs, ``loaders.quality.report`` holds the plain-data result.

Importing this package is cheap: Great Expectations (several seconds to import) is
loaded only when :func:`run_checkpoint` or :func:`build_suites` is first touched.
Before that happens the package switches GE's analytics off through the
environment (``GX_ANALYTICS_ENABLED=False``); the context config does the same.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from loaders.quality.report import ExpectationFailure, QualityReport

# Must be set before great_expectations is first imported anywhere in the process.
os.environ["GX_ANALYTICS_ENABLED"] = "False"

if TYPE_CHECKING:
    from loaders.quality.checkpoint import run_checkpoint
    from loaders.quality.expectations import MARTS, build_suites

__all__ = ["MARTS", "ExpectationFailure", "QualityReport", "build_suites", "run_checkpoint"]


def __getattr__(name: str) -> Any:
    """Lazy access to the GE-backed API (keeps ``import loaders.quality`` fast)."""
    if name == "run_checkpoint":
        from loaders.quality.checkpoint import run_checkpoint

        return run_checkpoint
    if name in ("build_suites", "MARTS"):
        from loaders.quality import expectations

        return getattr(expectations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
