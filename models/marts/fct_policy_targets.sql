with targets as (
    select * from {{ ref('int_policy_targets__enriched') }}
),

final as (
    select
        target_id,
        doc_id,
        target_seq,
        region_code,
        region_name,
        indicator_code,
        indicator_text,
        comparator,
        target_value,
        target_value_high,
        unit,
        target_year,
        baseline_year,
        evidence,
        char_start,
        char_end,
        confidence,
        load_id
    from targets
)

select * from final
