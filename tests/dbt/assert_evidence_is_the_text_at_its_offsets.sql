-- Every extracted record traces to its sentence: the evidence is exactly the
-- document's cleaned text between char_start and char_end (0-based, end exclusive).
-- A row returned here is a record whose offsets point somewhere else.
with targets as (
    select * from {{ ref('stg_raw__policy_targets') }}
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
)

select
    targets.target_id,
    targets.evidence,
    substring(documents.clean_text, targets.char_start + 1, targets.char_end - targets.char_start) as text_at_offsets
from targets
inner join documents
    on targets.doc_id = documents.doc_id
where substring(documents.clean_text, targets.char_start + 1, targets.char_end - targets.char_start)
    is distinct from targets.evidence
