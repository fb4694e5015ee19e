with indicators as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        code as indicator_code,
        name_zh as indicator_name_zh,
        name_en as indicator_name_en,
        aliases_zh as indicator_aliases_zh,
        unit,
        kind as indicator_kind,
        min_value,
        max_value,
        warn_above,
        higher_is_better,
        case when higher_is_better then 'higher_is_better' else 'lower_is_better' end as direction,
        stage
    from indicators
)

select * from final
