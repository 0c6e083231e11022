-- Remove from month $month of marts.attributed_events every event whose natural key has a copy in
-- the files $portal_files / $onai_files; sql/attributed_events.sql then inserts their winners again.
DELETE FROM marts.attributed_events AS attributed
USING (
    SELECT 'portal' AS platform, request_id AS event_key
    FROM raw.portal_events WHERE list_contains($portal_files::VARCHAR[], file)
    UNION
    SELECT 'onai', event_id
    FROM raw.onai_events WHERE list_contains($onai_files::VARCHAR[], file)
) AS touched
WHERE attributed.month = $month
  AND attributed.platform = touched.platform
  AND attributed.event_key = touched.event_key
