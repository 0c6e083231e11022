-- Type and validate portal spend-log lines. Input: lines(line, text). Output: one row per
-- line; `reason` is NULL for a good row. Parameters: $earliest (DATE), $latest (TIMESTAMPTZ).
-- Content fields (messages, response, requester_ip_address, api_key, end_user, ...) are
-- never extracted, so they never leave this query.
WITH parsed AS (
    SELECT
        file_no,
        line,
        starts_with(ltrim(text), '{') AS starts_as_object,
        -- One JSON parse per line: TRY() turns a malformed or cut-off line into NULL.
        try(from_json(
            text,
            '{"request_id": "VARCHAR", "call_type": "VARCHAR", "status": "VARCHAR",
              "startTime": "VARCHAR", "endTime": "VARCHAR", "request_duration_ms": "VARCHAR",
              "model": "VARCHAR", "model_group": "VARCHAR", "custom_llm_provider": "VARCHAR",
              "prompt_tokens": "VARCHAR", "completion_tokens": "VARCHAR", "total_tokens": "VARCHAR",
              "spend": "VARCHAR", "user": "VARCHAR",
              "metadata": {"service": "VARCHAR", "guardrail_status": "VARCHAR"},
              "request_tags": "VARCHAR[]"}'
        )) AS f
    FROM lines
),
typed AS (
    SELECT
        file_no,
        line,
        f IS NOT NULL AND starts_as_object AS is_object,
        nullif(trim(f.request_id), '') AS request_id,
        nullif(trim(f.call_type), '') AS call_type,
        nullif(trim(f.status), '') AS status,
        f.startTime AS start_text,
        TRY_CAST(f.startTime AS TIMESTAMPTZ) AS started_at,
        TRY_CAST(f.endTime AS TIMESTAMPTZ) AS ended_at,
        f.request_duration_ms AS duration_text,
        TRY_CAST(f.request_duration_ms AS DOUBLE) AS duration_ms,
        f.model, f.model_group, f.custom_llm_provider AS provider,
        f.prompt_tokens AS prompt_text, TRY_CAST(f.prompt_tokens AS BIGINT) AS prompt_tokens,
        f.completion_tokens AS completion_text, TRY_CAST(f.completion_tokens AS BIGINT) AS completion_tokens,
        f.total_tokens AS total_text, TRY_CAST(f.total_tokens AS BIGINT) AS total_tokens,
        f.spend AS spend_text, TRY_CAST(f.spend AS DOUBLE) AS spend_usd,
        nullif(upper(trim(f.user)), '') AS employee_raw,
        coalesce(
            nullif(trim(f.metadata.service), ''),
            nullif(substr(list_filter(f.request_tags, lambda t: starts_with(t, 'service:'))[1], 9), ''),
            'unknown'
        ) AS service,
        nullif(trim(f.metadata.guardrail_status), '') AS guardrail_status
    FROM parsed
)
SELECT
    file_no,
    line,
    request_id,
    call_type,
    status,
    started_at,
    timezone('Asia/Seoul', started_at)::DATE AS event_date,
    coalesce(duration_ms, epoch_ms(ended_at) - epoch_ms(started_at)) AS latency_ms,
    model,
    model_group,
    provider,
    coalesce(prompt_tokens, 0) AS prompt_tokens,
    coalesce(completion_tokens, 0) AS completion_tokens,
    coalesce(total_tokens, coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0)) AS total_tokens,
    coalesce(spend_usd, 0) AS spend_usd,
    employee_raw,
    service,
    guardrail_status,
    CASE
        WHEN NOT is_object THEN 'not a JSON object (malformed or cut-off line)'
        WHEN request_id IS NULL THEN 'missing request_id'
        WHEN call_type IS NULL THEN 'missing call_type'
        WHEN status IS NULL THEN 'missing status'
        WHEN status NOT IN ('success', 'failure') THEN 'invalid status (expected success or failure)'
        WHEN start_text IS NULL THEN 'missing startTime'
        WHEN started_at IS NULL THEN 'malformed startTime'
        WHEN duration_text IS NOT NULL AND duration_ms IS NULL THEN 'malformed request_duration_ms'
        WHEN prompt_text IS NOT NULL AND prompt_tokens IS NULL THEN 'malformed prompt_tokens'
        WHEN completion_text IS NOT NULL AND completion_tokens IS NULL THEN 'malformed completion_tokens'
        WHEN total_text IS NOT NULL AND total_tokens IS NULL THEN 'malformed total_tokens'
        WHEN spend_text IS NOT NULL AND spend_usd IS NULL THEN 'malformed spend'
        WHEN timezone('Asia/Seoul', started_at)::DATE < $earliest THEN 'event before the start of data collection'
        WHEN started_at > $latest THEN 'event dated more than a day after the run'
    END AS reason
FROM typed
