-- Whether the month $month holds an event whose natural key has no other copy in raw: such an
-- event wins de-duplication, so staging.events has that month. Only a sample of the month's keys
-- is looked up (their copies anywhere in the history), not every key of the history.
WITH sampled AS (
    (SELECT 'portal' AS platform, request_id AS event_key FROM raw.portal_events
     WHERE event_date >= $month AND event_date < $month + INTERVAL 1 MONTH LIMIT 1000)
    UNION ALL
    (SELECT 'onai', event_id FROM raw.onai_events
     WHERE event_date >= $month AND event_date < $month + INTERVAL 1 MONTH LIMIT 1000)
),
sole_copies AS (
    SELECT event_date FROM raw.portal_events
    WHERE request_id IN (SELECT event_key FROM sampled WHERE platform = 'portal')
    QUALIFY count(*) OVER (PARTITION BY request_id) = 1
    UNION ALL
    SELECT event_date FROM raw.onai_events
    WHERE event_id IN (SELECT event_key FROM sampled WHERE platform = 'onai')
    QUALIFY count(*) OVER (PARTITION BY event_id) = 1
)
SELECT count(*) > 0 FROM sole_copies WHERE event_date >= $month AND event_date < $month + INTERVAL 1 MONTH
