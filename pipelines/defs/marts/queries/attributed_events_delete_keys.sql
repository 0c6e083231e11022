-- Remove from month $month of marts.attributed_events every event whose natural key has a copy in
-- the event files $files (names of any event source's files, each source matching its own);
-- sql/attributed_events.sql then inserts their winners again.
DELETE FROM marts.attributed_events AS attributed
USING (
    SELECT DISTINCT source, event_key FROM {raw_event_copies}
    -- IN, not list_contains: with the DISTINCT, list_contains was not pushed into the scans (0.27 s
    -- against 0.04 s for one day's files at 10 M events).
    WHERE file IN (SELECT unnest($files::VARCHAR[]))
) AS touched
WHERE attributed.month = $month
  AND attributed.platform = touched.source
  AND attributed.event_key = touched.event_key
