-- Employees over time (SCD2): one row per version of an employee's HR record; valid_from
-- inclusive, valid_to exclusive. Built from the roster snapshots like staging.dim_unit: a
-- version ends at the first later snapshot that changes the record or no longer lists the
-- employee. Every status is kept; Roster(M) takes `status = 'active'` (staging.roster_monthly).
WITH snapshots AS (
    SELECT
        snapshot_date,
        lag(snapshot_date) OVER (ORDER BY snapshot_date) AS previous_snapshot,
        lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_snapshot
    FROM (SELECT DISTINCT snapshot_date FROM staging.hr_roster)
),
listed AS (
    SELECT
        r.*,
        s.previous_snapshot,
        s.next_snapshot,
        lag(r.snapshot_date) OVER employee_history AS employee_previous_snapshot,
        lag(r.unit_code) OVER employee_history AS previous_unit_code,
        lag(r.status) OVER employee_history AS previous_status,
        lag(r.grade) OVER employee_history AS previous_grade,
        lag(r.position_title) OVER employee_history AS previous_position_title,
        lag(r.employment_type) OVER employee_history AS previous_employment_type,
        lag(r.hire_date) OVER employee_history AS previous_hire_date
    FROM staging.hr_roster r
    JOIN snapshots s USING (snapshot_date)
    WINDOW employee_history AS (PARTITION BY r.employee_key ORDER BY r.snapshot_date)
),
versioned AS (
    SELECT
        *,
        sum(CASE WHEN employee_previous_snapshot IS DISTINCT FROM previous_snapshot
                   OR unit_code IS DISTINCT FROM previous_unit_code
                   OR status IS DISTINCT FROM previous_status
                   OR grade IS DISTINCT FROM previous_grade
                   OR position_title IS DISTINCT FROM previous_position_title
                   OR employment_type IS DISTINCT FROM previous_employment_type
                   OR hire_date IS DISTINCT FROM previous_hire_date
                 THEN 1 ELSE 0 END) OVER (PARTITION BY employee_key ORDER BY snapshot_date) AS version
    FROM listed
)
SELECT
    employee_key,
    version,
    any_value(unit_code) AS unit_code,
    any_value(status) AS status,
    any_value(grade) AS grade,
    any_value(position_title) AS position_title,
    any_value(employment_type) AS employment_type,
    any_value(hire_date) AS hire_date,
    min(snapshot_date) AS valid_from,
    max(coalesce(next_snapshot, DATE '9999-12-31')) AS valid_to
FROM versioned
GROUP BY employee_key, version
