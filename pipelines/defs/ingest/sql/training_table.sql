-- Raw table of the training adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.training_attendance (
    file            VARCHAR NOT NULL,
    file_date       DATE,                    -- attendance_*.csv names carry no fixed date
    delivered_at    TIMESTAMPTZ NOT NULL,
    line            BIGINT NOT NULL,
    session_id      VARCHAR NOT NULL,
    session_title   VARCHAR,
    session_date    DATE NOT NULL,
    format          VARCHAR NOT NULL,        -- lecture | hands_on | online
    hours           DOUBLE,
    employee_key    VARCHAR NOT NULL,
    completed       BOOLEAN NOT NULL
);
