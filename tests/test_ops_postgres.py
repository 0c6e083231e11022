"""The production instance (deploy/dagster.yaml: run, event-log and schedule storage on
PostgreSQL) runs a partitioned job and enforces the warehouse pool. .ci/run starts a PostgreSQL
server and sets AXMETER_TEST_POSTGRES_URL; without it (a developer's machine) the test is skipped."""

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import pytest
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from pipelines.definitions import defs
from pipelines.defs.ops.instance import ensure_pool_limit, pool_limit
from pipelines.run import execute
from pipelines.settings import WAREHOUSE_POOL
from tests.handmade import write_handmade_landing

URL_ENV = "AXMETER_TEST_POSTGRES_URL"
DEPLOY_YAML = Path(__file__).parent.parent / "deploy" / "dagster.yaml"

pytestmark = pytest.mark.skipif(
    not os.environ.get(URL_ENV),
    reason=f"{URL_ENV} is not set: no PostgreSQL server to test deploy/dagster.yaml against (.ci/run starts one)",
)


@pytest.fixture
def production_instance(tmp_path, monkeypatch):
    url = urlparse(os.environ[URL_ENV])
    for name, value in (("HOST", url.hostname), ("PORT", str(url.port or 5432)), ("DB", url.path.lstrip("/")),
                        ("USER", unquote(url.username or "")), ("PASSWORD", unquote(url.password or ""))):
        monkeypatch.setenv(f"AXMETER_DAGSTER_PG_{name}", value)
    dagster_home = tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(DEPLOY_YAML, dagster_home / "dagster.yaml")  # the documented file, unchanged
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        yield instance


def test_partitioned_job_on_the_postgresql_instance(axmeter_home, production_instance):
    instance = production_instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
    ensure_pool_limit(instance)
    assert pool_limit(instance) == 1

    write_handmade_landing(axmeter_home)
    marker = uuid.uuid4().hex  # the CI database outlives this test: find this run by its tag
    result = execute(defs, instance, "ingest_events", tags={
        ASSET_PARTITION_RANGE_START_TAG: "2026-01-05", ASSET_PARTITION_RANGE_END_TAG: "2026-01-06", "test": marker,
    })
    assert result.success
    [run] = instance.get_runs(filters=dg.RunsFilter(tags={"test": marker}))
    assert run.status == dg.DagsterRunStatus.SUCCESS and run.job_name == "ingest_events"
    partitions = {
        record.partition_key
        for record in instance.fetch_materializations(dg.AssetKey(["raw", "portal_events"]), limit=100).records
        if record.run_id == run.run_id
    }
    assert partitions == {"2026-01-05", "2026-01-06"}
    assert WAREHOUSE_POOL in {limit.name for limit in instance.event_log_storage.get_pool_limits()}
