"""Document metadata (``raw.documents``): title, issuing body, region, date, type, plan period.

The headers are written for these tests in the forms local governments publish; none is taken
from the evaluation corpus.
"""

from __future__ import annotations

import pytest

from loaders.documents.clean import clean
from loaders.documents.metadata import extract_metadata
from loaders.documents.model import DocumentMeta


def meta_of(raw: str) -> DocumentMeta:
    return extract_metadata(clean(raw).text, "t")


@pytest.mark.parametrize(
    ("raw", "title", "issuer", "region_code", "published_on", "doc_type", "period"),
    [
        (
            "关于印发《兰州市“十四五”教育事业发展规划》的通知\n兰州市人民政府办公室\n2021年9月3日\n全市学前三年毛入园率达到95%。",
            "关于印发《兰州市“十四五”教育事业发展规划》的通知",
            "兰州市人民政府办公室",
            "620100",
            "2021-09-03",
            "five_year_plan",
            (2021, 2025),
        ),
        (
            "杭州市西湖区教育局2023年工作要点\n全区新增学位6000个。",
            "杭州市西湖区教育局2023年工作要点",
            "杭州市西湖区教育局",
            "330106",
            None,
            "annual_plan",
            (2023, 2023),
        ),
        (
            "四川省教育厅关于印发《四川省学前教育发展提升行动计划(2021—2025年)》的通知\n"
            "到2025年,全省学前三年毛入园率达到92%以上。",
            "四川省教育厅关于印发《四川省学前教育发展提升行动计划(2021—2025年)》的通知",
            "四川省教育厅",
            "510000",
            None,
            "action_plan",
            (2021, 2025),
        ),
    ],
)
def test_header_fields(
    raw: str,
    title: str,
    issuer: str,
    region_code: str,
    published_on: str | None,
    doc_type: str,
    period: tuple[int, int],
) -> None:
    m = meta_of(raw)
    assert m.title == title
    assert m.issuer == issuer
    assert m.region_code == region_code
    assert m.published_on == published_on
    assert m.doc_type == doc_type
    assert (m.plan_start_year, m.plan_end_year) == period


def test_title_that_opens_with_guanyu_has_no_issuer_in_it() -> None:
    """关于印发…的通知 names no issuer at its head; the organ's own line under the title does."""
    assert meta_of("关于印发《某县义务教育优质均衡发展实施方案》的通知\n某县人民政府办公室\n一、目标").issuer == (
        "某县人民政府办公室"
    )
    assert meta_of("关于做好2024年秋季开学工作的通知\n各学校:\n请做好开学准备。").issuer is None


def test_a_news_page_that_only_says_our_province_takes_the_region_of_its_source_line() -> None:
    body = "记者从省教育厅获悉,截至2023年底,我省学前教育毛入园率达91.2%,全省新建幼儿园120所。"
    m = meta_of(f"我省学前教育毛入园率达91.2%\n来源:河南日报 2024-05-20 08:30\n{body}")
    assert (m.region, m.region_code) == ("河南省", "410000")
    # the source line's place must be of the level the page speaks at
    m = meta_of("我市新建幼儿园120所\n来源:河南日报 2024-05-20\n记者获悉,今年我市新建幼儿园120所。")
    assert m.region_code != "410000"


def test_a_statistical_bulletin_reports_the_year_in_its_title() -> None:
    from loaders.documents.extract import extract_targets

    raw = "2023年某省教育事业发展统计公报\n全省共有幼儿园7900所,比上年减少120所;学前三年毛入园率为98.9%。"
    ct = clean(raw)
    m = extract_metadata(ct.text, "t")
    assert m.doc_type == "report" and m.extra["doc_year"] == 2023
    recs = extract_targets(ct, m, "t")
    assert {(r.status, r.target_year) for r in recs} == {("actual", 2023)}
    assert "幼儿园减少" in [r.indicator_text for r in recs]
