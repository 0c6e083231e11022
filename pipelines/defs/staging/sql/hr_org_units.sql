-- Org-unit snapshots, one row per unit and snapshot (a repeated row: the last line wins).
SELECT snapshot_date, unit_code, unit_name_ko, unit_name_en, parent_code, level, function
FROM raw.hr_org_units
QUALIFY row_number() OVER (PARTITION BY snapshot_date, unit_code ORDER BY line DESC) = 1
