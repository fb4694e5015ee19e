with source as (
    select * from {{ source('raw', 'documents') }}
),

renamed as (
    select
        doc_id,
        content_hash,
        source_path,
        file_format,
        encoding,
        nullif(trim(title), '') as title,
        nullif(trim(issuer), '') as issuer,
        nullif(trim(region), '') as region_name,
        region_code,
        published_on,
        coalesce(doc_type, 'other') as doc_type,
        plan_start_year,
        plan_end_year,
        text as clean_text,
        target_count,
        load_id,
        loaded_at
    from source
)

select * from renamed
