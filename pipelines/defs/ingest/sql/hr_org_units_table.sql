-- Raw table of the hr_org_units adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.hr_org_units (
    file            VARCHAR NOT NULL,
    snapshot_date   DATE NOT NULL,
    delivered_at    TIMESTAMPTZ NOT NULL,
    line            BIGINT NOT NULL,
    unit_code       VARCHAR NOT NULL,
    unit_name_ko    VARCHAR NOT NULL,
    unit_name_en    VARCHAR,
    parent_code     VARCHAR,
    level           VARCHAR NOT NULL,        -- ministry | office | bureau | division
    function        VARCHAR
);
