"""Data contracts (data_contracts/*.yaml, ODCS v3.0.x) read into plain rules.

This module is the one place that interprets a contract; it imports neither Great
Expectations nor Dagster, so loading the code location stays fast. Every rule has an id
(`<column>.<rule>` or the quality entry's name), a severity (`error` blocks, `warn`
annotates) and what to evaluate:

| contract field (ODCS)                                   | rule id                | evaluated by |
|---------------------------------------------------------|------------------------|--------------|
| the object's `properties` (names)                       | `schema.columns`       | GX expect_table_columns_to_match_set |
| property `physicalType`                                 | `<column>.type`        | the batch's Arrow schema (see below) |
| property `required: true`                               | `<column>.required`    | GX expect_column_values_to_not_be_null |
| property `unique: true`                                 | `<column>.unique`      | GX expect_column_values_to_be_unique |
| properties with `primaryKey: true` (by position)        | `primary_key`          | GX expect_compound_columns_to_be_unique |
| `logicalTypeOptions` minimum / maximum (exclusive...)   | `<column>.range`       | GX expect_column_values_to_be_between |
| `logicalTypeOptions` pattern                            | `<column>.pattern`     | GX expect_column_values_to_match_regex |
| `logicalTypeOptions` minLength / maxLength              | `<column>.length`      | GX expect_column_value_lengths_to_be_between |
| quality `library` validValues                           | `<column>.<name>`      | GX expect_column_values_to_be_in_set |
| quality `library` duplicateCount mustBe 0               | `<column>.<name>`      | GX expect_column_values_to_be_unique |
| quality `library` rowCount mustBe... (object level)     | `<name>`               | GX expect_table_row_count_to_be_between |
| quality `custom`, engine great-expectations             | `[<column>.]<name>`    | the named GX expectation with its kwargs |
| quality `custom`, engine axmeter, check volume_anomaly  | `volume_anomaly`       | SQL (sql/volume.sql) |
| slaProperties `latency` (value, unit d/h, element)       | `freshness`            | SQL (sql/freshness.sql) |

Structural rules (type, required, unique, primary key, logicalTypeOptions) are `error`
unless the property says otherwise in its customProperties (`severity: warn`); every
quality entry states its own ODCS `severity`. Only a contract with ODCS `status: active` is
enforced; a `proposed` one is checked the same way but its failures are reported as warnings. A property or quality entry with the custom
property `scope: published` applies only to the published file, not before publishing.

Column types are compared on the Arrow schema of the validated batch rather than with GX's
pandas type expectations: GX 1.24 misreports pandas 3 extension dtypes (Int64, boolean, str,
tz-aware timestamps), so a GX type check would fail on correct data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACTS_DIR = Path(__file__).resolve().parents[3] / "data_contracts"
SEVERITIES = ("error", "warn")
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
TABLE = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")

# DuckDB physical type -> Arrow type names the batch may carry for it.
ARROW_TYPES = {
    "VARCHAR": ("string", "large_string", "string_view"),
    "BIGINT": ("int64",),
    "INTEGER": ("int32",),
    "DOUBLE": ("double",),
    "BOOLEAN": ("bool",),
    "DATE": ("date32[day]",),
    "TIMESTAMP WITH TIME ZONE": ("timestamp[us, tz=*]",),
}


class ContractError(ValueError):
    """A contract the quality layer cannot interpret (the message says where)."""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # error | warn
    kind: str  # gx | type | volume
    description: str
    column: str | None = None
    expectation: str | None = None  # GX expectation in snake case
    kwargs: dict[str, Any] = field(default_factory=dict)
    physical_type: str | None = None  # kind == type
    published_only: bool = False
    options: dict[str, Any] = field(default_factory=dict)  # kind == volume


@dataclass(frozen=True)
class Freshness:
    column: str
    max_age_hours: float
    severity: str = "warn"


@dataclass(frozen=True)
class Contract:
    name: str  # file stem, e.g. "portal"
    id: str
    version: str
    asset: tuple[str, ...]  # Dagster asset key the checks attach to
    table: str  # warehouse table (raw.*) or the published file name
    columns: tuple[tuple[str, str], ...]  # (name, physicalType)
    primary_key: tuple[str, ...]
    partition_column: str | None
    rules: tuple[Rule, ...]
    freshness: Freshness | None
    status: str = "active"  # ODCS status: only an active contract blocks; a proposed one only warns
    pre_publish_asset: tuple[str, ...] | None = None
    pre_publish_table: str | None = None
    published_only_columns: tuple[str, ...] = ()

    @property
    def suite_name(self) -> str:
        return f"{self.name}_contract"

    def rules_for(self, *, published: bool = True, kinds: tuple[str, ...] = ("gx", "type")) -> list[Rule]:
        return [r for r in self.rules if r.kind in kinds and (published or not r.published_only)]

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    @property
    def volume(self) -> Rule | None:
        return next((r for r in self.rules if r.kind == "volume"), None)

    @property
    def enforced(self) -> bool:
        """An `active` contract's error rules block; any other status reports them as warnings."""
        return self.status == "active"

    @property
    def is_published(self) -> bool:
        return self.pre_publish_asset is not None


def _custom(entries: list[dict] | None) -> dict[str, Any]:
    return {e["property"]: e.get("value") for e in entries or []}


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise ContractError(f"{where}: severity must be one of {SEVERITIES}, not {value!r}")
    return value


def _quality_rule(q: dict, column: str | None, where: str) -> Rule:
    name = q.get("name")
    if not name or not IDENTIFIER.fullmatch(name):
        raise ContractError(f"{where}: every quality entry needs a snake_case `name`")
    rule_id = f"{column}.{name}" if column else name
    severity = _severity(q.get("severity"), f"{where} {rule_id}")
    published_only = _custom(q.get("customProperties")).get("scope") == "published"
    base = dict(id=rule_id, severity=severity, description=q.get("description", ""), column=column,
                published_only=published_only)
    kind = q.get("type", "library")
    if kind == "library":
        rule = q.get("rule")
        if rule == "validValues" and column:
            return Rule(kind="gx", expectation="expect_column_values_to_be_in_set",
                        kwargs={"column": column, "value_set": list(q["validValues"])}, **base)
        if rule == "duplicateCount" and column and q.get("mustBe") == 0:
            return Rule(kind="gx", expectation="expect_column_values_to_be_unique", kwargs={"column": column}, **base)
        if rule == "rowCount" and column is None:
            bounds = _row_count_bounds(q, f"{where} {rule_id}")
            return Rule(kind="gx", expectation="expect_table_row_count_to_be_between", kwargs=bounds, **base)
        raise ContractError(f"{where} {rule_id}: library rule {rule!r} is not supported here")
    if kind == "custom" and q.get("engine") == "great-expectations":
        implementation = q.get("implementation") or {}
        expectation = implementation.get("expectation")
        if not expectation or not expectation.startswith("expect_"):
            raise ContractError(f"{where} {rule_id}: implementation.expectation must name a GX expectation")
        kwargs = dict(implementation.get("kwargs") or {})
        if column and "column" not in kwargs and not {"column_A", "column_list"} & kwargs.keys():
            kwargs["column"] = column
        return Rule(kind="gx", expectation=expectation, kwargs=kwargs, **base)
    if kind == "custom" and q.get("engine") == "axmeter":
        implementation = dict(q.get("implementation") or {})
        if implementation.pop("check", None) != "volume_anomaly":
            raise ContractError(f"{where} {rule_id}: the axmeter engine knows only check: volume_anomaly")
        return Rule(kind="volume", options=implementation, **base)
    raise ContractError(f"{where} {rule_id}: quality type {kind!r} is not supported here")


def _row_count_bounds(q: dict, where: str) -> dict[str, Any]:
    if "mustBe" in q:
        return {"min_value": q["mustBe"], "max_value": q["mustBe"]}
    if "mustBeBetween" in q:
        return {"min_value": q["mustBeBetween"][0], "max_value": q["mustBeBetween"][1]}
    bounds: dict[str, Any] = {}
    if "mustBeGreaterThan" in q:
        bounds.update(min_value=q["mustBeGreaterThan"], strict_min=True)
    if "mustBeGreaterOrEqualTo" in q:
        bounds["min_value"] = q["mustBeGreaterOrEqualTo"]
    if "mustBeLessThan" in q:
        bounds.update(max_value=q["mustBeLessThan"], strict_max=True)
    if "mustBeLessOrEqualTo" in q:
        bounds["max_value"] = q["mustBeLessOrEqualTo"]
    if not bounds:
        raise ContractError(f"{where}: rowCount needs a mustBe... bound")
    return bounds


def _property_rules(p: dict, where: str) -> list[Rule]:
    column = p["name"]
    custom = _custom(p.get("customProperties"))
    severity = _severity(custom.get("severity", "error"), f"{where} {column}")
    published_only = custom.get("scope") == "published"
    base = dict(severity=severity, column=column, published_only=published_only)
    physical = p.get("physicalType")
    if physical not in ARROW_TYPES:
        raise ContractError(f"{where} {column}: physicalType {physical!r} is not one of {sorted(ARROW_TYPES)}")
    rules = [Rule(id=f"{column}.type", kind="type", physical_type=physical,
                  description=f"{column} is {physical}", **base)]
    if p.get("required"):
        rules.append(Rule(id=f"{column}.required", kind="gx", expectation="expect_column_values_to_not_be_null",
                          kwargs={"column": column}, description=f"{column} is never null", **base))
    if p.get("unique"):
        rules.append(Rule(id=f"{column}.unique", kind="gx", expectation="expect_column_values_to_be_unique",
                          kwargs={"column": column}, description=f"{column} is unique", **base))
    options = p.get("logicalTypeOptions") or {}
    bounds = {}
    for key, gx_key in (("minimum", "min_value"), ("maximum", "max_value")):
        if key in options:
            bounds[gx_key] = options[key]
    if bounds:
        # ODCS 3.0.x: exclusiveMinimum/exclusiveMaximum are booleans for dates, numbers for numbers.
        if options.get("exclusiveMinimum") is True:
            bounds["strict_min"] = True
        if options.get("exclusiveMaximum") is True:
            bounds["strict_max"] = True
        rules.append(Rule(id=f"{column}.range", kind="gx", expectation="expect_column_values_to_be_between",
                          kwargs={"column": column, **bounds},
                          description=f"{column} within {options.get('minimum', '-inf')} .. {options.get('maximum', 'inf')}",
                          **base))
    if "pattern" in options:
        rules.append(Rule(id=f"{column}.pattern", kind="gx", expectation="expect_column_values_to_match_regex",
                          kwargs={"column": column, "regex": options["pattern"]},
                          description=f"{column} matches {options['pattern']}", **base))
    if "minLength" in options or "maxLength" in options:
        rules.append(Rule(id=f"{column}.length", kind="gx", expectation="expect_column_value_lengths_to_be_between",
                          kwargs={"column": column, "min_value": options.get("minLength"),
                                  "max_value": options.get("maxLength")},
                          description=f"{column} length within bounds", **base))
    for q in p.get("quality") or []:
        rule = _quality_rule(q, column, where)
        if published_only and not rule.published_only:
            rule = Rule(**{**rule.__dict__, "published_only": True})
        rules.append(rule)
    return rules


def _freshness(doc: dict, table_name: str, where: str) -> Freshness | None:
    for sla in doc.get("slaProperties") or []:
        if sla.get("property") != "latency":
            continue
        element = sla.get("element", "")
        obj, _, column = element.partition(".")
        if obj != table_name or not IDENTIFIER.fullmatch(column):
            raise ContractError(f"{where}: latency element {element!r} must be {table_name}.<column>")
        unit = str(sla.get("unit", "d")).lower()
        hours = {"d": 24, "day": 24, "days": 24, "h": 1, "hour": 1, "hours": 1}.get(unit)
        if hours is None:
            raise ContractError(f"{where}: latency unit {unit!r} (use d or h)")
        custom = _custom(sla.get("customProperties")) if isinstance(sla.get("customProperties"), list) else {}
        return Freshness(column=column, max_age_hours=float(sla["value"]) * hours,
                         severity=_severity(custom.get("severity", "warn"), where))
    return None


def parse_contract(name: str, doc: dict) -> Contract:
    where = f"data_contracts/{name}.yaml"
    if not str(doc.get("apiVersion", "")).startswith("v3.0."):
        raise ContractError(f"{where}: apiVersion must be v3.0.x")
    objects = doc.get("schema") or []
    if len(objects) != 1:
        raise ContractError(f"{where}: exactly one schema object per contract")
    obj = objects[0]
    custom = _custom(doc.get("customProperties"))
    asset = tuple(str(custom.get("dagsterAsset", "")).split("/"))
    if len(asset) != 2:
        raise ContractError(f"{where}: customProperties dagsterAsset must be <layer>/<name>")
    properties = obj.get("properties") or []
    for p in properties:
        if not IDENTIFIER.fullmatch(p.get("name", "")):
            raise ContractError(f"{where}: property name {p.get('name')!r} is not snake_case")
    rules: list[Rule] = []
    columns = tuple((p["name"], p["physicalType"]) for p in properties)
    published_only_columns = tuple(
        p["name"] for p in properties if _custom(p.get("customProperties")).get("scope") == "published")
    rules.append(Rule(id="schema.columns", severity="error", kind="gx",
                      expectation="expect_table_columns_to_match_set",
                      kwargs={"column_set": [c for c, _ in columns], "exact_match": True},
                      description="exactly the contract's columns"))
    primary_key = tuple(p["name"] for p in sorted((p for p in properties if p.get("primaryKey")),
                                                  key=lambda p: p.get("primaryKeyPosition", 0)))
    if primary_key:
        rules.append(Rule(id="primary_key", severity="error", kind="gx",
                          expectation="expect_compound_columns_to_be_unique" if len(primary_key) > 1
                          else "expect_column_values_to_be_unique",
                          kwargs={"column_list": list(primary_key)} if len(primary_key) > 1
                          else {"column": primary_key[0]},
                          description=f"one row per ({', '.join(primary_key)})"))
    for p in properties:
        rules.extend(_property_rules(p, where))
    for q in obj.get("quality") or []:
        rules.append(_quality_rule(q, None, where))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ContractError(f"{where}: duplicate rule ids {duplicates}")
    partition = [p["name"] for p in properties if p.get("partitioned")]
    table = obj.get("physicalName", "")
    pre_asset = custom.get("prePublishAsset")
    pre_table = custom.get("prePublishTable")
    if pre_asset is None and not TABLE.fullmatch(table):
        raise ContractError(f"{where}: physicalName must be <schema>.<table>")
    if pre_table is not None and not TABLE.fullmatch(pre_table):
        raise ContractError(f"{where}: prePublishTable must be <schema>.<table>")
    return Contract(
        name=name, id=doc["id"], version=str(doc["version"]), status=str(doc.get("status", "active")), asset=asset, table=table, columns=columns,
        primary_key=primary_key, partition_column=partition[0] if partition else None, rules=tuple(rules),
        freshness=_freshness(doc, obj["name"], where),
        pre_publish_asset=tuple(pre_asset.split("/")) if pre_asset else None, pre_publish_table=pre_table,
        published_only_columns=published_only_columns,
    )


def contract_files() -> list[Path]:
    files = sorted(CONTRACTS_DIR.glob("*.yaml"))
    if not files:
        # Without its contracts the pipeline would run unvalidated: refuse instead.
        raise FileNotFoundError(
            f"no data contracts in {CONTRACTS_DIR}: axmeter runs from its source tree (or a copy "
            "holding pipelines/ and data_contracts/ side by side); restore data_contracts/*.yaml")
    return files


@cache
def load_contracts() -> dict[str, Contract]:
    """Every contract in data_contracts/, by file stem."""
    return {
        path.stem: parse_contract(path.stem, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in contract_files()
    }
