-- Type and validate ministry closure days (landing/calendar/closures.csv).
SELECT
    file_no,
    line,
    TRY_CAST(closure_date AS DATE) AS closure_date,
    closure_reason,
    CASE
        WHEN closure_date IS NULL THEN 'missing date'
        WHEN TRY_CAST(closure_date AS DATE) IS NULL THEN 'malformed date (expected YYYY-MM-DD)'
    END AS reason
FROM lines
