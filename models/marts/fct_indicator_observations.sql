{#-
    Incremental (issue: nightly builds must not recompute everything for one new
    document). Keyed on the load: an incremental run inserts the rows of loads this
    table has not seen yet (delete+insert on observation_id, so a replaced file's
    rows overwrite their earlier versions) and its post-hook deletes rows whose load
    no longer exists (the earlier version of a replaced file or document). A change
    of models or seeds makes `eduwh build` run a full refresh instead.
-#}
{{ config(
    materialized='incremental',
    unique_key='observation_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where load_id not in
        (select distinct load_id from {{ ref('int_indicator_observations__unioned') }})"
    ]
) }}

with observations as (
    select * from {{ ref('int_indicator_observations__unioned') }}
    {% if is_incremental() %}
    where load_id not in (select distinct seen.load_id from {{ this }} as seen)
    {% endif %}
),

final as (
    select
        md5(region_code || '|' || indicator_code || '|' || cast(year as varchar) || '|' || source_key)
            as observation_id,
        region_code,
        indicator_code,
        year,
        source_key,
        value,
        unit,
        qualifier,
        footnote,
        nature,
        source_kind,
        source_priority,
        source_name,
        source_title,
        source_url,
        source_file,
        sheet,
        source_row,
        doc_id,
        target_id,
        evidence,
        load_id,
        loaded_at
    from observations
)

select * from final
