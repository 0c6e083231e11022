-- One row per portal request: the same request_id delivered in several files loads once;
-- the copy delivered last wins (same delivery time: the later file name, then the later line).
-- Also the table macro staging.portal_events_touching(first_day, last_day, files := NULL): the
-- same rows for the request_ids with a copy on those KST days or in those files (all NULL: every
-- request), so a month's rebuild ranks that month's keys instead of the whole history, and the
-- file reconciliation those of the files that changed (staging/assets.py).
-- Only keys with several copies are ranked (~1% of them; a key's only copy is its winner): a
-- window over every copy cost more than the rest of the marts' build (10 M events: the whole
-- history 7.3 -> 2.4 s, a month 1.1 -> 0.65 s).
WITH touched AS NOT MATERIALIZED (
    SELECT * FROM raw.portal_events
    WHERE (first_day IS NULL AND files IS NULL)
       OR event_date BETWEEN first_day AND last_day OR list_contains(files, file)
),
repeated AS MATERIALIZED (
    SELECT request_id FROM raw.portal_events
    -- The guard inside the subquery empties it when every key is touched: an OR outside it
    -- still joined the whole history with itself.
    WHERE (first_day IS NULL AND files IS NULL)
       OR request_id IN (SELECT request_id FROM touched WHERE first_day IS NOT NULL OR files IS NOT NULL)
    GROUP BY request_id HAVING count(*) > 1
)
SELECT * FROM touched ANTI JOIN repeated USING (request_id)
UNION ALL
(SELECT * FROM raw.portal_events SEMI JOIN repeated USING (request_id)
 QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY delivered_at DESC, file DESC, line DESC) = 1)
