with documents as (
    select * from {{ ref('stg_raw__documents') }}
),

records as (
    select * from {{ ref('stg_raw__policy_targets') }}
),

record_counts as (
    select
        doc_id,
        count(*) filter (where record_status = 'target') as target_count,
        count(*) filter (where record_status = 'actual') as actual_count,
        count(*) filter (where record_status = 'target' and indicator_code is null) as unmapped_target_count
    from records
    group by doc_id
),

final as (
    select
        documents.doc_id,
        documents.title,
        documents.issuer,
        documents.region_name,
        documents.region_code,
        documents.published_on,
        documents.doc_type,
        documents.plan_start_year,
        documents.plan_end_year,
        documents.file_format,
        documents.source_path,
        documents.content_hash,
        coalesce(record_counts.target_count, 0) as target_count,
        coalesce(record_counts.actual_count, 0) as actual_count,
        coalesce(record_counts.unmapped_target_count, 0) as unmapped_target_count,
        documents.loaded_at
    from documents
    left join record_counts
        on documents.doc_id = record_counts.doc_id
)

select * from final
