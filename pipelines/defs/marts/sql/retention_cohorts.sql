-- retention_cohorts (whole history): metrics.md, Retention cohorts. A cohort is the Roster
-- employees whose first qualifying action ever falls in cohort_month, ministry-wide and per
-- office (the office whose subtree held their Roster(cohort_month) unit; names as of then).
-- For each month from the cohort month to the data's last month: still_in_roster = cohort
-- members in Roster(month), active_users = those of them with a qualifying action in the month,
-- retention_rate = active_users / still_in_roster (months_since_first = 0 is 1 by definition).
WITH
data_months AS (
    SELECT range::DATE AS month
    FROM range((SELECT min(month) FROM marts.attributed_events),
               (SELECT max(month) FROM marts.attributed_events) + INTERVAL 1 MONTH, INTERVAL 1 MONTH)
),
active_months AS (
    SELECT employee_key, month FROM marts.active_employee_months
),
first_active AS (
    SELECT employee_key, min(month) AS cohort_month FROM active_months GROUP BY employee_key
),
-- Each cohort member under each scope unit of their cohort month: the ministry and their office.
members AS (
    SELECT first_active.employee_key, first_active.cohort_month, scope_unit.*
    FROM first_active
    JOIN staging.roster_monthly roster
        ON roster.month = first_active.cohort_month AND roster.employee_key = first_active.employee_key
    JOIN staging.org_subtree_monthly subtree
        ON subtree.month = first_active.cohort_month AND subtree.descendant = roster.unit_code
    JOIN staging.org_units_monthly scope_unit
        ON scope_unit.month = first_active.cohort_month AND scope_unit.unit_code = subtree.ancestor
    WHERE scope_unit.level IN ('ministry', 'office')
),
cohort_sizes AS (
    SELECT unit_code, cohort_month, count(*) AS cohort_size FROM members GROUP BY ALL
),
followed AS (
    SELECT
        members.level AS scope,
        members.unit_code,
        members.unit_name_ko,
        members.unit_name_en,
        members.parent_code,
        members.cohort_month,
        data_months.month,
        members.employee_key,
        roster.employee_key IS NOT NULL AS in_roster,
        active_months.employee_key IS NOT NULL AS is_active
    FROM members
    JOIN data_months ON data_months.month >= members.cohort_month
    LEFT JOIN staging.roster_monthly roster
        ON roster.month = data_months.month AND roster.employee_key = members.employee_key
    LEFT JOIN active_months
        ON active_months.month = data_months.month AND active_months.employee_key = members.employee_key
)
SELECT
    scope,
    unit_code,
    any_value(unit_name_ko) AS unit_name_ko,
    any_value(unit_name_en) AS unit_name_en,
    any_value(parent_code) AS parent_code,
    cohort_month,
    month,
    CAST(datediff('month', cohort_month, month) AS INTEGER) AS months_since_first,
    any_value(cohort_sizes.cohort_size) AS cohort_size,
    count(*) FILTER (WHERE in_roster) AS still_in_roster,
    count(*) FILTER (WHERE in_roster AND is_active) AS active_users,
    count(*) FILTER (WHERE in_roster AND is_active) / nullif(count(*) FILTER (WHERE in_roster), 0) AS retention_rate,
    $metric_version AS metric_version
FROM followed
JOIN cohort_sizes USING (unit_code, cohort_month)
GROUP BY scope, unit_code, cohort_month, month
ORDER BY scope DESC, unit_code, cohort_month, month
