-- Which documents have the most targets whose indicator maps to no catalogued code?
-- The first place to look when extending seeds/indicators.csv with new codes or aliases.
with documents as (
    select * from {{ ref('dim_document') }}
),

targets as (
    select * from {{ ref('fct_policy_targets') }}
),

unmapped_phrases as (
    select
        doc_id,
        string_agg(distinct indicator_text, '、' order by indicator_text) as unmapped_indicators
    from targets
    where indicator_code is null
    group by doc_id
)

select
    documents.doc_id,
    documents.title,
    documents.region_name,
    documents.target_count,
    documents.unmapped_target_count,
    round(100.0 * documents.unmapped_target_count / nullif(documents.target_count, 0), 1) as unmapped_pct,
    unmapped_phrases.unmapped_indicators
from documents
left join unmapped_phrases
    on documents.doc_id = unmapped_phrases.doc_id
order by documents.unmapped_target_count desc, documents.doc_id asc
