"""The small YAML/TOML file that tells the loader what an unusual table means.

Most files need none: headers in Chinese or English are recognised
(:mod:`loaders.statistics.layout`). For the rest, a mapping sits next to the
data as ``<file>.mapping.yml`` (or ``.yaml`` / ``.toml``, also
``<stem>.mapping.yml``) or is passed explicitly::

    sheet: 表3                 # the sheet to read
    header_row: 4             # 1-based row of the (last) header row, if detection fails
    columns:                  # header as written → role (or "ignore")
      区县名称: region_name
      所属地市: parent_region
      备注: ignore
    indicators:               # indicator text (header or cell) → indicator code
      学前教育毛入园率（含学前一年）: preschool_ger
    indicator: preschool_ger  # one indicator for the whole table
    year: 2021                # one year for the whole table
    unit: "%"                 # the unit when the file states none
    region: 浙江省             # one region for the whole table
    province: 浙江省           # breaks ties between same-named regions (朝阳区)
    nature: estimated         # reported (default) | estimated
    source_title: 2021年浙江省教育事业统计公报
    source_url: https://…

Unknown keys are an error: a typo in a mapping must not silently do nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from loaders.statistics.errors import StatisticsFileError

ROLES: frozenset[str] = frozenset(
    {
        "region_name",
        "region_code",
        "parent_region",
        "region_level",
        "year",
        "indicator_name",
        "indicator_code",
        "value",
        "unit",
        "source_title",
        "source_url",
        "nature",
        "footnote",
        "ignore",
    }
)

_KEYS = frozenset(
    {
        "sheet",
        "header_row",
        "columns",
        "indicators",
        "indicator",
        "year",
        "unit",
        "region",
        "province",
        "nature",
        "source_title",
        "source_url",
    }
)


@dataclass(frozen=True, slots=True)
class Mapping:
    """What a mapping file says; every field optional."""

    path: Path | None = None
    raw: bytes = b""
    sheet: str | None = None
    header_row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)
    indicator: str | None = None
    year: int | None = None
    unit: str | None = None
    region: str | None = None
    province: str | None = None
    nature: str | None = None
    source_title: str | None = None
    source_url: str | None = None


def find_mapping(data_path: Path) -> Path | None:
    """The mapping file that sits next to ``data_path``, if any."""
    for base in (data_path.name, data_path.stem):
        for suffix in (".mapping.yml", ".mapping.yaml", ".mapping.toml"):
            cand = data_path.with_name(base + suffix)
            if cand.is_file():
                return cand
    return None


def is_mapping_file(path: Path) -> bool:
    return path.name.lower().endswith((".mapping.yml", ".mapping.yaml", ".mapping.toml"))


def read_mapping(path: Path, *, data_path: Path) -> Mapping:
    """Parse and check a mapping file; errors name the data file (the load fails as a whole)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StatisticsFileError(data_path, f"mapping {path}: {exc.strerror or exc}") from exc
    try:
        if path.suffix.lower() == ".toml":
            doc: Any = tomllib.loads(raw.decode("utf-8-sig"))
        else:
            doc = yaml.safe_load(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise StatisticsFileError(data_path, f"mapping {path.name} unreadable: {str(exc).splitlines()[0]}") from exc
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise StatisticsFileError(data_path, f"mapping {path.name} must be a table of keys")
    unknown = sorted(set(map(str, doc)) - _KEYS)
    if unknown:
        raise StatisticsFileError(data_path, f"mapping {path.name}: unknown keys {unknown}; allowed {sorted(_KEYS)}")

    def text(key: str) -> str | None:
        v = doc.get(key)
        if v is None:
            return None
        if isinstance(v, dict | list):
            raise StatisticsFileError(data_path, f"mapping {path.name}: {key} must be a single value")
        return str(v).strip() or None

    def table(key: str) -> dict[str, str]:
        v = doc.get(key) or {}
        if not isinstance(v, dict):
            raise StatisticsFileError(data_path, f"mapping {path.name}: {key} must be a table")
        return {str(k).strip(): str(val).strip() for k, val in v.items()}

    columns = table("columns")
    bad = sorted({r for r in columns.values() if r not in ROLES})
    if bad:
        raise StatisticsFileError(
            data_path, f"mapping {path.name}: unknown column roles {bad}; allowed {sorted(ROLES)}"
        )
    year = text("year")
    header_row = text("header_row")
    try:
        year_i = int(year) if year is not None else None
        header_i = int(header_row) if header_row is not None else None
    except ValueError as exc:
        raise StatisticsFileError(data_path, f"mapping {path.name}: year/header_row must be integers") from exc
    nature = text("nature")
    if nature is not None and nature not in {"reported", "estimated"}:
        raise StatisticsFileError(data_path, f"mapping {path.name}: nature must be reported or estimated")
    return Mapping(
        path=path,
        raw=raw,
        sheet=text("sheet"),
        header_row=header_i,
        columns=columns,
        indicators=table("indicators"),
        indicator=text("indicator"),
        year=year_i,
        unit=text("unit"),
        region=text("region"),
        province=text("province"),
        nature=nature,
        source_title=text("source_title"),
        source_url=text("source_url"),
    )
