#!/usr/bin/env python3
"""Generate ``seeds/regions.csv``, the region gazetteer, from the division code tables.

Source: ``data/divisions/{provinces,cities,areas}.csv``, the National Bureau of Statistics
2023 statistical division codes (cut-off 2023-06-30, published 2023-09-11) as redistributed by
the open-data project Administrative-divisions-of-China (WTFPL). ``--source`` reads another copy.

What the script does to the source:

* pads codes to six digits (43 -> 430000, 4306 -> 430600) and adds the country row ``000000``;
* drops the placeholder prefectures (市辖区, 县, 省直辖县级行政区划, 自治区直辖县级行政区划) and
  parents their county-level children directly to the province;
* drops county-level rows that are placeholders: named 市辖区, or carrying the name of their own
  prefecture (东莞市 441900, 中山市 442000 and 儋州市 460400 repeat the prefecture's own code;
  嘉峪关市 620201 is the NBS "市辖区" of 嘉峪关市 renamed by the redistributor);
* derives ``short_name_zh`` (宁夏回族自治区 -> 宁夏, 峨边彝族自治县 -> 峨边, never one character,
  never a bare suffix; empty where no honest short form exists, e.g. 房县, 城区, the banners
  named by direction such as 阿拉善左旗, and the functional zones with codes xx71-xx80);
* adds ``name_zh_trad`` with OpenCC ``s2t`` and ``aliases_zh`` (traditional short name, 黄南州
  for autonomous prefectures, 峨边县 / 鄂伦春旗 for autonomous counties and banners, ...).

The output is sorted by code and written with ``\\n`` line ends, so a re-run gives the same bytes.

Usage::

    python scripts/generate_regions.py                 # writes seeds/regions.csv
    python scripts/generate_regions.py --output /tmp/regions.csv --source /path/to/divisions
    python scripts/generate_regions.py --check         # exit 1 if seeds/regions.csv is stale
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import opencc

from loaders.regions import MINORITY_GROUPS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT / "data" / "divisions"
DEFAULT_OUTPUT = ROOT / "seeds" / "regions.csv"

COLUMNS = (
    "region_code",
    "parent_code",
    "level",
    "name_zh",
    "short_name_zh",
    "name_zh_trad",
    "aliases_zh",
    "province_code",
    "prefecture_code",
)

COUNTRY_CODE = "000000"
COUNTRY_NAME = "全国"
COUNTRY_ALIASES = ("中国", "我国", "中华人民共和国", "祖国")

#: Prefecture rows of the source that are groupings, not regions.
PLACEHOLDER_PREFECTURES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
PLACEHOLDER_COUNTIES = frozenset({"市辖区"})

#: Suffixes stripped for the short name, most specific first, per level.
PROVINCE_SUFFIXES = ("特别行政区", "自治区", "省", "市")
PREFECTURE_SUFFIXES = ("自治州", "地区", "盟", "市", "州")
COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "新区", "矿区", "县", "区", "市", "旗")
AUTONOMOUS_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗")

#: A short name may never be one of these.
BARE_SUFFIXES = frozenset(
    {*PROVINCE_SUFFIXES, *PREFECTURE_SUFFIXES, *COUNTY_SUFFIXES, "城区", "郊区", "东区", "西区", "地区"}
)

#: Banners named by a direction (阿拉善左旗, 杭锦后旗, 科尔沁左翼中旗): "阿拉善左" is nobody's name for them.
DIRECTIONAL_BANNER_ENDINGS = ("左", "右", "前", "后", "中", "联合")

#: Irregular county-level names, by code: short name and extra aliases.
OVERRIDES: dict[str, tuple[str, tuple[str, ...]]] = {
    "130672": ("白沟", ("白沟新城",)),  # 保定白沟新城
    "152571": ("乌拉盖", ("乌拉盖管理区",)),  # 乌拉盖管理区管委会
    "460321": ("西沙", ()),  # 西沙群岛
    "460322": ("南沙", ()),  # 南沙群岛
    "460323": ("中沙", ("中沙群岛",)),  # 中沙群岛的岛礁及其海域
    "632857": ("大柴旦", ("大柴旦行委",)),  # 大柴旦行政委员会
}

# Ethnic-group names as they appear inside autonomous unit names: 彝族, and for the groups whose
# name has two or more characters before 族 also the bare form without 族 (伊犁哈萨克自治州, 新疆维吾尔自治区).
_ETHNIC_FORMS: tuple[str, ...] = tuple(
    sorted(
        {g for g in MINORITY_GROUPS} | {g[:-1] for g in MINORITY_GROUPS if len(g) >= 3} | {"各族"},
        key=lambda s: (-len(s), s),
    )
)


@dataclass(frozen=True, slots=True)
class Row:
    region_code: str
    parent_code: str
    level: str
    name_zh: str
    short_name_zh: str
    name_zh_trad: str
    aliases_zh: str
    province_code: str
    prefecture_code: str

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _valid_short(stem: str) -> bool:
    return len(stem) >= 2 and stem not in BARE_SUFFIXES


def strip_ethnic(stem: str) -> str:
    """Remove trailing ethnic-group names (and 各族) from the stem of an autonomous unit's name.

    Stops before the remainder would be shorter than two characters, so 内蒙古 stays whole and
    东乡族 (东乡族自治县) becomes 东乡 by dropping only 族.
    """
    changed = True
    while changed:
        changed = False
        for form in _ETHNIC_FORMS:
            if stem.endswith(form) and len(stem) - len(form) >= 2:
                stem = stem[: -len(form)]
                changed = True
                break
    if stem.endswith("族") and len(stem) >= 3 and stem in MINORITY_GROUPS:
        stem = stem[:-1]
    return stem


def short_name(name: str, level: str, code: str) -> str:
    """The common short form of an official name, or ``""`` when there is none."""
    if code in OVERRIDES:
        return OVERRIDES[code][0]
    if level == "county" and 71 <= int(code[4:]) <= 80:
        return ""  # functional zones (开发区, 新区, 示范区, ...): no short form in use
    for suffix in AUTONOMOUS_SUFFIXES:
        if name.endswith(suffix):
            stem = strip_ethnic(name[: -len(suffix)])
            return stem if _valid_short(stem) else ""
    suffixes = {"province": PROVINCE_SUFFIXES, "prefecture": PREFECTURE_SUFFIXES}.get(level, COUNTY_SUFFIXES)
    for suffix in suffixes:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if suffix == "旗" and stem.endswith(DIRECTIONAL_BANNER_ENDINGS):
                return ""
            if stem.endswith("族"):  # ethnic districts: 管城回族区 -> 管城, 梅里斯达斡尔族区 -> 梅里斯
                stem = strip_ethnic(stem)
            if _valid_short(stem):
                return stem
    return ""


def _dedupe(items: Iterable[str], exclude: Iterable[str]) -> list[str]:
    seen = {e for e in exclude if e}
    out: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _make_row(
    s2t: opencc.OpenCC,
    *,
    code: str,
    parent: str,
    level: str,
    name: str,
    province: str,
    prefecture: str,
    extra_aliases: Iterable[str] = (),
) -> Row:
    short = "" if level == "country" else short_name(name, level, code)
    trad = s2t.convert(name)
    # The traditional short name is cut from the traditional full name: converting the short name
    # on its own loses the phrase context (木里 -> 木裏, 塔什库尔干 -> 塔什庫爾幹).
    if short and name.startswith(short) and len(trad) == len(name):
        trad_short = trad[: len(short)]
    else:
        trad_short = s2t.convert(short)
    aliases: list[str] = list(extra_aliases)
    trad_aliases: list[str] = [s2t.convert(a) for a in aliases]
    if code in OVERRIDES:
        aliases.extend(OVERRIDES[code][1])
        trad_aliases.extend(s2t.convert(a) for a in OVERRIDES[code][1])
    if short:
        trad_aliases.insert(0, trad_short)
        for auto, plain in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if name.endswith(auto):  # 黄南州, 峨边县, 鄂伦春旗
                aliases.append(short + plain)
                trad_aliases.append(trad_short + s2t.convert(plain))
    aliases = aliases + trad_aliases
    return Row(
        region_code=code,
        parent_code=parent,
        level=level,
        name_zh=name,
        short_name_zh=short,
        name_zh_trad=trad,
        aliases_zh="|".join(_dedupe(aliases, exclude=(name, short, trad))),
        province_code=province,
        prefecture_code=prefecture,
    )


def build_rows(source: Path) -> list[Row]:
    """All gazetteer rows, sorted by code."""
    s2t = opencc.OpenCC("s2t")
    provinces = _read(source / "provinces.csv")
    cities = _read(source / "cities.csv")
    areas = _read(source / "areas.csv")

    rows: list[Row] = [
        _make_row(
            s2t,
            code=COUNTRY_CODE,
            parent="",
            level="country",
            name=COUNTRY_NAME,
            province="",
            prefecture="",
            extra_aliases=COUNTRY_ALIASES,
        )
    ]
    for p in provinces:
        code = p["code"].ljust(6, "0")
        rows.append(
            _make_row(
                s2t, code=code, parent=COUNTRY_CODE, level="province", name=p["name"], province=code, prefecture=""
            )
        )

    city_names: dict[str, str] = {}
    for c in cities:
        city_names[c["code"]] = c["name"]
        if c["name"] in PLACEHOLDER_PREFECTURES:
            continue
        code = c["code"].ljust(6, "0")
        province = c["provinceCode"].ljust(6, "0")
        rows.append(
            _make_row(
                s2t, code=code, parent=province, level="prefecture", name=c["name"], province=province, prefecture=code
            )
        )

    for a in areas:
        city_name = city_names[a["cityCode"]]
        if a["name"] in PLACEHOLDER_COUNTIES or a["name"] == city_name:
            continue
        province = a["provinceCode"].ljust(6, "0")
        prefecture = "" if city_name in PLACEHOLDER_PREFECTURES else a["cityCode"].ljust(6, "0")
        rows.append(
            _make_row(
                s2t,
                code=a["code"],
                parent=prefecture or province,
                level="county",
                name=a["name"],
                province=province,
                prefecture=prefecture,
            )
        )

    rows.sort(key=lambda r: r.region_code)
    codes = [r.region_code for r in rows]
    if len(set(codes)) != len(codes):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise SystemExit(f"duplicate region codes: {', '.join(dupes)}")
    return rows


def render(rows: list[Row]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(r.values() for r in rows)
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with the three division CSVs")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="CSV to write")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if --output is not up to date")
    args = parser.parse_args(argv)

    data = render(build_rows(args.source))
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != data:
            print(f"{args.output} is stale; run scripts/generate_regions.py", file=sys.stderr)
            return 1
        return 0
    if not args.output.exists() or args.output.read_bytes() != data:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(data)
    n_rows = data.count(b"\n") - 1
    print(f"{args.output}: {n_rows} regions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
