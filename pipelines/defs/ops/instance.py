"""The Dagster instance's side of safety: the warehouse pool's limit of 1.

dagster.yaml can only give pools a default limit (`concurrency: pools: default_limit: 1`),
applied when a pool is first used. The limit of the warehouse pool itself is set here, in the
instance's storage, as `dagster instance concurrency set warehouse_writer 1` would: so that
a limit changed in the UI, or an instance whose dagster.yaml lacks the default, is put right."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import WAREHOUSE_POOL, WAREHOUSE_POOL_LIMIT


def pool_limit(instance: dg.DagsterInstance, pool: str = WAREHOUSE_POOL) -> int | None:
    """The pool's limit as the instance enforces it, or None when it enforces none."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return None
    current = {limit.name: limit for limit in storage.get_pool_limits()}.get(pool)
    if current is not None:
        return current.limit
    return instance.get_concurrency_config().pool_config.default_pool_limit


def ensure_pool_limit(instance: dg.DagsterInstance, pool: str = WAREHOUSE_POOL,
                      limit: int = WAREHOUSE_POOL_LIMIT) -> None:
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        raise RuntimeError(
            f"The Dagster instance's storage ({type(storage).__name__}) cannot enforce pools, so two "
            "runs could write the DuckDB warehouse at once; use the SQLite or PostgreSQL storage."
        )
    current = {p.name: p for p in storage.get_pool_limits()}.get(pool)
    if current is None or current.limit != limit or current.from_default:
        storage.set_concurrency_slots(pool, limit)
