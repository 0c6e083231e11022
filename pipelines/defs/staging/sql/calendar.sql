-- The ministry calendar (metrics.md, Conventions): every date from $first_date to $last_date
-- with its KST month and quarter, Korean public holiday (the `holidays` package's KR calendar,
-- substitute holidays included; passed in as $holiday_dates / $holiday_names) and ministry
-- closure day (landing/calendar/closures.csv). A workday is Monday to Friday, neither.
WITH days AS (
    SELECT range::DATE AS date
    FROM range($first_date::DATE, $last_date::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY)
),
holidays AS (
    SELECT unnest($holiday_dates::DATE[]) AS date, unnest($holiday_names::VARCHAR[]) AS holiday_name
),
closures AS (
    -- The same date listed twice: the copy delivered last wins.
    SELECT closure_date AS date, closure_reason
    FROM raw.calendar_closures
    QUALIFY row_number() OVER (PARTITION BY closure_date ORDER BY delivered_at DESC, file DESC, line DESC) = 1
)
SELECT
    days.date,
    date_trunc('month', days.date)::DATE AS month,
    year(days.date) || 'Q' || quarter(days.date) AS quarter,
    isodow(days.date) AS iso_weekday,
    isodow(days.date) >= 6 AS is_weekend,
    holidays.holiday_name,
    closures.closure_reason,
    isodow(days.date) <= 5 AND holidays.date IS NULL AND closures.date IS NULL AS is_workday
FROM days
LEFT JOIN holidays USING (date)
LEFT JOIN closures USING (date)
ORDER BY days.date
