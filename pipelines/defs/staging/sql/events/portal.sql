-- The portal's requests in staging.events' shape, with the metric dictionary's flags (metrics.md):
-- a qualifying action is a success, not blocked by policy, with a user, and not a system call
-- (embedding, moderation, rerank); its feature is the portal service.
SELECT
    'portal' AS platform,
    request_id AS event_key,
    employee_key,
    started_at,
    event_date,
    file_date,
    date_trunc('month', event_date)::DATE AS month,
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
FROM staging.portal_events_touching(first_day, last_day, files := files)
