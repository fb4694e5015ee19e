{#- Grain test: no two rows share the same combination of columns.
    (dbt hub packages cannot be downloaded on our build machines, so the few
    generic tests we need are written here.) -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set cols = combination_of_columns | join(', ') %}
select
    {{ cols }},
    count(*) as n_rows
from {{ model }}
group by {{ cols }}
having count(*) > 1
{% endtest %}
