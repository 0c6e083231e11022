-- Roster(M) for each month M (metrics.md): employees with status `active` in the roster
-- snapshot in force on M's last day, each with that snapshot's unit. An employee whose unit
-- is missing from M's org snapshot cannot be placed in any subtree: they are left out here
-- and their events go to `_UNATTRIBUTED`.
WITH months AS (
    SELECT DISTINCT month, last_day(month) AS month_end FROM staging.calendar
),
as_of AS (
    SELECT month, greatest(month_end, (SELECT min(valid_from) FROM staging.dim_roster)) AS as_of
    FROM months
)
SELECT as_of.month, r.employee_key, r.unit_code
FROM as_of
JOIN staging.dim_roster r ON r.valid_from <= as_of.as_of AND as_of.as_of < r.valid_to
JOIN staging.org_units_monthly u ON u.month = as_of.month AND u.unit_code = r.unit_code
WHERE r.status = 'active'
