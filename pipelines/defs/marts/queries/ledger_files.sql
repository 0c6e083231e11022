-- What the ledger knows of every landed file: to tell new, changed and removed files from
-- the ones already loaded.
SELECT source, file, file_date, size_bytes, delivered_at, sha256
FROM raw.file_ledger
-- A withdrawn file delivered again is new; so is one that a stopped run left pending.
WHERE status NOT IN ('withdrawn', 'pending')
