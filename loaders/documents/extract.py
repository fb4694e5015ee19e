"""Extract quantitative targets and reported actuals from cleaned policy text.

``extract_targets(clean_text, meta, doc_id) -> list[Target]``

How it reads the text (see GUIDELINES.md for what a record is):

1. The text is cut into sentences (。；！？ and line breaks) and clauses (，：).
2. Quantity mentions come from :mod:`loaders.documents.mentions` (number + counter or %,
   with the non-goal numbers — years, ordinals, ages, conditions, scope counts — dropped).
3. Each mention gets a comparator (suffix 以上/以内/左右 first, then the nearest prefix word;
   a comparator at the head of a 、-list carries to the later items), an indicator phrase
   (:mod:`loaders.documents.phrases`), list splitting here (``小学、初中入学率``, ``福田、罗湖各…``,
   one-to-one ``8%、12%、15%`` lists, ``分别占…的55%、59.1%``, ``其中高中200人``), a region
   (a place named in the clause or a heading line, else the document's), and a status and
   year (:mod:`loaders.documents.status`).
4. Repeats are counted once: the same record twice, a figure restated after a title or
   heading gave it, and a comparison back to a stated goal (``要实现95%的目标``, ``低于92%``).
5. Constructions read as wholes: a numbered slogan over its listed parts (``实现A、B、C“三个100%”``
   → three 100 % targets), a measure named before a colon for the stages after it
   (``生均教学仪器设备值:小学达到2000元以上、初中达到2500元以上``), a later 分别 list taking the
   stages named earlier in its sentence, places sharing one value (``甘孜州、阿坝州达到85%以上``),
   and schools planned by residential size (``1万人以上规模的住宅区…配套建设1所24班规模的小学``).

No rule names a document or copies a sentence; every regex is bounded (no nested unbounded
quantifiers), so adversarial input cannot make it backtrack.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from typing import Any

import cython

from loaders.documents import lexicon as lx
from loaders.documents.clean import CleanText
from loaders.documents.mentions import Mention, find_mentions, prefix_comparator
from loaders.documents.metadata import prefecture_of, province_of
from loaders.documents.model import DocumentMeta, Target
from loaders.documents.numbers import parse_number
from loaders.documents.phrases import (
    YEAR_PHRASE,
    after_phrase,
    good_after,
    indicator_code,
    strip_leading_verbs,
    strip_phrase,
)
from loaders.documents.places import candidates, display_name, find_places, is_within, region_index
from loaders.documents.scan import char_positions, clause_end, clause_start, endswith_re
from loaders.documents.status import (
    FUTURE,
    TITLE_REF,
    DocContext,
    Para,
    clause_status,
    period_spans,
    review_spans,
    status_and_year,
)
from loaders.documents.tables import table_rows, table_values
from loaders.documents.years import YearMention, find_years

# precompiled patterns used in the hot paths below
_RX0 = re.compile("\\d{1,2}月\\d{1,2}日电")
_RX2 = re.compile("(?:均|都|全部|分别)$")
_RX3 = re.compile("[,，]")
_RX4 = re.compile(
    "(?:比|较)(?:上年|去年|上一年|同期|(?:19|20)\\d\\d年)|同比|增长|增加|提高|上升|下降|减少|降低|高于|低于"
)
_RX5 = re.compile("^为?(?:基础|标准|基数|依据)")
_RX6 = re.compile("^.{0,12}?(?:目前|现在|此外|其中)")
_RX7 = re.compile("^(?:每名|每位|每个|每所)")
_RX8 = re.compile("[一二两三四五六七八九十\\d]{1,2}年(?:内|之内)|完成|为期")
_RX9 = re.compile("(?:人均|生均|每生|每人|户均|校均|班均)$")
_RX10 = re.compile("分别(?:占|为|是)?([\\u4e00-\\u9fff]{1,10}?)的?$")
_RX12 = re.compile("^\\s{0,2}((?:19|20)\\d\\d)年[,，]")
_RATE_ENDINGS = ("率", "比例", "占比")
_RX14 = re.compile("^(?:完成|用于|培养认定|培养|认定|自主|实施)")
_RX15 = re.compile("[,，]?(?:并|再|又)?(?:提高|提升|增加|增长|上升|下降|降低|减少)?(?:到|至)")
_RX16 = re.compile("(?:人数|数量|比例|率|占比|规模)$")
_RX17 = re.compile("的$")
_RX18 = re.compile("(?:达标率|合格率|优良率|优秀率|入学率|巩固率|覆盖率|普及率|率)$")
_RX19 = re.compile("[、和及]")
_RX20 = re.compile("投入|投资|资金|支出|拨付|花费")
_RX22 = re.compile("^[^,，]{0,3}各")
_RX24 = re.compile("率|比例|占比")
_RX25 = re.compile("率|比例|比|占|面|数|水平|程度|份额|增长|增加|提高")
_RX26 = re.compile("(?<!不)(?:低于|高于|超过)$")  # (不超过 is a comparator, not a comparison)
_RX27 = re.compile("^[,，、(（]?[\\u4e00-\\u9fff()（）]{0,5}$")
_RX28 = re.compile("^的比例")
_RX29 = re.compile("^[,，]")
_RX30 = re.compile("(?:计划|将|要|可|共|还|其中|此外|另外)")
_RX31 = re.compile("[。；;,，、]")
_RX32 = re.compile("已|已经")

# ----------------------------------------------------------------------------------------
# mention regex
_SENT_MARKS = "。；;！!？?\n"  # what ends a sentence
_LIST_ITEM = re.compile(
    r"[ \t]*(?:\d{1,2}[.、．)）](?!\d)|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}是|[①-⑳])"
)
_CLAUSE_END = re.compile(r"[。；;！!？?\n,，:：]")
_HARD_STOP = set("。；;！!？?\n")
_CLAUSE_STOP = set("。；;！!？?\n,，:：")
_PHRASE_STOP = set('。；;！!？?\n,，:：()（）《》“”"[]【】、')
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cython.dataclasses.dataclass
@cython.cclass
class Record:
    """A value read with its indicator, region, status and year (a Cython dataclass, as Mention)."""

    mention: Mention
    indicator: str
    region: str | None
    region_code: str | None
    status: str
    year: int | None
    ev_start: cython.Py_ssize_t
    ev_end: cython.Py_ssize_t
    extra_regions: list[Any] = cython.dataclasses.field(default_factory=list)


# ----------------------------------------------------------------------------------------
# helpers
_MAX_SENTENCE = 1200


@cython.cfunc
def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; a run-on "sentence" longer than _MAX_SENTENCE chars is cut at clause
    marks (or hard, if it has none) so that per-sentence work stays linear."""
    out = []
    start = 0
    spans = []
    for i in char_positions(text, _SENT_MARKS):  # (str.find per mark: memory speed)
        if i > start:
            spans.append((start, i))
        start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    for lo, hi in spans:
        while hi - lo > _MAX_SENTENCE:
            cut = max(text.rfind(",", lo, lo + _MAX_SENTENCE), text.rfind("，", lo, lo + _MAX_SENTENCE))
            cut = cut if cut > lo else lo + _MAX_SENTENCE
            out.append((lo, cut))
            lo = cut + 1 if text[cut : cut + 1] in (",", "，") else cut
        if hi > lo:
            out.append((lo, hi))
    return out


@cython.cfunc
def _in_year(years: list[YearMention], pos: int) -> bool:
    """``pos`` lies inside one of the year expressions."""
    for y in years:
        if y.start <= pos < y.end:
            return True
    return False


@cython.cfunc
def _opens_qizhong(s: str) -> bool:
    """``re.match("[,，(（]?其中", s)``: the stretch opens a 其中 part."""
    return s.startswith("其中") or (s[:1] in (",", "，", "(", "（") and s.startswith("其中", 1))


@cython.cfunc
def _place_hits(text: str, lo: int, hi: int, ctx: DocContext) -> list[tuple[int, int, Any]]:
    """Places named in ``text[lo:hi]`` that lie inside the document's region (a place outside it
    counts only when fully named, e.g. a quoted national or provincial plan)."""
    out = []
    container = ctx.doc_region_obj
    if text is not ctx.text:
        hits = [(s + lo, e + lo, h) for s, e, h in find_places(text[lo:hi], container)]
    else:
        if ctx.places is None:
            ctx.places = find_places(text, container)
            ctx.place_starts = [h[0] for h in ctx.places]
        i = bisect.bisect_left(ctx.place_starts, lo)
        hits = []
        while i < len(ctx.places) and ctx.places[i][1] <= hi:
            hits.append(ctx.places[i])
            i += 1
    for s, e, hit in hits:
        s, e = s - lo, e - lo
        cands = [c for c in candidates(hit) if getattr(c, "level", "") != "country"]
        if not cands:
            continue
        if text[lo + e : lo + e + 1].isdecimal() and _RX0.match(text[lo + e : lo + e + 8]):
            continue  # a news dateline (北京7月28日电) is not where the value applies
        name = text[lo + s : lo + e]
        chosen = None
        inside = [c for c in cands if container is not None and is_within(c, container) and c.code != container.code]
        if inside:
            chosen = inside[0] if len(inside) == 1 else None
        elif container is not None and any(c.code == container.code for c in cands):
            chosen = None  # the document region itself
        elif container is None and ctx.doc_region and len(cands) == 1 and cands[0].name == name:
            chosen = None if ctx.doc_region.endswith(cands[0].name) else cands[0]
        elif len(name) >= 3 and len(cands) == 1 and name == cands[0].name and container is not None:
            chosen = cands[0] if not is_within(container, cands[0]) else None
        if chosen is not None:
            out.append((lo + s, lo + e, chosen))
    return out


@cython.cfunc
def _heading_regions(text: str, ctx: DocContext) -> list[tuple[int, Any]]:
    """Lines (or line starts) that are only a place name: what follows is about that place."""
    out: list[tuple[int, Any]] = []
    pos: cython.Py_ssize_t = 0
    k: cython.Py_ssize_t = 0
    _place_hits(text, 0, 0, ctx)  # (finds the document's places, ctx.places)
    starts: list[int] = ctx.place_starts
    n_places: cython.Py_ssize_t = len(starts)
    for line in text.split("\n"):
        ln = line.strip()
        while k < n_places and starts[k] < pos:
            k += 1
        if 2 <= len(ln) <= 40 and k < n_places and starts[k] < pos + len(line):  # (a place in the line)
            hits = _place_hits(text, pos, pos + len(line), ctx)
            lead = pos + line.find(ln)
            if hits and hits[0][0] == lead and (hits[0][1] - hits[0][0] >= len(ln) - 1):
                out.append((pos, hits[0][2]))
        if not ln:
            out.append((pos, None))
        pos += len(line) + 1
    return out


def extract_targets(clean_text: CleanText | str, meta: DocumentMeta, doc_id: str) -> list[Target]:
    """Every target and actual in the document, in text order."""
    ct = clean_text if isinstance(clean_text, CleanText) else CleanText(clean_text, list(range(len(clean_text))))
    text: str = ct.text
    doc_region_obj = None
    if meta.region_code:
        try:
            doc_region_obj = region_index().get(meta.region_code)
        except Exception:
            doc_region_obj = None
    ctx = DocContext(
        text=text,
        meta=meta,
        doc_region=meta.region,
        doc_region_obj=doc_region_obj,
        doc_year=meta.extra.get("doc_year"),
        default_year=meta.extra.get("default_year"),
        review_spans=review_spans(text),
        period_spans=period_spans(text),
    )
    ctx.headings = _heading_regions(text, ctx)
    ctx.heading_starts = [h[0] for h in ctx.headings]
    records: list[Record] = []
    all_mentions = find_mentions(text, 0, len(text))
    starts = [m.start for m in all_mentions]
    para_start = -1
    para = Para()
    newlines = char_positions(text, "\n")
    rows = table_rows(text)
    row_starts = [r[0] for r in rows]
    if rows:
        records.extend(_table_records(ctx))
    scope: _Scope | None = None
    # a deadline on a line that ends with a colon (到2027年,…在以下方面均达到要求:) holds for the
    # numbered items after it
    list_year: tuple[int, str] | None = None
    lead_line = -1  # the line that gave list_year
    slogans = "个百分之百" in text or "个100%" in text  # (looked for per sentence only if present)
    cut_off = "截" in text  # (截至…: a sentence that may carry a date to the next)
    n: cython.Py_ssize_t = len(text)
    s_lo: cython.Py_ssize_t
    s_hi: cython.Py_ssize_t
    p_start: cython.Py_ssize_t
    # the sentences come in text order, so the newline, mention and table-row positions that
    # bisection would give are found by moving three cursors forward
    nl_i: cython.Py_ssize_t = 0  # newlines[nl_i] is the first line break at or after the sentence
    m_lo: cython.Py_ssize_t = 0  # all_mentions[m_lo:m_hi] start inside the sentence
    m_hi: cython.Py_ssize_t = 0
    row_i: cython.Py_ssize_t = -1  # rows[row_i] is the last table row starting at or before it
    n_lines: cython.Py_ssize_t = len(newlines)
    n_mentions: cython.Py_ssize_t = len(starts)
    n_rows: cython.Py_ssize_t = len(row_starts)
    scope_marks = char_positions(text, "中里")  # (where a subject line can end: see _track_scope)
    mark_i: cython.Py_ssize_t = 0
    n_marks: cython.Py_ssize_t = len(scope_marks)
    for s_lo, s_hi in _sentences(text):
        while nl_i < n_lines and newlines[nl_i] < s_lo:
            nl_i += 1
        p_start = newlines[nl_i - 1] + 1 if nl_i > 0 else 0
        if list_year is not None and p_start != lead_line and not _LIST_ITEM.match(text, p_start):
            list_year = None  # the list has ended
        if text[s_hi - 1] in "：:" and (s_hi >= n or text[s_hi] == "\n"):
            lead = [
                y for y in find_years(text[s_lo:s_hi], ctx.doc_year) if y.kind in ("deadline", "relative", "range_end")
            ]
            if lead:
                list_year, lead_line = (lead[-1].year, lead[-1].kind), p_start
        while m_lo < n_mentions and starts[m_lo] < s_lo:
            m_lo += 1
        if m_hi < m_lo:
            m_hi = m_lo
        while m_hi < n_mentions and starts[m_hi] < s_hi:
            m_hi += 1
        while row_i + 1 < n_rows and row_starts[row_i + 1] <= s_lo:
            row_i += 1
        if row_i >= 0 and rows[row_i][0] <= s_lo < rows[row_i][1]:
            continue  # a table row: read by _table_records
        ends_semicolon: cython.bint = s_hi < n and text[s_hi] in "；;"
        n_before = len(records)
        while mark_i < n_marks and scope_marks[mark_i] < s_lo:
            mark_i += 1
        if scope is not None or (mark_i < n_marks and scope_marks[mark_i] < s_hi):
            scope = _track_scope(ctx, scope, s_lo, s_hi)  # (a subject line ends with 中 or 里)
        if slogans and (text.find("个百分之百", s_lo, s_hi) >= 0 or text.find("个100%", s_lo, s_hi) >= 0):
            records.extend(_slogan_records(ctx, s_lo, s_hi, para))
        if m_lo == m_hi and not ends_semicolon and (not cut_off or text.find("截", s_lo, s_hi) < 0):
            para.carry_year = para.carry_state = para.carry_base = None
            continue  # no quantity here and nothing to carry
        if p_start != para_start:
            para_start = p_start
            p_end = text.find("\n", p_start)
            ptext = text[p_start : p_end if p_end >= 0 else len(text)]
            # "YYYY年, … 已 …": a paragraph reporting a past (or the current) year
            pm = _RX12.match(ptext)
            para = Para(
                actual=bool(pm and ctx.doc_year and int(pm.group(1)) <= ctx.doc_year and _RX32.search(ptext)),
                # a headline (the first line) is read with the lead paragraph after it
                future=bool(FUTURE.search(TITLE_REF.sub("", text[:600] if p_start == 0 else ptext))),
            )
        if s_hi - s_lo < 2:
            continue
        years = find_years(text[s_lo:s_hi], ctx.doc_year)
        years = [YearMention(y.start + s_lo, y.end + s_lo, y.year, y.kind) for y in years]
        if list_year is not None and p_start != lead_line and para.carry_year is None:
            para.carry_year = list_year
        mentions = [m for m in all_mentions[m_lo:m_hi] if m.end <= s_hi]
        if mentions:
            # drop numbers inside year expressions
            if years:
                mentions = [m for m in mentions if not _in_year(years, m.start)]
            records.extend(_sentence_records(ctx, s_lo, s_hi, mentions, years, para))
            if scope is not None:
                _apply_scope(scope, records, n_before)
            else:
                _apply_clause_scope(text, s_lo, s_hi, records, n_before)
        # a year stated before a semicolon carries to the rest of the paragraph (未来三年,…；…)
        own = [y for y in years if y.kind in ("deadline", "relative", "range_end", "point", "asof")]
        base = [y for y in years if y.kind == "baseline"]
        if ends_semicolon:
            if own:
                para.carry_year = (own[-1].year, own[-1].kind)
            if base:
                para.carry_base = base[0].year
            para.carry_state = clause_status(text, s_lo, s_hi) or para.carry_state
        elif own and own[-1].kind == "asof" and text[s_hi : s_hi + 1] != "\n":
            para.carry_year = (own[-1].year, "asof")
            para.carry_state = "actual"
            para.carry_base = None
        else:
            para.carry_year = None
            para.carry_state = None
            para.carry_base = None
    return _finalise(ctx, ct, records, doc_id, newlines)


# A list-like page names its subject on a line of its own (全市义务教育阶段学校中 / 新建有6所,改扩建有
# 48所 / 共增加学位15700个 / 其中城区新建学校2所 / 改扩建学校5所 / 增加学位9200个): the short lines
# after it that name only a verb or 学位 are about that subject, or the 其中 part named since.
_SCOPE_BODY = (
    r"(?:今年|全市|全区|全县|全省|我市|我区|我县|本市)?(?:全市|全区|全县)?"
    r"([\u4e00-\u9fff]{2,10}?)(中小学校|中小学|学校|幼儿园)(?:中|里)"
)
_SCOPE_LINE = re.compile("^" + _SCOPE_BODY + r"[,，:]?$")
_SCOPE_CLAUSE = re.compile(r"(?:^|(?<=[,，]))" + _SCOPE_BODY + r"[,，]")  # the same inside a sentence
_SUB_SCOPE = re.compile(r"其中(城区|城镇|农村|乡镇|乡村|主城区|县城)")
_BARE_BUILD = re.compile(r"^(新建|改扩建|扩建|改建|新改扩建|续建)有?$")
_BUILD_NOUN = re.compile(r"^(?:新建|改扩建|扩建|改建|新改扩建|续建)(?:学校|幼儿园|小学|初中)$")
_BARE_PLACES = re.compile(r"^(?:共|可)?(?:增加|新增)学位$")


@dataclass(slots=True)
class _Scope:
    subject: str  # 义务教育阶段
    noun: str  # 学校
    part: str | None = None  # 城区, from 其中城区…

    @classmethod
    def of(cls, m: re.Match[str]) -> _Scope:
        """From a match of _SCOPE_LINE or _SCOPE_CLAUSE (中小学 schools are 学校)."""
        noun = m.group(2)
        return cls(m.group(1), "学校" if "学校" in noun or "中小学" in noun else noun)


@cython.cfunc
def _track_scope(ctx: DocContext, scope: _Scope | None, s_lo: int, s_hi: int) -> _Scope | None:
    """The subject line in force at the sentence ``[s_lo, s_hi)`` (see _SCOPE_LINE)."""
    line = ctx.text[s_lo:s_hi].strip()
    sm = _SCOPE_LINE.match(line) if len(line) <= 24 else None
    if sm:
        return _Scope.of(sm)
    if scope is None:
        return None
    k = bisect.bisect_right(ctx.heading_starts, s_lo)
    at_place_heading = k > 0 and ctx.headings[k - 1][0] == s_lo and ctx.headings[k - 1][1] is not None
    if len(line) > 40 or at_place_heading or ctx.text[s_lo - 1 : s_lo] not in ("\n", ""):
        return None  # prose, or the next place's section: the subject line no longer holds
    sub = _SUB_SCOPE.match(line)
    if sub:
        scope.part = sub.group(1)
    return scope


@cython.cfunc
def _apply_clause_scope(text: str, s_lo: int, s_hi: int, records: list[Record], start: int) -> None:
    """The same subject as a clause of prose (全市义务教育阶段学校中,新建有6所,…,其中城区…): it holds
    for the rest of its sentence."""
    if start >= len(records) or text.find("中", s_lo, s_hi) < 0:
        return
    # (the subject ends with 学校中, 中小学里, 幼儿园中…)
    for w in ("校中", "学中", "园中", "校里", "学里", "园里"):
        if text.find(w, s_lo, s_hi) >= 0:
            break
    else:
        return
    sm = _SCOPE_CLAUSE.search(text, s_lo, s_hi)
    if sm is None:
        return
    scope = _Scope.of(sm)
    parts = [(p.end(), p.group(1)) for p in _SUB_SCOPE.finditer(text, sm.end(), s_hi)]
    for k in range(start, len(records)):
        pos = records[k].mention.start
        if pos < sm.end():
            continue
        scope.part = next((name for end, name in reversed(parts) if end <= pos), None)
        _apply_scope(scope, records, k, k + 1)


@cython.cfunc
def _apply_scope(scope: _Scope, records: list[Record], start: int, stop: int | None = None) -> None:
    for rec in records[start:stop]:
        ind = rec.indicator
        topic = _TOPIC.match(ind)
        if topic and _BARE_PLACES.match(ind[topic.end() :]):
            ind = ind[topic.end() :]  # (the school noun a generic 学位 took is the subject's)
        prefix = scope.part or scope.subject
        if _BARE_BUILD.match(ind) and rec.mention.unit == "所":
            rec.indicator = prefix + _BARE_BUILD.match(ind).group(1) + scope.noun
        elif _BARE_PLACES.match(ind) or (scope.part and _BUILD_NOUN.match(ind)):
            rec.indicator = prefix + ind


_SLOGAN = re.compile(r"([两二三四五六七八])个[“\"]?(?:百分之百|100%)")
_SLOGAN_VERB = re.compile(r"(?:实现|做到|达到|确保|落实)(?!.{0,60}(?:实现|做到|达到|确保|落实))")


def _slogan_items(head: str) -> list[tuple[int, str]]:
    """The list a numbered slogan sums up, as (offset in ``head``, item): a quoted list right
    before it (“A、B、C”“三个百分之百”) or the 、-list of its clause (实现A、B和C三个100%)."""
    end = len(head.rstrip('“”" '))
    if head[:end].endswith(("”", '"')):
        q = max(head.rfind("“", 0, end - 1), head.rfind('"', 0, end - 1))
        if q < 0:
            return []
        lo, hi = q + 1, end - 1
    else:
        cut = max(head.rfind(c, 0, end) for c in ",，;；:：")
        lo, hi = cut + 1, end
        verb = _SLOGAN_VERB.search(head, lo, hi)  # 全市中小学实现A、B、C: the list starts after the verb
        if verb:
            lo = verb.end()
    items: list[tuple[int, str]] = []
    pos = lo
    for part in head[lo:hi].split("、"):
        items.append((pos, part))
        pos += len(part) + 1
    if items and ("和" in items[-1][1] or "及" in items[-1][1]):
        p0, last = items[-1]
        k = max(last.rfind("和"), last.rfind("及"))
        if 2 <= k <= len(last) - 3:
            items[-1:] = [(p0, last[:k]), (p0 + k + 1, last[k + 1 :])]
    return items


def _slogan_records(ctx: DocContext, s_lo: int, s_hi: int, para: Para) -> list[Record]:
    """三个百分之百 / 三个100%: a goal named by the number of its parts, each part at 100 %
    (实现专职保安配备、封闭化管理、一键式报警“三个100%” → three records). Only when the list before
    it has exactly that many items; otherwise the slogan is a name and nothing is read."""
    text: str = ctx.text
    out: list[Record] = []
    for sm in _SLOGAN.finditer(text, s_lo, s_hi):
        n = parse_number(sm.group(1))
        head = text[s_lo : sm.start()]
        items = _slogan_items(head)
        if n is None or len(items) != int(n) or not all(2 <= len(it.strip('“”" ')) <= 30 for _, it in items):
            continue
        years = [
            YearMention(y.start + s_lo, y.end + s_lo, y.year, y.kind) for y in find_years(text[s_lo:s_hi], ctx.doc_year)
        ]
        for off, item in items:
            m = Mention(sm.start(), sm.end(), sm.end(), sm.end(), 100.0, None, "%", comparator="=")
            status, year = status_and_year(ctx, s_lo, s_hi, m, years, para)
            ind = item.strip('“”" ')
            start = s_lo + off + (len(item) - len(item.lstrip('“”" ')))
            out.append(
                Record(
                    m,
                    ind,
                    ctx.doc_region,
                    getattr(ctx.doc_region_obj, "code", None),
                    status,
                    year,
                    start,
                    sm.end(),
                )
            )
    return out


_GENERIC_COUNT = re.compile(
    r"^(?:新增|增加|提供|可提供|共提供|开设|计增加|可增加|可新增)?(?:学位|班|教学班|班级|项目|学校)$"
)
_LAST_VERB = re.compile(
    r"(?:提供|增加|新增|开设|建设|建成|新建|改扩建|设立)(?!.{0,12}(?:提供|增加|新增|开设|建设|建成|新建|改扩建|设立))"
)
_LIST_OF_NAMED = re.compile(
    r"^(?P<verb>新建|改扩建|扩建|改建|新改扩建|建设|建成|维修|改造|提升|创建)?[^,，;；。]{0,80}、[^,，;；。]{0,80}等$"
)
_TOPIC = re.compile(r"(?:公办|民办|普惠性|普惠|中心|示范)?(?:幼儿园|中小学|小学|初中|中学|高中|学校)")


_TOTAL = re.compile(r"^[,，、]?(?:累计|合计|共计|总计)")
_CUMULATIVE_BEFORE = re.compile(r"累计[\u4e00-\u9fff]{0,6}$")
_REPORTED = re.compile(r"已|目前|现有|截至|截止|以来")


@cython.cfunc
def _is_list_total(text: str, c_lo: int, m: Mention, last: Record) -> bool:
    """The clause sums up the list it ends (累计新增学位5200个 after the items of a plan): it has the
    status of those items, not the reported-actual reading 累计 alone would give it."""
    clause = text[c_lo : m.start]
    return (
        last.status == "target"
        and last.mention.unit == m.unit
        and _TOTAL.match(clause) is not None
        and _REPORTED.search(clause) is None
        and last.mention.end >= c_lo - 2
    )


@cython.cfunc
def _with_topic(text: str, s_lo: int, pos: int, ind: str) -> str:
    """A generic counted noun (学位, 教学班) names its school: the last school noun of the
    sentence before the number is prefixed (…幼儿园:共提供720个学位 → 幼儿园提供学位)."""
    if not _GENERIC_COUNT.match(ind):
        return ind
    if _CUMULATIVE_BEFORE.search(text, max(s_lo, pos - 8), pos):
        return ind  # 累计新增学位: the total of the list, not of its last school
    topics = list(_TOPIC.finditer(text, max(s_lo, pos - 120), pos))
    if not topics:
        return ind
    topic = topics[-1].group(0)
    return ind if topic in ind else topic + ind


def _table_records(ctx: DocContext) -> list[Record]:
    """Records from indicator tables (see :mod:`loaders.documents.tables`)."""
    out = []
    plan = (ctx.meta.plan_start_year, ctx.meta.plan_end_year)
    for v in table_values(ctx.text, plan, ctx.doc_year):
        mention = Mention(v.start, v.end, v.end, v.end, v.value, None, v.unit, comparator=v.comparator)
        year = v.year if v.year is not None else ctx.default_year
        out.append(
            Record(
                mention,
                v.indicator,
                ctx.doc_region,
                getattr(ctx.doc_region_obj, "code", None),
                v.status,
                year,
                v.start,
                v.end,
            )
        )
    return out


@cython.cfunc
def _sentence_records(
    ctx: DocContext, s_lo: int, s_hi: int, mentions: list[Mention], years: list[YearMention], para: Para
) -> list[Record]:
    text: str = ctx.text
    out: list[Record] = []
    prev: Mention | None = None
    prev_subject: str | None = None
    prev_measure: str | None = None
    prev_ind: str | None = None
    base_ind: str | None = None
    head_subject: str | None = None
    prev_was_sub = False
    # 由X提高到Y: X is a baseline
    for i, m in enumerate(mentions):
        lead = text[max(s_lo, m.start - 2) : m.start]
        if lead.endswith("由") and i + 1 < len(mentions):
            m.baseline = True
    for m in mentions:
        c_lo = clause_start(text, s_lo, m.start)
        lo = max(c_lo, prev.end if prev is not None and prev.end <= m.start else c_lo)
        # ---- comparator
        if m.comparator is None:
            comp, wstart = prefix_comparator(text, lo, m.start)
            if comp is None and prev is not None and prev.comparator_from_prefix:
                gap = text[prev.end : m.start]
                if ("、" in gap or gap.startswith(("和", "及"))) and not any(ch in gap for ch in ",，;；。"):
                    comp = prev.comparator
            if comp is not None:
                m.comparator = comp
                m.comparator_from_prefix = True
                m.prefix_word_start = wstart
            # 力争…完成 N reads as 力争达到
            if comp is None and "力争" in text[s_lo : m.start] and "完成" in text[s_lo : m.start] and m.unit != "%":
                m.comparator = ">="
                m.comparator_from_prefix = True
        if (
            m.unit in ("个百分点", "百分点")
            and m.comparator not in ("~",)
            and not text.startswith(("以上",), m.unit_end)
        ):
            m.comparator = "="
        if m.comparator is None:
            m.comparator = "="
        # ---- indicator phrase
        gap_raw = text[lo : m.start]
        if _opens_qizhong(gap_raw):
            if not prev_was_sub:
                head_subject = prev_subject
            prev_was_sub = True
        elif not (prev_was_sub and _RX27.match(gap_raw)):
            head_subject, prev_was_sub = None, False
        ind, extra_subjects = _indicator_for(
            ctx,
            s_lo,
            s_hi,
            c_lo,
            lo,
            m,
            prev,
            prev_measure,
            head_subject or prev_subject,
            prev_ind,
            base_ind,
            in_sub=prev_was_sub,
        )
        c_hi = clause_end(text, m.end, s_hi)
        after = after_phrase(text, m, c_hi)
        # measure word shared by a list: 年度巩固率小学为100%、初中在98%以上
        sm = _MEASURE_STAGE.match(ind) if endswith_re(ind, lx.STAGES) else None
        if sm:
            ind = sm.group(2) + sm.group(1)
            prev_measure = sm.group(1)
        else:
            if m.unit == "%" and endswith_re(ind, _RATE_ENDINGS):
                stage = (
                    next(st for st in _STAGES_LONGEST_FIRST if ind.startswith(st))
                    if ind.startswith(_STAGES_LONGEST_FIRST)
                    else None
                )
                prev_measure = ind[len(stage) :] if stage and len(ind) > len(stage) + 1 else ind
        ind = ind.strip(" 、,，的")
        if not ind:
            ind = strip_phrase(text[c_lo : m.start]) or (after or "")
        if ind in lx.STAGES or _stages_only(ind):
            # 生均教学仪器设备值:小学达到2000元以上、初中达到2500元以上: the stages name whose
            # figure it is; the measure is the head before the colon
            head = _colon_head(text, s_lo, m.start)
            if head:
                ind += head
        if m.unit not in ("%", "个百分点", "百分点", None):
            ind = _with_topic(text, s_lo, m.start, ind)
            prev_subject = ind
        if not (base_ind and ind.startswith(base_ind) and ind != base_ind):
            base_ind = ind
        prev_ind = ind
        # ---- region
        region, region_code, extra = ctx.doc_region, getattr(ctx.doc_region_obj, "code", None), []
        places = _place_hits(text, c_lo, m.start, ctx) or _place_hits(text, s_lo, m.start, ctx)
        k = bisect.bisect_right(ctx.heading_starts, m.start)
        heading = ctx.headings[k - 1][1] if k > 0 else None  # the last heading at or before m.start
        if not places and heading is not None:
            region, region_code = display_name(heading), heading.code
        if places:
            # 福田、罗湖、南山各…: one record per place of a 各 list
            last = places[-1]
            between = text[last[1] : m.start]
            ge = (
                between.startswith("各")
                or _RX22.match(between)
                or (
                    len(places) > 1
                    and _PREDICATE_ONLY.match(between.strip()) is not None
                    and text[places[-2][1] : last[0]] in ("、", "和", "及")
                )
            )
            if ge:
                group = [last]
                k = len(places) - 2
                while k >= 0 and text[places[k][1] : group[0][0]] in ("、", "和", "及", ","):
                    group.insert(0, places[k])
                    k -= 1
                region, region_code = display_name(group[0][2]), group[0][2].code
                extra = [g[2] for g in group[1:]]
            else:
                region, region_code = display_name(last[2]), last[2].code
        elif (
            (text.find("全国", c_lo, m.end + 4) >= 0 or text.find("健康中国", c_lo, m.end + 4) >= 0)
            and ctx.doc_region != "全国"
            and m.unit == "%"
        ):
            region, region_code = "全国", "000000"
        elif heading is None and (up := _enclosing_region(ctx, text[c_lo : m.start])) is not None:
            region, region_code = display_name(up), up.code
        # ---- status and year
        status, year = status_and_year(ctx, s_lo, s_hi, m, years, para)
        if status == "actual" and out and _is_list_total(text, c_lo, m, out[-1]):
            status, year = out[-1].status, out[-1].year  # …,职业教育学位1600个,累计新增学位5200个
        ev_lo = c_lo
        if m.start - ev_lo > 40:
            ev_lo = max(ev_lo, m.start - 40)
        ev_hi = min(c_hi, max(m.end, m.end + 0))
        if ind and len(ind) > 0 and text.find(ind, m.end, c_hi) >= 0:
            ev_hi = text.find(ind, m.end, c_hi) + len(ind)
        for subj in extra_subjects:
            sp = text.find(subj, s_lo, m.start)
            out.append(
                Record(
                    m,
                    subj,
                    region,
                    region_code,
                    status,
                    year,
                    sp if sp >= 0 else ev_lo,
                    sp + len(subj) if sp >= 0 else ev_hi,
                    extra,
                )
            )
        rec = Record(m, ind, region, region_code, status, year, ev_lo, ev_hi, extra)
        out.append(rec)
        prev = m
    return _split_lists(ctx, out, s_lo)


_TRAILING_YEAR_OF = re.compile(r"(?:19|20)\d\d年(?:底|末)?的?$")  # 提高到2020年的 → 提高到
_YEAR_ONLY_GAP = re.compile(r"[、,，;；]?(?:到|至|在)?(?:19|20)\d\d年(?:底|末)?(?:前)?(?:要|将)?")
_PLACE_LIST_GLUE = re.compile(r"^[,，、和及与(（)）]?(?:其中|另外)?[,，]?$|^[、和及与]$")


@cython.cfunc
def _only_places(ctx: DocContext, lo: int, hi: int) -> bool:
    """``text[lo:hi]`` names places and nothing else (list marks and 其中 aside)."""
    text: str = ctx.text
    hits = _place_hits(text, lo, hi, ctx)
    if not hits:
        return False
    pos = lo
    for s, e, _r in hits:
        if not _PLACE_LIST_GLUE.match(text[pos:s].strip()):
            return False
        pos = e
    return text[pos:hi].strip() == "" or _PREDICATE_ONLY.match(text[pos:hi].strip()) is not None


#: what may stand between a list of places and their shared value (甘孜州、阿坝州达到85%以上)
_PREDICATE_ONLY = re.compile(
    r"^(?:均|都|分别)?(?:力争)?(?:达到|达|不低于|不少于|不高于|不超过|超过|保持在|稳定在|控制在|提高到|提升到|为|在)?$"
)


_STAGES_ONLY = re.compile(r"(?:" + "|".join(lx.STAGES) + r")(?:[、和及](?:" + "|".join(lx.STAGES) + r"))*")


@cython.cfunc
def _stages_only(s: str) -> bool:
    """``s`` only lists stages (小学、初中)."""
    return s.startswith(lx.STAGES) and _STAGES_ONLY.fullmatch(s) is not None


_COLON_LABEL = re.compile(
    r"(?:主要|具体|工作|总体|发展|年度)?(?:目标|指标|任务|要求|内容|措施|标准)$|其中|具体为|分别为|如下|包括"
)


@cython.cfunc
def _colon_head(text: str, s_lo: int, pos: int) -> str | None:
    """The measure a sentence names before its colon (``X:小学…、初中…``), or None: no colon, a
    label (主要目标:, 其中:) or nothing left once numbering and adverbs are stripped."""
    colon = text.rfind(":", s_lo, pos)
    if colon <= s_lo or not ("\u4e00" <= text[colon - 1] <= "\u9fff" or text[colon - 1] in ")）"):
        return None
    head_lo = max(text.rfind(c, s_lo, colon) for c in ",，;；:") + 1
    head = strip_phrase(text[max(s_lo, head_lo) : colon])
    if len(head) < 2 or _COLON_LABEL.search(head) or _CJK.search(head) is None:
        return None
    return head


_SIZED_SCHOOL = re.compile(
    r"(?:\d{1,3}班)?(?:规模)?的?(九年一贯制学校|十二年一贯制学校|完全中学|小学|初中|中学|高中|幼儿园|学校)"
)
_RESIDENTIAL = re.compile(
    r"((?:\d{1,2}(?:\.\d)?|[一二两三四五六七八九十])?万人(?:口)?以上)(?:规模)?的?(住宅小区|住宅区|居住区|小区|片区|新区)"
)


@cython.cfunc
def _sized_school(text: str, s_lo: int, c_lo: int, m: Mention) -> str | None:
    """Schools planned for residential areas by size (新建1万人以上规模的住宅区,应当配套建设1所24班
    规模的小学): the count is 万人以上住宅区配套小学 and the size 住宅区配套小学规模. None when the
    mention is not such a school or size."""
    if m.unit not in ("所", "班"):
        return None
    after = _SIZED_SCHOOL.match(text, m.unit_end)
    if after is None:
        return None
    if m.unit == "所" and not after.group(0)[:1].isdigit() and "配套" not in text[c_lo : m.start]:
        return None  # 1所小学 outside a 配套 clause is an ordinary count
    if text.find("万人", s_lo, m.start) < 0:
        return None  # (every residential size names 万人)
    areas = list(_RESIDENTIAL.finditer(text, s_lo, m.start))
    if not areas:
        return None
    area = areas[-1]
    threshold = area.group(1)
    if threshold.startswith("1万"):
        threshold = threshold[1:]
    tie = "配套" if "配套" in text[area.end() : m.start] else ""
    if m.unit == "所":
        return threshold + area.group(2) + tie + after.group(1)
    return area.group(2) + tie + after.group(1) + "规模"


@cython.cfunc
def _enclosing_region(ctx: DocContext, clause: str) -> Any:
    """The region above the document's that a clause speaks of: 全市 in a district's or
    county's document (紧扣全市"毛入园率99%"的目标), 全省 in a city's or county's. A county-level
    city calls itself 全市, so 全市 lifts only from a 区, 县 or 旗."""
    doc = ctx.doc_region_obj
    if doc is None or doc.level not in ("county", "prefecture") or "全" not in clause:
        return None
    m = _WHOLE_ABOVE.search(clause)
    if m is None:
        return None
    if m.group(1) == "省":
        return province_of(doc)
    if doc.level == "county" and doc.name.endswith(("区", "县", "旗")):
        return prefecture_of(doc)
    return None


# 全省/全市 as the subject, not as a yardstick (高于全省平均水平 stays the document's own figure)
_WHOLE_ABOVE = re.compile(r"(?<!高于)(?<!低于)(?<!超过)(?<![比较])全([省市])(?!平均|水平|同期|的平均)")


_MEASURE_STAGE = re.compile(
    r"^(.{0,30}?(?:率|比例|占比|经费|标准|系数|生师比|师生比|时间|时长))(" + "|".join(lx.STAGES) + r")$"
)
_SCHOOL_HEAD = re.compile(r"^(?:学校|院校)")
_SCHOOL_TAIL = re.compile(r"(?:学校|院校|高校|学院|大学|幼儿园)$")


@cython.cfunc
def _join_measure(before: str, measure: str) -> str:
    """A new subject with the measure shared from the previous item (中职学校双师型教师比例不低于
    60%,高职院校达到70% → 高职院校 + 双师型教师比例: the school noun is not said twice)."""
    if not before:
        return measure
    if _SCHOOL_TAIL.search(before):
        measure = _SCHOOL_HEAD.sub("", measure) or measure
    return before + measure


_STAGES_LONGEST_FIRST = tuple(sorted(lx.STAGES, key=len, reverse=True))
_LEADING_COMPARATOR = re.compile(r"^(?:" + "|".join(w for w, _ in lx.PREFIX_COMPARATORS) + ")")
_BARE_MEASURE = re.compile(
    r"^(?:覆盖率|覆盖面|占比|比例|比重|合格率|达标率|优良率|普及率|完成率|到位率|使用率|比率|率|资助面|受益面|[\u4e00-\u9fff]{0,2}面)$"
)
_VERB_CUT = re.compile(r"(?:实现|推进|开展|加强|完善|建立|推动)(?!.{0,30}(?:实现|推进|开展|加强|完善|建立|推动))")
_DURATION_UNITS = ("学时", "课时", "小时", "分钟", "天", "个月", "学分")


@cython.cfunc
def _prev_clause_np(text: str, s_lo: int, c_lo: int) -> str:
    """The noun phrase of the clause before ``c_lo`` (for 推进X,确保覆盖率达85%)."""
    if c_lo - 1 <= s_lo:
        return ""
    p_lo = clause_start(text, s_lo, c_lo - 1)
    s = strip_phrase(text[p_lo : c_lo - 1])
    return strip_leading_verbs(s)


# a share of a named base: (X)按(照)(不低于)Y的N%(安排/列支)(X) → X占Y比例
_SHARE_BASE = re.compile(r"(?:按照|按)(?:不低于|不少于|不高于|不超过|不得低于|不得少于)?([^,，、;；:：的]{2,24})的$")
_SHARE_VERB = re.compile(r"^(?:安排|列支|提取|计提|划拨)")  # (配置走班所需教室 keeps its verb)
# what a share is for, after 的比例: 按不低于30%的比例用于职业教育, 按10%的比例参加交流轮岗
_SHARE_ACT = re.compile(r"^(?:用于|投入|安排|列支|配备|配齐|配置|参加|参与)")
_TRAILING_BY = re.compile(r"(?:按照|按)$")
_DELTA = re.compile(r"(?<!不)(?:增长|增加|提高|上升|下降|减少|降低|高于|低于)(?!到|至)[^,，]{0,8}$")
_HAVE = re.compile(r"(?:共有|现有|拥有|有)(?![效关序机力所的着利些])(?!.{0,20}有(?![效关序机力所的着利些]))")
_MODAL = re.compile(r"(?:要|将|拟|计划|预计)(?=[建新完培打设开投提增实引招组遴举创])(?!.{0,30}(?:要|将|计划|拟|预计))")


@cython.cfunc
def _indicator_for(
    ctx: DocContext,
    s_lo: int,
    s_hi: int,
    c_lo: int,
    lo: int,
    m: Mention,
    prev: Mention | None,
    prev_measure: str | None,
    prev_subject: str | None,
    prev_ind: str | None = None,
    base_ind: str | None = None,
    in_sub: bool = False,
) -> tuple[str, list[str]]:
    text: str = ctx.text
    # a quoted goal: the subject starts inside the quote
    q = text.rfind("“", lo, m.start)
    if q >= 0 and "”" not in text[q : m.start]:
        lo = q + 1
    subj_end = m.start
    # the subject ends where the predicate (comparator word) starts, even with a suffix comparator
    _comp, wstart = prefix_comparator(text, lo, m.start)
    if wstart is not None and wstart >= lo:
        subj_end = wstart
    raw_before = text[lo:subj_end]
    if m.unit == "%" and endswith_re(text[max(s_lo, subj_end - 2) : subj_end], ("均", "都", "全部", "分别")):
        start = prev.end if prev is not None and prev.end > s_lo else s_lo
        subjects = []
        for part in _RX3.split(text[start:subj_end]):
            sp = strip_phrase(_RX2.sub("", part))
            vm = _VERB_CUT.search(sp)
            if vm and len(sp) - vm.end() >= 3:
                sp = sp[vm.end() :]
            if "的" in sp and len(sp[sp.rindex("的") + 1 :]) >= 6:
                sp = sp[sp.rindex("的") + 1 :]
            if len(sp) >= 3:
                subjects.append(sp)
        if len(subjects) >= 2 and _stages_only(subjects[-1]) and not _stages_only(subjects[-2]):
            # 专任教师中硕士以上学历教师比例,小学、初中分别达到3%和8%: the stages split the measure
            # named before them (one record per stage, see _split_lists)
            return subjects[-1] + subjects[-2], []
        if len(subjects) >= 2:
            return subjects[-1], subjects[:-1]
    c_hi = clause_end(text, m.end, s_hi)
    after = after_phrase(text, m, c_hi)
    is_rate = m.unit in ("%", "个百分点", "百分点", None)
    if is_rate:
        # 全省达到92%以上,其中成都市达到98%,甘孜州、阿坝州达到85%以上: a subject that is only
        # places (the region step reads them) keeps the measure of the item before
        if prev_ind and prev is not None and prev.unit == m.unit and _only_places(ctx, lo, subj_end):
            return prev_ind, []
        # 覆盖率2023年达到85%、2024年达到88%: a year alone before the value keeps the measure
        if (
            prev_ind
            and prev is not None
            and prev.unit == m.unit
            and _YEAR_ONLY_GAP.fullmatch(text[prev.end : subj_end])
        ):
            return prev_ind, []
        # X的N%的比例VERB-OBJ → OBJ比例 ; 按X的N%安排OBJ → OBJ占X比例
        tail = text[m.end : c_hi]
        if tail.startswith("的比例"):
            act = strip_phrase(_RX28.sub("", tail))
            obj = _RX14.sub("", strip_leading_verbs(act))
            # 地方教育附加按不低于30%的比例用于职业教育: the subject before 按 owns the share
            owner = strip_phrase(_TRAILING_BY.sub("", raw_before))
            if len(owner) >= 2 and len(act) >= 2 and not _RX24.search(owner) and _SHARE_ACT.match(act):
                return owner[:24] + act[:24] + "比例", []
            if len(obj) >= 2:
                return obj[:24] + "比例", []
        share = _SHARE_BASE.search(text, max(lo, m.start - 40), m.start)
        if share:
            owner = strip_phrase(text[lo : share.start()])
            if len(owner) < 2:
                owner = strip_phrase(_SHARE_VERB.sub("", _RX5.sub("", after)))
            if len(owner) >= 2 and not _RX24.search(owner):
                return owner[:24] + "占" + share.group(1) + "比例", []
        pred = text[lo : m.start].strip(",，、 ")
        subj0 = strip_phrase(raw_before)
        # a change or a gap: 比2015年增加25.51个百分点, 增长47.87%
        core = _RX4.sub(
            "",
            subj0,
        )
        if (m.unit in ("个百分点", "百分点") or _DELTA.search(pred)) and len(core) < 2 and base_ind:
            return base_ind + _RX29.sub("", pred), []
        # 由X提高到Y: Y shares X's subject
        if len(subj0) < 2 and prev is not None and prev_ind and _RX15.fullmatch(_TRAILING_YEAR_OF.sub("", pred)):
            return prev_ind, []
        before = subj0  # strip_phrase(raw_before), computed above
        np_prev = _prev_clause_np(text, s_lo, c_lo) if len(before) < 2 else ""
        if np_prev and _RX16.search(np_prev):
            before = np_prev
        if (before in lx.LEADING_NOISE or len(before) < 2) and wstart is not None:
            den = _RX17.sub("", text[wstart : m.start])
            den = strip_phrase(_LEADING_COMPARATOR.sub("", den))
            if len(den) >= 4:
                before = den
        if "的" in before and len(before[before.rindex("的") + 1 :]) >= 6:
            before = before[before.rindex("的") + 1 :]
        vm = _VERB_CUT.search(before)
        if vm and len(before) - vm.end() >= 3:
            before = before[vm.end() :]
        after2 = _RX5.sub("", after)
        if raw_before.rstrip().endswith("的") and after2 and good_after(after2) and not _RX24.search(before):
            obj = after2
            if len(obj) >= 2:
                return obj + "占" + before + "比例", []
        if (
            prev_ind
            and prev is not None
            and prev.unit == m.unit
            and len(before) <= 4
            and before.endswith("率")
            and prev_ind.endswith("率")
            and before not in prev_ind
        ):
            mw = _RX18.search(prev_ind)
            return prev_ind[: mw.start()] + before, []
        if _BARE_MEASURE.match(before or "x") or (len(before) <= 3 and before.endswith("率")):
            np = _prev_clause_np(text, s_lo, c_lo)
            if np:
                return np + before, []
        if len(before) < 2:
            if after and good_after(after):
                return after, []
            if prev_measure:
                return _join_measure(before, prev_measure), []
            np = _prev_clause_np(text, s_lo, c_lo)
            return np or before, []
        if _opens_qizhong(raw_before) and not _RX24.search(before):
            same_rate = prev is not None and prev.unit == m.unit and "占" not in raw_before
            if same_rate and prev_ind and prev_ind.endswith("率"):
                # 课后服务参与率达到95%以上,其中农村学校不低于90%: the part named after 其中 has
                # the same rate (its own subject before the measure)
                k = prev_ind.rfind(before[-2:])
                return before + (prev_ind[k + 2 :] if k >= 0 and len(prev_ind) - k > 3 else prev_ind), []
            return before + "比例", []
        if not _RX25.search(before) and prev_measure:
            return _join_measure(before, prev_measure), []
        return before, []
    # counts
    sized = _sized_school(text, s_lo, c_lo, m)
    if sized:
        return sized, []
    gap_before = raw_before
    mm = _MODAL.search(gap_before)
    if mm and len(gap_before) - mm.end() >= 3:
        gap_before = gap_before[mm.end() :]
    hm = _HAVE.search(gap_before)
    if hm and len(gap_before) - hm.end() >= 3:
        gap_before = gap_before[hm.end() :]
    change = _COUNT_CHANGE.search(gap_before)
    if change and prev_subject and prev is not None and prev.unit == m.unit:
        return prev_subject + change.group(1), []  # 共有幼儿园7900所,比上年减少120所
    if "、" in gap_before:
        head = gap_before[: gap_before.rindex("、")]
        if not head.endswith(lx.STAGES):
            gap_before = gap_before[gap_before.rindex("、") + 1 :]
    stripped = strip_phrase(gap_before)
    before = strip_leading_verbs(stripped)
    if len(before) <= 2 and len(stripped) > len(before):
        before = stripped
    if len(before) <= 2:
        light = _RX6.sub("", gap_before.replace("已经", "已"))
        light = YEAR_PHRASE.sub("", light).strip(",，、 ")
        if 2 < len(light) <= 8:
            before = light
    # place names say where, not what
    placed = False
    for ps, pe, _r in reversed(_place_hits(text, lo, subj_end, ctx)):
        seg = text[ps:pe]
        if seg in before:
            before = before.replace(seg, "", 1)
            placed = True
    before = strip_phrase(before) if placed else before
    after_ok = good_after(after)
    if m.unit in _DURATION_UNITS:
        a = strip_leading_verbs(strip_phrase(after)) if after_ok else ""
        b = _RX7.sub("", before)
        b = _RX8.sub("", b)
        if "开展" in b:
            b = b[b.rindex("开展") + 2 :]
        if "到" in b and a:
            b = b[: b.index("到")]
        b = strip_phrase(b) if len(b) > 1 else b
        if b in lx.STAGES and not a and prev_measure and prev is not None and prev.unit in _DURATION_UNITS:
            return b + prev_measure, []  # 作业时间小学不超过1小时、初中不超过90分钟
        return (b + a) if (b + a) else "", []
    # (the list pattern backtracks over up to 80x80 positions: only tried where it can matter)
    named = (
        _LIST_OF_NAMED.match(strip_phrase(text[c_lo:subj_end]) + "等")
        if after_ok and raw_before.endswith("等")
        else None
    )
    if named:
        core = strip_leading_verbs(strip_phrase(after)) or after
        return (named.group("verb") or "") + core, []
    if after_ok:
        per = _RX9.search(raw_before)
        core = strip_leading_verbs(strip_phrase(after)) or after
        if len(core) <= 2 and not per and not (prev is not None and lo == prev.end):
            pre = _RX30.sub("", gap_before).strip(",，、 ")
            pre = YEAR_PHRASE.sub("", pre)
            if len(pre) > 6:  # a long lead-in: keep only its verb (…为该乡镇的娃娃们提供 → 提供)
                vm = _LAST_VERB.search(pre)
                pre = vm.group(0) if vm else ""
            if pre:
                return pre + core, []
        return (per.group(0) + core if per else core), []
    # 生均公用经费小学不低于800元,初中不低于1000元: a stage alone takes the measure before it
    if prev_measure and before in lx.STAGES and prev is not None and prev.unit == m.unit and not in_sub:
        return before + prev_measure, []
    # 其中高中200人: a stage or place before the number refines the previous count's subject
    sub_item = _opens_qizhong(raw_before)
    if (
        prev is not None
        and prev_subject
        and (sub_item or (in_sub and len(before) <= 4) or len(before) <= 1 or (placed and len(before) <= 2))
    ):
        b = before.replace("其中", "").strip("()（）")
        base = prev_subject
        for st in lx.STAGES:
            if base.startswith(st):
                base = base[len(st) :]
                break
        if b and len(b) > 4 and b not in lx.STAGES:
            return b, []
        if len(b) >= 3 and b[-2:] == base[-2:]:
            return b, []  # 招聘教师120名,其中特岗教师50名: the part names its own head noun
        if b and b not in base:
            return b + base, []
        return base, []
    if len(before) < 2 and prev_subject:
        return prev_subject, []
    bare_verb = _ADVERB.sub("", before)
    if (
        (bare_verb in lx.LEADING_VERBS or (bare_verb != before and (bare_verb == "建" or _BARE_BUILD.match(bare_verb))))
        and not after_ok
        and prev_subject
        and prev is not None
        and prev.unit == m.unit
    ):
        # 2023年完成10所学校改造,2024年完成15所 / 已建成示范校200所,今年再建100所: the verb alone
        # keeps the noun
        return prev_subject, []
    return before, []


_COUNT_CHANGE = re.compile(r"(?:比|较)(?:上年|去年|上一年|(?:19|20)\d\d年)(减少|增加|增长|下降|新增|净增)$")
_ADVERB = re.compile(r"^(?:再|还|又|将|要|计划|继续|另|力争|争取)+")


_STAGE_LIST = re.compile(
    r"^((?:" + "|".join(lx.STAGES) + r")(?:[、和及](?:" + "|".join(lx.STAGES) + r")){1,4})(.{2,30})$"
)


#: what the phrase of a later value in a 、-list reads when it has none of its own: the earlier
#: value (骨干教师按8%) or the list's tail (比例培养认定)
_LIST_LEFTOVER = re.compile(r"\d|%|^(?:的)?比例")


@lru_cache(maxsize=16)
def _stage_list_of(n: int) -> re.Pattern[str]:
    """A list of exactly ``n`` stages (小学、初中 for 2), not part of a longer one."""
    st = "(?:" + "|".join(_STAGES_LONGEST_FIRST) + ")"
    return re.compile(r"(?<![、和及])(" + st + r"(?:[、和及]" + st + r"){" + str(n - 1) + r"})(?![、和及])")


_PLACE_JOIN = ("、", "和", "及", "与")


@cython.cfunc
def _places_one_to_one(ctx: DocContext, c_lo: int, group: list[Record]) -> bool:
    """简阳市、彭州市达标率分别达到80%、85%: a list of as many places as values, opening the
    clause, gives each value its place (in order), and the places leave the indicator."""
    text: str = ctx.text
    first = group[0].mention.start
    if text.find("分别", c_lo, first) < 0:
        return False
    places = _place_hits(text, c_lo, first, ctx)
    if len(places) != len(group) or text[c_lo : places[0][0]].strip(" ,，、") not in ("", "其中"):
        return False
    if any(text[a[1] : b[0]] not in _PLACE_JOIN for a, b in pairwise(places)):
        return False
    listed = text[places[0][0] : places[-1][1]]
    for (_s, _e, place), g in zip(places, group, strict=True):
        g.region, g.region_code, g.extra_regions = display_name(place), place.code, []
        k = g.indicator.find(listed)
        if k >= 0:
            g.indicator = (g.indicator[:k] + g.indicator[k + len(listed) :]).strip(" 、,，的")
    return True


@cython.cfunc
def _split_lists(ctx: DocContext, recs: list[Record], s_lo: int = 0) -> list[Record]:
    """Split 小学、初中入学率 into one record per stage; one-to-one value lists; 各 lists."""
    out: list[Record] = []
    # one-to-one: consecutive % records joined by 、 whose shared subject lists as many stages
    i = 0
    while i < len(recs):
        r = recs[i]
        group = [r]
        j = i + 1
        while j < len(recs):
            gap = ctx.text[group[-1].mention.end : recs[j].mention.start]
            if gap in ("、", ",", "和") and recs[j].mention.unit == r.mention.unit:
                group.append(recs[j])
                j += 1
            else:
                break
        sm = _STAGE_LIST.match(r.indicator) if r.indicator.startswith(lx.STAGES) else None
        c_lo = clause_start(ctx.text, 0, r.mention.start)
        # (the share list below needs 分别 in its clause: looked for only in a % list)
        fm = _RX10.search(ctx.text[c_lo : r.mention.start]) if len(group) > 1 and r.mention.unit == "%" else None
        holders = (
            [x for x in out if x.mention.unit != r.mention.unit and x.mention.start < r.mention.start] if fm else []
        )
        if len(group) > 1 and fm and len(holders) >= len(group) and r.mention.unit == "%":
            share_of = fm.group(1)
            for h, g in zip(holders[-len(group) :], group, strict=True):
                g.indicator = h.indicator + (
                    "占" + share_of + "比例" if "占" in ctx.text[c_lo : r.mention.start] else ""
                )
            out.extend(group)
            i = j
            continue
        items = r.indicator.split("、")
        if (
            len(group) > 1
            and len(items) == len(group)
            and r.mention.unit == "%"
            and all(1 <= len(x) <= 4 for x in items[1:])
            and len(items[0]) > len(items[1])
        ):
            # 体质健康合格率、优良率分别达到95%和55%: the measures share the head of the first
            prefix = items[0][: len(items[0]) - len(items[1])]
            for k, g in enumerate(group):
                g.indicator = items[0] if k == 0 else prefix + items[k]
            out.extend(group)
            i = j
            continue
        if len(group) > 1 and _places_one_to_one(ctx, c_lo, group):
            out.extend(group)
            i = j
            continue
        if len(group) > 1 and sm:
            stages = _RX19.split(sm.group(1))
            if len(stages) == len(group):
                for st, g in zip(stages, group, strict=True):
                    g.indicator = st + sm.group(2)
                out.extend(group)
                i = j
                continue
        if len(group) > 1 and not sm and "分别" in ctx.text[c_lo : r.mention.start] and c_lo > s_lo:
            # 小学、初中生均图书分别达到30册、40册,生均仪器设备值分别不低于2000元、2500元: a later
            # 分别 list with no holders of its own takes the stages listed earlier in the sentence
            lists = list(_stage_list_of(len(group)).finditer(ctx.text, s_lo, c_lo))
            if lists:
                stages = _RX19.split(lists[-1].group(1))
                for st, g in zip(stages, group, strict=True):
                    if not g.indicator.startswith(_STAGES_LONGEST_FIRST):
                        g.indicator = st + g.indicator
                out.extend(group)
                i = j
                continue
        if len(group) > 1:
            # values followed by a list of holders: 8%、12%、15%的比例…自治区、市、县骨干教师
            tail_hi = clause_end(ctx.text, group[-1].mention.end, len(ctx.text))
            tail = ctx.text[group[-1].mention.end : min(len(ctx.text), group[-1].mention.end + 60)]
            named = False
            hm = re.search(
                r"((?:[\u4e00-\u9fff]{1,3}、){"
                + str(len(group) - 1)
                + r"}[\u4e00-\u9fff]{1,3}?)(级)?([\u4e00-\u9fff]{2,8})",
                tail,
            )
            if hm and group[-1].mention.end + hm.start() < tail_hi + 60:
                holders = hm.group(1).split("、")
                levels = ("自治区", "自治州", "国家", "省", "市", "州", "县", "区", "校", "园", "乡", "镇")
                first = next((lv for lv in levels if holders[0].endswith(lv)), None)
                if first:
                    holders[0] = first
                if len(holders) == len(group) and all(1 <= len(h) <= 3 for h in holders):
                    noun = hm.group(3)
                    for h, g in zip(holders, group, strict=True):
                        g.indicator = h + noun
                        g.ev_end = max(g.ev_end, group[-1].mention.end + hm.end())
                    named = True
            if not named and len(r.indicator) >= 2 and any(_LIST_LEFTOVER.search(g.indicator) for g in group[1:]):
                # 骨干教师按8%、12%、15%的比例培养认定 with no holders after: the later values share
                # the subject of the first (their own phrases are only the list's leftovers)
                for g in group[1:]:
                    g.indicator = r.indicator
            out.extend(group)
            i = j
            continue
        measures = r.indicator.split("、")
        if (
            not sm
            and len(measures) >= 2
            and "均" in ctx.text[r.ev_start : r.mention.start]
            and all(len(x) >= 3 and endswith_re(x, _RATE_ENDINGS) for x in measures)
        ):
            # 课后服务学校覆盖率、有需求学生覆盖率均达到100%: each measure at that value
            out.extend(replace(r, indicator=x) for x in measures)
            i += 1
            continue
        # one record whose subject lists stages: 小学、初中入学率稳定在100%, 小学、初中均达到1人以上
        if sm and (r.mention.unit in ("%", "元") or "均" in ctx.text[r.ev_start : r.mention.start]):
            stages = _RX19.split(sm.group(1))
            out.extend(replace(r, indicator=st + sm.group(2)) for st in stages)
        else:
            out.append(r)
        i += 1
    # 各 lists of places
    final: list[Record] = []
    for r in out:
        final.append(r)
        for reg in r.extra_regions:
            final.append(
                Record(r.mention, r.indicator, display_name(reg), reg.code, r.status, r.year, r.ev_start, r.ev_end)
            )
    return final


@cython.cfunc
def _same_figure(a: Record, b: Record) -> bool:
    x, y = a.mention, b.mention
    return (x.value, x.value_high, x.unit) == (y.value, y.value_high, y.unit)


def _finalise(ctx: DocContext, ct: CleanText, recs: list[Record], doc_id: str, newlines: list[int]) -> list[Target]:
    out: list[Target] = []
    seen: set[tuple] = set()
    text: str = ctx.text
    values_seen: dict[tuple, int] = {}  # (value, unit) -> 1 if first stated in a title/heading line
    title_end = newlines[0] if newlines else len(text)
    for r in recs if title_end <= 200 else ():  # (a first line that long is no headline)
        if r.mention.start >= title_end:
            break
        # a headline figure (我省学前教育毛入园率达91.2%) is told in the body with its year:
        # the headline has the body's status and year
        twin = next((b for b in recs if b.mention.start > title_end and _same_figure(b, r)), None)
        if twin is not None:
            r.status, r.year = twin.status, twin.year
    for r in recs:
        m = r.mention
        # (the line's ends by bisection: a search from the mention would scan a 1 MB line per record)
        k = bisect.bisect_left(newlines, m.start)
        line_start = newlines[k - 1] + 1 if k > 0 else 0
        line_end = newlines[k] if k < len(newlines) else len(text)
        # (a line longer than this cannot be a heading: cleaning leaves no whitespace runs at its ends)
        short = line_end - line_start <= 1000
        ls = text[line_start:line_end].strip() if short else ""
        # (a table row is short and has no clause marks either, but each of its values is its own)
        is_heading = (
            short
            and len(ls) <= 60
            and "\t" not in ls
            and ((line_start == 0 and len(ls) <= 60) or (len(ls) <= 40 and not _RX31.search(ls)))
        )
        vkey = (r.status, m.value, m.value_high, m.unit)
        if vkey in values_seen:
            # a figure restated after a title or heading gave it, or a repeat of a stated goal
            # ("要实现95%的目标", "低于92%") is counted once
            weak = len(r.indicator) <= 2 or r.indicator in ("目标", "任务", "要求")
            if values_seen[vkey] or weak or _RX26.search(text[max(0, m.start - 3) : m.start]):
                continue
        else:
            values_seen[vkey] = 1 if is_heading and (m.value >= 20 or m.unit == "%") else 0
        if r.status == "actual" and m.unit == "元" and _RX20.search(text[max(0, m.start - 12) : m.start]):
            continue  # money already spent is not recorded
        ind = r.indicator.strip() or "?"
        ind = "".join(ind.split())[:40]  # (no whitespace: re.sub(r"\s", "", ind))
        key = (r.status, r.region, m.value, m.value_high, m.unit, ind)
        if key in seen:
            continue
        seen.add(key)
        ev_lo, ev_hi = r.ev_start, max(r.ev_end, m.end)
        evidence = text[ev_lo:ev_hi].strip()
        o_s, o_e = ct.orig_span(ev_lo, ev_hi)
        vh = m.value_high if m.value_high is not None and m.value_high > m.value else None
        out.append(
            Target(
                doc_id=doc_id,
                status="actual" if r.status == "actual" else "target",
                region=r.region,
                indicator_text=ind,
                indicator_code=indicator_code(ind, m.unit),
                comparator=m.comparator if m.comparator in (">=", "<=", "=", "~") else "=",
                value=float(m.value),
                value_high=float(vh) if vh is not None else None,
                unit=m.unit,
                target_year=r.year,
                evidence=evidence,
                char_start=ev_lo,
                char_end=ev_hi,
                orig_start=o_s,
                orig_end=o_e,
                region_code=r.region_code,
            )
        )
    return out
