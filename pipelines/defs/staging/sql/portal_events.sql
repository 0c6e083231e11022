-- One row per portal request: the same request_id delivered in several files loads once;
-- the copy delivered last wins (same delivery time: the later file name, then the later line).
-- Also the table macro staging.portal_events_touching(first_day, last_day, files := NULL): the
-- same rows for the request_ids with a copy on those KST days or in those files (all NULL: every
-- request), so a month's rebuild ranks that month's keys instead of the whole history, and the
-- file reconciliation those of the files that changed (staging/assets.py).
SELECT *
FROM raw.portal_events
WHERE (first_day IS NULL AND files IS NULL)
   OR request_id IN (SELECT request_id FROM raw.portal_events
                      WHERE event_date BETWEEN first_day AND last_day OR list_contains(files, file))
QUALIFY row_number() OVER (
    PARTITION BY request_id ORDER BY delivered_at DESC, file DESC, line DESC
) = 1
