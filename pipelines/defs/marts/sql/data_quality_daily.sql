-- data_quality_daily (whole history): per source and day (the date in the file name; for a
-- file without one, the KST date it was delivered), what arrived and what became of it.
-- Rows (staging.file_reconciliation): received = lines read; loaded = kept after
-- de-duplication; duplicate = lost to a newer delivery of the same natural key; quarantined.
-- Event sources also get: HR match rate (events with an employee number whose employee is in
-- Roster(M) of the event's month), unmapped features (outside sources.md's lists: 0 minutes),
-- portal requests without a service (`portal:unknown`), and freshness: the newest event in
-- the day's files, the last delivery, and the hours between them.
WITH
files AS (
    SELECT
        r.source,
        coalesce(r.file_date, (ledger.delivered_at AT TIME ZONE 'Asia/Seoul')::DATE) AS day,
        r.file,
        r.status,
        r.lines_read,
        r.rows_loaded,
        r.rows_duplicate,
        r.rows_quarantined,
        ledger.delivered_at
    FROM staging.file_reconciliation r
    JOIN raw.file_ledger ledger USING (source, file)
),
file_figures AS (
    SELECT
        source,
        day,
        count(*) AS files_received,
        count(*) FILTER (WHERE status = 'quarantined') AS files_quarantined,
        sum(lines_read) AS rows_received,
        sum(rows_loaded) AS rows_loaded,
        sum(rows_duplicate) AS rows_duplicate,
        sum(rows_quarantined) AS rows_quarantined,
        max(delivered_at) AS last_delivered_at
    FROM files
    GROUP BY source, day
),
-- The kept events are marts.attributed_events (every de-duplicated event, built for every month
-- before this mart): its Roster(M) match and feature mapping are the ones the marts used.
event_figures AS (
    SELECT
        platform AS source,
        file_date AS day,
        count(employee_key) AS events_with_employee,
        count(*) FILTER (WHERE in_roster) AS events_matched_to_hr,
        count(*) FILTER (WHERE NOT feature_mapped AND feature <> 'portal:unknown') AS unmapped_feature_rows,
        count(*) FILTER (WHERE feature = 'portal:unknown') AS unknown_service_rows
    FROM marts.attributed_events
    GROUP BY platform, file_date
),
newest_events AS (
    SELECT source, file_date AS day, max(started_at) AS newest_event_at
    FROM {raw_event_copies} GROUP BY source, file_date
)
SELECT
    file_figures.source,
    file_figures.day,
    file_figures.files_received,
    file_figures.files_quarantined,
    file_figures.rows_received,
    file_figures.rows_loaded,
    file_figures.rows_duplicate,
    file_figures.rows_quarantined,
    e.events_with_employee,
    e.events_matched_to_hr,
    e.events_matched_to_hr / nullif(e.events_with_employee, 0) AS hr_match_rate,
    e.unmapped_feature_rows,
    e.unknown_service_rows,
    n.newest_event_at,
    file_figures.last_delivered_at,
    epoch(file_figures.last_delivered_at - n.newest_event_at) / 3600 AS delivery_lag_hours,
    $metric_version AS metric_version
FROM file_figures
LEFT JOIN event_figures e USING (source, day)
LEFT JOIN newest_events n USING (source, day)
ORDER BY file_figures.source, file_figures.day
