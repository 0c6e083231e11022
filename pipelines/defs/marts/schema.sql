-- The mart tables: exact figures for the data team (suppression is applied when publishing).
-- One table per mart; each is computed by sql/<table>.sql (training_impact: training_impact.py).
-- Run by every mart asset before it writes. A table whose columns differ from this file is
-- dropped and created again by its asset (marts are derived: the next run recomputes them).
CREATE SCHEMA IF NOT EXISTS marts;

-- The assisted-minutes coefficients in use (config/assisted_minutes.yaml); feature '*' is
-- the default for every feature not listed.
CREATE TABLE IF NOT EXISTS marts.assisted_minutes (
    feature               VARCHAR NOT NULL PRIMARY KEY,
    minutes_low           DOUBLE NOT NULL,
    minutes_central       DOUBLE NOT NULL,
    minutes_high          DOUBLE NOT NULL,
    source                VARCHAR NOT NULL,
    coefficients_version  VARCHAR NOT NULL
);

-- Which code built each month of each monthly mart: `axmeter run` rebuilds the months whose
-- signature (metric version, mart SQL, schema, coefficients) is missing or outdated.
CREATE TABLE IF NOT EXISTS marts.partition_builds (
    mart       VARCHAR NOT NULL,
    month      DATE NOT NULL,
    signature  VARCHAR NOT NULL,
    built_at   TIMESTAMPTZ NOT NULL,
    ledger_seen_until TIMESTAMPTZ,  -- raw.file_ledger's newest last_seen when the build read it
    PRIMARY KEY (mart, month)
);

-- Internal (not published): every de-duplicated event with its Roster(M) unit.
CREATE TABLE IF NOT EXISTS marts.attributed_events (
    month                   DATE NOT NULL,
    event_date              DATE NOT NULL,
    file_date               DATE NOT NULL,       -- the date in the name of the file it came from
    platform                VARCHAR NOT NULL,
    event_key               VARCHAR NOT NULL,
    employee_key            VARCHAR,
    unit_code               VARCHAR NOT NULL,
    in_roster               BOOLEAN NOT NULL,
    status                  VARCHAR NOT NULL,
    blocked                 BOOLEAN NOT NULL,
    qualifying              BOOLEAN NOT NULL,
    feature                 VARCHAR NOT NULL,
    feature_mapped          BOOLEAN NOT NULL,
    model                   VARCHAR,
    provider                VARCHAR,
    latency_ms              DOUBLE,
    prompt_tokens           BIGINT,
    completion_tokens       BIGINT,
    cost_usd                DOUBLE,
    output_kept             BOOLEAN,
    assisted_minutes_low    DOUBLE NOT NULL,
    assisted_minutes_central DOUBLE NOT NULL,
    assisted_minutes_high   DOUBLE NOT NULL
    -- no primary key: staging.events is already unique on (platform, event_key), and an index
    -- on a million rows would slow every month's delete-then-insert
);

-- Internal (not published), written with marts.attributed_events: each day's employees with a
-- qualifying action (training_impact's windows read it instead of every event), and from it each
-- month's (unit_monthly's history columns and retention_cohorts read that instead of every
-- earlier month's events).
CREATE TABLE IF NOT EXISTS marts.active_employee_days (
    month                   DATE NOT NULL,
    event_date              DATE NOT NULL,
    employee_key            VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.active_employee_months (
    month                   DATE NOT NULL,
    employee_key            VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.unit_monthly (
    month                   DATE NOT NULL,
    unit_code               VARCHAR NOT NULL,
    unit_level              VARCHAR NOT NULL,
    unit_name_ko            VARCHAR,
    unit_name_en            VARCHAR,
    parent_code             VARCHAR,
    function                VARCHAR,
    headcount               BIGINT NOT NULL,
    active_users            BIGINT,
    adoption_rate           DOUBLE,
    active_days_avg         DOUBLE,
    power_users             BIGINT,
    regular_users           BIGINT,
    light_users             BIGINT,
    new_users               BIGINT,
    returning_users         BIGINT,
    resurrected_users       BIGINT,
    dormant_users           BIGINT,
    stickiness              DOUBLE,
    breadth_avg             DOUBLE,
    requests                BIGINT NOT NULL,
    successful_requests     BIGINT NOT NULL,
    blocked_requests        BIGINT NOT NULL,
    failed_requests         BIGINT NOT NULL,
    prompt_tokens           BIGINT NOT NULL,
    completion_tokens       BIGINT NOT NULL,
    cost_usd                DOUBLE NOT NULL,
    assisted_hours_low      DOUBLE NOT NULL,
    assisted_hours_central  DOUBLE NOT NULL,
    assisted_hours_high     DOUBLE NOT NULL,
    output_kept_rate        DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (month, unit_code)
);

CREATE TABLE IF NOT EXISTS marts.ministry_daily (
    date                    DATE NOT NULL PRIMARY KEY,
    month                   DATE NOT NULL,
    is_workday              BOOLEAN NOT NULL,
    holiday_name            VARCHAR,
    closure_reason          VARCHAR,
    headcount               BIGINT NOT NULL,
    daily_active_users      BIGINT NOT NULL,
    requests                BIGINT NOT NULL,
    successful_requests     BIGINT NOT NULL,
    blocked_requests        BIGINT NOT NULL,
    failed_requests         BIGINT NOT NULL,
    prompt_tokens           BIGINT NOT NULL,
    completion_tokens       BIGINT NOT NULL,
    cost_usd                DOUBLE NOT NULL,
    metric_version          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.feature_monthly (
    month                   DATE NOT NULL,
    feature                 VARCHAR NOT NULL,
    platform                VARCHAR NOT NULL,
    feature_mapped          BOOLEAN NOT NULL,
    requests                BIGINT NOT NULL,
    successful_requests     BIGINT NOT NULL,
    active_users            BIGINT NOT NULL,
    assisted_hours_low      DOUBLE NOT NULL,
    assisted_hours_central  DOUBLE NOT NULL,
    assisted_hours_high     DOUBLE NOT NULL,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (month, feature)
);

CREATE TABLE IF NOT EXISTS marts.model_monthly (
    month                   DATE NOT NULL,
    model                   VARCHAR NOT NULL,
    provider                VARCHAR NOT NULL,
    requests                BIGINT NOT NULL,
    successful_requests     BIGINT NOT NULL,
    failed_requests         BIGINT NOT NULL,
    failure_rate            DOUBLE NOT NULL,
    prompt_tokens           BIGINT NOT NULL,
    completion_tokens       BIGINT NOT NULL,
    cost_usd                DOUBLE NOT NULL,
    latency_p50_ms          DOUBLE,
    latency_p95_ms          DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (month, model, provider)
);

CREATE TABLE IF NOT EXISTS marts.governance_monthly (
    month                   DATE NOT NULL,
    breakdown               VARCHAR NOT NULL,   -- all | platform | vendor | model
    item                    VARCHAR NOT NULL,
    vendor                  VARCHAR,
    requests                BIGINT NOT NULL,
    request_share           DOUBLE,
    blocked_requests        BIGINT NOT NULL,
    blocked_share           DOUBLE,
    failed_requests         BIGINT NOT NULL,
    failure_share           DOUBLE,
    cost_usd                DOUBLE NOT NULL,
    cost_share              DOUBLE,
    metric_version          VARCHAR NOT NULL
    -- unique on (month, breakdown, item, vendor): the same model name can run at two vendors
);

CREATE TABLE IF NOT EXISTS marts.pioneers_monthly (
    month                   DATE NOT NULL,
    population              VARCHAR NOT NULL,
    units                   BIGINT,
    headcount               BIGINT NOT NULL,
    active_users            BIGINT NOT NULL,
    adoption_rate           DOUBLE,
    active_days_avg         DOUBLE,
    breadth_avg             DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (month, population)
);

CREATE TABLE IF NOT EXISTS marts.retention_cohorts (
    scope                   VARCHAR NOT NULL,   -- ministry | office
    unit_code               VARCHAR NOT NULL,
    unit_name_ko            VARCHAR,
    unit_name_en            VARCHAR,
    parent_code             VARCHAR,
    cohort_month            DATE NOT NULL,
    month                   DATE NOT NULL,
    months_since_first      INTEGER NOT NULL,
    cohort_size             BIGINT NOT NULL,
    still_in_roster         BIGINT NOT NULL,
    active_users            BIGINT NOT NULL,
    retention_rate          DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (unit_code, cohort_month, month)
);

CREATE TABLE IF NOT EXISTS marts.training_impact (
    session_id              VARCHAR NOT NULL PRIMARY KEY,   -- 'ALL' for the pooled row
    session_title           VARCHAR,
    session_date            DATE,
    format                  VARCHAR,
    attendees               BIGINT NOT NULL,
    completed               BIGINT NOT NULL,
    adoption_before         DOUBLE,
    adoption_after          DOUBLE,
    active_days_before_avg  DOUBLE,
    active_days_after_avg   DOUBLE,
    first_time_users        BIGINT,
    days_to_first_use_avg   DOUBLE,
    days_to_first_use_median DOUBLE,
    did_treated             BIGINT,
    did_controls            BIGINT,
    treated_rate_before     DOUBLE,
    treated_rate_after      DOUBLE,
    control_rate_before     DOUBLE,
    control_rate_after      DOUBLE,
    did_estimate            DOUBLE,
    did_ci_low              DOUBLE,
    did_ci_high             DOUBLE,
    metric_version          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS marts.survey_quarterly (
    quarter                 VARCHAR NOT NULL,
    unit_code               VARCHAR NOT NULL,
    unit_level              VARCHAR NOT NULL,
    unit_name_ko            VARCHAR,
    unit_name_en            VARCHAR,
    parent_code             VARCHAR,
    respondents             BIGINT NOT NULL,
    headcount               BIGINT NOT NULL,
    response_rate           DOUBLE,
    agree_rate_faster       DOUBLE,
    agree_rate_quality      DOUBLE,
    agree_rate_effort       DOUBLE,
    agree_rate_productive   DOUBLE,
    minutes_saved_per_week_avg DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (quarter, unit_code)
);

CREATE TABLE IF NOT EXISTS marts.data_quality_daily (
    source                  VARCHAR NOT NULL,
    day                     DATE NOT NULL,
    files_received          BIGINT NOT NULL,
    files_quarantined       BIGINT NOT NULL,
    rows_received           BIGINT NOT NULL,
    rows_loaded             BIGINT NOT NULL,
    rows_duplicate          BIGINT NOT NULL,
    rows_quarantined        BIGINT NOT NULL,
    events_with_employee    BIGINT,
    events_matched_to_hr    BIGINT,
    hr_match_rate           DOUBLE,
    unmapped_feature_rows   BIGINT,
    unknown_service_rows    BIGINT,
    newest_event_at         TIMESTAMPTZ,
    last_delivered_at       TIMESTAMPTZ,
    delivery_lag_hours      DOUBLE,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (source, day)
);

CREATE TABLE IF NOT EXISTS marts.data_quality_quarantine (
    source                  VARCHAR NOT NULL,
    day                     DATE NOT NULL,
    reason                  VARCHAR NOT NULL,
    files_quarantined       BIGINT NOT NULL,
    rows_quarantined        BIGINT NOT NULL,
    metric_version          VARCHAR NOT NULL,
    PRIMARY KEY (source, day, reason)
);
