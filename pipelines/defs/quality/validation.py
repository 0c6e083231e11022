"""Contracts compiled into Great Expectations 1.x suites and validated on pandas batches.

Great Expectations is imported here lazily, inside the functions, never when the code
location loads (`import great_expectations` takes seconds). Batches are pandas DataFrames
converted from Arrow: GX 1.x has no Polars support, and its SQL path on DuckDB (duckdb-engine)
returns empty metrics (GX issues #10738, #11579).

The suite is generated from the contract (contracts.py) every time: no rule is written twice.
Each expectation carries its rule id and severity in `meta`, so a result maps back to the rule.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.defs.quality.contracts import ARROW_TYPES, Contract, Rule

KEEP_RESULTS = 30  # stored validation results (and their Data Docs pages) kept per suite
# Validation results the Data Docs index links, newest first (about two full runs' worth). GX's
# index builder loads every result it links (~4 ms each): with KEEP_RESULTS of each of the 16
# suites kept, a home that runs daily would load ~500 of them at every publish (~2 s).
INDEX_RESULTS = 100
SAMPLE_KEYS = 20  # sample keys kept per failed rule (primary-key columns only: file + line, month + unit, ...)
# Rules whose verdict depends only on which values their column holds: on a batch of at least
# DISTINCT_VALUES_MIN_ROWS rows they are evaluated on each column's distinct values instead of every
# row, in a second suite (`<suite>_distinct_values`). GX's regex rule over every row was most of a
# raw event table's validation: 0.50 of 0.85 s per 400 k portal rows (it filters the nulls out of
# the whole frame, then runs the regex), against 0.03 s over the slice's ~1,200 pseudonyms. A failed
# rule runs again over every row, so its counts, sample keys and days are the rows'.
BY_DISTINCT_VALUES = {"expect_column_values_to_match_regex"}
DISTINCT_VALUES_MIN_ROWS = 50_000
DISTINCT_VALUES_SUFFIX = "_distinct_values"
_LOCK = threading.Lock()
_CONTEXTS: dict[str, Any] = {}
# quality home -> (suite, run id) of each result the newest validation stored
_LAST_RESULTS: dict[str, list[tuple[str, Any]]] = {}


@dataclass
class RuleOutcome:
    rule: Rule
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    observed_value: Any = None
    error: str | None = None  # the expectation could not be evaluated (e.g. a missing column)
    sample_keys: list[dict[str, Any]] = field(default_factory=list)
    by_partition: dict[str, int] = field(default_factory=dict)  # failed rows per partition

    @property
    def summary(self) -> str:
        if self.success:
            return "passed"
        if self.error:
            return f"could not be evaluated: {self.error}"
        if self.unexpected_count is not None:
            return f"{self.unexpected_count:,} of {self.element_count:,} rows"
        return f"observed {self.observed_value}"


def quiet_gx() -> None:
    """No analytics, no network, no progress bars, warnings only. Before the first import."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GX_USAGE_STATS", "False")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


# Modules Great Expectations imports for expectations the contracts never use (KS tests, KL
# divergence): scipy.stats alone is ~1.4 s of the ~4 s import, paid by every run that validates.
DEFERRED_IMPORTS = ("scipy.stats",)


def defer_unused_imports(names: tuple[str, ...] = DEFERRED_IMPORTS) -> None:
    """Register each module as lazy (importlib.util.LazyLoader): it executes on its first
    attribute access, so code that really uses it gets the same module, only later."""
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def _gx():
    quiet_gx()
    with _LOCK:
        if "great_expectations" not in sys.modules:
            defer_unused_imports()
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch under 1 GB by hashing it whole (about 7 s per 200k
    # rows); the fingerprint is only a batch marker and nothing here uses it.
    pandas_execution_engine.HASH_THRESHOLD = 0
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx


def import_in_background() -> threading.Thread | None:
    """Start importing Great Expectations (~3 s) in a daemon thread, so that it overlaps a run's
    loading, whose DuckDB work releases the GIL, instead of delaying the first contract check.
    A check that needs GX before it is done waits on Python's import lock for the same module;
    if the import fails here, the check's own import raises the error where it is reported."""
    if "great_expectations" in sys.modules:
        return None

    def warm() -> None:
        try:
            _gx()
        except Exception:  # noqa: BLE001 - reported by the check that imports it again
            logging.getLogger(__name__).debug("importing Great Expectations ahead failed", exc_info=True)

    thread = threading.Thread(target=warm, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


def to_pandas(table: pa.Table):
    """Arrow -> pandas with NumPy-backed columns (GX evaluates masked Int64 columns several times
    slower): integers with nulls become float64, booleans with nulls object, dates datetime64.
    Column types are checked on the Arrow schema (check_types), so nothing is lost by this."""
    return table.to_pandas(date_as_object=False)


def _coerce_bounds(rule: Rule, physical: dict[str, str]) -> dict[str, Any]:
    """Date and timestamp bounds from YAML strings to the datetimes pandas compares with."""
    kwargs = dict(rule.kwargs)
    kind = physical.get(kwargs.get("column", ""))
    for key in ("min_value", "max_value"):
        value = kwargs.get(key)
        if value is None or kind not in ("DATE", "TIMESTAMP WITH TIME ZONE"):
            continue
        parsed = datetime.fromisoformat(str(value))
        if kind == "DATE":
            parsed = parsed.replace(tzinfo=None)
        elif parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        kwargs[key] = parsed
    return kwargs


def _expectation_class(gx, snake: str):
    camel = "".join(part.capitalize() for part in snake.split("_"))
    try:
        return getattr(gx.expectations, camel)
    except AttributeError:
        raise ValueError(f"unknown Great Expectations expectation {snake!r}") from None


def build_suite(contract: Contract, *, published: bool = True, severity: str | None = None,
                only: set[str] | None = None, exclude: set[str] = frozenset(), suffix: str = ""):
    """The contract's GX suite. `published=False`: the pre-publish suite (without the rules and
    columns that only the publish step adds). `only`: just these rule ids; `exclude`: not these.
    `suffix`: appended to the suite's name (DISTINCT_VALUES_SUFFIX for the distinct-values suite)."""
    gx = _gx()
    physical = dict(contract.columns)
    expectations = []
    for rule in contract.rules_for(published=published, kinds=("gx",)):
        if (severity and rule.severity != severity) or (only is not None and rule.id not in only) or rule.id in exclude:
            continue
        kwargs = _coerce_bounds(rule, physical)
        if rule.id == "schema.columns" and not published:
            kwargs["column_set"] = [c for c in kwargs["column_set"] if c not in contract.published_only_columns]
        expectation = _expectation_class(gx, rule.expectation)(
            **kwargs, meta={"rule": rule.id, "severity": rule.severity, "contract": contract.id}
        )
        expectations.append(expectation)
    # All at once: a suite whose name the file store already knows writes itself back to the
    # store on every add_expectation (quadratic; ~0.6 s for a mart's 35 rules).
    return gx.ExpectationSuite(name=contract.suite_name + ("" if published else "_pre_publish") + suffix,
                               expectations=expectations)


def suite_names(contract: Contract) -> list[str]:
    """Every suite a contract's validations store: its own, the pre-publish one of a published
    mart, and the distinct-values one of each when the contract has rules evaluated that way."""
    names = [contract.suite_name] + [contract.suite_name + "_pre_publish"] * contract.is_published
    if any(_by_distinct_values(rule) for rule in contract.rules):
        names += [name + DISTINCT_VALUES_SUFFIX for name in names]
    return names


def _by_distinct_values(rule: Rule) -> bool:
    return rule.expectation in BY_DISTINCT_VALUES and "mostly" not in rule.kwargs


def distinct_value_rules(contract: Contract, table: pa.Table, *, published: bool = True,
                         only: set[str] | None = None) -> list[Rule]:
    """The rules of this validation to evaluate on distinct values (none for a small batch)."""
    if table.num_rows < DISTINCT_VALUES_MIN_ROWS:
        return []
    return [rule for rule in contract.rules_for(published=published, kinds=("gx",))
            if _by_distinct_values(rule) and rule.column in table.column_names and (only is None or rule.id in only)]


def distinct_values(table: pa.Table, columns: list[str]) -> pa.Table:
    """Each column's distinct values, padded with nulls to one length: the value rules skip nulls,
    so a rule sees exactly the values its column holds."""
    values = {column: pc.unique(table.column(column)) for column in dict.fromkeys(columns)}
    length = max(len(v) for v in values.values())
    return pa.table({column: pa.concat_arrays([v, pa.nulls(length - len(v), v.type)]) for column, v in values.items()})


def check_types(contract: Contract, schema: pa.Schema, *, published: bool = True) -> list[RuleOutcome]:
    """`<column>.type` rules: the batch's Arrow type against the contract's physicalType."""
    outcomes = []
    for rule in contract.rules_for(published=published, kinds=("type",)):
        if rule.column not in schema.names:
            outcomes.append(RuleOutcome(rule, False, error=f"column {rule.column} is missing"))
            continue
        actual = schema.field(rule.column).type
        name = "timestamp[us, tz=*]" if pa.types.is_timestamp(actual) and actual.tz else str(actual)
        outcomes.append(RuleOutcome(rule, name in ARROW_TYPES[rule.physical_type], observed_value=name))
    return outcomes


@contextmanager
def configurations_computed_once() -> Iterator[None]:
    """While validating, each Expectation builds its ExpectationConfiguration once instead of on
    every access.

    GX's `Expectation.configuration` is a property that serialises the pydantic model again on
    each call (`.dict()`, a regex on the class name), and a validation calls it ~60 times per
    expectation: 6.4 of 17.5 s in a cProfiled validation of the twelve contracts on the 100k
    sample. The validator builds fresh Expectation objects from the suite for every validation
    and does not change them while it runs, so one configuration per object is the same value;
    callers that edit one deepcopy it first. Timed without the profiler: 4.7 -> 3.3 s, the same
    outcomes. Not around storing a suite, which gives its expectations ids. The property is GX's
    again on the way out; the caller holds _LOCK, so no other validation sees the memo."""
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__["configuration"]
    memo: dict[int, tuple[Any, Any]] = {}  # id(expectation) -> (expectation, its configuration)

    def configuration(self):
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:  # the object itself is kept, so its id is not reused
            hit = memo[id(self)] = (self, original.fget(self))
        return hit[1]

    Expectation.configuration = property(configuration, doc=original.__doc__)
    try:
        yield
    finally:
        Expectation.configuration = original


def _context(home: Path | None):
    """A file-based GX context under $AXMETER_HOME/quality (Data Docs survive the process),
    or an ephemeral one (tests). A file-based one has every contract's data asset."""
    gx = _gx()
    key = str(home) if home else ":ephemeral:"
    with _LOCK:
        if key not in _CONTEXTS:
            if home is None:
                context = gx.get_context(mode="ephemeral")
            else:
                home.mkdir(parents=True, exist_ok=True)
                context = gx.get_context(mode="file", project_root_dir=str(home))
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            if home is not None:
                from pipelines.defs.quality.contracts import load_contracts

                names = [name for contract in load_contracts().values() for name in suite_names(contract)]
                with _one_config_save(context):
                    for name in names:
                        _batch_definition(context, name)
                    _limit_index(context)
            _CONTEXTS[key] = context
        return _CONTEXTS[key]


@contextmanager
def _one_config_save(context) -> Iterator[None]:
    """GX rewrites great_expectations.yml (ruamel YAML, ~40 ms) for every data asset and batch
    definition it adds: 32 writes on a new home's first run. Within this block it writes once, at
    the end; the in-memory config is updated as usual."""
    context._save_project_config = lambda: None  # shadows the method on this object only
    try:
        yield
    finally:
        del context._save_project_config
        context._save_project_config()


def _limit_index(context) -> None:
    """The Data Docs site links (and renders) the newest INDEX_RESULTS validation results only. A
    publish renders the results stored since the last one, always among the newest; older pages
    stay until KEEP_RESULTS drops their results."""
    sites = context.variables.data_docs_sites or {}  # a copy: set back below
    for site in sites.values():
        builder = site.setdefault("site_index_builder", {"class_name": "DefaultSiteIndexBuilder"})
        builder["validation_results_limit"] = INDEX_RESULTS
    context.variables.data_docs_sites = sites


def _batch_definition(context, asset_name: str):
    """The pandas data source's asset `asset_name` and its whole-DataFrame batch definition,
    added when missing."""
    try:
        datasource = context.data_sources.get("axmeter")
    except (KeyError, ValueError, LookupError):
        datasource = context.data_sources.add_pandas("axmeter")
    try:
        asset = datasource.get_asset(asset_name)
    except (KeyError, ValueError, LookupError):
        asset = datasource.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("whole_batch")
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole_batch")


def _outcome(rule: Rule, result) -> RuleOutcome:
    info = result.exception_info or {}
    if "exception_message" not in info:  # keyed by metric when an expectation raised
        info = next((v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")), info)
    raised = info.get("raised_exception")
    r = result.result or {}
    return RuleOutcome(
        rule, bool(result.success), element_count=r.get("element_count"), unexpected_count=r.get("unexpected_count"),
        observed_value=r.get("observed_value"), error=info.get("exception_message") if raised else None,
    )


def validate_frame(
    contract: Contract,
    table: pa.Table,
    *,
    published: bool = True,
    quality_home: Path | None = None,
    partition_column: str | None = None,
    only: set[str] | None = None,
) -> list[RuleOutcome]:
    """Validate a batch (Arrow, converted to pandas) against the contract: every rule's outcome.
    With `quality_home`, the result is stored in the file-based context there (for the Data
    Docs); without it, nothing is stored (tests, dry runs). The suite runs once with BASIC
    results; each failed row-level rule runs again alone to collect its failing rows' keys and
    partitions (unstored), so a passing batch costs one pass. On a big batch the value rules
    (BY_DISTINCT_VALUES) run on the distinct values of their columns, as a suite of their own."""
    gx = _gx()
    context = _context(quality_home)
    by_values = distinct_value_rules(contract, table, published=published, only=only)
    value_ids = {rule.id for rule in by_values}
    frame = to_pandas(table)
    suites = [(build_suite(contract, published=published, only=only, exclude=value_ids), frame)]
    if by_values:
        values = to_pandas(distinct_values(table, [rule.column for rule in by_values]))
        suites.append((build_suite(contract, published=published, only=value_ids, suffix=DISTINCT_VALUES_SUFFIX), values))
    by_rule = {r.id: r for r in contract.rules}
    outcomes: list[RuleOutcome] = []
    with _LOCK:
        stored = []
        whole_batch = _batch_definition(context, suites[0][0].name)  # every row: the failed rules' second pass
        try:
            for suite, suite_frame in suites:
                if not suite.expectations:
                    continue
                batch_definition = _batch_definition(context, suite.name)
                # Stored first (storing gives the expectations their ids), then validated.
                definition = None if quality_home is None else _stored_definition(gx, context, suite, batch_definition)
                with configurations_computed_once():
                    if definition is None:
                        results = batch_definition.get_batch({"dataframe": suite_frame}).validate(
                            suite, result_format="BASIC")
                    else:
                        results = definition.run(batch_parameters={"dataframe": suite_frame}, result_format="BASIC")
                        stored.append((suite.name, results.meta["run_id"]))
                outcomes += [_outcome(by_rule[res.expectation_config.meta["rule"]], res) for res in results.results]
            for outcome in outcomes:
                if outcome.rule.id in value_ids:
                    outcome.element_count = table.num_rows  # as over every row: nulls count, as GX counts them
            if quality_home is not None:
                _LAST_RESULTS[str(quality_home)] = stored
            index_columns = [c for c in contract.primary_key if c in frame.columns]
            if partition_column and partition_column in frame.columns and partition_column not in index_columns:
                index_columns.append(partition_column)
            with configurations_computed_once():
                _failing_rows(whole_batch, frame, [e for suite, _ in suites for e in suite.expectations], outcomes,
                              index_columns, partition_column, value_ids)
        finally:
            _release_batches(whole_batch.data_asset.datasource)  # every suite's: one pandas data source
    outcomes += [o for o in check_types(contract, table.schema, published=published)
                 if only is None or o.rule.id in only]
    order = {r.id: i for i, r in enumerate(contract.rules)}
    return sorted(outcomes, key=lambda o: order[o.rule.id])


def _release_batches(datasource) -> None:
    """Drop the batches GX's execution engine keeps after a validation. It caches the last
    DataFrame of every asset (one per contract) for the life of the context, so a run held a
    slice of every table it validated: 191 MB at the end of the 1 M run, and the 10 M run's
    memory peak grew with it."""
    batches = datasource.get_execution_engine().batch_manager
    batches.batch_data_cache.clear()
    batches.reset_batch_cache()


def _fingerprint(suite) -> str:
    configs = [e.configuration.to_json_dict() for e in suite.expectations]
    return hashlib.sha256(json.dumps(configs, sort_keys=True, default=str).encode()).hexdigest()


def _stored_definition(gx, context, suite, batch_definition):
    """The stored suite and validation definition, written again only when the contract's
    rules changed: GX's add_or_update compares every expectation with every stored one
    (~0.3 s a suite), which is most of a small table's validation."""
    fingerprint = _fingerprint(suite)
    try:
        stored = context.suites.get(suite.name)
        definition = context.validation_definitions.get(suite.name)
        if stored.meta.get("axmeter_fingerprint") == fingerprint and definition.suite.name == suite.name:
            return definition
    except Exception:  # not stored yet (GX raises several kinds of not-found)
        pass
    suite.meta["axmeter_fingerprint"] = fingerprint
    suite = context.suites.add_or_update(suite)
    # Not validation_definitions.add_or_update: it saves the suite again through add_or_update,
    # which compares every expectation with every stored one a second time (3.9 of the 100k
    # run's 75 s under cProfile, 16 calls; ~0.1 s a contract timed without the profiler).
    definition = gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite)
    try:
        definition.id = context.validation_definitions.get(suite.name).id
    except Exception:  # not stored yet
        return context.validation_definitions.add(definition)
    definition.save()
    return definition


def _label(value) -> str:
    return value.date().isoformat() if hasattr(value, "date") else str(value)


def _failing_rows(batch_definition, frame, expectations, outcomes: list[RuleOutcome], index_columns: list[str],
                  partition_column: str | None, recount: set[str] = frozenset()) -> None:
    """For each failed row-level rule: sample keys (primary key + partition) and failed rows per
    partition, from a second, unstored pass of that rule alone over every row. A rule of
    `recount` (evaluated on distinct values) takes its failed rows' count from that pass too."""
    failed = {o.rule.id: o for o in outcomes if not o.success and o.unexpected_count and not o.error}
    if not index_columns:
        failed = {rule_id: o for rule_id, o in failed.items() if rule_id in recount}
    if not failed:
        return
    batch = batch_definition.get_batch({"dataframe": frame})
    for expectation in expectations:
        outcome = failed.get(expectation.meta["rule"])
        if outcome is None:
            continue
        result_format = ({"result_format": "COMPLETE", "unexpected_index_column_names": index_columns}
                         if index_columns else {"result_format": "BASIC"})
        result = (batch.validate(expectation, result_format=result_format).result) or {}
        if outcome.rule.id in recount:
            outcome.unexpected_count = result.get("unexpected_count")
        if not index_columns:
            continue
        rows = [row for row in result.get("unexpected_index_list") or [] if isinstance(row, dict)]
        outcome.sample_keys = [{k: row.get(k) for k in index_columns} for row in rows[:SAMPLE_KEYS]]
        if partition_column:
            counts: dict[str, int] = {}
            for row in rows:
                label = _label(row.get(partition_column))
                counts[label] = counts.get(label, 0) + 1
            outcome.by_partition = counts


DOCS_INDEX = Path("gx") / "uncommitted" / "data_docs" / "local_site" / "index.html"
DOCS_MARKER = ".data_docs_built"  # when the site was last rendered (ISO time)


def data_docs_index(quality_home: Path) -> Path:
    """Where the Data Docs start page is (or will be, once `build_data_docs` has run)."""
    return quality_home / DOCS_INDEX


def build_data_docs(quality_home: Path, *, newest_only: bool = False) -> Path | None:
    """Render Data Docs into quality_home and return index.html: the pages of the validation
    results stored since the last rendering, then the index (only the newest KEEP_RESULTS
    results per suite are kept, and the index links the newest INDEX_RESULTS of all).
    `newest_only`: the newest result's page and the index (a check that failed shows its page
    at once). Rendering costs ~0.5 s per call, more than a small validation, so checks leave it
    to the `quality/data_docs` asset, once per publish."""
    context = _context(quality_home)
    marker = quality_home / DOCS_MARKER
    with _LOCK:
        store = context.validation_results_store
        keys = store.list_keys()
        by_suite: dict[str, list] = {}
        for key in keys:
            by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
        kept = []
        for suite_keys in by_suite.values():
            suite_keys.sort(key=lambda k: str(k.run_id.run_time))
            for old in suite_keys[:-KEEP_RESULTS]:
                store.remove_key(old)  # its HTML page stays until the site is rebuilt; the index drops it
            kept += suite_keys[-KEEP_RESULTS:]
        if newest_only:
            last = {(suite, str(run_id)) for suite, run_id in _LAST_RESULTS.get(str(quality_home), [])}
            todo = [k for k in kept if (k.expectation_suite_identifier.name, str(k.run_id)) in last]
        else:
            since = (datetime.fromisoformat(marker.read_text(encoding="utf-8").strip()) if marker.exists()
                     else datetime.min.replace(tzinfo=timezone.utc))
            started = datetime.now(timezone.utc).isoformat()
            todo = [k for k in kept if k.run_id.run_time >= since]
        if not todo and data_docs_index(quality_home).exists():
            return data_docs_index(quality_home)
        sites = context.build_data_docs(resource_identifiers=todo or None)
        if not newest_only:
            marker.write_text(started, encoding="utf-8")
    for location in sites.values():
        path = Path(location.removeprefix("file://"))
        if path.exists():
            return path
    return None
