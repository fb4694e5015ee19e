"""Quantity mentions in cleaned text, and the comparator words before them.

:func:`find_mentions` finds a number with its counter unit (or %) using one bounded regex:
Arabic or Chinese numerals (万/亿 scaled), an optional range end (``3-5``, ``3—6``, ``9～11``),
``余``/``多``, and the counter; plus ``百分之…``, ``…分之…``, ratios after 比/比例 (``1:1``),
``率为零`` and ``翻一番``. Chinese numerals only count when a counter follows and a quantity
verb licenses them (``建设一所``, not ``四个意识``). Mentions the language marks as something
other than a goal are dropped here: years, ordinals (第…), document numbers, ages (岁 is not a
counter), durations in 年 (except 受教育年限), conditions (``5名以上…的学校``, ``…建成后``),
scope nouns (``8项工作``) and references (``下发的7个文件``). A suffix comparator (以上, 以内,
左右, 余) is read with the mention; :func:`prefix_comparator` reads the nearest word before it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import cython

from loaders.documents import lexicon as lx
from loaders.documents.numbers import ARABIC, CHINESE, CN_NUM_CHARS, NUMBER, parse_number, parse_percent_words
from loaders.documents.scan import char_bitmap, endswith_re, holds_any

# what before a number says it counts other things (下发的7个文件, 其他3所, 占地50亩)
_NOT_THESE_BEFORE = ("下发的", "印发的", "出台的", "提出的", "发布的", "其他", "其余", "另外", "另有")
_NOT_THESE_BEFORE += ("占地", "占地面积")
# precompiled patterns used in the hot paths below
_RX2 = re.compile("(?:以上|以下)[\\u4e00-\\u9fff]{1,8}[^,，。;；\\d]{0,12}\\d")
_RX3 = re.compile("[(（](所次|人次|校次|个|所|人|名)[)）]")
_RX5 = re.compile("^(?:以上|以下|及以上)")
_RX6 = re.compile("[^,，。;；]{0,24}(?:之后|以后|后)[,，]")
_RX7 = re.compile('[一二两三四五六七八九十]个[“\\"]?$')
_RX9 = re.compile("学分|学时|课时|小时|工作日")
_RX10 = re.compile("[^,，。;；]{0,24}(?:前后|落后|今后|此后)")
_RX11 = re.compile("比|比例|比率|之比")

_COUNTER_ALT = "|".join(re.escape(c) for c in lx.COUNTERS)
# A mention starts with one of _MENTION_FIRST. Written as a lookahead, that start would make the
# engine try the whole pattern at every position; instead the pattern consumes the first
# character (a character set, which the engine skips ahead to) and then checks, in a one-character
# lookbehind holding a lookahead, that the mention proper (group ``all``) matches from that
# character. The match itself is one character long: the mention ends at ``m.end("all")``, and
# matches starting inside the previous mention are skipped (find_mentions), as finditer would.
# 八成 / 一半 count as a share with a suffix (八成以上) or right after a comparator (超过一半)
_SHARE_COMPARATORS = ("超过", "达到", "不少于", "不低于", "接近", "占")
_AFTER_COMPARATOR_CHENG = "".join(f"|(?<={w}[一二三四五六七八九]成)" for w in _SHARE_COMPARATORS)
_AFTER_COMPARATOR_HALF = "".join(f"|(?<={w}{h})" for w in _SHARE_COMPARATORS for h in ("一半", "半数"))
_MENTION_FIRST = "0123456789百千万半一二两三四五六七八九十翻为是保控降零〇"  # (a regex class body too)
_MENTION = re.compile(
    r"[" + _MENTION_FIRST + r"](?<=(?=(?P<all>"
    r"(?:(?P<pw>百分之" + CHINESE + r"(?:点[零〇一二三四五六七八九]{1,4})?)"
    r"|(?P<fr>(?:[一二三四五六七八九十]{1,3}|千|万)分之[一二三四五六七八九十]{1,3})"
    r"|(?P<cheng>[一二三四五六七八九])成(?:(?=以上|左右|以下|以内|多|的)" + _AFTER_COMPARATOR_CHENG + r")"
    r"|(?P<half>一半|半数)(?:(?=以上|左右|的)" + _AFTER_COMPARATOR_HALF + r")"
    r"|(?P<dbl>翻(?P<dbln>[一两三四])番)"
    r"|(?P<ratio>(?<![\d.:])\d{1,3}(?:\.\d{1,2})?:\d{1,3}(?:\.\d{1,2})?(?![\d:]))"
    r"|(?P<zero>(?<=[率数])(?:为|是|保持为|控制为|降为)零)"
    r"|(?<![\d.A-Za-z_/])(?P<v1>" + ARABIC + r"|" + CHINESE + r"(?=(?:[余多][万亿]?)?(?:" + _COUNTER_ALT + r")))"
    r"(?P<yus>[余多][万亿](?=" + _COUNTER_ALT + r"))?(?P<p1>%)?"
    r"(?:(?P<sep>[-—–~～])(?P<v2>" + NUMBER + r"))?"
    r"(?P<yu>余|多)?(?P<unit>%|" + _COUNTER_ALT + r")?)"
    r")).)"
)

# Where _MENTION can match, found by a compiled pass over the text (_mention_matches): every
# alternative of _MENTION needs, right at or after its first character, one of a few things —
# an ASCII digit (ratios, Arabic numbers); a Chinese numeral followed, within its run of numeral
# characters or right after it, by a counter's first character, 余/多, 分(之), 成 or 半 (the
# Chinese-numeral number, fraction, 八成 and 一半 alternatives); 半数; 翻N番; or 为/是/保/控/降
# after 率/数 (率为零). Elsewhere the pattern cannot match, so it is only tried at the positions
# that have one of these: ~100 in a plan instead of the ~200 its first character class allows,
# and without the regex engine's test of that class at every position.
_NUMERAL_RUN = "零〇一二两三四五六七八九十百千万亿"  # the characters of numbers.CHINESE
_AFTER_NUMERAL = frozenset({c[0] for c in lx.COUNTERS} | set("余多分成半"))


_AFTER_NUMERAL_BITS = char_bitmap(_AFTER_NUMERAL)
_FIRST_BITS = char_bitmap(_MENTION_FIRST)


if cython.compiled:
    from cython.cimports.cpython.unicode import PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ


@cython.cfunc
@cython.inline
def _year_nian(kind: cython.int, data: cython.p_void, i: cython.Py_ssize_t) -> cython.bint:
    """``text[i:i + 5]`` is a year and 年 (19xx年/20xx年; the caller checks i + 4 is inside)."""
    c0: cython.Py_UCS4 = PyUnicode_READ(kind, data, i)
    c1: cython.Py_UCS4 = PyUnicode_READ(kind, data, i + 1)
    c2: cython.Py_UCS4 = PyUnicode_READ(kind, data, i + 2)
    c3: cython.Py_UCS4 = PyUnicode_READ(kind, data, i + 3)
    return (
        ((c0 == "1" and c1 == "9") or (c0 == "2" and c1 == "0"))
        and c2.isdecimal()
        and c3.isdecimal()
        and PyUnicode_READ(kind, data, i + 4) == "年"
    )


@cython.boundscheck(False)  # (indices are kept inside the text below)
@cython.wraparound(False)
def _mention_starts(text: str, lo: cython.Py_ssize_t, hi: cython.Py_ssize_t) -> list[int]:
    """The positions in ``[lo, hi)`` where _MENTION may match (see above); compiled only."""
    out: list[int] = []
    i: cython.Py_ssize_t
    k: cython.Py_ssize_t
    c: cython.Py_UCS4
    d: cython.uint
    e: cython.Py_UCS4
    kind: cython.int = PyUnicode_KIND(text)
    data: cython.p_void = PyUnicode_DATA(text)
    after: cython.p_uchar = _AFTER_NUMERAL_BITS
    first: cython.p_uchar = _FIRST_BITS
    hi = min(hi, len(text))
    for i in range(max(lo, 0), hi):
        d = PyUnicode_READ(kind, data, i)
        if d >= 0x10000 or not (first[d >> 3] & (1 << (d & 7))):
            continue  # (one bitmap test rules out all but a few per cent of the characters)
        c = cython.cast(cython.Py_UCS4, d)
        if "0" <= c <= "9":
            if i > 0:
                e = PyUnicode_READ(kind, data, i - 1)
                if e == "." or e.isdecimal():
                    continue  # inside a number: both alternatives that start with a digit look back for one
            if i + 4 < hi and _year_nian(kind, data, i):
                continue  # 2021年: a year, which find_mentions drops (as a year token, or as 年 years)
            out.append(i)
        elif c in "零〇一二两三四五六七八九十百千万":
            # the run of numeral characters (CHINESE is 1-12 of them), and the character after it
            k = i + 1
            while k < hi and k - i <= 12:
                d = PyUnicode_READ(kind, data, k)
                if d < 0x10000 and after[d >> 3] & (1 << (d & 7)):
                    out.append(i)
                    break
                if PyUnicode_READ(kind, data, k) not in "零〇一二两三四五六七八九十百千万亿":
                    break
                k += 1
        elif c == "半":
            if i + 1 < hi and PyUnicode_READ(kind, data, i + 1) == "数":
                out.append(i)
        elif c == "翻":
            if i + 2 < hi and PyUnicode_READ(kind, data, i + 2) == "番":
                out.append(i)
        elif c in "为是保控降" and i > 0 and PyUnicode_READ(kind, data, i - 1) in "率数":
            out.append(i)
    return out


def _mention_matches(text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
    """``_MENTION.finditer(text, lo, hi)``; compiled, the pattern is only tried where it can
    match (_mention_starts), which gives the same matches: each is one character long, so
    finditer tries every position in turn."""
    if not cython.compiled:
        yield from _MENTION.finditer(text, lo, hi)
        return
    match = _MENTION.match
    for i in _mention_starts(text, lo, hi):
        m = match(text, i, hi)
        if m is not None:
            yield m


_ORDINAL_BEFORE = ("第", "前", "近", "每")
_BAD_AFTER = (
    "号",
    "岁",
    "周岁",
    "届",
    "级",
    "批",
    "轮",
    "版",
    "月",
    "日",
    "时",
    "点",
    "分",
    "秒",
    "楼",
    "层",
    "路",
    "期",
    "代",
    "线",
    "型",
    "号线",
    "G",
    "K",
    "M",
)
_CONDITION_AFTER = re.compile(r"^(?:以上|以下|及以上)?(?:规模)?[^,，。;；]{0,14}的")
_CLASS_SIZE_THRESHOLD = re.compile(r"(?:及)?以上(?:的)?(?:超)?大班额")
_REMOVE_VERBS = frozenset(("消除", "化解", "杜绝", "取消", "消灭"))


@cython.dataclasses.dataclass
@cython.cclass
class Mention:
    """A quantity in the text (a Cython dataclass: compiled, a C struct whose positions are C
    integers; uncompiled, a plain dataclass)."""

    start: cython.Py_ssize_t  # first char of the quantity (number / 百分之)
    end: cython.Py_ssize_t  # after unit and suffix comparator
    num_end: cython.Py_ssize_t  # after number/range
    unit_end: cython.Py_ssize_t  # after the counter unit
    value: float
    value_high: float | None
    unit: str | None
    comparator: str | None = None
    comparator_from_prefix: cython.bint = False
    is_chinese: cython.bint = False
    yu: cython.bint = False
    prefix_word_start: int | None = None
    baseline: cython.bint = False


@cython.cfunc
def _is_year_token(tok: str) -> bool:
    """``re.match(r"(?:19|20)\\d\\d$", tok)`` for a number token (which holds no line break)."""
    return len(tok) == 4 and tok.startswith(("19", "20")) and tok[2:].isdecimal()


@cython.cfunc
def _context_ok(text: str, pos: int, word: str) -> bool:
    rule = lx.NOT_COMPARATOR_CONTEXT.get(word)
    if not rule:
        return True
    bad_before, bad_after = rule
    before = text[max(0, pos - 2) : pos]
    after = text[pos + len(word) : pos + len(word) + 2]
    if bad_before and before.endswith(bad_before):
        return False
    return not (bad_after and after.startswith(bad_after))


# ----------------------------------------------------------------------------------------
# mentions
@cython.cfunc
def _licensed_chinese(text: str, start: int) -> bool:
    window = _clause_tail(text[max(0, start - 5) : start])
    if window.endswith(("近", "约", "共", "达", "各", "为", "不少于", "不低于", "不超过", "不高于", "超过", "至少")):
        return True
    if holds_any(window, lx.QUANTITY_VERBS) or window.endswith(("扩大", "提高", "增加")):
        return True
    # 新增普惠性学位一万二千个: a building or adding verb earlier in the clause licenses it too
    wide = _clause_tail(text[max(0, start - 14) : start])
    return holds_any(wide, _STRONG_QUANTITY_VERBS)


@cython.cfunc
def _clause_tail(window: str) -> str:
    """What of ``window`` lies after its last clause or sentence mark."""
    return window[max(window.rfind(c) for c in ",，;；。:：\n") + 1 :]


_SLOGAN_NOUNS = ("意识", "自信", "维护", "全面", "伟大", "必须", "坚持", "服务", "面向", "一批", "优先", "统筹")
_STRONG_QUANTITY_VERBS = ("新建", "新增", "建设", "建成", "改扩建", "招聘", "培育", "选派", "配备", "增加", "培训")


@cython.cfunc
def _close_list_item(text: str, prev_end: int, start: int) -> bool:
    """``start`` is the next item of a list the previous mention (ending at ``prev_end``) began:
    a short stretch with a list mark and no sentence end (…19:1,初中不高于13.5:1)."""
    gap = text[prev_end:start]
    return len(gap) <= 12 and gap[:1] in ("、", ",", "，", "；", ";") and "。" not in gap and "\n" not in gap


@cython.cfunc
def _with_suffix(text: str, mm: Mention) -> Mention:
    """Read a suffix comparator (以上, 以内, 左右) right after the mention."""
    for w, c in lx.SUFFIX_COMPARATORS:
        if text.startswith(w, mm.unit_end):
            mm.comparator = c
            mm.end = mm.unit_end + len(w)
            break
    return mm


def find_mentions(text: str, lo: int, hi: int) -> list[Mention]:
    """Quantity mentions in ``text[lo:hi]``."""
    out: list[Mention] = []
    # (positions as C integers, compiled: the arithmetic and slicing on them stay in C)
    s: cython.Py_ssize_t
    m_end: cython.Py_ssize_t
    unit_end: cython.Py_ssize_t
    num_end: cython.Py_ssize_t
    m_end_extra: cython.Py_ssize_t
    last_end: cython.Py_ssize_t = lo
    for m in _mention_matches(text, lo, hi):
        s = m.start()
        if s < last_end:
            continue  # inside the previous mention (finditer of the mention proper resumes after it)
        m_end = m.end("all")
        last_end = m_end
        pw, fr, dbl, ratio, zero, tok, p1, v2, unit_g, yu = m.group(
            "pw", "fr", "dbl", "ratio", "zero", "v1", "p1", "v2", "unit", "yu"
        )
        if pw:
            v = parse_percent_words(pw)
            if v is None or _RX7.search(text[max(0, s - 3) : s]):
                continue
            out.append(_with_suffix(text, Mention(s, m_end, m_end, m_end, v, None, "%", is_chinese=True)))
            continue
        if fr:
            v = parse_percent_words(fr)
            if v is None:
                continue
            out.append(_with_suffix(text, Mention(s, m_end, m_end, m_end, v, None, "%", is_chinese=True)))
            continue
        cheng, half = m.group("cheng", "half")
        if cheng or half:
            # 八成以上的学校 → 80 %, 一半以上 / 半数以上 → 50 %
            v = 50.0 if half else float(parse_number(cheng) or 0) * 10
            out.append(_with_suffix(text, Mention(s, m_end, m_end, m_end, v, None, "%", is_chinese=True)))
            continue
        if dbl:
            n = parse_number(m.group("dbln")) or 1
            out.append(Mention(s, m_end, m_end, m_end, float(2 ** int(n)), None, "倍", is_chinese=True))
            continue
        if ratio:
            a, b = (float(x) for x in ratio.split(":"))
            ctx = text[max(0, s - 10) : s]
            # 生师比小学不高于19:1,初中不高于13.5:1: a ratio listed after a ratio needs no 比 of its own
            listed = bool(out) and out[-1].unit is None and _close_list_item(text, out[-1].end, s)
            if b == 0 or not (_RX11.search(ctx) or listed):
                continue
            # 1:1 → 1; 师生比1:13.5 → 13.5 (the conventional figure); 3:2 → 1.5
            ratio = b if a == 1 else a if b == 1 else round(a / b, 6)
            out.append(Mention(s, m_end, m_end, m_end, ratio, None, None))
            continue
        if zero:
            out.append(Mention(s, m_end, m_end, m_end, 0.0, None, "%"))
            continue
        if not tok:
            continue
        unit = unit_g or (p1 and "%")
        if p1 and v2 and not unit_g:
            unit = None  # "8%-10" without a closing %: rare, skip
        paren_unit = _RX3.match(text[m_end : m_end + 5]) if not unit and text.startswith(("(", "（"), m_end) else None
        if paren_unit:
            unit = paren_unit.group(1)
        # the cheap exclusions first (no later step changes these units): most numbers with a
        # unit are years (2021年) or not goals at all
        if unit == "年" and text.find("年限", max(0, s - 14), s) < 0:  # (受教育年限 counts in years)
            continue
        if unit in lx.NON_TARGET_COUNTERS:
            continue
        if s > 0 and text[s - 1] in '“"「《':
            continue
        coefficient = False
        if not unit:
            # a bare 万/亿 amount of money (总投资1亿2700万)
            if ("万" in tok or "亿" in tok) and holds_any(text[max(0, s - 6) : s], lx.MONEY_WORDS):
                unit = "元"
            elif (
                "." in tok
                and not v2
                and (
                    "系数" in text[max(0, s - 14) : s]
                    or (bool(out) and out[-1].unit is None and _close_list_item(text, out[-1].end, s))
                )
            ):
                coefficient = True  # 差异系数小学不高于0.50、初中不高于0.45: a bare coefficient
            else:
                continue
        is_cn = 0 < len(tok) <= 12 and not tok.strip(CN_NUM_CHARS)  # only Chinese numerals
        value = parse_number(tok)
        if value is None or not math.isfinite(value):
            continue
        yus = m.group("yus")
        if yus:  # 40余万个: more than 400,000
            value *= 1e4 if yus[1] == "万" else 1e8
            yu = yus[0]
        vh = None
        if v2:
            vh = parse_number(v2)
            if vh is not None and (not math.isfinite(vh) or vh <= value):
                vh = None
        if paren_unit:
            m_end_extra = paren_unit.end()
        elif unit == "个":
            um = _RX9.match(text[m_end : m_end + 3])
            if um:
                unit = um.group(0)
                m_end_extra = len(um.group(0))
            else:
                m_end_extra = 0
        elif not paren_unit:
            m_end_extra = 0
        if unit == "万元":
            value, vh, unit = value * 1e4, (vh * 1e4 if vh else None), "元"
        elif unit == "亿元":
            value, vh, unit = value * 1e8, (vh * 1e8 if vh else None), "元"
        unit_end = m_end + m_end_extra
        num_end = m.end("v2") if v2 else m.end("v1")
        before1 = text[s - 1 : s] if s > 0 else ""
        after = text[unit_end : unit_end + 4]
        # --- exclusions -------------------------------------------------------------------
        if before1 in _ORDINAL_BEFORE and before1 != "近":
            if before1 == "第" or (before1 == "每" and unit in ("年", "月", "天", "周", "人", "名")):
                continue  # 第3所, 每年, 每万人口设置1所初中 (a denominator, not a goal)
            if before1 == "前" and unit in ("名", "位"):
                continue
        if unit in ("天", "个月", "周", "小时", "分钟") and text[max(0, s - 2) : s] in ("为期", "历时", "用时", "时长"):
            continue  # 培训为期3天: how long a programme runs, stated as a fact
        if unit != "%" and after.startswith(_BAD_AFTER):
            continue
        if _is_year_token(tok) and (after.startswith(("年", "-", "/", "—")) or unit in ("年",)):
            continue
        if s >= 2 and text[s - 1] == "个" and text[s - 2] in "一二两三四五六七八九十":
            continue  # 三个100%: the name of a set of goals
        if endswith_re(text[max(0, s - 6) : s], _NOT_THESE_BEFORE):
            continue
        if is_cn:
            if not _licensed_chinese(text, s):
                continue
            if after[:1] in ("“", '"', "「") or tok in ("十",) or unit in ("次", "届", "轮"):
                continue
            if unit == "个" and after.startswith(_SLOGAN_NOUNS):
                continue  # 四个意识, 两个维护: the names of political slogans
        if unit not in ("%", "个百分点", "百分点") and after.startswith(lx.SCOPE_NOUNS):
            continue
        if unit == "个" and after.startswith(("“", '"')) and is_cn:
            continue
        # condition: "5名以上残疾学生的普通学校", "1万人以上规模的住宅区"
        tail = text[unit_end : min(len(text), unit_end + 24)]
        if unit != "%" and tail.startswith(("以上", "以下", "及以上")) and _CONDITION_AFTER.match(tail):
            continue
        if tail.startswith(("以上", "以下")) and _RX2.match(tail):
            continue  # 56人以上大班额比例控制在0.5%以内: a threshold that defines the measured thing
        if unit == "人" and _CLASS_SIZE_THRESHOLD.match(tail):
            continue  # 56人及以上大班额全部消除: the size that makes a class too large
        if tail.startswith(("以上", "及以上", "以下")) and text[max(0, s - 2) : s] in _REMOVE_VERBS:
            continue  # 消除56人以上大班额: the threshold names what is removed, it is not a goal
        if unit == "人" and tail.startswith("口") and _RX5.match(tail[1:]) and _CONDITION_AFTER.match(tail[1:]):
            continue  # 30万人口以上的县: a population threshold
        if "后" in tail and _RX6.match(tail) and not _RX10.match(tail):
            continue  # 20所学校全部建成后, …: a condition
        if coefficient:
            unit = None
        mm = _with_suffix(
            text, Mention(s, unit_end, num_end, unit_end, float(value), vh, unit, is_chinese=is_cn, yu=bool(yu))
        )
        if mm.comparator is None and mm.yu:
            mm.comparator = ">="
        out.append(mm)
    return out


_MAX_GAP = {
    "不低于": 30,
    "不少于": 30,
    "不超过": 30,
    "不高于": 30,
    "不小于": 30,
    "实现": 1,
    "为": 1,
    "是": 0,
    "近": 0,
    "约": 2,
    "达": 2,
    "保持": 2,
    "接近": 12,
    "左右": 0,
    "以上": 0,
}


_COMP_WORDS = dict(lx.PREFIX_COMPARATORS)
_COMP_BY_FIRST: dict[str, tuple[str, ...]] = {
    c: tuple(w for w in _COMP_WORDS if w[0] == c) for c in {w[0] for w in _COMP_WORDS}
}
_COMP_FIRST_BITS = char_bitmap(_COMP_BY_FIRST)  # (the words' first characters, all in the BMP)


# the last answer: extraction asks twice for most numbers (for the comparator and the subject)
_prefix_last: tuple[str | None, int, int, tuple[str | None, int | None]] = (None, -1, -1, (None, None))


def prefix_comparator(text: str, lo: int, pos: int) -> tuple[str | None, int | None]:
    """Nearest comparator word ending in ``text[lo:pos]``; returns (comparator, word start)."""
    global _prefix_last
    last_text, last_lo, last_pos, last = _prefix_last
    if last_text is text and last_lo == lo and last_pos == pos:
        return last
    found = _prefix_comparator(text, lo, pos)
    _prefix_last = (text, lo, pos, found)
    return found


@cython.boundscheck(False)  # (i stays inside [lo, pos) of the text)
@cython.wraparound(False)
def _prefix_comparator(text: str, lo: cython.Py_ssize_t, pos: cython.Py_ssize_t) -> tuple[str | None, int | None]:
    """Every comparator word that starts in ``text[max(lo, pos - 40):pos]`` and ends by ``pos``
    is a candidate (达到 and 达 both); the one that ends last (then the longest) and stands close
    enough to the number wins. (Compiled, the window's characters are read as C integers and
    only those that start a word are looked at.)"""
    i: cython.Py_ssize_t
    end: cython.Py_ssize_t
    c: cython.uint
    first: cython.p_uchar = _COMP_FIRST_BITS
    best: tuple[int, int, str, int] | None = None  # (end, length, comparator, start)
    lo = max(lo, pos - 40, 0)
    for i in range(lo, min(pos, len(text))):
        c = ord(text[i])
        if c >= 0x10000 or not (first[c >> 3] & (1 << (c & 7))):
            continue
        for w in _COMP_BY_FIRST[text[i]]:
            end = i + len(w)
            if end > pos or not text.startswith(w, i) or not _context_ok(text, i, w):
                continue
            gap = text[end:pos]
            if len(gap) <= _MAX_GAP.get(w, 16) and "、" not in gap:
                cand = (end, len(w), _COMP_WORDS[w], i)
                if best is None or cand[:2] > best[:2]:
                    best = cand
    if best is None:
        return None, None
    return best[2], best[3]


# ----------------------------------------------------------------------------------------
# indicator phrases
