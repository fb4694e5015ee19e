{#-
    Progress of every target against the observed values (grain: one row per target).

    Method (Statistics Canada / Open SDG progress measure, with the UIS SDG 4
    Scorecard's "off track by N" gap):
      * observations: fct_indicator_values of the target's region and indicator,
        in years ≤ the target year and ≤ the as-of year (var eduwh_as_of_year);
      * baseline: the latest observation in or before the plan's base year, else the
        first observation; latest: the last observation;
      * required growth = (target / baseline)^(1 / (target year − baseline year)) − 1,
        observed growth = (latest / baseline)^(1 / (latest year − baseline year)) − 1,
        both on the shortfall 100 − y for shares where higher is better;
        R = observed / required. Where a compound rate is undefined (a value or the
        shortfall is 0), annual linear change is used instead (progress_method);
      * expected value = straight line from baseline to target, at the latest year;
        gap_to_expected = latest − expected, signed so that negative means behind;
      * projected value = the latest value carried to the target year at the observed
        rate, kept inside the indicator's valid range.
    Status, in order: not_assessable (no indicator code, region or target year, or a
    unit that is not the indicator's) · no_data (no observation) · achieved (the
    comparator holds for the latest value: >=, <=, = within progress_equal_tolerance
    of the target, beyond it in the good direction, or inside a range; ~ within
    progress_approx_tolerance of the target) ·
    insufficient_data (one observation only) · deteriorating (the baseline met the
    target and the latest value no longer does) · then by R with the thresholds in
    dbt_project.yml vars: on_track, needs_acceleration, limited_progress,
    deteriorating. A target whose year has been reached without being met is never
    on_track (needs_acceleration at best).
-#}
{#-
    Incremental, keyed on loads: `input_load_ids` lists the target's own load and
    every load behind the values of its region and indicator. An incremental run
    recomputes only targets that are new, or whose inputs or as-of year changed;
    the post-hook drops targets whose document no longer states them.
-#}
{{ config(
    materialized='incremental',
    unique_key='target_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where target_id not in (select target_id from {{ ref('fct_policy_targets') }})"
    ]
) }}
{%- set as_of = var('eduwh_as_of_year') -%}
with all_targets as (
    select * from {{ ref('fct_policy_targets') }}
),

all_values as (
    select * from {{ ref('fct_indicator_values') }}
),

as_of as (
    select cast({{ as_of if as_of is not none else 'year(current_date)' }} as integer) as as_of_year
),

pair_loads as (
    select
        all_values.region_code,
        all_values.indicator_code,
        flatten(list(coalesce(all_values.load_ids, []))) as load_ids
    from all_values
    where
        exists (
            select 1 from all_targets
            where
                all_targets.region_code = all_values.region_code
                and all_targets.indicator_code = all_values.indicator_code
        )
    group by all_values.region_code, all_values.indicator_code
),

target_inputs as (
    select
        all_targets.target_id,
        list_sort(list_distinct(
            list_append(coalesce(pair_loads.load_ids, []), all_targets.load_id)
        )) as input_load_ids
    from all_targets
    left join pair_loads
        on
            all_targets.region_code = pair_loads.region_code
            and all_targets.indicator_code = pair_loads.indicator_code
),

targets as (
    select
        all_targets.*,
        target_inputs.input_load_ids
    from all_targets
    inner join target_inputs
        on all_targets.target_id = target_inputs.target_id
    {% if is_incremental() %}
    left join {{ this }} as previous
        on all_targets.target_id = previous.target_id
    where
        previous.target_id is null
        or previous.input_load_ids is distinct from target_inputs.input_load_ids
        or previous.as_of_year is distinct from (select as_of.as_of_year from as_of)
    {% endif %}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

indicator_values as (
    select * from all_values
    where value is not null
),

targets_in_scope as (
    select
        targets.target_id,
        targets.doc_id,
        targets.region_code,
        targets.indicator_code,
        targets.comparator,
        targets.target_value,
        targets.target_value_high,
        targets.unit,
        targets.target_year,
        targets.baseline_year,
        targets.input_load_ids,
        indicators.indicator_kind,
        indicators.higher_is_better,
        indicators.min_value,
        indicators.max_value,
        indicators.indicator_kind = 'share' and indicators.higher_is_better as uses_shortfall,
        (
            targets.indicator_code is not null
            and indicators.indicator_code is not null
            and targets.region_code is not null
            and targets.target_year is not null
            and coalesce(targets.unit, indicators.unit) = indicators.unit
        ) as is_assessable,
        as_of.as_of_year
    from targets
    cross join as_of
    left join indicators
        on targets.indicator_code = indicators.indicator_code
),

candidate_observations as (
    select
        targets_in_scope.target_id,
        targets_in_scope.baseline_year,
        indicator_values.year,
        indicator_values.value,
        indicator_values.source_name
    from targets_in_scope
    inner join indicator_values
        on
            targets_in_scope.region_code = indicator_values.region_code
            and targets_in_scope.indicator_code = indicator_values.indicator_code
    where
        targets_in_scope.is_assessable
        and indicator_values.year <= targets_in_scope.target_year
        and indicator_values.year <= targets_in_scope.as_of_year
),

observation_summary as (
    select
        target_id,
        count(*) as n_observations,
        max(year) as latest_year,
        arg_max(value, year) as latest_value,
        arg_max(source_name, year) as latest_source,
        max(year) filter (where year <= baseline_year) as base_year_in_plan,
        arg_max(value, year) filter (where year <= baseline_year) as base_value_in_plan,
        min(year) as first_year,
        arg_min(value, year) as first_value
    from candidate_observations
    group by target_id
),

measured as (
    select
        targets_in_scope.*,
        coalesce(observation_summary.n_observations, 0) as n_observations,
        observation_summary.latest_year,
        observation_summary.latest_value,
        observation_summary.latest_source,
        coalesce(observation_summary.base_year_in_plan, observation_summary.first_year) as baseline_obs_year,
        case
            when observation_summary.base_year_in_plan is not null then observation_summary.base_value_in_plan
            else observation_summary.first_value
        end as baseline_value
    from targets_in_scope
    left join observation_summary
        on targets_in_scope.target_id = observation_summary.target_id
),

transformed as (
    select
        measured.*,
        case when uses_shortfall then 100 - baseline_value else baseline_value end as x_base,
        case when uses_shortfall then 100 - latest_value else latest_value end as x_latest,
        case when uses_shortfall then 100 - target_value else target_value end as x_target,
        latest_year - baseline_obs_year as observed_span,
        target_year - baseline_obs_year as required_span,
        {{ eduwh_meets_target(
            'latest_value', 'comparator', 'target_value', 'target_value_high', 'higher_is_better'
        ) }} as latest_meets,
        {{ eduwh_meets_target(
            'baseline_value', 'comparator', 'target_value', 'target_value_high', 'higher_is_better'
        ) }} as baseline_meets
    from measured
),

growth as (
    select
        transformed.*,
        (x_base > 0 and x_latest > 0 and x_target > 0 and observed_span > 0 and required_span > 0) as compound_defined,
        case
            when x_base > 0 and x_latest > 0 and x_target > 0 and observed_span > 0 and required_span > 0
                then power(x_latest / x_base, 1.0 / observed_span) - 1
            when observed_span > 0 then (latest_value - baseline_value) / observed_span
        end as observed_growth,
        case
            when x_base > 0 and x_latest > 0 and x_target > 0 and observed_span > 0 and required_span > 0
                then power(x_target / x_base, 1.0 / required_span) - 1
            when required_span > 0 then (target_value - baseline_value) / required_span
        end as required_growth
    from transformed
),

scored as (
    select
        growth.*,
        case when compound_defined then 'cagr' when observed_span > 0 then 'linear' end as progress_method,
        case when required_growth <> 0 then observed_growth / required_growth end as progress_ratio,
        case
            when required_span > 0
                then
                    baseline_value + (target_value - baseline_value) * (latest_year - baseline_obs_year) / required_span
        end as expected_value
    from growth
),

final as (
    select
        target_id,
        doc_id,
        region_code,
        indicator_code,
        comparator,
        target_value,
        target_value_high,
        unit,
        target_year,
        baseline_year,
        as_of_year,
        n_observations,
        baseline_obs_year,
        baseline_value,
        latest_year,
        latest_value,
        latest_source,
        expected_value,
        case
            when expected_value is null then null
            when target_value >= baseline_value then latest_value - expected_value
            else expected_value - latest_value
        end as gap_to_expected,
        observed_growth,
        required_growth,
        progress_method,
        progress_ratio,
        case
            when observed_growth is null or latest_year is null then null
            when compound_defined
                then least(greatest(
                    case
                        when uses_shortfall
                            then 100 - x_latest * power(1 + observed_growth, target_year - latest_year)
                        else x_latest * power(1 + observed_growth, target_year - latest_year)
                    end,
                    coalesce(min_value, -1e308)
                ), coalesce(max_value, 1e308))
            else least(greatest(
                latest_value + observed_growth * (target_year - latest_year),
                coalesce(min_value, -1e308)
            ), coalesce(max_value, 1e308))
        end as projected_value,
        case
            when not is_assessable then 'not_assessable'
            when n_observations = 0 then 'no_data'
            when latest_meets then 'achieved'
            when n_observations = 1 or observed_span <= 0 then 'insufficient_data'
            when baseline_meets then 'deteriorating'
            when progress_ratio is null then 'insufficient_data'
            when progress_ratio >= {{ var('progress_on_track_ratio') }}
                then case when latest_year >= target_year then 'needs_acceleration' else 'on_track' end
            when progress_ratio >= {{ var('progress_acceleration_ratio') }} then 'needs_acceleration'
            when progress_ratio >= {{ var('progress_deterioration_ratio') }} then 'limited_progress'
            else 'deteriorating'
        end as status,
        input_load_ids
    from scored
)

select * from final
