"""Property tests: arbitrary text never crashes the pipeline and every record is well-formed;
pathological inputs finish (every regex is bounded, nothing backtracks catastrophically)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.documents.clean import clean
from loaders.documents.extract import extract_targets
from loaders.documents.metadata import extract_metadata
from loaders.documents.model import COMPARATORS, STATUSES, TARGET_KEYS, Target

ALPHABET = list(
    "学前三年毛入园率达到以上不低于不少于以内左右约近余所个人名学时元倍%％、，。；：:（）()“”-—～"
    "0123456789０１２３百千万亿一二两十分之到年底前十四五\n 各市县区其中为稳定在"
)


def _check(text: str) -> list[Target]:
    ct = clean(text)
    meta = extract_metadata(ct.text, "p")
    recs = extract_targets(ct, meta, "p")
    for r in recs:
        d = r.to_dict()
        assert tuple(d)[: len(TARGET_KEYS)] == TARGET_KEYS
        assert r.comparator in COMPARATORS
        assert r.status in STATUSES
        assert isinstance(r.value, float) and math.isfinite(r.value)
        if r.value_high is not None:
            assert math.isfinite(r.value_high) and r.value_high >= r.value
        assert 0 <= r.char_start <= r.char_end <= len(ct.text)
        assert ct.text[r.char_start : r.char_end].strip() == r.evidence
        if r.orig_start is not None:
            assert 0 <= r.orig_start <= r.orig_end <= len(text)
        assert r.target_year is None or 1900 <= r.target_year <= 2100
    return recs


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=400))
def test_policy_like_text(text: str) -> None:
    _check(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode(text: str) -> None:
    _check(text)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**30), st.sampled_from(["个", "所", "%", "万人", "亿元", "学时"]))
def test_huge_numbers(n: int, unit: str) -> None:
    _check(f"到2025年,新建学校{n}{unit}以上。")


def test_pathological_inputs_finish() -> None:
    for text in (
        "1" * 100_000,
        "、" * 100_000,
        "1、" * 50_000,
        "(" * 50_000,
        "百分之" * 10_000,
        "到2025年," * 20_000,
        "一二三四五六七八九十" * 10_000,
        "1-" * 50_000,
        "校(xiào)" * 20_000,
    ):
        _check(text)


def test_one_megabyte_line() -> None:
    prose = "坚持以人民为中心的发展思想,深化教育领域综合改革,推动城乡义务教育一体化发展," * 40
    line = (prose + "全市学前三年毛入园率达到95%以上;") * 225
    assert len(line.encode("utf-8")) >= 1_000_000  # one line of 1 MB (UTF-8)
    recs = _check(line)
    assert recs
