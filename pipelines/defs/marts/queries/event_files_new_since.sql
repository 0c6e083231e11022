-- The event files ($event_sources) first delivered since $since (the ledger's newest last_seen
-- when a month's attributed events were built), and how many other ledger entries changed since:
-- a file delivered again, withdrawn, reloaded with its day or left pending, or any reference
-- file (HR changes the units). Only when nothing else changed can that month's build take the
-- new files' keys alone (marts/assets.py, build_attributed_events).
SELECT
    count(*) FILTER (WHERE NOT list_contains($event_sources::VARCHAR[], source) OR first_seen <= $since
                           OR status NOT IN ('loaded', 'quarantined')) AS other_changes,
    coalesce(list(file ORDER BY source, file) FILTER (WHERE list_contains($event_sources::VARCHAR[], source)
                                                      AND first_seen > $since), []) AS files
FROM raw.file_ledger
WHERE last_seen > $since
