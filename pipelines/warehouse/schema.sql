-- The warehouse's raw layer. Staging and marts are created by their own assets' SQL files.
-- Idempotent: run on every connection. No column here may ever hold a raw employee number,
-- name, e-mail, IP address, prompt, response or free text (metrics.md, privacy).
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
    status            VARCHAR NOT NULL,      -- loaded | quarantined
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

CREATE TABLE IF NOT EXISTS raw.portal_events (
    file                VARCHAR NOT NULL,
    file_date           DATE NOT NULL,
    line                BIGINT NOT NULL,
    delivered_at        TIMESTAMPTZ NOT NULL,
    request_id          VARCHAR NOT NULL,
    call_type           VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    event_date          DATE NOT NULL,       -- KST calendar date of started_at
    latency_ms          DOUBLE,
    model               VARCHAR,
    model_group         VARCHAR,
    provider            VARCHAR,
    prompt_tokens       BIGINT NOT NULL,
    completion_tokens   BIGINT NOT NULL,
    total_tokens        BIGINT NOT NULL,
    spend_usd           DOUBLE NOT NULL,
    employee_key        VARCHAR,             -- HMAC pseudonym; NULL for service keys
    service             VARCHAR NOT NULL,
    guardrail_status    VARCHAR
);

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

CREATE TABLE IF NOT EXISTS raw.calendar_closures (
    file            VARCHAR NOT NULL,
    file_date       DATE,
    delivered_at    TIMESTAMPTZ NOT NULL,
    line            BIGINT NOT NULL,
    closure_date    DATE NOT NULL,
    closure_reason  VARCHAR
);

-- Marts hold exact figures for the data team; suppression is applied when publishing.
CREATE TABLE IF NOT EXISTS marts.unit_monthly (
    month                DATE NOT NULL,
    unit_code            VARCHAR NOT NULL,
    unit_level           VARCHAR NOT NULL,
    unit_name_ko         VARCHAR,
    unit_name_en         VARCHAR,
    parent_code          VARCHAR,
    function             VARCHAR,
    headcount            BIGINT NOT NULL,
    active_users         BIGINT,
    adoption_rate        DOUBLE,
    requests             BIGINT NOT NULL,
    successful_requests  BIGINT NOT NULL,
    blocked_requests     BIGINT NOT NULL,
    failed_requests      BIGINT NOT NULL,
    prompt_tokens        BIGINT NOT NULL,
    completion_tokens    BIGINT NOT NULL,
    cost_usd             DOUBLE NOT NULL,
    metric_version       VARCHAR NOT NULL,
    PRIMARY KEY (month, unit_code)
);
