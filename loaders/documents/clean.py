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
from functools import lru_cache
from itertools import accumulate

import cython

if cython.compiled:  # the string's buffer read directly (compiled only)
    from cython.cimports.cpython.unicode import PyUnicode_DATA, PyUnicode_KIND, PyUnicode_READ

from loaders.documents.scan import CharSet, LiteralAlternation, char_positions, delete_glosses, space_runs
from loaders.documents.t2s_chars import PHRASES as T2S_PHRASES
from loaders.documents.t2s_chars import T2S_CHARS

#: One cleaning step's edits, as the segments its output is made of, in output order:
#: segment ``k`` starts at ``out_starts[k]`` in the step's output and at ``in_starts[k]`` in its
#: input. A copied stretch (``linear[k] == 1``) maps character by character; a replacement of a
#: different length (``linear[k] == 0``) maps every new character to the start of what it
#: replaced. ``linear`` is ``None`` when every segment is copied (a step that only deletes).
Step = tuple[list[int], list[int], "list[int] | None"]


@cython.cfunc
def _bisect_right(a: list, x: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """``bisect.bisect_right(a, x)`` for a sorted list of ints (compiled: C integers throughout)."""
    lo: cython.Py_ssize_t = 0
    hi: cython.Py_ssize_t = len(a)
    mid: cython.Py_ssize_t
    v: cython.Py_ssize_t
    while lo < hi:
        mid = (lo + hi) // 2
        v = a[mid]
        if x < v:
            hi = mid
        else:
            lo = mid + 1
    return lo


@cython.cfunc
def _map_back(steps: tuple, a: cython.Py_ssize_t, b: cython.Py_ssize_t) -> tuple[int, int]:
    """Two positions of the cleaned text mapped back through ``steps`` (last step first) to the
    raw text, in one pass (one C function: a record's span costs no Python-level call)."""
    k: cython.Py_ssize_t
    out_starts: list[int]
    in_starts: list[int]
    for out_starts, in_starts, linear in reversed(steps):
        # a copied stretch maps 1:1; a replacement of another length maps to its start
        k = _bisect_right(out_starts, a) - 1
        a = in_starts[k] + a - out_starts[k] if linear is None or linear[k] else in_starts[k]
        k = _bisect_right(out_starts, b) - 1
        b = in_starts[k] + b - out_starts[k] if linear is None or linear[k] else in_starts[k]
    return a, b


class CleanText:
    """Cleaned text and the map from each cleaned character to its index in the raw text.

    The map is kept as each cleaning step's edits (:data:`Step`), not as a list with an entry
    per character: a step costs what it changes, not the length of the text, and a position is
    mapped back (one bisection per step) only when a record's span is asked for. ``offsets``
    gives the per-character list when it is wanted (tests, debugging).
    """

    __slots__ = ("_offsets", "_steps", "text")

    def __init__(self, text: str, offsets: list[int] | None = None, steps: tuple[Step, ...] = ()) -> None:
        self.text = text
        self._offsets = offsets
        self._steps = steps

    @property
    def offsets(self) -> list[int]:
        """Per cleaned character, its index in the raw text."""
        if self._offsets is None:
            self._offsets = [self._back(i) for i in range(len(self.text))]
        return self._offsets

    def _back(self, pos: cython.Py_ssize_t) -> cython.Py_ssize_t:
        return _map_back(self._steps, pos, pos)[0]

    def orig_span(self, start: int, end: int) -> tuple[int | None, int | None]:
        """Map a ``[start, end)`` span of the cleaned text to the raw text."""
        if not self.text or start >= end or end > len(self.text) or start < 0:
            return None, None
        if self._offsets is not None:
            return self._offsets[start], self._offsets[end - 1] + 1
        first, last = _map_back(self._steps, start, end - 1)
        return first, last + 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CleanText) and (self.text, self.offsets) == (other.text, other.offsets)

    def __repr__(self) -> str:
        return f"CleanText(text={self.text!r})"


Repl = Callable[[re.Match[str]], str]
Edit = tuple[str, "Step | None"]


def _replace(text: str, edits: list[tuple[int, int, str]]) -> Edit:
    """Apply ``(start, end, replacement)`` edits (sorted, non-overlapping, each one a change) and
    record them: a replacement of the same length maps 1:1, any other maps each new character
    to the start of what it replaced."""
    if not edits:
        return text, None
    parts: list[str] = []
    out_starts: list[int] = []
    in_starts: list[int] = []
    linear: list[int] = []
    last: cython.Py_ssize_t = 0
    out: cython.Py_ssize_t = 0
    s: cython.Py_ssize_t
    e: cython.Py_ssize_t
    for s, e, rs in edits:
        if s > last:
            parts.append(text[last:s])
            out_starts.append(out)
            in_starts.append(last)
            linear.append(1)
            out += s - last
        if rs:
            parts.append(rs)
            out_starts.append(out)
            in_starts.append(s)
            linear.append(1 if len(rs) == e - s else 0)
            out += len(rs)
        last = e
    if last < len(text) or not out_starts:
        parts.append(text[last:])
        out_starts.append(out)
        in_starts.append(last)
        linear.append(1)
    return "".join(parts), (out_starts, in_starts, linear)


def _sub(text: str, pattern: re.Pattern[str], repl: Repl) -> Edit:
    """``re.sub`` that records its edits (see :func:`_replace`)."""
    edits: list[tuple[int, int, str]] = []
    for m in pattern.finditer(text):
        rs = repl(m)
        if rs != m.group(0):
            edits.append((m.start(), m.end(), rs))
    return _replace(text, edits)


def _delete_spans(text: str, spans: list[tuple[int, int]]) -> Edit:
    """Delete the sorted, non-overlapping ``[start, end)`` spans."""
    if not spans:
        return text, None
    pieces: list[str] = []
    out_starts: list[int] = []
    in_starts: list[int] = [0]
    last: cython.Py_ssize_t = 0
    out: cython.Py_ssize_t = 0
    s: cython.Py_ssize_t
    e: cython.Py_ssize_t
    for s, e in spans:
        pieces.append(text[last:s])
        out_starts.append(out)
        out += s - last
        in_starts.append(e)
        last = e
    pieces.append(text[last:])
    out_starts.append(out)
    return "".join(pieces), (out_starts, in_starts, None)


def _split_delete(text: str, grouped: re.Pattern[str]) -> Edit:
    """Delete every match of ``grouped`` (a pattern wrapped in one capturing group).

    ``re.split`` hands back the kept pieces and the deleted matches in one C-level pass, so the
    edits come without a Python step per match (1,600 pinyin glosses in one sample)."""
    parts = grouped.split(text)
    if len(parts) == 1:
        return text, None
    pieces = parts[::2]
    in_starts = list(accumulate(map(len, parts), initial=0))[::2]
    out_starts = list(accumulate(map(len, pieces[:-1]), initial=0))
    return "".join(pieces), (out_starts, in_starts, None)


# --- 1. tags and chrome -------------------------------------------------------------------
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]{0,15}(?:\s[^<>\n]{0,300})?/?>")
_TAG_GROUPED = re.compile("(" + _TAG.pattern + ")")
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


_LIST_MARKS = re.compile(r"[,，、]")
_SENTENCE_MARKS = re.compile(r"[。；;]")


def _is_chrome_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if s[0] in _SEPARATOR_SET and set(s) <= _SEPARATOR_SET:
        return True
    spam = len(_SPAM_WORDS.findall(s))
    if spam >= 3 and len(s) < 200:
        return True
    frags = _LIST_MARKS.split(s)
    if spam >= 1 and len(frags) >= 3 and all(len(f) <= 16 for f in frags) and not _SENTENCE_MARKS.search(s):
        return True
    hits = _CHROME_WORDS.findall(s)
    if not hits:
        return False
    if _DATE.search(s):  # the dateline of a news page: keep for metadata
        return False
    rest = _CHROME_WORDS.sub("", s)
    # short line, or chrome words and no real sentence beside them
    return len(s) <= 40 or not _CJK_RUN.search(rest) or len(rest) < 2 * sum(map(len, hits)) + 20


def _literal_heads(pattern: str) -> list[str]:
    """Each top-level alternative of ``pattern`` as a literal: the alternative itself, or, where
    it holds regex syntax (字号[:：]?\\s{0,2}大…), the literal it starts with (字号)."""
    alternatives: list[str] = []
    depth, start = 0, 0
    for i, c in enumerate(pattern):
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
    alternatives.append(pattern[start:])
    heads = [re.split(r"[\\\[\](){}?*+.^$]", a, maxsplit=1)[0] for a in alternatives]
    assert all(heads), pattern
    return heads


# Where a chrome or spam word may stand: every literal word, and the literal head of the few
# that are patterns. A line holding a head but no word is looked at and kept, as before.
_CHROME_SCAN = LiteralAlternation(_literal_heads(_CHROME_WORDS.pattern) + _literal_heads(_SPAM_WORDS.pattern))
_SEPARATORS = "|｜•·-—_=*#>?？ \t\u3000"
# a line whose first non-space character is a separator (the pattern opens with a literal line
# break, which the engine finds at memory speed)
_SEPARATOR_LINE = re.compile(r"\n[^\S\n]{0,200}[|｜•·\-—_=*#>?？]")
_SEPARATOR_FIRST = re.compile(r"[^\S\n]{0,200}[|｜•·\-—_=*#>?？]")
_SEPARATOR_SET = frozenset(_SEPARATORS)


def _apply(steps: list[Step], edit: Edit) -> str:
    """Record a step's edits (if it made any) and return its output."""
    text, step = edit
    if step is not None:
        steps.append(step)
    return text


def _drop_chrome(text: str, steps: list[Step]) -> str:
    if "<" in text:
        text = _apply(steps, _split_delete(text, _TAG_GROUPED))
    if "&" in text:
        text = _apply(steps, _sub(text, _ENTITY, lambda m: _ENTITIES.get(m.group(0), " ")))
    # only lines holding a chrome or spam word, or short lines, need a closer look; a chrome
    # line loses its text (its line break stays)
    suspects = {text.rfind("\n", 0, start) + 1 for start, _ in _CHROME_SCAN.spans(text)}
    # Without a chrome or spam word, a line is chrome only when it is made of separator
    # characters, so only lines whose first visible character is one are looked at too.
    starts = suspects.union(m.start() + 1 for m in _SEPARATOR_LINE.finditer(text))
    if _SEPARATOR_FIRST.match(text):
        starts.add(0)
    spans: list[tuple[int, int]] = []
    for pos in sorted(starts):
        end = text.find("\n", pos)
        if end < 0:
            end = len(text)
        line = text[pos:end]
        if line and (len(line) <= 40 or pos in suspects) and _is_chrome_line(line):
            spans.append((pos, end))
    return _apply(steps, _delete_spans(text, spans))


# --- 2. pinyin glosses --------------------------------------------------------------------
# (found by scan.gloss_spans, a compiled character scan; its docstring gives the gloss pattern)


def _drop_glosses(text: str, steps: list[Step]) -> str:
    # (all glosses are found in the text as it is and deleted in one step: deleting one kind of
    # bracket first could put a character before a bracket of the other kind that had none)
    if "(" not in text and "（" not in text:
        return text
    deleted = delete_glosses(text)
    if deleted is None:
        return text
    text, out_starts, in_starts = deleted
    steps.append((out_starts, in_starts, None))  # (the step _delete_spans would record)
    return text


# --- 3. page-chunk markers ----------------------------------------------------------------
# A marker is a line break, up to four spaces or tabs, one to three digits and 、/./．
# (\n[ \t]{0,4}\d{1,3}[、.．]) where a long line that does not end a sentence goes on after it:
# the scraper's chunk number. Read at each line break (str.find), not by a regex over the text.


@cython.cfunc
def _marker_end(text: str, i: cython.Py_ssize_t, n: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """The end of a marker that opens with the line break ``text[i]``, or -1."""
    j: cython.Py_ssize_t = i + 1
    k: cython.Py_ssize_t
    while j < n and j - i <= 5 and text[j] in " \t":
        j += 1
    if j - i > 5:
        return -1
    k = j
    while k < n and k - j < 4 and text[k].isdecimal():
        k += 1
    if k == j or k - j > 3 or k >= n or text[k] not in "、.．":
        return -1
    return k + 1


def _drop_markers(text: str, steps: list[Step]) -> str:
    n: cython.Py_ssize_t = len(text)
    i: cython.Py_ssize_t = text.find("\n")
    e: cython.Py_ssize_t
    k: cython.Py_ssize_t
    line_start: cython.Py_ssize_t = 0
    spans: list[tuple[int, int]] = []
    while i >= 0:
        e = _marker_end(text, i, n)
        if e > 0:
            k = i  # the line before, without trailing whitespace, must be 40+ characters that do
            while k > line_start and text[k - 1].isspace():  # not end a sentence
                k -= 1
            if k - line_start >= 40 and text[k - 1] not in "。！？!?；;：:”」』》)）" and e < n and text[e] != "\n":
                spans.append((i, e))
        line_start = i + 1
        i = text.find("\n", e if e > 0 else i + 1)
    return _apply(steps, _delete_spans(text, spans))


# --- 4. OpenCC t2s --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s (cached converter)."""
    return _converter().convert(text)


_T2S_SET = CharSet(T2S_CHARS)  # the characters OpenCC changes on its own
#: for each character OpenCC changes only inside a phrase: its phrases, with where in each it stands
_T2S_PHRASE = {ch: tuple((p, k) for p in ps for k in range(len(p)) if p[k] == ch) for ch, ps in T2S_PHRASES.items()}


def needs_t2s(text: str) -> bool:
    """Whether OpenCC t2s would change ``text``: it holds a character OpenCC changes on its own,
    or a phrase that changes a character otherwise left alone (瞭解). A text with neither is its
    own conversion, so the call (~40 ns a character, a tenth of the pipeline on a simplified
    plan) is skipped. Costs one scan (scan.CharSet: ~1 ns a character compiled) and, for each
    of the nine phrase-only characters the text holds, a look for its phrases where it stands.
    The tables come from ``scripts/generate_t2s_chars.py``; ``test_clean_t2s_gate.py`` checks
    them against OpenCC."""
    if _T2S_SET.find_in(text) >= 0:
        return True
    for ch, placed in _T2S_PHRASE.items():
        if ch in text:  # (a phrase holding ch can only stand where ch does)
            for i in char_positions(text, ch):
                if any(i >= k and text.startswith(p, i - k) for p, k in placed):
                    return True
    return False


def _t2s(text: str) -> str:
    if not needs_t2s(text):
        return text
    conv = _converter().convert
    out = conv(text)
    if len(out) == len(text):
        return out
    parts: list[str] = []
    pos = 0
    for line in text.split("\n"):
        c = conv(line)
        if len(c) != len(line):
            c = "".join(conv(ch) if len(conv(ch)) == 1 else ch for ch in line)
        parts.append(c)
        pos += len(line) + 1
    return "\n".join(parts)


# --- 5. NFKC --------------------------------------------------------------------------------


_OUTSIDE_ASCII_CJK = re.compile("[^\x00-\x7f\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def _nfkc_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c)


def _outside_ascii_cjk(text: str) -> set[str]:
    """The distinct characters of ``text`` outside ASCII and the CJK block (U+4E00-U+9FFF),
    whose characters NFKC leaves alone. Compiled: one pass marking seen characters in a bitmap;
    uncompiled, a regex collects them (``set(text)`` would make a string per character)."""
    if not cython.compiled:
        return set(_OUTSIDE_ASCII_CJK.findall(text))
    i: cython.Py_ssize_t
    c: cython.uint
    seen = bytearray(0x10000 // 8)
    bits: cython.p_uchar = seen
    out: set[str] = set()
    kind: cython.int = PyUnicode_KIND(text)
    data: cython.p_void = PyUnicode_DATA(text)
    for i in range(len(text)):
        c = PyUnicode_READ(kind, data, i)
        if c < 0x80 or 0x4E00 <= c <= 0x9FFF:
            continue
        if c < 0x10000:
            if bits[c >> 3] & (1 << (c & 7)):
                continue
            bits[c >> 3] |= 1 << (c & 7)
        out.add(chr(c))
    return out


def _nfkc(text: str, steps: list[Step]) -> str:
    """Per-character NFKC: 1:1 replacements (full-width digits and punctuation, the bulk) go
    through one ``str.translate``; the few characters that expand (①, ㎡) keep the map exact
    via :func:`_sub`. Only the distinct characters outside ASCII and the CJK block are looked
    at (NFKC of each is memoised): a text whose characters all stay is returned as it is."""
    table: dict[int, str] = {}
    expanding: list[str] = []
    for c in _outside_ascii_cjk(text):
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
        text = _apply(steps, _sub(text, pat, lambda m: _nfkc_char(m.group(0))))
    return text


# --- 6. whitespace --------------------------------------------------------------------------
_SPACES = re.compile(r"[ \t\u00a0\u2002-\u200b\u3000][ \t\u00a0\u2002-\u200b\u3000]{0,199}")  # = {1,200}
_DIGITS_BEFORE = re.compile(r"(\d{1,8})$")
_DIGITS_AFTER = re.compile(r"^(\d{1,8})(?![\d.])")


@cython.cfunc
@cython.inline
def _is_wordchar(c: cython.Py_UCS4) -> cython.bint:
    return "a" <= c <= "z" or "A" <= c <= "Z" or c in "@._"


def _digit_gap(text: str, s: int, e: int) -> str:
    """A space run ``text[s:e]`` between two digits: a thousands separator goes, a lost range
    dash comes back (two short groups, the left one smaller), anything else is one space."""
    # (a match of \d{1,8}$ starts at most 8 characters back: no need to scan the text before)
    a = _DIGITS_BEFORE.search(text, max(0, s - 8), s)
    b = _DIGITS_AFTER.search(text[e : e + 12])
    if b is None and not text[e].isdecimal():
        return " "  # a digit that is no decimal digit (²): no number to join or to range over
    la = len(a.group(1)) if a else 1
    rb = b.group(1) if b else text[e]
    if len(rb) == 3 and la <= 3:
        return ""  # thousands separator
    if la <= 2 and len(rb) <= 2 and a is not None and int(a.group(1)) < int(rb):
        before = text[max(0, s - la - 1) : s - la]
        if not before.isdigit() and before not in ".-":
            return "-"  # lost range dash
    return " "


@cython.cfunc
def _space_fix(text: str, s: cython.Py_ssize_t, e: cython.Py_ssize_t, n: cython.Py_ssize_t) -> str:
    """What the space run ``text[s:e]`` becomes."""
    k: cython.Py_ssize_t
    tabs: cython.Py_ssize_t = 0
    left: cython.Py_UCS4
    right: cython.Py_UCS4
    if s == 0 or e >= n or text[s - 1] == "\n" or text[e] == "\n":
        return ""  # leading/trailing whitespace of a line
    for k in range(s, e):
        if text[k] == "\t":
            tabs += 1
    if tabs:
        # table cell boundaries (docx/html tables are read as tab-separated rows); empty cells
        # keep their tab so the columns stay aligned
        return "\t" * tabs
    left, right = text[s - 1], text[e]
    if left.isdigit() and right.isdigit():
        return _digit_gap(text, s, e)
    if _is_wordchar(left) and _is_wordchar(right):
        return " "
    return ""


def _runs_of(text: str, ch: str, repl: str) -> list[tuple[int, int, str]]:
    """An edit replacing each run of two or more ``ch`` by ``repl`` (found with str.find)."""
    edits: list[tuple[int, int, str]] = []
    pair = ch + ch
    i = text.find(pair)
    while i >= 0:
        j = i + 2
        while text.startswith(ch, j):
            j += 1
        edits.append((i, j, repl))
        i = text.find(pair, j)
    return edits


def _fix_spaces(text: str, steps: list[Step]) -> str:
    n: cython.Py_ssize_t = len(text)
    edits: list[tuple[int, int, str]] = []
    s: cython.Py_ssize_t
    e: cython.Py_ssize_t
    for s, e in space_runs(text, _SPACES):
        rs = _space_fix(text, s, e, n)
        if rs != text[s:e]:
            edits.append((s, e, rs))
    text = _apply(steps, _replace(text, edits))
    text = _apply(steps, _replace(text, _runs_of(text, "\n", "\n")))  # blank lines
    if text.startswith("\n"):
        text = _apply(steps, _delete_spans(text, [(0, 1)]))
    return text


def _garble_runs(text: str) -> list[tuple[int, int]]:
    """Runs of two or more ?/？ (what a wrong decoding left: ``re.finditer("[?？]{2,}", text)``)."""
    runs: list[tuple[int, int]] = []
    start = end = -2
    for i in char_positions(text, "?？"):
        if i != end:
            if end - start >= 2:
                runs.append((start, end))
            start = i
        end = i + 1
    if end - start >= 2:
        runs.append((start, end))
    return runs


def _line_breaks(text: str) -> list[tuple[int, int, str]]:
    """The edits that make every CR LF and lone CR a line break (``re.sub(r"\\r\\n?", "\\n", text)``)."""
    edits: list[tuple[int, int, str]] = []
    i = text.find("\r")
    while i >= 0:
        j = i + 2 if text.startswith("\n", i + 1) else i + 1
        edits.append((i, j, "\n"))
        i = text.find("\r", j)
    return edits


def clean(raw: str) -> CleanText:
    """Clean ``raw`` (decoded document text) into canonical text with a char map."""
    text = raw
    steps: list[Step] = []
    if "\r" in text:
        text = _apply(steps, _replace(text, _line_breaks(text)))
    text = _drop_chrome(text, steps)
    if "??" in text or "？" in text:
        text = _apply(steps, _delete_spans(text, _garble_runs(text)))
    text = _drop_glosses(text, steps)
    text = _t2s(text)
    text = _nfkc(text, steps)
    text = _drop_markers(text, steps)
    text = _fix_spaces(text, steps)
    text = _drop_markers(text, steps)
    return CleanText(text, steps=tuple(steps))
