-- Raw table of the hr_roster adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.hr_roster (
    file             VARCHAR NOT NULL,
    snapshot_date    DATE NOT NULL,
    delivered_at     TIMESTAMPTZ NOT NULL,
    line             BIGINT NOT NULL,
    employee_key     VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    grade            VARCHAR,
    position_title   VARCHAR,
    employment_type  VARCHAR,
    status           VARCHAR NOT NULL,       -- active | leave | retired
    hire_date        DATE
);
