-- active_employee_days (internal, written with attributed_events, marts/assets.py): each day's
-- employees with a qualifying action (metrics.md: a date with a qualifying action is an active
-- day), for the months
-- $first_month .. $last_month and any month of marts.attributed_events it does not hold yet.
SELECT DISTINCT month, event_date, employee_key
FROM marts.attributed_events
WHERE qualifying
  AND (month BETWEEN $first_month AND $last_month
       OR month NOT IN (SELECT DISTINCT month FROM marts.active_employee_days))
