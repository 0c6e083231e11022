"""Privacy at ingest over all six sources of a small synthetic ministry, and the key rules
of the `axmeter` command."""

import csv
import json
import os
import re
import stat
from datetime import date

import dagster as dg
import duckdb
import pytest

from pipelines import cli
from pipelines.definitions import defs
from pipelines.resources import AxmeterHome
from pipelines.run import run_pipeline
from pipelines.sample import generate


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("sample")
    generate(home, employees=60, start=date(2026, 1, 1), end=date(2026, 2, 28), seed=7)
    env = {"AXMETER_HOME": str(home), "AXMETER_PSEUDONYM_KEY": "privacy-test-key-0123456789"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with dg.instance_for_test() as instance:
            run_pipeline(defs, instance, AxmeterHome(home=str(home)), say=lambda _: None)
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    return home


def personal_values(landing):
    """Everything personal the landing files hold: employee numbers, names, e-mails, IPs,
    API keys, prompt and response text, survey comments."""
    values = set()
    for path in (landing / "hr").glob("roster_*.csv"):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            values.update({row["employee_id"], row["name"]})
    for path in (landing / "survey").glob("*.csv"):
        values.update(row["comment"] for row in csv.DictReader(path.open(encoding="utf-8")) if row["comment"])
    for path in (landing / "portal").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()[:200]:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            for field in ("end_user", "requester_ip_address", "api_key"):
                if event.get(field):
                    values.add(str(event[field]))
            for message in event.get("messages") or []:
                if isinstance(message, dict) and message.get("content"):
                    values.add(str(message["content"]))
    return {v for v in values if len(v) >= 6}


def test_warehouse_holds_nothing_personal_from_any_source(sample_home):
    values = personal_values(sample_home / "landing")
    assert len(values) > 100  # the scan has something to find
    raw_bytes = (sample_home / "warehouse.duckdb").read_bytes()
    found = [v for v in values if v.encode("utf-8") in raw_bytes]
    assert found == []
    employee_numbers = {v for v in values if re.fullmatch(r"E\d{6}", v)}
    with duckdb.connect(str(sample_home / "warehouse.duckdb"), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema IN ('raw', 'staging', 'marts')"
        ).fetchall()
        for schema, table, column in columns:
            hits = conn.execute(
                f'SELECT count(*) FROM {schema}.{table} WHERE upper(trim("{column}")) IN (SELECT unnest(?))',
                [sorted(employee_numbers)],
            ).fetchall()[0][0]
            assert hits == 0, f"{schema}.{table}.{column}"
        survey_columns = {c for _, t, c in columns if t == "survey_responses"}
        assert "comment" not in survey_columns


def test_run_without_a_key_fails_with_what_to_do(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("AXMETER_HOME", str(tmp_path))
    monkeypatch.delenv("AXMETER_PSEUDONYM_KEY", raising=False)
    assert cli.main(["run"]) == 2
    message = capsys.readouterr().err
    assert "AXMETER_PSEUDONYM_KEY is not set" in message and "axmeter demo" in message


def test_short_key_is_refused(monkeypatch):
    from pipelines.resources import Pseudonymizer

    with pytest.raises(ValueError, match="at least 16"):
        Pseudonymizer("short")


def test_demo_creates_a_private_key_file_once_and_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("AXMETER_PSEUDONYM_KEY", raising=False)
    cli.ensure_demo_key(tmp_path)
    key_file = tmp_path / ".pseudonym_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "created a local demo key" in capsys.readouterr().out
    first = os.environ["AXMETER_PSEUDONYM_KEY"]
    assert len(first) == 64
    monkeypatch.delenv("AXMETER_PSEUDONYM_KEY")
    cli.ensure_demo_key(tmp_path)
    assert os.environ["AXMETER_PSEUDONYM_KEY"] == first  # reused: pseudonyms stay stable
    assert "Using the local demo pseudonym key" in capsys.readouterr().out


def test_pseudonyms_ignore_case_and_spaces_and_depend_on_the_key():
    from pipelines.resources import Pseudonymizer

    one, other = Pseudonymizer("k" * 16), Pseudonymizer("j" * 16)
    assert one.pseudonym(" e104233 ") == one.pseudonym("E104233") != other.pseudonym("E104233")
    assert one.pseudonym("  ") is None
    # HMAC-SHA256 of "E104233" keyed by "k" * 16, computed with
    # `echo -n E104233 | openssl dgst -sha256 -hmac kkkkkkkkkkkkkkkk`
    expected = "f184f945aa6c708a3319c8291846b01192a0fbf241aa2f03ad883957d7d54d15"
    assert one.pseudonym("E104233") == expected
    # A batch's mapping, also for values met in an earlier batch
    assert one.mapping(["E104233", " e104233", None]) == {"E104233": expected, " e104233": expected}
    assert one.mapping(["E104233"]) == {"E104233": expected}


def test_quarantine_command_lists_reasons_and_counts(sample_home, monkeypatch, capsys):
    monkeypatch.setenv("AXMETER_HOME", str(sample_home))
    assert cli.main(["quarantine"]) == 0
    out = capsys.readouterr().out
    truth = json.loads((sample_home / "sample_truth.json").read_text())
    assert "corrupt gzip" in out or not any(f.get("kind") == "corrupt_gzip" for f in truth.get("faults", []))
    for reason in ("missing request_id", "event dated more than a day after the run",
                   "event before the start of data collection"):
        assert reason in out
