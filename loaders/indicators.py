"""Indicator metadata, read from the one place it lives: ``seeds/indicators.csv``.

The same file is a dbt seed (``dim_indicator``, the range tests), drives the
pandera checks of the statistics loader and the Great Expectations suite, and
gives the extractor its aliases. Never repeat a range or unit elsewhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from loaders.config import seeds_dir


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name_zh: str
    aliases_zh: tuple[str, ...]
    name_en: str
    unit: str
    kind: str  # share | gross_ratio | years | hours | count ...
    min_value: float | None
    max_value: float | None
    warn_above: float | None
    higher_is_better: bool
    stage: str

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name first, then every alias."""
        return (self.name_zh, *self.aliases_zh)


def _num(s: str | None) -> float | None:
    s = (s or "").strip()
    return float(s) if s else None


def read_indicators(path: Path | None = None) -> dict[str, Indicator]:
    path = path or seeds_dir() / "indicators.csv"
    out: dict[str, Indicator] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].strip()
            out[code] = Indicator(
                code=code,
                name_zh=row["name_zh"].strip(),
                aliases_zh=tuple(a.strip() for a in (row.get("aliases_zh") or "").split("|") if a.strip()),
                name_en=row["name_en"].strip(),
                unit=row["unit"].strip(),
                kind=row["kind"].strip(),
                min_value=_num(row.get("min_value")),
                max_value=_num(row.get("max_value")),
                warn_above=_num(row.get("warn_above")),
                higher_is_better=(row.get("higher_is_better") or "").strip().lower() == "true",
                stage=(row.get("stage") or "").strip(),
            )
    return out


@lru_cache(maxsize=4)
def indicators(path: str | None = None) -> dict[str, Indicator]:
    """Cached :func:`read_indicators` (by path)."""
    return read_indicators(Path(path) if path else None)
