"""Document metadata: title, issuer, region, publication date, document type, plan period.

Everything is read from the cleaned text with bounded regexes and the region index
(:mod:`loaders.documents.places`); no external service. The document region is the region the
text is about: the place named in the title, or the most-mentioned place, lifted to the level
the text speaks at (``全市``/``我县``/``全区``/``自治区``), and placeholders kept as written
(``某区``; ``黄山市某县`` when only the prefecture is named).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from typing import Any

from loaders.documents.model import DocumentMeta
from loaders.documents.places import candidates, display_name, find_all_cached, is_within, region_index
from loaders.documents.scan import WordGroups, char_positions, finditer_at
from loaders.documents.years import PLAN_PERIODS, find_years, plan_period

_DATE_PATTERNS = (
    re.compile(r"((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})"),
    re.compile(r"((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})"),
    re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日"),
)
_DATE_LABEL = re.compile(r"(?:发布时间|发文时间|发文日期|发布日期|成文日期|时间|日期)[:：]?\s{0,3}")
_TITLE_LABEL = re.compile(r"^(?:标\s{0,2}题|题\s{0,2}目)[:：]\s{0,2}(.{4,80})$", re.M)
_ISSUER_LABEL = re.compile(
    r"(?:发布机构|发文机关|发布单位|来源)[:：]?\s{0,2}([\u4e00-\u9fff]{2,20}?)(?=\s|文号|$|\n|责任|作者)", re.M
)
_ISSUER_IN_TITLE = re.compile(r"^([\u4e00-\u9fff、]{2,40}?)(?:关于|印发|转发)")
_ISSUER_SUFFIX = re.compile(
    r"^[\u4e00-\u9fff]{2,30}(?:教育局|教育厅|教育体育局|教体局|人民政府|政府办公室|办公厅|委员会|教育部)"
)

_ORGAN_LINE = re.compile(
    r"[\u4e00-\u9fff]{2,24}(?:人民政府办公室|人民政府办公厅|人民政府|教育局|教育厅|教育体育局|教体局|办公室|办公厅|委员会|教育部)"
)

_DOC_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "five_year_plan",
        re.compile(
            r"十[一二三四五]?五.{0,20}规划|五年规划|20\d\d\s{0,1}[-—–至]\s{0,1}20\d\d年?\)?.{0,10}规划|规划.{0,6}20\d\d\s{0,1}[-—–至]"
        ),
    ),
    (
        "annual_plan",
        re.compile(
            r"20\d\d年.{0,12}(?:工作计划|工作要点|工作安排|建设计划|民生实事|十大实事)|年度.{0,6}(?:计划|要点)|工作计划|工作要点"
        ),
    ),
    ("action_plan", re.compile(r"行动计划|行动方案|实施方案|行动实施|攻坚计划|提升计划|工程方案")),
    ("notice", re.compile(r"通知|意见|规定|办法|决定|公告|通告")),
    ("report", re.compile(r"报告|公报|总结|监测|统计")),
    ("five_year_plan", re.compile(r"规划")),
)
_NEWS_HINT = re.compile(r"记者|本报讯|晚报讯|日电|消息|来源[:：]|新闻|据了解|获悉|发布会")
_NATIONAL_TITLE = re.compile(r"(?:关于印发)?[《“\"]?(?:国家|全国|中国|国务院|教育部|中共中央)")
_PLACEHOLDER = re.compile(r"某(?:省|市|区|县|州|镇)")
# the words that say which level a text speaks at, per level an alternation whose matches are
# counted like ``re.findall("|".join(words))``; all six in one pass (scan.WordGroups)
_LEVEL_WORDS: dict[str, tuple[str, ...]] = {
    "province": ("全省", "我省", "本省"),
    "prefecture": ("全市", "我市", "本市", "市委", "市政府", "全州", "我州"),
    "county": ("全县", "我县", "本县", "县委", "县政府", "全旗"),
    "district": ("全区", "我区", "本区", "区委", "区政府"),
    # = 自治区(?:教育厅|党委|人民政府|政府|财政厅|级)|全自治区|全区各|区属
    "autonomous": (
        "自治区教育厅",
        "自治区党委",
        "自治区人民政府",
        "自治区政府",
        "自治区财政厅",
        "自治区级",
        "全自治区",
        "全区各",
        "区属",
    ),
    "country": ("全国", "教育部", "国务院"),
}
_LEVEL_SCAN = WordGroups(list(_LEVEL_WORDS.values()))


def _first_lines(text: str, n: int = 12) -> list[str]:
    return [ln.strip() for ln in text.split("\n", n)[:n] if ln.strip()]  # (splits only the head)


_NOT_A_TITLE = re.compile(r"网|>|[:：]$|^[(（]|^\d{1,2}[、.]|^[一二三四五六七八九十]{1,2}、")
_FOUR_CJK = re.compile(r"[\u4e00-\u9fff]{4}")
_NUMBERED = re.compile(r"^[\d.、]{1,4}")


def find_title(text: str) -> str | None:
    # (a label opens with 标 or 题: the pattern is tried only there, see scan.finditer_at)
    m = next(finditer_at(_TITLE_LABEL, text[:3000], "标题"), None)
    if m:
        return m.group(1).strip()
    for ln in _first_lines(text, 8):
        if _NOT_A_TITLE.search(ln):
            continue
        if 6 <= len(ln) <= 70 and "。" not in ln and _FOUR_CJK.search(ln) and not _date_in(ln):
            if _NUMBERED.match(ln) and len(ln) > 30:
                continue
            return ln.strip("|")
    return None


def _date_in(s: str) -> tuple[int, int, int] | None:
    if "19" not in s and "20" not in s:
        return None  # (every date pattern opens with a year)
    for p, gate in zip(_DATE_PATTERNS, ("-", "/", "月"), strict=True):  # (a character each match holds)
        m = p.search(s) if gate in s else None
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return y, mo, d
    return None


def find_date(text: str) -> str | None:
    head = text[:2000]
    for m in _DATE_LABEL.finditer(head) if "时间" in head or "日期" in head else ():
        d = _date_in(head[m.end() : m.end() + 24])
        if d:
            return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"
    for ln in _first_lines(text, 8):
        d = _date_in(ln)
        if d and len(ln) < 80:
            return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"
    # a signature date line of a notice: "2023年2月28日" on its own line
    for ln in text.split("\n", 80)[:80]:
        s = ln.strip()
        if len(s) <= 14:
            d = _date_in(s)
            if d:
                return f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d}"
    return None


_MEDIA_ISSUER = re.compile(r"网|报|新闻|发布$")


def find_issuer(text: str, title: str | None) -> str | None:
    # (the label opens with 发 or 来: tried only there, see scan.py)
    m = next(finditer_at(_ISSUER_LABEL, text[:2000], "发来"), None)
    if m and not _MEDIA_ISSUER.search(m.group(1)):
        return m.group(1)
    if title:
        m = _ISSUER_IN_TITLE.match(title)
        if m and not m.group(1).startswith(("关于", "印发", "转发")):
            return m.group(1).split("等")[0]
        # 某县人民政府办公室 on a line of its own under the title
        for line in text[: text.find(title) + len(title) + 400].split("\n")[1:6]:
            om = _ORGAN_LINE.fullmatch(line.strip())
            if om:
                return om.group(0)
        m = _ISSUER_SUFFIX.match(title)
        if m:
            return m.group(0)
    return None


def classify(title: str | None, head: str) -> str:
    probe = title or ""
    for kind, pat in _DOC_TYPES:
        if probe and pat.search(probe):
            return kind
    if _NEWS_HINT.search(head[:1500]):
        return "news"
    for kind, pat in _DOC_TYPES[:3]:
        if pat.search(head[:300]):
            return kind
    return "other"


def _level_counts(text: str) -> dict[str, int]:
    return dict(zip(_LEVEL_WORDS, _LEVEL_SCAN.counts(text), strict=True))


_SOURCE_LINE = re.compile(r"网|来源|http|www|\.com|电话|地址")
_ZONE = re.compile(r"([\u4e00-\u9fff]{2,24}(?:示范区|试验区|实验区|经济区|经济带|城市带|城市群|综合区))")


_TITLE_VERBS = re.compile(r"印发|关于|转发")


def document_region(text: str, title: str | None) -> tuple[str | None, Any]:
    """Return ``(region_name, region_object_or_None)`` for the document."""
    # a named zone the document is about (皖江…示范区): the text then calls it by its suffix
    tail = _TITLE_VERBS.split(title or "")[-1]
    zm = _ZONE.match(tail)
    if zm:
        name = zm.group(1)
        suffix = next(
            sfx
            for sfx in ("示范区", "试验区", "实验区", "经济区", "经济带", "城市带", "城市群", "综合区")
            if name.endswith(sfx)
        )
        if text.count(suffix) >= 3:
            return name, None
    idx = region_index()
    levels = _level_counts(text)
    scores: Counter[str] = Counter()
    objs: dict[str, Any] = {}
    body = text
    chrome_line: dict[int, bool] = {}  # per line: a short source/contact line (judged once)
    source_regions: Counter[str] = Counter()  # regions named only on such lines (来源:河南日报)
    breaks = char_positions(body, "\n")
    for s, _e, hit in find_all_cached(body):
        cands = candidates(hit)
        k = bisect.bisect_left(breaks, s)
        line_start = breaks[k - 1] + 1 if k > 0 else 0
        skip = chrome_line.get(line_start)
        if skip is None:
            line_end = breaks[k] if k < len(breaks) else len(body)
            skip = line_end - line_start < 60 and _SOURCE_LINE.search(body, line_start, line_end) is not None
            chrome_line[line_start] = skip
        if skip:
            for r in cands:
                source_regions[r.code] += 1.0 / len(cands)
                objs.setdefault(r.code, r)
            continue
        for r in cands:
            w = 1.0 / len(cands)
            if r.level == "country":
                continue
            if len(r.name) >= 3 and body.startswith(r.name, s):
                w *= 3
            scores[r.code] += w
            objs[r.code] = r
    if title:
        prev_cands: list[Any] = []
        prev_end = -1
        for s, e, hit in idx.find_all(title):
            cands = candidates(hit)
            # 杭州市西湖区教育局: a place named right after the place that holds it is the more
            # specific one the title means (and picks which 西湖区)
            inside = [
                r for r in cands if s == prev_end and any(is_within(r, p) and r.code != p.code for p in prev_cands)
            ]
            if inside:
                for r in inside:
                    scores[r.code] += 45.0 / len(inside)
                    objs[r.code] = r
            else:
                for r in cands:
                    if r.level != "country":
                        scores[r.code] += 20.0 / len(cands)
                        objs[r.code] = r
            prev_cands, prev_end = cands, e
    country_mentions = levels["country"]
    if title and _NATIONAL_TITLE.match(title):
        country_mentions += 3  # 国家教育事业发展规划, 中国教育现代化2035: a national plan
    if not scores:
        if country_mentions >= 2:
            return "全国", _country()
        # a news page that only says 我省/全省 (or 我市…): the newspaper or site on its source
        # line names the place, when it is one of that level (来源:河南日报 → 河南省)
        for code, _n in source_regions.most_common():
            r = objs[code]
            spoken = r.level in ("province", "prefecture", "county") and levels[r.level] >= 1
            if spoken and (r.level != "county" or levels["district"] == 0):
                return display_name(r), r
        m = _PLACEHOLDER.search(title or "") or _PLACEHOLDER.search(text[:3000])
        return (m.group(0), None) if m else (None, None)
    best_code = max(scores, key=lambda c: (scores[c], -len(c.rstrip("0"))))
    best = objs[best_code]
    # lift or place the region at the level the text speaks at
    pref_words, county_words, dist_words = levels["prefecture"], levels["county"], levels["district"]
    auto_words = levels["autonomous"]
    if auto_words >= 2 and best.level != "province":
        prov = province_of(best)
        if prov is not None and "自治区" in prov.name:
            return display_name(prov), prov
    if country_mentions >= 3 and country_mentions > 2 * max(scores.values()):
        return "全国", _country()
    if best.level == "county" and pref_words > county_words + dist_words and not best.name.endswith("市"):
        pref = prefecture_of(best)
        if pref is not None:
            return display_name(pref), pref
    if best.level == "prefecture" and county_words >= 1 and county_words > pref_words:
        return best.name + "某县", None
    if best.level == "province" and (pref_words or county_words):
        m = _PLACEHOLDER.search(title or "")
        if m:
            return m.group(0), None
    placeholder = _PLACEHOLDER.search(title or "")
    if placeholder and scores[best_code] < 5:
        return placeholder.group(0), None
    return display_name(best), best


def _country() -> Any:
    try:
        return region_index().get("000000")
    except Exception:
        return None


def _ancestors(r: Any) -> list[Any]:
    try:
        return list(region_index().ancestors(r.code))
    except Exception:
        return []


def prefecture_of(r: Any) -> Any:
    for a in _ancestors(r):
        if a.level == "prefecture":
            return a
    return None


def province_of(r: Any) -> Any:
    if r.level == "province":
        return r
    for a in _ancestors(r):
        if a.level == "province":
            return a
    return None


_ANNUAL_TITLE = re.compile(r"((?:19|20)\d\d)\s{0,1}年(?:度)?[^\d]{0,16}?(?:计划|要点|安排|实事|方案|任务)")
_REPORT_TITLE = re.compile(r"((?:19|20)\d\d)\s{0,1}年(?:度)?[^\d]{0,24}?(?:公报|报告|年报|统计|监测)")


def _title_year(title: str | None, pattern: re.Pattern[str]) -> int | None:
    """The year of an annual plan (``_ANNUAL_TITLE``) or of a report's figures (``_REPORT_TITLE``)."""
    m = pattern.search(title or "")
    return int(m.group(1)) if m else None


_GOAL_LABEL_END = re.compile(r"目标[:：]?\s{0,2}$")
_PERIOD_PLAN = re.compile(r"(十[一二三四五]?五)(?:”)?.{0,8}规划")


def default_target_year(text: str, meta: DocumentMeta) -> int | None:
    """The year a target without its own year applies to (see GUIDELINES: target_year)."""
    if meta.doc_type == "annual_plan" and meta.plan_end_year:
        return meta.plan_end_year
    doc_year = meta.extra.get("doc_year") or (int(meta.published_on[:4]) if meta.published_on else None)
    deadlines = Counter()
    strong: int | None = None
    for y in find_years(text, None, deadlines_only=True):
        if y.kind == "deadline":
            deadlines[y.year] += 1
            if strong is None and _GOAL_LABEL_END.search(text[max(0, y.start - 8) : y.start]):
                strong = y.year
    if strong:
        return strong
    if meta.plan_end_year:
        return meta.plan_end_year
    if deadlines:
        year, n = deadlines.most_common(1)[0]
        if n >= 2 and (doc_year is None or year >= doc_year):
            return year
    if doc_year and meta.doc_type in ("news", "annual_plan", "notice", "report", "other", "action_plan"):
        return doc_year
    if deadlines:
        return deadlines.most_common(1)[0][0]
    return None


def extract_metadata(text: str, doc_id: str) -> DocumentMeta:
    """Build :class:`DocumentMeta` from cleaned text."""
    title = find_title(text)
    published = find_date(text)
    issuer = find_issuer(text, title)
    doc_type = classify(title, text)
    region, region_obj = document_region(text, title)
    start = end = None
    ay = _title_year(title, _ANNUAL_TITLE)
    if ay and doc_type in ("annual_plan", "other", "notice", "news"):
        doc_type = "annual_plan" if doc_type in ("other", "annual_plan") else doc_type
        start = end = ay
    else:
        period = plan_period(title or "")
        if period is None and (doc_type == "five_year_plan" or "本规划" in text):
            counts = Counter(m.group(1) for m in _PERIOD_PLAN.finditer(text) if m.group(1) in PLAN_PERIODS)
            if counts:
                period = PLAN_PERIODS[counts.most_common(1)[0][0]]
                if doc_type in ("other", "news") and "本规划" in text:
                    doc_type = "five_year_plan"
        if period:
            start, end = period
    meta = DocumentMeta(
        doc_id=doc_id,
        title=title,
        issuer=issuer,
        region=region,
        region_code=getattr(region_obj, "code", None),
        published_on=published,
        doc_type=doc_type,
        plan_start_year=start,
        plan_end_year=end,
    )
    doc_year = int(published[:4]) if published else (end if doc_type == "annual_plan" else None)
    report_year = _title_year(title, _REPORT_TITLE) if doc_type == "report" else None
    if report_year is not None:
        # 2023年…统计公报 / 2022年度…监测报告: its figures are of that year, whenever it came out
        doc_year = report_year
    if doc_year is None and doc_type == "news":
        years = Counter(y.year for y in find_years(text, None) if y.kind == "point")
        if years:
            doc_year = years.most_common(1)[0][0]
    meta.extra["doc_year"] = doc_year
    meta.extra["default_year"] = default_target_year(text, meta)
    return meta
