-- The organisation of each month M: the units of the org-units snapshot in force on M's last
-- day (the latest on or before it; before the first snapshot, the first), with that
-- snapshot's names, parent and level. One row per month of staging.calendar and unit.
WITH months AS (
    SELECT DISTINCT month, last_day(month) AS month_end FROM staging.calendar
),
as_of AS (
    SELECT month, greatest(month_end, (SELECT min(valid_from) FROM staging.dim_unit)) AS as_of
    FROM months
)
SELECT
    as_of.month,
    u.unit_code,
    u.unit_name_ko,
    u.unit_name_en,
    u.parent_code,
    u.level,
    u.function
FROM as_of
JOIN staging.dim_unit u ON u.valid_from <= as_of.as_of AND as_of.as_of < u.valid_to
