"""Input hashes remembered by (path, size, mtime): unchanged files are not re-read."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from _helpers import ROOT

from loaders import db
from loaders.build import load_documents
from loaders.filehash import HashCache, sha256_file

SAMPLE = sorted((ROOT / "data" / "documents").glob("*.txt"))[0]


def _rewrite_keeping_stat(path: Path, data: bytes) -> None:
    """Other bytes of the same length, with the old mtime forced back (what the cache cannot see)."""
    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_hash_is_sha256_and_is_recomputed_when_the_file_changes(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes(b"x" * 3_000_000)
    con = db.connect(tmp_path / "wh.duckdb")
    cache = HashCache(con)
    assert cache.digest(f) == hashlib.sha256(f.read_bytes()).hexdigest() == sha256_file(f)
    cache.save()
    assert con.execute("select count(*) from raw.file_hashes").fetchone()[0] == 1

    f.write_bytes(b"y" * 3_000_000)  # same size, new mtime
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    again = HashCache(con)
    assert again.digest(f) == hashlib.sha256(b"y" * 3_000_000).hexdigest()
    again.save()
    (stored,) = con.execute("select content_hash from raw.file_hashes").fetchone()
    assert stored == hashlib.sha256(b"y" * 3_000_000).hexdigest()
    con.close()


def test_unchanged_stat_means_not_reread_and_full_refresh_rereads(tmp_path: Path) -> None:
    docs = tmp_path / "documents"
    docs.mkdir()
    doc = docs / SAMPLE.name
    shutil.copy(SAMPLE, doc)
    con = db.connect(tmp_path / "wh.duckdb")
    (first,), _ = load_documents(con, [docs])
    assert first.status == "loaded"

    raw = doc.read_bytes()
    swapped = raw.replace("年".encode(), "月".encode(), 1)  # same length in UTF-8
    assert swapped != raw
    _rewrite_keeping_stat(doc, swapped)
    (trusted,), _ = load_documents(con, [docs])
    assert trusted.status == "unchanged"  # size and mtime as hashed: the file is not read
    (rehashed,), _ = load_documents(con, [docs], trust_file_stats=False)
    assert rehashed.status == "replaced"
    (h,) = con.execute("select content_hash from raw.documents").fetchone()
    assert h == hashlib.sha256(swapped).hexdigest()
    con.close()
