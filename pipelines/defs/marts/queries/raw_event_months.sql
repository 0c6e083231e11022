-- The first and last month of any event copy in raw (before de-duplication).
SELECT min(month), max(month) FROM (
    SELECT date_trunc('month', min(event_date))::DATE AS month FROM raw.portal_events
    UNION ALL SELECT date_trunc('month', max(event_date))::DATE FROM raw.portal_events
    UNION ALL SELECT date_trunc('month', min(event_date))::DATE FROM raw.onai_events
    UNION ALL SELECT date_trunc('month', max(event_date))::DATE FROM raw.onai_events
)
