-- One row per OnAI activity: the same 이벤트ID in several files loads once, newest delivery wins.
SELECT *
FROM raw.onai_events
QUALIFY row_number() OVER (
    PARTITION BY event_id ORDER BY delivered_at DESC, file DESC, line DESC
) = 1
