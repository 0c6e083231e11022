-- training_impact's input (whole history), read by marts/training_impact.py: one row per
-- training session and employee who is an attendee of it or a control for it, with their
-- qualifying activity in the 28 days before the session (d-28 .. d-1) and after (d+1 .. d+28),
-- both clipped to the data window, and the workdays of each window.
--   attendee: attended the session (completed or not).
--   treated:  attended with completed = Y, in the roster on the session date, and this was
--             their first session (an earlier one would contaminate the "before" window).
--   control:  in the roster on the session date and not yet trained: no session of theirs
--             on or before the end of the "after" window (d+28).
-- "In the roster on a date": status active in the roster snapshot in force on it (dim_roster).
WITH
dataset AS (
    SELECT min(event_date) AS first_date, max(event_date) AS last_date FROM marts.attributed_events
),
sessions AS (
    SELECT session_id, any_value(session_title) AS session_title, min(session_date) AS session_date,
           any_value(format) AS format
    FROM staging.training_attendance
    GROUP BY session_id
),
windows AS (
    SELECT
        sessions.*,
        greatest(session_date - 28, dataset.first_date) AS before_from,
        least(session_date - 1, dataset.last_date) AS before_to,
        greatest(session_date + 1, dataset.first_date) AS after_from,
        least(session_date + 28, dataset.last_date) AS after_to,
        greatest(session_date, (SELECT min(valid_from) FROM staging.dim_roster)) AS roster_as_of
    FROM sessions, dataset
),
first_training AS (
    SELECT employee_key, min(session_date) AS first_session_date
    FROM staging.training_attendance GROUP BY employee_key
),
attendance AS (
    SELECT a.session_id, a.employee_key, bool_or(a.completed) AS completed
    FROM staging.training_attendance a GROUP BY ALL
),
in_roster AS (
    SELECT windows.session_id, roster.employee_key
    FROM windows
    JOIN staging.dim_roster roster
        ON roster.valid_from <= windows.roster_as_of AND windows.roster_as_of < roster.valid_to
    WHERE roster.status = 'active'
),
participants AS (
    SELECT
        attendance.session_id,
        attendance.employee_key,
        true AS is_attendee,
        attendance.completed,
        attendance.completed AND in_roster.employee_key IS NOT NULL
            AND first_training.first_session_date = windows.session_date AS is_treated,
        false AS is_control
    FROM attendance
    JOIN windows USING (session_id)
    JOIN first_training USING (employee_key)
    LEFT JOIN in_roster USING (session_id, employee_key)
    UNION ALL
    SELECT in_roster.session_id, in_roster.employee_key, false, false, false, true
    FROM in_roster
    JOIN windows USING (session_id)
    LEFT JOIN first_training USING (employee_key)
    WHERE first_training.first_session_date IS NULL OR first_training.first_session_date > windows.session_date + 28
),
active_days AS (
    -- Written with attributed_events (one row per employee and active day): reading it instead of
    -- a DISTINCT over every event took the 10 M sample's query from 2.3 to 1.05 s.
    SELECT employee_key, event_date FROM marts.active_employee_days
),
first_use AS (
    SELECT employee_key, min(event_date) AS first_use_date FROM active_days GROUP BY employee_key
),
workdays AS (
    SELECT windows.session_id,
           count(*) FILTER (WHERE c.date BETWEEN before_from AND before_to) AS workdays_before,
           count(*) FILTER (WHERE c.date BETWEEN after_from AND after_to) AS workdays_after
    FROM windows JOIN staging.calendar c ON c.is_workday AND c.date BETWEEN windows.before_from AND windows.after_to
    GROUP BY windows.session_id
),
activity AS (
    -- Per session and employee active in its window (a range join of a few dozen windows with
    -- the active days), joined to the participants below: no join of every participant with
    -- every active day of theirs.
    SELECT
        windows.session_id,
        d.employee_key,
        count(*) FILTER (WHERE d.event_date BETWEEN windows.before_from AND windows.before_to) AS active_days_before,
        count(*) FILTER (WHERE d.event_date BETWEEN windows.after_from AND windows.after_to) AS active_days_after,
        count(*) FILTER (WHERE d.event_date BETWEEN windows.before_from AND windows.before_to AND c.is_workday)
            AS active_workdays_before,
        count(*) FILTER (WHERE d.event_date BETWEEN windows.after_from AND windows.after_to AND c.is_workday)
            AS active_workdays_after
    FROM windows
    JOIN active_days d ON d.event_date BETWEEN windows.before_from AND windows.after_to
    JOIN staging.calendar c ON c.date = d.event_date
    GROUP BY ALL
)
SELECT
    windows.session_id,
    windows.session_title,
    windows.session_date,
    windows.format,
    participants.employee_key,
    participants.is_attendee,
    participants.completed,
    participants.is_treated,
    participants.is_control,
    coalesce(activity.active_days_before, 0) AS active_days_before,
    coalesce(activity.active_days_after, 0) AS active_days_after,
    coalesce(activity.active_workdays_before, 0) AS active_workdays_before,
    coalesce(activity.active_workdays_after, 0) AS active_workdays_after,
    coalesce(workdays.workdays_before, 0) AS workdays_before,
    coalesce(workdays.workdays_after, 0) AS workdays_after,
    first_use.first_use_date
FROM participants
JOIN windows USING (session_id)
LEFT JOIN workdays USING (session_id)
LEFT JOIN activity USING (session_id, employee_key)
LEFT JOIN first_use USING (employee_key)
ORDER BY windows.session_date, windows.session_id, participants.employee_key
