"""The character-level scans written for speed equal the regexes (and code) they replace.

Each scan in ``loaders.documents.scan`` and ``loaders.documents.clean`` that reads the text
character by character is specified by a regex or by the per-match code it replaced; both are
written out here and compared with the scan on generated text that is dense in the characters
that matter (brackets, pinyin, digits, spaces, the words looked for). The compiled modules are
also checked to give the same output as their source run as plain Python.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from _helpers import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loaders._compiled as compiled
from loaders.documents import clean as cl
from loaders.documents.scan import (
    CharSet,
    LiteralAlternation,
    NameFinder,
    WordGroups,
    char_positions,
    delete_glosses,
    gloss_spans,
)

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _offsets(text: str, steps: list[cl.Step]) -> list[int]:
    return cl.CleanText(text, steps=tuple(steps)).offsets


def _same_edit(kernel: Callable[[str, list[cl.Step]], str], reference: Callable[[str, list[cl.Step]], str], raw: str):
    ks: list[cl.Step] = []
    rs: list[cl.Step] = []
    got, want = kernel(raw, ks), reference(raw, rs)
    assert got == want
    assert _offsets(got, ks) == _offsets(want, rs)


# --- literal alternations ---------------------------------------------------------------------
_WORD_CHARS = "全市区县我本自治教育部国a"


@FAST
@given(
    groups=st.lists(
        st.lists(st.text(alphabet=_WORD_CHARS, min_size=1, max_size=4), min_size=1, max_size=5),
        min_size=1,
        max_size=4,
    ),
    text=st.text(alphabet=_WORD_CHARS + "，。\n的x\U00020000", max_size=300),
)
def test_word_groups_match_each_alternation(groups: list[list[str]], text: str) -> None:
    spans = WordGroups(groups).spans(text)
    for words, got in zip(groups, spans, strict=True):
        want = [m.span() for m in re.finditer("|".join(map(re.escape, words)), text)]
        assert got == want


def test_word_groups_astral_first_characters() -> None:
    words = ["\U00020000学", "学"]
    text = "a\U00020000学学\U00020000"
    assert LiteralAlternation(words).spans(text) == [m.span() for m in re.finditer("|".join(words), text)]
    assert LiteralAlternation(words).count(text) == 2


def test_word_groups_refuse_an_empty_word() -> None:
    with pytest.raises(ValueError):
        WordGroups([["全市", ""]])


@FAST
@given(
    names=st.sets(st.text(alphabet=_WORD_CHARS + "\U00020000", min_size=2, max_size=4), min_size=1, max_size=12),
    text=st.text(alphabet=_WORD_CHARS + "，x\U00020000", max_size=300),
)
def test_name_finder_finds_every_occurrence(names: set[str], text: str) -> None:
    want = sorted(
        ((i, n) for n in names for i in range(len(text)) if text.startswith(n, i)), key=lambda h: (h[0], -len(h[1]))
    )
    assert NameFinder({n: n for n in names}).find(text) == want


def test_name_finder_refuses_a_one_character_name() -> None:
    with pytest.raises(ValueError):
        NameFinder({"市": 1})


@FAST
@given(
    members=st.sets(st.sampled_from("學國\U00020000a中"), max_size=4),
    text=st.text(alphabet="學國中文a\U00020000\U00020001", max_size=200),
    pos=st.integers(0, 210),
)
def test_char_set_finds_the_first_member(members: set[str], text: str, pos: int) -> None:
    want = next((i for i in range(pos, len(text)) if text[i] in members), -1)
    assert CharSet(members).find_in(text, pos) == want


@FAST
@given(
    chars=st.sets(st.sampled_from("。；\n,中12(（\U00020000"), min_size=1, max_size=6).map("".join),
    text=st.text(alphabet="。；\n,中12(（\U00020000字a", max_size=200),
    pos=st.integers(0, 50),
    endpos=st.one_of(st.none(), st.integers(0, 250)),
)
def test_char_positions(chars: str, text: str, pos: int, endpos: int | None) -> None:
    end = len(text) if endpos is None else min(endpos, len(text))
    assert char_positions(text, chars, pos, endpos) == [i for i in range(pos, end) if text[i] in chars]


@FAST
@given(text=st.text(alphabet="?？a字", max_size=80))
def test_garble_runs_equal_the_regex(text: str) -> None:
    assert cl._garble_runs(text) == [m.span() for m in re.finditer("[?？]{2,}", text)]


def _source_module(name: str):
    """A fresh copy of a compiled module run from its ``.py`` source (its own imports stay compiled)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name + "_source", compiled.source_path(name))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (dataclasses look their module up there)
    spec.loader.exec_module(module)
    return module


_MENTIONS_SOURCE = _source_module("loaders.documents.mentions")
_NUMBERISH = (
    "0123456789.:%-万亿百千十一二两三四五六七八九零〇半数翻番为是保率所个人元成分之余多以上的达到学校年限受教育"
)


_NUMBER_PIECES = [*_NUMBERISH, "2021年", "1999年", "2025年底", "受教育年限", "百分之九十五", "一万", "率为零", "翻一番"]


@FAST
@given(text=st.lists(st.sampled_from(_NUMBER_PIECES), max_size=120).map("".join))
def test_mentions_found_where_the_pattern_can_match_equal_the_pattern_scan(text: str) -> None:
    from dataclasses import astuple

    from loaders.documents import mentions

    for lo, hi in ((0, len(text)), (len(text) // 3, 2 * len(text) // 3)):
        got = [astuple(m) for m in mentions.find_mentions(text, lo, hi)]
        assert got == [astuple(m) for m in _MENTIONS_SOURCE.find_mentions(text, lo, hi)]


_YEAR_WORDS = "到 至 力争到 截止至 截至 在 较 比 与 基础上 年 年底 前 以前 — - 。 ， 学校 十四五 期间 底 月 人 元 %"
_YEAR_PIECES = [*_YEAR_WORDS.split(), " ", "2020", "2025", "1999", "2030", "20", "19", "3"]


@FAST
@given(pieces=st.lists(st.sampled_from(_YEAR_PIECES), min_size=150, max_size=300), deadlines_only=st.booleans())
def test_year_windows_give_the_whole_text_scan(pieces: list[str], deadlines_only: bool) -> None:
    from unittest import mock

    from loaders.documents import years

    text = "".join(pieces)  # (long, and dense in the pieces of time expressions)
    windowed = years.find_years(text, 2021, deadlines_only=deadlines_only)
    with mock.patch.object(years, "_year_windows", lambda t: [(0, len(t))]):
        assert windowed == years.find_years(text, 2021, deadlines_only=deadlines_only)


# --- pinyin glosses ---------------------------------------------------------------------------
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
GLOSS_SPEC = re.compile(
    r"[(（](?<=[\u3400-\u9fff][(（])\s{0,1}"
    r"(?:[a-z" + _TONED + r"]{0,6}[" + _TONED + r"][a-z" + _TONED + r"]{0,6}"
    r"|[a-z]{1,6}[1-5]"
    r"|[bcdfghjklmnpqrstwxyz]{0,2}h?[aeiouv]{1,3}(?:ng|n|r)?)"
    r"\s{0,1}[)）]"
)
_PINYIN = st.text(alphabet="zhngiaouvxrbāǎàüǜ12356 A", min_size=0, max_size=16)


@st.composite
def _glossed(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        parts.append(draw(st.sampled_from(["学", "校", "a", "。", "\u3400", "\u9fff", "\u33ff", " "])))
        if draw(st.booleans()):
            opening, closing = draw(st.sampled_from(["(", "（"])), draw(st.sampled_from([")", "）", "", "]"]))
            parts.append(opening + draw(st.sampled_from(["", " ", "\u3000"])) + draw(_PINYIN) + closing)
    return "".join(parts)


@FAST
@given(text=_glossed())
def test_gloss_spans_equal_the_gloss_regex(text: str) -> None:
    assert gloss_spans(text) == [m.span() for m in GLOSS_SPEC.finditer(text)]
    deleted, step = cl._delete_spans(text, gloss_spans(text))
    assert delete_glosses(text) == (None if step is None else (deleted, step[0], step[1]))


@pytest.mark.parametrize(
    ("syllable", "is_gloss"),
    [
        ("xiào", True),
        ("jun1", True),
        ("zhong", True),
        ("chuang", True),
        ("ng", False),
        ("abcdefghij", False),
        ("xiàoxiàoxiàox", True),
        ("xiàoxiàoxiàoxi", False),
        ("a1b", False),
        ("zhv", True),
    ],
)
def test_syllables(syllable: str, is_gloss: bool) -> None:
    text = f"字({syllable})"
    assert (GLOSS_SPEC.search(text) is not None) == is_gloss
    assert (gloss_spans(text) != []) == is_gloss


# --- chunk markers and spaces: the per-match code they replaced --------------------------------
_MARKER_SPEC = re.compile(r"\n[ \t]{0,4}\d{1,3}[、.．]")


def _ref_drop_markers(text: str, steps: list[cl.Step]) -> str:
    def repl(m: re.Match[str]) -> str:
        s = m.start()
        line_start = text.rfind("\n", 0, s) + 1
        prev = text[line_start:s].rstrip()
        if len(prev) < 40 or not prev or prev[-1] in set("。！？!?；;：:”」』》)）"):
            return m.group(0)
        nxt = text[m.end() : m.end() + 1]
        if not nxt or nxt == "\n":
            return m.group(0)
        return ""

    return cl._apply(steps, cl._sub(text, _MARKER_SPEC, repl))


def _ref_fix_spaces(text: str, steps: list[cl.Step]) -> str:
    n = len(text)

    def repl(m: re.Match[str]) -> str:
        s, e = m.span()
        if s == 0 or e >= n or text[s - 1] == "\n" or text[e] == "\n":
            return ""
        if "\t" in m.group(0):
            return "\t" * m.group(0).count("\t")
        left, right = text[s - 1], text[e]
        if left.isdigit() and right.isdigit():
            return cl._digit_gap(text, s, e)
        if (
            left.isascii()
            and (left.isalpha() or left in "@._")
            and right.isascii()
            and (right.isalpha() or right in "@._")
        ):
            return " "
        return ""

    text = cl._apply(steps, cl._sub(text, cl._SPACES, repl))
    text = cl._apply(steps, cl._sub(text, re.compile(r"\n\n+"), lambda m: "\n"))
    if text.startswith("\n"):
        text = cl._apply(steps, cl._delete_spans(text, [(0, 1)]))
    return text


_LINES = st.text(alphabet="教育发展。；:”\n \t\u3000\u00a01234567890、.．aZ@²", max_size=400)


@st.composite
def _long_lines(draw: st.DrawFn) -> str:
    """Lines long enough (40+) for a marker to count, often opened by a marker (a few spaces,
    one to four digits and 、/./．), with spaces and digits around."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        marker = ""
        if draw(st.booleans()):
            marker = (
                draw(st.sampled_from(["", " ", "\t", "    ", "     "]))
                + draw(st.text(alphabet="0123456789", min_size=1, max_size=4))
                + draw(st.sampled_from(["、", ".", "．", "x"]))
            )
        out.append(marker + "教育" * draw(st.integers(0, 30)) + draw(_LINES))
    return "\n".join(out)


@FAST
@given(text=st.one_of(_LINES, _long_lines()))
def test_drop_markers_equals_the_marker_rule(text: str) -> None:
    _same_edit(cl._drop_markers, _ref_drop_markers, text)


@FAST
@given(text=st.one_of(_LINES, _long_lines()))
def test_fix_spaces_equals_the_space_rule(text: str) -> None:
    _same_edit(cl._fix_spaces, _ref_fix_spaces, text)


@FAST
@given(text=st.text(alphabet="ab\r\n", max_size=60))
def test_line_breaks_equal_the_regex(text: str) -> None:
    got, step = cl._replace(text, cl._line_breaks(text))
    want, ref = cl._sub(text, re.compile(r"\r\n?"), lambda m: "\n")
    assert got == want
    assert _offsets(got, [step] if step else []) == _offsets(want, [ref] if ref else [])


# --- the compiled modules ---------------------------------------------------------------------
_DUMP = """
import json, sys
from pathlib import Path
import loaders._compiled as compiled
from loaders.documents import clean, extract, mentions, scan
from loaders.documents.pipeline import process_file
out = {"compiled": [compiled.is_compiled(m) for m in (clean, extract, mentions, scan)]}
for p in sys.argv[1:]:
    d = process_file(p)
    out[p] = {"text": d.text, "meta": [d.meta.title, d.meta.region_code, d.meta.doc_type, d.meta.extra],
              "targets": [t.to_dict() | {"orig": [t.orig_start, t.orig_end]} for t in d.targets]}
print(json.dumps(out, ensure_ascii=False, sort_keys=True, default=str))
"""


def _pipeline_json(paths: list[str], pure: bool) -> dict:
    env = dict(os.environ)
    env[compiled.PURE_ENV] = "1" if pure else "0"
    proc = subprocess.run(
        [sys.executable, "-c", _DUMP, *paths], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def test_compiled_modules_are_built_from_the_current_source() -> None:
    """Either every listed module runs compiled from its current source, or none is compiled
    (no C compiler); a stale or missing one means the tests would not test what ships."""
    states = compiled.status()
    if all(s == "pure" for s in states.values()):
        pytest.skip("no compiled modules (built without a C compiler): the source runs")
    behind = {m: s for m, s in states.items() if s != "compiled"}
    assert not behind, f"not compiled from the current source: {behind}; run `make install`"


def test_compiled_and_pure_python_give_the_same_output() -> None:
    if all(s != "compiled" for s in compiled.status().values()):
        pytest.skip("nothing is compiled")
    paths = sorted(str(p) for p in (ROOT / "data" / "documents").glob("*.txt"))
    fast, slow = _pipeline_json(paths, pure=False), _pipeline_json(paths, pure=True)
    assert fast.pop("compiled") == [True] * 4 and slow.pop("compiled") == [False] * 4
    assert fast == slow
