-- Raw table of the calendar adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.calendar_closures (
    file            VARCHAR NOT NULL,
    file_date       DATE,
    delivered_at    TIMESTAMPTZ NOT NULL,
    line            BIGINT NOT NULL,
    closure_date    DATE NOT NULL,
    closure_reason  VARCHAR
);
