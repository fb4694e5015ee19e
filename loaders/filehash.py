"""Content hashes of input files, remembered by (path, size, mtime) so unchanged files are not re-read.

Every build decides per input file whether it changed by its sha256 (loads are idempotent on
content). At national scale that is ~750 MB of documents and statistics read and hashed on
every nightly build, ~3 s, for files that almost never change. Like git's index and rsync's
quick check, :class:`HashCache` trusts a file whose size and modification time (ns) are what
they were when it was last hashed, and hashes only the others. A file rewritten with other
bytes gets a new mtime, so it is hashed again; one whose mtime was forged back to the old
value with the same size would be missed, as by git and rsync — ``eduwh build --full-refresh``
does not consult the cache.

The cache lives in the warehouse (``raw.file_hashes``, created with the other raw tables),
so it travels with the served file and its build copies, and a rolled-back warehouse
carries the hashes of its own inputs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pyarrow as pa


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks (memory stays flat on large files)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class HashCache:
    """Hashes of files by path, valid while size and mtime are unchanged (see module doc)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, trust: bool = True) -> None:
        self._con = con
        self._known: dict[str, tuple[int, int, str]] = {}
        self._fresh: dict[str, tuple[int, int, str]] = {}
        if trust:
            rows = con.execute("select path, size, mtime_ns, content_hash from raw.file_hashes").fetchall()
            self._known = {p: (s, m, h) for p, s, m, h in rows}

    def digest(self, path: Path) -> str:
        """The file's sha256 (raises ``OSError`` if it cannot be read)."""
        key = str(path.resolve())
        st = os.stat(key)
        known = self._known.get(key)
        if known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        digest = sha256_file(path)
        self._fresh[key] = (st.st_size, st.st_mtime_ns, digest)
        return digest

    def save(self) -> None:
        """Remember the hashes computed since the cache was opened (one statement)."""
        if not self._fresh:
            return
        paths = list(self._fresh)
        table = pa.table(
            {
                "path": paths,
                "size": [self._fresh[p][0] for p in paths],
                "mtime_ns": [self._fresh[p][1] for p in paths],
                "content_hash": [self._fresh[p][2] for p in paths],
            }
        )
        self._con.register("_eduwh_file_hashes", table)
        try:
            self._con.execute(
                "insert or replace into raw.file_hashes (path, size, mtime_ns, content_hash) "
                "select path, size, mtime_ns, content_hash from _eduwh_file_hashes"
            )
        finally:
            self._con.unregister("_eduwh_file_hashes")
        self._known.update(self._fresh)
        self._fresh.clear()
