{#-
    One value per region × indicator × year, chosen from fct_indicator_observations:
    a statistics publication wins over a figure a plan reports (source_priority),
    a non-missing value wins over a missing one, then the most recently loaded
    source, then the source key (deterministic). The chosen source is named and
    the number of competing sources kept, so a reader can see a choice was made.

    Incremental, keyed on loads: `load_ids` lists the loads behind every row. An
    incremental run recomputes only the region × indicator × year keys touched by a
    load this table has not seen (new data) or by a load that has gone (a replaced
    file); the post-hook drops keys left with no observation at all.
-#}
{{ config(
    materialized='incremental',
    unique_key='value_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where value_id not in
        (select distinct region_code || '|' || indicator_code || '|' || cast(year as varchar)
        from {{ ref('fct_indicator_observations') }})"
    ]
) }}

with observations as (
    select * from {{ ref('fct_indicator_observations') }}
),

{% if is_incremental() %}
seen_loads as (
    select distinct unnest(previous.load_ids) as load_id
    from {{ this }} as previous
),

current_loads as (
    select distinct load_id from observations
),

new_loads as (
    select load_id from current_loads
    except
    select load_id from seen_loads
),

gone_loads as (
    select load_id from seen_loads
    except
    select load_id from current_loads
),

affected_keys as (
    select distinct
        region_code,
        indicator_code,
        year
    from observations
    where observations.load_id in (select new_loads.load_id from new_loads)
    union
    select
        previous.region_code,
        previous.indicator_code,
        previous.year
    from {{ this }} as previous
    where list_has_any(previous.load_ids, (select coalesce(list(gone_loads.load_id), []) from gone_loads))
),

observations_in_scope as (
    select observations.*
    from observations
    inner join affected_keys
        on
            observations.region_code = affected_keys.region_code
            and observations.indicator_code = affected_keys.indicator_code
            and observations.year = affected_keys.year
),
{% else %}
observations_in_scope as (
    select * from observations
),
{% endif %}

ranked as (
    select
        observations_in_scope.*,
        count(*) over (
            partition by region_code, indicator_code, year
        ) as n_sources,
        list_sort(list_distinct(list(load_id) over (
            partition by region_code, indicator_code, year
        ))) as load_ids,
        row_number() over (
            partition by region_code, indicator_code, year
            order by
                (value is null) asc,
                source_priority asc,
                loaded_at desc,
                source_key asc
        ) as source_rank
    from observations_in_scope
),

final as (
    select
        region_code || '|' || indicator_code || '|' || cast(year as varchar) as value_id,
        region_code,
        indicator_code,
        year,
        value,
        unit,
        qualifier,
        nature,
        source_kind,
        source_name,
        source_url,
        source_key,
        observation_id,
        n_sources,
        load_ids
    from ranked
    where source_rank = 1
)

select * from final
