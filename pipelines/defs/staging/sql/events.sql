-- Every event of both platforms in one shape, with the metric dictionary's flags
-- (metrics.md: event, qualifying action, feature, blocked by policy). Also the table macro
-- staging.events_touching(first_day, last_day, portal_files := NULL, onai_files := NULL): the
-- events whose natural key has a copy on those KST days or in those files (all NULL: every
-- event); marts/sql/attributed_events.sql reads it.
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
FROM staging.portal_events_touching(first_day, last_day, files := portal_files)
UNION ALL
SELECT
    'onai',
    event_id,
    employee_key,
    started_at,
    event_date,
    file_date,
    date_trunc('month', event_date)::DATE,
    status,
    false,
    status = 'success' AND employee_key IS NOT NULL,
    'onai:' || feature,
    NULL,
    NULL,
    latency_ms,
    NULL,
    NULL,
    NULL,
    output_kept
FROM staging.onai_events_touching(first_day, last_day, files := onai_files)
