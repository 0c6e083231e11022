-- AI Pioneer Group membership from the newest roster file, which is the full current roster
-- (sources.md): one row per employee, member from joined_on until the day before left_on.
SELECT employee_key, role, joined_on, left_on
FROM raw.pioneer_roster
WHERE snapshot_date = (SELECT max(snapshot_date) FROM raw.pioneer_roster)
QUALIFY row_number() OVER (PARTITION BY employee_key ORDER BY delivered_at DESC, file DESC, line DESC) = 1
