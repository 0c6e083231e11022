-- Org units over time (SCD2): one row per version of a unit; valid_from inclusive, valid_to exclusive.
-- Built from the org-units snapshots: a version starts at the snapshot where the unit first
-- appears with these attributes and ends at the first later snapshot that changes or drops it
-- (9999-12-31 while still in force). Look a date up with `greatest(date, first snapshot)`:
-- before the first snapshot, the first one is in force (metrics.md, Organisation).
WITH snapshots AS (
    SELECT
        snapshot_date,
        lag(snapshot_date) OVER (ORDER BY snapshot_date) AS previous_snapshot,
        lead(snapshot_date) OVER (ORDER BY snapshot_date) AS next_snapshot
    FROM (SELECT DISTINCT snapshot_date FROM staging.hr_org_units)
),
listed AS (
    SELECT
        u.*,
        s.previous_snapshot,
        s.next_snapshot,
        lag(u.snapshot_date) OVER unit_history AS unit_previous_snapshot,
        lag(u.unit_name_ko) OVER unit_history AS previous_name_ko,
        lag(u.unit_name_en) OVER unit_history AS previous_name_en,
        lag(u.parent_code) OVER unit_history AS previous_parent_code,
        lag(u.level) OVER unit_history AS previous_level,
        lag(u.function) OVER unit_history AS previous_function
    FROM staging.hr_org_units u
    JOIN snapshots s USING (snapshot_date)
    WINDOW unit_history AS (PARTITION BY u.unit_code ORDER BY u.snapshot_date)
),
-- A new version starts when the unit was absent from the previous snapshot or changed.
versioned AS (
    SELECT
        *,
        sum(CASE WHEN unit_previous_snapshot IS DISTINCT FROM previous_snapshot
                   OR unit_name_ko IS DISTINCT FROM previous_name_ko
                   OR unit_name_en IS DISTINCT FROM previous_name_en
                   OR parent_code IS DISTINCT FROM previous_parent_code
                   OR level IS DISTINCT FROM previous_level
                   OR function IS DISTINCT FROM previous_function
                 THEN 1 ELSE 0 END) OVER (PARTITION BY unit_code ORDER BY snapshot_date) AS version
    FROM listed
)
SELECT
    unit_code,
    version,
    any_value(unit_name_ko) AS unit_name_ko,
    any_value(unit_name_en) AS unit_name_en,
    any_value(parent_code) AS parent_code,
    any_value(level) AS level,
    any_value(function) AS function,
    min(snapshot_date) AS valid_from,
    max(coalesce(next_snapshot, DATE '9999-12-31')) AS valid_to
FROM versioned
GROUP BY unit_code, version
