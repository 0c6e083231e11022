"""`axmeter doctor`: a stale source and a missing key are reported with what to do, and it
works while a run holds the warehouse's write lock."""

import subprocess
import sys
from datetime import date

import duckdb
import pytest

from pipelines import cli
from pipelines.defs.ops.doctor import run_checks
from tests.handmade import write_handmade_landing


@pytest.fixture
def landed(axmeter_home, monkeypatch):
    write_handmade_landing(axmeter_home)
    monkeypatch.setenv("DAGSTER_HOME", str(axmeter_home / "no-instance-yet"))
    return axmeter_home


def by_topic(findings, topic):
    return [f for f in findings if f.topic == topic]


def test_doctor_reports_a_missing_key_and_a_stale_source_and_what_to_do(landed, monkeypatch, capsys):
    monkeypatch.delenv("AXMETER_PSEUDONYM_KEY")
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  key        AXMETER_PSEUDONYM_KEY is not set" in out
    assert "set AXMETER_PSEUDONYM_KEY from the secret store" in out
    # the hand-made portal files end on 2026-01-31
    assert "FAIL  freshness  portal is stale: its newest file (spendlogs_20260131.jsonl) is for 2026-01-31" in out
    assert "check the network-link transfer" in out
    assert "problem(s) to fix" in out


def test_fresh_sources_archived_files_and_the_key_pass(landed, monkeypatch):
    monkeypatch.setenv("AXMETER_HOME", str(landed))
    archive = landed / "archive" / "onai"
    archive.mkdir(parents=True)
    (landed / "landing" / "onai" / "onai_activity_20260210.csv").rename(archive / "onai_activity_20260210.csv")
    findings = run_checks(landed, landed / "no-instance-yet", today=date(2026, 2, 11))
    key = by_topic(findings, "key")
    assert [f.level for f in key] == ["ok"] and "set (" in key[0].message
    freshness = {f.message.split(":")[0].split(" ")[0]: f for f in by_topic(findings, "freshness")}
    assert freshness["onai"].level == "ok"  # its newest file is archived: still delivered
    assert "onai_activity_20260210.csv" in freshness["onai"].message
    assert freshness["portal"].level == "fail" and "11 days before today" in freshness["portal"].message
    assert freshness["hr"].level == "ok"
    assert by_topic(findings, "instance")[0].level == "warn"  # no instance yet: says how to get one


def test_doctor_does_not_need_the_warehouse_lock(landed):
    warehouse = landed / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('locked', flush=True); time.sleep(60)", str(warehouse)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "locked"
        findings = run_checks(landed, landed / "no-instance-yet", today=date(2026, 2, 11))
    finally:
        writer.kill()
        writer.wait()
    [finding] = by_topic(findings, "warehouse")
    assert finding.level == "ok" and "being written by a run right now" in finding.message


def test_doctor_reads_the_local_instance_axmeter_creates(landed, monkeypatch):
    dagster_home = landed / "dagster"
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    cli.ensure_dagster_home(landed)  # axmeter's dagster.yaml: its SQLite storage, pool default 1
    ok, pool = by_topic(run_checks(landed, dagster_home, today=date(2026, 2, 11)), "instance")
    assert ok.level == "ok" and ok.message == f"sqlite storage at {dagster_home}: 0 run(s)"
    # The pool's own limit is not set yet (any axmeter run sets it): the default of 1 applies.
    assert pool.message == "pool warehouse_writer: limit 1", pool
