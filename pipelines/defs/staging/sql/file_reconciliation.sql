-- Every landed file reconciles: lines read = loaded + duplicates + quarantined, where loaded
-- rows survived de-duplication on the natural key and duplicates lost to a newer delivery.
WITH raw_rows AS (
    SELECT 'portal' AS source, file, count(*) AS in_raw FROM raw.portal_events GROUP BY file
    UNION ALL SELECT 'onai', file, count(*) FROM raw.onai_events GROUP BY file
    UNION ALL SELECT 'hr', file, count(*) FROM raw.hr_roster GROUP BY file
    UNION ALL SELECT 'hr', file, count(*) FROM raw.hr_org_units GROUP BY file
    UNION ALL SELECT 'training', file, count(*) FROM raw.training_attendance GROUP BY file
    UNION ALL SELECT 'pioneers', file, count(*) FROM raw.pioneer_roster GROUP BY file
    UNION ALL SELECT 'survey', file, count(*) FROM raw.survey_responses GROUP BY file
    UNION ALL SELECT 'calendar', file, count(*) FROM raw.calendar_closures GROUP BY file
),
kept_after_dedup AS (
    SELECT 'portal' AS source, file, count(*) AS kept FROM staging.portal_events GROUP BY file
    UNION ALL SELECT 'onai', file, count(*) FROM staging.onai_events GROUP BY file
),
quarantined AS (
    SELECT source, file, count(*) FILTER (WHERE line > 0) AS rows_quarantined
    FROM raw.quarantine GROUP BY source, file
),
counted AS (
    SELECT
        ledger.source,
        ledger.file,
        ledger.file_date,
        ledger.status,
        ledger.reason,
        ledger.lines_read,
        ledger.rows_loaded AS ledger_rows_loaded,
        coalesce(raw_rows.in_raw, 0) AS in_raw,
        -- Event sources are de-duplicated on their natural key; a file all of whose rows lost
        -- to newer deliveries keeps none. Reference files are kept whole.
        CASE WHEN ledger.source IN ('portal', 'onai') THEN coalesce(kept_after_dedup.kept, 0)
             ELSE coalesce(raw_rows.in_raw, 0) END AS kept,
        coalesce(quarantined.rows_quarantined, 0) AS rows_quarantined
    FROM raw.file_ledger AS ledger
    LEFT JOIN raw_rows USING (source, file)
    LEFT JOIN kept_after_dedup USING (source, file)
    LEFT JOIN quarantined USING (source, file)
)
SELECT
    source,
    file,
    file_date,
    status,
    reason,
    lines_read,
    kept AS rows_loaded,
    in_raw - kept AS rows_duplicate,
    rows_quarantined,
    lines_read = kept + (in_raw - kept) + rows_quarantined AND ledger_rows_loaded = in_raw AS reconciles
FROM counted
