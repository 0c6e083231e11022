-- Type and validate OnAI activity rows. Input: lines(line, <string columns>). Output: one row
-- per line; `reason` is NULL for a good row. Times are KST without offset.
WITH typed AS (
    SELECT
        *,
        timezone('Asia/Seoul', TRY_STRPTIME(occurred_at, '%Y-%m-%d %H:%M:%S')) AS started_at,
        TRY_CAST(duration_ms AS DOUBLE) AS latency,
        TRY_CAST(input_chars AS BIGINT) AS input_n,
        TRY_CAST(output_chars AS BIGINT) AS output_n
    FROM lines
)
SELECT
    file_no,
    line,
    event_id,
    started_at,
    timezone('Asia/Seoul', started_at)::DATE AS event_date,
    upper(employee_raw) AS employee_raw,
    onai_unit_code,
    feature,
    CASE result WHEN '성공' THEN 'success' WHEN '실패' THEN 'failure' END AS status,
    latency AS latency_ms,
    CASE output_kept WHEN 'Y' THEN true WHEN 'N' THEN false END AS output_kept,
    input_n AS input_chars,
    output_n AS output_chars,
    CASE
        WHEN event_id IS NULL THEN 'missing 이벤트ID'
        WHEN occurred_at IS NULL THEN 'missing 발생일시'
        WHEN started_at IS NULL THEN 'malformed 발생일시 (expected YYYY-MM-DD HH:MM:SS)'
        WHEN feature IS NULL THEN 'missing 기능'
        WHEN result IS NULL THEN 'missing 처리결과'
        WHEN result NOT IN ('성공', '실패') THEN 'invalid 처리결과 (expected 성공 or 실패)'
        WHEN duration_ms IS NOT NULL AND latency IS NULL THEN 'malformed 소요시간(ms)'
        WHEN output_kept IS NOT NULL AND output_kept NOT IN ('Y', 'N') THEN 'invalid 결과활용 (expected Y, N or empty)'
        WHEN input_chars IS NOT NULL AND input_n IS NULL THEN 'malformed 입력글자수'
        WHEN output_chars IS NOT NULL AND output_n IS NULL THEN 'malformed 출력글자수'
        WHEN timezone('Asia/Seoul', started_at)::DATE < $earliest THEN 'event before the start of data collection'
        WHEN started_at > $latest THEN 'event dated more than a day after the run'
    END AS reason
FROM typed
