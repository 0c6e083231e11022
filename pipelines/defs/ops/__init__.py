"""Operations: schedules, sensors, alerts, housekeeping and the checks of `axmeter doctor`.

`with_operations(defs)` (definitions.py) adds them to the pipeline's definitions."""
