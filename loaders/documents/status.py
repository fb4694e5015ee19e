"""Target or actual, and the year a value applies to.

A value is an *actual* (a measured, reported value) when the language marks it as reached:
cue words in its clause or an earlier clause of the sentence (已/目前/截至/累计, carried until a
future cue such as 将/计划/要), a review section (“十三五”回顾, 发展基础), a stretch opened by a
past plan period (十二五期间), an as-of date (截至2016年底), a past year, ``由X提高到Y``, or a
news/report paragraph without any future cue. Otherwise it is a *target*.

Years: the nearest explicit year before the number in the sentence (a deadline, a point, a year
range's end, a plan period's end, a relative span counted from the document year), else one
carried over a semicolon in the same paragraph, else the document's default year (the annual
plan's year, the plan period's last year, the goal deadline). Actuals take the measured year
(the review period's end; a baseline ``由X`` takes the period start or the stated base year).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

import cython

from loaders.documents import lexicon as lx
from loaders.documents.mentions import Mention
from loaders.documents.model import DocumentMeta
from loaders.documents.scan import char_positions
from loaders.documents.years import PLAN_PERIODS, YearMention

# precompiled patterns used in the hot paths below
_RX1 = re.compile("(十[一二三四五]?五)”?(?:时期|期间|以来|规划实施以来|末)")
_RX2 = re.compile("(?:与|比|较)(?:19|20)\\d\\d年(?:相比|同期)?")
_RX3 = re.compile("由[^,，。]{0,6}\\d")
_RX4 = re.compile("提高到|提高至|增加到|增加至|上升到|上升至|下降到|下降至")

_REVIEW_RE = re.compile("|".join(lx.REVIEW_HEADINGS))
_GOAL_RE = re.compile("|".join(lx.GOAL_HEADINGS))
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.]|[(（][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]{1,3}[章节部分])"
)


@cython.dataclasses.dataclass
@cython.cclass
class Para:
    """Reading state of the current paragraph (what carries from sentence to sentence)."""

    actual: cython.bint = False
    future: cython.bint = False
    carry_year: tuple[int, str] | None = None
    carry_state: str | None = None
    carry_base: int | None = None


@cython.dataclasses.dataclass
@cython.cclass
class DocContext:
    """What every sentence of one document is read against."""

    text: str
    meta: DocumentMeta
    doc_region: str | None
    doc_region_obj: Any
    doc_year: int | None
    default_year: int | None
    review_spans: list[tuple[int, int]]
    period_spans: list[tuple[int, int, int]]
    headings: list[tuple[int, Any]] = cython.dataclasses.field(default_factory=list)
    heading_starts: list[int] = cython.dataclasses.field(default_factory=list)  # for bisection
    places: list[tuple[int, int, Any]] | None = None
    place_starts: list[int] = cython.dataclasses.field(default_factory=list)
    period_starts: list[int] | None = None  # period_spans' starts, for bisection (made on first use)
    # per sentence span: its cue words (see _sentence_cues)
    sentence_cues: dict[tuple[int, int], tuple[bool, bool, bool, bool]] = cython.dataclasses.field(default_factory=dict)


def review_spans(text: str) -> list[tuple[int, int]]:
    """Spans of review sections (十三五回顾, 发展基础 ...): values there are actuals."""
    spans: list[tuple[int, int]] = []
    pos = 0
    open_at: int | None = None
    for line in text.split("\n"):
        ln = line.strip()
        heading = len(ln) <= 40 and ln[:1] in "一二三四五六七八九十(（第" and _HEADING.match(ln) is not None
        if heading or (len(ln) <= 20 and "。" not in ln and "；" not in ln):
            if _REVIEW_RE.search(ln) and not _GOAL_RE.search(ln.replace("成绩与经验", "")):
                if open_at is None:
                    open_at = pos
            elif heading and _GOAL_RE.search(ln) and open_at is not None:
                spans.append((open_at, pos))
                open_at = None
        pos += len(line) + 1
    if open_at is not None:
        spans.append((open_at, len(text)))
    return spans


# Every alternative of the cue patterns opens with a literal character (a lookbehind comes after
# its character: 要(?<!重要) is (?<!重)要), so the regex engine can skip ahead to a cue's first
# character instead of trying every position.
_TARGET_CUE = re.compile(
    r"力争|确保|计划|要(?<![重主需必只纲]要)(?![求点素闻])|拟|预计|争取|目标|到20\d\d|至(?<!截至)20\d\d|年前|年底前"
    r"|未来|今后|努力|逐步|应当|力求|将(?!军)"
)
_CLAUSE_ACTUAL = re.compile(r"已经|已|目前|现有|截至|截止|累计|实施以来|以来")
_CLAUSE_TARGET = re.compile(
    r"将(?!军)|计划|要(?<![重主需必只纲]要)(?![求点素闻])|力争|确保|争取|拟|预计|此次|今后|未来|目标"
    r"|再(?=新建|新增|建|增加|扩|改|培育|培养|招聘|创建|打造|提高|提升|完成|认定|遴选)"
)
TITLE_REF = re.compile(r"《[^《》\n]{0,60}》")
FUTURE = re.compile(r"将(?!军)|计划|预计|力争|确保|今年|今秋|今春|未来|拟|争取|到20\d\d|至(?<!截至)20\d\d|年前|年底前")


@cython.cfunc
def _period_at(ctx: DocContext, pos: int) -> tuple[int, int, int] | None:
    """The last of the period spans holding ``pos``, by bisection: the spans (from
    :func:`period_spans`) are in text order and each runs to the end of its line, so if any span
    holds ``pos``, the last one starting at or before ``pos`` does."""
    if ctx.period_starts is None:
        ctx.period_starts = [p[0] for p in ctx.period_spans]
    k = bisect.bisect_right(ctx.period_starts, pos) - 1
    if k >= 0 and pos < ctx.period_spans[k][1]:
        return ctx.period_spans[k]
    return None


@cython.cfunc
def _past_period(ctx: DocContext, pos: int) -> bool:
    """Inside a stretch opened by a plan period that ended before the document's own period."""
    per = _period_at(ctx, pos)
    if per is None:
        return False
    ref = ctx.meta.plan_start_year or ctx.doc_year
    return ref is None or per[2] < ref


def clause_status(text: str, s_lo: int, pos: int) -> str | None:
    """Actual/target read from cue words in the clauses of the sentence up to ``pos``: a
    clause with 已/目前/截至 opens a stretch of reported values that runs until a clause
    with a future cue (将/计划/要)."""
    state = None
    s_lo = max(s_lo, pos - 300)
    start = s_lo
    for i in char_positions(text, ",，:：", s_lo, pos):
        state = _update_state(text[start:i], state)
        start = i + 1
    return _update_state(text[start:pos], state)


@cython.cfunc
def _update_state(clause: str, state: str | None) -> str | None:
    cue = _clause_cue(clause)
    if cue == "cumulative" and state == "actual":
        return state  # 2021年以来,累计新增学位…: the total since a past year was reached
    return cue or state


@lru_cache(maxsize=16384)
def _clause_cue(clause: str) -> str | None:
    """ "actual"/"target" by the clause's own cue words, None without one. Every mention reads
    the clauses of its sentence before it again, so the same short clauses come back: a pure
    function of the clause, memoised."""
    a = _CLAUSE_ACTUAL.search(clause)
    t = _CLAUSE_TARGET.search(clause)
    if a and (not t or a.start() > t.start()):
        if a.group(0) == "累计" and _CLAUSE_ACTUAL.search(clause, a.end()) is None:
            return "cumulative"  # 累计 alone: a reported total, or a plan's total to reach
        return "actual"
    if t:
        return "target"
    return None


@cython.cfunc
def _sentence_cues(ctx: DocContext, s_lo: int, s_hi: int) -> tuple[bool, bool, bool, bool]:
    """The sentence's target cue, 与/比/较-year base, 由…N and 提高到-type words: the same for every
    number of the sentence, so found once per sentence (kept on the document's context)."""
    key = (s_lo, s_hi)
    found = ctx.sentence_cues.get(key)
    if found is None:
        sentence = ctx.text[s_lo:s_hi]
        found = (  # (each pattern only where the text holds a character its matches need)
            bool(_TARGET_CUE.search(sentence)),
            "年" in sentence and bool(_RX2.search(sentence)),
            "由" in sentence and bool(_RX3.search(sentence)),
            ("到" in sentence or "至" in sentence) and bool(_RX4.search(sentence)),
        )
        ctx.sentence_cues[key] = found
    return found


_CLAUSE_MARKS = frozenset(",，;；:：")


@cython.cfunc
def _heads_later_clause(text: str, pos: int, y: YearMention) -> bool:
    """A deadline that opens a later clause (…新增学位3.5万个,到2023年底前全面消除大班额) heads
    what follows it; only a trailing one (…新增学位3000个,2023年底前完成) looks back."""
    return text[y.start : y.start + 1] in ("到", "至") and not _CLAUSE_MARKS.isdisjoint(text[pos : y.start])


@cython.cfunc
def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """``pos`` lies in one of ``spans`` (``any(a <= pos < b for a, b in spans)``)."""
    for a, b in spans:
        if a <= pos < b:
            return True
    return False


def status_and_year(
    ctx: DocContext, s_lo: int, s_hi: int, m: Mention, years: list[YearMention], para: Para
) -> tuple[str, int | None]:
    text: str = ctx.text
    before = [y for y in years if y.end <= m.start and y.kind != "baseline"]
    after_years = [y for y in years if y.start >= m.end and y.kind != "baseline"]
    in_review = _inside(ctx.review_spans, m.start)
    doc_year = ctx.doc_year
    cue_target, rx2, rx3, rx4 = _sentence_cues(ctx, s_lo, s_hi)
    year = None
    kind = None
    if before:
        year, kind = before[-1].year, before[-1].kind
    elif after_years and after_years[0].kind in ("deadline",) and not _heads_later_clause(text, m.end, after_years[0]):
        year, kind = after_years[0].year, after_years[0].kind
    elif para.carry_year is not None:
        year, kind = para.carry_year
    status = "target"
    ref_year = doc_year or ctx.meta.plan_start_year
    clause_state = clause_status(text, s_lo, m.start) or para.carry_state
    if clause_state == "cumulative":
        # 累计 names a total; in a plan, over its own period or with no year, the total is to reach
        # (“十四五”期间,累计培训校长、教师20万人次); in a report, or for a past year, it was reached
        planned = ctx.meta.doc_type not in ("news", "report", "other") and not in_review
        clause_state = "target" if planned and (year is None or ref_year is None or year >= ref_year) else "actual"
    explicit_base = rx2 or para.carry_base is not None
    has_baseline = rx3 or "baseline" in [y.kind for y in years]
    reported = (
        m.baseline
        or (has_baseline and rx4)
        or kind == "asof"
        or (explicit_base and ctx.meta.doc_type in ("news", "report", "other") and not cue_target)
        or (kind is None and _past_period(ctx, m.start))
        or in_review
        or para.actual
        or clause_state == "actual"
        or (
            kind in ("point", "period")
            and year is not None
            and ref_year is not None
            and year < ref_year
            and not cue_target
        )
        or (kind == "period" and year is not None and ctx.meta.plan_start_year and year < ctx.meta.plan_start_year)
        or (ctx.meta.doc_type in ("news", "report") and not para.future and clause_state is None and not cue_target)
    )
    if reported:
        status = "actual"
    if status == "actual":
        if kind in ("deadline", "relative") and year is not None and ref_year and year > ref_year:
            year = None
        if m.baseline:
            base = [y for y in years if y.kind == "baseline"]
            per = _period_at(ctx, m.start)
            if base:
                return status, base[0].year
            if para.carry_base is not None:
                return status, para.carry_base
            if per is not None:
                return status, per[2] - 5
            if in_review and ctx.meta.plan_start_year:
                return status, ctx.meta.plan_start_year - 6
            return status, None
        if year is None:
            per = _period_at(ctx, m.start)
            if per is not None:
                year = per[2]
            elif in_review and ctx.meta.plan_start_year:
                year = ctx.meta.plan_start_year - 1
            elif has_baseline or explicit_base:
                year = None  # the current value of a comparison whose date the text does not give
            else:
                year = doc_year
        return status, year
    if year is None or (kind == "point" and ref_year and year < ref_year):
        year = ctx.default_year
    return status, year


def period_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, year) for stretches introduced by a past plan period (十三五期间 → 2020)."""
    out = []
    for m in _RX1.finditer(text):
        if m.group(1) not in PLAN_PERIODS:
            continue
        end = text.find("\n", m.end())
        out.append((m.start(), end if end >= 0 else len(text), PLAN_PERIODS[m.group(1)][1]))
    return out
