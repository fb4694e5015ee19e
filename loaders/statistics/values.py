"""Cells as statisticians write them → number, qualifier, footnote, unit.

Published tables do not hold clean floats: "99%以上", ">99", "约95", "95.2*",
"—", "…", "１２．５" (full-width digits) all occur. We keep what the cell says
the way the UN SDG database does: a number plus a *qualifier*
(``lower_bound`` / ``upper_bound`` / ``approximate`` / ``missing``), a
footnote marker, and the unit written in the cell. A blank or a dash is a
*missing* observation, never a zero.

Everything here is vectorised: the number is pulled out with one polars regex
over the whole column, and only the few *distinct* remainders ("%", "以上",
"*", …) are classified in Python, then mapped back with a dictionary join.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

# Qualifiers, in the vocabulary of the UN SDG global database.
LOWER_BOUND = "lower_bound"
UPPER_BOUND = "upper_bound"
APPROXIMATE = "approximate"
MISSING = "missing"

# Cells that mean "no figure" (compared after normalisation, lower case).
MISSING_TOKENS: frozenset[str] = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        "—",
        "——",
        "–",
        "－",
        "…",
        "……",
        "...",
        "..",
        "·",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "null",
        "none",
        "/",
        "x",
        "×",
        "无",
        "暂无",
        "不详",
        "未统计",
        "缺",
        "空",
    }
)

# Full-width and look-alike characters → ASCII (only what matters for numbers).
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "．": ".",
    "％": "%",
    "＞": ">",
    "＜": "<",
    "＋": "+",
    "－": "-",
    "，": ",",
    "＊": "*",
    "～": "~",
    "　": " ",
    "\u00a0": " ",
}

NUMBER_RE = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+"

# Qualifier words, longest first so that 不低于 is read before 低于.
_LOWER = ("及以上", "以上", "不低于", "不少于", "超过", "高于", "多于", ">=", "≥", ">", "逾")
_UPPER = ("及以下", "以下", "不超过", "不高于", "不足", "不到", "低于", "少于", "<=", "≤", "<")
_APPROX = ("大约", "左右", "上下", "接近", "约", "近", "≈", "~")
_QUALIFIER_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [(w, LOWER_BOUND) for w in _LOWER] + [(w, UPPER_BOUND) for w in _UPPER] + [(w, APPROXIMATE) for w in _APPROX],
        key=lambda t: -len(t[0]),
    )
)
_FOOTNOTE_RE = re.compile(r"(?:[*†‡#△▲※]+|[①-⑩]|\[\d{1,2}\]|\(\d{1,2}\)|（\d{1,2}）|[¹²³⁴⁵⁶⁷⁸⁹])$")

# Units: spelling → canonical unit, canonical unit → (base unit, factor to base).
UNIT_ALIASES: dict[str, str] = {
    "%": "%",
    "percent": "%",
    "pct": "%",
    "百分比": "%",
    "百分率": "%",
    "‰": "‰",
    "千分比": "‰",
    "千分率": "‰",
    "年": "年",
    "years": "年",
    "year": "年",
    "yrs": "年",
    "学时": "学时",
    "课时": "学时",
    "人": "人",
    "persons": "人",
    "people": "人",
    "千人": "千人",
    "万人": "万人",
    "亿人": "亿人",
    "元": "元",
    "yuan": "元",
    "千元": "千元",
    "万元": "万元",
    "亿元": "亿元",
    "所": "所",
    "万所": "万所",
    "个": "个",
    "万个": "万个",
    "人次": "人次",
    "万人次": "万人次",
}
UNIT_BASE: dict[str, tuple[str, float]] = {
    "%": ("%", 1.0),
    "‰": ("%", 0.1),
    "年": ("年", 1.0),
    "学时": ("学时", 1.0),
    "人": ("人", 1.0),
    "千人": ("人", 1e3),
    "万人": ("人", 1e4),
    "亿人": ("人", 1e8),
    "元": ("元", 1.0),
    "千元": ("元", 1e3),
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "所": ("所", 1.0),
    "万所": ("所", 1e4),
    "个": ("个", 1.0),
    "万个": ("个", 1e4),
    "人次": ("人次", 1.0),
    "万人次": ("人次", 1e4),
}


def to_halfwidth(text: str) -> str:
    """NFKC plus the few substitutions NFKC leaves alone (why: "１２．５％" is 12.5%)."""
    return unicodedata.normalize("NFKC", text).translate(str.maketrans(_FULLWIDTH))


_UNIT_STRIP_RE = re.compile(r"^(?:单位|unit)\s*[:：]?\s*", re.IGNORECASE)


def normalize_unit(text: str | None) -> str | None:
    """Canonical spelling of a unit as written ("（％）", "单位：万人", "Percent"), or None if blank.

    An unknown spelling is returned as written (stripped) so that the caller can
    reject it by name rather than guess.
    """
    if text is None:
        return None
    t = to_halfwidth(text).strip()
    t = _UNIT_STRIP_RE.sub("", t)
    t = t.strip("()[]（）【】 ").strip()
    if not t:
        return None
    return UNIT_ALIASES.get(t.lower(), UNIT_ALIASES.get(t, t))


def unit_factor(unit: str | None, target: str) -> float | None:
    """Multiplier taking a value in ``unit`` to ``target``; None if they do not convert.

    A missing unit means "already in the indicator's unit" (the common case of a
    file without a unit column).
    """
    if unit is None or unit == target:
        return 1.0
    src = UNIT_BASE.get(unit)
    dst = UNIT_BASE.get(target)
    if src is None or dst is None or src[0] != dst[0]:
        return None
    return src[1] / dst[1]


@dataclass(frozen=True, slots=True)
class Remainder:
    """What a cell says besides its number."""

    qualifier: str | None
    footnote: str | None
    unit: str | None
    ok: bool


def classify_remainder(rest: str) -> Remainder:
    """Read the text left once the number is taken out of a cell ("%以上", "*", "约").

    ``ok`` is False when something is left that is neither a qualifier word, a
    footnote marker nor a unit: then the cell is not a number we understand and
    the observation is rejected, never guessed.
    """
    t = rest.strip()
    footnote = None
    m = _FOOTNOTE_RE.search(t)
    if m:
        footnote = m.group(0)
        t = t[: m.start()].strip()
    qualifier = None
    for word, kind in _QUALIFIER_WORDS:
        if word in t:
            # bounds beat "approximately" ("约99%以上" is still a lower bound)
            if qualifier is None or qualifier == APPROXIMATE:
                qualifier = kind
            t = t.replace(word, " ")
    t = t.strip()
    if footnote is None:  # a marker may also sit before the qualifier word: "99*以上"
        m = _FOOTNOTE_RE.search(t)
        if m:
            footnote = m.group(0)
            t = t[: m.start()].strip()
    unit = None
    if t:
        unit = normalize_unit(t)
        if unit not in UNIT_BASE:
            return Remainder(qualifier, footnote, None, ok=False)
    return Remainder(qualifier, footnote, unit, ok=True)


def parse_value_column(frame: pl.DataFrame, column: str = "value_raw") -> pl.DataFrame:
    """Add ``_number`` (float), ``qualifier``, ``footnote``, ``_cell_unit`` and ``_value_ok``.

    ``_value_ok`` is False only for a cell that holds text we cannot read as a
    number; a blank/dash cell is ok with qualifier ``missing`` and a null number.

    Fast path: a cell polars casts to a finite float is a plain number (the
    bulk of any large file). Only the other cells' *distinct* values go through
    :func:`_parse_distinct`, and are joined back.
    """
    out = frame.with_columns(_fast=pl.col(column).cast(pl.String).cast(pl.Float64, strict=False))
    fast_ok = pl.col("_fast").is_not_null() & pl.col("_fast").is_finite()
    slow = out.select(pl.col(column).cast(pl.String).alias("_key"), fast_ok.alias("_ok")).filter(~pl.col("_ok"))
    slow = slow.select("_key").unique()
    if slow.height == 0:
        return out.with_columns(
            _number=pl.col("_fast"),
            qualifier=pl.lit(None, pl.String),
            footnote=pl.lit(None, pl.String),
            _cell_unit=pl.lit(None, pl.String),
            _value_ok=pl.lit(True),
        ).drop("_fast")
    parsed = _parse_distinct(slow)
    out = out.join(parsed, left_on=column, right_on="_key", how="left", nulls_equal=True, maintain_order="left")
    return out.with_columns(
        _number=pl.when(fast_ok).then(pl.col("_fast")).otherwise(pl.col("_s_number")),
        qualifier=pl.when(fast_ok).then(None).otherwise(pl.col("_s_qualifier")),
        footnote=pl.when(fast_ok).then(None).otherwise(pl.col("_s_footnote")),
        _cell_unit=pl.when(fast_ok).then(None).otherwise(pl.col("_s_unit")),
        _value_ok=fast_ok | pl.col("_s_ok").fill_null(False),
    ).drop("_fast", "_s_number", "_s_qualifier", "_s_footnote", "_s_unit", "_s_ok")


def _parse_distinct(values: pl.DataFrame) -> pl.DataFrame:
    """The full reading of distinct cells (column ``_key``): full-width forms, missing markers,
    the number, then the remainder (qualifier words, footnote marks, unit) classified once each."""
    norm = pl.col("_key").str.replace_many(list(_FULLWIDTH), list(_FULLWIDTH.values())).str.strip_chars().fill_null("")
    out = values.with_columns(_vnorm=norm)
    out = out.with_columns(
        _missing=pl.col("_vnorm").str.to_lowercase().is_in(list(MISSING_TOKENS)),
        _numtxt=pl.col("_vnorm").str.extract(f"({NUMBER_RE})", 1),
    )
    out = out.with_columns(
        _rest=pl.when(pl.col("_numtxt").is_not_null())
        .then(pl.col("_vnorm").str.replace(NUMBER_RE, "", literal=False))
        .otherwise(pl.col("_vnorm"))
    )
    rests = out.filter(~pl.col("_missing") & pl.col("_numtxt").is_not_null())["_rest"].unique().to_list()
    table = {r: classify_remainder(r) for r in rests}
    lookup = pl.DataFrame(
        {
            "_rest": list(table),
            "_q": [v.qualifier for v in table.values()],
            "_fn": [v.footnote for v in table.values()],
            "_u": [v.unit for v in table.values()],
            "_ok": [v.ok for v in table.values()],
        },
        schema={"_rest": pl.String, "_q": pl.String, "_fn": pl.String, "_u": pl.String, "_ok": pl.Boolean},
    )
    out = out.join(lookup, on="_rest", how="left")
    has_num = pl.col("_numtxt").is_not_null() & ~pl.col("_missing")
    return out.select(
        "_key",
        _s_number=pl.when(has_num & pl.col("_ok"))
        .then(pl.col("_numtxt").str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False))
        .otherwise(None),
        _s_qualifier=pl.when(pl.col("_missing")).then(pl.lit(MISSING)).when(has_num).then(pl.col("_q")).otherwise(None),
        _s_footnote=pl.when(has_num).then(pl.col("_fn")).otherwise(None),
        _s_unit=pl.when(has_num).then(pl.col("_u")).otherwise(None),
        _s_ok=pl.col("_missing") | (has_num & pl.col("_ok").fill_null(False)),
    )


_QUOTED_ORIGINAL_RE = re.compile(r"原文\s*[“\"「『]([^”\"」』]+)[”\"」』]")


def qualifier_from_source_title(title: str) -> str | None:
    """The qualifier a source title records for a value stored as a bare number.

    The sample file stores "99%以上" as 99 and says so in its source title
    ("原文“99%以上”，下限值"). Only a quoted original or the words 下限/上限 count:
    a bare 以上 in a title ("15岁及以上人口") is not a qualifier of the value.
    """
    m = _QUOTED_ORIGINAL_RE.search(title)
    if m:
        quoted = to_halfwidth(m.group(1))
        num = re.search(NUMBER_RE, quoted)
        if num:
            q = classify_remainder(quoted[: num.start()] + quoted[num.end() :]).qualifier
            if q:
                return q
    if "下限" in title:
        return LOWER_BOUND
    if "上限" in title:
        return UPPER_BOUND
    return None
