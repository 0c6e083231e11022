-- One row per OnAI activity: the same 이벤트ID in several files loads once, newest delivery wins.
-- Also the table macro staging.onai_events_touching(first_day, last_day, files := NULL): the same
-- rows for the event_ids with a copy on those KST days or in those files (all NULL: every activity).
-- Only keys with several copies are ranked, as in portal_events.sql.
WITH touched AS NOT MATERIALIZED (
    SELECT * FROM raw.onai_events
    WHERE (first_day IS NULL AND files IS NULL)
       OR event_date BETWEEN first_day AND last_day OR list_contains(files, file)
),
repeated AS MATERIALIZED (
    SELECT event_id FROM raw.onai_events
    WHERE (first_day IS NULL AND files IS NULL)
       OR event_id IN (SELECT event_id FROM touched WHERE first_day IS NOT NULL OR files IS NOT NULL)
    GROUP BY event_id HAVING count(*) > 1
)
SELECT * FROM touched ANTI JOIN repeated USING (event_id)
UNION ALL
(SELECT * FROM raw.onai_events SEMI JOIN repeated USING (event_id)
 QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY delivered_at DESC, file DESC, line DESC) = 1)
