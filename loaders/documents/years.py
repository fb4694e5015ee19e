"""Time expressions in Chinese policy texts.

* explicit years: ``到2025年``, ``至2025年``, ``2025年前``, ``2023年底前``, ``2009年末``, ``2021年起``
* plan periods: ``十四五`` → 2021–2025 (``十四五末`` → 2025; ``十三五期间`` → 2020 for results)
* year ranges: ``2021—2025年``, ``(2016-2020)``
* relative spans: ``三年内``, ``未来三年``, ``今后五年`` → document year + n - 1 (the document
  year counts as year one, as the gold reads 今后五年 in a 2023 plan as 2027); ``今年``/``今秋``
  → the document year; ``明年`` → +1.
* baselines that are NOT target years: ``在2020年基础上``, ``较2020年``, ``比2015年``,
  ``与2014年相比``.

All patterns are bounded; nothing here backtracks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from loaders.documents.numbers import parse_number
from loaders.documents.scan import char_positions, holds_any

PLAN_PERIODS: dict[str, tuple[int, int]] = {
    "十五": (2001, 2005),
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
    "十五五": (2026, 2030),
}
_CN_SMALL = "一二两三四五六七八九十"


class YearMention(NamedTuple):
    """A time expression: ``text[start:end]`` names ``year`` (a tuple: cheap to make, and made
    for every year of every sentence read)."""

    start: int
    end: int
    year: int
    kind: str  # deadline | asof | point | range_end | period | relative | baseline


_YEAR = r"((?:19|20)\d\d)"
# a four-digit number followed by a counter is a quantity, not a year (小学达到2000元以上,
# 2000-2500人): where 年 may be left out, either 年 follows or no counter does
_QTY = r"(?:[\d.%％]|[元人所个名万亿千百册间台套项门次班张辆座块亩倍]|平方|学时|课时|小时|学分)"
_YEAR_NIAN = r"(?:\s{0,1}年|(?!\s{0,1}" + _QTY + r"))"
# (pattern, kind, gate): every match of the pattern holds one of the gate's strings, so a text
# holding none of them is not scanned (each scan tests every position of the text)
_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        re.compile(
            r"(?:在|以|较|比|与|同)" + _YEAR + _YEAR_NIAN + r"(?:底|末)?(?:的)?(?:基础上|为基数|相比|同期|水平)?"
        ),
        "baseline?",
        ("在", "以", "较", "比", "与", "同"),
    ),
    (re.compile(_YEAR + r"\s{0,1}[-—–~～至到]\s{0,1}" + _YEAR + _YEAR_NIAN), "range", tuple("-—–~～至到")),
    (re.compile(r"(?:截至|截止到?|截止至)\s{0,1}" + _YEAR + _YEAR_NIAN + r"(?:\d{1,2}月)?(?:底|末)?"), "asof", ("截",)),
    (
        re.compile(r"(?:到|至|力争到|预计到|计划到)\s{0,1}" + _YEAR + _YEAR_NIAN + r"(?:底|末|年底|年末)?"),
        "deadline",
        ("到", "至"),
    ),
    (re.compile(_YEAR + r"\s{0,1}年(?:\d{1,2}月)?(?:底|末)?(?:前|以前|之前)"), "deadline", ("前",)),
    (re.compile(_YEAR + r"\s{0,1}年(?:底|末|度)?"), "point", ("年",)),
    # = (?<![\d.])((?:19|20)\d\d)(?![\d.%]), the lookbehind placed after the first two digits so the
    # pattern opens with a literal and the engine skips ahead to the next 1 or 2
    (re.compile(r"((?:19|20)(?<![\d.]\d\d)\d\d)(?!" + _QTY + r")"), "bare", ("19", "20")),
)
_PERIOD = re.compile(r"(十[一二三四五]?五)(?:规划)?(?:”)?(?:时期|期间|末|以来|期末)?")
_RELATIVE = re.compile(
    r"(?:未来|今后|近|在|用)?(["
    + _CN_SMALL
    + r"\d]{1,2})年(?:内|之内|时间|间)|(?:未来|今后)(["
    + _CN_SMALL
    + r"\d]{1,2})年"
)
_THIS_YEAR = re.compile(r"今年|本年度|当年|今秋|今春|年内(?<![一二两三四五六七八九十\d]年内)|明年|去年")
_BASELINE_TAIL = re.compile(r"^(?:年?(?:底|末)?(?:的)?)(?:基础上|为基数|相比|同期)")


_YEAR_TO_YEAR = re.compile(_YEAR + r"\s{0,1}[-—–~～至到]\s{0,1}" + _YEAR)
# before a bare year that counts: an opening quote or title mark, or 中国 (健康中国2030)
_TITLED_BEFORE = re.compile(r"(?:[“《\"]|中国)[^，,。；;]{0,4}$")


def plan_period(text: str) -> tuple[int, int] | None:
    """The plan period a phrase names (``十四五`` → (2021, 2025)), else None."""
    m = _PERIOD.search(text)
    if m and m.group(1) in PLAN_PERIODS:
        return PLAN_PERIODS[m.group(1)]
    m = _YEAR_TO_YEAR.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if 0 < b - a <= 15:
            return a, b
    return None


# (every alternative opens with a literal character, so the engine skips ahead to the next one)
_ANY_TIME = re.compile(
    r"19\d\d|20\d\d|十[一二三四五]?五|年内|年之内|未来|今后|今年|明年|去年|当年|今秋|今春|本年度|年时间|年间"
)


_ANY_TIME_GATE = ("年", "19", "20", "十", "未", "今")  # what every match of _ANY_TIME holds one of


def _relative_matches(text: str) -> Iterator[re.Match[str]]:
    """``_RELATIVE.finditer(text)``, without trying the pattern at every position (it opens with
    an optional group, so the engine cannot skip ahead): every match holds a 年 at most four
    characters after its start and ends at most two after it, so the pattern is only tried in a
    window around each 年. A match starting at or before that 年 is the leftmost one not yet
    found (its 年 cannot be an earlier one, whose windows held none, nor a later one: nothing
    between a match's start and its 年 is a 年)."""
    floor = scan = 0
    while True:
        j = text.find("年", scan)
        if j < 0:
            return
        m = _RELATIVE.search(text, max(floor, j - 4), j + 3)
        if m is not None and m.start() <= j:
            yield m
            floor = m.end()
            scan = max(floor, j + 1)
        else:
            scan = j + 1


def _year_windows(text: str) -> list[tuple[int, int]]:
    """The stretches of a long text where a match of _PATTERNS can be: every match holds a year
    token (the range pattern two) and reaches at most 4 characters before its first one (截止至
    or 力争到 and a space) and 17 after it, lookaheads included; so each token's window
    ``[token - 6, token + 24)``, overlapping windows merged, holds every match, and a pattern's
    ``finditer`` over the windows in turn yields its ``finditer`` over the whole text (a match
    that began in one window and ended in the next would join them). Scanning ~60 characters a
    year instead of the whole text for each of the seven patterns."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for i in char_positions(text, "12"):  # (tokens: "19"/"20" and two digits, (?:19|20)\d\d)
        if not (text.startswith(("19", "20"), i) and len(d := text[i + 2 : i + 4]) == 2 and d.isdecimal()):
            continue
        lo, hi = max(0, i - 6), min(n, i + 24)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


_UP_TO_DEADLINES = 5  # _PATTERNS[:5] hold every pattern up to the last deadline one


def find_years(text: str, doc_year: int | None = None, deadlines_only: bool = False) -> list[YearMention]:
    """Year expressions in ``text``, left to right, non-overlapping.

    ``deadlines_only``: the deadlines are exact, and other kinds may be missing (the patterns
    after the last deadline one, which can only take what is still free, are not run)."""
    if not holds_any(text, _ANY_TIME_GATE) or not _ANY_TIME.search(text):
        return []
    found: list[YearMention] = []
    used = bytearray(len(text) + 1)  # positions already part of a year expression

    def free(s: int, e: int) -> bool:
        return used.find(1, s, e) < 0

    def take(s: int, e: int) -> None:
        used[s:e] = b"\x01" * (e - s)

    has_year = "19" in text or "20" in text  # every pattern of _PATTERNS holds a year
    windows = _year_windows(text) if has_year and len(text) > 400 else [(0, len(text))]
    for pat, kind, gate in (_PATTERNS[:_UP_TO_DEADLINES] if deadlines_only else _PATTERNS) if has_year else ():
        if not holds_any(text, gate):
            continue
        for m in (m for lo, hi in windows for m in pat.finditer(text, lo, hi)):
            s, e = m.span()
            if not free(s, e):
                continue
            if kind == "baseline?":
                tail = text[e - 3 : e + 6]
                if not (
                    m.group(0).startswith(("较", "比", "与", "同"))
                    or "基础" in m.group(0)
                    or "基础上" in tail
                    or "为基数" in m.group(0)
                ):
                    continue
                found.append(YearMention(s, e, int(m.group(1)), "baseline"))
            elif kind == "range":
                a, b = int(m.group(1)), int(m.group(2))
                if not 0 < b - a <= 20:
                    continue
                found.append(YearMention(s, e, b, "range_end"))
            elif kind == "bare":
                # a bare year only counts inside a title or quote (健康中国2030) or before a date
                before = text[max(0, s - 8) : s]
                if not _TITLED_BEFORE.search(before):
                    continue
                found.append(YearMention(s, e, int(m.group(1)), "point"))
            else:
                found.append(YearMention(s, e, int(m.group(1)), kind))
            take(s, e)
    if deadlines_only:
        found.sort(key=lambda y: y.start)
        return found
    for m in _PERIOD.finditer(text) if "五" in text else ():
        s, e = m.span()
        if m.group(1) in PLAN_PERIODS and free(s, e):
            end = PLAN_PERIODS[m.group(1)][1]
            if m.group(0).endswith("以来"):
                # 十四五以来 in 2024: what was done since the period began, as of now
                found.append(YearMention(s, e, doc_year or end, "asof"))
            else:
                found.append(YearMention(s, e, end, "period"))
            take(s, e)
    if doc_year:
        for m in _relative_matches(text):
            s, e = m.span()
            n = parse_number(m.group(1) or m.group(2) or "")
            if n is None or not 1 <= n <= 15 or not free(s, e):
                continue
            # 任教1年以上 / 每3年 are conditions and cycles; 校长5年内 is a per-person span
            prev = text[max(0, s - 1) : s]
            if prev in ("每", "教", "龄", "满", "第") or (
                prev
                and prev not in "，,；;。：:在内是\n力争计划要将"
                and not m.group(0).startswith(("未来", "今后", "在", "用"))
            ):
                continue
            found.append(YearMention(s, e, doc_year + int(n) - 1, "relative"))
            take(s, e)
        for m in _THIS_YEAR.finditer(text):
            s, e = m.span()
            if not free(s, e):
                continue
            w = m.group(0)
            y = doc_year + 1 if w == "明年" else doc_year - 1 if w == "去年" else doc_year
            found.append(YearMention(s, e, y, "relative" if w != "去年" else "point"))
            take(s, e)
    found.sort(key=lambda y: y.start)
    return found
