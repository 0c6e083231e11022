-- Raw table of the survey adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.survey_responses (
    file                    VARCHAR NOT NULL,
    file_date               DATE NOT NULL,   -- first day of the file's quarter
    delivered_at            TIMESTAMPTZ NOT NULL,
    line                    BIGINT NOT NULL,
    response_id             VARCHAR NOT NULL,
    quarter                 VARCHAR NOT NULL, -- e.g. 2026Q3
    unit_code               VARCHAR NOT NULL,
    q_faster                INTEGER,         -- 1-5, 5 = strongly agree
    q_quality               INTEGER,
    q_effort                INTEGER,
    q_productive            INTEGER,
    minutes_saved_per_week  DOUBLE
    -- `comment` is free text: dropped on read, never stored
);
