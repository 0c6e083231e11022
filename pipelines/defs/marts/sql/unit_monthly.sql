-- unit_monthly for one month ($month, the first day of a KST month), per metrics.md:
-- Roster(M) attribution, figures over each unit's whole subtree (distinct counts, never
-- sums of children), and `_UNATTRIBUTED` for every event no rostered unit can take.
WITH
bounds AS (
    SELECT $month::DATE AS month, last_day($month::DATE) AS month_end
),
-- The snapshot in force on the month's last day: the latest on or before it, else the first.
roster_snapshot AS (
    SELECT coalesce(max(snapshot_date) FILTER (WHERE snapshot_date <= month_end), min(snapshot_date)) AS snapshot_date
    FROM staging.hr_roster, bounds
),
org_snapshot AS (
    SELECT coalesce(max(snapshot_date) FILTER (WHERE snapshot_date <= month_end), min(snapshot_date)) AS snapshot_date
    FROM staging.hr_org_units, bounds
),
units AS (
    SELECT u.* FROM staging.hr_org_units u JOIN org_snapshot USING (snapshot_date)
),
-- Every (ancestor, descendant) pair, a unit being its own descendant. UNION (not UNION ALL)
-- stops on a cyclic parent chain instead of recursing forever.
subtree AS (
    WITH RECURSIVE pairs(ancestor, descendant) AS (
        SELECT unit_code, unit_code FROM units
        UNION
        SELECT pairs.ancestor, units.unit_code
        FROM pairs JOIN units ON units.parent_code = pairs.descendant
    )
    SELECT * FROM pairs
),
-- Roster(M): active employees whose unit exists in the month's org snapshot.
roster AS (
    SELECT r.employee_key, r.unit_code
    FROM staging.hr_roster r JOIN roster_snapshot USING (snapshot_date)
    WHERE r.status = 'active' AND r.unit_code IN (SELECT unit_code FROM units)
),
month_events AS (
    SELECT e.*, coalesce(roster.unit_code, '_UNATTRIBUTED') AS unit_code
    FROM staging.events e
    JOIN bounds ON e.month = bounds.month
    LEFT JOIN roster USING (employee_key)
),
people AS (
    SELECT
        roster.employee_key,
        roster.unit_code,
        count(month_events.event_key) FILTER (WHERE month_events.qualifying) > 0 AS is_active
    FROM roster LEFT JOIN month_events USING (employee_key)
    GROUP BY ALL
),
person_figures AS (
    SELECT
        subtree.ancestor AS unit_code,
        count(*) AS headcount,
        count(*) FILTER (WHERE people.is_active) AS active_users
    FROM subtree JOIN people ON people.unit_code = subtree.descendant
    GROUP BY ALL
),
event_figures AS (
    SELECT
        coalesce(subtree.ancestor, month_events.unit_code) AS unit_code,
        count(*) AS requests,
        count(*) FILTER (WHERE qualifying) AS successful_requests,
        count(*) FILTER (WHERE blocked) AS blocked_requests,
        count(*) FILTER (WHERE status = 'failure') AS failed_requests,
        coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
        coalesce(sum(completion_tokens), 0) AS completion_tokens,
        coalesce(sum(cost_usd), 0) AS cost_usd
    FROM month_events LEFT JOIN subtree ON subtree.descendant = month_events.unit_code
    GROUP BY ALL
),
unit_rows AS (
    SELECT unit_code, level AS unit_level, unit_name_ko, unit_name_en, parent_code, function FROM units
    UNION ALL
    SELECT '_UNATTRIBUTED', 'none', '미귀속', 'Unattributed', NULL, NULL
)
SELECT
    bounds.month,
    unit_rows.unit_code,
    unit_rows.unit_level,
    unit_rows.unit_name_ko,
    unit_rows.unit_name_en,
    unit_rows.parent_code,
    unit_rows.function,
    coalesce(person_figures.headcount, 0) AS headcount,
    CASE WHEN unit_rows.unit_code <> '_UNATTRIBUTED' THEN coalesce(person_figures.active_users, 0) END AS active_users,
    CASE WHEN coalesce(person_figures.headcount, 0) > 0
         THEN person_figures.active_users / person_figures.headcount END AS adoption_rate,
    coalesce(event_figures.requests, 0) AS requests,
    coalesce(event_figures.successful_requests, 0) AS successful_requests,
    coalesce(event_figures.blocked_requests, 0) AS blocked_requests,
    coalesce(event_figures.failed_requests, 0) AS failed_requests,
    coalesce(event_figures.prompt_tokens, 0) AS prompt_tokens,
    coalesce(event_figures.completion_tokens, 0) AS completion_tokens,
    coalesce(event_figures.cost_usd, 0) AS cost_usd,
    $metric_version AS metric_version
FROM unit_rows
CROSS JOIN bounds
LEFT JOIN person_figures USING (unit_code)
LEFT JOIN event_figures USING (unit_code)
ORDER BY unit_rows.unit_code
