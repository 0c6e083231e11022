"""The data contracts as Dagster asset checks, one multi-asset check per contracted asset.

| check               | severity | blocking | what |
|---------------------|----------|----------|------|
| `contract`          | ERROR    | yes      | the contract's error rules (GX suite + column types) |
| `contract_warnings` | WARN     | no       | the contract's warn rules |
| `freshness`         | per SLA  | no       | newest value of the SLA element against slaProperties latency |
| `volume_anomaly`    | WARN     | no       | event sources: each day's rows against the median of the same weekday over 4 weeks |

A partitioned asset's checks validate the rows of the run's partitions (a single-run backfill
validates its whole range once and reports failures per partition); the others the whole
table. The published mart's contract runs twice: on `marts/<mart>` before publishing
(blocking: a failure stops the run before published/ is touched) and on `published/<mart>`,
the file readers get. Great Expectations is imported only when a check runs."""


import json
import warnings
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pyarrow as pa

from pipelines.defs.quality.contracts import IDENTIFIER, TABLE, Contract, Rule, load_contracts
# validation.py imports Great Expectations only inside its functions: safe at definitions load.
from pipelines.defs.quality.validation import SAMPLE_KEYS, RuleOutcome
from pipelines.resources import AxmeterHome, Warehouse
from pipelines.settings import WAREHOUSE_POOL, data_start

SQL_DIR = Path(__file__).parent / "sql"
# Partitioned check specs (a check's result belongs to the partition it validated) are a
# Dagster preview feature: say so once here, not at every definitions load.
warnings.filterwarnings("ignore", message="Specifying a partitions_def on an AssetCheckSpec", category=Warning)
SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}
SHOWN_RULES = 10  # failed rules listed in a check's description


def _sql(name: str, **identifiers: str) -> str:
    for value in identifiers.values():
        if value and not (IDENTIFIER.fullmatch(value) or TABLE.fullmatch(value) or value.startswith("WHERE ")
                          or value == "read_parquet($path)"):
            raise ValueError(f"not an identifier: {value!r}")
    return (SQL_DIR / name).read_text(encoding="utf-8").format(**identifiers)


def ensure_quality_tables(conn) -> None:
    conn.execute((SQL_DIR / "check_results_table.sql").read_text(encoding="utf-8"))


def record_results(conn, rows: list[dict]) -> None:
    """Append rows to quality.check_results (one Arrow batch, bound by name)."""
    if not rows:
        return
    ensure_quality_tables(conn)
    batch = pa.Table.from_pylist(rows, schema=pa.schema([
        ("checked_at", pa.timestamp("us", tz="UTC")), ("run_id", pa.string()), ("asset", pa.string()),
        ("check_name", pa.string()), ("rule", pa.string()), ("partition", pa.string()), ("severity", pa.string()),
        ("success", pa.bool_()), ("observed_value", pa.string()), ("unexpected_count", pa.int64()),
        ("element_count", pa.int64()), ("contract_version", pa.string()), ("details", pa.string()),
    ]))
    conn.register("check_results_batch", batch)
    try:
        conn.execute((SQL_DIR / "insert_check_results.sql").read_text(encoding="utf-8"))
    finally:
        conn.unregister("check_results_batch")


# --- what a run covers ---------------------------------------------------------------------------

def run_window(context: dg.AssetCheckExecutionContext) -> tuple[date, date] | None:
    """First and last partition (inclusive, as dates) of the run, or None when unpartitioned."""
    op = context.op_execution_context
    if not (op.has_partition_key or op.has_partition_key_range):
        return None
    window = op.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def partition_labels(window: tuple[date, date] | None, column: str | None, monthly: bool) -> list[str | None]:
    if window is None or column is None:
        return [None]
    labels, day = [], window[0]
    while day <= window[1]:
        labels.append(day.isoformat())
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1) if monthly else day + timedelta(days=1)
    return labels


def load_rows(conn, source: str, column: str | None, window: tuple[date, date] | None) -> pa.Table:
    where = f"WHERE {column} BETWEEN $first AND $last" if window and column else ""
    params = {"first": window[0], "last": window[1]} if where else {}
    return conn.sql(_sql("select_rows.sql", source=source, partition_filter=where), params=params).to_arrow_table()


# Row-level rules (and the column set) hold for a table exactly when they hold for every slice of
# it; uniqueness of a key that includes `file` holds per slice of whole file dates. A table whose
# contract has only such rules is validated in slices of whole days, so memory stays bounded.
SLICE_SAFE = {
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null", "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set", "expect_column_values_to_match_regex",
    "expect_column_pair_values_a_to_be_greater_than_b", "expect_table_columns_to_match_set",
}
SLICE_ROWS = 400_000  # rows per validated slice: ~0.5 GB of pandas at most for the portal table


def sliceable(contract: Contract, column: str | None) -> bool:
    if column != "file_date":
        return False
    for rule in contract.rules:
        if not rule.expectation or rule.expectation in SLICE_SAFE:
            continue
        columns = rule.kwargs.get("column_list") or [rule.kwargs.get("column")]
        if rule.expectation != "expect_compound_columns_to_be_unique" or "file" not in columns:
            return False
    return True


def day_slices(conn, source: str, column: str, window: tuple[date, date], rows: int = SLICE_ROWS
               ) -> list[tuple[date, date]]:
    """Consecutive runs of whole days of the window with at most `rows` rows each (a bigger day
    alone)."""
    counts = conn.execute(
        f"SELECT {column}, count(*) FROM {source} WHERE {column} BETWEEN $first AND $last GROUP BY 1 ORDER BY 1",
        {"first": window[0], "last": window[1]}).fetchall()
    slices: list[list] = []
    for day, n in counts:
        if slices and slices[-1][2] + n <= rows:
            slices[-1][1], slices[-1][2] = day, slices[-1][2] + n
        else:
            slices.append([day, day, n])
    return [(first, last) for first, last, _ in slices] or [window]


def merge_outcomes(parts: list[list[RuleOutcome]]) -> list[RuleOutcome]:
    """One outcome per rule from the outcomes of several slices (same rules, same order)."""
    if len(parts) == 1:
        return parts[0]
    merged = []
    for outcomes in zip(*parts):
        first = outcomes[0]
        failed = [o for o in outcomes if not o.success]
        counts = [o.unexpected_count for o in outcomes if o.unexpected_count is not None]
        totals = [o.element_count for o in outcomes if o.element_count is not None]
        by_partition: dict[str, int] = {}
        for o in outcomes:
            for key, n in o.by_partition.items():
                by_partition[key] = by_partition.get(key, 0) + n
        merged.append(RuleOutcome(
            first.rule, not failed,
            element_count=sum(totals) if totals else None,
            unexpected_count=sum(counts) if counts else None,
            observed_value=(failed[0] if failed else outcomes[-1]).observed_value,
            error=next((o.error for o in failed if o.error), None),
            sample_keys=[k for o in failed for k in o.sample_keys][:SAMPLE_KEYS],
            by_partition=by_partition,
        ))
    return merged


# --- turning outcomes into check results ----------------------------------------------------------

def _keys(contract: Contract, outcome, partition_column: str | None) -> list[dict]:
    """Sample keys of the failed rows: primary-key and partition columns only, never other values."""
    allowed = set(contract.primary_key) | ({partition_column} if partition_column else set())
    keys = []
    for sample in outcome.sample_keys:
        keys.append({k: (v.isoformat() if hasattr(v, "isoformat") else v.item() if hasattr(v, "item") else v)
                     for k, v in sample.items() if k in allowed})
    return keys


def _rule_line(contract: Contract, outcome, partition_column: str | None) -> str:
    parts = [f"{outcome.rule.id}: {outcome.summary}"]
    if outcome.by_partition:
        shown = sorted(outcome.by_partition)[:5]
        parts.append("partitions " + ", ".join(f"{p} ({outcome.by_partition[p]})" for p in shown)
                     + (" ..." if len(outcome.by_partition) > 5 else ""))
    keys = _keys(contract, outcome, partition_column)[:3]
    if keys:
        parts.append("e.g. " + "; ".join(", ".join(f"{k}={v}" for k, v in key.items()) for key in keys))
    return " - ".join(parts)


def contract_results(
    contract: Contract, outcomes, asset_key: dg.AssetKey, partition_column: str | None,
    docs: Path | None, element_count: int,
) -> list[dg.AssetCheckResult]:
    results = []
    for severity, check_name in (("error", "contract"), ("warn", "contract_warnings")):
        mine = [o for o in outcomes if o.rule.severity == severity]
        failed = [o for o in mine if not o.success]
        table = "\n".join(
            f"| {o.rule.id} | {o.unexpected_count if o.unexpected_count is not None else '-'} | "
            f"{', '.join(sorted(o.by_partition)[:5]) or '-'} | "
            f"{json.dumps(_keys(contract, o, partition_column)[:5], ensure_ascii=False, default=str)} | "
            f"{(o.error or '')[:120]} |"
            for o in failed
        )
        metadata = {
            "contract": f"data_contracts/{contract.name}.yaml (v{contract.version})",
            "rules_checked": len(mine),
            "rules_failed": len(failed),
            "rows_validated": element_count,
            "failed_rules": dg.MetadataValue.md(
                "| rule | rows | partitions | sample keys | error |\n|---|---|---|---|---|\n" + table
                if failed else "none"),
        }
        if docs:
            metadata["data_docs"] = dg.MetadataValue.path(str(docs))
        description = None
        if failed:
            lines = [_rule_line(contract, o, partition_column) for o in failed[:SHOWN_RULES]]
            description = (f"{len(failed)} {severity} rule(s) of data_contracts/{contract.name}.yaml failed: "
                           + "; ".join(lines) + (" ..." if len(failed) > SHOWN_RULES else ""))
        results.append(dg.AssetCheckResult(
            asset_key=asset_key, check_name=check_name, passed=not failed,
            severity=SEVERITY[severity if contract.enforced else "warn"],
            metadata=metadata, description=description,
        ))
    return results


def history_rows(contract, outcomes, results, asset_key, run_id, partitions, now) -> list[dict]:
    asset = asset_key.to_user_string()
    rows = []
    for result in results:
        rows.append(dict(
            checked_at=now, run_id=run_id, asset=asset, check_name=result.check_name, rule=None,
            partition=None if partitions == [None] else f"{partitions[0]}..{partitions[-1]}",
            severity="error" if result.severity == dg.AssetCheckSeverity.ERROR else "warn", success=result.passed,
            observed_value=result.description, unexpected_count=None, element_count=None,
            contract_version=contract.version if contract else None, details=None,
        ))
    for o in outcomes:
        check_name = "contract" if o.rule.severity == "error" else "contract_warnings"
        for partition in partitions:
            if partition is None or not o.by_partition:
                count, success = o.unexpected_count, o.success
            else:
                count = o.by_partition.get(partition, 0)
                success = count == 0
            rows.append(dict(
                checked_at=now, run_id=run_id, asset=asset, check_name=check_name, rule=o.rule.id, partition=partition,
                severity=o.rule.severity, success=success,
                observed_value=None if o.observed_value is None else str(o.observed_value)[:500],
                unexpected_count=count, element_count=o.element_count, contract_version=contract.version,
                details=json.dumps({"error": o.error, "sample_keys": _keys(contract, o, contract.partition_column)[:5]},
                                   ensure_ascii=False, default=str) if not success else None,
            ))
    return rows


# --- freshness and volume -------------------------------------------------------------------------

def freshness_result(conn, contract: Contract, source: str, asset_key: dg.AssetKey, now: datetime,
                     params: dict | None = None) -> dg.AssetCheckResult:
    sla = contract.freshness
    newest, rows = conn.execute(_sql("freshness.sql", source=source, column=sla.column), params or {}).fetchall()[0]
    if newest is None:
        passed, age, text = False, None, f"no rows in {source}"
    else:
        age = (now - newest).total_seconds() / 3600
        passed = age <= sla.max_age_hours
        text = None if passed else (f"newest {sla.column} is {newest:%Y-%m-%d %H:%M} UTC, {age / 24:.1f} days old; "
                                    f"the contract allows {sla.max_age_hours / 24:g} days")
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name="freshness", passed=passed, severity=SEVERITY[sla.severity],
        metadata={"newest": str(newest), "age_hours": round(age, 1) if age is not None else None,
                  "max_age_hours": sla.max_age_hours, "element": sla.column, "rows": rows},
        description=text,
    )


def volume_anomalies(conn, contract: Contract, source: str, column: str, window: tuple[date, date]) -> list[dict]:
    """Each day of the window: its rows, the same-weekday median of the weeks before, and
    whether it is an anomaly (beyond maxRatio x or below minRatio x the median)."""
    options = contract.volume.options
    weeks = int(options.get("weeks", 4))
    days = conn.execute(_sql("volume.sql", source=source, column=column), {
        "first": window[0], "last": window[1], "weeks": weeks, "history_start": data_start(),
    }).fetchall()
    out = []
    for day, count, baseline, history in days:
        anomalous = bool(history >= weeks and baseline and (
            count > options.get("maxRatio", 3) * baseline or count < options.get("minRatio", 1 / 3) * baseline))
        out.append({"day": day.isoformat(), "rows": count, "baseline": baseline, "weeks": history,
                    "anomaly": anomalous})
    return out


def volume_result(days: list[dict], asset_key: dg.AssetKey, contract: Contract) -> dg.AssetCheckResult:
    anomalies = [d for d in days if d["anomaly"]]
    listed = "\n".join(f"| {d['day']} | {d['rows']} | {d['baseline']:g} |" for d in anomalies[:50])
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name="volume_anomaly", passed=not anomalies,
        severity=SEVERITY[contract.volume.severity],
        metadata={"days_checked": len(days), "days_without_baseline": sum(d["weeks"] < int(
                      contract.volume.options.get("weeks", 4)) for d in days),
                  "anomalies": dg.MetadataValue.md("| day | rows | same-weekday median |\n|---|---|---|\n" + listed
                                                   if anomalies else "none")},
        description=None if not anomalies else (
            f"{len(anomalies)} day(s) outside {contract.volume.options.get('minRatio', 0.3333):g}x.."
            f"{contract.volume.options.get('maxRatio', 3):g}x the same-weekday median: "
            + ", ".join(f"{d['day']} ({d['rows']} vs {d['baseline']:g})" for d in anomalies[:10])),
    )


# --- the Dagster checks ---------------------------------------------------------------------------

def _specs(contract: Contract, asset_key: dg.AssetKey, extra: bool,
           partitions_def: dg.PartitionsDefinition | None) -> list[dg.AssetCheckSpec]:
    errors = sum(r.severity == "error" for r in contract.rules if r.kind in ("gx", "type"))
    warns = sum(r.severity == "warn" for r in contract.rules if r.kind in ("gx", "type"))
    specs = [
        dg.AssetCheckSpec("contract", asset=asset_key, blocking=contract.enforced, partitions_def=partitions_def,
                          description=f"The {errors} error rules of data_contracts/{contract.name}.yaml "
                          "(Great Expectations); " + ("a failure stops everything downstream." if contract.enforced
                          else f"the contract is {contract.status}: failures are reported, nothing blocks.")),
        dg.AssetCheckSpec("contract_warnings", asset=asset_key, partitions_def=partitions_def,
                          description=f"The {warns} warn rules of data_contracts/{contract.name}.yaml."),
    ]
    if extra and contract.freshness:
        specs.append(dg.AssetCheckSpec(
            "freshness", asset=asset_key,
            description=f"Newest {contract.freshness.column} at most {contract.freshness.max_age_hours / 24:g} days old."))
    if extra and contract.volume:
        specs.append(dg.AssetCheckSpec(
            "volume_anomaly", asset=asset_key, partitions_def=partitions_def,
            description="Each day's rows against the median of the same weekday over the four weeks before."))
    return specs


def build_contract_check(
    contract: Contract, asset_key: dg.AssetKey, *, published: bool,
    partitions_def: dg.PartitionsDefinition | None = None,
) -> dg.AssetChecksDefinition:
    partitioned = partitions_def is not None
    monthly = isinstance(partitions_def, dg.MonthlyPartitionsDefinition)
    source_table = contract.table if not contract.is_published else contract.pre_publish_table
    extra = published or not contract.is_published
    partition_column = contract.partition_column if partitioned else None
    name = f"{contract.name}_{'published_' if contract.is_published and published else ''}contract_checks"

    @dg.multi_asset_check(specs=_specs(contract, asset_key, extra, partitions_def), name=name, pool=WAREHOUSE_POOL,
                          description=f"data_contracts/{contract.name}.yaml on {asset_key.to_user_string()}")
    def contract_checks(
        context: dg.AssetCheckExecutionContext, home: AxmeterHome, warehouse: Warehouse,
    ) -> Iterable[dg.AssetCheckResult]:
        from pipelines.defs.quality.validation import build_data_docs, data_docs_index, validate_frame

        now = datetime.now(timezone.utc)
        window = run_window(context) if partition_column else None
        is_file = contract.is_published and published
        source, params = (("read_parquet($path)", {"path": str(home.published / contract.table)}) if is_file
                          else (source_table, {}))
        results: list[dg.AssetCheckResult] = []
        with warehouse.connect() as conn:
            if is_file:
                if not (home.published / contract.table).exists():
                    raise dg.Failure(f"{home.published / contract.table} does not exist: nothing to check")
                table = conn.sql(_sql("select_rows.sql", source=source, partition_filter=""),
                                 params=params).to_arrow_table()
            elif window and sliceable(contract, partition_column):
                slices = day_slices(conn, source_table, partition_column, window)
                table = None
            else:
                table = load_rows(conn, source_table, partition_column, window)
            if extra and contract.freshness:
                results.append(freshness_result(conn, contract, source, asset_key, now, params))
            if extra and contract.volume and partition_column and window:
                results.append(volume_result(volume_anomalies(conn, contract, source, partition_column, window),
                                             asset_key, contract))
        quality_home = home.root / "quality"
        if table is not None:
            context.log.info(f"{contract.name}: validating {table.num_rows:,} rows against its contract")
            outcomes = validate_frame(contract, table, published=published, quality_home=quality_home,
                                      partition_column=partition_column)
            rows_validated = table.num_rows
        else:
            parts, rows_validated = [], 0
            for number, (first, last) in enumerate(slices, 1):
                with warehouse.connect() as conn:
                    part = load_rows(conn, source_table, partition_column, (first, last))
                context.log.info(f"{contract.name}: validating {part.num_rows:,} rows of {first} .. {last} "
                                 f"(slice {number} of {len(slices)}) against its contract")
                parts.append(validate_frame(contract, part, published=published, quality_home=quality_home,
                                            partition_column=partition_column))
                rows_validated += part.num_rows
                del part
            outcomes = merge_outcomes(parts)
        # Data Docs are rendered once per publish (quality/data_docs). A blocking failure stops the
        # run before that, so its page is rendered now; failed warnings wait for the publish
        # (rendering costs ~0.6 s a call: two of the 100k run's ingest job went to the sample's
        # expected warnings).
        blocking = contract.enforced and any(not o.success and o.rule.severity == "error" for o in outcomes)
        docs = build_data_docs(quality_home, newest_only=True) if blocking else data_docs_index(quality_home)
        results = contract_results(contract, outcomes, asset_key, partition_column, docs, rows_validated) + results
        partitions = partition_labels(window, partition_column, monthly)
        with warehouse.connect() as conn:
            record_results(conn, history_rows(contract, outcomes, results, asset_key, context.op_execution_context.run_id,
                                                 partitions, now))
        for result in results:
            if not result.passed:
                log = context.log.error if result.severity == dg.AssetCheckSeverity.ERROR else context.log.warning
                log(f"{asset_key.to_user_string()}:{result.check_name}: {result.description}")
        yield from results

    return contract_checks


def contract_checks(assets: Sequence[dg.AssetsDefinition]) -> list[dg.AssetChecksDefinition]:
    """One multi-asset check per contracted asset present in `assets` (a contract whose asset is
    not defined yet is skipped, so the marts and publish layers can grow independently)."""
    partitions = {key: a.partitions_def for a in assets for key in a.keys}
    checks = []
    for contract in load_contracts().values():
        targets = [(dg.AssetKey(list(contract.asset)), True)]
        if contract.pre_publish_asset:
            targets.append((dg.AssetKey(list(contract.pre_publish_asset)), False))
        for key, published in targets:
            if key not in partitions:
                continue
            checks.append(build_contract_check(contract, key, published=published, partitions_def=partitions[key]))
    return checks


def with_contract_checks(defs: dg.Definitions) -> dg.Definitions:
    """`defs` plus the contract checks of every contracted asset it defines (added by
    pipelines/definitions.py; resources come from there)."""
    assets = [a for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition)]
    return dg.Definitions.merge(defs, dg.Definitions(asset_checks=contract_checks(assets)))
