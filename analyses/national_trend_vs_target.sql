-- The national trend of an indicator next to the national target in force.
-- Set the indicator with --vars '{analysis_indicator: higher_education_ger}'.
with report as (
    select * from {{ ref('rpt_region_indicator_year') }}
)

select
    year,
    indicator_name_zh,
    value,
    unit,
    qualifier,
    value_source,
    target_comparator,
    target_value,
    target_year,
    target_status
from report
where
    region_code = '000000'
    and indicator_code = '{{ var("analysis_indicator", "higher_education_ger") }}'
order by year
