-- Whether the month $month holds an event whose natural key has no other copy in raw: such an
-- event wins de-duplication, so staging.events has that month. Only a sample of the month's keys
-- is looked up (their copies anywhere in the history), not every key of the history.
-- Keys are matched across sources: a key two sources share counts as copied, and at worst the
-- caller asks staging.events instead.
WITH sampled AS (
    SELECT event_key FROM {raw_event_copies}
    WHERE event_date >= $month AND event_date < $month + INTERVAL 1 MONTH LIMIT 2000
),
sole_copies AS (
    SELECT event_date FROM {raw_event_copies}
    WHERE event_key IN (SELECT event_key FROM sampled)
    QUALIFY count(*) OVER (PARTITION BY event_key) = 1
)
SELECT count(*) > 0 FROM sole_copies WHERE event_date >= $month AND event_date < $month + INTERVAL 1 MONTH
