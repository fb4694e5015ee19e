"""A throwaway PostgreSQL cluster for tests: ``with running_postgres() as server: ...``.

Why a real server: the publishing path's guarantees (atomic schema swap under concurrent
readers, grants, COPY) are PostgreSQL behaviour that no mock can show. The cluster lives in
a fresh temp dir, listens only on 127.0.0.1 (a free port) and on a unix socket inside that
dir, has fsync off (it is thrown away) and is ALWAYS stopped (``pg_ctl stop -m fast``) and
deleted when the ``with`` block ends, however it ends.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` OS user
the Debian package creates and every server command runs through ``runuser -u postgres --``.
Local (socket) connections use ``trust``; TCP uses scram-sha-256 with a random superuser
password, so tests exercise password authentication like a real deployment.

When no server binaries are found, :func:`find_bin_dir` runs ``scripts/ensure_postgres.sh``
(apt-get install as root on Debian); if that is impossible it raises
:class:`PostgresUnavailable` and the fixture turns it into a skip with the reason.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENSURE_SCRIPT = ROOT / "scripts" / "ensure_postgres.sh"
MIN_MAJOR = 13
SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here and no way to install them (reason in the message)."""


@dataclass(frozen=True)
class Server:
    """A running throwaway cluster. ``dsn_superuser`` connects over TCP with a password."""

    dsn_superuser: str
    port: int
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    superuser_password: str

    def dsn(self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres") -> str:
        """A key=value DSN for ``user`` over TCP on 127.0.0.1 (password only if given)."""
        parts = [f"host=127.0.0.1 port={self.port} dbname={dbname} user={user}"]
        if password is not None:
            parts.append(f"password={password}")
        return " ".join(parts)


def _initdb_major(initdb: Path) -> int | None:
    try:
        out = subprocess.run([str(initdb), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    m = re.search(r"\)\s+(\d+)", out.stdout)
    return int(m.group(1)) if m else None


def _scan_bin_dirs() -> Path | None:
    """The newest bin dir holding initdb >= MIN_MAJOR, pg_ctl and postgres (PATH, then Debian's layout)."""
    cands: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        cands.append(Path(on_path).resolve())
    cands.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")))
    best: tuple[int, Path] | None = None
    for initdb in cands:
        d = initdb.resolve().parent
        if not ((d / "pg_ctl").exists() and (d / "postgres").exists()):
            continue
        major = _initdb_major(initdb)
        if major is not None and major >= MIN_MAJOR and (best is None or major > best[0]):
            best = (major, d)
    return best[1] if best else None


def find_bin_dir() -> Path:
    """Server binaries' dir; installs them via scripts/ensure_postgres.sh when absent (root + apt only)."""
    found = _scan_bin_dirs()
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            f"no PostgreSQL >= {MIN_MAJOR} server binaries (initdb) found, and installing them needs root and apt-get; "
            "run scripts/ensure_postgres.sh as root or install the postgresql package"
        )
    proc = subprocess.run(["bash", str(ENSURE_SCRIPT)], capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise PostgresUnavailable(f"scripts/ensure_postgres.sh failed (exit {proc.returncode}): {tail}")
    found = _scan_bin_dirs()
    if not found:
        raise PostgresUnavailable("scripts/ensure_postgres.sh succeeded but no initdb was found afterwards")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    """Run server commands as the cluster owner: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--", *cmd]
    return cmd


def _run(cmd: list[str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(_as_owner(cmd), capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return proc


@contextlib.contextmanager
def running_postgres(base_dir: Path | None = None) -> Iterator[Server]:
    """Start a throwaway cluster, yield it, and always stop and delete it.

    ``base_dir`` is where the cluster's temp dir goes; as root it must be traversable by
    the ``postgres`` user, so as root the system temp dir is used unless ``base_dir`` is
    world-traversable (pytest's /tmp/pytest-of-root is 0700 and would not be).
    """
    if os.geteuid() == 0:
        try:
            import pwd

            owner = pwd.getpwnam(SUPERUSER)
        except KeyError as exc:  # binaries without the Debian package's OS user
            raise PostgresUnavailable(
                f"running as root but there is no {SUPERUSER!r} OS user to own the cluster"
            ) from exc
        if base_dir is not None and not all(os.stat(p).st_mode & 0o001 for p in [base_dir, *base_dir.parents]):
            base_dir = None
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="eduwh-pg-", dir=base_dir))
    data_dir, socket_dir, log_file = root / "data", root / "sock", root / "server.log"
    password = secrets.token_urlsafe(18)

    def stop_server() -> None:
        """``pg_ctl stop -m fast`` (then immediate); also registered with atexit for abrupt exits."""
        if not (data_dir / "postmaster.pid").exists():  # never started, or already stopped
            return
        stop = subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-w", "-t", "30", "stop", "-m", "fast"]),
            capture_output=True,
            timeout=60,
            check=False,
        )
        if stop.returncode != 0:
            subprocess.run(
                _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-w", "stop", "-m", "immediate"]),
                capture_output=True,
                timeout=60,
                check=False,
            )

    atexit.register(stop_server)
    try:
        socket_dir.mkdir()
        pwfile = root / "pw"
        pwfile.write_text(password + "\n")
        if os.geteuid() == 0:
            for p in (root, socket_dir, pwfile):
                os.chown(p, owner.pw_uid, owner.pw_gid)
        root.chmod(0o700)
        pwfile.chmod(0o600)
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                f"--username={SUPERUSER}",
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        pwfile.unlink()
        port = 0
        for attempt in range(5):  # a free port can be taken between probe and bind: retry
            port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
            )
            proc = subprocess.run(
                _as_owner(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data_dir),
                        "-l",
                        str(log_file),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        opts,
                        "start",
                    ]
                ),
                capture_output=True,
                text=True,
                timeout=90,
                check=False,
            )
            if proc.returncode == 0:
                break
            log = log_file.read_text(errors="replace") if log_file.exists() else ""
            if ("could not bind" not in log and "already in use" not in log) or attempt == 4:
                raise RuntimeError(f"pg_ctl start failed: {proc.stderr.strip()} {log[-2000:]}")
        yield Server(
            dsn_superuser=f"host=127.0.0.1 port={port} dbname=postgres user={SUPERUSER} password={password}",
            port=port,
            bin_dir=bin_dir,
            data_dir=data_dir,
            socket_dir=socket_dir,
            superuser_password=password,
        )
    finally:
        stop_server()
        atexit.unregister(stop_server)
        shutil.rmtree(root, ignore_errors=True)
