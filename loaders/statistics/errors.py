"""The one exception a caller needs to tell "this file is unusable" from "these rows were rejected"."""

from __future__ import annotations

from pathlib import Path


class StatisticsFileError(Exception):
    """A file that cannot be read as a whole (empty, binary, truncated, no usable header…).

    The message is one line and names the file, so a CLI or a build report can
    print it as is. Row-level problems are never raised: those rows are rejected.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.path}: {self.problem}")
