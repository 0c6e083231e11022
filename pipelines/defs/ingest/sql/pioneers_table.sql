-- Raw table of the pioneers adapter (pipelines/defs/ingest/sources/). Created on every
-- warehouse connection; no column may hold a raw employee number or free text.
CREATE TABLE IF NOT EXISTS raw.pioneer_roster (
    file            VARCHAR NOT NULL,
    snapshot_date   DATE NOT NULL,           -- the newest snapshot is the full current roster
    delivered_at    TIMESTAMPTZ NOT NULL,
    line            BIGINT NOT NULL,
    employee_key    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,        -- leader | member
    joined_on       DATE NOT NULL,
    left_on         DATE                     -- NULL while still a member
);
