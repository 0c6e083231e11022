-- model_monthly for one month ($month): one row per portal model (the public model name,
-- LiteLLM `model_group`) and vendor (`custom_llm_provider`), over every portal event of the
-- month, attributed or not. failure_rate = failed / requests; latency percentiles over the
-- requests with a latency (request_duration_ms, else endTime - startTime), interpolated.
SELECT
    $month::DATE AS month,
    coalesce(model, '(unknown)') AS model,
    coalesce(provider, '(unknown)') AS provider,
    count(*) AS requests,
    count(*) FILTER (WHERE qualifying) AS successful_requests,
    count(*) FILTER (WHERE status = 'failure') AS failed_requests,
    count(*) FILTER (WHERE status = 'failure') / count(*) AS failure_rate,
    coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
    coalesce(sum(completion_tokens), 0) AS completion_tokens,
    coalesce(sum(cost_usd), 0) AS cost_usd,
    quantile_cont(latency_ms, 0.5) AS latency_p50_ms,
    quantile_cont(latency_ms, 0.95) AS latency_p95_ms,
    $metric_version AS metric_version
FROM marts.attributed_events
WHERE month = $month AND platform = 'portal'
GROUP BY ALL
ORDER BY model, provider
