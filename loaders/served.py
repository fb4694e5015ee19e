"""The served warehouse file: build on a private copy, publish by atomic rename.

A DuckDB file admits one read-write process or many read-only ones, never both.
So a build never writes the file readers use. It works on a copy in a private
folder beside the served file (same file system, same file name, so DuckDB's
catalog name — the file's stem — and every compiled reference stay the same),
and only when every test has passed does it ``CHECKPOINT`` the copy, close it,
fsync it and ``os.replace`` it over the served file. ``rename(2)`` is atomic:
a reader opening the served file gets the old or the new warehouse, never a
half-built one; a reader that already has the old file open keeps reading the
old inode until it reconnects. A failed or killed build leaves the served file
as it was (its work folder is removed on the next build).

Published generations can be kept for ``eduwh rollback`` (hard links, so keeping
one costs no copy).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

WORK_DIR_NAME = ".eduwh"


@dataclass(slots=True)
class WorkCopy:
    run_id: str
    served: Path
    folder: Path
    path: Path  # the working warehouse: <folder>/<served.name>


def state_dir(served: Path) -> Path:
    """Private folder beside the served file: work copies, generations, the audit log."""
    return served.resolve().parent / WORK_DIR_NAME


def generations_dir(served: Path) -> Path:
    return state_dir(served) / "generations" / served.name


def clean_stale_work(served: Path) -> list[Path]:
    """Remove work folders left by killed builds (call while holding the build lock)."""
    removed = []
    base = state_dir(served)
    if base.is_dir():
        for d in base.glob(f"build-*-{served.name}"):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def start_work_copy(served: Path, run_id: str) -> WorkCopy:
    """Copy the served file (if any) into a fresh private folder to build on."""
    served = served.resolve()
    folder = state_dir(served) / f"build-{run_id}-{served.name}"
    folder.mkdir(parents=True, exist_ok=False)
    work = folder / served.name
    if served.exists():
        shutil.copyfile(served, work)
    return WorkCopy(run_id, served, folder, work)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def finalize(work: Path) -> None:
    """CHECKPOINT the working file (no WAL left behind) and fsync it."""
    con = duckdb.connect(str(work))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = Path(str(work) + ".wal")
    if wal.exists():  # pragma: no cover - checkpoint on close removes it
        raise RuntimeError(f"{work.name}: write-ahead log still present after CHECKPOINT")
    fd = os.open(work, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(copy: WorkCopy, *, keep: int = 0) -> Path:
    """Atomically replace the served file by the finished work copy; keep ``keep`` old generations."""
    served = copy.served
    if keep > 0 and served.exists():
        gens = generations_dir(served)
        gens.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        os.link(served, gens / f"{stamp}-{copy.run_id}.duckdb")
    os.replace(copy.path, served)
    _fsync_dir(served.parent)
    discard(copy)
    if keep > 0:
        prune_generations(served, keep)
    return served


def discard(copy: WorkCopy) -> None:
    shutil.rmtree(copy.folder, ignore_errors=True)


def list_generations(served: Path) -> list[Path]:
    """Kept generations, newest first."""
    gens = generations_dir(served)
    return sorted(gens.glob("*.duckdb"), reverse=True) if gens.is_dir() else []


def prune_generations(served: Path, keep: int) -> None:
    for old in list_generations(served)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


def rollback(served: Path, steps: int = 1) -> Path:
    """Serve the generation ``steps`` back (1 = the one before the current); atomic like publish."""
    gens = list_generations(served)
    if len(gens) < steps:
        raise FileNotFoundError(f"{served.name}: only {len(gens)} kept generation(s); cannot go back {steps}")
    chosen = gens[steps - 1]
    tmp = state_dir(served) / f"rollback-{served.name}"
    shutil.copyfile(chosen, tmp)
    os.replace(tmp, served)
    _fsync_dir(served.parent)
    for newer in gens[: steps - 1]:
        newer.unlink()
    chosen.unlink()
    return chosen
