with source as (
    select * from {{ source('raw', 'policy_targets') }}
),

renamed as (
    select
        doc_id || ':' || lpad(cast(target_seq as varchar), 4, '0') as target_id,
        doc_id,
        target_seq,
        status as record_status,
        nullif(trim(region), '') as region_name,
        region_code,
        indicator_text,
        indicator_code,
        comparator,
        cast(value as double) as target_value,
        cast(value_high as double) as target_value_high,
        nullif(trim(unit), '') as unit,
        target_year,
        evidence,
        char_start,
        char_end,
        confidence,
        load_id,
        loaded_at
    from source
)

select * from renamed
