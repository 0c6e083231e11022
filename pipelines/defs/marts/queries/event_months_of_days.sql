-- The months of every raw event that shares its natural key with an event in the files of
-- the KST days $days: the months whose figures a reload of those days can change (a corrected
-- copy may move an event to another month, or take it from another day's file).
SELECT DISTINCT date_trunc('month', event_date)::DATE AS month
FROM raw.portal_events
WHERE request_id IN (SELECT request_id FROM raw.portal_events WHERE list_contains($days::DATE[], file_date))
UNION
SELECT DISTINCT date_trunc('month', event_date)::DATE
FROM raw.onai_events
WHERE event_id IN (SELECT event_id FROM raw.onai_events WHERE list_contains($days::DATE[], file_date))
UNION
SELECT DISTINCT date_trunc('month', day)::DATE FROM unnest($days::DATE[]) AS t(day)
