{#- Does `value_expr` satisfy the target? The comparator decides:
    >=  at least the target        <=  at most the target
    =   inside [value, value_high] for a range, else within ± progress_equal_tolerance
    ~   within ± progress_approx_tolerance × |target|
    A null value never meets a target. -#}
{% macro eduwh_meets_target(value_expr, comparator_expr, target_expr, target_high_expr) -%}
coalesce(case {{ comparator_expr }}
    when '>=' then {{ value_expr }} >= {{ target_expr }} - 1e-9
    when '<=' then {{ value_expr }} <= {{ target_expr }} + 1e-9
    when '=' then
        case
            when {{ target_high_expr }} is not null
                then {{ value_expr }} between {{ target_expr }} - 1e-9 and {{ target_high_expr }} + 1e-9
            else abs({{ value_expr }} - {{ target_expr }}) <= {{ var('progress_equal_tolerance') }}
        end
    when '~' then abs({{ value_expr }} - {{ target_expr }}) <= {{ var('progress_approx_tolerance') }} * abs({{ target_expr }}) + 1e-9
end, false)
{%- endmacro %}
