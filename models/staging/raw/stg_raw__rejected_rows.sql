with source as (
    select * from {{ source('raw', 'rejected_rows') }}
),

renamed as (
    select
        load_id,
        source_file,
        sheet,
        source_row,
        raw_row,
        reason,
        rejected_at
    from source
)

select * from renamed
