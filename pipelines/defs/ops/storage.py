"""The local Dagster instance's storage: Dagster's SQLite storage, with one addition.

A run over many days (a first load, a backfill) ends each raw asset's step with one
materialization event per day: ~300 per asset for ten months. Dagster's SQLite event log
stores each event on its own (a new engine, a write to the run's database and one to the
index database, two commits): ~6.6 ms each here, about 4 s of a 100k first load's 11 s
ingest job. Dagster buffers such events when `DAGSTER_EVENT_BATCH_SIZE` is set (pipelines/settings.py) and hands
them to `store_event_batch`, which its PostgreSQL storage (production, deploy/dagster.yaml)
writes in one statement; SQLite's inherits the one-by-one loop. `BatchingSqliteEventLogStorage`
writes a batch of materializations like PostgreSQL does: one insert into the run's database,
one transaction in the index database (tags of every event; the asset's latest entry from the
last one). Everything else is Dagster's own code.

`axmeter` writes a dagster.yaml that selects `AxmeterSqliteStorage` (pipelines/cli.py); an
older dagster.yaml keeps Dagster's plain SQLite storage, which works the same, only slower."""

from __future__ import annotations

from collections.abc import Sequence

from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.schema import SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory

class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        batchable = (
            len(events) > 1
            and len({event.run_id for event in events}) == 1
            and all(event.is_dagster_event and event.dagster_event_type == DagsterEventType.ASSET_MATERIALIZATION
                    for event in events)
        )
        if not batchable:
            super().store_event_batch(events)
            return
        insert = self.prepare_insert_event_batch(events)
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(insert)
        with self.index_transaction() as conn:
            # One multi-row INSERT numbers its rows in VALUES order; RETURNING's row order is
            # unspecified, hence the sort.
            event_ids = sorted(row[0] for row in conn.execute(insert.returning(SqlEventLogStorageTable.c.id)))
            self._store_asset_event_tags(conn, events, event_ids)
            by_asset = {}
            for event, event_id in zip(events, event_ids):
                by_asset[event.dagster_event.asset_key] = (event, event_id)
            for event, event_id in by_asset.values():  # each asset's latest event
                self._store_asset_event(conn, event, event_id)


class AxmeterSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (same folders, same databases) with the batching event log."""

    def __init__(self, base_dir: str, inst_data=None):
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = BatchingSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
