-- active_employee_months (internal, written with attributed_events, marts/assets.py): each
-- month's employees with a qualifying action (metrics.md, Active in month X), from
-- marts.active_employee_days (written just before), for the months $first_month .. $last_month
-- and any month it does not hold yet.
SELECT DISTINCT month, employee_key
FROM marts.active_employee_days
WHERE month BETWEEN $first_month AND $last_month
   OR month NOT IN (SELECT DISTINCT month FROM marts.active_employee_months)
