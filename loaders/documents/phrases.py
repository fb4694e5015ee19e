"""Indicator phrases: what a number measures, and its catalog code.

The phrase is cut from the clause around the number: for a count, the noun after the counter
(``建设25个特级教师工作站`` → 特级教师工作站), else the words before the number; for a rate, the
subject before the predicate (``学前三年毛入园率达到95%`` → 学前三年毛入园率). :func:`strip_phrase`
removes what does not name the indicator (years, 全市/我县, adverbs such as 确保/力争, trailing
predicates such as 达到/稳定在, list numbering, quotes and short parentheses).
:func:`indicator_code` maps a phrase to a code through the names and aliases in
``seeds/indicators.csv`` (``loaders.indicators``): a name contained in the phrase, the phrase
contained in a name, or most of a name's character bigrams present (or nearly all of its
characters, ending alike), with the unit agreeing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from loaders.documents import lexicon as lx
from loaders.documents.mentions import Mention

# precompiled patterns used in the hot paths below
_RX0 = re.compile("\\s")
_RX1 = re.compile("^为(?=[\\u4e00-\\u9fff]{2})")
_RX2 = re.compile("(?:和|及|以及|与|等|或)$")
_RX3 = re.compile("(?:参加|开展|用于|进行|实现|达到|投入|建成|提供|新增|增加|设立|为|是|要|将|均|作为|纳入)")

_PHRASE_STOP = set('。；;！!？?\n,，:：()（）《》“”"[]【】、')

_QUOTES = str.maketrans("", "", "“”\"'‘’《》〈〉「」『』【】[]")
_PAREN = re.compile(r"[(（][^()（）]{0,16}[)）]")
YEAR_PHRASE = re.compile(
    r"(?:到|至|在|于|截至|截止|力争到|力争在|从)?(?:19|20)\d\d\s{0,1}年?(?:\d{1,2}月(?:底|份)?)?(?:底|末|度)?(?:前|以前|之前|起|开始|以来)?"
    r"|(?:今后|未来)[一二两三四五六七八九十\d]{1,2}年(?:内|之内|中|里)?|[一二两三四五六七八九十\d]{1,2}年(?:内|之内)"
    r"|今年|明年|当年|今秋|今春"
)
_REGION_WORDS = re.compile(
    r"^(?:全市|全区|全县|全州|全省|全国|我市|我区|我县|我省|本市|本区|本县|各地|各县市区|(?:市级|区级|县级)(?!以上|及以上))"
)


def _norm_ind(s: str) -> str:
    return _RX0.sub("", s.translate(_QUOTES))


@lru_cache(maxsize=1)
def _indicator_names() -> list[tuple[str, str, str]]:
    """(normalised name, code, unit) for every indicator name and alias, longest first."""
    from loaders.indicators import indicators

    out: list[tuple[str, str, str]] = []
    for ind in indicators().values():
        for n in ind.names:
            n2 = _norm_ind(n).replace("的", "")
            if n2:
                out.append((n2, ind.code, ind.unit))
    out.sort(key=lambda t: -len(t[0]))
    return out


@lru_cache(maxsize=4096)
def indicator_code(text: str, unit: str | None) -> str | None:
    """Map an indicator phrase to a catalog code via names/aliases (None when unmapped)."""
    t = _norm_ind(text).replace("的", "")
    if not t:
        return None
    for name, code, iu in _indicator_names():
        if iu and unit and iu != unit:
            continue
        if name in t:
            # the phrase must end with the indicator (not 网络联校覆盖率 inside a longer phrase)
            tail = t[t.index(name) + len(name) :]
            if len(tail) <= 2:
                return code
        elif len(t) >= 4 and t in name and len(t) >= 0.6 * len(name):
            return code
    # fuzzy: most of the indicator's name bigrams appear in the phrase (same unit)
    tb = _bigrams(t)
    best, best_score = None, 0.0
    for name, code, iu in _indicator_names():
        if not (iu and unit and iu == unit) or len(name) < 4:
            continue
        if any(st in name and st not in t for st in _CODE_STAGES):
            continue  # 义务教育阶段适龄儿童入学率 is not 小学适龄儿童入学率: the stage must agree
        nb = _bigrams(name)
        score = len(nb & tb) / len(nb)
        if name[-2:] == t[-2:] and score >= 0.55:
            # the same measure with its words reordered or one dropped (交流轮岗教师比例 for
            # 教师交流轮岗比例, 封闭管理率 for 封闭化管理率): nearly all of the name's characters,
            # few others (百人名师网络教研联盟覆盖率 is not 网络联校覆盖率), the same last two
            # (达标率 is not 优良率) and most words still whole (专兼职安保人员 is not 专职保安员)
            chars, own = set(name), set(t)
            cover = len(chars & own) / len(chars)
            if cover >= 0.8 and len(own - chars) <= 3:
                score = max(score, cover - 0.05)
        if score > best_score:
            best, best_score = code, score
    return best if best_score >= 0.75 else None


_CODE_STAGES = ("学前", "小学", "初中", "高中", "义务教育", "高等教育", "中职", "职业", "残疾")


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


_BASELINE_PHRASE = re.compile(r"(?:在|较|比|与)?(?:19|20)\d\d年?(?:底|末)?(?:的)?(?:基础上|相比)")


def _by_char(words: tuple[str, ...], last: bool) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in words:
        out.setdefault(w[-1] if last else w[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


_LEADING_BY_CHAR = _by_char(lx.LEADING_NOISE, last=False)
#: openings that look like leading noise but name the thing (各级各类学校, 各类学校)
_KEEP_LEADING = ("各级", "各类")
_TRAILING_BY_CHAR = _by_char(lx.TRAILING_NOISE, last=True)


_TRAILING_YEAR = re.compile(r"(?:(?:较|比|与)(?=(?:19|20)\d\d年))?(?:19|20)\d\d年(?:底|末)?(?:前)?(?:的)?$")
_LIST_NUMBER = re.compile(
    r"^(?:\d{1,2}[.、．](?!\d)|[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
)


@lru_cache(maxsize=16384)
def strip_phrase(s: str) -> str:
    """``s`` without what does not name the indicator (see the module docstring).

    A pure function of a short string (a clause part, ≤ 200 characters), asked ~30 times per
    document, and plans repeat their phrases (建设…所, …覆盖率达到…): memoised."""
    s = _LIST_NUMBER.sub("", s)
    s = _BASELINE_PHRASE.sub("", s)
    s = _PAREN.sub("", s).translate(_QUOTES).strip(" 、,，.·-—+")
    for _ in range(8):
        before = s
        m = YEAR_PHRASE.match(s)
        if m and m.end() > 0:
            s = s[m.end() :]
        m = _REGION_WORDS.match(s)
        if m:
            s = s[m.end() :]
        for w in _LEADING_BY_CHAR.get(s[:1], ()):
            if s.startswith(w) and len(s) > len(w) + 1 and not s.startswith(_KEEP_LEADING):
                s = s[len(w) :]
                break
        for w in _TRAILING_BY_CHAR.get(s[-1:], ()):
            if s.endswith(w) and len(s) > len(w) + 1:
                s = s[: -len(w)]
                break
        # a year after the measure (覆盖率2023年达到85%, 入学率由2010年的, 在校生数比2020年) says
        # when, not what
        ty = _TRAILING_YEAR.search(s)
        if ty and ty.start() >= 2:
            s = s[: ty.start()]
        s = s.strip(" 、,，.·-—+")
        if s == before:
            break
    return s


_LEADING_VERBS_BY_CHAR = _by_char(lx.LEADING_VERBS, last=False)  # (in LEADING_VERBS order)


@lru_cache(maxsize=16384)
def strip_leading_verbs(s: str) -> str:
    """``s`` without one leading verb (建设/新增/…) when more than a character remains
    (memoised like :func:`strip_phrase`)."""
    for w in _LEADING_VERBS_BY_CHAR.get(s[:1], ()):  # only words that start like s can start it
        if s.startswith(w) and len(s) > len(w) + 1:
            return s[len(w) :]
    return s


_CN_COUNT_IN_PHRASE = re.compile(r"(?<![“\"])(?:近|约)?[一二两三四五六七八九十百千万]{1,4}(?:余|多)?[个所名人项]")
_AFTER_RE = re.compile(r"[^。；;！!？?\n,，:：\[\]【】0-9]{0,40}")


# the last answer: extraction asks twice for each number (for its indicator and its evidence)
_after_last: tuple[str | None, int, int, str] = (None, -1, -1, "")


def after_phrase(text: str, m: Mention, hi: int) -> str:
    global _after_last
    last_text, last_end, last_hi, last = _after_last
    if last_text is text and last_end == m.end and last_hi == hi:
        return last
    end = m.end
    # the phrase is read from at most 40 characters after the number (within the clause): a
    # pure function of that window, memoised
    s = _after_phrase_of(text[end : min(max(end, hi), end + 40)])
    _after_last = (text, m.end, hi, s)
    return s


@lru_cache(maxsize=16384)
def _after_phrase_of(window: str) -> str:
    """The noun phrase after a number; ``window`` is the text after it, up to the clause end
    and at most 40 characters (all ``_AFTER_RE`` can take)."""
    pm = _AFTER_RE.match(window)
    s = pm.group(0) if pm else ""
    s = _PAREN.sub("", s).translate(_QUOTES)
    if s.startswith("的"):
        s = s[1:]
    if "的" in s:
        head = s[s.rindex("的") + 1 :].lstrip("、")
        if len(head) >= 2 and "、" not in head:
            s = head
    s = _RX1.sub("", s)
    cut = _CN_COUNT_IN_PHRASE.search(s)
    if cut and cut.start() >= 1:
        s = s[: cut.start()]
    if "、" in s:
        s = s[: s.index("、")]
    s = _RX2.sub("", s)
    # stop at a verb that starts a new predicate
    m2 = _RX3.search(s)
    if m2 and m2.start() >= 2:
        s = s[: m2.start()]
    return s.strip()


_BAD_AFTER_START = (
    "和",
    "及",
    "与",
    "、",
    "的",
    "以上",
    "左右",
    "为",
    "是",
    "在",
    "等",
    "共",
    "或",
    "并",
    "以",
    "到",
    "至",
    "其中",
    "其",
    "用于",
    "参加",
    "开展",
    "进行",
    "以内",
    "以下",
    "之内",
    "内",
    "后",
    "前",
    "积极",
    "推进",
    "推动",
    "加快",
    "全面",
    "进一步",
    "确保",
    "实现",
    "努力",
    "不断",
    "持续",
)


def good_after(s: str) -> bool:
    return len(s) >= 2 and "\u4e00" <= s[0] <= "\u9fff" and not s.startswith(_BAD_AFTER_START)


# ----------------------------------------------------------------------------------------
# main
