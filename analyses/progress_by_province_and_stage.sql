-- How do targets stand, by province and education stage?
-- Counts of targets per progress status; counties and prefectures roll up to
-- their province, national targets appear under 全国.
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
    coalesce(regions.province_name, regions.region_name, '(region unknown)') as province,
    coalesce(indicators.stage, '(unmapped indicator)') as stage,
    count(*) as targets,
    count(*) filter (where progress.status = 'achieved') as achieved,
    count(*) filter (where progress.status = 'on_track') as on_track,
    count(*) filter (
        where progress.status in ('needs_acceleration', 'limited_progress', 'deteriorating')
    ) as off_track,
    count(*) filter (where progress.status in ('insufficient_data', 'no_data')) as without_data,
    count(*) filter (where progress.status = 'not_assessable') as not_assessable
from progress
left join regions
    on progress.region_code = regions.region_code
left join indicators
    on progress.indicator_code = indicators.indicator_code
group by 1, 2
order by 1, 2
