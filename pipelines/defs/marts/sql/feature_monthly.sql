-- feature_monthly for one month ($month): one row per feature used in the month (portal
-- service or OnAI function, metrics.md, Feature). Events: every event of the feature,
-- attributed or not. active_users: Roster(M) employees with a qualifying action on the
-- feature. Assisted hours: the feature's minutes (config/assisted_minutes.yaml) per
-- qualifying action, / 60; an unmapped feature saves 0 and has feature_mapped = false.
SELECT
    $month::DATE AS month,
    feature,
    any_value(platform) AS platform,
    bool_or(feature_mapped) AS feature_mapped,
    count(*) AS requests,
    count(*) FILTER (WHERE qualifying) AS successful_requests,
    count(DISTINCT employee_key) FILTER (WHERE qualifying AND in_roster) AS active_users,
    sum(assisted_minutes_low) / 60 AS assisted_hours_low,
    sum(assisted_minutes_central) / 60 AS assisted_hours_central,
    sum(assisted_minutes_high) / 60 AS assisted_hours_high,
    $metric_version AS metric_version
FROM marts.attributed_events
WHERE month = $month
GROUP BY feature
ORDER BY feature
