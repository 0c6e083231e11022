"""Landing sensors: exactly once from the cursor alone (sources.md, delivery faults)."""

import os

import dagster as dg
import pytest

from pipelines.defs.ingest.sensors import landing_sensors
from pipelines.resources import AxmeterHome
from tests.handmade import write_handmade_landing

SENSORS = {sensor.name: sensor for sensor in landing_sensors}


def tick(name, home, cursor=None):
    context = dg.build_sensor_context(cursor=cursor, resources={"home": AxmeterHome(home=str(home))})
    result = SENSORS[name](context)
    return result, result.cursor


@pytest.fixture
def landed(axmeter_home):
    write_handmade_landing(axmeter_home)
    return axmeter_home


def test_first_tick_requests_one_run_per_day_and_a_second_tick_nothing(landed):
    result, cursor = tick("portal_landing_sensor", landed)
    assert sorted(r.partition_key for r in result.run_requests) == ["2026-01-05", "2026-01-06", "2026-01-31"]
    assert all(r.asset_selection == [dg.AssetKey(["raw", "portal_events"])] for r in result.run_requests)
    again, _ = tick("portal_landing_sensor", landed, cursor)
    assert again.run_requests == [] and "nothing new" in again.skip_reason.skip_message


def test_run_keys_are_derived_from_content(landed):
    first, _ = tick("portal_landing_sensor", landed)
    fresh_cursor_again, _ = tick("portal_landing_sensor", landed)  # e.g. after a lost cursor
    assert [r.run_key for r in first.run_requests] == [r.run_key for r in fresh_cursor_again.run_requests]
    assert len({r.run_key for r in first.run_requests}) == 3


def test_identical_redelivery_is_a_no_op(landed):
    _, cursor = tick("portal_landing_sensor", landed)
    path = landed / "landing" / "portal" / "spendlogs_20260105.jsonl"
    path.write_bytes(path.read_bytes())  # delivered again: same bytes, new modification time
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    result, _ = tick("portal_landing_sensor", landed, cursor)
    assert result.run_requests == []


def test_corrected_file_and_late_file_reopen_their_days(landed):
    first, cursor = tick("portal_landing_sensor", landed)
    keys = {r.partition_key: r.run_key for r in first.run_requests}
    portal = landed / "landing" / "portal"
    corrected = portal / "spendlogs_20260106.jsonl"
    corrected.write_text(corrected.read_text().replace('"spend": 0.01', '"spend": 0.02'))
    (portal / "spendlogs_20260102.jsonl").write_text((portal / "spendlogs_20260131.jsonl").read_text())  # late
    result, _ = tick("portal_landing_sensor", landed, cursor)
    requested = {r.partition_key: r.run_key for r in result.run_requests}
    assert sorted(requested) == ["2026-01-02", "2026-01-06"]
    assert requested["2026-01-06"] != keys["2026-01-06"]


def test_reference_folders_request_their_assets_whole(landed):
    result, cursor = tick("hr_landing_sensor", landed)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    assert request.partition_key is None
    assert set(request.asset_selection) == {dg.AssetKey(["raw", "hr_roster"]), dg.AssetKey(["raw", "hr_org_units"])}
    assert tick("hr_landing_sensor", landed, cursor)[0].run_requests == []
    empty, _ = tick("survey_landing_sensor", landed)
    assert empty.run_requests == []


def test_a_file_withdrawn_and_delivered_again_reopens_its_day(landed):
    """31 Jan's file goes (its day is loaded again without it meanwhile), then comes back with
    the same bytes: the day must be loaded again, so the request may not reuse the first key."""
    first, cursor = tick("portal_landing_sensor", landed)
    keys = {r.partition_key: r.run_key for r in first.run_requests}
    path = landed / "landing" / "portal" / "spendlogs_20260131.jsonl"
    data, stat = path.read_bytes(), path.stat()
    path.unlink()
    gone, cursor = tick("portal_landing_sensor", landed, cursor)
    assert gone.run_requests == []  # a file gone is not a change by itself
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # delivered again, later
    back, _ = tick("portal_landing_sensor", landed, cursor)
    assert [r.partition_key for r in back.run_requests] == ["2026-01-31"]
    assert back.run_requests[0].run_key != keys["2026-01-31"]
