with observations as (
    select * from {{ ref('int_indicator_observations__unioned') }}
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
