-- History of every data-quality check result (pipelines/defs/quality/). One row per check
-- evaluation (rule NULL) and one per rule and partition it covered. Never any row content:
-- only counts, observed summaries and pseudonymised sample keys.
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.check_results (
    checked_at        TIMESTAMPTZ NOT NULL,
    run_id            VARCHAR NOT NULL,
    asset             VARCHAR NOT NULL,      -- e.g. raw/portal_events
    check_name        VARCHAR NOT NULL,      -- contract | contract_warnings | freshness | volume_anomaly
    rule              VARCHAR,               -- contract rule id; NULL for the check as a whole
    partition         VARCHAR,               -- partition key (KST day / month); NULL when unpartitioned
    severity          VARCHAR NOT NULL,      -- error | warn
    success           BOOLEAN NOT NULL,
    observed_value    VARCHAR,
    unexpected_count  BIGINT,
    element_count     BIGINT,
    contract_version  VARCHAR,
    details           VARCHAR                -- JSON: sample keys, reasons
);
