-- Raw table of the onai adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.onai_events (
    file                VARCHAR NOT NULL,
    file_date           DATE NOT NULL,
    line                BIGINT NOT NULL,
    delivered_at        TIMESTAMPTZ NOT NULL,
    event_id            VARCHAR NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    event_date          DATE NOT NULL,
    employee_key        VARCHAR,             -- NULL for system jobs
    onai_unit_code      VARCHAR,             -- as OnAI knows it; HR is authoritative
    feature             VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,    -- success | failure
    latency_ms          DOUBLE,
    output_kept         BOOLEAN,             -- 결과활용: Y / N / unknown
    input_chars         BIGINT,
    output_chars        BIGINT
);
