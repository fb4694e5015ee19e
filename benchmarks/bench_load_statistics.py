"""Benchmark: land a ~2-million-row long CSV with full validation, next to DuckDB's own read_csv.

    .venv/bin/python benchmarks/bench_load_statistics.py            # full size, appends to BENCHMARKS.md
    .venv/bin/python benchmarks/bench_load_statistics.py --counties 200 --no-append   # quick look

The file is every county-level region of ``seeds/regions.csv`` x 30 indicators
(the codes of ``seeds/indicators.csv``; synthetic extra codes only if the seed
has fewer than 30 — they are then rejected as unknown, which is measured too)
x 25 years, with values drawn (seeded RNG) inside each indicator's realistic
range. Why a baseline: DuckDB's ``read_csv`` into a table is the floor for
"bytes on disk → rows in the warehouse"; the loader adds encoding/header
detection, value parsing, region and indicator resolution, unit conversion,
pandera validation and the rejected-rows bookkeeping. Goal: ≤ 3x DuckDB.

Each measurement runs in a fresh child process, so the wall time includes
imports and the region index, and the peak memory (``ru_maxrss``) is that
measurement's alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
N_INDICATORS = 30
YEARS = list(range(2000, 2025))  # 25 years
SECTION = "## Statistics load"


def generate(path: Path, *, counties: int | None, seed: int = 20261123) -> int:
    """Write the long CSV; returns its number of data rows. Vectorised: no loop per row."""
    regions = pl.read_csv(ROOT / "seeds" / "regions.csv", infer_schema=False).filter(pl.col("level") == "county")
    if counties is not None:
        regions = regions.head(counties)
    inds = pl.read_csv(ROOT / "seeds" / "indicators.csv", infer_schema=False).select(
        "code", "name_zh", "unit", "min_value", "max_value", "kind"
    )
    inds = inds.head(N_INDICATORS)
    if inds.height < N_INDICATORS:  # pad with synthetic codes (rejected as unknown: measured too)
        extra = pl.DataFrame(
            {
                "code": [f"synthetic_{i}" for i in range(N_INDICATORS - inds.height)],
                "name_zh": [f"合成指标{i}" for i in range(N_INDICATORS - inds.height)],
                "unit": ["%"] * (N_INDICATORS - inds.height),
                "min_value": ["0"] * (N_INDICATORS - inds.height),
                "max_value": ["100"] * (N_INDICATORS - inds.height),
                "kind": ["share"] * (N_INDICATORS - inds.height),
            }
        )
        inds = pl.concat([inds, extra])
    grid = (
        regions.select(pl.col("name_zh").alias("region_name"), pl.col("region_code").alias("adcode"))
        .join(inds, how="cross")
        .join(pl.DataFrame({"year": YEARS}), how="cross")
    )
    rng = np.random.default_rng(seed)
    lo = grid["min_value"].cast(pl.Float64).to_numpy()
    hi = grid["max_value"].cast(pl.Float64).to_numpy()
    kind = grid["kind"].to_numpy()
    # realistic: shares mostly 60-100% of their range, years of schooling 6-14, hours 50-400
    u = rng.beta(5, 1.5, size=grid.height)
    value = np.where(kind == "years", 6 + 8 * u, np.where(kind == "hours", 50 + 350 * u, lo + (hi - lo) * 0.99 * u))
    value = np.where(kind == "gross_ratio", 60 + 45 * u, value)
    grid = grid.with_columns(
        pl.Series("value", np.round(value, 2)),
        pl.format("{}年{}统计", pl.col("year"), pl.col("name_zh")).alias("source_title"),
    ).select("region_name", "adcode", pl.col("code").alias("indicator_code"), "year", "value", "unit", "source_title")
    grid.write_csv(path)
    return grid.height


_CHILD_LOADER = """
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
from loaders import db
from loaders.statistics import load_statistics
con = db.connect(sys.argv[2])
r = load_statistics(con, Path(sys.argv[1]))
con.close()
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime,
                  "rows_read": r.rows_read, "rows_landed": r.rows_landed, "rows_rejected": r.rows_rejected,
                  "status": r.status}))
"""

_CHILD_DUCKDB = """
import json, resource, sys, time
t0 = time.perf_counter()
import duckdb
con = duckdb.connect(sys.argv[2])
con.execute("create table t as select * from read_csv(?, header = true)", [sys.argv[1]])
n = con.execute("select count(*) from t").fetchone()[0]
con.close()
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime, "rows": n}))
"""


def run_child(code: str, csv_path: Path, db_path: Path) -> dict[str, float]:
    db_path.unlink(missing_ok=True)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(csv_path), str(db_path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "EDUWH_HOME": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    return f"{cpu}, {os.cpu_count()} cores, {ram} RAM"


def versions() -> str:
    import duckdb
    import fastexcel
    import pandera

    return (
        f"Python {platform.python_version()}, polars {pl.__version__}, duckdb {duckdb.__version__}, "
        f"pandera {pandera.__version__}, fastexcel {fastexcel.__version__}"
    )


def append_markdown(row: str, header_note: str) -> None:
    """Add a row to the table under ``## Statistics load`` (created if absent); other sections untouched."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    table_head = (
        "| date (UTC) | machine | versions | rows | file MiB | loader s | loader rows/s | loader peak MiB "
        "| DuckDB read_csv s | DuckDB rows/s | DuckDB peak MiB | ratio (wall) | CPU s loader / DuckDB (ratio) "
        "| load avg | landed / rejected |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{header_note}\n\n{table_head}{row}\n"
    else:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        end = len(text) if nxt == -1 else nxt + 1
        section = text[start:end].rstrip("\n") + "\n" + row + "\n"
        text = text[:start] + section + ("\n" + text[end:] if nxt != -1 else "")
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counties", type=int, default=None, help="only the first N counties (default: all)")
    ap.add_argument("--no-append", action="store_true", help="print, do not append to BENCHMARKS.md")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the best wall time is kept")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="eduwh-bench-") as tmp:
        tmpdir = Path(tmp)
        csv_path = tmpdir / "statistics_long.csv"
        n = generate(csv_path, counties=args.counties)
        size_mib = csv_path.stat().st_size / 2**20
        print(f"generated {n:,} rows, {size_mib:.0f} MiB: {csv_path}")
        ours = min(
            (run_child(_CHILD_LOADER, csv_path, tmpdir / "ours.duckdb") for _ in range(args.repeat)),
            key=lambda r: r["wall"],
        )
        base = min(
            (run_child(_CHILD_DUCKDB, csv_path, tmpdir / "duck.duckdb") for _ in range(args.repeat)),
            key=lambda r: r["wall"],
        )
    assert ours["rows_read"] == ours["rows_landed"] + ours["rows_rejected"] == n, ours
    ratio = ours["wall"] / base["wall"]
    result = {
        "rows": n,
        "loader_s": round(ours["wall"], 2),
        "loader_rows_per_s": round(n / ours["wall"]),
        "loader_peak_mib": round(ours["maxrss_kb"] / 1024),
        "duckdb_s": round(base["wall"], 2),
        "duckdb_rows_per_s": round(n / base["wall"]),
        "duckdb_peak_mib": round(base["maxrss_kb"] / 1024),
        "ratio": round(ratio, 2),
        "loader_cpu_s": round(ours["cpu"], 2),
        "duckdb_cpu_s": round(base["cpu"], 2),
        "cpu_ratio": round(ours["cpu"] / base["cpu"], 2),
        "load_avg_1min": round(os.getloadavg()[0], 1),
        "landed": ours["rows_landed"],
        "rejected": ours["rows_rejected"],
    }
    print(json.dumps(result, indent=2))
    if args.no_append:
        return
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    row = (
        f"| {now} | {machine()} | {versions()} | {n:,} | {size_mib:.0f} | {result['loader_s']} | "
        f"{result['loader_rows_per_s']:,} | {result['loader_peak_mib']} | {result['duckdb_s']} | "
        f"{result['duckdb_rows_per_s']:,} | {result['duckdb_peak_mib']} | {result['ratio']}x | "
        f"{result['loader_cpu_s']} / {result['duckdb_cpu_s']} ({result['cpu_ratio']}x) | {result['load_avg_1min']} | "
        f"{result['landed']:,} / {result['rejected']:,} |"
    )
    note = (
        "`benchmarks/bench_load_statistics.py`: a long CSV of every county x 30 indicators x 25 years, loaded by "
        "`loaders.statistics.load_statistics` (encoding/header detection, value parsing, region and indicator "
        "resolution, unit conversion, pandera validation, one transaction) vs DuckDB's `read_csv` into a table. "
        "Each in a fresh process (imports included); best wall time of `--repeat` runs; peak memory is that "
        "process's `ru_maxrss`; CPU is user+sys. The machine is shared: the 1-minute load average at the end of "
        "the run is recorded, and the CPU ratio is the steadier figure when it is high. Goal: ratio ≤ 3x."
    )
    append_markdown(row, note)
    print("appended to BENCHMARKS.md")


if __name__ == "__main__":
    main()
