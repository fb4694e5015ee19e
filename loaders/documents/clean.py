"""Clean decoded text into canonical text, keeping a character map back to the original.

``clean(raw) -> CleanText(text, offsets)``: ``offsets[i]`` is the index in ``raw`` of cleaned
character ``i`` (an inserted character, such as a repaired range dash, points at the raw
character it replaces). Steps, in order:

1. HTML tag debris and page chrome lines (share/print bars, 上一页/下一页, copyright and
   disclaimer lines, spam title lines) are dropped. A line is only dropped when it is short
   and chrome words make it up, so content on the same line is never eaten.
2. Pinyin glosses after characters are removed: ``校(xiào)長`` and ``均(jun1)衡``.
3. Page-chunk markers a scraper inserted mid-sentence (``…义\\n2、务教育…``) are removed.
4. OpenCC ``t2s`` converts traditional to simplified. OpenCC is chosen because it is the
   reference converter (the gold was made with it) and its C++ core converts 20 KB in ~1 ms.
   Its output is almost always 1:1 per character; when a phrase rule changes the length of a
   line, that line is converted character by character so the map stays exact.
5. NFKC (full-width digits, letters and punctuation become half-width).
6. Whitespace: runs of spaces/tabs between CJK characters or digits and CJK are dropped
   (scrapes insert them mid-phrase); a space between digit groups is a lost range dash when
   both groups are short (``3 5所`` → ``3-5所``), and a thousands separator when the right
   group has exactly three digits (``1 122个`` → ``1122个``). Blank lines are collapsed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(slots=True)
class CleanText:
    """Cleaned text and, per cleaned character, its index in the raw text."""

    text: str
    offsets: list[int]

    def orig_span(self, start: int, end: int) -> tuple[int | None, int | None]:
        """Map a ``[start, end)`` span of the cleaned text to the raw text."""
        if not self.offsets or start >= end or end > len(self.offsets):
            return None, None
        return self.offsets[start], self.offsets[end - 1] + 1


Repl = Callable[[re.Match[str]], "str | tuple[str, list[int]]"]


def _sub(text: str, offs: list[int], pattern: re.Pattern[str], repl: Repl) -> tuple[str, list[int]]:
    """``re.sub`` that keeps the offset map. ``repl`` returns the new string (each new char
    mapped to the match start, or 1:1 when the length is unchanged) or ``(string, offsets)``."""
    parts: list[str] = []
    new_offs: list[int] = []
    last = 0
    changed = False
    for m in pattern.finditer(text):
        s, e = m.span()
        r = repl(m)
        if isinstance(r, tuple):
            rs, ro = r
        else:
            rs = r
            if rs == m.group(0):
                continue
            ro = offs[s:e] if len(rs) == e - s else [offs[s] if s < len(offs) else 0] * len(rs)
        changed = True
        parts.append(text[last:s])
        new_offs.extend(offs[last:s])
        parts.append(rs)
        new_offs.extend(ro)
        last = e
    if not changed:
        return text, offs
    parts.append(text[last:])
    new_offs.extend(offs[last:])
    return "".join(parts), new_offs


# --- 1. tags and chrome -------------------------------------------------------------------
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,15}(?:\s[^<>\n]{0,300})?/?>")
_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d{1,6});")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
_CHROME_WORDS = re.compile(
    r"上一页|下一页|上一篇|下一篇|分享到|打印本页|关闭窗口|【字号|字号[:：]?\s{0,2}大\s{0,2}中\s{0,2}小|打印\s{0,3}[|｜]|收藏"
    r"|发给好友|相关阅读|相关新闻|相关文章|相关链接|你可能会喜欢|你可能會喜歡|最近更新|推荐阅读|推薦閱讀|热门跟贴|熱門跟貼"
    r"|版权所有|版權所有|Copyright|©|ICP备|ICP證|ICP证|来源于网络|來源於網絡|来源於網絡|如有侵权|如有侵權|侵权请|侵權請"
    r"|真实性与本站无关|真實性與本站無關|请网友慎重|請網友慎重|文章来源于|文章來源於|责任编辑|責任編輯|扫一扫|掃一掃"
    r"|转载文章|轉載文章|人工智能朗读|我来说两句|网站地图|網站地圖|联系我们|聯系我們|返回顶部|返回頂部|无相关信息|無相關信息"
    r"|首页\s{0,3}>|首頁\s{0,3}>|当前位置|當前位置|浏览次数|瀏覽次數|阅读次数|閱讀次數|点击数|點擊數"
)
_SPAM_WORDS = re.compile(
    r"精品|无码|無碼|在线观看|在線觀看|国产|國產|人妻|视频|視頻|手机在线|一区|二区|偷拍|自拍|亚洲|亞洲|欧美|歐美|久久|av|AV"
)
_DATE = re.compile(r"(?:19|20)\d\d\s{0,2}(?:[-/.年])\s{0,2}\d{1,2}")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{8,}")


def _is_chrome_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if set(s) <= set("|｜•·-—_=*#>?？ \t\u3000•"):
        return True
    spam = len(_SPAM_WORDS.findall(s))
    if spam >= 3 and len(s) < 200:
        return True
    frags = re.split(r"[,，、]", s)
    if spam >= 1 and len(frags) >= 3 and all(len(f) <= 16 for f in frags) and not re.search(r"[。；;]", s):
        return True
    hits = _CHROME_WORDS.findall(s)
    if not hits:
        return False
    if _DATE.search(s):  # the dateline of a news page: keep for metadata
        return False
    rest = _CHROME_WORDS.sub("", s)
    # short line, or chrome words and no real sentence beside them
    return len(s) <= 40 or not _CJK_RUN.search(rest) or len(rest) < 2 * sum(map(len, hits)) + 20


_ANY_CHROME = re.compile(_CHROME_WORDS.pattern + "|" + _SPAM_WORDS.pattern)


def _drop_chrome(text: str, offs: list[int]) -> tuple[str, list[int]]:
    if "<" in text:
        text, offs = _delete(text, offs, _TAG)
    if "&" in text:
        text, offs = _sub(text, offs, _ENTITY, lambda m: _ENTITIES.get(m.group(0), " "))
    # only lines holding a chrome or spam word, or short lines, need a closer look; a chrome
    # line loses its text (its line break stays)
    suspects = {text.rfind("\n", 0, m.start()) + 1 for m in _ANY_CHROME.finditer(text)}
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line and (len(line) <= 40 or pos in suspects) and _is_chrome_line(line):
            spans.append((pos, end))
        pos = end + 1
    return _delete_spans(text, offs, spans)


# --- 2. pinyin glosses --------------------------------------------------------------------
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# (the bracket comes first and the lookbehind after it: a pattern that starts with a character
# set lets the regex engine skip ahead to the next bracket instead of trying every position)
_GLOSS = re.compile(
    r"[(（](?<=[\u3400-\u9fff][(（])\s{0,1}"
    r"(?:[a-z" + _TONED + r"]{0,6}[" + _TONED + r"][a-z" + _TONED + r"]{0,6}"  # a tone mark: xiào
    r"|[a-z]{1,6}[1-5]"  # a tone number: jun1
    r"|[bcdfghjklmnpqrstwxyz]{0,2}h?[aeiouv]{1,3}(?:ng|n|r)?)"  # a bare lowercase syllable
    r"\s{0,1}[)）]"
)


_GLOSS_HEAD = "[(（](?<=[\\u3400-\\u9fff][(（])"
assert _GLOSS.pattern.startswith(_GLOSS_HEAD)
_GLOSS_ASCII = re.compile(r"\((?<=[\u3400-\u9fff]\()" + _GLOSS.pattern[len(_GLOSS_HEAD) :])
_GLOSS_WIDE = re.compile(r"（(?<=[\u3400-\u9fff]（)" + _GLOSS.pattern[len(_GLOSS_HEAD) :])


def _delete(text: str, offs: list[int], pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """Delete every match of ``pattern`` (no per-match Python callback: the fast path)."""
    return _delete_spans(text, offs, [m.span() for m in pattern.finditer(text)])


def _delete_spans(text: str, offs: list[int], spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Delete the sorted, non-overlapping ``[start, end)`` spans."""
    if not spans:
        return text, offs
    parts: list[str] = []
    new_offs: list[int] = []
    last = 0
    for s, e in spans:
        parts.append(text[last:s])
        new_offs.extend(offs[last:s])
        last = e
    parts.append(text[last:])
    new_offs.extend(offs[last:])
    return "".join(parts), new_offs


def _drop_glosses(text: str, offs: list[int]) -> tuple[str, list[int]]:
    if "(" not in text and "（" not in text:
        return text, offs
    # One pattern per opening bracket, each opening with that literal, which the engine skips to
    # at memory speed (a set of the two would be tested at every position). A gloss holds no
    # opening bracket after its first character, so the two lists of matches never overlap and
    # together, in text order, are exactly the matches of _GLOSS.
    spans = [m.span() for m in _GLOSS_ASCII.finditer(text)] if "(" in text else []
    if "（" in text:
        spans.extend(m.span() for m in _GLOSS_WIDE.finditer(text))
        spans.sort()
    return _delete_spans(text, offs, spans)


# --- 3. page-chunk markers ----------------------------------------------------------------
_MARKER = re.compile(r"\n[ \t]{0,4}\d{1,3}[、.．]")
_TERMINAL = set("。！？!?；;：:”」』》)）")


def _drop_markers(text: str, offs: list[int]) -> tuple[str, list[int]]:
    def repl(m: re.Match[str]) -> str:
        s = m.start()
        line_start = text.rfind("\n", 0, s) + 1
        prev = text[line_start:s].rstrip()
        if len(prev) < 40 or not prev or prev[-1] in _TERMINAL:
            return m.group(0)
        nxt = text[m.end() : m.end() + 1]
        if not nxt or nxt == "\n":
            return m.group(0)
        return ""

    return _sub(text, offs, _MARKER, repl)


# --- 4. OpenCC t2s --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s (cached converter)."""
    return _converter().convert(text)


def _t2s(text: str, offs: list[int]) -> tuple[str, list[int]]:
    conv = _converter().convert
    out = conv(text)
    if len(out) == len(text):
        return out, offs
    parts: list[str] = []
    pos = 0
    for line in text.split("\n"):
        c = conv(line)
        if len(c) != len(line):
            c = "".join(conv(ch) if len(conv(ch)) == 1 else ch for ch in line)
        parts.append(c)
        pos += len(line) + 1
    return "\n".join(parts), offs


# --- 5. NFKC --------------------------------------------------------------------------------


_OUTSIDE_ASCII_CJK = re.compile("[^\x00-\x7f\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def _nfkc_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c)


def _nfkc(text: str, offs: list[int]) -> tuple[str, list[int]]:
    """Per-character NFKC: 1:1 replacements (full-width digits and punctuation, the bulk) go
    through one ``str.translate``; the few characters that expand (①, ㎡) keep the map exact
    via :func:`_sub`."""
    if unicodedata.is_normalized("NFKC", text):
        return text, offs
    table: dict[int, str] = {}
    expanding: list[str] = []
    # the distinct characters outside ASCII and the CJK block: one regex pass collects them
    # (``set(text)`` would build a string object for every character, ~2x slower)
    for c in set(_OUTSIDE_ASCII_CJK.findall(text)):
        n = _nfkc_char(c)
        if n == c:
            continue
        if len(n) == 1:
            table[ord(c)] = n
        else:
            expanding.append(c)
    if table:
        text = text.translate(table)
    if expanding:
        pat = re.compile("|".join(re.escape(c) for c in expanding))
        text, offs = _sub(text, offs, pat, lambda m: _nfkc_char(m.group(0)))
    return text, offs


# --- 6. whitespace --------------------------------------------------------------------------
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b\u3000][ \t\u00a0\u2002-\u200b\u3000]{0,199}")  # = {1,200}
_DIGITS_BEFORE = re.compile(r"(\d{1,8})$")
_DIGITS_AFTER = re.compile(r"^(\d{1,8})(?![\d.])")


def _is_wordchar(c: str) -> bool:
    return c.isascii() and (c.isalpha() or c in "@._")


def _fix_spaces(text: str, offs: list[int]) -> tuple[str, list[int]]:
    n = len(text)

    def repl(m: re.Match[str]) -> str:
        s, e = m.span()
        if s == 0 or e >= n or text[s - 1] == "\n" or text[e] == "\n":
            return ""  # leading/trailing whitespace of a line
        if "\t" in m.group(0):
            # table cell boundaries (docx/html tables are read as tab-separated rows); empty
            # cells keep their tab so the columns stay aligned
            return "\t" * m.group(0).count("\t")
        left, right = text[s - 1], text[e]
        if left.isdigit() and right.isdigit():
            # (a match of \d{1,8}$ starts at most 8 characters back: no need to scan the text before)
            a = _DIGITS_BEFORE.search(text, max(0, m.start() - 8), m.start())
            b = _DIGITS_AFTER.search(text[m.end() : m.end() + 12])
            la = len(a.group(1)) if a else 1
            rb = b.group(1) if b else right
            if len(rb) == 3 and la <= 3:
                return ""  # thousands separator
            if la <= 2 and len(rb) <= 2 and a is not None and int(a.group(1)) < int(rb):
                before = text[max(0, m.start() - la - 1) : m.start() - la]
                if not before.isdigit() and before not in ".-":
                    return "-"  # lost range dash
            return " "
        if _is_wordchar(left) and _is_wordchar(right):
            return " "
        return ""

    text, offs = _sub(text, offs, _SPACES, repl)
    text, offs = _sub(text, offs, _BLANKS, lambda m: ("\n", [offs[m.start()]]))
    if text.startswith("\n"):
        text, offs = text[1:], offs[1:]
    return text, offs


_GARBLE_RUN = re.compile(r"[?？][?？]+")  # [?？]{2,}, written to start with a character set
_BLANKS = re.compile(r"\n\n+")


def clean(raw: str) -> CleanText:
    """Clean ``raw`` (decoded document text) into canonical text with a char map."""
    text = raw
    offs = list(range(len(raw)))
    if "\r" in text:
        text, offs = _sub(text, offs, re.compile(r"\r\n?"), lambda m: ("\n", [offs[m.start()]]))
    text, offs = _drop_chrome(text, offs)
    if "??" in text or "？" in text:
        text, offs = _delete(text, offs, _GARBLE_RUN)
    text, offs = _drop_glosses(text, offs)
    text, offs = _t2s(text, offs)
    text, offs = _nfkc(text, offs)
    text, offs = _drop_markers(text, offs)
    text, offs = _fix_spaces(text, offs)
    text, offs = _drop_markers(text, offs)
    assert len(text) == len(offs)
    return CleanText(text=text, offsets=offs)
