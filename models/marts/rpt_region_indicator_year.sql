{#-
    Denormalised table for BI tools: one row per region × indicator × year, for
    every year with a value and every target year, carrying region and indicator
    names, the chosen value and its source, and the target in force that year (the
    target with the nearest target year at or after the year; among several, the
    one from the most recently published document) with its progress status.
    A Metabase question needs no joins.
-#}
with indicator_values as (
    select * from {{ ref('fct_indicator_values') }}
),

progress as (
    select * from {{ ref('fct_target_progress') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

regions as (
    select * from {{ ref('dim_region') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

placed_targets as (
    select
        progress.*,
        documents.title as document_title,
        documents.published_on
    from progress
    left join documents
        on progress.doc_id = documents.doc_id
    where
        progress.region_code is not null
        and progress.indicator_code is not null
        and progress.target_year is not null
),

region_indicator_years as (
    select
        region_code,
        indicator_code,
        year
    from indicator_values
    union
    select
        region_code,
        indicator_code,
        target_year as year
    from placed_targets
),

target_in_force as (
    select
        region_indicator_years.region_code,
        region_indicator_years.indicator_code,
        region_indicator_years.year,
        placed_targets.target_id,
        placed_targets.comparator,
        placed_targets.target_value,
        placed_targets.target_value_high,
        placed_targets.target_year,
        placed_targets.status,
        placed_targets.gap_to_expected,
        placed_targets.document_title
    from region_indicator_years
    inner join placed_targets
        on
            region_indicator_years.region_code = placed_targets.region_code
            and region_indicator_years.indicator_code = placed_targets.indicator_code
            and placed_targets.target_year >= region_indicator_years.year
    qualify row_number() over (
        partition by
            region_indicator_years.region_code, region_indicator_years.indicator_code,
            region_indicator_years.year
        order by
            placed_targets.target_year asc, placed_targets.published_on desc nulls last,
            placed_targets.target_id asc
    ) = 1
),

final as (
    select
        region_indicator_years.region_code || '|' || region_indicator_years.indicator_code || '|'
        || cast(region_indicator_years.year as varchar) as row_id,
        region_indicator_years.region_code,
        regions.region_name,
        regions.region_level,
        regions.province_name,
        regions.prefecture_name,
        region_indicator_years.indicator_code,
        indicators.indicator_name_zh,
        indicators.indicator_name_en,
        indicators.unit,
        indicators.stage,
        indicators.direction,
        region_indicator_years.year,
        indicator_values.value,
        indicator_values.qualifier,
        indicator_values.nature,
        indicator_values.source_name as value_source,
        target_in_force.target_id,
        target_in_force.comparator as target_comparator,
        target_in_force.target_value,
        target_in_force.target_value_high,
        target_in_force.target_year,
        target_in_force.status as target_status,
        target_in_force.gap_to_expected as target_gap_to_expected,
        target_in_force.document_title as target_document_title
    from region_indicator_years
    left join indicator_values
        on
            region_indicator_years.region_code = indicator_values.region_code
            and region_indicator_years.indicator_code = indicator_values.indicator_code
            and region_indicator_years.year = indicator_values.year
    left join target_in_force
        on
            region_indicator_years.region_code = target_in_force.region_code
            and region_indicator_years.indicator_code = target_in_force.indicator_code
            and region_indicator_years.year = target_in_force.year
    left join regions
        on region_indicator_years.region_code = regions.region_code
    left join indicators
        on region_indicator_years.indicator_code = indicators.indicator_code
)

select * from final
