{#-
    Denormalised table for BI tools: one row per region × indicator × year, for
    every year with a value and every target year, carrying region and indicator
    names, the chosen value and its source, and the target in force that year (the
    target with the nearest target year at or after the year; among several, the
    one from the most recently published document) with its progress status.
    A Metabase question needs no joins.
-#}
{#-
    Incremental, keyed on region × indicator pairs: `pair_signature` hashes every
    input of a pair's rows (the loads behind its values; each placed target with its
    input loads and as-of year, which change whenever its document, its values or
    its progress can). An incremental run recomputes every row of the pairs whose
    signature is new or changed (delete+insert on region_code, indicator_code); the
    post-hook drops pairs that have no value and no target left. Region and
    indicator names come from seeds: a change there changes the project fingerprint,
    and eduwh then builds with --full-refresh.
-#}
{{ config(
    materialized='incremental',
    unique_key=['region_code', 'indicator_code'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where (region_code, indicator_code) not in (
        select (region_code, indicator_code) from {{ ref('fct_indicator_values') }}
        union
        select (region_code, indicator_code) from {{ ref('fct_target_progress') }}
        where region_code is not null and indicator_code is not null and target_year is not null)"
    ]
) }}

with all_values as (
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

all_placed_targets as (
    select * from progress
    where
        region_code is not null
        and indicator_code is not null
        and target_year is not null
),

value_inputs as (
    select
        region_code,
        indicator_code,
        list_sort(list_distinct(flatten(list(coalesce(load_ids, []))))) as value_loads
    from all_values
    group by region_code, indicator_code
),

target_inputs as (
    select
        region_code,
        indicator_code,
        list_sort(list(
            target_id || '@' || cast(as_of_year as varchar) || '@' || cast(input_load_ids as varchar)
        )) as target_states
    from all_placed_targets
    group by region_code, indicator_code
),

pair_inputs as (
    select
        coalesce(value_inputs.region_code, target_inputs.region_code) as region_code,
        coalesce(value_inputs.indicator_code, target_inputs.indicator_code) as indicator_code,
        md5(
            coalesce(cast(value_inputs.value_loads as varchar), '')
            || '#' || coalesce(cast(target_inputs.target_states as varchar), '')
        ) as pair_signature
    from value_inputs
    full outer join target_inputs
        on
            value_inputs.region_code = target_inputs.region_code
            and value_inputs.indicator_code = target_inputs.indicator_code
),

pairs_in_scope as (
    select
        pair_inputs.region_code,
        pair_inputs.indicator_code,
        pair_inputs.pair_signature
    from pair_inputs
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as previous
        where
            previous.region_code = pair_inputs.region_code
            and previous.indicator_code = pair_inputs.indicator_code
            and previous.pair_signature = pair_inputs.pair_signature
    )
    {% endif %}
),

indicator_values as (
    select all_values.*
    from all_values
    inner join pairs_in_scope
        on
            all_values.region_code = pairs_in_scope.region_code
            and all_values.indicator_code = pairs_in_scope.indicator_code
),

placed_targets as (
    select
        all_placed_targets.*,
        documents.title as document_title,
        documents.published_on
    from all_placed_targets
    inner join pairs_in_scope
        on
            all_placed_targets.region_code = pairs_in_scope.region_code
            and all_placed_targets.indicator_code = pairs_in_scope.indicator_code
    left join documents
        on all_placed_targets.doc_id = documents.doc_id
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
        target_in_force.document_title as target_document_title,
        pairs_in_scope.pair_signature
    from region_indicator_years
    inner join pairs_in_scope
        on
            region_indicator_years.region_code = pairs_in_scope.region_code
            and region_indicator_years.indicator_code = pairs_in_scope.indicator_code
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
