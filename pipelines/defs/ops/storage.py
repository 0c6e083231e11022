"""The local Dagster instance's storage: Dagster's SQLite storage, with its event log made cheaper.

A run over many days (a first load, a backfill) ends each raw asset's step with one
materialization event per day: ~300 per asset for ten months. Dagster's SQLite event log
stores each event on its own (a new engine, a write to the run's database and one to the
index database, two commits): ~6.6 ms each here, about 4 s of a 100k first load's 11 s
ingest job. Dagster buffers such events when `DAGSTER_EVENT_BATCH_SIZE` is set (pipelines/settings.py)
and hands them to `store_event_batch`, which its PostgreSQL storage (production, deploy/dagster.yaml)
writes in one statement; SQLite's inherits the one-by-one loop. `BatchingSqliteEventLogStorage`:
- writes a batch of materializations like PostgreSQL does: one insert into the run's database,
  one transaction in the index database (tags of every event; each asset's latest entry);
- keeps one SQLAlchemy engine per database instead of building one per connection (and with
  it an empty statement cache, so every insert was compiled again), with a pool of open
  connections instead of opening and closing one per use, and remembers that the
  tags table exists instead of asking SQLite before every asset event (~7 -> 5 ms an event);
- serializes a check's planned event once, not once per partition it is planned for;
- makes a new run's database by copying an empty one that Dagster's own code initialised once
  per process (tables, WAL, alembic stamp), instead of initialising each (~0.14 s; one per job);
- commits without an fsync each (`PRAGMA synchronous=NORMAL`; Dagster already puts these
  databases in WAL mode): a job commits ~600 times, ~1 ms each with FULL. In WAL mode NORMAL
  keeps the database consistent; a power cut may lose the last events, never corrupt it.
Everything else is Dagster's own code, and the databases are the same.

`axmeter` writes a dagster.yaml that selects `AxmeterSqliteStorage` (pipelines/cli.py); an
older dagster.yaml keeps Dagster's plain SQLite storage, which works the same, only slower."""

from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster._core.events import DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import serialize_value
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

# Engines kept per process: the index database and the most recent runs' databases.
CACHED_ENGINES = 16
_EMPTY_RUN_DATABASE: list[bytes] = []  # per process: an empty run database, as Dagster makes it
_EMPTY_RUN_DATABASE_LOCK = threading.Lock()


def _no_fsync_per_commit(dbapi_connection, _record) -> None:
    """SQLAlchemy connect hook: WAL's NORMAL sync level (fsync at checkpoints, not at commits)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.RLock()  # not Dagster's _db_lock: has_table runs while it is held
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        """One SQLAlchemy engine per database, kept (Dagster's own storage builds one for every
        connection, and with it an empty statement cache: each insert was compiled again).
        Its connections are pooled: Dagster's NullPool opened and closed one per use, and closing
        the last connection of a WAL database checkpoints it (~1.4 ms; ~1,500 times a 100k run).
        Two are kept open, more are opened when needed and closed on return (never a wait)."""
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=2,
                                       max_overflow=-1, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
                event.listen(engine, "connect", _no_fsync_per_commit)
            self._engines[shard] = engine
            while len(self._engines) > CACHED_ENGINES:
                self._engines.popitem(last=False)[1].dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        """A new run's database: a copy of an empty one (see `_empty_run_database`), linked into
        place whole, so no process ever sees half of it. Anything else (the index database, an
        existing file, a copy another process linked first) goes through Dagster's own code."""
        path = engine.url.database
        if for_index_shard or not path or os.path.basename(path) == f"{INDEX_SHARD_NAME}.db" or os.path.exists(path):
            super()._initdb(engine, for_index_shard)
            return
        copy = f"{path}.{os.getpid()}.{threading.get_ident()}.new"
        with open(copy, "wb") as out:
            out.write(self._empty_run_database())
        try:
            os.link(copy, path)
        except FileExistsError:
            super()._initdb(engine, for_index_shard)
        finally:
            os.unlink(copy)

    def _empty_run_database(self) -> bytes:
        """The bytes of a run database that Dagster's own `_initdb` created (in a scratch folder,
        once per process) and closed, so that it holds no WAL of its own."""
        with _EMPTY_RUN_DATABASE_LOCK:
            if not _EMPTY_RUN_DATABASE:
                with tempfile.TemporaryDirectory(prefix="axmeter-run-db-") as scratch:
                    template = os.path.join(scratch, "empty_run.db")
                    engine = create_engine(f"sqlite:///{template}", poolclass=NullPool)
                    SqliteEventLogStorage._initdb(self, engine)
                    engine.dispose()
                    if os.path.exists(template + "-wal") and os.path.getsize(template + "-wal"):
                        raise RuntimeError("an empty run database kept a WAL after closing")
                    with open(template, "rb") as source:
                        _EMPTY_RUN_DATABASE.append(source.read())
            return _EMPTY_RUN_DATABASE[0]

    def has_table(self, table_name: str) -> bool:
        """Asked before every asset event's tags are written; a table, once there, stays."""
        if table_name not in self._tables:
            engine = self._engine(INDEX_SHARD_NAME)
            with engine.connect() as conn:
                if engine.dialect.has_table(conn, table_name):
                    self._tables.add(table_name)
        return table_name in self._tables

    def _store_asset_check_evaluation_planned(self, event: EventLogEntry, event_id: int | None) -> None:
        """Dagster's own, with the event serialized once rather than once per partition: a
        check on the daily event tables is planned for ~300 days at a time."""
        planned = event.dagster_event.event_specific_data
        partition_keys = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        row = dict(asset_key=planned.asset_key.to_string(), check_name=planned.check_name, run_id=event.run_id,
                   execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
                   evaluation_event=serialize_value(event),
                   evaluation_event_timestamp=self._event_insert_timestamp(event),
                   evaluation_event_storage_id=event_id)
        with self.index_connection() as conn:  # executemany: one statement compiled, not ~300 rows of it
            conn.execute(AssetCheckExecutionsTable.insert(),
                         [dict(row, partition=partition_key) for partition_key in partition_keys])

    def dispose(self) -> None:
        """The instance is closing: close the pooled connections too."""
        self._dispose_engines()
        super().dispose()

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
            self._tables.clear()

    def wipe(self) -> None:
        self._dispose_engines()  # before Dagster deletes the run databases they may hold open
        super().wipe()

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
        # The rows Dagster's prepare_insert_event_batch puts in one multi-row INSERT, executed as
        # executemany instead: SQLAlchemy compiled that INSERT with a parameter per column and
        # row (~90 vs ~25 ms for 300 events).
        rows = [self._event_to_row(event) for event in events]
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
        with self.index_transaction() as conn:
            event_ids = [row[0] for row in conn.execute(
                SqlEventLogStorageTable.insert().returning(SqlEventLogStorageTable.c.id, sort_by_parameter_order=True),
                rows)]
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
