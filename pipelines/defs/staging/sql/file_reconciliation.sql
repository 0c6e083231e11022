-- Every landed file reconciles: lines read = loaded + duplicates + quarantined, where loaded
-- rows survived de-duplication on the natural key and duplicates lost to a newer delivery.
-- file_row_counts_now is generated from the source adapters (staging/assets.py: whole, or
-- recounting only the files that changed since the last build, per ledger_last_seen).
WITH quarantined AS (
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
        ledger.last_seen,
        ledger.lines_read,
        ledger.rows_loaded AS ledger_rows_loaded,
        coalesce(counts.in_raw, 0) AS in_raw,
        coalesce(counts.kept, 0) AS kept,
        coalesce(quarantined.rows_quarantined, 0) AS rows_quarantined
    FROM raw.file_ledger AS ledger
    LEFT JOIN file_row_counts_now AS counts USING (source, file)
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
    lines_read = kept + (in_raw - kept) + rows_quarantined AND ledger_rows_loaded = in_raw AS reconciles,
    last_seen AS ledger_last_seen  -- what the next build compares with the ledger
FROM counted
