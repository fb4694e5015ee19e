"""National-scale benchmark of the whole pipeline (``make bench``), next to DuckDB-only baselines.

    python benchmarks/run_all.py                                  # scales 0.01 0.1 1, appends to BENCHMARKS.md
    python benchmarks/run_all.py --scales 0.01 --quick            # smoke run: 20 documents, prints only
    python benchmarks/run_all.py --scales 0.1 1 --docs-per-scale 0.1=500 1=5000 --work /big/disk

For each scale, ``benchmarks/generate.py`` writes synthetic inputs (round(scale x 2,974)
counties x 30 indicators x 25 years of statistics, and documents: 200 / 2,000 / 20,000 by
default). Then every step runs as a child process, measured by wall time (``perf_counter``
around it), the largest single process's max RSS (``os.wait4``) and the sampled peak of the
whole process tree's summed RSS:

* ``extract``          ``eduwh extract DIR/documents --workers W`` (stdout to /dev/null)
* ``load statistics``  ``eduwh load statistics national_statistics.csv --db fresh.duckdb``
* ``read_csv``         baseline: DuckDB ``read_csv`` of the same CSV into a table, fresh DB
* ``build --no-quality`` full build on a fresh warehouse (documents, statistics, dbt build)
* ``marts baseline``   baseline: the models' compiled SQL (``dbt compile --full-refresh``)
  run directly in DuckDB in DAG order on a copy of that warehouse holding only ``raw`` (seeds
  re-read with ``read_csv`` and the seed column types) — no dbt, no tests
* ``build``            full build with the Great Expectations checkpoint, fresh warehouse
* ``+1 document``      ``eduwh build`` again after adding one new document
* ``+1 statistics file`` ``eduwh build`` again after adding one small statistics file

Results are printed and appended under ``## National scale (issue 7)`` in ``BENCHMARKS.md``
(``--results`` for another file, ``--no-append`` to only print; ``--quick`` never appends
unless ``--append``). Goals are reported PASS/MISS; a miss never fails the process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate as gen
from _common import ROOT, Measured, append_section, json_events, machine, measure, versions

SECTION = "## National scale (issue 7)"
DEFAULT_DOCS = {0.01: 200, 0.1: 2000, 1.0: 20000}
BIN = Path(sys.executable).parent
EDUWH = str(BIN / "eduwh")
DBT = str(BIN / "dbt")
SMALL_STATS = "incremental_small.csv"
GOAL_BUILD_S = 90.0
GOAL_INCR_DOC_S = 15.0
GOAL_PEAK_MIB = 4096.0
GOAL_BASELINE_RATIO = 2.0


@dataclass(slots=True)
class Row:
    step: str
    scale: float
    size: str  # rows / docs, as shown
    m: Measured | None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.m is not None and self.m.returncode in (0, 3)


def child_env(db: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        EDUWH_HOME=str(ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    env.pop("EDUWH_DB", None)
    if db is not None:
        env["EDUWH_DB"] = str(db)
    return env


def _tail(m: Measured, n: int = 300) -> str:
    return m.stderr.strip().replace("\n", " ")[-n:]


def phases(m: Measured) -> str:
    """Load / dbt / quality / publish seconds from the build's JSON events."""
    ev = json_events(m.stderr)

    def ts(name: str) -> datetime | None:
        return datetime.fromisoformat(ev[name]["ts"]) if name in ev else None

    t = {k: ts(k) for k in ("build_started", "inputs_loaded", "dbt_finished", "quality_finished", "published")}
    parts = []
    if t["build_started"] and t["inputs_loaded"]:
        parts.append(f"load {(t['inputs_loaded'] - t['build_started']).total_seconds():.1f}")
    if t["inputs_loaded"] and t["dbt_finished"]:
        parts.append(f"dbt {(t['dbt_finished'] - t['inputs_loaded']).total_seconds():.1f}")
    if t["dbt_finished"] and t["quality_finished"]:
        parts.append(f"gx {(t['quality_finished'] - t['dbt_finished']).total_seconds():.1f}")
    if "published" in ev:
        parts.append(f"publish {ev['published'].get('publish_seconds', 0):.1f}")
    elif "not_published" in ev:
        parts.append("NOT PUBLISHED: " + str(ev["not_published"].get("reason", ""))[:200].replace("\n", " "))
    if "dbt_finished" in ev:
        d = ev["dbt_finished"]
        parts.append(
            f"tests {d.get('pass', 0)} pass/{d.get('warn', 0)} warn/{d.get('fail', 0) + d.get('error', 0)} fail"
        )
    return "; ".join(parts)


def dbt_seconds(m: Measured | None) -> float | None:
    if m is None:
        return None
    ev = json_events(m.stderr)
    if "inputs_loaded" in ev and "dbt_finished" in ev:
        a = datetime.fromisoformat(ev["inputs_loaded"]["ts"])
        b = datetime.fromisoformat(ev["dbt_finished"]["ts"])
        return (b - a).total_seconds()
    return None


def last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}


def compare_marts(dbt_db: Path, baseline_db: Path) -> str:
    """Do the baseline's marts hold as many rows as dbt's? (A check that the baseline did the same work.)"""
    import duckdb

    counts = []
    for db in (dbt_db, baseline_db):
        con = duckdb.connect(str(db), read_only=True)
        try:
            tables = con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
            counts.append({t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for (t,) in tables})
        finally:
            con.close()
    if counts[0] == counts[1]:
        return f"marts row counts equal dbt's ({len(counts[0])} marts, {sum(counts[0].values()):,} rows)"
    diff = sorted(k for k in counts[0].keys() | counts[1].keys() if counts[0].get(k) != counts[1].get(k))
    return "MARTS DIFFER from dbt's: " + ", ".join(f"{k} {counts[0].get(k)} vs {counts[1].get(k)}" for k in diff)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_scale(scale: float, docs: int, work: Path, *, seed: int, workers: int) -> list[Row]:
    rows: list[Row] = []
    sdir = work / f"scale_{scale:g}"
    data = sdir / "data"
    for stale in (data / "statistics" / SMALL_STATS, data / "documents" / f"syn_{docs:05d}.txt"):
        stale.unlink(missing_ok=True)
    for sub in ("load", "read_csv", "nq", "full", "baseline"):
        shutil.rmtree(sdir / sub, ignore_errors=True)
        (sdir / sub).mkdir(parents=True)

    def step(name: str, cmd: list[str], size: str, *, env: dict[str, str] | None = None, build: bool = False) -> Row:
        log(f"[scale {scale:g}] {name} …")
        m = measure(cmd, env=env or child_env(), cwd=ROOT)
        note = phases(m) if build else ""
        if m.returncode not in (0, 3):
            note = (note + "; " if note else "") + f"exit {m.returncode}: {_tail(m)}"
        elif m.returncode == 3:
            note = (note + "; " if note else "") + "exit 3 (rows rejected / unreadable file)"
        row = Row(name, scale, size, m, note)
        log(f"[scale {scale:g}] {name}: {m.wall:.1f} s, {m.tree_mib:.0f} MiB, exit {m.returncode}")
        rows.append(row)
        return row

    load = os.getloadavg()
    # inputs (measured too: generation is part of the harness's cost, not of the pipeline's)
    g = step(
        "generate inputs",
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--scale",
            str(scale),
            "--docs",
            str(docs),
            "--seed",
            str(seed),
            "--out",
            str(data),
        ],
        "",
    )
    g.note = (g.note + "; " if g.note else "") + f"1-min load average before this scale {load[0]:.2f}"
    if not g.ok:
        return rows
    csv = data / "statistics" / gen.STATISTICS_FILE
    n_rows = gen.chosen_counties(scale, seed).height * gen.chosen_indicators().height * len(gen.YEARS)
    mib = csv.stat().st_size / 2**20
    doc_mib = sum(p.stat().st_size for p in (data / "documents").glob("*.txt")) / 2**20
    g.size = f"{n_rows:,} rows ({mib:.1f} MiB) + {docs:,} docs ({doc_mib:.1f} MiB)"
    stats_size = f"{n_rows:,} rows"
    both = f"{docs:,} docs + {n_rows:,} rows"

    step(
        "extract",
        [EDUWH, "extract", str(data / "documents"), "--format", "jsonl", "--workers", str(workers)],
        f"{docs:,} docs",
    )
    step(
        "load statistics",
        [EDUWH, "load", "statistics", str(csv), "--db", str(sdir / "load" / "fresh.duckdb")],
        stats_size,
    )
    step(
        "DuckDB read_csv (baseline)",
        [
            sys.executable,
            str(ROOT / "benchmarks" / "_common.py"),
            "read-csv",
            str(csv),
            str(sdir / "read_csv" / "fresh.duckdb"),
        ],
        stats_size,
    )
    build_args = ["--data", str(data), "--log-format", "json", "--workers", str(workers)]
    nq_db = sdir / "nq" / "warehouse.duckdb"
    nq = step(
        "build --no-quality (fresh)",
        [EDUWH, "build", "--db", str(nq_db), "--no-quality", *build_args],
        both,
        build=True,
    )

    # DuckDB-only marts: compile once (not timed) against a copy holding raw only, then run the SQL
    base_db = sdir / "baseline" / "warehouse.duckdb"  # same file stem as the compiled relation names
    if nq.ok and nq_db.exists():
        shutil.copyfile(nq_db, base_db)
        target = sdir / "baseline" / "target"
        comp = subprocess.run(
            [
                DBT,
                "compile",
                "--project-dir",
                str(ROOT),
                "--profiles-dir",
                str(ROOT),
                "--target-path",
                str(target),
                "--log-path",
                str(sdir / "baseline" / "logs"),
                "--full-refresh",
                "--quiet",
            ],
            env=child_env(base_db),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if comp.returncode == 0:
            manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
            built = {
                n["schema"] for n in manifest["nodes"].values() if n["resource_type"] in ("seed", "model", "snapshot")
            }
            import duckdb

            con = duckdb.connect(str(base_db))
            for schema in sorted(built - {"raw"}):
                con.execute(f'drop schema if exists "{schema}" cascade')
            con.execute("checkpoint")
            con.close()
            n_models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
            r = step(
                "DuckDB marts SQL (baseline)",
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "_common.py"),
                    "marts",
                    str(target / "manifest.json"),
                    str(base_db),
                ],
                f"{n_models} models + seeds",
            )
            info = last_json(r.m.stderr) if r.m is not None else {}
            if info:
                r.note = (
                    f"{info.get('view', 0)} views, {info.get('table', 0)} tables, {info.get('seed', 0)} seeds "
                    f"(seeds {info.get('seconds_seeds', 0):.1f} s, all SQL {info.get('seconds_inside', 0):.1f} s "
                    "inside the process)" + (f"; {r.note}" if r.note else "")
                )
            if r.ok:
                r.note += "; " + compare_marts(nq_db, base_db)
        else:
            rows.append(
                Row(
                    "DuckDB marts SQL (baseline)",
                    scale,
                    "",
                    None,
                    "dbt compile failed: " + (comp.stdout + comp.stderr).strip().replace("\n", " ")[-300:],
                )
            )
    else:
        rows.append(Row("DuckDB marts SQL (baseline)", scale, "", None, "skipped: the --no-quality build failed"))

    full_db = sdir / "full" / "warehouse.duckdb"
    full = step("build (fresh, with quality)", [EDUWH, "build", "--db", str(full_db), *build_args], both, build=True)
    if full.ok:
        gen.write_document(data / "documents", seed, docs)  # document number N: new content
        step("build after +1 document", [EDUWH, "build", "--db", str(full_db), *build_args], "+1 doc", build=True)
        n_small = gen.write_small_statistics(data / "statistics" / SMALL_STATS, seed)
        step(
            "build after +1 statistics file",
            [EDUWH, "build", "--db", str(full_db), *build_args],
            f"+{n_small} rows",
            build=True,
        )
    for extra in (data / "statistics" / SMALL_STATS, data / "documents" / f"syn_{docs:05d}.txt"):
        extra.unlink(missing_ok=True)
    return rows


def _get(rows: list[Row], step: str, scale: float) -> Row | None:
    return next((r for r in rows if r.step == step and r.scale == scale and r.ok), None)


def _wall(rows: list[Row], step: str, scale: float) -> float | None:
    r = _get(rows, step, scale)
    return r.m.wall if r and r.m else None


def table(rows: list[Row]) -> str:
    lines = [
        "| step | scale | rows / docs | wall s | peak MiB (largest process) | peak MiB (process tree) | notes |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        if r.m is None:
            lines.append(f"| {r.step} | {r.scale:g} | {r.size} | — | — | — | {r.note} |")
            continue
        lines.append(
            f"| {r.step} | {r.scale:g} | {r.size} | {r.m.wall:.2f} | {r.m.maxrss_mib:,.0f} | {r.m.tree_mib:,.0f} "
            f"| {r.note.replace('|', '/')} |"
        )
    return "\n".join(lines)


def ratios(rows: list[Row], scales: list[float]) -> str:
    lines = [
        "| scale | full build (no quality) ÷ marts baseline | dbt phase ÷ marts baseline "
        "| statistics load ÷ read_csv |",
        "|---:|---:|---:|---:|",
    ]
    for s in scales:
        base = _wall(rows, "DuckDB marts SQL (baseline)", s)
        build = _wall(rows, "build --no-quality (fresh)", s)
        nq = _get(rows, "build --no-quality (fresh)", s)
        dbt = dbt_seconds(nq.m if nq else None)
        load = _wall(rows, "load statistics", s)
        rc = _wall(rows, "DuckDB read_csv (baseline)", s)

        def f(a: float | None, b: float | None) -> str:
            return f"{a / b:.1f}×" if a is not None and b else "—"

        lines.append(f"| {s:g} | {f(build, base)} | {f(dbt, base)} | {f(load, rc)} |")
    return "\n".join(lines)


def goals(rows: list[Row], scales: list[float], sizes: dict[float, tuple[int, int]]) -> list[str]:
    out: list[str] = []

    def verdict(ok: bool | None) -> str:
        return "n/a " if ok is None else ("PASS" if ok else "MISS")

    nat = 1.0 if 1.0 in scales else None
    top = max(scales)
    b = _wall(rows, "build (fresh, with quality)", nat) if nat else None
    seen = _wall(rows, "build (fresh, with quality)", top)
    at = f"{seen:.1f} s at scale {top:g}" if seen is not None else "not measured"
    out.append(
        f"{verdict(None if b is None else b <= GOAL_BUILD_S)} full national build (with quality) "
        f"≤ {GOAL_BUILD_S:.0f} s: " + (f"{b:.1f} s" if b is not None else f"scale 1 not run ({at})")
    )
    i = _wall(rows, "build after +1 document", nat) if nat else None
    seen = _wall(rows, "build after +1 document", top)
    at = f"{seen:.1f} s at scale {top:g}" if seen is not None else "not measured"
    out.append(
        f"{verdict(None if i is None else i <= GOAL_INCR_DOC_S)} incremental build after one document ≤ "
        f"{GOAL_INCR_DOC_S:.0f} s: " + (f"{i:.1f} s" if i is not None else f"scale 1 not run ({at})")
    )
    measured = [r for r in rows if r.m is not None and r.step != "generate inputs"]
    if measured:
        worst = max(measured, key=lambda r: r.m.tree_mib if r.m else 0)
        assert worst.m is not None
        out.append(
            f"{verdict(worst.m.tree_mib <= GOAL_PEAK_MIB)} peak memory ≤ 4 GiB: {worst.m.tree_mib:,.0f} MiB "
            f"(process tree, {worst.step}, scale {worst.scale:g})"
        )
    # The DuckDB-only baseline of a full build: DuckDB's own read_csv of the statistics plus the
    # marts' compiled SQL. Document extraction has no DuckDB equivalent (it is Python by nature,
    # benchmarked against its own read+OpenCC baseline in bench_extract.py), so it is added to the
    # baseline as measured in the same run; the ratio without it is printed too.
    base = _wall(rows, "DuckDB marts SQL (baseline)", nat) if nat else None
    rc = _wall(rows, "DuckDB read_csv (baseline)", nat) if nat else None
    ex = _wall(rows, "extract", nat) if nat else None
    nq = _wall(rows, "build --no-quality (fresh)", nat) if nat else None
    if base is None or rc is None or ex is None or nq is None:
        out.append(f"{verdict(None)} full build ≤ 2× the DuckDB-only baseline at 100 %: scale 1 not run")
    else:
        duck = base + rc
        out.append(
            f"{verdict(nq <= GOAL_BASELINE_RATIO * (duck + ex))} full build ≤ 2× the DuckDB-only baseline at "
            f"100 %: build --no-quality {nq:.1f} s vs read_csv + marts SQL {duck:.1f} s + extraction {ex:.1f} s "
            f"= {nq / (duck + ex):.2f}× (without the extraction on either side: {(nq - ex) / duck:.1f}×)"
        )
    if 0.1 in scales and 1.0 in scales:
        parts, all_ok = [], True
        for name, by in (
            ("extract", 1),
            ("load statistics", 0),
            ("build --no-quality (fresh)", 0),
            ("build (fresh, with quality)", 0),
        ):
            a, z = _wall(rows, name, 0.1), _wall(rows, name, 1.0)
            if a is None or z is None:
                continue
            size_ratio = sizes[1.0][by] / max(1, sizes[0.1][by])
            good = z / a <= size_ratio
            all_ok &= good
            parts.append(f"{name} {z / a:.1f}× for {size_ratio:.1f}× the input")
        out.append(
            f"{verdict(all_ok if parts else None)} time grows no faster than linearly 10 %→100 %: " + "; ".join(parts)
        )
    else:
        out.append("n/a  time grows no faster than linearly 10 %→100 %: needs scales 0.1 and 1")
    return out


def parse_docs(items: list[str] | None) -> dict[float, int]:
    docs = dict(DEFAULT_DOCS)
    for item in items or []:
        k, _, v = item.partition("=")
        docs[float(k)] = int(v)
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", help="default 0.01 0.1 1 (0.01 with --quick)")
    ap.add_argument(
        "--docs-per-scale",
        nargs="+",
        metavar="SCALE=N",
        help="documents per scale (default 0.01=200 0.1=2000 1=20000; other scales: 20000 x scale)",
    )
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out", help="folder for inputs and warehouses")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=2, help="extraction processes (extract and build)")
    ap.add_argument("--quick", action="store_true", help="smoke run: at most 20 documents per scale; prints only")
    ap.add_argument("--results", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--append", dest="append", action="store_true", default=None, help="append even with --quick")
    ap.add_argument("--no-append", dest="append", action="store_false", help="only print")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs and warehouses under --work")
    args = ap.parse_args(argv)
    append = (not args.quick) if args.append is None else args.append
    gen._refuse_data_dir(args.work)
    docs_map = parse_docs(args.docs_per_scale)
    scales = sorted(set(args.scales or ([0.01] if args.quick else [0.01, 0.1, 1.0])))

    started = datetime.now(UTC)
    load_before = os.getloadavg()
    rows: list[Row] = []
    sizes: dict[float, tuple[int, int]] = {}
    for s in scales:
        n_docs = docs_map.get(s, max(1, round(20000 * s)))
        if args.quick:
            n_docs = min(n_docs, 20)
        counties = gen.chosen_counties(s, args.seed).height
        sizes[s] = (counties * gen.chosen_indicators().height * len(gen.YEARS), n_docs)
        rows += run_scale(s, n_docs, args.work, seed=args.seed, workers=args.workers)
        if not args.keep:
            shutil.rmtree(args.work / f"scale_{s:g}", ignore_errors=True)

    heading = f"### {started:%Y-%m-%d %H:%M} UTC — scales {', '.join(f'{s:g}' for s in scales)}" + (
        " (quick)" if args.quick else ""
    )
    body = "\n\n".join(
        [
            heading,
            f"Machine: {machine()}; load average before the run {load_before[0]:.2f} / {load_before[1]:.2f} / "
            f"{load_before[2]:.2f} (1/5/15 min)  \nVersions: {versions()}  \n"
            f"Command: `python benchmarks/run_all.py {' '.join(argv if argv is not None else sys.argv[1:])}` "
            f"(seed {args.seed}, {args.workers} extraction workers)",
            table(rows),
            ratios(rows, scales),
            "Goals:\n\n" + "\n".join(f"- {g}" for g in goals(rows, scales, sizes)),
        ]
    )
    print(body)
    if append:
        append_section(args.results, SECTION, body)
        log(f"appended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
