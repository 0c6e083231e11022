-- The warehouse's core: schemas, the file ledger and the quarantine. Each source adapter's
-- raw table is in pipelines/defs/ingest/sql/<adapter>_table.sql; staging and marts are
-- created by their own assets. Idempotent: run on every connection. No column may ever hold
-- a raw employee number, name, e-mail, IP address, prompt, response or free text.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;

-- One row per landed file: what it was, when it was seen, what became of it.
CREATE TABLE IF NOT EXISTS raw.file_ledger (
    source            VARCHAR NOT NULL,
    file              VARCHAR NOT NULL,      -- path relative to landing/<source>/
    file_date         DATE,                  -- the date in the file name (its partition)
    size_bytes        BIGINT NOT NULL,
    sha256            VARCHAR NOT NULL,
    delivered_at      TIMESTAMPTZ NOT NULL,  -- the file's modification time in landing
    first_seen        TIMESTAMPTZ NOT NULL,
    last_seen         TIMESTAMPTZ NOT NULL,
    status            VARCHAR NOT NULL,      -- loaded | quarantined | withdrawn (gone when its day was reloaded) | pending (being loaded)
    reason            VARCHAR,               -- why a whole file was quarantined
    encoding          VARCHAR,               -- detected text encoding
    lines_read        BIGINT NOT NULL,       -- non-blank data lines
    rows_loaded       BIGINT NOT NULL,
    rows_quarantined  BIGINT NOT NULL,
    PRIMARY KEY (source, file)
);

-- One row per rejected line (line 0 = the whole file). No content is kept, only the reason.
CREATE TABLE IF NOT EXISTS raw.quarantine (
    source      VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,
    file_date   DATE,
    line        BIGINT NOT NULL,
    reason      VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

-- The mart tables are in pipelines/defs/marts/schema.sql, created by the mart assets.
