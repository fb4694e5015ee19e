{#-
    Metadata-driven range test. The valid range of each indicator lives once, in
    seeds/indicators.csv (min_value, max_value, warn_above); this test joins the
    tested model to that seed on the indicator code and returns every row whose
    value lies outside it.

    bound='range'      → value < min_value or value > max_value  (use severity error)
    bound='warn_above' → value > warn_above                      (use severity warn:
                          a gross enrolment ratio above 100 % is possible but unusual)

    Only rows whose unit equals the indicator's unit are compared (a count of
    schools is not a percentage), when unit_column is given. Each failing row
    names the indicator, its unit and bounds, and the row's own key columns so
    the build summary can say which row broke the rule.
-#}
{% test value_in_indicator_range(model, column_name, indicator_column='indicator_code', unit_column=none, bound='range', key_columns=[]) %}
with tested as (
    select
        {% for k in key_columns %}{{ k }} as key_{{ k }},
        {% endfor %}{{ indicator_column }} as indicator_code,
        {% if unit_column %}{{ unit_column }}{% else %}null{% endif %} as row_unit,
        {{ column_name }} as tested_value
    from {{ model }}
    where {{ column_name }} is not null
      and {{ indicator_column }} is not null
),

ranges as (
    select
        code as indicator_code,
        unit as indicator_unit,
        cast(min_value as double) as min_value,
        cast(max_value as double) as max_value,
        cast(warn_above as double) as warn_above
    from {{ ref('indicators') }}
),

final as (
    select
        tested.*,
        ranges.indicator_unit,
        ranges.min_value,
        ranges.max_value,
        ranges.warn_above,
        '{{ column_name }}' as tested_column
    from tested
    inner join ranges
        on tested.indicator_code = ranges.indicator_code
    where
        {% if unit_column %}(tested.row_unit is null or tested.row_unit = ranges.indicator_unit) and {% endif %}
        {% if bound == 'warn_above' -%}
        tested.tested_value > ranges.warn_above
        {%- else -%}
        (tested.tested_value < ranges.min_value or tested.tested_value > ranges.max_value)
        {%- endif %}
)

select * from final
{% endtest %}
