-- The bare-DuckDB lower bound of issue 9: unit_monthly's headcount, active users, requests,
-- tokens and assisted hours (metrics.md) straight from the landing files, with Roster(M)
-- attribution and the subtree roll-up. No raw layer, ledger, quarantine rows, pseudonyms or
-- Dagster: only what the figures need. Rows the pipeline would reject are filtered out and
-- each natural key counts once (the copy delivered last wins), so the result must equal
-- marts.unit_monthly (the harness checks it after the clock stops).
--
-- Three statements, each the bare counterpart of a pipeline stage, so the harness can time
-- them apart (materialising between them costs a few per cent against one fused query):
--   1. lb_rows      read, type and validate every event file    (ingest)
--   2. lb_events    one row per natural key, with its KST month  (staging)
--   3. lower_bound  read HR, attribute, aggregate, roll up       (marts)
--
-- The harness sets these variables before it starts the clock:
--   portal_files, onai_files, roster_files, org_files  VARCHAR[]  (files the pipeline rejects
--       whole already screened out; CP949 OnAI files replaced by UTF-8 copies, same mtime)
--   earliest  DATE         start of data collection (AXMETER_DATA_START)
--   latest    TIMESTAMPTZ  run time + 1 day (later events are "in the future")
SET TimeZone = 'UTC';

-- 1. ingest ----------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE lb_rows AS
WITH
portal_lines AS (
    SELECT *,
           trim(request_id) AS key,
           TRY_CAST(startTime AS TIMESTAMPTZ) AS started_at,
           TRY_CAST(prompt_tokens AS BIGINT) AS prompt_n,
           TRY_CAST(completion_tokens AS BIGINT) AS completion_n
    -- Declared columns: no schema sampling. A cut-off line comes back as all NULLs.
    FROM read_json(getvariable('portal_files'), format = 'newline_delimited', ignore_errors = true,
                   filename = true,
                   columns = {request_id: 'VARCHAR', call_type: 'VARCHAR', status: 'VARCHAR',
                              startTime: 'VARCHAR', "user": 'VARCHAR', prompt_tokens: 'VARCHAR',
                              completion_tokens: 'VARCHAR',
                              metadata: 'STRUCT(service VARCHAR, guardrail_status VARCHAR)',
                              request_tags: 'VARCHAR[]'})
),
portal AS (
    SELECT
        'portal' AS platform,
        key,
        filename,
        started_at,
        nullif(upper(trim("user")), '') AS employee,
        coalesce(prompt_n, 0) AS prompt_tokens,
        coalesce(completion_n, 0) AS completion_tokens,
        trim(status) = 'success'
            AND coalesce(trim(metadata.guardrail_status), '') <> 'guardrail_intervened'
            AND nullif(trim("user"), '') IS NOT NULL
            AND trim(call_type) NOT IN ('embedding', 'aembedding', 'moderation', 'amoderation', 'rerank', 'arerank')
            AS qualifying,
        'portal:' || coalesce(nullif(trim(metadata.service), ''),
                              nullif(substr(list_filter(request_tags, lambda t: starts_with(t, 'service:'))[1], 9), ''),
                              'unknown') AS feature
    FROM portal_lines
    WHERE nullif(key, '') IS NOT NULL
      AND nullif(trim(call_type), '') IS NOT NULL
      AND trim(status) IN ('success', 'failure')
      AND started_at IS NOT NULL
      AND (prompt_tokens IS NULL OR prompt_n IS NOT NULL)
      AND (completion_tokens IS NULL OR completion_n IS NOT NULL)
),
onai_rows AS (
    SELECT *,
           nullif(trim(event_id), '') AS key,
           timezone('Asia/Seoul', TRY_STRPTIME(trim(occurred_at), '%Y-%m-%d %H:%M:%S')) AS started_at
    -- Declared columns and dialect: sniffing each of ~300 files costs ~40 ms apiece.
    -- A row with the wrong number of fields (cut-off line) is skipped by ignore_errors.
    FROM read_csv(getvariable('onai_files'), header = true, auto_detect = false, filename = true,
                  delim = ',', quote = '"', escape = '"', ignore_errors = true,
                  columns = {event_id: 'VARCHAR', occurred_at: 'VARCHAR', employee: 'VARCHAR',
                             onai_unit: 'VARCHAR', feature: 'VARCHAR', result: 'VARCHAR',
                             duration_ms: 'VARCHAR', output_kept: 'VARCHAR', input_chars: 'VARCHAR',
                             output_chars: 'VARCHAR'})
),
onai AS (
    SELECT
        'onai' AS platform,
        key,
        filename,
        started_at,
        nullif(upper(trim(employee)), '') AS employee,
        0 AS prompt_tokens,
        0 AS completion_tokens,
        trim(result) = '성공' AND nullif(trim(employee), '') IS NOT NULL AS qualifying,
        'onai:' || trim(feature) AS feature
    FROM onai_rows
    WHERE key IS NOT NULL
      AND started_at IS NOT NULL
      AND nullif(trim(feature), '') IS NOT NULL
      AND trim(result) IN ('성공', '실패')
      AND (nullif(trim(duration_ms), '') IS NULL OR TRY_CAST(trim(duration_ms) AS DOUBLE) IS NOT NULL)
),
delivered AS (  -- file mtime = delivery time; read_blob reads no content when none is selected
    SELECT filename, last_modified AS delivered_at
    FROM read_blob(list_concat(getvariable('portal_files'), getvariable('onai_files')))
)
SELECT e.*, delivered.delivered_at
FROM (SELECT * FROM portal UNION ALL SELECT * FROM onai) e JOIN delivered USING (filename)
WHERE timezone('Asia/Seoul', e.started_at)::DATE >= getvariable('earliest')
  AND e.started_at <= getvariable('latest');

-- 2. staging ---------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE lb_events AS
SELECT platform, employee, prompt_tokens, completion_tokens, qualifying, feature,
       date_trunc('month', timezone('Asia/Seoul', started_at))::DATE AS month
FROM lb_rows
QUALIFY row_number() OVER (PARTITION BY platform, key ORDER BY delivered_at DESC, filename DESC) = 1;

-- 3. marts -----------------------------------------------------------------------------------
CREATE OR REPLACE TEMP TABLE lower_bound AS
WITH
coefficients(feature, low, central, high) AS (  -- metrics.md, minutes per qualifying action
    VALUES ('portal:chat', 1, 3, 5), ('portal:translate', 5, 10, 15), ('portal:summarize', 3, 6, 10),
           ('portal:draft', 8, 15, 25), ('portal:code', 5, 10, 15), ('portal:search', 1, 3, 5),
           ('portal:image', 2, 5, 8), ('onai:보고서초안', 10, 20, 30), ('onai:회의록요약', 8, 15, 25),
           ('onai:문서검색', 1, 3, 5), ('onai:번역', 5, 10, 15), ('onai:보도자료초안', 10, 20, 30),
           ('onai:민원답변초안', 8, 15, 25), ('onai:데이터분석', 6, 12, 20)
),
months AS (  -- every month from the first to the last that holds an event
    SELECT m::DATE AS month, last_day(m::DATE) AS month_end
    FROM (SELECT min(month) AS first, max(month) AS last FROM lb_events),
         generate_series(first, last, INTERVAL 1 MONTH) AS g(m)
),
roster_rows AS (
    SELECT strptime(regexp_extract(filename, '(\d{8})\.csv$', 1), '%Y%m%d')::DATE AS snapshot_date,
           upper(trim(employee_id)) AS employee, trim(unit_code) AS unit_code, trim(status) AS status
    FROM read_csv(getvariable('roster_files'), header = true, auto_detect = false, filename = true,
                  delim = ',', quote = '"', escape = '"',
                  columns = {employee_id: 'VARCHAR', name: 'VARCHAR', unit_code: 'VARCHAR', grade: 'VARCHAR',
                             position_title: 'VARCHAR', employment_type: 'VARCHAR', status: 'VARCHAR',
                             hire_date: 'VARCHAR'})
),
org_rows AS (
    SELECT strptime(regexp_extract(filename, '(\d{8})\.csv$', 1), '%Y%m%d')::DATE AS snapshot_date,
           trim(unit_code) AS unit_code, nullif(trim(parent_code), '') AS parent_code
    FROM read_csv(getvariable('org_files'), header = true, auto_detect = false, filename = true,
                  delim = ',', quote = '"', escape = '"',
                  columns = {unit_code: 'VARCHAR', unit_name_ko: 'VARCHAR', unit_name_en: 'VARCHAR',
                             parent_code: 'VARCHAR', level: 'VARCHAR', function: 'VARCHAR'})
),
in_force AS (  -- the snapshots in force on each month's last day (else the first one)
    SELECT month,
           (SELECT coalesce(max(snapshot_date) FILTER (WHERE snapshot_date <= month_end), min(snapshot_date))
            FROM roster_rows) AS roster_date,
           (SELECT coalesce(max(snapshot_date) FILTER (WHERE snapshot_date <= month_end), min(snapshot_date))
            FROM org_rows) AS org_date
    FROM months
),
month_units AS (
    SELECT in_force.month, org_rows.unit_code, org_rows.parent_code
    FROM in_force JOIN org_rows ON org_rows.snapshot_date = in_force.org_date
),
subtree AS (  -- (month, ancestor, descendant), a unit being its own descendant
    WITH RECURSIVE pairs(month, ancestor, descendant) AS (
        SELECT month, unit_code, unit_code FROM month_units
        UNION
        SELECT pairs.month, pairs.ancestor, month_units.unit_code
        FROM pairs JOIN month_units
          ON month_units.month = pairs.month AND month_units.parent_code = pairs.descendant
    )
    SELECT * FROM pairs
),
roster AS (  -- Roster(M): active employees of a unit that exists in the month's org snapshot
    SELECT in_force.month, roster_rows.employee, roster_rows.unit_code
    FROM in_force
    JOIN roster_rows ON roster_rows.snapshot_date = in_force.roster_date AND roster_rows.status = 'active'
    SEMI JOIN month_units ON month_units.month = in_force.month AND month_units.unit_code = roster_rows.unit_code
),
direct_events AS (  -- per month and the unit each event is attributed to
    SELECT e.month, coalesce(roster.unit_code, '_UNATTRIBUTED') AS unit_code,
           count(*) AS requests,
           sum(e.prompt_tokens) AS prompt_tokens,
           sum(e.completion_tokens) AS completion_tokens,
           sum(coalesce(c.low, 0)) FILTER (WHERE e.qualifying) / 60 AS hours_low,
           sum(coalesce(c.central, 0)) FILTER (WHERE e.qualifying) / 60 AS hours_central,
           sum(coalesce(c.high, 0)) FILTER (WHERE e.qualifying) / 60 AS hours_high
    FROM lb_events e
    LEFT JOIN roster ON roster.month = e.month AND roster.employee = e.employee
    LEFT JOIN coefficients c ON c.feature = e.feature
    GROUP BY ALL
),
active AS (
    SELECT DISTINCT month, employee FROM lb_events WHERE qualifying AND employee IS NOT NULL
),
direct_people AS (  -- each rostered person is in exactly one unit: subtree sums are distinct counts
    SELECT roster.month, roster.unit_code, count(*) AS headcount, count(active.employee) AS active_users
    FROM roster LEFT JOIN active USING (month, employee)
    GROUP BY ALL
),
rolled_events AS (
    SELECT d.month, coalesce(subtree.ancestor, d.unit_code) AS unit_code,
           sum(requests) AS requests, sum(prompt_tokens) AS prompt_tokens,
           sum(completion_tokens) AS completion_tokens, sum(hours_low) AS hours_low,
           sum(hours_central) AS hours_central, sum(hours_high) AS hours_high
    FROM direct_events d LEFT JOIN subtree ON subtree.month = d.month AND subtree.descendant = d.unit_code
    GROUP BY ALL
),
rolled_people AS (
    SELECT p.month, subtree.ancestor AS unit_code, sum(headcount) AS headcount, sum(active_users) AS active_users
    FROM direct_people p JOIN subtree ON subtree.month = p.month AND subtree.descendant = p.unit_code
    GROUP BY ALL
),
unit_rows AS (  -- every unit of the month's org snapshot, plus _UNATTRIBUTED
    SELECT month, unit_code FROM month_units
    UNION ALL
    SELECT month, '_UNATTRIBUTED' FROM months
)
SELECT
    u.month,
    u.unit_code,
    coalesce(p.headcount, 0)::BIGINT AS headcount,
    CASE WHEN u.unit_code <> '_UNATTRIBUTED' THEN coalesce(p.active_users, 0) END::BIGINT AS active_users,
    coalesce(e.requests, 0)::BIGINT AS requests,
    coalesce(e.prompt_tokens, 0)::BIGINT AS prompt_tokens,
    coalesce(e.completion_tokens, 0)::BIGINT AS completion_tokens,
    coalesce(e.hours_low, 0)::DOUBLE AS assisted_hours_low,
    coalesce(e.hours_central, 0)::DOUBLE AS assisted_hours_central,
    coalesce(e.hours_high, 0)::DOUBLE AS assisted_hours_high
FROM unit_rows u
LEFT JOIN rolled_people p USING (month, unit_code)
LEFT JOIN rolled_events e USING (month, unit_code)
ORDER BY u.month, u.unit_code;
