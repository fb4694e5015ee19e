-- Nothing is lost: for every statistics load in force, the rows it says it landed
-- are the rows raw.statistics holds for it, and the rows it says it rejected are
-- the rows raw.rejected_rows holds for it.
with loads as (
    select * from {{ ref('stg_raw__load_log') }}
    where load_kind = 'statistics' and load_status in ('loaded', 'replaced')
),

landed as (
    select
        load_id,
        count(*) as n_landed
    from {{ ref('stg_raw__statistics') }}
    group by load_id
),

rejected as (
    select
        load_id,
        count(*) as n_rejected
    from {{ ref('stg_raw__rejected_rows') }}
    group by load_id
)

select
    loads.load_id,
    loads.load_path,
    loads.rows_landed,
    coalesce(landed.n_landed, 0) as rows_in_statistics,
    loads.rows_rejected,
    coalesce(rejected.n_rejected, 0) as rows_in_rejected_rows
from loads
left join landed
    on loads.load_id = landed.load_id
left join rejected
    on loads.load_id = rejected.load_id
where
    landed.load_id is not null  -- loads still in force (a replaced file's old load has no rows left)
    and (
        loads.rows_landed != coalesce(landed.n_landed, 0)
        or loads.rows_rejected != coalesce(rejected.n_rejected, 0)
    )
