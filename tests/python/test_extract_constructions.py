"""One small labelled case per construction of Chinese plan language the extractor reads.

The sentences are written for these tests in the style of local education plans; they are not
taken from the evaluation corpus.
"""

from __future__ import annotations

import pytest

from loaders.documents.clean import clean
from loaders.documents.extract import extract_targets
from loaders.documents.metadata import extract_metadata
from loaders.documents.model import Target


def run(body: str, title: str = "某市教育事业发展“十四五”规划") -> list[Target]:
    raw = f"{title}\n{body}"
    ct = clean(raw)
    meta = extract_metadata(ct.text, "t")
    return extract_targets(ct, meta, "t")


def one(recs: list[Target], value: float, unit: str | None = None) -> Target:
    hits = [r for r in recs if r.value == value and (unit is None or r.unit == unit)]
    assert hits, f"no record with value {value} {unit}: {[(r.value, r.unit, r.indicator_text) for r in recs]}"
    return hits[0]


@pytest.mark.parametrize(
    ("sentence", "value", "comparator"),
    [
        ("全市普惠性幼儿园覆盖率达到88%以上。", 88, ">="),
        ("中小学教师培训经费不低于公用经费的6%。", 6, ">="),
        ("每年组织乡村教师培训不少于4000人次。", 4000, ">="),
        ("每名校长每年至少听课40节。", 40, ">="),
        ("高中阶段毛入学率超过93%。", 93, ">="),
        ("义务教育学校大班额比例控制在3%以内。", 3, "<="),
        ("小学每班学生人数不超过45人。", 45, "<="),
        ("初中生近视率每年降低1个百分点,肥胖率不高于12%。", 12, "<="),
        ("义务教育辍学率低于0.5%。", 0.5, "<="),
        ("残疾儿童入学率稳定在97%。", 97, "="),
        ("九年义务教育巩固率保持97.5%。", 97.5, "="),
        ("新建城区小学6所。", 6, "="),
        ("全市在园幼儿达到5万人左右。", 50000, "~"),
        ("专任教师约1200名。", 1200, "~"),
        ("普职招生比例接近6:4。", 1.5, "~"),
        ("新增学位近3000个。", 3000, "~"),
        ("建成标准化运动场30余个。", 30, ">="),
    ],
)
def test_comparators(sentence: str, value: float, comparator: str) -> None:
    r = one(run(sentence), value)
    assert r.comparator == comparator


def test_percent_words_and_zero() -> None:
    recs = run("到2025年,学前三年毛入园率达到百分之九十五,义务教育辍学率为零,四分之一的学校建成智慧校园。")
    assert one(recs, 95, "%").indicator_code == "preschool_ger"
    zero = one(recs, 0, "%")
    assert zero.indicator_code == "dropout_rate" and zero.comparator == "="


def test_shared_subject_list() -> None:
    recs = run("年度巩固率初中为99%、高中在96%以上。")
    junior = one(recs, 99)
    senior = one(recs, 96)
    assert junior.indicator_code == "junior_secondary_retention_rate" and junior.comparator == "="
    assert senior.indicator_code == "senior_secondary_retention_rate" and senior.comparator == ">="


def test_stage_list_shares_the_measure() -> None:
    recs = run("小学、初中入学率均保持在100%。")
    codes = {r.indicator_code for r in recs if r.value == 100}
    assert codes == {"primary_enrollment_rate", "junior_secondary_enrollment_rate"}


def test_one_to_one_value_list() -> None:
    recs = run("到2027年,按照专任教师数5%、10%、15%的比例分级培养省、市、县骨干教师。")
    got = {r.value: r.indicator_text for r in recs if r.unit == "%"}
    assert got[5].startswith("省") and got[10].startswith("市") and got[15].startswith("县")
    assert all(r.target_year == 2027 for r in recs if r.unit == "%")


def test_ge_list_splits_per_place() -> None:
    recs = run("到2025年,上城、拱墅各新建公办幼儿园2-3所。", title="杭州市学前教育发展规划")
    places = sorted(r.region for r in recs if r.value == 2)
    assert places == ["杭州市上城区", "杭州市拱墅区"]
    assert all(r.value_high == 3 for r in recs if r.value == 2)


def test_comparator_at_list_head_applies_to_every_item() -> None:
    recs = run("组建不少于8个城乡教育共同体、12个名师工作室、5个学科基地。")
    for v in (8, 12, 5):
        assert one(recs, v, "个").comparator == ">="


@pytest.mark.parametrize(
    ("sentence", "value", "high", "unit"),
    [
        ("每个街道办好2—4所公办幼儿园。", 2, 4, "所"),
        ("每名学生掌握2-3项以上体育技能。", 2, 3, "项"),
        ("培育市级特色学校9～12个。", 9, 12, "个"),
    ],
)
def test_ranges(sentence: str, value: float, high: float, unit: str) -> None:
    r = one(run(sentence), value, unit)
    assert r.value_high == high


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("教师每五年一周期参加培训不少于360学时。", 360, "学时"),
        ("开设网络同步课程不少于500门次。", 500, "门次"),
        ("每位教师每年获得继续教育48个学分。", 48, "学分"),
        ("保证学生每天校园体育活动2小时。", 2, "小时"),
        ("新建学生食堂1.2万平方米。", 12000, "平方米"),
        ("学前教育毛入园率比上年提高2个百分点。", 2, "个百分点"),
        ("配备应急救护器材800件。", 800, "件"),
        ("新建教师周转宿舍3栋。", 3, "栋"),
        ("完成农村学校改薄项目15处。", 15, "处"),
        ("生均公用经费提高到每年800元。", 800, "元"),
        ("市级公费师范生招生规模翻一番。", 2, "倍"),
        ("新建学校足球场地4片。", 4, "片"),
        ("新建小学按36班规模设计。", 36, "班"),
        ("选派校长到发达地区跟岗学习不少于3个月。", 3, "个月"),
        ("奖补普惠性民办幼儿园120所次。", 120, "所次"),
        ("每年开展师德集中培训不少于5天。", 5, "天"),
        ("每学期组织家长会不少于2次。", 2, "次"),
        ("新增劳动力平均受教育年限达到14.5年。", 14.5, "年"),
    ],
)
def test_counter_units(sentence: str, value: float, unit: str) -> None:
    one(run(sentence), value, unit)


def test_money_in_wan_and_yi() -> None:
    recs = run("今年计划投资3.5亿元新建学校。", title="某区2024年教育工作要点")
    assert one(recs, 350000000, "元").status == "target"


def test_teacher_training_hours_code() -> None:
    r = one(run("确保每名教师五年一周期不少于360学时。"), 360, "学时")
    assert r.indicator_code == "teacher_training_hours_5yr"


@pytest.mark.parametrize(
    ("sentence", "value", "year"),
    [
        ("到2026年,新建幼儿园8所。", 8, 2026),
        ("2024年前完成12所学校改造。", 12, 2024),
        ("2023年底前建成智慧校园示范校20所。", 20, 2023),
        ("“十四五”末,建成示范性综合实践基地3个。", 3, 2025),
        ("新建中学7所。", 7, 2025),  # the plan period's last year
    ],
)
def test_target_years_in_a_five_year_plan(sentence: str, value: float, year: int) -> None:
    assert one(run(sentence), value).target_year == year


def test_annual_plan_year_and_relative_span() -> None:
    recs = run("新建公办幼儿园4所。未来三年新增学位9000个。", title="某县教育体育局2022年工作计划")
    assert one(recs, 4, "所").target_year == 2022
    assert one(recs, 9000, "个").target_year == 2024


def test_actuals_are_reported_with_their_year() -> None:
    body = (
        "一、“十三五”发展回顾\n“十三五”期间,全市新增幼儿园45所,学前三年毛入园率由82%提高到91%。\n"
        "二、主要目标\n到2025年,学前三年毛入园率达到95%以上。"
    )
    recs = run(body)
    new = one(recs, 45, "所")
    assert new.status == "actual" and new.target_year == 2020
    base, now = one(recs, 82), one(recs, 91)
    assert base.status == now.status == "actual"
    assert base.target_year == 2015 and now.target_year == 2020
    goal = one(recs, 95)
    assert goal.status == "target" and goal.target_year == 2025


def test_as_of_statement_is_an_actual() -> None:
    r = one(run("截至2021年底,全市已建成标准化学校120所。"), 120, "所")
    assert r.status == "actual" and r.target_year == 2021


def test_region_named_in_the_clause() -> None:
    recs = run("到2025年,全市新建幼儿园30所,其中萧山区新建8所。", title="杭州市学前教育发展规划")
    assert one(recs, 30).region == "杭州市"
    assert one(recs, 8).region == "杭州市萧山区"


def test_placeholder_region() -> None:
    assert {r.region for r in run("新建学校5所。", title="某县教育发展五年行动方案")} == {"某县"}


@pytest.mark.parametrize(
    "sentence",
    [
        "根据《关于加强教师队伍建设的意见》(教师〔2022〕6号)精神。",
        "选拔35岁以下青年教师参加培训。",
        "联系电话:0731-88888888。",
        "任教5年以上的教师可申报。",
        "每3年开展一次评估。",
        "举办第十届中小学生运动会。",
        "2019年累计投入教育经费12亿元。",
        "突出抓好四个方面、8项工作。",
    ],
)
def test_exclusions(sentence: str) -> None:
    recs = run(sentence)
    assert not [r for r in recs if r.status == "target"], [(r.value, r.unit, r.indicator_text) for r in recs]


def test_evidence_offsets_point_into_clean_and_raw_text() -> None:
    raw = "某市教育規劃\n到2025年，學前三年毛入園率達到９５％以上。"
    ct = clean(raw)
    meta = extract_metadata(ct.text, "t")
    (r,) = [t for t in extract_targets(ct, meta, "t") if t.value == 95]
    assert ct.text[r.char_start : r.char_end] == r.evidence
    assert "95%" in r.evidence
    assert r.orig_start is not None and r.orig_end is not None
    assert "９５％" in raw[r.orig_start : r.orig_end]


def test_indicator_table_rows() -> None:
    body = (
        "序号\t指标\t单位\t2020年\t2025年\t属性\n"
        "1\t学前三年毛入园率\t%\t90.6\t≥95\t预期性\n"
        "2\t九年义务教育巩固率（%）\t\t96.5\t97以上\t约束性\n"
        "3\t普通高中在校生\t万人\t5.2\t约6\t预期性\n"
    )
    recs = run(body)
    base, goal = one(recs, 90.6, "%"), one(recs, 95, "%")
    assert (base.status, base.target_year) == ("actual", 2020)
    assert (goal.status, goal.target_year, goal.comparator) == ("target", 2025, ">=")
    assert goal.indicator_code == "preschool_ger"
    assert one(recs, 97, "%").indicator_code == "compulsory_consolidation_rate"
    assert one(recs, 60000, "人").comparator == "~"


def test_no_year_anywhere_gives_null() -> None:
    recs = run("全市新建幼儿园6所,新增学位2400个。", title="全市义务教育学校秋季开学情况")
    assert {r.target_year for r in recs} == {None}


def test_region_never_comes_from_page_chrome() -> None:
    body = "来源:北京日报 责任编辑:张三\n到2025年,新建幼儿园12所。"
    recs = run(body, title="杭州市学前教育发展规划")
    assert one(recs, 12).region == "杭州市"


def test_measure_list_with_respective_values() -> None:
    recs = run("全市中小学体质健康合格率、优良率分别达到95%和55%。")
    assert one(recs, 95).indicator_code == "student_fitness_pass_rate"
    assert one(recs, 55).indicator_code == "student_fitness_good_rate"


def test_teacher_student_ratio() -> None:
    r = one(run("中小学师生比达到1:13.5。"), 13.5)
    assert r.unit is None and r.comparator == ">="


@pytest.mark.parametrize(
    "title",
    ["国家教育事业发展“十四五”规划", "中国教育现代化2035", "教育部关于印发《县域普通高中发展提升行动计划》的通知"],
)
def test_a_national_title_makes_the_document_national(title: str) -> None:
    recs = run("到2025年，高等教育毛入学率达到60%。", title=title)
    assert one(recs, 60).region == "全国"


def test_numbered_slogan_is_one_target_per_part() -> None:
    """三个100%: each named part is a 100 % target when the list has that many parts."""
    recs = run("到2024年,全市中小学实现专职保安员配备、封闭化管理和视频监控联网“三个100%”。")
    parts = sorted(r.indicator_text for r in recs if r.value == 100 and r.unit == "%")
    assert parts == ["专职保安员配备", "封闭化管理", "视频监控联网"]
    assert all(r.comparator == "=" and r.target_year == 2024 for r in recs if r.value == 100)
    # a slogan whose parts are not listed is a name, not a target; nor is a list of another length
    assert not [r for r in run("市教育局以三个100%守护校园安全。") if r.value == 100]
    assert not [r for r in run("确保“校园封闭管理、保安配备”“三个百分之百”全覆盖。") if r.value == 100]


def test_threshold_of_what_is_removed_or_scoped_is_not_a_target() -> None:
    recs = run("全面消除56人以上大班额,30万人口以上的县建有1所特殊教育学校。")
    assert [(r.value, r.unit) for r in recs] == [(1, "所")]


def test_deadline_opening_a_later_clause_does_not_look_back() -> None:
    recs = run("新建中小学校25所,到2023年底前全面完成校舍改造;新增学位3000个,2024年底前完成。")
    assert one(recs, 25, "所").target_year == 2025  # the plan's horizon, not the later clause's 2023
    assert one(recs, 3000, "个").target_year == 2024  # a trailing deadline still applies


def test_shared_measure_keeps_subject_and_level_words() -> None:
    recs = run(
        "中职学校“双师型”教师比例不低于60%,高职院校达到70%。县级以上骨干教师占比达到30%。"
        "生均公用经费小学每生每年不低于800元,初中不低于1000元。全市共有各级各类学校1250所。"
        "公开招聘教师120名,其中特岗教师50名。一本上线率较上年提高2个百分点。"
    )
    assert one(recs, 70, "%").indicator_text == "高职院校双师型教师比例"
    assert one(recs, 30, "%").indicator_text == "县级以上骨干教师占比"
    assert one(recs, 800, "元").indicator_text == "小学生均公用经费"
    assert one(recs, 1000, "元").indicator_text == "初中生均公用经费"
    assert one(recs, 1250, "所").indicator_text == "各级各类学校"
    assert one(recs, 50, "名").indicator_text == "特岗教师"
    assert one(recs, 2, "个百分点").indicator_text == "一本上线率"


def test_later_fenbie_list_takes_the_stages_named_earlier() -> None:
    recs = run("小学、初中生均图书分别达到30册、40册,生均教学仪器设备值分别不低于2000元、2500元。")
    assert one(recs, 2000, "元").indicator_text == "小学生均教学仪器设备值"
    assert one(recs, 2500, "元").indicator_text == "初中生均教学仪器设备值"


def test_listed_ratios_and_bare_coefficients() -> None:
    recs = run("生师比小学不高于19:1,初中不高于13.5:1。校际差异系数小学不高于0.50、初中不高于0.45。")
    assert [(r.indicator_text, r.comparator, r.value, r.unit) for r in recs] == [
        ("小学生师比", "<=", 19, None),
        ("初中生师比", "<=", 13.5, None),
        ("小学校际差异系数", "<=", 0.5, None),
        ("初中校际差异系数", "<=", 0.45, None),
    ]
    # a bare decimal with no coefficient or ratio before it is still not a quantity
    assert not run("认真落实0.5版方案,推进2.0工程。")


def test_table_rows_with_equal_values_are_each_kept() -> None:
    """Two indicators of a table can share a goal: a short row is not a heading restated."""
    body = "指标\t2020年\t2025年\t属性\n学前三年毛入园率(%)\t88.6\t92\t预期性\n高中阶段毛入学率(%)\t90.1\t92\t预期性\n"
    goals = sorted(r.indicator_code or "" for r in run(body) if r.value == 92 and r.status == "target")
    assert goals == ["preschool_ger", "senior_secondary_ger"]


def test_title_naming_a_district_after_its_city_means_the_district() -> None:
    recs = run("全区新增学位6000个。紧扣全市“学前教育毛入园率99%”的目标。", title="杭州市西湖区教育局2023年工作要点")
    assert (one(recs, 6000, "个").region, one(recs, 6000, "个").region_code) == ("杭州市西湖区", "330106")
    # 全市 inside a district's document is the city's figure
    assert one(recs, 99, "%").region_code == "330100"


def test_province_yardstick_is_not_a_province_figure() -> None:
    recs = run("学前三年毛入园率高于全省平均水平5个百分点。", title="海南藏族自治州教育事业发展规划")
    assert one(recs, 5, "个百分点").region == "海南藏族自治州"


def test_places_sharing_a_value_keep_the_measure() -> None:
    recs = run(
        "到2025年,全省学前三年毛入园率达到92%以上,其中成都市达到98%,甘孜州、阿坝州、凉山州达到85%以上。",
        title="四川省“十四五”学前教育发展提升行动计划",
    )
    got = sorted((r.region_code, r.value) for r in recs if r.indicator_code == "preschool_ger")
    assert got == [("510000", 92), ("510100", 98), ("513200", 85), ("513300", 85), ("513400", 85)]


def test_measure_before_a_colon_with_stages_after_it() -> None:
    """The 优质均衡 standard lists: 生均教学仪器设备值:小学达到2000元以上、初中达到2500元以上."""
    recs = run(
        "(一)每百名学生拥有县级以上骨干教师数:小学、初中均达到1人以上;\n"
        "(二)生均教学仪器设备值:小学达到2000元以上、初中达到2500元以上。"
    )
    got = sorted((r.indicator_text, r.value, r.unit) for r in recs)
    assert got == [
        ("初中每百名学生拥有县级以上骨干教师数", 1, "人"),
        ("初中生均教学仪器设备值", 2500, "元"),
        ("小学每百名学生拥有县级以上骨干教师数", 1, "人"),
        ("小学生均教学仪器设备值", 2000, "元"),
    ]
    # a label before the colon is not a measure
    assert one(run("主要目标:小学达到95%。"), 95, "%").indicator_text == "小学"


def test_four_digit_amount_after_dao_is_not_a_year() -> None:
    recs = run("到2025年,生均公用经费达到2000元以上,教师培训经费达到1500万元。")
    assert [(r.value, r.target_year) for r in recs] == [(2000, 2025), (15000000, 2025)]


def test_minutes_and_measures_sharing_one_value() -> None:
    recs = run("学生作业时间小学不超过1小时、初中不超过90分钟。课后服务学校覆盖率、有需求学生覆盖率均达到100%。")
    assert one(recs, 90, "分钟").indicator_text == "初中学生作业时间"
    assert one(recs, 1, "小时").indicator_text == "小学学生作业时间"
    assert sorted(r.indicator_text for r in recs if r.value == 100) == ["有需求学生覆盖率", "课后服务学校覆盖率"]


def test_shares_in_cheng_and_half_and_per_mille() -> None:
    recs = run("八成以上的乡村学校建成标准化学校,一半以上的县通过督导评估,普通高中大班额比例降至千分之五以内。")
    assert (one(recs, 80, "%").comparator, one(recs, 50, "%").comparator) == (">=", ">=")
    assert one(recs, 0.5, "%").comparator == "<="
    assert not run("坚持一成不变,组成工作组。")


def test_chinese_numerals_licensed_by_comparator_or_clause_verb() -> None:
    recs = run("新建公办幼儿园不少于三十所,新增普惠性学位一万二千个,建设名师工作室八个。")
    assert [(r.value, r.unit, r.comparator) for r in recs] == [(30, "所", ">="), (12000, "个", "="), (8, "个", "=")]
    # a numbered slogan is still not a count
    assert not run("树立四个意识,坚定四个自信。")


def test_denominators_are_not_targets() -> None:
    recs = run("按每万人配建1所幼儿园,每3万人口设置1所初中;新建1万人以上住宅区配套建设1所24班小学。")
    assert recs and {(r.value, r.unit) for r in recs} == {(1, "所"), (24, "班")}
    assert one(recs, 24, "班").indicator_text == "住宅区配套小学规模"  # a school's size is written as one


def test_schools_planned_by_residential_size() -> None:
    """A planning norm: the count of schools and their size, for areas above a population."""
    recs = run("城镇新建3万人以上的居住区,须配套建设1所36班规模的初中。")
    assert one(recs, 1, "所").indicator_text == "3万人以上居住区配套初中"
    assert one(recs, 36, "班").indicator_text == "居住区配套初中规模"
    assert one(run("新建教学班24班。"), 24, "班").indicator_text == "教学班"


def test_years_inside_a_list_or_a_change_are_not_part_of_the_measure() -> None:
    recs = run(
        "普惠性幼儿园覆盖率2023年达到85%、2024年达到88%、2025年达到90%以上。2023年完成10所学校改造,2024年完成15所。"
    )
    assert [(r.indicator_text, r.value, r.target_year) for r in recs if r.unit == "%"] == [
        ("普惠性幼儿园覆盖率", 85, 2023),
        ("普惠性幼儿园覆盖率", 88, 2024),
        ("普惠性幼儿园覆盖率", 90, 2025),
    ]
    assert one(recs, 15, "所").indicator_text == "学校改造"
    change = run("全市高等教育毛入学率由2015年的51.3%提高到2020年的60%。", title="某市教育事业发展“十三五”规划")
    assert {r.indicator_text for r in change} == {"高等教育毛入学率"}


def test_programme_length_is_not_a_target_but_a_minimum_length_is() -> None:
    assert not [r for r in run("本次培训为期3天。") if r.unit == "天"]
    assert one(run("每年组织教师集中培训不少于5天。"), 5, "天").comparator == ">="


def test_cumulative_total_of_a_plan_list_is_a_target() -> None:
    recs = run("新建小学2所,新增高中学位1000个,职业教育学位1600个,累计新增学位5200个。共计可新增学位8000个。")
    total = one(recs, 5200, "个")
    assert (total.status, total.indicator_text) == ("target", "新增学位")
    assert one(recs, 8000, "个").indicator_text.endswith("可新增学位")
    assert one(run("截至2022年底,累计新增学位5200个。"), 5200, "个").status == "actual"


def test_subject_line_of_a_list_like_page() -> None:
    """A page set one phrase a line: the subject line holds for the short lines under it."""
    body = (
        "今年秋季\n全区公办幼儿园中\n新建有4所,改扩建有9所\n共增加学位2700个\n"
        "其中农村新建幼儿园3所\n增加学位900个\n下一步工作\n"
    )
    got = [(r.indicator_text, r.value) for r in run(body, title="某区2024年秋季学前教育学位情况")]
    assert got == [
        ("公办新建幼儿园", 4),
        ("公办改扩建幼儿园", 9),
        ("公办增加学位", 2700),
        ("农村新建幼儿园", 3),
        ("农村增加学位", 900),
    ]
    # in prose the same words are read as before (no subject line)
    assert one(run("全区新建有4所。"), 4, "所").indicator_text != "公办新建幼儿园"


def test_subject_clause_in_prose_holds_for_its_sentence() -> None:
    recs = run("今年秋季,全区公办幼儿园中,新建有4所,共增加学位2700个,其中农村新建幼儿园3所,增加学位900个。新建有2所。")
    got = [(r.indicator_text, r.value) for r in recs]
    assert got[:4] == [("公办新建幼儿园", 4), ("公办增加学位", 2700), ("农村新建幼儿园", 3), ("农村增加学位", 900)]
    assert got[4][0] != "公办新建幼儿园"  # the next sentence is not under it


def test_indicator_code_needs_the_same_stage() -> None:
    from loaders.documents.phrases import indicator_code

    assert indicator_code("小学学龄儿童入学率", "%") == "primary_enrollment_rate"
    assert indicator_code("义务教育阶段适龄儿童入学率", "%") is None  # not the primary-school rate


def test_indicator_code_reads_reordered_and_shortened_names() -> None:
    from loaders.documents.phrases import indicator_code

    assert indicator_code("交流轮岗教师比例", "%") == "teacher_rotation_share"
    assert indicator_code("校园专职保安配备率", "%") == "school_security_guard_rate"
    assert indicator_code("学校封闭管理率", "%") == "closed_campus_management_rate"
    # but not a narrower or other measure sharing most characters
    assert indicator_code("专兼职安保人员配备率", "%") is None
    assert indicator_code("百人名师网络教研联盟覆盖率", "%") is None
    assert indicator_code("学生体质健康标准优良率", "%") == "student_fitness_good_rate"


def test_a_national_standard_named_in_a_local_target_keeps_the_local_region() -> None:
    recs = run("到2025年,国家学生体质健康标准达标率达到92%以上。", title="山东省“十四五”教育发展规划")
    r = one(recs, 92, "%")
    assert r.region == "山东省"
    assert r.indicator_code == "student_fitness_pass_rate"
    # a national plan quoted in the clause is about the country
    recs = run(
        "距离《“健康中国2030”规划纲要》中要求的“学生体质健康标准达标优秀率25%以上”还有差距。",
        title="山东省学生体质监测报告",
    )
    assert one(recs, 25, "%").region == "全国"


def test_yearly_change_and_baseline_year_are_not_part_of_the_indicator() -> None:
    recs = run("中小学生近视率力争每年下降0.5个百分点。每万人口拥有高校在校生数比2020年提高10%。")
    assert one(recs, 0.5).indicator_text == "中小学生近视率"
    assert one(recs, 10, "%").indicator_text == "每万人口拥有高校在校生数"


def test_places_listed_with_as_many_values_take_one_each() -> None:
    recs = run("简阳市、彭州市义务教育优质均衡发展达标率分别达到80%、85%。", title="成都市2024年教育工作要点")
    a, b = one(recs, 80, "%"), one(recs, 85, "%")
    assert (a.region, b.region) == ("简阳市", "彭州市")
    assert a.indicator_text == b.indicator_text == "义务教育优质均衡发展达标率"


def test_a_part_named_after_qizhong_keeps_the_rate() -> None:
    recs = run("义务教育阶段学校课后服务参与率达到95%以上,其中农村学校不低于90%。")
    assert one(recs, 90, "%").indicator_text == "农村学校课后服务参与率"
    # a share of the whole stays a share
    recs = run("专任教师中本科以上学历比例达到80%,其中农村学校占30%。")
    assert one(recs, 30, "%").indicator_text == "农村学校比例"


def test_more_of_the_same_after_a_reported_count_is_a_target() -> None:
    recs = run("全市已建成智慧校园示范校200所,2024年再建100所。", title="某市2024年教育工作要点")
    done, more = one(recs, 200, "所"), one(recs, 100, "所")
    assert done.status == "actual"
    assert more.status == "target"
    assert more.indicator_text == "智慧校园示范校"


def test_half_and_tenths_right_after_a_comparator() -> None:
    recs = run("职业院校“双师型”教师占专业课教师比例超过一半,乡村学校骨干教师达到七成。")
    assert one(recs, 50, "%").comparator == ">="
    assert one(recs, 70, "%").comparator == ">="
    assert not [r for r in run("每天一半时间用于户外活动。") if r.value == 50]


def test_a_plan_section_after_a_review_section_holds_targets() -> None:
    title = "某区2023年教育工作总结和2024年工作计划"
    body = "一、2023年工作回顾\n全区新建幼儿园2所。\n二、2024年工作计划\n力争中考优秀率提高到38%。开展教师培训2万人次。"
    recs = run(body, title=title)
    assert {(r.value, r.status) for r in recs} >= {(2, "actual"), (38, "target"), (20000, "target")}
    assert one(recs, 38, "%").target_year == 2024
    # a 总结 section reports what was done
    recs = run("一、工作总结\n全区新建幼儿园2所。\n二、工作计划\n新建幼儿园3所。", title=title)
    assert (one(recs, 2, "所").status, one(recs, 3, "所").status) == ("actual", "target")


def test_more_than_n_ten_thousand() -> None:
    recs = run("新增公办学位40余万个,培训教师5万余人次。")
    r = one(recs, 400000, "个")
    assert r.comparator == ">=" and r.indicator_text == "新增公办学位"
    assert one(recs, 50000, "人次").comparator == ">="


def test_a_headline_figure_takes_the_status_of_the_body_that_reports_it() -> None:
    recs = run(
        "记者从省教育厅获悉,截至2023年底,我省学前教育毛入园率达91.2%。",
        title="我省学前教育毛入园率达91.2%",
    )
    hits = [r for r in recs if r.value == 91.2]
    assert [(r.status, r.target_year) for r in hits] == [("actual", 2023)]


def test_since_the_plan_period_began_is_reported_as_of_the_document_year() -> None:
    recs = run(
        "“十四五”以来,全省累计新建公办幼儿园1800余所。“十四五”期间,全省将新建学校300所。",
        title="某省2024年教育工作要点",
    )
    done = one(recs, 1800, "所")
    assert (done.status, done.target_year) == ("actual", 2024)
    assert (one(recs, 300, "所").status, one(recs, 300, "所").target_year) == ("target", 2025)


def test_a_deadline_leading_a_numbered_list_holds_for_its_items() -> None:
    body = (
        "到2027年,全县义务教育学校在以下方面均达到要求:\n"
        "1.生均教学及辅助用房面积:小学、初中分别达到4.5平方米以上、5.8平方米以上;\n"
        "2.每百名学生拥有网络多媒体教室数:小学、初中分别达到2.3间以上、2.4间以上。\n"
        "全县新建学校3所。"
    )
    recs = run(body, title="某县2023年义务教育优质均衡发展工作方案")
    assert {r.target_year for r in recs if r.unit in ("平方米", "间")} == {2027}
    assert one(recs, 3, "所").target_year == 2023  # the list ended


def test_the_same_figure_under_another_indicator_with_bu_chao_guo_is_kept() -> None:
    recs = run(
        "小学、初中班额分别不超过45人、50人。每班学生数最多不超过50人。残疾儿童入学率达到95%,体质达标率不低于95%。"
    )
    assert "每班学生数" in [r.indicator_text for r in recs if r.value == 50]
    assert len([r for r in recs if r.value == 95]) == 2
    # but a comparison with a stated goal is not a second goal
    recs = run("2023年,全市体质达标率为92%,八年级学生达标率为91.46%,低于92%。")
    assert len([r for r in recs if r.value == 92]) == 1


def test_the_size_that_makes_a_class_too_large_is_no_target() -> None:
    assert not [r for r in run("义务教育学校56人及以上大班额全部消除。") if r.value == 56]


@pytest.mark.parametrize(
    "sentence",
    [
        "教师培训经费按照不低于学校年度公用经费预算总额的5%安排。",
        "按不低于学校年度公用经费预算总额的5%安排教师培训经费。",
    ],
)
def test_a_share_of_a_named_base_is_owned_by_what_it_funds(sentence: str) -> None:
    r = one(run(sentence), 5, "%")
    assert r.indicator_text.startswith("教师培训经费占") and r.indicator_text.endswith("比例"), r.indicator_text
    assert r.indicator_code == "teacher_training_budget_share"
    assert r.comparator == ">="


def test_the_subject_before_an_an_bu_di_yu_share_owns_it() -> None:
    recs = run("地方教育附加按不低于30%的比例用于职业教育,义务教育教师按不低于10%的比例参加交流轮岗。")
    assert one(recs, 30, "%").indicator_code == "vocational_share_of_education_surcharge"
    assert one(recs, 10, "%").indicator_code == "teacher_rotation_share"


def test_stages_after_a_measure_split_it_with_he() -> None:
    recs = run("专任教师中硕士以上学历教师比例,小学、初中分别达到3%和8%。")
    assert sorted((r.value, r.indicator_text) for r in recs) == [
        (3, "小学专任教师中硕士以上学历教师比例"),
        (8, "初中专任教师中硕士以上学历教师比例"),
    ]


def test_a_value_list_with_no_holders_after_shares_the_subject_before() -> None:
    recs = run("到2027年,骨干教师按8%、12%、15%的比例分级培养认定。")
    assert [(r.value, r.indicator_text) for r in recs] == [(8, "骨干教师"), (12, "骨干教师"), (15, "骨干教师")]


def test_a_cumulative_total_in_a_plan_is_a_target_and_in_a_report_an_actual() -> None:
    plan = one(run("“十四五”期间,累计培训中小学教师20万人次。"), 200000)
    assert (plan.status, plan.target_year) == ("target", 2025)
    report = run("2023年,全市累计培训中小学教师2万人次。", title="某市教育局2023年工作总结")
    assert one(report, 20000).status == "actual"
    since = one(run("2021年以来,累计新增学位5万个。"), 50000)
    assert since.status == "actual" and since.indicator_text == "新增学位"
