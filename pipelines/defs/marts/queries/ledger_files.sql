-- What the ledger knows of every landed file: to tell new, changed and removed files from
-- the ones already loaded.
SELECT source, file, file_date, size_bytes, delivered_at, sha256
FROM raw.file_ledger
WHERE status <> 'withdrawn'  -- a withdrawn file delivered again is new
