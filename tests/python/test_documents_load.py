"""Landing documents in DuckDB: idempotent per file, replacement in one transaction, batches."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from _helpers import ROOT, run_eduwh

from loaders import db
from loaders.build import load_documents
from loaders.documents.load import load_document_batch
from loaders.documents.pipeline import process_file

SAMPLES = sorted((ROOT / "data" / "documents").glob("*.txt"))


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, dict[str, int]]:
    docs = con.execute("select count(*) from raw.documents").fetchone()[0]
    targets = con.execute("select count(*) from raw.policy_targets").fetchone()[0]
    log = dict(con.execute("select status, count(*) from raw.load_log group by 1").fetchall())
    return docs, targets, log


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    d = tmp_path / "documents"
    d.mkdir()
    for p in SAMPLES:
        shutil.copy(p, d / p.name)
    return d


def test_cli_load_is_idempotent_and_replaces_a_changed_document(docs_dir: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    first = run_eduwh("load", "documents", str(docs_dir), "--db", str(wh))
    assert first.returncode == 0, first.stderr
    con = duckdb.connect(str(wh))
    n_docs, n_targets, log = _counts(con)
    expected = sum(len(process_file(p).targets) for p in SAMPLES)
    assert (n_docs, n_targets, log) == (len(SAMPLES), expected, {"loaded": len(SAMPLES)})
    # every document is its own load: its targets carry the load id its log row names
    orphan = con.execute(
        "select count(*) from raw.policy_targets t anti join raw.load_log l using (load_id)"
    ).fetchone()[0]
    assert orphan == 0
    before = con.execute("select * from raw.policy_targets order by doc_id, target_seq").fetchall()
    con.close()

    again = run_eduwh("load", "documents", str(docs_dir), "--db", str(wh))
    assert again.returncode == 0, again.stderr
    con = duckdb.connect(str(wh))
    assert con.execute("select * from raw.policy_targets order by doc_id, target_seq").fetchall() == before
    con.close()

    # change one document: its targets are replaced, the others stay as they were
    victim = docs_dir / SAMPLES[0].name
    text = victim.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    victim.write_text(cut, encoding="utf-8")
    third = run_eduwh("load", "documents", str(docs_dir), "--db", str(wh))
    assert third.returncode == 0, third.stderr
    con = duckdb.connect(str(wh))
    stem = victim.stem
    got = con.execute("select count(*) from raw.policy_targets where doc_id = ?", [stem]).fetchone()[0]
    assert got == len(process_file(victim).targets)
    others_now = con.execute(
        "select * exclude (loaded_at) from raw.policy_targets where doc_id <> ? order by doc_id, target_seq", [stem]
    ).fetchall()
    others_before = [r[:-1] for r in before if r[0] != stem]
    assert others_now == others_before
    statuses = con.execute(
        "select status, count(*) from raw.load_log where path = ? group by 1 order by 1", [str(victim)]
    ).fetchall()
    assert statuses == [("loaded", 1), ("replaced", 1)]
    con.close()


def test_a_failed_batch_write_leaves_the_warehouse_as_it_was(docs_dir: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh.duckdb"
    con = db.connect(wh)
    results, errors = load_documents(con, [docs_dir])
    assert not errors and all(r.status == "loaded" for r in results)
    before = _counts(con)
    snapshot = con.execute("select doc_id, content_hash, target_count from raw.documents order by 1").fetchall()
    # A real failure inside the transaction: the targets table gains a required column the
    # loader does not fill, so the insert of the targets fails after the documents were written.
    con.execute("alter table raw.policy_targets add column reviewer varchar default 'n/a'")
    con.execute("alter table raw.policy_targets alter column reviewer drop default")
    con.execute("alter table raw.policy_targets alter column reviewer set not null")
    for p in docs_dir.glob("*.txt"):
        p.write_text(p.read_text(encoding="utf-8") + "\n到2030年，新增学位1000个。\n", encoding="utf-8")
    docs = [process_file(p) for p in sorted(docs_dir.glob("*.txt"))]
    with pytest.raises(duckdb.Error):
        load_document_batch(con, docs)
    assert _counts(con) == before
    assert con.execute("select doc_id, content_hash, target_count from raw.documents order by 1").fetchall() == snapshot
    con.close()


def test_batches_split_on_a_repeated_doc_id_and_the_later_file_wins(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.copy(SAMPLES[0], a / "plan.txt")
    shutil.copy(SAMPLES[1], b / "plan.txt")
    con = db.connect(tmp_path / "wh.duckdb")
    results, _ = load_documents(con, [a, b])
    assert [r.status for r in results] == ["loaded", "replaced"]
    (path,) = con.execute("select source_path from raw.documents where doc_id = 'plan'").fetchone()
    assert path == str(b / "plan.txt")
    n = con.execute("select count(*) from raw.policy_targets where doc_id = 'plan'").fetchone()[0]
    assert n == len(process_file(SAMPLES[1]).targets)
    with pytest.raises(ValueError, match="twice"):
        load_document_batch(con, [process_file(a / "plan.txt"), process_file(b / "plan.txt")])
    con.close()


def test_auto_workers_use_every_core_for_large_batches_with_the_same_results(tmp_path: Path) -> None:
    from loaders.documents.pipeline import AUTO_PARALLEL_MIN_FILES, process_many, resolve_workers

    assert resolve_workers(3, 1) == 3 and resolve_workers(0, AUTO_PARALLEL_MIN_FILES - 1) == 1
    n = AUTO_PARALLEL_MIN_FILES + 6
    for i in range(n):  # small distinct documents: a sample's opening lines, numbered
        lines = SAMPLES[i % len(SAMPLES)].read_text(encoding="utf-8").splitlines()[:40]
        (tmp_path / f"d{i:03d}.txt").write_text(f"第{i}号\n" + "\n".join(lines), encoding="utf-8")
    auto = [(d.doc_id, [t.to_dict() for t in d.targets]) for d in process_many([tmp_path], workers=0)]
    serial = [(d.doc_id, [t.to_dict() for t in d.targets]) for d in process_many([tmp_path], workers=1)]
    assert len(auto) == n and auto == serial


def test_a_batch_scans_each_text_for_region_names_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata and extraction both need the regions named in the whole text; run stage by stage
    over a batch, the second must find them memoised (places.find_all_cached), not scan again."""
    from loaders import regions
    from loaders.documents.pipeline import BATCH_SIZE, process_many
    from loaders.documents.places import TEXTS_KEPT, region_index

    assert TEXTS_KEPT > BATCH_SIZE
    n = BATCH_SIZE + 5
    for i in range(n):
        (tmp_path / f"d{i:03d}.txt").write_bytes(f"第{i}号\n".encode() + SAMPLES[i % len(SAMPLES)].read_bytes())
    index_finder = region_index()._automaton or region_index()._build_automaton()
    region_index()._automaton = index_finder
    scanned: dict[str, int] = {}
    find = regions.NameMatcher.find

    def counting(self: regions.NameMatcher, text: str) -> list:
        if self is index_finder:
            scanned[text] = scanned.get(text, 0) + 1
        return find(self, text)

    monkeypatch.setattr(regions.NameMatcher, "find", counting)
    docs = list(process_many([tmp_path], workers=1))
    assert len(docs) == n and all(d.targets for d in docs)
    long_texts = {t: k for t, k in scanned.items() if len(t) > 500}
    assert len(long_texts) == n and set(long_texts.values()) == {1}
