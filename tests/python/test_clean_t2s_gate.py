"""The OpenCC gate in cleaning: a text is converted unless conversion would leave it unchanged.

The gate's tables (``loaders/documents/t2s_chars.py``) are checked here against the installed
OpenCC, so an upgrade that changes what t2s does fails these tests instead of silently skipping
a conversion.
"""

from __future__ import annotations

import opencc
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.documents.clean import clean, needs_t2s
from loaders.documents.t2s_chars import PHRASES, T2S_CHARS

_CONV = opencc.OpenCC("t2s").convert
_BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF), (0x2F800, 0x2FA1F))
_SINGLE = set(T2S_CHARS)


def test_every_character_opencc_changes_on_its_own_is_in_the_table() -> None:
    changed = {chr(cp) for lo, hi in _BLOCKS for cp in range(lo, hi + 1) if _CONV(chr(cp)) != chr(cp)}
    assert changed - _SINGLE == set()
    # and the table holds nothing OpenCC leaves alone (it would only cost speed, but means a stale table)
    assert {c for c in _SINGLE if _CONV(c) == c} == set()


def test_each_phrase_in_the_table_is_changed_by_opencc_and_opens_the_gate() -> None:
    assert PHRASES, "the phrase table is empty"
    for ch, phrases in PHRASES.items():
        assert ch not in _SINGLE and _CONV(ch) == ch
        for p in phrases:
            assert _CONV(p) != p, p
            assert needs_t2s(f"前文{p}后文"), p


def test_gate_opens_on_traditional_text_and_stays_shut_on_simplified() -> None:
    assert needs_t2s("學前教育毛入園率達到95%")
    assert needs_t2s("要充分瞭解")  # every character of it is left alone on its own
    assert not needs_t2s("到2025年,学前教育毛入园率达到95%以上,普惠性幼儿园覆盖率达到85%")
    assert clean("要充分瞭解情况").text == "要充分了解情况"
    assert clean("學前三年毛入園率").text == "学前三年毛入园率"


# Text of characters OpenCC leaves alone on their own, with phrase keys and their pieces mixed in:
# the cases where a gate built from single characters alone would be wrong (characters changed on
# their own are checked exhaustively above).
_PLAIN = [chr(cp) for cp in range(0x4E00, 0x9FFF, 7) if chr(cp) not in _SINGLE]
# Written here, not read from the table, so a table that lost phrases fails this test.
_KNOWN_PHRASES = ("瞭解", "一目瞭然", "反覆", "答覆", "藉口", "藉助", "沈默", "深沈", "甦醒", "衹得", "英哩", "打坏")
_PIECES = sorted(
    {p for ps in PHRASES.values() for p in ps} | set(_KNOWN_PHRASES) | {p[: len(p) // 2 + 1] for p in _KNOWN_PHRASES}
)
_TEXT = st.lists(
    st.one_of(st.sampled_from(_PLAIN), st.sampled_from(_PIECES), st.text(max_size=3)),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_a_text_the_gate_lets_through_unconverted_is_its_own_conversion(text: str) -> None:
    if not needs_t2s(text):
        assert _CONV(text) == text
