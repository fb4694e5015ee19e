"""The Great Expectations quality gate on the marts (loaders.quality), on a real DuckDB file.

The warehouse is built in tmp with SQL: every table of ``models/marts/_marts__models.yml``
is created with the columns and data types the model contract declares,
``dim_indicator`` is filled from ``seeds/indicators.csv`` (the one place indicator
ranges live), the other marts get a handful of plausible rows. Real GE, real
DuckDB, no mocks; each test mutates its own copy of the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from _helpers import ROOT

from loaders.quality import QualityReport, run_checkpoint
from loaders.quality.expectations import MARTS, build_suites
from loaders.quality.report import ExpectationFailure

MODELS_YML = ROOT / "models" / "marts" / "_marts__models.yml"
SEED = ROOT / "seeds" / "indicators.csv"


def _contract() -> dict[str, list[tuple[str, str]]]:
    """model → [(column, data_type)] from the marts model contract."""
    doc = yaml.safe_load(MODELS_YML.read_text(encoding="utf-8"))
    return {
        m["name"]: [(c["name"], c.get("data_type") or "varchar") for c in m.get("columns", [])] for m in doc["models"]
    }


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]]) -> None:
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"insert into marts.{table} ({cols}) values ({marks})", list(row.values()))


def _build_sample(db: Path) -> None:
    con = duckdb.connect(str(db))
    try:
        con.execute("create schema marts")
        for name, cols in _contract().items():
            ddl = ", ".join(f'"{c}" {t}' for c, t in cols)
            con.execute(f"create table marts.{name} ({ddl})")
        con.execute(
            f"""
            insert into marts.dim_indicator
            select code, name_zh, name_en, aliases_zh, unit, kind,
                   cast(min_value as double), cast(max_value as double), cast(warn_above as double),
                   cast(higher_is_better as boolean),
                   case when cast(higher_is_better as boolean) then 'higher_is_better' else 'lower_is_better' end,
                   stage
            from read_csv('{SEED.as_posix()}', header = true, all_varchar = true)
            """
        )
        _insert(
            con,
            "dim_region",
            [
                {"region_code": "000000", "region_name": "全国", "region_level": "country"},
                {"region_code": "430000", "region_name": "湖南省", "region_level": "province", "parent_code": "000000"},
                {
                    "region_code": "430600",
                    "region_name": "岳阳市",
                    "region_level": "prefecture",
                    "parent_code": "430000",
                },
                {"region_code": "430682", "region_name": "临湘市", "region_level": "county", "parent_code": "430600"},
            ],
        )
        _insert(
            con,
            "dim_document",
            [
                {"doc_id": "hunan_14th", "title": "湖南省“十四五”教育事业发展规划", "doc_type": "five_year_plan"},
                {"doc_id": "linxiang_2023", "title": "临湘市2023年教育工作要点", "doc_type": "annual_plan"},
            ],
        )
        targets = [
            ("hunan_14th:1", "hunan_14th", "430000", "preschool_ger", "学前三年毛入园率", ">=", 92.0, None, "%"),
            (
                "hunan_14th:2",
                "hunan_14th",
                "430000",
                "compulsory_consolidation_rate",
                "九年义务教育巩固率",
                ">=",
                96.5,
                None,
                "%",
            ),
            ("hunan_14th:3", "hunan_14th", "430000", "higher_education_ger", "高等教育毛入学率", "~", 55.0, 60.0, "%"),
            # a count target: no indicator, no range check
            ("linxiang_2023:1", "linxiang_2023", "430682", None, "新建幼儿园", "=", 3.0, None, "所"),
            # unit is not the indicator's: bounds do not apply (as in the dbt range test)
            ("linxiang_2023:2", "linxiang_2023", "430682", "preschool_ger", "在园幼儿", ">=", 5000.0, None, "人"),
        ]
        _insert(
            con,
            "fct_policy_targets",
            [
                dict(
                    zip(
                        (
                            "target_id",
                            "doc_id",
                            "region_code",
                            "indicator_code",
                            "indicator_text",
                            "comparator",
                            "target_value",
                            "target_value_high",
                            "unit",
                        ),
                        t,
                        strict=True,
                    )
                )
                | {"target_seq": int(t[0].split(":")[1]), "target_year": 2025}
                for t in targets
            ],
        )
        obs = [
            ("000000", "preschool_ger", 2020, "s1", 85.2, None, "reported", "statistics", 10),
            ("000000", "preschool_ger", 2021, "s1", 88.1, None, "reported", "statistics", 11),
            ("000000", "compulsory_consolidation_rate", 2021, "s1", 95.4, None, "reported", "statistics", 12),
            ("000000", "compulsory_consolidation_rate", 2022, "s1", None, "missing", "reported", "statistics", 13),
            ("430000", "preschool_ger", 2020, "d1", 89.0, "approximate", "reported_in_plan", "document", 1),
            ("430000", "higher_education_ger", 2020, "d1", 50.0, "lower_bound", "reported_in_plan", "document", 2),
        ]
        _insert(
            con,
            "fct_indicator_observations",
            [
                {
                    "observation_id": f"obs{i}",
                    "region_code": r,
                    "indicator_code": c,
                    "year": y,
                    "source_key": s,
                    "value": v,
                    "unit": "%",
                    "qualifier": q,
                    "nature": n,
                    "source_kind": k,
                    "source_priority": 1,
                    "source_file": "stats.csv" if k == "statistics" else None,
                    "source_row": row,
                }
                for i, (r, c, y, s, v, q, n, k, row) in enumerate(obs)
            ],
        )
        _insert(
            con,
            "fct_indicator_values",
            [
                {
                    "value_id": f"{r}|{c}|{y}",
                    "region_code": r,
                    "indicator_code": c,
                    "year": y,
                    "value": v,
                    "unit": "%",
                    "qualifier": q,
                    "nature": n,
                    "source_kind": k,
                    "source_key": s,
                    "observation_id": f"obs{i}",
                    "n_sources": 1,
                }
                for i, (r, c, y, s, v, q, n, k, _row) in enumerate(obs)
            ],
        )
        _insert(
            con,
            "fct_target_progress",
            [
                {
                    "target_id": t[0],
                    "doc_id": t[1],
                    "region_code": t[2],
                    "indicator_code": t[3],
                    "comparator": t[5],
                    "target_value": t[6],
                    "unit": t[8],
                    "status": "not_assessable" if t[3] is None else ("on_track" if i == 0 else "no_data"),
                }
                for i, t in enumerate(targets)
            ],
        )
        _insert(
            con,
            "rpt_region_indicator_year",
            [
                {
                    "row_id": "000000|preschool_ger|2021",
                    "region_code": "000000",
                    "region_level": "country",
                    "indicator_code": "preschool_ger",
                    "year": 2021,
                    "value": 88.1,
                },
                {
                    "row_id": "430000|preschool_ger|2025",
                    "region_code": "430000",
                    "region_level": "province",
                    "indicator_code": "preschool_ger",
                    "year": 2025,
                    "target_id": "hunan_14th:1",
                    "target_comparator": ">=",
                    "target_value": 92.0,
                    "target_status": "on_track",
                },
            ],
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("quality") / "warehouse.duckdb"
    _build_sample(db)
    return db


@pytest.fixture
def db_copy(sample_db: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_db, dst)
    return dst


def _run(db: Path, tmp_path: Path) -> QualityReport:
    return run_checkpoint(db, tmp_path / "target" / "gx_docs")


def _execute(db: Path, *statements: str) -> None:
    con = duckdb.connect(str(db))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


# ------------------------------------------------------------------------------------------ tests


def test_bad_rows_fail_naming_table_column_and_value(db_copy: Path, tmp_path: Path) -> None:
    _execute(
        db_copy,
        # a share of 120 %
        """insert into marts.fct_indicator_values (value_id, region_code, indicator_code, year, value, unit, nature)
           values ('000000|primary_enrollment_rate|2022', '000000', 'primary_enrollment_rate', 2022, 120.0, '%',
                   'reported')""",
        # a comparator outside >=, <=, =, ~
        """insert into marts.fct_policy_targets (target_id, doc_id, indicator_text, comparator, target_value, unit)
           values ('hunan_14th:9', 'hunan_14th', '小学入学率', 'gt', 99.0, '%')""",
        # a duplicate grain key
        "insert into marts.fct_indicator_observations select * from marts.fct_indicator_observations "
        "where observation_id = 'obs0'",
        # a mart dbt did not build
        "drop table marts.rpt_region_indicator_year",
    )
    report = _run(db_copy, tmp_path)
    assert not report.success
    lines = report.summary_lines()
    text = "\n".join(lines)

    share = [ln for ln in lines if ln.startswith("error marts.fct_indicator_values.value:")]
    assert len(share) == 1, text
    assert '[0, 100] for indicator_code=="primary_enrollment_rate": 120.0' in share[0]
    assert "value_id=000000|primary_enrollment_rate|2022" in share[0]

    comparator = [ln for ln in lines if ln.startswith("error marts.fct_policy_targets.comparator:")]
    assert len(comparator) == 1 and "expect_column_values_to_be_in_set" in comparator[0] and "'gt'" in comparator[0]

    dup = [ln for ln in lines if ln.startswith("error marts.fct_indicator_observations.observation_id:")]
    assert dup and "expect_column_values_to_be_unique" in dup[0] and "'obs0'" in dup[0]
    assert any("region_code,indicator_code,year,source_key" in ln for ln in lines)

    failure = next(f for f in report.failures if f.table == "fct_indicator_values" and f.column == "value")
    assert failure.severity == "error" and failure.failing_values == [120.0]
    assert any(ln.startswith("error marts.rpt_region_indicator_year: table_readable") for ln in lines)
    # value range, comparator, unique, grain, missing mart
    assert report.failed_error == 5 and report.failed_warn == 0
    assert report.docs_index.is_file()


def test_gross_ratio_above_warn_above_only_warns_and_bounds_come_from_dim_indicator(
    db_copy: Path, tmp_path: Path
) -> None:
    """105 % on a gross ratio (warn_above 100) only warns; 120 % on a share passes once the
    warehouse's own dim_indicator allows it: no range lives in Python."""
    _execute(
        db_copy,
        """insert into marts.fct_indicator_values (value_id, region_code, indicator_code, year, value, unit, nature)
           values ('000000|preschool_ger|2022', '000000', 'preschool_ger', 2022, 105.0, '%', 'reported'),
                  ('000000|primary_enrollment_rate|2022', '000000', 'primary_enrollment_rate', 2022, 120.0, '%',
                   'reported')""",
        "update marts.dim_indicator set max_value = 130 where indicator_code = 'primary_enrollment_rate'",
    )
    con = duckdb.connect(str(db_copy), read_only=True)
    try:
        suites = build_suites(con)
    finally:
        con.close()
    assert set(suites) == set(MARTS)
    notes = [
        e.notes
        for e in suites["fct_indicator_values"].expectations
        if (e.meta or {}).get("check") == "indicator_range" and (e.meta or {}).get("bound") == "max_value"
    ]
    assert notes and "- primary_enrollment_rate (%): [0, 130]" in notes[0]

    report = _run(db_copy, tmp_path)
    assert report.success, report.summary_lines()
    assert report.failed_error == 0 and report.failed_warn == 1
    assert report.passed == report.evaluated - 1
    (line,) = report.summary_lines()
    assert line.startswith("warn marts.fct_indicator_values.value: ")
    assert 'warn_above 100 for indicator_code=="preschool_ger": 105.0' in line
    (warning,) = report.warnings
    assert warning.severity == "warn" and warning.failing_values == [105.0]


_NO_NETWORK = r"""
import json, socket, sys
from pathlib import Path

attempts = []

def _is_local(address):
    if not isinstance(address, tuple):  # AF_UNIX path
        return True
    host = str(address[0])
    return host in ("localhost", "::1", "") or host.startswith("127.")

def _guard(address):
    if not _is_local(address):
        attempts.append(repr(address))
        raise OSError(f"network disabled by the test: {address!r}")

_connect, _connect_ex, _create, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo)

def connect(self, address):
    _guard(address)
    return _connect(self, address)

def connect_ex(self, address):
    _guard(address)
    return _connect_ex(self, address)

def create_connection(address, *args, **kwargs):
    _guard(address)
    return _create(address, *args, **kwargs)

def getaddrinfo(host, port, *args, **kwargs):
    _guard((host, port))
    return _getaddrinfo(host, port, *args, **kwargs)

socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo

from loaders.quality import run_checkpoint  # GE is imported under the guard too
from loaders.quality.checkpoint import ephemeral_context

report = run_checkpoint(Path(sys.argv[1]), Path(sys.argv[2]))
ctx = ephemeral_context(Path(sys.argv[2]))
seen = list(attempts)
try:  # the guard itself works (TEST-NET-3 address: never routed)
    socket.create_connection(("203.0.113.1", 9), timeout=1)
    guard_works = False
except OSError:
    guard_works = attempts[len(seen):] != []
attempts = seen
print(json.dumps({
    "success": report.success,
    "counts": report.counts,
    "lines": report.summary_lines(),
    "rows": report.row_counts,
    "index": str(report.docs_index),
    "attempts": attempts,
    "guard_works": guard_works,
    "analytics_enabled": ctx.config.analytics_enabled,
    "env": __import__("os").environ.get("GX_ANALYTICS_ENABLED"),
}))
"""


def test_clean_warehouse_passes_offline_and_writes_only_data_docs(db_copy: Path, tmp_path: Path) -> None:
    """A fresh interpreter where every non-loopback connect / DNS lookup raises imports GE and runs
    the checkpoint on the clean warehouse: success, Data Docs written, nothing else written anywhere."""
    script = tmp_path / "no_network.py"
    script.write_text(_NO_NETWORK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GX_", "GE_"))}
    env["HOME"] = str(tmp_path / "home")
    work = tmp_path / "cwd"
    work.mkdir()
    docs = tmp_path / "target" / "gx_docs"
    proc = subprocess.run(
        [sys.executable, str(script), str(db_copy), str(docs)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["guard_works"] is True
    assert out["attempts"] == []
    assert out["analytics_enabled"] is False and out["env"] == "False"
    assert out["success"] is True and out["lines"] == []
    counts = out["counts"]
    assert counts["failed_error"] == counts["failed_warn"] == 0
    assert counts["evaluated"] == counts["passed"] > 60
    assert out["rows"]["fct_policy_targets"] == 5 and out["rows"]["dim_indicator"] > 30
    assert out["index"] == str(docs / "index.html")
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "marts.fct_indicator_values" in html
    assert list(work.iterdir()) == []  # no gx/ folder or anything else in the working directory
    assert not (tmp_path / "home").exists()  # nor in the home directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "no_network.py", "target", "warehouse.duckdb"]
    assert [p.name for p in (tmp_path / "target").iterdir()] == ["gx_docs"]
    assert not (ROOT / "gx").exists()


def test_accepted_values_agree_with_the_dbt_contract() -> None:
    """Where the dbt yml also has accepted_values, the GE suite accepts exactly the same set."""
    doc = yaml.safe_load(MODELS_YML.read_text(encoding="utf-8"))
    checked = 0
    for model in doc["models"]:
        spec = MARTS.get(model["name"])
        for col in model.get("columns", []):
            for test in col.get("data_tests") or []:
                if isinstance(test, dict) and "accepted_values" in test:
                    args = test["accepted_values"].get("arguments", test["accepted_values"])
                    assert spec is not None and col["name"] in spec.accepted, (model["name"], col["name"])
                    assert set(spec.accepted[col["name"]]) == set(args["values"]), (model["name"], col["name"])
                    checked += 1
    assert checked >= 6


def test_summary_line_format() -> None:
    f = ExpectationFailure(
        "fct_indicator_values",
        "value",
        "expect_column_values_to_be_between",
        "error",
        [120.0],
        '[0, 100] for indicator_code=="primary_enrollment_rate": 120.0',
    )
    assert f.summary_line() == (
        "error marts.fct_indicator_values.value: expect_column_values_to_be_between "
        '[0, 100] for indicator_code=="primary_enrollment_rate": 120.0'
    )
    report = QualityReport(True, 3, 2, 0, 1, Path("x/index.html"), [dataclasses.replace(f, severity="warn")])
    assert report.counts == {"evaluated": 3, "passed": 2, "failed_error": 0, "failed_warn": 1}
    assert report.summary_lines()[0].startswith("warn marts.fct_indicator_values.value:")


def test_changed_rows_only_against_a_validated_baseline(db_copy: Path, sample_db: Path, tmp_path: Path) -> None:
    """An incremental build validates the rows the served (validated) warehouse lacks, and only those."""
    baseline = tmp_path / "served" / "warehouse.duckdb"
    baseline.parent.mkdir()
    shutil.copy(sample_db, baseline)
    unchanged = run_checkpoint(db_copy, tmp_path / "a", baseline=baseline)
    assert unchanged.success and unchanged.failed_warn == 0
    assert sorted(unchanged.changed_rows_only) == sorted(MARTS)
    assert set(unchanged.row_counts.values()) == {0}  # nothing new: no row read for validation
    full = run_checkpoint(db_copy, tmp_path / "b")
    assert unchanged.evaluated == full.evaluated  # same expectations, row counts checked on whole tables

    _execute(
        db_copy,
        # a new share of 120 % and a changed target with an invalid comparator
        """insert into marts.fct_indicator_values (value_id, region_code, indicator_code, year, value, unit, nature)
           values ('000000|primary_enrollment_rate|2022', '000000', 'primary_enrollment_rate', 2022, 120.0, '%',
                   'reported')""",
        "update marts.fct_policy_targets set comparator = 'gt' where target_id = "
        "(select min(target_id) from marts.fct_policy_targets)",
        # a mart emptied: its row count is checked on the whole table
        "delete from marts.dim_region",
    )
    report = run_checkpoint(db_copy, tmp_path / "c", baseline=baseline)
    assert not report.success
    lines = "\n".join(report.summary_lines())
    assert report.row_counts["fct_indicator_values"] == 1 and report.row_counts["fct_policy_targets"] == 1
    assert 'for indicator_code=="primary_enrollment_rate": 120.0' in lines
    assert "error marts.fct_policy_targets.comparator:" in lines and "'gt'" in lines
    assert "error marts.dim_region: expect_table_row_count_to_be_between 0 row(s), at least 1" in lines
    assert report.failed_error == 3

    # a baseline that is not a warehouse: everything is validated
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_bytes(b"not a database")
    fallback = run_checkpoint(db_copy, tmp_path / "d", baseline=bogus)
    assert fallback.changed_rows_only == [] and not fallback.success
    assert fallback.row_counts["dim_region"] == 0 and fallback.row_counts["fct_indicator_values"] > 1


def test_only_a_warehouse_published_with_the_suite_passing_is_a_baseline(tmp_path: Path) -> None:
    """A --no-quality build publishes marts the suite never saw: the next build validates them all."""
    from datetime import datetime

    from loaders.audit import BuildRun, last_published_was_validated, record_in_warehouse

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert not last_published_was_validated(con)  # no audit table yet
    t0 = datetime(2026, 1, 1)
    checked = BuildRun("a", t0, finished_at=t0, status="published", expectations_evaluated=85)
    record_in_warehouse(con, checked)
    assert last_published_was_validated(con)
    unchecked = BuildRun("b", t0, finished_at=datetime(2026, 1, 2), status="published")
    record_in_warehouse(con, unchecked)
    assert not last_published_was_validated(con)
    failed_later = BuildRun("c", t0, finished_at=datetime(2026, 1, 3), status="failed", expectations_evaluated=85)
    record_in_warehouse(con, failed_later)
    assert not last_published_was_validated(con)  # only published runs count
    con.close()
