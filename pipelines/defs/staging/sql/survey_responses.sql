-- Survey answers, one row per response_id (a response delivered twice loads once; the copy
-- delivered last wins). Anonymous: no employee key, and the comment was never stored.
SELECT response_id, quarter, unit_code, q_faster, q_quality, q_effort, q_productive, minutes_saved_per_week
FROM raw.survey_responses
QUALIFY row_number() OVER (PARTITION BY response_id ORDER BY delivered_at DESC, file DESC, line DESC) = 1
