with source as (
    select * from {{ source('raw', 'statistics') }}
),

renamed as (
    select
        load_id,
        source_file,
        sheet,
        source_row,
        region_name as region_name_raw,
        region_code,
        indicator_name as indicator_name_raw,
        indicator_code,
        cast(year as integer) as year,
        cast(value as double) as value,
        value_raw,
        unit,
        unit_raw,
        qualifier,
        footnote,
        nature,
        source_title,
        source_url,
        loaded_at
    from source
)

select * from renamed
