-- Type and validate survey responses (the comment column was dropped on read).
SELECT
    file_no,
    line,
    response_id,
    upper(quarter) AS quarter,
    unit_code,
    TRY_CAST(q_faster AS INTEGER) AS q_faster,
    TRY_CAST(q_quality AS INTEGER) AS q_quality,
    TRY_CAST(q_effort AS INTEGER) AS q_effort,
    TRY_CAST(q_productive AS INTEGER) AS q_productive,
    TRY_CAST(minutes_saved_per_week AS DOUBLE) AS minutes_saved_per_week,
    CASE
        WHEN response_id IS NULL THEN 'missing response_id'
        WHEN quarter IS NULL OR NOT regexp_full_match(upper(quarter), '\d{4}Q[1-4]')
            THEN 'invalid quarter (expected YYYYQn)'
        WHEN unit_code IS NULL THEN 'missing unit_code'
        WHEN (q_faster IS NOT NULL AND TRY_CAST(q_faster AS INTEGER) NOT BETWEEN 1 AND 5)
          OR (q_faster IS NOT NULL AND TRY_CAST(q_faster AS INTEGER) IS NULL) THEN 'q_faster outside 1-5'
        WHEN (q_quality IS NOT NULL AND TRY_CAST(q_quality AS INTEGER) NOT BETWEEN 1 AND 5)
          OR (q_quality IS NOT NULL AND TRY_CAST(q_quality AS INTEGER) IS NULL) THEN 'q_quality outside 1-5'
        WHEN (q_effort IS NOT NULL AND TRY_CAST(q_effort AS INTEGER) NOT BETWEEN 1 AND 5)
          OR (q_effort IS NOT NULL AND TRY_CAST(q_effort AS INTEGER) IS NULL) THEN 'q_effort outside 1-5'
        WHEN (q_productive IS NOT NULL AND TRY_CAST(q_productive AS INTEGER) NOT BETWEEN 1 AND 5)
          OR (q_productive IS NOT NULL AND TRY_CAST(q_productive AS INTEGER) IS NULL) THEN 'q_productive outside 1-5'
        WHEN minutes_saved_per_week IS NOT NULL
         AND coalesce(TRY_CAST(minutes_saved_per_week AS DOUBLE) < 0, true) THEN 'malformed minutes_saved_per_week'
    END AS reason
FROM lines
