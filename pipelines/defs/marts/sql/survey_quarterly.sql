-- survey_quarterly (whole history): metrics.md, Survey. One row per quarter of the survey
-- data and unit of the org snapshot in force on the quarter's last day, plus `_UNATTRIBUTED`
-- (answers naming a unit that snapshot does not hold). A unit's figures cover its subtree.
-- respondents: answers; headcount: Roster(last month of the quarter) on the subtree;
-- response_rate = respondents / headcount; agree_rate_*: share answering 4 or 5 among those
-- who answered the statement; minutes_saved_per_week_avg: mean over those who gave a number.
WITH
quarters AS (
    SELECT DISTINCT
        quarter,
        make_date(TRY_CAST(left(quarter, 4) AS INTEGER), 3 * TRY_CAST(right(quarter, 1) AS INTEGER), 1) AS last_month
    FROM staging.survey_responses
),
units AS (
    SELECT quarters.quarter, quarters.last_month, u.*
    FROM quarters JOIN staging.org_units_monthly u ON u.month = quarters.last_month
),
subtree AS (
    SELECT quarters.quarter, s.ancestor, s.descendant
    FROM quarters JOIN staging.org_subtree_monthly s ON s.month = quarters.last_month
),
headcounts AS (
    SELECT subtree.quarter, subtree.ancestor AS unit_code, count(*) AS headcount
    FROM quarters
    JOIN staging.roster_monthly roster ON roster.month = quarters.last_month
    JOIN subtree ON subtree.quarter = quarters.quarter AND subtree.descendant = roster.unit_code
    GROUP BY ALL
),
answers AS (
    SELECT
        coalesce(subtree.ancestor, '_UNATTRIBUTED') AS unit_code,
        responses.*
    FROM staging.survey_responses responses
    LEFT JOIN subtree ON subtree.quarter = responses.quarter AND subtree.descendant = responses.unit_code
),
answer_figures AS (
    SELECT
        quarter,
        unit_code,
        count(*) AS respondents,
        count(*) FILTER (WHERE q_faster >= 4) / nullif(count(q_faster), 0) AS agree_rate_faster,
        count(*) FILTER (WHERE q_quality >= 4) / nullif(count(q_quality), 0) AS agree_rate_quality,
        count(*) FILTER (WHERE q_effort >= 4) / nullif(count(q_effort), 0) AS agree_rate_effort,
        count(*) FILTER (WHERE q_productive >= 4) / nullif(count(q_productive), 0) AS agree_rate_productive,
        avg(minutes_saved_per_week) AS minutes_saved_per_week_avg
    FROM answers
    GROUP BY quarter, unit_code
),
unit_rows AS (
    SELECT quarter, unit_code, level AS unit_level, unit_name_ko, unit_name_en, parent_code FROM units
    UNION ALL
    SELECT quarter, '_UNATTRIBUTED', 'none', '미귀속', 'Unattributed', NULL FROM quarters
)
SELECT
    unit_rows.quarter,
    unit_rows.unit_code,
    unit_rows.unit_level,
    unit_rows.unit_name_ko,
    unit_rows.unit_name_en,
    unit_rows.parent_code,
    coalesce(a.respondents, 0) AS respondents,
    coalesce(h.headcount, 0) AS headcount,
    coalesce(a.respondents, 0) / nullif(h.headcount, 0) AS response_rate,
    a.agree_rate_faster,
    a.agree_rate_quality,
    a.agree_rate_effort,
    a.agree_rate_productive,
    a.minutes_saved_per_week_avg,
    $metric_version AS metric_version
FROM unit_rows
LEFT JOIN answer_figures a USING (quarter, unit_code)
LEFT JOIN headcounts h USING (quarter, unit_code)
ORDER BY unit_rows.quarter, unit_rows.unit_code
