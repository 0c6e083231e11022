-- pioneers_monthly for one month ($month): the AI Pioneer Group against everyone else, and
-- units that have a pioneer against units that have none (metrics.md, Other marts).
-- Population: Roster(M). A pioneer is a member on the month's last day (joined_on on or before
-- it, left_on after it or empty; staging.pioneer_membership, the newest roster file). A unit is
-- an employee's own Roster(M) unit (not the subtree): it "has a pioneer" when one of its own
-- members is one. colleagues_of_pioneers = the non-pioneers of those units (spill-over).
WITH
roster AS (
    SELECT employee_key, unit_code FROM staging.roster_monthly WHERE month = $month
),
pioneers AS (
    SELECT employee_key FROM staging.pioneer_membership
    WHERE joined_on <= last_day($month::DATE) AND (left_on IS NULL OR left_on > last_day($month::DATE))
),
active_in_month AS (
    SELECT employee_key, count(DISTINCT event_date) AS active_days, count(DISTINCT feature) AS features_used
    FROM marts.attributed_events
    WHERE month = $month AND qualifying
    GROUP BY employee_key
),
people AS (
    SELECT
        roster.employee_key,
        roster.unit_code,
        roster.employee_key IN (SELECT employee_key FROM pioneers) AS is_pioneer,
        active_in_month.active_days,
        active_in_month.features_used
    FROM roster LEFT JOIN active_in_month USING (employee_key)
),
units_with_pioneer AS (
    SELECT DISTINCT unit_code FROM people WHERE is_pioneer
),
populations AS (
    SELECT 'pioneers' AS population, 1 AS position, * FROM people WHERE is_pioneer
    UNION ALL
    SELECT 'everyone_else', 2, * FROM people WHERE NOT is_pioneer
    UNION ALL
    SELECT 'units_with_pioneer', 3, * FROM people WHERE unit_code IN (SELECT unit_code FROM units_with_pioneer)
    UNION ALL
    SELECT 'units_without_pioneer', 4, * FROM people WHERE unit_code NOT IN (SELECT unit_code FROM units_with_pioneer)
    UNION ALL
    SELECT 'colleagues_of_pioneers', 5, * FROM people
    WHERE NOT is_pioneer AND unit_code IN (SELECT unit_code FROM units_with_pioneer)
),
labels AS (
    SELECT * FROM (VALUES ('pioneers', 1), ('everyone_else', 2), ('units_with_pioneer', 3),
                          ('units_without_pioneer', 4), ('colleagues_of_pioneers', 5)) AS t(population, position)
)
SELECT
    $month::DATE AS month,
    labels.population,
    CASE WHEN labels.position IN (3, 4, 5) THEN count(DISTINCT populations.unit_code) END AS units,
    count(populations.employee_key) AS headcount,
    count(populations.active_days) AS active_users,
    count(populations.active_days) / nullif(count(populations.employee_key), 0) AS adoption_rate,
    avg(populations.active_days) AS active_days_avg,
    avg(populations.features_used) AS breadth_avg,
    $metric_version AS metric_version
FROM labels
LEFT JOIN populations USING (population)
GROUP BY labels.population, labels.position
ORDER BY labels.position
