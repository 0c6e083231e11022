"""Dagster resources: the home folder, the DuckDB warehouse and the pseudonym key.

All of them are configured from environment variables in definitions.py (`EnvVar`), so the
same code runs on a laptop, in CI and in production with nothing hard-coded.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from pipelines.settings import duckdb_memory_limit

SCHEMA_SQL = Path(__file__).parent / "warehouse" / "schema.sql"
# Each source adapter's raw table (pipelines/defs/ingest/sources/): adding a source adds a file.
RAW_TABLE_SQL = Path(__file__).parent / "defs" / "ingest" / "sql"
MIN_KEY_LENGTH = 16


class AxmeterHome(ConfigurableResource):
    """The folder axmeter owns (outputs.md): landing/, warehouse.duckdb, published/, ..."""

    home: str

    @property
    def root(self) -> Path:
        return Path(self.home).expanduser().resolve()

    def landing(self, source: str) -> Path:
        return self.root / "landing" / source

    def archive(self, source: str) -> Path:
        """Where landed files go once loaded (pipelines/defs/ops/housekeeping.py)."""
        return self.root / "archive" / source

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse under the home folder. Only Dagster assets in the
    `warehouse_writer` pool open it; readers use published/ Parquet.

    Within a Dagster execution the database is opened on the first `connect()` and each
    `connect()` is a cursor on it: opening the file, running the DDL and closing it cost ~40 ms,
    and a job connects dozens of times (refresh_snapshots_and_staging: 52). It is closed when the
    step ends, so that other runs' steps take turns at the file between this run's steps, as the
    pool promises: with the step's process (multiprocess executor: `teardown_after_execution`) or,
    in process, by `release_held_warehouses` on each step's end event (pipelines/run.py). Outside
    Dagster (planning, the CLI, tests) every `connect()` opens and closes the file as before."""

    home: str
    _held: ExitStack | None = PrivateAttr(default=None)
    _held_conn: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _in_execution: bool = PrivateAttr(default=False)
    _opening: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._in_execution = True

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self.release()
        self._in_execution = False

    def release(self) -> None:
        """Close the database held for the execution (checkpointing it); the next `connect()`
        opens it again. Whoever replaces the file (compaction) calls this first."""
        with self._opening:
            held, self._held, self._held_conn = self._held, None, None
            _HELD.pop(id(self), None)
        if held is not None:
            held.close()

    @contextmanager
    def _open(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = AxmeterHome(home=self.home).warehouse_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # DuckDBResource retries with backoff when another process holds the file lock.
        resource = DuckDBResource(database=str(path), connection_config={"memory_limit": duckdb_memory_limit()})
        with resource.get_connection() as conn:
            # Set after connecting: ICU (time zones) is built in but loads on first use.
            conn.execute("SET TimeZone = 'UTC'")
            conn.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            for ddl in sorted(RAW_TABLE_SQL.glob("*_table.sql")):
                conn.execute(ddl.read_text(encoding="utf-8"))
            yield conn

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self._in_execution:
            with self._open() as conn:
                yield conn
            return
        with self._opening:
            if self._held_conn is None:
                stack = ExitStack()
                self._held_conn = stack.enter_context(self._open())
                self._held = stack
                _HELD[id(self)] = self
        # A cursor is a connection of its own (transactions, TEMP tables, registered views) to
        # the same database instance; settings are per connection.
        cursor = self._held_conn.cursor()
        try:
            cursor.execute("SET TimeZone = 'UTC'")
            yield cursor
        finally:
            cursor.close()


_HELD: dict[int, Warehouse] = {}  # the Warehouse objects of this process holding their database open


def release_held_warehouses() -> None:
    """Close every warehouse database this process holds open (pipelines/run.py: at each step's
    end in an in-process run)."""
    for warehouse in list(_HELD.values()):
        warehouse.release()


class PseudonymKey(ConfigurableResource):
    """HMAC-SHA256 key for employee pseudonyms. It lives in the environment only and is never
    written to the warehouse (metrics.md, privacy)."""

    key: str

    def pseudonymizer(self) -> "Pseudonymizer":
        return Pseudonymizer(self.key)


class Pseudonymizer:
    def __init__(self, key: str):
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(
                f"AXMETER_PSEUDONYM_KEY is {len(key)} characters long; use at least "
                f"{MIN_KEY_LENGTH} random characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`)."
            )
        self._key = key.encode("utf-8")
        # Every batch of a load meets the same few thousand employees again: at 10 M events the
        # portal load hashed 313 k values for 14 k distinct ones (4.7 s).
        self._known: dict[str, str | None] = {}

    @staticmethod
    def normalize(employee_number: str | None) -> str | None:
        """Employee numbers are compared after trimming spaces and upper-casing (metrics.md)."""
        if employee_number is None:
            return None
        value = employee_number.strip().upper()
        return value or None

    def pseudonym(self, employee_number: str | None) -> str | None:
        value = self.normalize(employee_number)
        if value is None:
            return None
        return hmac.digest(self._key, value.encode("utf-8"), "sha256").hex()

    def mapping(self, employee_numbers) -> dict[str, str | None]:
        """Pseudonyms for a batch of raw values (each distinct value is hashed once for the life of
        this object)."""
        known = self._known
        out = {}
        for raw in set(employee_numbers):
            if raw is None:
                continue
            if raw not in known:
                known[raw] = self.pseudonym(raw)
            out[raw] = known[raw]
        return out
