-- Training attendance, one row per session and employee (the same pair delivered twice loads
-- once; the copy delivered last wins, then the later file name, then the later line).
SELECT session_id, session_title, session_date, format, hours, employee_key, completed
FROM raw.training_attendance
QUALIFY row_number() OVER (
    PARTITION BY session_id, employee_key ORDER BY delivered_at DESC, file DESC, line DESC
) = 1
