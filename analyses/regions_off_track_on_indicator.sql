-- Which regions are off track on an indicator, and by how much?
-- Set the indicator with --vars '{analysis_indicator: preschool_ger}'.
-- "Off track by N" is the gap to the straight line from baseline to target, in the
-- indicator's unit (pp for rates), as the UIS SDG 4 Scorecard states it.
with progress as (
    select * from {{ ref('fct_target_progress') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
)

select
    regions.region_name,
    regions.region_level,
    indicators.indicator_name_zh,
    progress.target_value,
    progress.target_year,
    progress.latest_year,
    progress.latest_value,
    round(progress.expected_value, 2) as expected_value,
    round(-progress.gap_to_expected, 2) as off_track_by,
    indicators.unit,
    round(progress.progress_ratio, 2) as progress_ratio,
    progress.status
from progress
inner join regions
    on progress.region_code = regions.region_code
inner join indicators
    on progress.indicator_code = indicators.indicator_code
where
    progress.indicator_code = '{{ var("analysis_indicator", "preschool_ger") }}'
    and progress.status in ('needs_acceleration', 'limited_progress', 'deteriorating')
order by off_track_by desc nulls last
