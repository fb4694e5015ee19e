"""Names as written → the warehouse's codes (regions and indicators), or a reason why not.

Both resolvers work on the *distinct* values of a column (a few thousand at most,
even for a two-million-row file) and are joined back in polars, so the Python
here never loops over rows.

Regions: a code column wins; otherwise the name goes through
:meth:`loaders.regions.RegionIndex.resolve`. A tie (朝阳区 is in Beijing and in
Changchun) is broken by the row's parent/province column, then by the
``province`` given to the load; a name still ambiguous or unknown is *rejected
with its candidates listed* — never guessed.

Indicators: a code column wins; otherwise the text (a header such as
"毛入园率(%)" or a cell such as "高中阶段教育毛入学率") is normalised and looked up
among each indicator's code, Chinese name, aliases and English name from
``seeds/indicators.csv`` — the one place they live.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import opencc
import polars as pl

from loaders.indicators import Indicator
from loaders.regions import AmbiguousRegion, RegionIndex, RegionNotFound
from loaders.statistics.values import UNIT_BASE, normalize_unit, to_halfwidth

_WS_RE = re.compile(r"\s+")
_BRACKET_TAIL_RE = re.compile(r"^(.*?)\s*[(\[（【]\s*([^()\[\]（）【】]*)\s*[)\]）】]\s*$")
_SLASH_UNIT_RE = re.compile(r"^(.*?)\s*[/／]\s*(%|‰|[^/／]{1,4})\s*$")
_FOOTNOTE_TAIL_RE = re.compile(r"(?:[*†‡#△▲※]+|[①-⑩]|[¹²³⁴⁵⁶⁷⁸⁹])$")
_QUOTES = "\"'“”‘’「」『』《》"


def split_unit(text: str) -> tuple[str, str | None]:
    """("毛入园率（%）") → ("毛入园率", "%"); a bracket that is not a unit stays in the name.

    Why not strip every bracket: "（中央财经大学口径）" changes what is measured.
    """
    t = to_halfwidth(text).strip()
    m = _BRACKET_TAIL_RE.match(t)
    if m:
        unit = normalize_unit(m.group(2))
        if unit in UNIT_BASE:
            return m.group(1).strip(), unit
    m = _SLASH_UNIT_RE.match(t)
    if m:
        unit = normalize_unit(m.group(2))
        if unit in UNIT_BASE:
            return m.group(1).strip(), unit
    return t, None


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalize_label(text: str) -> str:
    """Lookup form of a header or indicator label: half-width, simplified script, no spaces/quotes, lower case.

    Simplified because a Big5 file from Taiwan or Hong Kong writes 學前三年毛入園率.
    Cached: labels repeat (every row of a long table names its indicator).
    """
    t = to_halfwidth(text)
    t = _WS_RE.sub("", t).strip(_QUOTES + ":：,，;；")
    return _t2s().convert(t.replace("—", "-").replace("–", "-").lower())


class IndicatorMatcher:
    """Indicator text → code, from the names and aliases in ``seeds/indicators.csv``.

    ``extra`` comes from a mapping file (``indicators:``) for wording the seed
    does not know yet. A label shared by two indicators is ambiguous and matches
    neither (the row is rejected naming both).
    """

    def __init__(self, indicators: Mapping[str, Indicator], extra: Mapping[str, str] | None = None) -> None:
        self.indicators = dict(indicators)
        self._by_label: dict[str, set[str]] = {}
        for ind in self.indicators.values():
            for label in (ind.code, *ind.names, ind.name_en):
                if label:
                    self._add(label, ind.code)
        self._extra = {normalize_label(split_unit(k)[0]): v for k, v in (extra or {}).items()}

    def _add(self, label: str, code: str) -> None:
        key = normalize_label(split_unit(label)[0])
        if key:
            self._by_label.setdefault(key, set()).add(code)

    def match(self, text: str | None) -> tuple[str | None, list[str]]:
        """(code, []) for a match; (None, candidate codes) for an ambiguous label; (None, []) if unknown."""
        if text is None:
            return None, []
        key = normalize_label(split_unit(text)[0])
        key = _FOOTNOTE_TAIL_RE.sub("", key)
        if not key:
            return None, []
        if key in self._extra:
            return self._extra[key], []
        codes = self._by_label.get(key, set())
        if len(codes) == 1:
            return next(iter(codes)), []
        return None, sorted(codes)

    def find_in(self, text: str) -> str | None:
        """The one indicator named inside a title ("表3 各地区学前三年毛入园率（%）"), if exactly one.

        The longest label wins, so 学前三年毛入园率 is not also read as a shorter alias.
        """
        norm = normalize_label(text)
        hits = [(len(k), codes) for k, codes in self._by_label.items() if len(k) >= 4 and k in norm and len(codes) == 1]
        hits += [(len(k), {v}) for k, v in self._extra.items() if len(k) >= 2 and k in norm]
        if not hits:
            return None
        longest = max(n for n, _ in hits)
        found = {c for n, codes in hits if n == longest for c in codes}
        return next(iter(found)) if len(found) == 1 else None

    def is_indicator_label(self, text: str) -> bool:
        code, cands = self.match(text)
        return code is not None or bool(cands)


def row_hash(cols: list[str]) -> pl.Expr:
    """A 63-bit hash of the row's values in ``cols``, to find distinct combinations on one integer.

    Each column is hashed with its own seed and the hashes are xor-ed: several times cheaper than
    ``pl.struct(cols).hash()`` on millions of rows, and the seeds keep ("a", "b") and ("b", "a")
    apart. Kept to 63 bits: pandera reports failing rows through a Series whose integer type it
    infers from the values, and a hash at or above 2**63 does not fit the Int64 it picks. (A
    collision among a file's rows stays as unlikely as ever: ~1e-7 for ten million rows.)
    """
    return functools.reduce(operator.xor, [pl.col(c).hash(seed=i + 1) for i, c in enumerate(cols)]) & _HASH_MASK


_HASH_MASK = (1 << 63) - 1


def _map_back(
    frame: pl.DataFrame, cols: list[str], fn: Callable[..., tuple[str | None, str | None]], out: tuple[str, str]
) -> pl.DataFrame:
    """Apply ``fn`` to each distinct combination of ``cols`` and map its two results back onto every row.

    Why hashing: the distinct combinations are found and mapped back through one
    63-bit hash per row, several times faster on millions of rows than joining on
    three string columns. (Two different combinations sharing a hash among the few
    thousand distinct ones of a file has a probability near 1e-13.)
    """
    frame = frame.with_columns(row_hash(cols).alias("_lkey"))
    # the first row of each combination, found on the integer alone (no string is hashed or compared again)
    distinct = frame.select(*cols, "_lkey").gather(frame["_lkey"].arg_unique())
    keys: list[int] = []
    first: list[str | None] = []
    second: list[str | None] = []
    for row in distinct.iter_rows():
        a, b = fn(*row[:-1])
        keys.append(row[-1])
        first.append(a)
        second.append(b)
    position = pl.col("_lkey").replace_strict(keys, list(range(len(keys))), return_dtype=pl.UInt32)
    results = pl.DataFrame({out[0]: first, out[1]: second}, schema={out[0]: pl.String, out[1]: pl.String})
    idx = frame.select(position.alias("_pos"))["_pos"]
    # a result that is null for every combination (no reason: all resolved) needs no gather
    return frame.drop("_lkey").with_columns(
        results[n].gather(idx) if results[n].null_count() < results.height else pl.lit(None, pl.String).alias(n)
        for n in out
    )


def resolve_indicators(
    frame: pl.DataFrame, matcher: IndicatorMatcher, *, code_col: str = "_ind_code_in", text_col: str = "_ind_text"
) -> pl.DataFrame:
    """Add ``indicator_code`` and ``_ind_reason`` (null when resolved)."""
    return _map_back(
        frame,
        [code_col, text_col],
        lambda code_in, text: _one_indicator(matcher, code_in, text),
        ("indicator_code", "_ind_reason"),
    )


def _one_indicator(matcher: IndicatorMatcher, code_in: str | None, text: str | None) -> tuple[str | None, str | None]:
    code_in = (code_in or "").strip()
    if code_in:
        if code_in in matcher.indicators:
            return code_in, None
        code, _ = matcher.match(code_in)
        if code is not None:
            return code, None
        return None, f"unknown indicator code {code_in!r} (not in seeds/indicators.csv)"
    if not (text or "").strip():
        return None, "no indicator (no indicator column, header or mapping)"
    code, cands = matcher.match(text)
    if code is not None:
        return code, None
    if cands:
        return None, f"ambiguous indicator {text!r}: candidates {', '.join(cands)}"
    return None, f"unknown indicator {text!r} (add it to aliases_zh in seeds/indicators.csv or to the mapping file)"


# --- regions ---------------------------------------------------------------------------


def clean_region_name(text: str | None) -> str:
    """Drop padding ("北  京"), indentation and footnote markers ("广东省①") a yearbook adds."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _WS_RE.sub("", t).strip(_QUOTES)
    return _FOOTNOTE_TAIL_RE.sub("", t)


def clean_region_code(text: str | None) -> str:
    """ "110000.0" (a number in Excel), " 110000 " → "110000"."""
    t = (text or "").strip()
    if re.fullmatch(r"\d+\.0+", t):
        t = t.split(".", 1)[0]
    return t


@dataclass(frozen=True, slots=True)
class RegionResolver:
    """Resolves distinct (name, code, parent) triples against the gazetteer."""

    index: RegionIndex
    province: str | None = None  # tie-breaker from the load (CLI --province or mapping)

    def one(self, name: str | None, code: str | None, parent: str | None) -> tuple[str | None, str | None]:
        """(region_code, None) or (None, reason)."""
        code = clean_region_code(code)
        if code:
            region = self.index.get(code)
            if region is None:
                return None, f"unknown region code {code!r}"
            return region.code, None
        name_c = clean_region_name(name)
        shown = (name or "").strip()  # reasons quote the cell as written
        if not name_c:
            return None, "no region (region name and code are empty)"
        try:
            return self.index.resolve(name_c).code, None
        except RegionNotFound:
            return None, f"unknown region {shown!r}"
        except AmbiguousRegion as exc:
            first = exc
        tried: list[str] = []
        for within in (clean_region_name(parent), self.province):
            if not within or within in tried:
                continue
            tried.append(within)
            try:
                return self.index.resolve(name_c, within=within).code, None
            except (RegionNotFound, AmbiguousRegion):
                continue
        listed = ", ".join(f"{r.name} ({r.code})" for r in first.candidates)
        hint = f" (not settled within {', '.join(tried)})" if tried else " (give a province column or --province)"
        return None, f"ambiguous region {shown!r}: candidates {listed}{hint}"

    def resolve_frame(self, frame: pl.DataFrame, *, name_col: str, code_col: str, parent_col: str) -> pl.DataFrame:
        """Add ``region_code`` and ``_region_reason`` (null when resolved)."""
        return _map_back(frame, [name_col, code_col, parent_col], self.one, ("region_code", "_region_reason"))
