-- Which targets fall due this year (the assessment year) with no observed value?
-- These are the gaps to close before the year's review.
with progress as (
    select * from {{ ref('fct_target_progress') }}
),

targets as (
    select * from {{ ref('fct_policy_targets') }}
),

documents as (
    select * from {{ ref('dim_document') }}
)

select
    targets.region_name,
    targets.indicator_text,
    progress.indicator_code,
    progress.comparator,
    progress.target_value,
    progress.unit,
    progress.target_year,
    progress.status,
    documents.title as document_title,
    targets.evidence
from progress
inner join targets
    on progress.target_id = targets.target_id
left join documents
    on progress.doc_id = documents.doc_id
where
    progress.target_year = progress.as_of_year
    and progress.status in ('no_data', 'not_assessable', 'insufficient_data')
order by targets.region_name, progress.indicator_code nulls last
