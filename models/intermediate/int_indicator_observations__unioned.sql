{#-
    Every observation of an indicator for a region and year, from two kinds of
    source: statistics files (nature as the file says: reported or estimated) and
    the retrospective figures policy documents report (status = actual, nature
    reported_in_plan). A document actual is kept only when it can be placed: a
    mapped indicator, a known region, a year, and the indicator's own unit.
    Grain: region × indicator × year × source_key.
-#}
with statistics as (
    select * from {{ ref('stg_raw__statistics') }}
),

actuals as (
    select * from {{ ref('stg_raw__policy_targets') }}
    where record_status = 'actual'
),

documents as (
    select * from {{ ref('stg_raw__documents') }}
),

indicators as (
    select
        code,
        unit
    from {{ ref('indicators') }}
),

regions as (
    select region_code from {{ ref('regions') }}
),

from_statistics as (
    select
        region_code,
        indicator_code,
        year,
        value,
        unit,
        qualifier,
        footnote,
        nature,
        'statistics' as source_kind,
        md5('statistics|' || source_file || '|' || coalesce(source_title, '')) as source_key,
        coalesce(source_title, source_file) as source_name,
        source_title,
        source_url,
        source_file,
        sheet,
        source_row,
        cast(null as varchar) as doc_id,
        cast(null as varchar) as target_id,
        cast(null as varchar) as evidence,
        load_id,
        loaded_at,
        1 as source_priority
    from statistics
),

document_actuals as (
    select
        coalesce(
            actuals.region_code,
            case when actuals.region_name = documents.region_name then documents.region_code end
        ) as region_code,
        actuals.indicator_code,
        actuals.target_year as year,
        actuals.target_value as value,
        actuals.unit,
        case actuals.comparator
            when '>=' then 'lower_bound'
            when '<=' then 'upper_bound'
            when '~' then 'approximate'
        end as qualifier,
        cast(null as varchar) as footnote,
        'reported_in_plan' as nature,
        'document' as source_kind,
        md5('document|' || actuals.doc_id) as source_key,
        coalesce(documents.title, actuals.doc_id) as source_name,
        documents.title as source_title,
        cast(null as varchar) as source_url,
        documents.source_path as source_file,
        cast(null as varchar) as sheet,
        actuals.target_seq as source_row,
        actuals.doc_id,
        actuals.target_id,
        actuals.evidence,
        actuals.load_id,
        actuals.loaded_at,
        2 as source_priority
    from actuals
    left join documents
        on actuals.doc_id = documents.doc_id
),

placed_actuals as (
    select document_actuals.*
    from document_actuals
    inner join indicators
        on
            document_actuals.indicator_code = indicators.code
            and coalesce(document_actuals.unit, indicators.unit) = indicators.unit
    inner join regions
        on document_actuals.region_code = regions.region_code
    where document_actuals.year is not null
    -- one figure per document, region, indicator and year: the first stated
    qualify row_number() over (
        partition by
            document_actuals.doc_id, document_actuals.region_code,
            document_actuals.indicator_code, document_actuals.year
        order by document_actuals.source_row
    ) = 1
),

final as (
    select * from from_statistics
    union all by name
    select * from placed_actuals
)

select * from final
