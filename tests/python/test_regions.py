"""The region gazetteer: the generated seed against its source, and the lookup library."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.regions import AmbiguousRegion, Region, RegionIndex, RegionNotFound, region_index

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "regions.csv"
SOURCE = ROOT / "data" / "divisions"
SCRIPT = ROOT / "scripts" / "generate_regions.py"

COLUMNS = [
    "region_code",
    "parent_code",
    "level",
    "name_zh",
    "short_name_zh",
    "name_zh_trad",
    "aliases_zh",
    "province_code",
    "prefecture_code",
]
PLACEHOLDER_PREFECTURES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
BARE_SUFFIXES = {"省", "市", "自治区", "特别行政区", "地区", "盟", "州", "县", "区", "旗", "自治州", "自治县"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(SEED)


@pytest.fixture(scope="module")
def index() -> RegionIndex:
    return RegionIndex.load(SEED)


# --- the seed -------------------------------------------------------------------------------------


def test_columns(rows: list[dict[str, str]]) -> None:
    with SEED.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS


def test_row_counts_match_source(rows: list[dict[str, str]]) -> None:
    provinces = _read(SOURCE / "provinces.csv")
    cities = _read(SOURCE / "cities.csv")
    areas = _read(SOURCE / "areas.csv")
    city_name = {c["code"]: c["name"] for c in cities}
    expected_prefectures = sum(c["name"] not in PLACEHOLDER_PREFECTURES for c in cities)
    # county rows that are placeholders: named 市辖区, or repeating their own prefecture (东莞市 441900)
    expected_counties = sum(a["name"] != "市辖区" and a["name"] != city_name[a["cityCode"]] for a in areas)

    by_level: dict[str, int] = {}
    for r in rows:
        by_level[r["level"]] = by_level.get(r["level"], 0) + 1
    assert by_level == {
        "country": 1,
        "province": len(provinces),
        "prefecture": expected_prefectures,
        "county": expected_counties,
    }
    assert len(provinces) == 31
    assert len(rows) == 1 + 31 + expected_prefectures + expected_counties


def test_every_source_code_is_present_or_a_placeholder(rows: list[dict[str, str]]) -> None:
    codes = {r["region_code"] for r in rows}
    for c in _read(SOURCE / "cities.csv"):
        assert (c["code"].ljust(6, "0") in codes) == (c["name"] not in PLACEHOLDER_PREFECTURES), c
    for p in _read(SOURCE / "provinces.csv"):
        assert p["code"].ljust(6, "0") in codes


def test_codes_unique_six_digits_and_parents_exist(rows: list[dict[str, str]]) -> None:
    codes = [r["region_code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    known = set(codes)
    level_rank = {"country": 0, "province": 1, "prefecture": 2, "county": 3}
    by_code = {r["region_code"]: r for r in rows}
    for r in rows:
        if r["level"] == "country":
            assert r["parent_code"] == "" and r["region_code"] == "000000"
            continue
        assert r["parent_code"] in known, r
        assert level_rank[by_code[r["parent_code"]]["level"]] < level_rank[r["level"]], r
        assert r["province_code"] == r["region_code"][:2] + "0000"
        if r["level"] == "prefecture":
            assert r["prefecture_code"] == r["region_code"]
        if r["level"] == "county":
            assert r["parent_code"] == (r["prefecture_code"] or r["province_code"])


def test_no_placeholder_names(rows: list[dict[str, str]]) -> None:
    assert not [r for r in rows if r["name_zh"] in PLACEHOLDER_PREFECTURES]


def test_short_names(rows: list[dict[str, str]]) -> None:
    by_code = {r["region_code"]: r for r in rows}
    for r in rows:
        short = r["short_name_zh"]
        assert len(short) != 1, r
        assert short not in BARE_SUFFIXES, r
        assert short != r["name_zh"], r
        assert "族" not in short, r
    expected = {
        "640000": "宁夏",
        "450000": "广西",
        "150000": "内蒙古",
        "650000": "新疆",
        "540000": "西藏",
        "430000": "湖南",
        "110000": "北京",
        "430200": "株洲",
        "632300": "黄南",
        "232700": "大兴安岭",
        "152500": "锡林郭勒",
        "430682": "临湘",
        "110105": "朝阳",
        "511132": "峨边",
        "530925": "双江",  # 双江拉祜族佤族布朗族傣族自治县
        "622927": "积石山",  # 积石山保安族东乡族撒拉族自治县
        "622926": "东乡",  # 东乡族自治县
        "450328": "龙胜",  # 龙胜各族自治县
        "654000": "伊犁",  # 伊犁哈萨克自治州
        "420325": "",  # 房县: no one-character short name
    }
    assert {code: by_code[code]["short_name_zh"] for code in expected} == expected


def test_traditional_names_and_aliases(rows: list[dict[str, str]]) -> None:
    by_code = {r["region_code"]: r for r in rows}
    assert by_code["640000"]["name_zh_trad"] == "寧夏回族自治區"
    assert "黄南州" in by_code["632300"]["aliases_zh"].split("|")
    country = by_code["000000"]
    assert country["name_zh"] == "全国"
    assert {"中国", "我国"} <= set(country["aliases_zh"].split("|"))
    for r in rows:
        aliases = [a for a in r["aliases_zh"].split("|") if a]
        assert len(aliases) == len(set(aliases)), r
        assert r["name_zh"] not in aliases, r


def _generate(out: Path) -> bytes:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(SOURCE), "--output", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return out.read_bytes()


def test_generator_is_deterministic_and_seed_is_current(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a.csv")
    second = _generate(tmp_path / "b.csv")
    assert first == second
    assert first == SEED.read_bytes(), "seeds/regions.csv is stale: run scripts/generate_regions.py"
    # idempotent: a re-run over its own output changes nothing
    assert _generate(tmp_path / "a.csv") == first


# --- the library ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("宁夏", "640000"),
        ("寧夏回族自治區", "640000"),
        ("宁夏回族自治区", "640000"),
        (" 宁 夏 ", "640000"),
        ("临湘", "430682"),
        ("临湘市", "430682"),
        ("株洲", "430200"),
        ("黄南州", "632300"),
        ("峨边彝族自治县", "511132"),
        ("峨边", "511132"),
        ("全国", "000000"),
        ("中国", "000000"),
        ("43", "430000"),
        ("4302", "430200"),
        ("430682", "430682"),
        ("吉林", "220000"),  # the province, not 吉林市
        ("海南", "460000"),  # the province, not 海南藏族自治州
        ("乾安縣", "220723"),
        ("乾安县", "220723"),
    ],
)
def test_resolve(index: RegionIndex, name: str, code: str) -> None:
    assert index.resolve(name).code == code


def test_resolve_ambiguous_names_both_candidates(index: RegionIndex) -> None:
    with pytest.raises(AmbiguousRegion) as info:
        index.resolve("朝阳区")
    assert {r.code for r in info.value.candidates} == {"110105", "220104"}
    message = str(info.value)
    assert "朝阳区 (110105)" in message and "朝阳区 (220104)" in message
    assert "\n" not in message
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize("within", ["北京市", "北京", "110000", "11"])
def test_resolve_within(index: RegionIndex, within: str) -> None:
    assert index.resolve("朝阳区", within=within).code == "110105"


def test_resolve_within_prefecture(index: RegionIndex) -> None:
    assert index.resolve("朝阳区", within="长春市").code == "220104"


def test_resolve_unknown(index: RegionIndex) -> None:
    with pytest.raises(RegionNotFound):
        index.resolve("火星市")
    with pytest.raises(RegionNotFound):
        index.resolve("999999")
    with pytest.raises(RegionNotFound):
        index.resolve("朝阳区", within="湖南省")
    assert issubclass(RegionNotFound, LookupError)


def test_candidates(index: RegionIndex) -> None:
    assert {r.code for r in index.candidates("朝阳区")} == {"110105", "220104"}
    # every 朝阳: the prefecture, both districts and 朝阳县
    assert {"211300", "110105", "220104", "211321"} <= {r.code for r in index.candidates("朝阳")}
    assert index.candidates("火星") == []


def test_get_and_ancestors(index: RegionIndex) -> None:
    region = index.get("430682")
    assert isinstance(region, Region)
    assert region.name == "临湘市" and region.level == "county"
    assert (region.province_code, region.prefecture_code, region.parent_code) == ("430000", "430600", "430600")
    assert [r.code for r in index.ancestors("430682")] == ["430600", "430000", "000000"]
    assert index.ancestors("000000") == []
    assert index.get("123456") is None
    # a county directly under its province
    assert [r.code for r in index.ancestors("429004")] == ["420000", "000000"]


def test_every_full_name_resolves_to_itself_or_is_a_listed_tie(index: RegionIndex) -> None:
    for region in index:
        try:
            assert index.resolve(region.name).code == region.code
        except AmbiguousRegion as exc:
            assert region in exc.candidates
        resolved = index.resolve(region.name, within=region.parent_code) if region.parent_code else region
        assert resolved.code == region.code


def test_find_all(index: RegionIndex) -> None:
    text = "湖南省株洲市、寧夏回族自治區和北京市朝阳区的学校，与峨边彝族自治县、朝阳区以及全国平均水平相比，城区学校。"
    found = [(text[s:e], r if isinstance(r, list) else r.code) for s, e, r in index.find_all(text)]
    assert found[:5] == [
        ("湖南省", "430000"),
        ("株洲市", "430200"),
        ("寧夏回族自治區", "640000"),
        ("北京市", "110000"),
        ("朝阳区", "110105"),  # read as an address after 北京市
    ]
    assert found[5] == ("峨边彝族自治县", "511132")
    mention, candidates = found[6]
    assert mention == "朝阳区" and isinstance(candidates, list)
    assert {r.code for r in candidates} == {"110105", "220104"}
    assert found[7] == ("全国", "000000")
    assert len(found) == 8  # 城区 (a generic word) is not a mention


def test_find_all_longest_match_and_county_short_names(index: RegionIndex) -> None:
    text = "广西壮族自治区与广西、宁夏，临湘的和平发展，香格里拉"
    found = [(text[s:e], r if isinstance(r, list) else r.code) for s, e, r in index.find_all(text)]
    assert found == [
        ("广西壮族自治区", "450000"),
        ("广西", "450000"),
        ("宁夏", "640000"),
        ("香格里拉", "533401"),  # a county short name of 3+ characters is matched
    ]  # 临湘 and 和平 (two-character county short names) are not


def test_default_index_is_cached() -> None:
    assert region_index() is region_index()
    assert len(region_index()) > 3000


def test_find_all_two_character_county_names_need_an_address(index: RegionIndex) -> None:
    text = "健全县、乡两级政府和县直各有关部门，建设示范县；安徽省和县，马鞍山市和县。"
    found = [(s, text[s:e], r if isinstance(r, list) else r.code) for s, e, r in index.find_all(text)]
    assert [(m, c) for _, m, c in found] == [
        ("安徽省", "340000"),
        ("和县", "340523"),
        ("马鞍山市", "340500"),
        ("和县", "340523"),
    ]
    assert index.find_all("和县教育局")[0][2].code == "340523"  # at the start of a text
