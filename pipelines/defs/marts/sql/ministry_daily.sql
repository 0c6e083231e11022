-- ministry_daily for one month ($month): one row per date of the month inside the data window
-- (first to last event date), with the ministry calendar's workday flag. People: Roster(M) of
-- the date's month (daily_active_users = those with a qualifying action that date, the
-- ministry row's population). Events: every event of the date, attributed or not (= the
-- ministry row plus `_UNATTRIBUTED` of unit_monthly).
WITH
dataset AS (
    SELECT min(event_date) AS first_date, max(event_date) AS last_date FROM marts.attributed_events
),
days AS (
    SELECT calendar.* FROM staging.calendar, dataset
    WHERE calendar.month = $month AND calendar.date BETWEEN dataset.first_date AND dataset.last_date
),
daily_events AS (
    SELECT
        event_date AS date,
        count(DISTINCT employee_key) FILTER (WHERE qualifying AND in_roster) AS daily_active_users,
        count(*) AS requests,
        count(*) FILTER (WHERE qualifying) AS successful_requests,
        count(*) FILTER (WHERE blocked) AS blocked_requests,
        count(*) FILTER (WHERE status = 'failure') AS failed_requests,
        coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
        coalesce(sum(completion_tokens), 0) AS completion_tokens,
        coalesce(sum(cost_usd), 0) AS cost_usd
    FROM marts.attributed_events
    WHERE month = $month
    GROUP BY event_date
)
SELECT
    days.date,
    days.month,
    days.is_workday,
    days.holiday_name,
    days.closure_reason,
    (SELECT count(*) FROM staging.roster_monthly WHERE month = $month) AS headcount,
    coalesce(daily_events.daily_active_users, 0) AS daily_active_users,
    coalesce(daily_events.requests, 0) AS requests,
    coalesce(daily_events.successful_requests, 0) AS successful_requests,
    coalesce(daily_events.blocked_requests, 0) AS blocked_requests,
    coalesce(daily_events.failed_requests, 0) AS failed_requests,
    coalesce(daily_events.prompt_tokens, 0) AS prompt_tokens,
    coalesce(daily_events.completion_tokens, 0) AS completion_tokens,
    coalesce(daily_events.cost_usd, 0) AS cost_usd,
    $metric_version AS metric_version
FROM days
LEFT JOIN daily_events USING (date)
ORDER BY days.date
