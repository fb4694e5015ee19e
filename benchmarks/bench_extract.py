"""Benchmark the document pipeline: docs/s and MB/s, one process and all cores.

    python benchmarks/bench_extract.py [--copies 2000] [--rounds 5] [--no-write]

The five sample documents in ``data/documents/`` are replicated to ``--copies`` files in a
temporary folder (each copy gets a unique first line, so no cache can help). Next to the full
pipeline (read → clean → metadata → extract) the same files are run through a baseline of just
reading and OpenCC-converting them, in the same run, so the ratio does not depend on the
machine. Each round times a baseline pass and then a pipeline pass, back to back, and gives one
ratio; the table reports the median over ``--rounds`` rounds with the lowest and highest, since
on a shared machine the load changes from one pass to the next (single passes have been seen to
differ by a quarter). A Markdown table is printed and appended, with the machine, date and
versions, to ``BENCHMARKS.md`` under the ``## Extraction`` heading.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loaders.documents.clean import to_simplified  # noqa: E402
from loaders.documents.pipeline import BATCH_SIZE, process_batch, process_file  # noqa: E402
from loaders.documents.read import read_file  # noqa: E402


def _baseline(path: Path) -> int:
    raw, _, _ = read_file(path)
    return len(to_simplified(raw))


def _pipeline(batch: list[Path]) -> int:
    """The product's own path for many files (pipeline.process_many): stage by stage, per batch."""
    return sum(len(d.targets) for d in process_batch(batch) if not isinstance(d, Exception))


def _warm(_: int) -> None:
    """Load indicators, the region index, OpenCC and cn2an once per worker (not timed): every
    sample is run once, so no one-time import (cn2an alone takes ~0.25 s) lands in a timed pass."""
    for sample in sorted((ROOT / "data" / "documents").glob("*.txt")):
        process_file(sample)


def _units(fn: Callable, files: list[Path], workers: int) -> tuple[list, int]:
    """What one call of ``fn`` takes, and how many of those a pool task gets: files for the
    baseline; for the pipeline, batches of files as ``process_many`` makes them."""
    if fn is _pipeline:
        size = BATCH_SIZE if workers == 1 else max(1, min(BATCH_SIZE, len(files) // (workers * 4)))
        return [files[k : k + size] for k in range(0, len(files), size)], 1
    return files, max(1, len(files) // (workers * 8))


def _run(fn: Callable, files: list[Path], workers: int) -> float:
    units, chunk = _units(fn, files, workers)
    if workers == 1:
        _warm(0)
        t = time.perf_counter()
        for u in units:
            fn(u)
        return time.perf_counter() - t
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_warm, range(workers)))
        t = time.perf_counter()
        list(pool.map(fn, units, chunksize=chunk))
        return time.perf_counter() - t


def _cpu(fn: Callable, files: list[Path]) -> float:
    """CPU seconds of this process for one pass (robust when other jobs share the machine)."""
    units, _ = _units(fn, files, 1)
    _warm(0)
    t = time.process_time()
    for u in units:
        fn(u)
    return time.process_time() - t


def _stages(files: list[Path]) -> dict[str, float]:
    """CPU seconds per pipeline stage over one pass (read, clean, metadata, extraction), batch
    by batch as the pipeline runs them, and of OpenCC alone on the same raw texts, so the report
    shows where the time goes."""
    from loaders.documents.clean import clean
    from loaders.documents.extract import extract_targets
    from loaders.documents.metadata import extract_metadata

    _warm(0)
    out = dict.fromkeys(("read", "clean", "metadata", "extract", "opencc"), 0.0)
    clock = time.process_time
    for k in range(0, len(files), BATCH_SIZE):
        batch = files[k : k + BATCH_SIZE]
        t0 = clock()
        raws = [read_file(f)[0] for f in batch]
        t1 = clock()
        cts = [clean(raw) for raw in raws]
        t2 = clock()
        metas = [extract_metadata(ct.text, f.stem) for ct, f in zip(cts, batch, strict=True)]
        t3 = clock()
        for ct, meta, f in zip(cts, metas, batch, strict=True):
            extract_targets(ct, meta, f.stem)
        t4 = clock()
        for raw in raws:
            to_simplified(raw)
        t5 = clock()
        for key, dt in zip(out, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            out[key] += dt
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "?"


def _versions() -> str:
    names = ("opencc", "cn2an", "selectolax", "charset-normalizer", "Cython")
    out = [f"python {platform.python_version()}"]
    for n in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out.append(f"{n} {metadata.version(n)}")
    return ", ".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--rounds", type=int, default=5, help="baseline/pipeline pass pairs (the median is reported)")
    ap.add_argument("--no-write", action="store_true", help="print only, do not append to BENCHMARKS.md")
    args = ap.parse_args(argv)

    samples = sorted((ROOT / "data" / "documents").glob("*.txt"))
    if not samples:
        print("no sample documents in data/documents", file=sys.stderr)
        return 1
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0,)
    tmp = Path(tempfile.mkdtemp(prefix="eduwh_bench_"))
    try:
        files: list[Path] = []
        for i in range(args.copies):
            src = samples[i % len(samples)]
            dst = tmp / f"{i:05d}_{src.name}"
            dst.write_bytes(f"副本{i}\n".encode() + src.read_bytes())
            files.append(dst)
        mb = sum(f.stat().st_size for f in files) / 1e6
        # per worker count, per round: (baseline wall seconds, pipeline wall seconds)
        walls: dict[int, list[tuple[float, float]]] = {w: [] for w in sorted({1, args.workers})}
        cpus: list[tuple[float, float]] = []
        for _ in range(max(1, args.rounds)):
            for workers, pairs in walls.items():
                pairs.append((_run(_baseline, files, workers), _run(_pipeline, files, workers)))
            cpus.append((_cpu(_baseline, files), _cpu(_pipeline, files)))
        stages = _stages(files)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def median_ratio(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
        ratios = [full / base for base, full in pairs]
        return statistics.median(ratios), min(ratios), max(ratios)

    n = len(files)
    rounds = max(1, args.rounds)
    lines = [
        f"{n} files ({mb:.1f} MB), replicated from {len(samples)} samples in data/documents; "
        f"medians of {rounds} rounds (each a baseline pass, then a pipeline pass)",
        "",
        "| processes | read+OpenCC docs/s | read+OpenCC MB/s | pipeline docs/s | pipeline MB/s "
        "| pipeline / baseline time (lowest-highest) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, pairs in walls.items():
        base = statistics.median(b for b, _ in pairs)
        full = statistics.median(f for _, f in pairs)
        ratio, low, high = median_ratio(pairs)
        lines.append(
            f"| {workers} | {n / base:,.0f} | {mb / base:.1f} | {n / full:,.0f} | {mb / full:.2f} "
            f"| {ratio:.1f}× ({low:.1f}-{high:.1f}) |"
        )
    cpu_base = statistics.median(b for b, _ in cpus)
    cpu_full = statistics.median(f for _, f in cpus)
    cpu_ratio, cpu_low, cpu_high = median_ratio(cpus)
    lines += [
        "",
        f"CPU time per document, one process: read+OpenCC {cpu_base / n * 1000:.2f} ms, "
        f"pipeline {cpu_full / n * 1000:.2f} ms ({cpu_ratio:.1f}×, {cpu_low:.1f}-{cpu_high:.1f}); "
        f"CPU-bound ceiling with {args.workers} processes ≈ {args.workers * n / cpu_full:,.0f} docs/s.",
        "",
        "Where the pipeline's CPU goes, per document: "
        + ", ".join(f"{k} {v / n * 1000:.2f} ms" for k, v in stages.items() if k != "opencc")
        + f" (OpenCC alone on the raw text: {stages['opencc'] / n * 1000:.2f} ms, part of cleaning).",
    ]
    table = "\n".join(lines)
    machine = f"{_cpu_model()}, {os.cpu_count()} cores, {_ram_gb()} RAM, {platform.system()} {platform.release()}"
    with contextlib.suppress(OSError, AttributeError):
        end_load = os.getloadavg()
        machine += f"; load average (1 min) at start {load[0]:.1f}, at end {end_load[0]:.1f}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"### {stamp}\n\nMachine: {machine}  \nVersions: {_versions()}\n\n{table}\n"
    print(block)
    if not args.no_write:
        bench = ROOT / "BENCHMARKS.md"
        text = bench.read_text(encoding="utf-8") if bench.exists() else "# Benchmarks\n"
        if "## Extraction" not in text:
            text = text.rstrip("\n") + "\n\n## Extraction\n\nProduced by `python benchmarks/bench_extract.py`.\n"
        head, _, tail = text.partition("## Extraction")
        # append at the end of the Extraction section (before the next "## " heading)
        nxt = tail.find("\n## ", 1)
        section, rest = (tail, "") if nxt < 0 else (tail[:nxt], tail[nxt:])
        text = head + "## Extraction" + section.rstrip("\n") + "\n\n" + block + rest
        bench.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
