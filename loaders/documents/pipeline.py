"""The document pipeline: file → read → clean → metadata → targets.

``process_file(path)`` returns a :class:`ProcessedDocument`; ``process_many`` runs many files,
in a ``ProcessPoolExecutor`` when ``workers > 1`` (``0``: one per core for large batches;
extraction is pure-Python CPU work, so processes, not threads, give a speed-up), yielding
a ``ProcessedDocument`` or the file's :class:`DocumentReadError` per file, in input order.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from loaders.documents.clean import clean
from loaders.documents.extract import extract_targets
from loaders.documents.metadata import extract_metadata
from loaders.documents.model import DocumentReadError, ProcessedDocument
from loaders.documents.read import SUPPORTED_EXTENSIONS, read_file


def process_file(path: str | Path) -> ProcessedDocument:
    """Read, clean and extract one file. Raises :class:`DocumentReadError` if unreadable."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"{p}: cannot open ({exc.strerror or exc})") from exc
    raw, fmt, enc = read_file(p, data)  # the bytes just hashed, not read a second time
    ct = clean(raw)
    doc_id = p.stem
    meta = extract_metadata(ct.text, doc_id)
    targets = extract_targets(ct, meta, doc_id)
    return ProcessedDocument(
        doc_id=doc_id,
        source_path=str(p),
        content_hash=hashlib.sha256(data).hexdigest(),
        file_format=fmt,
        encoding=enc,
        raw_text=raw,
        text=ct.text,
        meta=meta,
        targets=targets,
    )


def iter_document_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and supported files under folders given (recursive), sorted, unique."""
    found: set[Path] = set()
    for item in paths:
        p = Path(item)
        if p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and f.suffix.lower() in SUPPORTED_EXTENSIONS and not f.name.startswith("."):
                    found.add(f)
        elif p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS:
            found.add(p)
    return sorted(found)


def _safe_process(path: Path) -> ProcessedDocument | DocumentReadError:
    try:
        return process_file(path)
    except DocumentReadError as exc:
        err = exc
    except Exception as exc:  # a bug on one file must not stop a batch
        err = DocumentReadError(
            f"{path}: failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        )
    err.path = str(path)
    return err


#: Below this many files, ``workers=0`` (auto) extracts in-process: starting a pool and
#: importing the extractor in each worker (~1 s) costs more than it saves.
AUTO_PARALLEL_MIN_FILES = 64


def resolve_workers(workers: int, n_files: int) -> int:
    """``workers`` as given when ≥ 1; ``0`` (auto) → one process per core for large batches, else 1."""
    if workers >= 1:
        return workers
    return (os.cpu_count() or 1) if n_files >= AUTO_PARALLEL_MIN_FILES else 1


def process_many(
    paths: Iterable[str | Path],
    workers: int = 1,
    progress: Callable[[Path], None] | None = None,
) -> Iterator[ProcessedDocument | DocumentReadError]:
    """Process every document under ``paths``; yields per file, in path order."""
    files = iter_document_paths(paths)
    workers = resolve_workers(workers, len(files))
    if workers <= 1 or len(files) <= 1:
        for f in files:
            res = _safe_process(f)
            if progress:
                progress(f)
            yield res
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, min(32, len(files) // (workers * 4) or 1))
        for f, res in zip(files, pool.map(_safe_process, files, chunksize=chunk), strict=True):
            if progress:
                progress(f)
            yield res
