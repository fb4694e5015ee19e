-- How well do the statistics cover each level of region?
-- Regions with at least one value, indicators and years covered, per region level.
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
    where value is not null
),

regions as (
    select * from {{ ref('dim_region') }}
),

covered as (
    select
        regions.region_level,
        count(distinct indicator_values.region_code) as regions_with_values,
        count(distinct indicator_values.indicator_code) as indicators,
        min(indicator_values.year) as first_year,
        max(indicator_values.year) as last_year,
        count(*) as values_count
    from indicator_values
    inner join regions
        on indicator_values.region_code = regions.region_code
    group by regions.region_level
),

levels as (
    select
        region_level,
        count(*) as regions_total
    from regions
    group by region_level
)

select
    levels.region_level,
    levels.regions_total,
    coalesce(covered.regions_with_values, 0) as regions_with_values,
    round(100.0 * coalesce(covered.regions_with_values, 0) / levels.regions_total, 2) as regions_covered_pct,
    coalesce(covered.indicators, 0) as indicators,
    covered.first_year,
    covered.last_year,
    coalesce(covered.values_count, 0) as values_count
from levels
left join covered
    on levels.region_level = covered.region_level
order by
    case levels.region_level when 'country' then 1 when 'province' then 2 when 'prefecture' then 3 else 4 end
