-- OnAI's activity rows in staging.events' shape, with the metric dictionary's flags (metrics.md):
-- a qualifying action is a success (처리결과 = 성공) with an employee number; its feature is the OnAI
-- function. OnAI blocks nothing by policy and reports no model, tokens or cost.
SELECT
    'onai' AS platform,
    event_id AS event_key,
    employee_key,
    started_at,
    event_date,
    file_date,
    date_trunc('month', event_date)::DATE AS month,
    status,
    false AS blocked,
    status = 'success' AND employee_key IS NOT NULL AS qualifying,
    'onai:' || feature AS feature,
    NULL::VARCHAR AS model,
    NULL::VARCHAR AS provider,
    latency_ms,
    NULL::BIGINT AS prompt_tokens,
    NULL::BIGINT AS completion_tokens,
    NULL::DOUBLE AS cost_usd,
    output_kept
FROM staging.onai_events_touching(first_day, last_day, files := files)
