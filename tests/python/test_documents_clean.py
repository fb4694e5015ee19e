"""clean(): glosses, t2s, NFKC, lost dashes vs thousands separators, chunk markers, chrome, char map."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.documents.clean import clean, to_simplified


def test_pinyin_glosses_removed() -> None:
    assert (
        clean("推進縣域內校(xiào)長教師交流(liú)輪崗，師資均(jun1)衡配置").text
        == "推进县域内校长教师交流轮岗,师资均衡配置"
    )


def test_non_pinyin_parentheses_kept() -> None:
    assert "(ICP)" in clean("网站(ICP)备案").text
    assert "(薄弱)" in clean("驻乡(薄弱)学校工作室").text


def test_t2s_and_nfkc() -> None:
    out = clean("學前三年毛入園率達到９５％以上，建設２５個工作站").text
    assert out == "学前三年毛入园率达到95%以上,建设25个工作站"


def test_lost_dash_vs_thousands_separator() -> None:
    assert "举办3-5所" in clean("确保城区举办3 5所标准化公办幼儿园").text
    assert "1122个" in clean("实施新建、扩建幼儿园项目1 122个").text
    assert "2083所" in clean("在2 083所农村小学增设附属幼儿园").text


def test_a_digit_that_is_not_decimal_after_a_space_is_no_number() -> None:
    # "0 ፩" (an Ethiopic digit: str.isdigit, but not decimal, and left alone by NFKC) once
    # crashed the range-dash rule with int("፩"), failing the whole document
    assert clean("第0 ፩").text == "第0 ፩"
    assert clean("面积20 ²米，增长3 ⁵").text == "面积20 2米,增长3-5"  # (NFKC makes these digits first)


def test_spaces_inside_chinese_are_dropped() -> None:
    assert clean("新建幼儿园 23 所，组建 6 个幼教学区 联盟").text == "新建幼儿园23所,组建6个幼教学区联盟"


def test_page_chunk_marker_removed_mid_sentence() -> None:
    raw = (
        "牢牢把握学前教育优质普惠发展、推动学前教育、高中阶段普及水平进一步提高，教育结构更加合理，教育质量整体提升，义\n"
        "2、务教育优质均衡发展。\n"
        "（一）把好政策方向\n"
        "1、加强思想理论武装。"
    )
    out = clean(raw).text
    assert "义务教育优质均衡发展" in out
    assert "1、加强思想理论武装" in out  # a real list item after a heading stays


def test_marker_inside_a_number_keeps_the_digits() -> None:
    lead = (
        "严格落实城镇居住区配套建设义务教育学校相关规定，新建小区应当配套建设与居住人口相适应的学校，"
        "规模较大的住宅区应当配套建设1所3"
    )
    assert "1所36班" in clean(lead + "\n6、6班规模的初中。").text
    lead2 = "稳步扩充学前教育资源，大力发展公办园，建立健全城镇小区配套幼儿园建设及管理机制，确保城区举办3"
    assert "举办3-5所" in clean(lead2 + "\n4、 5所标准化公办幼儿园。").text


def test_chrome_lines_removed_content_kept() -> None:
    raw = "到2025年，新建幼儿园10所。\n上一页 [1] [2] 下一页\n分享到：\n版权所有 某某网 ICP备123号\n新增学位3000个。"
    out = clean(raw).text
    assert "新建幼儿园10所" in out and "新增学位3000个" in out
    assert "上一页" not in out and "分享到" not in out and "版权所有" not in out


def test_spam_title_line_removed() -> None:
    out = clean("国产精品一区,亚洲无码在线观看,久久视频\n某区教育发展规划").text
    assert out == "某区教育发展规划"


def test_t2s_is_one_to_one() -> None:
    s = "鄉村教師隊伍建設規劃，頭髮，乾隆，著作，瞭解"
    assert len(to_simplified(s)) == len(s)


def _check_map(raw: str) -> None:
    ct = clean(raw)
    assert len(ct.offsets) == len(ct.text)
    assert all(0 <= o < max(1, len(raw)) for o in ct.offsets)
    assert ct.offsets == sorted(ct.offsets)
    for ch, o in zip(ct.text, ct.offsets, strict=True):
        src = raw[o]
        if ch.isascii() and ch.isdigit():
            assert unicodedata.normalize("NFKC", src) == ch
        elif "\u4e00" <= ch <= "\u9fff":
            assert to_simplified(src) == ch or src == ch


def test_char_map_on_corpus_like_text() -> None:
    _check_map("臨湘市(lín)教育體育局  2021年工作計劃\n——學前三年入園率達到９５％以上；\n上一頁\n3 5所、1 122個")


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("學前教育毛入園率達到以上校(xiào)長 ０１２３456789%％、，。\n\t上一页-")),
        max_size=300,
    )
)
def test_char_map_round_trip_property(raw: str) -> None:
    _check_map(raw)
