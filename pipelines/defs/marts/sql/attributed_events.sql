-- attributed_events for the months $first_month .. $last_month (internal, not published):
-- every de-duplicated event (staging.events) attributed per metrics.md: to its employee's
-- Roster(M) unit, or to `_UNATTRIBUTED` (employee not in Roster(M), unknown number, empty user,
-- unit missing from the org snapshot), with its feature's assisted minutes when it is a
-- qualifying action (config/assisted_minutes.yaml via marts.assisted_minutes; '*' = any other).
SELECT
    e.month,
    e.event_date,
    e.file_date,
    e.platform,
    e.event_key,
    e.employee_key,
    coalesce(roster.unit_code, '_UNATTRIBUTED') AS unit_code,
    roster.unit_code IS NOT NULL AS in_roster,
    e.status,
    e.blocked,
    e.qualifying,
    e.feature,
    coefficient.feature IS NOT NULL AS feature_mapped,
    e.model,
    e.provider,
    e.latency_ms,
    e.prompt_tokens,
    e.completion_tokens,
    e.cost_usd,
    e.output_kept,
    CASE WHEN e.qualifying THEN coalesce(coefficient.minutes_low, fallback.minutes_low) ELSE 0 END
        AS assisted_minutes_low,
    CASE WHEN e.qualifying THEN coalesce(coefficient.minutes_central, fallback.minutes_central) ELSE 0 END
        AS assisted_minutes_central,
    CASE WHEN e.qualifying THEN coalesce(coefficient.minutes_high, fallback.minutes_high) ELSE 0 END
        AS assisted_minutes_high
-- Only the events whose key has a copy on the days $first_day .. $last_day (a winner of those
-- months has one there: itself) or in the event files $files are ranked: a rebuild of some
-- months does not de-duplicate the whole history, and a month that only gained new files ranks
-- their keys alone ($first_day NULL; marts/assets.py, build_attributed_events).
FROM staging.events_touching($first_day::DATE, $last_day::DATE, files := $files::VARCHAR[]) e
LEFT JOIN staging.roster_monthly roster
    ON roster.month = e.month AND roster.employee_key = e.employee_key
LEFT JOIN marts.assisted_minutes coefficient
    ON coefficient.feature = e.feature AND coefficient.feature <> '*'
CROSS JOIN (SELECT * FROM marts.assisted_minutes WHERE feature = '*') fallback
WHERE e.month BETWEEN $first_month AND $last_month
-- No ORDER BY: the events come in raw's order (files load in date order), so the zone maps on
-- month stay tight; sorting them as well cost ~0.5 s of ~4.6 s a month at 10 M events.
