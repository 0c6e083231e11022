-- Roster snapshots, one row per employee and snapshot (a repeated row: the last line wins).
SELECT snapshot_date, employee_key, unit_code, grade, position_title, employment_type, status, hire_date
FROM raw.hr_roster
QUALIFY row_number() OVER (PARTITION BY snapshot_date, employee_key ORDER BY line DESC) = 1
