-- Type and validate portal spend-log lines. Input: lines(line, text). Output: one row per
-- line; `reason` is NULL for a good row. Parameters: $earliest (DATE), $latest (TIMESTAMPTZ).
-- Content fields (messages, response, requester_ip_address, api_key, end_user, ...) are
-- never extracted, so they never leave this query.
WITH parsed AS (
    SELECT
        file_no,
        line,
        text,
        starts_with(ltrim(text), '{') AS starts_as_object,
        -- One JSON parse per line reads every field as text (numbers too, so a malformed one is
        -- told from a missing one); TRY() turns a malformed or cut-off line into NULL. The whole
        -- parse costs about a quarter less CPU than with from_json into a struct of the same fields
        -- (137 k lines of the 10 M sample, 1 thread, best of 6: 1.22 -> 0.90 s), which paid for
        -- writing numbers back out as text and for building the struct.
        try(json_extract_string(text, [
            '$.request_id', '$.call_type', '$.status', '$.startTime', '$.endTime', '$.request_duration_ms',
            '$.model', '$.model_group', '$.custom_llm_provider', '$.prompt_tokens', '$.completion_tokens',
            '$.total_tokens', '$.spend', '$.user', '$.metadata.service', '$.metadata.guardrail_status'
        ])) AS v
    FROM lines
),
fields AS (
    SELECT file_no, line, text, starts_as_object AND v IS NOT NULL AS is_object,
        v[1] AS request_id, v[2] AS call_type, v[3] AS status, v[4] AS start_text, v[5] AS end_text,
        v[6] AS duration_text, v[7] AS model, v[8] AS model_group, v[9] AS provider,
        v[10] AS prompt_text, v[11] AS completion_text, v[12] AS total_text, v[13] AS spend_text,
        v[14] AS user_text, nullif(trim(v[15]), '') AS metadata_service, v[16] AS guardrail_text
    FROM parsed
),
typed AS (
    SELECT
        file_no,
        line,
        is_object,
        nullif(trim(request_id), '') AS request_id,
        nullif(trim(call_type), '') AS call_type,
        nullif(trim(status), '') AS status,
        start_text,
        TRY_CAST(start_text AS TIMESTAMPTZ) AS started_at,
        TRY_CAST(end_text AS TIMESTAMPTZ) AS ended_at,
        duration_text,
        TRY_CAST(duration_text AS DOUBLE) AS duration_ms,
        model, model_group, provider,
        prompt_text, TRY_CAST(prompt_text AS BIGINT) AS prompt_tokens,
        completion_text, TRY_CAST(completion_text AS BIGINT) AS completion_tokens,
        total_text, TRY_CAST(total_text AS BIGINT) AS total_tokens,
        spend_text, TRY_CAST(spend_text AS DOUBLE) AS spend_usd,
        nullif(upper(trim(user_text)), '') AS employee_raw,
        coalesce(
            metadata_service,
            -- The tags are parsed (a second parse) only for the ~10% of lines without metadata.service.
            CASE WHEN is_object AND metadata_service IS NULL THEN nullif(substr(list_filter(
                try(from_json(json_extract(text, '$.request_tags'), '["VARCHAR"]')),
                lambda t: starts_with(t, 'service:'))[1], 9), '') END,
            'unknown'
        ) AS service,
        nullif(trim(guardrail_text), '') AS guardrail_status
    FROM fields
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
