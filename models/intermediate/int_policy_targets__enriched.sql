{#-
    Targets (status = target) with their document's context: the region code
    falls back to the document's region when the record names the document's own
    region, codes not in the region seed are dropped to null (never invented), and
    the baseline year is derived from the plan: the year before the plan period
    starts (十四五 2021–2025 → 2020), or for an annual plan the year before its
    target year.
-#}
with targets as (
    select * from {{ ref('stg_raw__policy_targets') }}
    where record_status = 'target'
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
),

regions as (
    select region_code from {{ ref('regions') }}
),

with_document as (
    select
        targets.*,
        documents.region_code as document_region_code,
        documents.region_name as document_region_name,
        documents.doc_type,
        documents.plan_start_year,
        documents.plan_end_year,
        coalesce(
            targets.region_code,
            case when targets.region_name = documents.region_name then documents.region_code end
        ) as candidate_region_code
    from targets
    left join documents
        on targets.doc_id = documents.doc_id
),

final as (
    select
        with_document.target_id,
        with_document.doc_id,
        with_document.target_seq,
        with_document.region_name,
        regions.region_code,
        with_document.indicator_text,
        with_document.indicator_code,
        with_document.comparator,
        with_document.target_value,
        with_document.target_value_high,
        with_document.unit,
        with_document.target_year,
        case
            when with_document.plan_start_year is not null then with_document.plan_start_year - 1
            when with_document.doc_type = 'annual_plan' and with_document.target_year is not null
                then with_document.target_year - 1
        end as baseline_year,
        with_document.evidence,
        with_document.char_start,
        with_document.char_end,
        with_document.confidence,
        with_document.load_id
    from with_document
    left join regions
        on with_document.candidate_region_code = regions.region_code
)

select * from final
