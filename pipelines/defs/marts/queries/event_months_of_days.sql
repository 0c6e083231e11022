-- The months of every raw event that shares its natural key with an event in the files of
-- the KST days $days: the months whose figures a reload of those days can change (a corrected
-- copy may move an event to another month, or take it from another day's file).
-- Keys are matched across sources: a key two sources share only adds a month to rebuild, and a
-- join on the key alone costs no more than one per source (a join on (source, key): +25%).
SELECT DISTINCT date_trunc('month', event_date)::DATE AS month
FROM {raw_event_copies}
WHERE event_key IN (SELECT event_key FROM {raw_event_copies} WHERE list_contains($days::DATE[], file_date))
UNION
SELECT DISTINCT date_trunc('month', day)::DATE FROM unnest($days::DATE[]) AS t(day)
