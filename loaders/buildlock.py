"""One build at a time per served warehouse: an advisory lock beside the file.

The lock is ``fcntl.flock`` on ``<served>.lock``. The kernel releases a flock
when its holder dies, however it dies (SIGKILL included), so a lock left by a
killed build is never stale: the next build takes it over at once. The lock file
keeps the holder's pid, host and start time so a refused build can say who holds
it; a file naming a pid that no longer runs is reported as taken over.

Why not a pid file alone: checking "is that pid alive" races with pid reuse and
with two builds starting together; flock is atomic.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType


class BuildLocked(RuntimeError):
    """Another build holds the lock (message names it)."""


@dataclass(slots=True)
class Holder:
    pid: int | None
    host: str | None
    started: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "another build"
        return f"build pid {self.pid} on {self.host or '?'} since {self.started or '?'}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BuildLock:
    """Context manager: ``with BuildLock(served, wait=False): ...``."""

    def __init__(self, served: Path, *, wait: bool = False, timeout: float | None = None) -> None:
        self.path = Path(str(served) + ".lock")
        self.wait = wait
        self.timeout = timeout
        self._fd: int | None = None
        self.took_over: Holder | None = None

    def read_holder(self) -> Holder:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            data = {}
        return Holder(data.get("pid"), data.get("host"), data.get("started"))

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not self.wait or (deadline is not None and time.monotonic() > deadline):
                    holder = self.read_holder()
                    os.close(fd)
                    raise BuildLocked(
                        f"{self.path.name}: {holder.describe()} is running; try again later or use --wait"
                    ) from None
                time.sleep(0.2)
        previous = self.read_holder()
        if previous.pid is not None and previous.pid != os.getpid() and not _pid_alive(previous.pid):
            self.took_over = previous  # its process died without cleaning up; flock was already free
        os.ftruncate(fd, 0)
        os.write(
            fd,
            json.dumps(
                {"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat()}
            ).encode(),
        )
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
