-- The metric dictionary's columns of the portal's requests (metrics.md), over raw.portal_events'
-- columns: a qualifying action is a success, not blocked by policy, with a user, and not a system
-- call (embedding, moderation, rerank); its feature is the portal service.
-- A select list: staging/assets.py (events_sql) puts before it the columns every platform shares
-- (platform, event_key, employee_key, started_at, event_date, file_date, month) and reads the
-- portal's de-duplicated copies.
    status,
    coalesce(guardrail_status = 'guardrail_intervened', false) AS blocked,
    status = 'success'
        AND NOT coalesce(guardrail_status = 'guardrail_intervened', false)
        AND employee_key IS NOT NULL
        AND call_type NOT IN ('embedding', 'aembedding', 'moderation', 'amoderation', 'rerank', 'arerank')
        AS qualifying,
    'portal:' || service AS feature,
    model_group AS model,
    provider,
    latency_ms,
    prompt_tokens,
    completion_tokens,
    spend_usd AS cost_usd,
    NULL::BOOLEAN AS output_kept
