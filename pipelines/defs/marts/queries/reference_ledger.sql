-- The ledger's entries for the files it still considers delivered: to tell whether a reference
-- folder (HR, training, ...) changed since it was last loaded.
SELECT source, file, size_bytes, delivered_at, status
FROM raw.file_ledger
WHERE status <> 'withdrawn'
