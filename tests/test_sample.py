"""The synthetic-ministry generator: formats of sources.md, injected faults, determinism."""

import csv
import gzip
import hashlib
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.sample import SampleSummary, generate

KST = timezone(timedelta(hours=9))
KST_LOCAL = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
# Small, but holding a full quarter (for the survey) and the 2026-07-01 reorganisation.
TINY = {"employees": 40, "start": date(2026, 4, 1), "end": date(2026, 7, 31)}
SOURCES = ("portal", "onai", "hr", "training", "pioneers", "survey")
ONAI_HEADER = ["이벤트ID", "발생일시", "직원번호", "부서코드", "기능", "처리결과", "소요시간(ms)",
               "결과활용", "입력글자수", "출력글자수"]
CSV_HEADERS = {
    "hr/roster_": ["employee_id", "name", "unit_code", "grade", "position_title",
                   "employment_type", "status", "hire_date"],
    "hr/org_units_": ["unit_code", "unit_name_ko", "unit_name_en", "parent_code", "level", "function"],
    "training/attendance_": ["session_id", "session_title", "session_date", "format", "hours",
                             "employee_id", "completed"],
    "pioneers/roster_": ["employee_id", "role", "joined_on", "left_on"],
    "survey/survey_": ["response_id", "quarter", "unit_code", "q_faster", "q_quality", "q_effort",
                       "q_productive", "minutes_saved_per_week", "comment"],
    "calendar/closures": ["date", "reason"],
}
PORTAL_FIELDS = {"request_id", "call_type", "status", "startTime", "endTime", "model", "model_group",
                 "custom_llm_provider", "prompt_tokens", "completion_tokens", "total_tokens", "spend",
                 "user", "metadata", "request_tags", "messages", "response", "requester_ip_address",
                 "api_key"}
FAULT_KINDS = {"duplicate_file", "late_file", "duplicate_key", "corrupt_gzip", "truncated_last_line",
               "wrong_encoding", "sidecar_mismatch", "bad_timestamp", "non_numeric_tokens",
               "missing_request_id", "non_numeric_duration", "missing_event_id", "unknown_employee",
               "unknown_feature", "future_timestamp", "before_start_timestamp"}
ROW_UNLOADABLE = {"bad_timestamp", "non_numeric_tokens", "missing_request_id", "non_numeric_duration",
                  "missing_event_id", "future_timestamp", "before_start_timestamp"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, SampleSummary, dict]:
    home = tmp_path_factory.mktemp("home")
    summary = generate(home, seed=7, **TINY)
    return home, summary, json.loads(summary.truth_path.read_text(encoding="utf-8"))


def _fingerprint(home: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every landed file, by relative path."""
    return {str(p.relative_to(home)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted((home / "landing").rglob("*")) if p.is_file()}


def _portal_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def _lines(home: Path, source: str, name: str) -> list[str]:
    path = home / "landing" / source / name
    if source == "portal":
        return _portal_text(path).split("\n")
    data = path.read_bytes()
    text = data.decode("cp949") if _is_cp949(data) else data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").split("\n")


def _is_cp949(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _start_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def test_summary_counts_what_was_written(sample):
    home, summary, truth = sample
    assert summary.truth_path == home / "sample_truth.json"
    assert set(summary.events) == set(SOURCES)
    assert summary.events["portal"] == truth["counts"]["portal"]["data_rows_written"] > 500
    assert summary.events["onai"] == truth["counts"]["onai"]["data_rows_written"] > 200
    assert summary.files_written == len(_fingerprint(home))
    assert truth["parameters"]["seed"] == 7 and truth["parameters"]["employees"] == 40


def test_same_seed_gives_byte_identical_landing_and_different_seed_differs(sample, tmp_path):
    home, _, _ = sample
    generate(tmp_path / "again", seed=7, **TINY)
    generate(tmp_path / "other", seed=8, **TINY)
    original = _fingerprint(home)
    assert _fingerprint(tmp_path / "again") == original
    truth_again = (tmp_path / "again" / "sample_truth.json").read_bytes()
    assert truth_again == (home / "sample_truth.json").read_bytes()
    other = _fingerprint(tmp_path / "other")
    shared = set(other) & set(original)
    assert sum(other[p][0] != original[p][0] for p in shared) > len(shared) / 2


def test_every_source_lands_files_with_the_spec_names_and_headers(sample):
    home, _, _ = sample
    landing = home / "landing"
    patterns = {"portal": r"spendlogs_\d{8}(_\d)?\.jsonl(\.gz)?(\.sha256)?",
                "onai": r"onai_activity_\d{8}\.csv", "hr": r"(roster|org_units)_\d{8}\.csv",
                "training": r"attendance_.+\.csv", "pioneers": r"roster_\d{8}\.csv",
                "survey": r"survey_\d{4}Q[1-4]\.csv"}
    for source, pattern in patterns.items():
        names = [p.name for p in (landing / source).iterdir()]
        assert names, source
        assert all(re.fullmatch(pattern, n) for n in names), (source, names)
    for prefix, header in CSV_HEADERS.items():
        folder, stem = prefix.split("/")
        files = [p for p in (landing / folder).glob(f"{stem}*.csv")]
        assert files or folder == "survey", prefix
        for path in files:
            assert path.read_text(encoding="utf-8").splitlines()[0].split(",") == header, path
    for path in (landing / "onai").iterdir():
        assert next(csv.reader(_lines(home, "onai", path.name)[:1])) == ONAI_HEADER


def test_survey_covers_each_full_quarter_with_plausible_answers(sample):
    home, summary, truth = sample
    folder = home / "landing" / "survey"
    assert sorted(p.name for p in folder.iterdir()) == ["survey_2026Q2.csv"]
    rows = list(csv.DictReader(io.StringIO((folder / "survey_2026Q2.csv").read_text("utf-8"))))
    headcount = truth["workforce"]["active_in_first_snapshot"]
    assert 0.2 * headcount <= len(rows) <= 0.7 * headcount
    assert summary.events["survey"] == len(rows)
    answers = [int(r[q]) for r in rows for q in ("q_faster", "q_quality", "q_effort", "q_productive")]
    assert set(answers) <= {1, 2, 3, 4, 5}
    assert all(r["quarter"] == "2026Q2" and int(r["minutes_saved_per_week"]) >= 0 for r in rows)


def test_portal_lines_follow_the_spec_and_sit_in_their_kst_day(sample):
    home, _, truth = sample
    skip = set(truth["portal"]["quarantined_files"])
    flagged = {(e["file"], e["line"]) for kind, entries in truth["faults"].items() if kind != "duplicate_key"
               for e in entries if "line" in e}
    copies = {(c["file"], c["line"]) for e in truth["faults"]["duplicate_key"] for c in e["copies"]}
    users = set()
    for path in sorted((home / "landing" / "portal").glob("spendlogs_*")):
        if path.name in skip or path.name.endswith(".sha256"):
            continue
        day = re.search(r"_(\d{8})", path.name).group(1)
        for number, line in enumerate(_portal_text(path).split("\n"), 1):
            if not line or (path.name, number) in flagged:
                continue
            event = json.loads(line)
            assert PORTAL_FIELDS <= set(event), path.name
            assert event["status"] in ("success", "failure")
            assert isinstance(event["prompt_tokens"], int) and isinstance(event["spend"], float)
            assert event["metadata"]["guardrail_status"] in (
                "not_run", "success", "guardrail_intervened", "guardrail_failed_to_respond")
            if (path.name, number) not in copies:
                assert _start_time(event["startTime"]).astimezone(KST).strftime("%Y%m%d") == day
            users.add(event["user"])
    assert "" in users  # service keys
    assert any(u != u.strip() for u in users) and any(u.strip().startswith("e") for u in users)


def test_portal_timestamp_styles_are_as_listed(sample):
    home, _, truth = sample
    suffix = {"+09:00": "+09:00", "no offset": None}
    for style, files in truth["portal"]["timestamp_styles"].items():
        for name in files:
            if name in truth["portal"]["quarantined_files"]:
                continue
            first = json.loads(_portal_text(home / "landing" / "portal" / name).split("\n")[0])
            stamp = first.get("startTime", "")
            if suffix[style]:
                assert stamp.endswith(suffix[style])
            else:
                assert not stamp.endswith("Z") and "+" not in stamp


def test_onai_cp949_files_decode_only_as_cp949(sample):
    home, _, truth = sample
    folder = home / "landing" / "onai"
    cp949 = truth["onai"]["encodings"]["cp949"]
    assert cp949
    for name in cp949:
        data = (folder / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert data.decode("cp949").startswith("이벤트ID,")
    for name in truth["onai"]["encodings"]["utf-8-sig"]:
        assert (folder / name).read_bytes().startswith(b"\xef\xbb\xbf")
    plain = set(p.name for p in folder.iterdir()) - set(cp949) - set(truth["onai"]["encodings"]["utf-8-sig"])
    for name in plain:
        assert (folder / name).read_bytes().decode("utf-8").startswith("이벤트ID,")


def test_truth_lists_every_kind_of_fault(sample):
    _, _, truth = sample
    assert set(truth["faults"]) == FAULT_KINDS
    assert all(truth["faults"][kind] for kind in FAULT_KINDS)
    keys = truth["faults"]["duplicate_key"]
    assert any(e["identical"] for e in keys) and any(not e["identical"] for e in keys)


def test_damaged_files_are_really_damaged(sample):
    home, _, truth = sample
    portal = home / "landing" / "portal"
    faults = truth["faults"]
    for entry in faults["corrupt_gzip"]:
        with pytest.raises((OSError, EOFError)):
            gzip.decompress((portal / entry["file"]).read_bytes())
    for entry in faults["wrong_encoding"]:
        with pytest.raises(UnicodeDecodeError):
            (portal / entry["file"]).read_bytes().decode("utf-8")
    for entry in faults["sidecar_mismatch"]:
        digest = (portal / entry["sidecar"]).read_text().split()[0]
        assert digest != hashlib.sha256((portal / entry["file"]).read_bytes()).hexdigest()
    for name in truth["portal"]["sidecars_ok"]:
        digest = (portal / f"{name}.sha256").read_text().split()[0]
        assert digest == hashlib.sha256((portal / name).read_bytes()).hexdigest()
    for entry in faults["duplicate_file"]:
        first, second = portal / entry["file"], portal / entry["duplicate"]
        assert first.read_bytes() == second.read_bytes()
        assert second.stat().st_mtime > first.stat().st_mtime
    for entry in faults["truncated_last_line"]:
        source = home / "landing" / entry["source"]
        raw = source.joinpath(entry["file"]).read_bytes()
        assert not raw.endswith(b"\n")
        assert len(_lines(home, entry["source"], entry["file"])) == entry["line"]


def test_late_files_are_dated_days_after_their_normal_delivery(sample):
    home, _, truth = sample
    for entry in truth["faults"]["late_file"]:
        mtime = (home / "landing" / entry["source"] / entry["file"]).stat().st_mtime
        assert mtime == datetime.fromisoformat(entry["delivered"]).timestamp()
        assert entry["days_late"] >= 3
    unusual = ({e["file"] for e in truth["faults"]["late_file"]}
               | {e["duplicate"] for e in truth["faults"]["duplicate_file"]})
    for path in (home / "landing" / "portal").glob("spendlogs_*"):
        if path.name not in unusual:
            delivered = datetime.fromtimestamp(path.stat().st_mtime, KST)
            day = datetime.strptime(re.search(r"_(\d{8})", path.name).group(1), "%Y%m%d").date()
            assert (delivered.date(), delivered.hour) == (day + timedelta(days=1), 6), path.name


def test_row_faults_point_at_the_faulty_lines(sample):
    home, _, truth = sample
    for kind in ("bad_timestamp", "non_numeric_tokens", "missing_request_id", "unknown_employee",
                 "unknown_feature", "future_timestamp", "before_start_timestamp"):
        for entry in (e for e in truth["faults"][kind] if e["source"] == "portal"):
            line = _lines(home, "portal", entry["file"])[entry["line"] - 1]
            event = json.loads(line)
            if kind == "bad_timestamp":
                with pytest.raises(ValueError):
                    _start_time(event["startTime"])
            elif kind == "non_numeric_tokens":
                assert not isinstance(event["prompt_tokens"], int)
            elif kind == "missing_request_id":
                assert "request_id" not in event
            elif kind == "unknown_employee":
                assert event["user"] == entry["detail"] and event["request_id"] == entry["key"]
            elif kind == "unknown_feature":
                assert event["metadata"]["service"] == "legal_qa"
            elif kind == "future_timestamp":
                assert _start_time(event["startTime"]).year >= 2030
            else:
                assert _start_time(event["startTime"]).date() < TINY["start"]
    for kind, check in (("non_numeric_duration", lambda r: not r[6].isdigit()),
                        ("missing_event_id", lambda r: r[0] == ""),
                        ("unknown_feature", lambda r: r[4] == "음성회의록"),
                        ("bad_timestamp", lambda r: not re.fullmatch(KST_LOCAL, r[1]))):
        for entry in (e for e in truth["faults"][kind] if e["source"] == "onai"):
            row = next(csv.reader([_lines(home, "onai", entry["file"])[entry["line"] - 1]]))
            assert check(row), (kind, row)


def test_loadable_events_match_a_reader_following_the_spec(sample):
    """A straightforward reader of sources.md loads exactly the distinct keys the truth predicts."""
    home, _, truth = sample
    bad = {(e["file"], e["line"]) for kind, entries in truth["faults"].items() if kind in ROW_UNLOADABLE
           for e in entries}
    bad |= {(e["file"], e["line"]) for e in truth["faults"]["truncated_last_line"]}
    keys = {"portal": set(), "onai": set()}
    for path in (home / "landing" / "portal").glob("spendlogs_*"):
        if path.name.endswith(".sha256") or path.name in truth["portal"]["quarantined_files"]:
            continue
        for number, line in enumerate(_portal_text(path).split("\n"), 1):
            if line and (path.name, number) not in bad:
                keys["portal"].add(json.loads(line)["request_id"])
    for path in (home / "landing" / "onai").iterdir():
        for number, line in enumerate(_lines(home, "onai", path.name)[1:], 2):
            if line and (path.name, number) not in bad:
                keys["onai"].add(line.split(",")[0])
    for source in keys:
        assert len(keys[source]) == truth["counts"][source]["distinct_keys_loadable"]


def test_reorganisation_changes_exactly_the_units_in_truth(sample):
    home, _, truth = sample
    hr = home / "landing" / "hr"
    reorg = truth["reorg"]
    assert reorg["date"] == "2026-07-01"

    def units(day: str) -> dict[str, dict]:
        text = (hr / f"org_units_{day}.csv").read_text("utf-8")
        return {r["unit_code"]: r for r in csv.DictReader(io.StringIO(text))}

    before, after = units("20260601"), units("20260701")
    assert set(before) - set(after) == set(reorg["units_removed"])
    assert set(after) - set(before) == set(reorg["units_created"])
    renamed = reorg["division_renamed"]
    code = renamed["unit_code"]
    assert before[code]["unit_name_ko"] == renamed["old_name_ko"]
    assert after[code]["unit_name_ko"] == renamed["new_name_ko"]
    for division, bureau in reorg["bureau_split"]["divisions_moved"].items():
        assert before[division]["parent_code"] == reorg["bureau_split"]["from"]
        assert after[division]["parent_code"] == bureau
    roster = list(csv.DictReader(io.StringIO((hr / "roster_20260701.csv").read_text("utf-8"))))
    assert all(r["unit_code"] in after for r in roster)
    assert any(r["unit_code"] == reorg["divisions_merged"]["into"] for r in roster)


def test_hr_snapshots_are_monthly_and_consistent(sample):
    home, _, _ = sample
    hr = home / "landing" / "hr"
    assert sorted(p.name for p in hr.glob("roster_*")) == [f"roster_2026{m:02d}01.csv" for m in range(4, 8)]
    for path in hr.glob("roster_*"):
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
        assert {r["status"] for r in rows} <= {"active", "leave", "retired"}
        assert all(re.fullmatch(r"E\d{6}", r["employee_id"]) for r in rows)
        org = (hr / path.name.replace("roster", "org_units")).read_text("utf-8")
        levels = {r["level"] for r in csv.DictReader(io.StringIO(org))}
        assert levels == {"ministry", "office", "bureau", "division"}


def test_training_effect_can_be_switched_off(tmp_path):
    generate(tmp_path, seed=7, training_effect=0.0, **TINY)
    truth = json.loads((tmp_path / "sample_truth.json").read_text(encoding="utf-8"))
    assert truth["training"]["extra_active_probability_per_workday"] == 0.0
    assert truth["training"]["realised_extra_active_days_per_person"] == 0.0
    assert truth["training"]["sessions"]


def test_refuses_a_non_empty_landing_unless_overwrite(sample, tmp_path):
    home, _, _ = sample
    with pytest.raises(ValueError, match="overwrite"):
        generate(home, seed=7, **TINY)
    (tmp_path / "landing" / "portal").mkdir(parents=True)
    (tmp_path / "landing" / "portal" / "stray.jsonl").write_text("{}\n")
    (tmp_path / "landing" / "elsewhere").mkdir()
    (tmp_path / "landing" / "elsewhere" / "keep.txt").write_text("not ours")
    with pytest.raises(ValueError):
        generate(tmp_path, seed=7, **TINY)
    generate(tmp_path, seed=7, overwrite=True, **TINY)
    assert not (tmp_path / "landing" / "portal" / "stray.jsonl").exists()
    assert (tmp_path / "landing" / "elsewhere" / "keep.txt").read_text() == "not ours"


def test_rejects_unworkable_parameters(tmp_path):
    with pytest.raises(ValueError, match="employees"):
        generate(tmp_path, employees=5)
    with pytest.raises(ValueError, match="period"):
        generate(tmp_path, start=date(2026, 1, 1), end=date(2026, 1, 10))
