-- Raw table of the portal adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.portal_events (
    file                VARCHAR NOT NULL,
    file_date           DATE NOT NULL,
    line                BIGINT NOT NULL,
    delivered_at        TIMESTAMPTZ NOT NULL,
    request_id          VARCHAR NOT NULL,
    call_type           VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    event_date          DATE NOT NULL,       -- KST calendar date of started_at
    latency_ms          DOUBLE,
    model               VARCHAR,
    model_group         VARCHAR,
    provider            VARCHAR,
    prompt_tokens       BIGINT NOT NULL,
    completion_tokens   BIGINT NOT NULL,
    total_tokens        BIGINT NOT NULL,
    spend_usd           DOUBLE NOT NULL,
    employee_key        VARCHAR,             -- HMAC pseudonym; NULL for service keys
    service             VARCHAR NOT NULL,
    guardrail_status    VARCHAR
);
