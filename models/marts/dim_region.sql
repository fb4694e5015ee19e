with regions as (
    select * from {{ ref('regions') }}
),

final as (
    select
        regions.region_code,
        regions.name_zh as region_name,
        nullif(regions.short_name_zh, '') as region_short_name,
        regions.name_zh_trad as region_name_trad,
        regions.level as region_level,
        nullif(regions.parent_code, '') as parent_code,
        nullif(regions.province_code, '') as province_code,
        provinces.name_zh as province_name,
        nullif(regions.prefecture_code, '') as prefecture_code,
        prefectures.name_zh as prefecture_name
    from regions
    left join regions as provinces
        on nullif(regions.province_code, '') = provinces.region_code
    left join regions as prefectures
        on nullif(regions.prefecture_code, '') = prefectures.region_code
)

select * from final
