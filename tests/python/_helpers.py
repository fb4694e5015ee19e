"""Helpers the tests share: project paths and the real ``eduwh`` CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
EDUWH = Path(sys.executable).with_name("eduwh")


def run_eduwh(
    *args: str, db: Path | None = None, cwd: Path | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run the real ``eduwh`` CLI in a subprocess (its own DuckDB connections and dbt run)."""
    env = dict(os.environ)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    if db is not None:
        env["EDUWH_DB"] = str(db)
    return subprocess.run(
        [str(EDUWH), *args],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def insert_statistic_bypassing_loader(db: Path, *, source_file: str, row: int, indicator: str, value: float) -> None:
    """Write one national observation straight into raw.statistics, as a hand edit would (no validation)."""
    import duckdb

    con = duckdb.connect(str(db))
    try:
        con.execute(
            """
            insert into raw.statistics (load_id, source_file, sheet, source_row, region_name, region_code,
                indicator_name, indicator_code, year, value, value_raw, unit, unit_raw, qualifier, footnote,
                nature, source_title, source_url, loaded_at)
            values ('manual', ?, null, ?, '全国', '000000', ?, ?, 1999, ?, ?, '%', '%', null, null,
                'reported', 'hand edit', null, now())
            """,
            [source_file, row, indicator, indicator, value, str(value)],
        )
    finally:
        con.close()
