"""The synthetic national-scale generator (benchmarks/generate.py) at a tiny scale, and the harness helpers.

Fast (a few seconds): 6 counties x 30 indicators x 25 years and 5 documents. The benchmark
itself (benchmarks/run_all.py) never runs here.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from _helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import generate as gen
from _common import append_section, measure

from loaders.documents.pipeline import process_file

SCALE, DOCS, SEED = 0.002, 5, 42


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    gen.generate(out, scale=SCALE, docs=DOCS, seed=SEED, jobs=1)
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_arguments_give_identical_bytes(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "b"
    gen.generate(again, scale=SCALE, docs=DOCS, seed=SEED, jobs=1)
    first, second = _files(generated), _files(again)
    assert first.keys() == second.keys()
    assert first == second
    other = tmp_path / "c"
    gen.generate(other, scale=SCALE, docs=DOCS, seed=SEED + 1, jobs=1)
    assert _files(other)["statistics/national_statistics.csv"] != first["statistics/national_statistics.csv"]


def test_statistics_grid_and_ranges(generated: Path) -> None:
    with (generated / "statistics" / gen.STATISTICS_FILE).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    counties = {r["region_code"]: r["name_zh"] for r in _seed_rows("regions.csv") if r["level"] == "county"}
    indicators = {r["code"]: r for r in _seed_rows("indicators.csv")}
    n_counties = round(SCALE * len(counties))
    n_indicators = min(30, len(indicators))
    assert list(rows[0].keys()) == gen.COLUMNS
    assert len(rows) == n_counties * n_indicators * 25
    assert len({r["adcode"] for r in rows}) == n_counties
    assert len({r["indicator_code"] for r in rows}) == n_indicators
    assert {int(r["year"]) for r in rows} == set(range(2000, 2025))
    missing = 0
    for r in rows:
        assert counties[r["adcode"]] == r["region_name_zh"]
        ind = indicators[r["indicator_code"]]
        assert r["unit"] == ind["unit"] and r["indicator_name_zh"] == ind["name_zh"]
        if r["value"] in ("", "—"):
            missing += 1
            continue
        assert float(ind["min_value"]) <= float(r["value"]) <= float(ind["max_value"]), r
        if ind["kind"] == "share":
            assert float(r["value"]) <= 100
        if ind["kind"] == "years":
            assert 7 <= float(r["value"]) <= 12
    assert missing < 0.05 * len(rows)
    assert "SYNTHETIC" in (generated / "SYNTHETIC.txt").read_text(encoding="utf-8")


def test_shares_rise_over_time() -> None:
    frame = gen.statistics_frame(0.01, SEED)
    share = frame.filter(frame["indicator_code"] == "compulsory_consolidation_rate")
    vals = {
        y: [
            float(v)
            for v, yy in zip(share["value"], share["year"], strict=True)
            if yy == y and v not in (None, "", "—")
        ]
        for y in (2000, 2024)
    }
    assert sum(vals[2024]) / len(vals[2024]) > sum(vals[2000]) / len(vals[2000]) + 10


def test_documents_are_extractable_and_yield_targets(generated: Path) -> None:
    docs = sorted((generated / "documents").glob("syn_*.txt"))
    assert len(docs) == DOCS
    total = 0
    for path in docs:
        assert 3_000 <= path.stat().st_size <= 48_000
        text = path.read_text(encoding="utf-8")
        assert text.strip()
        total += len(process_file(path).targets)
    assert total / len(docs) > 1


def test_noise_appears_over_many_documents() -> None:
    texts = [gen.document_text(SEED, i) for i in range(60)]
    assert any("學" in t and "(xué)" in t for t in texts)  # traditional script with pinyin glosses
    assert any("上一页" in t for t in texts)  # page chrome
    assert any(ch in t for t in texts for ch in "０１２３４５６７８９")  # full-width digits
    assert gen.document_text(SEED, 7) == gen.document_text(SEED, 7)


def test_refuses_to_write_under_data() -> None:
    with pytest.raises(SystemExit):
        gen.generate(ROOT / "data" / "synthetic", scale=SCALE, docs=1, seed=SEED, jobs=1)
    assert not (ROOT / "data" / "synthetic").exists()


def test_small_statistics_file(tmp_path: Path) -> None:
    n = gen.write_small_statistics(tmp_path / "small.csv", SEED)
    with (tmp_path / "small.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert n == len(rows) == 6
    assert len({r["adcode"] for r in rows}) == 1 and len({r["indicator_code"] for r in rows}) == 3


def test_harness_measure_and_append_section(tmp_path: Path) -> None:
    m = measure([sys.executable, "-c", "x = bytearray(50 * 2**20); import sys; sys.stderr.write('hi')"])
    assert m.returncode == 0 and m.wall > 0 and m.maxrss_mib >= 50 and m.stderr == "hi"
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\n## Extraction\n\nkeep me\n\n## Other\n\nand me\n", encoding="utf-8")
    append_section(md, "## National scale (issue 7)", "run 1")
    append_section(md, "## Extraction", "extra")
    append_section(md, "## National scale (issue 7)", "run 2")
    text = md.read_text(encoding="utf-8")
    assert "keep me" in text and "and me" in text
    assert text.index("keep me") < text.index("extra") < text.index("## Other")
    assert text.count("## National scale (issue 7)") == 1
    assert text.index("## National scale (issue 7)") < text.index("run 1") < text.index("run 2")
