{#-
    One value per region × indicator × year, chosen from fct_indicator_observations:
    a statistics publication wins over a figure a plan reports (source_priority),
    a non-missing value wins over a missing one, then the most recently loaded
    source, then the source key (deterministic). The chosen source is named and
    the number of competing sources kept, so a reader can see a choice was made.
-#}
with observations as (
    select * from {{ ref('fct_indicator_observations') }}
),

ranked as (
    select
        observations.*,
        count(*) over (
            partition by region_code, indicator_code, year
        ) as n_sources,
        row_number() over (
            partition by region_code, indicator_code, year
            order by
                (value is null) asc,
                source_priority asc,
                loaded_at desc,
                source_key asc
        ) as source_rank
    from observations
),

final as (
    select
        region_code || '|' || indicator_code || '|' || cast(year as varchar) as value_id,
        region_code,
        indicator_code,
        year,
        value,
        unit,
        qualifier,
        nature,
        source_kind,
        source_name,
        source_url,
        source_key,
        observation_id,
        n_sources
    from ranked
    where source_rank = 1
)

select * from final
