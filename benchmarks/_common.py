"""Shared pieces of the national-scale benchmark (``run_all.py``): measuring a child process,
machine and version facts, the Markdown section, and the two DuckDB-only baselines.

The baselines run as child processes of their own, so they are measured exactly like the
``eduwh`` steps (wall time and peak memory of a fresh process, imports included):

    python benchmarks/_common.py read-csv CSV DB
    python benchmarks/_common.py marts MANIFEST DB
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# --------------------------------------------------------------------------------------------
# measuring a child
# --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Measured:
    cmd: list[str]
    returncode: int
    wall: float  # seconds, time.perf_counter around the child
    maxrss_mib: float  # the largest single process of the tree (os.wait4 rusage)
    tree_mib: float  # sampled peak of the summed RSS of the child and its descendants
    cpu: float  # user + sys seconds of the child and its reaped descendants
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _tree_rss(root: int) -> int:
    """Summed resident pages of ``root`` and all its descendants (from /proc), in bytes."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, deque([root])
    while todo:
        pid = todo.popleft()
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(pid, ()))
    return total


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: Any = subprocess.DEVNULL,
    sample: float = 0.2,
) -> Measured:
    """Run ``cmd``; wall time, the child's max RSS via ``os.wait4`` and a sampled process-tree peak."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    peak = [0]
    err_chunks: list[bytes] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            stop.wait(sample)

    def drain() -> None:
        assert proc.stderr is not None
        for chunk in iter(lambda: proc.stderr.read(65536), b""):
            err_chunks.append(chunk)

    threads = [threading.Thread(target=sampler, daemon=True), threading.Thread(target=drain, daemon=True)]
    for t in threads:
        t.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
    return Measured(
        cmd=cmd,
        returncode=proc.returncode,
        wall=wall,
        maxrss_mib=ru.ru_maxrss / 1024,
        tree_mib=max(peak[0] / 2**20, ru.ru_maxrss / 1024),
        cpu=ru.ru_utime + ru.ru_stime,
        stderr=b"".join(err_chunks).decode("utf-8", "replace"),
    )


def json_events(stderr: str) -> dict[str, dict[str, Any]]:
    """The last event of each name from ``--log-format json`` output on stderr."""
    out: dict[str, dict[str, Any]] = {}
    for line in stderr.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "event" in ev:
                out[ev["event"]] = ev
    return out


# --------------------------------------------------------------------------------------------
# machine and versions
# --------------------------------------------------------------------------------------------
def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    ram = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {ram} RAM, {platform.system()} {platform.release()}"


def versions() -> str:
    parts = [f"python {platform.python_version()}"]
    for dist in ("duckdb", "dbt-core", "dbt-duckdb", "polars", "great-expectations", "eduwh"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} ?")
    return ", ".join(parts)


def append_section(path: Path, heading: str, body: str) -> None:
    """Append ``body`` at the end of the ``heading`` section (created at the end if absent); nothing else changes."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if heading not in text.splitlines():
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{body.strip()}\n"
    else:
        start = text.index("\n" + heading + "\n") + 1 if not text.startswith(heading + "\n") else 0
        nxt = text.find("\n## ", start + len(heading))
        end = len(text) if nxt == -1 else nxt + 1
        section = text[start:end].rstrip("\n") + "\n\n" + body.strip() + "\n"
        text = text[:start] + section + ("\n" + text[end:] if nxt != -1 else "")
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# DuckDB-only baselines (run in a child process)
# --------------------------------------------------------------------------------------------
def baseline_read_csv(csv_path: str, db_path: str) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect(db_path)
    con.execute("create table statistics as select * from read_csv(?, header = true)", [csv_path])
    n = con.execute("select count(*) from statistics").fetchone()[0]
    con.close()
    return {"rows": n}


def _toposort(nodes: dict[str, dict[str, Any]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(uid: str) -> None:
        if state.get(uid) == 2:
            return
        if state.get(uid) == 1:
            raise ValueError(f"cycle at {uid}")
        state[uid] = 1
        for dep in nodes[uid]["depends_on"].get("nodes", []):
            if dep in nodes:
                visit(dep)
        state[uid] = 2
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return order


def baseline_marts(manifest_path: str, db_path: str) -> dict[str, Any]:
    """Seeds by ``read_csv`` (typed as in seeds/*.yml), then every model's compiled SQL in DAG order."""
    import duckdb

    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    project = manifest["metadata"].get("project_name")
    nodes = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] in ("seed", "model") and (project is None or n["package_name"] == project)
    }
    con = duckdb.connect(db_path)
    t0 = time.perf_counter()
    counts = {"seed": 0, "view": 0, "table": 0}
    for schema in sorted({n["schema"] for n in nodes.values()}):
        con.execute(f'create schema if not exists "{schema}"')
    seconds_seeds = 0.0
    for uid in _toposort(nodes):
        n = nodes[uid]
        rel = n["relation_name"]
        if n["resource_type"] == "seed":
            types = n["config"].get("column_types") or {}
            csv = Path(n["root_path"]) / n["original_file_path"]
            struct = "{" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "}"
            t_seed = time.perf_counter()
            con.execute(
                f"create or replace table {rel} as select * from read_csv(?, header = true, types = {struct})",
                [str(csv)],
            )
            counts["seed"] += 1
            seconds_seeds += time.perf_counter() - t_seed
            continue
        mat = n["config"].get("materialized", "view")
        if mat == "ephemeral":
            continue
        kind = "view" if mat == "view" else "table"
        con.execute(f"create or replace {kind} {rel} as {n['compiled_code']}")
        counts[kind] += 1
    con.close()
    return {**counts, "seconds_inside": time.perf_counter() - t0, "seconds_seeds": seconds_seeds}


def main(argv: list[str]) -> None:
    task, a, b = argv
    fn = {"read-csv": baseline_read_csv, "marts": baseline_marts}[task]
    print(json.dumps(fn(a, b)), file=sys.stderr)  # stderr: run_all.py discards the steps' stdout


if __name__ == "__main__":
    main(sys.argv[1:])
