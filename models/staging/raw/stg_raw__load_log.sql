with source as (
    select * from {{ source('raw', 'load_log') }}
),

renamed as (
    select
        load_id,
        kind as load_kind,
        path as load_path,
        content_hash,
        rows_read,
        rows_landed,
        rows_rejected,
        status as load_status,
        message,
        started_at,
        finished_at
    from source
)

select * from renamed
