"""Parse the numbers Chinese policy texts use.

* Arabic numerals with decimals and thousands separators (``1,122``; spaces were already
  joined by :mod:`loaders.documents.clean`), optionally scaled by ``万``/``亿`` (``12.6万``,
  ``1亿2700万``).
* Chinese numerals (``九十五``, ``一万``, ``两``, ``二〇二五``, ``百`` alone).
* ``百分之九十五`` → 95 (%), ``四分之一`` → 25 (%), ``翻一番`` → 2 (倍).

``cn2an.cn2an(token, "smart")`` does the Chinese-numeral arithmetic: it is the maintained
library for this, handles mixed forms (``1亿2700万``) and rejects malformed tokens instead of
guessing. ``cn2an.transform`` (free text) is NOT used: it rewrites text and changes its length,
which would break the character map, and it converts words like ``一律``/``三年`` that are not
quantities. We locate numeral tokens with our own bounded regexes and only hand the token to
cn2an. Results are cached because the same tokens repeat across documents.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

CN_DIGITS = "零〇一二两三四五六七八九"
CN_UNITS = "十百千万亿"
CN_NUM_CHARS = CN_DIGITS + CN_UNITS
_CN_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}

#: an Arabic number, maybe with thousands commas, decimals and a 万/亿 scale (bounded)
ARABIC = r"(?:\d{1,3}(?:,\d{3}){1,4}(?!\d)|\d{1,12})(?:\.\d{1,6})?(?:[万亿]{1,2}(?:\d{1,4}(?![\d.])万?)?)?"
#: a Chinese numeral token
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]{1,12}"
NUMBER = rf"(?:{ARABIC}|{CHINESE})"
NUMBER_RE = re.compile(NUMBER)


@lru_cache(maxsize=4096)
def parse_number(token: str) -> float | None:
    """Parse one numeral token (Arabic, Chinese or mixed with 万/亿); None if it is not one."""
    s = token.strip().replace(",", "")
    if not s:
        return None
    try:
        if re.fullmatch(r"\d{1,15}(?:\.\d{1,8})?", s):
            return float(s)
        m = re.fullmatch(r"(\d{1,12}(?:\.\d{1,8})?)([万亿])", s)
        if m:
            return float(m.group(1)) * (1e4 if m.group(2) == "万" else 1e8)
        m = re.fullmatch(r"(\d{1,12}(?:\.\d{1,8})?)亿(\d{1,4})万?", s)
        if m:
            return float(m.group(1)) * 1e8 + float(m.group(2)) * 1e4
        if s in ("百", "千", "万", "亿"):
            return {"百": 100.0, "千": 1000.0, "万": 1e4, "亿": 1e8}[s]
        if s in ("十",):
            return 10.0
        if all(c in _CN_DIGIT_VALUE for c in s) and len(s) > 1:  # 二〇二五
            return float("".join(str(_CN_DIGIT_VALUE[c]) for c in s))
        import cn2an

        v = float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError):
        return None
    return v if math.isfinite(v) else None


_PERCENT_CN = re.compile(rf"百分之({NUMBER}(?:点[零〇一二三四五六七八九]{{1,4}})?)")
_FRACTION_CN = re.compile(rf"({CHINESE})分之({CHINESE})")


def parse_percent_words(text: str) -> float | None:
    """``百分之九十五`` → 95.0; ``四分之一`` → 25.0; else None."""
    m = _PERCENT_CN.fullmatch(text)
    if m:
        tok = m.group(1)
        if "点" in tok:
            whole, frac = tok.split("点", 1)
            w = parse_number(whole)
            if w is None:
                return None
            return float(f"{int(w)}.{''.join(str(_CN_DIGIT_VALUE[c]) for c in frac)}")
        return parse_number(tok)
    m = _FRACTION_CN.fullmatch(text)
    if m:
        den, num = parse_number(m.group(1)), parse_number(m.group(2))
        if den and num is not None:
            return round(num / den * 100, 6)
    return None


def is_finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)
