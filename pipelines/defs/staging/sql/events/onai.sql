-- The metric dictionary's columns of OnAI's activity rows (metrics.md), over raw.onai_events'
-- columns: a qualifying action is a success (처리결과 = 성공) with an employee number; its feature
-- is the OnAI function. OnAI blocks nothing by policy and reports no model, tokens or cost.
-- A select list: staging/assets.py (events_sql) puts before it the columns every platform shares
-- (platform, event_key, employee_key, started_at, event_date, file_date, month) and reads OnAI's
-- de-duplicated copies.
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
