{#- Does `value_expr` satisfy the target? The comparator decides:
    >=  at least the target        <=  at most the target
    =   inside [value, value_high] for a range; else within ± progress_equal_tolerance
        × |target| of it, or beyond it in the indicator's good direction (提高到 11.3年
        is met by 11.5; 辍学率控制为 0 … is met by 0)
    ~   within ± progress_approx_tolerance × |target|
    A null value never meets a target. -#}
{% macro eduwh_meets_target(value_expr, comparator_expr, target_expr, target_high_expr, higher_is_better_expr) -%}
coalesce(case {{ comparator_expr }}
    when '>=' then {{ value_expr }} >= {{ target_expr }} - 1e-9
    when '<=' then {{ value_expr }} <= {{ target_expr }} + 1e-9
    when '=' then
        case
            when {{ target_high_expr }} is not null
                then {{ value_expr }} between {{ target_expr }} - 1e-9 and {{ target_high_expr }} + 1e-9
            else abs({{ value_expr }} - {{ target_expr }}) <= {{ var('progress_equal_tolerance') }} * abs({{ target_expr }}) + 1e-9
                or ({{ higher_is_better_expr }} and {{ value_expr }} >= {{ target_expr }})
                or (not {{ higher_is_better_expr }} and {{ value_expr }} <= {{ target_expr }})
        end
    when '~' then abs({{ value_expr }} - {{ target_expr }}) <= {{ var('progress_approx_tolerance') }} * abs({{ target_expr }}) + 1e-9
end, false)
{%- endmacro %}
