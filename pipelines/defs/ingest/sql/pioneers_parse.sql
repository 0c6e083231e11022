-- Type and validate AI Pioneer Group roster rows.
SELECT
    file_no,
    line,
    upper(employee_raw) AS employee_raw,
    lower(role) AS role,
    TRY_CAST(joined_on AS DATE) AS joined_on,
    TRY_CAST(left_on AS DATE) AS left_on,
    CASE
        WHEN employee_raw IS NULL THEN 'missing employee_id'
        WHEN role IS NULL OR lower(role) NOT IN ('leader', 'member') THEN 'invalid role (expected leader or member)'
        WHEN joined_on IS NULL THEN 'missing joined_on'
        WHEN TRY_CAST(joined_on AS DATE) IS NULL THEN 'malformed joined_on'
        WHEN left_on IS NOT NULL AND TRY_CAST(left_on AS DATE) IS NULL THEN 'malformed left_on'
        WHEN TRY_CAST(left_on AS DATE) < TRY_CAST(joined_on AS DATE) THEN 'left_on before joined_on'
    END AS reason
FROM lines
