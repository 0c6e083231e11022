-- Type and validate HR roster rows (the name column was dropped on read).
SELECT
    file_no,
    line,
    upper(employee_raw) AS employee_raw,
    unit_code,
    grade,
    position_title,
    employment_type,
    lower(status) AS status,
    TRY_CAST(hire_date AS DATE) AS hire_date,
    CASE
        WHEN employee_raw IS NULL THEN 'missing employee_id'
        WHEN unit_code IS NULL THEN 'missing unit_code'
        WHEN status IS NULL THEN 'missing status'
        WHEN lower(status) NOT IN ('active', 'leave', 'retired') THEN 'invalid status (expected active, leave or retired)'
        WHEN hire_date IS NOT NULL AND TRY_CAST(hire_date AS DATE) IS NULL THEN 'malformed hire_date'
    END AS reason
FROM lines
