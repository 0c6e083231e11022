-- Rows per day of the run's partitions against the median of the same weekday over the
-- $weeks weeks before (only days on or after $history_start count as history).
-- {source} and {column} are identifiers from the contract (checked snake_case), not user input.
WITH counts AS (
    SELECT {column} AS day, count(*) AS n
    FROM {source}
    WHERE {column} BETWEEN $first::DATE - 7 * $weeks AND $last::DATE
    GROUP BY 1
),
days AS (
    SELECT CAST(d AS DATE) AS day
    FROM range($first::DATE - 7 * $weeks, $last::DATE + 1, INTERVAL 1 DAY) AS t(d)
),
daily AS (
    SELECT days.day, coalesce(counts.n, 0) AS n FROM days LEFT JOIN counts USING (day)
)
SELECT
    d.day,
    d.n AS row_count,
    median(h.n) AS baseline,
    count(h.n) AS history_weeks
FROM daily AS d
LEFT JOIN daily AS h
    ON h.day < d.day AND h.day >= d.day - 7 * $weeks AND (d.day - h.day) % 7 = 0 AND h.day >= $history_start::DATE
WHERE d.day BETWEEN $first::DATE AND $last::DATE
GROUP BY d.day, d.n
ORDER BY d.day
