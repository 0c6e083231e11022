-- One row per OnAI activity: the same 이벤트ID in several files loads once, newest delivery wins.
-- Also the table macro staging.onai_events_touching(first_day, last_day, files := NULL): the same
-- rows for the event_ids with a copy on those KST days or in those files (all NULL: every activity).
SELECT *
FROM raw.onai_events
WHERE (first_day IS NULL AND files IS NULL)
   OR event_id IN (SELECT event_id FROM raw.onai_events
                    WHERE event_date BETWEEN first_day AND last_day OR list_contains(files, file))
QUALIFY row_number() OVER (
    PARTITION BY event_id ORDER BY delivered_at DESC, file DESC, line DESC
) = 1
