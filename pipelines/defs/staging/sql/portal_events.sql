-- One row per portal request: the same request_id delivered in several files loads once;
-- the copy delivered last wins (same delivery time: the later file name, then the later line).
SELECT *
FROM raw.portal_events
QUALIFY row_number() OVER (
    PARTITION BY request_id ORDER BY delivered_at DESC, file DESC, line DESC
) = 1
