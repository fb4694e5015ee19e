"""The document pipeline: file → read → clean → metadata → targets.

``process_file(path)`` returns a :class:`ProcessedDocument`; ``process_many`` runs many files,
in a ``ProcessPoolExecutor`` when ``workers > 1`` (``0``: one per core for large batches;
extraction is CPU work that holds the GIL, so processes, not threads, give a speed-up), yielding
a ``ProcessedDocument`` or the file's :class:`DocumentReadError` per file, in input order.

Many files are processed in batches (:func:`process_batch`), stage by stage: every file of a
batch is read, then every one cleaned, then every one's metadata and targets extracted. Each
stage then runs with its own code and tables (OpenCC's dictionaries, the region names, the
rules' patterns) still in the CPU caches from the file before, instead of evicting the others'
at every file: ~10 % less CPU time than file by file, with the same results.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from loaders.documents.clean import CleanText, clean
from loaders.documents.extract import extract_targets
from loaders.documents.metadata import extract_metadata
from loaders.documents.model import DocumentMeta, DocumentReadError, ProcessedDocument, Target
from loaders.documents.read import SUPPORTED_EXTENSIONS, read_file

#: Files per batch: enough for the stages' caches to stay warm, few enough that a batch's texts
#: (~0.1 MB a document, raw and cleaned) stay small.
BATCH_SIZE = 32


def _read(p: Path) -> tuple[bytes, str, str, str | None]:
    """The file's bytes and decoded text (with its format and encoding)."""
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentReadError(f"{p}: cannot open ({exc.strerror or exc})") from exc
    raw, fmt, enc = read_file(p, data)  # the bytes just read, not read a second time
    return data, raw, fmt, enc


def _document(
    p: Path, data: bytes, raw: str, fmt: str, enc: str | None, ct: CleanText, meta: DocumentMeta, targets: list[Target]
) -> ProcessedDocument:
    return ProcessedDocument(
        doc_id=p.stem,
        source_path=str(p),
        content_hash=hashlib.sha256(data).hexdigest(),
        file_format=fmt,
        encoding=enc,
        raw_text=raw,
        text=ct.text,
        meta=meta,
        targets=targets,
    )


def process_file(path: str | Path) -> ProcessedDocument:
    """Read, clean and extract one file. Raises :class:`DocumentReadError` if unreadable."""
    p = Path(path)
    data, raw, fmt, enc = _read(p)
    ct = clean(raw)
    meta = extract_metadata(ct.text, p.stem)
    return _document(p, data, raw, fmt, enc, ct, meta, extract_targets(ct, meta, p.stem))


def _failure(path: Path, exc: Exception) -> DocumentReadError:
    """The one-line error of a file that failed (a bug on one file must not stop a batch)."""
    if isinstance(exc, DocumentReadError):
        err = exc
    else:
        first = str(exc).splitlines()[0] if str(exc) else ""
        err = DocumentReadError(f"{path}: failed ({type(exc).__name__}: {first})")
    err.path = str(path)
    return err


def process_batch(paths: list[Path]) -> list[ProcessedDocument | DocumentReadError]:
    """:func:`process_file` for each of ``paths``, stage by stage over the whole batch (see the
    module docstring); a file that fails at any stage gets its error, the others go on."""
    n = len(paths)
    out: list[ProcessedDocument | DocumentReadError | None] = [None] * n
    read: list[tuple[bytes, str, str, str | None] | None] = [None] * n
    cleaned: list[CleanText | None] = [None] * n
    metas: list[DocumentMeta | None] = [None] * n
    for i, p in enumerate(paths):
        try:
            read[i] = _read(p)
        except Exception as exc:
            out[i] = _failure(p, exc)
    for i, p in enumerate(paths):
        if out[i] is None:
            try:
                cleaned[i] = clean(read[i][1])  # type: ignore[index]
            except Exception as exc:
                out[i] = _failure(p, exc)
    for i, p in enumerate(paths):
        if out[i] is None:
            try:
                metas[i] = extract_metadata(cleaned[i].text, p.stem)  # type: ignore[union-attr]
            except Exception as exc:
                out[i] = _failure(p, exc)
    for i, p in enumerate(paths):
        if out[i] is None:
            try:
                ct, meta = cleaned[i], metas[i]
                targets = extract_targets(ct, meta, p.stem)  # type: ignore[arg-type]
                out[i] = _document(p, *read[i], ct, meta, targets)  # type: ignore[arg-type, misc]
            except Exception as exc:
                out[i] = _failure(p, exc)
    return out  # type: ignore[return-value]


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
    size = BATCH_SIZE if workers <= 1 else max(1, min(BATCH_SIZE, len(files) // (workers * 4) or 1))
    batches = [files[k : k + size] for k in range(0, len(files), size)]
    if workers <= 1 or len(files) <= 1:
        yield from _in_order(batches, map(process_batch, batches), progress)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _in_order(batches, pool.map(process_batch, batches), progress)


def _in_order(
    batches: list[list[Path]],
    results: Iterable[list[ProcessedDocument | DocumentReadError]],
    progress: Callable[[Path], None] | None,
) -> Iterator[ProcessedDocument | DocumentReadError]:
    for batch, done in zip(batches, results, strict=True):
        for f, item in zip(batch, done, strict=True):
            if progress:
                progress(f)
            yield item
