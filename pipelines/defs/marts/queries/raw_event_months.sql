-- The first and last month of any event copy in raw (before de-duplication), every event source.
SELECT date_trunc('month', min(event_date))::DATE, date_trunc('month', max(event_date))::DATE
FROM {raw_event_copies}
