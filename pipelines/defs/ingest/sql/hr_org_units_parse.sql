-- Type and validate HR org-unit rows.
SELECT
    file_no,
    line,
    unit_code,
    unit_name_ko,
    unit_name_en,
    parent_code,
    lower(level) AS level,
    lower(function) AS function,
    CASE
        WHEN unit_code IS NULL THEN 'missing unit_code'
        WHEN unit_name_ko IS NULL THEN 'missing unit_name_ko'
        WHEN level IS NULL THEN 'missing level'
        WHEN lower(level) NOT IN ('ministry', 'office', 'bureau', 'division') THEN 'invalid level (expected ministry, office, bureau or division)'
        WHEN lower(level) <> 'ministry' AND parent_code IS NULL THEN 'missing parent_code (only the ministry has none)'
    END AS reason
FROM lines
