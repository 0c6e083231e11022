-- data_quality_quarantine (whole history): per source, day (as in data_quality_daily) and
-- reason, the whole files (line 0) and single rows that were quarantined.
SELECT
    q.source,
    coalesce(q.file_date, (ledger.delivered_at AT TIME ZONE 'Asia/Seoul')::DATE, (q.recorded_at AT TIME ZONE 'Asia/Seoul')::DATE) AS day,
    q.reason,
    count(*) FILTER (WHERE q.line = 0) AS files_quarantined,
    count(*) FILTER (WHERE q.line > 0) AS rows_quarantined,
    $metric_version AS metric_version
FROM raw.quarantine q
LEFT JOIN raw.file_ledger ledger USING (source, file)
GROUP BY ALL
ORDER BY q.source, day, q.reason
