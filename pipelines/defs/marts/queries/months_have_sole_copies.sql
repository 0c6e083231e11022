-- Whether the months $first_month and $last_month each hold an event whose natural key has no
-- other copy in raw: such an event wins de-duplication, so staging.events has that month. Only a
-- sample of each month's keys is looked up (their copies anywhere in the history), not every key
-- of the history, and both samples in one pass over the history's keys (one pass per month cost
-- 0.36-0.41 s each at 10 M events).
-- Keys are matched across sources: a key two sources share counts as copied, and at worst the
-- caller asks staging.events instead.
WITH sampled AS (
    (SELECT event_key FROM {raw_event_copies}
     WHERE event_date >= $first_month AND event_date < $first_month + INTERVAL 1 MONTH LIMIT 2000)
    UNION ALL
    (SELECT event_key FROM {raw_event_copies}
     WHERE event_date >= $last_month AND event_date < $last_month + INTERVAL 1 MONTH LIMIT 2000)
),
sole_copies AS (
    SELECT event_date FROM {raw_event_copies}
    WHERE event_key IN (SELECT event_key FROM sampled)
    QUALIFY count(*) OVER (PARTITION BY event_key) = 1
)
SELECT
    count(*) FILTER (WHERE event_date >= $first_month AND event_date < $first_month + INTERVAL 1 MONTH) > 0,
    count(*) FILTER (WHERE event_date >= $last_month AND event_date < $last_month + INTERVAL 1 MONTH) > 0
FROM sole_copies
