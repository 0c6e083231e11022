-- Type and validate training attendance rows.
SELECT
    file_no,
    line,
    session_id,
    session_title,
    TRY_CAST(session_date AS DATE) AS session_date,
    lower(format) AS format,
    TRY_CAST(hours AS DOUBLE) AS hours,
    upper(employee_raw) AS employee_raw,
    upper(completed) = 'Y' AS completed,
    CASE
        WHEN session_id IS NULL THEN 'missing session_id'
        WHEN employee_raw IS NULL THEN 'missing employee_id'
        WHEN session_date IS NULL THEN 'missing session_date'
        WHEN TRY_CAST(session_date AS DATE) IS NULL THEN 'malformed session_date'
        WHEN format IS NULL OR lower(format) NOT IN ('lecture', 'hands_on', 'online')
            THEN 'invalid format (expected lecture, hands_on or online)'
        WHEN hours IS NOT NULL AND TRY_CAST(hours AS DOUBLE) IS NULL THEN 'malformed hours'
        WHEN completed IS NULL OR upper(completed) NOT IN ('Y', 'N') THEN 'invalid completed (expected Y or N)'
    END AS reason
FROM lines
