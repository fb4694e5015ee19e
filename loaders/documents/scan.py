"""Character-level scans of document text: the pipeline's hot loops, written to be compiled.

Cython compiles this module (``setup.py``) from this source: the loops read the string's buffer
directly (PyUnicode_READ) and run at 1-3 ns a character, where a regex pass that opens with a
character set or an alternation tests every position at ~10 ns, and a Python loop costs ~0.1 µs
a character. Each scan is specified by the regex (or the code) it stands for, quoted in its
docstring, and ``tests/python/test_text_kernels.py`` checks it against that specification on
generated text. Uncompiled, the same source runs and gives the same results, slower; where a
loop would be very slow uncompiled, that branch uses the specification itself.

* :func:`char_positions`, :func:`finditer_at` — where one of a few characters stands, and the
  matches of a pattern that can only start there (``finditer``'s matches at a fraction of the
  cost: every match must start with one of ``firsts`` and be non-empty; ``Pattern.match(text,
  pos, endpos)`` sees the text before ``pos``, so lookbehinds work as inside ``finditer``).
* :func:`clause_start`, :func:`clause_end` — the clause around a position.
* :func:`gloss_spans` — pinyin glosses (校(xiào)長); :func:`space_runs` — runs of spaces.
* :class:`WordGroups` / :class:`LiteralAlternation` — the matches of ``"|".join(words)`` for
  literal words, several alternations in one pass; :class:`NameFinder` — every occurrence of any
  of thousands of names (the region gazetteer). A bitmap of the words' first characters and one
  of their first two characters (hashed) rule out almost every position before any Python-level
  work; the few candidates are checked with ``str.startswith``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any

import cython

if cython.compiled:  # the string's buffer read directly (compiled only; see _read below)
    from cython.cimports.cpython.unicode import PyUnicode_DATA, PyUnicode_FindChar, PyUnicode_KIND, PyUnicode_READ


@cython.cfunc
@cython.inline
def _read(text: str, kind: cython.int, data: cython.p_void, i: cython.Py_ssize_t) -> cython.uint:
    """The code point ``ord(text[i])``: compiled, read straight from the string's buffer
    (``kind``/``data`` from PyUnicode_KIND/PyUnicode_DATA), without the checks of indexing."""
    if cython.compiled:
        return PyUnicode_READ(kind, data, i)
    return ord(text[i])


@cython.cfunc
@cython.inline
def _char(text: str, kind: cython.int, data: cython.p_void, i: cython.Py_ssize_t) -> cython.Py_UCS4:
    """``text[i]``, compared with character literals below (compiled: a C switch)."""
    if cython.compiled:
        return PyUnicode_READ(kind, data, i)
    return text[i]


_CHAR_SETS: dict[str, bytes] = {}  # characters -> bitmap over the BMP (char_positions)


def char_positions(text: str, chars: str, pos: int = 0, endpos: int | None = None) -> list[int]:
    """Sorted positions in ``text[pos:endpos]`` (``pos`` ≥ 0) of any of the distinct ``chars``.
    Compiled: for one to three characters, PyUnicode_FindChar per character (a memchr-like
    scan), else one pass with a bitmap of ``chars``; uncompiled: one ``str.find`` loop per
    character (memory speed in C)."""
    end: cython.Py_ssize_t = len(text) if endpos is None else min(endpos, len(text))
    start: cython.Py_ssize_t = pos
    i: cython.Py_ssize_t
    c: cython.uint
    out: list[int] = []
    if cython.compiled and len(chars) <= 3:
        for ch in chars:
            i = PyUnicode_FindChar(text, ord(ch), start, end, 1)
            while i >= 0:
                out.append(i)
                i = PyUnicode_FindChar(text, ord(ch), i + 1, end, 1)
        if len(chars) > 1:
            out.sort()
        return out
    bits = _CHAR_SETS.get(chars) if cython.compiled else None
    if bits is None and cython.compiled and all(ord(ch) < 0x10000 for ch in chars):
        bits = _CHAR_SETS[chars] = char_bitmap(chars)
    if bits is not None:
        bitmap: cython.p_uchar = bits
        kind: cython.int = PyUnicode_KIND(text)
        data: cython.p_void = PyUnicode_DATA(text)
        for i in range(start, end):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000 and bitmap[c >> 3] & (1 << (c & 7)):
                out.append(i)
        return out
    for ch in chars:
        j = text.find(ch, start, end)
        while j >= 0:
            out.append(j)
            j = text.find(ch, j + 1, end)
    if len(chars) > 1:
        out.sort()
    return out


def clause_start(text: str, lo: cython.Py_ssize_t, pos: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """After the last clause mark (。；;！!？?\\n,，:：) in ``text[max(lo, pos - 200):pos]``, else
    that window's start."""
    i: cython.Py_ssize_t
    kind: cython.int = PyUnicode_KIND(text) if cython.compiled else 0
    data: cython.p_void = PyUnicode_DATA(text) if cython.compiled else cython.NULL
    lo = max(lo, pos - 200, 0)
    i = min(pos, len(text))  # (callers pass 0 <= lo <= pos <= len(text); the clamps keep reads inside)
    while i > lo:
        if _char(text, kind, data, i - 1) in "。；;！!？?\n,，:：":
            return i
        i -= 1
    return lo


def clause_end(text: str, pos: cython.Py_ssize_t, hi: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """The first clause mark in ``text[pos:min(hi, pos + 200)]``, else that window's end."""
    i: cython.Py_ssize_t
    kind: cython.int = PyUnicode_KIND(text) if cython.compiled else 0
    data: cython.p_void = PyUnicode_DATA(text) if cython.compiled else cython.NULL
    hi = min(hi, pos + 200)
    for i in range(max(pos, 0), min(hi, len(text))):
        if _char(text, kind, data, i) in "。；;！!？?\n,，:：":
            return i
    return hi


# A pinyin gloss, as a regex (the specification, in tests/python/test_text_kernels.py):
#   [(（](?<=[\u3400-\u9fff][(（])\s?(?:TONE_MARK|TONE_NUMBER|BARE)\s?[)）]
# with TONE_MARK   [a-zT]{0,6}[T][a-zT]{0,6}    (T: a toned vowel; xiào)
#      TONE_NUMBER [a-z]{1,6}[1-5]                (jun1)
#      BARE        [bcdfghjklmnpqrstwxyz]{0,2}h?[aeiouv]{1,3}(?:ng|n|r)?   (zhong)
# None of a syllable's characters is a space or a bracket, so the syllable is the whole run of
# letters (and tone digits) between the brackets, which is then checked against the three forms.
# (T and the onsets are written out as literals: compiled, ``c in "…"`` on a literal is a C switch)


@cython.cfunc
def _is_syllable(
    text: str, kind: cython.int, data: cython.p_void, lo: cython.Py_ssize_t, hi: cython.Py_ssize_t
) -> cython.bint:
    """Whether ``text[lo:hi]`` (letters, toned vowels or tone digits) is TONE_MARK, TONE_NUMBER
    or BARE (see above)."""
    n: cython.Py_ssize_t = hi - lo
    k: cython.Py_ssize_t
    onset: cython.Py_ssize_t
    h: cython.Py_ssize_t
    v: cython.Py_ssize_t
    p: cython.Py_ssize_t
    c: cython.Py_UCS4
    toned: cython.Py_ssize_t = -1  # a toned vowel within 6 of both ends
    plain: cython.bint = True  # only a-z
    for k in range(lo, hi):
        c = _char(text, kind, data, k)
        if c in "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ":
            plain = False
            if k - lo <= 6 and hi - k - 1 <= 6:
                toned = k
        elif not ("a" <= c <= "z"):
            plain = False
    if toned >= 0:  # TONE_MARK (its other characters are letters or toned vowels)
        for k in range(lo, hi):
            c = _char(text, kind, data, k)
            if not ("a" <= c <= "z" or c in "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"):
                return False
        return True
    c = _char(text, kind, data, hi - 1)
    if 2 <= n <= 7 and c in "12345":  # TONE_NUMBER
        for k in range(lo, hi - 1):
            c = _char(text, kind, data, k)
            if not ("a" <= c <= "z"):
                return False
        return True
    if not plain:
        return False
    for onset in range(3):  # BARE: onset, h?, 1-3 vowels, final
        if onset > n or (onset and _char(text, kind, data, lo + onset - 1) not in "bcdfghjklmnpqrstwxyz"):
            break
        for h in range(2):
            p = lo + onset + h
            if h and (p > hi or _char(text, kind, data, p - 1) != "h"):
                break
            for v in range(1, 4):
                if p + v > hi or _char(text, kind, data, p + v - 1) not in "aeiouv":
                    break
                k = hi - (p + v)  # what is left must be a final: "", n, r or ng
                if k == 0 or (k == 1 and _char(text, kind, data, hi - 1) in "nr"):
                    return True
                if k == 2 and _char(text, kind, data, hi - 2) == "n" and _char(text, kind, data, hi - 1) == "g":
                    return True
    return False


@cython.cfunc
def _gloss_end(
    text: str, kind: cython.int, data: cython.p_void, n: cython.Py_ssize_t, i: cython.Py_ssize_t
) -> cython.Py_ssize_t:
    """Where the gloss that opens with the bracket ``text[i]`` (``i`` ≥ 1) ends, or -1."""
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    e: cython.Py_ssize_t
    c: cython.Py_UCS4 = _char(text, kind, data, i - 1)
    if not ("\u3400" <= c <= "\u9fff"):
        return -1
    j = i + 1
    if j < n and _char(text, kind, data, j).isspace():
        j += 1
    k = j
    while k < n and k - j < 14:  # (no syllable is longer than 13)
        c = _char(text, kind, data, k)
        if not ("a" <= c <= "z" or c in "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ12345"):
            break
        k += 1
    e = k
    if e < n and _char(text, kind, data, e).isspace():
        e += 1
    if k > j and e < n and _char(text, kind, data, e) in ")）" and _is_syllable(text, kind, data, j, k):
        return e + 1
    return -1


def gloss_spans(text: str) -> list[tuple[int, int]]:
    """The pinyin glosses of ``text`` (see above) as sorted ``[start, end)`` spans: the
    specification's ``finditer``."""
    i: cython.Py_ssize_t
    e: cython.Py_ssize_t
    kind: cython.int = PyUnicode_KIND(text) if cython.compiled else 0
    data: cython.p_void = PyUnicode_DATA(text) if cython.compiled else cython.NULL
    spans: list[tuple[int, int]] = []
    for i in char_positions(text, "(（", 1):
        e = _gloss_end(text, kind, data, len(text), i)
        if e > 0:
            spans.append((i, e))
    return spans


def delete_glosses(text: str) -> tuple[str, list[int], list[int]] | None:
    """``text`` without its glosses, as ``(text, out_starts, in_starts)``: the kept pieces'
    starts in the result and in ``text`` (clean._delete_spans of gloss_spans, in one pass; ~0.1 µs
    a gloss compiled, where the two steps took ~0.6); None when there is no gloss."""
    n: cython.Py_ssize_t = len(text)
    i: cython.Py_ssize_t
    e: cython.Py_ssize_t
    a: cython.Py_ssize_t
    b: cython.Py_ssize_t
    last: cython.Py_ssize_t = 0
    out: cython.Py_ssize_t = 0
    if not cython.compiled:
        spans = gloss_spans(text)
        if not spans:
            return None
        starts = [0, *(e for _, e in spans)]
        kept = [text[x:y] for x, y in zip(starts, [*(s for s, _ in spans), n], strict=True)]
        return "".join(kept), list(accumulate(map(len, kept[:-1]), initial=0)), starts
    kind: cython.int = PyUnicode_KIND(text)
    data: cython.p_void = PyUnicode_DATA(text)
    pieces: list[str] = []
    out_starts: list[int] = []
    in_starts: list[int] = []
    a = PyUnicode_FindChar(text, 0x28, 1, n, 1) if n > 1 else -1  # "("
    b = PyUnicode_FindChar(text, 0xFF08, 1, n, 1) if n > 1 else -1  # "（"
    while a >= 0 or b >= 0:
        if b < 0 or 0 <= a < b:
            i = a
            a = PyUnicode_FindChar(text, 0x28, a + 1, n, 1)
        else:
            i = b
            b = PyUnicode_FindChar(text, 0xFF08, b + 1, n, 1)
        e = _gloss_end(text, kind, data, n, i)
        if e < 0:
            continue
        pieces.append(text[last:i])
        out_starts.append(out)
        in_starts.append(last)
        out += i - last
        last = e
    if not pieces:
        return None
    pieces.append(text[last:])
    out_starts.append(out)
    in_starts.append(last)
    return "".join(pieces), out_starts, in_starts


@cython.cfunc
@cython.inline
def _is_space(c: cython.Py_UCS4) -> cython.bint:
    return c in " \t\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u3000"


def space_runs(text: str, regex: re.Pattern[str]) -> list[tuple[int, int]]:
    """``[m.span() for m in regex.finditer(text)]`` for the cleaner's space-run pattern,
    ``[ \t\u00a0\u2002-\u200b\u3000]{1,200}`` (given so that it stays written once, in
    clean.py). Compiled, a loop over the characters; uncompiled, the regex itself."""
    if not cython.compiled:
        return [m.span() for m in regex.finditer(text)]
    n: cython.Py_ssize_t = len(text)
    i: cython.Py_ssize_t = 0
    s: cython.Py_ssize_t
    kind: cython.int = PyUnicode_KIND(text)
    data: cython.p_void = PyUnicode_DATA(text)
    runs: list[tuple[int, int]] = []
    while i < n:
        if _is_space(PyUnicode_READ(kind, data, i)):
            s = i
            i += 1
            while i < n and i - s < 200 and _is_space(PyUnicode_READ(kind, data, i)):
                i += 1
            runs.append((s, i))
        else:
            i += 1
    return runs


def finditer_at(
    pattern: re.Pattern[str], text: str, firsts: str, pos: int = 0, endpos: int | None = None
) -> Iterator[re.Match[str]]:
    """The matches of ``pattern.finditer(text, pos, endpos)``, given that every match is
    non-empty and starts with a character of ``firsts`` (see the module docstring)."""
    end = len(text) if endpos is None else min(endpos, len(text))
    last = pos
    match = pattern.match
    for i in char_positions(text, firsts, pos, end):
        if i < last:
            continue
        m = match(text, i, end)
        if m is not None:
            yield m
            last = m.end()


def holds_any(text: str, words: tuple[str, ...]) -> bool:
    """``any(w in text for w in words)``, without the generator (compiled, a C loop)."""
    for w in words:
        if w in text:
            return True
    return False


def endswith_re(s: str, words: tuple[str, ...]) -> bool:
    """``re.search("(?:" + "|".join(words) + ")$", s) is not None`` for literal words, at the cost
    of ``str.endswith``: ``$`` also matches just before a final line break."""
    return s.endswith(words) or (s.endswith("\n") and s[:-1].endswith(words))


_BMP = 0x10000  # (written as a literal in the loops below, where a global would be a lookup)


_GOLDEN = cython.declare(cython.ulonglong, 2654435761)  # (C constants compiled: no Python ints)
_LOW32 = cython.declare(cython.ulonglong, 0xFFFFFFFF)


@cython.cfunc
@cython.inline
def _pair_hash(c1: cython.ulonglong, c2: cython.ulonglong) -> cython.uint:
    """32 well-mixed bits for two code points (Fibonacci hashing: the top bits of the product
    with 2**32 / golden ratio); the same compiled (64-bit wrap-around, then the low 32 bits) as
    uncompiled. A bitmap of 2**b bits takes the top b bits."""
    return ((c1 << 21 | c2) * _GOLDEN) & _LOW32


def _bitmap(bits: Sequence[int], size: int) -> bytes:
    out = bytearray(size // 8)
    for b in bits:
        out[b >> 3] |= 1 << (b & 7)
    return bytes(out)


def char_bitmap(chars: Iterable[str]) -> bytes:
    """A bitmap over the BMP with the bit of each of ``chars`` set (``bits[c >> 3] & (1 << (c &
    7))`` tests code point ``c`` in a compiled loop). Astral characters have no bit: an error."""
    codes = [ord(c) for c in chars]
    if any(c >= _BMP for c in codes):
        raise ValueError("char_bitmap holds characters of the BMP only")
    return _bitmap(codes, _BMP)


@cython.cclass
class CharSet:
    """A set of characters, for "where is the first of them": compiled, one pass with a bitmap
    of the BMP (astral members in a set); uncompiled, a regex character class doing the same."""

    _bits = cython.declare(bytes)
    _astral = cython.declare(frozenset)
    _regex = cython.declare(object)  # the class as a regex (what runs uncompiled)

    def __init__(self, chars: Iterable[str]) -> None:
        members = set(chars)
        bmp = sorted(c for c in members if ord(c) < 0x10000)
        self._bits = char_bitmap(bmp)
        self._astral = frozenset(c for c in members if ord(c) >= 0x10000)
        # (with astral characters listed in it, a class makes re test each character against the
        # whole list: the class holds the BMP ones and one astral range, checked afterwards)
        self._regex = re.compile("[" + re.escape("".join(bmp)) + "\U00010000-\U0010ffff]")

    def find_in(self, text: str, pos: cython.Py_ssize_t = 0) -> cython.Py_ssize_t:
        """The first index ``i >= pos`` with ``text[i]`` in the set, else -1."""
        i: cython.Py_ssize_t
        c: cython.uint
        if not cython.compiled:
            while (m := self._regex.search(text, pos)) is not None:
                if ord(m.group()) < 0x10000 or m.group() in self._astral:
                    return m.start()
                pos = m.end()
            return -1
        bits: cython.p_uchar = self._bits
        kind: cython.int = PyUnicode_KIND(text)
        data: cython.p_void = PyUnicode_DATA(text)
        for i in range(max(pos, 0), len(text)):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000:
                if bits[c >> 3] & (1 << (c & 7)):
                    return i
            elif self._astral and chr(c) in self._astral:
                return i
        return -1


@cython.cclass
class WordGroups:
    """Several alternations of literal words, matched in one pass over the text.

    For each group ``g``, :meth:`spans` gives ``[m.span() for m in re.finditer("|".join(g),
    text)]``: at each position the first word of the group (in its given order) that starts
    there, then the scan of that group resumes after it. Groups are independent: a stretch of
    text may count in two groups (全区各 for one, 全区 for another).
    """

    _first = cython.declare(bytes)  # BMP code points that start a word
    _pairs = cython.declare(bytes)  # hashed (first, second) characters of words of 2+ characters
    _whole = cython.declare(bytes)  # the same, of words of exactly 2 characters
    _triples = cython.declare(bytes)  # hashed first three characters of words of 3+ characters
    _single = cython.declare(bytes)  # BMP code points that are a word on their own
    _astral = cython.declare(cython.bint)  # some word starts outside the BMP
    # the words that can start where these two characters (or, at the text's end or for a word
    # of one character, this one) stand: ((word, group), ...) in group order
    _by_pair = cython.declare(dict)
    _by_single = cython.declare(dict)
    _n = cython.declare(cython.Py_ssize_t)
    _regexes = cython.declare(list)  # per group, its alternation (what runs uncompiled)

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        firsts: list[int] = []
        pairs: list[int] = []
        whole: list[int] = []
        triples: list[int] = []
        singles: list[int] = []
        by_pair: dict[str, list[tuple[int, str, int]]] = {}
        by_single: dict[str, list[tuple[int, str, int]]] = {}
        astral = False
        order = 0
        for g, words in enumerate(groups):
            for w in words:
                if not w:
                    raise ValueError("empty word in a literal alternation")
                order += 1
                (by_single.setdefault(w, []) if len(w) == 1 else by_pair.setdefault(w[:2], [])).append((order, w, g))
                c = ord(w[0])
                if c >= _BMP:
                    astral = True
                    continue
                firsts.append(c)
                if len(w) == 1:
                    singles.append(c)
                    continue
                pairs.append(_pair_hash(c, ord(w[1])) >> 16)
                if len(w) == 2:
                    whole.append(_pair_hash(c, ord(w[1])) >> 16)
                else:
                    triples.append(_pair_hash(_pair_hash(c, ord(w[1])), ord(w[2])) >> 16)
        self._first = _bitmap(firsts, _BMP)
        self._pairs = _bitmap(pairs, _BMP)
        self._whole = _bitmap(whole, _BMP)
        self._triples = _bitmap(triples, _BMP)
        self._single = _bitmap(singles, _BMP)
        self._astral = astral
        self._by_pair = {
            p: tuple((w, g) for _, w, g in sorted(ws + by_single.get(p[0], []))) for p, ws in by_pair.items()
        }
        self._by_single = {c: tuple((w, g) for _, w, g in ws) for c, ws in by_single.items()}
        self._n = len(groups)
        self._regexes = [re.compile("|".join(map(re.escape, words))) for words in groups]

    @cython.boundscheck(False)  # (every index below is in range by construction)
    @cython.wraparound(False)
    def spans(self, text: str) -> list[list[tuple[int, int]]]:
        """Per group, the spans of its matches in ``text`` (see the class docstring)."""
        if not cython.compiled:
            return [[m.span() for m in rx.finditer(text)] for rx in self._regexes]
        n: cython.Py_ssize_t = len(text)
        i: cython.Py_ssize_t
        j: cython.Py_ssize_t
        g: cython.Py_ssize_t
        c: cython.uint
        h: cython.uint
        kind: cython.int = PyUnicode_KIND(text)
        data: cython.p_void = PyUnicode_DATA(text)
        first: cython.p_uchar = self._first
        pairs: cython.p_uchar = self._pairs
        single: cython.p_uchar = self._single
        whole: cython.p_uchar = self._whole
        triples: cython.p_uchar = self._triples
        t: cython.uint
        hp: cython.uint
        out: list[list[tuple[int, int]]] = [[] for _ in range(self._n)]
        resume: list[int] = [0] * self._n  # where each group's scan goes on
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c < 0x10000:
                if not (first[c >> 3] & (1 << (c & 7))):
                    continue
                if not (single[c >> 3] & (1 << (c & 7))):
                    if i + 1 >= n:
                        continue
                    hp = _pair_hash(c, PyUnicode_READ(kind, data, i + 1))
                    h = hp >> 16
                    if not (pairs[h >> 3] & (1 << (h & 7))):
                        continue
                    # (a two-character word here, or the first three characters of a longer one:
                    # 教育 stands all over a text, 教育部 far less)
                    if not (whole[h >> 3] & (1 << (h & 7))):
                        if i + 2 >= n:
                            continue
                        t = _pair_hash(hp, PyUnicode_READ(kind, data, i + 2)) >> 16
                        if not (triples[t >> 3] & (1 << (t & 7))):
                            continue
            elif not self._astral:
                continue
            words = self._by_pair.get(text[i : i + 2]) if i + 1 < n else None
            if words is None:
                words = self._by_single.get(text[i])
                if words is None:
                    continue
            taken: list[int] = []  # groups that matched at i (the first word of a group wins)
            for w, g in words:
                if resume[g] > i or g in taken or not text.startswith(w, i):
                    continue
                j = i + len(w)
                out[g].append((i, j))
                resume[g] = j
                taken.append(g)
        return out

    def counts(self, text: str) -> list[int]:
        """Per group, ``len(re.findall("|".join(group), text))``."""
        return [len(s) for s in self.spans(text)]


class LiteralAlternation:
    """``re.compile("|".join(words))`` for literal ``words``: the one-group :class:`WordGroups`."""

    __slots__ = ("_groups",)

    def __init__(self, words: Sequence[str]) -> None:
        self._groups = WordGroups([words])

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``[m.span() for m in re.finditer("|".join(words), text)]``."""
        return self._groups.spans(text)[0]

    def count(self, text: str) -> int:
        """``len(re.findall("|".join(words), text))``."""
        return len(self.spans(text))


@cython.cclass
class NameFinder:
    """Every occurrence in a text of any of many names (of two characters or more), overlapping
    ones included, with the value each name was given.

    The text is walked once. A position is a candidate only if its character starts a name and
    its first two characters, hashed, are the first two of some name (a bitmap of ~64 bits per
    name pair, so false candidates are rare); only there are the names with those two first
    characters compared (``str.startswith``). Against the 7,400 region names a plan has ~30
    candidates in 6,000 characters. Compiled, the scan reads the string's buffer directly and
    takes ~2 ns a character (15 µs for an 8,800-character plan; the ahocorasick-rs DFA used
    before took 57-76 µs, encoding the text to UTF-8 and mapping offsets back included).
    Uncompiled, correct but slow (~0.2 µs a character): the compiled build is the one used.
    """

    _first = cython.declare(bytes)  # BMP code points that start a name
    _pairs = cython.declare(bytes)  # hashed first two characters of the names
    _shift = cython.declare(cython.uint)  # 32 - log2(bits in _pairs)
    _astral = cython.declare(cython.bint)  # some name starts outside the BMP
    _by_pair = cython.declare(dict)  # first two characters -> ((name, value), ...), longest first

    def __init__(self, values: Mapping[str, Any]) -> None:
        by_pair: dict[str, list[tuple[str, Any]]] = {}
        firsts: list[int] = []
        astral = False
        for name, value in values.items():
            if len(name) < 2:
                raise ValueError(f"a name must have two characters or more: {name!r}")
            by_pair.setdefault(name[:2], []).append((name, value))
            if ord(name[0]) >= _BMP:
                astral = True
            else:
                firsts.append(ord(name[0]))
        log2 = 12
        while (1 << log2) < 64 * len(by_pair):
            log2 += 1
        self._shift = 32 - log2
        self._first = _bitmap(firsts, _BMP)
        self._pairs = _bitmap([_pair_hash(ord(p[0]), ord(p[1])) >> (32 - log2) for p in by_pair], 1 << log2)
        self._astral = astral
        self._by_pair = {p: tuple(sorted(ns, key=lambda nv: -len(nv[0]))) for p, ns in by_pair.items()}

    @cython.boundscheck(False)  # (every index below is in range by construction)
    @cython.wraparound(False)
    def find(self, text: str) -> list[tuple[int, Any]]:
        """``(start, value)`` for every occurrence of every name in ``text``, by start (at one
        start, longer names first)."""
        n: cython.Py_ssize_t = len(text)
        i: cython.Py_ssize_t
        c: cython.uint
        h: cython.uint
        kind: cython.int = PyUnicode_KIND(text) if cython.compiled else 0
        data: cython.p_void = PyUnicode_DATA(text) if cython.compiled else cython.NULL
        first: cython.p_uchar = self._first
        pairs: cython.p_uchar = self._pairs
        out: list[tuple[int, Any]] = []
        for i in range(n - 1):
            c = _read(text, kind, data, i)
            if c < 0x10000:
                if not (first[c >> 3] & (1 << (c & 7))):
                    continue
                h = _pair_hash(c, _read(text, kind, data, i + 1)) >> self._shift
                if not (pairs[h >> 3] & (1 << (h & 7))):
                    continue
            elif not self._astral:
                continue
            names = self._by_pair.get(text[i : i + 2])
            if names is None:
                continue
            for name, value in names:
                if text.startswith(name, i):
                    out.append((i, value))
        return out
