"""One sensor per landing folder: new or changed files request the loads they need.

The cursor remembers every file's size, modification time and sha256, so an identical
re-delivery (same bytes, even with a new timestamp) requests nothing, a corrected file
(same name, new bytes) or a late file re-opens its day, and each run key is derived from the
content it loads: the same content never runs twice. Sensors never open the warehouse
(DuckDB allows one writer or readers, never both); everything they know is in the cursor."""

import hashlib
import json
from datetime import date

import dagster as dg

from pipelines.defs.ingest.assets import event_assets, reference_assets
from pipelines.defs.ingest.landing import LandedFile, scan_landing
from pipelines.defs.ingest.sources import ADAPTERS_BY_FOLDER
from pipelines.defs.ingest.sources.base import SourceAdapter
from pipelines.resources import AxmeterHome
from pipelines.settings import data_start

SENSOR_INTERVAL_SECONDS = 60


def _asset_for(adapter: SourceAdapter) -> dg.AssetsDefinition:
    key = dg.AssetKey(adapter.raw_table.split("."))
    return next(a for a in [*event_assets, *reference_assets] if a.key == key)


def _fingerprints(files: list[LandedFile], seen: dict[str, list]) -> dict[str, list]:
    """name -> [size, mtime_ns, sha256]; a file's bytes are hashed only when its size or
    modification time differ from what the cursor saw."""
    current = {}
    for landed in files:
        stat = landed.path.stat()
        previous = seen.get(landed.name)
        if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
            current[landed.name] = previous
        else:
            current[landed.name] = [stat.st_size, stat.st_mtime_ns, landed.sha256()]
    return current


def _content_key(prefix: str, fingerprints: dict[str, list], names: list[str]) -> str:
    """The same files (name, size, modification time, sha256) give the same key, so a sensor
    whose cursor was lost requests nothing twice. The time is in the key because a file can be
    withdrawn and delivered again: its day was loaded without it in between, and the earlier
    key must not suppress the reload (identical re-deliveries never get here: the cursor's
    sha256 comparison finds nothing changed)."""
    digest = hashlib.sha256()
    for name in sorted(names):
        size, mtime_ns, sha256 = fingerprints[name]
        digest.update(f"{name}\0{size}\0{mtime_ns}\0{sha256}\n".encode())
    return f"{prefix}:{digest.hexdigest()[:16]}"


def build_landing_sensor(folder: str) -> dg.SensorDefinition:
    adapters = ADAPTERS_BY_FOLDER[folder]
    partitioned = [a for a in adapters if _asset_for(a).partitions_def is not None]
    targets = [_asset_for(a) for a in adapters]

    @dg.sensor(
        name=f"{folder}_landing_sensor",
        description=f"Loads new or changed files in landing/{folder}/.",
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        target=targets,
        default_status=dg.DefaultSensorStatus.STOPPED,
    )
    def landing_sensor(context: dg.SensorEvaluationContext, home: AxmeterHome) -> dg.SensorResult:
        seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
        files = scan_landing(folder, home.landing(folder), lambda name: None)
        current = _fingerprints(files, seen)
        changed = sorted(name for name, fp in current.items() if seen.get(name, [None] * 3)[2] != fp[2])
        if not changed:
            return dg.SensorResult(skip_reason=f"nothing new in landing/{folder}/", cursor=json.dumps(current))

        run_requests = []
        if partitioned:
            adapter = partitioned[0]
            days = {adapter.date_of(name) for name in changed} - {None}
            for day in sorted(d for d in days if d >= data_start()):
                names = [n for n in current if adapter.date_of(n) == day]
                run_requests.append(dg.RunRequest(
                    run_key=_content_key(f"{folder}:{day}", current, names),
                    partition_key=day.isoformat(),
                    asset_selection=[_asset_for(adapter).key],
                ))
            undated = [n for n in changed if adapter.date_of(n) is None or adapter.date_of(n) < data_start()]
            if undated:
                # No partition can take these; the next load of any day records them in quarantine.
                context.log.warning(f"landing/{folder}/: no partition for {undated}")
        else:
            run_requests.append(dg.RunRequest(
                run_key=_content_key(folder, current, list(current)),
                asset_selection=[asset.key for asset in targets],
            ))
        context.log.info(f"landing/{folder}/: {len(changed)} new or changed file(s) -> {len(run_requests)} run(s)")
        return dg.SensorResult(run_requests=run_requests, cursor=json.dumps(current))

    return landing_sensor


landing_sensors = [build_landing_sensor(folder) for folder in ADAPTERS_BY_FOLDER]
