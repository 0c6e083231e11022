-- governance_monthly for one month ($month): how much is blocked by policy and how much fails,
-- and where the traffic and the money go. Rows: breakdown `all` (every event), `platform`
-- (portal, onai), `vendor` and `model` (portal events; a model row names its vendor).
-- *_share within the row: blocked / requests, failed / requests; request_share and cost_share
-- are the row's part of the month's total events and cost.
WITH month_events AS (
    SELECT * FROM marts.attributed_events WHERE month = $month
),
breakdowns AS (
    SELECT 'all' AS breakdown, 'all' AS item, NULL AS vendor, * FROM month_events
    UNION ALL
    SELECT 'platform', platform, NULL, * FROM month_events
    UNION ALL
    SELECT 'vendor', coalesce(provider, '(unknown)'), coalesce(provider, '(unknown)'), * FROM month_events
    WHERE platform = 'portal'
    UNION ALL
    SELECT 'model', coalesce(model, '(unknown)'), coalesce(provider, '(unknown)'), * FROM month_events
    WHERE platform = 'portal'
),
totals AS (
    SELECT count(*) AS requests, coalesce(sum(cost_usd), 0) AS cost_usd FROM month_events
)
SELECT
    $month::DATE AS month,
    breakdown,
    item,
    vendor,
    count(*) AS requests,
    count(*) / any_value(totals.requests) AS request_share,
    count(*) FILTER (WHERE blocked) AS blocked_requests,
    count(*) FILTER (WHERE blocked) / count(*) AS blocked_share,
    count(*) FILTER (WHERE status = 'failure') AS failed_requests,
    count(*) FILTER (WHERE status = 'failure') / count(*) AS failure_share,
    coalesce(sum(breakdowns.cost_usd), 0) AS cost_usd,
    coalesce(sum(breakdowns.cost_usd), 0) / nullif(any_value(totals.cost_usd), 0) AS cost_share,
    $metric_version AS metric_version
FROM breakdowns, totals
GROUP BY breakdown, item, vendor
ORDER BY CASE breakdown WHEN 'all' THEN 0 WHEN 'platform' THEN 1 WHEN 'vendor' THEN 2 ELSE 3 END, item, vendor
