-- unit_monthly for one month ($month, the first day of a KST month): metrics.md, Monthly unit
-- metrics. One row per unit of the org snapshot in force on the month's last day, plus
-- `_UNATTRIBUTED`. Person figures count Roster(M) employees on each unit's whole subtree
-- (distinct counts, never sums of children); event figures count attributed events
-- (marts.attributed_events). Reads the months before $month for the history columns
-- (marts.active_employee_months: who was active in which month) and the month's active days
-- (marts.active_employee_days).
WITH
dataset AS (
    -- The data set's first month (no history yet: new/returning/resurrected/dormant are null)
    -- and its last date (stickiness counts the workdays up to it in a month not yet complete).
    SELECT min(month) AS first_month, max(event_date) AS last_date FROM marts.attributed_events
),
units AS (
    SELECT * FROM staging.org_units_monthly WHERE month = $month
),
subtree AS (
    SELECT ancestor, descendant FROM staging.org_subtree_monthly WHERE month = $month
),
roster AS (
    SELECT employee_key, unit_code FROM staging.roster_monthly WHERE month = $month
),
month_events AS (
    SELECT * FROM marts.attributed_events WHERE month = $month
),
workdays AS (
    SELECT date FROM staging.calendar, dataset
    WHERE month = $month AND is_workday AND date <= dataset.last_date
),
-- Each active employee's month (whether or not in Roster(M): metrics.md, Active in month X). The
-- active days come from marts.active_employee_days (one row per employee and day, written with
-- the events) instead of two DISTINCT counts over the month's events.
active_days AS (
    SELECT
        employee_key,
        count(*) AS active_days,
        count(*) FILTER (WHERE event_date IN (SELECT date FROM workdays)) AS active_workdays
    FROM marts.active_employee_days
    WHERE month = $month
    GROUP BY employee_key
),
active_in_month AS (
    SELECT employee_key, active_days.active_days, active_days.active_workdays, count(DISTINCT feature) AS features_used
    FROM month_events JOIN active_days USING (employee_key)
    WHERE qualifying
    GROUP BY ALL
),
history AS (
    SELECT
        employee_key,
        bool_or(month = ($month::DATE - INTERVAL 1 MONTH)::DATE) AS active_previous_month,
        bool_or(month < ($month::DATE - INTERVAL 1 MONTH)::DATE) AS active_before_previous_month
    FROM marts.active_employee_months
    WHERE month < $month
    GROUP BY employee_key
),
people AS (
    SELECT
        roster.employee_key,
        roster.unit_code,
        active_in_month.employee_key IS NOT NULL AS is_active,
        active_in_month.active_days,
        active_in_month.active_workdays,
        active_in_month.features_used,
        coalesce(history.active_previous_month, false) AS active_previous_month,
        coalesce(history.active_before_previous_month, false) AS active_before_previous_month
    FROM roster
    LEFT JOIN active_in_month USING (employee_key)
    LEFT JOIN history USING (employee_key)
),
person_figures AS (
    SELECT
        subtree.ancestor AS unit_code,
        count(*) AS headcount,
        count(*) FILTER (WHERE is_active) AS active_users,
        avg(active_days) AS active_days_avg,
        count(*) FILTER (WHERE active_days >= 10) AS power_users,
        count(*) FILTER (WHERE active_days BETWEEN 4 AND 9) AS regular_users,
        count(*) FILTER (WHERE active_days BETWEEN 1 AND 3) AS light_users,
        count(*) FILTER (WHERE is_active AND NOT active_previous_month AND NOT active_before_previous_month) AS new_users,
        count(*) FILTER (WHERE is_active AND active_previous_month) AS returning_users,
        count(*) FILTER (WHERE is_active AND NOT active_previous_month AND active_before_previous_month) AS resurrected_users,
        count(*) FILTER (WHERE NOT is_active AND active_previous_month) AS dormant_users,
        -- mean over workdays of (active that day / active users) = active workdays / (workdays * active users)
        sum(active_workdays) / nullif((SELECT count(*) FROM workdays) * count(*) FILTER (WHERE is_active), 0) AS stickiness,
        avg(features_used) AS breadth_avg
    FROM subtree JOIN people ON people.unit_code = subtree.descendant
    GROUP BY subtree.ancestor
),
-- Event figures are sums: each unit's own events are summed first, then its subtree's sums, so
-- the subtree join multiplies a few hundred unit rows instead of every event of the month.
unit_events AS (
    SELECT
        unit_code,
        count(*) AS requests,
        count(*) FILTER (WHERE qualifying) AS successful_requests,
        count(*) FILTER (WHERE blocked) AS blocked_requests,
        count(*) FILTER (WHERE status = 'failure') AS failed_requests,
        sum(prompt_tokens) AS prompt_tokens,
        sum(completion_tokens) AS completion_tokens,
        sum(cost_usd) AS cost_usd,
        sum(assisted_minutes_low) AS assisted_minutes_low,
        sum(assisted_minutes_central) AS assisted_minutes_central,
        sum(assisted_minutes_high) AS assisted_minutes_high,
        count(*) FILTER (WHERE qualifying AND output_kept) AS output_kept,
        count(*) FILTER (WHERE qualifying AND output_kept IS NOT NULL) AS output_kept_known
    FROM month_events
    GROUP BY unit_code
),
event_figures AS (
    SELECT
        coalesce(subtree.ancestor, unit_events.unit_code) AS unit_code,
        sum(requests)::BIGINT AS requests,
        sum(successful_requests)::BIGINT AS successful_requests,
        sum(blocked_requests)::BIGINT AS blocked_requests,
        sum(failed_requests)::BIGINT AS failed_requests,
        coalesce(sum(prompt_tokens), 0)::BIGINT AS prompt_tokens,
        coalesce(sum(completion_tokens), 0)::BIGINT AS completion_tokens,
        coalesce(sum(cost_usd), 0) AS cost_usd,
        sum(assisted_minutes_low) / 60 AS assisted_hours_low,
        sum(assisted_minutes_central) / 60 AS assisted_hours_central,
        sum(assisted_minutes_high) / 60 AS assisted_hours_high,
        sum(output_kept) / nullif(sum(output_kept_known), 0) AS output_kept_rate
    FROM unit_events LEFT JOIN subtree ON subtree.descendant = unit_events.unit_code
    GROUP BY ALL
),
unit_rows AS (
    SELECT unit_code, level AS unit_level, unit_name_ko, unit_name_en, parent_code, function FROM units
    UNION ALL
    SELECT '_UNATTRIBUTED', 'none', '미귀속', 'Unattributed', NULL, NULL
)
SELECT
    $month::DATE AS month,
    unit_rows.unit_code,
    unit_rows.unit_level,
    unit_rows.unit_name_ko,
    unit_rows.unit_name_en,
    unit_rows.parent_code,
    unit_rows.function,
    coalesce(p.headcount, 0) AS headcount,
    -- `_UNATTRIBUTED` has no people: its person columns are null (metrics.md).
    CASE WHEN person_row THEN coalesce(p.active_users, 0) END AS active_users,
    CASE WHEN person_row AND p.headcount > 0 THEN p.active_users / p.headcount END AS adoption_rate,
    CASE WHEN person_row THEN p.active_days_avg END AS active_days_avg,
    CASE WHEN person_row THEN coalesce(p.power_users, 0) END AS power_users,
    CASE WHEN person_row THEN coalesce(p.regular_users, 0) END AS regular_users,
    CASE WHEN person_row THEN coalesce(p.light_users, 0) END AS light_users,
    CASE WHEN person_row AND has_history THEN coalesce(p.new_users, 0) END AS new_users,
    CASE WHEN person_row AND has_history THEN coalesce(p.returning_users, 0) END AS returning_users,
    CASE WHEN person_row AND has_history THEN coalesce(p.resurrected_users, 0) END AS resurrected_users,
    CASE WHEN person_row AND has_history THEN coalesce(p.dormant_users, 0) END AS dormant_users,
    CASE WHEN person_row THEN p.stickiness END AS stickiness,
    CASE WHEN person_row THEN p.breadth_avg END AS breadth_avg,
    coalesce(e.requests, 0) AS requests,
    coalesce(e.successful_requests, 0) AS successful_requests,
    coalesce(e.blocked_requests, 0) AS blocked_requests,
    coalesce(e.failed_requests, 0) AS failed_requests,
    coalesce(e.prompt_tokens, 0) AS prompt_tokens,
    coalesce(e.completion_tokens, 0) AS completion_tokens,
    coalesce(e.cost_usd, 0) AS cost_usd,
    coalesce(e.assisted_hours_low, 0) AS assisted_hours_low,
    coalesce(e.assisted_hours_central, 0) AS assisted_hours_central,
    coalesce(e.assisted_hours_high, 0) AS assisted_hours_high,
    e.output_kept_rate,
    $metric_version AS metric_version
FROM (
    SELECT unit_rows.*, unit_code <> '_UNATTRIBUTED' AS person_row,
           $month::DATE > (SELECT first_month FROM dataset) AS has_history
    FROM unit_rows
) unit_rows
LEFT JOIN person_figures p USING (unit_code)
LEFT JOIN event_figures e USING (unit_code)
ORDER BY unit_rows.unit_code
