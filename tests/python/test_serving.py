"""Serving while builds run: atomic publish, build lock, audit, rollback, read-only queries.

Real processes, a real DuckDB file, real dbt builds; every loop is bounded in
iterations and time and everything stays on this machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from _helpers import EDUWH, ROOT, insert_statistic_bypassing_loader, run_eduwh

READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    served, stop_file, out_file, max_seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    reads = errors = inconsistent = 0
    messages = []
    start = time.monotonic()
    while time.monotonic() - start < max_seconds:
        try:
            con = duckdb.connect(served, read_only=True)
            try:
                recorded = json.loads(con.execute(
                    "select mart_rows from meta.build_runs order by finished_at desc limit 1").fetchone()[0])
                tables = {r[0] for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
                for mart, n in recorded.items():
                    actual = con.execute(f'select count(*) from marts."{mart}"').fetchone()[0]
                    if mart not in tables or actual != n:
                        inconsistent += 1
                        messages.append(f"{mart}: recorded {n}, found {actual}")
                if len(recorded) < 8:
                    inconsistent += 1
                    messages.append(f"only {len(recorded)} marts")
            finally:
                con.close()
            reads += 1
        except Exception as exc:  # every error counts: the point is that there are none
            errors += 1
            messages.append(f"{type(exc).__name__}: {exc}")
        import os
        if os.path.exists(stop_file):
            break
    with open(out_file, "w") as fh:
        json.dump({"reads": reads, "errors": errors, "inconsistent": inconsistent, "messages": messages[:20]}, fh)
    """
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _add_document(data: Path, n: int) -> None:
    """A new small plan, so each build publishes a different warehouse."""
    (data / "documents" / f"extra_plan_{n}.txt").write_text(
        f"某县教育局2024年工作要点。到2024年底,新建幼儿园{n + 2}所,学前三年毛入园率达到9{n}%以上。",
        encoding="utf-8",
    )


def _published_runs(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("select count(*) from meta.build_runs").fetchone()[0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """One real build, shared: each test serves a copy of it (saves a build per test)."""
    base = tmp_path_factory.mktemp("serving")
    pristine = base / "pristine"
    for sub in ("documents", "statistics"):
        shutil.copytree(ROOT / "data" / sub, pristine / sub)
    data = base / "data"
    shutil.copytree(pristine, data)
    db = base / "template" / "warehouse.duckdb"
    proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return db, data, pristine


@pytest.fixture
def served(template: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A served warehouse of its own (a copy of the template) over the template's input folder, reset.

    The input folder keeps its path, so the copied warehouse's loads stay 'unchanged'.
    """
    template_db, data, pristine = template
    shutil.rmtree(data)
    shutil.copytree(pristine, data)
    db = tmp_path / "serve" / "warehouse.duckdb"
    db.parent.mkdir(parents=True)
    shutil.copyfile(template_db, db)
    return db, data


def test_readers_never_fail_or_see_a_partial_warehouse_during_builds(served: tuple[Path, Path], tmp_path: Path) -> None:
    db, data = served
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(db), str(stop), str(tmp_path / f"reader{i}.json"), "600"],
        )
        for i in range(4)
    ]
    try:
        for n in range(3):
            _add_document(data, n)
            proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality")
            assert proc.returncode == 0, proc.stdout + proc.stderr
    finally:
        stop.write_text("stop")
        for r in readers:
            r.wait(timeout=120)
    results = [json.loads((tmp_path / f"reader{i}.json").read_text()) for i in range(4)]
    total_reads = sum(r["reads"] for r in results)
    assert sum(r["errors"] for r in results) == 0, results
    assert sum(r["inconsistent"] for r in results) == 0, results
    assert all(r["reads"] > 0 for r in results), results
    assert total_reads >= 20, results
    assert _published_runs(db) == 4
    print(f"reads={total_reads} errors=0 inconsistent=0")


def test_a_killed_build_leaves_the_served_file_unchanged_and_the_next_build_succeeds(
    served: tuple[Path, Path],
) -> None:
    db, data = served
    rng = random.Random(20261123)
    before = _sha(db)
    runs_before = _published_runs(db)
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    kills = killed_mid_build = 0
    for n in range(3):
        _add_document(data, n)
        proc = subprocess.Popen(
            [str(EDUWH), "build", "--data", str(data), "--db", str(db), "--no-quality"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # an incremental build of the sample takes ~7 s here (published at ~6.7 s): kill inside it
        time.sleep(rng.uniform(0.5, 6.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        runs = _published_runs(db)
        if proc.returncode == -signal.SIGKILL and _sha(db) != before:
            # killed after its atomic rename (exiting): the served file is then the complete
            # warehouse that build published, with its run recorded — never a partial one
            assert runs == runs_before + 1, "a killed build changed the served file"
            before = _sha(db)
        elif proc.returncode == -signal.SIGKILL:
            assert runs == runs_before
            killed_mid_build += 1
        else:  # it finished before the kill: it published a complete warehouse
            assert proc.returncode == 0 and runs == runs_before + 1
            before = _sha(db)
        runs_before = runs
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("select count(*) from marts.fct_policy_targets").fetchone()[0] > 0
        con.close()
    assert kills >= 1 and killed_mid_build >= 1
    after = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality")
    assert after.returncode == 0, after.stdout + after.stderr
    assert not list((db.parent / ".eduwh").glob("build-*")), "work folders of killed builds were not cleaned"


def test_a_second_build_is_refused_while_one_runs(served: tuple[Path, Path]) -> None:
    db, data = served
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    first = subprocess.Popen(
        [str(EDUWH), "build", "--data", str(data), "--db", str(db), "--no-quality"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = Path(str(db) + ".lock")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.1)
    started = time.monotonic()
    second = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality")
    refused_in = time.monotonic() - started
    out1, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, out1 + err1
    assert second.returncode == 4, second.stdout + second.stderr
    assert "running" in second.stderr and str(first.pid) in second.stderr
    assert refused_in < 15  # refused at once: no dbt ran (the CLI's own start-up is most of it)


def test_a_stale_lock_from_a_dead_process_is_taken_over(served: tuple[Path, Path]) -> None:
    db, data = served
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Path(str(db) + ".lock").write_text(json.dumps({"pid": dead.pid, "host": "x", "started": "earlier"}))
    proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality", "--log-format", "json")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert any(e["event"] == "lock_taken_over" for e in events)
    assert events[-1]["event"] == "build_finished" and events[-1]["exit_code"] == 0


def test_a_build_with_a_failing_test_does_not_publish(served: tuple[Path, Path]) -> None:
    db, data = served
    insert_statistic_bypassing_loader(
        db, source_file="hand_edit.csv", row=9, indicator="primary_enrollment_rate", value=120.0
    )
    before, runs_before = _sha(db), _published_runs(db)
    proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NOT published" in proc.stdout
    assert "primary_enrollment_rate" in proc.stdout and "hand_edit.csv" in proc.stdout
    assert _sha(db) == before
    assert _published_runs(db) == runs_before
    log = [json.loads(x) for x in (db.parent / ".eduwh" / "build_runs.jsonl").read_text().splitlines()]
    assert log[-1]["status"] == "failed" and "value_in_indicator_range" in log[-1]["message"]


def test_audit_table_and_rollback(served: tuple[Path, Path]) -> None:
    db, data = served
    _add_document(data, 7)
    proc = run_eduwh("build", "--data", str(data), "--db", str(db), "--no-quality", "--keep", "2")
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        """
        select status, tests_failed, tests_passed, unit_tests, inputs, mart_rows, dbt_version, duckdb_version
        from meta.build_runs order by finished_at desc limit 1
        """
    ).fetchone()
    con.close()
    status, failed, passed, units, inputs, mart_rows, dbt_version, duckdb_version = row
    # an incremental build (same models as the served one): data tests run, unit tests ran in
    # the full-refresh build that published these models
    assert status == "published" and failed == 0 and passed > 50 and units == 0
    con = duckdb.connect(str(db), read_only=True)
    modes = con.execute("select dbt_mode, unit_tests from meta.build_runs order by finished_at").fetchall()
    con.close()
    assert modes[0][0] == "full_refresh" and modes[0][1] >= 10 and modes[-1] == ("incremental", 0)
    assert dbt_version.startswith("1.11") and duckdb_version
    assert any(i["path"].endswith("extra_plan_7.txt") and i["status"] == "loaded" for i in json.loads(inputs))
    assert json.loads(mart_rows)["fct_policy_targets"] > 0
    assert _published_runs(db) == 2
    back = run_eduwh("rollback", "--db", str(db))
    assert back.returncode == 0, back.stderr
    assert _published_runs(db) == 1


def test_query_reads_the_served_file_in_every_format(served: tuple[Path, Path], tmp_path: Path) -> None:
    db, _ = served
    table = run_eduwh("query", "select count(*) as n from marts.dim_region", "--db", str(db))
    assert table.returncode == 0 and "3339" in table.stdout
    csv = run_eduwh(
        "query",
        "select region_code, region_name from marts.dim_region where region_level = 'province'",
        "--db",
        str(db),
        "--format",
        "csv",
    )
    assert csv.returncode == 0 and len(csv.stdout.strip().splitlines()) == 32
    pq = tmp_path / "t.parquet"
    out = run_eduwh(
        "query", "select * from marts.fct_policy_targets", "--db", str(db), "--format", "parquet", "--out", str(pq)
    )
    assert out.returncode == 0 and pq.stat().st_size > 0
    analysis = run_eduwh(
        "query",
        "--file",
        "analyses/national_trend_vs_target.sql",
        "--db",
        str(db),
        "--format",
        "json",
        "--vars",
        "{analysis_indicator: higher_education_ger}",
    )
    assert analysis.returncode == 0, analysis.stderr
    years = {json.loads(line)["year"] for line in analysis.stdout.splitlines()}
    assert {2020, 2023} <= years
    bad = run_eduwh("query", "select * from no_such_table", "--db", str(db))
    assert bad.returncode == 1 and "no_such_table" in bad.stderr


def test_hostile_names_are_data_not_sql(sample_data_copy: Path, tmp_path: Path) -> None:
    hostile = sample_data_copy / "statistics" / "x'; DROP TABLE raw.statistics; --.csv"
    hostile.write_text(
        "地区,指标,年份,数值\n"
        "北京市'; DROP TABLE raw.documents; --,学前三年毛入园率,2021,90\n"
        '湖南省,学前三年毛入园率,2021,"91""; DELETE FROM raw.load_log; --"\n',
        encoding="utf-8",
    )
    db = tmp_path / "h" / "warehouse.duckdb"
    proc = run_eduwh("build", "--data", str(sample_data_copy), "--db", str(db), "--no-quality")
    assert proc.returncode == 3, proc.stdout + proc.stderr  # published, with the hostile rows rejected
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        assert {"statistics", "documents", "load_log", "rejected_rows"} <= tables
        assert con.execute("select count(*) from raw.documents").fetchone()[0] >= 5
        rejected = con.execute("select reason, raw_row from raw.rejected_rows").fetchall()
        assert any("DROP TABLE raw.documents" in str(r[1]) for r in rejected)
        assert con.execute("select count(*) from raw.load_log where path like '%DROP TABLE%'").fetchone()[0] >= 1
    finally:
        con.close()
