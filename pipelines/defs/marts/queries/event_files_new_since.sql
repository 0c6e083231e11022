-- The portal and OnAI files first delivered since $since (the ledger's newest last_seen when a
-- month's attributed events were built), and how many other ledger entries changed since: a
-- file delivered again, withdrawn, reloaded with its day or left pending, or any reference
-- file (HR changes the units). Only when nothing else changed can that month's build take the
-- new files' keys alone (marts/assets.py, build_attributed_events).
SELECT
    count(*) FILTER (WHERE source NOT IN ('portal', 'onai') OR first_seen <= $since
                           OR status NOT IN ('loaded', 'quarantined')) AS other_changes,
    coalesce(list(file ORDER BY file) FILTER (WHERE source = 'portal' AND first_seen > $since), []) AS portal_files,
    coalesce(list(file ORDER BY file) FILTER (WHERE source = 'onai' AND first_seen > $since), []) AS onai_files
FROM raw.file_ledger
WHERE last_seen > $since
